/**
 * The `.onnx` reader: verify the wire format (./verify.ts), decode it with @bufbuild/protobuf's fromBinary and the
 * generated schema, and convert the messages to the plain types of ./model.ts, checking what the protobuf layer
 * cannot: tensor element counts against dims and data, attribute names and types, opset domains. Every failure is an
 * OnnxFormatError; an exception from the decoder itself (which the verifier should have made impossible) comes back
 * as kind 'internal'. Runs in browsers (no node:* imports).
 */
import { fromBinary, isFieldSet } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  ModelProtoSchema,
  TensorProto_DataLocation,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './generated/onnx_pb.js';
import { OnnxFormatError, type OnnxFormatErrorKind } from './errors.js';
import { defaultVerifyOnnxLimits, locateOnnxField, verifyOnnx, type VerifyOnnxOptions, type VerifyOnnxStats } from './verify.js';
import type { OnnxAttributeValue, OnnxDataType, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from './model.js';

/** Options of {@link readOnnx}: the verifier's limits. */
export type ReadOnnxOptions = VerifyOnnxOptions;

/** TensorProto.DataType code → name and element size in raw_data (0: no raw form). */
const DATA_TYPES: Record<number, [OnnxDataType, number]> = {
  1: ['FLOAT', 4],
  2: ['UINT8', 1],
  3: ['INT8', 1],
  4: ['UINT16', 2],
  5: ['INT16', 2],
  6: ['INT32', 4],
  7: ['INT64', 8],
  8: ['STRING', 0],
  9: ['BOOL', 1],
  10: ['FLOAT16', 2],
  11: ['DOUBLE', 8],
  12: ['UINT32', 4],
  13: ['UINT64', 8],
  16: ['BFLOAT16', 2],
};

/** The name nnlstm uses for a TensorProto.DataType code ('OTHER' for codes it does not decode). */
export function onnxDataTypeName(code: number): OnnxDataType {
  return DATA_TYPES[code]?.[0] ?? 'OTHER';
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const utf8 = new TextDecoder('utf-8');

type TensorData = NonNullable<OnnxTensor['data']>;

/** Decodes little-endian raw_data of `n` elements. */
function decodeRaw(code: number, raw: Uint8Array, n: number): TensorData {
  const copy = raw.slice(); // own, aligned buffer (raw is a view into the file at any offset)
  const buf = copy.buffer;
  const dv = new DataView(buf);
  switch (code) {
    case 1: {
      if (LITTLE_ENDIAN_HOST) return new Float32Array(buf, 0, n);
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = dv.getFloat32(4 * i, true);
      return a;
    }
    case 11: {
      if (LITTLE_ENDIAN_HOST) return new Float64Array(buf, 0, n);
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = dv.getFloat64(8 * i, true);
      return a;
    }
    case 10:
    case 16: {
      if (LITTLE_ENDIAN_HOST) return new Uint16Array(buf, 0, n);
      const a = new Uint16Array(n);
      for (let i = 0; i < n; i++) a[i] = dv.getUint16(2 * i, true);
      return a;
    }
    case 7:
    case 13: {
      if (LITTLE_ENDIAN_HOST) return new BigInt64Array(buf, 0, n);
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) a[i] = dv.getBigInt64(8 * i, true);
      return a;
    }
    case 12: {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = dv.getUint32(4 * i, true);
      return a;
    }
    default: {
      const a = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        switch (code) {
          case 2:
          case 9:
            a[i] = copy[i]!;
            break;
          case 3:
            a[i] = dv.getInt8(i);
            break;
          case 4:
            a[i] = dv.getUint16(2 * i, true);
            break;
          case 5:
            a[i] = dv.getInt16(2 * i, true);
            break;
          default:
            a[i] = dv.getInt32(4 * i, true);
        }
      }
      return a;
    }
  }
}

/** The typed *_data field a data type stores its values in, by TensorProto field name. */
function typedField(code: number): 'float_data' | 'int32_data' | 'string_data' | 'int64_data' | 'double_data' | 'uint64_data' | undefined {
  switch (code) {
    case 1:
      return 'float_data';
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 9:
    case 10:
    case 16:
      return 'int32_data';
    case 7:
      return 'int64_data';
    case 8:
      return 'string_data';
    case 11:
      return 'double_data';
    case 12:
    case 13:
      return 'uint64_data';
    default:
      return undefined;
  }
}

