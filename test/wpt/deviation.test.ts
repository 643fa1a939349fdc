/**
 * The deviation webnn-output-peephole-prev-cell (conformance/policies/deviations.json): an NNAPI driver built
 * on WebNN's lstm, following the spec's emulation, fails exactly the NNAPI cases with a non-zero output
 * peephole, and the report names the deviation; with NNAPI's C_t timing the same driver passes them.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCases, type PositiveCase } from '../../src/conformance/cases.js';
import { loadDeviations } from '../../src/conformance/deviations.js';
import { registerBuiltinOracles } from '../../src/conformance/oracles.js';
import { findMutant } from '../../src/drivers/mutants.js';
import { runConformance } from '../../src/conformance/runner.js';
import { fromRoot } from '../../src/util/paths.js';
import { WebnnLstmDriver } from './webnn-driver.js';

const ID = 'webnn-output-peephole-prev-cell';
const deviations = loadDeviations(JSON.parse(readFileSync(fromRoot('conformance', 'policies', 'deviations.json'), 'utf8')));
let cases: PositiveCase[];

beforeAll(() => {
  cases = loadCases().filter((c): c is PositiveCase => c.kind === 'positive' && (c.model.operations[0]!.type === 'LSTM' || c.model.operations[0]!.type === 'UNIDIRECTIONAL_SEQUENCE_LSTM'));
});

describe(`deviation ${ID}`, () => {
  it('is in the policy, for every float LSTM operation with peepholes, with the built-in oracle', () => {
    const d = deviations.find((x) => x.id === ID)!;
    expect(d.appliesWhen).toEqual({ operation: ['LSTM', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM'], peephole: true });
    expect(d.explain).toBe(ID);
  });

  it('a WebNN-based driver following the spec fails the NNAPI peephole cases it can run, each named by the deviation', async () => {
    registerBuiltinOracles();
    {
      const report = await runConformance(new WebnnLstmDriver('C_prev'), cases, { deviations });
      const ran = report.results.filter((r) => r.status !== 'unsupported');
      const failed = ran.filter((r) => r.status !== 'pass');
      expect(ran.length).toBeGreaterThanOrEqual(15);
      expect(failed.length).toBeGreaterThan(0);
      for (const r of failed) expect(r.deviation, r.id).toBe(ID);
      for (const r of failed) expect(cases.find((c) => c.id === r.id)!.features['peephole'], r.id).toBe(true);
      // Through C_t, the same WebNN path passes every case it runs (WebNN's arithmetic meets NNAPI's tolerance).
      const fixed = await runConformance(new WebnnLstmDriver('C_t'), cases, { deviations });
      expect(fixed.results.filter((r) => r.status !== 'unsupported' && r.status !== 'pass').map((r) => `${r.id}: ${r.status}`)).toEqual([]);
    }
  });

  it('names the bidirectional peephole failures too (cell features nested under fw/bw)', async () => {
    registerBuiltinOracles();
    const bi = loadCases().filter((c): c is PositiveCase => c.kind === 'positive' && c.model.operations[0]!.type === 'BIDIRECTIONAL_SEQUENCE_LSTM' && c.id.includes('-peephole-'));
    expect(bi.length).toBeGreaterThan(0);
    const report = await runConformance(findMutant('peephole-output-old-cell')!.create(), bi, { deviations });
    const failed = report.results.filter((r) => r.status === 'fail');
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) expect(r.deviation, r.id).toBe(ID);
  });
});
