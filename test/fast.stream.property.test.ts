/**
 * Streaming on the fast path: T calls of one step each (state carried through the state outputs,
 * aliased as the next call's inputs) give the whole T-step run's outputs bit for bit. A one-step
 * run with B < 4 takes the 24-wide one-row input projection (gemm24) where the whole run takes the
 * 4-row kernel, so this also pins that both add the products in the same order from the bias.
 * Replay a failure: FC_SEED=<seed> FC_PATH=<path> npx vitest run test/fast.stream.property.test.ts
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { synthSequenceModel, type SequenceConfig } from '../src/conformance/synth-sequence.js';
import { inputsFromModel } from '../src/ops/lstm/bind.js';
import { bindUniSequenceLstm } from '../src/ops/sequence/bind.js';
import { FastUniSequenceLstm } from '../src/ops/fast/sequence-fast.js';
import { createUniSequenceLstmOutputs } from '../src/ops/sequence/unidirectional.js';
import { fcParams } from './fc-params.js';
import { seedArb, sequenceCellArb } from './helpers/arbitraries.js';

const configArb: fc.Arbitrary<SequenceConfig> = fc
  .record({
    maxTime: fc.integer({ min: 1, max: 9 }),
    batchSize: fc.integer({ min: 1, max: 5 }),
    inputSize: fc.integer({ min: 1, max: 30 }),
    activation: fc.constantFrom(0, 1, 3, 4, 6),
    cellClip: fc.constantFrom(0, 0.5, 3),
    projClip: fc.constantFrom(0, 0.3, 2),
    nonZeroState: fc.boolean(),
  })
  .chain((c) =>
    sequenceCellArb(53, 29).map((fw) => ({
      operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM' as const,
      ...c,
      timeMajor: true,
      dtype: 'float32' as const,
      stateOutputs: true,
      fw,
    })),
  );

const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

describe('fast path streaming', () => {
  it('T calls of one step, state carried = one T-step run, bit for bit (outputs and final states)', () => {
    fc.assert(
      fc.property(configArb, fc.constantFrom('simd' as const, 'exact' as const), seedArb, (c, cell, seed) => {
        const m = synthSequenceModel(c, seed);
        const { shape, tensors } = bindUniSequenceLstm(m, inputsFromModel(m));
        const T = shape.maxTime;
        const B = shape.batchSize;
        const whole = new FastUniSequenceLstm(shape, tensors, { cell }).run(tensors.input, tensors.output_state_in, tensors.cell_state_in, createUniSequenceLstmOutputs(shape));
        const step = { ...shape, maxTime: 1 };
        const op = new FastUniSequenceLstm(step, tensors, { cell });
        const out = createUniSequenceLstmOutputs(step);
        out.outputStateOut.set(tensors.output_state_in);
        out.cellStateOut.set(tensors.cell_state_in);
        const rowIn = B * shape.inputSize;
        const rowOut = B * shape.outputSize;
        const ys = new Float32Array(T * rowOut);
        for (let t = 0; t < T; t++) {
          op.run(tensors.input.subarray(t * rowIn, (t + 1) * rowIn), out.outputStateOut, out.cellStateOut, out);
          ys.set(out.output, t * rowOut);
        }
        expect(bits(ys)).toEqual(bits(whole.output));
        expect(bits(out.outputStateOut)).toEqual(bits(whole.outputStateOut));
        expect(bits(out.cellStateOut)).toEqual(bits(whole.cellStateOut));
      }),
      fcParams({ numRuns: 60 }),
    );
  });
});
