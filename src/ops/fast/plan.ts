/**
 * One LSTM direction on the fast path: weights packed once into a WebAssembly memory, then
 * allocation-free runs over a whole sequence (the LSTM op is the one-step case).
 *
 * Per run:
 *   1. x_t (and the cross-linking aux_t) of every step, in visiting order, into X [T·B, I + A];
 *   2. Z = bias + X · [W_x | W_aux]ᵀ for all T steps at once, one blocked matrix product with the
 *      four gates fused into one [G·Ns] row (G = 4, or 3 with CIFG);
 *   3. for each step k: Z_k += h · W_hᵀ; gates, cell, m; h = W_proj·m + b (clipped) or m;
 *   4. h_t into the output tensor, in its layout (the SequenceCursor's), and the final states.
 *
 * Numerics: see kernel.wat. The matrix products add the terms in the plain reference's order with
 * its float32 rounding (bias first, then W_x·x, W_aux·aux, W_h·h one k at a time), so they are
 * bit-identical to it. With `cell: 'simd'` (default) the gate activations and the cell update run in
 * WASM with float32 approximations of exp/σ/tanh; with `cell: 'exact'`, and always with layer norm,
 * the step's gate and cell code is the plain reference's own (REFERENCE_KERNEL of cell.ts) on
 * gathered [B, N] buffers, and the whole result is bit-identical to the plain path.
 */
import { REFERENCE_KERNEL } from '../lstm/cell.js';
import { checkLstmArguments, sameLstmShape, type ActivationNoneVariant, type LstmShape } from '../lstm/execute.js';
import type { SequenceCursor } from '../sequence/cursor.js';
import type { AuxWeights, CellTensors } from '../sequence/unidirectional.js';
import { instantiateKernel, type KernelExports } from './kernel.js';
import { FastWorkers, THREADS_MIN_WORK, type FastThreadsOption } from './threads.js';

/** Options of the WebAssembly SIMD fast path (`prepareModel(model, { fast: { … } })`, `new ReferenceDriver({ fast: { … } })`). */
export interface FastOptions {
  /**
   * 'simd' (default): gate activations and the cell update in WebAssembly SIMD (float32 exp/σ/tanh
   * approximations, a few ulp). 'exact': the plain reference's scalar cell code (Math.exp / Math.tanh),
   * bit-identical to the plain path. Layer-norm models always use the plain cell code.
   */
  cell?: 'simd' | 'exact';
  /** Relaxed-SIMD FMA in the matrix products. Opt-in only (implementation-defined rounding). */
  fma?: boolean;
  /** Activation 0: 'documented' (default, m = o ⊙ C_t) or 'aosp-code' (m = o ⊙ z_c). */
  activationNoneVariant?: ActivationNoneVariant;
  /**
   * Opt-in threads (threads.ts): the matrix products' column panels split across `count` threads
   * over one shared memory; the same results bit for bit as one thread. Call close() when done.
   */
  threads?: FastThreadsOption;
}

const up = (n: number, m: number): number => Math.ceil(n / m) * m;

// Descriptor field offsets (bytes), as documented in kernel.wat.
const D = {
  B: 0, N: 4, NS: 8, O: 12, HS: 16, G: 20, GC: 24, CIFG: 28, PEEP: 32, ACT: 36, CELL_CLIP: 40, PROJ_CLIP: 44,
  PROJ: 48, AOSP_NONE: 52, WH: 56, WP: 60, PBIAS: 64, PI: 68, PF: 72, PO: 76, Z: 80, H: 84, C: 88, HIST: 92, PACK: 96, PW: 100,
} as const;
const DESC_BYTES = 128;

function expectLength(what: string, a: ArrayLike<number>, n: number): void {
  if (a.length !== n) throw new Error(`fast LSTM: ${what} has ${a.length} values, expected ${n}`);
}

export class DirectionPlan {
  readonly shape: LstmShape;
  /** T: the number of steps every run takes. */
  readonly maxTime: number;
  /** A: cross-linking aux input size (0 = none). */
  readonly auxSize: number;
  /** Whether the step's cell runs the plain reference's scalar code (layer norm, or cell: 'exact'). */
  readonly plainCell: boolean;
  readonly fma: boolean;

