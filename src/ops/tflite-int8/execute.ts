/**
 * TFLite's integer 8x8→16 LSTM (LSTM or UNIDIRECTIONAL_SEQUENCE_LSTM with int8 input, int8 weights,
 * int16 cell state and 5 intermediates; tflite facts §9) on a `.tflite` operator's own tensors.
 *
 * Two named variants, which differ in the last bits:
 * - `tflite-micro` (default): tflite-micro's kernel at 90b983c2b3f1480642e040bbd2ddb37b998f3424
 *   (lstm_eval.{h,cc}, lstm_eval_common.cc): effective scales computed in double from the float32
 *   tensor scales, gate pre-activations through FullyConnected (bias inside, each FC saturated to
 *   int16), lookup-table sigmoid/tanh (sigmoid_table_uint16), elementwise products through
 *   MultiplyByQuantizedMultiplier, the hidden state requantized with the output state's scale and
 *   zero point (+zp). No CIFG, peephole, projection or layer norm (tflite-micro rejects them).
 *   This is what produced the DTLN golden.
 * - `tflite`: TFLite's tensor_utils arithmetic (the same as AOSP's QUANTIZED_LSTM): gemmlowp
 *   fixed-point sigmoid/tanh, rounding-shift products, float32 effective scales, gate scale 2^-12
 *   without layer norm (the intermediates' scales with it), hidden scale/zero point from
 *   intermediate 4; peephole, CIFG, projection and layer norm supported.
 *
 * The activation option is ignored (the integer kernels always use tanh), as in TFLite.
 */
import type { Model, Operand } from '../../model/model.js';
import { LSTM_IN, type LstmInputName } from '../lstm/operands.generated.js';
import { checkedLog2, quantizeMultiplier, type QMultiplier } from '../qlstm/fixed-point.js';
import { createDeltaState, type DeltaCounters, type RecurrentDeltaState } from '../qlstm/delta.js';
import { integerLstmStep, MICRO_INTEGER_KERNEL, TFLITE_INTEGER_KERNEL, zeroPointTimesWeight, type IntegerCellParams, type IntegerGateParams, type IntegerKernel, type IntGate } from '../qlstm/cell.js';

export type TfliteIntegerVariant = 'tflite-micro' | 'tflite';
export const TFLITE_INTEGER_VARIANTS: readonly TfliteIntegerVariant[] = ['tflite-micro', 'tflite'];

const f = Math.fround;

/** Quantization of one intermediate tensor (scale, zero point), or null when unquantized. */
export interface IntermediateQuant {
  scale: number;
  zeroPoint: number;
}

export interface TfliteInt8Op {
  /** The op mapped to NNAPI operands (src/tflite/mapping.ts): raw integer values, scales, zero points. */
  model: Model;
  /** intermediates[0..4] quantization (gate scales ×4, effective hidden). */
  intermediates: (IntermediateQuant | null)[];
  sequence: boolean;
  timeMajor: boolean;
  cellClip: number;
  projClip: number;
}

export interface TfliteInt8Options {
  variant?: TfliteIntegerVariant;
  /** Replaces the variant's kernel (mutation point). */
  kernel?: IntegerKernel;
  /** Sign of the hidden zero point when requantizing o·tanh(c) (−1 reproduces the old TFLite WASM runtime's bug). */
  hiddenZeroPointSign?: 1 | -1;
  /**
   * Delta execution (opt-in, default off): the recurrent products W_h·h_{t−1} are int32 accumulators per
   * gate, updated each step from the columns where the quantized recurrent input changed
   * (src/ops/qlstm/delta.ts); bit-exact with the full computation. `true` uses a fresh state for this
   * run; pass a state (createDeltaState()) to carry it across runs, e.g. streaming invocations.
   */
  delta?: boolean | RecurrentDeltaState;
}

const operandOf = (op: TfliteInt8Op, role: LstmInputName): Operand | undefined => {
  const idx = op.model.operations[0]!.inputs[LSTM_IN[role]];
  return idx === undefined ? undefined : op.model.operands[idx];
};
const present = (o: Operand | undefined): o is Operand => o !== undefined && !(o.omitted === true || o.lifetime === 'NO_VALUE' || (o.values.length === 0 && o.dimensions.length === 0));

