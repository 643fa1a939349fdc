/**
 * Seeds and structure-aware mutation families for the `.onnx` reader fuzzer (./fuzz.ts).
 *
 * Seeds: small synthetic models built with the generated schema (`create` + `toBinary`) so that CI fuzzes without
 * the real models: an LSTM with initializer weights, LSTMs inside nested `If`s with weights through `Unsqueeze` of
 * `Constant` (opset 13: axes as an input) and an inner initializer shadowing an outer one, and an LSTM in a `Loop`
 * body with typed `*_data` fields, Reshape/Cast/Flatten/Slice/Concat chains (opset 11: axes as attributes).
 *
 * Families, on the wire bytes (aimed at the tags and length prefixes mapOnnxStructure found):
 *   wire-type   a tag's wire type changed (a string read as a varint, a message as fixed64, wire types 6/7, end-group)
 *   length      a length prefix set to 0, ±1, ±small, one past its message, 2³¹−1, 2³²−1, 2⁶³ (re-encoded varint)
 *   varint      a varint made overlong (11 bytes) or given bits past 64; a tag's field number set to 0 or 2²⁹−1
 *   group       an unknown start-group never closed, closed by another number, or a stray end-group
 * and on the decoded model (mutate, re-encode):
 *   nesting     If subgraphs nested ~64 levels (just under and over the limit); TypeProto nested ~256 levels
 *   dims        a tensor's dims made huge (2⁴⁰, 2⁵³+1, 2⁶³−1), negative, zero, or one more dim
 *   raw-data    raw_data one byte short/long, emptied, data_type changed, raw_data and float_data both set
 *   attribute   an attribute duplicated, its name emptied, its type mismatched, an INT set to 2⁶³−1, GRAPH without g
 *   opset       an opset domain imported twice, version 0/−1/2⁶³−1
 *   rewire      constant chains made cyclic, a Concat(x, x) chain doubling a weight 40 times, Slice with huge steps
 *
 * Pure functions of (seed, random source); no Node imports.
 */
import { clone, create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType as AT,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  TensorProto_DataType as DT,
  TensorProtoSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type TensorProto,
} from './generated/onnx_pb.js';
import type { OnnxStructureSlot } from './verify.js';

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T | undefined => (xs.length ? xs[int(r, xs.length)] : undefined);

// ---- building models --------------------------------------------------------------------------------------------

type AttrInit = MessageInitShape<typeof AttributeProtoSchema>;
type GraphInit = MessageInitShape<typeof GraphProtoSchema>;
type TensorInit = MessageInitShape<typeof TensorProtoSchema>;

/** Little-endian float32 bytes. */
function f32Bytes(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setFloat32(4 * i, v, true));
  return out;
}

/** Deterministic small weights: value i of tensor `salt`. */
const weights = (n: number, salt: number) => Array.from({ length: n }, (_, i) => Math.fround(Math.sin(1 + i * 0.37 + salt) * 0.5));

/** A FLOAT tensor, stored in raw_data (`raw`) or float_data. */
export function floatTensor(name: string, dims: number[], values: readonly number[], raw = true): TensorInit {
  return raw
    ? { name, dims: dims.map(BigInt), dataType: DT.FLOAT, rawData: f32Bytes(values) }
    : { name, dims: dims.map(BigInt), dataType: DT.FLOAT, floatData: values.slice() };
}

/** AttributeProto initializers by type, for building test models. */
export const attr = {
  int: (name: string, v: number | bigint): AttrInit => ({ name, type: AT.INT, i: BigInt(v) }),
  ints: (name: string, v: readonly (number | bigint)[]): AttrInit => ({ name, type: AT.INTS, ints: v.map((x) => BigInt(x)) }),
  float: (name: string, v: number): AttrInit => ({ name, type: AT.FLOAT, f: v }),
  string: (name: string, v: string): AttrInit => ({ name, type: AT.STRING, s: new TextEncoder().encode(v) }),
  tensor: (name: string, t: TensorInit): AttrInit => ({ name, type: AT.TENSOR, t }),
  graph: (name: string, g: GraphInit): AttrInit => ({ name, type: AT.GRAPH, g }),
};

