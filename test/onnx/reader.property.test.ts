import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OnnxFormatError } from '../../src/onnx/errors.js';
import { syntheticOnnxSeeds } from '../../src/onnx/fuzz-families.js';
import { readOnnx } from '../../src/onnx/reader.js';
import { fcParams } from '../fc-params.js';

const seeds = syntheticOnnxSeeds();

/** Invariant: readOnnx returns a model or throws an OnnxFormatError whose offset lies in [0, length] — nothing else. */
function modelOrFormatError(bytes: Uint8Array): boolean {
  try {
    readOnnx(bytes);
    return true;
  } catch (e) {
    if (!(e instanceof OnnxFormatError) || e.kind === 'internal') throw e;
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(bytes.length);
    expect(e.rule).toBe(`onnx.format.${e.kind}`);
    return true;
  }
}

describe('readOnnx never throws anything but OnnxFormatError with an in-file offset', () => {
  it('on seeds with a few bytes overwritten, inserted or cut', () => {
    const edit = fc.record({
      seed: fc.nat(seeds.length - 1),
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'cut')), { minLength: 1, maxLength: 6 }),
    });
    fc.assert(
      fc.property(edit, ({ seed, edits }) => {
        let b = seeds[seed]!.bytes.slice();
        for (const [at, v, op] of edits) {
          const p = at % b.length;
          if (op === 'set') b[p] = v;
          else if (op === 'insert') b = Uint8Array.from([...b.subarray(0, p), v, ...b.subarray(p)]);
          else b = b.subarray(0, Math.max(1, p));
        }
        return modelOrFormatError(b);
      }),
      fcParams({ numRuns: 300 }),
    );
  });
});
