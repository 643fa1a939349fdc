/**
 * The quantized LSTMs, bit for bit:
 * - QUANTIZED_LSTM and QUANTIZED_16BIT_LSTM on every AOSP example (golden/aosp, committed): bit-exact;
 * - the integer primitives (QuantizeMultiplier, MultiplyByQuantizedMultiplier, gemmlowp rounding,
 *   logistic / tanh, the lookup table) on known values;
 * - TFLite's integer LSTM on the real models of ../shared/models (skipped with a message when
 *   absent): tflite-micro's DTLN golden exactly, micro_speech yes / no, MNIST 10/10 (neighbouring
 *   ops from test/helpers/int8-graph.ts);
 * - properties: bound to a float evaluation on dequantized values, saturation never wraps, a zero
 *   input with zero state gives the bias-only result.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCases, type PositiveCase } from '../src/conformance/cases.js';
import { buildInputs } from '../src/conformance/runner.js';
import { synthQlstm } from '../src/conformance/synth-quantized.js';
import { ReferenceDriver } from '../src/drivers/reference.js';
import type { Model, Operand } from '../src/model/model.js';
import { LSTM_IN } from '../src/ops/lstm/operands.generated.js';
import { inputsFromModel } from '../src/ops/lstm/bind.js';
import { executeQlstm } from '../src/ops/qlstm/execute.js';
import { checkedLog2, logistic, lutSigmoid, lutTanhOfScale, mbqm, quantizeMultiplier, rdivpot, SIGMOID_TABLE_UINT16, srdhm32, tanh } from '../src/ops/qlstm/fixed-point.js';
import { runTfliteInt8Lstm } from '../src/ops/tflite-int8/execute.js';
import { qlstmStepModel, tfliteInt8Op } from '../src/tflite/int8-op.js';
import { readTflite, type TfliteModel } from '../src/tflite/reader.js';
import { sharedDir } from '../src/util/paths.js';
import { runInt8Graph } from './helpers/int8-graph.js';

const quantizedCases = loadCases().filter((c): c is PositiveCase => c.kind === 'positive' && (c.model.operations[0]!.type === 'QUANTIZED_LSTM' || c.model.operations[0]!.type === 'QUANTIZED_16BIT_LSTM'));

describe('quantized goldens (7 AOSP examples, 12 gap-filling vectors): bit-exact', () => {
  const aosp = quantizedCases.filter((c) => c.provenance.kind === 'aosp-cts');
  it('all 7 are imported (3 QUANTIZED_LSTM, 4 QUANTIZED_16BIT_LSTM)', () => {
    expect(aosp.filter((c) => c.model.operations[0]!.type === 'QUANTIZED_LSTM')).toHaveLength(3);
    expect(aosp.filter((c) => c.model.operations[0]!.type === 'QUANTIZED_16BIT_LSTM')).toHaveLength(4);
  });
  let exact = 0;
  let total = 0;
  for (const c of quantizedCases) {
    it(`${c.id}: every output element equal`, async () => {
      const d = new ReferenceDriver();
      const p = await d.prepare(c.model);
      expect(p.ok, JSON.stringify(p)).toBe(true);
      if (!p.ok) return;
      const r = await d.execute(p.prepared, buildInputs(c.model));
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      for (const o of r.outputs) {
        const want = c.model.operands[o.index]!.values;
        const got = Array.from(o.values);
        total += want.length;
        exact += got.filter((v, k) => v === want[k]).length;
        expect(got).toEqual(want);
      }
    });
  }
  it('counts: exact elements = all elements', () => {
    console.log(`[quantized] ${exact}/${total} output elements bit-exact over ${quantizedCases.length} quantized goldens`);
    expect(exact).toBe(total);
    expect(total).toBeGreaterThan(100);
  });
});

describe('integer primitives', () => {
  it('QuantizeMultiplier: frexp mantissa rounded to 31 bits', () => {
    expect(quantizeMultiplier(2 ** -15)).toEqual({ multiplier: 2 ** 30, shift: -14 });
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ multiplier: 2 ** 30, shift: 1 }); // rounds up to 2^31 → halved
    expect(quantizeMultiplier(2 ** -40)).toEqual({ multiplier: 0, shift: 0 }); // shift < −31 flushes to zero
  });
  it('SaturatingRoundingDoublingHighMul rounds half up (nudge), saturates (−2^31)²', () => {
    expect(srdhm32(1, 2 ** 30)).toBe(1); // 0.5 → 1
    expect(srdhm32(-1, 2 ** 30)).toBe(0); // −0.5 → 0
    expect(srdhm32(-3, 2 ** 30)).toBe(-1); // −1.5 → −1
    expect(srdhm32(-(2 ** 31), -(2 ** 31))).toBe(2 ** 31 - 1);
  });
  it('RoundingDivideByPOT rounds ties away from zero', () => {
    expect([rdivpot(5, 1), rdivpot(-5, 1), rdivpot(6, 2), rdivpot(-6, 2), rdivpot(-7, 2)]).toEqual([3, -3, 2, -2, -2]);
  });
  it('MultiplyByQuantizedMultiplier = two roundings', () => {
    const m = quantizeMultiplier(0.3);
    expect(mbqm(1000, m.multiplier, m.shift)).toBe(300);
    expect(mbqm(-1000, m.multiplier, m.shift)).toBe(-300);
  });
  it('gemmlowp logistic / tanh (Q3.12 → Q0.15) at fixed points and within 2^-12 of the real functions', () => {
    expect(logistic(0, 3)).toBe(16384);
    expect(tanh(0, 3)).toBe(0);
    for (let x = -32768; x < 32768; x += 97) {
      expect(Math.abs(logistic(x, 3) / 32768 - 1 / (1 + Math.exp(-x / 4096)))).toBeLessThan(2 ** -12);
      expect(Math.abs(tanh(x, 3) / 32768 - Math.tanh(x / 4096))).toBeLessThan(2 ** -11);
    }
  });
  it('the transcribed sigmoid table is sigmoid(i/24) in 0.16 within 1.2 steps (not the rounded formula: it must be transcribed) and the LUT sigmoid is close to gemmlowp', () => {
    const err = SIGMOID_TABLE_UINT16.map((v, i) => v - 65536 / (1 + Math.exp(-i / 24)));
    for (const e of err) expect(Math.abs(e)).toBeLessThan(1.2);
    expect(err.some((e) => Math.abs(e) > 0.5)).toBe(true);
    // Measured over every int16 input: sigmoid differs on 56761/65536 inputs by up to 7 Q0.15 steps, tanh (Q3.12)
    // on 41116 by up to 12. The table is the more accurate (≤ 1.02 steps from the real sigmoid vs 6.39 for gemmlowp).
    let maxS = 0;
    let maxT = 0;
    let lutErr = 0;
    let gemmErr = 0;
    for (let x = -32768; x < 32768; x++) {
      maxS = Math.max(maxS, Math.abs(lutSigmoid(x) - logistic(x, 3)));
      maxT = Math.max(maxT, Math.abs(lutTanhOfScale(x, -12) - tanh(x, 3)));
      const real = 32768 / (1 + Math.exp(-x / 4096));
      lutErr = Math.max(lutErr, Math.abs(lutSigmoid(x) - real));
      gemmErr = Math.max(gemmErr, Math.abs(logistic(x, 3) - real));
    }
    expect([maxS, maxT]).toEqual([7, 12]);
    expect(lutErr).toBeLessThan(1.1);
    expect(gemmErr).toBeLessThan(6.5);
  });
  it('CheckedLog2 in float32', () => {
    expect(checkedLog2(3.05176e-5)).toEqual({ log2: -15, exact: true });
    expect(checkedLog2(2 ** -11)).toEqual({ log2: -11, exact: true });
    expect(checkedLog2(0.001).exact).toBe(false);
  });
});

// ---- real models ---------------------------------------------------------------------------------

const shared = sharedDir();
const models = shared ? join(shared, 'models') : '';
const haveModels = !!shared && existsSync(join(models, 'dtln_noise_suppression_int8.tflite'));
if (!haveModels) console.warn('[quantized] ../shared/models not found (set NNLSTM_SHARED): DTLN / micro_speech / MNIST reproduction tests skipped');
const read = (f: string): TfliteModel => readTflite(new Uint8Array(readFileSync(join(models, f))));
const json = <T>(f: string): T => JSON.parse(readFileSync(join(models, f), 'utf8')) as T;

describe.skipIf(!haveModels)('TFLite integer LSTM on the real models (../shared/models)', () => {
  it('DTLN: tflite-micro\'s published int8 output reproduced exactly (257/257); the tflite variant and the runtime\'s sign error do not', () => {
    const m = read('dtln_noise_suppression_int8.tflite');
    const d = json<{ input_int8: number[]; expected_output_int8: number[] }>('dtln_noise_suppression_inout.json');
    const exact = (out: number[]) => out.filter((v, k) => v === d.expected_output_int8[k]).length;
    const maxDiff = (out: number[]) => Math.max(...out.map((v, k) => Math.abs(v - d.expected_output_int8[k]!)));
    const micro = runInt8Graph(m, d.input_int8, { variant: 'tflite-micro' }).output;
    expect(micro).toEqual(d.expected_output_int8);
    const tfl = runInt8Graph(m, d.input_int8, { variant: 'tflite' }).output;
    expect(exact(tfl)).toBe(250); // gemmlowp sigmoid/tanh + rounding shifts: 7 elements off by ≤ 2
    expect(maxDiff(tfl)).toBe(2);
    // The old WASM runtime's sign error (the tflite arithmetic with −zp) reproduces its measured 29/257, max 22.
    const wasmLike = runInt8Graph(m, d.input_int8, { variant: 'tflite', hiddenZeroPointSign: -1 }).output;
    expect(exact(wasmLike)).toBe(29);
    expect(maxDiff(wasmLike)).toBe(22);
  });

  it('micro_speech: "yes" → class 0, "no" → class 1 (fresh state, and "no" after "yes" as upstream runs it)', () => {
    const m = read('micro_speech_lstm_int8.tflite');
    const f = json<{ samples: { name: string; expected_class: number; features_int8: number[][] }[] }>('micro_speech_lstm_features.json');
    for (const s of f.samples) {
      const p = runInt8Graph(m, s.features_int8.flat()).output;
      const arg = p.indexOf(Math.max(...p));
      expect(arg, s.name).toBe(s.expected_class);
      expect(p.filter((v) => v === p[arg]).length).toBe(1);
    }
  });

  it('MNIST int8: the 10 samples classified 0…9 through the integer reference', () => {
    const m = read('mnist_lstm_int8.tflite');
    const d = json<{ samples: { label: number; image_int8: number[][] }[] }>('mnist_lstm_samples.json');
    const predicted = d.samples.map((s) => {
      const p = runInt8Graph(m, s.image_int8.flat()).output;
      return p.indexOf(Math.max(...p));
    });
    expect(predicted).toEqual(d.samples.map((s) => s.label));
  });

  it('one step of the tflite variant = QUANTIZED_LSTM on the equivalent NNAPI model (the NNAPI op is TFLite\'s kernel per step)', () => {
    for (const [file, k] of [['dtln_noise_suppression_int8.tflite', 0], ['dtln_noise_suppression_int8.tflite', 1], ['micro_speech_lstm_int8.tflite', 0]] as const) {
      const op = tfliteInt8Op(read(file), 0, k);
      const step = qlstmStepModel(op);
      const I = step.operands[step.operations[0]!.inputs[0]!]!.dimensions[1]!;
      const x = Array.from({ length: I }, (_, i) => ((i * 37) % 256) - 128);
      const inputs = inputsFromModel(step).map((v, pos) => (step.inputIndexes[pos] === step.operations[0]!.inputs[0] ? x : v));
      const q = executeQlstm(step, inputs);
      const opIn = op.model.operands[op.model.operations[0]!.inputs[0]!]!;
      const T = opIn.dimensions[1]!;
      const xs = Array.from({ length: T * I }, (_, i) => x[i % I]!);
      const t = runTfliteInt8Lstm({ ...op, model: { ...op.model, operands: op.model.operands.map((o, idx) => (idx === op.model.operations[0]!.inputs[0] ? { ...o, dimensions: [1, 1, I] } : o)) } }, xs.slice(0, I), { variant: 'tflite' });
      expect(Array.from(q.output), `${file} op ${k}`).toEqual(Array.from(t.output));
    }
  });
});

// ---- properties -----------------------------------------------------------------------------------

const qlstmArb = fc.record({
  seed: fc.integer({ min: 1, max: 1e6 }),
  batchSize: fc.integer({ min: 1, max: 3 }),
  inputSize: fc.integer({ min: 1, max: 6 }),
  numUnits: fc.constantFrom(2, 4, 8),
  cifg: fc.boolean(),
  cellShift: fc.integer({ min: -15, max: -9 }),
  cellStateRange: fc.constantFrom(0, 1000, 8000),
  outputStateRange: fc.constantFrom(0, 30),
});

/** Float evaluation of one QLSTM step (no layer norm, no peephole, no projection) on dequantized values. */
function floatQlstm(m: Model): { h: number[]; c: number[] } {
  const op = m.operations[0]!;
  const at = (k: number) => m.operands[op.inputs[k]!]!;
  const deq = (k: number) => at(k).values.map((v) => (v - at(k).zeroPoint) * at(k).scale);
  const x = deq(0);
  const [B, I] = at(0).dimensions as [number, number];
  const N = at(4).dimensions[0]!;
  const O = at(8).dimensions[1]!;
  const h = deq(18);
  const c = deq(19);
  const cifg = at(1).values.length === 0;
  const sxw = (k: number) => at(0).scale * at(k).scale;
  const gate = (wx: number, wh: number, bias: number, b: number, r: number) => {
    let z = at(bias).values.length ? at(bias).values[r]! * sxw(wx) : 0;
    for (let i = 0; i < I; i++) z += x[b * I + i]! * at(wx).values[r * I + i]! * at(wx).scale;
    for (let o = 0; o < O; o++) z += h[b * O + o]! * at(wh).values[r * O + o]! * at(wh).scale;
    return z;
  };
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const hs = Number(at(31).values[0]);
  const hz = Number(at(30).values[0]);
  const outH: number[] = [];
  const outC: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let r = 0; r < N; r++) {
      const f = sig(gate(2, 6, 13, b, r));
      const g = Math.tanh(gate(3, 7, 14, b, r));
      const i = cifg ? 1 - f : sig(gate(1, 5, 12, b, r));
      const cc = f * c[b * N + r]! + i * g;
      const o = sig(gate(4, 8, 15, b, r));
      outC.push(cc);
      outH.push(o * Math.tanh(cc) / hs + hz);
    }
  }
  return { h: outH, c: outC };
}

