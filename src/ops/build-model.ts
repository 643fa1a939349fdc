/**
 * Builds a one-operation NNAPI model from operands given by role name (`input_to_forget_weights`, …):
 * the spec (spec/<OP>.json) supplies every position, operand type and omitted-operand slot, so no caller
 * counts indices. Tensors with values become constants; tensors without values become model inputs,
 * fed by name when the model runs.
 */
import type { Model, Operand, OperationType } from '../model/model.js';
import type { OperandTypeName } from '../model/operand-types.js';
import { loadSpec, type SpecOperand } from '../spec/operation-spec.js';

/** A tensor operand: its shape, and its values when it is a constant. */
export interface TensorInit {
  /** Shape, e.g. `[num_units, input_size]` for input_to_forget_weights. */
  dimensions: readonly number[];
  /** Constant values; leave out for a model input (given when the model runs; the model holds zeros as its example value). */
  values?: ArrayLike<number>;
  /** Default: the spec's type for this operand in the chosen variant. */
  type?: OperandTypeName;
  /** Quantized types only. */
  scale?: number;
  /** Quantized asymmetric types only; default 0. */
  zeroPoint?: number;
}

/**
 * An operand by role name: a tensor, a scalar (number; booleans for BOOL scalars), or null / absent for
 * an omitted optional operand.
 */
export type OperandInit = TensorInit | number | boolean | null | undefined;

/** Type, scale and zero point of an output; default: the spec's type and, for quantized outputs, the matching state input's parameters. */
export interface OutputInit {
  /** Default: the spec's type for the variant. */
  type?: OperandTypeName;
  /** Declared shape; default `[]` (unknown, given by the run). */
  dimensions?: readonly number[];
  /** Quantization scale; default: the matching state input's. */
  scale?: number;
  /** Quantization zero point; default: the matching state input's. */
  zeroPoint?: number;
}

/** Options of {@link buildModel} (and {@link compute}). */
export interface BuildModelOptions {
  /** Spec variant id: 'float32' (default for float ops), 'float16', 'int8' (QUANTIZED_LSTM), … */
  variant?: string;
  /** Relaxed float32 computation (float32 may be computed with float16 range and precision). */
  relaxed?: boolean;
  /**
   * The outputs to declare, by name (or name → type/scale), in the spec's order. Default: every output of
   * LSTM and the quantized ops; `output` for UNIDIRECTIONAL_SEQUENCE_LSTM; `fw_output` (+ `bw_output`
   * unless merge_outputs) for BIDIRECTIONAL_SEQUENCE_LSTM.
   */
  outputs?: readonly string[] | Readonly<Record<string, OutputInit>>;
}

/**
 * A model that cannot be built as asked; names the operand (spec index and name) when it is about one.
 *
 * @example
 * ```ts
 * import { buildModel, ModelBuildError } from 'nnlstm';
 * try {
 *   buildModel('LSTM', { input: { dimensions: [1, 3] } });
 * } catch (e) {
 *   if (e instanceof ModelBuildError) console.error(e.operandName, e.message); // input_to_forget_weights … is required
 * }
 * ```
 */
export class ModelBuildError extends Error {
  /** `'ModelBuildError'`, for telling errors apart without instanceof (e.g. across bundles). */
  override readonly name = 'ModelBuildError';
  constructor(
    message: string,
    /** The operation being built, e.g. `LSTM`. */
    readonly operation: string,
    /** Spec name of the operand at fault, when the error is about one. */
    readonly operandName?: string,
    /** Spec input index of that operand. */
    readonly operandIndex?: number,
  ) {
    super(`${operation}${operandName !== undefined ? ` operand ${operandIndex ?? '?'} (${operandName})` : ''}: ${message}`);
  }
}

// Quantized outputs take their parameters from the state input they continue.
const OUTPUT_PARAMS_FROM: Record<string, Record<string, string>> = {
  QUANTIZED_LSTM: { output_state_out: 'output_state_in', cell_state_out: 'cell_state_in', output: 'output_state_in' },
  QUANTIZED_16BIT_LSTM: { cell_state_out: 'cell_state_in', output: 'output_state_in' },
};

function isTensorInit(v: OperandInit): v is TensorInit {
  return typeof v === 'object' && v !== null;
}

function typeFor(spec: SpecOperand, variant: string, op: string): OperandTypeName {
  const t = spec.types.find((x) => x.variant === variant) ?? (spec.types.length === 1 ? spec.types[0] : undefined);
  if (!t) throw new ModelBuildError(`no type for variant '${variant}' (spec types: ${spec.types.map((x) => `${x.type} (${x.variant})`).join(', ')})`, op, spec.name, spec.index);
  return t.type;
}

function defaultOutputs(operation: string, operands: Readonly<Record<string, OperandInit>>, all: readonly string[]): string[] {
  if (operation === 'UNIDIRECTIONAL_SEQUENCE_LSTM') return ['output'];
  if (operation === 'BIDIRECTIONAL_SEQUENCE_LSTM') return operands['merge_outputs'] === true ? ['fw_output'] : ['fw_output', 'bw_output'];
  return [...all];
}

