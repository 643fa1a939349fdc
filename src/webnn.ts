/**
 * `nnlstm/webnn`: WebNN's `lstm` and `lstmCell` as the WebNN spec defines them (options, `iofg`/`ifgo` layouts,
 * relu/sigmoid/tanh activations, forward/backward/both, `returnSequence`), in float32, float16 or float64, with the
 * validation rules of spec/webnn/*.json. The output-gate peephole reads C(t−1) as the spec's emulation and
 * webnn-baseline compute it; `outputPeephole: 'C_t'` gives the ONNX/NNAPI timing (the named deviation
 * `webnn-output-peephole-prev-cell`).
 *
 * @example
 * ```ts
 * import { webnnLstm } from 'nnlstm/webnn';
 * const r = webnnLstm(input, weight, recurrentWeight, steps, hiddenSize, { direction: 'both', returnSequence: true });
 * console.log(r.hidden.dims, r.sequence?.dims);
 * ```
 * @packageDocumentation
 * @module nnlstm/webnn
 */
export {
  webnnLstm,
  webnnLstmCell,
  validateWebnnLstm,
  validateWebnnLstmCell,
  WebnnLstmError,
  DEFAULT_ACTIVATIONS,
  type WebnnLstmResult,
  type WebnnLstmCellResult,
  type WebnnTensor,
  type WebnnLstmOptions,
  type WebnnLstmCellOptions,
  type WebnnActivation,
  type WebnnLstmLayout,
  type WebnnDirection,
  type WebnnDataType,
  type WebnnPrecision,
  type OutputPeepholeTiming,
  type WebnnRuleViolation,
  type WebnnOperandDesc,
} from './ops/webnn-lstm/index.js';
