/**
 * The reference driver's quantized operations: QUANTIZED_LSTM (ops/qlstm) and QUANTIZED_16BIT_LSTM
 * (ops/qlstm16), both bit-exact integer pipelines. Kept apart from reference.ts so that the float
 * path stays untouched; reference.ts dispatches here by operation type.
 */
import type { Model } from '../model/model.js';
import type { IntegerKernel, IntGate } from '../ops/qlstm/cell.js';
import { executeQlstm, qlstmOutputRoles, type QlstmVariant } from '../ops/qlstm/execute.js';
import type { QMultiplier } from '../ops/qlstm/fixed-point.js';
import { executeQlstm16, type Qlstm16Kernel } from '../ops/qlstm16/execute.js';
import type { ExecuteResult, InputValue, OutputValue } from './driver.js';

export const QUANTIZED_OPERATION_TYPES = ['QUANTIZED_LSTM', 'QUANTIZED_16BIT_LSTM'] as const;

export function isQuantizedOperationType(type: string): boolean {
  return (QUANTIZED_OPERATION_TYPES as readonly string[]).includes(type);
}

/** Options a (mutant) driver passes to override one integer decision. */
export interface QuantizedOptions {
  integerKernel?: IntegerKernel;
  qlstmVariant?: QlstmVariant;
  quantizeMultiplier?: (d: number) => QMultiplier;
  intermediateScale?: (gate: IntGate, declared: number) => number;
  qlstm16Kernel?: Qlstm16Kernel;
}

export function executeQuantized(model: Model, inputs: readonly InputValue[], opts: QuantizedOptions = {}): ExecuteResult {
  const op = model.operations[0]!;
  try {
    if (op.type === 'QUANTIZED_16BIT_LSTM') {
      const r = executeQlstm16(model, inputs, opts.qlstm16Kernel);
      const outputs: OutputValue[] = model.outputIndexes.map((index) => {
        const k = op.outputs.indexOf(index);
        return { index, dimensions: [...r.dims], values: k === 0 ? r.cellStateOut : r.output };
      });
      return { ok: true, outputs };
    }
    const qopts: Parameters<typeof executeQlstm>[2] = {};
    if (opts.integerKernel) qopts.kernel = opts.integerKernel;
    if (opts.qlstmVariant) qopts.variant = opts.qlstmVariant;
    if (opts.quantizeMultiplier) qopts.quantizeMultiplier = opts.quantizeMultiplier;
    if (opts.intermediateScale) qopts.intermediateScale = opts.intermediateScale;
    const r = executeQlstm(model, inputs, qopts);
    const roles = qlstmOutputRoles(model);
    const outputs: OutputValue[] = model.outputIndexes.map((index, k) => {
      const role = roles[k]!;
      if (role === 'cell_state_out') return { index, dimensions: [...r.dims.cellState], values: r.cellStateOut };
      return { index, dimensions: [...r.dims.outputState], values: role === 'output' ? r.output : r.outputStateOut };
    });
    return { ok: true, outputs };
  } catch (e) {
    return { ok: false, status: 'OP_FAILED', message: (e as Error).message };
  }
}