  private readonly k: KernelExports;
  private readonly f32: Float32Array;
  private readonly i32: Int32Array;
  /** The h history [T·B, hs] (the memory never grows, so the view stays valid). */
  private readonly histView: Float32Array;
  /** h [B, O] and C [B, N] in place when their rows are unpadded (or B = 1), else null: then the
   * state is copied row by row. One typed-array copy per state is most of a streaming call's JS. */
  private readonly hView: Float32Array | null;
  private readonly cView: Float32Array | null;
  private readonly aospNone: boolean;
  // sizes
  private readonly B: number;
  private readonly I: number;
  private readonly Kx: number;
  private readonly N: number;
  private readonly Ns: number;
  private readonly O: number;
  private readonly hs: number;
  private readonly G: number;
  private readonly Gc: number;
  /** Panels of [W_x | W_aux]: 8-wide for the 4-row kernel, or 24-wide when the run has T·B < 4
   * rows (a streaming call: one row), where the one-row 24-wide kernel is the fast one. */
  private readonly panelsX: number;
  /** Panel width of [W_x | W_aux]: 8 or 24. */
  private readonly pwx: number;
  /** Panel width of W_h and W_proj: 24 (one-row kernel, B < 4) or 8 (4-row kernel). */
  private readonly pw: number;
  // float offsets of the gate blocks inside a Z row
  private readonly offI: number;
  private readonly offF: number;
  private readonly offC: number;
  private readonly offO: number;
  // byte offsets of the regions
  private readonly pWx: number;
  private readonly pWh: number;
  private readonly pWp: number;
  private readonly pBias: number;
  private readonly pPBias: number;
  private readonly pPi: number;
  private readonly pPf: number;
  private readonly pPo: number;
  private readonly pX: number;
  private readonly pZ: number;
  private readonly pH: number;
  private readonly pC: number;
  private readonly pHist: number;
  private readonly pPack: number;
  /** The workers (threads − 1 of them) and each one's packing scratch, or null on one thread. */
  private readonly workers: FastWorkers | null = null;
  private readonly pPackW: number[] = [];
  // plain-cell workspace ([B, N] each) and the tensors it reads
  private readonly zi: Float32Array;
  private readonly zf: Float32Array;
  private readonly zc: Float32Array;
  private readonly zo: Float32Array;
  private readonly cPrev: Float32Array;
  private readonly cNew: Float32Array;
  private cell: CellTensors | null = null;
  /** Z-row offsets of the scratch buffer's gate blocks, in scratch order. */
  private readonly scratchBlocks: readonly number[];

