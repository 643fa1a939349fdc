/**
 * Threads on the public surface: prepareModel(model, { fast: { threads } }) keeps one fast plan (packed
 * weights and worker threads) per prepared model across runs, with the same outputs bit for bit as the
 * fast path on one thread, for LSTM, UNIDIRECTIONAL_SEQUENCE_LSTM and BIDIRECTIONAL_SEQUENCE_LSTM;
 * close() stops the workers (idempotent, run afterwards throws); the ReferenceDriver's release / close
 * do the same for a driver user; weights that are model inputs are packed again at every run; a
 * spawner's check (browserWorkerSpawner's: no Worker in Node) fails prepareModel at once.
 * Sizes are small; minWork: 0 makes the threads start anyway.
 */
import { describe, expect, it } from 'vitest';
import { synthSequenceModel, type SequenceConfig } from '../src/conformance/synth-sequence.js';
import { rng, synthLstmModel, uniform, type LstmConfig } from '../src/conformance/synth.js';
import { buildInputs } from '../src/conformance/runner.js';
import { compute, ExecutionError, prepareModel, type NamedInputs, type NamedOutputs } from '../src/drivers/prepared-model.js';
import { ReferenceDriver } from '../src/drivers/reference.js';
import { isOmitted, type Model } from '../src/model/model.js';
import type { OperandInit } from '../src/ops/build-model.js';
import type { FastThreadsOption, FastWorkerSpawner } from '../src/ops/fast/threads.js';
import { nodeWorkerSpawner } from '../src/ops/fast/threads-node.js';
import { browserWorkerSpawner, ThreadsUnavailableError } from '../src/ops/fast/threads-web.js';

/** nodeWorkerSpawner, counting the workers it starts and the ones stopped. */
function countingSpawner(): { spawn: FastWorkerSpawner; started: number; stopped: number } {
  const c = {
    started: 0,
    stopped: 0,
    spawn: ((init) => {
      c.started++;
      const h = nodeWorkerSpawner(init);
      return {
        terminate: () => {
          c.stopped++;
          h.terminate();
        },
      };
    }) as FastWorkerSpawner,
  };
  return c;
}

/** The model's inputs by name, the data roles (input, aux input, states) drawn afresh from `seed`. */
function namedInputs(model: Model, seed: number): Record<string, ArrayLike<number> | null> {
  const next = rng(seed);
  const values = buildInputs(model);
  const out: Record<string, ArrayLike<number> | null> = {};
  model.inputIndexes.forEach((idx, k) => {
    const o = model.operands[idx]!;
    const v = values[k] ?? null;
    out[o.name] = v && /input$|state_in$/.test(o.name) ? uniform(next, v.length, 1) : v;
  });
  return out;
}

const bits = (t: NamedOutputs): Record<string, number[]> =>
  Object.fromEntries(Object.entries(t).map(([name, { values }]) => [name, Array.from(new Uint32Array(new Float32Array(values).buffer))]));

