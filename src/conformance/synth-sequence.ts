/**
 * Builds UNIDIRECTIONAL_SEQUENCE_LSTM / BIDIRECTIONAL_SEQUENCE_LSTM models from a feature
 * configuration and a seed (modelled on synth.ts): weights as constants, the sequence input(s)
 * and state inputs as model inputs, omitted optional operands as NO_VALUE. Output values are
 * zero placeholders of the right size until someone derives the expected values.
 */
import type { Model, Operand } from '../model/model.js';
import type { OperandTypeName } from '../model/operand-types.js';
import { roundToFloat16 } from '../util/float16.js';
import {
  BI_SEQUENCE_LSTM_INPUT_NAMES,
  biSequenceLstmOutputNames,
  UNI_SEQUENCE_LSTM_INPUT_NAMES,
  UNI_SEQUENCE_LSTM_OUTPUT_NAMES,
  type CellWeightName,
  type LayerNormName,
} from '../ops/sequence/operands.js';
import { rng, uniform } from './synth.js';

/** The per-direction cell features. */
export interface SequenceCellConfig {
  numUnits: number;
  /** Ignored without projection (then output size = numUnits). */
  outputSize: number;
  cifg: boolean;
  peephole: boolean;
  projection: boolean;
  projectionBias: boolean;
  layerNorm: boolean;
}

export type SequenceOperationName = 'UNIDIRECTIONAL_SEQUENCE_LSTM' | 'BIDIRECTIONAL_SEQUENCE_LSTM';

export interface SequenceConfig {
  operation: SequenceOperationName;
  maxTime: number;
  batchSize: number;
  inputSize: number;
  timeMajor: boolean;
  dtype: 'float32' | 'float16';
  activation: number;
  cellClip: number;
  projClip: number;
  /** The unidirectional cell, or the forward cell. */
  fw: SequenceCellConfig;
  /** The backward cell (bidirectional only); default: fw's features. */
  bw?: SequenceCellConfig;
  /** USLSTM: 3 outputs instead of 1; BiLSTM: the four state outputs (5 or 6 outputs). Default false. */
  stateOutputs?: boolean;
  /** BiLSTM merge_outputs. Default false. */
  mergeOutputs?: boolean;
  /** BiLSTM aux input use. Default 'none'. */
  linking?: 'none' | 'parallel' | 'cross';
  /** BiLSTM aux_input last dimension. Default inputSize. */
  auxInputSize?: number;
  /** Magnitude of random weights (uniform in ±weightScale). Default 0.5. */
  weightScale?: number;
  /** Magnitude of the random inputs. Default 1. */
  inputScale?: number;
  /** Non-zero random initial states (else zeros). */
  nonZeroState?: boolean;
  stateScale?: number;
}

export function cellOutputSize(c: SequenceCellConfig): number {
  return c.projection ? c.outputSize : c.numUnits;
}

type CellRole = CellWeightName | LayerNormName;

/** Declared dims of a cell role for one direction, or null when the variant omits it. */
function cellDims(role: CellRole, c: SequenceCellConfig, inputSize: number): number[] | null {
  const N = c.numUnits;
  const O = cellOutputSize(c);
  const I = inputSize;
  switch (role) {
    case 'input_to_input_weights':
      return c.cifg ? null : [N, I];
    case 'input_to_forget_weights':
    case 'input_to_cell_weights':
    case 'input_to_output_weights':
      return [N, I];
    case 'recurrent_to_input_weights':
      return c.cifg ? null : [N, O];
    case 'recurrent_to_forget_weights':
    case 'recurrent_to_cell_weights':
    case 'recurrent_to_output_weights':
      return [N, O];
    case 'cell_to_input_weights':
      return c.peephole && !c.cifg ? [N] : null;
    case 'cell_to_forget_weights':
    case 'cell_to_output_weights':
      return c.peephole ? [N] : null;
    case 'input_gate_bias':
      return c.cifg ? null : [N];
    case 'forget_gate_bias':
    case 'cell_gate_bias':
    case 'output_gate_bias':
      return [N];
    case 'projection_weights':
      return c.projection ? [O, N] : null;
    case 'projection_bias':
      return c.projection && c.projectionBias ? [O] : null;
    case 'input_layer_norm_weights':
      return c.layerNorm && !c.cifg ? [N] : null;
    case 'forget_layer_norm_weights':
    case 'cell_layer_norm_weights':
    case 'output_layer_norm_weights':
      return c.layerNorm ? [N] : null;
  }
}

