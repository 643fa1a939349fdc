/**
 * A broken rule, as a value. Rendered once, at the edge (CLI or report).
 * `rule` is a stable id from spec/*.json (e.g. "LSTM.cifg.all_or_none").
 */
export interface Violation {
  /** Stable rule id, e.g. `LSTM.cifg.all_or_none`; `model.*` rules are about the model as a whole. */
  rule: string;
  /** Model operand index, when the rule is about one operand. */
  operandIndex?: number;
  /** Operand role name in the operation (e.g. "input_to_forget_weights"). */
  operandName?: string;
  /** What the rule wants, as text (e.g. `[4, 3]`, `present`). */
  expected?: string;
  /** What the model has, as text. */
  actual?: string;
  /** One-line explanation for a person. */
  message: string;
}

/**
 * One line for a violation: `rule: operand index (name) message [expected …, actual …]`.
 *
 * @example
 * ```ts
 * import { formatViolation } from 'nnlstm';
 * formatViolation({ rule: 'LSTM.bias.shape', operandIndex: 13, operandName: 'forget_gate_bias', expected: '[4]', actual: '[3]', message: 'forget_gate_bias must be [num_units]' });
 * // 'LSTM.bias.shape: operand 13 (forget_gate_bias) forget_gate_bias must be [num_units] [expected [4], actual [3]]'
 * ```
 */
export function formatViolation(v: Violation): string {
  const where =
    v.operandIndex !== undefined || v.operandName !== undefined
      ? ` operand ${v.operandIndex ?? '?'} (${v.operandName ?? '?'})`
      : '';
  const ea =
    v.expected !== undefined || v.actual !== undefined
      ? ` [expected ${v.expected ?? '-'}, actual ${v.actual ?? '-'}]`
      : '';
  return `${v.rule}:${where} ${v.message}${ea}`;
}
