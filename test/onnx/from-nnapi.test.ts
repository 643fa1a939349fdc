import { describe, expect, it } from 'vitest';
import type { Model } from '../../src/model/model.js';
import { nnapiOutputs, nnapiToOnnxLstm, onnxFeeds, type NnapiToOnnxResult } from '../../src/onnx/from-nnapi.js';
import { synthLstmModel, type LstmConfig } from '../../src/conformance/synth.js';
import { synthSequenceModel, type SequenceCellConfig, type SequenceConfig } from '../../src/conformance/synth-sequence.js';
import { LSTM_IN } from '../../src/ops/lstm/operands.generated.js';
import { suiteCases } from '../../src/suite.js';

const base: LstmConfig = {
  batchSize: 2,
  inputSize: 3,
  numUnits: 4,
  outputSize: 4,
  cifg: false,
  peephole: true,
  projection: false,
  projectionBias: false,
  layerNorm: false,
  activation: 4,
  cellClip: 0,
  projClip: 0,
  dtype: 'float32',
};
const cell: SequenceCellConfig = { numUnits: 3, outputSize: 3, cifg: false, peephole: false, projection: false, projectionBias: false, layerNorm: false };
const seq = (o: Partial<SequenceConfig>): SequenceConfig => ({
  operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM',
  maxTime: 4,
  batchSize: 2,
  inputSize: 3,
  timeMajor: true,
  dtype: 'float32',
  activation: 4,
  cellClip: 0,
  projClip: 0,
  fw: cell,
  stateOutputs: true,
  ...o,
});

const ok = (r: NnapiToOnnxResult) => {
  if (!r.ok) throw new Error(r.kind === 'invalid' ? r.message : r.reasons.map((x) => x.message).join('; '));
  return r;
};
const reasonIds = (m: Model) => {
  const r = nnapiToOnnxLstm(m);
  if (r.ok) return ['(expressible)'];
  return r.kind === 'invalid' ? [`invalid: ${r.message}`] : r.reasons.map((x) => x.id);
};
const opValues = (m: Model, role: keyof typeof LSTM_IN) => m.operands[m.operations[0]!.inputs[LSTM_IN[role]]!]!.values;

