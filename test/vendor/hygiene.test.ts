/**
 * Process hygiene and liveness of the exec: driver: the driver's whole process group is ended
 * (SIGTERM, then SIGKILL after the grace period) on a timeout, a crash and at close; no process of
 * its tree survives the run, and nothing of it keeps the host's event loop alive. A driver that
 * never answers hello ends the run after HELLO_FAILURE_LIMIT starts, every remaining case an error.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Case } from '../../src/conformance/cases.js';
import { runConformance, type Report } from '../../src/conformance/runner.js';
import { main } from '../../src/cli/main.js';
import { ExecDriver, KILL_GRACE_MS } from '../../src/drivers/exec/exec-driver.js';
import { fromRoot } from '../../src/util/paths.js';
import { captureOutput } from '../helpers/capture-output.js';
import { allCases, isFloat32Lstm, isLstm, python } from './helpers.js';

const py = python();
const HYGIENE = fromRoot('test', 'vendor', 'fixtures', 'hygiene.sh');
const tmp = mkdtempSync(join(tmpdir(), 'nnlstm-hygiene-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const io = captureOutput();

function pick(nPositive: number, nNegative: number): Case[] {
  const pos = allCases().filter((c) => c.kind === 'positive' && isFloat32Lstm(c)).slice(0, nPositive);
  const neg = allCases().filter((c) => c.kind === 'negative' && isLstm(c)).slice(0, nNegative);
  return [...pos, ...neg];
}

/** A process that still runs (a zombie waiting for its reaper counts as gone). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/** Handles that keep a Node process alive, by kind (pipes and child processes are the driver's). */
function driverHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'PipeWrap' || r === 'ProcessWrap').length;
}

let runs = 0;
/** One run; `handlesLeft` counts the driver's pipes and processes still holding the event loop after close. */
async function run(mode: string, driverArgs: string[], cases: Case[], timeoutMs: number): Promise<{ report: Report; ms: number; pids: number[]; processes: number; handlesLeft: number }> {
  const pidfile = join(tmp, `pids-${++runs}`);
  const handlesBefore = driverHandles();
  const driver = new ExecDriver({ command: ['sh', HYGIENE, mode, py!, ...driverArgs], timeoutMs, env: { ...process.env, NNLSTM_PIDFILE: pidfile } });
  const t0 = performance.now();
  let report: Report;
  try {
    report = await runConformance(driver, cases);
  } finally {
    await driver.close();
  }
  const ms = performance.now() - t0;
  // Nothing of the driver keeps the host alive once it is closed (the CLI exits after its report);
  // destroyed pipes leave the handle list at the next turn of the event loop.
  await new Promise((r) => setTimeout(r, 20));
  const pids = readFileSync(pidfile, 'utf8').trim().split('\n').map(Number);
  return { report, ms, pids, processes: driver.processCount, handlesLeft: driverHandles() - handlesBefore };
}

describe.skipIf(!py)('exec: driver process hygiene', () => {
  it('a shell wrapper whose child hangs: each case ends within budget + grace, wrapper and child both killed', async () => {
    const timeoutMs = 500;
    const { report, ms, pids, processes, handlesLeft } = await run('wrapper', ['hang'], pick(3, 0), timeoutMs);
    for (const r of report.results) {
      expect(r.status).toBe('error');
      expect(r.fault).toMatchObject({ kind: 'timeout', phase: 'prepare' });
      expect(r.durationMs).toBeLessThan(timeoutMs + KILL_GRACE_MS + 1000);
    }
    expect(processes).toBe(3);
    expect(pids).toHaveLength(6); // a shell and a Python per process
    expect(pids.filter(running)).toEqual([]);
    expect(handlesLeft).toBe(0);
    expect(ms).toBeLessThan(3 * (timeoutMs + KILL_GRACE_MS + 1000));
  });

  it('a child that inherits stdout and outlives its parent: the run passes, close is prompt, the child is killed', async () => {
    const { report, ms, pids, handlesLeft } = await run('orphan-stdout', ['correct'], pick(2, 1), 5000);
    expect(report.results.map((r) => r.status)).toEqual(['pass', 'pass', 'pass']);
    expect(pids).toHaveLength(3); // the shell (exec'd into Python), the sleep, Python again
    expect(pids.filter(running)).toEqual([]);
    expect(handlesLeft).toBe(0);
    expect(ms).toBeLessThan(4000);
  });

  it('a descendant that left the group (setsid) and holds the pipes: the run and close still end promptly', async () => {
    const { report, ms, pids, handlesLeft } = await run('escape', ['correct'], pick(2, 0), 5000);
    try {
      expect(report.results.map((r) => r.status)).toEqual(['pass', 'pass']);
      expect(ms).toBeLessThan(4000); // the pipes are closed by the host, not waited for
      expect(handlesLeft).toBe(0);
    } finally {
      // Out of the group's reach by design (its own session): this test started it, this test ends it.
      for (const p of pids) if (running(p)) process.kill(p, 'SIGKILL');
    }
  });

  it('the same child when its parent crashes: the crash is attributed, the child goes with the group, the next process starts', async () => {
    const state = join(tmp, 'crashed');
    const { report, pids, processes, handlesLeft } = await run('orphan-stdout', ['crash-first-execute', state], pick(3, 0), 5000);
    expect(report.results.map((r) => r.status)).toEqual(['error', 'pass', 'pass']);
    expect(report.results[0]!.fault).toMatchObject({ kind: 'crash', phase: 'execute', signal: 'SIGSEGV' });
    expect(processes).toBe(2);
    expect(pids).toHaveLength(6);
    expect(pids.filter(running)).toEqual([]);
    expect(handlesLeft).toBe(0);
  });

  it('a driver that ignores SIGTERM: SIGKILL after the grace period, each case within budget + grace', async () => {
    const timeoutMs = 400;
    const { report, pids, handlesLeft } = await run('ignore-term', ['hang'], pick(2, 0), timeoutMs);
    for (const r of report.results) {
      expect(r.fault).toMatchObject({ kind: 'timeout', phase: 'prepare', signal: 'SIGKILL' });
      expect(r.reason).toMatch(/no answer within \d+ ms; killed \(killed by signal SIGKILL\)/);
      expect(r.durationMs).toBeGreaterThanOrEqual(timeoutMs + KILL_GRACE_MS - 50);
      expect(r.durationMs).toBeLessThan(timeoutMs + KILL_GRACE_MS + 1000);
    }
    expect(pids.filter(running)).toEqual([]);
    expect(handlesLeft).toBe(0);
  });
});

