/**
 * Integer arithmetic of the quantized LSTMs, bit for bit: gemmlowp's fixed-point primitives
 * (SaturatingRoundingDoublingHighMul, RoundingDivideByPOT, Rescale, exp/logistic/tanh on int16),
 * TFLite's QuantizeMultiplier / MultiplyByQuantizedMultiplier (double rounding), the integer layer
 * norm with its inverse-sqrt Newton iteration, and tflite-micro's int16 sigmoid/tanh lookup table.
 *
 * Written from the documented behaviour of those functions (gemmlowp fixedpoint/fixedpoint.h,
 * tensorflow/lite/kernels/internal/{common,quantization_util}.cc, tflite-micro
 * reference/integer_ops/{logistic,tanh}.h; facts memo §C.4, tflite facts §9). Every value is a JS
 * number holding an exact integer; 64-bit products go through BigInt.
 *
 * Wrapping: C++ int16 arithmetic that gemmlowp returns into an int16 wraps (two's complement); the
 * functions below wrap exactly where the C++ converts to a narrower type.
 */

export const INT16_MIN = -32768;
export const INT16_MAX = 32767;
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** Two's-complement wrap to `bits` bits (as a C++ narrowing conversion does). */
export function wrap(x: number, bits: 16 | 32 | 8): number {
  const m = 2 ** bits;
  let r = x % m;
  if (r < 0) r += m;
  return r >= m / 2 ? r - m : r;
}

export const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);
export const sat16 = (x: number): number => clamp(x, INT16_MIN, INT16_MAX);
export const sat8 = (x: number): number => clamp(x, -128, 127);

/** C++ integer division (truncation toward zero). */
const tdiv = (a: number, b: number): number => Math.trunc(a / b);

/** gemmlowp SaturatingRoundingDoublingHighMul for int32: (a·b + nudge) / 2^31 truncated; (−2^31)² saturates. */
export function srdhm32(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero, as C++
}

/** gemmlowp SaturatingRoundingDoublingHighMul for int16. */
export function srdhm16(a: number, b: number): number {
  if (a === INT16_MIN && b === INT16_MIN) return INT16_MAX;
  const ab = a * b;
  const nudge = ab >= 0 ? 1 << 14 : 1 - (1 << 14);
  return wrap(tdiv(ab + nudge, 1 << 15), 16);
}

/** gemmlowp RoundingDivideByPOT: arithmetic shift right by `e` rounding to nearest, ties away from zero. */
export function rdivpot(x: number, e: number): number {
  if (e === 0) return x;
  const p = 2 ** e;
  const q = Math.floor(x / p);
  const remainder = x - q * p; // = x & mask (two's complement)
  const threshold = (p - 1 - ((p - 1) % 2)) / 2 + (x < 0 ? 1 : 0); // (mask >> 1) + (x < 0)
  return q + (remainder > threshold ? 1 : 0);
}

/** gemmlowp SaturatingRoundingMultiplyByPOT<exponent> on a `bits`-bit raw value. */
export function srmpot(x: number, exponent: number, bits: 16 | 32): number {
  if (exponent === 0) return x;
  if (exponent < 0) return rdivpot(x, -exponent);
  const min = -(2 ** (bits - 1));
  const max = 2 ** (bits - 1) - 1;
  const threshold = 2 ** (bits - 1 - exponent) - 1;
  if (x > threshold) return max;
  if (x < -threshold) return min;
  return x * 2 ** exponent;
}

