/**
 * ANEURALNETWORKS_LSTM (one step) on the fast path: the one-step case of plan.ts, with the same
 * shapes, tensors and outputs (scratch buffer included) as src/ops/lstm/execute.ts, which remains
 * the readable reference.
 */
import { checkLstmArguments, createLstmOutputs, type LstmShape, type LstmStepOutputs, type LstmTensors } from '../lstm/execute.js';
import { SequenceCursor } from '../sequence/cursor.js';
import type { CellTensors } from '../sequence/unidirectional.js';
import { SinglePlanOp, type FastOptions } from './plan.js';

export class FastLstm extends SinglePlanOp {
  readonly shape: LstmShape;
  private readonly cursor: SequenceCursor;

  constructor(shape: LstmShape, weights: CellTensors, opts: FastOptions = {}) {
    super(shape, 1, weights, opts);
    this.shape = { ...shape };
    this.cursor = new SequenceCursor({ maxTime: 1, batchSize: shape.batchSize, timeMajor: true, inputSize: shape.inputSize, outputRowSize: shape.outputSize });
  }

  /**
   * One step: x_t and the state inputs, results into `out` (the state inputs may alias the state
   * outputs). Allocates nothing.
   */
  stepInto(input: Float32Array, outputStateIn: Float32Array, cellStateIn: Float32Array, out: LstmStepOutputs): LstmStepOutputs {
    this.plan.run(this.cursor, input, null, out.output, outputStateIn, cellStateIn, out.outputStateOut, out.cellStateOut);
    this.plan.scratchInto(out.scratchBuffer);
    return out;
  }
}

/** One-shot: pack, one step into fresh outputs. */
export function fastLstmStep(shape: LstmShape, tensors: LstmTensors, opts: FastOptions = {}): LstmStepOutputs {
  checkLstmArguments(shape, tensors);
  const op = new FastLstm(shape, tensors, opts);
  return op.stepInto(tensors.input, tensors.output_state_in, tensors.cell_state_in, createLstmOutputs(shape));
}