/** The integer cell parameters of the op for a batch of `B` rows (one time step each). */
export function tfliteInt8CellParams(op: TfliteInt8Op, B: number, opts: TfliteInt8Options = {}): IntegerCellParams {
  const variant = opts.variant ?? 'tflite-micro';
  const micro = variant === 'tflite-micro';
  const get = (role: LstmInputName) => operandOf(op, role);
  const req = (role: LstmInputName): Operand => {
    const o = get(role);
    if (!present(o)) throw new Error(`integer LSTM: ${role} is missing`);
    return o;
  };
  const x = req('input');
  const h = req('output_state_in');
  const c = req('cell_state_in');
  const wxo = req('input_to_output_weights');
  const N = wxo.dimensions[0]!;
  const I = wxo.dimensions[1]!;
  const O = req('recurrent_to_output_weights').dimensions[1]!;
  const cifg = !present(get('input_to_input_weights'));
  const layerNorm = present(get('forget_layer_norm_weights'));
  const projection = present(get('projection_weights'));
  const peephole = present(get('cell_to_output_weights'));
  if (micro && (cifg || layerNorm || projection || peephole)) {
    throw new Error('tflite-micro integer LSTM: CIFG, peephole, projection and layer norm are not supported (use the tflite variant)');
  }
  const { log2: k, exact } = checkedLog2(c.scale);
  if (!exact || k > -9 || k < -15) throw new Error(`integer LSTM: cell state scale ${c.scale} is not 2^k with −15 ≤ k ≤ −9`);
  const qm = quantizeMultiplier;
  const gateIndex: Record<IntGate, number> = { input: 0, forget: 1, cell: 2, output: 3 };
  const gateScale = (g: IntGate): number => {
    if (!layerNorm) return 2 ** -12;
    const s = op.intermediates[gateIndex[g]]?.scale;
    if (!s) throw new Error(`integer LSTM with layer norm: intermediate ${gateIndex[g]} has no scale`);
    return s;
  };
  const hiddenQ = micro ? { scale: h.scale, zeroPoint: h.zeroPoint } : (op.intermediates[4] ?? { scale: h.scale, zeroPoint: h.zeroPoint });
  const mult = (a: number, b: number, s: number): QMultiplier => (micro ? qm((f(a) * f(b)) / s) : qm(f(f(f(a) * f(b)) / f(s))));
  const gate = (g: IntGate): IntegerGateParams => {
    const wx = req(`input_to_${g}_weights` as LstmInputName);
    const wh = req(`recurrent_to_${g}_weights` as LstmInputName);
    const bias = get((g === 'cell' ? 'cell_gate_bias' : `${g}_gate_bias`) as LstmInputName);
    const ln = layerNorm ? req(`${g}_layer_norm_weights` as LstmInputName) : null;
    const p = g !== 'cell' && peephole ? get(`cell_to_${g}_weights` as LstmInputName) : undefined;
    const s = gateScale(g);
    const lnScale = ln ? f(ln.scale) : 0;
    return {
      wx: wx.values,
      wh: wh.values,
      biasX: zeroPointTimesWeight(-x.zeroPoint, wx.values, N, I, !layerNorm && present(bias) ? bias.values : null),
      biasH: zeroPointTimesWeight(-h.zeroPoint, wh.values, N, O),
      mx: mult(wx.scale, x.scale, s),
      mh: mult(wh.scale, h.scale, s),
      peephole: present(p) ? p.values : null,
      mc: present(p) ? qm(f((2 ** k * f(p.scale)) / f(s))) : { multiplier: 0, shift: 0 },
      ln: ln ? ln.values : null,
      lnBias: ln && present(bias) ? bias.values : new Int32Array(N),
      lnScale: ln ? qm(lnScale) : { multiplier: 0, shift: 0 },
      varianceLimit: Math.max(1, Math.trunc(f(10000 * lnScale))),
    };
  };
  const cellClip = op.cellClip > 0 ? Math.trunc(Math.min(Math.max(micro ? op.cellClip / c.scale : f(f(op.cellClip) / f(c.scale)), -32768), 32767)) : 0;
  const sign = opts.hiddenZeroPointSign ?? 1;
  let proj: IntegerCellParams['projection'] = null;
  if (projection) {
    const wp = req('projection_weights');
    const pb = get('projection_bias');
    proj = {
      w: wp.values,
      bias: zeroPointTimesWeight(-sign * hiddenQ.zeroPoint, wp.values, O, N, present(pb) ? pb.values : null),
      m: qm(f(f(f(wp.scale) * f(hiddenQ.scale)) / f(h.scale))),
      outputZeroPoint: h.zeroPoint,
      clip: op.projClip > 0 ? Math.trunc(Math.min(Math.max(f(f(op.projClip) / f(h.scale)), -128), 127)) : 0,
    };
  }
  return {
    B,
    I,
    N,
    O,
    cifg,
    cellShift: k,
    cellClip,
    gates: { input: cifg ? null : gate('input'), forget: gate('forget'), cell: gate('cell'), output: gate('output') },
    hidden: micro ? qm((2 ** -15 * 2 ** -15) / f(hiddenQ.scale)) : qm(f((2 ** -15 / f(hiddenQ.scale)) * 2 ** -15)),
    hiddenZeroPoint: sign * hiddenQ.zeroPoint,
    projection: proj,
  };
}

