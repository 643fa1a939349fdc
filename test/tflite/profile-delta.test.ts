/**
 * `nnlstm profile --delta` (src/tflite/profile-delta.ts): the counting on hand-made sequences, the
 * input-file formats, and the real models of ../shared/models (skipped, with a message, when absent):
 * micro_speech yes/no, DTLN's reference input (both LSTMs chained, and via the TFLite runtime), MNIST
 * float (threshold). The integer zero counts are cross-checked against the delta execution's own
 * counters (src/ops/qlstm/delta.ts): the same Δh seen from the other side.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createDeltaState } from '../../src/ops/qlstm/delta.js';
import { runTfliteInt8Lstm } from '../../src/ops/tflite-int8/execute.js';
import { tfliteInt8Op } from '../../src/tflite/int8-op.js';
import { DEFAULT_FLOAT_THRESHOLD, deltaSteps, profileDelta, profileInputsFromJson, type DeltaHistogramBin, type DeltaProfile } from '../../src/tflite/profile-delta.js';
import { renderDeltaProfileHtml, renderDeltaProfileText } from '../../src/tflite/profile-delta-render.js';
import { readTflite } from '../../src/tflite/reader.js';
import { syntheticLstmModel } from '../../src/tflite/synthetic.js';
import { writeSingleOpTflite } from '../../src/tflite/writer.js';
import { sharedDir } from '../../src/util/paths.js';
import { captureOutput } from '../helpers/capture-output.js';

const bins = (): DeltaHistogramBin[] => [0, 1, 2, 4, Infinity].map((u) => ({ label: String(u), upper: u, count: 0 }));

describe('deltaSteps: counting zeros of Δh', () => {
  it('counts per step against the previous step (the first against h0), MACs = gates·n_c per zero and row', () => {
    // B 2, T 3, O 2, batch-major [B, T, O]
    const seq = [1, 2, 1, 2, 1, 5, /* row 1 */ 0, 0, 3, 0, 3, 0];
    const h = bins();
    const steps = deltaSteps([1, 0, 0, 0], seq, { B: 2, T: 3, O: 2, N: 7, gates: 4 }, (t, b) => (b * 3 + t) * 2, 0, h);
    // t1: row0 Δ(0,2) row1 Δ(0,0) → 3 zeros; t2: row0 (0,0) row1 (3,0) → 3; t3: row0 (0,3) row1 (0,0) → 3
    expect(steps.map((s) => s.zeros)).toEqual([3, 3, 3]);
    expect(steps[0]).toMatchObject({ t: 1, elements: 4, zeroFraction: 0.75, skippedMacs: 4 * 7 * 3, macs: 4 * 7 * 4 });
    expect(h.map((b) => b.count)).toEqual([9, 0, 1, 2, 0]);
  });
  it('float: |Δh| ≤ threshold counts as zero', () => {
    const steps = deltaSteps([0], [0.001, 0.5, 0.5005], { B: 1, T: 3, O: 1, N: 1, gates: 3 }, (t) => t, 0.001, bins());
    expect(steps.map((s) => s.zeros)).toEqual([1, 0, 1]);
    expect(steps[0]!.skippedMacs).toBe(3);
  });
});

describe('profileInputsFromJson', () => {
  it('reads the generic forms and checks the element count', () => {
    expect(profileInputsFromJson([1, 2], { integer: true, elements: 2 })).toEqual([{ label: 'input', values: [1, 2] }]);
    expect(profileInputsFromJson([[[1], [2]], [3, 4]], { integer: true, elements: 2 }).map((x) => x.values)).toEqual([[1, 2], [3, 4]]);
    expect(profileInputsFromJson({ inputs: [{ label: 'a', values: [[1, 2]] }] }, { integer: true, elements: 2 })).toEqual([{ label: 'a', values: [1, 2] }]);
    expect(() => profileInputsFromJson({ inputs: [{ values: [1] }] }, { integer: true, elements: 2 })).toThrow(/input 0 .*1 values, the model input has 2/);
    expect(() => profileInputsFromJson({ other: 1 }, { integer: true, elements: 2 })).toThrow(/no inputs found/);
  });
  it('MNIST samples: image_int8 for an integer model, image for a float one', () => {
    const doc = { samples: [{ label: 3, image: [[0.5, 1]], image_int8: [[-1, 127]] }] };
    expect(profileInputsFromJson(doc, { integer: true, elements: 2 })).toEqual([{ label: 'label 3', values: [-1, 127] }]);
    expect(profileInputsFromJson(doc, { integer: false, elements: 2 })).toEqual([{ label: 'label 3', values: [0.5, 1] }]);
  });
});

