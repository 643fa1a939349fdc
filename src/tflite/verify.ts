/**
 * A flatbuffer verifier for `.tflite` files, run before any generated accessor touches the bytes.
 *
 * It walks the schema (the same layout as ./schema/tflite.fbs, restated here as data) from the root table and
 * checks, like FlatBuffers' C++ verifier: the "TFL3" identifier, the root offset, every table's soffset/vtable
 * (alignment, size, bounds, each field inside the table), every offset (non-zero, forward, in bounds), every
 * vector/string length (elements inside the buffer; strings NUL-terminated), scalar alignment and union type values.
 * Work is bounded by one budget for the whole file: every visit of a table, vector or string is charged the bytes it
 * expands to (its reference, header and payload), shared or not. In a file without sharing each byte belongs to at
 * most one object, so a well-formed file costs at most its size; the budget (2 × size + 64 KiB) leaves room for modest
 * sharing while an aliased vector or table cannot make the reader (and everything after it, which is linear in what
 * the reader decodes) do more than O(file size) work. Nesting depth ≤ `maxDepth` stops cycles early. Every failure is a TfliteFormatError with the byte offset and a
 * field path such as `subgraphs[0].operators[3].builtin_options`.
 */
import { TfliteFormatError, type TfliteFormatErrorKind } from './errors.js';

type FieldType =
  | { k: 'scalar'; size: 1 | 2 | 4 | 8 }
  | { k: 'string' }
  | { k: 'table'; table: TableSpec }
  | { k: 'vector'; elem: 1 | 2 | 4 | 8 }
  | { k: 'vstring' }
  | { k: 'vtable'; table: TableSpec }
  | { k: 'utype'; union: UnionSpec }
  | { k: 'union'; typeId: number; union: UnionSpec };

interface FieldSpec {
  id: number;
  name: string;
  t: FieldType;
}
export interface TableSpec {
  name: string;
  fields: FieldSpec[];
}
interface UnionSpec {
  name: string;
  /** members[i] is union type value i + 1. */
  members: TableSpec[];
}

// ---- the schema as data (ids as in tflite.fbs) ------------------------------------------------------------------

const S1 = { k: 'scalar', size: 1 } as const;
const S2 = { k: 'scalar', size: 2 } as const;
const S4 = { k: 'scalar', size: 4 } as const;
const S8 = { k: 'scalar', size: 8 } as const;
const STR = { k: 'string' } as const;
const V1 = { k: 'vector', elem: 1 } as const;
const V2 = { k: 'vector', elem: 2 } as const;
const V4 = { k: 'vector', elem: 4 } as const;
const V8 = { k: 'vector', elem: 8 } as const;
const VSTR = { k: 'vstring' } as const;

function table(name: string, ...fields: [number, string, FieldType][]): TableSpec {
  return { name, fields: fields.map(([id, n, t]) => ({ id, name: n, t })) };
}
const tbl = (t: TableSpec): FieldType => ({ k: 'table', table: t });
const vtbl = (t: TableSpec): FieldType => ({ k: 'vtable', table: t });
/** A union occupies two ids: `<name>_type` at id and the value at id + 1. */
function unionFields(id: number, name: string, u: UnionSpec): [number, string, FieldType][] {
  return [
    [id, `${name}_type`, { k: 'utype', union: u }],
    [id + 1, name, { k: 'union', typeId: id, union: u }],
  ];
}

const Placeholder = table('Placeholder');

const CustomQuantization = table('CustomQuantization', [0, 'custom', V1]);
const BlockwiseQuantization = table('BlockwiseQuantization', [0, 'scales', S4], [1, 'zero_points', S4], [2, 'block_size', S4]);
const MultiAxisQuantization = table(
  'MultiAxisQuantization',
  [0, 'scales', S4],
  [1, 'zero_points', S4],
  [2, 'block_size', S4],
  [3, 'quantized_dimensions', V4],
);
const QuantizationDetails: UnionSpec = {
  name: 'QuantizationDetails',
  members: [CustomQuantization, BlockwiseQuantization, MultiAxisQuantization],
};
const QuantizationParameters = table(
  'QuantizationParameters',
  [0, 'min', V4],
  [1, 'max', V4],
  [2, 'scale', V4],
  [3, 'zero_point', V8],
  ...unionFields(4, 'details', QuantizationDetails),
  [6, 'quantized_dimension', S4],
);

