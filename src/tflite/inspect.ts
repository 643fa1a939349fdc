/**
 * A JSON-able description of a read `.tflite` model: operator table, subgraph I/O, and per LSTM-family operator its
 * features, sizes, tensor types/quantization, arithmetic (float / hybrid / integer) and whether TFLite's NNAPI
 * delegate would hand it to NNAPI (facts §6 restrictions).
 */
import { LSTM_IN } from '../ops/lstm/operands.generated.js';
import { effectiveOptions, lstmFamilyOperation, nnapiInputsFor, type LstmFamilyOperation } from './mapping.js';
import type { TfliteModel, TfliteQuantization, TfliteSubgraph, TfliteTensor } from './reader.js';

export interface TensorSummary {
  index: number;
  name: string;
  type: string;
  shape: number[];
  /** Per-tensor (or first-channel) scale/zero point; `channels` > 1 for per-channel quantization. */
  quantization?: { scale: number; zeroPoint: number; channels: number; quantizedDimension: number };
  constant?: boolean;
  variable?: boolean;
}

export interface LstmTensorSlot extends TensorSummary {
  /** TFLite input position. */
  slot: number;
  role: string;
}

export type LstmArithmetic = 'float' | 'hybrid' | 'integer-8x8_16' | 'integer-8x8_8' | 'integer-16x8' | 'unknown';

/** One LSTM-family operator of a `.tflite` model, as {@link inspectTflite} describes it. */
export interface LstmOpReport {
  /** Subgraph index. */
  subgraph: number;
  /** Operator index in that subgraph. */
  operator: number;
  /** TFLite builtin name: LSTM, UNIDIRECTIONAL_SEQUENCE_LSTM or BIDIRECTIONAL_SEQUENCE_LSTM. */
  op: LstmFamilyOperation;
  /** Operator version (from the operator-code table). */
  version: number;
  /** Number of TFLite inputs (e.g. 20 or 24 for LSTM). */
  tfliteInputs: number;
  /** Number of TFLite outputs. */
  tfliteOutputs: number;
  /** Number of intermediate tensors (integer LSTMs keep gate quantization there). */
  intermediates: number;
  /** BASIC kernel (5 inputs, LSTM v2) — the remaining fields describe the FULL kernel only. */
  basicKernel: boolean;
  /** The variant, in NNAPI terms. */
  features: {
    /** Coupled input and forget gate (input_to_input_weights omitted). */
    cifg: boolean;
    /** Peephole weights present. */
    peephole: boolean;
    /** Projection weights present. */
    projection: boolean;
    /** Projection bias present. */
    projectionBias: boolean;
    /** Layer-normalization weights present. */
    layerNorm: boolean;
    /** Cell clip; 0 = none. */
    cellClip: number;
    /** Projection clip; 0 = none. */
    projClip: number;
    /** TFLite fused activation code. */
    activation: number;
    /** Its name (`TANH`, `RELU`, …). */
    activationName: string;
    /** Options table present in the file (false: TFLite defaults apply, activation NONE). */
    explicitOptions: boolean;
    /** Sequence ops: input is `[time, batch, input]`. */
    timeMajor?: boolean;
    /** Bidirectional op: one merged output. */
    mergeOutputs?: boolean;
    /** Bidirectional op: aux_input present. */
    auxInput?: boolean;
    /** Hybrid ops: inputs quantized asymmetrically. */
    asymmetricQuantizeInputs: boolean;
    /** Unidirectional op: diagonal recurrent weights (not an NNAPI feature). */
    diagonalRecurrentTensors?: boolean;
  };
  /** Sizes read from the tensor shapes (absent when a shape does not say): batch, time steps, input size, num_units, output size. */
  sizes: {
    /** Batch size. */
    batch?: number;
    /** Time steps (sequence ops). */
    time?: number;
    /** input_size. */
    input?: number;
    /** num_units (the cell size). */
    units?: number;
    /** output_size (= num_units without projection). */
    output?: number;
  };
  /** Float, hybrid (int8 weights, float activations) or one of the integer schemes (activation x weight _ cell bits). */
  arithmetic: LstmArithmetic;
  /** `arithmetic` is float. */
  isFloat: boolean;
  /** `arithmetic` is hybrid. */
  isHybrid: boolean;
  /** `arithmetic` is one of the integer schemes. */
  isInteger: boolean;
  /** Tensor type of `input`. */
  inputType: string;
  /** Tensor type of the weights. */
  weightType: string;
  /** Tensor type of the output. */
  outputType: string;
  /** Every input slot with its NNAPI role, type, shape and quantization. */
  tensors: LstmTensorSlot[];
  /** Whether TFLite's NNAPI delegate would run the op on NNAPI, and from which Android version. */
  nnapiDelegate: NnapiDelegateVerdict;
}