  constructor(shape: LstmShape, maxTime: number, auxSize = 0, opts: FastOptions = {}) {
    if (!Number.isInteger(maxTime) || maxTime < 0) throw new Error(`fast LSTM: maxTime must be a non-negative integer (${maxTime})`);
    if (!Number.isInteger(auxSize) || auxSize < 0) throw new Error(`fast LSTM: aux input size must be a non-negative integer (${auxSize})`);
    this.shape = { ...shape };
    this.maxTime = maxTime;
    this.auxSize = auxSize;
    this.fma = opts.fma === true;
    this.plainCell = shape.useLayerNorm || opts.cell === 'exact';
    this.aospNone = opts.activationNoneVariant === 'aosp-code';
    const { batchSize: B, inputSize: I, numUnits: N, outputSize: O } = shape;
    this.B = B;
    this.I = I;
    this.Kx = I + auxSize;
    this.N = N;
    this.Ns = up(N, 4);
    this.O = O;
    this.pw = B < 4 ? 24 : 8;
    this.hs = up(O, this.pw);
    this.G = shape.useCifg ? 3 : 4;
    this.Gc = up(this.G * this.Ns, this.pw);
    // T·B < 4 implies B < 4, so pw = 24 and Gc is a multiple of 24.
    this.pwx = maxTime * B < 4 && this.pw === 24 ? 24 : 8;
    this.panelsX = this.pwx === 24 ? this.Gc / 24 : up(this.G * this.Ns, 8) / 8;
    this.offI = 0;
    this.offF = shape.useCifg ? 0 : this.Ns;
    this.offC = this.offF + this.Ns;
    this.offO = this.offC + this.Ns;
    this.scratchBlocks = shape.useCifg ? [this.offC, this.offF, this.offO] : [this.offI, this.offC, this.offF, this.offO];

    // Memory layout: descriptor, then each region 16-byte aligned.
    let at = DESC_BYTES;
    const region = (floats: number): number => {
      const p = at;
      at += up(floats, 4) * 4;
      return p;
    };
    const T = maxTime;
    this.pWx = region(this.panelsX * this.pwx * this.Kx);
    this.pWh = region(this.Gc * O);
    this.pWp = region(shape.useProjection ? this.hs * N : 0);
    this.pBias = region(this.Gc);
    this.pPBias = region(this.hs);
    this.pPi = region(this.Ns);
    this.pPf = region(this.Ns);
    this.pPo = region(this.Ns);
    this.pX = region(T * B * this.Kx);
    this.pZ = region(T * B * this.Gc);
    this.pH = region(B * this.hs);
    this.pC = region(B * this.Ns);
    this.pHist = region(T * B * this.hs);
    // gemm's packing scratch: the largest m·k of its three products
    const packFloats = Math.max(T * B * this.Kx, B * O, B * N);
    this.pPack = region(packFloats);
    const t = opts.threads;
    if (t && !(Number.isInteger(t.count) && t.count >= 1 && t.count <= 64)) throw new Error(`fast LSTM: threads.count must be an integer in 1 … 64 (${t.count})`);
    const threads = t && t.count > 1 && B * this.G * N * O >= (t.minWork ?? THREADS_MIN_WORK) ? t : null;
    if (threads) for (let j = 1; j < threads.count; j++) this.pPackW.push(region(packFloats));
    const kernel = instantiateKernel(at + 64, this.fma, threads !== null);
    this.k = kernel.exports;
    if (threads) {
      const stride = this.pPackW.length > 1 ? this.pPackW[1]! - this.pPackW[0]! : 0;
      this.workers = new FastWorkers(threads.count - 1, kernel.module, kernel.memory, threads.spawn, this.pPackW[0]!, stride, threads.callerWorks !== false);
    }
    this.f32 = new Float32Array(kernel.memory.buffer);
    this.i32 = new Int32Array(kernel.memory.buffer);
    this.histView = this.f32.subarray(this.pHist / 4, this.pHist / 4 + T * B * this.hs);
    this.hView = B === 1 || this.hs === O ? this.f32.subarray(this.pH / 4, this.pH / 4 + B * O) : null;
    this.cView = B === 1 || this.Ns === N ? this.f32.subarray(this.pC / 4, this.pC / 4 + B * N) : null;

    const d = this.i32;
    d[D.B / 4] = B;
    d[D.N / 4] = N;
    d[D.NS / 4] = this.Ns;
    d[D.O / 4] = O;
    d[D.HS / 4] = this.hs;
    d[D.G / 4] = this.G;
    d[D.GC / 4] = this.Gc;
    d[D.CIFG / 4] = shape.useCifg ? 1 : 0;
    d[D.PEEP / 4] = shape.usePeephole ? 1 : 0;
    d[D.PROJ / 4] = shape.useProjection ? 1 : 0;
    d[D.WH / 4] = this.pWh;
    d[D.WP / 4] = this.pWp;
    d[D.PBIAS / 4] = this.pPBias;
    d[D.PI / 4] = this.pPi;
    d[D.PF / 4] = this.pPf;
    d[D.PO / 4] = this.pPo;
    d[D.Z / 4] = this.pZ;
    d[D.H / 4] = this.pH;
    d[D.C / 4] = this.pC;
    d[D.HIST / 4] = this.pHist;
    d[D.PACK / 4] = this.pPack;
    d[D.PW / 4] = this.pw;

    const bn = B * N;
    this.zi = new Float32Array(bn);
    this.zf = new Float32Array(bn);
    this.zc = new Float32Array(bn);
    this.zo = new Float32Array(bn);
    this.cPrev = new Float32Array(bn);
    this.cNew = new Float32Array(bn);
  }

  /** Bytes of WebAssembly memory this plan holds. */
  get memoryBytes(): number {
    return this.f32.byteLength;
  }

