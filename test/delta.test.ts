/**
 * Delta execution of the integer references (QUANTIZED_LSTM, TFLite's integer LSTM) run both ways
 * and compared bit for bit: every QUANTIZED_LSTM golden case (golden/integer/ and the AOSP ones),
 * and the three int8 models of ../shared/models on their reference inputs (skipped, with a
 * message, when ../shared is absent).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCases, type PositiveCase } from '../src/conformance/cases.js';
import { buildInputs } from '../src/conformance/runner.js';
import { rng } from '../src/conformance/synth.js';
import { MICRO_INTEGER_KERNEL, supportsDelta, TFLITE_INTEGER_KERNEL } from '../src/ops/qlstm/cell.js';
import { createDeltaState } from '../src/ops/qlstm/delta.js';
import { executeQlstm, qlstmOutputRoles } from '../src/ops/qlstm/execute.js';
import { runTfliteInt8Lstm, TFLITE_INTEGER_VARIANTS, type TfliteInt8Op } from '../src/ops/tflite-int8/execute.js';
import { tfliteInt8Op } from '../src/tflite/int8-op.js';
import { readTflite, type TfliteModel } from '../src/tflite/reader.js';
import { sharedDir } from '../src/util/paths.js';
import { inputPosition } from './helpers/delta-qlstm.js';

const qlstmCases = loadCases().filter((c): c is PositiveCase => c.kind === 'positive' && c.model.operations[0]!.type === 'QUANTIZED_LSTM');

describe('delta mode on the QUANTIZED_LSTM golden cases: bit-exact with the expected values and the full path', () => {
  it('covers every QUANTIZED_LSTM case of golden/integer (13) and the AOSP ones (3)', () => {
    expect(qlstmCases.filter((c) => c.provenance.kind === 'integer-reference').length).toBe(13);
    expect(qlstmCases.filter((c) => c.provenance.kind === 'aosp-cts').length).toBe(3);
  });
  for (const c of qlstmCases) {
    it(c.id, () => {
      const inputs = buildInputs(c.model);
      const roles = qlstmOutputRoles(c.model);
      const expected = c.model.outputIndexes.map((idx) => Array.from(c.model.operands[idx]!.values));
      const got = (r: ReturnType<typeof executeQlstm>) => roles.map((role) => Array.from(role === 'cell_state_out' ? r.cellStateOut : role === 'output' ? r.output : r.outputStateOut));
      const full = executeQlstm(c.model, inputs);
      expect(got(full)).toEqual(expected);
      const hPos = inputPosition(c.model, 'output_state_in');
      const h = inputs[hPos]!;
      const zp = c.model.operands[c.model.operations[0]!.inputs[18]!]!.zeroPoint;
      // The accumulators first hold the product of another recurrent input (the zero state, then a random
      // one), so the golden step's products come from Δh only.
      const next = rng(7);
      const priors = [Int8Array.from(h, () => zp), Int8Array.from(h, (v) => (next() < 0.5 ? v : Math.floor(next() * 256) - 128))];
      // And from the zero state directly (the state knows the zero point: no full step at all).
      const z = createDeltaState({ zeroPoint: zp });
      expect(got(executeQlstm(c.model, inputs, { delta: z }))).toEqual(expected);
      expect(z.counters.fullSteps).toBe(0);
      for (const prior of priors) {
        const state = createDeltaState();
        const primed = [...inputs];
        primed[hPos] = prior;
        executeQlstm(c.model, primed, { delta: state });
        const r = executeQlstm(c.model, inputs, { delta: state });
        expect(got(r)).toEqual(expected);
        expect(state.counters.fullSteps).toBe(1);
        expect(state.counters.steps).toBe(2);
      }
    });
  }
});

describe('delta mode: contract', () => {
  it('is refused for a kernel whose matmulAccumulate is not a built-in one (no silent divergence)', () => {
    const c = qlstmCases[0]!;
    const mutant = { ...TFLITE_INTEGER_KERNEL, matmulAccumulate: MICRO_INTEGER_KERNEL.matmulAccumulate.bind(TFLITE_INTEGER_KERNEL) };
    expect(supportsDelta(mutant)).toBe(false);
    expect(() => executeQlstm(c.model, buildInputs(c.model), { kernel: mutant, delta: createDeltaState() })).toThrow(/matmulAccumulate/);
    expect(supportsDelta({ ...TFLITE_INTEGER_KERNEL, sigmoid: () => 0 })).toBe(true);
  });
  it('a zero point that does not match the bias fold (−zp·rowsum) is not trusted: the first step is computed in full', () => {
    const c = qlstmCases.find((x) => x.provenance.kind === 'integer-reference')!;
    const zp = c.model.operands[c.model.operations[0]!.inputs[18]!]!.zeroPoint;
    const state = createDeltaState({ zeroPoint: zp + 1 });
    const r = executeQlstm(c.model, buildInputs(c.model), { delta: state });
    expect(Array.from(r.output)).toEqual(Array.from(executeQlstm(c.model, buildInputs(c.model)).output));
    expect(state.counters.fullSteps).toBe(1);
  });
  it('a state reused with other weights recomputes in full (and stays exact)', () => {
    const [a, b] = qlstmCases.filter((c) => c.provenance.kind === 'integer-reference');
    const state = createDeltaState();
    const ra = executeQlstm(a!.model, buildInputs(a!.model), { delta: state });
    const rb = executeQlstm(b!.model, buildInputs(b!.model), { delta: state });
    expect(Array.from(ra.output)).toEqual(Array.from(executeQlstm(a!.model, buildInputs(a!.model)).output));
    expect(Array.from(rb.output)).toEqual(Array.from(executeQlstm(b!.model, buildInputs(b!.model)).output));
    expect(state.counters.fullSteps).toBe(2);
  });
});

const shared = sharedDir();
const models = shared ? join(shared, 'models') : '';
const haveModels = !!shared && existsSync(join(models, 'dtln_noise_suppression_int8.tflite'));
if (!haveModels) console.warn('[delta] ../shared/models not found (set NNLSTM_SHARED): delta mode on the three int8 models skipped');
const read = (f: string): TfliteModel => readTflite(new Uint8Array(readFileSync(join(models, f))));
const json = <T>(f: string): T => JSON.parse(readFileSync(join(models, f), 'utf8')) as T;

/** Full and delta runs of one op over a stream of invocations (state carried), compared bit for bit. */
function compareStream(op: TfliteInt8Op, frames: ArrayLike<number>[], label: string): { changed: number; seen: number; macs: number; fullMacs: number; outputs: Int8Array[] } {
  let last = { changed: 0, seen: 0, macs: 0, fullMacs: 0 };
  const outputs: Int8Array[] = [];
  for (const variant of TFLITE_INTEGER_VARIANTS) {
    const state = createDeltaState();
    let fs: { outputState?: Int8Array; cellState?: Int16Array } = {};
    let ds: { outputState?: Int8Array; cellState?: Int16Array } = {};
    frames.forEach((x, k) => {
      const f = runTfliteInt8Lstm(op, x, { variant, ...fs });
      const d = runTfliteInt8Lstm(op, x, { variant, ...ds, delta: state });
      expect(Array.from(d.output), `${label} ${variant} frame ${k}`).toEqual(Array.from(f.output));
      if (k === 0) {
        // delta: true starts from the zero state (accumulators 0): no full step.
        const z = runTfliteInt8Lstm(op, x, { variant, delta: true });
        expect(Array.from(z.output)).toEqual(Array.from(f.output));
        expect(z.delta!.fullSteps).toBe(0);
      }
      expect(Array.from(d.cellState)).toEqual(Array.from(f.cellState));
      fs = { outputState: f.outputState, cellState: f.cellState };
      ds = { outputState: d.outputState, cellState: d.cellState };
      if (variant === 'tflite-micro') outputs.push(f.output);
    });
    const c = state.counters;
    expect(c.fullSteps).toBe(1);
    last = { changed: c.changedColumns, seen: c.seenColumns, macs: c.macs, fullMacs: c.fullMacs };
  }
  return { ...last, outputs };
}

