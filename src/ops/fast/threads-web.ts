/**
 * The browser worker spawner of the fast path's opt-in threads (threads.ts): a dedicated `Worker`
 * started from the worker loop's source text through a Blob URL, which waits for its init message
 * (the compiled module, the shared memory, the control block) and then runs the loop. No Node
 * import: this module is part of the main entry.
 *
 * Two conditions, checked before anything is allocated (`check`, called by the driver when it is
 * made, and again on every spawn), each with its own {@link ThreadsUnavailableError} reason:
 * - the page is cross-origin isolated (COOP `same-origin` + COEP `require-corp`), without which
 *   there is no SharedArrayBuffer and no shared WebAssembly memory;
 * - the calling thread may block in Atomics.wait — the caller waits for the workers' chunks there,
 *   and a page's main thread may not wait, so the fast path with threads runs in a dedicated worker.
 */
import { FAST_WORKER_SOURCE, type FastWorkerInit, type FastWorkerSpawner } from './threads.js';

/** Why the fast path's threads cannot run here (see {@link ThreadsUnavailableError}). */
export type ThreadsUnavailableReason = 'not-cross-origin-isolated' | 'no-shared-memory' | 'cannot-block' | 'no-worker';

/**
 * The fast path's threads cannot run in this context: thrown by `browserWorkerSpawner` (and so by
 * `prepareModel` given it) with the reason and what to do about it.
 *
 * @example
 * ```ts
 * import { prepareModel, browserWorkerSpawner, ThreadsUnavailableError } from 'nnlstm';
 * let prepared;
 * try {
 *   prepared = prepareModel(model, { fast: { threads: { count: 2, spawn: browserWorkerSpawner } } });
 * } catch (e) {
 *   if (!(e instanceof ThreadsUnavailableError)) throw e;
 *   console.warn(e.reason, e.message);   // e.g. 'cannot-block' on a page's main thread
 *   prepared = prepareModel(model, { fast: true });
 * }
 * ```
 */
export class ThreadsUnavailableError extends Error {
  /** `'ThreadsUnavailableError'`, for telling errors apart without instanceof (e.g. across bundles). */
  override readonly name = 'ThreadsUnavailableError';
  constructor(
    /**
     * `not-cross-origin-isolated`: the page is not cross-origin isolated; `no-shared-memory`: this
     * runtime has no SharedArrayBuffer / Atomics; `cannot-block`: the calling thread may not
     * Atomics.wait (a page's main thread); `no-worker`: no `Worker` here.
     */
    readonly reason: ThreadsUnavailableReason,
    message: string,
  ) {
    super(message);
  }
}

// Minimal typings of the browser globals used (the project's lib is ES2022 without DOM).
interface WebWorker {
  postMessage(message: unknown): void;
  terminate(): void;
}
interface WebGlobals {
  crossOriginIsolated?: boolean;
  Worker?: new (url: string, options?: { name?: string }) => WebWorker;
  Blob?: new (parts: string[], options: { type: string }) => unknown;
  URL: { createObjectURL?(blob: unknown): string };
}

const ISOLATION_HINT = 'serve the page with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';

/** Throws a {@link ThreadsUnavailableError} unless workers can be started here and this thread may block. */
export function checkBrowserThreads(): void {
  const g = globalThis as unknown as WebGlobals;
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') {
    if (g.crossOriginIsolated === false) {
      throw new ThreadsUnavailableError('not-cross-origin-isolated', `fast path threads need a cross-origin-isolated page (SharedArrayBuffer is unavailable here): ${ISOLATION_HINT}`);
    }
    throw new ThreadsUnavailableError('no-shared-memory', 'fast path threads need SharedArrayBuffer and Atomics, which this runtime does not have');
  }
  if (g.crossOriginIsolated === false) {
    throw new ThreadsUnavailableError('not-cross-origin-isolated', `fast path threads need a cross-origin-isolated page (the shared memory cannot be sent to a worker otherwise): ${ISOLATION_HINT}`);
  }
  // Atomics.wait on a value that differs returns at once where waiting is allowed and throws where
  // it is not (a page's main thread): the same call the fast path makes while the workers compute.
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
  } catch {
    throw new ThreadsUnavailableError(
      'cannot-block',
      'fast path threads block the calling thread in Atomics.wait while the workers compute, which a page\'s main thread may not: run the model (prepareModel and run) inside a dedicated Worker',
    );
  }
  if (typeof g.Worker !== 'function' || typeof g.Blob !== 'function' || typeof g.URL?.createObjectURL !== 'function') {
    throw new ThreadsUnavailableError('no-worker', 'fast path threads need Worker, Blob and URL.createObjectURL, which this context does not have (browserWorkerSpawner is for browsers; Node uses nodeWorkerSpawner of nnlstm/node)');
  }
}

/** The worker: its first message is the init; the loop then runs until told to exit, and the worker closes itself. */
const WORKER_SCRIPT = `self.onmessage = (e) => { self.onmessage = null; (${FAST_WORKER_SOURCE})(e.data); self.close(); };\n`;

let scriptUrl: string | undefined;

/** One Blob URL for every worker of the page (the script never changes). */
function workerUrl(g: Required<WebGlobals>): string {
  scriptUrl ??= g.URL.createObjectURL!(new g.Blob([WORKER_SCRIPT], { type: 'text/javascript' }));
  return scriptUrl;
}

/**
 * The browser's spawner for the fast path's opt-in threads: each worker is a dedicated `Worker`
 * started from a Blob URL and sent the shared WebAssembly memory it computes in. Runs in a
 * dedicated worker of a cross-origin-isolated page (COOP `same-origin` + COEP `require-corp`):
 * the thread that runs the model blocks in Atomics.wait while the workers compute, which a page's
 * main thread may not. A Content-Security-Policy, if any, must allow `worker-src blob:`.
 * Same results bit for bit as one thread; `close()` the prepared model to stop the workers.
 * A browser starts a worker only once the thread that made it returns to its event loop: the
 * workers are made at the model's first run, and until they have started the calling thread
 * computes every product alone (the same results, one thread's speed). A worker that handles one
 * message per run returns there anyway; a synchronous loop of runs should await a macrotask (e.g.
 * `setTimeout`) after the first. Node: `nodeWorkerSpawner` of `nnlstm/node`.
 *
 * @throws ThreadsUnavailableError when the page is not cross-origin isolated, when called on a
 * thread that may not block (a page's main thread), or where there is no Worker.
 *
 * @example
 * ```ts
 * // worker.ts, started by the page with new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })
 * import { prepareModel, browserWorkerSpawner } from 'nnlstm';
 * const prepared = prepareModel(model, { fast: { threads: { count: 2, spawn: browserWorkerSpawner } } });
 * self.onmessage = ({ data }) => {
 *   if (data === 'done') return prepared.close();                         // stops the workers
 *   const { output } = prepared.run({ input: data.input, output_state_in: data.h, cell_state_in: data.c });
 *   self.postMessage(output.values);                                      // = one thread, bit for bit
 * };
 * ```
 */
export const browserWorkerSpawner: FastWorkerSpawner = Object.assign(
  (init: FastWorkerInit) => {
    checkBrowserThreads();
    const g = globalThis as unknown as Required<WebGlobals>;
    const w = new g.Worker(workerUrl(g), { name: `nnlstm-fast-${init.index}` });
    w.postMessage(init);
    return { terminate: () => w.terminate() };
  },
  { check: checkBrowserThreads },
);
