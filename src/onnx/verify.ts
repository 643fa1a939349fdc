/**
 * A verifier for `.onnx` files, run over the protobuf wire format before the decoder (@bufbuild/protobuf's
 * fromBinary) touches the bytes.
 *
 * It walks the file guided by the generated descriptors (ModelProtoSchema and the messages it reaches): every tag
 * (field number ≥ 1, ≤ 32 bits, wire type 0/1/2/3/5), every varint (≤ 10 bytes, no bits past 64), every fixed-size
 * value and length-delimited payload inside its enclosing message, every known field with the wire type its
 * descriptor implies (packed payloads of whole elements), strings valid UTF-8, unknown fields skipped (groups closed
 * by their own field number), and sub-messages recursed into. The decoder does not check wire types of known fields
 * or sub-message boundaries, so without this pass a mutated file could be decoded as something else; with it, the
 * decoder only ever sees bytes this walk accepted.
 *
 * Limits (VerifyOnnxOptions) bound what decoding costs: file size, message nesting (the decoder recurses once a
 * message) and graph nesting (If/Loop/Scan subgraphs), the number of messages (each becomes a JS object) and of
 * fields plus packed elements (each becomes an array slot). The walk itself touches each byte a bounded number of
 * times (once, plus once more for the UTF-8 check of strings), so it is linear in the file size. Every failure is an
 * OnnxFormatError with the byte offset and a field path.
 */
import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';
import { GraphProtoSchema, ModelProtoSchema } from './generated/onnx_pb.js';
import { formatOnnxPath, OnnxFormatError, type OnnxFormatErrorKind } from './errors.js';

/** Limits of {@link verifyOnnx} (and of readOnnx, which runs it first). */
export interface VerifyOnnxOptions {
  /** Largest file accepted, in bytes (default 2³¹ − 1: protobuf lengths are 32-bit). */
  maxFileBytes?: number;
  /** Deepest message nesting, ModelProto = 1 (default 256). */
  maxDepth?: number;
  /** Deepest graph nesting, the main graph = 1, each If/Loop/Scan body one more (default 64). */
  maxGraphDepth?: number;
  /** Most messages in the file (default 4096 + size / 8). */
  maxMessages?: number;
  /** Most fields plus packed elements in the file (default 4096 + size). */
  maxFields?: number;
  /** Longest string or bytes field (default: the file size; a length is always also ≤ the bytes left). */
  maxStringBytes?: number;
}

/** What {@link verifyOnnx} saw. */
export interface VerifyOnnxStats {
  /** File size. */
  bytes: number;
  /** Messages (ModelProto included). */
  messages: number;
  /** Field occurrences (tags), known or unknown. */
  fields: number;
  /** Elements of packed repeated fields. */
  packedElements: number;
  /** Deepest message nesting seen. */
  maxDepth: number;
  /** Deepest graph nesting seen (1 = only the main graph). */
  maxGraphDepth: number;
  /** Fields the schema does not know (skipped). */
  unknownFields: number;
}

/**
 * A place in a valid file a structure-aware fuzzer can aim at ({@link mapOnnxStructure}): a field's tag (position,
 * byte length, wire type) or a length prefix (position, byte length of the varint, value, payload end).
 */
export type OnnxStructureSlot =
  | { kind: 'tag'; pos: number; bytes: number; wire: number; field: string; message: string; depth: number }
  | { kind: 'length'; pos: number; bytes: number; value: number; field: string; message: string; payload: 'message' | 'string' | 'bytes' | 'packed' | 'unknown' };

/** The default limits for a file of `size` bytes. */
export function defaultVerifyOnnxLimits(size: number): Required<VerifyOnnxOptions> {
  return {
    maxFileBytes: 2 ** 31 - 1,
    maxDepth: 256,
    maxGraphDepth: 64,
    maxMessages: 4096 + Math.floor(size / 8),
    maxFields: 4096 + size,
    maxStringBytes: size,
  };
}

// ---- the schema as a lookup table -------------------------------------------------------------------------------

const enum Wire {
  Varint = 0,
  Bit64 = 1,
  Len = 2,
  StartGroup = 3,
  EndGroup = 4,
  Bit32 = 5,
}