const vi = (name: string, elemType: number, shape: (number | string)[]) => ({
  name,
  type: {
    value: {
      case: 'tensorType' as const,
      value: {
        elemType,
        shape: { dim: shape.map((d) => ({ value: typeof d === 'number' ? { case: 'dimValue' as const, value: BigInt(d) } : { case: 'dimParam' as const, value: d } })) },
      },
    },
  },
});

const node = (opType: string, inputs: string[], outputs: string[], name: string, attribute: AttrInit[] = []) => ({ opType, input: inputs, output: outputs, name, attribute });

const H = 3;
const I = 2;

function model(opset: number, graph: GraphInit, irVersion = 8): Uint8Array {
  return toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: BigInt(irVersion), producerName: 'nnlstm-synthetic', producerVersion: '1', opsetImport: [{ domain: '', version: BigInt(opset) }], graph }));
}

/** LSTM with W, R, B initializers (W, B raw_data; R float_data), X and initial_h graph inputs; Y_c omitted. */
export function syntheticLstmInitializers(): Uint8Array {
  return model(14, {
    name: 'main',
    node: [node('LSTM', ['X', 'W', 'R', 'B', '', 'h0'], ['Y', 'Y_h'], 'lstm0', [attr.int('hidden_size', H), attr.string('direction', 'forward')])],
    initializer: [floatTensor('W', [1, 4 * H, I], weights(4 * H * I, 1)), floatTensor('R', [1, 4 * H, H], weights(4 * H * H, 2), false), floatTensor('B', [1, 8 * H], weights(8 * H, 3))],
    input: [vi('X', DT.FLOAT, ['T', 1, I]), vi('h0', DT.FLOAT, [1, 1, H])],
    output: [vi('Y_h', DT.FLOAT, [1, 1, H])],
  });
}

/**
 * Opset 13. main: initializers W_outer, R_outer; If "if0": then_branch = Constant → Unsqueeze(axes input) → LSTM
 * "lstm_then" (R from the outer scope); else_branch = If "if1" whose then_branch shadows R_outer with its own
 * initializer (all 7s) and runs LSTM "lstm_inner" on W_outer.
 */
export function syntheticNestedIf(): Uint8Array {
  const lstm = (name: string, w: string, r: string) => node('LSTM', ['X', w, r], ['Y_' + name, 'Yh_' + name, 'Yc_' + name], name, [attr.int('hidden_size', H)]);
  const thenBranch: GraphInit = {
    name: 'then0',
    node: [
      node('Constant', [], ['w2d'], 'cw', [attr.tensor('value', floatTensor('', [4 * H, I], weights(4 * H * I, 4)))]),
      node('Constant', [], ['axes0'], 'cax', [{ name: 'value_ints', type: AT.INTS, ints: [0n] }]),
      node('Unsqueeze', ['w2d', 'axes0'], ['w3d'], 'unsq'),
      lstm('lstm_then', 'w3d', 'R_outer'),
    ],
    output: [vi('Y_lstm_then', DT.FLOAT, ['T', 1, 1, H])],
  };
  const inner: GraphInit = {
    name: 'inner_then',
    node: [lstm('lstm_inner', 'W_outer', 'R_outer')],
    initializer: [floatTensor('R_outer', [1, 4 * H, H], new Array<number>(4 * H * H).fill(7))],
    output: [vi('Y_lstm_inner', DT.FLOAT, ['T', 1, 1, H])],
  };
  const innerElse: GraphInit = { name: 'inner_else', node: [node('Identity', ['X'], ['x_copy'], 'id')], output: [vi('x_copy', DT.FLOAT, ['T', 1, I])] };
  const elseBranch: GraphInit = {
    name: 'else0',
    node: [node('If', ['cond'], ['Y_lstm_inner'], 'if1', [attr.graph('then_branch', inner), attr.graph('else_branch', innerElse)])],
    output: [vi('Y_lstm_inner', DT.FLOAT, ['T', 1, 1, H])],
  };
  return model(13, {
    name: 'main',
    node: [node('If', ['cond'], ['out'], 'if0', [attr.graph('then_branch', thenBranch), attr.graph('else_branch', elseBranch)])],
    initializer: [floatTensor('W_outer', [1, 4 * H, I], weights(4 * H * I, 5)), floatTensor('R_outer', [1, 4 * H, H], weights(4 * H * H, 6))],
    input: [vi('cond', DT.BOOL, []), vi('X', DT.FLOAT, ['T', 1, I])],
    output: [vi('out', DT.FLOAT, ['T', 1, 1, H])],
  });
}

