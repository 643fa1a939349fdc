/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM and BIDIRECTIONAL_SEQUENCE_LSTM on the fast path (plan.ts): the same
 * shapes, tensors, outputs and layouts as src/ops/sequence/{unidirectional,bidirectional}.ts, whose
 * plain step-by-step code remains the readable reference. The input projection of all T steps is one
 * matrix product; each step is one WebAssembly call.
 *
 * `FastUniSequenceLstm` / `FastBiSequenceLstm` pack the weights once (constructor, setWeights) and
 * then run any number of sequences without allocating. The `fast…SequenceLstm` functions are the
 * one-shot convenience form.
 */
import { checkBiSequenceShape, createBiSequenceLstmOutputs, directionCursors, type BiSequenceLstmOutputs, type BiSequenceLstmShape, type BiSequenceLstmTensors } from '../sequence/bidirectional.js';
import { SequenceCursor } from '../sequence/cursor.js';
import {
  createUniSequenceLstmOutputs,
  type CellTensors,
  type UniSequenceLstmOutputs,
  type UniSequenceLstmShape,
  type UniSequenceLstmTensors,
} from '../sequence/unidirectional.js';
import { DirectionPlan, SinglePlanOp, type FastOptions } from './plan.js';

export type { FastOptions } from './plan.js';

export class FastUniSequenceLstm extends SinglePlanOp {
  readonly shape: UniSequenceLstmShape;
  private readonly cursor: SequenceCursor;

  constructor(shape: UniSequenceLstmShape, cell: CellTensors, opts: FastOptions = {}) {
    super(shape, shape.maxTime, cell, opts);
    this.shape = { ...shape };
    this.cursor = new SequenceCursor({
      maxTime: shape.maxTime,
      batchSize: shape.batchSize,
      timeMajor: shape.timeMajor,
      inputSize: shape.inputSize,
      outputRowSize: shape.outputSize,
    });
  }

  /**
   * One sequence: `input` [T, B, I] or [B, T, I]; the initial states; results into `out`. The state
   * inputs may alias out's state outputs. Allocates nothing.
   */
  run(input: Float32Array, outputStateIn: Float32Array, cellStateIn: Float32Array, out: UniSequenceLstmOutputs): UniSequenceLstmOutputs {
    this.plan.run(this.cursor, input, null, out.output, outputStateIn, cellStateIn, out.outputStateOut, out.cellStateOut);
    return out;
  }
}

/** One-shot: pack, run once into fresh outputs. */
export function fastUnidirectionalSequenceLstm(shape: UniSequenceLstmShape, tensors: UniSequenceLstmTensors, opts: FastOptions = {}): UniSequenceLstmOutputs {
  const op = new FastUniSequenceLstm(shape, tensors, opts);
  return op.run(tensors.input, tensors.output_state_in, tensors.cell_state_in, createUniSequenceLstmOutputs(shape));
}

export class FastBiSequenceLstm {
  readonly shape: BiSequenceLstmShape;
  private readonly fw: DirectionPlan;
  private readonly bw: DirectionPlan;
  private readonly fwCursor: SequenceCursor;
  private readonly bwCursor: SequenceCursor;

  constructor(shape: BiSequenceLstmShape, tensors: Omit<BiSequenceLstmTensors, 'input' | 'aux_input'>, opts: FastOptions = {}) {
    checkBiSequenceShape(shape);
    this.shape = { ...shape, fw: { ...shape.fw }, bw: { ...shape.bw } };
    const crossSize = shape.linking === 'cross' ? shape.auxInputSize : 0;
    ({ fwCursor: this.fwCursor, bwCursor: this.bwCursor } = directionCursors(shape));
    this.fw = new DirectionPlan(shape.fw, shape.maxTime, crossSize, opts);
    // Each plan may have started workers: stop them if what follows throws.
    let bw: DirectionPlan | undefined;
    try {
      bw = new DirectionPlan(shape.bw, shape.maxTime, crossSize, opts);
      this.bw = bw;
      this.setWeights(tensors);
    } catch (e) {
      this.fw.close();
      bw?.close();
      throw e;
    }
  }

  setWeights(tensors: Omit<BiSequenceLstmTensors, 'input' | 'aux_input'>): void {
    const cross = this.shape.linking === 'cross';
    if (cross && (tensors.fw_aux === null || tensors.bw_aux === null)) {
      throw new Error('BIDIRECTIONAL_SEQUENCE_LSTM: cross linking but the aux weights are omitted');
    }
    this.fw.setWeights(tensors.fw, cross ? tensors.fw_aux : null);
    this.bw.setWeights(tensors.bw, cross ? tensors.bw_aux : null);
  }

  get memoryBytes(): number {
    return this.fw.memoryBytes + this.bw.memoryBytes;
  }

  /** Worker threads started by both directions' plans. */
  get workers(): number {
    return this.fw.threadCount - 1 + this.bw.threadCount - 1;
  }

  /** Chunks of matrix-product panels computed by the worker threads so far (both directions). */
  get workerChunks(): number {
    return this.fw.workerChunks + this.bw.workerChunks;
  }

  /** Stops both directions' worker threads (idempotent; nothing to do without the threads option). */
  close(): void {
    this.fw.close();
    this.bw.close();
  }

  /** Both directions (state inputs from `states`), results into `out`. Allocates nothing. */
  run(
    input: Float32Array,
    auxInput: Float32Array | null,
    states: { fw: Pick<CellTensors, 'output_state_in' | 'cell_state_in'>; bw: Pick<CellTensors, 'output_state_in' | 'cell_state_in'> },
    out: BiSequenceLstmOutputs,
  ): BiSequenceLstmOutputs {
    const { linking, mergeOutputs } = this.shape;
    if (linking !== 'none' && auxInput === null) throw new Error(`BIDIRECTIONAL_SEQUENCE_LSTM: ${linking} linking but aux_input is omitted`);
    if (mergeOutputs !== (out.bwOutput === null)) {
      throw new Error(`BIDIRECTIONAL_SEQUENCE_LSTM: bwOutput must be ${mergeOutputs ? 'null when outputs are merged' : 'present when outputs are not merged'}`);
    }
    const cross = linking === 'cross' ? auxInput : null;
    // Parallel linking: aux_input replaces the backward input.
    const bwInput = linking === 'parallel' ? auxInput! : input;
    this.fw.run(this.fwCursor, input, cross, out.fwOutput, states.fw.output_state_in, states.fw.cell_state_in, out.fwOutputStateOut, out.fwCellStateOut);
    const bwOut = mergeOutputs ? out.fwOutput : out.bwOutput!;
    this.bw.run(this.bwCursor, bwInput, cross, bwOut, states.bw.output_state_in, states.bw.cell_state_in, out.bwOutputStateOut, out.bwCellStateOut);
    return out;
  }
}

/** One-shot: pack, run once into fresh outputs. */
export function fastBidirectionalSequenceLstm(shape: BiSequenceLstmShape, tensors: BiSequenceLstmTensors, opts: FastOptions = {}): BiSequenceLstmOutputs {
  const op = new FastBiSequenceLstm(shape, tensors, opts);
  return op.run(tensors.input, tensors.aux_input, tensors, createBiSequenceLstmOutputs(shape));
}
