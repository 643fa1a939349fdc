/**
 * `.tflite` reader: verify (./verify.ts), then copy the flatbuffer into plain typed objects via the generated
 * accessors, then check the model's internal consistency (indices in range, constant sizes). Every problem is a
 * TfliteFormatError; any other exception would be a bug and is wrapped as kind 'internal'.
 */
import * as flatbuffers from 'flatbuffers';
import {
  BidirectionalSequenceLSTMOptions,
  LSTMOptions,
  Model as FbModel,
  Operator as FbOperator,
  Tensor as FbTensor,
  UnidirectionalSequenceLSTMOptions,
} from './generated/tflite.js';
import { TfliteFormatError } from './errors.js';
import { activationName, builtinOperatorName, tensorTypeBits, tensorTypeName, type TensorTypeName } from './names.js';
import {
  BIDIRECTIONAL_SEQUENCE_LSTM_OPTIONS_TYPE,
  LSTM_OPTIONS_TYPE,
  UNIDIRECTIONAL_SEQUENCE_LSTM_OPTIONS_TYPE,
  verifyTflite,
  type VerifyOptions,
} from './verify.js';

export { TfliteFormatError } from './errors.js';

/** The schema version every current `.tflite` file carries (TFLite refuses others). */
export const TFLITE_SCHEMA_VERSION = 3;

export interface TfliteBuffer {
  /** The constant bytes (a view into the input), or undefined when the buffer has none. */
  data?: Uint8Array;
  /** True when the `data` vector is present but empty (TFLite then treats the tensor as a 0-byte constant). */
  emptyData?: boolean;
  /** For > 2 GB models: data stored outside the flatbuffer at [offset, offset + size) of the file. */
  offset?: number;
  size?: number;
}

export interface TfliteQuantization {
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
  min: number[];
  max: number[];
  /** QuantizationDetails union type (0 = none, 1 custom, 2 blockwise, 3 multi-axis). */
  detailsType: number;
}

export interface TfliteTensor {
  index: number;
  name: string;
  type: TensorTypeName;
  typeCode: number;
  shape: number[];
  shapeSignature: number[] | null;
  buffer: number;
  isVariable: boolean;
  hasRank: boolean;
  /** Null when the tensor has no quantization table or an empty one (no scale). */
  quantization: TfliteQuantization | null;
  sparse: boolean;
  externalBuffer: number;
}

export interface TfliteOperatorCode {
  /** max(builtin_code, deprecated_builtin_code), as TFLite's GetBuiltinCode. */
  builtinCode: number;
  builtinName: string;
  deprecatedBuiltinCode: number;
  rawBuiltinCode: number;
  version: number;
  customCode: string | null;
}

interface LstmOptionsCommon {
  fusedActivationFunction: number;
  activationName: string;
  cellClip: number;
  projClip: number;
  asymmetricQuantizeInputs: boolean;
}
export interface TfliteLstmOptions extends LstmOptionsCommon {
  kind: 'LSTMOptions';
  /** 0 FULL, 1 BASIC. */
  kernelType: number;
}
export interface TfliteUniLstmOptions extends LstmOptionsCommon {
  kind: 'UnidirectionalSequenceLSTMOptions';
  timeMajor: boolean;
  diagonalRecurrentTensors: boolean;
}
export interface TfliteBiLstmOptions extends LstmOptionsCommon {
  kind: 'BidirectionalSequenceLSTMOptions';
  mergeOutputs: boolean;
  timeMajor: boolean;
}
export type TfliteLstmFamilyOptions = TfliteLstmOptions | TfliteUniLstmOptions | TfliteBiLstmOptions;

export interface TfliteOperator {
  index: number;
  opcodeIndex: number;
  /** Tensor indices; -1 = optional input omitted. */
  inputs: number[];
  outputs: number[];
  intermediates: number[];
  builtinOptionsType: number;
  /** Decoded options for the LSTM family (types 14, 69, 71); null for other option types or NONE. */
  options: TfliteLstmFamilyOptions | null;
  /** True when an options table of the declared type is present (false: defaults apply). */
  hasOptionsTable: boolean;
  builtinOptions2Type: number;
  /** Length of custom_options, or null when absent. */
  customOptionsLength: number | null;
  mutatingVariableInputs: boolean[] | null;
}