describe('exec: driver liveness', () => {
  it('a driver that never answers hello: two starts, each within the hello budget, then every case an error at once', async () => {
    const cases = allCases();
    const driver = new ExecDriver({ command: ['sleep', '1000'], timeoutMs: 5000, helloTimeoutMs: 300 });
    const t0 = performance.now();
    let report: Report;
    try {
      report = await runConformance(driver, cases);
    } finally {
      await driver.close();
    }
    const ms = performance.now() - t0;
    expect(driver.processCount).toBe(2);
    expect(ms).toBeLessThan(2 * (300 + KILL_GRACE_MS) + 1500);
    expect(report.results).toHaveLength(cases.length);
    expect(report.results.every((r) => r.status === 'error')).toBe(true);
    const [first, ...rest] = report.results;
    // timeoutMs is the budget left when the request was sent: 300 ms, or a millisecond less.
    expect(first!.fault).toMatchObject({ kind: 'timeout', phase: 'hello', signal: 'SIGTERM', instance: 2 });
    expect(first!.fault!.timeoutMs).toBeGreaterThan(290);
    expect(first!.fault!.timeoutMs).toBeLessThanOrEqual(300);
    for (const r of rest) expect(r.reason).toMatch(/^not run: driver never started: 2 starts in a row failed; the last: driver timed out during hello: no answer within (29\d|300) ms/);
    expect(driver.unavailable()).toMatchObject({ kind: 'never-started' });
  });

  it('the hello budget is bounded by the case budget', async () => {
    const driver = new ExecDriver({ command: ['sleep', '1000'], timeoutMs: 200, helloTimeoutMs: 60_000 });
    try {
      await expect(driver.capabilities()).rejects.toThrow(/driver timed out during hello: no answer within (19\d|200) ms/);
    } finally {
      await driver.close();
    }
  });

  it('a driver that started, then stops answering hello: "driver stopped answering" after two failed restarts', async () => {
    // Answers hello once (the state file marks it), then every restart sleeps instead.
    const state = join(tmp, 'started-once');
    const script = `if [ -e ${JSON.stringify(state)} ]; then exec sleep 1000; fi; : > ${JSON.stringify(state)}; exec ${JSON.stringify(py ?? 'python3')} -S ${JSON.stringify(fromRoot('test', 'vendor', 'fixtures', 'faulty_driver.py'))} hang`;
    const driver = new ExecDriver({ command: ['sh', '-c', script], timeoutMs: 300 });
    let report: Report;
    try {
      report = await runConformance(driver, pick(5, 0));
    } finally {
      await driver.close();
    }
    expect(report.results.map((r) => r.fault?.phase ?? 'not run')).toEqual(['prepare', 'hello', 'hello', 'not run', 'not run']);
    expect(report.results[4]!.reason).toMatch(/^not run: driver stopped answering: 2 restarts in a row failed after 1 good start\(s\)/);
  });

  it('the CLI on the whole suite with a dead driver: exit 1 within seconds, "driver never started" first', async () => {
    const t0 = performance.now();
    const code = await main(['conformance', '--driver', 'exec:sleep 1000', '--hello-timeout', '0.3']);
    const ms = performance.now() - t0;
    expect(code, io.err).toBe(1);
    const n = allCases().length;
    expect(io.out.split('\n')[0]).toMatch(/^driver never started: 2 starts in a row failed; the last: driver timed out during hello: no answer within (29\d|300) ms/);
    expect(io.out.split('\n')[1]).toBe(`${n - 1} of ${n} case(s) not run (each an error)`);
    expect(ms).toBeLessThan(15_000);
  });

  it('--hello-timeout must be a positive number of seconds', async () => {
    expect(await main(['conformance', '--driver', 'exec:sleep 1000', '--hello-timeout', '0'])).toBe(2);
    expect(io.err).toMatch(/--hello-timeout: expected a positive number of seconds, got '0'/);
  });
});
