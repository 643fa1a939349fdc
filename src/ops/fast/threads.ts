/**
 * Opt-in threads for the fast path (`threads: N` with a worker spawner): the column panels of each
 * matrix product — the all-steps input projection and every step's recurrent product — are split
 * across the calling thread and N − 1 workers, all running the same kernel module over one shared
 * WebAssembly memory. Each output column is computed by the same micro-kernel, adding the same terms
 * in the same order as on one thread, so the results are identical bit for bit; only who computes
 * which columns changes. The gates, the cell and the projection stay on the calling thread (a few
 * per cent of the work), between the products.
 *
 * Synchronisation: one control block of Int32 words per worker in a SharedArrayBuffer; the caller
 * writes a job and bumps a sequence number, the worker runs it and stores the number back (a short
 * spin, then Atomics.wait / notify). No allocation per job. The caller blocks in Atomics.wait, so
 * in a browser the fast path with threads runs in a worker (the main thread may not block), on a
 * cross-origin-isolated page (SharedArrayBuffer).
 *
 * This module has no Node import: the Node spawner is threads-node.ts; a browser one starts a
 * Worker from {@link FAST_WORKER_SOURCE} (e.g. a Blob URL) and posts it the init message.
 */

/** What a worker needs: the compiled shared-memory kernel, the plan's memory and its control block. */
export interface FastWorkerInit {
  /** A WebAssembly.Module (the shared-memory variant of kernel.wat). */
  module: unknown;
  /** The plan's WebAssembly.Memory (shared). */
  memory: unknown;
  /** CONTROL_WORDS Int32 words. */
  control: SharedArrayBuffer;
}

/** Starts one worker running {@link FAST_WORKER_SOURCE}'s loop on `init`. */
export type FastWorkerSpawner = (init: FastWorkerInit) => { terminate(): void };

/** Threads option of the fast path. */
export interface FastThreadsOption {
  /** Threads in all, the calling one included (≥ 1). */
  count: number;
  /** How to start a worker (Node: `nodeWorkerSpawner` of src/ops/fast/threads-node.ts). */
  spawn: FastWorkerSpawner;
  /**
   * Multiply-adds of one step's recurrent product (B · G·N · O) below which the plan stays on one
   * thread: two hand-offs per step cost more than they save on small cells. Default 2^20 (W2np and
   * W3 are above it, W1 and the streaming shapes below).
   */
  minWork?: number;
}

/** The default {@link FastThreadsOption.minWork}. */
export const THREADS_MIN_WORK = 1 << 20;

// Control block words.
const SEQ = 0;
const DONE = 1;
const OP = 2;
const ARGS = 3;
/** Int32 words per control block. */
export const CONTROL_WORDS = 16;
/** Job codes. */
export const JOB_EXIT = 0;
export const JOB_GEMM = 1;
export const JOB_GEMM24 = 2;
/** Nothing to do this round (a worker whose share of panels is empty). */
export const JOB_NONE = 3;

/** Spins this many times on the flag before sleeping in Atomics.wait (a step is 10–500 µs). */
const SPIN = 4000;

/**
 * The worker loop as source text (plain JavaScript, no imports), `(init) => void`: instantiate the
 * module over the shared memory, then run jobs until JOB_EXIT.
 */
export const FAST_WORKER_SOURCE = `(init) => {
  const ctl = new Int32Array(init.control);
  const k = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports;
  let seen = 0;
  for (;;) {
    let s = Atomics.load(ctl, ${SEQ});
    for (let i = 0; s === seen && i < ${SPIN}; i++) s = Atomics.load(ctl, ${SEQ});
    while (s === seen) { Atomics.wait(ctl, ${SEQ}, seen); s = Atomics.load(ctl, ${SEQ}); }
    seen = s;
    const op = ctl[${OP}];
    if (op === ${JOB_EXIT}) return;
    const a = ctl;
    if (op === ${JOB_GEMM}) k.gemm(a[${ARGS}], a[${ARGS + 1}], a[${ARGS + 2}], a[${ARGS + 3}], a[${ARGS + 4}], a[${ARGS + 5}], a[${ARGS + 6}], a[${ARGS + 7}], a[${ARGS + 8}]);
    else if (op === ${JOB_GEMM24}) k.gemm24(a[${ARGS}], a[${ARGS + 1}], a[${ARGS + 2}], a[${ARGS + 3}], a[${ARGS + 4}], a[${ARGS + 5}], a[${ARGS + 6}], a[${ARGS + 7}]);
    Atomics.store(ctl, ${DONE}, s);
    Atomics.notify(ctl, ${DONE});
  }
}`;

/** The caller's side of the workers of one plan. */
export class FastWorkers {
  private readonly ctl: Int32Array[] = [];
  private readonly handles: { terminate(): void }[] = [];
  private seq = 0;
  private closed = false;

  constructor(count: number, module: unknown, memory: unknown, spawn: FastWorkerSpawner) {
    for (let j = 0; j < count; j++) {
      const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
      this.ctl.push(new Int32Array(control));
      this.handles.push(spawn({ module, memory, control }));
    }
  }

  /** Number of workers (threads − 1). */
  get count(): number {
    return this.ctl.length;
  }

  /** Posts job `op` with its arguments to worker j (no wait). */
  post(j: number, op: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number, a7: number, a8: number): void {
    if (this.closed) throw new Error('fast LSTM: the threads of this plan were closed');
    const c = this.ctl[j]!;
    c[OP] = op;
    c[ARGS] = a0;
    c[ARGS + 1] = a1;
    c[ARGS + 2] = a2;
    c[ARGS + 3] = a3;
    c[ARGS + 4] = a4;
    c[ARGS + 5] = a5;
    c[ARGS + 6] = a6;
    c[ARGS + 7] = a7;
    c[ARGS + 8] = a8;
    // The sequence number is the same for every worker of one round (set in begin()).
    Atomics.store(c, SEQ, this.seq);
    Atomics.notify(c, SEQ);
  }

  /** Starts a round of jobs (one per worker). */
  begin(): void {
    this.seq = (this.seq + 1) | 0 || 1;
  }

  /** Waits until every worker has finished this round's job. */
  wait(): void {
    const s = this.seq;
    for (const c of this.ctl) {
      let d = Atomics.load(c, DONE);
      for (let i = 0; d !== s && i < SPIN; i++) d = Atomics.load(c, DONE);
      while (d !== s) {
        Atomics.wait(c, DONE, d);
        d = Atomics.load(c, DONE);
      }
    }
  }

  /** Stops the workers (idempotent). */
  close(): void {
    if (this.closed) return;
    this.begin();
    for (let j = 0; j < this.ctl.length; j++) this.post(j, JOB_EXIT, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    this.closed = true;
    for (const h of this.handles) h.terminate();
  }
}

/** Splits n panels into `parts` contiguous ranges as even as possible: part p is [start(p), start(p + 1)). */
export function splitPanels(n: number, parts: number, p: number): number {
  return Math.floor((n * p) / parts);
}
