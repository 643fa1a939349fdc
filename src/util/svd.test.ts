import { describe, expect, it } from 'vitest';
import { energyFraction, rankForEnergy, reconstruct, svd } from './svd.js';

/** Deterministic pseudo-random matrix (xorshift32) in [-1, 1). */
function matrix(m: number, n: number, seed: number): Float64Array {
  let x = seed >>> 0 || 1;
  const out = new Float64Array(m * n);
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x / 2 ** 31 - 1;
  }
  return out;
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
};

describe('svd (one-sided Jacobi, float64)', () => {
  it('diagonal matrix: singular values are the sorted absolute diagonal', () => {
    const d = svd([3, 0, 0, 0, -5, 0, 0, 0, 1], 3, 3);
    expect(Array.from(d.s)).toEqual([5, 3, 1]);
  });

  it('known 2 × 3 matrix: σ² are the eigenvalues of AAᵀ (25, 9)', () => {
    // A = [[3, 2, 2], [2, 3, -2]]: AAᵀ = [[17, 8], [8, 17]] → σ² = 25, 9.
    const d = svd([3, 2, 2, 2, 3, -2], 2, 3);
    expect(d.s[0]).toBeCloseTo(5, 13);
    expect(d.s[1]).toBeCloseTo(3, 13);
    expect(maxAbs(reconstruct(d), [3, 2, 2, 2, 3, -2])).toBeLessThan(1e-14);
  });

  it('tall 360 × 20 (the mnist stacked shape): reconstruction and orthonormality to ~1e-13', () => {
    const a = matrix(360, 20, 7);
    const d = svd(a, 360, 20);
    expect(maxAbs(reconstruct(d), a)).toBeLessThan(1e-13);
    for (let p = 0; p < d.k; p++) {
      for (let q = 0; q < d.k; q++) {
        let uu = 0;
        let vv = 0;
        for (let i = 0; i < d.m; i++) uu += d.u[i * d.k + p]! * d.u[i * d.k + q]!;
        for (let i = 0; i < d.n; i++) vv += d.v[i * d.k + p]! * d.v[i * d.k + q]!;
        expect(Math.abs(uu - (p === q ? 1 : 0))).toBeLessThan(1e-13);
        expect(Math.abs(vv - (p === q ? 1 : 0))).toBeLessThan(1e-13);
      }
    }
  });

  it('rank-deficient: trailing singular values are ~0 and U columns for σ = 0 are zero', () => {
    // Rows 1 and 2 are multiples of row 0 → rank 1.
    const d = svd([1, 2, 2, 4, 3, 6], 3, 2);
    expect(d.s[0]).toBeCloseTo(Math.sqrt(70), 12);
    expect(d.s[1]!).toBeLessThan(1e-14);
    expect(maxAbs(reconstruct(d, 1), [1, 2, 2, 4, 3, 6])).toBeLessThan(1e-14);
  });

  it('rejects bad shapes and non-finite values', () => {
    expect(() => svd([1, 2, 3], 2, 2)).toThrow(RangeError);
    expect(() => svd([1, Number.NaN], 1, 2)).toThrow(/non-finite/);
    expect(() => svd([], 0, 0)).toThrow(/bad shape/);
  });

  it('energy: rankForEnergy is the smallest rank reaching the fraction', () => {
    const s = [4, 2, 1, 1]; // energies 16, 4, 1, 1 of 22
    expect(energyFraction(s, 1)).toBeCloseTo(16 / 22, 15);
    expect(rankForEnergy(s, 16 / 22)).toBe(1);
    expect(rankForEnergy(s, 0.8)).toBe(2);
    expect(rankForEnergy(s, 21 / 22)).toBe(3);
    expect(rankForEnergy(s, 1)).toBe(4);
    expect(() => rankForEnergy(s, 0)).toThrow(RangeError);
    expect(() => rankForEnergy(s, 1.5)).toThrow(RangeError);
  });
});
