/**
 * Rewrites an existing `.tflite` model: replaces the shape or constant data of some tensors, the inputs of some
 * operators, a RESHAPE's options, appends tensors (with new buffers) and subgraph outputs — and copies
 * everything else field by field, so every table, vector and string the edits do not name reads back identical.
 *
 * How: the file is re-serialised with a generic flatbuffer copier driven by per-table field descriptors (field id
 * → scalar of a size, string, scalar vector, table, table vector, union), taken from the repo's reduced schema
 * (schema/tflite.fbs) for the tables nnlstm decodes. Builtin options of other operators are `Placeholder` in that
 * schema; of those, the union members that carry a vector or string in TFLite's schema (ConcatEmbeddings,
 * Reshape, Squeeze, VarHandle, Bucketize) have descriptors here, every other member is all-scalar and is copied
 * from its vtable: a field's bytes up to the next field (or the table end), rounded down to a power of two — at
 * least the field's true size, so a little-endian read of the field gives the original value.
 *
 * Refused (RewriteError): fields the descriptors do not know (a newer schema), BuiltinOptions2 tables (StableHLO
 * options carry vectors not described here), and absolute file offsets (buffers stored outside the flatbuffer,
 * large custom options): re-serialising moves everything, so those offsets would dangle.
 *
 * Alignment as TFLite's converter writes it: buffer data vectors are 16-byte aligned.
 */
import * as flatbuffers from 'flatbuffers';
import { Buffer as FbBuffer, Tensor as FbTensor } from './generated/tflite.js';

