/**
 * ONNX writer: the plain model of ./model.ts serialized as a ModelProto, and a builder for the one-node LSTM
 * models the ONNX Runtime driver and the golden generator run. Tensors are written as little-endian raw_data
 * (what exporters write and what every runtime reads); attributes carry their `type`, which ONNX Runtime requires.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType,
  ModelProtoSchema,
  TensorProto_DataType,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './generated/onnx_pb.js';
import type { OnnxAttributeValue, OnnxDataType, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from './model.js';
import type { OnnxActivation, OnnxActivationName, OnnxLstmAttributes, OnnxLstmTensor } from '../ops/onnx-lstm/types.js';
import { ACTIVATION_PARAMETERS } from '../ops/onnx-lstm/activations.js';
import { toFloat16Bits } from '../util/float16.js';
import { ONNX_LSTM_INPUTS, type OnnxLstmInputName as OnnxLstmInput } from '../ops/onnx-lstm/types.js';

type MessageInit<T> = Omit<Partial<T>, '$typeName' | '$unknown'>;

const DATA_TYPE_CODE: Record<Exclude<OnnxDataType, 'OTHER'>, number> = {
  FLOAT: TensorProto_DataType.FLOAT,
  UINT8: TensorProto_DataType.UINT8,
  INT8: TensorProto_DataType.INT8,
  UINT16: TensorProto_DataType.UINT16,
  INT16: TensorProto_DataType.INT16,
  INT32: TensorProto_DataType.INT32,
  INT64: TensorProto_DataType.INT64,
  STRING: TensorProto_DataType.STRING,
  BOOL: TensorProto_DataType.BOOL,
  FLOAT16: TensorProto_DataType.FLOAT16,
  DOUBLE: TensorProto_DataType.DOUBLE,
  UINT32: TensorProto_DataType.UINT32,
  UINT64: TensorProto_DataType.UINT64,
  BFLOAT16: TensorProto_DataType.BFLOAT16,
};

/** The TensorProto data_type number of a type name ('OTHER' keeps the code stored beside it). */
export function onnxDataTypeCode(t: OnnxDataType, fallback = 0): number {
  return t === 'OTHER' ? fallback : DATA_TYPE_CODE[t];
}

/** Bytes per element in raw_data for the integer types the model decodes to Int32Array. */
const INT_WIDTH: Partial<Record<OnnxDataType, 1 | 2 | 4>> = { UINT8: 1, INT8: 1, BOOL: 1, UINT16: 2, INT16: 2, INT32: 4, UINT32: 4 };

/** Little-endian raw_data of a tensor's elements (strings go to string_data instead). */
function rawData(t: OnnxTensor): Uint8Array {
  const d = t.data;
  if (d === undefined || Array.isArray(d)) return new Uint8Array(0);
  const n = d.length;
  if (d instanceof Float32Array) {
    const out = new DataView(new ArrayBuffer(n * 4));
    for (let i = 0; i < n; i++) out.setFloat32(i * 4, d[i]!, true);
    return new Uint8Array(out.buffer);
  }
  if (d instanceof Float64Array && t.dataType === 'UINT32') {
    // The reader keeps UINT32 as exact integers in a Float64Array.
    const out = new DataView(new ArrayBuffer(n * 4));
    for (let i = 0; i < n; i++) out.setUint32(i * 4, d[i]!, true);
    return new Uint8Array(out.buffer);
  }
  if (d instanceof Float64Array) {
    const out = new DataView(new ArrayBuffer(n * 8));
    for (let i = 0; i < n; i++) out.setFloat64(i * 8, d[i]!, true);
    return new Uint8Array(out.buffer);
  }
  if (d instanceof Uint16Array) {
    const out = new DataView(new ArrayBuffer(n * 2));
    for (let i = 0; i < n; i++) out.setUint16(i * 2, d[i]!, true);
    return new Uint8Array(out.buffer);
  }
  if (d instanceof BigInt64Array) {
    const out = new DataView(new ArrayBuffer(n * 8));
    for (let i = 0; i < n; i++) out.setBigInt64(i * 8, d[i]!, true);
    return new Uint8Array(out.buffer);
  }
  // Int32Array: the element width is the declared type's.
  const w = INT_WIDTH[t.dataType] ?? 4;
  const out = new DataView(new ArrayBuffer(n * w));
  for (let i = 0; i < n; i++) {
    const v = d[i]!;
    if (w === 1) out.setUint8(i, v & 0xff);
    else if (w === 2) out.setUint16(i * 2, v & 0xffff, true);
    else out.setInt32(i * 4, v, true);
  }
  return new Uint8Array(out.buffer);
}

