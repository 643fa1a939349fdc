/**
 * Differential properties: the fast path (src/ops/fast/, driver `reference-fast`) against the plain
 * reference on random configurations — LSTM, UNIDIRECTIONAL and BIDIRECTIONAL_SEQUENCE_LSTM, every
 * feature, float32 and float16 — judged with the conformance criterion of each output.
 * Replay a failure: FC_SEED=<seed> FC_PATH=<path> npx vitest run test/fast.property.test.ts
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { synthLstmModel, type LstmConfig } from '../src/conformance/synth.js';
import { synthSequenceModel, type SequenceConfig } from '../src/conformance/synth-sequence.js';
import { criterionFor, errorRatio } from '../src/conformance/tolerance.js';
import { ReferenceDriver } from '../src/drivers/reference.js';
import type { Model } from '../src/model/model.js';
import { inputsFromModel } from '../src/ops/lstm/bind.js';
import { bindUniSequenceLstm } from '../src/ops/sequence/bind.js';
import { FastUniSequenceLstm } from '../src/ops/fast/sequence-fast.js';
import { createUniSequenceLstmOutputs } from '../src/ops/sequence/unidirectional.js';
import { relaxedSimdSupported } from '../src/ops/fast/kernel.js';
import { fcParams } from './fc-params.js';
import { seedArb, sequenceCellArb } from './helpers/arbitraries.js';

const plain = new ReferenceDriver();
const fast = new ReferenceDriver({ name: 'reference-fast', fast: true });
const exact = new ReferenceDriver({ name: 'reference-fast-exact', fast: { cell: 'exact' } });

async function outputsOf(d: ReferenceDriver, m: Model): Promise<{ index: number; values: number[] }[]> {
  const p = await d.prepare(m);
  if (!p.ok) throw new Error(`${d.name} prepare: ${p.message}`);
  const r = await d.execute(p.prepared, inputsFromModel(m));
  if (!r.ok) throw new Error(`${d.name} execute: ${r.message}`);
  return r.outputs.map((o) => ({ index: o.index, values: Array.from(o.values) }));
}

let worstRatio = 0;

/** Every output of the fast path within its conformance criterion of the plain path's. */
async function expectFastMatchesPlain(m: Model): Promise<void> {
  const [p, f] = [await outputsOf(plain, m), await outputsOf(fast, m)];
  expect(f.map((o) => o.index)).toEqual(p.map((o) => o.index));
  for (let q = 0; q < p.length; q++) {
    const crit = criterionFor(m, m.operands[p[q]!.index]!);
    const a = f[q]!.values;
    const e = p[q]!.values;
    expect(a.length).toBe(e.length);
    for (let k = 0; k < e.length; k++) {
      const r = errorRatio(a[k]!, e[k]!, crit);
      worstRatio = Math.max(worstRatio, r);
      if (!(r <= 1)) throw new Error(`output ${p[q]!.index}[${k}]: fast ${a[k]} vs plain ${e[k]} (ratio ${r}, ${crit.name})`);
    }
  }
}

async function expectExactMatchesPlain(m: Model): Promise<void> {
  expect(await outputsOf(exact, m)).toEqual(await outputsOf(plain, m));
}

const dtypeArb = fc.constantFrom('float32' as const, 'float32' as const, 'float16' as const);

/** Sizes reach past the kernels' blocking (4 rows, 8/32 columns) so every code path runs. */
const lstmArb: fc.Arbitrary<LstmConfig> = fc.record({
  batchSize: fc.integer({ min: 1, max: 9 }),
  inputSize: fc.integer({ min: 1, max: 19 }),
  numUnits: fc.integer({ min: 1, max: 37 }),
  outputSize: fc.integer({ min: 1, max: 13 }),
  cifg: fc.boolean(),
  peephole: fc.boolean(),
  projection: fc.boolean(),
  projectionBias: fc.boolean(),
  layerNorm: fc.boolean(),
  activation: fc.constantFrom(0, 1, 3, 4, 6),
  cellClip: fc.constantFrom(0, 0.25, 1, 3),
  projClip: fc.constantFrom(0, 0.1, 0.5, 2),
  dtype: dtypeArb,
  nonZeroState: fc.boolean(),
  stateScale: fc.constantFrom(0.5, 2),
  weightScale: fc.constantFrom(0.1, 0.5, 1),
});

const cellArb = sequenceCellArb(21, 11);

const commonArb = fc.record({
  maxTime: fc.integer({ min: 1, max: 7 }),
  batchSize: fc.integer({ min: 1, max: 6 }),
  inputSize: fc.integer({ min: 1, max: 9 }),
  timeMajor: fc.boolean(),
  dtype: dtypeArb,
  activation: fc.constantFrom(0, 1, 3, 4, 6),
  cellClip: fc.constantFrom(0, 0.5, 3),
  projClip: fc.constantFrom(0, 0.3, 2),
  nonZeroState: fc.boolean(),
});

const uniArb: fc.Arbitrary<SequenceConfig> = fc.tuple(commonArb, cellArb, fc.boolean()).map(([c, fw, stateOutputs]) => ({
  operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM' as const,
  ...c,
  fw,
  stateOutputs,
}));

