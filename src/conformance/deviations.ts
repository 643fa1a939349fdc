/**
 * Known deviations: documented departures of real implementations from the documented semantics
 * (conformance/policies/deviations.json, spec/schema/deviations.schema.json). When a positive case
 * fails, the runner asks each applicable deviation's oracle for the outputs under the deviation;
 * if the driver's outputs match those within tolerance, the case stays 'fail' but names it.
 */
import type { InputValue, OutputValue } from '../drivers/driver.js';
import type { Model } from '../model/model.js';
import { checkSchema } from '../model/load.js';
import { DEFAULT_DEVIATIONS_DOCUMENT } from '../model/data.generated.js';
import type { CaseFeatures } from './features.js';

export type FeatureScalar = number | string | boolean;

/**
 * A known, documented deviation of a runtime from the spec (conformance/policies/deviations.json): when a
 * failing case matches `appliesWhen` and the deviation's oracle reproduces the driver's outputs, the report
 * names it on the case. It never turns a failure into a pass.
 */
export interface Deviation {
  /** Stable id, e.g. `qlstm-hidden-zero-point-sign`. */
  id: string;
  /** What the runtime does differently. */
  description: string;
  /** Where the behaviour is documented or found (source file, issue). */
  source: string;
  /** Case features that must all match; an array matches any of its values. */
  appliesWhen: Record<string, FeatureScalar | FeatureScalar[]>;
  /** Oracle id (registerDeviationOracle); default: the deviation id. */
  explain?: string;
}

/** Outputs the model would produce under the deviation (same form as Driver.execute outputs). */
export type DeviationOracle = (model: Model, inputs: InputValue[]) => Promise<OutputValue[]> | OutputValue[];

const oracles = new Map<string, DeviationOracle>();

/** Registers (or replaces) the oracle of a deviation. */
export function registerDeviationOracle(id: string, oracle: DeviationOracle): void {
  oracles.set(id, oracle);
}

export function unregisterDeviationOracle(id: string): boolean {
  return oracles.delete(id);
}

export function deviationOracle(id: string): DeviationOracle | undefined {
  return oracles.get(id);
}

/** Where the built-in deviations policy comes from (shipped as a module: src/model/data.generated.ts). */
export const DEFAULT_DEVIATIONS_SOURCE = 'conformance/policies/deviations.json';

/**
 * Schema-checks a deviations document (ModelFileError naming `file` on failure); by default the
 * built-in policy, conformance/policies/deviations.json.
 *
 * @example
 * ```ts
 * import { loadDeviations, runConformance } from 'nnlstm';
 * for (const d of loadDeviations()) console.log(d.id, d.appliesWhen);   // the built-in policy
 * const report = await runConformance(driver, cases, { deviations: [] }); // name no deviations
 * ```
 */
export function loadDeviations(data: unknown = DEFAULT_DEVIATIONS_DOCUMENT, file = DEFAULT_DEVIATIONS_SOURCE): Deviation[] {
  checkSchema('deviations', data, file);
  const list = (data as { deviations: Deviation[] }).deviations;
  const ids = new Set<string>();
  for (const d of list) {
    if (ids.has(d.id)) throw new Error(`${file}: deviation id ${d.id} appears twice`);
    ids.add(d.id);
  }
  return list;
}

/** True when every appliesWhen entry matches the case features. */
export function deviationApplies(d: Deviation, features: CaseFeatures): boolean {
  const is = (want: FeatureScalar | FeatureScalar[], have: unknown) => (Array.isArray(want) ? want.some((w) => w === have) : want === have);
  // A bidirectional case keeps its per-direction cell features under fw / bw: a cell feature matches when either
  // direction has it.
  const cells = ['fw', 'bw'].map((k) => features[k]).filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null);
  return Object.entries(d.appliesWhen).every(([k, want]) => (k in features || cells.length === 0 ? is(want, features[k]) : cells.some((c) => is(want, c[k]))));
}