const utf8 = new TextEncoder();

function tensorProto(t: OnnxTensor): MessageInit<TensorProto> {
  const init: MessageInit<TensorProto> = {
    name: t.name,
    dataType: onnxDataTypeCode(t.dataType, t.dataTypeCode),
    dims: t.dims.map((d) => BigInt(d)),
  };
  if (t.external) {
    init.dataLocation = 1; // EXTERNAL
    init.externalData = [{ key: 'location', value: t.external.location } as never];
  } else if (Array.isArray(t.data)) {
    init.stringData = t.data.map((s) => utf8.encode(s));
  } else {
    init.rawData = rawData(t);
  }
  return init;
}

function valueInfo(v: OnnxValueInfo): MessageInit<ValueInfoProto> {
  const init: MessageInit<ValueInfoProto> = { name: v.name };
  if (v.elemType !== undefined || v.shape !== undefined) {
    const tensor: Record<string, unknown> = {};
    if (v.elemType !== undefined) tensor.elemType = onnxDataTypeCode(v.elemType);
    if (v.shape !== undefined) {
      tensor.shape = {
        dim: v.shape.map((d) =>
          typeof d === 'number'
            ? { value: { case: 'dimValue', value: BigInt(d) } }
            : typeof d === 'string'
              ? { value: { case: 'dimParam', value: d } }
              : {},
        ),
      };
    }
    init.type = { value: { case: 'tensorType', value: tensor } } as never;
  }
  return init;
}

function attribute(name: string, a: OnnxAttributeValue): MessageInit<AttributeProto> {
  const T = AttributeProto_AttributeType;
  switch (a.type) {
    case 'FLOAT':
      return { name, type: T.FLOAT, f: a.value };
    case 'INT':
      return { name, type: T.INT, i: a.exact ?? BigInt(a.value) };
    case 'STRING':
      return { name, type: T.STRING, s: utf8.encode(a.value) };
    case 'TENSOR':
      return { name, type: T.TENSOR, t: tensorProto(a.value) as TensorProto };
    case 'GRAPH':
      return { name, type: T.GRAPH, g: graphProto(a.value) as GraphProto };
    case 'FLOATS':
      return { name, type: T.FLOATS, floats: a.value };
    case 'INTS':
      return { name, type: T.INTS, ints: a.exact ?? a.value.map((v) => BigInt(v)) };
    case 'STRINGS':
      return { name, type: T.STRINGS, strings: a.value.map((s) => utf8.encode(s)) };
    case 'TENSORS':
      return { name, type: T.TENSORS, tensors: a.value.map((t) => tensorProto(t) as TensorProto) };
    case 'GRAPHS':
      return { name, type: T.GRAPHS, graphs: a.value.map((g) => graphProto(g) as GraphProto) };
    case 'OTHER':
      return { name, type: a.code };
  }
}

function nodeProto(n: OnnxNode): MessageInit<NodeProto> {
  const init: MessageInit<NodeProto> = {
    name: n.name,
    opType: n.opType,
    input: n.inputs,
    output: n.outputs,
    attribute: Object.entries(n.attributes).map(([k, v]) => attribute(k, v) as AttributeProto),
  };
  if (n.domain !== '') init.domain = n.domain;
  return init;
}

