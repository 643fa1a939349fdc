/**
 * TFLite LSTM-family operator ⇄ NNAPI operation: the one operand table (facts §6, as TFLite's NNAPI delegate builds
 * it) and the conversion of one TFLite op into an NNAPI Model JSON (src/model/model.ts).
 *
 * TFLite keeps activation / clips / time_major / merge_outputs in the builtin options and the recurrent state in
 * variable tensors (inputs 18/19, or 35–38 for the bidirectional op); NNAPI has them all as operands.
 */
import type { Model, Operand } from '../model/model.js';
import type { OperandTypeName } from '../model/operand-types.js';
import { LSTM_INPUT_NAMES, LSTM_IN } from '../ops/lstm/operands.generated.js';
import { TfliteMappingError } from './errors.js';
import { BUILTIN } from './names.js';
import type { TfliteLstmFamilyOptions, TfliteModel, TfliteOperator, TfliteSubgraph, TfliteTensor } from './reader.js';

export type LstmFamilyOperation = 'LSTM' | 'UNIDIRECTIONAL_SEQUENCE_LSTM' | 'BIDIRECTIONAL_SEQUENCE_LSTM';

/** Option fields that become NNAPI scalar operands. */
export type LstmOptionField = 'fused_activation_function' | 'cell_clip' | 'proj_clip' | 'time_major' | 'merge_outputs';

/** Where an NNAPI input operand comes from on the TFLite side. */
export type NnapiInputSource =
  /** TFLite operator input #tflite. `layerNorm`: exists only in the 24-input form. */
  | { kind: 'input'; tflite: number; layerNorm?: boolean }
  /** A field of the op's builtin options. */
  | { kind: 'option'; field: LstmOptionField }
  /** No TFLite counterpart: always passed as "no value" (e.g. bidirectional layer norm). */
  | { kind: 'none' };

export interface NnapiInputEntry {
  /** NNAPI input position. */
  nnapi: number;
  /** NNAPI role name (LSTM_IN names for LSTM, AOSP role names for the sequence ops). */
  role: string;
  source: NnapiInputSource;
}

/** Where an NNAPI output comes from. */
export type NnapiOutputSource =
  | { kind: 'output'; tflite: number }
  /** The variable tensor at TFLite input #tflite, read after the op ran (state written in place). */
  | { kind: 'state'; tflite: number }
  /** NNAPI-only scratch buffer. */
  | { kind: 'scratch' };

export interface NnapiOutputEntry {
  nnapi: number;
  role: string;
  source: NnapiOutputSource;
}

export interface LstmFamilyMapping {
  operation: LstmFamilyOperation;
  builtinCode: number;
  /** Legal TFLite input counts (the larger one includes layer norm). */
  tfliteInputCounts: readonly number[];
  /** NNAPI inputs in NNAPI order, for the largest TFLite form. */
  inputs: readonly NnapiInputEntry[];
  outputs: readonly NnapiOutputEntry[];
}

const GATE_ROLES = LSTM_INPUT_NAMES.slice(1, 18); // input_to_input_weights … projection_bias
const LN_ROLES = LSTM_INPUT_NAMES.slice(23, 27); // input_layer_norm_weights … output_layer_norm_weights
const inp = (tflite: number, layerNorm?: boolean): NnapiInputSource =>
  layerNorm ? { kind: 'input', tflite, layerNorm } : { kind: 'input', tflite };
const opt = (field: LstmOptionField): NnapiInputSource => ({ kind: 'option', field });

function entries(list: [string, NnapiInputSource][]): NnapiInputEntry[] {
  return list.map(([role, source], nnapi) => ({ nnapi, role, source }));
}

/**
 * THE table (facts §6). TFLite LSTM: inputs 0–19 → NNAPI 0–19, options → 20–22, TFLite 20–23 (layer norm, 24-input
 * form only) → NNAPI 23–26. UNIDIRECTIONAL_SEQUENCE_LSTM: same plus time_major → 23, layer norm → 24–27 (present as
 * "no value" for 20-input models). BIDIRECTIONAL_SEQUENCE_LSTM: TFLite 0–47 → NNAPI 0–47, options → 48–52, eight
 * layer-norm operands 53–60 without TFLite counterpart.
 */
