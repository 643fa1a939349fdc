/**
 * An independent float64 evaluation of the ONNX LSTM equations (operator doc, opsets 7/14/22), written for
 * the golden generator: it derives the cases ONNX Runtime cannot run (double) and the "as documented" numbers
 * of recorded departures, and cross-checks every ONNX Runtime run. It is deliberately separate from the
 * reference in src/ops/onnx-lstm/ so the goldens do not test that code against itself.
 *
 *   i = f(Xt·Wiᵀ + Ht−1·Riᵀ + Pi⊙Ct−1 + Wbi + Rbi)
 *   f = f(Xt·Wfᵀ + Ht−1·Rfᵀ + Pf⊙Ct−1 + Wbf + Rbf)        (input_forget=1: f = 1 − i, ONNX Runtime)
 *   c = g(Xt·Wcᵀ + Ht−1·Rcᵀ + Wbc + Rbc)
 *   Ct = f⊙Ct−1 + i⊙c
 *   o = f(Xt·Woᵀ + Ht−1·Roᵀ + Po⊙Ct + Wbo + Rbo)
 *   Ht = o⊙h(Ct)
 * `clip` bounds each pre-activation above (after the bias); `clipCellForH` also bounds h's input (the doc's
 * literal "applied to the input of activations", which ONNX Runtime does not do).
 */
import type { OnnxActivation, OnnxLstmAttributes, OnnxLstmInputs } from '../ops/onnx-lstm/types.js';

export interface F64Options {
  /** Also clip C_t before h (the operator doc read literally). Default false (ONNX Runtime). */
  clipCellForH?: boolean;
  /** ThresholdedRelu passes x when x ≥ alpha (the doc) instead of x > alpha (ONNX Runtime). Default false. */
  thresholdInclusive?: boolean;
}

export interface F64Outputs {
  Y: { dims: number[]; data: Float64Array };
  Y_h: { dims: number[]; data: Float64Array };
  Y_c: { dims: number[]; data: Float64Array };
}

/** ONNX Runtime's values for a parameter the node leaves out (rnn_helpers.cc). */
const ORT_DEFAULTS: Record<string, { alpha: number; beta: number }> = {
  LeakyRelu: { alpha: 0.01, beta: 0 },
  HardSigmoid: { alpha: 0.2, beta: 0.5 },
  Elu: { alpha: 1, beta: 0 },
};

