/**
 * The ONNX LSTM fast path: the weights are packed once (gate rows in canonical order i, o, f, c, one
 * contiguous [4H, I] and [4H, H] block per direction, biases pre-summed), every scratch buffer is
 * allocated at prepare time, and a run allocates only the tensors it returns. Dot products accumulate
 * in double and are stored to float32 per gate value, so results agree with the plain float32 path
 * within the harness tolerance but are not bit-identical to it.
 *
 * A streaming caller prepares once and calls `run` per frame with the previous Y_h / Y_c as the
 * initial states.
 */
import { activationFunction, type ScalarFn } from './activations.js';
import { resolveConventions, type LstmConventions } from './conventions.js';
import { offsets, onnxLstmShape, onnxLstmWeightShape, outputDims } from './shapes.js';
import type { OnnxActivation, OnnxLstmAttributes, OnnxLstmOutputs, OnnxLstmTensor } from './types.js';
import { GATE_C, GATE_F, GATE_I, GATE_O, unpackDirection } from './weights.js';

/** The constant inputs of a node. */
export interface OnnxLstmWeights {
  W: OnnxLstmTensor;
  R: OnnxLstmTensor;
  B?: OnnxLstmTensor;
  P?: OnnxLstmTensor;
}

/** The per-run inputs besides X. */
export interface OnnxLstmRunInputs {
  sequence_lens?: { dims: number[]; data: Int32Array };
  initial_h?: OnnxLstmTensor;
  initial_c?: OnnxLstmTensor;
}

/** A node with its weights packed, ready to run repeatedly. */
export interface PreparedOnnxLstm {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numDirections: 1 | 2;
  /**
   * Evaluate on X (in the node's layout) with optional lengths and initial states. With `out` (float32
   * tensors of the output dims, e.g. the previous run's result) nothing is allocated but the shape check;
   * `out.Y_h` / `out.Y_c` may be the very arrays passed as initial_h / initial_c (each row's state is read
   * before it is overwritten).
   */
  run(X: OnnxLstmTensor, inputs?: OnnxLstmRunInputs, out?: OnnxLstmOutputs): OnnxLstmOutputs;
}

interface PackedDirection {
  /** [4H, I], rows gate-major in i, o, f, c order. */
  W: Float32Array;
  /** [4H, H]. */
  R: Float32Array;
  /** [4H] Wb + Rb (zeros without B). */
  bias: Float32Array;
  /** [3H] i, o, f, or null. */
  P: Float32Array | null;
  f: ScalarFn;
  g: ScalarFn;
  h: ScalarFn;
  reverse: boolean;
}

const sigmoid: ScalarFn = (x) => 1 / (1 + Math.exp(-x));
const tanh: ScalarFn = Math.tanh;

/** Double-precision scalar function (stored to float32 by the caller). Sigmoid and Tanh skip the generic dispatch. */
function fastActivation(a: OnnxActivation): ScalarFn {
  if (a.name === 'Sigmoid') return sigmoid;
  if (a.name === 'Tanh') return tanh;
  return activationFunction(a);
}

