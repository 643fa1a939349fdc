/**
 * Property of rewriteTflite (src/tflite/rewrite.ts): with no edits it is the identity on the reader's view and on
 * every options table, for random LSTM chains and bidirectional models (test/tflite/compress-fixtures.ts).
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import { readTflite } from '../../src/tflite/reader.js';
import { rewriteTflite } from '../../src/tflite/rewrite.js';
import { bidiModel, comparable, lstmChainModel, optionFields, sameOptions } from './compress-fixtures.js';

const chain = fc
  .record({
    kind: fc.constantFrom<'UNI' | 'LSTM'>('UNI', 'LSTM'),
    nInput: fc.integer({ min: 1, max: 4 }),
    time: fc.integer({ min: 1, max: 3 }),
    cells: fc.array(fc.record({ nCell: fc.integer({ min: 1, max: 5 }), cifg: fc.boolean(), peephole: fc.boolean(), proj: fc.boolean() }), { minLength: 1, maxLength: 3 }),
    nFc: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer({ min: 1, max: 1 << 20 }),
  })
  .map((s) =>
    lstmChainModel({
      kind: s.kind,
      nInput: s.nInput,
      time: s.time,
      lstms: (s.kind === 'LSTM' ? s.cells.slice(0, 1) : s.cells).map((c) => ({ nCell: c.nCell, cifg: c.cifg, peephole: c.peephole, ...(c.proj && c.nCell > 1 ? { projection: c.nCell - 1 } : {}) })),
      nFc: s.nFc,
      seed: s.seed,
    }),
  );
const bidi = fc
  .record({ nInput: fc.integer({ min: 1, max: 3 }), time: fc.integer({ min: 1, max: 3 }), nCell: fc.integer({ min: 1, max: 4 }), merge: fc.boolean(), peephole: fc.boolean(), seed: fc.integer({ min: 1, max: 1000 }) })
  .map((s) => bidiModel({ ...s, nFc: 2 }));

describe('rewrite properties', () => {
  it('no edits → the same model (reader view and options tables)', () => {
    fc.assert(
      fc.property(fc.oneof(chain, bidi), (bytes) => {
        const out = rewriteTflite(bytes, { subgraphs: new Map() });
        return isDeepStrictEqual(comparable(readTflite(out)), comparable(readTflite(bytes))) && sameOptions(optionFields(out), optionFields(bytes));
      }),
      { numRuns: 80 },
    );
  });
});