interface FieldSpec {
  name: string;
  kind: 'message' | 'string' | 'bytes' | 'scalar';
  /** The wire type of one value (Len for messages/strings/bytes). */
  wire: Wire;
  repeated: boolean;
  msg?: MsgSpec;
}
interface MsgSpec {
  name: string;
  fields: Map<number, FieldSpec>;
  isGraph: boolean;
}

function scalarWire(t: ScalarType): Wire {
  switch (t) {
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return Wire.Bit64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return Wire.Bit32;
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return Wire.Len;
    default:
      return Wire.Varint;
  }
}

const specs = new Map<string, MsgSpec>();

function fieldSpec(f: DescField): FieldSpec {
  const repeated = f.fieldKind === 'list';
  if (f.fieldKind === 'map') throw new Error(`onnx verify: map field ${f.name} not supported`);
  // Groups (delimited encoding) do not occur in the ONNX schema; the walk would need end-group handling for them.
  if ((f.fieldKind === 'message' || (f.fieldKind === 'list' && f.listKind === 'message')) && f.delimitedEncoding) {
    throw new Error(`onnx verify: group field ${f.name} not supported`);
  }
  if (f.fieldKind === 'message' || (f.fieldKind === 'list' && f.listKind === 'message')) {
    return { name: f.name, kind: 'message', wire: Wire.Len, repeated, msg: msgSpec(f.message!) };
  }
  if (f.fieldKind === 'enum' || (f.fieldKind === 'list' && f.listKind === 'enum')) {
    return { name: f.name, kind: 'scalar', wire: Wire.Varint, repeated };
  }
  const t = f.scalar!;
  if (t === ScalarType.STRING) return { name: f.name, kind: 'string', wire: Wire.Len, repeated };
  if (t === ScalarType.BYTES) return { name: f.name, kind: 'bytes', wire: Wire.Len, repeated };
  return { name: f.name, kind: 'scalar', wire: scalarWire(t), repeated };
}

function msgSpec(d: DescMessage): MsgSpec {
  let s = specs.get(d.typeName);
  if (s) return s;
  s = { name: d.typeName, fields: new Map(), isGraph: d.typeName === GraphProtoSchema.typeName };
  // Registered before its fields so recursive messages (GraphProto ↔ AttributeProto) resolve to this entry.
  specs.set(d.typeName, s);
  for (const f of d.fields) s.fields.set(f.number, fieldSpec(f));
  return s;
}

let modelSpec: MsgSpec | undefined;

// ---- the walk ---------------------------------------------------------------------------------------------------

class Walker {
  private readonly b: Uint8Array;
  private readonly lim: Required<VerifyOnnxOptions>;
  readonly stats: VerifyOnnxStats;
  /** The current field path (names and repeated indices), for errors and locate. */
  private readonly path: (string | number)[] = [];
  /** Value of the last varint read. */
  private v = 0;
  /** When set, the first tag position of the field whose path renders to this string is stored in `located`. */
  locate: string | undefined;
  located: number | undefined;
  /** Length of the longest prefix of `locate` matched so far (the first field with that path wins). */
  private locatedLen = 0;

  /** In locate mode: records `tagPos` when the current path is a longer prefix of `locate` than any so far. */
  private match(tagPos: number): void {
    const p = formatOnnxPath(this.path);
    if (p.length <= this.locatedLen || !this.locate!.startsWith(p)) return;
    const next = this.locate!.charAt(p.length);
    if (next !== '' && next !== '.' && next !== '[') return;
    this.located = tagPos;
    this.locatedLen = p.length;
  }

  /** Set by mapOnnxStructure only. */
  slots: OnnxStructureSlot[] | undefined;

  constructor(bytes: Uint8Array, lim: Required<VerifyOnnxOptions>) {
    this.b = bytes;
    this.lim = lim;
    this.stats = { bytes: bytes.length, messages: 0, fields: 0, packedElements: 0, maxDepth: 0, maxGraphDepth: 0, unknownFields: 0 };
  }

  fail(kind: OnnxFormatErrorKind, offset: number, detail: string): never {
    throw new OnnxFormatError(kind, offset, formatOnnxPath(this.path), detail);
  }

