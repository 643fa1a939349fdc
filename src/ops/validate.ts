/**
 * validateModel for any model the suite covers: dispatches on the single operation's type to the
 * operation's validator (each checks its spec/<OP>.json rules).
 */
import type { Model } from '../model/model.js';
import type { FeatureLevel } from '../model/operand-types.js';
import type { Violation } from '../model/violation.js';
import { checkValueRanges, Collector, validateModel as validateLstm, type LstmVariant } from './lstm/validate.js';
import { validateBidirectional, validateUnidirectional, type BidirectionalVariant, type UnidirectionalVariant } from './sequence/validate.js';
import { validateQlstm, validateQlstm16, type Qlstm16Variant, type QlstmVariant } from './qlstm/validate.js';

/** The variant a valid model is, per operation; narrow on `operation`. */
export type Variant = LstmVariant | UnidirectionalVariant | BidirectionalVariant | QlstmVariant | Qlstm16Variant;

/**
 * The verdict of {@link validateModel}: the variant and the lowest NNAPI feature level that supports it, or
 * every violation found (never empty when `ok` is false).
 */
export type ModelValidation =
  | {
      /** Valid. */
      ok: true;
      /** What the model is: operation, dtype, sizes and features. */
      variant: Variant;
      /** Lowest NNAPI feature level that supports it (1 = Android 8.1 … 4 = Android 11). */
      featureLevel: FeatureLevel;
    }
  | {
      /** Invalid. */
      ok: false;
      /** Every rule broken. */
      violations: Violation[];
    };

export const VALIDATORS: Record<string, (m: Model) => ModelValidation> = {
  LSTM: validateLstm,
  UNIDIRECTIONAL_SEQUENCE_LSTM: validateUnidirectional,
  BIDIRECTIONAL_SEQUENCE_LSTM: validateBidirectional,
  QUANTIZED_LSTM: validateQlstm,
  QUANTIZED_16BIT_LSTM: validateQlstm16,
};

/**
 * Validates a model against its operation's spec (`spec/<OP>.json`), as NNAPI's build-time and prepare-time
 * checks do. The model must hold exactly one operation of the LSTM family. Never throws for a bad model: the
 * problems come back as {@link Violation}s with rule ids.
 *
 * @example
 * ```ts
 * import { parseModel, validateModel, formatViolation } from 'nnlstm';
 * const v = validateModel(parseModel(json));
 * if (v.ok) console.log(v.variant.operation, 'needs feature level', v.featureLevel);
 * else for (const x of v.violations) console.error(formatViolation(x));
 * ```
 */
export function validateModel(model: Model): ModelValidation {
  const types = model.operations.map((o) => o.type);
  const type = types.length === 1 ? types[0]! : undefined;
  const validator = type === undefined ? undefined : VALIDATORS[type];
  if (!validator) {
    return {
      ok: false,
      violations: [
        {
          rule: 'model.structure',
          message:
            types.length === 1
              ? `operation ${type} is not covered (covered: ${Object.keys(VALIDATORS).join(', ')})`
              : `expected exactly 1 operation, found ${types.length}`,
        },
      ],
    };
  }
  const r = validator(model);
  if (!r.ok || type === 'LSTM') return r; // LSTM's validator checks value ranges itself
  const v = new Collector(type);
  checkValueRanges(model, v);
  return v.list.length > 0 ? { ok: false, violations: v.list } : r;
}
