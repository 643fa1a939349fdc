/**
 * Opt-in threads for the fast path (`threads: N` with a worker spawner): the column panels of each
 * matrix product — the all-steps input projection and every step's recurrent product — are split
 * across the calling thread and N − 1 workers, all running the same kernel module over one shared
 * WebAssembly memory. Each output column is computed by the same micro-kernel, adding the same terms
 * in the same order as on one thread, so the results are identical bit for bit; only who computes
 * which columns changes. The gates, the cell and the projection stay on the calling thread (a few
 * per cent of the work), between the products.
 *
 * Synchronisation: one control block of Int32 words in a SharedArrayBuffer; the caller writes a
 * job and bumps a sequence number, then every thread claims chunks of panels (Atomics.add) until
 * none is left, and the caller waits for the chunks claimed (a short spin, then Atomics.wait /
 * notify). A worker that the OS does not schedule in time costs nothing but its share of speed-up.
 * No allocation per job. The caller blocks in Atomics.wait, so
 * in a browser the fast path with threads runs in a worker (the main thread may not block), on a
 * cross-origin-isolated page (SharedArrayBuffer).
 *
 * This module has no Node import: the Node spawner is threads-node.ts; a browser one starts a
 * Worker from {@link FAST_WORKER_SOURCE} (e.g. a Blob URL) and posts it the init message.
 */

/**
 * What a worker needs: the compiled shared-memory kernel, the plan's memory and its control block
 * (the argument a {@link FastWorkerSpawner} gets; it is structured-cloneable, for postMessage).
 */
export interface FastWorkerInit {
  /** A WebAssembly.Module (the shared-memory variant of kernel.wat). */
  module: unknown;
  /** The plan's WebAssembly.Memory (shared). */
  memory: unknown;
  /** CONTROL_WORDS Int32 words, shared by the caller and every worker. */
  control: SharedArrayBuffer;
  /** The worker's number, 0 … threads − 2 (its packing scratch). */
  index: number;
}

/**
 * Starts one worker of the fast path's threads on `init` and returns its handle; called on the
 * thread that runs the model, which then blocks in Atomics.wait while the workers compute. The
 * package's spawners: `nodeWorkerSpawner` (`nnlstm/node`) and `browserWorkerSpawner` (`nnlstm`).
 *
 * @example
 * ```ts
 * import { prepareModel, type FastWorkerSpawner } from 'nnlstm';
 * import { nodeWorkerSpawner } from 'nnlstm/node';
 * let started = 0;
 * const counting: FastWorkerSpawner = (init) => (started++, nodeWorkerSpawner(init));
 * const prepared = prepareModel(model, { fast: { threads: { count: 3, spawn: counting } } });
 * ```
 */
export interface FastWorkerSpawner {
  (init: FastWorkerInit): { terminate(): void };
  /**
   * Throws (a clear message) when this spawner cannot start workers here or the calling thread may
   * not block; called before anything is allocated (the driver calls it when it is created).
   */
  readonly check?: () => void;
}

/**
 * Opt-in threads of the fast path (`fast: { threads }`): each matrix product's column panels are
 * split across `count` threads (the calling one included) over one shared WebAssembly memory. Every
 * output column is computed by the same kernel in the same order as on one thread, so the results
 * are the same bit for bit. Not with `fma: true`.
 *
 * @example
 * ```ts
 * import { prepareModel } from 'nnlstm';
 * import { nodeWorkerSpawner } from 'nnlstm/node';
 * const threads = { count: 2, spawn: nodeWorkerSpawner };   // browser: browserWorkerSpawner of 'nnlstm'
 * const prepared = prepareModel(model, { fast: { threads } });
 * // … prepared.run(…) as often as needed, then:
 * prepared.close();
 * ```
 */