/** Would TFLite's NNAPI delegate hand an operator to NNAPI (facts §6 restrictions), and from which Android API level. */
export interface NnapiDelegateVerdict {
  /** The NNAPI operation the delegate would emit. */
  nnapiOperation: string;
  /** Whether the delegate would hand the op to NNAPI on a recent enough device. */
  delegated: boolean;
  /** Why not (empty when delegated). */
  reasons: string[];
  /** Requirements and caveats. */
  notes: string[];
  /** Minimum Android API level (27 = NNAPI 1.0, 28 = 1.1, 29 = 1.2, 30 = 1.3); null when never delegated. */
  minAndroidApi: number | null;
  /** The NNAPI version of `minAndroidApi` (`1.0` … `1.3`); null when never delegated. */
  minNnapi: string | null;
}

/** A JSON-able description of a read `.tflite` model (from {@link inspectTflite}). */
export interface TfliteInspection {
  /** Schema version. */
  version: number;
  /** The model's description string. */
  description: string | null;
  /** File size in bytes. */
  byteLength: number;
  /** Metadata entries by name: their text when printable, else null. */
  metadata: Record<string, string | null>;
  /** Operator codes with how many operators use each. */
  operatorTable: { opcodeIndex: number; builtinCode: number; name: string; version: number; customCode: string | null; count: number }[];
  /** Per subgraph: tensor and operator counts and its inputs and outputs. */
  subgraphs: { index: number; name: string | null; tensors: number; operators: number; inputs: TensorSummary[]; outputs: TensorSummary[] }[];
  /** Signatures with their input and output names. */
  signatureDefs: { key: string | null; subgraph: number; inputs: string[]; outputs: string[] }[];
  /** Every LSTM-family operator. */
  lstmOps: LstmOpReport[];
}

const NNAPI_VERSION_BY_API: Record<number, string> = { 27: '1.0', 28: '1.1', 29: '1.2', 30: '1.3' };

function quantSummary(q: TfliteQuantization | null): TensorSummary['quantization'] {
  if (!q || q.scale.length === 0) return undefined;
  return { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0] ?? 0, channels: q.scale.length, quantizedDimension: q.quantizedDimension };
}

function tensorSummary(model: TfliteModel, t: TfliteTensor): TensorSummary {
  const s: TensorSummary = { index: t.index, name: t.name, type: t.type, shape: [...t.shape] };
  const q = quantSummary(t.quantization);
  if (q) s.quantization = q;
  if (t.buffer > 0 && model.buffers[t.buffer]?.data) s.constant = true;
  if (t.isVariable) s.variable = true;
  return s;
}

const isQuantizedType = (type: string | undefined) => type === 'INT8' || type === 'UINT8' || type === 'INT16';

function arithmeticOf(inputType: string, weightType: string, intermediates: number): LstmArithmetic {
  if (inputType === 'FLOAT32' && weightType === 'FLOAT32') return 'float';
  if (inputType === 'FLOAT32' && isQuantizedType(weightType)) return 'hybrid';
  if (inputType === 'INT8' && weightType === 'INT8') return intermediates === 12 ? 'integer-8x8_8' : 'integer-8x8_16';
  if (inputType === 'INT16' && weightType === 'INT8') return 'integer-16x8';
  return 'unknown';
}

