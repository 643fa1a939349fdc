import type { FeatureLevel, OperandTypeName } from '../model/operand-types.js';
import { SPEC_DOCUMENTS } from '../model/data.generated.js';

/** Typed view of spec/<OP>.json (format: spec/schema/operation-spec.schema.json). */
export interface SpecOperandType {
  type: OperandTypeName;
  variant: string;
  since: FeatureLevel;
}

/** One input or output of an operation as its spec defines it. */
export interface SpecOperand {
  /** Position in the operation's inputs (or outputs). */
  index: number;
  /** NNAPI name, e.g. `input_to_forget_weights`; the key of named inputs and outputs. */
  name: string;
  /** Tensor or scalar. */
  kind: 'tensor' | 'scalar';
  /** What the operand is for (`input_weights`, `bias`, `state`, `parameter`, …). */
  role: string;
  /** Tensor rank; 0 for a scalar. */
  rank: number;
  /** Shape in spec symbols, e.g. `['num_units', 'input_size']` (symbols: `ResolvedSpec.symbols`). */
  shape: string[];
  /** Whether the operand may be omitted. */
  presence: 'required' | 'optional';
  /** The optional group it belongs to (`cifg`, `peephole`, `projection`, `layer_norm`, …). */
  group?: string;
  /** Feature level that introduced the operand. */
  since: FeatureLevel;
  /** Its operand type per variant, with the feature level of each. */
  types: SpecOperandType[];
  /** Scalars: the values allowed (e.g. activation 0, 1, 3, 4, 6). */
  allowedValues?: number[];
  /** Scalars: a name per allowed value (`{ "4": "tanh" }`). */
  valueNames?: Record<string, string>;
  /** Scalars: the least value allowed (e.g. 0 for cell_clip). */
  minimum?: number;
  /** What it holds, for a person. */
  description: string;
}

/** A validation rule; its id is the `rule` of a {@link Violation}. */
export interface SpecRule {
  /** Stable id, e.g. `LSTM.cifg.all_or_none`. */
  id: string;
  /** When NNAPI checks it: building the model, preparing it, or executing it. */
  phase: 'build' | 'prepare' | 'execute';
  /** Names of the operands it is about. */
  operands: string[];
  /** The rule, for a person. */
  description: string;
  /** The AOSP file that states or enforces it. */
  source: string;
  /** Whether AOSP's code enforces the documented rule. */
  aosp: 'enforced' | 'not-enforced' | 'differs';
  /** How AOSP's code departs from the documentation (unless `aosp` is `enforced`). */
  departure?: string;
}

/** Where AOSP's or TFLite's code computes something else than the documentation says, and what the suite does about it. */
export interface SpecDeviation {
  /** Stable id, e.g. `activation-none-cell-gate`. */
  id: string;
  /** The difference, for a person. */
  description: string;
  /** What the documentation says (e.g. `m_t = o ⊙ C_t`). */
  documented: string;
  /** What the code computes. */
  implemented: string;
  /** The source files where it shows. */
  source: string[];
  /** Case features under which it applies (e.g. `{ activation: 0 }`). */
  appliesWhen: Record<string, unknown>;
  /** Which behaviour the suite expects, and how a driver that follows the code is reported. */
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
  /** NNAPI operation name. */
  operation: string;
  /** ANeuralNetworksOperationType code. */
  code: number;
  /** The NNAPI constant, e.g. `ANEURALNETWORKS_LSTM`. */
  title: string;
  /** One paragraph on what the operation computes. */
  summary: string;
  /** The documents and code the spec was written from. */
  sources: { repo: string; path: string; what: string }[];
  /** Shape symbols and where their value comes from (`num_units` → `N: dim 0 of input_to_output_weights`). */
  symbols: Record<string, string>;
  /** The allowed input/output counts, with the feature level of each. */
  signatures: { inputs: number; outputs: number; featureLevel: FeatureLevel; description?: string }[];
  /** Type variants by id (`float32`, `float16`, `int8`, …): the `input` type and its feature level. */
  variants: { id: string; inputType: OperandTypeName; featureLevel: FeatureLevel }[];
  /** When a model needs each feature level. */
  featureLevels: { level: FeatureLevel; when: string }[];
  inputs: SpecOperand[];
  outputs: SpecOperand[];
  /** Optional operand groups (CIFG, peephole, projection, layer norm, …): members, meaning and rules. */
  groups: { id: string; name: string; operands: string[]; description: string; rules: string[] }[];
  /** The computation, one formula per line. */
  computation?: string[];
  rules: SpecRule[];
  /** Rules of a reused spec that apply here (resolved specs list them in `rules` too, with `sharedFrom`). */
  sharedRules?: SharedRule[];
  /** Other specs whose operands and rules this one reuses. */
  reuses?: { spec: string; what: string }[];
  /** Known differences between AOSP/TFLite code and the documentation. */
  deviations: SpecDeviation[];
}

/** A rule as a resolved spec lists it: own rules, and shared ones marked with where they come from. */
export interface ResolvedRule extends SpecRule {
  sharedFrom?: string;
  scope?: string;
}

/** An operation's spec as {@link getSpec} returns it: `spec/<OP>.json` with operands and rules of reused specs resolved in place. */
export interface ResolvedSpec extends Omit<OperationSpec, 'inputs' | 'outputs' | 'rules'> {
  /** Inputs by index; `from` names the spec an operand was taken from. */
  inputs: (SpecOperand & { from?: string })[];
  /** Outputs by index. */
  outputs: (SpecOperand & { from?: string })[];
  /** Own rules, then shared rules marked `sharedFrom`. */
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
