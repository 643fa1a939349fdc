import type { OperandTypeName } from './operand-types.js';

/** Operand lifetimes (NNAPI OperandLifeTime). NO_VALUE marks an omitted optional operand. */
export type Lifetime =
  | 'SUBGRAPH_INPUT'
  | 'SUBGRAPH_OUTPUT'
  | 'CONSTANT_COPY'
  | 'CONSTANT_REFERENCE'
  | 'TEMPORARY_VARIABLE'
  | 'NO_VALUE';

/**
 * One operand of an NNAPI model, in the JSON form of ../shared/vectors/aosp.
 * `values` holds constants, the example's input values, or the expected output values.
 * An input with empty `values` is omitted (passed as setInput(nullptr, 0)).
 * Float16 values are decimals; they are rounded to binary16 when read.
 */
export interface Operand {
  index: number;
  name: string;
  /** The operand's role in its operation (e.g. "input_to_forget_weights"); informative only. */
  role?: string;
  type: OperandTypeName;
  dimensions: number[];
  scale: number;
  zeroPoint: number;
  lifetime: Lifetime;
  isIgnored: boolean;
  values: number[];
  omitted?: boolean;
}

export type OperationType =
  | 'LSTM'
  | 'UNIDIRECTIONAL_SEQUENCE_LSTM'
  | 'BIDIRECTIONAL_SEQUENCE_LSTM'
  | 'QUANTIZED_LSTM'
  | 'QUANTIZED_16BIT_LSTM';

export interface Operation {
  type: OperationType | string;
  inputs: number[];
  outputs: number[];
}

/** Where a model (and its expected values) came from. */
export interface Provenance {
  /** e.g. "aosp-cts", "tflite-runtime", "float64-derivation", "user". */
  kind: string;
  [key: string]: unknown;
}

export interface Model {
  operands: Operand[];
  operations: Operation[];
  inputIndexes: number[];
  outputIndexes: number[];
  isRelaxed?: boolean;
  /** AOSP's minSupportedVersion (V1_0 … V1_3, UNKNOWN) when known. */
  minSupportedVersion?: string;
  expectFailure?: boolean;
  [key: string]: unknown;
}

/** The value of one model input, aligned with model.inputIndexes. `null` = omitted. */
export type InputValue = ArrayLike<number> | null;

/**
 * True when the operand carries no value: NO_VALUE lifetime, an explicit `omitted` flag,
 * or (AOSP's convention) a model input with empty values. A zero-sized input that is
 * meant to be present says `omitted: false`.
 */
export function isOmitted(op: Operand): boolean {
  if (op.lifetime === 'NO_VALUE') return true;
  if (op.omitted !== undefined) return op.omitted;
  return op.lifetime === 'SUBGRAPH_INPUT' && op.values.length === 0;
}
