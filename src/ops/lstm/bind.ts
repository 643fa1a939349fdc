/**
 * Binding: from an NNAPI-style Model holding one LSTM operation, plus the execution's input
 * values, to the typed LstmShape / LstmTensors the float step consumes.
 *
 * Assumes the model passed validation (src/ops/lstm/validate.ts) but never trusts it for memory
 * safety: any size disagreement is reported as an Error.
 */

import type { InputValue } from '../../model/model.js';
import { isOmitted, type Model, type Operand, type Operation } from '../../model/model.js';
import { roundToFloat16 } from '../../util/float16.js';
import { checkLstmArguments, type LstmShape, type LstmTensors, type OptionalTensorRole, type RequiredTensorRole } from './execute.js';
import { LSTM_IN, LSTM_OUT, LSTM_OUTPUT_NAMES, type LstmInputName, type LstmOutputName } from './operands.generated.js';

export type LstmDtype = 'float32' | 'float16';

export interface BoundLstm {
  shape: LstmShape;
  tensors: LstmTensors;
  /** Element type of the op's tensors; float16 values were rounded to binary16, then widened. */
  dtype: LstmDtype;
  /** Relaxed float32 (model.isRelaxed): computed in plain float32, judged with the float16 tolerance. */
  relaxed: boolean;
  operation: Operation;
}

/** The model's single LSTM operation; throws if there is none or more than one. */
export function findLstmOperation(model: Model): Operation {
  const ops = model.operations.filter((o) => o.type === 'LSTM');
  if (ops.length !== 1) throw new Error(`LSTM: expected exactly one LSTM operation, found ${ops.length}`);
  return ops[0]!;
}

export function operandAt(model: Model, index: number): Operand {
  const direct = model.operands[index];
  const op = direct && direct.index === index ? direct : model.operands.find((o) => o.index === index);
  if (!op) throw new Error(`LSTM: model has no operand ${index}`);
  return op;
}

/** The example input values a vector model carries, aligned with model.inputIndexes (omitted → null). */
export function inputsFromModel(model: Model): InputValue[] {
  return model.inputIndexes.map((i) => {
    const op = operandAt(model, i);
    return isOmitted(op) ? null : op.values;
  });
}

/** For each model output (model.outputIndexes order), which LSTM output it is. */
export function lstmOutputRoles(model: Model, operation: Operation = findLstmOperation(model)): LstmOutputName[] {
  return model.outputIndexes.map((idx) => {
    const pos = operation.outputs.indexOf(idx);
    const role = LSTM_OUTPUT_NAMES[pos];
    if (pos < 0 || role === undefined) throw new Error(`LSTM: model output operand ${idx} is not an output of the LSTM operation`);
    return role;
  });
}

/** Operand index of an LSTM output role. */
export function lstmOutputOperand(operation: Operation, role: LstmOutputName): number {
  const idx = operation.outputs[LSTM_OUT[role]];
  if (idx === undefined) throw new Error(`LSTM: operation has no ${role} output`);
  return idx;
}

interface Resolved {
  operand: Operand | null;
  /** null = omitted. */
  values: ArrayLike<number> | null;
}

/** The value a role takes in this execution: a model input, a constant, or omitted. */
function resolveRole(model: Model, operation: Operation, inputs: readonly InputValue[], role: LstmInputName): Resolved {
  const idx = operation.inputs[LSTM_IN[role]];
  if (idx === undefined) return { operand: null, values: null }; // 23-input form has no LN weights
  const operand = operandAt(model, idx);
  const pos = model.inputIndexes.indexOf(idx);
  if (pos >= 0) {
    if (pos >= inputs.length) throw new Error(`LSTM: no value supplied for model input ${pos} (${role})`);
    return { operand, values: inputs[pos] ?? null };
  }
  if (operand.lifetime === 'NO_VALUE' || isOmitted(operand)) return { operand, values: null };
  if (operand.lifetime === 'CONSTANT_COPY' || operand.lifetime === 'CONSTANT_REFERENCE') return { operand, values: operand.values };
  throw new Error(`LSTM: ${role} (operand ${idx}) has lifetime ${operand.lifetime}; only inputs and constants are supported`);
}

/** Declared dimension `d` of a role's operand; throws if unknown. */
function dim(r: Resolved, role: LstmInputName, d: number): number {
  const v = r.operand?.dimensions[d];
  if (r.values === null) throw new Error(`LSTM: ${role} is required to infer sizes but is omitted`);
  if (v === undefined || !(v > 0)) {
    throw new Error(`LSTM: ${role} dimension ${d} is unknown (dimensions [${r.operand?.dimensions.join(', ') ?? ''}])`);
  }
  return v;
}

