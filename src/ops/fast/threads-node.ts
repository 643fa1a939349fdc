/**
 * The Node worker spawner of the fast path's opt-in threads (threads.ts): a worker_threads Worker
 * evaluating the worker loop's source, so no separate entry file has to be found on disk (the same
 * works from dist/, from sources under a test runner and from a bundle).
 */
import { Worker } from 'node:worker_threads';
import { FAST_WORKER_SOURCE, type FastWorkerSpawner } from './threads.js';

const SOURCE = `const { workerData } = require('node:worker_threads');\n(${FAST_WORKER_SOURCE})(workerData);\n`;

/**
 * Node's spawner for the fast path's opt-in threads: each worker is a `worker_threads` Worker over
 * the plan's shared WebAssembly memory. The matrix products' column panels are split across the
 * threads; the results are the same bit for bit as one thread. Workers are unref'd (an idle pool
 * never keeps the process alive); `close()` the prepared model to stop them. Below `minWork`
 * (default 2^20 multiply-adds per step's recurrent product) a model stays on one thread and starts
 * no worker. Browser: `browserWorkerSpawner` of `nnlstm`.
 *
 * @example
 * ```ts
 * import { prepareModel } from 'nnlstm';
 * import { nodeWorkerSpawner } from 'nnlstm/node';
 * const prepared = prepareModel(model, { fast: { threads: { count: 2, spawn: nodeWorkerSpawner } } });
 * try {
 *   for (const input of batches) console.log(prepared.run({ input, output_state_in: h, cell_state_in: c }).output);
 * } finally {
 *   prepared.close();   // stops the workers
 * }
 * ```
 */
export const nodeWorkerSpawner: FastWorkerSpawner = (init) => {
  const w = new Worker(SOURCE, { eval: true, workerData: init });
  w.unref();
  return { terminate: () => void w.terminate() };
};
