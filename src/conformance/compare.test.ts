import { describe, expect, it } from 'vitest';
import { tinyModel, tinyOutputs } from '../../test/helpers/tiny.js';
import type { OutputValue } from '../drivers/driver.js';
import { roundToFloat16 } from '../util/float16.js';
import { compareOutputs, compareWithExpected, MalformedOutputError, storeAs } from './compare.js';
import { FLOAT32_CRITERION } from './tolerance.js';

function withOut(index: number, patch: Partial<OutputValue>): OutputValue[] {
  return tinyOutputs().map((o) => (o.index === index ? { ...o, ...patch } : o));
}

describe('compareOutputs', () => {
  it('passes exact outputs; ignored outputs are not compared (values nor dimensions)', () => {
    const outs = withOut(3, { dimensions: [7], values: [1, 2, 3, 4, 5, 6, 7] });
    const c = compareOutputs(tinyModel(), outs);
    expect(c.pass).toBe(true);
    expect(c.maxRatio).toBe(0);
    expect(c.maxAbsError).toBe(0);
    const scratch = c.outputs.find((o) => o.index === 3)!;
    expect(scratch).toMatchObject({ ignored: true, pass: true, maxRatio: null, criterion: null });
  });

  it('ignored outputs must still be produced', () => {
    const outs = tinyOutputs().filter((o) => o.index !== 3);
    expect(() => compareOutputs(tinyModel(), outs)).toThrow(MalformedOutputError);
    expect(() => compareOutputs(tinyModel(), outs)).toThrow(/output operand 3 \(scratch\) was not produced/);
  });

  it('reports the worst element by error ratio, with its output index and flat index', () => {
    const outs = withOut(5, { values: [1, Math.fround(2 + 2e-5), Math.fround(3 + 1e-6)] });
    const c = compareOutputs(tinyModel(), outs);
    expect(c.pass).toBe(false);
    expect(c.worst).toMatchObject({ outputIndex: 5, flatIndex: 1, expected: 2 });
    expect(c.worst!.actual).toBe(Math.fround(2 + 2e-5));
    expect(c.maxRatio!).toBeGreaterThan(1);
    const state = c.outputs.find((o) => o.index === 5)!;
    expect(state.failingElements).toBe(1);
    expect(c.reason).toMatch(/output 5 \(state\): 1 of 3 elements outside the float32 tolerance/);
  });

  it('an output within tolerance passes with ratio ≤ 1', () => {
    const outs = withOut(4, { values: [Math.fround(0.5 + 5e-6), -0.25] });
    const c = compareOutputs(tinyModel(), outs);
    expect(c.pass).toBe(true);
    expect(c.maxRatio!).toBeGreaterThan(0.4);
    expect(c.maxRatio!).toBeLessThanOrEqual(1);
  });

  it('non-ignored outputs must have exactly the expected dimensions', () => {
    const outs = withOut(4, { dimensions: [2, 1] });
    const c = compareOutputs(tinyModel(), outs);
    expect(c.pass).toBe(false);
    const o = c.outputs.find((x) => x.index === 4)!;
    expect(o.maxRatio).toBeNull();
    expect(o.reason).toMatch(/dimensions \[2,1\] ≠ expected \[1,2\]/);
  });

  it('NaN output fails with an infinite ratio', () => {
    const outs = withOut(4, { values: [Number.NaN, -0.25] });
    const c = compareOutputs(tinyModel(), outs);
    expect(c.pass).toBe(false);
    expect(c.maxRatio).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(c.maxAbsError)).toBe(true);
    expect(c.worst).toMatchObject({ outputIndex: 4, flatIndex: 0 });
  });

  it('malformed outputs throw MalformedOutputError', () => {
    const m = tinyModel();
    expect(() => compareOutputs(m, 'nope')).toThrow(MalformedOutputError);
    expect(() => compareOutputs(m, withOut(4, { values: [1, 2, 3] }))).toThrow(/3 values for dimensions \[1,2\]/);
    expect(() => compareOutputs(m, [...tinyOutputs(), { index: 0, dimensions: [1], values: [0] }])).toThrow(/not a model output/);
    expect(() => compareOutputs(m, [...tinyOutputs(), tinyOutputs()[1]!])).toThrow(/returned twice/);
    expect(() => compareOutputs(m, withOut(4, { dimensions: [1, -2] }))).toThrow(/non-negative integers/);
    expect(() => compareOutputs(m, withOut(4, { values: 5 as unknown as number[] }))).toThrow(/not an array of numbers/);
  });

  it('accepts typed arrays', () => {
    const outs = withOut(4, { values: new Float32Array([0.5, -0.25]) });
    expect(compareOutputs(tinyModel(), outs).pass).toBe(true);
  });

  it('float16 outputs: both sides are stored as binary16 before comparing', () => {
    const m = tinyModel();
    const out = m.operands[4]!;
    out.type = 'TENSOR_FLOAT16';
    out.values = [0.1, 1000.3];
    const outs = withOut(4, { values: [roundToFloat16(0.1), roundToFloat16(1000.3)] });
    const c = compareOutputs(m, outs);
    expect(c.pass).toBe(true);
    expect(c.outputs.find((o) => o.index === 4)!.maxRatio).toBe(0);
    // the float32 output of a model with a TENSOR_FLOAT16 operand uses the float16 criterion
    expect(c.outputs.find((o) => o.index === 5)!.criterion).toBe('float16');
  });

  it('float32 outputs are stored as float32 (a double result within float32 rounding is exact)', () => {
    expect(storeAs('TENSOR_FLOAT32', 0.1)).toBe(Math.fround(0.1));
    expect(storeAs('TENSOR_INT32', 3)).toBe(3);
    const outs = withOut(4, { values: [Math.fround(0.5), Math.fround(-0.25)] });
    expect(compareOutputs(tinyModel(), outs).maxRatio).toBe(0);
  });

  it('relaxed: a float32 error of 1e-3 passes (fp16 criterion) where it fails without relaxation', () => {
    const outs = withOut(4, { values: [Math.fround(0.501), -0.25] });
    expect(compareOutputs(tinyModel(), outs).pass).toBe(false);
    expect(compareOutputs(tinyModel({ isRelaxed: true }), outs).pass).toBe(true);
  });

  it('a float output holding a value its type cannot represent is malformed', () => {
    const m = tinyModel();
    expect(() => compareOutputs(m, withOut(4, { values: [0.1, -0.25] }))).toThrow(/not a TENSOR_FLOAT32 value/);
  });

  it('an integer output holding a non-integer, NaN or a value outside its type is malformed, not a failure', () => {
    const m = tinyModel();
    const state = m.operands[5]!;
    state.type = 'TENSOR_QUANT8_ASYMM';
    state.values = [1, 2, 3];
    expect(compareOutputs(m, withOut(5, { values: [1, 2, 3] })).pass).toBe(true);
    expect(compareOutputs(m, withOut(5, { values: [1, 4, 3] })).pass).toBe(false); // a plain wrong value is a failure
    expect(() => compareOutputs(m, withOut(5, { values: [1, 2.5, 3] }))).toThrow(MalformedOutputError);
    expect(() => compareOutputs(m, withOut(5, { values: [1, 2.5, 3] }))).toThrow(/element \[1\] = 2\.5 is not a TENSOR_QUANT8_ASYMM value \(it is not an integer\)/);
    expect(() => compareOutputs(m, withOut(5, { values: [1, Number.NaN, 3] }))).toThrow(/element \[1\] = NaN is not a TENSOR_QUANT8_ASYMM value/);
    expect(() => compareOutputs(m, withOut(5, { values: [1, 256, 3] }))).toThrow(/is outside TENSOR_QUANT8_ASYMM's range \[0, 255\]/);
    state.type = 'TENSOR_INT32';
    expect(() => compareOutputs(m, withOut(5, { values: [1, 2 ** 31, 3] }))).toThrow(/outside TENSOR_INT32's range/);
  });

  it('compareWithExpected takes expected values from elsewhere (deviation oracles)', () => {
    const m = tinyModel();
    const expected = new Map([
      [4, { dimensions: [1, 2], values: [1, 1] }],
      [5, { dimensions: [1, 3], values: [1, 2, 3] }],
    ]);
    const outs = withOut(4, { values: [1, Math.fround(1 + FLOAT32_CRITERION.atol / 2)] });
    expect(compareWithExpected(m, expected, outs).pass).toBe(true);
    expect(compareOutputs(m, outs).pass).toBe(false);
  });
});