const cell = { numUnits: 24, outputSize: 16, cifg: false, peephole: true, projection: true, projectionBias: true, layerNorm: false };
const uni: SequenceConfig = { operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM', maxTime: 3, batchSize: 5, inputSize: 20, timeMajor: false, dtype: 'float32', activation: 4, cellClip: 0, projClip: 0, stateOutputs: true, fw: cell };
const bi: SequenceConfig = { ...uni, operation: 'BIDIRECTIONAL_SEQUENCE_LSTM', timeMajor: true, linking: 'cross', auxInputSize: 7, mergeOutputs: false, fw: cell, bw: { ...cell, cifg: true, projection: false, projectionBias: false } };
const lstm: LstmConfig = { batchSize: 4, inputSize: 10, numUnits: 12, outputSize: 12, cifg: true, peephole: false, projection: false, projectionBias: false, layerNorm: true, activation: 4, cellClip: 0.5, projClip: 0, dtype: 'float32' };

const MODELS: { name: string; model: Model; plans: number }[] = [
  { name: 'UNIDIRECTIONAL_SEQUENCE_LSTM', model: synthSequenceModel(uni, 11), plans: 1 },
  { name: 'BIDIRECTIONAL_SEQUENCE_LSTM (cross linking, two directions)', model: synthSequenceModel(bi, 12), plans: 2 },
  { name: 'LSTM (layer norm, CIFG)', model: synthLstmModel(lstm, 13), plans: 1 },
];

describe('prepareModel with fast threads', () => {
  for (const { name, model, plans } of MODELS) {
    for (const callerWorks of [true, false]) {
      it(`${name}: 2 and 3 threads give the one-thread outputs bit for bit, over runs of one kept plan (callerWorks ${callerWorks})`, () => {
        const one = prepareModel(model, { fast: true });
        for (const count of [2, 3]) {
          const c = countingSpawner();
          const threads: FastThreadsOption = { count, spawn: c.spawn, minWork: 0, callerWorks };
          const p = prepareModel(model, { fast: { threads } });
          try {
            for (let r = 0; r < 3; r++) {
              const inputs = namedInputs(model, 100 + r);
              expect(bits(p.run(inputs))).toEqual(bits(one.run(inputs)));
            }
            // One plan per direction, kept: its workers were started once, not per run.
            expect(c.started).toBe(plans * (count - 1));
            expect(p.threadStats.workers).toBe(plans * (count - 1));
            // Without the caller's help every chunk is a worker's, so they certainly took part.
            if (!callerWorks) expect(p.threadStats.workerChunks).toBeGreaterThan(0);
          } finally {
            p.close();
          }
          expect(c.stopped).toBe(c.started);
        }
      }, 30_000);
    }
  }

  it('the workers take part with the caller working too (a plan above the default minWork)', () => {
    const big = synthSequenceModel({ ...uni, maxTime: 4, batchSize: 8, inputSize: 64, timeMajor: true, fw: { ...cell, numUnits: 256, outputSize: 256, projection: false, projectionBias: false } }, 21);
    const p = prepareModel(big, { fast: { threads: { count: 2, spawn: nodeWorkerSpawner } } });
    const one = prepareModel(big, { fast: true });
    try {
      const inputs = namedInputs(big, 5);
      const want = bits(one.run(inputs));
      // A worker that is not scheduled yet leaves its chunks to the caller: give it time to start.
      for (const t0 = Date.now(); p.threadStats.workerChunks === 0 && Date.now() - t0 < 5000; ) expect(bits(p.run(inputs))).toEqual(want);
      expect(p.threadStats.workers).toBe(1);
      expect(p.threadStats.workerChunks).toBeGreaterThan(0);
      expect(bits(p.run(inputs))).toEqual(want);
    } finally {
      p.close();
    }
  }, 20_000);

  it('close() stops the workers, is idempotent, and run() afterwards throws BAD_STATE', () => {
    const model = MODELS[0]!.model;
    const c = countingSpawner();
    const p = prepareModel(model, { fast: { threads: { count: 3, spawn: c.spawn, minWork: 0 } } });
    expect(c.started).toBe(0); // the plan is made at the first run
    p.run(namedInputs(model, 1));
    expect(c.started).toBe(2);
    p.close();
    expect(c.stopped).toBe(2);
    expect(p.threadStats.workers).toBe(0);
    p.close();
    expect(c.stopped).toBe(2);
    let err: unknown;
    try {
      p.run(namedInputs(model, 1));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExecutionError);
    expect((err as ExecutionError).status).toBe('BAD_STATE');
    expect((err as Error).message).toMatch(/closed/);
    expect(c.started).toBe(2);
    // Without threads close() has nothing to stop, and the same rule holds.
    const plain = prepareModel(model);
    plain.run(namedInputs(model, 1));
    plain.close();
    expect(() => plain.run(namedInputs(model, 1))).toThrow(/closed/);
  });

  it('a prepared model closed before its first run starts no worker', () => {
    const c = countingSpawner();
    const p = prepareModel(MODELS[0]!.model, { fast: { threads: { count: 2, spawn: c.spawn, minWork: 0 } } });
    p.close();
    expect(() => p.run(namedInputs(MODELS[0]!.model, 1))).toThrow(ExecutionError);
    expect(c.started).toBe(0);
  });

  it('compute() with threads stops the workers it started', () => {
    const model = MODELS[2]!.model;
    const c = countingSpawner();
    // The LSTM's operands by role name, as a compute() user gives them (the model's values, fresh data inputs).
    const inputs = namedInputs(model, 0);
    const operands: Record<string, OperandInit> = {};
    for (const idx of model.operations[0]!.inputs) {
      const o = model.operands[idx]!;
      if (isOmitted(o)) continue;
      const v = inputs[o.name] ?? o.values;
      operands[o.name] = o.dimensions.length === 0 ? v[0]! : { dimensions: o.dimensions, values: Array.from(v) };
    }
    const want = compute('LSTM', operands, { fast: true });
    const got = compute('LSTM', operands, { fast: { threads: { count: 2, spawn: c.spawn, minWork: 0 } } });
    expect(bits(got)).toEqual(bits(want));
    expect(c.started).toBe(1);
    expect(c.stopped).toBe(1);
  });

  it('weights given as model inputs are packed again at every run (and still give the one-thread outputs)', () => {
    const base = MODELS[0]!.model;
    // input_to_cell_weights becomes a model input.
    const model: Model = structuredClone(base);
    const idx = model.operands.findIndex((o) => o.name === 'input_to_cell_weights');
    expect(idx).toBeGreaterThanOrEqual(0);
    model.operands[idx]!.lifetime = 'SUBGRAPH_INPUT';
    model.inputIndexes.push(idx);
    const one = prepareModel(model, { fast: true });
    const p = prepareModel(model, { fast: { threads: { count: 2, spawn: nodeWorkerSpawner, minWork: 0 } } });
    try {
      const outs: Record<string, number[]>[] = [];
      for (let r = 0; r < 3; r++) {
        const inputs: Record<string, ArrayLike<number> | null> = { ...namedInputs(model, 7) };
        inputs['input_to_cell_weights'] = uniform(rng(50 + r), model.operands[idx]!.values.length, 0.5);
        const got = bits(p.run(inputs as NamedInputs));
        expect(got).toEqual(bits(one.run(inputs as NamedInputs)));
        outs.push(got);
      }
      // The weights did change the outputs (so a stale packing would have been caught).
      expect(outs[1]).not.toEqual(outs[0]);
      expect(p.threadStats.workers).toBe(1);
    } finally {
      p.close();
    }
  });

  it('below minWork (the default 2^20 multiply-adds per step) a prepared model starts no worker and gives the same outputs', () => {
    const model = MODELS[1]!.model;
    const c = countingSpawner();
    const p = prepareModel(model, { fast: { threads: { count: 2, spawn: c.spawn } } });
    const inputs = namedInputs(model, 3);
    expect(bits(p.run(inputs))).toEqual(bits(prepareModel(model, { fast: true }).run(inputs)));
    expect(c.started).toBe(0);
    p.close();
  });

  it("a spawner's check fails prepareModel at once: browserWorkerSpawner in Node has no Worker", () => {
    let err: unknown;
    try {
      prepareModel(MODELS[0]!.model, { fast: { threads: { count: 2, spawn: browserWorkerSpawner } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ThreadsUnavailableError);
    expect((err as ThreadsUnavailableError).reason).toBe('no-worker');
    expect((err as Error).message).toMatch(/nodeWorkerSpawner/);
    const failing = Object.assign(() => ({ terminate() {} }), {
      check: () => {
        throw new Error('no threads here');
      },
    });
    expect(() => prepareModel(MODELS[0]!.model, { fast: { threads: { count: 2, spawn: failing } } })).toThrow('no threads here');
  });
});

describe('ReferenceDriver with fast threads', () => {
  it('keeps one plan per prepared model; release() stops its workers and execute() afterwards fails; close() stops the rest', async () => {
    const c = countingSpawner();
    const driver = new ReferenceDriver({ fast: { threads: { count: 2, spawn: c.spawn, minWork: 0 } } });
    const one = new ReferenceDriver({ fast: true });
    const [a, b] = [MODELS[0]!.model, MODELS[1]!.model];
    const pa = driver.prepareSync(a);
    const pb = driver.prepareSync(b);
    if (!pa.ok || !pb.ok) throw new Error('prepare failed');
    const oa = one.prepareSync(a);
    if (!oa.ok) throw new Error('prepare failed');
    for (let r = 0; r < 2; r++) {
      const ra = driver.executeSync(pa.prepared, buildInputs(a));
      const want = one.executeSync(oa.prepared, buildInputs(a));
      if (!ra.ok || !want.ok) throw new Error('execute failed');
      expect(ra.outputs.map((o) => Array.from(new Uint32Array(new Float32Array(o.values).buffer)))).toEqual(want.outputs.map((o) => Array.from(new Uint32Array(new Float32Array(o.values).buffer))));
    }
    expect(driver.executeSync(pb.prepared, buildInputs(b)).ok).toBe(true);
    expect(c.started).toBe(1 + 2);
    driver.release(pa.prepared);
    expect(c.stopped).toBe(1);
    const after = driver.executeSync(pa.prepared, buildInputs(a));
    expect(after.ok).toBe(false);
    if (!after.ok) expect(after.message).toMatch(/released/);
    await driver.close();
    expect(c.stopped).toBe(3);
    // A new model after close() gets a new plan.
    const pc = driver.prepareSync(a);
    if (!pc.ok) throw new Error('prepare failed');
    expect(driver.executeSync(pc.prepared, buildInputs(a)).ok).toBe(true);
    expect(c.started).toBe(4);
    await driver.close();
    expect(c.stopped).toBe(4);
  });
});