/** The scalar function of one activation, in double. */
export function activationF64(a: OnnxActivation, opts: F64Options = {}): (x: number) => number {
  const d = ORT_DEFAULTS[a.name] ?? { alpha: 0, beta: 0 };
  const alpha = a.alpha ?? d.alpha;
  const beta = a.beta ?? d.beta;
  switch (a.name) {
    case 'Relu':
      return (x) => Math.max(0, x);
    case 'Tanh':
      return Math.tanh;
    case 'Sigmoid':
      return (x) => 1 / (1 + Math.exp(-x));
    case 'Affine':
      return (x) => alpha * x + beta;
    case 'LeakyRelu':
      return (x) => (x >= 0 ? x : alpha * x);
    case 'ThresholdedRelu':
      return opts.thresholdInclusive ? (x) => (x >= alpha ? x : 0) : (x) => (x > alpha ? x : 0);
    case 'ScaledTanh':
      return (x) => alpha * Math.tanh(beta * x);
    case 'HardSigmoid':
      return (x) => Math.min(Math.max(alpha * x + beta, 0), 1);
    case 'Elu':
      return (x) => (x >= 0 ? x : alpha * (Math.exp(x) - 1));
    case 'Softsign':
      return (x) => x / (1 + Math.abs(x));
    case 'Softplus':
      return (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
  }
}

/** Evaluate one ONNX LSTM node in float64 (gate rows i, o, f, c; P in i, o, f; layout 0 or 1). */
export function onnxLstmF64(attrs: OnnxLstmAttributes, inputs: OnnxLstmInputs, opts: F64Options = {}): F64Outputs {
  const H = attrs.hiddenSize;
  const D = attrs.direction === 'bidirectional' ? 2 : 1;
  const [d0, d1, I] = inputs.X.dims as [number, number, number];
  const batchMajor = attrs.layout === 1;
  const S = batchMajor ? d1 : d0;
  const Bt = batchMajor ? d0 : d1;
  const xAt = (t: number, b: number, j: number): number => inputs.X.data[(batchMajor ? b * S + t : t * Bt + b) * I + j]!;
  // States are [D, B, H] (layout 0) or [B, D, H] (layout 1).
  const sIdx = (d: number, b: number, u: number): number => (batchMajor ? (b * D + d) * H + u : (d * Bt + b) * H + u);
  const yIdx = (t: number, d: number, b: number, u: number): number =>
    batchMajor ? ((b * S + t) * D + d) * H + u : ((t * D + d) * Bt + b) * H + u;
  const Y = new Float64Array(S * D * Bt * H);
  const Yh = new Float64Array(D * Bt * H);
  const Yc = new Float64Array(D * Bt * H);
  const clip = attrs.clip;
  const bound = (v: number): number => (clip === undefined ? v : Math.min(clip, Math.max(-clip, v)));
  // Gate block offsets in W/R/B rows: i, o, f, c.
  const GI = 0, GO = 1, GF = 2, GC = 3;
  for (let d = 0; d < D; d++) {
    const acts = attrs.activations.slice(3 * d, 3 * d + 3);
    const [fAct, gAct, hAct] = acts.map((a) => activationF64(a, opts)) as [(x: number) => number, (x: number) => number, (x: number) => number];
    const reverse = attrs.direction === 'reverse' || d === 1;
    const W = inputs.W.data.subarray(d * 4 * H * I, (d + 1) * 4 * H * I);
    const R = inputs.R.data.subarray(d * 4 * H * H, (d + 1) * 4 * H * H);
    const Bv = inputs.B ? inputs.B.data.subarray(d * 8 * H, (d + 1) * 8 * H) : undefined;
    const P = inputs.P ? inputs.P.data.subarray(d * 3 * H, (d + 1) * 3 * H) : undefined;
    const bias = (g: number, u: number): number => (Bv ? Bv[g * H + u]! + Bv[4 * H + g * H + u]! : 0);
    const peep = (k: number, u: number): number => (P ? P[k * H + u]! : 0);
    for (let b = 0; b < Bt; b++) {
      const len = inputs.sequence_lens ? inputs.sequence_lens.data[b]! : S;
      let h = new Float64Array(H);
      let c = new Float64Array(H);
      for (let u = 0; u < H; u++) {
        if (inputs.initial_h) h[u] = inputs.initial_h.data[sIdx(d, b, u)]!;
        if (inputs.initial_c) c[u] = inputs.initial_c.data[sIdx(d, b, u)]!;
      }
      for (let k = 0; k < len; k++) {
        const t = reverse ? len - 1 - k : k;
        const pre = (g: number, u: number): number => {
          let s = 0;
          for (let j = 0; j < I; j++) s += xAt(t, b, j) * W[(g * H + u) * I + j]!;
          for (let j = 0; j < H; j++) s += h[j]! * R[(g * H + u) * H + j]!;
          return s + bias(g, u);
        };
        const hn = new Float64Array(H);
        const cn = new Float64Array(H);
        for (let u = 0; u < H; u++) {
          const iG = fAct(bound(pre(GI, u) + peep(0, u) * c[u]!));
          const fG = attrs.inputForget === 1 ? 1 - iG : fAct(bound(pre(GF, u) + peep(2, u) * c[u]!));
          const cG = gAct(bound(pre(GC, u)));
          cn[u] = fG * c[u]! + iG * cG;
          const oG = fAct(bound(pre(GO, u) + peep(1, u) * cn[u]!));
          hn[u] = oG * hAct(opts.clipCellForH ? bound(cn[u]!) : cn[u]!);
        }
        h = hn;
        c = cn;
        for (let u = 0; u < H; u++) Y[yIdx(t, d, b, u)] = h[u]!;
      }
      // A row of length 0 ends with zero states (ONNX Runtime; the doc does not say).
      for (let u = 0; u < H; u++) {
        Yh[sIdx(d, b, u)] = len > 0 ? h[u]! : 0;
        Yc[sIdx(d, b, u)] = len > 0 ? c[u]! : 0;
      }
    }
  }
  const stateDims = batchMajor ? [Bt, D, H] : [D, Bt, H];
  return {
    Y: { dims: batchMajor ? [Bt, S, D, H] : [S, D, Bt, H], data: Y },
    Y_h: { dims: stateDims, data: Yh },
    Y_c: { dims: [...stateDims], data: Yc },
  };
}
