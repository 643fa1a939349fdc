/**
 * The golden file: one positive case (spec/schema/golden.schema.json, spec/model-format.md),
 * and its canonical text form — stable key order, one operand per line — so that regenerating
 * a file gives identical bytes and diffs stay readable.
 */
import type { Model, Operand, Operation, Provenance } from '../model/model.js';
import type { CaseFeatures, Group } from './features.js';
import type { CriterionName } from './tolerance.js';

export interface GoldenFile {
  $schema?: string;
  name: string;
  description: string;
  operation: string;
  group?: Exclude<Group, 'validation'>;
  features: CaseFeatures;
  provenance: Provenance;
  tolerance: CriterionName;
  model: Model;
}

/** Path of the schema as written into golden/<dir>/<file>.json. */
export const GOLDEN_SCHEMA_REF = '../../spec/schema/golden.schema.json';

const OPERAND_KEYS = ['index', 'name', 'role', 'type', 'dimensions', 'scale', 'zeroPoint', 'lifetime', 'isIgnored', 'omitted', 'values'] as const;
const MODEL_KEYS = ['operands', 'operations', 'inputIndexes', 'outputIndexes', 'isRelaxed', 'minSupportedVersion', 'expectFailure'] as const;
const GOLDEN_KEYS = ['$schema', 'name', 'description', 'operation', 'group', 'features', 'provenance', 'tolerance', 'model'] as const;

/** Copy of `o` with `keys` first (in that order, when present), then any other keys sorted. */
function ordered<T extends object>(o: T, keys: readonly string[]): T {
  const src = o as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of keys) if (src[k] !== undefined) out[k] = src[k];
  for (const k of Object.keys(src).sort()) if (!(k in out) && src[k] !== undefined) out[k] = src[k];
  return out as T;
}

export function canonicalOperand(op: Operand): Operand {
  return ordered(op, OPERAND_KEYS);
}

export function canonicalOperation(op: Operation): Operation {
  return ordered(op, ['type', 'inputs', 'outputs']);
}

export function canonicalModel(m: Model): Model {
  const c = ordered(m, MODEL_KEYS);
  c.operands = m.operands.map(canonicalOperand);
  c.operations = m.operations.map(canonicalOperation);
  return c;
}

export function canonicalGolden(g: GoldenFile): GoldenFile {
  const c = ordered(g, GOLDEN_KEYS);
  c.model = canonicalModel(g.model);
  return c;
}

function num(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`cannot write the non-finite number ${n} to JSON`);
  return Object.is(n, -0) ? '-0' : JSON.stringify(n);
}

function isPrimitive(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

function inline(v: unknown): string {
  if (typeof v === 'number') return num(v);
  if (isPrimitive(v)) return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}: ${inline(x)}`).join(', ')}}`;
}

/**
 * JSON text with 2-space indentation in which arrays of primitives, and every object or array
 * nested `inlineDepth` levels deep or more, are written on one line.
 */
export function stableJson(v: unknown, inlineDepth = 3, depth = 0): string {
  if (isPrimitive(v) || depth >= inlineDepth) return inline(v);
  const pad = '  '.repeat(depth + 1);
  const end = '  '.repeat(depth);
  if (Array.isArray(v)) {
    if (v.length === 0 || v.every(isPrimitive)) return inline(v);
    return `[\n${v.map((x) => pad + stableJson(x, inlineDepth, depth + 1)).join(',\n')}\n${end}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, x]) => `${pad}${JSON.stringify(k)}: ${stableJson(x, inlineDepth, depth + 1)}`).join(',\n')}\n${end}}`;
}

/** The canonical text of a golden file (ends with a newline). */
export function renderGolden(g: GoldenFile): string {
  return stableJson(canonicalGolden(g)) + '\n';
}
