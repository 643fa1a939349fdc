/**
 * Property of compressTflite (src/tflite/compress.ts) on random fresh-clone chains (test/tflite/compress-fixtures.ts):
 * at full rank R = n_output the factorisation is exact, so every rewritten weight matrix times the new projection
 * V_Rᵀ gives back the original weights (recurrent and consumer alike) to float32 rounding.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { compressTflite } from '../../src/tflite/compress.js';
import { readTflite, type TfliteModel, type TfliteTensor } from '../../src/tflite/reader.js';
import { lstmChainModel } from './compress-fixtures.js';

function floats(m: TfliteModel, t: TfliteTensor): Float32Array {
  const d = m.buffers[t.buffer]!.data!;
  return new Float32Array(d.slice().buffer);
}

describe('compress properties', () => {
  it('full rank: rewritten weights × projection = original weights (recurrent and FC consumer)', () => {
    fc.assert(
      fc.property(
        fc.record({
          nInput: fc.integer({ min: 1, max: 4 }),
          time: fc.integer({ min: 1, max: 3 }),
          nCell: fc.integer({ min: 1, max: 6 }),
          nFc: fc.integer({ min: 1, max: 4 }),
          cifg: fc.boolean(),
          peephole: fc.boolean(),
          seed: fc.integer({ min: 1, max: 1 << 20 }),
        }),
        ({ nInput, time, nCell, nFc, cifg, peephole, seed }) => {
          const bytes = lstmChainModel({ nInput, time, lstms: [{ nCell, cifg, peephole }], nFc, seed });
          const before = readTflite(bytes);
          const r = compressTflite(bytes, before, { rank: nCell });
          const after = readTflite(r.bytes);
          const sb = before.subgraphs[0]!;
          const sa = after.subgraphs[0]!;
          const op = sa.operators[0]!;
          const p = floats(after, sa.tensors[op.inputs[16]!]!); // [R, n_c]
          const R = nCell;
          // (weights index, rows) pairs: the recurrent matrices and the FC weights, all taking the op output.
          const pairs = [5, 6, 7, 8].filter((s) => op.inputs[s]! >= 0).map((s) => op.inputs[s]!);
          pairs.push(sa.operators[1]!.inputs[1]!);
          return pairs.every((ti) => {
            const w0 = floats(before, sb.tensors[ti]!);
            const w1 = floats(after, sa.tensors[ti]!);
            const rows = sa.tensors[ti]!.shape[0]!;
            for (let i = 0; i < rows; i++) {
              for (let j = 0; j < nCell; j++) {
                let acc = 0;
                for (let k = 0; k < R; k++) acc += w1[i * R + k]! * p[k * nCell + j]!;
                if (Math.abs(acc - w0[i * nCell + j]!) > 1e-5) return false;
              }
            }
            return true;
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});
