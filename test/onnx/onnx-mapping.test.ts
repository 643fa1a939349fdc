/**
 * ONNX LSTM → NNAPI mapping (src/onnx/mapping.ts): every refusal names its attribute and a convention aspect of
 * spec/cross-format/lstm-conventions.json; every expressible node becomes a valid NNAPI model of the stated
 * feature level, and the NNAPI reference on it agrees with the ONNX reference over seeds × carried frames
 * (src/onnx/mapping-agreement.ts) — while a reference with a wrong convention does not.
 */
import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { rng, uniform } from '../../src/conformance/synth.js';
import { checkMappingAgreement } from '../../src/onnx/mapping-agreement.js';
import { mapOnnxLstmToNnapi, mappingReasons, type ConventionAspect, type ExpressibleMapping } from '../../src/onnx/mapping.js';
import { validateModel } from '../../src/ops/validate.js';
import type { OnnxActivation, OnnxDirection, OnnxLstmAttributes } from '../../src/ops/onnx-lstm/types.js';
import { fromRoot } from '../../src/util/paths.js';

type Ajv2020Ctor = typeof Ajv2020Module.default;
const Ajv2020 = ((Ajv2020Module as unknown as { default?: Ajv2020Ctor }).default ?? Ajv2020Module) as Ajv2020Ctor;

const H = 3;
const I = 2;
const t = (dims: number[], seed: number, s = 0.6) => ({ dims, data: Float32Array.from(uniform(rng(seed), dims.reduce((a, b) => a * b, 1), s)) });
const act = (name: OnnxActivation['name'], alpha?: number): OnnxActivation => (alpha === undefined ? { name } : { name, alpha });

function node(direction: OnnxDirection = 'forward', extra: Partial<OnnxLstmAttributes> = {}, g: OnnxActivation['name'] = 'Tanh') {
  const D = direction === 'bidirectional' ? 2 : 1;
  const attrs: OnnxLstmAttributes = { hiddenSize: H, direction, layout: 0, inputForget: 0, activations: Array.from({ length: 3 * D }, (_, k) => act(k % 3 === 0 ? 'Sigmoid' : g)), ...extra };
  const constants = { W: t([D, 4 * H, I], 11), R: t([D, 4 * H, H], 12), B: t([D, 8 * H], 13), P: t([D, 3 * H], 14) };
  return { attrs, constants };
}

