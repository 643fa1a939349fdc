/**
 * The fast path's opt-in threads (src/ops/fast/threads.ts, Node spawner threads-node.ts): 2 or 3
 * threads give the one-thread results bit for bit (outputs and final states) — with the caller
 * taking chunks too, or only the workers computing (callerWorks: false) — on random
 * configurations of every feature (layer norm and cell: 'exact' included), sizes from fewer panels
 * than threads upward, B below and above the 4-row kernel.
 * Replay a failure: FC_SEED=<seed> FC_PATH=<path> npx vitest run test/fast.threads.property.test.ts
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { synthSequenceModel, type SequenceConfig } from '../src/conformance/synth-sequence.js';
import { inputsFromModel } from '../src/ops/lstm/bind.js';
import { bindUniSequenceLstm } from '../src/ops/sequence/bind.js';
import { FastUniSequenceLstm } from '../src/ops/fast/sequence-fast.js';
import { nodeWorkerSpawner } from '../src/ops/fast/threads-node.js';
import { createUniSequenceLstmOutputs } from '../src/ops/sequence/unidirectional.js';
import { fcParams } from './fc-params.js';
import { seedArb, sequenceCellArb } from './helpers/arbitraries.js';

const configArb: fc.Arbitrary<SequenceConfig> = fc
  .record({
    maxTime: fc.integer({ min: 1, max: 5 }),
    batchSize: fc.integer({ min: 1, max: 9 }),
    inputSize: fc.integer({ min: 1, max: 40 }),
    timeMajor: fc.boolean(),
    activation: fc.constantFrom(0, 1, 3, 4, 6),
    cellClip: fc.constantFrom(0, 0.5, 3),
    projClip: fc.constantFrom(0, 0.3, 2),
    nonZeroState: fc.boolean(),
  })
  .chain((c) =>
    sequenceCellArb(70, 40).map((fw) => ({ operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM' as const, ...c, dtype: 'float32' as const, stateOutputs: true, fw })),
  );

const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

describe('fast path threads', () => {
  it('2 or 3 threads = 1 thread, bit for bit', () => {
    fc.assert(
      fc.property(configArb, fc.constantFrom(2, 3), fc.constantFrom('simd' as const, 'exact' as const), fc.boolean(), seedArb, (c, count, cell, callerWorks, seed) => {
        const m = synthSequenceModel(c, seed);
        const { shape, tensors } = bindUniSequenceLstm(m, inputsFromModel(m));
        const run = (op: FastUniSequenceLstm) => op.run(tensors.input, tensors.output_state_in, tensors.cell_state_in, createUniSequenceLstmOutputs(shape));
        const one = run(new FastUniSequenceLstm(shape, tensors, { cell }));
        const op = new FastUniSequenceLstm(shape, tensors, { cell, threads: { count, spawn: nodeWorkerSpawner, minWork: 0, callerWorks } });
        try {
          expect(op.threadCount).toBe(count);
          const chunksAfter: number[] = [];
          for (let r = 0; r < 2; r++) {
            const many = run(op);
            expect(bits(many.output)).toEqual(bits(one.output));
            expect(bits(many.outputStateOut)).toEqual(bits(one.outputStateOut));
            expect(bits(many.cellStateOut)).toEqual(bits(one.cellStateOut));
            chunksAfter.push(op.workerChunks);
          }
          // callerWorks: false — every chunk of every product came from a worker: the same number in
          // each run (the count is the workers' own, not overwritten by a job argument).
          if (!callerWorks) {
            expect(chunksAfter[0]).toBeGreaterThan(0);
            expect(chunksAfter[1]).toBe(2 * chunksAfter[0]!);
          }
        } finally {
          op.close();
        }
        expect(() => run(op)).toThrow(/closed/);
      }),
      fcParams({ numRuns: 25 }),
    );
  }, 20_000);

  it('an op whose weights are refused stops the workers its plan started', () => {
    const m = synthSequenceModel({ operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM', maxTime: 2, batchSize: 4, inputSize: 8, timeMajor: true, dtype: 'float32', activation: 4, cellClip: 0, projClip: 0, fw: { numUnits: 16, outputSize: 16, cifg: false, peephole: false, projection: false, projectionBias: false, layerNorm: false } }, 3);
    const { shape, tensors } = bindUniSequenceLstm(m, inputsFromModel(m));
    let started = 0;
    let stopped = 0;
    const spawn = (init: Parameters<typeof nodeWorkerSpawner>[0]) => {
      started++;
      const h = nodeWorkerSpawner(init);
      return { terminate: () => (stopped++, h.terminate()) };
    };
    const bad = { ...tensors, input_to_forget_weights: tensors.input_to_forget_weights.subarray(1) };
    expect(() => new FastUniSequenceLstm(shape, bad, { threads: { count: 3, spawn, minWork: 0 } })).toThrow(/input_to_forget_weights|values/);
    expect(started).toBe(2);
    expect(stopped).toBe(2);
  });

  it('the workers take part: some chunks of a large product are computed off the calling thread', () => {
    const m = synthSequenceModel({ operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM', maxTime: 4, batchSize: 8, inputSize: 64, timeMajor: true, dtype: 'float32', activation: 4, cellClip: 0, projClip: 0, fw: { numUnits: 256, outputSize: 256, cifg: false, peephole: true, projection: false, projectionBias: false, layerNorm: false } }, 7);
    const { shape, tensors } = bindUniSequenceLstm(m, inputsFromModel(m));
    const op = new FastUniSequenceLstm(shape, tensors, { threads: { count: 2, spawn: nodeWorkerSpawner } });
    const out = createUniSequenceLstmOutputs(shape);
    try {
      expect(op.threadCount).toBe(2);
      // A worker that is not scheduled leaves its chunks to the caller: give it time to start.
      for (const t0 = Date.now(); op.workerChunks === 0 && Date.now() - t0 < 5000; ) op.run(tensors.input, tensors.output_state_in, tensors.cell_state_in, out);
      expect(op.workerChunks).toBeGreaterThan(0);
    } finally {
      op.close();
    }
  }, 10_000);

  it('below minWork (default 2^20 multiply-adds per step) a plan stays on one thread and starts no worker', () => {
    const m = synthSequenceModel({ operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM', maxTime: 2, batchSize: 1, inputSize: 8, timeMajor: true, dtype: 'float32', activation: 4, cellClip: 0, projClip: 0, fw: { numUnits: 16, outputSize: 16, cifg: false, peephole: false, projection: false, projectionBias: false, layerNorm: false } }, 1);
    const { shape, tensors } = bindUniSequenceLstm(m, inputsFromModel(m));
    let spawned = 0;
    const op = new FastUniSequenceLstm(shape, tensors, { threads: { count: 2, spawn: () => (spawned++, { terminate() {} }) } });
    expect(op.threadCount).toBe(1);
    expect(spawned).toBe(0);
    expect(() => new FastUniSequenceLstm(shape, tensors, { threads: { count: 0, spawn: nodeWorkerSpawner } })).toThrow(/threads.count/);
  });
});
