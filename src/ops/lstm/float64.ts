/**
 * An independent float64 evaluation of the documented LSTM formulas (spec/LSTM.json "computation").
 * It shares no code with the float32 reference on purpose: it derives golden values for cases no
 * other implementation can express (activation sigmoid, the documented activation none) and serves
 * as an oracle in property tests. Written for clarity, not speed.
 */
import type { LstmInputName } from './operands.generated.js';

export interface F64Sizes {
  batchSize: number;
  inputSize: number;
  numUnits: number;
  outputSize: number;
}

/** Tensors by role name (row-major, null = omitted), scalars as numbers. */
export type F64Tensors = { [K in Exclude<LstmInputName, 'activation' | 'cell_clip' | 'proj_clip'>]?: ArrayLike<number> | null } & {
  activation: number;
  cell_clip: number;
  proj_clip: number;
};

export interface F64Outputs {
  outputState: Float64Array;
  cellState: Float64Array;
  output: Float64Array;
}

export function activationF64(code: number, x: number): number {
  switch (code) {
    case 0:
      return x;
    case 1:
      return Math.max(0, x);
    case 3:
      return Math.min(6, Math.max(0, x));
    case 4:
      return Math.tanh(x);
    case 6:
      return 1 / (1 + Math.exp(-x));
    default:
      throw new Error(`activation ${code} is not documented for LSTM`);
  }
}

type TensorName = Exclude<LstmInputName, 'activation' | 'cell_clip' | 'proj_clip'>;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** One LSTM step in float64. `variant: 'aosp-code'` reproduces m = o ⊙ z_c for activation 0. */
export function lstmStepF64(s: F64Sizes, t: F64Tensors, variant: 'documented' | 'aosp-code' = 'documented'): F64Outputs {
  const { batchSize: B, inputSize: I, numUnits: N, outputSize: O } = s;
  const get = (n: TensorName) => t[n] ?? null;
  const x = get('input')!;
  const hPrev = get('output_state_in')!;
  const cPrev = get('cell_state_in')!;
  const cifg = get('input_to_input_weights') === null;
  const layerNorm = get('output_layer_norm_weights') !== null;
  const projection = get('projection_weights');
  const outputState = new Float64Array(B * O);
  const cellState = new Float64Array(B * N);

  // Pre-activation of one gate for batch row b; `cellAt(n)` feeds the peephole (old or new cell).
  const gate = (wx: TensorName, wh: TensorName, bias: TensorName, peep: TensorName | null, ln: TensorName, cellAt: ((n: number) => number) | null, b: number): number[] => {
    const Wx = get(wx)!;
    const Wh = get(wh)!;
    const bb = get(bias);
    const p = peep ? get(peep) : null;
    const z: number[] = [];
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let i = 0; i < I; i++) acc += Wx[n * I + i]! * x[b * I + i]!;
      for (let o = 0; o < O; o++) acc += Wh[n * O + o]! * hPrev[b * O + o]!;
      if (p && cellAt) acc += p[n]! * cellAt(n);
      z.push(acc);
    }
    if (layerNorm) {
      const g = get(ln)!;
      const mean = z.reduce((a, v) => a + v, 0) / N;
      const variance = z.reduce((a, v) => a + (v - mean) * (v - mean), 0) / N;
      const inv = 1 / Math.sqrt(variance + 1e-8);
      return z.map((v, n) => (v - mean) * inv * g[n]! + bb![n]!);
    }
    return z.map((v, n) => v + (bb ? bb[n]! : 0));
  };

  for (let b = 0; b < B; b++) {
    const oldCell = (n: number) => cPrev[b * N + n]!;
    const zf = gate('input_to_forget_weights', 'recurrent_to_forget_weights', 'forget_gate_bias', 'cell_to_forget_weights', 'forget_layer_norm_weights', oldCell, b);
    const f = zf.map(sigmoid);
    const i = cifg
      ? f.map((v) => 1 - v)
      : gate('input_to_input_weights', 'recurrent_to_input_weights', 'input_gate_bias', 'cell_to_input_weights', 'input_layer_norm_weights', oldCell, b).map(sigmoid);
    const zc = gate('input_to_cell_weights', 'recurrent_to_cell_weights', 'cell_gate_bias', null, 'cell_layer_norm_weights', null, b);
    const c = new Float64Array(N);
    for (let n = 0; n < N; n++) {
      let v = f[n]! * cPrev[b * N + n]! + i[n]! * activationF64(t.activation, zc[n]!);
      if (t.cell_clip > 0) v = Math.min(t.cell_clip, Math.max(-t.cell_clip, v));
      c[n] = v;
    }
    const zo = gate('input_to_output_weights', 'recurrent_to_output_weights', 'output_gate_bias', 'cell_to_output_weights', 'output_layer_norm_weights', (n) => c[n]!, b);
    const m = new Float64Array(N);
    for (let n = 0; n < N; n++) {
      const cellOut = variant === 'aosp-code' && t.activation === 0 ? zc[n]! : activationF64(t.activation, c[n]!);
      m[n] = sigmoid(zo[n]!) * cellOut;
    }
    for (let n = 0; n < N; n++) cellState[b * N + n] = c[n]!;
    if (projection) {
      const pb = get('projection_bias');
      for (let r = 0; r < O; r++) {
        let acc = pb ? pb[r]! : 0;
        for (let n = 0; n < N; n++) acc += projection[r * N + n]! * m[n]!;
        if (t.proj_clip > 0) acc = Math.min(t.proj_clip, Math.max(-t.proj_clip, acc));
        outputState[b * O + r] = acc;
      }
    } else {
      for (let r = 0; r < O; r++) outputState[b * O + r] = m[r]!;
    }
  }
  return { outputState, cellState, output: outputState.slice() };
}
