/**
 * One direction's parameters unpacked from ONNX's packed W, R, B and P into the canonical gate order
 * i, o, f, c (peepholes i, o, f), following the packing a {@link LstmConventions} names.
 */
import { blockOf, type LstmConventions } from './conventions.js';
import type { OnnxLstmTensor } from './types.js';

/** Canonical gate indices used by the cores. */
export const GATE_I = 0;
export const GATE_O = 1;
export const GATE_F = 2;
export const GATE_C = 3;
const CANONICAL = 'iofc';
const CANONICAL_PEEPHOLE = 'iof';

/** The element type the cores compute in. */
export type FloatArray = Float32Array | Float64Array;
export type FloatArrayCtor = Float32ArrayConstructor | Float64ArrayConstructor;

/** One direction: W[g] is [H, I], R[g] is [H, H], bias[g] = Wb[g] + Rb[g] (rounded once, as ONNX Runtime pre-sums them). */
export interface DirectionWeights {
  W: FloatArray[];
  R: FloatArray[];
  /** null when B is absent (all-zero bias). */
  bias: FloatArray[] | null;
  /** P[i], P[o], P[f]; null when P is absent. */
  P: FloatArray[] | null;
}

/** Unpack direction `d`. Storing into `ctor` rounds to its precision (Float32Array rounds to float32). */
export function unpackDirection(
  d: number,
  hiddenSize: number,
  inputSize: number,
  w: { W: OnnxLstmTensor; R: OnnxLstmTensor; B?: OnnxLstmTensor; P?: OnnxLstmTensor },
  conv: LstmConventions,
  ctor: FloatArrayCtor,
): DirectionWeights {
  const H = hiddenSize;
  const I = inputSize;
  const block = (src: ArrayLike<number>, start: number, len: number): FloatArray => {
    const out = new ctor(len);
    for (let k = 0; k < len; k++) out[k] = src[start + k]!;
    return out;
  };
  const W: FloatArray[] = [];
  const R: FloatArray[] = [];
  const bias: FloatArray[] | null = w.B ? [] : null;
  for (const g of CANONICAL) {
    const k = blockOf(conv.gateOrder, g);
    W.push(block(w.W.data, (d * 4 + k) * H * I, H * I));
    R.push(block(w.R.data, (d * 4 + k) * H * H, H * H));
    if (w.B && bias) {
      const wb = block(w.B.data, d * 8 * H + k * H, H);
      const rb = block(w.B.data, d * 8 * H + (4 + k) * H, H);
      const sum = new ctor(H);
      for (let u = 0; u < H; u++) sum[u] = wb[u]! + rb[u]!;
      bias.push(sum);
    }
  }
  let P: FloatArray[] | null = null;
  if (w.P) {
    P = [];
    for (const g of CANONICAL_PEEPHOLE) P.push(block(w.P.data, d * 3 * H + blockOf(conv.peepholeOrder, g) * H, H));
  }
  return { W, R, bias, P };
}