/** TFLite QuantizeMultiplier: real multiplier → (int32 mantissa in [2^30, 2^31), shift), as frexp + round. */
export function quantizeMultiplier(d: number): { multiplier: number; shift: number } {
  if (d === 0) return { multiplier: 0, shift: 0 };
  if (!Number.isFinite(d)) throw new RangeError(`QuantizeMultiplier: ${d} is not finite`);
  const sign = d < 0 ? -1 : 1;
  const a = Math.abs(d);
  let e = Math.floor(Math.log2(a)) + 1;
  let q = a / 2 ** e;
  while (q >= 1) {
    e++;
    q = a / 2 ** e;
  }
  while (q < 0.5) {
    e--;
    q = a / 2 ** e;
  }
  let qFixed = Math.floor(q * 2 ** 31 + 0.5) * sign; // std::round (half away from zero)
  let shift = e;
  if (Math.abs(qFixed) === 2 ** 31) {
    qFixed /= 2;
    shift++;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  if (qFixed > INT32_MAX) throw new RangeError(`QuantizeMultiplier: ${d} not representable`);
  return { multiplier: qFixed, shift };
}

/** TFLite MultiplyByQuantizedMultiplier (int32 x, double rounding: SRDHM then RoundingDivideByPOT). */
export function mbqm(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return rdivpot(srdhm32(wrap(x * 2 ** left, 32), multiplier), right);
}

/** A multiplier with its shift, as QuantizeMultiplier returns it. */
export interface QMultiplier {
  multiplier: number;
  shift: number;
}

// ---- gemmlowp fixed-point transcendental functions on int16 (and int32 where layer norm needs it) ----

type Bits = 16 | 32;
const maxOf = (bits: Bits) => 2 ** (bits - 1) - 1;
const srdhm = (a: number, b: number, bits: Bits) => (bits === 16 ? srdhm16(a, b) : srdhm32(a, b));
const add = (a: number, b: number, bits: Bits) => wrap(a + b, bits);
const sub = (a: number, b: number, bits: Bits) => wrap(a - b, bits);
const neg = (a: number, bits: Bits) => wrap(-a, bits);
/** gemmlowp RescaleConstantInitializer: an int32 constant narrowed to the raw type. */
const constant = (v: number, bits: Bits) => (bits === 32 ? v : rdivpot(v, 16));
/** Bitwise AND on the two's-complement representation of raw values. */
const band = (a: number, b: number) => Number(BigInt.asIntN(64, BigInt(a) & BigInt(b)));

/** exp(a) for a ∈ [−1/4, 0), F0 in and out. */
function expOnIntervalNegQuarter(a: number, bits: Bits): number {
  const fb = bits - 1;
  const constantTerm = constant(1895147668, bits);
  const oneThird = constant(715827883, bits);
  const x = add(a, 2 ** (fb - 3), bits);
  const x2 = srdhm(x, x, bits);
  const x3 = srdhm(x2, x, bits);
  const x4 = srdhm(x2, x2, bits);
  const x4Over4 = srmpot(x4, -2, bits);
  const inner = srmpot(add(srdhm(add(x4Over4, x3, bits), oneThird, bits), x2, bits), -1, bits);
  const prod = srdhm(constantTerm, add(x, inner, bits), bits);
  return bits === 16 ? sat16(constantTerm + prod) : add(constantTerm, prod, bits);
}

const BARREL: readonly [number, number][] = [
  [-2, 1672461947],
  [-1, 1302514674],
  [0, 790015084],
  [1, 290630308],
  [2, 39332535],
  [3, 720401],
  [4, 242],
];

/** exp(a) for a ≤ 0 with `intBits` integer bits in; F0 out. */
export function expOnNegativeValues(a: number, intBits: number, bits: Bits): number {
  const fb = bits - 1 - intBits;
  const quarter = 2 ** (fb - 2);
  const mask = quarter - 1;
  const aModMinusQuarter = sub(band(a, mask), quarter, bits);
  let result = expOnIntervalNegQuarter(srmpot(aModMinusQuarter, intBits, bits), bits);
  const remainder = sub(aModMinusQuarter, a, bits);
  for (const [exponent, mult] of BARREL) {
    if (intBits > exponent) {
      const shiftAmount = fb + exponent;
      if (band(remainder, 2 ** shiftAmount) !== 0) result = srdhm(result, constant(mult, bits), bits);
    }
  }
  if (intBits > 5) {
    const clampB = 36 - intBits;
    const clampValue = constant(-(2 ** clampB), bits);
    if (a < clampValue) result = 0;
  }
  if (a === 0) result = maxOf(bits);
  return result;
}

/** Newton-Raphson reciprocal core shared by 1/(1+x) and (1−x)/(1+x), x ∈ [0, 1]; returns F2 x. */
function reciprocalIteration(a: number, bits: Bits): { x: number; f2One: number } {
  const one = maxOf(bits);
  const sum = a + one;
  const halfDenominator = wrap(tdiv(sum + (sum >= 0 ? 1 : -1), 2), bits);
  const c48over17 = constant(1515870810, bits);
  const cNeg32over17 = constant(-1010580540, bits);
  let x = add(c48over17, srdhm(halfDenominator, cNeg32over17, bits), bits);
  const f2One = 2 ** (bits - 3);
  for (let i = 0; i < 3; i++) {
    const hdx = srdhm(halfDenominator, x, bits);
    const oneMinus = sub(f2One, hdx, bits);
    x = add(x, srmpot(srdhm(x, oneMinus, bits), 2, bits), bits);
  }
  return { x, f2One };
}

/** gemmlowp logistic: F(intBits) in, F0 out. */
export function logistic(a: number, intBits: number, bits: Bits = 16): number {
  const positive = a > 0;
  const absInput = positive ? a : neg(a, bits);
  const e = expOnNegativeValues(neg(absInput, bits), intBits, bits);
  const { x } = reciprocalIteration(e, bits);
  const ifPositive = srmpot(x, 1, bits); // Rescale<0>(ExactMulByPot<-1>(x)): F1 → F0
  const ifNegative = sub(maxOf(bits), ifPositive, bits);
  if (a === 0) return constant(1 << 30, bits);
  return positive ? ifPositive : ifNegative;
}

/** gemmlowp tanh: F(intBits) in, F0 out. */
export function tanh(a: number, intBits: number, bits: Bits = 16): number {
  const negative = a < 0;
  const n = negative ? a : neg(a, bits);
  const e = expOnNegativeValues(n, intBits + 1, bits); // ExactMulByPot<1>: one more integer bit
  const { x, f2One } = reciprocalIteration(e, bits);
  const t = srmpot(sub(x, f2One, bits), 2, bits); // Rescale<0>(x − 1): F2 → F0
  if (a === 0) return 0;
  return negative ? neg(t, bits) : t;
}

// ---- TFLite / AOSP integer LSTM helpers (portable_tensor_utils, QuantUtils) ----

/** GetInvSqrtQuantizedMultiplierExp(input, reverse_shift = −1): 1/sqrt(input) as multiplier and shift. */
export function invSqrtQuantizedMultiplierExp(input: number, reverseShift: number): QMultiplier {
  if (input < 0) throw new RangeError('inverse sqrt of a negative value');
  if (input <= 1) return { multiplier: INT32_MAX, shift: 0 };
  let shift = 11;
  while (input >= 2 ** 29) {
    input = Math.trunc(input / 4);
    shift++;
  }
  const clz = Math.clz32(input);
  const maxLeftShiftBits = clz - 1;
  const leftShiftBitPairs = Math.floor(maxLeftShiftBits / 2) - 1;
  shift -= leftShiftBitPairs;
  input = input * 2 ** (2 * leftShiftBitPairs);
  // F3 (int32) Newton-Raphson: x ← 1.5·x − (input/2)·x³, five iterations from x = 1.
  const fixedInput = Math.floor(input / 2);
  const halfInput = rdivpot(fixedInput, 1);
  const halfThree = (1 << 28) + (1 << 27);
  let x = 1 << 28;
  for (let i = 0; i < 5; i++) {
    const x3 = srmpot(srdhm32(srdhm32(x, x), x), 6, 32); // Rescale<3>(F9)
    x = srmpot(wrap(srdhm32(halfThree, x) - srdhm32(halfInput, x3), 32), 3, 32); // Rescale<3>(F6)
  }
  x = srdhm32(x, 1518500250); // × sqrt(2)/2
  let outShift = shift;
  if (outShift < 0) {
    x = wrap(x * 2 ** -outShift, 32);
    outShift = 0;
  }
  return { multiplier: x, shift: outShift * reverseShift };
}

/**
 * Integer layer normalization (TFLite PortableApplyLayerNorm / AOSP ApplyLayerNorm): mean ×1024,
 * variance through 2^20 / n (exact only for power-of-two n), normalized × γ + bias, rounded /1024,
 * rescaled by the layer-norm scale × 2^12 into Q3.12, saturated to int16. In place over `rows` rows.
 */
export function applyLayerNorm(
  data: Int16Array | number[],
  offset: number,
  n: number,
  weights: ArrayLike<number>,
  bias: ArrayLike<number>,
  scale: QMultiplier,
  varianceLimit: number,
  rounding: (v: number) => number = layerNormRound,
): void {
  let sum = 0;
  let sumSq = 0;
  for (let j = 0; j < n; j++) {
    const v = data[offset + j]!;
    sum += v;
    sumSq += v * v;
  }
  const mean = Math.trunc((sum * 1024) / n);
  const temp = Math.trunc((1 << 20) / n);
  const variance = BigInt(sumSq) * BigInt(temp) - BigInt(mean) * BigInt(mean);
  let variance2 = Number(variance / (1n << 20n));
  if (variance2 < 1) variance2 = varianceLimit;
  const inv = invSqrtQuantizedMultiplierExp(variance2, -1);
  for (let j = 0; j < n; j++) {
    const v = data[offset + j]!;
    const shifted = wrap(1024 * v - mean, 32);
    const rescaled = mbqm(shifted, inv.multiplier, inv.shift);
    const val3 = rescaled * weights[j]! + bias[j]!;
    const val4 = wrap(rounding(val3), 32);
    const val5 = mbqm(val4, scale.multiplier, scale.shift + 12);
    data[offset + j] = sat16(val5);
  }
}

/** The layer norm's /1024 rounding: ties away from zero ((v ± 512) / 1024 truncated). */
export function layerNormRound(v: number): number {
  return Math.trunc((v > 0 ? v + 512 : v - 512) / 1024);
}

/** AOSP / TFLite CheckedLog2 in float: the rounded log2 and whether x is a power of two within 1e-3. */
export function checkedLog2(x: number): { log2: number; exact: boolean } {
  const f = Math.fround;
  const l = f(f(Math.log(f(x))) * f(1 / f(Math.log(2))));
  const r = Math.round(l) === l + 0.5 && l < 0 ? Math.round(l) - 1 : Math.round(l); // std::round: half away from zero
  return { log2: r, exact: Math.abs(l - r) < 1e-3 };
}

// ---- tflite-micro int16 sigmoid / tanh (lookup table with linear interpolation) ----

/**
 * sigmoid(i/24) in 0.16 fixed point, i = 0…255: the table of tflite-micro
 * tensorflow/lite/kernels/internal/common.h (`sigmoid_table_uint16`), commit
 * 90b983c2b3f1480642e040bbd2ddb37b998f3424 (transcribed numbers).
 */
export const SIGMOID_TABLE_UINT16: readonly number[] = Object.freeze([
  32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255,
  46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174,
  56503, 56823, 57133, 57433, 57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110, 61279, 61441,
  61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835,
  63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308, 64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845,
  64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258,
  65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367, 65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425,
  65429, 65433, 65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
  65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513, 65514, 65515, 65516, 65517, 65517, 65518,
  65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524, 65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529,
  65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533, 65533, 65533,
  65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
]);

/** The LUT kernels' input scaling: (x·multiplier + round) >> shift; multiplier 0 means the power-of-two case 3 << shift. */
function lutInput(x: number, inputMultiplier: number, inputLeftShift: number): number {
  let mult = inputMultiplier;
  let shift = inputLeftShift;
  if (mult === 0) {
    mult = 3 * 2 ** shift;
    shift = 0;
  }
  const round = shift > 0 ? 2 ** (shift - 1) : 0;
  return Math.floor((x * mult + round) / 2 ** shift);
}

/** The sigmoid table interpolated at |v| with 2^bits steps per segment; `saturated` past its end. */
function lutInterpolate(absV: number, bits: number, saturated: number): number {
  const seg = 2 ** bits;
  const uh = Math.floor(absV / seg);
  if (uh >= 255) return saturated;
  const ua = SIGMOID_TABLE_UINT16[uh]!;
  const ub = SIGMOID_TABLE_UINT16[uh + 1]!;
  return ua * seg + (absV & (seg - 1)) * (ub - ua);
}

/**
 * tflite-micro reference_integer_ops::Logistic (int16): Q3.12 in (power-of-two case, multiplier 3),
 * interpolated table lookup, Q0.15 out.
 */
export function lutSigmoid(x: number, inputMultiplier = 0, inputLeftShift = 0): number {
  const v = lutInput(x, inputMultiplier, inputLeftShift);
  const r = lutInterpolate(Math.abs(v), 9, 0x7fff * 1024);
  const result = v >= 0 ? r + 512 : 2 ** 25 - r + 512 - 1;
  return wrap(Math.floor(result / 1024), 16);
}

/**
 * tflite-micro reference_integer_ops::Tanh (int16): (x·multiplier + round) >> shift, interpolated
 * table lookup (tanh(x) = 2σ(2x) − 1), Q0.15 out. Multiplier 0 means the power-of-two case 3 << shift.
 */
export function lutTanh(x: number, inputMultiplier: number, inputLeftShift: number): number {
  const v = lutInput(x, inputMultiplier, inputLeftShift);
  const r = lutInterpolate(Math.abs(v), 8, 0xffff * 256);
  const result = v >= 0 ? r - 2 ** 23 + 2 ** 7 : -r + 2 ** 23 + 2 ** 7 - 1;
  return wrap(Math.floor(result / 256), 16);
}

/** tflite-micro lstm_internal::Tanh for a cell state of scale 2^power (or the gate: power −12). */
export function lutTanhOfScale(x: number, power: number): number {
  let shift = 15 + power - 3;
  let mult = 0;
  if (shift < 0) {
    shift = -shift;
    mult = 3;
  }
  return lutTanh(x, mult, shift);
}
