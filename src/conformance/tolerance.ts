/**
 * The NNAPI test-harness comparison criteria, exactly
 * (AOSP tools/test_generator/test_harness/TestHarness.cpp; facts memo §D).
 *
 * Per element: |actual − expected| ≤ atol + rtol·|expected|, computed in double.
 * An expected NaN is itself a failure; an actual NaN fails too (gtest EXPECT_NEAR).
 * The harness stores atol/rtol in C `float` fields, so the float32 atol is float32(1e-5),
 * not the double 1e-5 (they differ by 2.5e-13); all other constants are exact in float32.
 */
import type { Model, Operand } from '../model/model.js';
import type { OperandTypeName } from '../model/operand-types.js';

export type CriterionName = 'float32' | 'float16' | 'integer' | 'integer-exact';

/** A comparison criterion of the NNAPI test harness: an element passes when |actual − expected| ≤ atol + rtol·|expected|. */
export interface Criterion {
  /** `float32`, `float16`, `integer` or `integer-exact`. */
  readonly name: CriterionName;
  /** Absolute tolerance. */
  readonly atol: number;
  /** Relative tolerance (times |expected|). */
  readonly rtol: number;
}

/** TENSOR_FLOAT32: atol float32(1e-5), rtol 5·2^-23. */
export const FLOAT32_CRITERION: Criterion = Object.freeze({ name: 'float32', atol: Math.fround(1e-5), rtol: 5 * 2 ** -23 });
/** TENSOR_FLOAT16 (and float32 outputs of relaxed / float16-bearing models): atol = rtol = 5·2^-10. */
export const FLOAT16_CRITERION: Criterion = Object.freeze({ name: 'float16', atol: 5 * 2 ** -10, rtol: 5 * 2 ** -10 });
/** INT32, TENSOR_INT32 and the quantized types: atol 1 (the harness's 3 for "mobilenet" names does not concern us). */
export const INTEGER_CRITERION: Criterion = Object.freeze({ name: 'integer', atol: 1, rtol: 0 });
/**
 * Integer outputs of a model whose expected values come from a bit-exact derivation (our gap-filling
 * integer vectors, `model.harness.comparison === 'bit-exact'`): atol 0. Integer arithmetic is fully
 * specified; the ±1 of INTEGER_CRITERION is the NNAPI harness's allowance for its own vectors only.
 */
export const EXACT_INTEGER_CRITERION: Criterion = Object.freeze({ name: 'integer-exact', atol: 0, rtol: 0 });

/** True when the model's expected values must be matched bit for bit. */
export function requiresBitExact(model: Model): boolean {
  const h = model['harness'];
  return typeof h === 'object' && h !== null && (h as { comparison?: unknown }).comparison === 'bit-exact';
}

const INTEGER_TYPES: ReadonlySet<OperandTypeName> = new Set<OperandTypeName>([
  'INT32',
  'UINT32',
  'TENSOR_INT32',
  'TENSOR_QUANT8_ASYMM',
  'TENSOR_QUANT8_ASYMM_SIGNED',
  'TENSOR_QUANT8_SYMM',
  'TENSOR_QUANT8_SYMM_PER_CHANNEL',
  'TENSOR_QUANT16_SYMM',
  'TENSOR_QUANT16_ASYMM',
  'BOOL',
  'TENSOR_BOOL8',
]);

/** True when the harness would switch float32 outputs to the float16 criterion. */
export function usesFloat16Criterion(model: Model): boolean {
  return model.isRelaxed === true || model.operands.some((o) => o.type === 'TENSOR_FLOAT16');
}

/** The criterion an output operand of `model` is compared with. */
export function criterionFor(model: Model, operand: Operand): Criterion {
  switch (operand.type) {
    case 'TENSOR_FLOAT16':
    case 'FLOAT16':
      return FLOAT16_CRITERION;
    case 'TENSOR_FLOAT32':
    case 'FLOAT32':
      return usesFloat16Criterion(model) ? FLOAT16_CRITERION : FLOAT32_CRITERION;
    default:
      if (INTEGER_TYPES.has(operand.type)) return requiresBitExact(model) ? EXACT_INTEGER_CRITERION : INTEGER_CRITERION;
      throw new Error(`no comparison criterion for operand type ${operand.type}`);
  }
}

/**
 * The criterion name a golden file declares in `tolerance`: the one its float outputs use
 * ('integer' when it has no float output).
 */
export function modelToleranceName(model: Model): CriterionName {
  const outs = model.outputIndexes.map((i) => model.operands[i]);
  // Only integer outputs (quantized ops, relaxed or not): the integer criterion.
  if (outs.length > 0 && outs.every((o) => o !== undefined && INTEGER_TYPES.has(o.type))) return requiresBitExact(model) ? 'integer-exact' : 'integer';
  if (usesFloat16Criterion(model)) return 'float16';
  if (outs.some((o) => o !== undefined && (o.type === 'TENSOR_FLOAT32' || o.type === 'FLOAT32'))) return 'float32';
  return 'integer';
}

/** The number of exactly equal elements (bit-exactness of integer outputs). */
export function exactElements(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let n = 0;
  for (let k = 0; k < Math.min(actual.length, expected.length); k++) if (actual[k] === expected[k]) n++;
  return n;
}

/** The allowed absolute error for one expected value (double arithmetic, as the harness). */
export function allowedError(expected: number, c: Criterion): number {
  return c.atol + c.rtol * Math.abs(expected);
}

/** The harness's per-element test. */
export function withinTolerance(actual: number, expected: number, c: Criterion): boolean {
  if (Number.isNaN(expected) || Number.isNaN(actual)) return false;
  return Math.abs(actual - expected) <= allowedError(expected, c);
}

/**
 * error / allowed: ≤ 1 passes. NaN on either side (or ∞ − ∞) gives +Infinity so that it
 * always ranks as the worst element.
 */
export function errorRatio(actual: number, expected: number, c: Criterion): number {
  if (Number.isNaN(expected) || Number.isNaN(actual)) return Number.POSITIVE_INFINITY;
  const err = Math.abs(actual - expected);
  if (Number.isNaN(err)) return Number.POSITIVE_INFINITY;
  const allowed = allowedError(expected, c);
  if (allowed === 0) return err === 0 ? 0 : Number.POSITIVE_INFINITY; // bit-exact criterion
  // Only an infinite expected value makes the band infinite: keep "ratio ≤ 1 ⇔ pass".
  if (!Number.isFinite(allowed)) return err <= allowed ? 1 : Number.POSITIVE_INFINITY;
  return err / allowed;
}
