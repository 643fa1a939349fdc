/** The operation specs as the library shows them. */
import type { OperationType } from '../model/model.js';
import { loadSpec, type ResolvedSpec } from './operation-spec.js';

export type { ResolvedSpec, SpecOperand, SpecRule, SpecDeviation } from './operation-spec.js';

/** The five operations nnlstm specifies, in NNAPI's order of introduction. */
export const OPERATIONS: readonly OperationType[] = Object.freeze(['LSTM', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM', 'QUANTIZED_LSTM', 'QUANTIZED_16BIT_LSTM']);

/**
 * The machine-readable spec of an operation (`spec/<OPERATION>.json`, references resolved): operands with
 * shapes, types and feature levels, validation rules with ids and AOSP status, known deviations.
 *
 * @example
 * ```ts
 * import { getSpec } from 'nnlstm';
 * const lstm = getSpec('LSTM');
 * console.log(lstm.inputs.length, lstm.rules.map((r) => r.id));
 * ```
 */
export function getSpec(operation: OperationType): ResolvedSpec {
  return loadSpec(operation);
}
