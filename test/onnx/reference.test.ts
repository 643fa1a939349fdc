import { describe, expect, it } from 'vitest';
import { computeOnnxLstm } from '../../src/ops/onnx-lstm/compute.js';
import type { OnnxActivation, OnnxLstmAttributes, OnnxLstmInputs, OnnxLstmTensor } from '../../src/ops/onnx-lstm/types.js';
import { FLOAT32_CRITERION } from '../../src/conformance/tolerance.js';
import { oracleLstm } from './reference-oracle.js';

const DEF: OnnxActivation[] = [{ name: 'Sigmoid' }, { name: 'Tanh' }, { name: 'Tanh' }];
const attrs = (a: Partial<OnnxLstmAttributes> = {}): OnnxLstmAttributes => ({
  hiddenSize: 2,
  direction: 'forward',
  layout: 0,
  inputForget: 0,
  activations: a.direction === 'bidirectional' ? [...DEF, ...DEF] : DEF,
  ...a,
});

/** Deterministic pseudo-random tensor in [−scale, scale). */
function tensor(dims: number[], seed: number, scale = 1): OnnxLstmTensor {
  let s = seed >>> 0 || 1;
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[k] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return { dims, data };
}

function inputs(a: OnnxLstmAttributes, S: number, B: number, I: number, opt: { bias?: boolean; peep?: boolean; init?: boolean; lens?: number[] } = {}, seed = 7): OnnxLstmInputs {
  const H = a.hiddenSize;
  const D = a.direction === 'bidirectional' ? 2 : 1;
  const inp: OnnxLstmInputs = { X: tensor([S, B, I], seed), W: tensor([D, 4 * H, I], seed + 1, 0.6), R: tensor([D, 4 * H, H], seed + 2, 0.6) };
  if (opt.bias) inp.B = tensor([D, 8 * H], seed + 3, 0.5);
  if (opt.peep) inp.P = tensor([D, 3 * H], seed + 4, 0.5);
  if (opt.init) {
    inp.initial_h = tensor([D, B, H], seed + 5);
    inp.initial_c = tensor([D, B, H], seed + 6);
  }
  if (opt.lens) inp.sequence_lens = { dims: [B], data: Int32Array.from(opt.lens) };
  return inp;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) {
    const e = expected[k]!;
    const tol = FLOAT32_CRITERION.atol + FLOAT32_CRITERION.rtol * Math.abs(e);
    if (!(Math.abs(actual[k]! - e) <= tol)) expect.fail(`element ${k}: ${actual[k]} vs ${e} (tol ${tol})`);
  }
}

describe('computeOnnxLstm: hand-computed', () => {
  it('one step, one unit: the doc equations with gate rows i, o, f, c', () => {
    // W rows i, o, f, c = 0.1, 0.2, 0.3, 0.4; R rows 0.5 … 0.8; Wb 0.01…0.04, Rb 0.05…0.08; P i, o, f = 0.9, 1.0, 1.1.
    const a = attrs({ hiddenSize: 1 });
    const inp: OnnxLstmInputs = {
      X: { dims: [1, 1, 1], data: Float32Array.of(2) },
      W: { dims: [1, 4, 1], data: Float32Array.of(0.1, 0.2, 0.3, 0.4) },
      R: { dims: [1, 4, 1], data: Float32Array.of(0.5, 0.6, 0.7, 0.8) },
      B: { dims: [1, 8], data: Float32Array.of(0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08) },
      P: { dims: [1, 3], data: Float32Array.of(0.9, 1.0, 1.1) },
      initial_h: { dims: [1, 1, 1], data: Float32Array.of(0.5) },
      initial_c: { dims: [1, 1, 1], data: Float32Array.of(-0.25) },
    };
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    const x = 2, h = 0.5, c = -0.25;
    const i = sig(x * 0.1 + h * 0.5 + 0.01 + 0.05 + 0.9 * c);
    const f = sig(x * 0.3 + h * 0.7 + 0.03 + 0.07 + 1.1 * c);
    const g = Math.tanh(x * 0.4 + h * 0.8 + 0.04 + 0.08);
    const C = f * c + i * g;
    const o = sig(x * 0.2 + h * 0.6 + 0.02 + 0.06 + 1.0 * C); // output peephole reads C_t
    const H = o * Math.tanh(C);
    const out = computeOnnxLstm(a, inp);
    expectClose(out.Y.data, [H]);
    expectClose(out.Y_h.data, [H]);
    expectClose(out.Y_c.data, [C]);
    expect(out.Y.dims).toEqual([1, 1, 1, 1]);
    expect(out.Y_h.dims).toEqual([1, 1, 1]);
    expect(out.Y.data).toBeInstanceOf(Float32Array);
  });
});