/**
 * Opset 11, a Loop whose body holds LSTM "lstm_loop": W = Unsqueeze(axes attribute) of a Constant, R = Reshape of
 * a flat Constant (float_data), B = Cast(to FLOAT) of a DOUBLE Constant after Flatten; P = Unsqueeze of a Slice
 * of a Concat of two value_floats Constants; clip 3.
 */
export function syntheticLoop(): Uint8Array {
  const double = (name: string, dims: number[], values: number[]): TensorInit => {
    const raw = new Uint8Array(8 * values.length);
    values.forEach((v, i) => new DataView(raw.buffer).setFloat64(8 * i, v, true));
    return { name, dims: dims.map(BigInt), dataType: DT.DOUBLE, rawData: raw };
  };
  const int64 = (name: string, values: number[]): TensorInit => ({ name, dims: [BigInt(values.length)], dataType: DT.INT64, int64Data: values.map(BigInt) });
  const body: GraphInit = {
    name: 'body',
    node: [
      node('Constant', [], ['w2d'], 'cw', [attr.tensor('value', floatTensor('', [4 * H, I], weights(4 * H * I, 7), false))]),
      node('Unsqueeze', ['w2d'], ['w'], 'unsq', [attr.ints('axes', [0])]),
      node('Constant', [], ['rflat'], 'cr', [attr.tensor('value', floatTensor('', [4 * H * H], weights(4 * H * H, 8), false))]),
      node('Constant', [], ['rshape'], 'crs', [attr.tensor('value', int64('', [1, -1, H]))]),
      node('Reshape', ['rflat', 'rshape'], ['r'], 'reshape'),
      node('Constant', [], ['b64'], 'cb', [attr.tensor('value', double('', [1, 2, 4 * H], weights(8 * H, 9)))]),
      node('Flatten', ['b64'], ['bflat'], 'flatten', [attr.int('axis', 1)]),
      node('Cast', ['bflat'], ['b'], 'cast', [attr.int('to', DT.FLOAT)]),
      node('Constant', [], ['pa'], 'cpa', [{ name: 'value_floats', type: AT.FLOATS, floats: weights(2 * H, 10) }]),
      node('Constant', [], ['pb'], 'cpb', [{ name: 'value_floats', type: AT.FLOATS, floats: weights(2 * H, 11) }]),
      node('Concat', ['pa', 'pb'], ['pcat'], 'concat', [attr.int('axis', 0)]),
      node('Constant', [], ['s0'], 'cs0', [attr.tensor('value', int64('', [1]))]),
      node('Constant', [], ['s1'], 'cs1', [attr.tensor('value', int64('', [10]))]),
      node('Slice', ['pcat', 's0', 's1'], ['pslice'], 'slice'),
      node('Unsqueeze', ['pslice'], ['p'], 'unsq_p', [attr.ints('axes', [0])]),
      node('LSTM', ['x_in', 'w', 'r', 'b', '', '', '', 'p'], ['y', 'yh', 'yc'], 'lstm_loop', [attr.int('hidden_size', H), attr.float('clip', 3)]),
      node('Identity', ['cond_in'], ['cond_out'], 'idc'),
    ],
    input: [vi('iter', DT.INT64, []), vi('cond_in', DT.BOOL, []), vi('x_in', DT.FLOAT, ['T', 1, I])],
    output: [vi('cond_out', DT.BOOL, []), vi('yh', DT.FLOAT, [1, 1, H])],
  };
  return model(11, {
    name: 'main',
    node: [node('Loop', ['M', '', 'X'], ['out'], 'loop', [attr.graph('body', body)])],
    input: [vi('M', DT.INT64, []), vi('X', DT.FLOAT, ['T', 1, I])],
    output: [vi('out', DT.FLOAT, [1, 1, H])],
  });
}

