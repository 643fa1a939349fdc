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

/** One entry of the model's buffer table (constant tensor data). */
export interface TfliteBuffer {
  /** The constant bytes (a view into the input), or undefined when the buffer has none. */
  data?: Uint8Array;
  /** True when the `data` vector is present but empty (TFLite then treats the tensor as a 0-byte constant). */
  emptyData?: boolean;
  /** For > 2 GB models: data stored outside the flatbuffer at [offset, offset + size) of the file. */
  offset?: number;
  /** For > 2 GB models: the size of the outside data, in bytes. */
  size?: number;
}

/** A tensor's quantization parameters (one entry per channel when per-axis). */
export interface TfliteQuantization {
  /** Scales: one, or one per channel of `quantizedDimension`. */
  scale: number[];
  /** Zero points, aligned with `scale`. */
  zeroPoint: number[];
  /** The channel axis of per-axis quantization. */
  quantizedDimension: number;
  /** Calibration minimums (informative). */
  min: number[];
  /** Calibration maximums (informative). */
  max: number[];
  /** QuantizationDetails union type (0 = none, 1 custom, 2 blockwise, 3 multi-axis). */
  detailsType: number;
}

/** One tensor of a subgraph. */
export interface TfliteTensor {
  /** Position in `TfliteSubgraph.tensors`. */
  index: number;
  /** The tensor's name in the file. */
  name: string;
  /** TFLite TensorType name, e.g. `FLOAT32`, `INT8`. */
  type: TensorTypeName;
  /** The raw TensorType code. */
  typeCode: number;
  /** Static shape. */
  shape: number[];
  /** Shape with -1 for dynamic dimensions; null when the file has none. */
  shapeSignature: number[] | null;
  /** Index into `TfliteModel.buffers` (0 = no constant data). */
  buffer: number;
  /** A variable tensor (e.g. an LSTM state the interpreter keeps between invocations). */
  isVariable: boolean;
  /** The schema's `has_rank`: the rank is known even when `shape` is empty. */
  hasRank: boolean;
  /** Null when the tensor has no quantization table or an empty one (no scale). */
  quantization: TfliteQuantization | null;
  /** The tensor has sparsity parameters. */
  sparse: boolean;
  /** Index into the file's external buffers; 0 = none. */
  externalBuffer: number;
}

/** One entry of the model's operator-code table. */
export interface TfliteOperatorCode {
  /** max(builtin_code, deprecated_builtin_code), as TFLite's GetBuiltinCode. */
  builtinCode: number;
  /** BuiltinOperator name of `builtinCode`, e.g. `UNIDIRECTIONAL_SEQUENCE_LSTM`. */
  builtinName: string;
  /** The schema's int8 `deprecated_builtin_code` field. */
  deprecatedBuiltinCode: number;
  /** The schema's int32 `builtin_code` field. */
  rawBuiltinCode: number;
  /** Operator version. */
  version: number;
  /** Custom op name; null for builtins. */
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
/** Decoded builtin options of an LSTM-family operator (discriminated by `kind`). */
export type TfliteLstmFamilyOptions = TfliteLstmOptions | TfliteUniLstmOptions | TfliteBiLstmOptions;

/** One operator of a subgraph. */
export interface TfliteOperator {
  /** Position in `TfliteSubgraph.operators` (execution order). */
  index: number;
  /** Index into `TfliteModel.operatorCodes`. */
  opcodeIndex: number;
  /** Tensor indices; -1 = optional input omitted. */
  inputs: number[];
  /** Output tensor indices. */
  outputs: number[];
  /** Intermediate tensor indices (integer LSTMs keep their gate scales there). */
  intermediates: number[];
  /** BuiltinOptions union type code. */
  builtinOptionsType: number;
  /** Decoded options for the LSTM family (types 14, 69, 71); null for other option types or NONE. */
  options: TfliteLstmFamilyOptions | null;
  /** True when an options table of the declared type is present (false: defaults apply). */
  hasOptionsTable: boolean;
  /** BuiltinOptions2 union type code. */
  builtinOptions2Type: number;
  /** Length of custom_options, or null when absent. */
  customOptionsLength: number | null;
  /** The schema's `mutating_variable_inputs`; null when absent. */
  mutatingVariableInputs: boolean[] | null;
}

/** One subgraph (subgraph 0 is the model's entry). */
export interface TfliteSubgraph {
  /** Position in `TfliteModel.subgraphs`. */
  index: number;
  /** Its name; null when absent. */
  name: string | null;
  /** Every tensor. */
  tensors: TfliteTensor[];
  /** Tensor indices of the subgraph inputs. */
  inputs: number[];
  /** Tensor indices of the subgraph outputs. */
  outputs: number[];
  /** Operators in execution order. */
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

/** A verified, decoded `.tflite` model (from {@link readTflite}); constant data are views into the input bytes. */
export interface TfliteModel {
  /** Schema version ({@link TFLITE_SCHEMA_VERSION} for current files). */
  version: number;
  /** The model's description string; null when absent. */
  description: string | null;
  /** The operator-code table operators index into. */
  operatorCodes: TfliteOperatorCode[];
  /** Every subgraph. */
  subgraphs: TfliteSubgraph[];
  /** The buffer table tensors index into. */
  buffers: TfliteBuffer[];
  /** The deprecated `metadata_buffer` buffer indices. */
  metadataBuffer: number[];
  /** Named metadata entries (e.g. min_runtime_version). */
  metadata: TfliteMetadata[];
  /** Signatures (named entry points). */
  signatureDefs: TfliteSignatureDef[];
  /** Size of the input in bytes. */
  byteLength: number;
}

/** Options of {@link readTflite}: the verifier's limits, and whether to run the consistency checks. */
export interface ReadOptions extends VerifyOptions {
  /** Skip the post-verification consistency checks (default false). */
  skipSemanticChecks?: boolean;
}

/**
 * Verifies and reads a `.tflite` file. Throws TfliteFormatError only (kind, byte offset, field path), also
 * for a truncated or hostile file.
 *
 * @example
 * ```ts
 * import { readTflite } from 'nnlstm/tflite';
 * const bytes = new Uint8Array(await (await fetch('model.tflite')).arrayBuffer());
 * const model = readTflite(bytes);
 * console.log(model.operatorCodes.map((c) => c.builtinName), model.subgraphs[0]!.operators.length);
 * ```
 */
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

/** Largest tensor rank the reader accepts (TFLite kernels stop at 6–8; NNAPI LSTM operands have rank ≤ 3). */
export const MAX_TENSOR_RANK = 64;

/** Checks indices, constant sizes and ranks; throws TfliteFormatError kind 'semantic' (or 'limit' for a rank over MAX_TENSOR_RANK). Exported for tests. */
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
      // Every op copies the shapes of the tensors it names: a bounded rank keeps that linear in the file size.
      for (const [name, shape] of [['shape', t.shape], ['shape_signature', t.shapeSignature ?? []]] as const) {
        if (shape.length > MAX_TENSOR_RANK) {
          throw new TfliteFormatError('limit', tablePos.get(t) ?? 0, `${tp}.${name}`, `rank ${shape.length} exceeds this reader's limit of ${MAX_TENSOR_RANK} dimensions`);
        }
      }
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