function graphProto(g: OnnxGraph): MessageInit<GraphProto> {
  return {
    name: g.name,
    node: g.nodes.map((n) => nodeProto(n) as NodeProto),
    initializer: g.initializers.map((t) => tensorProto(t) as TensorProto),
    input: g.inputs.map((v) => valueInfo(v) as ValueInfoProto),
    output: g.outputs.map((v) => valueInfo(v) as ValueInfoProto),
    valueInfo: (g.valueInfo ?? []).map((v) => valueInfo(v) as ValueInfoProto),
  };
}

/** The ModelProto message of a plain model (subgraphs of GRAPH/GRAPHS attributes included, recursively). */
export function toModelProto(model: OnnxModel): ModelProto {
  return create(ModelProtoSchema, {
    irVersion: BigInt(model.irVersion),
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    opsetImport: Object.entries(model.opsets).map(([domain, version]) => ({ domain, version: BigInt(version) })),
    graph: graphProto(model.graph) as GraphProto,
  });
}

/** Serialize a plain ONNX model to .onnx bytes. */
export function writeOnnx(model: OnnxModel): Uint8Array {
  return toBinary(ModelProtoSchema, toModelProto(model));
}

// ---------------------------------------------------------------------------------------------------------------
// One-node LSTM models

/** The optional and weight inputs of an ONNX LSTM node, in the operator's input order after X. */
export const LSTM_INPUT_ORDER = ONNX_LSTM_INPUTS;
export type LstmInputName = OnnxLstmInput;
export type LstmOperandName = Exclude<LstmInputName, 'X'>;

/** An int32 tensor (sequence_lens). */
export interface OnnxIntTensor {
  dims: number[];
  data: Int32Array;
}

/** Which element type the float tensors of a one-node model carry. */
export type OnnxLstmDataType = 'FLOAT' | 'FLOAT16' | 'DOUBLE';

/** What {@link singleLstmModel} builds: one ONNX LSTM node, its attributes, which inputs are constants and which graph inputs, the opset and element type. */
export interface SingleLstmSpec {
  attrs: OnnxLstmAttributes;
  inputs: {
    /** X's dims; X is always a graph input. */
    xDims: number[];
    /** Tensors written as initializers (the node's constant weights). */
    constants?: Partial<Record<LstmOperandName, OnnxLstmTensor | OnnxIntTensor>>;
    /** Tensors fed at run time: graph inputs with these dims. An input in neither map is omitted (''). */
    graphInputs?: Partial<Record<LstmOperandName, number[]>>;
  };
  /** ai.onnx opset (default 14; 7 only with layout 0; 22 allowed). */
  opset?: number;
  /** Element type of X, W, R, B, initial_h/c, P and the outputs (default FLOAT). */
  dataType?: OnnxLstmDataType;
  /** Producer name written into the model (default 'nnlstm'). */
  producerName?: string;
  /** Unset activation alpha/beta: written as the documented defaults ('explicit', default) or left to the runtime. */
  activationParameters?: ActivationParameterPolicy;
}

/** The written single-node model: its bytes, the graph input and output names, and the model object. */
export interface SingleLstmModel {
  bytes: Uint8Array;
  /** The graph input names in order (X first), as InferenceSession feeds expect them. */
  inputNames: string[];
  /** ['Y', 'Y_h', 'Y_c']. */
  outputNames: string[];
  /** The plain model written. */
  model: OnnxModel;
}

/** Errors of the one-node builder, as values. */
export class OnnxWriteError extends Error {
  constructor(
    readonly rule: string,
    readonly path: string,
    message: string,
  ) {
    super(`${rule} at ${path}: ${message}`);
    this.name = 'OnnxWriteError';
  }
}