export const LSTM_FAMILY_MAPPINGS: { readonly [K in LstmFamilyOperation]: LstmFamilyMapping } = {
  LSTM: {
    operation: 'LSTM',
    builtinCode: BUILTIN.LSTM,
    tfliteInputCounts: [20, 24],
    inputs: entries([
      ...LSTM_INPUT_NAMES.slice(0, 20).map((role, i): [string, NnapiInputSource] => [role, inp(i)]),
      ['activation', opt('fused_activation_function')],
      ['cell_clip', opt('cell_clip')],
      ['proj_clip', opt('proj_clip')],
      ...LN_ROLES.map((role, i): [string, NnapiInputSource] => [role, inp(20 + i, true)]),
    ]),
    outputs: [
      { nnapi: 0, role: 'scratch_buffer', source: { kind: 'scratch' } },
      { nnapi: 1, role: 'output_state_out', source: { kind: 'state', tflite: 18 } },
      { nnapi: 2, role: 'cell_state_out', source: { kind: 'state', tflite: 19 } },
      { nnapi: 3, role: 'output', source: { kind: 'output', tflite: 0 } },
    ],
  },
  UNIDIRECTIONAL_SEQUENCE_LSTM: {
    operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM',
    builtinCode: BUILTIN.UNIDIRECTIONAL_SEQUENCE_LSTM,
    tfliteInputCounts: [20, 24],
    inputs: entries([
      ...LSTM_INPUT_NAMES.slice(0, 20).map((role, i): [string, NnapiInputSource] => [role, inp(i)]),
      ['activation', opt('fused_activation_function')],
      ['cell_clip', opt('cell_clip')],
      ['proj_clip', opt('proj_clip')],
      ['time_major', opt('time_major')],
      ...LN_ROLES.map((role, i): [string, NnapiInputSource] => [role, inp(20 + i, true)]),
    ]),
    // FL3 form: the output only (the delegate sets up no state feedback for this op).
    outputs: [{ nnapi: 0, role: 'output', source: { kind: 'output', tflite: 0 } }],
  },
  BIDIRECTIONAL_SEQUENCE_LSTM: {
    operation: 'BIDIRECTIONAL_SEQUENCE_LSTM',
    builtinCode: BUILTIN.BIDIRECTIONAL_SEQUENCE_LSTM,
    tfliteInputCounts: [48],
    inputs: entries([
      ['input', inp(0)],
      ...GATE_ROLES.map((role, i): [string, NnapiInputSource] => [`fw_${role}`, inp(1 + i)]),
      ...GATE_ROLES.map((role, i): [string, NnapiInputSource] => [`bw_${role}`, inp(18 + i)]),
      ['fw_output_state_in', inp(35)],
      ['fw_cell_state_in', inp(36)],
      ['bw_output_state_in', inp(37)],
      ['bw_cell_state_in', inp(38)],
      ['aux_input', inp(39)],
      ...['input', 'forget', 'cell', 'output'].map((g, i): [string, NnapiInputSource] => [`fw_aux_input_to_${g}_weights`, inp(40 + i)]),
      ...['input', 'forget', 'cell', 'output'].map((g, i): [string, NnapiInputSource] => [`bw_aux_input_to_${g}_weights`, inp(44 + i)]),
      ['activation', opt('fused_activation_function')],
      ['cell_clip', opt('cell_clip')],
      ['proj_clip', opt('proj_clip')],
      ['merge_outputs', opt('merge_outputs')],
      ['time_major', opt('time_major')],
      ...LN_ROLES.map((role): [string, NnapiInputSource] => [`fw_${role}`, { kind: 'none' }]),
      ...LN_ROLES.map((role): [string, NnapiInputSource] => [`bw_${role}`, { kind: 'none' }]),
    ]),
    outputs: [
      { nnapi: 0, role: 'fw_output', source: { kind: 'output', tflite: 0 } },
      { nnapi: 1, role: 'bw_output', source: { kind: 'output', tflite: 1 } },
    ],
  },
};