const Int32Vector = table('Int32Vector', [0, 'values', V4]);
const Uint16Vector = table('Uint16Vector', [0, 'values', V2]);
const Uint8Vector = table('Uint8Vector', [0, 'values', V1]);
const SparseIndexVector: UnionSpec = { name: 'SparseIndexVector', members: [Int32Vector, Uint16Vector, Uint8Vector] };
const DimensionMetadata = table(
  'DimensionMetadata',
  [0, 'format', S1],
  [1, 'dense_size', S4],
  ...unionFields(2, 'array_segments', SparseIndexVector),
  ...unionFields(4, 'array_indices', SparseIndexVector),
);
const SparsityParameters = table(
  'SparsityParameters',
  [0, 'traversal_order', V4],
  [1, 'block_map', V4],
  [2, 'dim_metadata', vtbl(DimensionMetadata)],
);
const VariantSubType = table('VariantSubType', [0, 'shape', V4], [1, 'type', S1], [2, 'has_rank', S1]);

const Tensor = table(
  'Tensor',
  [0, 'shape', V4],
  [1, 'type', S1],
  [2, 'buffer', S4],
  [3, 'name', STR],
  [4, 'quantization', tbl(QuantizationParameters)],
  [5, 'is_variable', S1],
  [6, 'sparsity', tbl(SparsityParameters)],
  [7, 'shape_signature', V4],
  [8, 'has_rank', S1],
  [9, 'variant_tensors', vtbl(VariantSubType)],
  [10, 'external_buffer', S4],
);

const LSTMOptions = table(
  'LSTMOptions',
  [0, 'fused_activation_function', S1],
  [1, 'cell_clip', S4],
  [2, 'proj_clip', S4],
  [3, 'kernel_type', S1],
  [4, 'asymmetric_quantize_inputs', S1],
);
const UnidirectionalSequenceLSTMOptions = table(
  'UnidirectionalSequenceLSTMOptions',
  [0, 'fused_activation_function', S1],
  [1, 'cell_clip', S4],
  [2, 'proj_clip', S4],
  [3, 'time_major', S1],
  [4, 'asymmetric_quantize_inputs', S1],
  [5, 'diagonal_recurrent_tensors', S1],
);
const BidirectionalSequenceLSTMOptions = table(
  'BidirectionalSequenceLSTMOptions',
  [0, 'fused_activation_function', S1],
  [1, 'cell_clip', S4],
  [2, 'proj_clip', S4],
  [3, 'merge_outputs', S1],
  [4, 'time_major', S1],
  [5, 'asymmetric_quantize_inputs', S1],
);

/** Number of members of TFLite's BuiltinOptions union (1 … 126, RightShiftOptions last). */
export const BUILTIN_OPTIONS_COUNT = 126;
/** Number of members of BuiltinOptions2 (1 … 23). */
export const BUILTIN_OPTIONS2_COUNT = 23;
export const LSTM_OPTIONS_TYPE = 14;
export const BIDIRECTIONAL_SEQUENCE_LSTM_OPTIONS_TYPE = 69;
export const UNIDIRECTIONAL_SEQUENCE_LSTM_OPTIONS_TYPE = 71;

function placeholderUnion(name: string, count: number, known: Record<number, TableSpec>): UnionSpec {
  const members: TableSpec[] = [];
  for (let i = 1; i <= count; i++) members.push(known[i] ?? Placeholder);
  return { name, members };
}
const BuiltinOptions = placeholderUnion('BuiltinOptions', BUILTIN_OPTIONS_COUNT, {
  [LSTM_OPTIONS_TYPE]: LSTMOptions,
  [BIDIRECTIONAL_SEQUENCE_LSTM_OPTIONS_TYPE]: BidirectionalSequenceLSTMOptions,
  [UNIDIRECTIONAL_SEQUENCE_LSTM_OPTIONS_TYPE]: UnidirectionalSequenceLSTMOptions,
});
const BuiltinOptions2 = placeholderUnion('BuiltinOptions2', BUILTIN_OPTIONS2_COUNT, {});

