/**
 * Structure-aware mutation families for the `.tflite` fuzzer (src/tflite/fuzz.ts) and the attack files of the
 * reader's work bound. Each family aims at places the verifier mapped in a valid seed (mapTfliteStructure):
 *
 *   shared-vector   many offsets of one field (every tensor's shape, every operator's inputs, the tensors or
 *                   operators vector's elements) rewired to one large vector or one table (aliasing / expansion bombs)
 *   self-offset     an offset pointing at itself, at its own table, backwards (uoffset ≥ 2^31) or into a parent
 *   huge-length     a vector length set to 2^31−1, 2^32−1, one past the end, …
 *   odd-vtable      vtable size odd / < 4 / huge, table size < 4 / huge, a field offset odd or past the table
 *   union-type      an unknown union type, or another known member (options read as a different table)
 *   buffer-extent   Buffer.offset / Buffer.size near 2^53, 2^63, 2^64−1, offset + size overflowing the file
 *   index-range     indices (buffer, opcode_index, tensor indices in inputs/outputs/intermediates, shape dims,
 *                   tensor type) set to −2, −1, n, 2^31−1, …
 *
 * Pure functions of (bytes, slots, random source); no Node imports.
 */
import * as flatbuffers from 'flatbuffers';
import { Buffer as FbBuffer, Model as FbModel, SubGraph as FbSubGraph, Tensor as FbTensor } from './generated/tflite.js';
import type { StructureSlot } from './verify.js';

export type FamilyName = 'shared-vector' | 'self-offset' | 'huge-length' | 'odd-vtable' | 'union-type' | 'buffer-extent' | 'index-range';
export const FAMILY_NAMES: readonly FamilyName[] = ['shared-vector', 'self-offset', 'huge-length', 'odd-vtable', 'union-type', 'buffer-extent', 'index-range'];

/** A seed with its structure map (computed once per seed). */
export interface MappedSeed {
  name: string;
  bytes: Uint8Array;
  slots: StructureSlot[];
}

type Rand = () => number;
type OffsetSlot = Extract<StructureSlot, { kind: 'offset' }>;
type VectorSlot = Extract<StructureSlot, { kind: 'vector' }>;

const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T | undefined => (xs.length ? xs[int(r, xs.length)] : undefined);

function u32(b: Uint8Array, pos: number, v: number): void {
  if (pos >= 0 && pos + 4 <= b.length) new DataView(b.buffer, b.byteOffset).setUint32(pos, v >>> 0, true);
}
function u16(b: Uint8Array, pos: number, v: number): void {
  if (pos >= 0 && pos + 2 <= b.length) new DataView(b.buffer, b.byteOffset).setUint16(pos, v & 0xffff, true);
}
function u64(b: Uint8Array, pos: number, v: bigint): void {
  if (pos >= 0 && pos + 8 <= b.length) new DataView(b.buffer, b.byteOffset).setBigUint64(pos, BigInt.asUintN(64, v), true);
}
const rd32 = (b: Uint8Array, pos: number) => new DataView(b.buffer, b.byteOffset).getUint32(pos, true);

const offsets = (s: MappedSeed, pred: (o: OffsetSlot) => boolean) => s.slots.filter((x): x is OffsetSlot => x.kind === 'offset' && pred(x));
const vectors = (s: MappedSeed) => s.slots.filter((x): x is VectorSlot => x.kind === 'vector');

/** Points the uoffset at `pos` to `target` (only forward targets can be expressed; others become a backward offset). */
function pointAt(b: Uint8Array, pos: number, target: number): void {
  u32(b, pos, target - pos);
}

// ---- the families -----------------------------------------------------------------------------------------------

