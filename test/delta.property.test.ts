/**
 * Invariant: delta execution of the integer LSTM (recurrent products updated from Δh, int32
 * accumulators; src/ops/qlstm/delta.ts) equals the full execution bit for bit — over random
 * QUANTIZED_LSTM models (CIFG, peephole, projection, layer norm, zero points, cell shifts), both
 * built-in kernels (TFLite tensor_utils, tflite-micro) and both QLSTM variants, over several steps
 * whose recurrent inputs are fed back and randomly perturbed (some columns change, some do not), with
 * the first step computed in full or (state given the zero point) as a delta from the zero state.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { synthQlstm } from '../src/conformance/synth-quantized.js';
import { rng } from '../src/conformance/synth.js';
import { inputsFromModel } from '../src/ops/lstm/bind.js';
import { MICRO_INTEGER_KERNEL, TFLITE_INTEGER_KERNEL } from '../src/ops/qlstm/cell.js';
import { createDeltaState, runQlstmSequence } from './helpers/delta-qlstm.js';

const arb = fc.record({
  seed: fc.integer({ min: 1, max: 1e6 }),
  batchSize: fc.integer({ min: 1, max: 3 }),
  inputSize: fc.integer({ min: 1, max: 6 }),
  numUnits: fc.constantFrom(2, 4, 8),
  outputSize: fc.integer({ min: 1, max: 6 }),
  cifg: fc.boolean(),
  peephole: fc.boolean(),
  projection: fc.boolean(),
  layerNorm: fc.boolean(),
  cellShift: fc.integer({ min: -15, max: -9 }),
  outputZeroPoint: fc.integer({ min: -20, max: 20 }),
  outputStateRange: fc.constantFrom(0, 30, 127),
  cellStateRange: fc.constantFrom(0, 1000, 8000),
  weightRange: fc.constantFrom(20, 127),
  kernel: fc.constantFrom('tflite', 'micro'),
  variant: fc.constantFrom('documented' as const, 'aosp-code' as const),
  steps: fc.integer({ min: 2, max: 6 }),
  perturbRate: fc.constantFrom(0, 0.2, 0.9),
  /** The state knows the recurrent zero point: it starts from the zero state and no step is computed in full. */
  fromZeroPoint: fc.boolean(),
});

describe('delta execution (property)', () => {
  it('delta execution equals full execution bit for bit', () => {
    fc.assert(
      fc.property(arb, (c) => {
        const { kernel: kname, variant, steps, perturbRate, outputZeroPoint, fromZeroPoint, ...cfg } = c;
        const model = synthQlstm({ ...cfg, outputZeroPoint: cfg.projection ? outputZeroPoint : 0, hiddenZeroPoint: cfg.projection ? 0 : outputZeroPoint });
        const inputs = inputsFromModel(model);
        const next = rng(c.seed ^ 0x51ed);
        const I = c.inputSize;
        const xs = Array.from({ length: steps }, () => Int8Array.from({ length: c.batchSize * I }, () => Math.floor(next() * 256) - 128));
        const perturbs: Map<number, [number, number][]> = new Map();
        const perturb = (t: number, h: Int8Array) => {
          // The same perturbation on both runs (drawn once per step, replayed).
          let list = perturbs.get(t);
          if (!list) {
            list = [];
            for (let k = 0; k < h.length; k++) if (next() < perturbRate) list.push([k, Math.floor(next() * 256) - 128]);
            perturbs.set(t, list);
          }
          for (const [k, v] of list) h[k] = v;
        };
        const opts = { kernel: kname === 'micro' ? MICRO_INTEGER_KERNEL : TFLITE_INTEGER_KERNEL, variant, xs, perturb };
        const full = runQlstmSequence(model, inputs, steps, opts);
        const zp = model.operands[model.operations[0]!.inputs[18]!]!.zeroPoint;
        const state = createDeltaState(fromZeroPoint ? { zeroPoint: zp } : {});
        const delta = runQlstmSequence(model, inputs, steps, opts, state);
        expect(delta).toEqual(full);
        expect(state.counters.steps).toBe(steps);
        expect(state.counters.fullSteps).toBe(fromZeroPoint ? 0 : 1);
      }),
      { numRuns: 150 },
    );
  });
});