function toFloat32(values: ArrayLike<number>, dtype: LstmDtype): Float32Array {
  const out = new Float32Array(values.length);
  // Float16 data is given as decimals: round to binary16 first (exact in float32 afterwards).
  if (dtype === 'float16') for (let k = 0; k < values.length; k++) out[k] = roundToFloat16(values[k]!);
  else out.set(values);
  return out;
}

function scalar(r: Resolved, role: LstmInputName): number {
  const v = r.values?.[0];
  if (v === undefined) throw new Error(`LSTM: scalar ${role} has no value`);
  return v;
}

/** Resolve shape, tensors and dtype for one execution. Throws a descriptive Error on any mismatch. */
export function bindLstm(model: Model, inputs: readonly InputValue[]): BoundLstm {
  const operation = findLstmOperation(model);
  if (inputs.length !== model.inputIndexes.length) {
    throw new Error(`LSTM: ${inputs.length} input values given, model has ${model.inputIndexes.length} inputs`);
  }
  const res = {} as Record<LstmInputName, Resolved>;
  for (const role of Object.keys(LSTM_IN) as LstmInputName[]) res[role] = resolveRole(model, operation, inputs, role);

  const inputType = res.input.operand?.type;
  if (inputType !== 'TENSOR_FLOAT32' && inputType !== 'TENSOR_FLOAT16') {
    throw new Error(`LSTM: input type ${inputType ?? '?'} is not a float tensor type`);
  }
  const dtype: LstmDtype = inputType === 'TENSOR_FLOAT16' ? 'float16' : 'float32';

  const present = (role: LstmInputName): boolean => res[role].values !== null;
  const shape: LstmShape = {
    batchSize: dim(res.input, 'input', 0),
    inputSize: dim(res.input, 'input', 1),
    numUnits: dim(res.input_to_output_weights, 'input_to_output_weights', 0),
    outputSize: dim(res.recurrent_to_output_weights, 'recurrent_to_output_weights', 1),
    // CIFG is decided by input_to_input_weights alone (facts §B.1).
    useCifg: !present('input_to_input_weights'),
    // Any present member switches the group on, so a half-present group fails loudly below.
    usePeephole: present('cell_to_forget_weights') || present('cell_to_output_weights'),
    useProjection: present('projection_weights'),
    useProjectionBias: present('projection_bias'),
    useLayerNorm:
      present('forget_layer_norm_weights') || present('cell_layer_norm_weights') || present('output_layer_norm_weights'),
  };

  const tensor = (role: LstmInputName): Float32Array | null => {
    const v = res[role].values;
    return v === null ? null : toFloat32(v, dtype);
  };
  const required = (role: RequiredTensorRole): Float32Array => {
    const t = tensor(role);
    if (t === null) throw new Error(`LSTM: required operand ${role} is omitted`);
    return t;
  };
  const optional = (role: OptionalTensorRole): Float32Array | null => tensor(role);
  // Clip scalars are FLOAT16 in float16 models (rounded like the tensors), FLOAT32 otherwise.
  const clip = (role: 'cell_clip' | 'proj_clip'): number => {
    const v = scalar(res[role], role);
    return dtype === 'float16' ? roundToFloat16(v) : Math.fround(v);
  };
  const activation = scalar(res.activation, 'activation');

  const tensors: LstmTensors = {
    input: required('input'),
    input_to_input_weights: optional('input_to_input_weights'),
    input_to_forget_weights: required('input_to_forget_weights'),
    input_to_cell_weights: required('input_to_cell_weights'),
    input_to_output_weights: required('input_to_output_weights'),
    recurrent_to_input_weights: optional('recurrent_to_input_weights'),
    recurrent_to_forget_weights: required('recurrent_to_forget_weights'),
    recurrent_to_cell_weights: required('recurrent_to_cell_weights'),
    recurrent_to_output_weights: required('recurrent_to_output_weights'),
    cell_to_input_weights: optional('cell_to_input_weights'),
    cell_to_forget_weights: optional('cell_to_forget_weights'),
    cell_to_output_weights: optional('cell_to_output_weights'),
    input_gate_bias: optional('input_gate_bias'),
    forget_gate_bias: required('forget_gate_bias'),
    cell_gate_bias: required('cell_gate_bias'),
    output_gate_bias: required('output_gate_bias'),
    projection_weights: optional('projection_weights'),
    projection_bias: optional('projection_bias'),
    output_state_in: required('output_state_in'),
    cell_state_in: required('cell_state_in'),
    activation,
    cell_clip: clip('cell_clip'),
    proj_clip: clip('proj_clip'),
    input_layer_norm_weights: optional('input_layer_norm_weights'),
    forget_layer_norm_weights: optional('forget_layer_norm_weights'),
    cell_layer_norm_weights: optional('cell_layer_norm_weights'),
    output_layer_norm_weights: optional('output_layer_norm_weights'),
  };
  checkLstmArguments(shape, tensors);
  return { shape, tensors, dtype, relaxed: model.isRelaxed === true, operation };
}
