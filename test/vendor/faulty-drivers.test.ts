/**
 * Fault isolation of the exec: driver: each fixture (test/vendor/fixtures/faulty_driver.py, the
 * Python example with one fault) must be attributed to the right case with the right cause, the
 * driver restarted, the run continued, and every run finished within its bound.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Case } from '../../src/conformance/cases.js';
import { failingGate } from '../../src/conformance/gate.js';
import { reportToJson } from '../../src/conformance/report.js';
import { runConformance, type Report } from '../../src/conformance/runner.js';
import { ExecDriver } from '../../src/drivers/exec/exec-driver.js';
import { schemaValidator } from '../../src/model/load.js';
import { allCases, FAULTY_DRIVER, isFloat32Lstm, isLstm, python } from './helpers.js';

const py = python();

/** Small, fixed case sets: float32 LSTM positives and LSTM negatives. */
function pick(nPositive: number, nNegative: number): Case[] {
  const pos = allCases().filter((c) => c.kind === 'positive' && isFloat32Lstm(c)).slice(0, nPositive);
  const neg = allCases().filter((c) => c.kind === 'negative' && isLstm(c)).slice(0, nNegative);
  return [...pos, ...neg];
}

async function run(mode: string, cases: Case[], timeoutMs: number, extra: string[] = []): Promise<{ report: Report; ms: number; processes: number }> {
  // -S: no site-packages (no NumPy): the fixtures start in ~50 ms, which keeps restarts cheap.
  const driver = new ExecDriver({ command: [py!, '-S', FAULTY_DRIVER, mode, ...extra], timeoutMs });
  const t0 = performance.now();
  try {
    const report = await runConformance(driver, cases);
    const v = schemaValidator('report');
    expect(v(JSON.parse(reportToJson(report))), JSON.stringify(v.errors?.slice(0, 3))).toBe(true);
    return { report, ms: performance.now() - t0, processes: driver.processCount };
  } finally {
    await driver.close();
  }
}

const statuses = (r: Report) => r.results.map((x) => x.status);

