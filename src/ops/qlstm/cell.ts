/**
 * The integer 8x8→16 LSTM step shared by ANEURALNETWORKS_QUANTIZED_LSTM and TFLite's integer LSTM
 * kernels: int8 activations and weights, int16 gates (Q3.12 in, Q0.15 out), int16 cell state at a
 * power-of-two scale 2^k, int8 hidden state. Every decision an implementation could get wrong is a
 * function of IntegerKernel (the mutation points), as StepKernel is for the float cell.
 *
 * Order of computation (AOSP common/cpu_operations/QLSTM.cpp and TFLite lstm_eval.cc, facts §C.4):
 * forget, cell (modulation), input gates; cell update; output gate (its peephole reads the new
 * cell); hidden = o ⊙ tanh(c) requantized to int8; optional projection.
 */
import {
  applyLayerNorm,
  clamp,
  INT16_MAX,
  layerNormRound,
  logistic,
  lutSigmoid,
  lutTanhOfScale,
  mbqm,
  quantizeMultiplier,
  rdivpot,
  sat16,
  sat8,
  tanh,
  wrap,
  type QMultiplier,
} from './fixed-point.js';
import { advanceDeltaState, type AccumulatorApply, type RecurrentDeltaState } from './delta.js';

export type IntGate = 'input' | 'forget' | 'cell' | 'output';

/** Everything one gate needs, already in integer form. */
export interface IntegerGateParams {
  /** Input-to-gate weights [N, I] (raw int8) and recurrent weights [N, O]. */
  wx: ArrayLike<number>;
  wh: ArrayLike<number>;
  /**
   * Accumulator start per unit for the input matmul: bias (when added at the matmul) − zp_x·rowsum(W_x).
   * For the recurrent matmul: −zp_h·rowsum(W_h).
   */
  biasX: Int32Array;
  biasH: Int32Array;
  mx: QMultiplier;
  mh: QMultiplier;
  /** Peephole weights [N] (raw int16) and their multiplier; null without peephole (or for the cell gate). */
  peephole: ArrayLike<number> | null;
  mc: QMultiplier;
  /** Layer-norm weights [N] (raw int16), bias [N] (int32, in s_LN·2^-10 units) and scale; null without layer norm. */
  ln: ArrayLike<number> | null;
  lnBias: ArrayLike<number>;
  lnScale: QMultiplier;
  varianceLimit: number;
}

export interface IntegerCellParams {
  B: number;
  I: number;
  N: number;
  O: number;
  cifg: boolean;
  /** Cell-state scale exponent k (scale 2^k), −15 ≤ k ≤ −9. */
  cellShift: number;
  /** Quantized cell clip (0 = off). */
  cellClip: number;
  gates: { input: IntegerGateParams | null; forget: IntegerGateParams; cell: IntegerGateParams; output: IntegerGateParams };
  /** o·tanh(c) (2^-30) → hidden (scale s_h, zero point zp_h). */
  hidden: QMultiplier;
  hiddenZeroPoint: number;
  projection: {
    w: ArrayLike<number>;
    /** bias − zp_h·rowsum(W_p). */
    bias: Int32Array;
    m: QMultiplier;
    outputZeroPoint: number;
    /** Quantized projection clip (0 = off). */
    clip: number;
  } | null;
}

/** The step's mutation points. A mutant overrides one function. */
export interface IntegerKernel {
  /** The int32 → rescaled integer (MultiplyByQuantizedMultiplier, double rounding). */
  rescale(x: number, m: QMultiplier): number;
  /**
   * gate += rescale(acc) over a batch, saturating to int16 after each matmul (TFLite
   * MatrixBatchVectorMultiplyAccumulate): acc = bias[r] + Σ x·W.
   */
  matmulAccumulate(gate: Int16Array, x: ArrayLike<number>, w: ArrayLike<number>, bias: Int32Array, m: QMultiplier, B: number, nIn: number, N: number, gateName: IntGate, recurrent: boolean): void;
  /** gate += rescale(w ⊙ c), saturating. */
  peephole(gate: Int16Array, w: ArrayLike<number>, cell: ArrayLike<number>, m: QMultiplier, B: number, N: number, gateName: IntGate): void;
  layerNorm(gate: Int16Array, w: ArrayLike<number>, bias: ArrayLike<number>, scale: QMultiplier, varianceLimit: number, B: number, N: number, gateName: IntGate): void;
  /** Q3.12 → Q0.15. */
  sigmoid(x: number): number;
  /** The cell gate's tanh, Q3.12 → Q0.15. */
  tanhGate(x: number): number;
  /** tanh of the cell state (scale 2^k), → Q0.15. */
  tanhCell(c: number, cellShift: number): number;
  /** c' = f·c_prev (Q0.15 × 2^k → 2^k) + i·g (Q0.15 × Q0.15 → 2^k), saturating to int16. */
  cellUpdate(f: number, cPrev: number, i: number, g: number, cellShift: number): number;
  /** Symmetric clip of the quantized cell state (clip 0 = off; cellShift k: the state's scale is 2^k). */
  clipCell(c: number, clip: number, cellShift: number): number;
  /** int8 hidden value of o·tanh(c): rescale(o·t) + zp, saturated to int8. */
  hidden(o: number, t: number, m: QMultiplier, zeroPoint: number): number;
  /** One projected output (int8) from the accumulator. */
  project(acc: number, m: QMultiplier, outputZeroPoint: number, clip: number): number;
}

