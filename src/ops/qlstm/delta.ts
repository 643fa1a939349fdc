/**
 * Delta execution of the integer LSTM's recurrent products (opt-in; issue #17).
 *
 * W_h·h_t = W_h·h_{t−1} + W_h·(h_t − h_{t−1}): the int32 accumulator of every gate row is kept
 * across steps and updated only from the columns where the quantized recurrent input changed.
 * Integer addition is exact and wrapping to int32 commutes with it (both sides are the same
 * residue mod 2^32 in [−2^31, 2^31)), so the accumulators equal the full path's
 * wrap(bias − zp·rowsum + Σ h·W) bit for bit, and everything after the matmul is unchanged.
 *
 * The state belongs to one op's weights; it detects other weights (identity of the recurrent
 * weight arrays, values of the zero-point-folded bias) and then recomputes in full. Weights are
 * assumed not to be mutated in place while a state refers to them.
 */
import type { IntegerCellParams, IntegerKernel, IntGate } from './cell.js';

const GATES: readonly IntGate[] = ['input', 'forget', 'cell', 'output'];

/** Counters of the recurrent work a delta state did (multiply-adds are per weight element). */
export interface DeltaCounters {
  /** Steps run through the state. */
  steps: number;
  /** Steps that recomputed the accumulators in full (the first one, or after a weight change). */
  fullSteps: number;
  /** Recurrent-input columns (batch row × element) that changed and were applied. */
  changedColumns: number;
  /** Recurrent-input columns seen in delta steps (changed or not). */
  seenColumns: number;
  /** Multiply-adds done in the recurrent products. */
  macs: number;
  /** Multiply-adds the full path would have done for the same steps. */
  fullMacs: number;
}

/** Carries the recurrent accumulators of one integer LSTM from step to step. */
export interface RecurrentDeltaState {
  /** The recurrent input the accumulators hold the products of, [B·O]; null before the first step. */
  h: Int32Array | null;
  /** Per gate acc[b·N + r] = wrap32(biasH[r] + Σ_c h[b,c]·W_h[r,c]); null for the CIFG input gate. */
  acc: Record<IntGate, Int32Array | null>;
  /** Scratch lists of the changed columns of one row and their differences. */
  scratch: { idx: Int32Array; d: Int32Array };
  /** What the accumulators were computed for. */
  key: { wh: Record<IntGate, ArrayLike<number> | null>; biasH: Record<IntGate, Int32Array | null>; B: number; N: number; O: number } | null;
  counters: DeltaCounters;
  /**
   * The recurrent input's zero point, when known. Then a fresh state starts at h = zp everywhere, whose
   * accumulators are exactly 0 (biasH = −zp·rowsum(W_h), checked), so even the first step is a delta step.
   */
  zeroPoint?: number;
}

/**
 * A fresh delta state. Without `zeroPoint` the first step computes the recurrent products in full; with it
 * (the recurrent input's zero point) the state starts from the zero state and every step is a delta step.
 */
export function createDeltaState(opts: { zeroPoint?: number } = {}): RecurrentDeltaState {
  const none = () => ({ input: null, forget: null, cell: null, output: null });
  const s: RecurrentDeltaState = { h: null, acc: none(), scratch: { idx: new Int32Array(0), d: new Int32Array(0) }, key: null, counters: { steps: 0, fullSteps: 0, changedColumns: 0, seenColumns: 0, macs: 0, fullMacs: 0 } };
  if (opts.zeroPoint !== undefined) s.zeroPoint = opts.zeroPoint;
  return s;
}

/** Row sums of W_h per weight array (checked once per weights, not per state). */
const ROW_SUMS = new WeakMap<object, { N: number; O: number; sums: Float64Array }>();

function rowSums(w: ArrayLike<number>, N: number, O: number): Float64Array {
  const hit = ROW_SUMS.get(w as object);
  if (hit && hit.N === N && hit.O === O) return hit.sums;
  const sums = new Float64Array(N);
  for (let r = 0; r < N; r++) {
    let a = 0;
    for (let c = 0; c < O; c++) a += w[r * O + c]!;
    sums[r] = a;
  }
  ROW_SUMS.set(w as object, { N, O, sums });
  return sums;
}

/**
 * Starts a fresh state at h = zp (every element): acc = wrap32(biasH + zp·rowsum(W_h)), which is 0 when the
 * bias is the zero-point fold −zp·rowsum(W_h) (as both integer references build it). Returns false, doing
 * nothing, when some biasH is not that fold (then the caller recomputes in full).
 */
