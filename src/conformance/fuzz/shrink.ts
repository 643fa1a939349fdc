/**
 * Shrinking a failing case description to a minimal one that still fails the same way: greedy,
 * first improvement wins, over the description (features off, simpler variant and activation,
 * plain values, then smaller sizes and fewer steps), until no single step keeps the failure or
 * the budget of evaluations is spent. Each accepted step is recorded (the shrink path).
 */
import type { FuzzCase, FuzzFeatures, FuzzSizes } from './generator.js';

export interface ShrinkStep {
  label: string;
  apply: (c: FuzzCase) => FuzzCase;
}

/** Restores the description's invariants after a step (output = units without projection, …). */
export function normalizeCase(c: FuzzCase): FuzzCase {
  const f = { ...c.features };
  const s = { ...c.sizes };
  if (!f.projection) {
    f.projectionBias = false;
    f.projClip = false;
    s.output = s.units;
    s.bwOutput = s.bwUnits;
  }
  if (c.op === 'QUANTIZED_LSTM') f.projectionBias = f.projection;
  if (c.op === 'QUANTIZED_16BIT_LSTM') s.units = s.output;
  if (f.linking === 'none') s.auxInput = s.input;
  if (c.op !== 'BIDIRECTIONAL_SEQUENCE_LSTM') {
    s.bwUnits = s.units;
    s.bwOutput = s.output;
  }
  return { ...c, features: f, sizes: s };
}

const FEATURE_STEPS: { key: keyof FuzzFeatures; off: FuzzFeatures[keyof FuzzFeatures]; label: string }[] = [
  { key: 'layerNorm', off: false, label: 'no layer norm' },
  { key: 'peephole', off: false, label: 'no peephole' },
  { key: 'projection', off: false, label: 'no projection' },
  { key: 'projectionBias', off: false, label: 'no projection bias' },
  { key: 'cifg', off: false, label: 'no CIFG' },
  { key: 'cellClip', off: false, label: 'no cell clip' },
  { key: 'projClip', off: false, label: 'no projection clip' },
  { key: 'linking', off: 'none', label: 'no aux input' },
  { key: 'merge', off: false, label: 'outputs not merged' },
  { key: 'stateOutputs', off: false, label: 'no state outputs' },
  { key: 'timeMajor', off: false, label: 'batch-major' },
  { key: 'saturate', off: false, label: 'ordinary values' },
  { key: 'nonZeroState', off: false, label: 'zero initial state' },
  { key: 'activation', off: 4, label: 'activation tanh' },
];

const SIZE_KEYS: (keyof FuzzSizes)[] = ['time', 'batch', 'units', 'output', 'input', 'auxInput', 'bwUnits', 'bwOutput'];

/** Candidate steps from `c`, simplest first. */
export function shrinkSteps(c: FuzzCase): ShrinkStep[] {
  const steps: ShrinkStep[] = [];
  for (const s of FEATURE_STEPS) {
    if (c.features[s.key] === s.off) continue;
    steps.push({ label: s.label, apply: (x) => normalizeCase({ ...x, features: { ...x.features, [s.key]: s.off } }) });
  }
  if (c.features.linking === 'cross') steps.push({ label: 'parallel linking', apply: (x) => normalizeCase({ ...x, features: { ...x.features, linking: 'parallel' } }) });
  if (c.variant === 'float16' || c.variant === 'relaxed') steps.push({ label: 'float32', apply: (x) => ({ ...x, variant: 'float32' }) });
  for (const key of SIZE_KEYS) {
    const v = c.sizes[key];
    const targets = [...new Set([1, 2, Math.ceil(v / 2), v - 1])].filter((t) => t >= 1 && t < v).sort((a, b) => a - b);
    for (const t of targets) steps.push({ label: `${key} ${v}→${t}`, apply: (x) => normalizeCase({ ...x, sizes: { ...x.sizes, [key]: t } }) });
  }
  return steps;
}

const sameCase = (a: FuzzCase, b: FuzzCase) => JSON.stringify(a) === JSON.stringify(b);

export interface ShrinkResult {
  case: FuzzCase;
  path: string[];
  evaluations: number;
}

/**
 * Shrinks `start` while `stillFails` holds. `stillFails` is called at most `budget` times.
 */
export async function shrinkCase(start: FuzzCase, stillFails: (c: FuzzCase) => Promise<boolean>, budget = 200): Promise<ShrinkResult> {
  let current = start;
  const path: string[] = [];
  let evaluations = 0;
  let improved = true;
  while (improved && evaluations < budget) {
    improved = false;
    for (const step of shrinkSteps(current)) {
      const candidate = step.apply(current);
      if (sameCase(candidate, current)) continue;
      if (evaluations >= budget) break;
      evaluations++;
      if (await stillFails(candidate)) {
        current = candidate;
        path.push(step.label);
        improved = true;
        break;
      }
    }
  }
  return { case: current, path, evaluations };
}
