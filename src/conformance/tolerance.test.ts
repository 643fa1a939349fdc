import { describe, expect, it } from 'vitest';
import type { Model, Operand } from '../model/model.js';
import {
  allowedError,
  criterionFor,
  errorRatio,
  FLOAT16_CRITERION,
  FLOAT32_CRITERION,
  INTEGER_CRITERION,
  modelToleranceName,
  usesFloat16Criterion,
  withinTolerance,
} from './tolerance.js';

/** The next double above x (x finite, ≥ 0). */
function nextUp(x: number): number {
  const b = new Float64Array([x]);
  const u = new BigUint64Array(b.buffer);
  u[0] = u[0]! + 1n;
  return b[0]!;
}

function operand(index: number, type: Operand['type'], lifetime: Operand['lifetime']): Operand {
  return { index, name: `o${index}`, type, dimensions: [1], scale: 0, zeroPoint: 0, lifetime, isIgnored: false, values: [0] };
}

function model(types: Operand['type'][], isRelaxed = false): Model {
  const operands = types.map((t, i) => operand(i, t, i === types.length - 1 ? 'SUBGRAPH_OUTPUT' : 'SUBGRAPH_INPUT'));
  return {
    operands,
    operations: [{ type: 'TEST', inputs: operands.slice(0, -1).map((o) => o.index), outputs: [types.length - 1] }],
    inputIndexes: operands.slice(0, -1).map((o) => o.index),
    outputIndexes: [types.length - 1],
    isRelaxed,
  };
}

describe('harness constants (TestHarness.cpp, facts §D)', () => {
  it('float32: atol is float32(1e-5) as stored in the C float field, rtol 5·2^-23', () => {
    expect(FLOAT32_CRITERION.atol).toBe(Math.fround(1e-5));
    expect(FLOAT32_CRITERION.rtol).toBe(5 * 2 ** -23);
    expect(FLOAT32_CRITERION.rtol).toBeCloseTo(5.96e-7, 9);
  });
  it('float16: atol = rtol = 5·2^-10', () => {
    expect(FLOAT16_CRITERION.atol).toBe(0.0048828125);
    expect(FLOAT16_CRITERION.rtol).toBe(0.0048828125);
  });
  it('integer types: atol 1, rtol 0', () => {
    expect(INTEGER_CRITERION).toMatchObject({ atol: 1, rtol: 0 });
  });
});