/** The report of operator `opIndex` of `sg` when it is an LSTM-family op (undefined otherwise). */
export function lstmReport(model: TfliteModel, sg: TfliteSubgraph, opIndex: number): LstmOpReport | undefined {
  const op = sg.operators[opIndex]!;
  const code = model.operatorCodes[op.opcodeIndex];
  if (!code) return undefined;
  const kind = lstmFamilyOperation(code.builtinCode);
  if (!kind) return undefined;
  const o = effectiveOptions(kind, op);
  const tensorAt = (slot: number): TfliteTensor | undefined => {
    const t = op.inputs[slot];
    return t === undefined || t < 0 ? undefined : sg.tensors[t];
  };
  const has = (slot: number) => tensorAt(slot) !== undefined;
  const basicKernel = o.kind === 'LSTMOptions' && o.kernelType === 1;

  // Slots with role names (from the one mapping table).
  const roles = new Map<number, string>();
  if (!basicKernel) {
    for (const e of nnapiInputsFor(kind, op.inputs.length)) if (e.source.kind === 'input') roles.set(e.source.tflite, e.role);
  } else {
    ['input', 'prev_activation', 'weights', 'biases', 'prev_state'].forEach((r, i) => roles.set(i, r));
  }
  const tensors: LstmTensorSlot[] = [];
  op.inputs.forEach((t, slot) => {
    const tensor = t >= 0 ? sg.tensors[t] : undefined;
    if (tensor) tensors.push({ slot, role: roles.get(slot) ?? `input_${slot}`, ...tensorSummary(model, tensor) });
  });

  const input = tensorAt(0);
  const weights = basicKernel ? tensorAt(2) : tensorAt(LSTM_IN.input_to_output_weights);
  const recurrent = tensorAt(LSTM_IN.recurrent_to_output_weights);
  const outTensor = op.outputs[0] !== undefined && op.outputs[0] >= 0 ? sg.tensors[op.outputs[0]] : undefined;
  const inputType = input?.type ?? 'ABSENT';
  const weightType = weights?.type ?? 'ABSENT';
  const arithmetic = arithmeticOf(inputType, weightType, op.intermediates.length);

  const timeMajor = 'timeMajor' in o ? o.timeMajor : undefined;
  const sizes: LstmOpReport['sizes'] = {};
  const ishape = input?.shape ?? [];
  if (kind === 'LSTM') {
    if (ishape.length >= 2) sizes.batch = ishape[0]!;
  } else if (ishape.length === 3) {
    sizes.time = timeMajor ? ishape[0]! : ishape[1]!;
    sizes.batch = timeMajor ? ishape[1]! : ishape[0]!;
  }
  if (!basicKernel) {
    if (weights?.shape.length === 2) {
      sizes.units = weights.shape[0]!;
      sizes.input = weights.shape[1]!;
    }
    if (recurrent?.shape.length === 2) sizes.output = recurrent.shape[1]!;
    else if (o.kind === 'UnidirectionalSequenceLSTMOptions' && o.diagonalRecurrentTensors && sizes.units !== undefined) {
      sizes.output = sizes.units;
    }
  } else {
    const prevState = tensorAt(4);
    if (prevState?.shape.length === 2) sizes.units = prevState.shape[1]!;
    if (ishape.length === 2) sizes.input = ishape[1]!;
    const prevAct = tensorAt(1);
    if (prevAct?.shape.length === 2) sizes.output = prevAct.shape[1]!;
  }

  const layerNorm = kind !== 'BIDIRECTIONAL_SEQUENCE_LSTM' && op.inputs.length === 24 && has(21);
  const features: LstmOpReport['features'] = {
    cifg: !basicKernel && !has(LSTM_IN.input_to_input_weights),
    peephole: !basicKernel && has(LSTM_IN.cell_to_forget_weights),
    projection: !basicKernel && has(LSTM_IN.projection_weights),
    projectionBias: !basicKernel && has(LSTM_IN.projection_bias),
    layerNorm,
    cellClip: o.cellClip,
    projClip: o.projClip,
    activation: o.fusedActivationFunction,
    activationName: o.activationName,
    explicitOptions: op.hasOptionsTable,
    asymmetricQuantizeInputs: o.asymmetricQuantizeInputs,
  };
  if (timeMajor !== undefined) features.timeMajor = timeMajor;
  if (o.kind === 'BidirectionalSequenceLSTMOptions') {
    features.mergeOutputs = o.mergeOutputs;
    features.auxInput = has(39);
  }
  if (o.kind === 'UnidirectionalSequenceLSTMOptions') features.diagonalRecurrentTensors = o.diagonalRecurrentTensors;

  const report: LstmOpReport = {
    subgraph: sg.index,
    operator: opIndex,
    op: kind,
    version: code.version,
    tfliteInputs: op.inputs.length,
    tfliteOutputs: op.outputs.length,
    intermediates: op.intermediates.length,
    basicKernel,
    features,
    sizes,
    arithmetic,
    isFloat: arithmetic === 'float',
    isHybrid: arithmetic === 'hybrid',
    isInteger: arithmetic.startsWith('integer'),
    inputType,
    weightType,
    outputType: outTensor?.type ?? 'ABSENT',
    tensors,
    nnapiDelegate: { nnapiOperation: '', delegated: false, reasons: [], notes: [], minAndroidApi: null, minNnapi: null },
  };
  report.nnapiDelegate = nnapiDelegateVerdict(report);
  return report;
}