/** The synthetic seeds, by name. */
export function syntheticOnnxSeeds(): { name: string; bytes: Uint8Array }[] {
  return [
    { name: 'synthetic:lstm-initializers', bytes: syntheticLstmInitializers() },
    { name: 'synthetic:nested-if', bytes: syntheticNestedIf() },
    { name: 'synthetic:loop', bytes: syntheticLoop() },
  ];
}

// ---- wire-level families -----------------------------------------------------------------------------------------

/** Varint encoding of a non-negative integer (bigint for values past 2⁵³). */
export function encodeVarint(v: bigint): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x) b |= 0x80;
    out.push(b);
  } while (x);
  return out;
}

function splice(b: Uint8Array, pos: number, remove: number, insert: readonly number[]): Uint8Array {
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, pos));
  out.set(insert, pos);
  out.set(b.subarray(pos + remove), pos + insert.length);
  return out;
}

/** A seed with its structure map and decoded model (computed once per seed). */
export interface MappedOnnxSeed {
  name: string;
  bytes: Uint8Array;
  slots: OnnxStructureSlot[];
  proto: ModelProto;
}

type Family = (s: MappedOnnxSeed, r: Rand) => [Uint8Array, string];

const tags = (s: MappedOnnxSeed) => s.slots.filter((x): x is Extract<OnnxStructureSlot, { kind: 'tag' }> => x.kind === 'tag');
const lengths = (s: MappedOnnxSeed) => s.slots.filter((x): x is Extract<OnnxStructureSlot, { kind: 'length' }> => x.kind === 'length');

const wireType: Family = (s, r) => {
  const t = pick(r, tags(s));
  if (!t) return [s.bytes, 'noop'];
  let w = int(r, 8);
  if (w === t.wire) w = (w + 1) % 8;
  const b = s.bytes.slice();
  b[t.pos] = (b[t.pos]! & ~7) | w;
  return [b, `wire-type ${t.message}.${t.field}@${t.pos} ${t.wire}→${w}`];
};

const length: Family = (s, r) => {
  const l = pick(r, lengths(s));
  if (!l) return [s.bytes, 'noop'];
  const choices: bigint[] = [0n, BigInt(l.value + 1), BigInt(Math.max(0, l.value - 1)), BigInt(l.value + 1 + int(r, 16)), BigInt(Math.max(0, l.value - 1 - int(r, 16))), BigInt(s.bytes.length), 2n ** 31n - 1n, 2n ** 32n - 1n, 2n ** 32n + BigInt(l.value), 2n ** 63n];
  const v = pick(r, choices)!;
  return [splice(s.bytes, l.pos, l.bytes, encodeVarint(v)), `length ${l.message}.${l.field}@${l.pos} ${l.value}→${v}`];
};

const varint: Family = (s, r) => {
  const k = int(r, 4);
  if (k < 2) {
    const l = pick(r, lengths(s));
    if (!l) return [s.bytes, 'noop'];
    // overlong (11 bytes) or a 10-byte varint whose last byte carries bits past 64
    const enc = k === 0 ? [...new Array<number>(10).fill(0xff), 0x00] : [0x80 | (l.value & 0x7f), 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f];
    return [splice(s.bytes, l.pos, l.bytes, enc), `varint ${k === 0 ? 'overlong' : 'past-64'} ${l.field}@${l.pos}`];
  }
  const t = pick(r, tags(s));
  if (!t) return [s.bytes, 'noop'];
  const no = k === 2 ? 0n : 2n ** 29n - 1n;
  return [splice(s.bytes, t.pos, t.bytes, encodeVarint((no << 3n) | BigInt(t.wire))), `tag field ${no} @${t.pos}`];
};