const isSafe = (v: bigint) => v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);

class Converter {
  constructor(
    private readonly bytes: Uint8Array,
    private readonly opts: VerifyOnnxOptions,
  ) {}

  /** Fails with the byte offset of `mp` (the verifier's path of the field), or of its nearest located ancestor. */
  fail(kind: OnnxFormatErrorKind, mp: string, dp: string, detail: string): never {
    const offset = mp ? locateOnnxField(this.bytes, mp, this.opts) : undefined;
    throw new OnnxFormatError(kind, offset ?? 0, dp, detail);
  }

  model(m: ModelProto): OnnxModel {
    const opsets: Record<string, number> = {};
    m.opsetImport.forEach((o, i) => {
      const domain = o.domain === 'ai.onnx' ? '' : o.domain;
      const mp = `opset_import[${i}]`;
      if (!isSafe(o.version) || o.version < 1n) this.fail('bad-model', mp, mp, `opset version ${o.version} of domain '${o.domain}' is not a positive integer`);
      if (Object.prototype.hasOwnProperty.call(opsets, domain)) this.fail('bad-model', mp, mp, `domain '${o.domain || 'ai.onnx'}' imported twice`);
      opsets[domain] = Number(o.version);
    });
    if (!m.graph) this.fail('bad-model', '', '', 'the model has no graph');
    if (!isSafe(m.irVersion)) this.fail('bad-model', 'ir_version', 'ir_version', `ir_version ${m.irVersion} out of range`);
    return {
      irVersion: Number(m.irVersion),
      producerName: m.producerName,
      producerVersion: m.producerVersion,
      opsets,
      graph: this.graph(m.graph, 'graph', 'graph'),
    };
  }

  graph(g: GraphProto, mp: string, dp: string): OnnxGraph {
    return {
      name: g.name,
      nodes: g.node.map((n, i) => this.node(n, `${mp}.node[${i}]`, `${dp}.node[${i}]`)),
      initializers: g.initializer.map((t, i) => this.tensor(t, `${mp}.initializer[${i}]`, `${dp}.initializer[${i}]`)),
      inputs: g.input.map((v) => valueInfo(v)),
      outputs: g.output.map((v) => valueInfo(v)),
      valueInfo: g.valueInfo.map((v) => valueInfo(v)),
    };
  }

  node(n: NodeProto, mp: string, dp: string): OnnxNode {
    const attributes: Record<string, OnnxAttributeValue> = Object.create(null) as Record<string, OnnxAttributeValue>;
    n.attribute.forEach((a, i) => {
      const amp = `${mp}.attribute[${i}]`;
      const adp = `${dp}.attribute[${i}](${a.name})`;
      if (!a.name) this.fail('bad-attribute', amp, adp, `attribute ${i} of ${n.opType} node '${n.name}' has no name`);
      if (a.name in attributes) this.fail('bad-attribute', amp, adp, `attribute '${a.name}' appears twice on ${n.opType} node '${n.name}'`);
      attributes[a.name] = this.attribute(a, amp, adp);
    });
    return {
      name: n.name,
      opType: n.opType,
      domain: n.domain === 'ai.onnx' ? '' : n.domain,
      inputs: n.input,
      outputs: n.output,
      attributes: { ...attributes },
    };
  }

