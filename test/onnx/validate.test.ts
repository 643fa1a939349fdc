import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { OnnxAttributeValue, OnnxNode } from '../../src/onnx/model.js';
import { parseOnnxLstmAttributes } from '../../src/onnx/lstm-attributes.js';
import { checkOnnxLstm, validateOnnxLstm, type OnnxLstmInputInfo, type OnnxLstmInputRole } from '../../src/onnx/lstm-validate.js';
import { fromRoot } from '../../src/util/paths.js';

const spec = JSON.parse(readFileSync(fromRoot('spec/onnx/LSTM.json'), 'utf8')) as { rules: { id: string }[] };
const ruleIds = new Set(spec.rules.map((r) => r.id));

function node(attributes: Record<string, OnnxAttributeValue>, inputs = ['X', 'W', 'R'], outputs = ['Y', 'Y_h', 'Y_c']): OnnxNode {
  return { name: 'lstm', opType: 'LSTM', domain: '', inputs, outputs, attributes };
}
const INT = (value: number): OnnxAttributeValue => ({ type: 'INT', value });
const STR = (value: string): OnnxAttributeValue => ({ type: 'STRING', value });
const FLOAT = (value: number): OnnxAttributeValue => ({ type: 'FLOAT', value });
const STRS = (value: string[]): OnnxAttributeValue => ({ type: 'STRINGS', value });
const FLOATS = (value: number[]): OnnxAttributeValue => ({ type: 'FLOATS', value });

const ALL = ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h', 'initial_c', 'P'];
/** A well-formed forward node, H = 4, I = 3, S = 5, B = 2, and its inputs. */
function good(extra: Record<string, OnnxAttributeValue> = {}, D = 1): { n: OnnxNode; inputs: Partial<Record<OnnxLstmInputRole, OnnxLstmInputInfo>> } {
  return {
    n: node({ hidden_size: INT(4), ...extra }, ALL),
    inputs: {
      X: { dims: [5, 2, 3], dataType: 'FLOAT' },
      W: { dims: [D, 16, 3], dataType: 'FLOAT' },
      R: { dims: [D, 16, 4], dataType: 'FLOAT' },
      B: { dims: [D, 32], dataType: 'FLOAT' },
      sequence_lens: { dims: [2], dataType: 'INT32', values: [5, 0] },
      initial_h: { dims: [D, 2, 4], dataType: 'FLOAT' },
      initial_c: { dims: [D, 2, 4], dataType: 'FLOAT' },
      P: { dims: [D, 12], dataType: 'FLOAT' },
    },
  };
}
const rules = (vs: { rule: string }[]) => vs.map((v) => v.rule);