const group: Family = (s, r) => {
  const t = pick(r, tags(s));
  if (!t) return [s.bytes, 'noop'];
  const k = int(r, 3);
  const start = encodeVarint((1000n << 3n) | 3n);
  const endOther = encodeVarint((1001n << 3n) | 4n);
  const insert = k === 0 ? start : k === 1 ? [...start, ...endOther] : encodeVarint((1000n << 3n) | 4n);
  return [splice(s.bytes, t.pos, 0, insert), `group ${['unclosed', 'mismatched', 'stray-end'][k]} before ${t.field}@${t.pos}`];
};

// ---- model-level families ----------------------------------------------------------------------------------------

interface TensorRef {
  t: TensorProto;
}

/** Every tensor of the model (initializers, tensor attributes), depth-first. */
function tensorsOf(g: GraphProto | undefined, out: TensorRef[] = [], depth = 0): TensorRef[] {
  if (!g || depth > 80) return out;
  for (const t of g.initializer) out.push({ t });
  for (const n of g.node) {
    for (const a of n.attribute) {
      if (a.t) out.push({ t: a.t });
      for (const t of a.tensors) out.push({ t });
      if (a.g) tensorsOf(a.g, out, depth + 1);
      for (const sg of a.graphs) tensorsOf(sg, out, depth + 1);
    }
  }
  return out;
}

function graphsOf(g: GraphProto | undefined, out: GraphProto[] = [], depth = 0): GraphProto[] {
  if (!g || depth > 80) return out;
  out.push(g);
  for (const n of g.node) for (const a of n.attribute) {
    if (a.g) graphsOf(a.g, out, depth + 1);
    for (const sg of a.graphs) graphsOf(sg, out, depth + 1);
  }
  return out;
}

function attributesOf(m: ModelProto): { owner: AttributeProto[]; a: AttributeProto }[] {
  const out: { owner: AttributeProto[]; a: AttributeProto }[] = [];
  for (const g of graphsOf(m.graph)) for (const n of g.node) for (const a of n.attribute) out.push({ owner: n.attribute, a });
  return out;
}

const encode = (m: ModelProto) => toBinary(ModelProtoSchema, m);

const nesting: Family = (s, r) => {
  const m = clone(ModelProtoSchema, s.proto);
  if (r() < 0.5) {
    // If chains around the 64-graph limit
    const levels = pick(r, [62, 63, 64, 65, 80])!;
    let g = create(GraphProtoSchema, { name: 'leaf', node: m.graph?.node.slice(0, 2) ?? [] });
    for (let i = 0; i < levels; i++) {
      g = create(GraphProtoSchema, { name: `g${i}`, node: [{ opType: 'If', name: `if${i}`, input: ['cond'], output: ['o'], attribute: [{ name: 'then_branch', type: AT.GRAPH, g }, { name: 'else_branch', type: AT.GRAPH, g: { name: 'e' } }] }] });
    }
    m.graph?.node.push(...g.node);
    return [encode(m), `nesting If×${levels}`];
  }
  const levels = pick(r, [240, 252, 253, 260, 400])!;
  let t = create(TypeProtoSchema, { value: { case: 'tensorType', value: { elemType: 1 } } });
  for (let i = 0; i < levels; i++) t = create(TypeProtoSchema, { value: { case: 'sequenceType', value: { elemType: t } } });
  m.graph?.input.push(create(ValueInfoProtoSchema, { name: 'deep', type: t }));
  return [encode(m), `nesting TypeProto×${levels}`];
};

const dims: Family = (s, r) => {
  const m = clone(ModelProtoSchema, s.proto);
  const ref = pick(r, tensorsOf(m.graph));
  if (!ref) return [s.bytes, 'noop'];
  const t = ref.t;
  const k = int(r, 6);
  const huge = pick(r, [2n ** 40n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 31n])!;
  if (k === 0 && t.dims.length) t.dims[int(r, t.dims.length)] = huge;
  else if (k === 1 && t.dims.length) t.dims[int(r, t.dims.length)] = -BigInt(1 + int(r, 3));
  else if (k === 2 && t.dims.length) t.dims[int(r, t.dims.length)] = 0n;
  else if (k === 3) t.dims.push(BigInt(1 + int(r, 3)));
  else if (k === 4) t.dims = [huge, huge];
  else t.dims = [];
  return [encode(m), `dims ${t.name || '?'} #${k} → [${t.dims.join(',')}]`];
};