const OperatorCode = table(
  'OperatorCode',
  [0, 'deprecated_builtin_code', S1],
  [1, 'custom_code', STR],
  [2, 'version', S4],
  [3, 'builtin_code', S4],
);
const Operator = table(
  'Operator',
  [0, 'opcode_index', S4],
  [1, 'inputs', V4],
  [2, 'outputs', V4],
  ...unionFields(3, 'builtin_options', BuiltinOptions),
  [5, 'custom_options', V1],
  [6, 'custom_options_format', S1],
  [7, 'mutating_variable_inputs', V1],
  [8, 'intermediates', V4],
  [9, 'large_custom_options_offset', S8],
  [10, 'large_custom_options_size', S8],
  ...unionFields(11, 'builtin_options_2', BuiltinOptions2),
  [13, 'debug_metadata_index', S4],
);
const SubGraph = table(
  'SubGraph',
  [0, 'tensors', vtbl(Tensor)],
  [1, 'inputs', V4],
  [2, 'outputs', V4],
  [3, 'operators', vtbl(Operator)],
  [4, 'name', STR],
  [5, 'debug_metadata_index', S4],
);
const Buffer = table('Buffer', [0, 'data', V1], [1, 'offset', S8], [2, 'size', S8]);
const Metadata = table('Metadata', [0, 'name', STR], [1, 'buffer', S4]);
const TensorMap = table('TensorMap', [0, 'name', STR], [1, 'tensor_index', S4]);
const SignatureDef = table(
  'SignatureDef',
  [0, 'inputs', vtbl(TensorMap)],
  [1, 'outputs', vtbl(TensorMap)],
  [2, 'signature_key', STR],
  [3, 'deprecated_tag', STR],
  [4, 'subgraph_index', S4],
);
const ExternalBufferGroup = table('ExternalBufferGroup', [0, 'name', STR]);
const ExternalBuffer = table(
  'ExternalBuffer',
  [0, 'id', S4],
  [1, 'group', S4],
  [2, 'offset', S8],
  [3, 'length', S8],
  [4, 'packing', STR],
);
export const MODEL_SPEC: TableSpec = table(
  'Model',
  [0, 'version', S4],
  [1, 'operator_codes', vtbl(OperatorCode)],
  [2, 'subgraphs', vtbl(SubGraph)],
  [3, 'description', STR],
  [4, 'buffers', vtbl(Buffer)],
  [5, 'metadata_buffer', V4],
  [6, 'metadata', vtbl(Metadata)],
  [7, 'signature_defs', vtbl(SignatureDef)],
  [8, 'external_buffer_groups', vtbl(ExternalBufferGroup)],
  [9, 'external_buffers', vtbl(ExternalBuffer)],
);

// ---- the walk ---------------------------------------------------------------------------------------------------

/** Limits of {@link verifyTflite} (and of {@link readTflite}, which verifies first); they bound time and memory on hostile files. */
export interface VerifyOptions {
  /** Maximum table nesting depth (default 64). */
  maxDepth?: number;
  /** Maximum number of tables + vectors + strings visited (default 64 + file size / 2). */
  maxObjects?: number;
  /**
   * Maximum bytes charged over the whole walk (default 2 × file size + 64 KiB): each visit of a table, vector or
   * string costs its 4-byte reference plus its size (a table: its size from the vtable, at least 4 bytes per schema
   * field; a vector: 4 + length × element size), so a vector shared by N tables costs N times its length.
   */
  maxExpandedBytes?: number;
}

/** What {@link verifyTflite} visited. */
export interface VerifyStats {
  /** Tables visited. */
  tables: number;
  /** Vectors visited. */
  vectors: number;
  /** Strings visited. */
  strings: number;
  /** Deepest table nesting seen. */
  maxDepth: number;
  /** Bytes charged against maxExpandedBytes. */
  expandedBytes: number;
}

/**
 * One place of the file the walk passed (for structure-aware fuzzing, src/tflite/fuzz-families.ts): a field's
 * offset, a vector's length, a vtable, a union type byte, a scalar field. `table`/`field` name where it sits.
 */
export type StructureSlot =
  | { kind: 'offset'; pos: number; target: number; to: 'table' | 'vector' | 'string'; table: string; field: string; depth: number }
  | { kind: 'vector'; pos: number; length: number; elem: number; table: string; field: string }
  | { kind: 'vtable'; pos: number; tablePos: number; vtSize: number; tableSize: number; table: string; depth: number }
  | { kind: 'union-type'; pos: number; members: number; table: string; field: string }
  | { kind: 'scalar'; pos: number; size: number; table: string; field: string };