/** A rewrite the copier cannot do safely (the model is left untouched). */
export class RewriteError extends Error {
  override readonly name = 'RewriteError';
  constructor(
    /** Where: a field path such as `subgraphs[0].operators[3].builtin_options_2`. */
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/** New shape and/or constant data of an existing tensor. */
export interface TensorEdit {
  /** New static shape. */
  shape?: number[];
  /** New shape signature (null: drop it); unchanged when undefined. */
  shapeSignature?: number[] | null;
  /**
   * New constant bytes. Written into the tensor's own buffer when no other tensor shares it, else into a new
   * buffer appended to the buffer table.
   */
  data?: Uint8Array;
}

/** A tensor appended to a subgraph. */
export interface NewTensor {
  name: string;
  /** TFLite TensorType code (0 = FLOAT32, 2 = INT32, …). */
  type: number;
  shape: number[];
  /** Constant bytes (a new buffer); none = a runtime tensor (buffer 0). */
  data?: Uint8Array;
  isVariable?: boolean;
}

/** Edits of one operator. */
export interface OperatorEdit {
  /** New inputs vector (tensor indices, -1 = omitted); indices ≥ the old tensor count name appended tensors. */
  inputs?: number[];
  /** For a RESHAPE with a ReshapeOptions table: the new `new_shape`. */
  reshapeNewShape?: number[];
}

/** Edits of one subgraph. */
export interface SubgraphEdits {
  /** By tensor index. */
  tensors?: ReadonlyMap<number, TensorEdit>;
  /** Appended after the existing tensors (index = old count + position). */
  newTensors?: readonly NewTensor[];
  /** By operator index. */
  operators?: ReadonlyMap<number, OperatorEdit>;
  /** Replaces the subgraph outputs vector (e.g. to tap an intermediate tensor). */
  outputs?: number[];
}

/** Edits of a model, by subgraph index. */
export interface ModelEdits {
  subgraphs: ReadonlyMap<number, SubgraphEdits>;
}

// ---- descriptors -----------------------------------------------------------------------------------------------

type Field =
  | { k: 'scalar'; size: 1 | 2 | 4 | 8 }
  | { k: 'string' }
  | { k: 'vector'; elem: 1 | 2 | 4 | 8; align: number }
  | { k: 'table'; t: Table }
  | { k: 'tables'; t: Table }
  | { k: 'union'; typeField: number; members: (type: number, path: string) => Table };

interface Table {
  name: string;
  /** Field descriptors by id; a missing entry = a field this copier does not know. */
  fields: (Field | undefined)[];
  /** All-scalar table of unknown layout: sizes inferred from the vtable. */
  scalarOnly?: boolean;
}

const s1: Field = { k: 'scalar', size: 1 };
const s4: Field = { k: 'scalar', size: 4 };
const s8: Field = { k: 'scalar', size: 8 };
const str: Field = { k: 'string' };
const vec = (elem: 1 | 2 | 4 | 8, align: number = elem): Field => ({ k: 'vector', elem, align });
const table = (t: Table): Field => ({ k: 'table', t });
const tables = (t: Table): Field => ({ k: 'tables', t });

const T = (name: string, fields: (Field | undefined)[]): Table => ({ name, fields });

const Int32Vector = T('Int32Vector', [vec(4)]);
const Uint16Vector = T('Uint16Vector', [vec(2, 4)]);
const Uint8Vector = T('Uint8Vector', [vec(1, 4)]);
const sparseIndex = (typeField: number): Field => ({
  k: 'union',
  typeField,
  members: (type, path) => {
    const t = [undefined, Int32Vector, Uint16Vector, Uint8Vector][type];
    if (!t) throw new RewriteError(path, `unknown SparseIndexVector type ${type}`);
    return t;
  },
});
const DimensionMetadata = T('DimensionMetadata', [s1, s4, s1, sparseIndex(2), s1, sparseIndex(4)]);
const SparsityParameters = T('SparsityParameters', [vec(4), vec(4), tables(DimensionMetadata)]);
const CustomQuantization = T('CustomQuantization', [vec(1, 16)]);
const BlockwiseQuantization = T('BlockwiseQuantization', [s4, s4, s4]);
const MultiAxisQuantization = T('MultiAxisQuantization', [s4, s4, s4, vec(4)]);
const QuantizationParameters = T('QuantizationParameters', [
  vec(4),
  vec(4),
  vec(4),
  vec(8),
  s1,
  {
    k: 'union',
    typeField: 4,
    members: (type, path) => {
      const t = [undefined, CustomQuantization, BlockwiseQuantization, MultiAxisQuantization][type];
      if (!t) throw new RewriteError(path, `unknown QuantizationDetails type ${type}`);
      return t;
    },
  },
  s4,
]);
const VariantSubType = T('VariantSubType', [vec(4), s1, s1]);
const Tensor = T('Tensor', [vec(4), s1, s4, str, table(QuantizationParameters), s1, table(SparsityParameters), vec(4), s1, tables(VariantSubType), s4]);

/** BuiltinOptions union members whose TFLite tables hold offsets (every other member is all-scalar). */
const OPTIONS_WITH_OFFSETS: ReadonlyMap<number, Table> = new Map([
  [3, T('ConcatEmbeddingsOptions', [s4, vec(4), vec(4)])],
  [17, T('ReshapeOptions', [vec(4)])],
  [30, T('SqueezeOptions', [vec(4)])],
  [111, T('VarHandleOptions', [str, str])],
  [115, T('BucketizeOptions', [vec(4)])],
]);
/** Highest BuiltinOptions member the reduced schema lists (schema/tflite.fbs). */
const MAX_BUILTIN_OPTIONS = 126;
const scalarOptions = (type: number): Table => ({ name: `BuiltinOptions[${type}]`, fields: [], scalarOnly: true });

const Operator = T('Operator', [
  s4,
  vec(4),
  vec(4),
  s1,
  {
    k: 'union',
    typeField: 3,
    members: (type, path) => {
      if (type < 1 || type > MAX_BUILTIN_OPTIONS) throw new RewriteError(path, `unknown BuiltinOptions type ${type}`);
      return OPTIONS_WITH_OFFSETS.get(type) ?? scalarOptions(type);
    },
  },
  vec(1),
  s1,
  vec(1),
  vec(4),
  s8,
  s8,
  s1,
  {
    k: 'union',
    typeField: 11,
    members: (type, path) => {
      throw new RewriteError(path, `BuiltinOptions2 type ${type} (StableHLO-era options) cannot be copied by this rewriter`);
    },
  },
  s4,
]);
const SubGraph = T('SubGraph', [tables(Tensor), vec(4), vec(4), tables(Operator), str, s4]);
const Buffer = T('Buffer', [vec(1, 16), s8, s8]);
const OperatorCode = T('OperatorCode', [s1, str, s4, s4]);
const Metadata = T('Metadata', [str, s4]);
const TensorMap = T('TensorMap', [str, s4]);
const SignatureDef = T('SignatureDef', [tables(TensorMap), tables(TensorMap), str, str, s4]);
const ExternalBufferGroup = T('ExternalBufferGroup', [str]);
const ExternalBuffer = T('ExternalBuffer', [s4, s4, s8, s8, str]);
const ModelTable = T('Model', [
  s4,
  tables(OperatorCode),
  tables(SubGraph),
  str,
  tables(Buffer),
  vec(4),
  tables(Metadata),
  tables(SignatureDef),
  tables(ExternalBufferGroup),
  tables(ExternalBuffer),
]);

// ---- raw reading -----------------------------------------------------------------------------------------------

/** Position of field `id` of the table at `pos`, or 0 when absent. */
function fieldPos(bb: flatbuffers.ByteBuffer, pos: number, id: number): number {
  const vt = pos - bb.readInt32(pos);
  const vtLen = bb.readUint16(vt);
  const entry = 4 + 2 * id;
  if (entry + 2 > vtLen) return 0;
  const off = bb.readUint16(vt + entry);
  return off === 0 ? 0 : pos + off;
}

/** Ids of the fields present in the vtable of the table at `pos`. */
function presentFields(bb: flatbuffers.ByteBuffer, pos: number): number[] {
  const vt = pos - bb.readInt32(pos);
  const n = (bb.readUint16(vt) - 4) / 2;
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (bb.readUint16(vt + 4 + 2 * i) !== 0) out.push(i);
  return out;
}

const deref = (bb: flatbuffers.ByteBuffer, at: number): number => at + bb.readUint32(at);

// ---- the copier ------------------------------------------------------------------------------------------------

/** A field value to write instead of (or in addition to) the original. */
type Override = { k: 'offset'; value: flatbuffers.Offset } | { k: 'scalar'; size: 1 | 4; value: number };

class Copier {
  constructor(
    readonly bb: flatbuffers.ByteBuffer,
    readonly b: flatbuffers.Builder,
  ) {}

  bytes(at: number, n: number): Uint8Array {
    return this.bb.bytes().subarray(at, at + n);
  }

  /** A vector of `elem`-byte scalars from raw little-endian bytes. */
  rawVector(data: Uint8Array, elem: number, align: number): flatbuffers.Offset {
    const b = this.b;
    b.startVector(elem, data.length / elem, Math.max(align, elem));
    for (let i = data.length - 1; i >= 0; i--) b.addInt8(data[i]!);
    return b.endVector();
  }

  int32Vector(values: readonly number[]): flatbuffers.Offset {
    const bytes = new Uint8Array(values.length * 4);
    const dv = new DataView(bytes.buffer);
    values.forEach((v, i) => dv.setInt32(4 * i, v, true));
    return this.rawVector(bytes, 4, 4);
  }

  offsetVector(offsets: readonly flatbuffers.Offset[]): flatbuffers.Offset {
    const b = this.b;
    b.startVector(4, offsets.length, 4);
    for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]!);
    return b.endVector();
  }

