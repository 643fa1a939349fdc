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