describe('computeOnnxLstm: against the float64 oracle', () => {
  const cases: [string, OnnxLstmAttributes, Parameters<typeof inputs>[4]][] = [
    ['defaults', attrs(), {}],
    ['bias, peepholes, initial states', attrs({ hiddenSize: 3 }), { bias: true, peep: true, init: true }],
    ['reverse', attrs({ hiddenSize: 3, direction: 'reverse' }), { bias: true, peep: true, init: true }],
    ['bidirectional', attrs({ hiddenSize: 3, direction: 'bidirectional' }), { bias: true, peep: true, init: true }],
    ['clip', attrs({ hiddenSize: 3, clip: 0.4 }), { bias: true, peep: true, init: true }],
    ['input_forget', attrs({ hiddenSize: 3, inputForget: 1 }), { bias: true, peep: true, init: true }],
    ['sequence_lens', attrs({ hiddenSize: 3 }), { bias: true, init: true, lens: [5, 3, 0] }],
    ['sequence_lens reverse', attrs({ hiddenSize: 3, direction: 'reverse' }), { bias: true, init: true, lens: [2, 5, 1] }],
    ['sequence_lens bidirectional', attrs({ hiddenSize: 2, direction: 'bidirectional' }), { bias: true, peep: true, init: true, lens: [4, 1, 5] }],
  ];
  for (const [name, a, opt] of cases) {
    it(name, () => {
      const inp = inputs(a, 5, 3, 4, opt);
      const want = oracleLstm(a, inp);
      for (const precision of ['float32', 'float64'] as const) {
        for (const fast of precision === 'float32' ? [false, true] : [false]) {
          const got = computeOnnxLstm(a, inp, { precision, fast });
          expectClose(got.Y.data, want.Y);
          expectClose(got.Y_h.data, want.Y_h);
          expectClose(got.Y_c.data, want.Y_c);
        }
      }
    });
  }
});

