/**
 * nnlstm: the Android NN LSTM family (LSTM, UNIDIRECTIONAL_SEQUENCE_LSTM, BIDIRECTIONAL_SEQUENCE_LSTM,
 * QUANTIZED_LSTM, QUANTIZED_16BIT_LSTM) as a spec, a reference implementation and a conformance suite.
 *
 * This entry runs anywhere (Node ≥ 20, browsers, workers): no file system, no Node built-ins. The
 * other entries: `nnlstm/suite` (the package's conformance cases as a module), `nnlstm/tflite` (the
 * .tflite reader, inspector, validator and writer) and `nnlstm/node` (files, vendor drivers, the TFLite
 * runtime driver).
 *
 * @example
 * ```ts
 * import { buildModel, prepareModel } from 'nnlstm';
 * const prepared = prepareModel(buildModel('LSTM', operands));   // validates against the spec
 * const { output, cell_state_out } = prepared.run({ input, output_state_in: h, cell_state_in: c });
 * ```
 * @packageDocumentation
 * @module nnlstm
 */

// ---- models ------------------------------------------------------------------------------------------------------
export type { Model, Operand, Operation, OperationType, Lifetime, Provenance, InputValue } from './model/model.js';
export type { OperandTypeName, FeatureLevel } from './model/operand-types.js';
export { formatViolation, type Violation } from './model/violation.js';
export { parseModel, ModelFileError, type ModelFileErrorKind } from './model/load.js';
export { buildModel, ModelBuildError, type BuildModelOptions, type OperandInit, type TensorInit, type OutputInit } from './ops/build-model.js';

// ---- validation and the spec -------------------------------------------------------------------------------------
export { validateModel, type ModelValidation, type Variant } from './ops/validate.js';
export type { LstmVariant } from './ops/lstm/validate.js';
export type { UnidirectionalVariant, BidirectionalVariant } from './ops/sequence/validate.js';
export type { QlstmVariant, Qlstm16Variant } from './ops/qlstm/validate.js';
export { getSpec, OPERATIONS, type ResolvedSpec, type SpecOperand, type SpecRule, type SpecDeviation } from './spec/public.js';

// ---- running -----------------------------------------------------------------------------------------------------
export {
  prepareModel,
  compute,
  PreparedModel,
  ModelValidationError,
  ExecutionError,
  type PrepareModelOptions,
  type NamedInputs,
  type NamedOutputs,
  type Tensor,
} from './drivers/prepared-model.js';
export type { FastOptions } from './ops/fast/plan.js';
export type { FastThreadsOption, FastWorkerSpawner, FastWorkerInit } from './ops/fast/threads.js';
export { browserWorkerSpawner, ThreadsUnavailableError, type ThreadsUnavailableReason } from './ops/fast/threads-web.js';
export type { ActivationNoneVariant } from './ops/lstm/execute.js';

// ---- drivers -----------------------------------------------------------------------------------------------------
export type { Driver, Capabilities, DriverStatus, OutputValue, PrepareResult, ExecuteResult } from './drivers/driver.js';
export { ReferenceDriver, type ReferenceDriverOptions, type ReferencePrepared, type Validator } from './drivers/reference.js';
export type { StepKernel } from './ops/lstm/cell.js';
export { buildInputs as modelInputValues } from './conformance/runner.js';

// ---- conformance -------------------------------------------------------------------------------------------------
export { runConformance } from './conformance/run-suite.js';
export type { Report, CaseResult, CaseStatus, ProgressEvent, RunOptions, DriverInfo } from './conformance/runner.js';
export { casesFromDocuments, matchesFilter, type Case, type PositiveCase, type NegativeCase, type CaseDocument } from './conformance/case.js';
export { loadDeviations, registerDeviationOracle, type Deviation, type DeviationOracle } from './conformance/deviations.js';
export { evaluateVerdict, type Verdict, type VerdictOptions } from './conformance/coverage.js';
export type { Group, CaseFeatures } from './conformance/features.js';
export { reportToJson, formatSummary, reportFailed, summarizeResults, type Totals, type GroupSummary } from './conformance/report.js';
export { reportToJunit } from './conformance/junit.js';
export { reportToHtml } from './conformance/html.js';
export { FLOAT32_CRITERION, FLOAT16_CRITERION, type Criterion } from './conformance/tolerance.js';