describe('parseOnnxLstmAttributes', () => {
  it('applies the defaults: forward, layout 0, input_forget 0, no clip, Sigmoid/Tanh/Tanh per direction', () => {
    const { attributes, violations } = parseOnnxLstmAttributes(node({ hidden_size: INT(8) }));
    expect(violations).toEqual([]);
    expect(attributes).toEqual({ hiddenSize: 8, direction: 'forward', layout: 0, inputForget: 0, activations: [{ name: 'Sigmoid' }, { name: 'Tanh' }, { name: 'Tanh' }] });
    const bi = parseOnnxLstmAttributes(node({ hidden_size: INT(8), direction: STR('bidirectional') })).attributes;
    expect(bi.activations.map((a) => a.name)).toEqual(['Sigmoid', 'Tanh', 'Tanh', 'Sigmoid', 'Tanh', 'Tanh']);
  });

  it('hands alpha and beta to the activations that take them, in order', () => {
    const { attributes, violations } = parseOnnxLstmAttributes(
      node({ hidden_size: INT(2), activations: STRS(['HardSigmoid', 'Affine', 'LeakyRelu']), activation_alpha: FLOATS([0.3, 0.7, 0.05]), activation_beta: FLOATS([0.4, 0.1]) }),
    );
    expect(violations).toEqual([]);
    expect(attributes.activations).toEqual([
      { name: 'HardSigmoid', alpha: 0.3, beta: 0.4 },
      { name: 'Affine', alpha: 0.7, beta: 0.1 },
      { name: 'LeakyRelu', alpha: 0.05 },
    ]);
  });

  it('short alpha/beta lists: the doc defaults (like-named operators) or ONNX Runtime’s', () => {
    const n = node({ hidden_size: INT(2), activations: STRS(['ThresholdedRelu', 'Affine', 'Elu']) });
    expect(parseOnnxLstmAttributes(n).attributes.activations).toEqual([{ name: 'ThresholdedRelu', alpha: 1 }, { name: 'Affine', alpha: 1, beta: 0 }, { name: 'Elu', alpha: 1 }]);
    expect(parseOnnxLstmAttributes(n, { shortListDefaults: 'onnxruntime' }).attributes.activations).toEqual([
      { name: 'ThresholdedRelu', alpha: 0 },
      { name: 'Affine', alpha: 0, beta: 0 },
      { name: 'Elu', alpha: 1 },
    ]);
  });

  it('reports problems as violations with spec rule ids and still returns usable attributes', () => {
    const { attributes, violations } = parseOnnxLstmAttributes(
      node({ direction: STR('sideways'), layout: INT(2), input_forget: INT(3), clip: FLOAT(-1), activations: STRS(['sigmoid', 'Swish', 'Tanh']), activation_alpha: FLOATS([1]), foo: INT(1), hidden_size_: INT(1) }),
    );
    expect(rules(violations).sort()).toEqual(
      [
        'ONNX.LSTM.attr.activation_alpha.count',
        'ONNX.LSTM.attr.activations.case',
        'ONNX.LSTM.attr.activations.name',
        'ONNX.LSTM.attr.direction.value',
        'ONNX.LSTM.attr.hidden_size.required',
        'ONNX.LSTM.attr.input_forget.value',
        'ONNX.LSTM.attr.layout.value',
        'ONNX.LSTM.attr.unknown',
        'ONNX.LSTM.attr.unknown',
        'ONNX.LSTM.clip.positive',
      ].sort(),
    );
    expect(attributes.direction).toBe('forward');
    expect(attributes.activations.map((a) => a.name)).toEqual(['Sigmoid', 'Tanh', 'Tanh']);
    expect(attributes.inputForget).toBe(1);
    expect(attributes.clip).toBeUndefined();
    for (const v of violations) expect(ruleIds.has(v.rule), v.rule).toBe(true);
  });

  it('wrong attribute types, the activation count, and opset-bound attributes', () => {
    expect(rules(parseOnnxLstmAttributes(node({ hidden_size: FLOAT(4) })).violations)).toEqual(['ONNX.LSTM.attr.type', 'ONNX.LSTM.attr.hidden_size.required']);
    expect(rules(parseOnnxLstmAttributes(node({ hidden_size: INT(4), direction: STR('bidirectional'), activations: STRS(['Sigmoid', 'Tanh', 'Tanh']) })).violations)).toEqual(['ONNX.LSTM.attr.activations.count']);
    expect(rules(parseOnnxLstmAttributes(node({ hidden_size: INT(4), layout: INT(0) }), { opset: 13 }).violations)).toEqual(['ONNX.LSTM.attr.layout.opset']);
    expect(rules(parseOnnxLstmAttributes(node({ hidden_size: INT(4), layout: INT(1) }), { opset: 14 }).violations)).toEqual([]);
    expect(rules(parseOnnxLstmAttributes(node({ hidden_size: INT(4), output_sequence: INT(1) }), { opset: 7 }).violations)).toEqual(['ONNX.LSTM.attr.output_sequence.opset']);
    expect(rules(parseOnnxLstmAttributes(node({ hidden_size: INT(4), output_sequence: INT(1) }), { opset: 1 }).violations)).toEqual([]);
    expect(rules(parseOnnxLstmAttributes(node({ hidden_size: INT(0) })).violations)).toEqual(['ONNX.LSTM.attr.hidden_size.positive']);
  });
});

