/**
 * A broken rule, as a value. Rendered once, at the edge (CLI or report).
 * `rule` is a stable id from spec/*.json (e.g. "LSTM.cifg.all_or_none").
 */
export interface Violation {
  rule: string;
  /** Model operand index, when the rule is about one operand. */
  operandIndex?: number;
  /** Operand role name in the operation (e.g. "input_to_forget_weights"). */
  operandName?: string;
  expected?: string;
  actual?: string;
  message: string;
}

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
