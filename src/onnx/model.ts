/**
 * An ONNX model as plain typed objects: what src/onnx/reader.ts produces from a .onnx file and what
 * src/onnx/writer.ts serializes. Only the parts an LSTM tool needs are kept; tensors are decoded to typed arrays.
 */

/** TensorProto.DataType names nnlstm decodes (values as in onnx.proto). */
export type OnnxDataType =
  | 'FLOAT'
  | 'UINT8'
  | 'INT8'
  | 'UINT16'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'STRING'
  | 'BOOL'
  | 'FLOAT16'
  | 'DOUBLE'
  | 'UINT32'
  | 'UINT64'
  | 'BFLOAT16'
  | 'OTHER';

/** A constant tensor (initializer, Constant value or tensor attribute). */
export interface OnnxTensor {
  name: string;
  dataType: OnnxDataType;
  /** The TensorProto data_type number as stored. */
  dataTypeCode: number;
  dims: number[];
  /**
   * Decoded elements, row-major: FLOAT → Float32Array, DOUBLE → Float64Array, FLOAT16 → Uint16Array (bits),
   * INT64 → BigInt64Array, INT32/INT16/INT8/UINT8/UINT16/BOOL → Int32Array, STRING → string[]; undefined when the
   * data is external (see `external`). Also (src/onnx/reader.ts): BFLOAT16 → Uint16Array (bits), UINT32 →
   * Float64Array (exact integers), UINT64 → BigInt64Array (the same 64 bits, two's complement); 'OTHER' types
   * (complex, float8, …) are not decoded (data undefined).
   */
  data?: Float32Array | Float64Array | Uint16Array | Int32Array | BigInt64Array | string[];
  /** Present when the tensor's data lives in an external file (nnlstm does not read those). */
  external?: { location: string };
}

/** An attribute value, tagged by its AttributeProto type. */
export type OnnxAttributeValue =
  | { type: 'FLOAT'; value: number }
  /** `exact` is set only when the stored int64 is not a safe integer (then `value` is the nearest double). */
  | { type: 'INT'; value: number; exact?: bigint }
  | { type: 'STRING'; value: string }
  | { type: 'TENSOR'; value: OnnxTensor }
  | { type: 'GRAPH'; value: OnnxGraph }
  | { type: 'FLOATS'; value: number[] }
  /** `exact` is set only when some stored int64 is not a safe integer (then `value` holds nearest doubles). */
  | { type: 'INTS'; value: number[]; exact?: bigint[] }
  | { type: 'STRINGS'; value: string[] }
  | { type: 'TENSORS'; value: OnnxTensor[] }
  | { type: 'GRAPHS'; value: OnnxGraph[] }
  | { type: 'OTHER'; code: number };

/** One node of a graph: operator, domain, input/output value names and attributes by name. */
export interface OnnxNode {
  name: string;
  opType: string;
  /** '' is the default ai.onnx domain. */
  domain: string;
  /** Input value names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attributes: Record<string, OnnxAttributeValue>;
}

/** A graph input or output: name, element type and shape (a dim is a number, a symbolic name, or undefined). */
export interface OnnxValueInfo {
  name: string;
  elemType?: OnnxDataType;
  shape?: (number | string | undefined)[];
}

/** A graph (the main graph or an `If`/`Loop` subgraph): nodes in file order, initializers, inputs and outputs. */
export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** The graph's value_info entries (types/shapes of intermediate values), when the reader filled them. */
  valueInfo?: OnnxValueInfo[];
}

/** A decoded .onnx model: IR version, producer, opset imports and the main graph. */
export interface OnnxModel {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  /** domain ('' = ai.onnx) → opset version. */
  opsets: Record<string, number>;
  graph: OnnxGraph;
}