describe('activations with alpha/beta', () => {
  // Use each activation as g and h with f = Sigmoid, one unit, one step: H = σ(z_o)·h(σ(z_f)·C0 + σ(z_i)·g(z_c)).
  const cases: [OnnxActivation, (x: number) => number][] = [
    [{ name: 'Relu' }, (x) => Math.max(0, x)],
    [{ name: 'Tanh' }, Math.tanh],
    [{ name: 'Sigmoid' }, (x) => 1 / (1 + Math.exp(-x))],
    [{ name: 'Affine', alpha: 0.7, beta: -0.2 }, (x) => 0.7 * x - 0.2],
    [{ name: 'LeakyRelu', alpha: 0.1 }, (x) => (x >= 0 ? x : 0.1 * x)],
    [{ name: 'ThresholdedRelu', alpha: 0.3 }, (x) => (x >= 0.3 ? x : 0)],
    [{ name: 'ScaledTanh', alpha: 1.5, beta: 0.5 }, (x) => 1.5 * Math.tanh(0.5 * x)],
    [{ name: 'HardSigmoid', alpha: 0.4, beta: 0.6 }, (x) => Math.min(Math.max(0.4 * x + 0.6, 0), 1)],
    [{ name: 'Elu', alpha: 0.9 }, (x) => (x >= 0 ? x : 0.9 * (Math.exp(x) - 1))],
    [{ name: 'Softsign' }, (x) => x / (1 + Math.abs(x))],
    [{ name: 'Softplus' }, (x) => Math.log(1 + Math.exp(x))],
  ];
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  for (const [act, fn] of cases) {
    it(`${act.name}${act.alpha !== undefined ? ` α=${act.alpha}` : ''}${act.beta !== undefined ? ` β=${act.beta}` : ''} as g and h, and as f`, () => {
      for (const x of [-1.3, -0.2, 0.45, 1.7]) {
        const inp: OnnxLstmInputs = {
          X: { dims: [1, 1, 1], data: Float32Array.of(x) },
          W: { dims: [1, 4, 1], data: Float32Array.of(1, 0.5, -0.75, 1) },
          R: { dims: [1, 4, 1], data: Float32Array.of(0, 0, 0, 0) },
          initial_c: { dims: [1, 1, 1], data: Float32Array.of(0.6) },
        };
        const xf = Math.fround(x);
        const C = sig(-0.75 * xf) * 0.6 + sig(xf) * fn(xf);
        const want = sig(0.5 * xf) * fn(C);
        const got = computeOnnxLstm(attrs({ hiddenSize: 1, activations: [{ name: 'Sigmoid' }, act, act] }), inp);
        expectClose(got.Y_c.data, [C]);
        expectClose(got.Y_h.data, [want]);
        // as f (for i, f and o)
        const Cf = fn(-0.75 * xf) * 0.6 + fn(xf) * Math.tanh(xf);
        const gotF = computeOnnxLstm(attrs({ hiddenSize: 1, activations: [act, { name: 'Tanh' }, { name: 'Tanh' }] }), inp);
        expectClose(gotF.Y_c.data, [Cf]);
        expectClose(gotF.Y_h.data, [fn(0.5 * xf) * Math.tanh(Cf)]);
      }
    });
  }
  it('an activation without alpha/beta takes the like-named ONNX operator’s default', () => {
    const inp: OnnxLstmInputs = {
      X: { dims: [1, 1, 1], data: Float32Array.of(0.5) },
      W: { dims: [1, 4, 1], data: Float32Array.of(1, 1, 1, 1) },
      R: { dims: [1, 4, 1], data: Float32Array.of(0, 0, 0, 0) },
    };
    const withDefault = computeOnnxLstm(attrs({ hiddenSize: 1, activations: [{ name: 'Sigmoid' }, { name: 'ThresholdedRelu' }, { name: 'Tanh' }] }), inp);
    const explicit = computeOnnxLstm(attrs({ hiddenSize: 1, activations: [{ name: 'Sigmoid' }, { name: 'ThresholdedRelu', alpha: 1 }, { name: 'Tanh' }] }), inp);
    expect(Array.from(withDefault.Y.data)).toEqual(Array.from(explicit.Y.data));
    expect(withDefault.Y_c.data[0]).toBe(0); // 0.5 < alpha = 1
  });
});

describe('float32 exactness', () => {
  it('sums x·W left to right, then h·R, adds them, then the peephole, then the pre-summed bias, rounding each step', () => {
    // Values chosen so float32 rounding order matters; recompute the input gate's pre-activation by hand with Math.fround.
    const f = Math.fround;
    const x = [1e4, 3.3, -1e4, 0.7].map(f);
    const w = [1.1, 2.2, 1.1, -0.3].map(f);
    const h = [0.31, -0.77].map(f);
    const r = [0.9, 1.3].map(f);
    const wb = f(0.013), rb = f(-0.29), p = f(0.5), c = f(-0.4);
    let sx = 0;
    for (let j = 0; j < 4; j++) sx = f(sx + f(x[j]! * w[j]!));
    let sh = 0;
    for (let j = 0; j < 2; j++) sh = f(sh + f(h[j]! * r[j]!));
    let z = f(sx + sh);
    z = f(z + f(p * c));
    z = f(z + f(wb + rb));
    const iGate = f(1 / (1 + Math.exp(-z)));
    // Make the other gates trivial: o's rows zero and bias 40 (σ = 1), f's rows zero and bias −40 (σ ≈ 0), c's rows zero with bias 1 (g = tanh 1).
    const H = 2;
    const W = new Float32Array(4 * H * 4);
    const R = new Float32Array(4 * H * H);
    W.set(w, 0); // unit 0 of gate i
    R.set(r, 0);
    const B = new Float32Array(8 * H);
    B[0] = wb; B[4 * H] = rb;
    B[H] = 40; B[2 * H] = -40; B[3 * H] = 1; B[3 * H + 1] = 1;
    const P = new Float32Array(3 * H);
    P[0] = p;
    const out = computeOnnxLstm(attrs({ hiddenSize: H }), {
      X: { dims: [1, 1, 4], data: Float32Array.from(x) },
      W: { dims: [1, 4 * H, 4], data: W },
      R: { dims: [1, 4 * H, H], data: R },
      B: { dims: [1, 8 * H], data: B },
      P: { dims: [1, 3 * H], data: P },
      initial_h: { dims: [1, 1, H], data: Float32Array.from(h) },
      initial_c: { dims: [1, 1, H], data: Float32Array.of(c, 0) },
    });
    const fGate = f(1 / (1 + Math.exp(40)));
    const g = f(Math.tanh(1));
    const C0 = f(f(fGate * c) + f(iGate * g));
    expect(out.Y_c.data[0]).toBe(C0);
    expect(out.Y_h.data[0]).toBe(f(f(1 / (1 + Math.exp(-40))) * f(Math.tanh(C0))));
    // The float64 path differs from this float32 result in the last bits (the sums cancel).
    const d = computeOnnxLstm(attrs({ hiddenSize: H }), {
      X: { dims: [1, 1, 4], data: Float32Array.from(x) }, W: { dims: [1, 4 * H, 4], data: W }, R: { dims: [1, 4 * H, H], data: R },
      B: { dims: [1, 8 * H], data: B }, P: { dims: [1, 3 * H], data: P },
      initial_h: { dims: [1, 1, H], data: Float32Array.from(h) }, initial_c: { dims: [1, 1, H], data: Float32Array.of(c, 0) },
    }, { precision: 'float64' });
    expect(d.Y_c.data).toBeInstanceOf(Float64Array);
    expect(d.Y_c.data[0]).not.toBe(C0);
  });
});

