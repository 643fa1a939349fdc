/**
 * Binding: from an NNAPI-style Model holding one UNIDIRECTIONAL_SEQUENCE_LSTM or
 * BIDIRECTIONAL_SEQUENCE_LSTM operation, plus the execution's input values (aligned with
 * model.inputIndexes, null = omitted; constants come from operand.values), to the typed shapes and
 * tensors of unidirectional.ts / bidirectional.ts.
 *
 * Float16 models: every value is rounded to binary16 and widened to float32; the computation runs
 * in float32 and only the final outputs are rounded (by the driver), facts §C.2.
 *
 * Assumes a validated model but never trusts it for memory safety: any size disagreement is an Error.
 */

import type { InputValue } from '../../model/model.js';
import { isOmitted, type Model, type Operand, type Operation } from '../../model/model.js';
import { roundToFloat16 } from '../../util/float16.js';
import { operandAt } from '../lstm/bind.js';
import { checkLstmArguments, type LstmShape } from '../lstm/execute.js';
import type { AuxLinking, BiSequenceLstmShape, BiSequenceLstmTensors } from './bidirectional.js';
import { checkBiSequenceShape } from './bidirectional.js';
import {
  AUX_WEIGHT_NAMES,
  BI_SEQUENCE_LSTM_IN,
  biSequenceLstmOutputNames,
  UNI_SEQUENCE_LSTM_IN,
  UNI_SEQUENCE_LSTM_OUTPUT_NAMES,
  type BiSequenceLstmOutputName,
  type CellWeightName,
  type Direction,
  type LayerNormName,
  type UniSequenceLstmOutputName,
} from './operands.js';
import type { AuxWeights, CellTensors, UniSequenceLstmShape, UniSequenceLstmTensors } from './unidirectional.js';

export type SequenceDtype = 'float32' | 'float16';
export type SequenceOperationType = 'UNIDIRECTIONAL_SEQUENCE_LSTM' | 'BIDIRECTIONAL_SEQUENCE_LSTM';

export const SEQUENCE_OPERATION_TYPES: readonly SequenceOperationType[] = Object.freeze([
  'UNIDIRECTIONAL_SEQUENCE_LSTM',
  'BIDIRECTIONAL_SEQUENCE_LSTM',
] as const);

export function isSequenceOperationType(type: string): type is SequenceOperationType {
  return (SEQUENCE_OPERATION_TYPES as readonly string[]).includes(type);
}

interface BoundCommon {
  /** Element type of the op's tensors; float16 values were rounded to binary16, then widened. */
  dtype: SequenceDtype;
  /** Relaxed float32 (model.isRelaxed): computed in plain float32. */
  relaxed: boolean;
  operation: Operation;
}

export interface BoundUniSequenceLstm extends BoundCommon {
  kind: 'UNIDIRECTIONAL_SEQUENCE_LSTM';
  shape: UniSequenceLstmShape;
  tensors: UniSequenceLstmTensors;
  /** For each model output (model.outputIndexes order), which op output it is. */
  outputRoles: UniSequenceLstmOutputName[];
}

export interface BoundBiSequenceLstm extends BoundCommon {
  kind: 'BIDIRECTIONAL_SEQUENCE_LSTM';
  shape: BiSequenceLstmShape;
  tensors: BiSequenceLstmTensors;
  /** For each model output (model.outputIndexes order), which op output it is. */
  outputRoles: BiSequenceLstmOutputName[];
}

export type BoundSequenceLstm = BoundUniSequenceLstm | BoundBiSequenceLstm;

/** The model's single sequence-LSTM operation; throws if there is none or more than one. */
export function findSequenceOperation(model: Model): Operation {
  const ops = model.operations.filter((o) => isSequenceOperationType(o.type));
  if (ops.length !== 1) throw new Error(`sequence LSTM: expected exactly one sequence LSTM operation, found ${ops.length}`);
  return ops[0]!;
}

interface Resolved {
  operand: Operand | null;
  /** null = omitted. */
  values: ArrayLike<number> | null;
}

type Resolver = (role: string) => Resolved;

function makeResolver(
  model: Model,
  operation: Operation,
  inputs: readonly InputValue[],
  table: Readonly<Record<string, number>>,
  op: string,
): Resolver {
  return (role) => {
    const position = table[role];
    if (position === undefined) throw new Error(`${op}: unknown operand role ${role}`);
    const idx = operation.inputs[position];
    if (idx === undefined) return { operand: null, values: null };
    const operand = operandAt(model, idx);
    const pos = model.inputIndexes.indexOf(idx);
    if (pos >= 0) {
      if (pos >= inputs.length) throw new Error(`${op}: no value supplied for model input ${pos} (${role})`);
      return { operand, values: inputs[pos] ?? null };
    }
    if (operand.lifetime === 'NO_VALUE' || isOmitted(operand)) return { operand, values: null };
    if (operand.lifetime === 'CONSTANT_COPY' || operand.lifetime === 'CONSTANT_REFERENCE') return { operand, values: operand.values };
    throw new Error(`${op}: ${role} (operand ${idx}) has lifetime ${operand.lifetime}; only inputs and constants are supported`);
  };
}