function startAtZeroPoint(s: RecurrentDeltaState, p: IntegerCellParams, zp: number): boolean {
  const { B, N, O } = p;
  for (const g of GATES) {
    const gp = p.gates[g];
    if (!gp) continue;
    const sums = rowSums(gp.wh, N, O);
    for (let r = 0; r < N; r++) if (((gp.biasH[r]! + zp * sums[r]!) | 0) !== 0) return false;
  }
  const key: NonNullable<RecurrentDeltaState['key']> = { wh: { input: null, forget: null, cell: null, output: null }, biasH: { input: null, forget: null, cell: null, output: null }, B, N, O };
  for (const g of GATES) {
    const gp = p.gates[g];
    s.acc[g] = gp ? new Int32Array(B * N) : null;
    if (gp) {
      key.wh[g] = gp.wh;
      key.biasH[g] = Int32Array.from(gp.biasH);
    }
  }
  s.key = key;
  s.h = new Int32Array(B * O).fill(zp);
  return true;
}

const sameInt32 = (a: Int32Array | null, b: Int32Array | null) => {
  if (a === null || b === null) return a === b;
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
};

function matches(s: RecurrentDeltaState, p: IntegerCellParams): boolean {
  const k = s.key;
  if (!k || k.B !== p.B || k.N !== p.N || k.O !== p.O || !s.h) return false;
  for (const g of GATES) {
    const gp = p.gates[g];
    if ((gp?.wh ?? null) !== k.wh[g] || !sameInt32(gp?.biasH ?? null, k.biasH[g])) return false;
  }
  return true;
}

/** Full recomputation: acc = wrap32(biasH + W_h·h), int32 accumulation. */
function recompute(s: RecurrentDeltaState, p: IntegerCellParams, h: ArrayLike<number>): void {
  const { B, N, O } = p;
  const key: NonNullable<RecurrentDeltaState['key']> = { wh: { input: null, forget: null, cell: null, output: null }, biasH: { input: null, forget: null, cell: null, output: null }, B, N, O };
  for (const g of GATES) {
    const gp = p.gates[g];
    if (!gp) {
      s.acc[g] = null;
      continue;
    }
    const w = gp.wh;
    const acc = new Int32Array(B * N);
    for (let b = 0; b < B; b++) {
      for (let r = 0; r < N; r++) {
        let a = gp.biasH[r]!;
        for (let c = 0; c < O; c++) a += h[b * O + c]! * w[r * O + c]!;
        a |= 0;
        acc[b * N + r] = a;
      }
    }
    s.acc[g] = acc;
    key.wh[g] = w;
    key.biasH[g] = Int32Array.from(gp.biasH);
  }
  s.key = key;
  s.h = Int32Array.from(h);
  const gates = GATES.filter((g) => p.gates[g]).length;
  s.counters.fullSteps++;
  s.counters.macs += gates * B * N * O;
}

/**
 * Brings the accumulators to the recurrent input `h` [B·O]: in full on the first step (or for other
 * weights), else by adding d·W_h[:, c] for every column c where h changed (d = h − h_prev).
 */
export function advanceDeltaState(s: RecurrentDeltaState, p: IntegerCellParams, h: ArrayLike<number>): void {
  const { B, N, O } = p;
  const gates = GATES.filter((g) => p.gates[g]);
  s.counters.steps++;
  s.counters.fullMacs += gates.length * B * N * O;
  if (!matches(s, p)) {
    const fresh = s.key === null;
    if (!(fresh && s.zeroPoint !== undefined && startAtZeroPoint(s, p, s.zeroPoint))) {
      recompute(s, p, h);
      return;
    }
  }
  const prev = s.h!;
  const accs = gates.map((g) => s.acc[g]!);
  const ws = gates.map((g) => p.gates[g]!.wh);
  const G = gates.length;
  const idx = s.scratch.idx.length >= O ? s.scratch.idx : (s.scratch.idx = new Int32Array(O));
  const dv = s.scratch.d.length >= O ? s.scratch.d : (s.scratch.d = new Int32Array(O));
  let changed = 0;
  for (let b = 0; b < B; b++) {
    // Gather the changed columns of this row, then add Σ_j d_j·W[r, c_j] per row r: the row sum stays in a
    // register (exact in a double: |Σ| < 2^31 + O·255·128 < 2^53) and is wrapped to int32 once.
    let k = 0;
    for (let c = 0; c < O; c++) {
      const d = h[b * O + c]! - prev[b * O + c]!;
      if (d === 0) continue;
      idx[k] = c;
      dv[k] = d;
      k++;
      prev[b * O + c] = h[b * O + c]!;
    }
    changed += k;
    if (k === 0) continue;
    const row = b * N;
    for (let g = 0; g < G; g++) {
      const acc = accs[g]!;
      const w = ws[g]!;
      for (let r = 0; r < N; r++) {
        const base = r * O;
        let a = acc[row + r]!;
        for (let j = 0; j < k; j++) a += dv[j]! * w[base + idx[j]!]!;
        acc[row + r] = a | 0;
      }
    }
  }
  s.counters.changedColumns += changed;
  s.counters.seenColumns += B * O;
  s.counters.macs += changed * gates.length * N;
}

/** gate += f(acc) as the kernel's recurrent matmulAccumulate would, given the int32 accumulators. */
export type AccumulatorApply = (kernel: IntegerKernel, gate: Int16Array, acc: Int32Array, m: { multiplier: number; shift: number }, B: number, N: number) => void;