  /**
   * Checks and packs the direction's weights (and its cross-linking weights when auxSize > 0).
   * Call again whenever the weights change; runs read the packed copy.
   */
  setWeights(cell: CellTensors, aux: AuxWeights | null = null): void {
    const s = this.shape;
    checkLstmArguments(s, { ...cell, input: new Float32Array(s.batchSize * s.inputSize) });
    const A = this.auxSize;
    if (A > 0) {
      if (aux === null) throw new Error('fast LSTM: cross linking needs the aux weights');
      const need = s.numUnits * A;
      if (!s.useCifg) {
        if (aux.input_to_input_weights === null) throw new Error('fast LSTM: aux_input_to_input_weights is omitted but cross linking reads it');
        expectLength('aux_input_to_input_weights', aux.input_to_input_weights, need);
      }
      expectLength('aux_input_to_forget_weights', aux.input_to_forget_weights, need);
      expectLength('aux_input_to_cell_weights', aux.input_to_cell_weights, need);
      expectLength('aux_input_to_output_weights', aux.input_to_output_weights, need);
    }
    this.cell = cell;
    const f = this.f32;
    const { N, Ns, I, O, Kx, pw, pwx } = this;
    const gatesX: (Float32Array | null)[] = s.useCifg
      ? [cell.input_to_forget_weights, cell.input_to_cell_weights, cell.input_to_output_weights]
      : [cell.input_to_input_weights, cell.input_to_forget_weights, cell.input_to_cell_weights, cell.input_to_output_weights];
    const gatesH: (Float32Array | null)[] = s.useCifg
      ? [cell.recurrent_to_forget_weights, cell.recurrent_to_cell_weights, cell.recurrent_to_output_weights]
      : [cell.recurrent_to_input_weights, cell.recurrent_to_forget_weights, cell.recurrent_to_cell_weights, cell.recurrent_to_output_weights];
    const gatesAux: (Float32Array | null)[] =
      A > 0 && aux !== null
        ? s.useCifg
          ? [aux.input_to_forget_weights, aux.input_to_cell_weights, aux.input_to_output_weights]
          : [aux.input_to_input_weights, aux.input_to_forget_weights, aux.input_to_cell_weights, aux.input_to_output_weights]
        : [];
    const biases: (Float32Array | null)[] = s.useCifg
      ? [cell.forget_gate_bias, cell.cell_gate_bias, cell.output_gate_bias]
      : [cell.input_gate_bias, cell.forget_gate_bias, cell.cell_gate_bias, cell.output_gate_bias];

    // Zero everything weights-related (padding columns must be zero).
    f.fill(0, this.pWx / 4, this.pX / 4);
    for (let g = 0; g < this.G; g++) {
      for (let n = 0; n < N; n++) {
        const j = g * Ns + n;
        // [W_x | W_aux] with K = I + A, pwx-wide panels
        const wx = gatesX[g]!;
        let base = this.pWx / 4 + Math.floor(j / pwx) * Kx * pwx + (j % pwx);
        for (let kk = 0; kk < I; kk++) f[base + kk * pwx] = wx[n * I + kk]!;
        const wa = gatesAux[g];
        if (wa) for (let kk = 0; kk < A; kk++) f[base + (I + kk) * pwx] = wa[n * A + kk]!;
        // W_h with K = O, pw-wide panels
        const wh = gatesH[g]!;
        base = this.pWh / 4 + Math.floor(j / pw) * O * pw + (j % pw);
        for (let kk = 0; kk < O; kk++) f[base + kk * pw] = wh[n * O + kk]!;
        // Gate bias, added first (with layer norm it comes after the normalisation instead).
        if (!s.useLayerNorm) f[this.pBias / 4 + j] = biases[g]![n]!;
      }
    }
    if (s.useProjection) {
      const wp = cell.projection_weights!;
      for (let p = 0; p < O; p++) {
        const base = this.pWp / 4 + Math.floor(p / pw) * N * pw + (p % pw);
        for (let kk = 0; kk < N; kk++) f[base + kk * pw] = wp[p * N + kk]!;
      }
      if (s.useProjectionBias) f.set(cell.projection_bias!, this.pPBias / 4);
    }
    if (s.usePeephole) {
      if (!s.useCifg) f.set(cell.cell_to_input_weights!, this.pPi / 4);
      f.set(cell.cell_to_forget_weights!, this.pPf / 4);
      f.set(cell.cell_to_output_weights!, this.pPo / 4);
    }
    const d = this.i32;
    d[D.ACT / 4] = cell.activation;
    // AOSP's activation-none quirk (m = o ⊙ z_c) concerns activation 0 only.
    d[D.AOSP_NONE / 4] = this.aospNone && cell.activation === 0 ? 1 : 0;
    f[D.CELL_CLIP / 4] = cell.cell_clip;
    f[D.PROJ_CLIP / 4] = cell.proj_clip;
  }

