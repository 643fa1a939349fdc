/**
 * Role name → NNAPI operand position for QUANTIZED_LSTM (95) (facts memo §A.4). Inputs 0–19 carry
 * the LSTM names (same roles, quantized types); 20–23 are the layer-norm weights; then the scalars.
 */
import { LSTM_INPUT_NAMES } from '../lstm/operands.generated.js';

export const QLSTM_INPUT_NAMES = Object.freeze([
  ...(LSTM_INPUT_NAMES.slice(0, 20) as readonly (typeof LSTM_INPUT_NAMES)[number][]),
  'input_layer_norm_weights',
  'forget_layer_norm_weights',
  'cell_layer_norm_weights',
  'output_layer_norm_weights',
  'cell_clip',
  'proj_clip',
  'input_intermediate_scale',
  'forget_intermediate_scale',
  'cell_intermediate_scale',
  'output_intermediate_scale',
  'hidden_state_zero_point',
  'hidden_state_scale',
] as const);
export type QlstmInputName = (typeof QLSTM_INPUT_NAMES)[number];

export const QLSTM_OUTPUT_NAMES = Object.freeze(['output_state_out', 'cell_state_out', 'output'] as const);
export type QlstmOutputName = (typeof QLSTM_OUTPUT_NAMES)[number];

export const QLSTM_IN: { readonly [K in QlstmInputName]: number } = Object.freeze(
  Object.fromEntries(QLSTM_INPUT_NAMES.map((n, i) => [n, i])) as { [K in QlstmInputName]: number },
);
export const QLSTM_OUT: { readonly [K in QlstmOutputName]: number } = Object.freeze(
  Object.fromEntries(QLSTM_OUTPUT_NAMES.map((n, i) => [n, i])) as { [K in QlstmOutputName]: number },
);
export const QLSTM_INPUT_COUNT = 32;
export const QLSTM_OUTPUT_COUNT = 3;

/** QUANTIZED_16BIT_LSTM (73): 15 inputs, 2 outputs (facts memo §A.5). Note cell state before output. */
export const QLSTM16_INPUT_NAMES = Object.freeze([
  'input',
  'input_to_input_weights',
  'input_to_forget_weights',
  'input_to_cell_weights',
  'input_to_output_weights',
  'recurrent_to_input_weights',
  'recurrent_to_forget_weights',
  'recurrent_to_cell_weights',
  'recurrent_to_output_weights',
  'input_gate_bias',
  'forget_gate_bias',
  'cell_gate_bias',
  'output_gate_bias',
  'cell_state_in',
  'output_state_in',
] as const);
export type Qlstm16InputName = (typeof QLSTM16_INPUT_NAMES)[number];
export const QLSTM16_OUTPUT_NAMES = Object.freeze(['cell_state_out', 'output'] as const);
export const QLSTM16_IN: { readonly [K in Qlstm16InputName]: number } = Object.freeze(
  Object.fromEntries(QLSTM16_INPUT_NAMES.map((n, i) => [n, i])) as { [K in Qlstm16InputName]: number },
);