  /** Copies the referent of the offset field at `at` (a string, vector, table or table vector). */
  child(f: Field, at: number, path: string, unionType?: number): flatbuffers.Offset {
    const bb = this.bb;
    const target = deref(bb, at);
    switch (f.k) {
      case 'string':
        return this.b.createString(this.bytes(target + 4, bb.readUint32(target)));
      case 'vector': {
        const n = bb.readUint32(target);
        return this.rawVector(this.bytes(target + 4, n * f.elem), f.elem, f.align);
      }
      case 'table':
        return this.table(target, f.t, path);
      case 'tables': {
        const n = bb.readUint32(target);
        const offs: flatbuffers.Offset[] = [];
        for (let i = 0; i < n; i++) offs.push(this.table(deref(bb, target + 4 + 4 * i), f.t, `${path}[${i}]`));
        return this.offsetVector(offs);
      }
      case 'union':
        return this.table(target, f.members(unionType ?? 0, path), path);
      case 'scalar':
        throw new RewriteError(path, 'internal: scalar field taken as an offset');
    }
  }

  /**
   * Copies the table at `pos`. `overrides` replace fields by id (children of overrides are built by the caller,
   * before this call, as flatbuffers requires); `drop` omits fields.
   */
  table(pos: number, t: Table, path: string, overrides: ReadonlyMap<number, Override> = new Map(), drop: ReadonlySet<number> = new Set()): flatbuffers.Offset {
    const bb = this.bb;
    const present = presentFields(bb, pos);
    if (t.scalarOnly) return this.scalarTable(pos, present, path);
    for (const id of present) {
      if (!t.fields[id] && !overrides.has(id)) throw new RewriteError(`${path}.field${id}`, `${t.name} field id ${id} is unknown to this rewriter (newer schema?)`);
    }
    // Children first (flatbuffers builds bottom-up).
    const offsets = new Map<number, flatbuffers.Offset>();
    for (const id of present) {
      const f = t.fields[id];
      if (!f || f.k === 'scalar' || overrides.has(id) || drop.has(id)) continue;
      const at = fieldPos(bb, pos, id);
      const unionType = f.k === 'union' ? bb.readUint8(fieldPos(bb, pos, f.typeField)) : undefined;
      offsets.set(id, this.child(f, at, `${path}.${id}`, unionType));
    }
    const b = this.b;
    const ids = new Set<number>([...present.filter((id) => !drop.has(id)), ...overrides.keys()]);
    b.startObject(Math.max(0, ...[...ids].map((i) => i + 1)));
    for (const id of [...ids].sort((x, y) => x - y)) {
      const o = overrides.get(id);
      if (o) {
        if (o.k === 'offset') b.addFieldOffset(id, o.value, 0);
        else if (o.size === 1) b.addFieldInt8(id, o.value, 0);
        else b.addFieldInt32(id, o.value, 0);
        continue;
      }
      const f = t.fields[id]!;
      if (f.k === 'scalar') this.scalar(id, fieldPos(bb, pos, id), f.size);
      else b.addFieldOffset(id, offsets.get(id)!, 0);
    }
    return b.endObject();
  }

