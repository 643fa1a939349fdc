/**
 * The example drivers of examples/ over exec: — Python (NumPy when present, plain lists otherwise)
 * and C — against the whole suite: every float32 LSTM case passes, every LSTM validation-negative
 * case is rejected at prepare naming its rule, everything else is reported unsupported.
 */
import { describe, expect, it } from 'vitest';
import { schemaValidator } from '../../src/model/load.js';
import { loadDeviations } from '../../src/conformance/deviations.js';
import { reportToJson } from '../../src/conformance/report.js';
import { runConformance, type Report } from '../../src/conformance/runner.js';
import { ExecDriver } from '../../src/drivers/exec/exec-driver.js';
import { allCases, buildCDriver, isFloat32Lstm, isLstm, python, PYTHON_DRIVER } from './helpers.js';

const py = python();
const cBuild = buildCDriver();

async function runWhole(command: string[]): Promise<{ report: Report; ms: number; processes: number }> {
  const driver = new ExecDriver({ command, timeoutMs: 20_000 });
  const t0 = performance.now();
  try {
    const report = await runConformance(driver, allCases(), { deviations: loadDeviations() });
    return { report, ms: performance.now() - t0, processes: driver.processCount };
  } finally {
    await driver.close();
  }
}

function checkExampleReport(report: Report): void {
  const byId = new Map(allCases().map((c) => [c.id, c]));
  const f32Lstm = report.results.filter((r) => r.kind === 'positive' && isFloat32Lstm(byId.get(r.id)!));
  const lstmNegative = report.results.filter((r) => r.kind === 'negative' && isLstm(byId.get(r.id)!));
  expect(f32Lstm.length).toBeGreaterThanOrEqual(56);
  expect(lstmNegative.length).toBeGreaterThanOrEqual(41);
  expect(f32Lstm.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.status} ${r.reason}`)).toEqual([]);
  expect(lstmNegative.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.status} ${r.reason}`)).toEqual([]);
  // They name the rule the model breaks.
  expect(lstmNegative.filter((r) => r.ruleMatched !== true).map((r) => `${r.id}: ${r.rules?.join(',')}`)).toEqual([]);
  // Nothing else fails: what they do not compute is unsupported.
  const others = report.results.filter((r) => !f32Lstm.includes(r) && !lstmNegative.includes(r));
  expect(others.filter((r) => r.status !== 'unsupported' && r.status !== 'pass').map((r) => `${r.id}: ${r.status}`)).toEqual([]);
  expect(report.totals.fail + report.totals.error + report.totals.rejected).toBe(0);
  // The report (with per-case stderr) is valid against spec/schema/report.schema.json.
  const v = schemaValidator('report');
  expect(v(JSON.parse(reportToJson(report))), JSON.stringify(v.errors?.slice(0, 3))).toBe(true);
  expect(report.results.some((r) => r.stderr?.includes('prepare: rejected (LSTM.'))).toBe(true);
}

describe.skipIf(!py)('Python example driver over exec:', () => {
  it('passes the whole float32 LSTM conformance with NumPy when present', async () => {
    const { report, ms, processes } = await runWhole([py!, PYTHON_DRIVER]);
    checkExampleReport(report);
    expect(processes).toBe(1);
    console.info(`python example (numpy if present): ${report.totals.pass} pass, ${report.totals.unsupported} unsupported in ${ms.toFixed(0)} ms`);
  });

  it('passes it with plain lists too (python -S: no site-packages, no NumPy)', async () => {
    const { report, ms } = await runWhole([py!, '-S', PYTHON_DRIVER]);
    checkExampleReport(report);
    expect(report.driver.capabilities?.notes).toContain('plain lists');
    console.info(`python example (plain lists): ${report.totals.pass} pass, ${report.totals.unsupported} unsupported in ${ms.toFixed(0)} ms`);
  });
});

describe('C example driver over exec:', () => {
  it.skipIf('skip' in cBuild)(`passes the whole float32 LSTM conformance${'skip' in cBuild ? ` — skipped: ${cBuild.skip}` : ''}`, async () => {
    const { report, ms, processes } = await runWhole([(cBuild as { path: string }).path]);
    checkExampleReport(report);
    expect(processes).toBe(1);
    expect(report.driver.capabilities?.name).toBe('c-example');
    console.info(`C example: ${report.totals.pass} pass, ${report.totals.unsupported} unsupported in ${ms.toFixed(0)} ms`);
  });
});

it('the example drivers stay under 300 lines', async () => {
  const { readFileSync } = await import('node:fs');
  const { C_DRIVER_SOURCE } = await import('./helpers.js');
  for (const f of [PYTHON_DRIVER, C_DRIVER_SOURCE]) expect(readFileSync(f, 'utf8').trimEnd().split('\n').length, f).toBeLessThan(300);
});
