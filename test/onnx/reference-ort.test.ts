/**
 * The ONNX LSTM reference against ONNX Runtime (onnxruntime-node, CPU EP) on one-node models written by
 * src/onnx/writer.ts: every feature ORT runs, within the float32 harness tolerance, and the departures
 * recorded in spec/onnx/LSTM.json shown to be real. Skips when onnxruntime-node is not installed.
 * (The golden files under golden/onnx/ are generated elsewhere; this is a direct spot check.)
 */
import { describe, expect, it } from 'vitest';
import { FLOAT32_CRITERION } from '../../src/conformance/tolerance.js';
import { parseOnnxLstmAttributes } from '../../src/onnx/lstm-attributes.js';
import type { OnnxAttributeValue } from '../../src/onnx/model.js';
import { singleLstmModel, writeOnnx } from '../../src/onnx/writer.js';
import { computeOnnxLstm } from '../../src/ops/onnx-lstm/compute.js';
import type { OnnxActivation, OnnxLstmAttributes, OnnxLstmInputs, OnnxLstmTensor } from '../../src/ops/onnx-lstm/types.js';

type Ort = typeof import('onnxruntime-node');
let ort: Ort | undefined;
let why = '';
try {
  ort = await import('onnxruntime-node');
} catch (e) {
  why = String(e);
}
if (!ort) console.warn(`skipping the ONNX Runtime spot checks: onnxruntime-node did not load (${why})`);

const DEF: OnnxActivation[] = [{ name: 'Sigmoid' }, { name: 'Tanh' }, { name: 'Tanh' }];
const A = (a: Partial<OnnxLstmAttributes> = {}): OnnxLstmAttributes => ({
  hiddenSize: 3,
  direction: 'forward',
  layout: 0,
  inputForget: 0,
  activations: a.direction === 'bidirectional' ? [...DEF, ...DEF] : DEF,
  ...a,
});
function tensor(dims: number[], seed: number, scale = 1): OnnxLstmTensor {
  let s = seed >>> 0 || 1;
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let k = 0; k < data.length; k++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[k] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return { dims, data };
}
function inputs(a: OnnxLstmAttributes, S: number, B: number, I: number, opt: { bias?: boolean; peep?: boolean; init?: boolean; lens?: number[] }, seed: number): OnnxLstmInputs {
  const H = a.hiddenSize;
  const D = a.direction === 'bidirectional' ? 2 : 1;
  const inp: OnnxLstmInputs = { X: tensor([S, B, I], seed, 1.5), W: tensor([D, 4 * H, I], seed + 1, 0.7), R: tensor([D, 4 * H, H], seed + 2, 0.7) };
  if (opt.bias) inp.B = tensor([D, 8 * H], seed + 3, 0.5);
  if (opt.peep) inp.P = tensor([D, 3 * H], seed + 4, 0.7);
  if (opt.init) {
    inp.initial_h = tensor([D, B, H], seed + 5);
    inp.initial_c = tensor([D, B, H], seed + 6, 1.5);
  }
  if (opt.lens) inp.sequence_lens = { dims: [B], data: Int32Array.from(opt.lens) };
  return inp;
}

/** Run the node in ORT; `attributes` overrides the written node attributes (to write what the writer would not). */
async function runOrt(a: OnnxLstmAttributes, inp: OnnxLstmInputs, attributes?: Record<string, OnnxAttributeValue>, opset = 14): Promise<Record<'Y' | 'Y_h' | 'Y_c', Float32Array>> {
  const { X, ...constants } = inp;
  const m = singleLstmModel({ attrs: a, inputs: { xDims: X.dims, constants }, opset });
  let bytes = m.bytes;
  if (attributes) {
    m.model.graph.nodes[0]!.attributes = attributes;
    bytes = writeOnnx(m.model);
  }
  const session = await ort!.InferenceSession.create(bytes);
  const out = await session.run({ X: new ort!.Tensor('float32', Float32Array.from(X.data), X.dims) });
  return { Y: out['Y']!.data as Float32Array, Y_h: out['Y_h']!.data as Float32Array, Y_c: out['Y_c']!.data as Float32Array };
}

/** Largest excess over the harness tolerance (≤ 0 passes). */
function excess(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = -Infinity;
  for (let k = 0; k < expected.length; k++) {
    const e = expected[k]!;
    const d = Math.abs(actual[k]! - e) - (FLOAT32_CRITERION.atol + FLOAT32_CRITERION.rtol * Math.abs(e));
    worst = Math.max(worst, Number.isNaN(d) ? Infinity : d);
  }
  return worst;
}

