/**
 * ANEURALNETWORKS_QUANTIZED_16BIT_LSTM (73), bit-exact with AOSP's CPU reference
 * (common/cpu_operations/QuantizedLSTM.cpp; facts memo §C.5).
 *
 * The weight pairing is the literal concatenation AOSP builds, not the natural W_x·x + W_h·h: one
 * [4O, O+I] matrix whose row r of gate block k is [recurrent_to_k[r, :] | input_to_k[r, :]], applied
 * to the concatenation [x | h_prev]. So column j < I of the activation meets recurrent weight column
 * j when I = O (input and recurrent weights swap roles) and a mix otherwise. The CTS vectors match
 * only this form (spec/QUANTIZED_16BIT_LSTM.json, deviation `qlstm16-weight-pairing`).
 *
 * Gate blocks in AOSP's order input, cell, forget, output; accumulators rescaled by
 * QuantizeMultiplier(4096·s_bias) to Q3.12; gemmlowp logistic / tanh; cell state Q4.11.
 */
import type { InputValue } from '../../model/model.js';
import type { Model } from '../../model/model.js';
import { logistic, mbqm, quantizeMultiplier, rdivpot, sat16, srdhm16, srmpot, tanh, type QMultiplier } from '../qlstm/fixed-point.js';
import { bindOperationInputs } from '../qlstm/execute.js';
import { QLSTM16_IN, type Qlstm16InputName } from '../qlstm/operands.js';

/** Mutation points of the 16-bit LSTM. */
export interface Qlstm16Kernel {
  /** 'aosp' = the literal concatenation; 'natural' = W_x·x + W_h·h (what the formula suggests). */
  pairing: 'aosp' | 'natural';
  rescale(acc: number, m: QMultiplier): number;
  sigmoid(x: number): number;
  tanh3(x: number): number;
  /** new state (F4) = sat(Rescale<4>(i·g) + f·c_prev). */
  cellUpdate(i: number, g: number, f: number, cPrev: number): number;
  /** output uint8 = 128 + clamp(RoundingDivideByPOT(o · tanh(Rescale<3>(c)), 8)). */
  output(o: number, c: number): number;
}

export const QLSTM16_KERNEL: Qlstm16Kernel = {
  pairing: 'aosp',
  rescale: (acc, m) => mbqm(acc, m.multiplier, m.shift),
  sigmoid: (x) => logistic(x, 3),
  tanh3: (x) => tanh(x, 3),
  cellUpdate(i, g, f, cPrev) {
    const ig = srdhm16(i, g);
    const fc = srdhm16(f, cPrev);
    return sat16(srmpot(ig, -4, 16) + fc);
  },
  output(o, c) {
    const t = this.tanh3(srmpot(c, 1, 16));
    const v = rdivpot(srdhm16(o, t), 8);
    return 128 + Math.max(-128, Math.min(127, v));
  },
};

export interface Qlstm16Result {
  cellStateOut: Int16Array;
  output: Uint8Array;
  dims: number[];
}

export function executeQlstm16(model: Model, inputs: readonly InputValue[], kernel: Qlstm16Kernel = QLSTM16_KERNEL): Qlstm16Result {
  const operation = model.operations[0]!;
  const b = bindOperationInputs(model, operation, inputs);
  const at = (n: Qlstm16InputName) => b[QLSTM16_IN[n]]!;
  const req = (n: Qlstm16InputName): ArrayLike<number> => {
    const v = at(n).values;
    if (!v) throw new Error(`QUANTIZED_16BIT_LSTM: ${n} has no value`);
    return v;
  };
  const [B, I] = at('input').operand.dimensions as [number, number];
  const O = at('output_state_in').operand.dimensions[1]!;
  const wzp = at('input_to_input_weights').operand.zeroPoint;
  const m = quantizeMultiplier(4096 * Math.fround(at('input_gate_bias').operand.scale));
  const x = req('input');
  const h = req('output_state_in');
  const c = req('cell_state_in');
  // AOSP's gate blocks: input, cell, forget, output.
  const blocks = [
    ['input_to_input_weights', 'recurrent_to_input_weights', 'input_gate_bias'],
    ['input_to_cell_weights', 'recurrent_to_cell_weights', 'cell_gate_bias'],
    ['input_to_forget_weights', 'recurrent_to_forget_weights', 'forget_gate_bias'],
    ['input_to_output_weights', 'recurrent_to_output_weights', 'output_gate_bias'],
  ] as const;
  const act = new Int16Array(B * 4 * O);
  for (let bb = 0; bb < B; bb++) {
    // v = [x | h]; AOSP row = [recurrent | input]; natural pairs x with the input weights.
    const v: number[] = [];
    for (let j = 0; j < I; j++) v.push(x[bb * I + j]! - 128);
    for (let j = 0; j < O; j++) v.push(h[bb * O + j]! - 128);
    blocks.forEach(([wxName, whName, biasName], k) => {
      const wx = req(wxName);
      const wh = req(whName);
      const bias = req(biasName);
      for (let r = 0; r < O; r++) {
        let acc = bias[r]!;
        if (kernel.pairing === 'aosp') {
          const row: number[] = [];
          for (let j = 0; j < O; j++) row.push(wh[r * O + j]!);
          for (let j = 0; j < I; j++) row.push(wx[r * I + j]!);
          for (let j = 0; j < I + O; j++) acc += v[j]! * (row[j]! - wzp);
        } else {
          for (let j = 0; j < I; j++) acc += v[j]! * (wx[r * I + j]! - wzp);
          for (let j = 0; j < O; j++) acc += v[I + j]! * (wh[r * O + j]! - wzp);
        }
        act[bb * 4 * O + k * O + r] = sat16(kernel.rescale(acc, m));
      }
    });
  }
  const cellStateOut = new Int16Array(B * O);
  const output = new Uint8Array(B * O);
  for (let bb = 0; bb < B; bb++) {
    for (let r = 0; r < O; r++) {
      const base = bb * 4 * O;
      const i = kernel.sigmoid(act[base + r]!);
      const g = kernel.tanh3(act[base + O + r]!);
      const fg = kernel.sigmoid(act[base + 2 * O + r]!);
      const o = kernel.sigmoid(act[base + 3 * O + r]!);
      const cNew = kernel.cellUpdate(i, g, fg, c[bb * O + r]!);
      cellStateOut[bb * O + r] = cNew;
      output[bb * O + r] = kernel.output(o, cNew);
    }
  }
  return { cellStateOut, output, dims: [B, O] };
}