export const FILE_IDENTIFIER = 'TFL3';
/** Constant part of the default expansion budget (bytes). */
export const DEFAULT_BUDGET_SLACK = 65536;

class Walker {
  private readonly view: DataView;
  private readonly len: number;
  private readonly path: (string | number)[] = [];
  private readonly maxDepth: number;
  private readonly maxObjects: number;
  private readonly maxBytes: number;
  private objects = 0;
  readonly stats: VerifyStats = { tables: 0, vectors: 0, strings: 0, maxDepth: 0, expandedBytes: 0 };
  /** Set by mapTfliteStructure only. */
  slots: StructureSlot[] | undefined;
  /** Tables already mapped (a shared table is recorded once). */
  private readonly mapped = new Set<number>();

  constructor(
    private readonly bytes: Uint8Array,
    opts: VerifyOptions,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.len = bytes.byteLength;
    this.maxDepth = opts.maxDepth ?? 64;
    this.maxObjects = opts.maxObjects ?? 64 + Math.floor(bytes.byteLength / 2);
    this.maxBytes = opts.maxExpandedBytes ?? DEFAULT_BUDGET_SLACK + 2 * bytes.byteLength;
  }

  fail(kind: TfliteFormatErrorKind, offset: number, detail: string): never {
    throw new TfliteFormatError(kind, Math.max(0, offset), formatPath(this.path), detail);
  }

  /** [pos, pos + size) inside the buffer. */
  private inBounds(pos: number, size: number): boolean {
    return pos >= 0 && size >= 0 && pos + size <= this.len;
  }

  private count(pos: number): void {
    if (++this.objects > this.maxObjects) this.fail('limit', pos, `more than ${this.maxObjects} objects (shared or cyclic offsets?)`);
  }

  /** Charges one visit of `size` bytes (plus its reference) against the file's budget. */
  private charge(pos: number, size: number, what: string): void {
    this.stats.expandedBytes += 4 + size;
    if (this.stats.expandedBytes > this.maxBytes) {
      this.fail('limit', pos, `at this ${what} the objects reachable from the root expand to more than ${this.maxBytes} bytes (2 × the ${this.len}-byte file + ${DEFAULT_BUDGET_SLACK}): shared or aliased offsets`);
    }
  }

  /** Follows the uoffset stored at `pos`; returns the absolute target. */
  private derefTo(pos: number, what: string, to: 'table' | 'vector' | 'string', table: string, field: string, depth: number): number {
    const target = this.deref(pos, what);
    this.slots?.push({ kind: 'offset', pos, target, to, table, field, depth });
    return target;
  }

  private deref(pos: number, what: string): number {
    if (pos % 4 !== 0) this.fail('alignment', pos, `offset to ${what} not 4-byte aligned`);
    if (!this.inBounds(pos, 4)) this.fail('bounds', pos, `offset to ${what} outside the buffer`);
    const rel = this.view.getUint32(pos, true);
    if (rel === 0) this.fail('bounds', pos, `zero offset to ${what}`);
    if (rel > 0x7fffffff) this.fail('bounds', pos, `offset to ${what} too large (${rel})`);
    const target = pos + rel;
    if (target >= this.len) this.fail('bounds', pos, `offset to ${what} points past the end (${target} ≥ ${this.len})`);
    return target;
  }

  root(): void {
    if (this.len < 8) this.fail('identifier', 0, `${this.len} bytes: too short for a flatbuffer header`);
    const id = String.fromCharCode(this.bytes[4]!, this.bytes[5]!, this.bytes[6]!, this.bytes[7]!);
    if (id !== FILE_IDENTIFIER) this.fail('identifier', 4, `file identifier ${JSON.stringify(id)} is not "${FILE_IDENTIFIER}"`);
    const rootPos = this.deref(0, 'the root table');
    this.table(rootPos, MODEL_SPEC, 1);
  }