/** Declared dimension `d` of a present operand; throws if omitted or unknown. */
function dim(r: Resolved, role: string, d: number, op: string): number {
  if (r.values === null) throw new Error(`${op}: ${role} is required to infer sizes but is omitted`);
  const v = r.operand?.dimensions[d];
  if (v === undefined || !(v > 0)) {
    throw new Error(`${op}: ${role} dimension ${d} is unknown (dimensions [${r.operand?.dimensions.join(', ') ?? ''}])`);
  }
  return v;
}

function toFloat32(values: ArrayLike<number>, dtype: SequenceDtype): Float32Array {
  const out = new Float32Array(values.length);
  // Float16 data is given as decimals: round to binary16 first (exact in float32 afterwards).
  if (dtype === 'float16') for (let k = 0; k < values.length; k++) out[k] = roundToFloat16(values[k]!);
  else out.set(values);
  return out;
}

function scalar(r: Resolved, role: string, op: string): number {
  const v = r.values?.[0];
  if (v === undefined) throw new Error(`${op}: scalar ${role} has no value`);
  return v;
}

function dtypeOf(r: Resolved, op: string): SequenceDtype {
  const type = r.operand?.type;
  if (type !== 'TENSOR_FLOAT32' && type !== 'TENSOR_FLOAT16') throw new Error(`${op}: input type ${type ?? '?'} is not a float tensor type`);
  return type === 'TENSOR_FLOAT16' ? 'float16' : 'float32';
}

interface SequenceDims {
  maxTime: number;
  batchSize: number;
  featureSize: number;
}

/** T, B and the last dimension of a rank-3 sequence operand. */
function sequenceDims(r: Resolved, role: string, timeMajor: boolean, op: string): SequenceDims {
  const rank = r.operand?.dimensions.length ?? 0;
  if (rank !== 3) throw new Error(`${op}: ${role} must have rank 3, has rank ${rank}`);
  const d0 = dim(r, role, 0, op);
  const d1 = dim(r, role, 1, op);
  return { maxTime: timeMajor ? d0 : d1, batchSize: timeMajor ? d1 : d0, featureSize: dim(r, role, 2, op) };
}

interface Scalars {
  activation: number;
  cell_clip: number;
  proj_clip: number;
}

type CellRole = CellWeightName | 'output_state_in' | 'cell_state_in' | LayerNormName;

/**
 * One direction's shape and cell tensors. `get` resolves an LSTM role name for that direction.
 * Each direction's feature flags come from its own operands (documentation, not AOSP's
 * shared-flag quirk).
 */