  attribute(a: AttributeProto, mp: string, dp: string): OnnxAttributeValue {
    const type = a.type !== 0 ? a.type : inferAttributeType(a);
    const need = <T>(v: T | undefined, field: string): T => {
      if (v === undefined) this.fail('bad-attribute', mp, dp, `attribute '${a.name}' of type ${type} has no '${field}' value`);
      return v;
    };
    switch (type) {
      case 1:
        return { type: 'FLOAT', value: a.f };
      case 2:
        return isSafe(a.i) ? { type: 'INT', value: Number(a.i) } : { type: 'INT', value: Number(a.i), exact: a.i };
      case 3:
        return { type: 'STRING', value: utf8.decode(a.s) };
      case 4:
        return { type: 'TENSOR', value: this.tensor(need(a.t, 't'), `${mp}.t`, `${dp}.t`) };
      case 5:
        return { type: 'GRAPH', value: this.graph(need(a.g, 'g'), `${mp}.g`, `${dp}.g`) };
      case 6:
        return { type: 'FLOATS', value: a.floats.slice() };
      case 7: {
        const value = a.ints.map(Number);
        return a.ints.every(isSafe) ? { type: 'INTS', value } : { type: 'INTS', value, exact: a.ints.slice() };
      }
      case 8:
        return { type: 'STRINGS', value: a.strings.map((s) => utf8.decode(s)) };
      case 9:
        return { type: 'TENSORS', value: a.tensors.map((t, i) => this.tensor(t, `${mp}.tensors[${i}]`, `${dp}.tensors[${i}]`)) };
      case 10:
        return { type: 'GRAPHS', value: a.graphs.map((g, i) => this.graph(g, `${mp}.graphs[${i}]`, `${dp}.graphs[${i}]`)) };
      default:
        return { type: 'OTHER', code: type };
    }
  }

  tensor(t: TensorProto, mp: string, dp: string): OnnxTensor {
    const code = t.dataType;
    const dataType = onnxDataTypeName(code);
    const label = `tensor '${t.name}'`;
    const dims: number[] = [];
    let count = 1;
    for (let i = 0; i < t.dims.length; i++) {
      const d = t.dims[i]!;
      if (d < 0n) this.fail('bad-tensor', `${mp}.dims`, `${dp}.dims`, `${label} has negative dim ${d} (dims [${t.dims.join(',')}])`);
      if (d > BigInt(Number.MAX_SAFE_INTEGER)) this.fail('bad-tensor', `${mp}.dims`, `${dp}.dims`, `${label} dim ${d} too large`);
      dims.push(Number(d));
      count *= Number(d);
    }
    if (count > Number.MAX_SAFE_INTEGER) this.fail('bad-tensor', `${mp}.dims`, `${dp}.dims`, `${label} has ${count} elements (dims [${dims.join(',')}]): too many`);
    const out: OnnxTensor = { name: t.name, dataType, dataTypeCode: code, dims };
    const typedLengths: [string, number][] = [
      ['float_data', t.floatData.length],
      ['int32_data', t.int32Data.length],
      ['string_data', t.stringData.length],
      ['int64_data', t.int64Data.length],
      ['double_data', t.doubleData.length],
      ['uint64_data', t.uint64Data.length],
    ];
    if (t.dataLocation === TensorProto_DataLocation.EXTERNAL || t.externalData.length > 0) {
      out.external = { location: t.externalData.find((e) => e.key === 'location')?.value ?? '' };
      return out;
    }
    if (dataType === 'OTHER') return out; // complex, float8, …: kept undecoded
    const want = typedField(code)!;
    for (const [field, n] of typedLengths) {
      if (n > 0 && field !== want) this.fail('bad-tensor', `${mp}.${field}`, `${dp}.${field}`, `${label} of type ${dataType} stores values in ${field}, which that type does not use`);
    }
    const size = DATA_TYPES[code]![1];
    const raw = t.rawData;
    if (raw.length > 0) {
      if (size === 0) this.fail('bad-tensor', `${mp}.raw_data`, `${dp}.raw_data`, `${label} of type STRING has raw_data`);
      const typed = typedLengths.find(([f]) => f === want)![1];
      if (typed > 0) this.fail('bad-tensor', `${mp}.raw_data`, `${dp}.raw_data`, `${label} has both raw_data and ${want}`);
      if (raw.length !== count * size) {
        this.fail('bad-tensor', `${mp}.raw_data`, `${dp}.raw_data`, `${label} raw_data has ${raw.length} bytes, dims [${dims.join(',')}] × ${size}-byte ${dataType} need ${count * size}`);
      }
      out.data = decodeRaw(code, raw, count);
      return out;
    }
    const n = typedLengths.find(([f]) => f === want)![1];
    if (n !== count) {
      this.fail('bad-tensor', n > 0 ? `${mp}.${want}` : mp, n > 0 ? `${dp}.${want}` : dp, `${label} has ${n} values in ${n > 0 ? want : 'raw_data or ' + want}, dims [${dims.join(',')}] need ${count}`);
    }
    out.data = decodeTyped(code, t);
    return out;
  }
}