  private table(pos: number, spec: TableSpec, depth: number): void {
    if (depth > this.maxDepth) this.fail('limit', pos, `tables nested deeper than ${this.maxDepth}`);
    if (depth > this.stats.maxDepth) this.stats.maxDepth = depth;
    this.count(pos);
    this.stats.tables++;
    if (pos % 4 !== 0) this.fail('alignment', pos, `${spec.name} table not 4-byte aligned`);
    if (!this.inBounds(pos, 4)) this.fail('bounds', pos, `${spec.name} table outside the buffer`);
    const vt = pos - this.view.getInt32(pos, true);
    if (vt % 2 !== 0) this.fail('alignment', pos, `${spec.name} vtable at ${vt} not 2-byte aligned`);
    if (!this.inBounds(vt, 4)) this.fail('vtable', pos, `${spec.name} vtable at ${vt} outside the buffer`);
    const vtSize = this.view.getUint16(vt, true);
    const tableSize = this.view.getUint16(vt + 2, true);
    if (vtSize < 4 || vtSize % 2 !== 0) this.fail('vtable', vt, `${spec.name} vtable size ${vtSize} invalid`);
    if (!this.inBounds(vt, vtSize)) this.fail('vtable', vt, `${spec.name} vtable (${vtSize} bytes) runs past the end`);
    if (tableSize < 4) this.fail('vtable', vt, `${spec.name} table size ${tableSize} < 4`);
    if (!this.inBounds(pos, tableSize)) this.fail('bounds', pos, `${spec.name} table (${tableSize} bytes) runs past the end`);
    // A table decodes into one object with every schema field (defaults included): charge at least 4 bytes a field,
    // so that aliasing many references to one tiny table cannot multiply the decoded objects for free.
    this.charge(pos, Math.max(tableSize, 4 * spec.fields.length), `${spec.name} table`);
    const nSlots = (vtSize - 4) >> 1;
    const record = this.slots !== undefined && !this.mapped.has(pos);
    if (record) {
      this.mapped.add(pos);
      this.slots!.push({ kind: 'vtable', pos: vt, tablePos: pos, vtSize, tableSize, table: spec.name, depth });
    }

    for (const f of spec.fields) {
      if (f.id >= nSlots) continue;
      const fo = this.view.getUint16(vt + 4 + 2 * f.id, true);
      if (fo === 0) continue;
      this.path.push(f.name);
      const size = f.t.k === 'scalar' ? f.t.size : f.t.k === 'utype' ? 1 : 4;
      if (fo < 4 || fo + size > tableSize) {
        this.fail('vtable', vt + 4 + 2 * f.id, `field offset ${fo} (+${size}) outside its ${tableSize}-byte table`);
      }
      const fpos = pos + fo;
      // While mapping, a shared table's fields are recorded once (its first visit).
      const rec = record ? this : undefined;
      const [tn, fn] = [spec.name, f.name];
      switch (f.t.k) {
        case 'scalar':
          if (fpos % f.t.size !== 0) this.fail('alignment', fpos, `${f.t.size}-byte scalar not aligned`);
          rec?.slots!.push({ kind: 'scalar', pos: fpos, size: f.t.size, table: tn, field: fn });
          break;
        case 'utype': {
          const v = this.bytes[fpos]!;
          if (v > f.t.union.members.length) this.fail('union', fpos, `unknown ${f.t.union.name} type ${v}`);
          rec?.slots!.push({ kind: 'union-type', pos: fpos, members: f.t.union.members.length, table: tn, field: fn });
          break;
        }
        case 'string':
          this.string(rec ? this.derefTo(fpos, 'a string', 'string', tn, fn, depth) : this.deref(fpos, 'a string'));
          break;
        case 'table':
          this.table(rec ? this.derefTo(fpos, f.t.table.name, 'table', tn, fn, depth) : this.deref(fpos, f.t.table.name), f.t.table, depth + 1);
          break;
        case 'vector':
          this.vector(rec ? this.derefTo(fpos, 'a vector', 'vector', tn, fn, depth) : this.deref(fpos, 'a vector'), f.t.elem, rec && tn, fn);
          break;
        case 'vstring': {
          const [start, n] = this.vector(rec ? this.derefTo(fpos, 'a vector of strings', 'vector', tn, fn, depth) : this.deref(fpos, 'a vector of strings'), 4, rec && tn, fn);
          for (let i = 0; i < n; i++) {
            this.path.push(i);
            this.string(rec ? this.derefTo(start + 4 * i, 'a string', 'string', tn, `${fn}[]`, depth) : this.deref(start + 4 * i, 'a string'));
            this.path.pop();
          }
          break;
        }
        case 'vtable': {
          const [start, n] = this.vector(rec ? this.derefTo(fpos, `a vector of ${f.t.table.name}`, 'vector', tn, fn, depth) : this.deref(fpos, `a vector of ${f.t.table.name}`), 4, rec && tn, fn);
          for (let i = 0; i < n; i++) {
            this.path.push(i);
            const at = start + 4 * i;
            this.table(rec ? this.derefTo(at, f.t.table.name, 'table', tn, `${fn}[]`, depth) : this.deref(at, f.t.table.name), f.t.table, depth + 1);
            this.path.pop();
          }
          break;
        }
        case 'union': {
          const type = this.unionType(pos, vt, nSlots, f.t.typeId);
          if (type === 0) break; // NONE: the value is ignored
          const member = f.t.union.members[type - 1];
          if (!member) this.fail('union', fpos, `unknown ${f.t.union.name} type ${type}`);
          this.table(rec ? this.derefTo(fpos, member.name, 'table', tn, fn, depth) : this.deref(fpos, member.name), member, depth + 1);
          break;
        }
      }
      this.path.pop();
    }
  }