describe('layout 1', () => {
  it('equals layout 0 on the transposed X and states, with Y, Y_h, Y_c transposed back', () => {
    for (const direction of ['forward', 'reverse', 'bidirectional'] as const) {
      const a0 = attrs({ hiddenSize: 3, direction });
      const S = 4, B = 3, I = 2, H = 3, D = direction === 'bidirectional' ? 2 : 1;
      const i0 = inputs(a0, S, B, I, { bias: true, peep: true, init: true, lens: [4, 2, 3] }, 21);
      const tr = (t: OnnxLstmTensor, d0: number, d1: number, rest: number): OnnxLstmTensor => {
        const out = new Float32Array(t.data.length);
        for (let p = 0; p < d0; p++) for (let q = 0; q < d1; q++) out.set(t.data.subarray((p * d1 + q) * rest, (p * d1 + q + 1) * rest), (q * d0 + p) * rest);
        return { dims: [t.dims[1]!, t.dims[0]!, ...t.dims.slice(2)], data: out };
      };
      const i1: OnnxLstmInputs = { ...i0, X: tr(i0.X, S, B, I), initial_h: tr(i0.initial_h!, D, B, H), initial_c: tr(i0.initial_c!, D, B, H) };
      const o0 = computeOnnxLstm(a0, i0);
      for (const fast of [false, true]) {
        const o1 = computeOnnxLstm({ ...a0, layout: 1 }, i1, { fast });
        expect(o1.Y.dims).toEqual([B, S, D, H]);
        expect(o1.Y_h.dims).toEqual([B, D, H]);
        // Y layout 0 [S, D, B, H] → [B, S, D, H]
        const y = new Float32Array(o0.Y.data.length);
        for (let t = 0; t < S; t++) for (let d = 0; d < D; d++) for (let b = 0; b < B; b++) for (let u = 0; u < H; u++) y[((b * S + t) * D + d) * H + u] = o0.Y.data[((t * D + d) * B + b) * H + u]!;
        expectClose(o1.Y.data, y);
        expectClose(o1.Y_h.data, tr(o0.Y_h as OnnxLstmTensor, D, B, H).data);
        expectClose(o1.Y_c.data, tr(o0.Y_c as OnnxLstmTensor, D, B, H).data);
      }
    }
  });
});

describe('shape errors', () => {
  it('throws OnnxLstmShapeError naming the spec rule', () => {
    const a = attrs();
    const good = inputs(a, 2, 1, 3);
    expect(() => computeOnnxLstm(a, { ...good, W: { dims: [1, 7, 3], data: new Float32Array(21) } })).toThrow(/ONNX\.LSTM\.W\.shape/);
    expect(() => computeOnnxLstm(a, { ...good, sequence_lens: { dims: [1], data: Int32Array.of(3) } })).toThrow(/ONNX\.LSTM\.sequence_lens\.range/);
    expect(() => computeOnnxLstm({ ...a, activations: DEF.slice(0, 2) }, good)).toThrow(/ONNX\.LSTM\.attr\.activations\.count/);
    expect(() => computeOnnxLstm(a, good, { fast: true, precision: 'float64' })).toThrow(/float32 only/);
  });
});
