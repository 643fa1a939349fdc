/**
 * Conformance cases from their documents: a golden file (spec/schema/golden.schema.json) is a positive
 * case (execute and compare), a negative case file (negative-case.schema.json) one the driver must reject
 * at prepare. Runs anywhere; src/conformance/cases.ts reads the documents from the package's folders, and
 * the `nnlstm/suite` entry ships them as a module. A bad document is a ModelFileError naming its path and
 * the JSON pointer.
 */
import { isOmitted, type Model, type Provenance } from '../model/model.js';
import { checkModelStructure, checkSchema, escapePointer, ModelFileError } from '../model/load.js';
import { featureTags, modelFeatures, primaryGroup, safeModelFeatures, type CaseFeatures, type Group } from './features.js';
import type { GoldenFile } from './golden-format.js';
import { modelToleranceName, type CriterionName } from './tolerance.js';

interface CaseBase {
  /** Stable id: path below golden/ (positive) or 'negative/' + path below conformance/negative/, without .json. */
  id: string;
  /** File it was read from. */
  file: string;
  /** The document's `name` (its file name without .json). */
  name: string;
  /** What the case checks, for a person. */
  description: string;
  /** The feature group the case is summarised under. */
  group: Group;
  /** Every feature group the case exercises. */
  tags: Group[];
  /** The operation and variant features the case exercises. */
  features: CaseFeatures;
  /** The model, with the example's input values and (positive cases) expected output values. */
  model: Model;
}

/** A case the driver must run: prepare, execute on the model's input values, compare with the expected outputs. */
export interface PositiveCase extends CaseBase {
  /** Discriminant. */
  kind: 'positive';
  /** Where the expected values come from (`aosp-cts`, `tflite-runtime`, `float64-derivation`, …). */
  provenance: Provenance;
  /** The comparison criterion: `float32`, `float16`, `integer` (±1) or `integer-exact`. */
  tolerance: CriterionName;
}

/** A case the driver must refuse at prepare with BAD_DATA: the model breaks one spec rule. */
export interface NegativeCase extends CaseBase {
  /** Discriminant. */
  kind: 'negative';
  /** Where the case comes from, when recorded. */
  provenance?: Provenance;
  /** The rule the model breaks. */
  expectedRule: string;
  /** Model operand index the broken rule is about, when it is about one. */
  operandIndex?: number;
}

/** A conformance case: run it with {@link runConformance}; get cases from `suiteCases()` (`nnlstm/suite`), {@link casesFromDocuments} or `loadCases()` (`nnlstm/node`). */
export type Case = PositiveCase | NegativeCase;

/** One case file's parsed JSON and the path it is known by, e.g. `golden/aosp/lstm.json` or `conformance/negative/LSTM.x.json`. */
export interface CaseDocument {
  /** Path below the package root; it decides the kind (`golden/…` positive, `conformance/negative/…` negative) and the case id. */
  path: string;
  /** The parsed JSON (golden.schema.json or negative-case.schema.json). */
  data: unknown;
}

/** The part of a path after its last '/', without '.json'. */
const stemOf = (file: string): string => (file.split(/[\\/]/).pop() ?? file).replace(/\.json$/, '');

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Deep equality for feature values (nested per-direction cells), independent of key order. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Checks a golden file beyond its schema: name, operation, structure, value counts, tolerance, features. */
export function checkGoldenConsistency(g: GoldenFile, file: string): void {
  const stem = stemOf(file);
  if (g.name !== stem) throw new ModelFileError(file, 'structure', `name "${g.name}" differs from the file name "${stem}"`, '/name');
  const m = g.model;
  checkModelStructure(m, file, '/model');
  const opType = m.operations[0]?.type;
  if (m.operations.length !== 1 || opType !== g.operation) {
    throw new ModelFileError(file, 'structure', `operation "${g.operation}" but the model holds ${m.operations.map((o) => o.type).join(', ') || 'no operation'}`, '/operation');
  }
  m.operands.forEach((o, i) => {
    const isOut = o.lifetime === 'SUBGRAPH_OUTPUT';
    if ((isOut && o.isIgnored) || isOmitted(o)) return;
    if (o.lifetime === 'TEMPORARY_VARIABLE') return;
    const n = product(o.dimensions);
    if (o.values.length !== n) {
      throw new ModelFileError(file, 'structure', `${o.values.length} values for dimensions [${o.dimensions.join(',')}] (${n} elements)`, `/model/operands/${i}/values`);
    }
  });
  const tol = modelToleranceName(m);
  if (g.tolerance !== tol) throw new ModelFileError(file, 'structure', `tolerance "${g.tolerance}" but the model implies "${tol}"`, '/tolerance');
  let computed: CaseFeatures;
  try {
    computed = modelFeatures(m);
  } catch (e) {
    throw new ModelFileError(file, 'structure', `cannot read the model's features: ${(e as Error).message}`, '/model');
  }
  for (const [k, v] of Object.entries(computed)) {
    const declared = (g.features as Record<string, unknown>)[k];
    if (declared !== undefined && !sameValue(declared, v)) {
      throw new ModelFileError(file, 'structure', `features.${k} is ${JSON.stringify(declared)} but the model gives ${JSON.stringify(v)}`, `/features/${escapePointer(k)}`);
    }
  }
}

