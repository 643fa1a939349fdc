/**
 * The writer on real models: each Silero VAD file (../shared/models/onnx, LSTMs inside nested If subgraphs) read by
 * src/onnx/reader.ts, written by writeOnnx, read again gives the same plain model, and ONNX Runtime gives
 * bit-identical outputs for the original and the rewritten bytes over a few carried frames.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOnnx } from '../../src/onnx/reader.js';
import { writeOnnx } from '../../src/onnx/writer.js';
import { rng } from '../../src/conformance/synth.js';
import { sharedDir } from '../../src/util/paths.js';

const ort = await import('onnxruntime-node').catch(() => undefined);
const shared = sharedDir();
const models = shared ? ['silero_vad_v5.onnx', 'silero_vad_legacy.onnx'].map((f) => join(shared, 'models', 'onnx', f)).filter((p) => existsSync(p)) : [];
if (models.length === 0) console.warn('skipping the Silero writer round trip: ../shared/models/onnx (or NNLSTM_SHARED) is absent');

/** JSON with typed arrays as plain arrays and bigints as strings, for a deep comparison. */
const plain = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<number>) : x));

describe.skipIf(models.length === 0)('writeOnnx on the Silero VAD models', () => {
  for (const path of models) {
    const name = path.split('/').pop()!;
    it(`${name}: readOnnx(writeOnnx(readOnnx(file))) equals readOnnx(file)`, () => {
      const m = readOnnx(new Uint8Array(readFileSync(path)));
      expect(plain(readOnnx(writeOnnx(m)))).toBe(plain(m));
    });

    it.skipIf(!ort)(`${name}: ONNX Runtime gives bit-identical outputs for the original and the rewritten model (4 carried frames)`, async () => {
      const original = new Uint8Array(readFileSync(path));
      const rewritten = writeOnnx(readOnnx(original));
      const [a, b] = await Promise.all([ort!.InferenceSession.create(original), ort!.InferenceSession.create(rewritten)]);
      expect(b.inputNames).toEqual(a.inputNames);
      const next = rng(77);
      const legacy = a.inputNames.includes('h');
      let state: Record<string, InstanceType<NonNullable<typeof ort>['Tensor']>> = legacy
        ? { h: new ort!.Tensor('float32', new Float32Array(128), [2, 1, 64]), c: new ort!.Tensor('float32', new Float32Array(128), [2, 1, 64]) }
        : { state: new ort!.Tensor('float32', new Float32Array(256), [2, 1, 128]) };
      for (let frame = 0; frame < 4; frame++) {
        const input = new ort!.Tensor('float32', Float32Array.from({ length: 512 }, () => Math.fround((next() * 2 - 1) * 0.5)), [1, 512]);
        const feeds = { input, sr: new ort!.Tensor('int64', BigInt64Array.of(16000n), []), ...state };
        const [ra, rb] = [await a.run(feeds), await b.run(feeds)];
        for (const k of a.outputNames) expect(Array.from(rb[k]!.data as Float32Array), `${k} frame ${frame}`).toEqual(Array.from(ra[k]!.data as Float32Array));
        state = legacy ? { h: ra['hn']!, c: ra['cn']! } : { state: ra['stateN']! };
      }
      await Promise.all([a.release(), b.release()]);
    });
  }
});
