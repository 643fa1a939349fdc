/** The real reference driver against the whole suite (golden + negative cases). */
import { describe, expect, it } from 'vitest';
import { loadCases, type PositiveCase } from '../src/conformance/cases.js';
import { loadDeviations, registerDeviationOracle, unregisterDeviationOracle } from '../src/conformance/deviations.js';
import { featureTags } from '../src/conformance/features.js';
import { formatSummary, reportToJson } from '../src/conformance/report.js';
import { buildInputs, runCase, runConformance } from '../src/conformance/runner.js';
import { LSTM_IN } from '../src/ops/lstm/operands.generated.js';
import { createDriver } from '../src/hosts/registry.js';
import { ReferenceDriver } from '../src/drivers/reference.js';
import { schemaValidator } from '../src/model/load.js';

describe('reference driver conformance', () => {
  it('passes every case; the JSON report matches its schema', async () => {
    const cases = loadCases();
    expect(cases.filter((c) => c.kind === 'positive').length).toBeGreaterThanOrEqual(36);
    const report = await runConformance(new ReferenceDriver(), cases, { deviations: loadDeviations() });
    const notPass = report.results.filter((r) => r.status !== 'pass');
    expect(notPass.map((r) => `${r.id}: ${r.status} ${r.reason}`)).toEqual([]);
    expect(formatSummary(report)).toMatch(/RESULT: PASS/);
    const v = schemaValidator('report');
    expect(v(JSON.parse(reportToJson(report))), JSON.stringify(v.errors?.slice(0, 3))).toBe(true);
    // AOSP's own vectors pass with a wide margin (facts memo: worst ≈ 7.5 % of the band)
    const aosp = report.results.filter((r) => r.id.startsWith('aosp/'));
    expect(Math.max(...aosp.map((r) => r.maxRatio ?? 0))).toBeLessThan(0.5);
  });

  it('the registry builds the reference driver', async () => {
    expect((await createDriver('reference')).name).toBe('reference');
  });
});

describe('known deviation activation-none-cell-gate, end to end', () => {
  it("a driver computing AOSP's o ⊙ z_c for activation 0 fails, and the failure names the deviation", async () => {
    const base = loadCases({ negativeDir: '/nonexistent' }).find((c): c is PositiveCase => c.kind === 'positive' && c.id.endsWith('-lstm'))!;
    const model = structuredClone(base.model);
    model.operands[model.operations[0]!.inputs[LSTM_IN.activation]!]!.values = [0];
    // expected values: the documented semantics (default reference)
    const documented = new ReferenceDriver();
    const prep = await documented.prepare(model);
    if (!prep.ok) throw new Error(prep.message);
    const exec = await documented.execute(prep.prepared, buildInputs(model));
    if (!exec.ok) throw new Error(exec.message);
    for (const o of exec.outputs) {
      const op = model.operands[o.index]!;
      if (!op.isIgnored) op.values = Array.from(o.values);
    }
    const features = { ...base.features, activation: 0 };
    const c: PositiveCase = { ...base, id: 'test/activation-none', model, features, tags: featureTags(features, model) };
    const aospCode = new ReferenceDriver({ activationNoneVariant: 'aosp-code' });
    registerDeviationOracle('activation-none-cell-gate', async (m, inputs) => {
      const p = await aospCode.prepare(m);
      if (!p.ok) throw new Error(p.message);
      const r = await aospCode.execute(p.prepared, inputs);
      if (!r.ok) throw new Error(r.message);
      return r.outputs;
    });
    try {
      const deviations = loadDeviations();
      expect((await runCase(documented, c, deviations)).status).toBe('pass');
      const r = await runCase(aospCode, c, deviations);
      expect(r.status).toBe('fail');
      expect(r.deviation).toBe('activation-none-cell-gate');
    } finally {
      unregisterDeviationOracle('activation-none-cell-gate');
    }
  });
});