  /**
   * One run over the cursor's steps. `hIn`/`cIn` may alias `hOut`/`cOut`. `auxSeq` is the cross-
   * linking aux sequence (same layout as `input`, A values per row) when auxSize > 0. Allocates nothing.
   */
  run(
    cursor: SequenceCursor,
    input: Float32Array,
    auxSeq: Float32Array | null,
    output: Float32Array,
    hIn: Float32Array,
    cIn: Float32Array,
    hOut: Float32Array,
    cOut: Float32Array,
  ): void {
    const { B, I, N, Ns, O, hs, Kx, Gc } = this;
    const T = this.maxTime;
    const A = this.auxSize;
    if (this.cell === null) throw new Error('fast LSTM: setWeights() was never called');
    if (cursor.maxTime !== T || cursor.batchSize !== B || cursor.inputSize !== I || cursor.outputSize !== O) {
      throw new Error(`fast LSTM: cursor (T=${cursor.maxTime}, B=${cursor.batchSize}, I=${cursor.inputSize}, O=${cursor.outputSize}) does not match the plan (T=${T}, B=${B}, I=${I}, O=${O})`);
    }
    expectLength('input', input, cursor.sequenceLength(I));
    expectLength('output', output, cursor.sequenceLength(cursor.outputRowSize));
    expectLength('output_state_in', hIn, B * O);
    expectLength('cell_state_in', cIn, B * N);
    expectLength('output_state_out', hOut, B * O);
    expectLength('cell_state_out', cOut, B * N);
    if (A > 0) {
      if (auxSeq === null) throw new Error('fast LSTM: cross linking needs the aux input sequence');
      expectLength('aux_input', auxSeq, cursor.sequenceLength(A));
    }
    const f = this.f32;
    const k = this.k;

    // 1. X in visiting order: one memcpy when the input's rows already are in that order.
    const x0 = this.pX / 4;
    const inOrder = !cursor.reverse && (cursor.timeMajor || B === 1);
    if (inOrder && A === 0) {
      f.set(input, x0);
    } else {
      for (let s = 0; s < T; s++) {
        const t = cursor.time(s);
        for (let b = 0; b < B; b++) {
          const dst = x0 + (s * B + b) * Kx;
          const src = cursor.inputOffset(t, b);
          for (let j = 0; j < I; j++) f[dst + j] = input[src + j]!;
          if (A > 0) {
            const asrc = cursor.row(t, b) * A;
            for (let j = 0; j < A; j++) f[dst + I + j] = auxSeq![asrc + j]!;
          }
        }
      }
    }
    // 2. Z = bias + X·[W_x | W_aux]ᵀ for every step.
    k.init_rows(this.pZ, Gc, T * B, this.pBias, Gc);
    // Two chunks per thread: each chunk packs its rows of X again (the product is large).
    if (this.workers) this.split(this.pwx, this.pX, Kx, T * B, Kx, this.pWx, this.panelsX, this.pZ, Gc, 2);
    else if (this.pwx === 24) k.gemm24(this.pX, Kx, T * B, Kx, this.pWx, this.panelsX, this.pZ, Gc);
    else k.gemm(this.pX, Kx, T * B, Kx, this.pWx, this.panelsX, this.pZ, Gc, this.pPack);
    // Initial state (padding stays zero in h; it is never read by the products).
    const h0 = this.pH / 4;
    const c0 = this.pC / 4;
    const hView = this.hView;
    const cView = this.cView;
    if (hView) hView.set(hIn);
    else for (let b = 0; b < B; b++) for (let j = 0; j < O; j++) f[h0 + b * hs + j] = hIn[b * O + j]!;
    if (cView) cView.set(cIn);
    else for (let b = 0; b < B; b++) for (let n = 0; n < N; n++) f[c0 + b * Ns + n] = cIn[b * N + n]!;
    // 3. The recurrence.
    if (!this.plainCell && !this.workers) {
      k.steps(0, 0, T);
    } else {
      // Per step as kernel.wat's $step: Z_k += h·W_hᵀ (split across the threads), the cell, finish.
      const pw = this.pw;
      for (let s = 0; s < T; s++) {
        const z = this.pZ + s * B * Gc * 4;
        if (this.workers) this.split(pw, this.pH, hs, B, O, this.pWh, Gc / pw, z, Gc, 4);
        else k.recurrent(0, z);
        if (this.plainCell) this.plainCellStep(z / 4);
        // The cell by batch rows across the threads too (W2np: ~10% of a 2-thread step otherwise).
        else if (this.workers && B > 1) this.workers.cell(k, 0, z, B, this.threadCount);
        else k.cell(0, z);
        k.finish(0, z, s);
      }
    }
    // 4. Outputs: one memcpy when h rows are unpadded and the output holds them in visiting order.
    const hist = this.pHist / 4;
    if (inOrder && hs === O && cursor.outputRowSize === O) {
      output.set(this.histView);
    } else {
      for (let s = 0; s < T; s++) {
        const t = cursor.time(s);
        for (let b = 0; b < B; b++) {
          const dst = cursor.outputOffset(t, b);
          const src = hist + (s * B + b) * hs;
          for (let j = 0; j < O; j++) output[dst + j] = f[src + j]!;
        }
      }
    }
    if (hView) hOut.set(hView);
    else for (let b = 0; b < B; b++) for (let j = 0; j < O; j++) hOut[b * O + j] = f[h0 + b * hs + j]!;
    if (cView) cOut.set(cView);
    else for (let b = 0; b < B; b++) for (let n = 0; n < N; n++) cOut[b * N + n] = f[c0 + b * Ns + n]!;
  }