/** TFLite tensor_utils / AOSP QuantUtils arithmetic (gemmlowp sigmoid and tanh, single-rounding products). */
export const TFLITE_INTEGER_KERNEL: IntegerKernel = {
  rescale: (x, m) => mbqm(x, m.multiplier, m.shift),
  matmulAccumulate(gate, x, w, bias, m, B, nIn, N) {
    for (let b = 0; b < B; b++) {
      for (let r = 0; r < N; r++) {
        let acc = bias[r]!;
        for (let c = 0; c < nIn; c++) acc += x[b * nIn + c]! * w[r * nIn + c]!;
        acc = wrap(acc, 32);
        gate[b * N + r] = sat16(this.rescale(acc, m) + gate[b * N + r]!);
      }
    }
  },
  peephole(gate, w, cell, m, B, N) {
    for (let b = 0; b < B; b++) for (let r = 0; r < N; r++) gate[b * N + r] = sat16(this.rescale(w[r]! * cell[b * N + r]!, m) + gate[b * N + r]!);
  },
  layerNorm(gate, w, bias, scale, varianceLimit, B, N) {
    for (let b = 0; b < B; b++) applyLayerNorm(gate, b * N, N, w, bias, scale, varianceLimit, layerNormRound);
  },
  sigmoid: (x) => logistic(x, 3),
  tanhGate: (x) => tanh(x, 3),
  tanhCell: (c, k) => tanh(c, 15 + k),
  cellUpdate(f, cPrev, i, g, k) {
    const fc = wrap(rdivpot(f * cPrev, 15), 16);
    const ig = wrap(rdivpot(i * g, 30 + k), 16);
    return sat16(fc + ig);
  },
  clipCell: (c, clip) => (clip > 0 ? clamp(c, -clip, clip) : c),
  hidden(o, t, m, zp) {
    return sat8(this.rescale(o * t, m) + zp);
  },
  project(acc, m, zp, clip) {
    const v = sat8(this.rescale(wrap(acc, 32), m) + zp);
    return clip > 0 ? clamp(v, -clip, clip) : v;
  },
};

/**
 * tflite-micro's integer LSTM (tensorflow/lite/micro/kernels/lstm_eval.{h,cc}, lstm_eval_common.cc at
 * 90b983c2b3f1480642e040bbd2ddb37b998f3424): fully connected layers with the bias inside (each FC
 * saturated to int16 before the gate sum), the interpolated lookup-table sigmoid/tanh, and elementwise
 * products through MultiplyByQuantizedMultiplier (double rounding) instead of rounding shifts.
 */
export const MICRO_INTEGER_KERNEL: IntegerKernel = {
  ...TFLITE_INTEGER_KERNEL,
  matmulAccumulate(gate, x, w, bias, m, B, nIn, N) {
    for (let b = 0; b < B; b++) {
      for (let r = 0; r < N; r++) {
        let acc = bias[r]!;
        for (let c = 0; c < nIn; c++) acc += x[b * nIn + c]! * w[r * nIn + c]!;
        const fc = sat16(this.rescale(wrap(acc, 32), m));
        gate[b * N + r] = sat16(fc + gate[b * N + r]!);
      }
    }
  },
  sigmoid: (x) => lutSigmoid(x),
  tanhGate: (x) => lutTanhOfScale(x, -12),
  tanhCell: (c, k) => lutTanhOfScale(c, k),
  cellUpdate(f, cPrev, i, g, k) {
    const fc = sat16(mbqm(f * cPrev, MICRO_FORGET_MUL.multiplier, MICRO_FORGET_MUL.shift));
    const im = quantizeMultiplier(2 ** -30 / 2 ** k);
    const ig = sat16(mbqm(i * g, im.multiplier, im.shift));
    return sat16(fc + ig);
  },
};
const MICRO_FORGET_MUL = quantizeMultiplier(2 ** -15);

/**
 * Delta execution: what each built-in matmulAccumulate does after its int32 sum, keyed by the
 * function itself — so a mutant that overrides matmulAccumulate has no entry and delta mode
 * refuses it instead of silently computing something else.
 */
const DELTA_APPLY = new Map<IntegerKernel['matmulAccumulate'], AccumulatorApply>([
  [
    TFLITE_INTEGER_KERNEL.matmulAccumulate,
    (kernel, gate, acc, m, B, N) => {
      for (let k = 0; k < B * N; k++) gate[k] = sat16(kernel.rescale(acc[k]!, m) + gate[k]!);
    },
  ],
  [
    MICRO_INTEGER_KERNEL.matmulAccumulate,
    (kernel, gate, acc, m, B, N) => {
      for (let k = 0; k < B * N; k++) gate[k] = sat16(sat16(kernel.rescale(acc[k]!, m)) + gate[k]!);
    },
  ],
]);

