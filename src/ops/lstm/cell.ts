/**
 * The float LSTM cell as small pure functions over preallocated Float32Arrays.
 *
 * Numerics follow the AOSP CPU reference (facts memo §C.1): every intermediate is stored in a
 * Float32Array (so it is rounded to float32 exactly where the C++ stores a float), and running sums
 * are rounded with Math.fround after every operation. Nothing here allocates.
 *
 * Batched buffers are batch-major: element (b, k) of a [B, K] tensor is at b·K + k.
 */

/** Which LSTM gate a kernel call is about; lets a mutant target a single gate. */
export type Gate = 'input' | 'forget' | 'cell' | 'output';

/** NNAPI FuseCode-style activation codes accepted by the LSTM `activation` operand. */
export const ACTIVATION = {
  NONE: 0,
  RELU: 1,
  /** Undocumented for LSTM, but the AOSP helper implements it (clamp to [-1, 1]). */
  RELU1: 2,
  RELU6: 3,
  TANH: 4,
  /** Undocumented for LSTM, but the AOSP helper implements it (1 if the sign bit is set, else 0). */
  SIGN_BIT: 5,
  SIGMOID: 6,
} as const;

/** Documented activation codes (spec text): none, relu, relu6, tanh, sigmoid. */
export const DOCUMENTED_ACTIVATIONS: readonly number[] = [0, 1, 3, 4, 6];

/** Layer-norm epsilon, added to the population variance (Android 11+ reference, two-pass). */
export const LAYER_NORM_EPSILON = 1e-8;

const fround = Math.fround;

// ---------------------------------------------------------------------------------------------
// Scalar activations. Transcendentals are evaluated in double and rounded once when stored.

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Apply activation `code` to one value. Throws on codes the reference does not implement. */
export function activate(code: number, x: number): number {
  switch (code) {
    case ACTIVATION.NONE:
      return x;
    case ACTIVATION.RELU:
      return x > 0 ? x : 0;
    case ACTIVATION.RELU1:
      return x > 1 ? 1 : x < -1 ? -1 : x;
    case ACTIVATION.RELU6:
      return x > 6 ? 6 : x > 0 ? x : 0;
    case ACTIVATION.TANH:
      return Math.tanh(x);
    case ACTIVATION.SIGN_BIT:
      return x < 0 || Object.is(x, -0) ? 1 : 0;
    case ACTIVATION.SIGMOID:
      return sigmoid(x);
    default:
      throw new Error(`LSTM: unsupported activation code ${code} (documented: 0 none, 1 relu, 3 relu6, 4 tanh, 6 sigmoid)`);
  }
}

export function isSupportedActivation(code: number): boolean {
  return Number.isInteger(code) && code >= 0 && code <= 6;
}

// ---------------------------------------------------------------------------------------------
// Building blocks (exported so mutants can compose them).

/**
 * acc[b,r] += Σ_j W[r,j]·v[b,j] for a row-major [rows, cols] matrix and a [batch, cols] input.
 * The running sum starts from acc's current value and is rounded to float32 after each term,
 * as a plain float32 loop does.
 */
export function matVecAccumulate(
  acc: Float32Array,
  weights: Float32Array,
  vec: Float32Array,
  rows: number,
  cols: number,
  batch: number,
): void {
  for (let b = 0; b < batch; b++) {
    const vOff = b * cols;
    const aOff = b * rows;
    for (let r = 0; r < rows; r++) {
      const wOff = r * cols;
      let sum = acc[aOff + r]!;
      for (let j = 0; j < cols; j++) sum = fround(sum + fround(weights[wOff + j]! * vec[vOff + j]!));
      acc[aOff + r] = sum;
    }
  }
}

/** dst[b,k] = v[k] for every batch row (tile a per-unit vector over the batch). */
export function tileRows(dst: Float32Array, v: Float32Array, n: number, batch: number): void {
  for (let b = 0; b < batch; b++) dst.set(v, b * n);
}

/** Layer normalisation with a given epsilon; see StepKernel.layerNorm. */
export function makeLayerNorm(epsilon: number): StepKernel['layerNorm'] {
  const eps = fround(epsilon);
  return (acc, gamma, bias, n, batch) => {
    for (let b = 0; b < batch; b++) {
      const off = b * n;
      // Two passes (mean, then squared deviations): stable even for near-constant rows.
      let sum = 0;
      for (let c = 0; c < n; c++) sum = fround(sum + acc[off + c]!);
      const mean = fround(sum / n);
      let sq = 0;
      for (let c = 0; c < n; c++) {
        const d = fround(acc[off + c]! - mean);
        sq = fround(sq + fround(d * d));
      }
      const variance = fround(sq / n); // population variance
      const invStd = fround(1 / fround(Math.sqrt(fround(variance + eps))));
      for (let c = 0; c < n; c++) {
        const normed = fround(fround(acc[off + c]! - mean) * invStd);
        // γ first, bias after: with layer norm the bias is deliberately not normalised.
        const scaled = fround(normed * gamma[c]!);
        acc[off + c] = bias ? fround(scaled + bias[c]!) : scaled;
      }
    }
  };
}

// ---------------------------------------------------------------------------------------------
// The kernel record.