/**
 * Which activations take alpha / beta, and what an {@link OnnxActivation} that leaves one unset means: the
 * default of the like-named ONNX operator, as the operator doc says (the reference's ACTIVATION_PARAMETERS).
 * ONNX Runtime uses other values for a short list (Affine 0/0, ThresholdedRelu 0, ScaledTanh 0/0: departure
 * ORT.LSTM.activation_defaults), so the writer states every parameter unless asked not to.
 */
const ACTIVATION_PARAMS: Readonly<Record<OnnxActivationName, { alpha?: number; beta?: number }>> = ACTIVATION_PARAMETERS;

/** How the writer treats activation parameters an {@link OnnxActivation} leaves unset. */
export type ActivationParameterPolicy =
  /** Write the documented default (so every runtime computes what the reference computes). */
  | 'explicit'
  /** Leave trailing unset parameters out, so the node takes the runtime's own default (for departure tests). */
  | 'omit-unset';

/** Whether the activation list is the LSTM default (Sigmoid, Tanh, Tanh per direction) without parameters. */
function isDefaultActivations(acts: OnnxActivation[], numDirections: number): boolean {
  if (acts.length !== 3 * numDirections) return false;
  return acts.every((a, k) => a.name === (k % 3 === 0 ? 'Sigmoid' : 'Tanh') && a.alpha === undefined && a.beta === undefined);
}

/**
 * The activation attributes ONNX reads: alpha and beta are separate lists consumed in activation order, one value
 * per function that takes the parameter. An unset parameter is written as its documented default; with
 * 'omit-unset', unset parameters after the last set one are left out (an unset one before a set one must hold
 * its place and still gets the documented default).
 */
export function activationAttributes(acts: OnnxActivation[], policy: ActivationParameterPolicy = 'explicit'): Record<string, OnnxAttributeValue> {
  const list = (key: 'alpha' | 'beta'): number[] => {
    const takers = acts.filter((a) => ACTIVATION_PARAMS[a.name][key] !== undefined);
    let n = takers.length;
    if (policy === 'omit-unset') while (n > 0 && takers[n - 1]![key] === undefined) n--;
    return takers.slice(0, n).map((a) => a[key] ?? ACTIVATION_PARAMS[a.name][key]!);
  };
  const alpha = list('alpha');
  const beta = list('beta');
  const out: Record<string, OnnxAttributeValue> = { activations: { type: 'STRINGS', value: acts.map((a) => a.name) } };
  if (alpha.length > 0) out.activation_alpha = { type: 'FLOATS', value: alpha };
  if (beta.length > 0) out.activation_beta = { type: 'FLOATS', value: beta };
  return out;
}

/** The LSTM node's attributes as written: hidden_size and direction always, the rest when not the default. */
export function lstmAttributes(attrs: OnnxLstmAttributes, policy: ActivationParameterPolicy = 'explicit'): Record<string, OnnxAttributeValue> {
  const numDirections = attrs.direction === 'bidirectional' ? 2 : 1;
  const out: Record<string, OnnxAttributeValue> = {
    hidden_size: { type: 'INT', value: attrs.hiddenSize },
    direction: { type: 'STRING', value: attrs.direction },
  };
  if (attrs.layout !== 0) out.layout = { type: 'INT', value: attrs.layout };
  if (attrs.inputForget !== 0) out.input_forget = { type: 'INT', value: attrs.inputForget };
  if (attrs.clip !== undefined) out.clip = { type: 'FLOAT', value: attrs.clip };
  if (!isDefaultActivations(attrs.activations, numDirections)) Object.assign(out, activationAttributes(attrs.activations, policy));
  return out;
}

function floatTensor(name: string, t: OnnxLstmTensor, dataType: OnnxLstmDataType): OnnxTensor {
  const n = t.data.length;
  if (dataType === 'DOUBLE') {
    return { name, dataType, dataTypeCode: DATA_TYPE_CODE.DOUBLE, dims: [...t.dims], data: Float64Array.from(t.data) };
  }
  if (dataType === 'FLOAT16') {
    const bits = new Uint16Array(n);
    for (let i = 0; i < n; i++) bits[i] = toFloat16Bits(t.data[i]!);
    return { name, dataType, dataTypeCode: DATA_TYPE_CODE.FLOAT16, dims: [...t.dims], data: bits };
  }
  return { name, dataType, dataTypeCode: DATA_TYPE_CODE.FLOAT, dims: [...t.dims], data: Float32Array.from(t.data) };
}

