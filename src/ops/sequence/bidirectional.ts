/**
 * BIDIRECTIONAL_SEQUENCE_LSTM (42), float (facts memo §A.3, §C.3).
 *
 * Forward direction: t = 0…T−1 on `input`. Backward direction: t = T−1…0 on `input` (no linking,
 * cross linking) or on `aux_input` (parallel linking); its step-t output is stored at position t
 * and its final state is the state after t = 0. Cross linking adds aux_input[t]·W_aux of that
 * direction to each of its gates (both directions read aux_input at the t they process).
 * merge_outputs writes [fw h | bw h] into one output row (last dim fwO + bwO).
 *
 * Each direction is computed with ITS OWN operands and feature flags (CIFG, peephole, layer norm,
 * projection, projection bias), as the documentation describes. AOSP's CPU reference computes the
 * forward direction with the backward direction's flags (facts §C.3, §G.8); this reference does
 * not reproduce that quirk (a spec departure when fw and bw are configured differently).
 */

import type { LstmShape, LstmStepOptions } from '../lstm/execute.js';
import { SequenceCursor } from './cursor.js';
import { createDirectionWorkspace, runDirectionInto, type AuxWeights, type CellTensors, type DirectionAux, type DirectionWorkspace } from './unidirectional.js';

/** How aux_input is used (facts §B.3): none; parallel = it is the backward input; cross = extra gate term. */
export type AuxLinking = 'none' | 'parallel' | 'cross';

export interface BiSequenceLstmShape {
  /** T */
  maxTime: number;
  /** B */
  batchSize: number;
  /** true: [T, B, ·]; false: [B, T, ·]. Applies to input, aux_input and every sequence output. */
  timeMajor: boolean;
  /** I, the main input's last dimension. */
  inputSize: number;
  /** A, aux_input's last dimension (0 when aux_input is omitted). */
  auxInputSize: number;
  linking: AuxLinking;
  mergeOutputs: boolean;
  /** Forward cell; fw.inputSize = I. */
  fw: LstmShape;
  /** Backward cell; bw.inputSize = I, or A under parallel linking. */
  bw: LstmShape;
}

export interface BiSequenceLstmTensors {
  /** [T, B, I] or [B, T, I]. */
  readonly input: Float32Array;
  /** [T, B, A] or [B, T, A]; null when omitted. Read only with parallel or cross linking. */
  readonly aux_input: Float32Array | null;
  readonly fw: CellTensors;
  readonly bw: CellTensors;
  /** Cross-linking weights, [fwN, A] each; read only with cross linking. */
  readonly fw_aux: AuxWeights | null;
  /** Cross-linking weights, [bwN, A] each; read only with cross linking. */
  readonly bw_aux: AuxWeights | null;
}

export interface BiSequenceLstmOutputs {
  /** [T, B, fwO] (or [T, B, fwO + bwO] when merged), batch-major if the input is. */
  fwOutput: Float32Array;
  /** [T, B, bwO]; null when merged. */
  bwOutput: Float32Array | null;
  /** Forward state after t = T−1: [B, fwO], [B, fwN]. */
  fwOutputStateOut: Float32Array;
  fwCellStateOut: Float32Array;
  /** Backward state after t = 0: [B, bwO], [B, bwN]. */
  bwOutputStateOut: Float32Array;
  bwCellStateOut: Float32Array;
}

export interface BiSequenceLstmWorkspace {
  readonly shape: BiSequenceLstmShape;
  readonly fwCursor: SequenceCursor;
  readonly bwCursor: SequenceCursor;
  readonly fw: DirectionWorkspace;
  readonly bw: DirectionWorkspace;
  /** Cross-linking records, re-pointed at each call. */
  readonly fwAux: { sequence: Float32Array; weights: AuxWeights };
  readonly bwAux: { sequence: Float32Array; weights: AuxWeights };
}

const NO_AUX_WEIGHTS: AuxWeights = Object.freeze({
  input_to_input_weights: null,
  input_to_forget_weights: new Float32Array(0),
  input_to_cell_weights: new Float32Array(0),
  input_to_output_weights: new Float32Array(0),
});

