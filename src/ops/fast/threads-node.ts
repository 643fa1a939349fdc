/**
 * The Node worker spawner of the fast path's opt-in threads (threads.ts): a worker_threads Worker
 * evaluating the worker loop's source, so no separate entry file has to be found on disk (the same
 * works from dist/, from sources under a test runner and from a bundle).
 *
 * ```ts
 * import { nodeWorkerSpawner } from 'nnlstm/…/threads-node.js';
 * const op = new FastUniSequenceLstm(shape, tensors, { threads: { count: 2, spawn: nodeWorkerSpawner } });
 * op.run(…);   // same results bit for bit as one thread
 * op.close();  // stops the workers
 * ```
 */
import { Worker } from 'node:worker_threads';
import { FAST_WORKER_SOURCE, type FastWorkerSpawner } from './threads.js';

const SOURCE = `const { workerData } = require('node:worker_threads');\n(${FAST_WORKER_SOURCE})(workerData);\n`;

/** Starts one worker thread for a fast-path plan; unref'd, so an idle pool never keeps the process alive. */
export const nodeWorkerSpawner: FastWorkerSpawner = (init) => {
  const w = new Worker(SOURCE, { eval: true, workerData: init });
  w.unref();
  return { terminate: () => void w.terminate() };
};
