/**
 * `nnlstm/onnx`: ONNX LSTM interop that runs anywhere — read a `.onnx` buffer (bounded, errors with byte
 * offsets), find every `LSTM` node (inside `If`/`Loop` subgraphs too, weights resolved through `Constant` and
 * `Unsqueeze`), check it against the ONNX operator's rules, compute it with the exact ONNX reference, map it to
 * NNAPI's UNIDIRECTIONAL/BIDIRECTIONAL_SEQUENCE_LSTM (or say why not), inspect and validate whole models, and write
 * ONNX models. ONNX Runtime is a live second implementation: {@link OnnxRuntimeDriver} runs the conformance suite
 * on it, and `validateOnnx` compares the reference with it.
 *
 * ONNX Runtime is not a dependency: in Node it is read from the optional peers `onnxruntime-node` /
 * `onnxruntime-web`; elsewhere call {@link setOnnxRuntimeLoader} (for example with {@link wrapOrtModule} around
 * `await import('onnxruntime-web')`), or pass `numeric: false`.
 *
 * @example
 * ```ts
 * import { readOnnx, findLstmSites, inspectOnnx, computeOnnxLstm } from 'nnlstm/onnx';
 * const model = readOnnx(bytes);                         // OnnxFormatError: kind, byte offset, field path
 * for (const site of findLstmSites(model)) console.log(site.path);
 * const report = inspectOnnx(bytes);
 * console.log(report.lstmNodes.map((n) => `${n.path}: ${n.mapping.expressible ? n.mapping.operation : 'not NNAPI'}`));
 * ```
 * @packageDocumentation
 * @module nnlstm/onnx
 */
export { OnnxFormatError, type OnnxFormatErrorKind } from './errors.js';
export { verifyOnnx, type VerifyOnnxOptions, type VerifyOnnxStats } from './verify.js';
export { readOnnx, type ReadOnnxOptions } from './reader.js';
export type { OnnxModel, OnnxGraph, OnnxNode, OnnxTensor, OnnxValueInfo, OnnxAttributeValue, OnnxDataType } from './model.js';
export { writeOnnx, singleLstmModel, OnnxWriteError, type SingleLstmSpec, type SingleLstmModel, type OnnxLstmDataType, type OnnxIntTensor } from './writer.js';
export { findLstmSites, type OnnxLstmSite, type OnnxLstmSiteInput, type OnnxGraphStep } from './lstm-sites.js';
export { parseOnnxLstmAttributes, type ParseOnnxLstmOptions, type ParsedOnnxLstmAttributes } from './lstm-attributes.js';
export { validateOnnxLstm, checkOnnxLstm, type OnnxLstmInputInfo, type OnnxLstmCheck } from './lstm-validate.js';
export {
  computeOnnxLstm,
  prepareOnnxLstm,
  ONNX_CONVENTIONS,
  OnnxLstmShapeError,
  type OnnxLstmOptions,
  type PreparedOnnxLstm,
  type OnnxLstmWeights,
  type OnnxLstmRunInputs,
  type LstmConventions,
  type OnnxLstmAttributes,
  type OnnxLstmInputs,
  type OnnxLstmOutputs,
  type OnnxLstmTensor,
  type OnnxActivation,
  type OnnxActivationName,
  type OnnxDirection,
} from '../ops/onnx-lstm/index.js';
export {
  mapOnnxLstmToNnapi,
  type OnnxNnapiMapping,
  type ExpressibleMapping,
  type InexpressibleMapping,
  type MappingReason,
  type ConventionAspect,
  type OnnxNodeConstants,
  type OnnxNodeShapes,
} from './mapping.js';
export { checkMappingAgreement, type MappingAgreement, type MappingAgreementOptions } from './mapping-agreement.js';
export { nnapiToOnnxLstm, type NnapiToOnnxResult, type OnnxUnsupportedReason } from './from-nnapi.js';
export { inspectOnnx, renderOnnxInspection, type OnnxInspection, type OnnxLstmNodeReport, type OnnxLstmFeatures, type OnnxStructureVerdict, type OnnxMappingVerdict } from './inspect.js';
export {
  validateOnnx,
  renderOnnxValidation,
  describeOnnxFormatError,
  type ValidateOnnxOptions,
  type OnnxValidation,
  type OnnxNodeValidation,
} from './validate-onnx.js';
export type { OnnxNumericVerdict } from './numeric.js';
export {
  loadOnnxRuntime,
  setOnnxRuntimeLoader,
  wrapOrtModule,
  OnnxRuntimeError,
  OnnxRuntimeUnavailable,
  type OnnxRuntimeFlavor,
  type OnnxRuntimeHandle,
  type OnnxRuntimeSession,
  type OnnxRuntimeTensor,
  type OnnxRuntimeLoader,
} from './runtime.js';
export { OnnxRuntimeDriver, type OnnxRuntimeDriverOptions } from './driver.js';
