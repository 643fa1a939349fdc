import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzzOneOnnx, runOnnxFuzz } from '../../src/onnx/fuzz.js';
import { ONNX_FAMILIES, ONNX_FAMILY_NAMES, syntheticOnnxSeeds, type MappedOnnxSeed } from '../../src/onnx/fuzz-families.js';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from '../../src/onnx/generated/onnx_pb.js';
import { mapOnnxStructure } from '../../src/onnx/verify.js';
import { rng } from '../../src/conformance/synth.js';
import { parseFuzzOnnxArgs } from '../../src/tools/fuzz-onnx.js';
import { sharedDir } from '../../src/util/paths.js';

const dir = sharedDir() ? join(sharedDir()!, 'models', 'onnx') : undefined;
const real = ['silero_vad_legacy.onnx', 'silero_vad_v5.onnx'].filter((f) => dir && existsSync(join(dir, f))).map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(dir!, f))) }));
if (real.length < 2) console.warn('[onnx fuzz] Silero models not found under ../shared/models/onnx: the campaign mutates the synthetic seeds only');

describe('ONNX reader fuzzing', () => {
  it('a fixed-seed campaign of 300 mutants: no crashes, no hangs, every family exercised', () => {
    const r = runOnnxFuzz({ count: 300, seed: 1, hangMs: 1000 });
    expect(r.samples).toEqual([]);
    expect(r.crashes).toBe(0);
    expect(r.hangs).toBe(0);
    expect(r.mutants).toBe(300);
    expect(r.accepted + r.rejected).toBe(300);
    expect(Object.keys(r.byFamily).sort()).toEqual(['bytes', ...ONNX_FAMILY_NAMES].sort());
    // both outcomes occur: the mutations reach past the verifier
    expect(r.accepted).toBeGreaterThan(20);
    expect(Object.keys(r.byKind).length).toBeGreaterThan(5);
  });

  it.skipIf(real.length < 2)('40 mutants of the Silero models: no crashes, no hangs', () => {
    const r = runOnnxFuzz({ count: 40, seed: 7, seeds: real, synthetic: false });
    expect(r.samples).toEqual([]);
    expect(r.crashes + r.hangs).toBe(0);
  });

  it('every family produces bytes that differ from the seed (or says noop)', () => {
    const r = rng(3);
    for (const s of syntheticOnnxSeeds()) {
      const m: MappedOnnxSeed = { ...s, slots: mapOnnxStructure(s.bytes), proto: fromBinary(ModelProtoSchema, s.bytes) };
      for (const f of ONNX_FAMILY_NAMES) {
        const [out, name] = ONNX_FAMILIES[f](m, r);
        if (name !== 'noop') expect(out, `${s.name} ${f} ${name}`).not.toEqual(s.bytes);
        expect(fuzzOneOnnx(out).status).not.toBe('crash');
      }
    }
  });

  it('the tool parses its options', () => {
    expect(parseFuzzOnnxArgs(['--count', '5', '--seed=3', '--heap', '--mix', 'bytes', '--no-synthetic'])).toMatchObject({ count: 5, seed: 3, heap: true, mix: 'bytes', synthetic: false });
    expect(() => parseFuzzOnnxArgs(['--bogus'])).toThrow(/unknown argument/);
  });
});