function decodeTyped(code: number, t: TensorProto): TensorData {
  switch (code) {
    case 1:
      return Float32Array.from(t.floatData);
    case 11:
      return Float64Array.from(t.doubleData);
    case 10:
    case 16:
      return Uint16Array.from(t.int32Data, (v) => v & 0xffff);
    case 7:
      return BigInt64Array.from(t.int64Data);
    case 12:
      return Float64Array.from(t.uint64Data, (v) => Number(BigInt.asUintN(32, v)));
    case 13:
      return BigInt64Array.from(t.uint64Data, (v) => BigInt.asIntN(64, v));
    case 8:
      return t.stringData.map((s) => utf8.decode(s));
    default:
      return Int32Array.from(t.int32Data);
  }
}

/** Attribute type for files that leave `type` unset (old exporters): the one value field that is set. */
function inferAttributeType(a: AttributeProto): number {
  if (a.t) return 4;
  if (a.g) return 5;
  if (a.floats.length) return 6;
  if (a.ints.length) return 7;
  if (a.strings.length) return 8;
  if (a.tensors.length) return 9;
  if (a.graphs.length) return 10;
  if (isFieldSet(a, AttributeProtoSchema.field.s)) return 3;
  if (isFieldSet(a, AttributeProtoSchema.field.i)) return 2;
  if (isFieldSet(a, AttributeProtoSchema.field.f)) return 1;
  return 0;
}

function valueInfo(v: ValueInfoProto): OnnxValueInfo {
  const out: OnnxValueInfo = { name: v.name };
  const tt = v.type?.value.case === 'tensorType' ? v.type.value.value : undefined;
  if (!tt) return out;
  if (tt.elemType !== 0) out.elemType = onnxDataTypeName(tt.elemType);
  if (tt.shape) {
    out.shape = tt.shape.dim.map((d) => {
      if (d.value.case === 'dimValue') return d.value.value >= 0n && isSafe(d.value.value) ? Number(d.value.value) : undefined;
      if (d.value.case === 'dimParam') return d.value.value;
      return undefined;
    });
  }
  return out;
}

/** {@link readOnnx} plus what the verifier saw. */
export function readOnnxWithStats(bytes: Uint8Array, opts: ReadOnnxOptions = {}): { model: OnnxModel; stats: VerifyOnnxStats } {
  let stats: VerifyOnnxStats;
  try {
    stats = verifyOnnx(bytes, opts);
  } catch (e) {
    if (e instanceof OnnxFormatError) throw e;
    throw new OnnxFormatError('internal', undefined, '', `verifier failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  let proto: ModelProto;
  try {
    // The verifier bounds message depth by opts.maxDepth; the decoder's own recursion guard sits just above it.
    const depth = opts.maxDepth ?? defaultVerifyOnnxLimits(bytes.length).maxDepth;
    proto = fromBinary(ModelProtoSchema, bytes, { readUnknownFields: false, recursionLimit: depth + 2 });
  } catch (e) {
    throw new OnnxFormatError('internal', undefined, '', `protobuf decoder failed after verification: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return { model: new Converter(bytes, opts).model(proto), stats };
  } catch (e) {
    if (e instanceof OnnxFormatError) throw e;
    throw new OnnxFormatError('internal', undefined, '', `converting the decoded model failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
}

/**
 * Reads a `.onnx` file: verifies the protobuf wire format within the limits of `opts` (./verify.ts), decodes it, and
 * converts it to plain objects (tensors as typed arrays, attributes by name, If/Loop/Scan subgraphs recursively,
 * opsets as a record with '' for ai.onnx). Throws OnnxFormatError — never anything else — with the byte offset and
 * path of the problem. Tensors with external data come back with `external` set and no data.
 *
 * @example
 * ```ts
 * import { readOnnx } from 'nnlstm/onnx';
 * const model = readOnnx(new Uint8Array(await (await fetch('silero_vad.onnx')).arrayBuffer()));
 * console.log(model.opsets[''], model.graph.nodes.length);
 * ```
 */
export function readOnnx(bytes: Uint8Array, opts: ReadOnnxOptions = {}): OnnxModel {
  return readOnnxWithStats(bytes, opts).model;
}
