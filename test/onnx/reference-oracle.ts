/**
 * An independent float64 reading of the ONNX LSTM doc's equations, for tests: written straight from the
 * formulas with nested arrays, sharing no code with src/ops/onnx-lstm (only the types). Layout 0 only
 * (tests transpose for layout 1). Zero-length rows follow ONNX Runtime (final states zero).
 */
import type { OnnxActivation, OnnxLstmAttributes, OnnxLstmInputs } from '../../src/ops/onnx-lstm/types.js';

function act(a: OnnxActivation, x: number): number {
  const al = a.alpha;
  const be = a.beta;
  switch (a.name) {
    case 'Relu': return Math.max(0, x);
    case 'Tanh': return Math.tanh(x);
    case 'Sigmoid': return 1 / (1 + Math.exp(-x));
    case 'Affine': return (al ?? 1) * x + (be ?? 0);
    case 'LeakyRelu': return x >= 0 ? x : (al ?? 0.01) * x;
    case 'ThresholdedRelu': return x >= (al ?? 1) ? x : 0;
    case 'ScaledTanh': return (al ?? 1) * Math.tanh((be ?? 1) * x);
    case 'HardSigmoid': return Math.min(Math.max((al ?? 0.2) * x + (be ?? 0.5), 0), 1);
    case 'Elu': return x >= 0 ? x : (al ?? 1) * (Math.exp(x) - 1);
    case 'Softsign': return x / (1 + Math.abs(x));
    case 'Softplus': return Math.log(1 + Math.exp(x));
  }
}

/** Y [S, D, B, H], Y_h and Y_c [D, B, H] as flat Float64Arrays. */
export function oracleLstm(attrs: OnnxLstmAttributes, inp: OnnxLstmInputs): { Y: Float64Array; Y_h: Float64Array; Y_c: Float64Array } {
  if (attrs.layout !== 0) throw new Error('oracle: layout 0 only');
  const [S, B, I] = inp.X.dims as [number, number, number];
  const H = attrs.hiddenSize;
  const D = attrs.direction === 'bidirectional' ? 2 : 1;
  const X = (t: number, b: number, j: number) => inp.X.data[(t * B + b) * I + j]!;
  // W[d][gate k in i,o,f,c][u][j]
  const W = (d: number, k: number, u: number, j: number) => inp.W.data[((d * 4 + k) * H + u) * I + j]!;
  const R = (d: number, k: number, u: number, j: number) => inp.R.data[((d * 4 + k) * H + u) * H + j]!;
  const Wb = (d: number, k: number, u: number) => (inp.B ? inp.B.data[d * 8 * H + k * H + u]! : 0);
  const Rb = (d: number, k: number, u: number) => (inp.B ? inp.B.data[d * 8 * H + (4 + k) * H + u]! : 0);
  const P = (d: number, k: number, u: number) => (inp.P ? inp.P.data[d * 3 * H + k * H + u]! : 0); // k: 0 i, 1 o, 2 f
  const Y = new Float64Array(S * D * B * H);
  const Yh = new Float64Array(D * B * H);
  const Yc = new Float64Array(D * B * H);
  const clip = (v: number) => (attrs.clip === undefined ? v : Math.min(Math.max(v, -attrs.clip), attrs.clip));
  for (let d = 0; d < D; d++) {
    const [f, g, h] = attrs.activations.slice(3 * d, 3 * d + 3) as [OnnxActivation, OnnxActivation, OnnxActivation];
    const reverse = attrs.direction === 'reverse' || d === 1;
    for (let b = 0; b < B; b++) {
      const len = inp.sequence_lens ? inp.sequence_lens.data[b]! : S;
      let Hs = Array.from({ length: H }, (_, u) => (inp.initial_h ? inp.initial_h.data[(d * B + b) * H + u]! : 0));
      let Cs = Array.from({ length: H }, (_, u) => (inp.initial_c ? inp.initial_c.data[(d * B + b) * H + u]! : 0));
      for (let k = 0; k < len; k++) {
        const t = reverse ? len - 1 - k : k;
        const pre = (gate: number, u: number) => {
          let s = Wb(d, gate, u) + Rb(d, gate, u);
          for (let j = 0; j < I; j++) s += X(t, b, j) * W(d, gate, u, j);
          for (let j = 0; j < H; j++) s += Hs[j]! * R(d, gate, u, j);
          return s;
        };
        const it = Hs.map((_, u) => act(f, clip(pre(0, u) + P(d, 0, u) * Cs[u]!)));
        const ft = Hs.map((_, u) => (attrs.inputForget ? 1 - it[u]! : act(f, clip(pre(2, u) + P(d, 2, u) * Cs[u]!))));
        const ct = Hs.map((_, u) => act(g, clip(pre(3, u))));
        const Cn = Cs.map((c, u) => ft[u]! * c + it[u]! * ct[u]!);
        const ot = Hs.map((_, u) => act(f, clip(pre(1, u) + P(d, 1, u) * Cn[u]!)));
        Hs = Cn.map((c, u) => ot[u]! * act(h, c));
        Cs = Cn;
        for (let u = 0; u < H; u++) Y[((t * D + d) * B + b) * H + u] = Hs[u]!;
      }
      for (let u = 0; u < H; u++) {
        Yh[(d * B + b) * H + u] = len > 0 ? Hs[u]! : 0;
        Yc[(d * B + b) * H + u] = len > 0 ? Cs[u]! : 0;
      }
    }
  }
  return { Y, Y_h: Yh, Y_c: Yc };
}