function bindCell(
  get: (role: CellRole) => Resolved,
  label: (role: CellRole) => string,
  dtype: SequenceDtype,
  batchSize: number,
  inputSize: number,
  scalars: Scalars,
  op: string,
): { shape: LstmShape; cell: CellTensors } {
  const present = (role: CellRole): boolean => get(role).values !== null;
  const useProjection = present('projection_weights');
  const shape: LstmShape = {
    batchSize,
    inputSize,
    numUnits: dim(get('input_to_output_weights'), label('input_to_output_weights'), 0, op),
    outputSize: dim(get('recurrent_to_output_weights'), label('recurrent_to_output_weights'), 1, op),
    // CIFG is decided by input_to_input_weights alone (facts §B.1).
    useCifg: !present('input_to_input_weights'),
    usePeephole: present('cell_to_forget_weights') || present('cell_to_output_weights'),
    useProjection,
    // A projection bias without projection weights is ignored (USLSTM accepts it, facts §B.2).
    useProjectionBias: useProjection && present('projection_bias'),
    useLayerNorm: present('forget_layer_norm_weights') || present('cell_layer_norm_weights') || present('output_layer_norm_weights'),
  };
  const tensor = (role: CellRole): Float32Array | null => {
    const v = get(role).values;
    return v === null ? null : toFloat32(v, dtype);
  };
  const required = (role: CellRole): Float32Array => {
    const t = tensor(role);
    if (t === null) throw new Error(`${op}: required operand ${label(role)} is omitted`);
    return t;
  };
  const cell: CellTensors = {
    input_to_input_weights: tensor('input_to_input_weights'),
    input_to_forget_weights: required('input_to_forget_weights'),
    input_to_cell_weights: required('input_to_cell_weights'),
    input_to_output_weights: required('input_to_output_weights'),
    recurrent_to_input_weights: tensor('recurrent_to_input_weights'),
    recurrent_to_forget_weights: required('recurrent_to_forget_weights'),
    recurrent_to_cell_weights: required('recurrent_to_cell_weights'),
    recurrent_to_output_weights: required('recurrent_to_output_weights'),
    cell_to_input_weights: tensor('cell_to_input_weights'),
    cell_to_forget_weights: tensor('cell_to_forget_weights'),
    cell_to_output_weights: tensor('cell_to_output_weights'),
    input_gate_bias: tensor('input_gate_bias'),
    forget_gate_bias: required('forget_gate_bias'),
    cell_gate_bias: required('cell_gate_bias'),
    output_gate_bias: required('output_gate_bias'),
    projection_weights: tensor('projection_weights'),
    projection_bias: shape.useProjectionBias ? tensor('projection_bias') : null,
    output_state_in: required('output_state_in'),
    cell_state_in: required('cell_state_in'),
    input_layer_norm_weights: tensor('input_layer_norm_weights'),
    forget_layer_norm_weights: tensor('forget_layer_norm_weights'),
    cell_layer_norm_weights: tensor('cell_layer_norm_weights'),
    output_layer_norm_weights: tensor('output_layer_norm_weights'),
    ...scalars,
  };
  try {
    checkLstmArguments(shape, { ...cell, input: new Float32Array(batchSize * inputSize) });
  } catch (e) {
    throw new Error(`${op}: ${(e as Error).message.replace(/^LSTM: /, '')}`);
  }
  return { shape, cell };
}

function clipValue(r: Resolved, role: string, dtype: SequenceDtype, op: string): number {
  const v = scalar(r, role, op);
  // Clip scalars are FLOAT16 in float16 models (rounded like the tensors), FLOAT32 otherwise.
  return dtype === 'float16' ? roundToFloat16(v) : Math.fround(v);
}

/** For each model output, its position among the operation's outputs. */
function outputPositions(model: Model, operation: Operation, op: string): number[] {
  return model.outputIndexes.map((idx) => {
    const pos = operation.outputs.indexOf(idx);
    if (pos < 0) throw new Error(`${op}: model output operand ${idx} is not an output of the operation`);
    return pos;
  });
}

const UNI = 'UNIDIRECTIONAL_SEQUENCE_LSTM';
const BI = 'BIDIRECTIONAL_SEQUENCE_LSTM';

export function bindUniSequenceLstm(model: Model, inputs: readonly InputValue[], operation: Operation = findSequenceOperation(model)): BoundUniSequenceLstm {
  if (operation.type !== UNI) throw new Error(`${UNI}: operation is ${operation.type}`);
  if (inputs.length !== model.inputIndexes.length) {
    throw new Error(`${UNI}: ${inputs.length} input values given, model has ${model.inputIndexes.length} inputs`);
  }
  const res = makeResolver(model, operation, inputs, UNI_SEQUENCE_LSTM_IN, UNI);
  const input = res('input');
  const dtype = dtypeOf(input, UNI);
  const timeMajor = scalar(res('time_major'), 'time_major', UNI) !== 0;
  const { maxTime, batchSize, featureSize: inputSize } = sequenceDims(input, 'input', timeMajor, UNI);
  // USLSTM treats a negative clip as "no clipping" (facts §B.2, §G.3).
  const clip = (role: 'cell_clip' | 'proj_clip'): number => Math.max(0, clipValue(res(role), role, dtype, UNI));
  const scalars: Scalars = { activation: scalar(res('activation'), 'activation', UNI), cell_clip: clip('cell_clip'), proj_clip: clip('proj_clip') };
  const { shape, cell } = bindCell(res, (r) => r, dtype, batchSize, inputSize, scalars, UNI);
  if (input.values === null) throw new Error(`${UNI}: input is omitted`);
  const outputRoles = outputPositions(model, operation, UNI).map((pos) => {
    const role = UNI_SEQUENCE_LSTM_OUTPUT_NAMES[pos];
    if (role === undefined) throw new Error(`${UNI}: operation has no output ${pos}`);
    return role;
  });
  return {
    kind: UNI,
    shape: { ...shape, maxTime, timeMajor },
    tensors: { ...cell, input: toFloat32(input.values, dtype) },
    dtype,
    relaxed: model.isRelaxed === true,
    operation,
    outputRoles,
  };
}