describe('properties of the integer reference', () => {
  it('stays within 3 int8 steps (hidden) and 64·2^k + 2^-7 (cell) of a float evaluation on dequantized values, away from saturation', () => {
    fc.assert(
      fc.property(qlstmArb, (cfg) => {
        const m = synthQlstm({ ...cfg, weightRange: 40 });
        const r = executeQlstm(m, inputsFromModel(m));
        const f = floatQlstm(m);
        const k = cfg.cellShift;
        r.cellStateOut.forEach((q, j) => {
          const real = f.c[j]!;
          if (Math.abs(real) < 0.9 * 32767 * 2 ** k) expect(Math.abs(q * 2 ** k - real)).toBeLessThan(64 * 2 ** k + 2 ** -7);
        });
        r.outputStateOut.forEach((q, j) => {
          const real = f.h[j]!;
          if (real > -127 && real < 126) expect(Math.abs(q - real)).toBeLessThanOrEqual(3);
        });
      }),
      { numRuns: 60, seed: 20261126 },
    );
  });

  it('saturation never wraps: when the exact cell sum leaves int16 the state sits on the rail of its sign', () => {
    fc.assert(
      fc.property(qlstmArb, (cfg) => {
        const m = synthQlstm({ ...cfg, cellStateRange: 32767, weightScale: 0.05, weightRange: 127, inputScale: 0.05, biasRange: 300000 });
        const r = executeQlstm(m, inputsFromModel(m));
        const f = floatQlstm(m);
        r.cellStateOut.forEach((q, j) => {
          const exact = f.c[j]! / 2 ** cfg.cellShift;
          if (exact > 33000) expect(q).toBe(32767);
          if (exact < -33000) expect(q).toBe(-32768);
          if (Math.abs(exact) > 20000) expect(Math.sign(q)).toBe(Math.sign(exact));
        });
        for (const q of r.outputStateOut) expect(q >= -128 && q <= 127).toBe(true);
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it('a zero input with a zero state gives the bias-only result (the weights do not matter)', () => {
    fc.assert(
      fc.property(qlstmArb, (cfg) => {
        const m = synthQlstm({ ...cfg, cellStateRange: 0, outputStateRange: 0, inputZeroPoint: -7 });
        const op = m.operations[0]!;
        const x = m.operands[op.inputs[0]!]!;
        x.values = x.values.map(() => x.zeroPoint); // real 0
        const zeroWeights = structuredClone(m);
        for (const k of [1, 2, 3, 4, 5, 6, 7, 8]) {
          const o = zeroWeights.operands[op.inputs[k]!]!;
          o.values = o.values.map(() => 0);
        }
        const a = executeQlstm(m, inputsFromModel(m));
        const b = executeQlstm(zeroWeights, inputsFromModel(zeroWeights));
        expect(Array.from(a.outputStateOut)).toEqual(Array.from(b.outputStateOut));
        expect(Array.from(a.cellStateOut)).toEqual(Array.from(b.cellStateOut));
      }),
      { numRuns: 60, seed: 11 },
    );
  });
});

// ---- tflite-micro lstm_test_data (transcribed) -------------------------------------------------------

/**
 * tflite-micro tensorflow/lite/micro/kernels/testdata/lstm_test_data.cc (Get2X2LstmEvalCheckData,
 * Create2x3x2X2FloatNodeContents, Get2X2Int8LstmQuantizationSettings) and
 * unidirectional_sequence_lstm_test.cc (TestUnidirectionalLSTMInt8: tolerance 1e-2 on dequantized
 * values), commit 90b983c2b3f1480642e040bbd2ddb37b998f3424, Apache-2.0 — numbers transcribed.
 * Batch 2, 3 time steps (batch-major), input 2, state 2; cell_clip 6; the float weights are quantized
 * as the test does (round(w / scale), clamped to ±127 / int32; input round(x / scale) + zp).
 */
const MICRO_2X2 = {
  input: [0.2, 0.3, 0.2, 0.3, 0.2, 0.3, -0.98, 0.62, 0.01, 0.99, 0.49, -0.32],
  expectedOutput: [0.26455893, 0.26870455, 0.47935803, 0.47937014, 0.58013272, 0.58013278, -1.41184672e-3, -1.43329117e-5, 0.46887168, 0.46891281, 0.50054074, 0.50054148],
  expectedHidden: [0.58013272, 0.58013278, 0.50054074, 0.50054148],
  expectedCell: [0.89740515, 0.8974053, 0.80327607, 0.80327785],
  gates: {
    forget: { w: [-10, -10, -20, -20], r: [-10, -10, -20, -20], b: [1, 2], ws: 0.15748031496062992, bs: 0.0012351397251814111 },
    input: { w: [10, 10, 20, 20], r: [10, 10, 20, 20], b: [-1, -2], ws: 0.15748031496062992, bs: 0.0012351397251814111 },
    cell: { w: [1, 1, 1, 1], r: [1, 1, 1, 1], b: [0, 0], ws: 0.007874015748031496, bs: 6.175698625907056e-5 },
    output: { w: [1, 1, 1, 1], r: [1, 1, 1, 1], b: [0, 0], ws: 0.007874015748031496, bs: 6.175698625907056e-5 },
  },
  inputQ: { scale: 0.00784313725490196, zp: 0 },
  hiddenQ: { scale: 0.004705882165580988, zp: -21 },
  cellScale: 0.00024414062,
  cellClip: 6,
  tolerance: 1e-2,
};

describe('tflite-micro lstm_test_data: the 2x3x2x2 int8 case (transcribed, tolerance 1e-2 as upstream)', () => {
  it('the tflite-micro variant meets the upstream tolerance on the output, hidden and cell state', () => {
    const d = MICRO_2X2;
    const f = Math.fround;
    const roundAway = (v: number) => Math.sign(v) * Math.round(Math.abs(v));
    const q = (xs: number[], s: number, lo: number, hi: number, zp = 0) => xs.map((x) => Math.min(hi, Math.max(lo, roundAway(f(f(x) / f(s))) + zp)));
    const operands: Operand[] = [];
    const inputs: number[] = new Array(28).fill(-1);
    const add = (role: string, type: Operand['type'], dims: number[], scale: number, zp: number, values: number[]) => {
      operands.push({ index: operands.length, name: role, role, type, dimensions: dims, scale: f(scale), zeroPoint: zp, lifetime: values.length ? 'CONSTANT_COPY' : 'SUBGRAPH_INPUT', isIgnored: false, values, ...(values.length ? {} : { omitted: true }) });
      return operands.length - 1;
    };
    inputs[LSTM_IN.input] = add('input', 'TENSOR_QUANT8_ASYMM_SIGNED', [2, 3, 2], d.inputQ.scale, d.inputQ.zp, q(d.input, d.inputQ.scale, -128, 127, d.inputQ.zp));
    for (const [g, p] of Object.entries(d.gates)) {
      inputs[LSTM_IN[`input_to_${g}_weights` as keyof typeof LSTM_IN]] = add(`input_to_${g}_weights`, 'TENSOR_QUANT8_SYMM', [2, 2], p.ws, 0, q(p.w, p.ws, -127, 127));
      inputs[LSTM_IN[`recurrent_to_${g}_weights` as keyof typeof LSTM_IN]] = add(`recurrent_to_${g}_weights`, 'TENSOR_QUANT8_SYMM', [2, 2], p.ws, 0, q(p.r, p.ws, -127, 127));
      inputs[LSTM_IN[(g === 'cell' ? 'cell_gate_bias' : `${g}_gate_bias`) as keyof typeof LSTM_IN]] = add(`${g}_gate_bias`, 'TENSOR_INT32', [2], p.bs, 0, q(p.b, p.bs, -(2 ** 31) + 1, 2 ** 31 - 1));
    }
    inputs[LSTM_IN.output_state_in] = add('output_state_in', 'TENSOR_QUANT8_ASYMM_SIGNED', [2, 2], d.hiddenQ.scale, d.hiddenQ.zp, [d.hiddenQ.zp, d.hiddenQ.zp, d.hiddenQ.zp, d.hiddenQ.zp]);
    inputs[LSTM_IN.cell_state_in] = add('cell_state_in', 'TENSOR_QUANT16_SYMM', [2, 2], d.cellScale, 0, [0, 0, 0, 0]);
    for (let k = 0; k < 28; k++) if (inputs[k] === -1) inputs[k] = add(`omitted_${k}`, 'TENSOR_QUANT8_SYMM', [], 0, 0, []);
    const model: Model = { operands, operations: [{ type: 'UNIDIRECTIONAL_SEQUENCE_LSTM', inputs, outputs: [] }], inputIndexes: [], outputIndexes: [] };
    const op = { model, intermediates: [], sequence: true, timeMajor: false, cellClip: d.cellClip, projClip: 3 };
    const x = operands[inputs[LSTM_IN.input]!]!.values;
    const r = runTfliteInt8Lstm(op, x, { variant: 'tflite-micro' });
    const deqH = (v: number) => (v - d.hiddenQ.zp) * f(d.hiddenQ.scale);
    const out = Array.from(r.output, deqH);
    const hidden = Array.from(r.outputState, deqH);
    const cell = Array.from(r.cellState, (v) => v * f(d.cellScale));
    out.forEach((v, k) => expect(Math.abs(v - d.expectedOutput[k]!), `output[${k}]`).toBeLessThan(d.tolerance));
    hidden.forEach((v, k) => expect(Math.abs(v - d.expectedHidden[k]!), `hidden[${k}]`).toBeLessThan(d.tolerance));
    cell.forEach((v, k) => expect(Math.abs(v - d.expectedCell[k]!), `cell[${k}]`).toBeLessThan(d.tolerance));
  });
});