export interface FastThreadsOption {
  /** Threads in all, the calling one included (≥ 1). */
  count: number;
  /** How to start a worker: `nodeWorkerSpawner` (Node, threads-node.ts) or `browserWorkerSpawner` (a browser's dedicated worker, threads-web.ts). */
  spawn: FastWorkerSpawner;
  /**
   * Multiply-adds of one step's recurrent product (B · G·N · O) below which the plan stays on one
   * thread: two hand-offs per step cost more than they save on small cells. Default 2^20 (W2np and
   * W3 are above it, W1 and the streaming shapes below).
   */
  minWork?: number;
  /**
   * Whether the calling thread claims chunks too (default true; false: the workers compute every
   * product, as the tests check; a worker that never starts then stalls the run).
   * @internal
   */
  callerWorks?: boolean;
}

/** The default {@link FastThreadsOption.minWork}. */
export const THREADS_MIN_WORK = 1 << 20;

// Control block words (one block shared by the caller and every worker). The job (sequence number,
// op, chunk count, arguments) fills the first 64-byte line; each counter the threads update has a
// line of its own, so claiming and finishing chunks does not bounce the job's line between cores.
const SEQ = 0;
const CHUNKS = 3;
const OP = 4;
/** Job arguments: words ARGS … ARGS + 10. */
const ARGS = 5;
/** Chunks reserved this round (Atomics.add); NO_ROUND between rounds, so a late claim finds nothing. */
const TAKEN = 16;
/** The caller's next chunk from the front (0, 1, …). */
const FRONT = 32;
/** The workers' next chunk from the back (n − 1, n − 2, …). */
const BACK = 48;
/** Chunks finished this round. */
const DONE = 64;
/** Chunks the workers have done since the start (information: are they taking part?). */
const WORKER_CHUNKS = 80;
/** Int32 words of the control block. */
export const CONTROL_WORDS = 96;
const NO_ROUND = 1 << 30;
/** Job codes. */
export const JOB_EXIT = 0;
export const JOB_GEMM = 1;
export const JOB_GEMM24 = 2;
export const JOB_CELL = 3;

/**
 * How many times a thread polls a flag before it sleeps in Atomics.wait (2^15: ≈ 0.3–0.6 ms here).
 * Between two products of a step the caller runs the cell (W2np: ~50 µs) while the workers wait; a
 * sleep there costs a wake-up, which on this project's VM (an idle vCPU woken by an interrupt) takes
 * longer than the cell itself: W2np on 2 threads went from 1.3× to 1.5–1.6× one thread with a spin
 * past the cell's time (4,000 polls before, ≈ 50 µs). A count, not a clock: reading the clock in
 * the loop allocated in the steady state. Idle workers still sleep after it.
 */
const SPIN = 1 << 15;

/**
 * The worker loop as source text (plain JavaScript, no imports), `(init) => void`: instantiate the
 * module over the shared memory, then take part in rounds until JOB_EXIT. A round is one matrix
 * product cut into chunks of column panels; every thread (the caller included) reserves chunks with
 * Atomics.add until none is left. A worker that is not scheduled in time therefore delays nothing:
 * the others take its chunks. The caller takes its chunks from the front and the workers from the
 * back, so when every thread keeps up each one computes the same columns step after step, with
 * their weight panels still in its own core's cache (W2np's 4 MiB of recurrent weights are two
 * 2 MiB halves, one per core's L2 here). Arguments are read after a successful claim, when the caller cannot
 * be rewriting them (it waits for every claimed chunk before the next round).
 * Job arguments: a, lda, m, k, w, panels, c, ldc, pw, packing scratch of worker 0, its stride.
 */
