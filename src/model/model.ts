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
  /** Position in `Model.operands`; must equal the array index. */
  index: number;
  /** Operand name from the model spec; informative. */
  name: string;
  /** The operand's role in its operation (e.g. "input_to_forget_weights"); informative only. */
  role?: string;
  /** NNAPI OperandCode name, e.g. `TENSOR_FLOAT32`, `INT32`. */
  type: OperandTypeName;
  /** Shape, e.g. `[batch, num_units]`; `[]` for a scalar; 0 = unknown extent. */
  dimensions: number[];
  /** Quantization scale (real = scale × (q − zeroPoint)); 0 for float and non-quantized operands. */
  scale: number;
  /** Quantization zero point; 0 for float and symmetric types. */
  zeroPoint: number;
  /** How the operand gets its value: a model input or output, a constant, or NO_VALUE (omitted). */
  lifetime: Lifetime;
  /** Outputs only: produced, but neither its values nor its dimensions are compared (AOSP IgnoredOutput). */
  isIgnored: boolean;
  /** Constant value, the example's input value (empty = omitted input) or the expected output, row-major. */
  values: number[];
  /** Explicitly omitted (true) or present (false), overriding the empty-values convention; see the interface note. */
  omitted?: boolean;
}

/** The NNAPI operation names nnlstm specifies and runs. */
export type OperationType =
  | 'LSTM'
  | 'UNIDIRECTIONAL_SEQUENCE_LSTM'
  | 'BIDIRECTIONAL_SEQUENCE_LSTM'
  | 'QUANTIZED_LSTM'
  | 'QUANTIZED_16BIT_LSTM';

/** One operation of a model: its NNAPI type and its operands by index, in the operation's own order. */
export interface Operation {
  /** NNAPI OperationCode name; any string so that models of other operations load and can be rejected by validation. */
  type: OperationType | string;
  /** Operand indexes of the operation's inputs, in NNAPI order (e.g. LSTM input 0 = `input`). */
  inputs: number[];
  /** Operand indexes of the operation's outputs, in NNAPI order. */
  outputs: number[];
}

/** Where a model (and its expected values) came from. */
export interface Provenance {
  /** e.g. "aosp-cts", "tflite-runtime", "float64-derivation", "user". */
  kind: string;
  [key: string]: unknown;
}

/**
 * An NNAPI model with one example, in nnlstm's JSON form (spec/model-format.md): operands (constants, the
 * example's inputs and expected outputs), operations, and the model's input and output lists. Get one
 * from {@link parseModel}, {@link buildModel} or a conformance case.
 */
export interface Model {
  /** Every operand; `operands[i].index === i`. */
  operands: Operand[];
  /** The model's operations (nnlstm models have exactly one). */
  operations: Operation[];
  /** Model inputs (SUBGRAPH_INPUT operands), in the order execute() takes their values. */
  inputIndexes: number[];
  /** Model outputs (SUBGRAPH_OUTPUT operands), in order. */
  outputIndexes: number[];
  /** relaxComputationFloat32toFloat16: float32 may run at float16 precision; outputs are judged with the float16 criterion. */
  isRelaxed?: boolean;
  /** AOSP's minSupportedVersion (V1_0 … V1_3, UNKNOWN) when known. */
  minSupportedVersion?: string;
  /** True when execution is expected to fail (AOSP harness flag). */
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

/**
 * A copy of the model with an execution's input values in place of its example values (inputs in
 * `model.inputIndexes` order; null omits that input). Drivers that compile the model with its inputs baked in
 * (the TFLite and ONNX Runtime ones) build from this.
 */
export function withInputValues(model: Model, inputs: readonly InputValue[]): Model {
  const m = structuredClone(model);
  m.inputIndexes.forEach((idx, k) => {
    const o = m.operands[idx]!;
    const v = inputs[k];
    if (v === null || v === undefined) {
      o.values = [];
      o.omitted = true;
    } else {
      o.values = Array.from(v);
      if (o.omitted === true && o.values.length > 0) o.omitted = false;
    }
  });
  return m;
}
