/**
 * `nnlstm/tflite`: TFLite interop that runs anywhere — verify and read a `.tflite` buffer, inspect its
 * LSTM-family operators, map each to an NNAPI model, validate them (structure, feature level, NNAPI
 * delegate, and optionally a numeric check against the TFLite runtime), write single-op models, compress float
 * LSTMs into LSTMs with projection by truncated SVD ({@link compressTflite}), and profile the Δh sparsity that
 * zero-skipping hardware exploits ({@link profileDelta}).
 *
 * The numeric check and {@link TfliteRuntime} need the TFLite WebAssembly runtime: in Node it is read from
 * the optional peer dependency `@tensorflow/tfjs-tflite`; elsewhere call {@link setTfliteRuntimeLoader}
 * or pass `numeric: false`.
 *
 * @example
 * ```ts
 * import { readTflite, inspectTflite, validateTflite } from 'nnlstm/tflite';
 * const model = readTflite(bytes);                       // TfliteFormatError: kind, byte offset, field path
 * for (const op of inspectTflite(model).lstmOps) console.log(op.op, op.features);
 * const v = await validateTflite(model, 'model.tflite', { numeric: false });
 * console.log(v.lstmOps.map((o) => `${o.op}: ${o.structure.status}, FL ${o.featureLevel}`));
 * ```
 * @packageDocumentation
 * @module nnlstm/tflite
 */
export { TfliteFormatError, TfliteMappingError, UnsupportedByTflite, type TfliteFormatErrorKind, type TfliteMappingErrorKind } from './errors.js';
export { verifyTflite, type VerifyOptions, type VerifyStats } from './verify.js';
export {
  readTflite,
  TFLITE_SCHEMA_VERSION,
  type ReadOptions,
  type TfliteModel,
  type TfliteSubgraph,
  type TfliteTensor,
  type TfliteOperator,
  type TfliteOperatorCode,
  type TfliteBuffer,
  type TfliteQuantization,
  type TfliteLstmFamilyOptions,
} from './reader.js';
export { tfliteOpToNnapiModel } from './mapping.js';
export { inspectTflite, type TfliteInspection, type LstmOpReport, type NnapiDelegateVerdict } from './inspect.js';
export {
  validateTflite,
  renderValidation,
  describeFormatError,
  type TfliteValidation,
  type TfliteOpValidation,
  type ValidateTfliteOptions,
  type StructuralVerdict,
} from './validate-tflite.js';
export type { NumericVerdict } from './numeric.js';
export { writeSingleOpTflite, type WriteOptions } from './writer.js';
export {
  TfliteRuntime,
  CompiledTflite,
  TfliteRuntimeError,
  TfliteRuntimeUnavailable,
  setTfliteRuntimeLoader,
  type TfliteRuntimeLoader,
  type TfliteWasmBuild,
  type TfliteModuleFactory,
  type RuntimeOutput,
  type RuntimeTensorInfo,
} from './runtime.js';
export {
  compressTflite,
  floatParameterCount,
  CompressError,
  type CompressOptions,
  type CompressResult,
  type CompressedOp,
  type RefusedOp,
  type ConsumerReport,
} from './compress.js';
export {
  profileDelta,
  type DeltaProfileOptions,
  type DeltaProfile,
  type DeltaOpProfile,
  type DeltaRun,
  type DeltaStep,
  type DeltaTotals,
  type DeltaHistogramBin,
  type ProfileInput,
} from './profile-delta.js';
export { renderDeltaProfileText, renderDeltaProfileHtml } from './profile-delta-render.js';