export const FAST_WORKER_SOURCE = `(init) => {
  const ctl = new Int32Array(init.control);
  const k = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports;
  const index = init.index;
  let seen = 0;
  for (;;) {
    let s = Atomics.load(ctl, ${SEQ});
    for (let i = 0; s === seen && i < ${SPIN}; i++) s = Atomics.load(ctl, ${SEQ});
    while (s === seen) { Atomics.wait(ctl, ${SEQ}, seen); s = Atomics.load(ctl, ${SEQ}); }
    seen = s;
    if (ctl[${OP}] === ${JOB_EXIT}) return;
    for (;;) {
      const r = Atomics.add(ctl, ${TAKEN}, 1);
      const n = ctl[${CHUNKS}];
      if (r >= n) break;
      const c = n - 1 - Atomics.add(ctl, ${BACK}, 1);
      // The job is read after the claim: a late claim may belong to the next round, of another kind.
      const a = ctl;
      if (a[${OP}] === ${JOB_CELL}) {
        const rows = a[${ARGS + 2}], b0 = Math.floor((rows * c) / n), b1 = Math.floor((rows * (c + 1)) / n);
        if (b1 > b0) k.cell_rows(a[${ARGS}], a[${ARGS + 1}], b0, b1);
      } else {
        const panels = a[${ARGS + 5}], pw = a[${ARGS + 8}];
        const p0 = Math.floor((panels * c) / n), p1 = Math.floor((panels * (c + 1)) / n);
        if (p1 > p0) {
          const w = a[${ARGS + 4}] + p0 * a[${ARGS + 3}] * pw * 4, cc = a[${ARGS + 6}] + p0 * pw * 4;
          if (pw === 24) k.gemm24(a[${ARGS}], a[${ARGS + 1}], a[${ARGS + 2}], a[${ARGS + 3}], w, p1 - p0, cc, a[${ARGS + 7}]);
          else k.gemm(a[${ARGS}], a[${ARGS + 1}], a[${ARGS + 2}], a[${ARGS + 3}], w, p1 - p0, cc, a[${ARGS + 7}], a[${ARGS + 9}] + index * a[${ARGS + 10}]);
        }
      }
      Atomics.add(ctl, ${WORKER_CHUNKS}, 1);
      Atomics.add(ctl, ${DONE}, 1);
      Atomics.notify(ctl, ${DONE});
    }
  }
}`;

/** What the caller's kernel does for its own chunks. */
interface GemmExports {
  gemm(a: number, lda: number, m: number, k: number, w: number, panels: number, c: number, ldc: number, pk: number): void;
  gemm24(a: number, lda: number, m: number, k: number, w: number, panels: number, c: number, ldc: number): void;
  cell_rows(d: number, z: number, b0: number, b1: number): void;
}

/** The caller's side of the workers of one plan. */
export class FastWorkers {
  private readonly ctl: Int32Array;
  private readonly handles: { terminate(): void }[] = [];
  private seq = 0;
  private closed = false;
  /** Number of workers (threads − 1). */
  readonly count: number;

  /**
   * `count` workers over `memory`; worker j packs into pk0 + j·pkStride (bytes) when a product
   * needs packing.
   */
  constructor(
    count: number,
    module: unknown,
    memory: unknown,
    spawn: FastWorkerSpawner,
    private readonly pk0: number,
    private readonly pkStride: number,
    private readonly callerWorks = true,
  ) {
    this.count = count;
    const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
    this.ctl = new Int32Array(control);
    this.ctl[TAKEN] = NO_ROUND;
    for (let j = 0; j < count; j++) this.handles.push(spawn({ module, memory, control, index: j }));
  }