describe('nnapiToOnnxLstm: packing', () => {
  const m = synthLstmModel(base, 7);
  const r = ok(nnapiToOnnxLstm(m));
  const H = 4;
  const I = 3;
  const c = r.spec.inputs.constants!;

  it('W rows are the NNAPI gates in ONNX order i, o, f, c; R likewise', () => {
    const W = c.W!.data;
    const R = c.R!.data;
    expect(c.W!.dims).toEqual([1, 4 * H, I]);
    (['input', 'output', 'forget', 'cell'] as const).forEach((gate, g) => {
      expect(Array.from(W.slice(g * H * I, (g + 1) * H * I))).toEqual(Array.from(Float32Array.from(opValues(m, `input_to_${gate}_weights`))));
      expect(Array.from(R.slice(g * H * H, (g + 1) * H * H))).toEqual(Array.from(Float32Array.from(opValues(m, `recurrent_to_${gate}_weights`))));
    });
  });

  it('B = [NNAPI biases in i, o, f, c order, zeros]; P = [c→i, c→o, c→f]', () => {
    const B = c.B!.data;
    (['input', 'output', 'forget', 'cell'] as const).forEach((gate, g) => {
      expect(Array.from(B.slice(g * H, (g + 1) * H))).toEqual(Array.from(Float32Array.from(opValues(m, `${gate}_gate_bias`))));
    });
    expect(Array.from(B.slice(4 * H))).toEqual(new Array(4 * H).fill(0));
    const P = c.P!.data;
    (['input', 'output', 'forget'] as const).forEach((gate, g) => {
      expect(Array.from(P.slice(g * H, (g + 1) * H))).toEqual(Array.from(Float32Array.from(opValues(m, `cell_to_${gate}_weights`))));
    });
  });

  it('LSTM is one time step, forward, the NNAPI activation as g and h; states are graph inputs', () => {
    expect(r.spec.inputs.xDims).toEqual([1, 2, I]);
    expect(r.spec.attrs).toMatchObject({ hiddenSize: H, direction: 'forward', layout: 0, inputForget: 0 });
    expect(r.spec.attrs.activations.map((a) => a.name)).toEqual(['Sigmoid', 'Tanh', 'Tanh']);
    expect(r.spec.inputs.graphInputs).toEqual({ initial_h: [1, 2, H], initial_c: [1, 2, H] });
    expect(r.plan.outputs.map((o) => [o.role, o.source.from])).toEqual([
      ['scratch_buffer', 'zeros'],
      ['output_state_out', 'Y_h'],
      ['cell_state_out', 'Y_c'],
      ['output', 'Y_h'],
    ]);
  });

  it('activation none is Affine(1, 0); relu and sigmoid map to their ONNX names', () => {
    const act = (code: number) => ok(nnapiToOnnxLstm(synthLstmModel({ ...base, activation: code }, 1))).spec.attrs.activations;
    expect(act(0)).toEqual([{ name: 'Sigmoid' }, { name: 'Affine', alpha: 1, beta: 0 }, { name: 'Affine', alpha: 1, beta: 0 }]);
    expect(act(1).map((a) => a.name)).toEqual(['Sigmoid', 'Relu', 'Relu']);
    expect(act(6).map((a) => a.name)).toEqual(['Sigmoid', 'Sigmoid', 'Sigmoid']);
  });

  it('BIDIRECTIONAL_SEQUENCE_LSTM: direction bidirectional, W stacks forward then backward', () => {
    const bm = synthSequenceModel(seq({ operation: 'BIDIRECTIONAL_SEQUENCE_LSTM', mergeOutputs: true }), 3);
    const br = ok(nnapiToOnnxLstm(bm));
    expect(br.spec.attrs.direction).toBe('bidirectional');
    expect(br.spec.inputs.constants!.W!.dims).toEqual([2, 12, 3]);
    expect(br.plan.outputs[0]).toMatchObject({ role: 'fw_output', dims: [4, 2, 6], source: { from: 'Y', direction: 'concat' } });
  });
});