type Spec =
  | { kind: 'omitted' }
  | { kind: 'scalar'; type: OperandTypeName; value: number }
  | { kind: 'tensor'; dims: number[]; modelInput: boolean; fill: 'input' | 'state' | 'layerNorm' | 'weight' };

/** A complete sequence-LSTM model for `c`, its random values drawn from `seed`. */
export function synthSequenceModel(c: SequenceConfig, seed: number): Model {
  const next = rng(seed);
  const { maxTime: T, batchSize: B, inputSize: I, timeMajor } = c;
  const bi = c.operation === 'BIDIRECTIONAL_SEQUENCE_LSTM';
  const fw = c.fw;
  const bw = c.bw ?? c.fw;
  const linking = bi ? (c.linking ?? 'none') : 'none';
  const A = c.auxInputSize ?? I;
  const tensorType: OperandTypeName = c.dtype === 'float32' ? 'TENSOR_FLOAT32' : 'TENSOR_FLOAT16';
  const scalarType: OperandTypeName = c.dtype === 'float32' ? 'FLOAT32' : 'FLOAT16';
  const seq = (last: number): number[] => (timeMajor ? [T, B, last] : [B, T, last]);
  const clip = (v: number): number => (c.dtype === 'float16' ? roundToFloat16(v) : v);

  const common = (role: string): Spec | undefined => {
    switch (role) {
      case 'input':
        return { kind: 'tensor', dims: seq(I), modelInput: true, fill: 'input' };
      case 'activation':
        return { kind: 'scalar', type: 'INT32', value: c.activation };
      case 'cell_clip':
        return { kind: 'scalar', type: scalarType, value: clip(c.cellClip) };
      case 'proj_clip':
        return { kind: 'scalar', type: scalarType, value: clip(c.projClip) };
      case 'time_major':
        return { kind: 'scalar', type: 'BOOL', value: timeMajor ? 1 : 0 };
      case 'merge_outputs':
        return { kind: 'scalar', type: 'BOOL', value: c.mergeOutputs ? 1 : 0 };
      default:
        return undefined;
    }
  };
  const direction = (cell: SequenceCellConfig, inputSize: number, role: string): Spec => {
    if (role === 'output_state_in') return { kind: 'tensor', dims: [B, cellOutputSize(cell)], modelInput: true, fill: 'state' };
    if (role === 'cell_state_in') return { kind: 'tensor', dims: [B, cell.numUnits], modelInput: true, fill: 'state' };
    if (role.startsWith('aux_input_to_')) {
      if (linking !== 'cross') return { kind: 'omitted' };
      if (role === 'aux_input_to_input_weights' && cell.cifg) return { kind: 'omitted' };
      return { kind: 'tensor', dims: [cell.numUnits, A], modelInput: false, fill: 'weight' };
    }
    const dims = cellDims(role as CellRole, cell, inputSize);
    if (dims === null) return { kind: 'omitted' };
    return { kind: 'tensor', dims, modelInput: false, fill: role.endsWith('layer_norm_weights') ? 'layerNorm' : 'weight' };
  };
  const specOf = (role: string): Spec => {
    const s = common(role);
    if (s) return s;
    if (!bi) return direction(fw, I, role);
    if (role === 'aux_input') return linking === 'none' ? { kind: 'omitted' } : { kind: 'tensor', dims: seq(A), modelInput: true, fill: 'input' };
    if (role.startsWith('fw_')) return direction(fw, I, role.slice(3));
    if (role.startsWith('bw_')) return direction(bw, linking === 'parallel' ? A : I, role.slice(3));
    throw new Error(`synthSequenceModel: no rule for operand ${role}`);
  };

  const operands: Operand[] = [];
  const names: readonly string[] = bi ? BI_SEQUENCE_LSTM_INPUT_NAMES : UNI_SEQUENCE_LSTM_INPUT_NAMES;
  for (const role of names) {
    const index = operands.length;
    const base = { index, name: role, role, scale: 0, zeroPoint: 0, isIgnored: false };
    const s = specOf(role);
    if (s.kind === 'omitted') {
      operands.push({ ...base, type: tensorType, dimensions: [], lifetime: 'NO_VALUE', values: [], omitted: true });
      continue;
    }
    if (s.kind === 'scalar') {
      operands.push({ ...base, type: s.type, dimensions: [], lifetime: 'CONSTANT_COPY', values: [s.value] });
      continue;
    }
    const n = s.dims.reduce((a, b) => a * b, 1);
    let values: number[];
    if (s.fill === 'input') values = uniform(next, n, c.inputScale ?? 1);
    else if (s.fill === 'state') values = c.nonZeroState ? uniform(next, n, c.stateScale ?? 1) : new Array<number>(n).fill(0);
    else if (s.fill === 'layerNorm') values = uniform(next, n, 0.5).map((v) => Math.fround(1 + v));
    else values = uniform(next, n, c.weightScale ?? 0.5);
    // Float16 models hold binary16 values exactly, so every implementation reads the same numbers.
    if (c.dtype === 'float16') values = values.map(roundToFloat16);
    operands.push({ ...base, type: tensorType, dimensions: s.dims, lifetime: s.modelInput ? 'SUBGRAPH_INPUT' : 'CONSTANT_COPY', values });
  }
  const inputs = operands.map((o) => o.index);

  // Outputs.
  const fwO = cellOutputSize(fw);
  const bwO = cellOutputSize(bw);
  const outputDims: { role: string; dims: number[] }[] = [];
  if (!bi) {
    const dimsOf: Record<string, number[]> = { output: seq(fwO), output_state_out: [B, fwO], cell_state_out: [B, fw.numUnits] };
    for (const role of UNI_SEQUENCE_LSTM_OUTPUT_NAMES.slice(0, c.stateOutputs ? 3 : 1)) outputDims.push({ role, dims: dimsOf[role]! });
  } else {
    const merged = c.mergeOutputs === true;
    const dimsOf: Record<string, number[]> = {
      fw_output: seq(merged ? fwO + bwO : fwO),
      bw_output: seq(bwO),
      fw_output_state_out: [B, fwO],
      fw_cell_state_out: [B, fw.numUnits],
      bw_output_state_out: [B, bwO],
      bw_cell_state_out: [B, bw.numUnits],
    };
    const count = (merged ? 1 : 2) + (c.stateOutputs ? 4 : 0);
    for (const role of biSequenceLstmOutputNames(count, merged)) outputDims.push({ role, dims: dimsOf[role]! });
  }
  const outputs: number[] = [];
  for (const { role, dims } of outputDims) {
    outputs.push(operands.length);
    operands.push({
      index: operands.length, name: role, role, type: tensorType, dimensions: dims, scale: 0, zeroPoint: 0,
      lifetime: 'SUBGRAPH_OUTPUT', isIgnored: false, values: new Array<number>(dims.reduce((a, b) => a * b, 1)).fill(0),
    });
  }
  return {
    operands,
    operations: [{ type: c.operation, inputs, outputs }],
    inputIndexes: operands.filter((o) => o.lifetime === 'SUBGRAPH_INPUT').map((o) => o.index),
    outputIndexes: outputs,
  };
}