/** Throws unless the shape's parts agree (batch, input sizes per linking mode). */
export function checkBiSequenceShape(shape: BiSequenceLstmShape): void {
  const { batchSize: B, inputSize: I, auxInputSize: A, linking, fw, bw } = shape;
  const fail = (msg: string): never => {
    throw new Error(`BIDIRECTIONAL_SEQUENCE_LSTM: ${msg}`);
  };
  if (fw.batchSize !== B || bw.batchSize !== B) fail(`fw/bw batch sizes (${fw.batchSize}, ${bw.batchSize}) differ from the input's ${B}`);
  if (fw.inputSize !== I) fail(`fw input size ${fw.inputSize} differs from the input's ${I}`);
  const bwIn = linking === 'parallel' ? A : I;
  if (bw.inputSize !== bwIn) fail(`bw input size ${bw.inputSize}, expected ${bwIn} (${linking} linking)`);
  if (linking !== 'none' && !(A > 0)) fail(`${linking} linking needs an aux input (aux size ${A})`);
}

function outputRowSize(shape: BiSequenceLstmShape): { fw: number; bw: number } {
  const merged = shape.fw.outputSize + shape.bw.outputSize;
  return shape.mergeOutputs ? { fw: merged, bw: merged } : { fw: shape.fw.outputSize, bw: shape.bw.outputSize };
}

/**
 * The two directions' cursors: forward, and backward visiting time in reverse; with merged outputs
 * both write rows of fw + bw values, the backward one from column fw.outputSize.
 */
export function directionCursors(shape: BiSequenceLstmShape): { fwCursor: SequenceCursor; bwCursor: SequenceCursor } {
  const rows = outputRowSize(shape);
  const common = { maxTime: shape.maxTime, batchSize: shape.batchSize, timeMajor: shape.timeMajor };
  return {
    fwCursor: new SequenceCursor({ ...common, inputSize: shape.fw.inputSize, outputRowSize: rows.fw, outputSize: shape.fw.outputSize }),
    bwCursor: new SequenceCursor({
      ...common,
      inputSize: shape.bw.inputSize,
      outputRowSize: rows.bw,
      outputSize: shape.bw.outputSize,
      outputColumn: shape.mergeOutputs ? shape.fw.outputSize : 0,
      reverse: true,
    }),
  };
}

export function createBiSequenceLstmWorkspace(shape: BiSequenceLstmShape): BiSequenceLstmWorkspace {
  checkBiSequenceShape(shape);
  const crossSize = shape.linking === 'cross' ? shape.auxInputSize : 0;
  return {
    shape: { ...shape, fw: { ...shape.fw }, bw: { ...shape.bw } },
    ...directionCursors(shape),
    fw: createDirectionWorkspace(shape.fw, crossSize),
    bw: createDirectionWorkspace(shape.bw, crossSize),
    fwAux: { sequence: new Float32Array(0), weights: NO_AUX_WEIGHTS },
    bwAux: { sequence: new Float32Array(0), weights: NO_AUX_WEIGHTS },
  };
}

/**
 * Output dimensions in unmerged NNAPI order: fw_output, bw_output (null when merged),
 * fw_output_state_out, fw_cell_state_out, bw_output_state_out, bw_cell_state_out.
 */
export function biSequenceLstmOutputDimensions(shape: BiSequenceLstmShape): {
  fw_output: number[];
  bw_output: number[] | null;
  fw_output_state_out: number[];
  fw_cell_state_out: number[];
  bw_output_state_out: number[];
  bw_cell_state_out: number[];
} {
  const { maxTime: T, batchSize: B, timeMajor, fw, bw } = shape;
  const seq = (last: number): number[] => (timeMajor ? [T, B, last] : [B, T, last]);
  const rows = outputRowSize(shape);
  return {
    fw_output: seq(rows.fw),
    bw_output: shape.mergeOutputs ? null : seq(rows.bw),
    fw_output_state_out: [B, fw.outputSize],
    fw_cell_state_out: [B, fw.numUnits],
    bw_output_state_out: [B, bw.outputSize],
    bw_cell_state_out: [B, bw.numUnits],
  };
}

export function createBiSequenceLstmOutputs(shape: BiSequenceLstmShape): BiSequenceLstmOutputs {
  const { maxTime: T, batchSize: B, fw, bw } = shape;
  const rows = outputRowSize(shape);
  return {
    fwOutput: new Float32Array(T * B * rows.fw),
    bwOutput: shape.mergeOutputs ? null : new Float32Array(T * B * rows.bw),
    fwOutputStateOut: new Float32Array(B * fw.outputSize),
    fwCellStateOut: new Float32Array(B * fw.numUnits),
    bwOutputStateOut: new Float32Array(B * bw.outputSize),
    bwCellStateOut: new Float32Array(B * bw.numUnits),
  };
}

