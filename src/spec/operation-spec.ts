import type { FeatureLevel, OperandTypeName } from '../model/operand-types.js';
import { SPEC_DOCUMENTS } from '../model/data.generated.js';

/** Typed view of spec/<OP>.json (format: spec/schema/operation-spec.schema.json). */
export interface SpecOperandType {
  type: OperandTypeName;
  variant: string;
  since: FeatureLevel;
}

export interface SpecOperand {
  index: number;
  name: string;
  kind: 'tensor' | 'scalar';
  role: string;
  rank: number;
  shape: string[];
  presence: 'required' | 'optional';
  group?: string;
  since: FeatureLevel;
  types: SpecOperandType[];
  allowedValues?: number[];
  valueNames?: Record<string, string>;
  minimum?: number;
  description: string;
}

export interface SpecRule {
  id: string;
  phase: 'build' | 'prepare' | 'execute';
  operands: string[];
  description: string;
  source: string;
  aosp: 'enforced' | 'not-enforced' | 'differs';
  departure?: string;
}

export interface SpecDeviation {
  id: string;
  description: string;
  documented: string;
  implemented: string;
  source: string[];
  appliesWhen: Record<string, unknown>;
  policy: string;
}

/** An operand defined by another spec (`ref` = "OP#name"), possibly with renamed shape symbols. */
export interface SpecOperandRef {
  index: number;
  name: string;
  ref: string;
  symbols?: Record<string, string>;
  presence?: 'required' | 'optional';
  description?: string;
}

export interface SharedRule {
  ref: string;
  scope: string;
  aosp?: SpecRule['aosp'];
  departure?: string;
}

export interface OperationSpec {
  operation: string;
  code: number;
  title: string;
  summary: string;
  sources: { repo: string; path: string; what: string }[];
  symbols: Record<string, string>;
  signatures: { inputs: number; outputs: number; featureLevel: FeatureLevel; description?: string }[];
  variants: { id: string; inputType: OperandTypeName; featureLevel: FeatureLevel }[];
  featureLevels: { level: FeatureLevel; when: string }[];
  inputs: SpecOperand[];
  outputs: SpecOperand[];
  groups: { id: string; name: string; operands: string[]; description: string; rules: string[] }[];
  computation?: string[];
  rules: SpecRule[];
  /** Rules of a reused spec that apply here (resolved specs list them in `rules` too, with `sharedFrom`). */
  sharedRules?: SharedRule[];
  reuses?: { spec: string; what: string }[];
  deviations: SpecDeviation[];
}

/** A rule as a resolved spec lists it: own rules, and shared ones marked with where they come from. */
export interface ResolvedRule extends SpecRule {
  sharedFrom?: string;
  scope?: string;
}

export interface ResolvedSpec extends Omit<OperationSpec, 'inputs' | 'outputs' | 'rules'> {
  inputs: (SpecOperand & { from?: string })[];
  outputs: (SpecOperand & { from?: string })[];
  rules: ResolvedRule[];
}

export const SPEC_FILES: Record<string, string> = {
  LSTM: 'LSTM.json',
  UNIDIRECTIONAL_SEQUENCE_LSTM: 'UNIDIRECTIONAL_SEQUENCE_LSTM.json',
  BIDIRECTIONAL_SEQUENCE_LSTM: 'BIDIRECTIONAL_SEQUENCE_LSTM.json',
  QUANTIZED_LSTM: 'QUANTIZED_LSTM.json',
  QUANTIZED_16BIT_LSTM: 'QUANTIZED_16BIT_LSTM.json',
};

let documents: Readonly<Record<string, unknown>> = SPEC_DOCUMENTS;
const rawCache = new Map<string, OperationSpec>();
const cache = new Map<string, ResolvedSpec>();

/** Generators only: read specs from these documents (spec/*.json as on disk) instead of the generated module. */
export function useSpecDocuments(docs: Readonly<Record<string, unknown>>): void {
  documents = docs;
  rawCache.clear();
  cache.clear();
}

/** The spec file as written (operands may be references). */
export function loadRawSpec(operation: string): OperationSpec {
  const hit = rawCache.get(operation);
  if (hit) return hit;
  const file = SPEC_FILES[operation];
  if (!file) throw new Error(`no spec for operation '${operation}' (known: ${Object.keys(SPEC_FILES).join(', ')})`);
  const spec = documents[file.replace(/\.json$/, '')] as OperationSpec | undefined;
  if (!spec) throw new Error(`spec data for '${operation}' is missing from src/model/data.generated.ts (run npm run gen)`);
  rawCache.set(operation, spec);
  return spec;
}

const isRef = (o: SpecOperand | SpecOperandRef): o is SpecOperandRef => 'ref' in o;

/** Resolves `OP#name` operand references and shared rules into a flat spec. */
function resolve(raw: OperationSpec): ResolvedSpec {
  const floor = Math.min(...raw.variants.map((v) => v.featureLevel)) as FeatureLevel;
  const operand = (o: SpecOperand | SpecOperandRef): SpecOperand & { from?: string } => {
    if (!isRef(o)) return o;
    const [op, name] = o.ref.split('#') as [string, string];
    const base = loadSpec(op).inputs.find((x) => x.name === name) ?? loadSpec(op).outputs.find((x) => x.name === name);
    if (!base) throw new Error(`spec ${raw.operation}: operand ${o.name} refers to unknown ${o.ref}`);
    const rename = (sym: string) => o.symbols?.[sym] ?? sym;
    const lift = (l: FeatureLevel) => Math.max(l, floor) as FeatureLevel;
    const resolved: SpecOperand & { from?: string } = {
      ...base,
      index: o.index,
      name: o.name,
      shape: base.shape.map(rename),
      since: lift(base.since),
      types: base.types.map((t) => ({ ...t, since: lift(t.since) })),
      from: o.ref,
    };
    if (o.presence) resolved.presence = o.presence;
    if (o.description) resolved.description = o.description;
    return resolved;
  };
  const shared: ResolvedRule[] = (raw.sharedRules ?? []).map((sr) => {
    const [op] = sr.ref.split('.') as [string];
    const base = loadSpec(op).rules.find((r) => r.id === sr.ref);
    if (!base) throw new Error(`spec ${raw.operation}: shared rule ${sr.ref} does not exist`);
    const r: ResolvedRule = { ...base, sharedFrom: op, scope: sr.scope };
    if (sr.aosp) r.aosp = sr.aosp;
    if (sr.departure) r.departure = sr.departure;
    return r;
  });
  return {
    ...raw,
    inputs: (raw.inputs as (SpecOperand | SpecOperandRef)[]).map(operand),
    outputs: (raw.outputs as (SpecOperand | SpecOperandRef)[]).map(operand),
    rules: [...raw.rules, ...shared],
  };
}

/** The resolved spec of an operation: every operand complete, shared rules listed. */
export function loadSpec(operation: string): ResolvedSpec {
  const hit = cache.get(operation);
  if (hit) return hit;
  const spec = resolve(loadRawSpec(operation));
  cache.set(operation, spec);
  return spec;
}

export function ruleById(spec: OperationSpec | ResolvedSpec, id: string): SpecRule {
  const r = spec.rules.find((x) => x.id === id);
  if (!r) throw new Error(`spec ${spec.operation} has no rule '${id}'`);
  return r;
}