  /** Reads a varint at `pos` that must end before `end`; sets `this.v` (exact up to 2⁵³) and returns the next position. */
  private varint(pos: number, end: number, what: string): number {
    const start = pos;
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) this.fail('truncated', start, `${what}: varint runs past the end of its ${end === this.b.length ? 'file' : 'message'}`);
      const byte = this.b[pos++]!;
      if (i === 9 && byte > 1) this.fail('bad-varint', start, `${what}: varint longer than 64 bits`);
      v += (byte & 0x7f) * mul;
      mul *= 128;
      if (byte < 0x80) {
        this.v = v;
        return pos;
      }
    }
    return this.fail('bad-varint', start, `${what}: varint longer than 10 bytes`);
  }

  /** Reads a tag at `pos`; returns the next position, with field number and wire type in `tagNo`/`tagWire`. */
  private tagNo = 0;
  private tagWire = 0;
  private tag(pos: number, end: number): number {
    const next = this.varint(pos, end, 'tag');
    if (next - pos > 5 || this.v > 0xffffffff) this.fail('bad-tag', pos, 'tag does not fit in 32 bits');
    this.tagNo = Math.floor(this.v / 8);
    this.tagWire = this.v % 8;
    if (this.tagNo === 0) this.fail('bad-tag', pos, 'field number 0');
    if (this.tagWire > 5) this.fail('bad-wire-type', pos, `wire type ${this.tagWire} (field ${this.tagNo}) does not exist`);
    return next;
  }

  /** Reads a length prefix at `pos`; returns the payload start, with the length in `this.v`. */
  private length(pos: number, end: number, what: string): number {
    const next = this.varint(pos, end, `${what} length`);
    if (this.v > end - next) this.fail('length-out-of-range', pos, `${what} of ${this.v} bytes runs past the end of its ${end === this.b.length ? 'file' : 'message'} (${end - next} bytes left)`);
    return next;
  }

  private countField(pos: number): void {
    if (++this.stats.fields + this.stats.packedElements > this.lim.maxFields) this.fail('count-limit', pos, `more than ${this.lim.maxFields} fields and packed elements`);
  }

  root(): void {
    const spec = (modelSpec ??= msgSpec(ModelProtoSchema));
    this.message(0, this.b.length, spec, 1, 0);
  }

  private message(start: number, end: number, spec: MsgSpec, depth: number, graphDepth: number): void {
    if (depth > this.lim.maxDepth) this.fail('depth-limit', start, `messages nested deeper than ${this.lim.maxDepth}`);
    if (depth > this.stats.maxDepth) this.stats.maxDepth = depth;
    if (spec.isGraph) {
      graphDepth++;
      if (graphDepth > this.lim.maxGraphDepth) this.fail('depth-limit', start, `graphs nested deeper than ${this.lim.maxGraphDepth} (If/Loop/Scan subgraphs)`);
      if (graphDepth > this.stats.maxGraphDepth) this.stats.maxGraphDepth = graphDepth;
    }
    if (++this.stats.messages > this.lim.maxMessages) this.fail('count-limit', start, `more than ${this.lim.maxMessages} messages`);
    let counts: Map<number, number> | undefined;
    let pos = start;
    while (pos < end) {
      const tagPos = pos;
      pos = this.tag(pos, end);
      const no = this.tagNo;
      const wt = this.tagWire as Wire;
      this.countField(tagPos);
      const f = spec.fields.get(no);
      if (this.slots) this.slots.push({ kind: 'tag', pos: tagPos, bytes: pos - tagPos, wire: wt, field: f?.name ?? `#${no}`, message: spec.name, depth });
      if (!f) {
        // (No path segment: the detail of any error names the unknown field's number.)
        this.stats.unknownFields++;
        pos = this.skip(wt, no, pos, end, tagPos, depth);
        continue;
      }
      const indexed = f.repeated && f.kind !== 'scalar';
      this.path.push(f.name);
      if (indexed) {
        counts ??= new Map();
        const i = counts.get(no) ?? 0;
        counts.set(no, i + 1);
        this.path.push(i);
      }
      if (this.locate !== undefined) this.match(tagPos);
      const packed = f.kind === 'scalar' && f.repeated && wt === Wire.Len && f.wire !== Wire.Len;
      if (wt !== f.wire && !packed) {
        this.fail('bad-wire-type', tagPos, `${spec.name}.${f.name} (field ${no}) has wire type ${wt}, expected ${f.wire}${f.repeated && f.kind === 'scalar' ? ' or 2 (packed)' : ''}`);
      }
      switch (wt) {
        case Wire.Varint:
          pos = this.varint(pos, end, f.name);
          break;
        case Wire.Bit64:
          if (end - pos < 8) this.fail('truncated', tagPos, `8-byte ${f.name} runs past the end of its message`);
          pos += 8;
          break;
        case Wire.Bit32:
          if (end - pos < 4) this.fail('truncated', tagPos, `4-byte ${f.name} runs past the end of its message`);
          pos += 4;
          break;
        case Wire.Len: {
          const lenPos = pos;
          pos = this.length(pos, end, f.name);
          const n = this.v;
          this.slots?.push({ kind: 'length', pos: lenPos, bytes: pos - lenPos, value: n, field: f.name, message: spec.name, payload: f.kind === 'scalar' ? 'packed' : f.kind });
          const stop = pos + n;
          if (f.kind === 'message') {
            this.message(pos, stop, f.msg!, depth + 1, graphDepth);
          } else if (f.kind === 'string' || f.kind === 'bytes') {
            if (n > this.lim.maxStringBytes) this.fail('length-out-of-range', lenPos, `${f.name} of ${n} bytes exceeds the limit ${this.lim.maxStringBytes}`);
            if (f.kind === 'string') this.utf8(pos, stop, f.name);
          } else {
            this.packed(pos, stop, f, lenPos);
          }
          pos = stop;
          break;
        }
      }
      if (indexed) this.path.pop();
      this.path.pop();
    }
  }

  /** A packed payload must be whole elements of the field's wire type. */
  private packed(pos: number, stop: number, f: FieldSpec, lenPos: number): void {
    const n = stop - pos;
    let count: number;
    if (f.wire === Wire.Bit32 || f.wire === Wire.Bit64) {
      const size = f.wire === Wire.Bit32 ? 4 : 8;
      if (n % size !== 0) this.fail('bad-wire-type', lenPos, `packed ${f.name} of ${n} bytes is not a whole number of ${size}-byte elements`);
      count = n / size;
    } else {
      count = 0;
      let p = pos;
      while (p < stop) {
        p = this.varint(p, stop, `packed ${f.name} element`);
        count++;
      }
    }
    this.stats.packedElements += count;
    if (this.stats.fields + this.stats.packedElements > this.lim.maxFields) this.fail('count-limit', lenPos, `more than ${this.lim.maxFields} fields and packed elements`);
  }

  /** Skips an unknown field's value; groups nest (charged to the message depth) and must close with their own number. */
  private skip(wt: Wire, no: number, pos: number, end: number, tagPos: number, depth: number): number {
    switch (wt) {
      case Wire.Varint:
        return this.varint(pos, end, `unknown field ${no}`);
      case Wire.Bit64:
        if (end - pos < 8) this.fail('truncated', tagPos, `8-byte unknown field ${no} runs past the end of its message`);
        return pos + 8;
      case Wire.Bit32:
        if (end - pos < 4) this.fail('truncated', tagPos, `4-byte unknown field ${no} runs past the end of its message`);
        return pos + 4;
      case Wire.Len: {
        const lenPos = pos;
        pos = this.length(pos, end, `unknown field ${no}`);
        this.slots?.push({ kind: 'length', pos: lenPos, bytes: pos - lenPos, value: this.v, field: `#${no}`, message: '?', payload: 'unknown' });
        if (this.v > this.lim.maxStringBytes) this.fail('length-out-of-range', tagPos, `unknown field ${no} of ${this.v} bytes exceeds the limit ${this.lim.maxStringBytes}`);
        return pos + this.v;
      }
      case Wire.StartGroup: {
        if (depth + 1 > this.lim.maxDepth) this.fail('depth-limit', tagPos, `groups nested deeper than ${this.lim.maxDepth}`);
        for (;;) {
          if (pos >= end) this.fail('truncated', tagPos, `group ${no} not closed before the end of its message`);
          const innerTag = pos;
          pos = this.tag(pos, end);
          this.countField(innerTag);
          if (this.tagWire === Wire.EndGroup) {
            if (this.tagNo !== no) this.fail('bad-group', innerTag, `group ${no} closed by end-group tag of field ${this.tagNo}`);
            return pos;
          }
          pos = this.skip(this.tagWire as Wire, this.tagNo, pos, end, innerTag, depth + 1);
        }
      }
      default:
        return this.fail('bad-group', tagPos, `end-group tag (field ${no}) without a group`);
    }
  }

  /** Checks [pos, stop) is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
  private utf8(pos: number, stop: number, what: string): void {
    const b = this.b;
    let i = pos;
    while (i < stop) {
      const c = b[i]!;
      if (c < 0x80) {
        i++;
        continue;
      }
      let need: number;
      let lo = 0x80;
      let hi = 0xbf;
      if (c >= 0xc2 && c <= 0xdf) need = 1;
      else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        if (c === 0xe0) lo = 0xa0;
        else if (c === 0xed) hi = 0x9f;
      } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        if (c === 0xf0) lo = 0x90;
        else if (c === 0xf4) hi = 0x8f;
      } else return this.fail('bad-utf8', i, `${what} is not valid UTF-8 (byte 0x${c.toString(16)})`);
      if (i + need >= stop) this.fail('bad-utf8', i, `${what} is not valid UTF-8 (sequence cut off)`);
      for (let k = 1; k <= need; k++) {
        const d = b[i + k]!;
        if (d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) this.fail('bad-utf8', i, `${what} is not valid UTF-8`);
      }
      i += need + 1;
    }
  }
}

function limits(bytes: Uint8Array, opts: VerifyOnnxOptions): Required<VerifyOnnxOptions> {
  const d = defaultVerifyOnnxLimits(bytes.length);
  return {
    maxFileBytes: opts.maxFileBytes ?? d.maxFileBytes,
    maxDepth: opts.maxDepth ?? d.maxDepth,
    maxGraphDepth: opts.maxGraphDepth ?? d.maxGraphDepth,
    maxMessages: opts.maxMessages ?? d.maxMessages,
    maxFields: opts.maxFields ?? d.maxFields,
    maxStringBytes: opts.maxStringBytes ?? d.maxStringBytes,
  };
}

function checkInput(bytes: Uint8Array, lim: Required<VerifyOnnxOptions>): void {
  if (!(bytes instanceof Uint8Array)) throw new OnnxFormatError('not-onnx', 0, '', 'input is not a Uint8Array');
  if (bytes.length === 0) throw new OnnxFormatError('not-onnx', 0, '', 'empty file');
  if (bytes.length > lim.maxFileBytes) throw new OnnxFormatError('not-onnx', 0, '', `file of ${bytes.length} bytes exceeds the limit ${lim.maxFileBytes}`);
}

/**
 * Verifies `bytes` as a protobuf-encoded ONNX ModelProto within the limits of `opts`. Returns what it saw; throws
 * OnnxFormatError (never anything else) with the byte offset and field path of the first problem.
 *
 * @example
 * ```ts
 * import { verifyOnnx } from 'nnlstm/onnx';
 * const stats = verifyOnnx(bytes, { maxGraphDepth: 8 }); // throws OnnxFormatError when malformed
 * console.log(stats.messages, stats.maxGraphDepth);
 * ```
 */
