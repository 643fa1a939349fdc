/**
 * Invariant: WebNN's lstmCell with the output peephole reading C_t, on NNAPI's per-gate tensors packed in either
 * layout, equals NNAPI's documented LSTM formulas (src/ops/lstm/float64.ts) in float64, for any sizes, weights,
 * peepholes, states and activation relu / tanh / sigmoid.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams } from '../../../test/fc-params.js';
import { lstmStepF64 } from '../lstm/float64.js';
import { packGates, packPeepholes, webnnLstmCell, type WebnnActivation } from './index.js';

const ACT: Record<number, WebnnActivation> = { 1: 'relu', 4: 'tanh', 6: 'sigmoid' };

const arb = fc
  .record({ B: fc.integer({ min: 1, max: 3 }), I: fc.integer({ min: 1, max: 4 }), H: fc.integer({ min: 1, max: 4 }), act: fc.constantFrom(1, 4, 6), layout: fc.constantFrom('iofg' as const, 'ifgo' as const), seed: fc.integer() })
  .map((p) => {
    let s = p.seed >>> 0;
    const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32 * 2 - 1);
    const v = (n: number) => Array.from({ length: n }, next);
    const g = (k: number) => ({ i: v(p.H * k), f: v(p.H * k), g: v(p.H * k), o: v(p.H * k) });
    return { ...p, wx: g(p.I), wh: g(p.H), bias: g(1), peep: { i: v(p.H), f: v(p.H), o: v(p.H) }, x: v(p.B * p.I), h0: v(p.B * p.H), c0: v(p.B * p.H) };
  });

describe('WebNN lstmCell (C_t timing) = NNAPI LSTM formulas', () => {
  it('in float64, for random sizes, layouts, activations and peepholes', () => {
    fc.assert(
      fc.property(arb, (d) => {
        const nn = lstmStepF64({ batchSize: d.B, inputSize: d.I, numUnits: d.H, outputSize: d.H }, {
          input: d.x, output_state_in: d.h0, cell_state_in: d.c0,
          input_to_input_weights: d.wx.i, input_to_forget_weights: d.wx.f, input_to_cell_weights: d.wx.g, input_to_output_weights: d.wx.o,
          recurrent_to_input_weights: d.wh.i, recurrent_to_forget_weights: d.wh.f, recurrent_to_cell_weights: d.wh.g, recurrent_to_output_weights: d.wh.o,
          cell_to_input_weights: d.peep.i, cell_to_forget_weights: d.peep.f, cell_to_output_weights: d.peep.o,
          input_gate_bias: d.bias.i, forget_gate_bias: d.bias.f, cell_gate_bias: d.bias.g, output_gate_bias: d.bias.o,
          activation: d.act, cell_clip: 0, proj_clip: 0,
        });
        const act = ACT[d.act]!;
        const w = webnnLstmCell({ dims: [d.B, d.I], data: d.x }, { dims: [4 * d.H, d.I], data: packGates(d.layout, d.wx) }, { dims: [4 * d.H, d.H], data: packGates(d.layout, d.wh) }, { dims: [d.B, d.H], data: d.h0 }, { dims: [d.B, d.H], data: d.c0 }, d.H, {
          bias: { dims: [4 * d.H], data: packGates(d.layout, d.bias) },
          peepholeWeight: { dims: [3 * d.H], data: packPeepholes(d.H, d.peep) },
          layout: d.layout,
          activations: ['sigmoid', act, act],
          precision: 'float64',
          outputPeephole: 'C_t',
        });
        w.hidden.data.forEach((x, k) => expect(Math.abs(x - nn.outputState[k]!)).toBeLessThan(1e-12));
        w.cell.data.forEach((x, k) => expect(Math.abs(x - nn.cellState[k]!)).toBeLessThan(1e-12));
      }),
      fcParams(),
    );
  });
});
