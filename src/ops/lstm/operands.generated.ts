// GENERATED from spec/LSTM.json by `npm run gen` — do not edit. A test fails when stale.

/** LSTM input operand roles, in NNAPI input order. */
export const LSTM_INPUT_NAMES = [
  'input',
  'input_to_input_weights',
  'input_to_forget_weights',
  'input_to_cell_weights',
  'input_to_output_weights',
  'recurrent_to_input_weights',
  'recurrent_to_forget_weights',
  'recurrent_to_cell_weights',
  'recurrent_to_output_weights',
  'cell_to_input_weights',
  'cell_to_forget_weights',
  'cell_to_output_weights',
  'input_gate_bias',
  'forget_gate_bias',
  'cell_gate_bias',
  'output_gate_bias',
  'projection_weights',
  'projection_bias',
  'output_state_in',
  'cell_state_in',
  'activation',
  'cell_clip',
  'proj_clip',
  'input_layer_norm_weights',
  'forget_layer_norm_weights',
  'cell_layer_norm_weights',
  'output_layer_norm_weights',
] as const;

/** LSTM output operand roles, in NNAPI output order. */
export const LSTM_OUTPUT_NAMES = ['scratch_buffer', 'output_state_out', 'cell_state_out', 'output'] as const;

export type LstmInputName = (typeof LSTM_INPUT_NAMES)[number];
export type LstmOutputName = (typeof LSTM_OUTPUT_NAMES)[number];

/** The one table from role name to NNAPI input position. */
export const LSTM_IN: { readonly [K in LstmInputName]: number } = Object.freeze(
  Object.fromEntries(LSTM_INPUT_NAMES.map((n, i) => [n, i])) as { [K in LstmInputName]: number },
);

/** The one table from role name to NNAPI output position. */
export const LSTM_OUT: { readonly [K in LstmOutputName]: number } = Object.freeze(
  Object.fromEntries(LSTM_OUTPUT_NAMES.map((n, i) => [n, i])) as { [K in LstmOutputName]: number },
);

/** Input counts of the LSTM signatures: 23 (FL1) and 27 (FL3). */
export const LSTM_INPUT_COUNTS = [23, 27] as const;
export const LSTM_OUTPUT_COUNT = 4;
