/**
 * WebNN `lstm` / `lstmCell` (webmachinelearning/webnn index.bs §lstm, §lstmCell) as plain data: tensors are
 * row-major typed arrays with their dims, the options mirror MLLstmOptions / MLLstmCellOptions, plus two
 * knobs of our own: the arithmetic precision and the output-gate peephole timing.
 */

/** MLRecurrentNetworkActivation. */
export type WebnnActivation = 'relu' | 'sigmoid' | 'tanh';
/** MLLstmWeightLayout: the order of the four gate blocks in weight, recurrentWeight, bias and recurrentBias. */
export type WebnnLstmLayout = 'iofg' | 'ifgo';
/** MLRecurrentNetworkDirection. */
export type WebnnDirection = 'forward' | 'backward' | 'both';
/** MLOperandDataType values lstm accepts. */
export type WebnnDataType = 'float32' | 'float16';

/**
 * How the reference rounds.
 * - `float32`: every WebNN op result (mul, add, matmul, activation) rounded to float32; matmul sums in float32, in order.
 * - `float16`: every op result rounded to binary16 (inputs too); matmul accumulates in float32 and rounds its result
 *   once, as fp16 GEMMs with a float32 accumulator do.
 * - `float64`: no rounding at all (webnn-baseline computes in double; the caller casts the outputs once).
 */
export type WebnnPrecision = 'float32' | 'float16' | 'float64';

/**
 * Which cell state the output-gate peephole multiplies.
 * - `C_prev`: C(t−1), as the spec's lstmCell emulation (index.bs) and webnn-baseline `src/lstm_cell.js` compute.
 * - `C_t`: the new cell state, as ONNX (`Po ⊙ Ct`), NNAPI (`W_co C_t`) and ONNX Runtime's CPU kernel compute.
 */
export type OutputPeepholeTiming = 'C_prev' | 'C_t';

/** A dense tensor, row-major. */
export interface WebnnTensor {
  dims: number[];
  data: ArrayLike<number>;
}

/** MLLstmCellOptions plus the reference's knobs. */
export interface WebnnLstmCellOptions {
  /** [4H] (lstmCell) or [numDirections, 4H] (lstm), gate blocks in `layout` order. */
  bias?: WebnnTensor;
  recurrentBias?: WebnnTensor;
  /** [3H] (lstmCell) or [numDirections, 3H] (lstm), packed i, o, f whatever the layout. */
  peepholeWeight?: WebnnTensor;
  /** Default 'iofg'. */
  layout?: WebnnLstmLayout;
  /** Exactly 3: gates (i, f, o), cell candidate (g), cell-state filter for h. Default [sigmoid, tanh, tanh]. */
  activations?: WebnnActivation[];
  /** Default 'float32'. */
  precision?: WebnnPrecision;
  /** Default 'C_prev' (the WebNN spec's emulation). */
  outputPeephole?: OutputPeepholeTiming;
}

/** MLLstmOptions plus the reference's knobs. */
export interface WebnnLstmOptions extends WebnnLstmCellOptions {
  /** [numDirections, batch, H]; zeros when absent. */
  initialHiddenState?: WebnnTensor;
  initialCellState?: WebnnTensor;
  /** Also return every step's hidden state, [steps, numDirections, batch, H]. Default false. */
  returnSequence?: boolean;
  /** Default 'forward'. */
  direction?: WebnnDirection;
}

/** A WebNN validation failure: the rule id of spec/webnn/lstm.json or lstmCell.json, the argument, a message. */
export interface WebnnRuleViolation {
  rule: string;
  /** The argument or option, e.g. `weight`, `options.peepholeWeight`. */
  operand: string;
  message: string;
}

/** Thrown by webnnLstm / webnnLstmCell on invalid arguments (the builder would throw a TypeError). */
export class WebnnLstmError extends TypeError {
  override readonly name = 'WebnnLstmError';
  constructor(readonly violations: WebnnRuleViolation[]) {
    super(violations.map((v) => `${v.rule} (${v.operand}): ${v.message}`).join('; '));
  }
}

/** WebNN's default `activations`: gate sigmoid, cell tanh, hidden tanh. */
export const DEFAULT_ACTIVATIONS: readonly WebnnActivation[] = Object.freeze(['sigmoid', 'tanh', 'tanh'] as WebnnActivation[]);