describe('spec/cross-format/lstm-conventions.json', () => {
  const doc = JSON.parse(readFileSync(fromRoot('spec', 'cross-format', 'lstm-conventions.json'), 'utf8')) as { aspects: { id: string; nnapi: { source: unknown[] }; onnx: { source: unknown[] }; webnn: { source: unknown[] }; tflite: { source: unknown[] } }[] };
  it('validates against its schema', () => {
    const schema = JSON.parse(readFileSync(fromRoot('spec', 'schema', 'cross-format.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  });
  it('has every aspect of the issue table, each with a source for all four formats', () => {
    const ids = doc.aspects.map((a) => a.id);
    for (const id of ['gate-packing', 'bias', 'peephole', 'clip', 'coupled-gates', 'projection-layer-norm', 'activations', 'direction', 'layout-lengths', 'types']) expect(ids).toContain(id);
    for (const a of doc.aspects) for (const f of ['nnapi', 'onnx', 'webnn', 'tflite'] as const) expect(a[f].source.length, `${a.id}.${f}`).toBeGreaterThan(0);
  });
  it('names every aspect the mapping can refuse with', () => {
    const ids = new Set(doc.aspects.map((a) => a.id));
    const used: ConventionAspect[] = ['clip', 'coupled-gates', 'activations', 'layout-lengths', 'types', 'weights-constant', 'gate-packing'];
    for (const a of used) expect(ids.has(a), a).toBe(true);
  });
});

describe('mappingReasons: what NNAPI cannot express, by attribute', () => {
  const reasonOf = (attrs: OnnxLstmAttributes, constants = node().constants, shapes = {}) => mappingReasons(attrs, constants, shapes).map((r) => `${r.attribute}/${r.aspect}`);
  it('clip (activation inputs vs NNAPI cell state)', () => expect(reasonOf({ ...node().attrs, clip: 2 })).toEqual(['clip/clip']));
  it('input_forget = 1 (f = 1 − i vs NNAPI CIFG i = 1 − f)', () => {
    const r = mappingReasons({ ...node().attrs, inputForget: 1 }, node().constants);
    expect(r.map((x) => x.aspect)).toEqual(['coupled-gates']);
    expect(r[0]!.message).toMatch(/f = 1 − i.*i = 1 − f/);
  });
  it('activations NNAPI lacks: f ≠ Sigmoid, g ≠ h, parametrized or unknown functions', () => {
    const a = node().attrs;
    expect(reasonOf({ ...a, activations: [act('HardSigmoid'), act('Tanh'), act('Tanh')] })).toEqual(['activations/activations']);
    expect(reasonOf({ ...a, activations: [act('Sigmoid'), act('Tanh'), act('Relu')] })).toEqual(['activations/activations']);
    expect(reasonOf({ ...a, activations: [act('Sigmoid'), act('LeakyRelu', 0.1), act('LeakyRelu', 0.1)] })).toEqual(['activations/activations']);
    expect(reasonOf({ ...a, activations: [act('Sigmoid'), act('Affine', 1), act('Affine', 1)] })).toEqual(['activations/activations']);
  });
  it('per-direction activations that differ', () => {
    const { attrs } = node('bidirectional');
    const r = mappingReasons({ ...attrs, activations: [act('Sigmoid'), act('Tanh'), act('Tanh'), act('Sigmoid'), act('Relu'), act('Relu')] }, node('bidirectional').constants);
    expect(r).toHaveLength(1);
    expect(r[0]!.message).toMatch(/per-direction activations differ/);
  });
  it('sequence_lens unless every length is seq_length', () => {
    const lens = (xs: number[]) => ({ ...node().constants, sequence_lens: { dims: [xs.length], data: Int32Array.from(xs) } });
    expect(reasonOf(node().attrs, lens([4, 2]), { X: [4, 2, I] })).toEqual(['sequence_lens/layout-lengths']);
    expect(reasonOf(node().attrs, lens([4, 4]), { X: [4, 2, I] })).toEqual([]);
    expect(reasonOf(node().attrs, node().constants, { runtimeInputs: ['sequence_lens'] })).toEqual(['sequence_lens/layout-lengths']);
  });
  it('non-constant weights and float64', () => {
    expect(reasonOf(node().attrs, node().constants, { runtimeInputs: ['W', 'B'] })).toEqual(['W/weights-constant', 'B/weights-constant']);
    expect(reasonOf(node().attrs, node().constants, { dataType: 'DOUBLE' })).toEqual(['T/types']);
  });
  it('layout 1 is expressible (time_major false); several reasons are all listed', () => {
    expect(reasonOf({ ...node().attrs, layout: 1 })).toEqual([]);
    expect(reasonOf({ ...node().attrs, clip: 1, inputForget: 1 }, node().constants, { dataType: 'DOUBLE' })).toEqual(['clip/clip', 'input_forget/coupled-gates', 'T/types']);
  });
});

describe('mapOnnxLstmToNnapi: the NNAPI model with the node weights, and its agreement with the ONNX reference', () => {
  const cases: { direction: OnnxDirection; layout: 0 | 1; g: OnnxActivation['name']; op: string; activation: number }[] = [
    { direction: 'forward', layout: 0, g: 'Tanh', op: 'UNIDIRECTIONAL_SEQUENCE_LSTM', activation: 4 },
    { direction: 'forward', layout: 1, g: 'Relu', op: 'UNIDIRECTIONAL_SEQUENCE_LSTM', activation: 1 },
    { direction: 'reverse', layout: 0, g: 'Sigmoid', op: 'BIDIRECTIONAL_SEQUENCE_LSTM', activation: 6 },
    { direction: 'bidirectional', layout: 0, g: 'Tanh', op: 'BIDIRECTIONAL_SEQUENCE_LSTM', activation: 4 },
    { direction: 'bidirectional', layout: 1, g: 'Tanh', op: 'BIDIRECTIONAL_SEQUENCE_LSTM', activation: 4 },
  ];
  for (const c of cases) {
    it(`${c.direction}, layout ${c.layout}, g = h = ${c.g} (peepholes): ${c.op}, valid, agrees over 3 seeds × 6 frames`, () => {
      const { attrs, constants } = node(c.direction, { layout: c.layout }, c.g);
      const X = c.layout === 0 ? [4, 2, I] : [2, 4, I];
      const m = mapOnnxLstmToNnapi(attrs, constants, { X });
      expect(m.expressible).toBe(true);
      const em = m as ExpressibleMapping;
      expect(em.operation).toBe(c.op);
      expect(em.activation).toBe(c.activation);
      expect(em.timeMajor).toBe(c.layout === 0);
      const v = validateModel(em.model!);
      expect(v.ok, JSON.stringify(v)).toBe(true);
      // The state outputs Y_h / Y_c need feature level 4 (API 30); without them the sequence ops are level 3.
      expect(em.featureLevel).toBe(4);
      if (v.ok) expect(v.featureLevel).toBe(4);
      const a = checkMappingAgreement(attrs, constants, em, { frames: 6 });
      expect(a.status, a.summary).toBe('pass');
      expect(a.stats!.maxRatio).toBeLessThanOrEqual(1);
      expect(a.perSeed).toHaveLength(3);
    });
  }

  it('Y only: feature level 3, and the model validates at level 3', () => {
    const { attrs, constants } = node();
    const m = mapOnnxLstmToNnapi(attrs, constants, { X: [3, 1, I], outputsUsed: { Y: true, Y_h: false, Y_c: false } }) as ExpressibleMapping;
    expect(m.featureLevel).toBe(3);
    const v = validateModel(m.model!);
    expect(v.ok && v.featureLevel).toBe(3);
    expect(checkMappingAgreement(attrs, constants, m, { frames: 3 }).status).toBe('pass');
  });

  it('gate rows are un-packed i, o, f, c → NNAPI i, f, c, o and P [i, o, f] → cell_to_input/output/forget', () => {
    const { attrs, constants } = node();
    const m = mapOnnxLstmToNnapi(attrs, constants, { X: [1, 1, I] }) as ExpressibleMapping;
    const byName = new Map(m.model!.operands.map((o) => [o.name, o]));
    const rows = (g: number) => Array.from(constants.W.data.slice(g * H * I, (g + 1) * H * I));
    expect(byName.get('input_to_input_weights')!.values).toEqual(rows(0));
    expect(byName.get('input_to_output_weights')!.values).toEqual(rows(1));
    expect(byName.get('input_to_forget_weights')!.values).toEqual(rows(2));
    expect(byName.get('input_to_cell_weights')!.values).toEqual(rows(3));
    const p = (k: number) => Array.from(constants.P.data.slice(k * H, (k + 1) * H));
    expect(byName.get('cell_to_input_weights')!.values).toEqual(p(0));
    expect(byName.get('cell_to_output_weights')!.values).toEqual(p(1));
    expect(byName.get('cell_to_forget_weights')!.values).toEqual(p(2));
    const bias = Array.from({ length: H }, (_, u) => Math.fround(constants.B.data[2 * H + u]! + constants.B.data[4 * H + 2 * H + u]!));
    expect(byName.get('forget_gate_bias')!.values).toEqual(bias);
  });

  for (const [what, conventions] of [
    ['gate order i, f, c, o', { gateOrder: 'ifco' }],
    ['peephole order i, f, o', { peepholeOrder: 'ifo' }],
    ['output-gate peephole on C(t−1)', { outputPeephole: 'C_prev' }],
  ] as const) {
    it(`a reference with the wrong ${what} disagrees with the mapped NNAPI model`, () => {
      const { attrs, constants } = node();
      const m = mapOnnxLstmToNnapi(attrs, constants, { X: [3, 1, I] }) as ExpressibleMapping;
      const a = checkMappingAgreement(attrs, constants, m, { frames: 3, reference: { conventions } });
      expect(a.status).toBe('fail');
      expect(a.stats!.maxRatio).toBeGreaterThan(1);
    });
  }
});