const shared = sharedDir();
const models = shared ? join(shared, 'models') : '';
const haveModels = !!shared && existsSync(join(models, 'micro_speech_lstm_int8.tflite'));
if (!haveModels) console.warn('[profile-delta] ../shared/models not found (set NNLSTM_SHARED): real-model profile tests skipped');
const path = (f: string) => join(models, f);
const json = <T>(f: string): T => JSON.parse(readFileSync(path(f), 'utf8')) as T;
const io = captureOutput();
const tmp = mkdtempSync(join(tmpdir(), 'nnlstm-profile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function profileJson(args: string[]): Promise<{ code: number; doc: DeltaProfile & { model: string } }> {
  io.out = '';
  const code = await main(['profile', ...args, '--json']);
  return { code, doc: JSON.parse(io.out) as DeltaProfile & { model: string } };
}

describe.skipIf(!haveModels)('profile --delta on the real models (../shared/models)', () => {
  it('micro_speech yes/no: 49 steps each, exact zeros; the non-zeros of Δh_1…Δh_48 = the columns the delta execution applied (steps 2…49 read h_1…h_48)', async () => {
    const { code, doc } = await profileJson([path('micro_speech_lstm_int8.tflite'), '--delta', '--inputs', path('micro_speech_lstm_features.json')]);
    expect(code).toBe(0);
    expect(doc.ops).toHaveLength(1);
    const op = doc.ops[0]!;
    expect(op).toMatchObject({ criterion: 'exact', threshold: 0, sizes: { batch: 1, time: 49, units: 80, output: 80, gates: 4 } });
    expect(op.inputSource).toMatch(/model input/);
    expect(op.runs.map((r) => r.label)).toEqual(['yes', 'no']);
    const f = json<{ samples: { features_int8: number[][] }[] }>('micro_speech_lstm_features.json');
    const tflOp = tfliteInt8Op(readTflite(new Uint8Array(readFileSync(path('micro_speech_lstm_int8.tflite')))), 0, 0);
    op.runs.forEach((r, k) => {
      expect(r.steps).toHaveLength(49);
      const state = createDeltaState();
      runTfliteInt8Lstm(tflOp, f.samples[k]!.features_int8.flat(), { delta: state });
      const nonZero = r.steps.slice(0, 48).reduce((a, s) => a + s.elements - s.zeros, 0);
      expect(nonZero).toBe(state.counters.changedColumns);
      expect(r.total.skippedMacs).toBe(r.total.zeros * 4 * 80);
    });
    expect(op.histogram[0]!.count).toBe(op.total.zeros);
    expect(op.histogram.reduce((a, b) => a + b.count, 0)).toBe(op.total.elements);
    // Measured (integer reference, tflite-micro variant): yes 3068/3920, no 2895/3920 zero.
    expect(op.runs.map((r) => r.total.zeros)).toEqual([3068, 2895]);
    io.out = '';
    expect(await main(['profile', path('micro_speech_lstm_int8.tflite'), '--delta', '--inputs', path('micro_speech_lstm_features.json')])).toBe(0);
    expect(io.out).toContain('78.3% zero (3,068/3,920 elements)');
    expect(io.out).toMatch(/\n\s+49\s+59\/80 73\.8%/);
  });

  it('DTLN reference input: two ops, the second fed by the first (exact chaining); the HTML page has both plots', async () => {
    const html = join(tmp, 'dtln.html');
    const { code, doc } = await profileJson([path('dtln_noise_suppression_int8.tflite'), '--delta', '--inputs', path('dtln_noise_suppression_inout.json'), '--html', html]);
    expect(code).toBe(0);
    expect(doc.ops.map((o) => o.operator)).toEqual([0, 1]);
    expect(doc.ops[1]!.inputSource).toMatch(/output of LSTM op 0 as computed here/);
    // One invocation from the zero state = one step per op (measured: 21/128 and 5/128 unchanged).
    expect(doc.ops.map((o) => o.total.zeros)).toEqual([21, 5]);
    const page = readFileSync(html, 'utf8');
    expect(page.match(/<polyline/g)).toHaveLength(2); // one line per op and input (one point each here)
    expect(page.match(/<circle/g)).toHaveLength(2);
    expect(page).toContain('input_int8 step 1: 21/128 zero');
    expect(page.match(/<rect/g)!.length).toBe(2 * doc.ops[0]!.histogram.length);
  });

  it('DTLN --runtime-inputs: the second op\'s input from the TFLite runtime, said so; --stream carries the state', async () => {
    const { doc } = await profileJson([path('dtln_noise_suppression_int8.tflite'), '--delta', '--seeds', '3', '--stream', '--runtime-inputs']);
    expect(doc.stream).toBe(true);
    expect(doc.ops[1]!.inputSource).toMatch(/as computed by TFLite .* running the model \(preceding ops ran in the runtime\)/);
    expect(doc.ops[0]!.runs).toHaveLength(3);
  });

  it('MNIST float: threshold reported (default 2^-7); τ = 0 ≤ default ≤ τ = 2 (all zero: |Δh| < 2 for tanh outputs)', async () => {
    const args = [path('mnist_lstm_float32.tflite'), '--delta', '--inputs', path('mnist_lstm_samples.json')];
    const def = (await profileJson(args)).doc.ops[0]!;
    expect(def).toMatchObject({ criterion: 'threshold', threshold: DEFAULT_FLOAT_THRESHOLD });
    expect(def.computedBy).toMatch(/float reference/);
    expect(def.runs).toHaveLength(10);
    const exact = (await profileJson([...args, '--threshold', '0'])).doc.ops[0]!;
    const loose = (await profileJson([...args, '--threshold', '2'])).doc.ops[0]!;
    expect(exact.total.zeros).toBeLessThanOrEqual(def.total.zeros);
    expect(def.total.zeros).toBeGreaterThan(0);
    expect(loose.total.zeroFraction).toBe(1);
  });
});

describe('profile --delta on writer-made float models (no ../shared needed)', () => {
  it('LSTM (one step) and a time-major CIFG + projection UNIDIRECTIONAL_SEQUENCE_LSTM: sizes, gates, layout', async () => {
    const lstm = readTflite(writeSingleOpTflite(syntheticLstmModel({ operation: 'LSTM', batch: 2, units: 4, seed: 5 })));
    const a = await profileDelta(lstm, { seeds: 2 });
    expect(a.skipped).toEqual([]);
    expect(a.ops[0]!.sizes).toMatchObject({ batch: 2, time: 1, units: 4, gates: 4 });
    expect(a.ops[0]!.runs.map((r) => r.steps.length)).toEqual([1, 1]);
    const seqM = syntheticLstmModel({ operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM', batch: 2, time: 5, units: 6, outputSize: 3, projection: true, cifg: true, timeMajor: true, seed: 8 });
    const seq = await profileDelta(readTflite(writeSingleOpTflite(seqM)), { seeds: 1, threshold: 10 });
    const op = seq.ops[0]!;
    expect(op.sizes).toMatchObject({ batch: 2, time: 5, units: 6, output: 3, gates: 3 });
    // τ = 10 ≥ any |Δh| of a bounded output: every element zero, every recurrent MAC (3·6·3·2 per step) skippable.
    expect(op.total).toMatchObject({ zeroFraction: 1, macs: 5 * 3 * 6 * 3 * 2, skippedMacs: 5 * 3 * 6 * 3 * 2 });
    const exact = (await profileDelta(readTflite(writeSingleOpTflite(seqM)), { seeds: 1, threshold: 0 })).ops[0]!;
    expect(exact.total.zeros).toBeLessThan(exact.total.elements);
  });
});

describe('profile CLI usage', () => {
  it('--delta is required; bad values are exit 2', async () => {
    io.err = '';
    expect(await main(['profile', 'x.tflite'])).toBe(2);
    expect(io.err).toMatch(/--delta/);
    expect(await main(['profile', 'x.tflite', '--delta', '--threshold', '-1'])).toBe(2);
    expect(await main(['profile', 'missing.tflite', '--delta'])).toBe(2);
  });
  it('renders a profile without ops (text and HTML)', () => {
    const doc: DeltaProfile = { kind: 'nnlstm.delta-profile', version: 1, inputs: ['seed 1'], stream: false, ops: [], skipped: [{ subgraph: 0, operator: 2, op: 'BIDIRECTIONAL_SEQUENCE_LSTM', reason: 'not profiled <yet>' }], notes: [] };
    expect(renderDeltaProfileText(doc)).toContain('op 0:2 BIDIRECTIONAL_SEQUENCE_LSTM: not profiled — not profiled <yet>');
    expect(renderDeltaProfileHtml(doc)).toContain('not profiled &lt;yet&gt;');
  });
});

it('profileDelta on seeded inputs needs no input file', async () => {
  if (!haveModels) return;
  const m = readTflite(new Uint8Array(readFileSync(path('mnist_lstm_int8.tflite'))));
  const doc = await profileDelta(m, { seeds: 2 });
  expect(doc.inputs).toEqual(['seed 1', 'seed 2']);
  expect(doc.notes[0]).toMatch(/seeded inputs \(2\): int8 uniform/);
});
