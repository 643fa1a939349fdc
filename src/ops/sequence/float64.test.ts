import { describe, expect, it } from 'vitest';
import { listJsonFiles } from '../../conformance/cases.js';
import { compareOutputs } from '../../conformance/compare.js';
import type { Model } from '../../model/model.js';
import { loadModelFile } from '../../model/load-file.js';
import { fromRoot } from '../../util/paths.js';
import { roundToFloat16 } from '../../util/float16.js';
import { sequenceLstmF64 } from './float64.js';

const files = listJsonFiles(fromRoot('golden', 'aosp')).filter((f) => /\/(uslstm|bilstm)-/.test(f));

describe('the float64 sequence evaluation agrees with every AOSP sequence vector', () => {
  it('there are 24 AOSP sequence vectors', () => expect(files).toHaveLength(24));
  for (const f of files) {
    it(f.split('/').pop()!, () => {
      const m: Model = loadModelFile(f);
      const out = sequenceLstmF64(m);
      const op = m.operations[0]!;
      const f16 = m.operands[op.inputs[0]!]!.type === 'TENSOR_FLOAT16';
      const store = (x: number) => (f16 ? roundToFloat16(x) : Math.fround(x));
      const actual = m.outputIndexes.map((idx) => {
        const k = op.outputs.indexOf(idx);
        return { index: idx, dimensions: m.operands[idx]!.dimensions, values: out[k]!.map(store) };
      });
      const r = compareOutputs(m, actual);
      expect(r.reason ?? '').toBe('');
    });
  }
});