/**
 * Builds a single-operation model of `operation` from operands keyed by their spec names.
 *
 * @example
 * ```ts
 * import { buildModel } from 'nnlstm';
 * const N = 2, I = 3, B = 1;
 * const w = (r: number, c: number) => ({ dimensions: [r, c], values: new Float32Array(r * c).fill(0.1) });
 * const b = { dimensions: [N], values: new Float32Array(N) };
 * const model = buildModel('LSTM', {
 *   input: { dimensions: [B, I] },            // no values: a model input
 *   input_to_input_weights: w(N, I), input_to_forget_weights: w(N, I), input_to_cell_weights: w(N, I), input_to_output_weights: w(N, I),
 *   recurrent_to_input_weights: w(N, N), recurrent_to_forget_weights: w(N, N), recurrent_to_cell_weights: w(N, N), recurrent_to_output_weights: w(N, N),
 *   input_gate_bias: b, forget_gate_bias: b, cell_gate_bias: b, output_gate_bias: b,
 *   output_state_in: { dimensions: [B, N] }, cell_state_in: { dimensions: [B, N] },
 *   activation: 4, cell_clip: 0, proj_clip: 0,  // omitted optional operands are simply left out
 * });
 * ```
 * @throws ModelBuildError for an unknown or missing operand name, or a type the spec does not allow.
 */
export function buildModel(operation: OperationType, operands: Readonly<Record<string, OperandInit>>, options: BuildModelOptions = {}): Model {
  const spec = loadSpec(operation);
  const variant = options.variant ?? spec.variants[0]!.id;
  if (!spec.variants.some((v) => v.id === variant)) {
    throw new ModelBuildError(`unknown variant '${variant}' (known: ${spec.variants.map((v) => v.id).join(', ')})`, operation);
  }
  const known = new Set(spec.inputs.map((o) => o.name));
  for (const name of Object.keys(operands)) {
    if (!known.has(name)) throw new ModelBuildError(`unknown operand '${name}' (operands: ${[...known].join(', ')})`, operation);
  }
  const list: Operand[] = [];
  const add = (o: Omit<Operand, 'index'>): number => {
    list.push({ index: list.length, ...o });
    return list.length - 1;
  };
  const inputIndexes: number[] = [];
  // The shortest signature that holds every operand given (LSTM: 23 inputs, 27 with layer norm, FL3).
  const lastGiven = Math.max(...spec.inputs.filter((x) => operands[x.name] !== undefined && operands[x.name] !== null).map((x) => x.index));
  const counts = [...new Set(spec.signatures.map((x) => x.inputs))].sort((a, b) => a - b);
  const inputCount = counts.find((n) => n > lastGiven) ?? spec.inputs.length;
  const opInputs = spec.inputs.slice(0, inputCount).map((s) => {
    const v = operands[s.name];
    const type = isTensorInit(v) && v.type ? v.type : typeFor(s, variant, operation);
    const base = { name: s.name, role: s.name, type, scale: 0, zeroPoint: 0, isIgnored: false };
    if (v === null || v === undefined) {
      if (s.presence === 'required') throw new ModelBuildError('is required', operation, s.name, s.index);
      return add({ ...base, dimensions: [], lifetime: 'NO_VALUE', values: [] });
    }
    if (s.kind === 'scalar') {
      if (typeof v !== 'number' && typeof v !== 'boolean') throw new ModelBuildError('is a scalar: give a number (or a boolean for BOOL)', operation, s.name, s.index);
      return add({ ...base, dimensions: [], lifetime: 'CONSTANT_COPY', values: [Number(v)] });
    }
    if (!isTensorInit(v)) throw new ModelBuildError('is a tensor: give { dimensions, values? }', operation, s.name, s.index);
    const tensor = { ...base, dimensions: [...v.dimensions], scale: v.scale ?? 0, zeroPoint: v.zeroPoint ?? 0 };
    if (v.values === undefined) {
      // The model format keeps an example value in every present input: zeros until the caller's values come.
      const count = v.dimensions.reduce((a, b) => a * b, 1);
      const index = add({ ...tensor, lifetime: 'SUBGRAPH_INPUT', values: new Array<number>(count).fill(0), omitted: false });
      inputIndexes.push(index);
      return index;
    }
    return add({ ...tensor, lifetime: 'CONSTANT_COPY', values: Array.from(v.values) });
  });
  const requested = options.outputs ?? defaultOutputs(operation, operands, spec.outputs.map((o) => o.name));
  const outNames = Array.isArray(requested) ? (requested as readonly string[]) : Object.keys(requested);
  const outInits: Readonly<Record<string, OutputInit>> = Array.isArray(requested) ? {} : (requested as Readonly<Record<string, OutputInit>>);
  const outSpecs = spec.outputs.filter((o) => outNames.includes(o.name));
  for (const n of outNames) {
    if (!spec.outputs.some((o) => o.name === n)) throw new ModelBuildError(`unknown output '${n}' (outputs: ${spec.outputs.map((o) => o.name).join(', ')})`, operation);
  }
  const outputIndexes = outSpecs.map((s) => {
    const init = outInits[s.name] ?? {};
    const from = OUTPUT_PARAMS_FROM[operation]?.[s.name];
    const source = from !== undefined ? list[opInputs[spec.inputs.findIndex((x) => x.name === from)]!] : undefined;
    return add({
      name: s.name,
      role: s.name,
      type: init.type ?? typeFor(s, variant, operation),
      dimensions: [...(init.dimensions ?? [])],
      scale: init.scale ?? source?.scale ?? 0,
      zeroPoint: init.zeroPoint ?? source?.zeroPoint ?? 0,
      lifetime: 'SUBGRAPH_OUTPUT',
      isIgnored: false,
      values: [],
    });
  });
  const model: Model = {
    operands: list,
    operations: [{ type: operation, inputs: opInputs, outputs: outputIndexes }],
    inputIndexes,
    outputIndexes,
  };
  if (options.relaxed) model.isRelaxed = true;
  return model;
}