function sharedVector(s: MappedSeed, r: Rand): [Uint8Array, string] {
  const b = s.bytes.slice();
  const mode = int(r, 3);
  if (mode === 0) {
    // Every offset of one vector field (shape — the classic bomb — half the time) to one of the largest vectors
    // that follow some of them; the offsets after it keep their own vector (uoffsets only point forward).
    const fields = [...new Set(offsets(s, (o) => o.to === 'vector' && !o.field.endsWith('[]')).map((o) => `${o.table}.${o.field}`))];
    const f = r() < 0.5 && fields.includes('Tensor.shape') ? 'Tensor.shape' : pick(r, fields);
    if (!f) return [b, 'shared-vector:none'];
    const slots = offsets(s, (o) => `${o.table}.${o.field}` === f);
    const first = Math.min(...slots.map((o) => o.pos));
    const targets = vectors(s).filter((v) => v.pos > first && v.pos % 4 === 0).sort((x, y) => y.length * y.elem - x.length * x.elem);
    const big = targets[int(r, Math.min(3, targets.length))];
    if (!big) return [b, `shared-vector:${f}:no-target`];
    let n = 0;
    for (const o of slots) if (o.pos < big.pos) (pointAt(b, o.pos, big.pos), n++);
    // The target is read with the field's element size (a byte vector as int32s: length / 4); half the time it
    // also claims the rest of the file (the expansion is then ~ n × file size).
    const elem = vectors(s).find((v) => `${v.table}.${v.field}` === f)?.elem ?? big.elem;
    let length = Math.floor((big.length * big.elem) / elem);
    if (r() < 0.5) length = Math.floor((b.length - big.pos - 4) / elem);
    u32(b, big.pos, length);
    return [b, `shared-vector:${f}×${n}->${big.table}.${big.field}(${length}×${elem})`];
  }
  // Every element of a vector of tables (tensors, operators, buffers, subgraphs) to one of its tables.
  const lists = [...new Set(offsets(s, (o) => o.to === 'table' && o.field.endsWith('[]')).map((o) => `${o.table}.${o.field}`))];
  const f = pick(r, lists);
  if (!f) return [b, 'shared-vector:none'];
  const elems = offsets(s, (o) => `${o.table}.${o.field}` === f);
  const target = mode === 1 ? Math.max(...elems.map((o) => o.target)) : pick(r, elems)!.target;
  let n = 0;
  for (const o of elems) if (o.pos < target) (pointAt(b, o.pos, target), n++);
  return [b, `shared-vector:${f}×${n}->${target}`];
}

function selfOffset(s: MappedSeed, r: Rand): [Uint8Array, string] {
  const b = s.bytes.slice();
  const o = pick(r, offsets(s, () => true));
  if (!o) return [b, 'self-offset:none'];
  const parents = s.slots.filter((x): x is Extract<StructureSlot, { kind: 'vtable' }> => x.kind === 'vtable' && x.tablePos <= o.pos);
  const mode = int(r, 6);
  let target: number;
  let what: string;
  switch (mode) {
    case 0:
      target = o.pos;
      what = 'itself';
      break;
    case 1:
      target = parents.length ? parents[parents.length - 1]!.tablePos : 0;
      what = 'its own table';
      break;
    case 2:
      target = pick(r, parents)?.tablePos ?? 0;
      what = 'an earlier table';
      break;
    case 3:
      target = o.pos - 4 * (1 + int(r, 16));
      what = 'backward';
      break;
    case 4:
      target = o.pos + 4 * (1 + int(r, 8));
      what = 'a nearby forward word';
      break;
    default: {
      // The soffset of a table to its own position or one word off (vtable inside the table / before the file).
      const t = pick(r, s.slots.filter((x) => x.kind === 'vtable'));
      if (!t || t.kind !== 'vtable') return [b, 'self-offset:none'];
      const v = [0, 4, -4, t.tablePos + 8, -(b.length - t.tablePos), 0x7fffffff, -0x80000000][int(r, 7)]!;
      new DataView(b.buffer).setInt32(t.tablePos, v, true);
      return [b, `self-offset:${t.table}@${t.tablePos} soffset=${v}`];
    }
  }
  pointAt(b, o.pos, target);
  return [b, `self-offset:${o.table}.${o.field}@${o.pos} -> ${what} (${target})`];
}

function hugeLength(s: MappedSeed, r: Rand): [Uint8Array, string] {
  const b = s.bytes.slice();
  const v = pick(r, vectors(s));
  if (!v) return [b, 'huge-length:none'];
  const room = Math.floor((b.length - v.pos - 4) / v.elem);
  const len = [0x7fffffff, 0xffffffff, 0x80000000, 0x40000000, 0x3fffffff, room, room + 1, v.length + 1, v.length * 2 + 1, 0xfffffff0][int(r, 10)]!;
  u32(b, v.pos, len);
  return [b, `huge-length:${v.table}.${v.field}@${v.pos}=${len >>> 0}`];
}

