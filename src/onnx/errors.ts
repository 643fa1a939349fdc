/** What is wrong with a `.onnx` byte string (the protobuf wire format or the ONNX model it encodes). */
export type OnnxFormatErrorKind =
  /** The input is not a Uint8Array, is empty, or is larger than the reader's size limit. */
  | 'not-onnx'
  /** A varint, fixed-size value or length-delimited payload runs past the end of the file or of its message. */
  | 'truncated'
  /** A varint longer than 10 bytes, or one whose 10th byte sets bits beyond 64. */
  | 'bad-varint'
  /** A tag with field number 0, or one that does not fit in 32 bits. */
  | 'bad-tag'
  /** Wire type 6/7, a known field with the wrong wire type, or a packed payload that is not whole elements. */
  | 'bad-wire-type'
  /** A length prefix larger than the bytes left in its message (or than the string/bytes limit). */
  | 'length-out-of-range'
  /** A stray end-group tag, or a group closed with another field number. */
  | 'bad-group'
  /** Messages or graphs nested deeper than the limits (guards the decoder's recursion). */
  | 'depth-limit'
  /** More messages or fields/elements than the limits allow (guards memory). */
  | 'count-limit'
  /** A string field that is not valid UTF-8. */
  | 'bad-utf8'
  /** A tensor whose dims, data type or data do not agree (element count, raw_data length, negative dims, …). */
  | 'bad-tensor'
  /** An attribute without a name, with a duplicate name, or whose value does not match its type. */
  | 'bad-attribute'
  /** Well-formed protobuf, but not a usable ONNX model (no graph, duplicate opset domains, …). */
  | 'bad-model'
  /** An unexpected exception inside the decoder or converter (a bug); reported so callers never see raw errors. */
  | 'internal';

/**
 * The one error type of the ONNX reader and verifier. `offset` is the byte offset in the file where the problem was
 * found (the tag or length of the offending field, or the start of the offending message); it is `undefined` only
 * for kind `internal`. `path` names the place like `graph.node[12].attribute[0](then_branch).g.node[3]` (attribute
 * names in parentheses when known); `rule` is a stable id `onnx.format.<kind>`.
 *
 * @example
 * ```ts
 * import { readOnnx, OnnxFormatError } from 'nnlstm/onnx';
 * try {
 *   readOnnx(bytes);
 * } catch (e) {
 *   if (e instanceof OnnxFormatError) console.error(e.rule, e.offset, e.path, e.message);
 * }
 * ```
 */
export class OnnxFormatError extends Error {
  /** `'OnnxFormatError'`, for telling errors apart without instanceof (e.g. across bundles). */
  override readonly name = 'OnnxFormatError';
  /** What kind of problem. */
  readonly kind: OnnxFormatErrorKind;
  /** Byte offset in the file where it was found; undefined only when unknown (kind 'internal'). */
  readonly offset: number | undefined;
  /** The field, e.g. `graph.initializer[3].raw_data`; '' for the file as a whole. */
  readonly path: string;
  /** Stable rule id, `onnx.format.<kind>`. */
  readonly rule: string;
  /** The detail without the location prefix. */
  readonly detail: string;

  constructor(kind: OnnxFormatErrorKind, offset: number | undefined, path: string, detail: string) {
    super(`${detail}${path ? ` at ${path}` : ''}${offset === undefined ? '' : ` (byte ${offset})`} [onnx.format.${kind}]`);
    this.kind = kind;
    this.offset = offset;
    this.path = path;
    this.rule = `onnx.format.${kind}`;
    this.detail = detail;
  }
}

/** Renders a path of field names and indices: `['graph', 'node', 3, 'name']` → `graph.node[3].name`. */
export function formatOnnxPath(path: readonly (string | number)[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s;
}
