/**
 * The acceptance of issue #14 items 3–4 on the two real Silero VAD models of ../shared/models/onnx (skipped with a
 * message when ../shared is absent): every LSTM node found inside the nested Ifs (legacy 8, v5 4) with its
 * attributes; each valid and expressible as UNIDIRECTIONAL_SEQUENCE_LSTM at feature level 4; the reference within
 * the float32 harness tolerance of onnxruntime-node on every node cut out with its weights (3 seeds × 20 frames,
 * states carried) and on every tapped call of the whole model streamed at 16 kHz × 512 and 8 kHz × 256 samples; the
 * NNAPI-mapped model within tolerance of the ONNX reference; and a reference with the gate order wrong fails all of it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectOnnx } from '../../src/onnx/inspect.js';
import { OnnxFormatError } from '../../src/onnx/errors.js';
import { describeOnnxFormatError, validateOnnx } from '../../src/onnx/validate-onnx.js';
import { sharedDir } from '../../src/util/paths.js';

const shared = sharedDir();
const dir = shared ? join(shared, 'models', 'onnx') : '';
const have = !!shared && existsSync(join(dir, 'silero_vad_v5.onnx')) && existsSync(join(dir, 'silero_vad_legacy.onnx'));
if (!have) console.warn('[silero] ../shared/models/onnx not found (set NNLSTM_SHARED): the Silero VAD acceptance tests are skipped');

const MODELS = [
  { file: 'silero_vad_legacy.onnx', lstms: 8, hidden: 64, given: ['hidden_size', 'direction', 'layout', 'input_forget'] },
  { file: 'silero_vad_v5.onnx', lstms: 4, hidden: 128, given: ['hidden_size'] },
] as const;

describe.skipIf(!have)('Silero VAD (../shared/models/onnx)', () => {
  for (const m of MODELS) {
    const bytes = () => new Uint8Array(readFileSync(join(dir, m.file)));

    it(`${m.file}: inspect finds the ${m.lstms} LSTM nodes inside the Ifs, with their attributes, valid and expressible`, () => {
      const r = inspectOnnx(bytes());
      expect(r.opsets['']).toBe(16);
      expect(r.opCounts['LSTM']).toBe(m.lstms);
      expect(r.lstmNodes).toHaveLength(m.lstms);
      for (const n of r.lstmNodes) {
        expect(n.depth).toBe(2);
        expect(n.path).toMatch(/^main › If .* › If .* › LSTM /);
        expect(n.attributes.filter((a) => !a.default).map((a) => a.name).sort()).toEqual([...m.given].sort());
        expect(n.attributes.find((a) => a.name === 'hidden_size')!.value).toBe(String(m.hidden));
        expect(n.attributes.find((a) => a.name === 'clip')).toEqual({ name: 'clip', value: 'none', default: true });
        expect(n.attributes.find((a) => a.name === 'activations')).toEqual({ name: 'activations', value: 'Sigmoid, Tanh, Tanh', default: true });
        expect(n.features).toMatchObject({ peephole: false, bias: true, clip: null, inputForget: false, layout: 0, sequenceLens: false, direction: 'forward', initialStates: true, hiddenSize: m.hidden });
        for (const role of ['W', 'R', 'B']) expect(n.inputs.find((i) => i.role === role)!.constant, role).toBe(true);
        expect(n.structure.status, n.structure.message).toBe('valid');
        expect(n.mapping).toMatchObject({ expressible: true, operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM', featureLevel: 4, activation: 4, timeMajor: true });
      }
    });

    it(`${m.file}: validate — every node within the float32 tolerance of ONNX Runtime and of the NNAPI mapping, 3 seeds × 20 frames`, async () => {
      const v = await validateOnnx(bytes(), m.file);
      expect(v.exitCode).toBe(0);
      expect(v.lstmNodes).toHaveLength(m.lstms);
      for (const n of v.lstmNodes) {
        expect(n.numeric.status, n.numeric.summary).toBe('pass');
        expect(n.numeric.trials!.map((t) => [t.seed, t.frames])).toEqual([[1, 20], [2, 20], [3, 20]]);
        expect(n.numeric.stats!.maxRatio).toBeLessThanOrEqual(1);
        expect(n.agreement.status, n.agreement.summary).toBe('pass');
        expect(n.agreement.frames).toBe(20);
        expect(n.stream!.frames, n.path).toBeGreaterThan(0);
        expect(n.stream!.pass).toBe(true);
        expect(n.xDims).toEqual([1, 1, m.hidden]);
      }
      // The carried path runs in 19 of each stream's 20 calls (4 streams × 3 seeds, the first call of the empty-start
      // streams taking the other branch): 117 calls, 111 of them right after the same node's previous call.
      const carried = v.lstmNodes.filter((n) => n.stream!.frames > 3);
      expect(carried.length).toBe(m.lstms / 2);
      for (const n of carried) expect([n.stream!.frames, n.stream!.carriedFrames]).toEqual([117, 111]);
      expect(v.stream.status).toBe('pass');
      expect(v.stream.plans!.some((p) => p.sampleRate === 16000 && p.chunk === 512)).toBe(true);
      expect(v.stream.framesPerPlan).toBe(20);
      expect(v.stream.runs).toBe(240);
    });

    it(`${m.file}: a reference with the gate order wrong fails against ONNX Runtime, the NNAPI mapping and the stream`, async () => {
      const v = await validateOnnx(bytes(), m.file, { seeds: 1, frames: 3, reference: { conventions: { gateOrder: 'ifco' } } });
      expect(v.exitCode).toBe(1);
      for (const n of v.lstmNodes) {
        expect(n.numeric.status).toBe('fail');
        expect(n.agreement.status).toBe('fail');
        expect(n.stream!.pass).toBe(false);
        expect(n.ok).toBe(false);
      }
    });
  }

  it('silero_vad_v5.onnx: a stream that never takes the 8 kHz or empty-state branches leaves nodes unchecked by it — warnings, exit 1 with strict', async () => {
    const bytes = new Uint8Array(readFileSync(join(dir, 'silero_vad_v5.onnx')));
    const opts = { seeds: 1, frames: 3, streamPlans: [{ sampleRate: 16000, chunk: 512, start: 'zero' as const }] };
    const v = await validateOnnx(bytes, 'silero_vad_v5.onnx', opts);
    expect(v.lstmNodes.map((n) => n.stream!.frames > 0)).toEqual([false, false, true, false]);
    expect(v.warnings.filter((w) => w.includes('never ran in the whole-model stream'))).toHaveLength(3);
    expect([v.verdict, v.exitCode]).toEqual(['warning', 0]);
    const strict = await validateOnnx(bytes, 'silero_vad_v5.onnx', { ...opts, strict: true });
    expect([strict.verdict, strict.exitCode]).toEqual(['fail', 1]);
  });

  it('a truncated silero_vad_v5.onnx: OnnxFormatError with a byte offset inside the file', () => {
    const bytes = new Uint8Array(readFileSync(join(dir, 'silero_vad_v5.onnx')));
    const cut = bytes.subarray(0, 1_000_000);
    let err: unknown;
    try {
      inspectOnnx(cut);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OnnxFormatError);
    const e = err as OnnxFormatError;
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(cut.length);
    expect(describeOnnxFormatError(e)).toMatch(/^[a-z-]+ at byte \d+/);
  });
});