/** Whether delta execution is defined for this kernel (its matmulAccumulate is a built-in one). */
export function supportsDelta(kernel: IntegerKernel): boolean {
  return DELTA_APPLY.has(kernel.matmulAccumulate);
}

export interface IntegerStepBuffers {
  input: Int16Array;
  forget: Int16Array;
  cell: Int16Array;
  output: Int16Array;
}

/**
 * One step over the batch. `x` [B, I] and `h` [B, O] raw int8; `c` [B, N] raw int16.
 * Returns the new cell state [B, N], the int8 hidden [B, N] (before projection) and the output [B, O].
 */
export function integerLstmStep(
  p: IntegerCellParams,
  x: ArrayLike<number>,
  h: ArrayLike<number>,
  c: ArrayLike<number>,
  kernel: IntegerKernel = TFLITE_INTEGER_KERNEL,
  opts: {
    peepholeCellForInputForget?: 'cell_state_in' | 'zeros';
    /**
     * Delta execution (opt-in): the recurrent products come from this state's int32 accumulators,
     * updated from the columns of `h` that changed since the state's last step (src/ops/qlstm/delta.ts);
     * bit-exact with the full path. Only for the built-in kernels' matmulAccumulate (supportsDelta).
     */
    delta?: RecurrentDeltaState;
  } = {},
): { cell: Int16Array; hidden: Int8Array; output: Int8Array; gates: IntegerStepBuffers } {
  const { B, I, N, O } = p;
  const buf: IntegerStepBuffers = { input: new Int16Array(B * N), forget: new Int16Array(B * N), cell: new Int16Array(B * N), output: new Int16Array(B * N) };
  const peepholeCell = opts.peepholeCellForInputForget === 'zeros' ? new Int16Array(B * N) : c;
  const delta = opts.delta;
  let applyAcc: AccumulatorApply | undefined;
  if (delta) {
    applyAcc = DELTA_APPLY.get(kernel.matmulAccumulate);
    if (!applyAcc) throw new Error('integer LSTM delta execution: the kernel overrides matmulAccumulate, for which no accumulator form is known');
    advanceDeltaState(delta, p, h);
  }
  const gate = (name: IntGate, g: IntegerGateParams, act: (v: number) => number, cellForPeephole: ArrayLike<number>) => {
    const out = buf[name];
    kernel.matmulAccumulate(out, x, g.wx, g.biasX, g.mx, B, I, N, name, false);
    if (delta) applyAcc!(kernel, out, delta.acc[name]!, g.mh, B, N);
    else kernel.matmulAccumulate(out, h, g.wh, g.biasH, g.mh, B, O, N, name, true);
    if (g.peephole) kernel.peephole(out, g.peephole, cellForPeephole, g.mc, B, N, name);
    if (g.ln) kernel.layerNorm(out, g.ln, g.lnBias, g.lnScale, g.varianceLimit, B, N, name);
    for (let k = 0; k < out.length; k++) out[k] = act(out[k]!);
  };
  const sig = (v: number) => kernel.sigmoid(v);
  gate('forget', p.gates.forget, sig, peepholeCell);
  gate('cell', p.gates.cell, (v) => kernel.tanhGate(v), peepholeCell);
  if (p.cifg) for (let k = 0; k < B * N; k++) buf.input[k] = INT16_MAX - buf.forget[k]!;
  else gate('input', p.gates.input!, sig, peepholeCell);
  const cell = new Int16Array(B * N);
  for (let k = 0; k < B * N; k++) cell[k] = kernel.clipCell(kernel.cellUpdate(buf.forget[k]!, c[k]!, buf.input[k]!, buf.cell[k]!, p.cellShift), p.cellClip, p.cellShift);
  gate('output', p.gates.output, sig, cell);
  const hidden = new Int8Array(B * N);
  for (let k = 0; k < B * N; k++) hidden[k] = kernel.hidden(buf.output[k]!, kernel.tanhCell(cell[k]!, p.cellShift), p.hidden, p.hiddenZeroPoint);
  let output: Int8Array;
  if (p.projection) {
    const pr = p.projection;
    output = new Int8Array(B * O);
    for (let b = 0; b < B; b++) {
      for (let r = 0; r < O; r++) {
        let acc = pr.bias[r]!;
        for (let n = 0; n < N; n++) acc += hidden[b * N + n]! * pr.w[r * N + n]!;
        output[b * O + r] = kernel.project(acc, pr.m, pr.outputZeroPoint, pr.clip);
      }
    }
  } else {
    output = hidden.slice(0, B * O);
  }
  return { cell, hidden, output, gates: buf };
}

/** bias[r] + zp·Σ_c W[r, c] (TFLite/AOSP PrecomputeZeroPointTimesWeightWithBias), as int32. */
export function zeroPointTimesWeight(zp: number, w: ArrayLike<number>, rows: number, cols: number, bias?: ArrayLike<number> | null): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += w[r * cols + c]!;
    out[r] = wrap((bias ? bias[r]! : 0) + zp * s, 32);
  }
  return out;
}