describe('nnapiToOnnxLstm: unsupported, each reason naming the NNAPI feature and the ONNX attribute', () => {
  it.each([
    ['projection', { projection: true, outputSize: 2 }, 'projection'],
    ['CIFG', { cifg: true }, 'cifg'],
    ['layer norm', { layerNorm: true }, 'layer-norm'],
    ['cell clip', { cellClip: 3 }, 'cell-clip'],
    ['relu6', { activation: 3 }, 'activation-relu6'],
  ])('%s', (_name, patch, id) => {
    const r = nnapiToOnnxLstm(synthLstmModel({ ...base, ...patch }, 2));
    expect(r.ok).toBe(false);
    if (r.ok || r.kind !== 'unsupported') return;
    const hit = r.reasons.find((x) => x.id === id);
    expect(hit, JSON.stringify(r.reasons)).toBeDefined();
    expect(hit!.nnapi.length).toBeGreaterThan(0);
    expect(hit!.onnx.length).toBeGreaterThan(0);
  });

  it('a float16 model becomes a float16 node (values rounded to binary16), with the InsertCastTransformer note', () => {
    const r = ok(nnapiToOnnxLstm(synthLstmModel({ ...base, dtype: 'float16' }, 2)));
    expect(r.spec.dataType).toBe('FLOAT16');
    expect(r.plan.dtype).toBe('float16');
    expect(r.notes.join(' ')).toMatch(/InsertCastTransformer/);
    const feeds = onnxFeeds(r.plan, (i) => (i === r.plan.input ? [1, 0.1, -2, 65504, 1 / 3, 0] : null));
    expect(feeds.X.type).toBe('float16');
    expect(Array.from(feeds.X.data)).toEqual([0x3c00, 0x2e66, 0xc000, 0x7bff, 0x3555, 0]);
  });

  it('all reasons are listed, not only the first', () => {
    expect(reasonIds(synthLstmModel({ ...base, cifg: true, projection: true, outputSize: 2, layerNorm: true }, 2)).sort()).toEqual(['cifg', 'layer-norm', 'projection']);
  });

  it('CIFG names input_forget and the opposite coupling', () => {
    const r = nnapiToOnnxLstm(synthLstmModel({ ...base, cifg: true }, 2));
    if (r.ok || r.kind !== 'unsupported') throw new Error('expected unsupported');
    expect(r.reasons[0]).toMatchObject({ id: 'cifg', onnx: 'input_forget' });
    expect(r.reasons[0]!.message).toMatch(/f = 1 − i/);
  });

  it('a feature of both directions is one reason naming both operands', () => {
    const r = nnapiToOnnxLstm(synthSequenceModel(seq({ operation: 'BIDIRECTIONAL_SEQUENCE_LSTM', fw: { ...cell, cifg: true } }), 1));
    if (r.ok || r.kind !== 'unsupported') throw new Error('expected unsupported');
    expect(r.reasons.map((x) => x.id)).toEqual(['cifg']);
    expect(r.reasons[0]!.nnapi).toBe('fw_input_to_input_weights omitted (CIFG), bw_input_to_input_weights omitted (CIFG)');
  });

  it('aux input and different forward/backward sizes', () => {
    expect(reasonIds(synthSequenceModel(seq({ operation: 'BIDIRECTIONAL_SEQUENCE_LSTM', linking: 'parallel' }), 1))).toContain('aux-input');
    expect(reasonIds(synthSequenceModel(seq({ operation: 'BIDIRECTIONAL_SEQUENCE_LSTM', bw: { ...cell, numUnits: 5, outputSize: 5 } }), 1))).toContain('direction-sizes');
  });

  it('quantized operations and a malformed weight shape (invalid, not unsupported)', () => {
    const q = suiteCases().find((c) => c.kind === 'positive' && c.model.operations[0]!.type === 'QUANTIZED_LSTM')!;
    expect(reasonIds(q.model)).toEqual(['quantized']);
    const m = synthLstmModel(base, 2);
    const w = m.operands[m.operations[0]!.inputs[LSTM_IN.input_to_forget_weights]!]!;
    w.dimensions = [4, 2];
    w.values = w.values.slice(0, 8);
    expect(reasonIds(m)[0]).toMatch(/^invalid: input_to_forget_weights has dimensions \[4, 2\]/);
  });
});

describe('nnapiToOnnxLstm: what the layout cannot carry is invalid (BAD_DATA in the driver)', () => {
  const invalid = (patch: (m: Model) => void) => {
    const m = synthLstmModel(base, 3);
    patch(m);
    const r = nnapiToOnnxLstm(m);
    return r.ok || r.kind !== 'invalid' ? `not invalid: ${JSON.stringify(r.ok ? 'ok' : r)}` : r.message;
  };
  const at = (m: Model, role: keyof typeof LSTM_IN) => m.operands[m.operations[0]!.inputs[LSTM_IN[role]]!]!;

  it('a finite weight that rounds to ±Infinity in float32', () => {
    expect(invalid((m) => (at(m, 'forget_gate_bias').values[1] = -1e39))).toBe('forget_gate_bias[1] = -1e+39 cannot be written as float32: it rounds to -Infinity');
  });
  it('a scalar declared with dimensions', () => {
    expect(invalid((m) => (at(m, 'activation').dimensions = [1]))).toBe('activation is read as a scalar but declares dimensions [1]');
  });
  it('one operand written as two outputs', () => {
    expect(invalid((m) => {
      const op = m.operations[0]!;
      op.outputs[1] = op.outputs[3]!;
      m.outputIndexes = [...new Set(op.outputs)];
    })).toMatch(/is written as two outputs of the operation \(output_state_out and output\)/);
  });
  it('a tensor of the wrong type', () => {
    expect(invalid((m) => (at(m, 'input').type = 'TENSOR_INT32'))).toBe('input is TENSOR_INT32, expected TENSOR_FLOAT32');
  });
});

