/**
 * Test helper: runs a whole int8 `.tflite` graph made of the integer LSTM (src/ops/tflite-int8, our
 * reference) and its neighbours FULLY_CONNECTED, RESHAPE, SOFTMAX and LOGISTIC, computed here as
 * tflite-micro's int8 reference kernels compute them (reference_integer_ops::FullyConnected with a
 * double-computed multiplier; reference_integer_ops::Logistic on gemmlowp F4; softmax in float
 * because only its argmax is compared). Only what the three real models need.
 */
import { logistic, mbqm, quantizeMultiplier, rdivpot, clamp } from '../../src/ops/qlstm/fixed-point.js';
import { runTfliteInt8Lstm, type TfliteInt8Options } from '../../src/ops/tflite-int8/execute.js';
import { decodeTensorData } from '../../src/tflite/mapping.js';
import { tfliteInt8Op } from '../../src/tflite/int8-op.js';
import type { TfliteModel, TfliteTensor } from '../../src/tflite/reader.js';

const q = (t: TfliteTensor) => ({ scale: t.quantization?.scale[0] ?? 0, zeroPoint: t.quantization?.zeroPoint[0] ?? 0 });

function constant(model: TfliteModel, t: TfliteTensor): number[] {
  const data = t.buffer > 0 ? model.buffers[t.buffer]?.data : undefined;
  if (!data) throw new Error(`tensor ${t.name} is not constant`);
  return decodeTensorData(t, data);
}

/** reference_integer_ops::FullyConnected, int8 in/out, per-tensor or per-channel int8 weights. */
export function fullyConnectedInt8(model: TfliteModel, x: ArrayLike<number>, xT: TfliteTensor, wT: TfliteTensor, bT: TfliteTensor | undefined, outT: TfliteTensor): Int8Array {
  const w = constant(model, wT);
  const b = bT ? constant(model, bT) : null;
  const [units, depth] = [wT.shape[0]!, wT.shape[1]!];
  const rows = x.length / depth;
  const xq = q(xT);
  const oq = q(outT);
  const scales = wT.quantization?.scale ?? [];
  const mults = (scales.length > 1 ? scales : [scales[0]!]).map((s) => quantizeMultiplier((Math.fround(xq.scale) * Math.fround(s)) / Math.fround(oq.scale)));
  const out = new Int8Array(rows * units);
  for (let r = 0; r < rows; r++) {
    for (let u = 0; u < units; u++) {
      let acc = b ? b[u]! : 0;
      for (let d = 0; d < depth; d++) acc += w[u * depth + d]! * (x[r * depth + d]! - xq.zeroPoint);
      const m = mults[scales.length > 1 ? u : 0]!;
      out[r * units + u] = clamp(mbqm(acc, m.multiplier, m.shift) + oq.zeroPoint, -128, 127);
    }
  }
  return out;
}

/** reference_integer_ops::Logistic (int8), as tflite-micro prepares it (logistic_common.cc). */
export function logisticInt8(x: ArrayLike<number>, inT: TfliteTensor): Int8Array {
  const iq = q(inT);
  const real = Math.fround(iq.scale) * 2 ** 27;
  let e = Math.floor(Math.log2(real)) + 1;
  while (real / 2 ** e >= 1) e++;
  while (real / 2 ** e < 0.5) e--;
  const multiplier = Math.floor((real / 2 ** e) * 2 ** 31 + 0.5);
  const radius = Math.floor((15 * 2 ** 27) / 2 ** e);
  const out = new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! - iq.zeroPoint;
    if (v <= -radius) out[i] = -128;
    else if (v >= radius) out[i] = 127;
    else {
      const inQ4 = mbqm(v, multiplier, e);
      const q0 = logistic(inQ4, 4, 32);
      out[i] = clamp(rdivpot(q0, 23) - 128, -128, 127);
    }
  }
  return out;
}

/** Softmax in float on dequantized values (only the argmax and the rough score matter). */
export function softmaxFloat(x: ArrayLike<number>, inT: TfliteTensor): number[] {
  const iq = q(inT);
  const v = Array.from(x, (a) => (a - iq.zeroPoint) * iq.scale);
  const m = Math.max(...v);
  const e = v.map((a) => Math.exp(a - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((a) => a / s);
}

export interface GraphRun {
  /** The final tensor values (int8 raw; softmax: float probabilities). */
  output: number[];
  /** Raw int8 values of every tensor computed (by tensor index). */
  tensors: Map<number, ArrayLike<number>>;
}

/** Runs subgraph 0 on one int8 input (LSTM states start at zero). */
export function runInt8Graph(model: TfliteModel, input: ArrayLike<number>, lstm: TfliteInt8Options = {}): GraphRun {
  const sg = model.subgraphs[0]!;
  const values = new Map<number, ArrayLike<number>>([[sg.inputs[0]!, input]]);
  let last: number[] = [];
  sg.operators.forEach((op, k) => {
    const name = model.operatorCodes[op.opcodeIndex]!.builtinName;
    const inT = sg.tensors[op.inputs[0]!]!;
    const x = values.get(op.inputs[0]!);
    if (!x) throw new Error(`operator ${k} ${name}: input not computed`);
    const outT = sg.tensors[op.outputs[0]!]!;
    let y: ArrayLike<number>;
    if (name === 'UNIDIRECTIONAL_SEQUENCE_LSTM' || name === 'LSTM') y = runTfliteInt8Lstm(tfliteInt8Op(model, 0, k), x, lstm).output;
    else if (name === 'FULLY_CONNECTED') y = fullyConnectedInt8(model, x, inT, sg.tensors[op.inputs[1]!]!, op.inputs[2]! >= 0 ? sg.tensors[op.inputs[2]!] : undefined, outT);
    else if (name === 'LOGISTIC') y = logisticInt8(x, inT);
    else if (name === 'RESHAPE') y = x;
    else if (name === 'SOFTMAX') {
      last = softmaxFloat(x, inT);
      y = last;
    } else throw new Error(`operator ${k}: ${name} is not supported by the test graph`);
    values.set(op.outputs[0]!, y);
    last = Array.from(y);
  });
  return { output: last, tensors: values };
}