/**
 * Would TFLite's NNAPI delegate hand this op to NNAPI, and from which Android API level (facts §6): LSTM op
 * version ≤ 3 and API ≥ 28 (NNAPI 1.0 mishandles optional tensors), the 24-input form and hybrid ops need API 29,
 * weights float32/uint8 (int8 from NNAPI 1.3, API 30), BASIC kernel → QUANTIZED_16BIT_LSTM (uint8 weights, fixed
 * quantization); UNIDIRECTIONAL: version ≤ 2, API 29, not hybrid, 20/24 inputs; BIDIRECTIONAL: version 1, API 29,
 * not hybrid.
 */
export function nnapiDelegateVerdict(op: LstmOpReport): NnapiDelegateVerdict {
  const reasons: string[] = [];
  const notes: string[] = [];
  let api = 27;
  const need = (level: number, why: string) => {
    if (level > api) api = level;
    notes.push(`API ≥ ${level} (NNAPI ${NNAPI_VERSION_BY_API[level] ?? '?'}): ${why}`);
  };
  let nnapiOperation: string;
  switch (op.op) {
    case 'LSTM': {
      nnapiOperation = op.basicKernel ? 'ANEURALNETWORKS_QUANTIZED_16BIT_LSTM' : 'ANEURALNETWORKS_LSTM';
      if (op.version > 3) reasons.push(`LSTM op version ${op.version} > 3`);
      need(28, 'NNAPI 1.0 has a bug for optional tensors which would affect LSTM');
      if (op.isHybrid) need(29, 'hybrid LSTM (float input, quantized weights)');
      if (op.basicKernel) {
        need(29, 'QUANTIZED_16BIT_LSTM');
        if (op.weightType !== 'UINT8') reasons.push(`BASIC kernel needs UINT8 weights, has ${op.weightType}`);
        const input = op.tensors.find((t) => t.slot === 0);
        const q = input?.quantization;
        if (!q || Math.abs(q.scale - 1 / 128) > 1e-12 || q.zeroPoint !== 128) reasons.push('BASIC kernel input quantization must be scale 1/128, zero point 128');
        for (const slot of [2, 3]) {
          if (!op.tensors.find((t) => t.slot === slot)?.constant) reasons.push(`BASIC kernel input ${slot} (${slot === 2 ? 'weights' : 'biases'}) must be constant`);
        }
      } else {
        if (op.tfliteInputs === 24) need(29, '24-input (layer norm) form');
        if (op.tfliteInputs !== 20 && op.tfliteInputs !== 24) reasons.push(`${op.tfliteInputs} inputs (20 or 24 expected)`);
        if (op.weightType === 'INT8') need(30, 'int8 weights');
        else if (op.weightType !== 'FLOAT32' && op.weightType !== 'UINT8') reasons.push(`weights are ${op.weightType} (float32, uint8 or, from NNAPI 1.3, int8)`);
      }
      break;
    }
    case 'UNIDIRECTIONAL_SEQUENCE_LSTM': {
      nnapiOperation = 'ANEURALNETWORKS_UNIDIRECTIONAL_SEQUENCE_LSTM';
      if (op.version > 2) reasons.push(`UNIDIRECTIONAL_SEQUENCE_LSTM op version ${op.version} > 2`);
      need(29, 'UNIDIRECTIONAL_SEQUENCE_LSTM');
      if (op.isHybrid) reasons.push('hybrid version of this op is not supported by NNAPI');
      if (op.tfliteInputs !== 20 && op.tfliteInputs !== 24) reasons.push(`${op.tfliteInputs} inputs (only 20 or 24 supported)`);
      if (op.isInteger) {
        reasons.push(
          'integer (int8 activation) form: the delegate\'s validation lets it through, but NNAPI UNIDIRECTIONAL_SEQUENCE_LSTM only takes float32/float16 operands, so building the NNAPI model fails',
        );
      }
      notes.push('no state feedback: the delegate maps only the output; the TFLite variable state is read but not written back');
      break;
    }
    case 'BIDIRECTIONAL_SEQUENCE_LSTM': {
      nnapiOperation = 'ANEURALNETWORKS_BIDIRECTIONAL_SEQUENCE_LSTM';
      if (op.version !== 1) reasons.push(`BIDIRECTIONAL_SEQUENCE_LSTM op version ${op.version} ≠ 1`);
      need(29, 'BIDIRECTIONAL_SEQUENCE_LSTM');
      if (op.isHybrid) reasons.push('hybrid version of this op is not supported by NNAPI');
      if (op.isInteger) reasons.push('NNAPI BIDIRECTIONAL_SEQUENCE_LSTM only takes float32/float16 operands');
      break;
    }
  }
  if (op.features.activation === 2 || op.features.activation === 5) {
    notes.push(`activation ${op.features.activationName} is not listed by the NNAPI LSTM spec`);
  }
  const delegated = reasons.length === 0;
  return {
    nnapiOperation,
    delegated,
    reasons,
    notes,
    minAndroidApi: delegated ? api : null,
    minNnapi: delegated ? (NNAPI_VERSION_BY_API[api] ?? null) : null,
  };
}

