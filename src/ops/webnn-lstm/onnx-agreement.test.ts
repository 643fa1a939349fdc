/**
 * The WebNN reference against the ONNX reference (src/ops/onnx-lstm, written separately): WebNN's iofg is ONNX's
 * i, o, f, c row packing and both pack peepholes i, o, f, so with the same data they agree — exactly in float64 —
 * when WebNN's output peephole reads C_t, and also with the spec's C(t−1) when the output peephole is zero.
 * With a non-zero output peephole the spec's timing differs from ONNX's.
 */
import { describe, expect, it } from 'vitest';
import { computeOnnxLstm } from '../onnx-lstm/index.js';
import { relayout, webnnLstm, type OutputPeepholeTiming, type WebnnDirection } from './index.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const steps = 4, B = 2, I = 3, H = 5;

function setup(seed: number, numDir: number, zeroOutputPeephole: boolean) {
  const r = rng(seed);
  const v = (n: number, s = 1) => Float64Array.from({ length: n }, () => Math.fround((r() * 2 - 1) * s));
  const P = v(numDir * 3 * H, 0.7);
  if (zeroOutputPeephole) for (let d = 0; d < numDir; d++) P.fill(0, d * 3 * H + H, d * 3 * H + 2 * H);
  return { X: v(steps * B * I), W: v(numDir * 4 * H * I), R: v(numDir * 4 * H * H), Wb: v(numDir * 4 * H), Rb: v(numDir * 4 * H), P, h0: v(numDir * B * H), c0: v(numDir * B * H, 2) };
}

function both(seed: number, direction: WebnnDirection, timing: OutputPeepholeTiming, zeroOutputPeephole: boolean, layout: 'iofg' | 'ifgo' = 'iofg') {
  const numDir = direction === 'both' ? 2 : 1;
  const d = setup(seed, numDir, zeroOutputPeephole);
  const B8 = new Float64Array(numDir * 8 * H);
  for (let k = 0; k < numDir; k++) {
    B8.set(d.Wb.subarray(k * 4 * H, (k + 1) * 4 * H), k * 8 * H);
    B8.set(d.Rb.subarray(k * 4 * H, (k + 1) * 4 * H), k * 8 * H + 4 * H);
  }
  const onnx = computeOnnxLstm(
    { hiddenSize: H, direction: direction === 'both' ? 'bidirectional' : direction === 'backward' ? 'reverse' : 'forward', layout: 0, inputForget: 0, activations: new Array(numDir).fill([{ name: 'Sigmoid' }, { name: 'Tanh' }, { name: 'Tanh' }]).flat() },
    {
      X: { dims: [steps, B, I], data: d.X },
      W: { dims: [numDir, 4 * H, I], data: d.W },
      R: { dims: [numDir, 4 * H, H], data: d.R },
      B: { dims: [numDir, 8 * H], data: B8 },
      P: { dims: [numDir, 3 * H], data: d.P },
      initial_h: { dims: [numDir, B, H], data: d.h0 },
      initial_c: { dims: [numDir, B, H], data: d.c0 },
    },
    { precision: 'float64' },
  );
  // ONNX's rows are i, o, f, c = WebNN iofg; for ifgo re-pack each direction's rows.
  const pack = (a: Float64Array) => {
    if (layout === 'iofg') return a;
    const out = new Float64Array(a.length);
    const per = a.length / numDir;
    for (let k = 0; k < numDir; k++) out.set(relayout('iofg', 'ifgo', a.subarray(k * per, (k + 1) * per)), k * per);
    return out;
  };
  const webnn = webnnLstm({ dims: [steps, B, I], data: d.X }, { dims: [numDir, 4 * H, I], data: pack(d.W) }, { dims: [numDir, 4 * H, H], data: pack(d.R) }, steps, H, {
    bias: { dims: [numDir, 4 * H], data: pack(d.Wb) },
    recurrentBias: { dims: [numDir, 4 * H], data: pack(d.Rb) },
    peepholeWeight: { dims: [numDir, 3 * H], data: d.P },
    initialHiddenState: { dims: [numDir, B, H], data: d.h0 },
    initialCellState: { dims: [numDir, B, H], data: d.c0 },
    returnSequence: true,
    direction,
    layout,
    precision: 'float64',
    outputPeephole: timing,
  });
  return { onnx, webnn };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, k) => Math.max(m, Math.abs(v - b[k]!)), 0);

describe('WebNN reference vs ONNX reference', () => {
  for (const direction of ['forward', 'backward', 'both'] as const) {
    for (const layout of ['iofg', 'ifgo'] as const) {
      it(`${direction}, ${layout}: with outputPeephole C_t they agree (Y, Y_h, Y_c); the spec's C(t−1) differs`, () => {
        const { onnx, webnn } = both(11, direction, 'C_t', false, layout);
        expect(maxDiff(webnn.sequence!.data, onnx.Y.data)).toBeLessThan(1e-12);
        expect(maxDiff(webnn.hidden.data, onnx.Y_h.data)).toBeLessThan(1e-12);
        expect(maxDiff(webnn.cell.data, onnx.Y_c.data)).toBeLessThan(1e-12);
        const spec = both(11, direction, 'C_prev', false, layout);
        expect(maxDiff(spec.webnn.hidden.data, spec.onnx.Y_h.data)).toBeGreaterThan(1e-4);
      });
    }
    it(`${direction}: with a zero output peephole the spec's timing agrees with ONNX too`, () => {
      const { onnx, webnn } = both(12, direction, 'C_prev', true);
      expect(maxDiff(webnn.sequence!.data, onnx.Y.data)).toBeLessThan(1e-12);
      expect(maxDiff(webnn.cell.data, onnx.Y_c.data)).toBeLessThan(1e-12);
    });
  }
});