export function bindBiSequenceLstm(model: Model, inputs: readonly InputValue[], operation: Operation = findSequenceOperation(model)): BoundBiSequenceLstm {
  if (operation.type !== BI) throw new Error(`${BI}: operation is ${operation.type}`);
  if (inputs.length !== model.inputIndexes.length) {
    throw new Error(`${BI}: ${inputs.length} input values given, model has ${model.inputIndexes.length} inputs`);
  }
  const res = makeResolver(model, operation, inputs, BI_SEQUENCE_LSTM_IN, BI);
  const input = res('input');
  const dtype = dtypeOf(input, BI);
  const timeMajor = scalar(res('time_major'), 'time_major', BI) !== 0;
  const mergeOutputs = scalar(res('merge_outputs'), 'merge_outputs', BI) !== 0;
  const main = sequenceDims(input, 'input', timeMajor, BI);
  if (input.values === null) throw new Error(`${BI}: input is omitted`);

  // Aux input and the linking mode (facts §B.3).
  const auxRes = res('aux_input');
  const auxWeightPresent = (['fw', 'bw'] as const).some((d) => AUX_WEIGHT_NAMES.some((n) => res(`${d}_${n}`).values !== null));
  let linking: AuxLinking = 'none';
  let auxInputSize = 0;
  if (auxRes.values !== null) {
    const aux = sequenceDims(auxRes, 'aux_input', timeMajor, BI);
    if (aux.maxTime !== main.maxTime || aux.batchSize !== main.batchSize) {
      throw new Error(`${BI}: aux_input leading dimensions (T=${aux.maxTime}, B=${aux.batchSize}) differ from the input's (T=${main.maxTime}, B=${main.batchSize})`);
    }
    auxInputSize = aux.featureSize;
    linking = auxWeightPresent ? 'cross' : 'parallel';
  } else if (auxWeightPresent) {
    throw new Error(`${BI}: aux weights are present but aux_input is omitted`);
  }

  const clip = (role: 'cell_clip' | 'proj_clip'): number => clipValue(res(role), role, dtype, BI);
  const scalars: Scalars = { activation: scalar(res('activation'), 'activation', BI), cell_clip: clip('cell_clip'), proj_clip: clip('proj_clip') };
  const direction = (dir: Direction, inputSize: number) =>
    bindCell(
      (r) => res(`${dir}_${r}`),
      (r) => `${dir}_${r}`,
      dtype,
      main.batchSize,
      inputSize,
      scalars,
      BI,
    );
  const fw = direction('fw', main.featureSize);
  const bw = direction('bw', linking === 'parallel' ? auxInputSize : main.featureSize);

  const auxWeights = (dir: Direction, cifg: boolean): AuxWeights | null => {
    if (linking !== 'cross') return null;
    const get = (n: (typeof AUX_WEIGHT_NAMES)[number]): Float32Array | null => {
      const v = res(`${dir}_${n}`).values;
      return v === null ? null : toFloat32(v, dtype);
    };
    const required = (n: (typeof AUX_WEIGHT_NAMES)[number]): Float32Array => {
      const t = get(n);
      if (t === null) throw new Error(`${BI}: cross linking needs ${dir}_${n}, which is omitted`);
      return t;
    };
    return {
      input_to_input_weights: cifg ? null : required('aux_input_to_input_weights'),
      input_to_forget_weights: required('aux_input_to_forget_weights'),
      input_to_cell_weights: required('aux_input_to_cell_weights'),
      input_to_output_weights: required('aux_input_to_output_weights'),
    };
  };

  const shape: BiSequenceLstmShape = {
    maxTime: main.maxTime,
    batchSize: main.batchSize,
    timeMajor,
    inputSize: main.featureSize,
    auxInputSize,
    linking,
    mergeOutputs,
    fw: fw.shape,
    bw: bw.shape,
  };
  checkBiSequenceShape(shape);
  const names = biSequenceLstmOutputNames(operation.outputs.length, mergeOutputs);
  const outputRoles = outputPositions(model, operation, BI).map((pos) => names[pos]!);
  return {
    kind: BI,
    shape,
    tensors: {
      input: toFloat32(input.values, dtype),
      aux_input: auxRes.values === null ? null : toFloat32(auxRes.values, dtype),
      fw: fw.cell,
      bw: bw.cell,
      fw_aux: auxWeights('fw', fw.shape.useCifg),
      bw_aux: auxWeights('bw', bw.shape.useCifg),
    },
    dtype,
    relaxed: model.isRelaxed === true,
    operation,
    outputRoles,
  };
}

/** Bind whichever sequence op the model holds. */
export function bindSequenceLstm(model: Model, inputs: readonly InputValue[]): BoundSequenceLstm {
  const operation = findSequenceOperation(model);
  return operation.type === UNI ? bindUniSequenceLstm(model, inputs, operation) : bindBiSequenceLstm(model, inputs, operation);
}
