/** What is wrong with a `.tflite` byte string. */
export type TfliteFormatErrorKind =
  /** Not a TFLite flatbuffer: too short for a header, or file identifier is not "TFL3". */
  | 'identifier'
  /** An offset, table, vector or string points (partly) outside the buffer, or a string is not NUL-terminated. */
  | 'bounds'
  /** A vtable is malformed: odd/too small size, field offset outside its table or overlapping the table header. */
  | 'vtable'
  /** A table, vtable, vector or scalar field is not aligned to its size. */
  | 'alignment'
  /** A union type value that the schema does not know. */
  | 'union'
  /** Nesting depth or total object budget exceeded (guards against cyclic/shared-offset bombs). */
  | 'limit'
  /** Well-formed flatbuffer, but inconsistent as a TFLite model (index out of range, size mismatch, …). */
  | 'semantic'
  /** An unexpected exception inside the reader (a bug); reported as a format error so callers never see raw errors. */
  | 'internal';

/**
 * The one error type of the TFLite reader/verifier. `offset` is the byte offset in the file where the problem was
 * found (0 when no better position exists), `path` names the field like `subgraphs[0].operators[3].inputs[9]`.
 *
 * @example
 * ```ts
 * import { readTflite, TfliteFormatError, describeFormatError } from 'nnlstm/tflite';
 * try {
 *   readTflite(bytes);
 * } catch (e) {
 *   if (e instanceof TfliteFormatError) console.error(e.kind, e.offset, e.path, describeFormatError(e));
 * }
 * ```
 */
export class TfliteFormatError extends Error {
  /** `'TfliteFormatError'`, for telling errors apart without instanceof (e.g. across bundles). */
  override readonly name = 'TfliteFormatError';
  /** What kind of problem. */
  readonly kind: TfliteFormatErrorKind;
  /** Byte offset in the buffer where it was found (0 when no better position exists). */
  readonly offset: number;
  /** The field, e.g. `subgraphs[0].operators[3].inputs[9]`; '' for the file as a whole. */
  readonly path: string;

  constructor(kind: TfliteFormatErrorKind, offset: number, path: string, detail: string) {
    super(`${kind} error at byte ${offset}${path ? ` (${path})` : ''}: ${detail}`);
    this.kind = kind;
    this.offset = offset;
    this.path = path;
  }
}

/**
 * Thrown by the writer for NNAPI models that a `.tflite` file cannot express (float16, sigmoid, …).
 *
 * @example
 * ```ts
 * import { writeSingleOpTflite, UnsupportedByTflite } from 'nnlstm/tflite';
 * try {
 *   writeSingleOpTflite(float16Model);
 * } catch (e) {
 *   if (e instanceof UnsupportedByTflite) console.log('TFLite cannot run it:', e.reason);
 * }
 * ```
 */
export class UnsupportedByTflite extends Error {
  /** `'UnsupportedByTflite'`, for telling errors apart without instanceof (e.g. across bundles). */
  override readonly name = 'UnsupportedByTflite';
  /** What the model has that TFLite cannot express. */
  readonly reason: string;
  constructor(reason: string) {
    super(`not expressible as a .tflite model: ${reason}`);
    this.reason = reason;
  }
}

/**
 * Why an operator could not be turned into an NNAPI model: `unmappable` — the op itself cannot be expressed (not an
 * LSTM-family op, BASIC kernel, wrong input count, a tensor type or shape NNAPI's operands cannot take);
 * `tool-limit` — the op may be fine but exceeds a limit of this tool (e.g. too many elements for the example
 * values of a runtime input), so it was not checked.
 */
export type TfliteMappingErrorKind = 'unmappable' | 'tool-limit';

/**
 * A TFLite operator that cannot be turned into an NNAPI model; `field` names the tensor or option it came from.
 * Thrown by {@link tfliteOpToNnapiModel}.
 *
 * @example
 * ```ts
 * import { tfliteOpToNnapiModel, TfliteMappingError } from 'nnlstm/tflite';
 * try {
 *   tfliteOpToNnapiModel(model, 0, 3);
 * } catch (e) {
 *   if (e instanceof TfliteMappingError) console.error(e.kind, e.field, e.message);
 * }
 * ```
 */
export class TfliteMappingError extends Error {
  /** `'TfliteMappingError'`, for telling errors apart without instanceof (e.g. across bundles). */
  override readonly name = 'TfliteMappingError';
  /** `unmappable` (the op cannot be an NNAPI model) or `tool-limit` (not checked by this tool). */
  readonly kind: TfliteMappingErrorKind;
  /** The tensor or option it came from; '' when none. */
  readonly field: string;
  constructor(message: string, opts: { kind?: TfliteMappingErrorKind; field?: string } = {}) {
    super(message);
    this.kind = opts.kind ?? 'unmappable';
    this.field = opts.field ?? '';
  }
}