const ACTS: OnnxActivation[] = [
  { name: 'Relu' },
  { name: 'Affine', alpha: 0.7, beta: 0.2 },
  { name: 'LeakyRelu', alpha: 0.1 },
  { name: 'ThresholdedRelu', alpha: 0.2 },
  { name: 'ScaledTanh', alpha: 1.3, beta: 0.6 },
  { name: 'HardSigmoid', alpha: 0.3, beta: 0.4 },
  { name: 'Elu', alpha: 0.8 },
  { name: 'Softsign' },
  { name: 'Softplus' },
];

describe.skipIf(!ort)('computeOnnxLstm vs onnxruntime-node (CPU)', () => {
  const cases: [string, OnnxLstmAttributes, Parameters<typeof inputs>[4], number, number, number][] = [
    ['defaults', A(), {}, 4, 2, 5],
    ['bias, peepholes, initial states', A(), { bias: true, peep: true, init: true }, 5, 2, 4],
    ['reverse', A({ direction: 'reverse' }), { bias: true, peep: true, init: true }, 5, 2, 4],
    ['bidirectional', A({ direction: 'bidirectional' }), { bias: true, peep: true, init: true }, 5, 2, 4],
    ['clip', A({ clip: 0.3 }), { bias: true, peep: true, init: true }, 5, 2, 4],
    ['input_forget', A({ inputForget: 1 }), { bias: true, peep: true, init: true }, 5, 2, 4],
    ['sequence_lens with a zero-length row', A(), { bias: true, peep: true, init: true, lens: [5, 2, 0] }, 5, 3, 4],
    ['sequence_lens reverse', A({ direction: 'reverse' }), { bias: true, init: true, lens: [3, 5, 1] }, 5, 3, 4],
    ['sequence_lens bidirectional', A({ direction: 'bidirectional' }), { bias: true, peep: true, init: true, lens: [4, 1, 5] }, 5, 3, 4],
    ['Silero-sized (H = 64, I = 64, 20 steps)', A({ hiddenSize: 64 }), { bias: true, init: true }, 20, 1, 64],
    ...ACTS.map((act): [string, OnnxLstmAttributes, Parameters<typeof inputs>[4], number, number, number] => [
      `${act.name} as g and h`,
      A({ activations: [{ name: 'Sigmoid' }, act, act] }),
      { bias: true, peep: true, init: true },
      3,
      2,
      4,
    ]),
    ...ACTS.map((act): [string, OnnxLstmAttributes, Parameters<typeof inputs>[4], number, number, number] => [
      `${act.name} as f`,
      A({ activations: [act, { name: 'Tanh' }, { name: 'Tanh' }] }),
      { bias: true, init: true },
      3,
      2,
      4,
    ]),
  ];
  for (const [name, a, opt, S, B, I] of cases) {
    it(`${name}: plain and fast paths within the float32 tolerance`, async () => {
      const inp = inputs(a, S, B, I, opt, 31);
      const want = await runOrt(a, inp);
      for (const fast of [false, true]) {
        const got = computeOnnxLstm(a, inp, { fast });
        for (const k of ['Y', 'Y_h', 'Y_c'] as const) expect(excess(got[k].data, want[k]), `${k} fast=${fast}`).toBeLessThanOrEqual(0);
      }
    });
  }

  it('opsets 7 and 22 compute as 14 does', async () => {
    const a = A({ direction: 'bidirectional' });
    const inp = inputs(a, 4, 2, 3, { bias: true, peep: true, init: true, lens: [4, 2] }, 51);
    const got = computeOnnxLstm(a, inp);
    for (const opset of [7, 22]) {
      const want = await runOrt(a, inp, undefined, opset);
      for (const k of ['Y', 'Y_h', 'Y_c'] as const) expect(excess(got[k].data, want[k]), `${k} opset ${opset}`).toBeLessThanOrEqual(0);
    }
  });

  it('clip bounds the gate pre-activations only: C_t exceeds clip and h(C_t) reads it unclipped, as in ORT (departure ORT.LSTM.clip.h_input)', async () => {
    const a = A({ clip: 0.3 });
    const inp = inputs(a, 5, 2, 4, { bias: true, peep: true, init: true }, 31);
    const want = await runOrt(a, inp);
    const got = computeOnnxLstm(a, inp);
    expect(Math.max(...Array.from(want.Y_c, Math.abs))).toBeGreaterThan(0.3);
    expect(excess(got.Y.data, want.Y)).toBeLessThanOrEqual(0);
    // Clipping h's input too (the doc's "input of activations" read literally) does not match ORT.
    expect(excess(computeOnnxLstm(a, inp, { conventions: { clip: 'all-activation-inputs' } }).Y.data, want.Y)).toBeGreaterThan(1e-3);
  });

  it('departure ORT.LSTM.activation_defaults: short alpha/beta lists — parsing with ONNX Runtime’s defaults matches ORT, the doc’s does not', async () => {
    const a = A({ activations: [{ name: 'Sigmoid' }, { name: 'Affine' }, { name: 'Tanh' }] });
    const node = { name: 'n', opType: 'LSTM', domain: '', inputs: [], outputs: [], attributes: { hidden_size: { type: 'INT', value: 3 }, activations: { type: 'STRINGS', value: ['Sigmoid', 'Affine', 'Tanh'] } } as Record<string, OnnxAttributeValue> };
    const inp = inputs(a, 3, 2, 4, { bias: true, init: true }, 41);
    const want = await runOrt(a, inp, node.attributes);
    const ortAttrs = parseOnnxLstmAttributes(node, { shortListDefaults: 'onnxruntime' }).attributes;
    const docAttrs = parseOnnxLstmAttributes(node).attributes;
    expect(excess(computeOnnxLstm(ortAttrs, inp).Y.data, want.Y)).toBeLessThanOrEqual(0);
    expect(excess(computeOnnxLstm(docAttrs, inp).Y.data, want.Y)).toBeGreaterThan(1e-3);
  });

  it('departure ORT.LSTM.thresholded_relu.comparison: a pre-activation equal to alpha gives 0 in ORT, alpha in the doc', async () => {
    // One unit, g = ThresholdedRelu(alpha = 0.5) with z_c = x·1 = 0.5 exactly; i = σ(big) ≈ 1, f = σ(−big) ≈ 0.
    const a = A({ hiddenSize: 1, activations: [{ name: 'Sigmoid' }, { name: 'ThresholdedRelu', alpha: 0.5 }, { name: 'Tanh' }] });
    const inp: OnnxLstmInputs = {
      X: { dims: [1, 1, 1], data: Float32Array.of(0.5) },
      W: { dims: [1, 4, 1], data: Float32Array.of(0, 0, 0, 1) },
      R: { dims: [1, 4, 1], data: Float32Array.of(0, 0, 0, 0) },
      B: { dims: [1, 8], data: Float32Array.of(30, 0, -30, 0, 0, 0, 0, 0) },
    };
    const want = await runOrt(a, inp);
    expect(want.Y_c[0]).toBe(0);
    expect(computeOnnxLstm(a, inp).Y_c.data[0]).toBeCloseTo(0.5, 6);
  });

  it('departure ORT.LSTM.softplus.overflow: Softplus(100) is +Infinity in ORT, 100 here', async () => {
    const a = A({ hiddenSize: 1, activations: [{ name: 'Sigmoid' }, { name: 'Softplus' }, { name: 'Tanh' }] });
    const inp: OnnxLstmInputs = {
      X: { dims: [1, 1, 1], data: Float32Array.of(100) },
      W: { dims: [1, 4, 1], data: Float32Array.of(0, 0, 0, 1) },
      R: { dims: [1, 4, 1], data: Float32Array.of(0, 0, 0, 0) },
      B: { dims: [1, 8], data: Float32Array.of(30, 0, -30, 0, 0, 0, 0, 0) },
    };
    const want = await runOrt(a, inp);
    expect(want.Y_c[0]).toBe(Infinity);
    expect(computeOnnxLstm(a, inp).Y_c.data[0]).toBeCloseTo(100, 4);
  });

  it('ORT refuses layout = 1 (runtime limit), so layout-1 goldens need the float64 derivation', async () => {
    const a = A({ layout: 1 });
    const inp = inputs(A(), 2, 1, 3, {}, 5);
    const m = singleLstmModel({ attrs: a, inputs: { xDims: [1, 2, 3], constants: { W: inp.W, R: inp.R } }, opset: 14 });
    await expect(ort!.InferenceSession.create(m.bytes)).rejects.toThrow(/layout == 1/);
  });
});
