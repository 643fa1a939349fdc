import { describe, expect, it } from 'vitest';
import { lstmStepF64 } from '../lstm/float64.js';
import { packGates, packPeepholes, relayout, webnnLstm, webnnLstmCell, WebnnLstmError, type WebnnTensor } from './index.js';

/** A small seeded generator (mulberry32) for asymmetric weights. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const vec = (r: () => number, n: number, scale = 1) => Float64Array.from({ length: n }, () => Math.fround((r() * 2 - 1) * scale));
const T = (dims: number[], data: ArrayLike<number>): WebnnTensor => ({ dims, data });

describe('webnnLstm / webnnLstmCell', () => {
  it('reproduces a known relu case (all-gates-equal weights, the shape of the WPT lstm cases)', () => {
    const r = webnnLstm(T([1, 2, 2], [1, 2, 2, 1]), T([1, 8, 2], [1, -1, 2, -2, 1, -1, 2, -2, 1, -1, 2, -2, 1, -1, 2, -2]), T([1, 8, 2], new Array(16).fill(0.1)), 1, 2, {
      bias: T([1, 8], [1, 2, 1, 2, 1, 2, 1, 2]),
      recurrentBias: T([1, 8], [1, 2, 1, 2, 1, 2, 1, 2]),
      activations: ['relu', 'relu', 'relu'],
    });
    expect(Array.from(r.hidden.data)).toEqual([1, 8, 27, 216]);
    expect(Array.from(r.cell.data)).toEqual([1, 4, 9, 36]);
  });

  // NNAPI's float64 formulas (src/ops/lstm/float64.ts) against WebNN with the gates re-packed: they agree with
  // outputPeephole 'C_t' and disagree with the spec's 'C_prev' once the output peephole is non-zero.
  const B = 2, I = 3, H = 4;
  const r = rng(7);
  const g = (k: number) => ({ i: vec(r, H * k), f: vec(r, H * k), g: vec(r, H * k), o: vec(r, H * k) });
  const wx = g(I), wh = g(H), bias = g(1);
  const peep = { i: vec(r, H, 0.5), f: vec(r, H, 0.5), o: vec(r, H, 0.5) };
  const x = vec(r, B * I), h0 = vec(r, B * H), c0 = vec(r, B * H, 2);
  const nnapi = lstmStepF64({ batchSize: B, inputSize: I, numUnits: H, outputSize: H }, {
    input: x, output_state_in: h0, cell_state_in: c0,
    input_to_input_weights: wx.i, input_to_forget_weights: wx.f, input_to_cell_weights: wx.g, input_to_output_weights: wx.o,
    recurrent_to_input_weights: wh.i, recurrent_to_forget_weights: wh.f, recurrent_to_cell_weights: wh.g, recurrent_to_output_weights: wh.o,
    cell_to_input_weights: peep.i, cell_to_forget_weights: peep.f, cell_to_output_weights: peep.o,
    input_gate_bias: bias.i, forget_gate_bias: bias.f, cell_gate_bias: bias.g, output_gate_bias: bias.o,
    activation: 4, cell_clip: 0, proj_clip: 0,
  });
  for (const layout of ['iofg', 'ifgo'] as const) {
    const run = (outputPeephole: 'C_t' | 'C_prev', p = peep) =>
      webnnLstmCell(T([B, I], x), T([4 * H, I], packGates(layout, wx)), T([4 * H, H], packGates(layout, wh)), T([B, H], h0), T([B, H], c0), H, {
        bias: T([4 * H], packGates(layout, bias)),
        peepholeWeight: T([3 * H], packPeepholes(H, p)),
        layout,
        precision: 'float64',
        outputPeephole,
      });
    it(`${layout}: with outputPeephole C_t it equals NNAPI's formulas (asymmetric weights, non-zero peepholes and states)`, () => {
      const w = run('C_t');
      w.hidden.data.forEach((v, k) => expect(v).toBeCloseTo(nnapi.outputState[k]!, 12));
      w.cell.data.forEach((v, k) => expect(v).toBeCloseTo(nnapi.cellState[k]!, 12));
    });
    it(`${layout}: the spec's C(t−1) output peephole differs from NNAPI's; without an output peephole they agree`, () => {
      const w = run('C_prev');
      const maxDiff = Math.max(...Array.from(w.hidden.data, (v, k) => Math.abs(v - nnapi.outputState[k]!)));
      expect(maxDiff).toBeGreaterThan(1e-3);
      w.cell.data.forEach((v, k) => expect(v).toBeCloseTo(nnapi.cellState[k]!, 12)); // C_t does not read the output gate
      const noO = { ...peep, o: new Float64Array(H) };
      const a = run('C_prev', noO), b = run('C_t', noO);
      expect(Array.from(a.hidden.data)).toEqual(Array.from(b.hidden.data));
    });
  }

  it('lstm with steps = 1 equals lstmCell; float32 stays within a few float32 ulps of float64', () => {
    const W = packGates('iofg', wx), R = packGates('iofg', wh), bb = packGates('iofg', bias), P = packPeepholes(H, peep);
    const seq = webnnLstm(T([1, B, I], x), T([1, 4 * H, I], W), T([1, 4 * H, H], R), 1, H, {
      bias: T([1, 4 * H], bb), peepholeWeight: T([1, 3 * H], P), initialHiddenState: T([1, B, H], h0), initialCellState: T([1, B, H], c0), returnSequence: true,
    });
    const cell = webnnLstmCell(T([B, I], x), T([4 * H, I], W), T([4 * H, H], R), T([B, H], h0), T([B, H], c0), H, { bias: T([4 * H], bb), peepholeWeight: T([3 * H], P) });
    expect(Array.from(seq.hidden.data)).toEqual(Array.from(cell.hidden.data));
    expect(Array.from(seq.sequence!.data)).toEqual(Array.from(cell.hidden.data));
    const f64 = webnnLstmCell(T([B, I], x), T([4 * H, I], W), T([4 * H, H], R), T([B, H], h0), T([B, H], c0), H, { bias: T([4 * H], bb), peepholeWeight: T([3 * H], P), precision: 'float64' });
    cell.hidden.data.forEach((v, k) => {
      expect(Math.fround(v)).toBe(v);
      expect(Math.abs(v - f64.hidden.data[k]!)).toBeLessThan(1e-6);
    });
  });

  it("direction 'both' runs the second direction backward and indexes the sequence by input step", () => {
    const steps = 3;
    const xs = vec(r, steps * B * I);
    const W2 = vec(r, 2 * 4 * H * I), R2 = vec(r, 2 * 4 * H * H);
    const both = webnnLstm(T([steps, B, I], xs), T([2, 4 * H, I], W2), T([2, 4 * H, H], R2), steps, H, { direction: 'both', returnSequence: true });
    const bw = webnnLstm(T([steps, B, I], xs), T([1, 4 * H, I], W2.subarray(4 * H * I)), T([1, 4 * H, H], R2.subarray(4 * H * H)), steps, H, { direction: 'backward', returnSequence: true });
    // The backward direction's state after its last step (input step 0) is its final hidden state.
    expect(Array.from(both.hidden.data.subarray(B * H))).toEqual(Array.from(bw.hidden.data));
    for (let t = 0; t < steps; t++) {
      expect(Array.from(both.sequence!.data.subarray((t * 2 + 1) * B * H, (t * 2 + 2) * B * H))).toEqual(Array.from(bw.sequence!.data.subarray(t * B * H, (t + 1) * B * H)));
    }
    expect(Array.from(bw.sequence!.data.subarray(0, B * H))).toEqual(Array.from(bw.hidden.data));
  });

  it('relayout iofg → ifgo gives the same outputs under the new layout', () => {
    const W = packGates('iofg', wx), R = packGates('iofg', wh);
    const a = webnnLstmCell(T([B, I], x), T([4 * H, I], W), T([4 * H, H], R), T([B, H], h0), T([B, H], c0), H, { layout: 'iofg' });
    const b = webnnLstmCell(T([B, I], x), T([4 * H, I], relayout('iofg', 'ifgo', W)), T([4 * H, H], relayout('iofg', 'ifgo', R)), T([B, H], h0), T([B, H], c0), H, { layout: 'ifgo' });
    expect(Array.from(b.hidden.data)).toEqual(Array.from(a.hidden.data));
    const c = webnnLstmCell(T([B, I], x), T([4 * H, I], W), T([4 * H, H], R), T([B, H], h0), T([B, H], c0), H, { layout: 'ifgo' });
    expect(Array.from(c.hidden.data)).not.toEqual(Array.from(a.hidden.data));
  });

  it('float16 results are binary16 values', () => {
    const W = packGates('iofg', wx), R = packGates('iofg', wh);
    const a = webnnLstmCell(T([B, I], x), T([4 * H, I], W), T([4 * H, H], R), T([B, H], h0), T([B, H], c0), H, { precision: 'float16' });
    for (const v of a.hidden.data) {
      const f32 = new Float32Array([v]);
      expect(Math.abs(v)).toBeLessThan(1);
      // binary16 has 11 significant bits: the low 13 bits of the float32 mantissa are zero.
      expect(new Uint32Array(f32.buffer)[0]! & 0x1fff).toBe(0);
    }
  });

  it('invalid arguments throw WebnnLstmError with the rule ids', () => {
    const bad = () => webnnLstm(T([2, B, I], vec(r, 2 * B * I)), T([1, 4 * H, I], vec(r, 4 * H * I)), T([1, 4 * H, H + 1], vec(r, 4 * H * (H + 1))), 1, H, { activations: ['relu', 'tanh'] });
    expect(bad).toThrow(WebnnLstmError);
    try {
      bad();
    } catch (e) {
      expect((e as WebnnLstmError).violations.map((v) => v.rule).sort()).toEqual(['WEBNN.lstm.activations.count', 'WEBNN.lstm.recurrentWeight.shape', 'WEBNN.lstm.steps.match']);
    }
  });
});
