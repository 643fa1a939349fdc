/**
 * Conformance cases: every golden/**\/*.json (positive: execute and compare) and every
 * conformance/negative/**\/*.json (negative: the driver must reject at prepare).
 * Golden files are checked against spec/schema/golden.schema.json and for internal consistency
 * at load time; a bad file is a ModelFileError naming the file and the JSON pointer.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { isOmitted, type Model, type Provenance } from '../model/model.js';
import { checkModelStructure, checkSchema, escapePointer, ModelFileError, readJsonFile } from '../model/load.js';
import { fromRoot } from '../util/paths.js';
import { featureTags, modelFeatures, primaryGroup, safeModelFeatures, type CaseFeatures, type Group } from './features.js';
import type { GoldenFile } from './golden-format.js';
import { modelToleranceName, type CriterionName } from './tolerance.js';

interface CaseBase {
  /** Stable id: path below golden/ (positive) or 'negative/' + path below conformance/negative/, without .json. */
  id: string;
  /** File it was read from. */
  file: string;
  name: string;
  description: string;
  /** The feature group the case is summarised under. */
  group: Group;
  /** Every feature group the case exercises. */
  tags: Group[];
  features: CaseFeatures;
  model: Model;
}

export interface PositiveCase extends CaseBase {
  kind: 'positive';
  provenance: Provenance;
  tolerance: CriterionName;
}

export interface NegativeCase extends CaseBase {
  kind: 'negative';
  provenance?: Provenance;
  /** The rule the model breaks. */
  expectedRule: string;
  operandIndex?: number;
}

export type Case = PositiveCase | NegativeCase;

/** All *.json below `dir`, sorted by relative path; [] when the folder is absent. */
export function listJsonFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.json')) out.push(p);
    }
  };
  walk(dir);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function idFrom(dir: string, file: string): string {
  return relative(dir, file).split('\\').join('/').replace(/\.json$/, '');
}

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
  const stem = basename(file).replace(/\.json$/, '');
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

/** Reads one golden file as a positive case. `goldenDir` is the base for the id. */
export function loadGoldenCase(file: string, goldenDir = fromRoot('golden')): PositiveCase {
  const data = readJsonFile(file);
  checkSchema('golden', data, file);
  const g = data as GoldenFile;
  checkGoldenConsistency(g, file);
  const tags = featureTags(g.features, g.model);
  return {
    id: idFrom(goldenDir, file),
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

/** Reads one negative case file. `negativeDir` is the base for the id. */
export function loadNegativeCase(file: string, negativeDir = fromRoot('conformance', 'negative')): NegativeCase {
  const data = readJsonFile(file);
  checkSchema('negative-case', data, file);
  const n = data as NegativeFile;
  const c: NegativeCase = {
    id: `negative/${idFrom(negativeDir, file)}`,
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

export interface LoadCasesOptions {
  /** Default: golden/ of the package. */
  goldenDir?: string;
  /** Default: conformance/negative/ of the package. */
  negativeDir?: string;
}

/** Every case, positives first, each kind sorted by path. Throws ModelFileError on the first bad file. */
export function loadCases(opts: LoadCasesOptions = {}): Case[] {
  const goldenDir = opts.goldenDir ?? fromRoot('golden');
  const negativeDir = opts.negativeDir ?? fromRoot('conformance', 'negative');
  const positives = listJsonFiles(goldenDir).map((f) => loadGoldenCase(f, goldenDir));
  const negatives = listJsonFiles(negativeDir).map((f) => loadNegativeCase(f, negativeDir));
  const all: Case[] = [...positives, ...negatives];
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
 * any other string is a case-insensitive substring of the id.
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
