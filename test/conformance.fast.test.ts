/**
 * The fast path (driver `reference-fast`) against the whole suite — the same cases and the same
 * tolerance as the plain reference (test/conformance.reference.test.ts) — and its worst error ratio.
 */
import { describe, expect, it } from 'vitest';
import { loadCases } from '../src/conformance/cases.js';
import { loadDeviations } from '../src/conformance/deviations.js';
import { runConformance } from '../src/conformance/runner.js';
import { createDriver } from '../src/hosts/registry.js';
import { ReferenceDriver } from '../src/drivers/reference.js';

describe('reference-fast driver conformance', () => {
  it('passes every case the plain reference passes, within the same tolerance, in under 10 s', async () => {
    const cases = loadCases();
    const fast = await createDriver('reference-fast');
    expect(fast.name).toBe('reference-fast');
    const t0 = performance.now();
    const report = await runConformance(fast, cases, { deviations: loadDeviations() });
    const seconds = (performance.now() - t0) / 1000;
    const notPass = report.results.filter((r) => r.status !== 'pass');
    expect(notPass.map((r) => `${r.id}: ${r.status} ${r.reason}`)).toEqual([]);
    const plain = await runConformance(new ReferenceDriver(), cases, { deviations: loadDeviations() });
    expect(report.results.map((r) => r.id)).toEqual(plain.results.map((r) => r.id));
    const positives = report.results.filter((r) => r.kind === 'positive');
    const worst = positives.reduce((w, r) => ((r.maxRatio ?? 0) > (w.maxRatio ?? 0) ? r : w));
    console.log(
      `[reference-fast] ${report.results.length} cases (${positives.length} positive) in ${seconds.toFixed(2)} s; ` +
        `worst error ratio ${(worst.maxRatio ?? 0).toExponential(3)} (${worst.id})`,
    );
    expect(worst.maxRatio ?? 0).toBeLessThanOrEqual(1);
    expect(seconds).toBeLessThan(10);
  });

  it('the exact-cell fast path reproduces the plain reference bit for bit on every positive case', async () => {
    const cases = loadCases({ negativeDir: '/nonexistent' });
    const { buildInputs } = await import('../src/conformance/runner.js');
    const plain = new ReferenceDriver();
    const exact = new ReferenceDriver({ name: 'reference-fast-exact', fast: { cell: 'exact' } });
    for (const c of cases) {
      const run = async (d: ReferenceDriver) => {
        const p = await d.prepare(c.model);
        if (!p.ok) throw new Error(`${c.id}: ${p.message}`);
        const r = await d.execute(p.prepared, buildInputs(c.model));
        if (!r.ok) throw new Error(`${c.id}: ${r.message}`);
        return r.outputs.map((o) => Array.from(o.values));
      };
      expect(await run(exact), c.id).toEqual(await run(plain));
    }
  });
});