  scalar(id: number, at: number, size: 1 | 2 | 4 | 8): void {
    const bb = this.bb;
    const b = this.b;
    if (size === 1) b.addFieldInt8(id, bb.readInt8(at), 0);
    else if (size === 2) b.addFieldInt16(id, bb.readInt16(at), 0);
    else if (size === 4) b.addFieldInt32(id, bb.readInt32(at), 0);
    else b.addFieldInt64(id, bb.readInt64(at), 0n);
  }

  /** An all-scalar table: each field's size from the vtable layout (see the file comment). */
  scalarTable(pos: number, present: number[], path: string): flatbuffers.Offset {
    const bb = this.bb;
    const vt = pos - bb.readInt32(pos);
    const tableSize = bb.readUint16(vt + 2);
    const offs = present.map((id) => ({ id, off: bb.readUint16(vt + 4 + 2 * id) })).sort((x, y) => x.off - y.off);
    const b = this.b;
    b.startObject(present.length ? Math.max(...present) + 1 : 0);
    offs.forEach(({ id, off }, i) => {
      const end = i + 1 < offs.length ? offs[i + 1]!.off : tableSize;
      const room = end - off;
      if (room < 1) throw new RewriteError(`${path}.field${id}`, 'overlapping fields in an options table');
      const size = room >= 8 ? 8 : room >= 4 ? 4 : room >= 2 ? 2 : 1;
      this.scalar(id, pos + off, size);
    });
    return b.endObject();
  }
}

// ---- the rewrite -----------------------------------------------------------------------------------------------

function floatBytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) dv.setFloat32(4 * i, values[i]!, true);
  return out;
}

/** Little-endian float32 bytes of `values` (for {@link TensorEdit.data} and {@link NewTensor.data}). */
export const float32Bytes = floatBytes;

/** Little-endian int32 bytes of `values`. */
export function int32Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) dv.setInt32(4 * i, values[i]!, true);
  return out;
}

/**
 * Applies `edits` to the `.tflite` bytes and returns the new file (file identifier TFL3). Everything the edits
 * do not name is copied field by field. Throws RewriteError for what cannot be copied safely or an edit that
 * names a missing subgraph / tensor / operator.
 *
 * @example
 * ```ts
 * const out = rewriteTflite(bytes, { subgraphs: new Map([[0, { outputs: [21, 18] }]]) }); // tap tensor 18
 * ```
 */