const seeded = (n: number, seed: number) => {
  const next = rng(seed);
  return Int8Array.from({ length: n }, () => Math.floor(next() * 256) - 128);
};

describe.skipIf(!haveModels)('delta mode on the int8 models (../shared/models): bit-exact with the full path', () => {
  it('micro_speech_lstm_int8: "yes" and "no" features (49 steps each), both variants, and a seeded input', () => {
    const op = tfliteInt8Op(read('micro_speech_lstm_int8.tflite'), 0, 0);
    const f = json<{ samples: { name: string; features_int8: number[][] }[] }>('micro_speech_lstm_features.json');
    for (const s of f.samples) {
      const r = compareStream(op, [s.features_int8.flat()], s.name);
      console.log(`[delta] micro_speech ${s.name}: ${r.changed}/${r.seen} recurrent columns changed after step 1; ${r.macs}/${r.fullMacs} recurrent MACs`);
      expect(r.seen).toBe(48 * 80);
    }
    compareStream(op, [seeded(49 * 257, 3)], 'seeded');
  });

  it('dtln_noise_suppression_int8: the reference input and 7 seeded frames streamed (state carried), both LSTMs chained', () => {
    const m = read('dtln_noise_suppression_int8.tflite');
    const d = json<{ input_int8: number[] }>('dtln_noise_suppression_inout.json');
    const frames: ArrayLike<number>[] = [d.input_int8, ...Array.from({ length: 7 }, (_, k) => seeded(257, 11 + k))];
    const first = compareStream(tfliteInt8Op(m, 0, 0), frames, 'dtln lstm 1');
    // LSTM 2 reads LSTM 1's output (sg.operators[1].inputs[0] = operators[0].outputs[0]): exact chaining.
    const sg = m.subgraphs[0]!;
    expect(sg.operators[1]!.inputs[0]).toBe(sg.operators[0]!.outputs[0]);
    compareStream(tfliteInt8Op(m, 0, 1), first.outputs, 'dtln lstm 2');
  });

  it('mnist_lstm_int8: the 10 samples (28 steps each), both variants', () => {
    const op = tfliteInt8Op(read('mnist_lstm_int8.tflite'), 0, 0);
    const d = json<{ samples: { label: number; image_int8: number[][] }[] }>('mnist_lstm_samples.json');
    for (const s of d.samples) compareStream(op, [s.image_int8.flat()], `sample ${s.label}`);
  });
});
