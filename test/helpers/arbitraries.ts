/** fast-check arbitraries shared by the property tests. */
import fc from 'fast-check';
import type { SequenceCellConfig } from '../../src/conformance/synth-sequence.js';

/** A generator seed for the synthetic models' weights and inputs. */
export const seedArb = fc.integer({ min: 1, max: 2 ** 31 - 1 });

/** One sequence direction's cell: every optional feature on or off, sizes up to the given bounds. */
export function sequenceCellArb(maxUnits: number, maxOutput: number): fc.Arbitrary<SequenceCellConfig> {
  return fc.record({
    numUnits: fc.integer({ min: 1, max: maxUnits }),
    outputSize: fc.integer({ min: 1, max: maxOutput }),
    cifg: fc.boolean(),
    peephole: fc.boolean(),
    projection: fc.boolean(),
    projectionBias: fc.boolean(),
    layerNorm: fc.boolean(),
  });
}
