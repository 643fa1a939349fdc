/**
 * Per-element error profile of a positive case: |actual − expected| / allowed error for every
 * element of every compared output (the quantity the pass criterion bounds by 1), plus the worst
 * elements. The HTML report plots it; the JSON report carries it when asked for.
 */
import type { OutputValue } from '../drivers/driver.js';
import type { Model } from '../model/model.js';
import { storeAs, type ExpectedOutput } from './compare.js';
import { allowedError, criterionFor, errorRatio } from './tolerance.js';

export interface WorstEntry {
  flatIndex: number;
  actual: number;
  expected: number;
  /** |actual − expected| / allowed; Infinity for NaN. */
  ratio: number;
  allowed: number;
}

export interface OutputErrorProfile {
  index: number;
  name: string;
  criterion: string;
  /** One ratio per element, row-major (4 significant digits). */
  ratios: number[];
  /** Up to WORST_COUNT elements, worst first. */
  worst: WorstEntry[];
}

export const WORST_COUNT = 5;

const round4 = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(4)) : x);

/**
 * The profile of `actual` against `expected` (default: the values in the model's output operands).
 * Outputs that are ignored, missing, or whose element count differs are left out.
 */
export function errorProfile(model: Model, actual: readonly OutputValue[], expected?: ReadonlyMap<number, ExpectedOutput>): OutputErrorProfile[] {
  const out: OutputErrorProfile[] = [];
  for (const idx of model.outputIndexes) {
    const op = model.operands[idx];
    if (!op || op.isIgnored) continue;
    const a = actual.find((o) => o.index === idx);
    const e = expected?.get(idx) ?? { dimensions: op.dimensions, values: op.values };
    if (!a || a.values.length !== e.values.length) continue;
    const c = criterionFor(model, op);
    const ratios: number[] = [];
    const entries: WorstEntry[] = [];
    for (let k = 0; k < e.values.length; k++) {
      const ev = storeAs(op.type, e.values[k]!);
      const av = a.values[k]!;
      const r = errorRatio(av, ev, c);
      ratios.push(round4(r));
      entries.push({ flatIndex: k, actual: av, expected: ev, ratio: r, allowed: allowedError(ev, c) });
    }
    entries.sort((x, y) => y.ratio - x.ratio || x.flatIndex - y.flatIndex);
    out.push({ index: idx, name: op.name, criterion: c.name, ratios, worst: entries.slice(0, WORST_COUNT) });
  }
  return out;
}