/** A positive case from a golden document; `id` is its path below golden/ without .json. */
export function goldenCase(data: unknown, id: string, file: string): PositiveCase {
  checkSchema('golden', data, file);
  const g = data as GoldenFile;
  checkGoldenConsistency(g, file);
  const tags = featureTags(g.features, g.model);
  return {
    id,
    kind: 'positive',
    file,
    name: g.name,
    description: g.description,
    group: g.group ?? primaryGroup(tags),
    tags,
    features: g.features,
    provenance: g.provenance,
    tolerance: g.tolerance,
    model: g.model,
  };
}

interface NegativeFile {
  name: string;
  rule: string;
  operandIndex?: number;
  description: string;
  provenance?: Provenance;
  model: Model;
}

/** A negative case from its document; `id` is 'negative/' + its path below conformance/negative/ without .json. */
export function negativeCase(data: unknown, id: string, file: string): NegativeCase {
  checkSchema('negative-case', data, file);
  const n = data as NegativeFile;
  const c: NegativeCase = {
    id,
    kind: 'negative',
    file,
    name: n.name,
    description: n.description,
    group: 'validation',
    tags: ['validation'],
    features: safeModelFeatures(n.model),
    model: n.model,
    expectedRule: n.rule,
  };
  if (n.provenance !== undefined) c.provenance = n.provenance;
  if (n.operandIndex !== undefined) c.operandIndex = n.operandIndex;
  return c;
}

const GOLDEN_PREFIX = 'golden/';
const NEGATIVE_PREFIX = 'conformance/negative/';

/**
 * Cases from documents known by their package paths (golden/… positive, conformance/negative/… negative):
 * positives first, each kind sorted by path. Throws ModelFileError on the first bad document or a repeated id.
 *
 * @example
 * ```ts
 * import { casesFromDocuments, runConformance, ReferenceDriver } from 'nnlstm';
 * const cases = casesFromDocuments([{ path: 'golden/mine/lstm-small.json', data: JSON.parse(text) }]);
 * const report = await runConformance(new ReferenceDriver(), cases);
 * ```
 */
export function casesFromDocuments(docs: readonly CaseDocument[]): Case[] {
  const byPath = [...docs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const positives: Case[] = [];
  const negatives: Case[] = [];
  for (const d of byPath) {
    const rel = d.path.split('\\').join('/');
    const id = rel.replace(/\.json$/, '');
    if (rel.startsWith(GOLDEN_PREFIX)) positives.push(goldenCase(d.data, id.slice(GOLDEN_PREFIX.length), d.path));
    else if (rel.startsWith(NEGATIVE_PREFIX)) negatives.push(negativeCase(d.data, `negative/${id.slice(NEGATIVE_PREFIX.length)}`, d.path));
    else throw new ModelFileError(d.path, 'structure', `not a case path: expected ${GOLDEN_PREFIX}… or ${NEGATIVE_PREFIX}…`);
  }
  return checkUniqueIds([...positives, ...negatives]);
}

/** Throws ModelFileError when two cases share an id. */
export function checkUniqueIds(all: Case[]): Case[] {
  const seen = new Map<string, string>();
  for (const c of all) {
    const prev = seen.get(c.id);
    if (prev) throw new ModelFileError(c.file, 'structure', `case id ${c.id} also used by ${prev}`);
    seen.set(c.id, c.file);
  }
  return all;
}

/**
 * Filter: a RegExp is tested against the id; a string "group:NAME" selects a group or feature tag;
 * any other string is a case-insensitive substring of the id. (RunOptions.filter applies the same test.)
 *
 * @example
 * ```ts
 * import { matchesFilter } from 'nnlstm';
 * import { suiteCases } from 'nnlstm/suite';
 * const peephole = suiteCases().filter((c) => matchesFilter(c, 'group:peephole'));
 * const aosp = suiteCases().filter((c) => matchesFilter(c, /^aosp\//));
 * ```
 */
export function matchesFilter(c: Case, filter: string | RegExp | undefined): boolean {
  if (filter === undefined || filter === '') return true;
  if (filter instanceof RegExp) {
    filter.lastIndex = 0;
    return filter.test(c.id);
  }
  if (filter.startsWith('group:')) {
    const g = filter.slice('group:'.length);
    return c.group === g || (c.tags as string[]).includes(g);
  }
  return c.id.toLowerCase().includes(filter.toLowerCase());
}