  private unionType(pos: number, vt: number, nSlots: number, typeId: number): number {
    if (typeId >= nSlots) return 0;
    const fo = this.view.getUint16(vt + 4 + 2 * typeId, true);
    return fo === 0 ? 0 : this.bytes[pos + fo]!;
  }

  /** Checks a vector's length prefix and extent; returns [first element position, length]. */
  private vector(pos: number, elem: number, table?: string | false, field?: string): [number, number] {
    this.count(pos);
    this.stats.vectors++;
    if (pos % 4 !== 0) this.fail('alignment', pos, 'vector length not 4-byte aligned');
    if (!this.inBounds(pos, 4)) this.fail('bounds', pos, 'vector length outside the buffer');
    const n = this.view.getUint32(pos, true);
    if (!this.inBounds(pos + 4, n * elem)) this.fail('bounds', pos, `vector of ${n}×${elem} bytes runs past the end`);
    this.charge(pos, 4 + n * elem, `vector of ${n}×${elem} bytes`);
    if (table) this.slots?.push({ kind: 'vector', pos, length: n, elem, table, field: field ?? '' });
    return [pos + 4, n];
  }

  private string(pos: number): void {
    this.count(pos);
    this.stats.strings++;
    if (pos % 4 !== 0) this.fail('alignment', pos, 'string length not 4-byte aligned');
    if (!this.inBounds(pos, 4)) this.fail('bounds', pos, 'string length outside the buffer');
    const n = this.view.getUint32(pos, true);
    if (!this.inBounds(pos + 4, n + 1)) this.fail('bounds', pos, `string of ${n} bytes (+NUL) runs past the end`);
    if (this.bytes[pos + 4 + n] !== 0) this.fail('bounds', pos + 4 + n, 'string not NUL-terminated');
    this.charge(pos, 5 + n, `string of ${n} bytes`);
  }
}

export function formatPath(path: readonly (string | number)[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s;
}

/**
 * Verifies `bytes` as a TFLite flatbuffer. Returns visit statistics; throws TfliteFormatError (never anything else)
 * when the buffer is malformed: every offset, vtable, vector and string in bounds and aligned, unions known,
 * within the limits of `opts`.
 *
 * @example
 * ```ts
 * import { verifyTflite } from 'nnlstm/tflite';
 * const stats = verifyTflite(bytes, { maxDepth: 32 }); // throws TfliteFormatError when malformed
 * console.log(stats.tables, stats.vectors);
 * ```
 */
export function verifyTflite(bytes: Uint8Array, opts: VerifyOptions = {}): VerifyStats {
  if (!(bytes instanceof Uint8Array)) throw new TfliteFormatError('identifier', 0, '', 'input is not a Uint8Array');
  const w = new Walker(bytes, opts);
  w.root();
  return w.stats;
}

/**
 * The places of a valid file a structure-aware fuzzer can aim at (offsets, vector lengths, vtables, union types,
 * scalar fields), each shared table once. Throws TfliteFormatError like verifyTflite when the file is malformed.
 */
export function mapTfliteStructure(bytes: Uint8Array): StructureSlot[] {
  const w = new Walker(bytes, {});
  w.slots = [];
  w.root();
  return w.slots;
}
