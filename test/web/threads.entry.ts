/**
 * The script of test/web/threads.test.ts, bundled for the browser: on the page's main thread it checks
 * that threads are refused there (cannot-block), then starts itself as a dedicated worker, where it runs a
 * W2np-like sequence with 2 threads and with 1 (FastUniSequenceLstm, then prepareModel), and posts back
 * what it found. Mode `negative` (a page without cross-origin isolation): the worker only tries
 * prepareModel with threads and posts the error.
 */
import { synthSequenceModel, type SequenceConfig } from '../../src/conformance/synth-sequence.js';
import { buildInputs } from '../../src/conformance/runner.js';
import { browserWorkerSpawner, prepareModel, ThreadsUnavailableError, type NamedInputs } from '../../src/index.js';
import { FastUniSequenceLstm } from '../../src/ops/fast/sequence-fast.js';
import { inputsFromModel } from '../../src/ops/lstm/bind.js';
import { bindUniSequenceLstm } from '../../src/ops/sequence/bind.js';
import { createUniSequenceLstmOutputs } from '../../src/ops/sequence/unidirectional.js';

interface Scope {
  document?: unknown;
  location: { search: string; href: string };
  crossOriginIsolated?: boolean;
  postMessage(m: unknown): void;
  Worker: new (url: string) => { onmessage: ((e: { data: unknown }) => void) | null; onerror: ((e: { message: string }) => void) | null };
  __result?: unknown;
}
const g = globalThis as unknown as Scope;
const mode = new URLSearchParams(g.location.search).get('mode') ?? 'positive';

/** W2np-like: B=8, input 256, 512 units, peephole, T=10, random weights of a fixed seed. */
const CONFIG: SequenceConfig = {
  operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM',
  maxTime: 10,
  batchSize: 8,
  inputSize: 256,
  timeMajor: true,
  dtype: 'float32',
  activation: 4,
  cellClip: 0,
  projClip: 0,
  stateOutputs: true,
  nonZeroState: true,
  fw: { numUnits: 512, outputSize: 512, cifg: false, peephole: true, projection: false, projectionBias: false, layerNorm: false },
};
const SMALL: SequenceConfig = { ...CONFIG, maxTime: 2, batchSize: 2, inputSize: 8, fw: { ...CONFIG.fw, numUnits: 8, outputSize: 8 } };

const errorOf = (e: unknown) => ({ name: (e as Error).name, reason: e instanceof ThreadsUnavailableError ? e.reason : null, message: String((e as Error).message) });

function namedInputs(model: ReturnType<typeof synthSequenceModel>): NamedInputs {
  const values = buildInputs(model);
  return Object.fromEntries(model.inputIndexes.map((idx, k) => [model.operands[idx]!.name, values[k] ?? null]));
}

/** Indices where two float32 arrays differ in their bits. */
function mismatches(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let n = a.length === b.length ? 0 : Math.max(a.length, b.length);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) n++;
  return n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** A turn of the event loop: a browser starts a worker only once the thread that made it returns there. */
const turn = () => new Promise((ok) => setTimeout(ok, 10));

async function positive(): Promise<Record<string, unknown>> {
  const model = synthSequenceModel(CONFIG, 2026);
  const { shape, tensors } = bindUniSequenceLstm(model, inputsFromModel(model));
  const one = new FastUniSequenceLstm(shape, tensors);
  const two = new FastUniSequenceLstm(shape, tensors, { threads: { count: 2, spawn: browserWorkerSpawner } });
  const o1 = createUniSequenceLstmOutputs(shape);
  const o2 = createUniSequenceLstmOutputs(shape);
  const run = (op: FastUniSequenceLstm, out: typeof o1) => op.run(tensors.input, tensors.output_state_in, tensors.cell_state_in, out);
  run(one, o1);
  let bad = 0;
  let runs = 0;
  // A worker starts once this thread has returned to its event loop; until then the caller takes every
  // chunk (same results). Run, letting the event loop turn between runs, until the worker took part.
  for (const t0 = performance.now(); (two.workerChunks === 0 || runs < 2) && performance.now() - t0 < 20_000; runs++) {
    run(two, o2);
    await turn();
    bad += mismatches(o2.output, o1.output) + mismatches(o2.outputStateOut, o1.outputStateOut) + mismatches(o2.cellStateOut, o1.cellStateOut);
  }
  const time = (op: FastUniSequenceLstm, out: typeof o1) => {
    const ts: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      run(op, out);
      ts.push(performance.now() - t0);
    }
    return median(ts);
  };
  const oneMs = time(one, o1);
  const twoMs = time(two, o2);
  bad += mismatches(o2.output, o1.output);
  const result: Record<string, unknown> = { crossOriginIsolated: g.crossOriginIsolated, threadCount: two.threadCount, workerChunks: two.workerChunks, runs, mismatches: bad, oneMs, twoMs, outputs: o1.output.length };
  two.close();

  // The public surface: prepareModel with threads, bit for bit the one-thread fast path; close().
  const inputs = namedInputs(model);
  const plain = prepareModel(model, { fast: true }).run(inputs);
  const p = prepareModel(model, { fast: { threads: { count: 2, spawn: browserWorkerSpawner } } });
  let preparedMismatches = 0;
  for (const t0 = performance.now(); p.threadStats.workerChunks === 0 && performance.now() - t0 < 20_000; ) {
    const got = p.run(inputs);
    await turn();
    for (const name of Object.keys(plain)) preparedMismatches += mismatches(got[name]!.values as Float32Array, plain[name]!.values as Float32Array);
  }
  result['preparedMismatches'] = preparedMismatches;
  result['preparedWorkers'] = p.threadStats.workers;
  result['preparedChunks'] = p.threadStats.workerChunks;
  p.close();
  try {
    p.run(inputs);
    result['afterClose'] = null;
  } catch (e) {
    result['afterClose'] = { ...errorOf(e), status: (e as { status?: string }).status };
  }
  return result;
}

function negative(): Record<string, unknown> {
  try {
    prepareModel(synthSequenceModel(SMALL, 1), { fast: { threads: { count: 2, spawn: browserWorkerSpawner } } });
    return { crossOriginIsolated: g.crossOriginIsolated, error: null };
  } catch (e) {
    return { crossOriginIsolated: g.crossOriginIsolated, error: errorOf(e) };
  }
}

if (g.document !== undefined) {
  // The page's main thread: threads must be refused here (the caller would block in Atomics.wait).
  let mainThread: unknown = null;
  try {
    prepareModel(synthSequenceModel(SMALL, 1), { fast: { threads: { count: 2, spawn: browserWorkerSpawner } } });
  } catch (e) {
    mainThread = errorOf(e);
  }
  const w = new g.Worker(g.location.href.replace(/[^/]*$/, '') + `threads.js?mode=${mode}`);
  w.onmessage = (e) => {
    g.__result = { mainThread, worker: e.data };
  };
  w.onerror = (e) => {
    g.__result = { mainThread, worker: { failed: e.message } };
  };
} else {
  (mode === 'negative' ? Promise.resolve(negative()) : positive()).then(
    (r) => g.postMessage(r),
    (e: unknown) => g.postMessage({ failed: String((e as Error).stack ?? e) }),
  );
}
