import { describe, expect, it } from 'vitest';
import { fromFloat16Bits, roundArrayToFloat16, roundToFloat16, toFloat16Bits } from './float16.js';

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The next double toward +Infinity (x finite, x > 0). */
function nextUp(x: number): number {
  f64[0] = x;
  u64[0] = u64[0]! + 1n;
  return f64[0];
}
/** The next double toward 0 (x finite, x > 0). */
function nextDown(x: number): number {
  f64[0] = x;
  u64[0] = u64[0]! - 1n;
  return f64[0];
}

const isNaNPattern = (h: number): boolean => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;

describe('float16', () => {
  it('round-trips all 65,536 bit patterns (NaNs stay NaN)', () => {
    let nans = 0;
    for (let h = 0; h < 0x10000; h++) {
      const v = fromFloat16Bits(h);
      if (isNaNPattern(h)) {
        expect(Number.isNaN(v)).toBe(true);
        expect(Number.isNaN(roundToFloat16(v))).toBe(true);
        nans++;
        continue;
      }
      const back = toFloat16Bits(v);
      if (back !== h) expect.fail(`0x${h.toString(16)} → ${v} → 0x${back.toString(16)}`);
      // Every half is exactly a float32.
      if (!Object.is(Math.fround(v), v)) expect.fail(`0x${h.toString(16)} not exact in float32`);
    }
    expect(nans).toBe(2 * 1023);
  });

  it('rounds every midpoint between adjacent halves to the even one, and ±1ulp around it to the nearer', () => {
    for (const sign of [0, 0x8000]) {
      // The last pair (0x7bff, Infinity) has no finite midpoint; 65520 is covered in 'range edges'.
      for (let h = sign; h < sign + 0x7bff; h++) {
        const lo = fromFloat16Bits(h);
        const hi = fromFloat16Bits(h + 1);
        const mid = (lo + hi) / 2; // exact: halves have 11 significant bits
        const even = h % 2 === 0 ? h : h + 1;
        const got = toFloat16Bits(mid);
        if (got !== even) expect.fail(`midpoint ${mid} of 0x${h.toString(16)}/0x${(h + 1).toString(16)} → 0x${got.toString(16)}`);
        const m = Math.abs(mid);
        const s = sign ? -1 : 1;
        // Toward larger magnitude → the pattern with the larger magnitude (h + 1), and vice versa.
        if (toFloat16Bits(s * nextUp(m)) !== h + 1) expect.fail(`just above midpoint of 0x${h.toString(16)}`);
        if (toFloat16Bits(s * nextDown(m)) !== h) expect.fail(`just below midpoint of 0x${h.toString(16)}`);
      }
    }
  });

  it('handles the range edges', () => {
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(fromFloat16Bits(0x7bff)).toBe(65504);
    expect(toFloat16Bits(nextDown(65520))).toBe(0x7bff);
    expect(toFloat16Bits(65520)).toBe(0x7c00);
    expect(toFloat16Bits(-65520)).toBe(0xfc00);
    expect(toFloat16Bits(1e10)).toBe(0x7c00);
    expect(toFloat16Bits(Infinity)).toBe(0x7c00);
    expect(toFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(roundToFloat16(70000)).toBe(Infinity);
    // Subnormals.
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(fromFloat16Bits(0x0001)).toBe(2 ** -24);
    expect(toFloat16Bits(2 ** -25)).toBe(0x0000); // half of the smallest subnormal: tie → even (0)
    expect(toFloat16Bits(nextUp(2 ** -25))).toBe(0x0001);
    expect(toFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // 1.5 ulp → tie → even (2)
    expect(toFloat16Bits(-(2 ** -26))).toBe(0x8000);
    expect(Object.is(roundToFloat16(-(2 ** -26)), -0)).toBe(true);
    expect(toFloat16Bits(2 ** -14)).toBe(0x0400);
    expect(toFloat16Bits(nextDown(2 ** -14))).toBe(0x0400); // rounds up into the normals
    expect(toFloat16Bits(1023 * 2 ** -24)).toBe(0x03ff);
    // Signed zeros and NaN.
    expect(toFloat16Bits(0)).toBe(0x0000);
    expect(toFloat16Bits(-0)).toBe(0x8000);
    expect(Number.isNaN(roundToFloat16(NaN))).toBe(true);
    expect(toFloat16Bits(NaN)).toBe(0x7e00);
    // Common values.
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(roundToFloat16(0.1)).toBe(0.0999755859375);
    expect(roundToFloat16(1 / 3)).toBe(0.333251953125);
  });

  it('rounds once from the exact double (no float32 double rounding)', () => {
    // 1 + 2^-11 is the midpoint between 1 and 1 + 2^-10; a tiny excess makes it round up.
    // Via float32 the excess is lost (→ exact tie → even → 1), which would be wrong.
    const x = 1 + 2 ** -11 + 2 ** -40;
    expect(Math.fround(x)).toBe(1 + 2 ** -11);
    expect(toFloat16Bits(x)).toBe(0x3c01);
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    // Same near the bottom of the subnormals.
    expect(toFloat16Bits(2 ** -25 + 2 ** -60)).toBe(0x0001);
  });

  it('roundArrayToFloat16 rounds in place', () => {
    const a = new Float32Array([0.1, 65520, -1e-9, 1.0009765625]);
    const r = roundArrayToFloat16(a);
    expect(r).toBe(a);
    expect(Array.from(a)).toEqual([0.0999755859375, Infinity, -0, 1.0009765625]);
    const b = [1 / 3];
    roundArrayToFloat16(b);
    expect(b[0]).toBe(0.333251953125);
  });
});