export function verifyOnnx(bytes: Uint8Array, opts: VerifyOnnxOptions = {}): VerifyOnnxStats {
  const lim = limits(bytes, opts);
  checkInput(bytes, lim);
  const w = new Walker(bytes, lim);
  w.root();
  return w.stats;
}

/**
 * The byte offset (of the tag) of the first occurrence of a field in a verified file, by its path as the verifier
 * writes it (`graph.initializer[3]`, `graph.node[2].attribute[0].t.raw_data`; repeated message/string fields
 * indexed, no names in parentheses). When the field itself does not occur (a default value), the offset of its
 * nearest enclosing field that does; undefined when not even the first segment occurs. Used to give semantic errors
 * found after decoding (bad tensors, duplicate attributes) a byte offset; one pass, linear in the file size.
 */
export function locateOnnxField(bytes: Uint8Array, path: string, opts: VerifyOnnxOptions = {}): number | undefined {
  const lim = limits(bytes, opts);
  checkInput(bytes, lim);
  const w = new Walker(bytes, lim);
  w.locate = path;
  w.root();
  return w.located;
}

/**
 * The tags and length prefixes of a valid file, in file order, for structure-aware fuzzing. Throws OnnxFormatError
 * like verifyOnnx when the file is malformed.
 */
export function mapOnnxStructure(bytes: Uint8Array, opts: VerifyOnnxOptions = {}): OnnxStructureSlot[] {
  const lim = limits(bytes, opts);
  checkInput(bytes, lim);
  const w = new Walker(bytes, lim);
  w.slots = [];
  w.root();
  return w.slots;
}