function checkDims(path: string, dims: number[], n: number): void {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== n) throw new OnnxWriteError('onnx-writer.dims', path, `dims [${dims.join(', ')}] hold ${count} elements, data has ${n}`);
}

/**
 * A model of one ONNX LSTM node: X (and any `graphInputs`) as graph inputs, `constants` as initializers, Y, Y_h
 * and Y_c as graph outputs, ir_version 8. Throws OnnxWriteError for a spec no valid model has (a layout=1 node at
 * opset 7, W or R missing, an input named twice, dims that do not match the data).
 */
export function singleLstmModel(spec: SingleLstmSpec): SingleLstmModel {
  const opset = spec.opset ?? 14;
  const dataType = spec.dataType ?? 'FLOAT';
  const { attrs } = spec;
  if (opset < 14 && attrs.layout !== 0) {
    throw new OnnxWriteError('onnx-writer.layout-opset', 'attrs.layout', `layout=${attrs.layout} needs opset ≥ 14 (got ${opset})`);
  }
  const constants = spec.inputs.constants ?? {};
  const graphInputs = spec.inputs.graphInputs ?? {};
  const elem: OnnxDataType = dataType;
  const inputs: OnnxValueInfo[] = [{ name: 'X', elemType: elem, shape: [...spec.inputs.xDims] }];
  const initializers: OnnxTensor[] = [];
  const nodeInputs: string[] = ['X'];
  for (const name of LSTM_INPUT_ORDER.slice(1) as LstmOperandName[]) {
    const c = constants[name];
    const g = graphInputs[name];
    if (c !== undefined && g !== undefined) {
      throw new OnnxWriteError('onnx-writer.input-twice', `inputs.${name}`, 'given both as a constant and as a graph input');
    }
    const intType = name === 'sequence_lens';
    if (c !== undefined) {
      checkDims(`inputs.constants.${name}`, c.dims, c.data.length);
      if (intType) {
        initializers.push({ name, dataType: 'INT32', dataTypeCode: DATA_TYPE_CODE.INT32, dims: [...c.dims], data: Int32Array.from(c.data) });
      } else {
        if (c.data instanceof Int32Array) throw new OnnxWriteError('onnx-writer.type', `inputs.constants.${name}`, 'a float tensor is needed');
        initializers.push(floatTensor(name, c as OnnxLstmTensor, dataType));
      }
      nodeInputs.push(name);
    } else if (g !== undefined) {
      inputs.push({ name, elemType: intType ? 'INT32' : elem, shape: [...g] });
      nodeInputs.push(name);
    } else {
      if (name === 'W' || name === 'R') throw new OnnxWriteError('onnx-writer.required', `inputs.${name}`, `${name} is a required input`);
      nodeInputs.push('');
    }
  }
  while (nodeInputs[nodeInputs.length - 1] === '') nodeInputs.pop();
  const outputNames = ['Y', 'Y_h', 'Y_c'];
  const model: OnnxModel = {
    irVersion: 8,
    producerName: spec.producerName ?? 'nnlstm',
    producerVersion: '',
    opsets: { '': opset },
    graph: {
      name: 'lstm',
      nodes: [{ name: 'lstm', opType: 'LSTM', domain: '', inputs: nodeInputs, outputs: outputNames, attributes: lstmAttributes(attrs, spec.activationParameters) }],
      initializers,
      inputs,
      outputs: outputNames.map((name) => ({ name, elemType: elem })),
    },
  };
  return { bytes: writeOnnx(model), inputNames: inputs.map((v) => v.name), outputNames, model };
}
