/**
 * Element-wise comparison of ONNX LSTM outputs with the NNAPI harness's float32 criterion
 * (|actual − expected| ≤ atol + rtol·|expected|, src/conformance/tolerance.ts): expected is the reference.
 */
import { errorRatio, FLOAT32_CRITERION, type Criterion } from '../conformance/tolerance.js';
import type { OnnxLstmOutputs } from '../ops/onnx-lstm/types.js';

/** The worst differences between two tensors (or sets of tensors). */
export interface ErrorStats {
  /** max |actual − expected| (NaN when an element is NaN). */
  maxAbsError: number;
  /** max |actual − expected| / |expected| over elements with expected ≠ 0. */
  maxRelError: number;
  /** max error / allowed error; ≤ 1 passes. */
  maxRatio: number;
  /** Elements compared. */
  elements: number;
  /** Elements outside the criterion. */
  failing: number;
}

/** Stats of no elements (the identity of {@link mergeStats}). */
export const NO_ERROR: Readonly<ErrorStats> = Object.freeze({ maxAbsError: 0, maxRelError: 0, maxRatio: 0, elements: 0, failing: 0 });

/** Compares `actual` with `expected` element by element (both are stored as float32 first, as the harness does). */
export function compareTensors(expected: ArrayLike<number>, actual: ArrayLike<number>, c: Criterion = FLOAT32_CRITERION): ErrorStats {
  if (expected.length !== actual.length) return { maxAbsError: Number.POSITIVE_INFINITY, maxRelError: Number.POSITIVE_INFINITY, maxRatio: Number.POSITIVE_INFINITY, elements: 0, failing: 1 };
  let maxAbsError = 0;
  let maxRelError = 0;
  let maxRatio = 0;
  let failing = 0;
  for (let k = 0; k < expected.length; k++) {
    const e = Math.fround(expected[k]!);
    const a = Math.fround(actual[k]!);
    const err = Math.abs(a - e);
    if (Number.isNaN(err)) maxAbsError = Number.NaN;
    else if (err > maxAbsError) maxAbsError = err;
    if (e !== 0 && err / Math.abs(e) > maxRelError) maxRelError = err / Math.abs(e);
    const r = errorRatio(a, e, c);
    if (r > maxRatio) maxRatio = r;
    if (r > 1) failing++;
  }
  return { maxAbsError, maxRelError, maxRatio, elements: expected.length, failing };
}

/** The worst of two stats. */
export function mergeStats(a: ErrorStats, b: ErrorStats): ErrorStats {
  const max = (x: number, y: number) => (Number.isNaN(x) || Number.isNaN(y) ? Number.NaN : Math.max(x, y));
  return { maxAbsError: max(a.maxAbsError, b.maxAbsError), maxRelError: max(a.maxRelError, b.maxRelError), maxRatio: Math.max(a.maxRatio, b.maxRatio), elements: a.elements + b.elements, failing: a.failing + b.failing };
}

/** ONNX LSTM outputs compared by name; only the names listed (default Y, Y_h, Y_c). */
export function compareLstmOutputs(
  expected: Partial<OnnxLstmOutputs>,
  actual: Partial<OnnxLstmOutputs>,
  names: readonly (keyof OnnxLstmOutputs)[] = ['Y', 'Y_h', 'Y_c'],
): { total: ErrorStats; byOutput: Partial<Record<keyof OnnxLstmOutputs, ErrorStats>> } {
  let total: ErrorStats = { ...NO_ERROR };
  const byOutput: Partial<Record<keyof OnnxLstmOutputs, ErrorStats>> = {};
  for (const n of names) {
    const e = expected[n];
    const a = actual[n];
    if (!e || !a) continue;
    const s = compareTensors(e.data, a.data);
    byOutput[n] = s;
    total = mergeStats(total, s);
  }
  return { total, byOutput };
}

/** A number for a person: 3 significant digits, exponent form when small or large. */
export function fmtNumber(x: number | null | undefined): string {
  if (x === null || x === undefined) return '-';
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(3) : x.toExponential(2);
}