/** Pack `weights` for `attrs` (throws {@link OnnxLstmShapeError} on inconsistent shapes). */
export function prepareOnnxLstm(
  attrs: OnnxLstmAttributes,
  weights: OnnxLstmWeights,
  options: { conventions?: Partial<LstmConventions> } = {},
): PreparedOnnxLstm {
  const conv = resolveConventions(options.conventions);
  const { inputSize: I, hiddenSize: H, numDirections: D } = onnxLstmWeightShape(attrs, weights);
  const dirs: PackedDirection[] = [];
  for (let d = 0; d < D; d++) {
    const u = unpackDirection(d, H, I, weights, conv, Float32Array);
    const W = new Float32Array(4 * H * I);
    const R = new Float32Array(4 * H * H);
    const bias = new Float32Array(4 * H);
    for (let q = 0; q < 4; q++) {
      W.set(u.W[q]!, q * H * I);
      R.set(u.R[q]!, q * H * H);
      if (u.bias) bias.set(u.bias[q]!, q * H);
    }
    let P: Float32Array | null = null;
    if (u.P) {
      P = new Float32Array(3 * H);
      for (let k = 0; k < 3; k++) P.set(u.P[k]!, k * H);
    }
    const acts = attrs.activations.slice(3 * d, 3 * d + 3);
    dirs.push({
      W,
      R,
      bias,
      P,
      f: fastActivation(acts[0]!),
      g: fastActivation(acts[1]!),
      h: fastActivation(acts[2]!),
      reverse: attrs.direction === 'reverse' || d === 1,
    });
  }

  // Scratch, reused by every run: gate values [4H] (i, o, f, c), state h and c, one input row.
  const z = new Float32Array(4 * H);
  const h = new Float32Array(H);
  const c = new Float32Array(H);
  const cPrev = new Float32Array(H);
  const clip = attrs.clip === undefined ? undefined : Math.fround(attrs.clip);
  const clipGates = clip !== undefined && conv.clip !== 'cell-state';
  const clipH = clip !== undefined && conv.clip === 'all-activation-inputs';
  const clipCell = clip !== undefined && conv.clip === 'cell-state';
  const coupled = attrs.inputForget === 1;
  const forgetFromInput = conv.coupledGate === 'forget-from-input';
  const outputUsesNew = conv.outputPeephole === 'C_t';
  const keepInitialWhenEmpty = conv.emptySequenceState === 'initial';
  const oI = GATE_I * H;
  const oO = GATE_O * H;
  const oF = GATE_F * H;
  const oC = GATE_C * H;

  const clamp = (v: number): number => (clipGates ? (v > clip! ? clip! : v < -clip! ? -clip! : v) : v);

  function stepRow(dir: PackedDirection, X: Float32Array | Float64Array, xo: number): void {
    const { W, R, bias, P } = dir;
    // Four rows at a time: each x_j / h_j load feeds four independent accumulators.
    const rows = 4 * H;
    let row = 0;
    for (; row + 4 <= rows; row += 4) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      const w0 = row * I, w1 = w0 + I, w2 = w1 + I, w3 = w2 + I;
      for (let j = 0; j < I; j++) {
        const v = X[xo + j]!;
        a0 += v * W[w0 + j]!;
        a1 += v * W[w1 + j]!;
        a2 += v * W[w2 + j]!;
        a3 += v * W[w3 + j]!;
      }
      let b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      const r0 = row * H, r1 = r0 + H, r2 = r1 + H, r3 = r2 + H;
      for (let j = 0; j < H; j++) {
        const v = h[j]!;
        b0 += v * R[r0 + j]!;
        b1 += v * R[r1 + j]!;
        b2 += v * R[r2 + j]!;
        b3 += v * R[r3 + j]!;
      }
      z[row] = a0 + b0;
      z[row + 1] = a1 + b1;
      z[row + 2] = a2 + b2;
      z[row + 3] = a3 + b3;
    }
    for (; row < rows; row++) {
      let sx = 0;
      const wo = row * I;
      for (let j = 0; j < I; j++) sx += X[xo + j]! * W[wo + j]!;
      let sh = 0;
      const ro = row * H;
      for (let j = 0; j < H; j++) sh += h[j]! * R[ro + j]!;
      z[row] = sx + sh;
    }
    cPrev.set(c);
    const f = dir.f;
    // Input and forget gates (peepholes read C_{t−1}); with input_forget one is derived from the other.
    for (let u = 0; u < H; u++) {
      const zi = z[oI + u]! + (P ? P[u]! * cPrev[u]! : 0) + bias[oI + u]!;
      const zf = z[oF + u]! + (P ? P[2 * H + u]! * cPrev[u]! : 0) + bias[oF + u]!;
      if (!coupled) {
        z[oI + u] = f(clamp(zi));
        z[oF + u] = f(clamp(zf));
      } else if (forgetFromInput) {
        z[oI + u] = f(clamp(zi));
        z[oF + u] = 1 - z[oI + u]!;
      } else {
        z[oF + u] = f(clamp(zf));
        z[oI + u] = 1 - z[oF + u]!;
      }
      z[oC + u] = dir.g(clamp(z[oC + u]! + bias[oC + u]!));
      let cv = Math.fround(z[oF + u]! * cPrev[u]! + z[oI + u]! * z[oC + u]!);
      if (clipCell) cv = cv > clip! ? clip! : cv < -clip! ? -clip! : cv;
      c[u] = cv;
      const cellForO = outputUsesNew ? cv : cPrev[u]!;
      const zo = z[oO + u]! + (P ? P[H + u]! * cellForO : 0) + bias[oO + u]!;
      h[u] = f(clamp(zo)) * dir.h(clipH ? clamp(cv) : cv);
    }
  }

  return {
    inputSize: I,
    hiddenSize: H,
    numDirections: D as 1 | 2,
    run(X, inputs = {}, out) {
      const shape = onnxLstmShape(attrs, { X, W: weights.W, R: weights.R, B: weights.B, P: weights.P, ...inputs });
      const { seqLength: S, batchSize: Bt } = shape;
      const dims = outputDims(shape);
      const Y = reuse(out?.Y, S * D * Bt * H);
      const Yh = reuse(out?.Y_h, D * Bt * H);
      const Yc = reuse(out?.Y_c, D * Bt * H);
      // Padded steps must read 0 even when `out` held a previous result.
      if (out && inputs.sequence_lens) Y.fill(0);
      const lens = inputs.sequence_lens?.data;
      const h0 = inputs.initial_h?.data;
      const c0 = inputs.initial_c?.data;
      for (let d = 0; d < D; d++) {
        const dir = dirs[d]!;
        for (let b = 0; b < Bt; b++) {
          const len = lens ? lens[b]! : S;
          const so = offsets.state(shape, d, b);
          for (let u = 0; u < H; u++) {
            h[u] = h0 ? h0[so + u]! : 0;
            c[u] = c0 ? c0[so + u]! : 0;
          }
          for (let k = 0; k < len; k++) {
            const t = dir.reverse ? len - 1 - k : k;
            stepRow(dir, X.data, offsets.x(shape, t, b));
            Y.set(h, offsets.y(shape, t, d, b));
          }
          if (len > 0 || keepInitialWhenEmpty) {
            Yh.set(h, so);
            Yc.set(c, so);
          } else {
            Yh.fill(0, so, so + H);
            Yc.fill(0, so, so + H);
          }
        }
      }
      if (out) {
        out.Y.dims = dims.Y;
        out.Y_h.dims = dims.state;
        out.Y_c.dims = [...dims.state];
        return out;
      }
      return { Y: { dims: dims.Y, data: Y }, Y_h: { dims: dims.state, data: Yh }, Y_c: { dims: [...dims.state], data: Yc } };
    },
  };
}

/** `t`'s data when it is a float32 buffer of `n` elements, else a fresh one. */
function reuse(t: OnnxLstmTensor | undefined, n: number): Float32Array {
  if (t && t.data instanceof Float32Array && t.data.length === n) return t.data;
  if (t) throw new Error(`ONNX LSTM: an output buffer must be a Float32Array of ${n} elements`);
  return new Float32Array(n);
}
