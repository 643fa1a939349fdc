import fc from 'fast-check';
import { describe, it } from 'vitest';
import { reconstruct, svd } from './svd.js';

/** A random m × n matrix with entries in [-10, 10] (some rows scaled down to make the spectrum spread). */
const matrices = fc
  .record({ m: fc.integer({ min: 1, max: 12 }), n: fc.integer({ min: 1, max: 12 }) })
  .chain(({ m, n }) =>
    fc
      .array(fc.double({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true }), { minLength: m * n, maxLength: m * n })
      .map((a) => ({ m, n, a: Float64Array.from(a) })),
  );

function frob(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

describe('svd properties', () => {
  it('U·Σ·Vᵀ reconstructs A (to 1e-12 relative to ‖A‖_F)', () => {
    fc.assert(
      fc.property(matrices, ({ m, n, a }) => {
        const d = svd(a, m, n);
        const r = reconstruct(d);
        let err = 0;
        for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(r[i]! - a[i]!));
        return err <= 1e-12 * Math.max(1, frob(a));
      }),
      { numRuns: 200 },
    );
  });

  it('singular values are non-negative and non-increasing', () => {
    fc.assert(
      fc.property(matrices, ({ m, n, a }) => {
        const { s } = svd(a, m, n);
        for (let i = 0; i < s.length; i++) {
          if (!(s[i]! >= 0)) return false;
          if (i > 0 && s[i]! > s[i - 1]!) return false;
        }
        return true;
      }),
      { numRuns: 200 },
    );
  });

  it('Eckart–Young: the rank-r truncation error ‖A − A_r‖_F² equals the dropped energy Σ_{i≥r} σ_i²', () => {
    fc.assert(
      fc.property(matrices, fc.integer({ min: 0, max: 12 }), ({ m, n, a }, r0) => {
        const d = svd(a, m, n);
        const r = Math.min(r0, d.k);
        const ar = reconstruct(d, r);
        let err2 = 0;
        for (let i = 0; i < a.length; i++) err2 += (a[i]! - ar[i]!) ** 2;
        let dropped = 0;
        for (let i = r; i < d.k; i++) dropped += d.s[i]! ** 2;
        return Math.abs(err2 - dropped) <= 1e-10 * Math.max(1, frob(a) ** 2);
      }),
      { numRuns: 200 },
    );
  });
});
