/**
 * The reference agrees with the real TFLite interpreter on random configurations.
 * Excluded activations, by design: 0 (none) — TFLite computes m = o ⊙ z_c, the known deviation
 * activation-none-cell-gate, where the reference follows the documented o ⊙ C_t; 6 (sigmoid) —
 * a .tflite file cannot express it. Float16 is excluded too (TFLite's LSTM takes no float16).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { synthLstmModel, type LstmConfig } from '../src/conformance/synth.js';
import { ReferenceDriver } from '../src/drivers/reference.js';
import { TfliteDriver } from '../src/tflite/driver.js';
import { bindLstm, inputsFromModel } from '../src/ops/lstm/bind.js';
import { layerNormWellConditioned } from './helpers/conditioning.js';
import { FLOAT32_CRITERION, withinTolerance } from '../src/conformance/tolerance.js';
import type { Driver, OutputValue } from '../src/drivers/driver.js';
import type { Model } from '../src/model/model.js';
import { fcParams } from './fc-params.js';
import { seedArb } from './helpers/arbitraries.js';

const configArb: fc.Arbitrary<LstmConfig> = fc.record({
  batchSize: fc.integer({ min: 1, max: 3 }),
  inputSize: fc.integer({ min: 1, max: 5 }),
  numUnits: fc.integer({ min: 1, max: 6 }),
  outputSize: fc.integer({ min: 1, max: 4 }),
  cifg: fc.boolean(),
  peephole: fc.boolean(),
  projection: fc.boolean(),
  projectionBias: fc.boolean(),
  layerNorm: fc.boolean(),
  activation: fc.constantFrom(1, 3, 4),
  cellClip: fc.constantFrom(0, 0.3, 2),
  projClip: fc.constantFrom(0, 0.1, 1),
  dtype: fc.constant('float32' as const),
  nonZeroState: fc.boolean(),
  stateScale: fc.constantFrom(0.5, 3),
});

function layerNormOk(m: Model): boolean {
  const b = bindLstm(m, inputsFromModel(m));
  return layerNormWellConditioned(b.shape, b.tensors);
}

async function run(d: Driver, m: Model): Promise<OutputValue[]> {
  const p = await d.prepare(m);
  if (!p.ok) throw new Error(`${d.name} prepare: ${p.message}`);
  const r = await d.execute(p.prepared, inputsFromModel(m));
  if (!r.ok) throw new Error(`${d.name} execute: ${r.message}`);
  return r.outputs;
}

describe('agreement with the TFLite runtime', () => {
  it('the reference and TFLite agree within the float32 tolerance on random float32 configurations (activations 1, 3, 4)', async () => {
    const ref = new ReferenceDriver();
    const tfl = new TfliteDriver();
    await fc.assert(
      fc.asyncProperty(configArb, seedArb, async (c, seed) => {
        const m = synthLstmModel(c, seed);
        fc.pre(layerNormOk(m));
        const [a, b] = [await run(ref, m), await run(tfl, m)];
        // Outputs 1..3 (the scratch buffer is implementation-defined).
        for (let k = 1; k < a.length; k++) {
          const x = a[k]!.values;
          const y = b[k]!.values;
          expect(y.length).toBe(x.length);
          for (let j = 0; j < x.length; j++) {
            if (!withinTolerance(x[j]!, y[j]!, FLOAT32_CRITERION)) throw new Error(`output ${k}[${j}]: reference ${x[j]} vs TFLite ${y[j]}`);
          }
        }
      }),
      fcParams({ numRuns: Number(process.env['FC_RUNS'] ?? 60) }),
    );
  });
});
