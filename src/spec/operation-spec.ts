import { readFileSync } from 'node:fs';
import type { FeatureLevel, OperandTypeName } from '../model/operand-types.js';
import { fromRoot } from '../util/paths.js';

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
  deviations: SpecDeviation[];
}

export const SPEC_FILES: Record<string, string> = { LSTM: 'LSTM.json' };

const cache = new Map<string, OperationSpec>();

export function loadSpec(operation: string): OperationSpec {
  const hit = cache.get(operation);
  if (hit) return hit;
  const file = SPEC_FILES[operation];
  if (!file) throw new Error(`no spec for operation '${operation}' (known: ${Object.keys(SPEC_FILES).join(', ')})`);
  const spec = JSON.parse(readFileSync(fromRoot('spec', file), 'utf8')) as OperationSpec;
  cache.set(operation, spec);
  return spec;
}

export function ruleById(spec: OperationSpec, id: string): SpecRule {
  const r = spec.rules.find((x) => x.id === id);
  if (!r) throw new Error(`spec ${spec.operation} has no rule '${id}'`);
  return r;
}