/**
 * The mutation points of one LSTM step. The step orchestration (execute.ts) is fixed; each entry
 * is one semantic decision, so a deliberately buggy driver overrides exactly one of them.
 * All buffers are float32; [B, N] buffers are batch-major.
 *
 * Typical one-entry mutants (R = REFERENCE_KERNEL):
 *   layer-norm ε wrong      { ...R, layerNorm: makeLayerNorm(1e-5) }
 *   bias before layer norm  layerNorm adding bias to acc, then R.layerNorm(acc, γ, null, …)
 *   forget bias +1          gateActivation adding 1 when gate === 'forget' (works with and without LN)
 *   peephole-o old cell     outputPeepholeCell: (prev) => prev
 *   projection bias ignored project calling R.project with bias null
 *   CIFG i = f              cifgInputGate: (f, out) => out.set(f)
 */
export interface StepKernel {
  /** Start a gate accumulator [B,N]: the bias tiled over the batch, or 0 when layer norm is on (bias comes after LN). */
  initGate(acc: Float32Array, bias: Float32Array | null, useLayerNorm: boolean, n: number, batch: number, gate: Gate): void;
  /** acc[b,r] += W[r,:]·v[b,:] in float32 (used for W_x·x, then W_h·h). */
  matVecAccumulate(acc: Float32Array, weights: Float32Array, vec: Float32Array, rows: number, cols: number, batch: number): void;
  /** Peephole: acc[b,c] += w[c]·cell[b,c] (added before layer norm). */
  peephole(acc: Float32Array, weights: Float32Array, cell: Float32Array, n: number, batch: number, gate: Gate): void;
  /** The cell state the output-gate peephole reads: the NEW, already clipped C_t. */
  outputPeepholeCell(cellPrev: Float32Array, cellNew: Float32Array): Float32Array;
  /** Per batch row over N units: ((v−μ)/sqrt(σ²+1e-8))·γ + bias, population variance, in place. */
  layerNorm(acc: Float32Array, gamma: Float32Array, bias: Float32Array | null, n: number, batch: number, gate: Gate): void;
  /** i, f, o = σ(z) in place. */
  gateActivation(buf: Float32Array, gate: Gate): void;
  /** dst = act(src) elementwise for activation code `activation` (src may alias dst); used for g = act(z_c) and act(C_t). */
  cellActivation(src: Float32Array, dst: Float32Array, activation: number): void;
  /** CIFG coupling: input gate = 1 − forget gate. */
  cifgInputGate(forget: Float32Array, out: Float32Array): void;
  /** C_t = f⊙C_{t-1} + i⊙g (out may alias cellPrev). */
  updateCell(out: Float32Array, cellPrev: Float32Array, inputGate: Float32Array, forgetGate: Float32Array, candidate: Float32Array): void;
  /** Clamp C_t to ±clip when clip > 0 (0 = off). */
  clipCell(cell: Float32Array, clip: number): void;
  /** m = o ⊙ act(C_t) (out may alias either operand). */
  outputGate(outputGate: Float32Array, activatedCell: Float32Array, out: Float32Array): void;
  /** h[b,p] = b_proj[p] (or 0) + W_proj[p,:]·m[b,:]. */
  project(out: Float32Array, weights: Float32Array, bias: Float32Array | null, m: Float32Array, outputSize: number, numUnits: number, batch: number): void;
  /** Clamp h to ±clip when clip > 0 (0 = off); only applied with projection. */
  clipProjection(h: Float32Array, clip: number): void;
}

function clampInPlace(buf: Float32Array, clip: number): void {
  if (!(clip > 0)) return;
  for (let k = 0; k < buf.length; k++) {
    const v = buf[k]!;
    if (v > clip) buf[k] = clip;
    else if (v < -clip) buf[k] = -clip;
  }
}

/** The semantics of the AOSP float reference (facts §C.1), with the documented activation 0 = identity. */
export const REFERENCE_KERNEL: Readonly<StepKernel> = Object.freeze({
  initGate(acc, bias, useLayerNorm, n, batch) {
    if (useLayerNorm || !bias) acc.fill(0);
    else tileRows(acc, bias, n, batch);
  },
  matVecAccumulate,
  peephole(acc, weights, cell, n, batch) {
    for (let b = 0; b < batch; b++) {
      const off = b * n;
      for (let c = 0; c < n; c++) acc[off + c] = fround(acc[off + c]! + fround(weights[c]! * cell[off + c]!));
    }
  },
  outputPeepholeCell: (_cellPrev, cellNew) => cellNew,
  layerNorm: makeLayerNorm(LAYER_NORM_EPSILON),
  gateActivation(buf) {
    for (let k = 0; k < buf.length; k++) buf[k] = sigmoid(buf[k]!);
  },
  cellActivation(src, dst, activation) {
    if (activation === ACTIVATION.NONE) {
      if (src !== dst) dst.set(src);
      return;
    }
    activate(activation, 0); // throws early on an unknown code
    for (let k = 0; k < src.length; k++) dst[k] = activate(activation, src[k]!);
  },
  cifgInputGate(forget, out) {
    for (let k = 0; k < forget.length; k++) out[k] = fround(1 - forget[k]!);
  },
  updateCell(out, cellPrev, inputGate, forgetGate, candidate) {
    for (let k = 0; k < out.length; k++) {
      out[k] = fround(fround(forgetGate[k]! * cellPrev[k]!) + fround(inputGate[k]! * candidate[k]!));
    }
  },
  clipCell: clampInPlace,
  outputGate(o, activatedCell, out) {
    for (let k = 0; k < out.length; k++) out[k] = fround(o[k]! * activatedCell[k]!);
  },
  project(out, weights, bias, m, outputSize, numUnits, batch) {
    if (bias) tileRows(out, bias, outputSize, batch);
    else out.fill(0);
    matVecAccumulate(out, weights, m, outputSize, numUnits, batch);
  },
  clipProjection: clampInPlace,
} satisfies StepKernel);
