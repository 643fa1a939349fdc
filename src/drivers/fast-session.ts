/**
 * One prepared model's fast op when the fast path runs with threads: the plan (packed weights, its
 * shared memory) and its workers are made at the first execution and kept across executions, since
 * starting workers and packing the weights cost more than a run at the sizes where threads help.
 * The weights are packed once when every weight operand is a model constant (the NNAPI contract:
 * prepare compiles the constants), else again at every execution; a change of shape (never, for a
 * validated model: the dimensions are the model's) makes a new plan. close() stops every worker.
 */
import type { Model, Operation } from '../model/model.js';
import { FastLstm } from '../ops/fast/lstm-fast.js';
import type { FastOptions } from '../ops/fast/plan.js';
import { FastBiSequenceLstm, FastUniSequenceLstm } from '../ops/fast/sequence-fast.js';
import { checkLstmArguments, createLstmOutputs, type LstmShape, type LstmStepOutputs, type LstmTensors } from '../ops/lstm/execute.js';
import { LSTM_IN } from '../ops/lstm/operands.generated.js';
import { createBiSequenceLstmOutputs, type BiSequenceLstmOutputs, type BiSequenceLstmShape, type BiSequenceLstmTensors } from '../ops/sequence/bidirectional.js';
import { BI_SEQUENCE_LSTM_IN, UNI_SEQUENCE_LSTM_IN } from '../ops/sequence/operands.js';
import { createUniSequenceLstmOutputs, type UniSequenceLstmOutputs, type UniSequenceLstmShape, type UniSequenceLstmTensors } from '../ops/sequence/unidirectional.js';

/** The operands that change from run to run by nature; every other one is a weight (or a scalar the plan packs). */
const RUN_ROLES = new Set(['input', 'aux_input', 'output_state_in', 'cell_state_in', 'fw_output_state_in', 'fw_cell_state_in', 'bw_output_state_in', 'bw_cell_state_in']);

/** Whether every weight operand of `operation` is fixed by the model (none is a model input). */
function weightsAreConstants(model: Model, operation: Operation): boolean {
  const table: Readonly<Record<string, number>> =
    operation.type === 'LSTM' ? LSTM_IN : operation.type === 'UNIDIRECTIONAL_SEQUENCE_LSTM' ? UNI_SEQUENCE_LSTM_IN : BI_SEQUENCE_LSTM_IN;
  const inputs = new Set(model.inputIndexes);
  for (const [role, position] of Object.entries(table)) {
    const idx = operation.inputs[position];
    if (!RUN_ROLES.has(role) && idx !== undefined && inputs.has(idx)) return false;
  }
  return true;
}

type Op =
  | { kind: 'LSTM'; key: string; op: FastLstm }
  | { kind: 'UNIDIRECTIONAL_SEQUENCE_LSTM'; key: string; op: FastUniSequenceLstm }
  | { kind: 'BIDIRECTIONAL_SEQUENCE_LSTM'; key: string; op: FastBiSequenceLstm };
// Every fast op owns its plans' workers (workers, workerChunks, close()).

/** A prepared model's fast op with threads, reused across executions; see the module comment. */
export class FastSession {
  private readonly constantWeights: boolean;
  private current: Op | null = null;
  private closed = false;

  constructor(
    model: Model,
    operation: Operation,
    /** FastOptions with `threads` set. */
    private readonly options: FastOptions & { threads: NonNullable<FastOptions['threads']> },
  ) {
    this.constantWeights = weightsAreConstants(model, operation);
  }

  /**
   * The op for this kind and shape: the kept one (its weights packed again unless they are
   * constants), or a new one made by `make` in place of whatever was kept.
   */
  private obtain<T extends Op['op']>(kind: Op['kind'], shape: object, tensors: object, make: (opts: FastOptions) => T): T {
    if (this.closed) throw new Error('fast LSTM: the prepared model was closed (its worker threads are stopped)');
    const key = JSON.stringify(shape);
    const c = this.current;
    if (c && c.kind === kind && c.key === key) {
      if (!this.constantWeights) (c.op as { setWeights(t: object): void }).setWeights(tensors);
      return c.op as T;
    }
    this.drop();
    const op = make(this.options);
    this.current = { kind, key, op } as Op;
    return op;
  }

  /** One LSTM step into fresh outputs. */
  lstm(shape: LstmShape, tensors: LstmTensors): LstmStepOutputs {
    checkLstmArguments(shape, tensors);
    const op = this.obtain('LSTM', shape, tensors, (opts) => new FastLstm(shape, tensors, opts));
    return op.stepInto(tensors.input, tensors.output_state_in, tensors.cell_state_in, createLstmOutputs(shape));
  }

  /** One UNIDIRECTIONAL_SEQUENCE_LSTM sequence into fresh outputs. */
  uni(shape: UniSequenceLstmShape, tensors: UniSequenceLstmTensors): UniSequenceLstmOutputs {
    const op = this.obtain('UNIDIRECTIONAL_SEQUENCE_LSTM', shape, tensors, (opts) => new FastUniSequenceLstm(shape, tensors, opts));
    return op.run(tensors.input, tensors.output_state_in, tensors.cell_state_in, createUniSequenceLstmOutputs(shape));
  }

  /** One BIDIRECTIONAL_SEQUENCE_LSTM sequence (both directions) into fresh outputs. */
  bi(shape: BiSequenceLstmShape, tensors: BiSequenceLstmTensors): BiSequenceLstmOutputs {
    const op = this.obtain('BIDIRECTIONAL_SEQUENCE_LSTM', shape, tensors, (opts) => new FastBiSequenceLstm(shape, tensors, opts));
    return op.run(tensors.input, tensors.aux_input, tensors, createBiSequenceLstmOutputs(shape));
  }

  /** Worker threads running now (0 before the first execution, below minWork and after close). */
  get workers(): number {
    return this.current?.op.workers ?? 0;
  }

  /** Chunks of matrix-product panels the workers of the kept plan have computed. */
  get workerChunks(): number {
    return this.current?.op.workerChunks ?? 0;
  }

  private drop(): void {
    this.current?.op.close();
    this.current = null;
  }

  /** Stops the workers (idempotent); an execution afterwards throws. */
  close(): void {
    this.closed = true;
    this.drop();
  }
}
