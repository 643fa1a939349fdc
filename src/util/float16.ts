/**
 * IEEE 754 binary16 ("half") conversion.
 *
 * Rounding is done once, from the exact double value, to nearest with ties to even. Going through
 * Math.fround first would round twice (double → float32 → half) and can land on the wrong side of
 * a half-precision midpoint, so we never do that.
 */

const HALF_INFINITY = 0x7c00;
const HALF_QUIET_NAN = 0x7e00;
const HALF_SIGN = 0x8000;
/** Smallest magnitude that rounds to infinity: the midpoint between 65504 and 2^16 (tie → even → 2^16). */
const HALF_OVERFLOW_THRESHOLD = 65520;
/** Smallest normal half, 2^-14. */
const HALF_MIN_NORMAL = 2 ** -14;

// Shared view to read a double's exponent without Math.log2 (which is inexact near powers of two).
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian: high word is [1]

/** Round a non-negative double that is < 2^53 to an integer, ties to even. */
function roundHalfEven(q: number): number {
  const fl = Math.floor(q);
  const diff = q - fl; // exact: q and fl share the exponent range
  if (diff > 0.5) return fl + 1;
  if (diff < 0.5) return fl;
  return fl % 2 === 0 ? fl : fl + 1;
}

/** Unbiased binary exponent of a positive, normal, finite double. */
function exponentOf(a: number): number {
  f64[0] = a;
  return ((u32[HI]! >>> 20) & 0x7ff) - 1023;
}

/** The binary16 bit pattern nearest to x (ties to even). NaN → 0x7e00; overflow → ±Infinity. */
export function toFloat16Bits(x: number): number {
  if (Number.isNaN(x)) return HALF_QUIET_NAN;
  const sign = x < 0 || Object.is(x, -0) ? HALF_SIGN : 0;
  const a = Math.abs(x);
  if (a >= HALF_OVERFLOW_THRESHOLD) return sign | HALF_INFINITY;
  if (a < HALF_MIN_NORMAL) {
    // Subnormal: value = m · 2^-24. Scaling by a power of two is exact; m = 1024 lands on the
    // smallest normal, whose bit pattern is exactly 0x0400, so no special case is needed.
    return sign | roundHalfEven(a * 2 ** 24);
  }
  let e = exponentOf(a);
  let m = roundHalfEven(a * 2 ** (10 - e)); // in [1024, 2048]
  if (m === 2048) {
    m = 1024;
    e += 1;
  }
  // a < 65520 guarantees e ≤ 15 here, so the biased exponent never reaches 31.
  return sign | ((e + 15) << 10) | (m - 1024);
}

/** The value of a binary16 bit pattern (low 16 bits of h). */
export function fromFloat16Bits(h: number): number {
  const sign = h & HALF_SIGN ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

/** x rounded to the nearest binary16 value (as a double; exactly representable in float32). */
export function roundToFloat16(x: number): number {
  return fromFloat16Bits(toFloat16Bits(x));
}

/** Round every element to binary16 in place; returns the same array. */
export function roundArrayToFloat16<T extends Float32Array | Float64Array | number[]>(a: T): T {
  for (let k = 0; k < a.length; k++) a[k] = roundToFloat16(a[k]!);
  return a;
}