export interface TfliteInt8Result {
  /** [T, B, O] or [B, T, O] (sequence op, the input's layout) or [B, O] (LSTM). */
  output: Int8Array;
  outputState: Int8Array;
  cellState: Int16Array;
  /** With `delta`: the state's counters after the run (recurrent work done vs the full path). */
  delta?: DeltaCounters;
}

/**
 * Runs the op over its whole input (every time step), from the given initial state (default: the
 * states' zero points, i.e. what TFLite's variable tensors start from).
 */
export function runTfliteInt8Lstm(
  op: TfliteInt8Op,
  input: ArrayLike<number>,
  opts: TfliteInt8Options & { outputState?: ArrayLike<number>; cellState?: ArrayLike<number> } = {},
): TfliteInt8Result {
  const x = operandOf(op, 'input')!;
  const d = x.dimensions;
  const [T, B, I] = op.sequence ? (op.timeMajor ? [d[0]!, d[1]!, d[2]!] : [d[1]!, d[0]!, d[2]!]) : [1, d[0]!, d[1]!];
  if (input.length !== T * B * I) throw new Error(`integer LSTM: ${input.length} input values, expected ${T * B * I}`);
  const p = tfliteInt8CellParams(op, B, opts);
  const kernel = opts.kernel ?? ((opts.variant ?? 'tflite-micro') === 'tflite-micro' ? MICRO_INTEGER_KERNEL : TFLITE_INTEGER_KERNEL);
  const hOp = operandOf(op, 'output_state_in')!;
  let h: ArrayLike<number> = opts.outputState ?? new Int8Array(B * p.O).fill(hOp.zeroPoint);
  let c: ArrayLike<number> = opts.cellState ?? new Int16Array(B * p.N);
  const output = new Int8Array(T * B * p.O);
  const at = (t: number, b: number, w: number) => (!op.sequence ? b * w : op.timeMajor ? (t * B + b) * w : (b * T + t) * w);
  // `true`: a fresh state starting from the zero state (accumulators 0), so every step is a delta step.
  const delta = opts.delta === true ? createDeltaState({ zeroPoint: hOp.zeroPoint }) : opts.delta || undefined;
  const stepOpts = delta ? { delta } : {};
  for (let t = 0; t < T; t++) {
    const xt = new Int8Array(B * I);
    for (let b = 0; b < B; b++) for (let i = 0; i < I; i++) xt[b * I + i] = input[at(t, b, I) + i]!;
    const r = integerLstmStep(p, xt, h, c, kernel, stepOpts);
    for (let b = 0; b < B; b++) for (let o = 0; o < p.O; o++) output[at(t, b, p.O) + o] = r.output[b * p.O + o]!;
    h = r.output;
    c = r.cell;
  }
  const result: TfliteInt8Result = { output, outputState: Int8Array.from(h), cellState: Int16Array.from(c) };
  if (delta) result.delta = { ...delta.counters };
  return result;
}
