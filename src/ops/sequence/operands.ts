/**
 * Role name → NNAPI operand position for UNIDIRECTIONAL_SEQUENCE_LSTM (92) and
 * BIDIRECTIONAL_SEQUENCE_LSTM (42) (facts memo §A.2, §A.3).
 *
 * The cell operands are derived from the LSTM table (operands.generated.ts), so the three ops
 * cannot drift apart: USLSTM #0–#22 are LSTM #0–#22; BiLSTM #1–#17 / #18–#34 are LSTM #1–#17
 * with a `fw_` / `bw_` prefix. (The lead will later generate this file from spec JSON.)
 */

import { LSTM_IN, LSTM_INPUT_NAMES, type LstmInputName } from '../lstm/operands.generated.js';

// ---------------------------------------------------------------------------------------------
// Shared building blocks

/** The per-direction cell tensors, LSTM #1–#17 (input_to_input_weights … projection_bias). */
export type CellWeightName = Exclude<
  LstmInputName,
  | 'input'
  | 'output_state_in'
  | 'cell_state_in'
  | 'activation'
  | 'cell_clip'
  | 'proj_clip'
  | 'input_layer_norm_weights'
  | 'forget_layer_norm_weights'
  | 'cell_layer_norm_weights'
  | 'output_layer_norm_weights'
>;

/** Layer-norm weight roles, in LSTM #23–#26 order. */
export type LayerNormName = 'input_layer_norm_weights' | 'forget_layer_norm_weights' | 'cell_layer_norm_weights' | 'output_layer_norm_weights';

const FIRST_CELL = LSTM_IN.input_to_input_weights;
const LAST_CELL = LSTM_IN.projection_bias;

/** LSTM #1–#17 in order. */
export const CELL_WEIGHT_NAMES: readonly CellWeightName[] = Object.freeze(
  LSTM_INPUT_NAMES.slice(FIRST_CELL, LAST_CELL + 1) as CellWeightName[],
);

/** LSTM #23–#26 in order. */
export const LAYER_NORM_NAMES: readonly LayerNormName[] = Object.freeze(
  LSTM_INPUT_NAMES.slice(LSTM_IN.input_layer_norm_weights, LSTM_IN.output_layer_norm_weights + 1) as LayerNormName[],
);

/** The four gates' aux weight suffixes, in NNAPI order (input, forget, cell, output). */
export const AUX_WEIGHT_NAMES = Object.freeze([
  'aux_input_to_input_weights',
  'aux_input_to_forget_weights',
  'aux_input_to_cell_weights',
  'aux_input_to_output_weights',
] as const);
export type AuxWeightName = (typeof AUX_WEIGHT_NAMES)[number];

function record<K extends string>(names: readonly K[]): { readonly [P in K]: number } {
  return Object.freeze(Object.fromEntries(names.map((n, i) => [n, i])) as { [P in K]: number });
}

// ---------------------------------------------------------------------------------------------
// UNIDIRECTIONAL_SEQUENCE_LSTM (92): 28 inputs, 1 or 3 outputs.

type UniSharedName = Exclude<LstmInputName, LayerNormName>;
export type UniSequenceLstmInputName = UniSharedName | 'time_major' | LayerNormName;

/** USLSTM input roles in NNAPI order: LSTM #0–#22, time_major, the four layer-norm weights. */
export const UNI_SEQUENCE_LSTM_INPUT_NAMES: readonly UniSequenceLstmInputName[] = Object.freeze([
  ...(LSTM_INPUT_NAMES.slice(0, LSTM_IN.proj_clip + 1) as UniSharedName[]),
  'time_major' as const,
  ...LAYER_NORM_NAMES,
]);

/** USLSTM output roles in NNAPI order (the state outputs exist only in the 3-output form, FL4). */
export const UNI_SEQUENCE_LSTM_OUTPUT_NAMES = Object.freeze(['output', 'output_state_out', 'cell_state_out'] as const);
export type UniSequenceLstmOutputName = (typeof UNI_SEQUENCE_LSTM_OUTPUT_NAMES)[number];

export const UNI_SEQUENCE_LSTM_IN = record(UNI_SEQUENCE_LSTM_INPUT_NAMES);
export const UNI_SEQUENCE_LSTM_OUT = record(UNI_SEQUENCE_LSTM_OUTPUT_NAMES);
export const UNI_SEQUENCE_LSTM_INPUT_COUNT = 28;
export const UNI_SEQUENCE_LSTM_OUTPUT_COUNTS = Object.freeze([1, 3] as const);

// ---------------------------------------------------------------------------------------------
// BIDIRECTIONAL_SEQUENCE_LSTM (42): 61 inputs, 1, 2, 5 or 6 outputs.

