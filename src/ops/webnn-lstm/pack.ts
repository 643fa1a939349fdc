/**
 * Packing per-gate tensors (NNAPI keeps one tensor per gate: i, f, c(=g), o) into WebNN's packed
 * [4H, K] blocks in `layout` order, and per-gate peepholes into WebNN's [3H] (i, o, f).
 */
import { GATE_BLOCKS, PEEPHOLE_BLOCKS } from './cell.js';
import type { WebnnLstmLayout } from './types.js';

/** Per-gate row-major blocks of equal length (H·K each). */
export interface PerGate<T = ArrayLike<number>> {
  i: T;
  f: T;
  g: T;
  o: T;
}

/** The four gate blocks concatenated in `layout` order. */
export function packGates(layout: WebnnLstmLayout, gates: PerGate): Float64Array {
  const len = gates.i.length;
  for (const k of ['f', 'g', 'o'] as const) if (gates[k].length !== len) throw new Error(`packGates: gate ${k} has ${gates[k].length} values, gate i has ${len}`);
  const out = new Float64Array(4 * len);
  const blocks = GATE_BLOCKS[layout];
  for (const k of ['i', 'f', 'g', 'o'] as const) out.set(Array.from(gates[k]), blocks[k] * len);
  return out;
}

/** The inverse of packGates. */
export function unpackGates(layout: WebnnLstmLayout, packed: ArrayLike<number>): PerGate<Float64Array> {
  const len = packed.length / 4;
  const blocks = GATE_BLOCKS[layout];
  const at = (b: number) => Float64Array.from({ length: len }, (_, k) => packed[b * len + k]!);
  return { i: at(blocks.i), f: at(blocks.f), g: at(blocks.g), o: at(blocks.o) };
}

/** Peepholes packed i, o, f ([3H]); a missing gate's block is zeros. */
export function packPeepholes(hiddenSize: number, p: { i?: ArrayLike<number> | null; f?: ArrayLike<number> | null; o?: ArrayLike<number> | null }): Float64Array {
  const out = new Float64Array(3 * hiddenSize);
  for (const k of ['i', 'o', 'f'] as const) {
    const v = p[k];
    if (v) out.set(Array.from(v), PEEPHOLE_BLOCKS[k] * hiddenSize);
  }
  return out;
}

/** The same packed rows re-ordered from one layout to another. */
export function relayout(from: WebnnLstmLayout, to: WebnnLstmLayout, packed: ArrayLike<number>): Float64Array {
  return packGates(to, unpackGates(from, packed));
}
