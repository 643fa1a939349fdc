/** The ONNX LSTM reference: plain (exact float32 or float64) and prepared fast paths, with their conventions as data. */
export { computeOnnxLstm, type OnnxLstmOptions } from './compute.js';
export { prepareOnnxLstm, type OnnxLstmWeights, type OnnxLstmRunInputs, type PreparedOnnxLstm } from './prepared.js';
export { ONNX_CONVENTIONS, resolveConventions, type LstmConventions, type GateOrder, type PeepholeOrder, type GateLetter } from './conventions.js';
export { ACTIVATION_PARAMETERS, ORT_SHORT_LIST_DEFAULTS, ONNX_ACTIVATION_NAMES, activationFunction, canonicalActivationName } from './activations.js';
export { OnnxLstmShapeError, onnxLstmShape, onnxLstmWeightShape, type OnnxLstmShape } from './shapes.js';
export * from './types.js';