const rawData: Family = (s, r) => {
  const m = clone(ModelProtoSchema, s.proto);
  const ref = pick(r, tensorsOf(m.graph));
  if (!ref) return [s.bytes, 'noop'];
  const t = ref.t;
  const k = int(r, 6);
  if (k === 0 && t.rawData.length) t.rawData = t.rawData.subarray(0, t.rawData.length - 1);
  else if (k === 1) t.rawData = Uint8Array.from([...t.rawData, 0]);
  else if (k === 2) t.rawData = new Uint8Array(0);
  else if (k === 3) t.dataType = pick(r, [0, 2, 7, 8, 10, 11, 14, 17, 99, -1])!;
  else if (k === 4) t.floatData = [1, 2, 3];
  else t.int64Data = [1n, -1n];
  return [encode(m), `raw-data ${t.name || '?'} #${k}`];
};

const attribute: Family = (s, r) => {
  const m = clone(ModelProtoSchema, s.proto);
  const ref = pick(r, attributesOf(m));
  if (!ref) return [s.bytes, 'noop'];
  const { owner, a } = ref;
  const k = int(r, 6);
  if (k === 0) owner.push(clone(AttributeProtoSchema, a));
  else if (k === 1) a.name = '';
  else if (k === 2) a.type = pick(r, [AT.GRAPH, AT.TENSOR, AT.INTS, AT.FLOATS, AT.TENSORS, AT.GRAPHS, AT.SPARSE_TENSOR, 99 as AT])!;
  else if (k === 3) {
    a.type = AT.INT;
    a.i = pick(r, [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n, -1n])!;
  } else if (k === 4) {
    a.type = AT.INTS;
    a.ints = [2n ** 63n - 1n, 0n, -(2n ** 63n)];
  } else {
    a.type = AT.UNDEFINED;
  }
  return [encode(m), `attribute ${a.name || '?'} #${k}`];
};

const opset: Family = (s, r) => {
  const m = clone(ModelProtoSchema, s.proto);
  const k = int(r, 4);
  if (k === 0) m.opsetImport.push({ $typeName: 'onnx.OperatorSetIdProto', domain: '', version: 13n });
  else if (k === 1) m.opsetImport.push({ $typeName: 'onnx.OperatorSetIdProto', domain: 'ai.onnx', version: 9n });
  else if (m.opsetImport[0]) m.opsetImport[0].version = pick(r, [0n, -1n, 2n ** 63n - 1n, 1n, 10n, 12n, 22n])!;
  return [encode(m), `opset #${k}`];
};