export function rewriteTflite(bytes: Uint8Array, edits: ModelEdits): Uint8Array {
  const bb = new flatbuffers.ByteBuffer(bytes);
  const root = bb.readUint32(bb.position()) + bb.position();
  const b = new flatbuffers.Builder(bytes.byteLength + 1024);
  b.forceDefaults(true); // copy presence exactly: a field present with its default value stays present
  const c = new Copier(bb, b);

  const vecAt = (pos: number, id: number): { n: number; at: (i: number) => number } => {
    const fp = fieldPos(bb, pos, id);
    if (!fp) return { n: 0, at: () => 0 };
    const v = deref(bb, fp);
    return { n: bb.readUint32(v), at: (i) => deref(bb, v + 4 + 4 * i) };
  };

  // Absolute offsets cannot survive re-serialisation.
  const bufs = vecAt(root, 4);
  for (let i = 0; i < bufs.n; i++) {
    const off = fieldPos(bb, bufs.at(i), 1);
    if (off && bb.readUint64(off) > 1n) throw new RewriteError(`buffers[${i}].offset`, 'buffer data stored outside the flatbuffer (models > 2 GB) cannot be rewritten');
  }

  // Who uses each buffer (a shared buffer is never overwritten).
  const bufferUsers = new Map<number, number>();
  const sgs = vecAt(root, 2);
  for (let s = 0; s < sgs.n; s++) {
    const ts = vecAt(sgs.at(s), 0);
    for (let t = 0; t < ts.n; t++) {
      const fp = fieldPos(bb, ts.at(t), 2);
      const buf = fp ? bb.readUint32(fp) : 0;
      if (buf > 0) bufferUsers.set(buf, (bufferUsers.get(buf) ?? 0) + 1);
    }
    const ops = vecAt(sgs.at(s), 3);
    for (let o = 0; o < ops.n; o++) {
      for (const id of [9, 10]) {
        const fp = fieldPos(bb, ops.at(o), id);
        if (fp && bb.readUint64(fp) !== 0n) throw new RewriteError(`subgraphs[${s}].operators[${o}].large_custom_options`, 'custom options stored outside the flatbuffer cannot be rewritten');
      }
    }
  }
  for (const [s, e] of edits.subgraphs) if (s < 0 || s >= sgs.n) throw new RewriteError(`subgraphs[${s}]`, `no such subgraph (model has ${sgs.n})`);

  // Buffer plan: data replaced in place, or appended.
  const replacedBuffers = new Map<number, Uint8Array>();
  const appended: Uint8Array[] = [];
  const tensorBufferOverride = new Map<string, number>(); // "s:t" → new buffer index
  const newTensorBuffer = new Map<string, number>(); // "s:k" → buffer index of appended tensor k
  for (const [s, e] of edits.subgraphs) {
    const ts = vecAt(sgs.at(s), 0);
    for (const [t, te] of e.tensors ?? []) {
      if (t < 0 || t >= ts.n) throw new RewriteError(`subgraphs[${s}].tensors[${t}]`, `no such tensor (subgraph has ${ts.n})`);
      if (!te.data) continue;
      const fp = fieldPos(bb, ts.at(t), 2);
      const buf = fp ? bb.readUint32(fp) : 0;
      if (buf > 0 && bufferUsers.get(buf) === 1) replacedBuffers.set(buf, te.data);
      else {
        appended.push(te.data);
        tensorBufferOverride.set(`${s}:${t}`, bufs.n + appended.length - 1);
      }
    }
    (e.newTensors ?? []).forEach((nt, k) => {
      if (!nt.data) return;
      appended.push(nt.data);
      newTensorBuffer.set(`${s}:${k}`, bufs.n + appended.length - 1);
    });
  }

  // Model fields, children first.
  const modelOverrides = new Map<number, Override>();
  // operator_codes (1), description (3), metadata_buffer (5), metadata (6), signature_defs (7), external (8, 9):
  // copied by the generic table copy below; buffers (4) and subgraphs (2) built here.
  const bufferOffsets: flatbuffers.Offset[] = [];
  for (let i = 0; i < bufs.n; i++) {
    const data = replacedBuffers.get(i);
    if (!data) {
      bufferOffsets.push(c.table(bufs.at(i), Buffer, `buffers[${i}]`));
      continue;
    }
    const vec = c.rawVector(data, 1, 16);
    bufferOffsets.push(c.table(bufs.at(i), Buffer, `buffers[${i}]`, new Map([[0, { k: 'offset', value: vec }]])));
  }
  for (const data of appended) {
    const vec = c.rawVector(data, 1, 16);
    FbBuffer.startBuffer(b);
    FbBuffer.addData(b, vec);
    bufferOffsets.push(FbBuffer.endBuffer(b));
  }
  modelOverrides.set(4, { k: 'offset', value: c.offsetVector(bufferOffsets) });

  const sgOffsets: flatbuffers.Offset[] = [];
  for (let s = 0; s < sgs.n; s++) {
    const e = edits.subgraphs.get(s);
    const sgPos = sgs.at(s);
    if (!e) {
      sgOffsets.push(c.table(sgPos, SubGraph, `subgraphs[${s}]`));
      continue;
    }
    const p = `subgraphs[${s}]`;
    const ts = vecAt(sgPos, 0);
    const tensorOffsets: flatbuffers.Offset[] = [];
    for (let t = 0; t < ts.n; t++) {
      const te = e.tensors?.get(t);
      if (!te) {
        tensorOffsets.push(c.table(ts.at(t), Tensor, `${p}.tensors[${t}]`));
        continue;
      }
      const ov = new Map<number, Override>();
      const drop = new Set<number>();
      if (te.shape) ov.set(0, { k: 'offset', value: c.int32Vector(te.shape) });
      if (te.shapeSignature === null) drop.add(7);
      else if (te.shapeSignature) ov.set(7, { k: 'offset', value: c.int32Vector(te.shapeSignature) });
      const nb = tensorBufferOverride.get(`${s}:${t}`);
      if (nb !== undefined) ov.set(2, { k: 'scalar', size: 4, value: nb });
      tensorOffsets.push(c.table(ts.at(t), Tensor, `${p}.tensors[${t}]`, ov, drop));
    }
    (e.newTensors ?? []).forEach((nt, k) => {
      const name = b.createString(nt.name);
      const shape = c.int32Vector(nt.shape);
      FbTensor.startTensor(b);
      FbTensor.addShape(b, shape);
      FbTensor.addType(b, nt.type);
      FbTensor.addBuffer(b, newTensorBuffer.get(`${s}:${k}`) ?? 0);
      FbTensor.addName(b, name);
      if (nt.isVariable) FbTensor.addIsVariable(b, true);
      tensorOffsets.push(FbTensor.endTensor(b));
    });
    const nTensors = ts.n + (e.newTensors?.length ?? 0);
    const ops = vecAt(sgPos, 3);
    const opOffsets: flatbuffers.Offset[] = [];
    for (let o = 0; o < ops.n; o++) {
      const oe = e.operators?.get(o);
      if (!oe) {
        opOffsets.push(c.table(ops.at(o), Operator, `${p}.operators[${o}]`));
        continue;
      }
      const ov = new Map<number, Override>();
      if (oe.inputs) {
        for (const i of oe.inputs) if (i < -1 || i >= nTensors) throw new RewriteError(`${p}.operators[${o}].inputs`, `tensor index ${i} out of range`);
        ov.set(1, { k: 'offset', value: c.int32Vector(oe.inputs) });
      }
      if (oe.reshapeNewShape) {
        const typeAt = fieldPos(bb, ops.at(o), 3);
        if (typeAt && bb.readUint8(typeAt) === 17 && fieldPos(bb, ops.at(o), 4)) {
          const ns = c.int32Vector(oe.reshapeNewShape);
          b.startObject(1); // ReshapeOptions { new_shape: [int] }
          b.addFieldOffset(0, ns, 0);
          ov.set(4, { k: 'offset', value: b.endObject() });
        }
      }
      opOffsets.push(c.table(ops.at(o), Operator, `${p}.operators[${o}]`, ov));
    }
    for (const o of e.operators?.keys() ?? []) if (o < 0 || o >= ops.n) throw new RewriteError(`${p}.operators[${o}]`, `no such operator (subgraph has ${ops.n})`);
    const sgOv = new Map<number, Override>([
      [0, { k: 'offset', value: c.offsetVector(tensorOffsets) }],
      [3, { k: 'offset', value: c.offsetVector(opOffsets) }],
    ]);
    if (e.outputs) {
      for (const i of e.outputs) if (i < 0 || i >= nTensors) throw new RewriteError(`${p}.outputs`, `tensor index ${i} out of range`);
      sgOv.set(2, { k: 'offset', value: c.int32Vector(e.outputs) });
    }
    sgOffsets.push(c.table(sgPos, SubGraph, p, sgOv));
  }
  modelOverrides.set(2, { k: 'offset', value: c.offsetVector(sgOffsets) });

  const modelOffset = c.table(root, ModelTable, 'model', modelOverrides);
  b.finish(modelOffset, 'TFL3');
  return b.asUint8Array().slice();
}