/** The NNAPI input entries used for a TFLite op with `tfliteInputs` inputs (LSTM drops layer norm for 20). */
export function nnapiInputsFor(operation: LstmFamilyOperation, tfliteInputs: number): NnapiInputEntry[] {
  const m = LSTM_FAMILY_MAPPINGS[operation];
  if (operation === 'LSTM' && tfliteInputs < 24) return m.inputs.filter((e) => !(e.source.kind === 'input' && e.source.layerNorm));
  return [...m.inputs];
}

/** TFLite → NNAPI operation name for an LSTM-family builtin code, or undefined. */
export function lstmFamilyOperation(builtinCode: number): LstmFamilyOperation | undefined {
  if (builtinCode === BUILTIN.LSTM) return 'LSTM';
  if (builtinCode === BUILTIN.UNIDIRECTIONAL_SEQUENCE_LSTM) return 'UNIDIRECTIONAL_SEQUENCE_LSTM';
  if (builtinCode === BUILTIN.BIDIRECTIONAL_SEQUENCE_LSTM) return 'BIDIRECTIONAL_SEQUENCE_LSTM';
  return undefined;
}

/** Options with TFLite's defaults filled in (absent table: activation NONE, clips 0, time_major false / true for Bi). */
export function effectiveOptions(operation: LstmFamilyOperation, op: TfliteOperator): TfliteLstmFamilyOptions {
  const o = op.options;
  const base = { fusedActivationFunction: 0, activationName: 'NONE', cellClip: 0, projClip: 0, asymmetricQuantizeInputs: false };
  switch (operation) {
    case 'LSTM':
      return o?.kind === 'LSTMOptions' ? o : { kind: 'LSTMOptions', ...base, kernelType: 0 };
    case 'UNIDIRECTIONAL_SEQUENCE_LSTM':
      return o?.kind === 'UnidirectionalSequenceLSTMOptions'
        ? o
        : { kind: 'UnidirectionalSequenceLSTMOptions', ...base, timeMajor: false, diagonalRecurrentTensors: false };
    case 'BIDIRECTIONAL_SEQUENCE_LSTM':
      return o?.kind === 'BidirectionalSequenceLSTMOptions'
        ? o
        : { kind: 'BidirectionalSequenceLSTMOptions', ...base, mergeOutputs: false, timeMajor: true };
  }
}

function optionValue(o: TfliteLstmFamilyOptions, field: LstmOptionField): number {
  switch (field) {
    case 'fused_activation_function':
      return o.fusedActivationFunction;
    case 'cell_clip':
      return o.cellClip;
    case 'proj_clip':
      return o.projClip;
    case 'time_major':
      return 'timeMajor' in o && o.timeMajor ? 1 : 0;
    case 'merge_outputs':
      return 'mergeOutputs' in o && o.mergeOutputs ? 1 : 0;
  }
}

const OPTION_TYPES: Record<LstmOptionField, OperandTypeName> = {
  fused_activation_function: 'INT32',
  cell_clip: 'FLOAT32',
  proj_clip: 'FLOAT32',
  time_major: 'BOOL',
  merge_outputs: 'BOOL',
};

// ---- tensor → operand -------------------------------------------------------------------------------------------

/** Roles whose int8 tensors are asymmetric activations (everything else int8 is a symmetric weight). */
function isActivationRole(role: string): boolean {
  return role === 'input' || role === 'aux_input' || role.includes('output_state') || role.endsWith('output');
}

