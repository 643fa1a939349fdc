import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TfliteFormatError } from '../../src/tflite/errors.js';
import { fuzzOne, runFuzz } from '../../src/tflite/fuzz.js';
import { externalBufferSeed, FAMILY_NAMES } from '../../src/tflite/fuzz-families.js';
import { mapTfliteStructure } from '../../src/tflite/verify.js';
import { readTflite } from '../../src/tflite/reader.js';
import { syntheticCorpus } from '../../src/tflite/synthetic.js';
import { writeSingleOpTflite } from '../../src/tflite/writer.js';
import { sharedDir } from '../../src/util/paths.js';
import { fcParams } from '../fc-params.js';

const generated = syntheticCorpus().map(({ name, model }) => ({ name, bytes: writeSingleOpTflite(model) }));
const modelsDir = sharedDir() ? join(sharedDir()!, 'models') : undefined;
const real =
  modelsDir && existsSync(modelsDir)
    ? readdirSync(modelsDir)
        .filter((f) => f.endsWith('.tflite'))
        .sort()
        .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(modelsDir, f))) }))
    : [];
if (real.length === 0) console.warn('[tflite property] ../shared/models not found: mutating generated models only');
const all = [...generated, ...real];

/** A model or a TfliteFormatError with a sane offset — nothing else, and fast. */
function expectModelOrFormatError(bytes: Uint8Array, what: string): 'ok' | string {
  const t0 = performance.now();
  const outcome = fuzzOne(bytes);
  const ms = performance.now() - t0;
  expect(ms, `${what}: ${ms.toFixed(1)} ms`).toBeLessThan(1000);
  if (outcome.status === 'crash') throw new Error(`${what}: ${outcome.error}`);
  return outcome.status === 'accepted' ? 'ok' : outcome.kind;
}

describe('reader robustness', () => {
  it('all seeds read cleanly', () => {
    for (const s of all) expect(expectModelOrFormatError(s.bytes, s.name)).toBe('ok');
  });

  it('truncation at every length of the generated models', () => {
    let n = 0;
    for (const s of generated) {
      for (let len = 0; len < s.bytes.length; len++) {
        expectModelOrFormatError(s.bytes.subarray(0, len), `${s.name} truncated to ${len}`);
        n++;
      }
    }
    expect(n).toBeGreaterThan(5000);
  });

  it('truncation at sampled lengths of the real models', () => {
    fc.assert(
      fc.property(fc.nat({ max: Math.max(0, real.length - 1) }), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (i, f) => {
        const s = real[i];
        if (!s) return;
        const len = Math.floor(f * s.bytes.length);
        const r = expectModelOrFormatError(s.bytes.subarray(0, len), `${s.name} truncated to ${len}`);
        expect(r).not.toBe('ok');
      }),
      fcParams({ numRuns: real.length ? 400 : 1 }),
    );
  });

  it('random byte mutations yield a model or a TfliteFormatError', () => {
    const edit = fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), byte: fc.integer({ min: 0, max: 255 }) });
    fc.assert(
      fc.property(fc.nat({ max: all.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 8 }), (i, edits) => {
        const s = all[i]!;
        const b = s.bytes.slice();
        for (const e of edits) b[Math.floor(e.at * b.length)] = e.byte;
        expectModelOrFormatError(b, `${s.name} with ${edits.length} byte edit(s)`);
      }),
      fcParams({ numRuns: 2000 }),
    );
  });

  it('mutations of the flatbuffer header region (root table, vtables) are caught', () => {
    fc.assert(
      fc.property(fc.nat({ max: all.length - 1 }), fc.nat({ max: 255 }), fc.integer({ min: 0, max: 0xffffffff }), (i, pos, word) => {
        const s = all[i]!;
        const b = s.bytes.slice();
        const p = Math.min(pos, b.length - 4) & ~3;
        new DataView(b.buffer).setUint32(p, word, true);
        expectModelOrFormatError(b, `${s.name} u32@${p}=${word}`);
      }),
      fcParams({ numRuns: 1000 }),
    );
  });

  it('the error is always a TfliteFormatError with kind, offset and path', () => {
    const b = generated[0]!.bytes.slice(0, 40);
    try {
      readTflite(b);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TfliteFormatError);
      const err = e as TfliteFormatError;
      expect(err.offset).toBeGreaterThanOrEqual(0);
      expect(typeof err.path).toBe('string');
      expect(err.message).toContain(err.kind);
    }
  });

  it('runFuzz: mixed mutation strategies, no crashes or hangs', () => {
    const r = runFuzz({ count: 1500, seed: 7, files: real.map((s) => ({ name: s.name, bytes: s.bytes })) });
    expect(r.mutants).toBe(1500);
    expect(r.crashes, JSON.stringify(r.samples)).toBe(0);
    expect(r.hangs).toBe(0);
    expect(r.accepted + r.rejected).toBe(1500);
    expect(Object.values(r.byKind).reduce((a, b) => a + b, 0)).toBe(r.rejected);
    expect(r.rejected).toBeGreaterThan(0);
  });
});

describe('structure-aware fuzzing (src/tflite/fuzz-families.ts)', () => {
  it('a small seeded campaign of every family: no crashes, no hangs, every family ran and some mutants were accepted', () => {
    const r = runFuzz({ count: 7 * 120, seed: 11, mix: 'structure', files: real.map((s) => ({ name: s.name, bytes: s.bytes })) });
    expect(r.crashes, JSON.stringify(r.samples)).toBe(0);
    expect(r.hangs).toBe(0);
    expect(Object.keys(r.byFamily).sort()).toEqual([...FAMILY_NAMES].sort());
    for (const [name, f] of Object.entries(r.byFamily)) expect(f.mutants, name).toBeGreaterThan(50);
    // Mutants the reader accepts reach the structural validation (the ops of the synthetic seeds are valid).
    expect(r.byFamily['union-type']!.accepted + r.byFamily['buffer-extent']!.accepted).toBeGreaterThan(0);
    expect(r.opsChecked).toBeGreaterThan(0);
    expect(r.rejected).toBeGreaterThan(0);
  });

  it('the structure map names the places the families aim at', () => {
    const slots = mapTfliteStructure(generated[0]!.bytes);
    const kinds = new Set(slots.map((s) => s.kind));
    expect([...kinds].sort()).toEqual(['offset', 'scalar', 'union-type', 'vector', 'vtable']);
    expect(slots.some((s) => s.kind === 'offset' && s.table === 'Tensor' && s.field === 'shape')).toBe(true);
    expect(slots.some((s) => s.kind === 'offset' && s.table === 'SubGraph' && s.field === 'operators[]')).toBe(true);
    const ext = mapTfliteStructure(externalBufferSeed());
    expect(ext.filter((s) => s.kind === 'scalar' && s.table === 'Buffer').map((s) => (s.kind === 'scalar' ? s.field : '')).sort()).toEqual(['offset', 'size']);
  });
});