function sameBiShape(a: BiSequenceLstmShape, b: BiSequenceLstmShape): boolean {
  const cell = (x: LstmShape, y: LstmShape): boolean =>
    x.batchSize === y.batchSize &&
    x.inputSize === y.inputSize &&
    x.numUnits === y.numUnits &&
    x.outputSize === y.outputSize &&
    x.useCifg === y.useCifg &&
    x.usePeephole === y.usePeephole &&
    x.useProjection === y.useProjection &&
    x.useProjectionBias === y.useProjectionBias &&
    x.useLayerNorm === y.useLayerNorm;
  return (
    a.maxTime === b.maxTime &&
    a.batchSize === b.batchSize &&
    a.timeMajor === b.timeMajor &&
    a.inputSize === b.inputSize &&
    a.auxInputSize === b.auxInputSize &&
    a.linking === b.linking &&
    a.mergeOutputs === b.mergeOutputs &&
    cell(a.fw, b.fw) &&
    cell(a.bw, b.bw)
  );
}

const NO_OPTIONS: LstmStepOptions = Object.freeze({});

/** Both directions into preallocated buffers. Throws a descriptive Error on any size mismatch. Allocates nothing. */
export function bidirectionalSequenceLstmInto(
  ws: BiSequenceLstmWorkspace,
  shape: BiSequenceLstmShape,
  tensors: BiSequenceLstmTensors,
  out: BiSequenceLstmOutputs,
  opts: LstmStepOptions = NO_OPTIONS,
): BiSequenceLstmOutputs {
  if (!sameBiShape(ws.shape, shape)) throw new Error('BIDIRECTIONAL_SEQUENCE_LSTM: workspace sized for another shape');
  const { linking, mergeOutputs } = shape;
  const auxSeq = tensors.aux_input;
  if (linking !== 'none' && auxSeq === null) throw new Error(`BIDIRECTIONAL_SEQUENCE_LSTM: ${linking} linking but aux_input is omitted`);
  if (mergeOutputs !== (out.bwOutput === null)) {
    throw new Error(`BIDIRECTIONAL_SEQUENCE_LSTM: bwOutput must be ${mergeOutputs ? 'null when outputs are merged' : 'present when outputs are not merged'}`);
  }
  let fwAux: DirectionAux | null = null;
  let bwAux: DirectionAux | null = null;
  if (linking === 'cross') {
    if (tensors.fw_aux === null || tensors.bw_aux === null) throw new Error('BIDIRECTIONAL_SEQUENCE_LSTM: cross linking but the aux weights are omitted');
    ws.fwAux.sequence = auxSeq!;
    ws.fwAux.weights = tensors.fw_aux;
    ws.bwAux.sequence = auxSeq!;
    ws.bwAux.weights = tensors.bw_aux;
    fwAux = ws.fwAux;
    bwAux = ws.bwAux;
  }
  // Parallel linking: aux_input replaces the backward input, and fw gets no aux term.
  const bwInput = linking === 'parallel' ? auxSeq! : tensors.input;
  runDirectionInto(ws.fw, ws.fwCursor, shape.fw, tensors.fw, tensors.input, out.fwOutput, out.fwOutputStateOut, out.fwCellStateOut, opts, fwAux);
  // Merged: the backward half of each row goes into the same tensor, columns fwO … fwO+bwO−1.
  const bwOut = mergeOutputs ? out.fwOutput : out.bwOutput!;
  runDirectionInto(ws.bw, ws.bwCursor, shape.bw, tensors.bw, bwInput, bwOut, out.bwOutputStateOut, out.bwCellStateOut, opts, bwAux);
  return out;
}

/** Convenience: both directions with freshly allocated workspace and outputs. */
export function bidirectionalSequenceLstm(
  shape: BiSequenceLstmShape,
  tensors: BiSequenceLstmTensors,
  opts: LstmStepOptions = NO_OPTIONS,
): BiSequenceLstmOutputs {
  return bidirectionalSequenceLstmInto(createBiSequenceLstmWorkspace(shape), shape, tensors, createBiSequenceLstmOutputs(shape), opts);
}
