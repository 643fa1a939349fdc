/**
 * Thin singular value decomposition in float64 by one-sided (Hestenes) Jacobi rotations.
 *
 * Why our own and not an npm numeric library: the package ships three small runtime dependencies only, the
 * matrices here are small (an LSTM's stacked recurrent + consumer weights: a few hundred rows × n_output ≤ a few
 * hundred columns), and one-sided Jacobi is short, needs no bidiagonalisation, and is accurate to working
 * precision in the *relative* sense for every singular value (it orthogonalises columns directly), which is what
 * the energy criterion and the Eckart–Young error need.
 *
 * Method: for m ≥ n, rotate pairs of columns of W = A until all pairs are orthogonal (|wpᵀwq| ≤ tol·‖wp‖‖wq‖);
 * then σ_j = ‖w_j‖, u_j = w_j / σ_j and V is the product of the rotations. For m < n the transpose is
 * decomposed. Columns of U for σ_j = 0 are zero (the thin factorisation still reconstructs A).
 */

/** A thin SVD A = U · diag(s) · Vᵀ with k = min(m, n); matrices row-major. */
export interface Svd {
  /** Rows of A. */
  m: number;
  /** Columns of A. */
  n: number;
  /** min(m, n). */
  k: number;
  /** m × k, row-major; orthonormal columns where s > 0. */
  u: Float64Array;
  /** k singular values, non-increasing, ≥ 0. */
  s: Float64Array;
  /** n × k, row-major; orthonormal columns. */
  v: Float64Array;
  /** Jacobi sweeps used. */
  sweeps: number;
}

/** Options of {@link svd}. */
export interface SvdOptions {
  /** Stop after this many sweeps even if not converged (default 80; a sweep visits every column pair). */
  maxSweeps?: number;
  /** Orthogonality threshold relative to the column norms (default 1e-15). */
  tol?: number;
}

/**
 * Thin SVD of the row-major m × n matrix `a` (float64).
 *
 * @example
 * ```ts
 * const { s, u, v } = svd([3, 0, 0, 4], 2, 2); // s = [4, 3]
 * ```
 */
export function svd(a: ArrayLike<number>, m: number, n: number, opts: SvdOptions = {}): Svd {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 1 || n < 1) throw new RangeError(`svd: bad shape ${m} × ${n}`);
  if (a.length !== m * n) throw new RangeError(`svd: ${a.length} values for a ${m} × ${n} matrix`);
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) throw new RangeError(`svd: non-finite value at ${i}`);
  if (m >= n) return jacobi(a, m, n, false, opts);
  // Decompose Aᵀ (n × m, n > m) and swap the roles of U and V.
  const r = jacobi(a, n, m, true, opts);
  return { m, n, k: r.k, u: r.v, s: r.s, v: r.u, sweeps: r.sweeps };
}

/**
 * One-sided Jacobi on a tall matrix (rows ≥ cols). `transposed`: `a` is the row-major cols × rows matrix whose
 * transpose is decomposed.
 */
function jacobi(a: ArrayLike<number>, rows: number, cols: number, transposed: boolean, opts: SvdOptions): Svd {
  const maxSweeps = opts.maxSweeps ?? 80;
  const tol = opts.tol ?? 1e-15;
  // Column-major working copy: column j is w[j*rows .. (j+1)*rows).
  const w = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) w[j * rows + i] = transposed ? a[j * rows + i]! : a[i * cols + j]!;
  }
  const v = new Float64Array(cols * cols); // column-major too
  for (let j = 0; j < cols; j++) v[j * cols + j] = 1;

  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    let rotated = false;
    for (let p = 0; p < cols - 1; p++) {
      const po = p * rows;
      for (let q = p + 1; q < cols; q++) {
        const qo = q * rows;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < rows; i++) {
          const x = w[po + i]!;
          const y = w[qo + i]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        // The rotation that zeroes the (p, q) entry of WᵀW (Rutishauser's stable form).
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < rows; i++) {
          const x = w[po + i]!;
          const y = w[qo + i]!;
          w[po + i] = c * x - s * y;
          w[qo + i] = s * x + c * y;
        }
        const pv = p * cols;
        const qv = q * cols;
        for (let i = 0; i < cols; i++) {
          const x = v[pv + i]!;
          const y = v[qv + i]!;
          v[pv + i] = c * x - s * y;
          v[qv + i] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }

  const norms = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    let ss = 0;
    for (let i = 0; i < rows; i++) ss += w[j * rows + i]! ** 2;
    norms[j] = Math.sqrt(ss);
  }
  const order = Array.from({ length: cols }, (_, j) => j).sort((x, y) => norms[y]! - norms[x]! || x - y);
  const k = cols;
  const u = new Float64Array(rows * k);
  const vOut = new Float64Array(cols * k);
  const sOut = new Float64Array(k);
  order.forEach((j, c) => {
    const sigma = norms[j]!;
    sOut[c] = sigma;
    if (sigma > 0) for (let i = 0; i < rows; i++) u[i * k + c] = w[j * rows + i]! / sigma;
    for (let i = 0; i < cols; i++) vOut[i * k + c] = v[j * cols + i]!;
  });
  return { m: rows, n: cols, k, u, s: sOut, v: vOut, sweeps };
}

/** Σ_{i<r} s_i² / Σ s_i² (1 for an all-zero spectrum). */
export function energyFraction(s: ArrayLike<number>, r: number): number {
  let total = 0;
  let kept = 0;
  for (let i = 0; i < s.length; i++) {
    const e = s[i]! * s[i]!;
    total += e;
    if (i < r) kept += e;
  }
  return total === 0 ? 1 : kept / total;
}

/**
 * The smallest rank r ≥ 1 whose leading singular values hold at least fraction `e` (0 < e ≤ 1) of Σσ².
 * A relative slack of 1e-12 keeps e = 1 reachable despite rounding in the sums.
 */
export function rankForEnergy(s: ArrayLike<number>, e: number): number {
  if (!(e > 0 && e <= 1)) throw new RangeError(`energy fraction must be in (0, 1], got ${e}`);
  let total = 0;
  for (let i = 0; i < s.length; i++) total += s[i]! * s[i]!;
  if (total === 0) return 1;
  let kept = 0;
  for (let i = 0; i < s.length; i++) {
    kept += s[i]! * s[i]!;
    if (kept >= e * total * (1 - 1e-12)) return i + 1;
  }
  return s.length;
}

/** U_r · diag(s_r) · V_rᵀ (row-major m × n): the rank-r truncation of a decomposition. */
export function reconstruct(d: Svd, r = d.k): Float64Array {
  const out = new Float64Array(d.m * d.n);
  const rr = Math.min(r, d.k);
  for (let i = 0; i < d.m; i++) {
    for (let j = 0; j < d.n; j++) {
      let acc = 0;
      for (let c = 0; c < rr; c++) acc += d.u[i * d.k + c]! * d.s[c]! * d.v[j * d.k + c]!;
      out[i * d.n + j] = acc;
    }
  }
  return out;
}
