import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../model/model.js';
import { fromRoot } from '../../util/paths.js';
import { validateModel as validateAny } from '../validate.js';
import { validateModel, valueOutOfRange } from './validate.js';

const golden = (path: string): Model => (JSON.parse(readFileSync(fromRoot('golden', path), 'utf8')) as { model: Model }).model;
const LSTM_F16 = 'float64/lstm-f16-nocifg-nopeephole-noproj-noln-tanh-b2-fp16-square.json';
const LSTM_F32 = 'tflite/lstm-f32-nocifg-nopeephole-noproj-noln-tanh-b2-square.json';
const UNI_F16 = 'float64/uslstm-f16-tm-nocifg-nopeephole-noproj-noln-tanh-t10-b3-fp16-square.json';
const BI_F32 = 'tflite/bilstm-f32-tm-nocifg-nopeephole-noproj-noln-parallel-linking-tanh-t10-b3-bi-square-parallel.json';
const QLSTM = 'integer/qlstm-i8-nocifg-nopeephole-noproj-noln-b3-saturation-square.json';

const rules = (r: ReturnType<typeof validateAny>) => (r.ok ? [] : [...new Set(r.violations.map((v) => v.rule))]);
const byName = (m: Model, name: string) => m.operands.find((o) => o.name === name)!;

describe('valueOutOfRange', () => {
  it('binary16: 65504 and everything that rounds to it fit; from 65520 on values round to ±Infinity', () => {
    expect(valueOutOfRange('TENSOR_FLOAT16', 65504)).toBeNull();
    expect(valueOutOfRange('FLOAT16', -65519.99)).toBeNull();
    expect(valueOutOfRange('TENSOR_FLOAT16', 65520)).toMatch(/overflows binary16/);
    expect(valueOutOfRange('FLOAT16', -1e6)).toMatch(/overflows binary16/);
    expect(valueOutOfRange('TENSOR_FLOAT16', Number.POSITIVE_INFINITY)).toMatch(/overflows/);
  });
  it('float32: up to FLT_MAX (and what rounds to it) fits; beyond overflows', () => {
    expect(valueOutOfRange('TENSOR_FLOAT32', 3.4028234663852886e38)).toBeNull();
    expect(valueOutOfRange('TENSOR_FLOAT32', 65520)).toBeNull();
    expect(valueOutOfRange('FLOAT32', 3.5e38)).toMatch(/overflows float32/);
    expect(valueOutOfRange('TENSOR_FLOAT32', Number.NaN)).toMatch(/not a number/);
  });
  it('integer types: integers within the range of the type', () => {
    expect(valueOutOfRange('INT32', 2 ** 31 - 1)).toBeNull();
    expect(valueOutOfRange('INT32', 2 ** 31)).toMatch(/outside INT32's range/);
    expect(valueOutOfRange('TENSOR_INT32', 0.5)).toMatch(/not an integer/);
    expect(valueOutOfRange('TENSOR_QUANT8_ASYMM', 255)).toBeNull();
    expect(valueOutOfRange('TENSOR_QUANT8_ASYMM', -1)).toMatch(/\[0, 255\]/);
    expect(valueOutOfRange('TENSOR_QUANT8_ASYMM_SIGNED', 128)).toMatch(/\[-128, 127\]/);
    expect(valueOutOfRange('TENSOR_QUANT16_SYMM', -32768)).toBeNull();
    expect(valueOutOfRange('BOOL', 2)).toMatch(/\[0, 1\]/);
  });
});

describe('model.operand.value_range', () => {
  it('a float16 constant, example input or expected output that overflows binary16 makes the model invalid, naming operand and element', () => {
    for (const name of ['input_to_cell_weights', 'input', 'output']) {
      const m = golden(LSTM_F16);
      byName(m, name).values[1] = 70000;
      const r = validateModel(m);
      expect(r.ok, name).toBe(false);
      if (r.ok) continue;
      expect(r.violations).toEqual([expect.objectContaining({ rule: 'model.operand.value_range', operandIndex: byName(m, name).index, actual: '70000' })]);
      expect(r.violations[0]!.message).toMatch(/element 1 overflows binary16/);
    }
  });
  it('applies to the sequence and quantized ops too (the dispatching validator)', () => {
    const uni = golden(UNI_F16);
    byName(uni, 'cell_state_in').values[0] = -1e5;
    expect(rules(validateAny(uni))).toEqual(['model.operand.value_range']);
    const q = golden(QLSTM);
    const input = byName(q, 'input');
    input.values[0] = 200; // TENSOR_QUANT8_ASYMM_SIGNED
    expect(input.type).toBe('TENSOR_QUANT8_ASYMM_SIGNED');
    expect(rules(validateAny(q))).toEqual(['model.operand.value_range']);
  });
  it('the unmodified models are valid', () => {
    for (const p of [LSTM_F16, LSTM_F32, UNI_F16, BI_F32, QLSTM]) expect(validateAny(golden(p)).ok, p).toBe(true);
  });
});

describe('model.io.unique and model.operation.outputs_unique (NNAPI model builder)', () => {
  it('a model input named twice, a model output named twice, or an operand both input and output is rejected', () => {
    const a = golden(LSTM_F32);
    a.inputIndexes.push(a.inputIndexes[0]!);
    expect(rules(validateModel(a))).toEqual(['model.io.unique']);
    const b = golden(BI_F32);
    b.outputIndexes.push(b.outputIndexes[0]!);
    expect(rules(validateAny(b))).toEqual(['model.io.unique']);
    const c = golden(UNI_F16);
    c.outputIndexes.push(c.inputIndexes[0]!);
    // Also a lifetime problem (a SUBGRAPH_INPUT in outputIndexes); the duplicate is named on its own.
    expect(rules(validateAny(c))).toContain('model.io.unique');
  });
  it('an operation writing one operand through two outputs is rejected', () => {
    const m = golden(LSTM_F32);
    const op = m.operations[0]!;
    const dropped = op.outputs[1]!;
    op.outputs[1] = op.outputs[3]!;
    m.outputIndexes = m.outputIndexes.filter((i) => i !== dropped);
    m.operands[dropped]!.lifetime = 'TEMPORARY_VARIABLE';
    const r = validateModel(m);
    expect(rules(r)).toEqual(['model.operation.outputs_unique']);
    if (!r.ok) expect(r.violations[0]!.message).toMatch(/written by operation outputs 1 and 3/);
    const q = golden(QLSTM);
    q.operations[0]!.outputs[1] = q.operations[0]!.outputs[0]!;
    expect(rules(validateAny(q))).toContain('model.operation.outputs_unique');
  });
});