function oddVtable(s: MappedSeed, r: Rand): [Uint8Array, string] {
  const b = s.bytes.slice();
  const t = pick(r, s.slots.filter((x) => x.kind === 'vtable'));
  if (!t || t.kind !== 'vtable') return [b, 'odd-vtable:none'];
  const mode = int(r, 3);
  if (mode === 0) {
    const v = [0, 1, 2, 3, 5, t.vtSize + 1, t.vtSize - 1, t.vtSize + 2, 0xfffe, 0xffff][int(r, 10)]!;
    u16(b, t.pos, v);
    return [b, `odd-vtable:${t.table} vtable size=${v}`];
  }
  if (mode === 1) {
    const v = [0, 1, 2, 3, t.tableSize - 1, t.tableSize + 1, 0xfffe, 0xffff][int(r, 8)]!;
    u16(b, t.pos + 2, v);
    return [b, `odd-vtable:${t.table} table size=${v}`];
  }
  const nSlots = (t.vtSize - 4) >> 1;
  if (nSlots <= 0) return [b, `odd-vtable:${t.table} no fields`];
  const k = int(r, nSlots);
  const v = [1, 2, 3, 5, t.tableSize - 1, t.tableSize, t.tableSize + 2, 0xffff, 0x8000][int(r, 9)]!;
  u16(b, t.pos + 4 + 2 * k, v);
  return [b, `odd-vtable:${t.table} field ${k} offset=${v}`];
}

function unionType(s: MappedSeed, r: Rand): [Uint8Array, string] {
  const b = s.bytes.slice();
  const u = pick(r, s.slots.filter((x) => x.kind === 'union-type'));
  if (!u || u.kind !== 'union-type') return [b, 'union-type:none'];
  // Unknown values, and known members of another layout (LSTM ↔ bidirectional ↔ unidirectional options, placeholders).
  const v = [u.members + 1, 127, 128, 255, 0, 1, 14, 69, 71, u.members][int(r, 10)]!;
  b[u.pos] = v;
  return [b, `union-type:${u.table}.${u.field}@${u.pos}=${v}`];
}

function bufferExtent(s: MappedSeed, r: Rand): [Uint8Array, string] {
  const b = s.bytes.slice();
  const fields = s.slots.filter((x) => x.kind === 'scalar' && x.table === 'Buffer' && (x.field === 'offset' || x.field === 'size'));
  const f = pick(r, fields);
  if (!f) return [b, 'buffer-extent:none'];
  const L = BigInt(b.length);
  const v = [2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 32n, L, L - 1n, L + 1n, 1n, 2n, 0n, 2n ** 64n - L][int(r, 12)]!;
  u64(b, f.pos, v);
  return [b, `buffer-extent:Buffer.${f.kind === 'scalar' ? f.field : ''}@${f.pos}=${v}`];
}

const INDEX_FIELDS = new Set(['buffer', 'opcode_index', 'subgraph_index', 'tensor_index', 'quantized_dimension', 'external_buffer', 'debug_metadata_index']);
const INDEX_VECTORS = new Set(['inputs', 'outputs', 'intermediates', 'shape', 'shape_signature', 'metadata_buffer', 'traversal_order', 'block_map']);