export type Direction = 'fw' | 'bw';
export type BiCellName = `${Direction}_${CellWeightName}`;
export type BiStateInName = `${Direction}_output_state_in` | `${Direction}_cell_state_in`;
export type BiAuxWeightName = `${Direction}_${AuxWeightName}`;
export type BiLayerNormName = `${Direction}_${LayerNormName}`;
export type BiSequenceLstmInputName =
  | 'input'
  | BiCellName
  | BiStateInName
  | 'aux_input'
  | BiAuxWeightName
  | 'activation'
  | 'cell_clip'
  | 'proj_clip'
  | 'merge_outputs'
  | 'time_major'
  | BiLayerNormName;

const prefixed = <N extends string>(dir: Direction, names: readonly N[]): `${Direction}_${N}`[] =>
  names.map((n) => `${dir}_${n}` as const);

/**
 * BiLSTM input roles in NNAPI order: input; fw cell 1–17; bw cell 18–34; states 35–38
 * (fw h, fw C, bw h, bw C); aux_input 39; fw aux weights 40–43; bw aux 44–47; activation 48;
 * cell_clip 49; proj_clip 50; merge_outputs 51; time_major 52; fw LN 53–56; bw LN 57–60.
 */
export const BI_SEQUENCE_LSTM_INPUT_NAMES: readonly BiSequenceLstmInputName[] = Object.freeze([
  'input' as const,
  ...prefixed('fw', CELL_WEIGHT_NAMES),
  ...prefixed('bw', CELL_WEIGHT_NAMES),
  'fw_output_state_in' as const,
  'fw_cell_state_in' as const,
  'bw_output_state_in' as const,
  'bw_cell_state_in' as const,
  'aux_input' as const,
  ...prefixed('fw', AUX_WEIGHT_NAMES),
  ...prefixed('bw', AUX_WEIGHT_NAMES),
  'activation' as const,
  'cell_clip' as const,
  'proj_clip' as const,
  'merge_outputs' as const,
  'time_major' as const,
  ...prefixed('fw', LAYER_NORM_NAMES),
  ...prefixed('bw', LAYER_NORM_NAMES),
]);

/**
 * BiLSTM output roles in the unmerged NNAPI order. With merge_outputs the bw_output slot does not
 * exist: the merged [fw | bw] output is `fw_output` and the state outputs move down by one
 * (see biSequenceLstmOutputNames).
 */
export const BI_SEQUENCE_LSTM_OUTPUT_NAMES = Object.freeze([
  'fw_output',
  'bw_output',
  'fw_output_state_out',
  'fw_cell_state_out',
  'bw_output_state_out',
  'bw_cell_state_out',
] as const);
export type BiSequenceLstmOutputName = (typeof BI_SEQUENCE_LSTM_OUTPUT_NAMES)[number];

export const BI_SEQUENCE_LSTM_IN = record(BI_SEQUENCE_LSTM_INPUT_NAMES);
/** Positions in the unmerged layout. */
export const BI_SEQUENCE_LSTM_OUT = record(BI_SEQUENCE_LSTM_OUTPUT_NAMES);
export const BI_SEQUENCE_LSTM_INPUT_COUNT = 61;
export const BI_SEQUENCE_LSTM_OUTPUT_COUNTS = Object.freeze([1, 2, 5, 6] as const);

const BI_MERGED_OUTPUT_NAMES: readonly BiSequenceLstmOutputName[] = Object.freeze(
  BI_SEQUENCE_LSTM_OUTPUT_NAMES.filter((n) => n !== 'bw_output'),
);

/**
 * The output roles of a BiLSTM operation with `outputCount` outputs, in NNAPI order; throws when
 * the count does not fit merge_outputs (AOSP leaves merge = true with 2 outputs and merge = false
 * with 1 or 5 outputs undefined, facts §B.3).
 */
export function biSequenceLstmOutputNames(outputCount: number, mergeOutputs: boolean): readonly BiSequenceLstmOutputName[] {
  const names = mergeOutputs ? BI_MERGED_OUTPUT_NAMES : BI_SEQUENCE_LSTM_OUTPUT_NAMES;
  const allowed = mergeOutputs ? [1, 5] : [2, 6];
  if (!allowed.includes(outputCount)) {
    throw new Error(
      `BIDIRECTIONAL_SEQUENCE_LSTM: ${outputCount} outputs do not fit merge_outputs = ${mergeOutputs} (expected ${allowed.join(' or ')})`,
    );
  }
  return outputCount === names.length ? names : names.slice(0, mergeOutputs ? 1 : 2);
}

/** The role of direction `dir` for an LSTM-cell role (e.g. ('bw', 'cell_gate_bias') → 'bw_cell_gate_bias'). */
export function directionRole<N extends CellWeightName | LayerNormName | AuxWeightName | 'output_state_in' | 'cell_state_in'>(
  dir: Direction,
  name: N,
): `${Direction}_${N}` {
  return `${dir}_${name}`;
}
