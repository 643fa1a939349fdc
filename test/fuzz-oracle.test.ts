import { describe, expect, it } from 'vitest';
import { caseSeed } from '../src/conformance/fuzz/campaign.js';
import { drawCase } from '../src/conformance/fuzz/generator.js';
import { float64Expected, judgeFuzzCase, prepareFuzzCase, REFERENCE_OUTSIDE, REFERENCE_OVERFLOW } from '../src/conformance/fuzz/oracle.js';
import type { Driver, OutputValue } from '../src/drivers/driver.js';
import { findMutant } from '../src/drivers/mutants.js';
import { ReferenceDriver } from '../src/drivers/reference.js';
import type { Model } from '../src/model/model.js';
import { roundToFloat16 } from '../src/util/float16.js';

/** A driver that answers the float64 evaluation (stored in the output type): closer to the truth than the reference. */
function float64Driver(): Driver<Model> {
  return {
    name: 'float64',
    capabilities: async () => ({ name: 'float64', version: '0', operations: [], operandTypes: [], featureLevel: 4 }),
    prepare: async (model) => ({ ok: true, prepared: model }),
    execute: async (model) => {
      const f64 = float64Expected(model);
      const outputs: OutputValue[] = model.outputIndexes.map((i) => {
        const o = model.operands[i]!;
        const e = f64.get(i);
        const store = o.type === 'TENSOR_FLOAT16' ? roundToFloat16 : Math.fround;
        return { index: i, dimensions: [...o.dimensions], values: e ? Array.from(e.values, store) : o.values };
      });
      return { ok: true, outputs };
    },
  };
}

// Campaign seed 1, case 124: a saturated unidirectional case where the float32 reference drifts from float64.
const outsideCase = drawCase(caseSeed(1, 124));

describe('fuzz oracle', () => {
  it('expects the reference (integer ops bit-exact) and passes the fast reference', async () => {
    const fast = new ReferenceDriver({ name: 'reference-fast', fast: true });
    for (let i = 0; i < 40; i++) {
      const c = drawCase(caseSeed(7, i));
      const { result, prepared } = await judgeFuzzCase(fast, c, `c${i}`);
      expect(['pass', 'unsupported'], `${result.id}: ${result.reason}`).toContain(result.status);
      if (c.op === 'QUANTIZED_LSTM' || c.op === 'QUANTIZED_16BIT_LSTM') expect(result.outputs!.every((o) => o.criterion === 'integer-exact' || o.ignored)).toBe(true);
      else expect(prepared!.referenceRatio).not.toBeNull();
    }
  });

  it('reports a driver outside the tolerance of the reference', async () => {
    const c = drawCase(caseSeed(1, 0), { features: ['cell-clip', 'saturate'], ops: ['LSTM'] });
    const { result } = await judgeFuzzCase(findMutant('cell-clip-ignored')!.create(), c, 'clip');
    expect(result.status).toBe('fail');
  });

  it('never blames a driver where the reference itself is outside the tolerance of float64', async () => {
    const p = prepareFuzzCase(outsideCase, 'x');
    expect(p.referenceOutside).toBe(true);
    expect(p.referenceRatio!).toBeGreaterThan(1);
    const { result } = await judgeFuzzCase(float64Driver(), outsideCase, 'x');
    expect(result.status).toBe('unsupported');
    expect(result.reason).toContain(REFERENCE_OUTSIDE);
  });

  it('judges the float64 driver as passing where the reference agrees with float64', async () => {
    const c = drawCase(caseSeed(1, 3), { ops: ['LSTM'], features: ['no-saturate'] });
    const p = prepareFuzzCase(c, 'y');
    expect(p.referenceOutside).toBe(false);
    expect((await judgeFuzzCase(float64Driver(), c, 'y')).result.status).toBe('pass');
  });

  it('does not judge a case whose reference outputs overflow (float16 state under relu / none)', async () => {
    const c = drawCase(caseSeed(5, 14), { features: ['float16', 'saturate'], ops: ['UNIDIRECTIONAL_SEQUENCE_LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM'] });
    const { result } = await judgeFuzzCase(new ReferenceDriver({ fast: true }), c, 'ovf');
    expect(result.status).toBe('unsupported');
    expect(result.reason).toContain(REFERENCE_OVERFLOW);
  });
});