function summaries(model: TfliteModel, sg: TfliteSubgraph, list: number[]): TensorSummary[] {
  return list.flatMap((t) => {
    const tensor = sg.tensors[t];
    return tensor ? [tensorSummary(model, tensor)] : [];
  });
}

/**
 * Describes a read model as plain JSON: operator table, subgraph I/O, and per LSTM-family operator its
 * features, sizes, types, arithmetic and NNAPI-delegate verdict.
 *
 * @example
 * ```ts
 * import { readTflite, inspectTflite } from 'nnlstm/tflite';
 * const info = inspectTflite(readTflite(bytes));
 * for (const op of info.lstmOps) console.log(op.op, op.arithmetic, op.sizes, op.nnapiDelegate.delegated);
 * ```
 */
export function inspectTflite(model: TfliteModel, reports?: LstmOpReport[]): TfliteInspection {
  const counts = new Map<number, number>();
  for (const sg of model.subgraphs) for (const op of sg.operators) counts.set(op.opcodeIndex, (counts.get(op.opcodeIndex) ?? 0) + 1);
  const metadata: Record<string, string | null> = {};
  for (const m of model.metadata) metadata[m.name ?? `#${m.buffer}`] = m.text ?? null;
  // `reports`: the caller's LSTM-op reports (validate builds one per distinct op and shares it with the repeats).
  const lstmOps: LstmOpReport[] = reports ?? [];
  if (!reports) {
    for (const sg of model.subgraphs) {
      sg.operators.forEach((_, i) => {
        const r = lstmReport(model, sg, i);
        if (r) lstmOps.push(r);
      });
    }
  }
  return {
    version: model.version,
    description: model.description,
    byteLength: model.byteLength,
    metadata,
    operatorTable: model.operatorCodes.map((c, i) => ({
      opcodeIndex: i,
      builtinCode: c.builtinCode,
      name: c.customCode ?? c.builtinName,
      version: c.version,
      customCode: c.customCode,
      count: counts.get(i) ?? 0,
    })),
    subgraphs: model.subgraphs.map((sg) => ({
      index: sg.index,
      name: sg.name,
      tensors: sg.tensors.length,
      operators: sg.operators.length,
      inputs: summaries(model, sg, sg.inputs),
      outputs: summaries(model, sg, sg.outputs),
    })),
    signatureDefs: model.signatureDefs.map((s) => ({
      key: s.signatureKey,
      subgraph: s.subgraphIndex,
      inputs: s.inputs.map((m) => `${m.name ?? '?'} → #${m.tensorIndex}`),
      outputs: s.outputs.map((m) => `${m.name ?? '?'} → #${m.tensorIndex}`),
    })),
    lstmOps,
  };
}