function nnapiType(sg: TfliteSubgraph, t: TfliteTensor, role: string): OperandTypeName {
  switch (t.type) {
    case 'FLOAT32':
      return 'TENSOR_FLOAT32';
    case 'FLOAT16':
      return 'TENSOR_FLOAT16';
    case 'INT32':
      return 'TENSOR_INT32';
    case 'INT16':
      return 'TENSOR_QUANT16_SYMM';
    case 'UINT8':
      return 'TENSOR_QUANT8_ASYMM';
    case 'INT8':
      if (isActivationRole(role)) return 'TENSOR_QUANT8_ASYMM_SIGNED';
      return (t.quantization?.scale.length ?? 0) > 1 ? 'TENSOR_QUANT8_SYMM_PER_CHANNEL' : 'TENSOR_QUANT8_SYMM';
    default:
      throw new TfliteMappingError(`tensor #${t.index} "${t.name}" (${role}) has type ${t.type}, which NNAPI's LSTM operands do not use`, { field: tensorField(sg, t, 'type') });
  }
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Decodes constant bytes (little-endian) into numbers: floats as values, integer types as raw integers. */
export function decodeTensorData(t: TfliteTensor, data: Uint8Array): number[] {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: number[] = [];
  const step = (size: number, get: (o: number) => number) => {
    for (let o = 0; o + size <= data.byteLength; o += size) out.push(get(o));
  };
  switch (t.type) {
    case 'FLOAT32':
      step(4, (o) => dv.getFloat32(o, true));
      break;
    case 'FLOAT16':
      step(2, (o) => halfToFloat(dv.getUint16(o, true)));
      break;
    case 'INT32':
      step(4, (o) => dv.getInt32(o, true));
      break;
    case 'INT16':
      step(2, (o) => dv.getInt16(o, true));
      break;
    case 'INT8':
      step(1, (o) => dv.getInt8(o));
      break;
    case 'UINT8':
    case 'BOOL':
      step(1, (o) => dv.getUint8(o));
      break;
    default:
      throw new TfliteMappingError(`cannot decode constant data of type ${t.type} (tensor #${t.index})`);
  }
  return out;
}

/**
 * Upper bound for the zero-filled example values of the runtime inputs of one op (input, aux input, states): 2^20
 * elements (8 MB) whatever the shapes claim, so a tiny file cannot make the mapping allocate without bound.
 */
export const MAX_PLACEHOLDER_ELEMENTS = 1 << 20;

/** Field path of tensor `t` of subgraph `sg`, as the reader's errors name it. */
export const tensorField = (sg: TfliteSubgraph, t: TfliteTensor, field?: string) => `subgraphs[${sg.index}].tensors[${t.index}]${field ? `.${field}` : ''}`;

function tensorOperand(model: TfliteModel, sg: TfliteSubgraph, tIndex: number, index: number, role: string, output: boolean, budget: { left: number }): Operand {
  const t = sg.tensors[tIndex];
  if (!t) throw new TfliteMappingError(`tensor index ${tIndex} out of range`, { field: `subgraphs[${sg.index}].tensors` });
  const type = nnapiType(sg, t, role);
  const q = t.quantization;
  const scale = type === 'TENSOR_FLOAT32' || type === 'TENSOR_FLOAT16' ? 0 : (q?.scale[0] ?? 0);
  const zeroPoint = type === 'TENSOR_FLOAT32' || type === 'TENSOR_FLOAT16' ? 0 : (q?.zeroPoint[0] ?? 0);
  const data = t.buffer > 0 ? model.buffers[t.buffer]?.data : undefined;
  const base = { index, name: t.name || role, role, type, dimensions: [...t.shape], scale, zeroPoint, isIgnored: false };
  if (output) return { ...base, lifetime: 'SUBGRAPH_OUTPUT', values: [] };
  if (data && !t.isVariable) return { ...base, lifetime: 'CONSTANT_COPY', values: decodeTensorData(t, data) };
  // Runtime input (data input or variable state): example values = the tensor's zero point, i.e. exactly the state
  // TFLite starts from (variable tensors are reset to their zero point), and a neutral placeholder for the data input.
  let n = 1;
  for (const d of t.shape) n *= Math.max(0, d);
  if (n > budget.left) {
    throw new TfliteMappingError(
      `tensor #${t.index} "${t.name}" (${role}) has shape [${t.shape.join(',')}] = ${n} elements: the runtime inputs of one op may have at most ${MAX_PLACEHOLDER_ELEMENTS} elements in total for their example values (a limit of this tool, not of the model)`,
      { kind: 'tool-limit', field: tensorField(sg, t, 'shape') },
    );
  }
  budget.left -= n;
  return { ...base, lifetime: 'SUBGRAPH_INPUT', values: new Array<number>(n).fill(zeroPoint) };
}

function omittedOperand(index: number, role: string, type: OperandTypeName): Operand {
  return { index, name: role, role, type, dimensions: [], scale: 0, zeroPoint: 0, lifetime: 'SUBGRAPH_INPUT', isIgnored: false, values: [], omitted: true };
}

/** Type for an omitted operand: float ops use the input's float type; integer ops follow NNAPI's quantized roles. */
function omittedType(role: string, inputType: OperandTypeName): OperandTypeName {
  if (inputType === 'TENSOR_FLOAT32' || inputType === 'TENSOR_FLOAT16') return inputType;
  if (role.includes('bias')) return 'TENSOR_INT32';
  if (role.includes('layer_norm') || role.includes('cell_to_')) return 'TENSOR_QUANT16_SYMM';
  if (role === 'aux_input') return inputType;
  return 'TENSOR_QUANT8_SYMM';
}

function dim(t: TfliteTensor | undefined, i: number, what: string): number {
  const d = t?.shape[i];
  if (d === undefined || d < 0) throw new TfliteMappingError(`cannot determine ${what}: tensor ${t ? `#${t.index} shape [${t.shape.join(',')}]` : 'absent'}`);
  return d;
}

/**
 * Converts TFLite operator `opIndex` of `subgraph` (an LSTM-family op) into a single-operation NNAPI model:
 * constants → CONSTANT_COPY (decoded little-endian), non-constant tensors → SUBGRAPH_INPUT (values = zero point),
 * `-1` → omitted (values [], dims []), options → scalar CONSTANT_COPY operands. LSTM: 23 inputs (27 when the TFLite
 * op has 24) and outputs scratch [B, 4N | 3N], output_state_out [B, O], cell_state_out [B, N], output [B, O].
 * UNIDIRECTIONAL_SEQUENCE_LSTM: 28 inputs, 1 output. BIDIRECTIONAL_SEQUENCE_LSTM: 61 inputs, 2 outputs (1 if merged).
 * Quantized tensors keep raw integer values, scale and zero point (structure only). Throws TfliteMappingError.
 *
 * @example
 * ```ts
 * import { validateModel } from 'nnlstm';
 * import { readTflite, inspectTflite, tfliteOpToNnapiModel } from 'nnlstm/tflite';
 * const model = readTflite(bytes);
 * for (const op of inspectTflite(model).lstmOps) {
 *   const nnapi = tfliteOpToNnapiModel(model, op.subgraph, op.operator);
 *   console.log(op.op, validateModel(nnapi).ok);
 * }
 * ```
 */
export function tfliteOpToNnapiModel(model: TfliteModel, subgraph: number | TfliteSubgraph, opIndex: number): Model {
  const sg = typeof subgraph === 'number' ? model.subgraphs[subgraph] : subgraph;
  if (!sg) throw new TfliteMappingError(`no subgraph ${String(subgraph)}`);
  const op = sg.operators[opIndex];
  if (!op) throw new TfliteMappingError(`subgraph ${sg.index} has no operator ${opIndex}`);
  const code = model.operatorCodes[op.opcodeIndex];
  if (!code) throw new TfliteMappingError(`operator ${opIndex}: opcode index ${op.opcodeIndex} out of range`);
  const operation = lstmFamilyOperation(code.builtinCode);
  if (!operation) throw new TfliteMappingError(`operator ${opIndex} is ${code.builtinName}, not an LSTM-family op`);
  const mapping = LSTM_FAMILY_MAPPINGS[operation];
  const options = effectiveOptions(operation, op);
  if (options.kind === 'LSTMOptions' && options.kernelType !== 0) {
    throw new TfliteMappingError(`operator ${opIndex} uses the BASIC LSTM kernel (5 inputs, NNAPI QUANTIZED_16BIT_LSTM), not mapped here`);
  }
  if (!mapping.tfliteInputCounts.includes(op.inputs.length)) {
    throw new TfliteMappingError(`${operation} operator ${opIndex} has ${op.inputs.length} inputs; expected ${mapping.tfliteInputCounts.join(' or ')}`);
  }
  const tin = (i: number): TfliteTensor | undefined => {
    const t = op.inputs[i];
    return t === undefined || t < 0 ? undefined : sg.tensors[t];
  };

  const operands: Operand[] = [];
  const inputEntries = nnapiInputsFor(operation, op.inputs.length);
  const inputTensor = tin(0);
  if (!inputTensor) throw new TfliteMappingError(`operator ${opIndex} has no input tensor`);
  const inputType = nnapiType(sg, inputTensor, 'input');
  const budget = { left: MAX_PLACEHOLDER_ELEMENTS };
  for (const e of inputEntries) {
    const index = operands.length;
    const s = e.source;
    if (s.kind === 'option') {
      operands.push({
        index,
        name: e.role,
        role: e.role,
        type: OPTION_TYPES[s.field],
        dimensions: [],
        scale: 0,
        zeroPoint: 0,
        lifetime: 'CONSTANT_COPY',
        isIgnored: false,
        values: [optionValue(options, s.field)],
      });
    } else if (s.kind === 'none') {
      operands.push(omittedOperand(index, e.role, omittedType(e.role, inputType)));
    } else {
      const t = s.tflite < op.inputs.length ? op.inputs[s.tflite] : -1;
      if (t === undefined || t < 0) operands.push(omittedOperand(index, e.role, omittedType(e.role, inputType)));
      else operands.push(tensorOperand(model, sg, t, index, e.role, false, budget));
    }
  }
  const nIn = operands.length;

  const outputEntries = [...mapping.outputs].filter((e) => !(e.source.kind === 'output' && e.source.tflite >= op.outputs.length));
  for (const e of outputEntries) {
    const index = operands.length;
    const s = e.source;
    if (s.kind === 'output') {
      const t = op.outputs[s.tflite]!;
      if (t < 0) throw new TfliteMappingError(`operator ${opIndex} output ${s.tflite} is omitted`);
      operands.push(tensorOperand(model, sg, t, index, e.role, true, budget));
    } else if (s.kind === 'state') {
      const t = op.inputs[s.tflite];
      if (t === undefined || t < 0) throw new TfliteMappingError(`operator ${opIndex}: state input ${s.tflite} is omitted`);
      operands.push(tensorOperand(model, sg, t, index, e.role, true, budget));
    } else {
      // scratch_buffer [batch, 4 * n_cell] (3 * n_cell with CIFG); same type family as the cell state.
      const batch = dim(inputTensor, 0, 'the batch size');
      const nCell = dim(tin(LSTM_IN.input_to_output_weights), 0, 'n_cell');
      const cifg = tin(LSTM_IN.input_to_input_weights) === undefined;
      const cellType = operands[LSTM_IN.cell_state_in]?.type ?? 'TENSOR_FLOAT32';
      operands.push({
        index,
        name: e.role,
        role: e.role,
        type: cellType,
        dimensions: [batch, (cifg ? 3 : 4) * nCell],
        scale: operands[LSTM_IN.cell_state_in]?.scale ?? 0,
        zeroPoint: 0,
        lifetime: 'SUBGRAPH_OUTPUT',
        isIgnored: true,
        values: [],
      });
    }
  }

  const inputIndexes = operands.filter((o) => o.lifetime === 'SUBGRAPH_INPUT').map((o) => o.index);
  const outputIndexes = operands.slice(nIn).map((o) => o.index);
  return {
    operands,
    operations: [{ type: operation, inputs: operands.slice(0, nIn).map((o) => o.index), outputs: outputIndexes }],
    inputIndexes,
    outputIndexes,
    provenance: {
      kind: 'tflite',
      subgraph: sg.index,
      operator: opIndex,
      builtinCode: code.builtinCode,
      builtinName: code.builtinName,
      opVersion: code.version,
      tfliteInputCount: op.inputs.length,
      intermediates: op.intermediates.length,
    },
  };
}