describe('validateOnnxLstm', () => {
  it('a well-formed node has no violations (forward and bidirectional, opsets 7, 14, 22)', () => {
    for (const opset of [7, 14, 22]) {
      const g = good();
      expect(validateOnnxLstm(g.n, g.inputs, opset)).toEqual([]);
      const b = good({ direction: STR('bidirectional') }, 2);
      expect(validateOnnxLstm(b.n, b.inputs, opset)).toEqual([]);
    }
  });

  it('names the operand of a shape violation by ONNX name and input position', () => {
    const g = good();
    g.inputs.W = { dims: [1, 12, 3], dataType: 'FLOAT' };
    g.inputs.P = { dims: [1, 16], dataType: 'FLOAT' };
    g.inputs.initial_c = { dims: [1, 3, 4], dataType: 'FLOAT' };
    const vs = validateOnnxLstm(g.n, g.inputs, 14);
    expect(vs.map((v) => [v.rule, v.operandName, v.operandIndex])).toEqual([
      ['ONNX.LSTM.W.shape', 'W', 1],
      ['ONNX.LSTM.P.shape', 'P', 7],
      ['ONNX.LSTM.initial_c.shape', 'initial_c', 6],
    ]);
    expect(vs[0]!.expected).toBe('[1, 16, 3]');
    expect(vs[0]!.actual).toBe('[1, 12, 3]');
  });

  it('every shape rule fires on its input, and symbolic dims are not held against the node', () => {
    const cases: [OnnxLstmInputRole, (number | string)[], string][] = [
      ['X', [5, 2], 'ONNX.LSTM.X.shape'],
      ['R', [1, 16, 3], 'ONNX.LSTM.R.shape'],
      ['B', [1, 16], 'ONNX.LSTM.B.shape'],
      ['initial_h', [2, 2, 4], 'ONNX.LSTM.initial_h.shape'],
      ['sequence_lens', [3], 'ONNX.LSTM.sequence_lens.shape'],
    ];
    for (const [role, dims, rule] of cases) {
      const g = good();
      g.inputs[role] = { ...g.inputs[role], dims };
      expect(rules(validateOnnxLstm(g.n, g.inputs, 14)), role).toContain(rule);
    }
    const g = good();
    g.inputs.X = { dims: ['seq', 'batch', 3], dataType: 'FLOAT' };
    expect(validateOnnxLstm(g.n, g.inputs, 14)).toEqual([]);
  });

  it('layout 1 reads batch from X[0] and wants batch-major states', () => {
    const g = good({ layout: INT(1) });
    g.inputs.X = { dims: [2, 5, 3], dataType: 'FLOAT' };
    g.inputs.initial_h = { dims: [2, 1, 4], dataType: 'FLOAT' };
    g.inputs.initial_c = { dims: [2, 1, 4], dataType: 'FLOAT' };
    expect(validateOnnxLstm(g.n, g.inputs, 14)).toEqual([]);
    g.inputs.initial_c = { dims: [1, 2, 4], dataType: 'FLOAT' };
    expect(rules(validateOnnxLstm(g.n, g.inputs, 14))).toEqual(['ONNX.LSTM.initial_c.shape']);
  });

  it('sequence_lens values lie in [0, seq_length]', () => {
    const g = good();
    g.inputs.sequence_lens = { dims: [2], dataType: 'INT32', values: [6, 1] };
    expect(rules(validateOnnxLstm(g.n, g.inputs, 14))).toEqual(['ONNX.LSTM.sequence_lens.range']);
    g.inputs.sequence_lens = { dims: [2], dataType: 'INT32', values: Int32Array.of(-1, 1) };
    expect(rules(validateOnnxLstm(g.n, g.inputs, 14))).toEqual(['ONNX.LSTM.sequence_lens.range']);
  });

  it('element types: T per opset (bfloat16 from 22), one T for all, T1 int32', () => {
    const g = good();
    for (const k of ['X', 'W', 'R', 'B', 'initial_h', 'initial_c', 'P'] as const) g.inputs[k] = { ...g.inputs[k], dataType: 'BFLOAT16' };
    expect(rules(validateOnnxLstm(g.n, g.inputs, 14))).toEqual(['ONNX.LSTM.T.type']);
    expect(validateOnnxLstm(g.n, g.inputs, 22)).toEqual([]);
    const h = good();
    h.inputs.R = { ...h.inputs.R, dataType: 'DOUBLE' };
    h.inputs.sequence_lens = { ...h.inputs.sequence_lens, dataType: 'INT64' };
    expect(rules(validateOnnxLstm(h.n, h.inputs, 14))).toEqual(['ONNX.LSTM.T.same', 'ONNX.LSTM.T1.type']);
  });

  it('input and output counts; X, W, R required; empty optional inputs are not checked', () => {
    expect(rules(validateOnnxLstm(node({ hidden_size: INT(4) }, ['X', '']), {}, 14))).toEqual(['ONNX.LSTM.inputs.count', 'ONNX.LSTM.inputs.required', 'ONNX.LSTM.inputs.required']);
    expect(rules(validateOnnxLstm(node({ hidden_size: INT(4) }, ['X', 'W', 'R'], ['Y', 'Y_h', 'Y_c', 'extra']), {}, 14))).toEqual(['ONNX.LSTM.outputs.count']);
    const g = good();
    g.n.inputs[7] = '';
    g.inputs.P = { dims: [9], dataType: 'INT8' };
    expect(validateOnnxLstm(g.n, g.inputs, 14)).toEqual([]);
  });

  it('infers hidden_size from R when the attribute is missing, and says it is missing', () => {
    const g = good();
    delete g.n.attributes['hidden_size'];
    const c = checkOnnxLstm(g.n, g.inputs, 14);
    expect(rules(c.violations)).toEqual(['ONNX.LSTM.attr.hidden_size.required']);
    expect(c.attributes.hiddenSize).toBe(4);
  });

  it('every rule id in spec/onnx/LSTM.json is produced by some check in this file', () => {
    const src = readFileSync(fromRoot('src/onnx/lstm-validate.ts'), 'utf8') + readFileSync(fromRoot('src/onnx/lstm-attributes.ts'), 'utf8');
    for (const id of ruleIds) expect(src.includes(`'${id}'`), id).toBe(true);
  });
});
