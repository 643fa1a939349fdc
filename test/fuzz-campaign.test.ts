import { describe, expect, it } from 'vitest';
import { runCampaign, type CampaignResult } from '../src/conformance/fuzz/campaign.js';
import { evaluateVerdict } from '../src/conformance/coverage.js';
import { mergeReports, MergeError } from '../src/conformance/merge-reports.js';
import { reportToJson } from '../src/conformance/report.js';
import type { CaseResult } from '../src/conformance/runner.js';
import { findMutant } from '../src/drivers/mutants.js';
import { ReferenceDriver } from '../src/drivers/reference.js';

const fast = () => new ReferenceDriver({ name: 'reference-fast', fast: true });
/** What a result says about the driver, without the timings. */
const verdictOf = (r: CaseResult) => ({ id: r.id, status: r.status, reason: r.reason, maxRatio: r.maxRatio });
const json = (r: CampaignResult) => JSON.parse(reportToJson(r.report)) as unknown;

describe('fuzz campaign', () => {
  it('--shard 1/3 … 3/3 merged gives the same verdict and case set as one unsharded run', async () => {
    const whole = await runCampaign(fast(), { seed: 11, count: 30 });
    const shards: CampaignResult[] = [];
    for (let k = 1; k <= 3; k++) shards.push(await runCampaign(fast(), { seed: 11, count: 30, shard: { index: k, total: 3 } }));
    expect(shards.map((s) => s.models)).toEqual([10, 10, 10]);
    // Merged in any order, from their JSON form.
    const merged = mergeReports([2, 0, 1].map((k) => ({ source: `shard${k + 1}.json`, doc: json(shards[k]!) })));
    expect(merged.results.map((r) => r.id)).toEqual(whole.report.results.map((r) => r.id));
    expect(merged.results.map(verdictOf)).toEqual(JSON.parse(JSON.stringify(whole.report.results.map(verdictOf))));
    expect(merged.totals).toEqual(whole.report.totals);
    expect(merged.filter).toBe(whole.report.filter);
    expect(evaluateVerdict(merged)).toEqual(evaluateVerdict(whole.report));
    expect(() => mergeReports(shards.slice(0, 2).map((s, k) => ({ source: `s${k}`, doc: json(s) })))).toThrow(/shard\(s\) 3\/3 missing/);
    expect(() => mergeReports([json(shards[0]!), json(shards[0]!)].map((doc, k) => ({ source: `s${k}`, doc })))).toThrow(MergeError);
  });

  it('the same seed reproduces the same campaign; a failure is shrunk to a smaller golden case that fails the driver and passes the reference', async () => {
    const mutant = () => findMutant('cell-clip-ignored')!.create();
    const opts = { seed: 3, count: 12, ops: ['LSTM' as const], features: ['cell-clip'], shrinkBudget: 60 };
    const a = await runCampaign(mutant(), opts);
    const b = await runCampaign(mutant(), opts);
    expect(b.report.results.map(verdictOf)).toEqual(a.report.results.map(verdictOf));
    expect(b.reproducers.map((r) => r.golden)).toEqual(a.reproducers.map((r) => r.golden));
    expect(a.reproducers.length).toBeGreaterThan(0);
    const rep = a.reproducers[0]!;
    const size = (c: typeof rep.shrunk) => c.sizes.units + c.sizes.input + c.sizes.batch + Object.values(c.features).filter((v) => v === true).length;
    expect(size(rep.shrunk)).toBeLessThan(size(rep.original));
    expect(rep.shrunk.features.cellClip).toBe(true);
    expect(rep.result.status).toBe('fail');
    expect(rep.referenceStatus).toBe('pass');
    const prov = JSON.parse(rep.golden).provenance;
    expect(prov.config.shrinkPath).toEqual(rep.path);
    expect(prov.seed).toBe(3);
  });
});
