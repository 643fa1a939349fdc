/**
 * ONNX `LSTM` (opsets 7, 14, 22) as plain data: the attributes after defaults are applied, and the tensors as
 * typed arrays with their dims. These types sit in ops/ because the reference computes on them; the ONNX
 * file reader (src/onnx/) fills them from a NodeProto.
 */

/** The eight inputs of an ONNX LSTM node, in the operator's order: the one table of their names and positions. */
export const ONNX_LSTM_INPUTS = ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h', 'initial_c', 'P'] as const;
/** One input of an ONNX LSTM node, by name. */
export type OnnxLstmInputName = (typeof ONNX_LSTM_INPUTS)[number];

/** The activation functions ONNX lets an RNN name (the operator doc's list of 11, plus their alpha/beta). */
export type OnnxActivationName =
  | 'Relu'
  | 'Tanh'
  | 'Sigmoid'
  | 'Affine'
  | 'LeakyRelu'
  | 'ThresholdedRelu'
  | 'ScaledTanh'
  | 'HardSigmoid'
  | 'Elu'
  | 'Softsign'
  | 'Softplus';

/** One activation with its parameters (alpha/beta consumed in order from the node's activation_alpha/beta). */
export interface OnnxActivation {
  name: OnnxActivationName;
  alpha?: number;
  beta?: number;
}

/** The ONNX LSTM `direction` attribute. */
export type OnnxDirection = 'forward' | 'reverse' | 'bidirectional';

/** The attributes of one ONNX LSTM node, defaults applied. */
export interface OnnxLstmAttributes {
  hiddenSize: number;
  direction: OnnxDirection;
  /** 0: X is [seq, batch, input]; 1: [batch, seq, input] (opset ≥ 14). */
  layout: 0 | 1;
  /** 1: couple the input and forget gates (ONNX Runtime: f = 1 − i). */
  inputForget: 0 | 1;
  /** Bound applied to the inputs of the activations; undefined = no clip. */
  clip?: number;
  /** f, g, h per direction: 3 entries, or 6 for bidirectional (forward first). */
  activations: OnnxActivation[];
}

/** A dense float tensor in row-major order. */
export interface OnnxLstmTensor {
  dims: number[];
  data: Float32Array | Float64Array;
}

/** The node's inputs by ONNX name; optional ones are absent when the node leaves them empty. */
export interface OnnxLstmInputs {
  X: OnnxLstmTensor;
  /** [numDirections, 4H, input], gate rows i, o, f, c. */
  W: OnnxLstmTensor;
  /** [numDirections, 4H, H], gate rows i, o, f, c. */
  R: OnnxLstmTensor;
  /** [numDirections, 8H]: Wb then Rb, each in i, o, f, c order. */
  B?: OnnxLstmTensor;
  /** [batch] int32 lengths. */
  sequence_lens?: { dims: number[]; data: Int32Array };
  initial_h?: OnnxLstmTensor;
  initial_c?: OnnxLstmTensor;
  /** [numDirections, 3H] peepholes in order i, o, f. */
  P?: OnnxLstmTensor;
}

/** The three outputs (all computed; a node may leave some unused). Layout follows the node's `layout`. */
export interface OnnxLstmOutputs {
  /** layout 0: [seq, numDirections, batch, H]; layout 1: [batch, seq, numDirections, H]. */
  Y: OnnxLstmTensor;
  /** layout 0: [numDirections, batch, H]; layout 1: [batch, numDirections, H]. */
  Y_h: OnnxLstmTensor;
  Y_c: OnnxLstmTensor;
}
