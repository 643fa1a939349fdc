import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildFuzzModel, describeCase, drawCase, edgeSizes, FEATURE_NAMES, type FuzzCase } from '../src/conformance/fuzz/generator.js';
import { validateModel } from '../src/ops/validate.js';

const violationsOf = (c: FuzzCase) => {
  const v = validateModel(buildFuzzModel(c));
  return v.ok ? [] : v.violations.map((x) => `${x.rule}: ${x.message}`);
};

describe('fuzz generator', () => {
  it('every generated model passes validate (3000 default cases)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => {
        const c = drawCase(seed);
        expect(violationsOf(c), describeCase(c)).toEqual([]);
      }),
      { numRuns: 3000, seed: 0x5eed },
    );
  });

  it('every generated model passes validate with each feature forced on and off', () => {
    for (const f of FEATURE_NAMES) {
      for (const spec of [f, `no-${f}`]) {
        for (let s = 0; s < 40; s++) {
          const c = drawCase(s * 7919 + 1, { features: [spec] });
          expect(violationsOf(c), `${spec}: ${describeCase(c)}`).toEqual([]);
        }
      }
    }
  });

  it('every generated model passes validate at the large end (units, input up to 1024, time up to 256, batch up to 16)', () => {
    let biggest = 0;
    // Few cases: one 1024×1024 bidirectional model holds tens of millions of values.
    for (let s = 0; s < 12; s++) {
      const c = drawCase(s + 1, { maxSize: 1024, maxTime: 256, maxBatch: 16, ops: ['LSTM', 'QUANTIZED_16BIT_LSTM'] });
      biggest = Math.max(biggest, c.sizes.units, c.sizes.input);
      expect(violationsOf(c), describeCase(c)).toEqual([]);
    }
    expect(biggest).toBeGreaterThan(64);
  });

  it('covers every feature, variant, activation and aux linking', () => {
    const seen = new Set<string>();
    for (let s = 0; s < 2000; s++) {
      const c = drawCase(s);
      const f = c.features;
      seen.add(c.op).add(c.variant).add(`act${f.activation}`).add(`link-${f.linking}`);
      for (const [k, v] of Object.entries(f)) if (v === true) seen.add(k);
      if (c.sizes.input === c.sizes.units) seen.add('input==units');
      if (c.sizes.output !== c.sizes.units) seen.add('output!=units');
      if (c.sizes.bwUnits !== c.sizes.units) seen.add('bw-differs');
    }
    for (const k of ['LSTM', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM', 'QUANTIZED_LSTM', 'QUANTIZED_16BIT_LSTM', 'float32', 'float16', 'relaxed', 'int8', 'quant8',
      'act0', 'act1', 'act3', 'act4', 'act6', 'link-none', 'link-parallel', 'link-cross', 'cifg', 'peephole', 'projection', 'projectionBias', 'layerNorm', 'cellClip', 'projClip',
      'timeMajor', 'merge', 'stateOutputs', 'nonZeroState', 'saturate', 'input==units', 'output!=units', 'bw-differs']) {
      expect(seen.has(k), k).toBe(true);
    }
  });

  it('is deterministic: the same seed gives the same description and the same model', () => {
    for (const seed of [1, 42, 2 ** 31 + 5]) {
      const a = drawCase(seed);
      expect(drawCase(seed)).toEqual(a);
      expect(JSON.stringify(buildFuzzModel(JSON.parse(JSON.stringify(a)) as FuzzCase))).toBe(JSON.stringify(buildFuzzModel(a)));
    }
  });

  it('favours edge sizes', () => {
    expect(edgeSizes(32)).toEqual([1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32]);
  });
});
