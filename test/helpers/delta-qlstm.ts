/**
 * Test helper: runs a QUANTIZED_LSTM model as a sequence of steps, full and in delta mode, so the
 * delta tests compare the two bit for bit. Each step's output_state_in is the previous step's
 * output_state_out, optionally perturbed (so some columns change, others not).
 */
import type { InputValue, Model } from '../../src/model/model.js';
import { createDeltaState, type RecurrentDeltaState } from '../../src/ops/qlstm/delta.js';
import { executeQlstm, type QlstmOptions } from '../../src/ops/qlstm/execute.js';
import { QLSTM_IN } from '../../src/ops/qlstm/operands.js';

export interface QlstmStepRecord {
  output: number[];
  outputState: number[];
  cell: number[];
}

/** Position in model.inputIndexes of the op's input `role` (−1 when it is not a model input). */
export function inputPosition(model: Model, role: keyof typeof QLSTM_IN): number {
  return model.inputIndexes.indexOf(model.operations[0]!.inputs[QLSTM_IN[role]]!);
}

/**
 * Steps the model `steps` times from its own inputs. `xs[t]` replaces the input at step t (when
 * given); `perturb(t, h)` may change the fed-back output state before step t ≥ 1.
 */
export function runQlstmSequence(
  model: Model,
  inputs: readonly InputValue[],
  steps: number,
  opts: QlstmOptions & { xs?: ArrayLike<number>[]; perturb?: (t: number, h: Int8Array) => void } = {},
  delta?: RecurrentDeltaState,
): QlstmStepRecord[] {
  const xPos = inputPosition(model, 'input');
  const hPos = inputPosition(model, 'output_state_in');
  const cPos = inputPosition(model, 'cell_state_in');
  const cur = [...inputs];
  const out: QlstmStepRecord[] = [];
  const { xs, perturb, ...qopts } = opts;
  for (let t = 0; t < steps; t++) {
    if (xs?.[t] && xPos >= 0) cur[xPos] = xs[t]!;
    const r = executeQlstm(model, cur, delta ? { ...qopts, delta } : qopts);
    out.push({ output: Array.from(r.output), outputState: Array.from(r.outputStateOut), cell: Array.from(r.cellStateOut) });
    const h = Int8Array.from(r.outputStateOut);
    if (perturb) perturb(t + 1, h);
    if (hPos >= 0) cur[hPos] = h;
    if (cPos >= 0) cur[cPos] = r.cellStateOut;
  }
  return out;
}

export { createDeltaState };