  /**
   * C[m, ·] += A · W over `panels` panels of width `pw` (8: gemm, 24: gemm24), cut into chunks of
   * panels that the threads claim (this one included). Each column is computed by the same kernel
   * in the same order as on one thread: bit-identical. Returns when every chunk is done.
   */
  private split(pw: number, a: number, lda: number, m: number, kk: number, w: number, panels: number, c: number, ldc: number, chunksPerThread: number): void {
    const W = this.workers!;
    W.gemm(this.k, pw, a, lda, m, kk, w, panels, c, ldc, this.pPack, (W.count + 1) * chunksPerThread);
  }

  /** Chunks of matrix-product panels the worker threads have computed (0 on one thread). */
  get workerChunks(): number {
    return this.workers?.workerChunks ?? 0;
  }

  /** Number of threads this plan runs on (1 without the threads option, or below its minWork). */
  get threadCount(): number {
    return (this.workers?.count ?? 0) + 1;
  }

  /** Stops this plan's workers, if any (idempotent); a run afterwards throws. */
  close(): void {
    this.workers?.close();
  }

  /**
   * The step's gates and cell with the plain reference's own code (execute.ts steps 3–9 with
   * REFERENCE_KERNEL), on [B, N] copies of the gate rows at float offset z.
   */
  private plainCellStep(z: number): void {
    const R = REFERENCE_KERNEL;
    const t = this.cell!;
    const { B, N, Ns, Gc, hs, offI, offF, offC, offO, zi, zf, zc, zo, cPrev, cNew } = this;
    const { useCifg, usePeephole, useLayerNorm, useProjection } = this.shape;
    const f = this.f32;
    const c0 = this.pC / 4;
    for (let b = 0; b < B; b++) {
      const row = z + b * Gc;
      for (let n = 0; n < N; n++) {
        const o = b * N + n;
        if (!useCifg) zi[o] = f[row + offI + n]!;
        zf[o] = f[row + offF + n]!;
        zc[o] = f[row + offC + n]!;
        zo[o] = f[row + offO + n]!;
        cPrev[o] = f[c0 + b * Ns + n]!;
      }
    }
    if (!useCifg) {
      if (usePeephole) R.peephole(zi, t.cell_to_input_weights!, cPrev, N, B, 'input');
      if (useLayerNorm) R.layerNorm(zi, t.input_layer_norm_weights!, t.input_gate_bias, N, B, 'input');
      R.gateActivation(zi, 'input');
    }
    if (usePeephole) R.peephole(zf, t.cell_to_forget_weights!, cPrev, N, B, 'forget');
    if (useLayerNorm) R.layerNorm(zf, t.forget_layer_norm_weights!, t.forget_gate_bias, N, B, 'forget');
    R.gateActivation(zf, 'forget');
    if (useLayerNorm) R.layerNorm(zc, t.cell_layer_norm_weights!, t.cell_gate_bias, N, B, 'cell');
    R.cellActivation(zc, zc, t.activation);
    if (useCifg) R.cifgInputGate(zf, zi);
    R.updateCell(cNew, cPrev, zi, zf, zc);
    R.clipCell(cNew, t.cell_clip);
    if (usePeephole) R.peephole(zo, t.cell_to_output_weights!, R.outputPeepholeCell(cPrev, cNew), N, B, 'output');
    if (useLayerNorm) R.layerNorm(zo, t.output_layer_norm_weights!, t.output_gate_bias, N, B, 'output');
    R.gateActivation(zo, 'output');
    if (!(t.activation === 0 && this.aospNone)) R.cellActivation(cNew, zc, t.activation);
    R.outputGate(zo, zc, zo);
    const h0 = this.pH / 4;
    for (let b = 0; b < B; b++) {
      const row = z + b * Gc;
      for (let n = 0; n < N; n++) {
        const o = b * N + n;
        if (!useCifg) {
          f[row + offI + n] = zi[o]!;
          f[row + offF + n] = zf[o]!;
        } else {
          f[row + offF + n] = zi[o]!; // 1 − f, as the scratch shows it
        }
        f[row + offC + n] = zc[o]!;
        f[row + offO + n] = zo[o]!;
        f[c0 + b * Ns + n] = cNew[o]!;
        if (!useProjection) f[h0 + b * hs + n] = zo[o]!;
      }
    }
  }