function indexRange(s: MappedSeed, r: Rand): [Uint8Array, string] {
  const b = s.bytes.slice();
  const values = [-2, -1, 0x7fffffff, -0x80000000, 1 << 20, 1 << 30, 65536];
  if (r() < 0.4) {
    const f = pick(r, s.slots.filter((x) => x.kind === 'scalar' && (INDEX_FIELDS.has(x.field) || (x.table === 'Tensor' && x.field === 'type'))));
    if (!f || f.kind !== 'scalar') return [b, 'index-range:none'];
    if (f.size === 1) {
      const v = [17, 18, 20, 25, 100, 255][int(r, 6)]!;
      b[f.pos] = v;
      return [b, `index-range:${f.table}.${f.field}=${v}`];
    }
    const cur = f.size === 4 ? rd32(b, f.pos) | 0 : 0;
    const v = pick(r, [...values, cur + 1, cur + 1000])!;
    if (f.size === 4) u32(b, f.pos, v);
    else u64(b, f.pos, BigInt(v));
    return [b, `index-range:${f.table}.${f.field}=${v}`];
  }
  const vec = pick(r, vectors(s).filter((v) => v.elem === 4 && v.length > 0 && INDEX_VECTORS.has(v.field)));
  if (!vec) return [b, 'index-range:none'];
  const k = int(r, vec.length);
  const v = pick(r, [...values, vec.length, 0])!;
  u32(b, vec.pos + 4 + 4 * k, v);
  return [b, `index-range:${vec.table}.${vec.field}[${k}]=${v}`];
}

export const FAMILIES: Record<FamilyName, (s: MappedSeed, r: Rand) => [Uint8Array, string]> = {
  'shared-vector': sharedVector,
  'self-offset': selfOffset,
  'huge-length': hugeLength,
  'odd-vtable': oddVtable,
  'union-type': unionType,
  'buffer-extent': bufferExtent,
  'index-range': indexRange,
};

// ---- attack files -----------------------------------------------------------------------------------------------

/**
 * A small valid-looking `.tflite` whose `tensors` distinct tensor tables all point at one `shapeLength`-element shape
 * vector (one subgraph, no operators): ~12 × tensors + 4 × shapeLength bytes that claim tensors × shapeLength
 * dimensions. `shareTable`: the tensors vector repeats one tensor table instead (~4 bytes per tensor).
 */
export function sharedShapeFile(tensors: number, shapeLength: number, shareTable = false): Uint8Array {
  const b = new flatbuffers.Builder(1024 + 4 * shapeLength + 16 * tensors);
  const shape = FbTensor.createShapeVector(b, new Array<number>(shapeLength).fill(1));
  const tensorTable = () => {
    FbTensor.startTensor(b);
    FbTensor.addShape(b, shape);
    return FbTensor.endTensor(b);
  };
  const one = shareTable ? tensorTable() : 0;
  const offsets = Array.from({ length: tensors }, () => (shareTable ? one : tensorTable()));
  FbBuffer.startBuffer(b);
  return finishModel(b, offsets, [FbBuffer.endBuffer(b)]);
}

/** One subgraph holding `tensors`, the model's `buffers`, finished: the bytes. */
function finishModel(b: flatbuffers.Builder, tensors: number[], buffers: number[]): Uint8Array {
  const tensorVec = FbSubGraph.createTensorsVector(b, tensors);
  FbSubGraph.startSubGraph(b);
  FbSubGraph.addTensors(b, tensorVec);
  const sg = FbSubGraph.endSubGraph(b);
  const sgs = FbModel.createSubgraphsVector(b, [sg]);
  const bufs = FbModel.createBuffersVector(b, buffers);
  FbModel.startModel(b);
  FbModel.addVersion(b, 3);
  FbModel.addSubgraphs(b, sgs);
  FbModel.addBuffers(b, bufs);
  FbModel.finishModelBuffer(b, FbModel.endModel(b));
  return b.asUint8Array().slice();
}

/**
 * A seed whose buffers carry explicit `offset` and `size` fields (> 2 GB models keep their data outside the
 * flatbuffer), so that the buffer-extent family has fields to aim at: buffer 1 = [offset, offset + size) of the file.
 */
export function externalBufferSeed(): Uint8Array {
  const b = new flatbuffers.Builder(256);
  b.forceDefaults(true);
  FbBuffer.startBuffer(b);
  const buf0 = FbBuffer.endBuffer(b);
  FbBuffer.startBuffer(b);
  FbBuffer.addOffset(b, 2n);
  FbBuffer.addSize(b, 4n);
  const buf1 = FbBuffer.endBuffer(b);
  b.forceDefaults(false);
  const shape = FbTensor.createShapeVector(b, [1]);
  FbTensor.startTensor(b);
  FbTensor.addShape(b, shape);
  FbTensor.addBuffer(b, 1);
  return finishModel(b, [FbTensor.endTensor(b)], [buf0, buf1]);
}