describe.skipIf(!py)('faulty exec drivers are attributed and survived', () => {
  it('crash on the first execute: that case is an error with the signal, the driver restarts, the rest pass', async () => {
    const state = join(mkdtempSync(join(tmpdir(), 'nnlstm-crash-')), 'crashed');
    const cases = pick(6, 3);
    const { report, ms, processes } = await run('crash-first-execute', cases, 5000, [state]);
    const [first, ...rest] = report.results;
    expect(first!.status).toBe('error');
    expect(first!.fault).toMatchObject({ kind: 'crash', phase: 'execute', signal: 'SIGSEGV', exitCode: null, instance: 1 });
    expect(first!.reason).toMatch(/driver process ended during execute \(killed by signal SIGSEGV\)/);
    expect(first!.stderr).toContain('crash-first-execute: about to crash');
    expect(failingGate(first!)?.label).toBe('driver crashed during execute (SIGSEGV)');
    expect(rest.map((r) => r.status)).toEqual(Array(rest.length).fill('pass'));
    expect(rest.every((r) => r.fault === undefined)).toBe(true);
    expect(processes).toBe(2);
    expect(ms).toBeLessThan(10_000);
  });

  it('a hang on every case: 10 cases, each a timeout error, the run finishes in bounded time', async () => {
    const cases = pick(6, 4);
    const timeoutMs = 250;
    const { report, ms, processes } = await run('hang', cases, timeoutMs);
    expect(report.results).toHaveLength(10);
    for (const r of report.results) {
      expect(r.status).toBe('error');
      // SIGTERM to the driver's process group (the fixture does not ignore it; see hygiene.test.ts).
      expect(r.fault).toMatchObject({ kind: 'timeout', phase: 'prepare', signal: 'SIGTERM', timeoutMs: expect.any(Number) });
      expect(r.fault!.timeoutMs!).toBeLessThanOrEqual(timeoutMs);
      expect(r.reason).toMatch(/driver timed out during prepare: no answer within \d+ ms; killed/);
      expect(r.stderr).toContain('hang: sleeping in prepare');
      expect(r.durationMs).toBeLessThan(timeoutMs + 2000);
    }
    expect(processes).toBe(10); // the first, then a restart after each timed-out case but the last
    // Bound: 10 × (budget + kill + restart); generous for a loaded CI machine.
    expect(ms).toBeLessThan(10 * (timeoutMs + 1200));
    console.info(`hang × 10 cases (budget ${timeoutMs} ms): ${ms.toFixed(0)} ms`);
  });

  it('wrong output shape: positive cases fail at the dimensions gate, naming the outputs', async () => {
    const { report } = await run('wrong-shape', pick(3, 2), 5000);
    const pos = report.results.filter((r) => r.kind === 'positive');
    expect(pos.map((r) => r.status)).toEqual(['fail', 'fail', 'fail']);
    for (const r of pos) {
      expect(r.reason).toMatch(/dimensions \[\d+\] ≠ expected \[\d+,\d+\]/);
      expect(failingGate(r)?.kind).toBe('dimensions');
    }
    expect(report.results.filter((r) => r.kind === 'negative').map((r) => r.status)).toEqual(['pass', 'pass']);
  });

  it('NaN outputs: fail with an infinite ratio and NaN as the worst element', async () => {
    const { report } = await run('nan', pick(3, 1), 5000);
    for (const r of report.results.filter((x) => x.kind === 'positive')) {
      expect(r.status).toBe('fail');
      expect(r.maxRatio).toBe(Number.POSITIVE_INFINITY);
      expect(Number.isNaN(r.worst!.actual)).toBe(true);
      expect(r.stderr).toContain('nan: returning NaN outputs');
      expect(failingGate(r)?.kind).toBe('tolerance');
    }
  });

  it('a truncated frame: error naming the frame offset and the exit code; the driver restarts', async () => {
    const { report, processes } = await run('truncated', pick(3, 1), 5000);
    const pos = report.results.filter((r) => r.kind === 'positive');
    for (const r of pos) {
      expect(r.status).toBe('error');
      const said = /bad frame at offset (\d+)/.exec(r.stderr ?? '');
      expect(said, r.stderr).not.toBeNull();
      expect(r.fault).toMatchObject({ kind: 'malformed-frame', phase: 'execute', exitCode: 3, signal: null, offset: Number(said![1]) });
      expect(r.reason).toMatch(/truncated frame: the stream ended after \d+ byte\(s\) of frame #2/);
    }
    expect(processes).toBe(4); // three crashes, the negative case on a fresh driver
    expect(report.results.at(-1)!.status).toBe('pass');
  });

  it('garbage instead of a frame and a header that breaks the schema: errors with the offset', async () => {
    const g = await run('garbage', pick(2, 0), 5000);
    for (const r of g.report.results) {
      expect(r.fault).toMatchObject({ kind: 'malformed-frame', signal: 'SIGTERM' });
      expect(r.reason).toMatch(/bad magic 72 65 73 75/);
      expect(r.fault!.offset).toBe(Number(/offset (\d+)/.exec(r.stderr!)![1]));
    }
    const b = await run('bad-header', pick(2, 0), 5000);
    for (const r of b.report.results) {
      expect(r.fault).toMatchObject({ kind: 'protocol', phase: 'execute' });
      expect(r.reason).toMatch(/execute response header: \/(status|outputs) must be/);
    }
  });

  it('accepting an invalid model fails exactly the negative cases, each showing the rule id', async () => {
    const { report } = await run('accept-invalid', pick(2, 6), 5000);
    expect(statuses(report)).toEqual(['pass', 'pass', 'fail', 'fail', 'fail', 'fail', 'fail', 'fail']);
    for (const r of report.results.filter((x) => x.kind === 'negative')) {
      expect(r.reason).toContain(`accepted a model that breaks ${r.expectedRule}`);
      expect(failingGate(r)?.label).toBe(`accepted an invalid model: ${r.expectedRule}`);
      expect(r.stderr).toContain(`accepting despite ${r.expectedRule}`);
    }
  });

  it('20 MiB of stderr per case: the cases pass, each keeps 16 KiB of it and says how many bytes it left out', async () => {
    const { report } = await run('flood-stderr', pick(2, 1), 10_000, ['20']);
    expect(statuses(report)).toEqual(['pass', 'pass', 'pass']);
    for (const r of report.results) {
      const m = /\n\[… (\d+) bytes omitted …\]\n/.exec(r.stderr!);
      expect(m, r.stderr?.slice(0, 100)).not.toBeNull();
      // The flood, less what was kept, plus the few lines the driver writes besides.
      expect(Number(m![1])).toBeGreaterThanOrEqual(20 * 1024 * 1024 - 16 * 1024);
      expect(Number(m![1])).toBeLessThan(20 * 1024 * 1024 - 16 * 1024 + 4096);
      expect(r.stderr!.length).toBeLessThan(16 * 1024 + 100);
      expect(r.stderr!.startsWith('flood-stderr: xxx')).toBe(true);
    }
  });

  it('an answer padded to 32 MiB (outputs at its end) is read like a small one', async () => {
    const { report } = await run('big-answer', pick(2, 0), 10_000, ['32']);
    expect(statuses(report)).toEqual(['pass', 'pass']);
    for (const r of report.results) expect(r.stderr).toContain(`big-answer: ${32 * 1024 * 1024} bytes`);
  });

  it('a driver that cannot be started: the case of the second failed start names the cause, every other case is not run', async () => {
    const driver = new ExecDriver({ command: ['/nonexistent/nnlstm-driver'], timeoutMs: 1000 });
    try {
      const t0 = performance.now();
      const report = await runConformance(driver, pick(2, 1));
      expect(performance.now() - t0).toBeLessThan(2000);
      expect(report.driver.capabilities).toBeNull();
      expect(driver.processCount).toBe(2); // capabilities, then the first case: HELLO_FAILURE_LIMIT starts
      const [first, ...rest] = report.results;
      expect(first!.status).toBe('error');
      expect(first!.fault?.kind).toBe('spawn');
      expect(first!.reason).toMatch(/cannot run the driver: spawn \/nonexistent\/nnlstm-driver ENOENT/);
      for (const r of rest) {
        expect(r.status).toBe('error');
        expect(r.fault).toBeUndefined();
        expect(r.reason).toMatch(/^not run: driver never started: 2 starts in a row failed; the last: cannot run the driver: spawn \/nonexistent\/nnlstm-driver ENOENT/);
      }
      expect(driver.unavailable()?.kind).toBe('never-started');
    } finally {
      await driver.close();
    }
  });
});