const rewire: Family = (s, r) => {
  const m = clone(ModelProtoSchema, s.proto);
  const gs = graphsOf(m.graph);
  const withLstm = gs.filter((g) => g.node.some((n) => n.opType === 'LSTM'));
  const g = pick(r, withLstm.length ? withLstm : gs);
  if (!g) return [s.bytes, 'noop'];
  const lstm = g.node.find((n) => n.opType === 'LSTM');
  const k = int(r, 4);
  if (k === 0) {
    // a cycle: the producer of W consumes its own output
    const w = lstm?.input[1];
    const p = g.node.find((n) => w && n.output.includes(w));
    if (p) p.input[0] = w!;
    else g.node.push({ $typeName: 'onnx.NodeProto', opType: 'Identity', input: [w ?? 'x'], output: [w ?? 'x'], name: 'cycle', attribute: [], docString: '', domain: '', overload: '' });
    return [encode(m), 'rewire cycle'];
  }
  if (k === 1) {
    // Concat(x, x) 40 times on the way to W: the resolver's byte budget must stop it
    const base = lstm?.input[1] ?? 'W';
    let prev = base;
    for (let i = 0; i < 40; i++) {
      const out = `bomb${i}`;
      g.node.push({ $typeName: 'onnx.NodeProto', opType: 'Concat', input: [prev, prev], output: [out], name: out, attribute: [create(AttributeProtoSchema, { name: 'axis', type: AT.INT, i: 0n })], docString: '', domain: '', overload: '' });
      prev = out;
    }
    if (lstm) lstm.input[1] = prev;
    return [encode(m), 'rewire concat-bomb'];
  }
  if (k === 2) {
    const base = lstm?.input[2] ?? 'R';
    const c = (name: string, vals: bigint[]) =>
      create(AttributeProtoSchema, { name: 'value', type: AT.TENSOR, t: { dims: [BigInt(vals.length)], dataType: DT.INT64, int64Data: vals } });
    const mk = (out: string, vals: bigint[]) => ({ $typeName: 'onnx.NodeProto' as const, opType: 'Constant', input: [], output: [out], name: out, attribute: [c(out, vals)], docString: '', domain: '', overload: '' });
    const big = pick(r, [2n ** 63n - 1n, -(2n ** 63n), 2n ** 40n, -1n, 0n])!;
    const neg = BigInt.asIntN(64, -big);
    g.node.push(mk('sl_s', [big]), mk('sl_e', [neg]), mk('sl_a', [pick(r, [0n, -1n, 5n, -9n])!]), mk('sl_st', [pick(r, [big, neg, 1n, -1n, 0n])!]));
    g.node.push({ $typeName: 'onnx.NodeProto', opType: 'Slice', input: [base, 'sl_s', 'sl_e', 'sl_a', 'sl_st'], output: ['sliced'], name: 'sl', attribute: [], docString: '', domain: '', overload: '' });
    if (lstm) lstm.input[2] = 'sliced';
    return [encode(m), `rewire slice ${big}`];
  }
  // Reshape / Unsqueeze / Squeeze with nonsense shapes and axes
  const base = lstm?.input[3] || lstm?.input[1] || 'B';
  const op = pick(r, ['Reshape', 'Unsqueeze', 'Squeeze', 'Flatten', 'Cast'])!;
  const vals = [pick(r, [-1n, -1n, 0n, 2n ** 62n, 3n, -7n])!, pick(r, [-1n, 0n, 1n, 64n])!];
  g.node.push({ $typeName: 'onnx.NodeProto', opType: 'Constant', input: [], output: ['rw_c'], name: 'rw_c', attribute: [create(AttributeProtoSchema, { name: 'value', type: AT.TENSOR, t: { dims: [2n], dataType: DT.INT64, int64Data: vals } })], docString: '', domain: '', overload: '' });
  const attrs = op === 'Flatten' ? [create(AttributeProtoSchema, { name: 'axis', type: AT.INT, i: vals[0] })] : op === 'Cast' ? [create(AttributeProtoSchema, { name: 'to', type: AT.INT, i: pick(r, [1n, 6n, 7n, 11n, 10n, 8n])! })] : [create(AttributeProtoSchema, { name: 'axes', type: AT.INTS, ints: vals })];
  g.node.push({ $typeName: 'onnx.NodeProto', opType: op, input: op === 'Reshape' || op === 'Unsqueeze' || op === 'Squeeze' ? [base, 'rw_c'] : [base], output: ['rw_out'], name: 'rw', attribute: attrs, docString: '', domain: '', overload: '' });
  if (lstm) lstm.input[3] = 'rw_out';
  return [encode(m), `rewire ${op} [${vals.join(',')}]`];
};

/** The structure-aware families, by name. */
export const ONNX_FAMILIES = { 'wire-type': wireType, length, varint, group, nesting, dims, 'raw-data': rawData, attribute, opset, rewire } as const;
/** The name of a structure-aware family. */
export type OnnxFamilyName = keyof typeof ONNX_FAMILIES;
/** The family names, in the order the fuzzer cycles through them. */
export const ONNX_FAMILY_NAMES = Object.keys(ONNX_FAMILIES) as OnnxFamilyName[];