describe('withinTolerance: |a − e| ≤ atol + rtol·|e| in double', () => {
  it('float32, expected 0: exactly at the bound passes, the next double above fails', () => {
    const bound = FLOAT32_CRITERION.atol;
    expect(withinTolerance(bound, 0, FLOAT32_CRITERION)).toBe(true);
    expect(withinTolerance(-bound, 0, FLOAT32_CRITERION)).toBe(true);
    expect(withinTolerance(nextUp(bound), 0, FLOAT32_CRITERION)).toBe(false);
    expect(withinTolerance(-nextUp(bound), 0, FLOAT32_CRITERION)).toBe(false);
  });
  it('the double 1e-5 lies just outside float32(1e-5): the harness compares against the float constant', () => {
    expect(withinTolerance(1e-5, 0, FLOAT32_CRITERION)).toBe(false);
  });
  it('float16, expected 2: bound 15·2^-10 is exact; at the bound passes, next double fails', () => {
    const bound = allowedError(2, FLOAT16_CRITERION);
    expect(bound).toBe(15 * 2 ** -10);
    expect(withinTolerance(2 + bound, 2, FLOAT16_CRITERION)).toBe(true);
    expect(withinTolerance(2 - bound, 2, FLOAT16_CRITERION)).toBe(true);
    expect(withinTolerance(nextUp(2 + bound), 2, FLOAT16_CRITERION)).toBe(false);
  });
  it('the relative term uses |expected|', () => {
    expect(allowedError(-4, FLOAT16_CRITERION)).toBe(allowedError(4, FLOAT16_CRITERION));
  });
  it('an expected NaN is a failure, whatever the actual value', () => {
    expect(withinTolerance(Number.NaN, Number.NaN, FLOAT32_CRITERION)).toBe(false);
    expect(withinTolerance(0, Number.NaN, FLOAT16_CRITERION)).toBe(false);
    expect(errorRatio(0, Number.NaN, FLOAT32_CRITERION)).toBe(Number.POSITIVE_INFINITY);
  });
  it('an actual NaN or infinity fails', () => {
    expect(withinTolerance(Number.NaN, 0, FLOAT32_CRITERION)).toBe(false);
    expect(withinTolerance(Number.POSITIVE_INFINITY, 0, FLOAT32_CRITERION)).toBe(false);
    expect(errorRatio(Number.NaN, 1, FLOAT32_CRITERION)).toBe(Number.POSITIVE_INFINITY);
  });
  it('integer criterion: off by one passes, by two fails', () => {
    expect(withinTolerance(128, 127, INTEGER_CRITERION)).toBe(true);
    expect(withinTolerance(129, 127, INTEGER_CRITERION)).toBe(false);
  });
  it('errorRatio ≤ 1 exactly when withinTolerance', () => {
    for (const [a, e] of [[0, 0], [1e-6, 0], [2e-5, 0], [1.001, 1], [1.01, 1], [-3, -3.00001]] as const) {
      for (const c of [FLOAT32_CRITERION, FLOAT16_CRITERION]) {
        expect(errorRatio(a, e, c) <= 1).toBe(withinTolerance(a, e, c));
      }
    }
    expect(errorRatio(FLOAT32_CRITERION.atol, 0, FLOAT32_CRITERION)).toBe(1);
  });
});

describe('criterion selection', () => {
  it('float32 outputs of a plain float32 model use the float32 criterion', () => {
    const m = model(['TENSOR_FLOAT32', 'TENSOR_FLOAT32']);
    expect(criterionFor(m, m.operands[1]!)).toBe(FLOAT32_CRITERION);
    expect(modelToleranceName(m)).toBe('float32');
  });
  it('relaxed models compare float32 outputs with the float16 criterion', () => {
    const m = model(['TENSOR_FLOAT32', 'TENSOR_FLOAT32'], true);
    expect(usesFloat16Criterion(m)).toBe(true);
    expect(criterionFor(m, m.operands[1]!)).toBe(FLOAT16_CRITERION);
    expect(modelToleranceName(m)).toBe('float16');
  });
  it('any TENSOR_FLOAT16 operand switches float32 outputs to the float16 criterion', () => {
    const m = model(['TENSOR_FLOAT16', 'TENSOR_FLOAT32']);
    expect(criterionFor(m, m.operands[1]!)).toBe(FLOAT16_CRITERION);
  });
  it('a FLOAT16 scalar alone does not (the harness looks for TENSOR_FLOAT16)', () => {
    const m = model(['FLOAT16', 'TENSOR_FLOAT32']);
    expect(criterionFor(m, m.operands[1]!)).toBe(FLOAT32_CRITERION);
  });
  it('float16 outputs always use the float16 criterion; integer and quantized types atol 1', () => {
    const m = model(['TENSOR_FLOAT32', 'TENSOR_FLOAT16']);
    expect(criterionFor(m, m.operands[1]!)).toBe(FLOAT16_CRITERION);
    for (const t of ['TENSOR_INT32', 'TENSOR_QUANT8_ASYMM', 'TENSOR_QUANT8_ASYMM_SIGNED', 'TENSOR_QUANT16_SYMM', 'INT32'] as const) {
      const q = model(['TENSOR_FLOAT32', t]);
      expect(criterionFor(q, q.operands[1]!)).toBe(INTEGER_CRITERION);
    }
    expect(modelToleranceName(model(['TENSOR_QUANT8_ASYMM', 'TENSOR_QUANT8_ASYMM']))).toBe('integer');
  });
});
