/**
 * Hybrid LSTM weights (facts §7, §9): float32 input / state / output, INT8 symmetric per-tensor weights. TFLite runs
 * such an op with its hybrid kernel (LSTM op version 3, UNIDIRECTIONAL_SEQUENCE_LSTM version 2, asymmetric_quantize_inputs
 * false): each step quantizes the float input and output_state symmetrically on the fly, does int8 matmuls, rescales
 * with weight_scale × input_scale and does the rest in float.
 *
 * Which tensors are int8: the 8 input/recurrent weight matrices, the projection weights and — because TFLite's
 * Prepare requires the peephole weights to have the type of input_to_forget_weights (`CheckInputTensorDimensions`;
 * measured: a hybrid op with float32 peephole weights is rejected by the WASM runtime) — the 3 peephole vectors.
 * Gate biases, the projection bias and the layer-norm coefficients stay float32.
 *
 * Quantization: scale = max|w| / 127 (1 when all weights are 0), q = round(w / scale) clamped to ±127, zero point 0 —
 * TFLite's SymmetricQuantizeFloats. The dequantized value is scale · q.
 */

/** Hybrid op versions written (facts §7: LSTM v3 hybrid; UNIDIRECTIONAL_SEQUENCE_LSTM v2 hybrid). */
export const HYBRID_OP_VERSION = { LSTM: 3, UNIDIRECTIONAL_SEQUENCE_LSTM: 2 } as const;
/** Minimum TF runtime of those versions (facts §7). */
export const HYBRID_MIN_RUNTIME = { LSTM: '1.14.0', UNIDIRECTIONAL_SEQUENCE_LSTM: '1.14.0' } as const;

/** NNAPI roles written as INT8 in a hybrid LSTM / UNIDIRECTIONAL_SEQUENCE_LSTM. */
export const HYBRID_WEIGHT_ROLES: ReadonlySet<string> = new Set([
  'input_to_input_weights',
  'input_to_forget_weights',
  'input_to_cell_weights',
  'input_to_output_weights',
  'recurrent_to_input_weights',
  'recurrent_to_forget_weights',
  'recurrent_to_cell_weights',
  'recurrent_to_output_weights',
  'cell_to_input_weights',
  'cell_to_forget_weights',
  'cell_to_output_weights',
  'projection_weights',
]);

/** One int8 symmetric per-tensor quantized weight tensor. */
export interface HybridQuant {
  q: Int8Array;
  scale: number;
}

/** TFLite's SymmetricQuantizeFloats: scale = max|w| / 127, q = round(w / scale) clamped to [-127, 127]. */
export function quantizeSymmetricInt8(values: ArrayLike<number>): HybridQuant {
  let m = 0;
  for (let k = 0; k < values.length; k++) m = Math.max(m, Math.abs(values[k]!));
  const scale = m === 0 ? 1 : Math.fround(m / 127);
  const q = new Int8Array(values.length);
  for (let k = 0; k < values.length; k++) q[k] = Math.max(-127, Math.min(127, Math.round(values[k]! / scale)));
  return { q, scale };
}

/** scale · q, rounded to float32. */
export function dequantizeSymmetric(h: HybridQuant): number[] {
  return Array.from(h.q, (v) => Math.fround(v * h.scale));
}