  /**
   * C[m, ·] += A · W over `panels` panels of width pw (8: gemm, 24: gemm24), cut into `chunks`
   * ranges of panels claimed by whichever thread is free; `pk` is the caller's packing scratch.
   * Returns when every chunk is done. Allocates nothing.
   */
  gemm(k: GemmExports, pw: number, a: number, lda: number, m: number, kk: number, w: number, panels: number, c: number, ldc: number, pk: number, chunks: number): void {
    const t = this.ctl;
    const n = Math.max(1, Math.min(chunks, panels));
    t[OP] = pw === 24 ? JOB_GEMM24 : JOB_GEMM;
    t[ARGS] = a;
    t[ARGS + 1] = lda;
    t[ARGS + 2] = m;
    t[ARGS + 3] = kk;
    t[ARGS + 4] = w;
    t[ARGS + 5] = panels;
    t[ARGS + 6] = c;
    t[ARGS + 7] = ldc;
    t[ARGS + 8] = pw;
    t[ARGS + 9] = this.pk0;
    t[ARGS + 10] = this.pkStride;
    this.begin(n);
    for (let q = this.claim(n); q >= 0; q = this.claim(n)) {
      const p0 = Math.floor((panels * q) / n);
      const p1 = Math.floor((panels * (q + 1)) / n);
      if (p1 > p0) {
        if (pw === 24) k.gemm24(a, lda, m, kk, w + p0 * kk * pw * 4, p1 - p0, c + p0 * pw * 4, ldc);
        else k.gemm(a, lda, m, kk, w + p0 * kk * pw * 4, p1 - p0, c + p0 * pw * 4, ldc, pk);
      }
      Atomics.add(t, DONE, 1);
    }
    this.end(n);
  }

  /**
   * The step's cell (kernel export cell_rows, descriptor d, gate rows at z) over `rows` batch rows, cut
   * into `chunks` ranges of rows: each row's gates and cell depend on that row alone, so who computes
   * which row changes no bit. Returns when every row is done.
   */
  cell(k: GemmExports, d: number, z: number, rows: number, chunks: number): void {
    const t = this.ctl;
    const n = Math.max(1, Math.min(chunks, rows));
    t[OP] = JOB_CELL;
    t[ARGS] = d;
    t[ARGS + 1] = z;
    t[ARGS + 2] = rows;
    this.begin(n);
    for (let q = this.claim(n); q >= 0; q = this.claim(n)) {
      const b0 = Math.floor((rows * q) / n);
      const b1 = Math.floor((rows * (q + 1)) / n);
      if (b1 > b0) k.cell_rows(d, z, b0, b1);
      Atomics.add(t, DONE, 1);
    }
    this.end(n);
  }

  /** Opens a round of n chunks (the job's words are written) and wakes the workers. */
  private begin(n: number): void {
    if (this.closed) throw new Error('fast LSTM: the threads of this plan were closed');
    const t = this.ctl;
    t[CHUNKS] = n;
    Atomics.store(t, DONE, 0);
    Atomics.store(t, FRONT, 0);
    Atomics.store(t, BACK, 0);
    Atomics.store(t, TAKEN, 0);
    this.seq = (this.seq + 1) | 0 || 1;
    Atomics.store(t, SEQ, this.seq);
    Atomics.notify(t, SEQ);
  }

  /** The caller's next chunk (from the front), or −1 when none is left (or the caller does not work). */
  private claim(n: number): number {
    if (!this.callerWorks || Atomics.add(this.ctl, TAKEN, 1) >= n) return -1;
    // Reservations never exceed n, so the front and back sequences never meet.
    return Atomics.add(this.ctl, FRONT, 1);
  }

  /** Waits until all n chunks are done, then closes the round. */
  private end(n: number): void {
    const t = this.ctl;
    let d = Atomics.load(t, DONE);
    for (let i = 0; d < n && i < SPIN; i++) d = Atomics.load(t, DONE);
    while (d < n) {
      Atomics.wait(t, DONE, d);
      d = Atomics.load(t, DONE);
    }
    // Between rounds nothing is left to claim (a worker waking late finds TAKEN ≥ CHUNKS).
    Atomics.store(t, TAKEN, NO_ROUND);
  }

  /** Chunks of panels the workers (not the caller) have computed so far. */
  get workerChunks(): number {
    return Atomics.load(this.ctl, WORKER_CHUNKS);
  }

  /** Stops the workers (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ctl[OP] = JOB_EXIT;
    this.seq = (this.seq + 1) | 0 || 1;
    Atomics.store(this.ctl, SEQ, this.seq);
    Atomics.notify(this.ctl, SEQ);
    for (const h of this.handles) h.terminate();
  }
}