describe('feeds and outputs around the time-major node', () => {
  it('batch-major X is transposed to [T, B, I]; Y [T, D, B, H] comes back batch-major, merged [fw | bw]', () => {
    const m = synthSequenceModel(seq({ operation: 'BIDIRECTIONAL_SEQUENCE_LSTM', timeMajor: false, mergeOutputs: true, maxTime: 2, batchSize: 2, inputSize: 1, fw: { ...cell, numUnits: 1, outputSize: 1 } }), 4);
    const r = ok(nnapiToOnnxLstm(m));
    expect(r.plan.batchMajor).toBe(true);
    // input [B=2, T=2, I=1] = b0t0, b0t1, b1t0, b1t1
    const x = [10, 11, 20, 21];
    const feeds = onnxFeeds(r.plan, (i) => (i === r.plan.input ? x : null));
    expect(Array.from(feeds.X.data)).toEqual([10, 20, 11, 21]);
    expect(feeds.initial_h.dims).toEqual([2, 2, 1]);
    // Y[t, d, b, 0] = 1000t + 100d + b
    const Y: number[] = [];
    for (let t = 0; t < 2; t++) for (let d = 0; d < 2; d++) for (let b = 0; b < 2; b++) Y.push(1000 * t + 100 * d + b);
    const out = nnapiOutputs(r.plan, { Y, Y_h: [1, 2, 3, 4], Y_c: [5, 6, 7, 8] });
    // fw_output [B, T, 2]: (b, t) → [fw, bw]
    expect(Array.from(out[0]!.values)).toEqual([0, 100, 1000, 1100, 1, 101, 1001, 1101]);
  });

  it('per-direction states: Y_h [D, B, H] → fw / bw state outputs', () => {
    const m = synthSequenceModel(seq({ operation: 'BIDIRECTIONAL_SEQUENCE_LSTM', maxTime: 1, batchSize: 1, fw: { ...cell, numUnits: 2, outputSize: 2 } }), 5);
    const r = ok(nnapiToOnnxLstm(m));
    const out = nnapiOutputs(r.plan, { Y: [0, 0, 0, 0], Y_h: [1, 2, 3, 4], Y_c: [5, 6, 7, 8] });
    const byRole = Object.fromEntries(r.plan.outputs.map((o, k) => [o.role, Array.from(out[k]!.values)]));
    expect(byRole).toMatchObject({ fw_output_state_out: [1, 2], bw_output_state_out: [3, 4], fw_cell_state_out: [5, 6], bw_cell_state_out: [7, 8] });
  });
});

describe('model-level NNAPI rules the ONNX node cannot carry', () => {
  // ORT runs an empty batch and an ONNX model has no place for repeated model I/O or a float tensor's scale,
  // so the conversion answers these suite negatives as invalid (the driver's BAD_DATA) instead of running them.
  for (const id of ['negative/LSTM.dims.nonzero', 'negative/BIDIRECTIONAL_SEQUENCE_LSTM.dims.nonzero', 'negative/model.io.unique', 'negative/model.io.unique.outputs', 'negative/model.operand.quant_params']) {
    it(`${id} is invalid, with the operand named`, () => {
      const c = suiteCases().find((x) => x.id === id);
      expect(c, id).toBeDefined();
      const r = nnapiToOnnxLstm(c!.model);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.kind).toBe('invalid');
      expect(r.kind === 'invalid' && r.message).toMatch(/operand \d+/);
    });
  }
});