  /**
   * AOSP scratch contents of the last run's step 0 (the LSTM op runs one step): gate-major [B, N]
   * blocks, non-CIFG [i | act(C_t) | f | m], CIFG [act(C_t) | 1 − f | m].
   */
  scratchInto(scratch: Float32Array): void {
    const { B, N, Gc } = this;
    const bn = B * N;
    const blocks = this.scratchBlocks;
    expectLength('scratch buffer', scratch, blocks.length * bn);
    const f = this.f32;
    const z = this.pZ / 4;
    for (let q = 0; q < blocks.length; q++) {
      const off = blocks[q]!;
      for (let b = 0; b < B; b++) for (let n = 0; n < N; n++) scratch[q * bn + b * N + n] = f[z + b * Gc + off + n]!;
    }
  }

  /** True when `shape` has this plan's cell shape. */
  fits(shape: LstmShape, maxTime: number, auxSize: number): boolean {
    return sameLstmShape(this.shape, shape) && this.maxTime === maxTime && this.auxSize === auxSize;
  }
}

/**
 * A fast op over one direction plan (FastLstm, FastUniSequenceLstm): the plan with its weights packed,
 * its memory and its opt-in threads. The plan starts its workers when it is made, so they are stopped
 * here if the weights are then refused.
 */
export abstract class SinglePlanOp {
  protected readonly plan: DirectionPlan;

  protected constructor(shape: LstmShape, maxTime: number, cell: CellTensors, opts: FastOptions) {
    this.plan = new DirectionPlan(shape, maxTime, 0, opts);
    try {
      this.plan.setWeights(cell);
    } catch (e) {
      this.plan.close();
      throw e;
    }
  }

  /** Re-pack new weights (same shape). */
  setWeights(cell: CellTensors): void {
    this.plan.setWeights(cell);
  }

  /** Bytes of WebAssembly memory held (packed weights and every buffer). */
  get memoryBytes(): number {
    return this.plan.memoryBytes;
  }

  /** Threads the runs use (the `threads` option; 1 without it or below its minWork). */
  get threadCount(): number {
    return this.plan.threadCount;
  }

  /** Worker threads started (threadCount − 1). */
  get workers(): number {
    return this.plan.threadCount - 1;
  }

  /** Chunks of matrix-product panels computed by the worker threads so far (0 on one thread). */
  get workerChunks(): number {
    return this.plan.workerChunks;
  }

  /** Stops the worker threads of the `threads` option (idempotent; nothing to do without it). */
  close(): void {
    this.plan.close();
  }
}
