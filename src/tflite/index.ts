/** TFLite interop for nnlstm: verify/read `.tflite`, map LSTM-family ops to NNAPI models, write, run, inspect, fuzz. */
export { TfliteFormatError, TfliteMappingError, UnsupportedByTflite, type TfliteFormatErrorKind } from './errors.js';
export { verifyTflite, type VerifyOptions, type VerifyStats } from './verify.js';
export {
  readTflite,
  checkSemantics,
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
export {
  LSTM_FAMILY_MAPPINGS,
  nnapiInputsFor,
  lstmFamilyOperation,
  effectiveOptions,
  decodeTensorData,
  tfliteOpToNnapiModel,
  type LstmFamilyOperation,
  type LstmFamilyMapping,
  type NnapiInputEntry,
  type NnapiOutputEntry,
} from './mapping.js';
export { writeSingleOpTflite, writeSingleOpTfliteWithIo, singleOpIo, type WriteOptions } from './writer.js';
export { inspectTflite, nnapiDelegateVerdict, type TfliteInspection, type LstmOpReport, type NnapiDelegateVerdict } from './inspect.js';
export { TfliteRuntime, CompiledTflite, TfliteRuntimeError, type RuntimeOutput, type RuntimeTensorInfo } from './runtime.js';
export { runFuzz, fuzzOne, type FuzzOptions, type FuzzResult } from './fuzz.js';
export { syntheticLstmModel, syntheticCorpus, type SyntheticLstmSpec } from './synthetic.js';