export interface TfliteSubgraph {
  index: number;
  name: string | null;
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
}

export interface TfliteSignatureDef {
  signatureKey: string | null;
  subgraphIndex: number;
  inputs: { name: string | null; tensorIndex: number }[];
  outputs: { name: string | null; tensorIndex: number }[];
}

export interface TfliteMetadata {
  name: string | null;
  buffer: number;
  /** The metadata buffer as text when it is short printable ASCII (e.g. min_runtime_version). */
  text?: string;
}

export interface TfliteModel {
  version: number;
  description: string | null;
  operatorCodes: TfliteOperatorCode[];
  subgraphs: TfliteSubgraph[];
  buffers: TfliteBuffer[];
  metadataBuffer: number[];
  metadata: TfliteMetadata[];
  signatureDefs: TfliteSignatureDef[];
  byteLength: number;
}

export interface ReadOptions extends VerifyOptions {
  /** Skip the post-verification consistency checks (default false). */
  skipSemanticChecks?: boolean;
}

/** Verifies and reads a `.tflite` file. Throws TfliteFormatError only. */
export function readTflite(bytes: Uint8Array, opts: ReadOptions = {}): TfliteModel {
  verifyTflite(bytes, opts);
  let model: TfliteModel;
  try {
    model = decode(bytes);
  } catch (e) {
    if (e instanceof TfliteFormatError) throw e;
    throw new TfliteFormatError('internal', 0, '', `unexpected ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  if (!opts.skipSemanticChecks) checkSemantics(model);
  return model;
}

// ---- decoding (only after verifyTflite) ------------------------------------------------------------------------

/** Byte position of the table each decoded object came from (for error offsets). */
const tablePos = new WeakMap<object, number>();

/** Byte offset in the file of the table `obj` was read from, when known. */
export function sourceOffset(obj: object): number | undefined {
  return tablePos.get(obj);
}

function ints(n: number, at: (i: number) => number | null): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = at(i) ?? 0;
  return out;
}

function decode(bytes: Uint8Array): TfliteModel {
  const bb = new flatbuffers.ByteBuffer(bytes);
  const m = FbModel.getRootAsModel(bb);

  const operatorCodes: TfliteOperatorCode[] = [];
  for (let i = 0; i < m.operatorCodesLength(); i++) {
    const oc = m.operatorCodes(i)!;
    const dep = oc.deprecatedBuiltinCode();
    const raw = oc.builtinCode();
    const code = Math.max(dep, raw);
    operatorCodes.push({
      builtinCode: code,
      builtinName: builtinOperatorName(code),
      deprecatedBuiltinCode: dep,
      rawBuiltinCode: raw,
      version: oc.version(),
      customCode: oc.customCode(),
    });
  }

  const buffers: TfliteBuffer[] = [];
  for (let i = 0; i < m.buffersLength(); i++) {
    const b = m.buffers(i)!;
    const out: TfliteBuffer = {};
    tablePos.set(out, b.bb_pos);
    const data = b.dataArray();
    if (data) {
      if (data.length > 0) out.data = data;
      else out.emptyData = true;
    }
    const off = b.offset();
    const size = b.size();
    if (off > 1n) {
      out.offset = Number(off);
      out.size = Number(size);
      if (out.offset + out.size <= bytes.byteLength) out.data = bytes.subarray(out.offset, out.offset + out.size);
    }
    buffers.push(out);
  }

  const subgraphs: TfliteSubgraph[] = [];
  for (let s = 0; s < m.subgraphsLength(); s++) {
    const sg = m.subgraphs(s)!;
    const tensors: TfliteTensor[] = [];
    const t = new FbTensor();
    for (let i = 0; i < sg.tensorsLength(); i++) {
      const tensor = readTensor(sg.tensors(i, t)!, i);
      tablePos.set(tensor, t.bb_pos);
      tensors.push(tensor);
    }
    const operators: TfliteOperator[] = [];
    const op = new FbOperator();
    for (let i = 0; i < sg.operatorsLength(); i++) {
      const operator = readOperator(sg.operators(i, op)!, i);
      tablePos.set(operator, op.bb_pos);
      operators.push(operator);
    }
    const subgraph: TfliteSubgraph = {
      index: s,
      name: sg.name(),
      tensors,
      inputs: ints(sg.inputsLength(), (i) => sg.inputs(i)),
      outputs: ints(sg.outputsLength(), (i) => sg.outputs(i)),
      operators,
    };
    tablePos.set(subgraph, sg.bb_pos);
    subgraphs.push(subgraph);
  }

  const metadata: TfliteMetadata[] = [];
  for (let i = 0; i < m.metadataLength(); i++) {
    const md = m.metadata(i)!;
    const entry: TfliteMetadata = { name: md.name(), buffer: md.buffer() };
    const data = buffers[md.buffer()]?.data;
    if (data && data.length <= 64) {
      let text = '';
      let ok = true;
      for (const c of data) {
        if (c === 0) break;
        if (c < 0x20 || c > 0x7e) {
          ok = false;
          break;
        }
        text += String.fromCharCode(c);
      }
      if (ok) entry.text = text;
    }
    metadata.push(entry);
  }

  const signatureDefs: TfliteSignatureDef[] = [];
  for (let i = 0; i < m.signatureDefsLength(); i++) {
    const sd = m.signatureDefs(i)!;
    const maps = (n: number, at: (j: number) => { name(): string | null; tensorIndex(): number } | null) => {
      const out: { name: string | null; tensorIndex: number }[] = [];
      for (let j = 0; j < n; j++) {
        const tm = at(j)!;
        out.push({ name: tm.name(), tensorIndex: tm.tensorIndex() });
      }
      return out;
    };
    signatureDefs.push({
      signatureKey: sd.signatureKey(),
      subgraphIndex: sd.subgraphIndex(),
      inputs: maps(sd.inputsLength(), (j) => sd.inputs(j)),
      outputs: maps(sd.outputsLength(), (j) => sd.outputs(j)),
    });
  }

  return {
    version: m.version(),
    description: m.description(),
    operatorCodes,
    subgraphs,
    buffers,
    metadataBuffer: ints(m.metadataBufferLength(), (i) => m.metadataBuffer(i)),
    metadata,
    signatureDefs,
    byteLength: bytes.byteLength,
  };
}

function readTensor(t: FbTensor, index: number): TfliteTensor {
  const q = t.quantization();
  let quantization: TfliteQuantization | null = null;
  if (q && (q.scaleLength() > 0 || q.zeroPointLength() > 0 || q.detailsType() !== 0)) {
    const zp: number[] = [];
    for (let i = 0; i < q.zeroPointLength(); i++) zp.push(Number(q.zeroPoint(i) ?? 0n));
    quantization = {
      scale: ints(q.scaleLength(), (i) => q.scale(i)),
      zeroPoint: zp,
      quantizedDimension: q.quantizedDimension(),
      min: ints(q.minLength(), (i) => q.min(i)),
      max: ints(q.maxLength(), (i) => q.max(i)),
      detailsType: q.detailsType(),
    };
  }
  const hasSig = t.shapeSignatureLength() > 0;
  return {
    index,
    name: t.name() ?? '',
    type: tensorTypeName(t.type()),
    typeCode: t.type(),
    shape: ints(t.shapeLength(), (i) => t.shape(i)),
    shapeSignature: hasSig ? ints(t.shapeSignatureLength(), (i) => t.shapeSignature(i)) : null,
    buffer: t.buffer(),
    isVariable: t.isVariable(),
    hasRank: t.hasRank(),
    quantization,
    sparse: t.sparsity() !== null,
    externalBuffer: t.externalBuffer(),
  };
}

function readOperator(op: FbOperator, index: number): TfliteOperator {
  const type = op.builtinOptionsType();
  let options: TfliteLstmFamilyOptions | null = null;
  let hasOptionsTable = false;
  if (type === LSTM_OPTIONS_TYPE) {
    const o = op.builtinOptions(new LSTMOptions()) as LSTMOptions | null;
    hasOptionsTable = o !== null;
    const act = o ? o.fusedActivationFunction() : 0;
    options = {
      kind: 'LSTMOptions',
      fusedActivationFunction: act,
      activationName: activationName(act),
      cellClip: o ? o.cellClip() : 0,
      projClip: o ? o.projClip() : 0,
      kernelType: o ? o.kernelType() : 0,
      asymmetricQuantizeInputs: o ? o.asymmetricQuantizeInputs() : false,
    };
  } else if (type === UNIDIRECTIONAL_SEQUENCE_LSTM_OPTIONS_TYPE) {
    const o = op.builtinOptions(new UnidirectionalSequenceLSTMOptions()) as UnidirectionalSequenceLSTMOptions | null;
    hasOptionsTable = o !== null;
    const act = o ? o.fusedActivationFunction() : 0;
    options = {
      kind: 'UnidirectionalSequenceLSTMOptions',
      fusedActivationFunction: act,
      activationName: activationName(act),
      cellClip: o ? o.cellClip() : 0,
      projClip: o ? o.projClip() : 0,
      timeMajor: o ? o.timeMajor() : false,
      asymmetricQuantizeInputs: o ? o.asymmetricQuantizeInputs() : false,
      diagonalRecurrentTensors: o ? o.diagonalRecurrentTensors() : false,
    };
  } else if (type === BIDIRECTIONAL_SEQUENCE_LSTM_OPTIONS_TYPE) {
    const o = op.builtinOptions(new BidirectionalSequenceLSTMOptions()) as BidirectionalSequenceLSTMOptions | null;
    hasOptionsTable = o !== null;
    const act = o ? o.fusedActivationFunction() : 0;
    options = {
      kind: 'BidirectionalSequenceLSTMOptions',
      fusedActivationFunction: act,
      activationName: activationName(act),
      cellClip: o ? o.cellClip() : 0,
      projClip: o ? o.projClip() : 0,
      mergeOutputs: o ? o.mergeOutputs() : false,
      timeMajor: o ? o.timeMajor() : true,
      asymmetricQuantizeInputs: o ? o.asymmetricQuantizeInputs() : false,
    };
  } else if (type !== 0) {
    hasOptionsTable = op.builtinOptions(new LSTMOptions()) !== null;
  }
  let mutating: boolean[] | null = null;
  if (op.mutatingVariableInputsLength() > 0) {
    mutating = [];
    for (let i = 0; i < op.mutatingVariableInputsLength(); i++) mutating.push(op.mutatingVariableInputs(i) ?? false);
  }
  const custom = op.customOptionsArray();
  return {
    index,
    opcodeIndex: op.opcodeIndex(),
    inputs: ints(op.inputsLength(), (i) => op.inputs(i)),
    outputs: ints(op.outputsLength(), (i) => op.outputs(i)),
    intermediates: ints(op.intermediatesLength(), (i) => op.intermediates(i)),
    builtinOptionsType: type,
    options,
    hasOptionsTable,
    builtinOptions2Type: op.builtinOptions2Type(),
    customOptionsLength: custom ? custom.length : null,
    mutatingVariableInputs: mutating,
  };
}

// ---- consistency checks ----------------------------------------------------------------------------------------

function semantic(path: string, detail: string, at?: object): never {
  throw new TfliteFormatError('semantic', (at && tablePos.get(at)) ?? 0, path, detail);
}

/** Element count of a static shape; undefined when a dimension is negative (unknown). */
export function shapeElementCount(shape: readonly number[]): number | undefined {
  let n = 1;
  for (const d of shape) {
    if (d < 0) return undefined;
    n *= d;
  }
  return n;
}

/** Checks indices and constant sizes; throws TfliteFormatError kind 'semantic'. Exported for tests. */
export function checkSemantics(model: TfliteModel): void {
  if (model.version !== TFLITE_SCHEMA_VERSION) {
    semantic('version', `schema version ${model.version}, TFLite supports only ${TFLITE_SCHEMA_VERSION}`);
  }
  if (model.subgraphs.length === 0) semantic('subgraphs', 'model has no subgraph');
  const nBuffers = model.buffers.length;
  const nCodes = model.operatorCodes.length;

  model.buffers.forEach((b, i) => {
    if (b.offset !== undefined && b.data === undefined) {
      semantic(`buffers[${i}].offset`, `external data [${b.offset}, +${b.size ?? 0}) lies outside the ${model.byteLength}-byte file`, b);
    }
  });

  model.subgraphs.forEach((sg, s) => {
    const nT = sg.tensors.length;
    const p = `subgraphs[${s}]`;
    const checkList = (list: number[], name: string, allowOptional: boolean, at: object) =>
      list.forEach((t, i) => {
        if (allowOptional && t === -1) return;
        if (!Number.isInteger(t) || t < 0 || t >= nT) {
          semantic(`${p}.${name}[${i}]`, `tensor index ${t} out of range [0, ${nT})`, at);
        }
      });
    checkList(sg.inputs, 'inputs', false, sg);
    checkList(sg.outputs, 'outputs', false, sg);
    sg.tensors.forEach((t, i) => {
      const tp = `${p}.tensors[${i}]`;
      if (t.type.startsWith('TYPE_')) semantic(`${tp}.type`, `unknown tensor type ${t.typeCode}`, t);
      if (t.buffer >= nBuffers) semantic(`${tp}.buffer`, `buffer index ${t.buffer} out of range [0, ${nBuffers})`, t);
      const buf = t.buffer > 0 ? model.buffers[t.buffer] : undefined;
      const data = buf?.data;
      if (t.isVariable && data) semantic(`${tp}.buffer`, 'variable tensor with constant data (TFLite rejects it)', t);
      if (data && !t.sparse) {
        const bits = tensorTypeBits(t.typeCode);
        const n = shapeElementCount(t.shape);
        if (bits !== undefined && n !== undefined) {
          const need = Math.ceil((n * bits) / 8);
          if (need !== data.length) {
            semantic(`${tp}.buffer`, `buffer ${t.buffer} has ${data.length} bytes, shape [${t.shape.join(',')}] × ${t.type} needs ${need}`, t);
          }
        }
      }
      const q = t.quantization;
      if (q && q.scale.length > 1 && (q.quantizedDimension < 0 || q.quantizedDimension >= Math.max(1, t.shape.length))) {
        semantic(`${tp}.quantization.quantized_dimension`, `quantized_dimension ${q.quantizedDimension} outside rank ${t.shape.length}`, t);
      }
    });
    sg.operators.forEach((op, o) => {
      const op_ = `${p}.operators[${o}]`;
      if (op.opcodeIndex >= nCodes) semantic(`${op_}.opcode_index`, `opcode index ${op.opcodeIndex} out of range [0, ${nCodes})`, op);
      checkList(op.inputs, `operators[${o}].inputs`, true, op);
      checkList(op.outputs, `operators[${o}].outputs`, true, op);
      checkList(op.intermediates, `operators[${o}].intermediates`, true, op);
    });
  });

  model.metadata.forEach((md, i) => {
    if (md.buffer >= nBuffers) semantic(`metadata[${i}].buffer`, `buffer index ${md.buffer} out of range [0, ${nBuffers})`);
  });
  model.signatureDefs.forEach((sd, i) => {
    const sg = model.subgraphs[sd.subgraphIndex];
    if (!sg) semantic(`signature_defs[${i}].subgraph_index`, `subgraph index ${sd.subgraphIndex} out of range`);
    const check = (list: { tensorIndex: number }[], name: string) =>
      list.forEach((m, j) => {
        if (m.tensorIndex >= sg.tensors.length) {
          semantic(`signature_defs[${i}].${name}[${j}].tensor_index`, `tensor index ${m.tensorIndex} out of range`);
        }
      });
    check(sd.inputs, 'inputs');
    check(sd.outputs, 'outputs');
  });
}