const biArb: fc.Arbitrary<SequenceConfig> = fc
  .tuple(commonArb, cellArb, cellArb, fc.boolean(), fc.constantFrom('none' as const, 'parallel' as const, 'cross' as const), fc.integer({ min: 1, max: 6 }))
  .map(([c, fw, bw, mergeOutputs, linking, auxInputSize]) => ({
    operation: 'BIDIRECTIONAL_SEQUENCE_LSTM' as const,
    ...c,
    // TFLite-style BiLSTM models carry no layer norm in the AOSP vectors, but NNAPI allows it: keep it.
    fw,
    bw,
    mergeOutputs,
    stateOutputs: true,
    linking,
    auxInputSize,
  }));

describe('fast path = plain reference, within the conformance tolerance', () => {
  it('LSTM (one step), float32 and float16, every feature', async () => {
    await fc.assert(fc.asyncProperty(lstmArb, seedArb, async (c, seed) => expectFastMatchesPlain(synthLstmModel(c, seed))), fcParams());
  });

  it('UNIDIRECTIONAL_SEQUENCE_LSTM, both layouts, float32 and float16', async () => {
    await fc.assert(fc.asyncProperty(uniArb, seedArb, async (c, seed) => expectFastMatchesPlain(synthSequenceModel(c, seed))), fcParams());
  });

  it('BIDIRECTIONAL_SEQUENCE_LSTM, every linking mode, merged or not, float32 and float16', async () => {
    await fc.assert(fc.asyncProperty(biArb, seedArb, async (c, seed) => expectFastMatchesPlain(synthSequenceModel(c, seed))), fcParams());
  });

  it('activation 0 with the AOSP-code variant matches too', async () => {
    const p = new ReferenceDriver({ activationNoneVariant: 'aosp-code' });
    const f = new ReferenceDriver({ fast: true, activationNoneVariant: 'aosp-code' });
    await fc.assert(
      fc.asyncProperty(lstmArb, seedArb, async (c, seed) => {
        const m = synthLstmModel({ ...c, activation: 0, dtype: 'float32' }, seed);
        const [a, e] = [await outputsOf(f, m), await outputsOf(p, m)];
        for (let q = 1; q < e.length; q++) {
          for (let k = 0; k < e[q]!.values.length; k++) expect(errorRatio(a[q]!.values[k]!, e[q]!.values[k]!, criterionFor(m, m.operands[e[q]!.index]!))).toBeLessThanOrEqual(1);
        }
      }),
      fcParams({ numRuns: 30 }),
    );
  });

  it(`worst ratio seen so far stays far inside the band`, () => {
    console.log(`[fast.property] worst fast/plain error ratio over the random configurations: ${worstRatio.toExponential(3)}`);
    expect(worstRatio).toBeLessThanOrEqual(1);
  });
});

describe("fast path with cell: 'exact' = plain reference, bit for bit", () => {
  it('LSTM and both sequence ops', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(lstmArb.map((c) => ({ lstm: c })), uniArb.map((c) => ({ seq: c })), biArb.map((c) => ({ seq: c }))), seedArb, async (c, seed) =>
        expectExactMatchesPlain('lstm' in c ? synthLstmModel(c.lstm, seed) : synthSequenceModel(c.seq, seed)),
      ),
      fcParams(),
    );
  });
});

describe('fast path: steady state', () => {
  it('running a prepared sequence again allocates nothing (heap flat over 1,000 steps)', () => {
    const m = synthSequenceModel(
      { operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM', maxTime: 10, batchSize: 2, inputSize: 16, timeMajor: false, dtype: 'float32', activation: 4, cellClip: 3, projClip: 0.5, nonZeroState: true, fw: { numUnits: 32, outputSize: 16, cifg: false, peephole: true, projection: true, projectionBias: true, layerNorm: false } },
      5,
    );
    const b = bindUniSequenceLstm(m, inputsFromModel(m));
    const op = new FastUniSequenceLstm(b.shape, b.tensors);
    const out = createUniSequenceLstmOutputs(b.shape);
    const run = (): void => {
      for (let k = 0; k < 100; k++) op.run(b.tensors.input, b.tensors.output_state_in, b.tensors.cell_state_in, out);
    };
    run(); // warm up (JIT)
    run();
    // 100 sequences × 10 steps per round. V8's own tier-up can allocate during a round; a round
    // without it shows the steady state. One allocation per step would be ≥ 16 kB in every round.
    const rounds: number[] = [];
    for (let k = 0; k < 20; k++) {
      const before = process.memoryUsage().heapUsed;
      run();
      rounds.push(process.memoryUsage().heapUsed - before);
      if (rounds[rounds.length - 1]! < 4096) break;
    }
    expect(Math.min(...rounds), `heap growth per 1,000 steps: ${rounds.join(', ')} B`).toBeLessThan(4096);
  });

  it('relaxed-SIMD FMA is opt-in: the default never uses it, and asking for it without runtime support throws', () => {
    const m = synthSequenceModel({ operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM', maxTime: 2, batchSize: 1, inputSize: 3, timeMajor: true, dtype: 'float32', activation: 4, cellClip: 0, projClip: 0, fw: { numUnits: 4, outputSize: 4, cifg: false, peephole: false, projection: false, projectionBias: false, layerNorm: false } }, 3);
    const b = bindUniSequenceLstm(m, inputsFromModel(m));
    expect(new FastUniSequenceLstm(b.shape, b.tensors).memoryBytes).toBeGreaterThan(0);
    if (!relaxedSimdSupported()) expect(() => new FastUniSequenceLstm(b.shape, b.tensors, { fma: true })).toThrow(/relaxed SIMD/);
  });
});
