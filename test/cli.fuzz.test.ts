/**
 * `nnlstm fuzz` and `nnlstm merge-reports` from the command line: usage errors, a failing campaign
 * exporting its shrunk reproducers (golden JSON, .mod.py, .tflite) that fail the driver and pass
 * the reference when run as conformance cases (nnlstm conformance --cases), also for an exec: driver,
 * and shard reports merged.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { loadCases } from '../src/conformance/cases.js';
import { runConformance } from '../src/conformance/runner.js';
import { ExecDriver } from '../src/drivers/exec/exec-driver.js';
import { findMutant } from '../src/drivers/mutants.js';
import { ReferenceDriver } from '../src/drivers/reference.js';
import { schemaValidator } from '../src/model/load.js';
import { captureOutput } from './helpers/capture-output.js';

const io = captureOutput();
const tmp = mkdtempSync(join(tmpdir(), 'nnlstm-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hasPython = spawnSync('python3', ['--version']).status === 0;
const TAIL_BUG = join(import.meta.dirname, 'fuzz-fixtures', 'tail_bug_driver.py');

/** The exported golden cases of `dir` run against a driver: the statuses. */
async function statuses(dir: string, driver: Parameters<typeof runConformance>[0]): Promise<string[]> {
  const cases = loadCases({ goldenDir: dir, negativeDir: join(dir, 'no-negatives') });
  expect(cases.length).toBeGreaterThan(0);
  return (await runConformance(driver, cases)).results.map((r) => r.status);
}

describe('nnlstm fuzz', () => {
  it('rejects bad usage with exit 2', async () => {
    expect(await main(['fuzz', '--count', '3'])).toBe(2);
    expect(io.err).toContain('--driver is required');
    for (const bad of [['--shard', '4/3'], ['--features', 'wings'], ['--ops', 'gru'], ['--count', '0'], ['--max-size', '2000'], ['--bogus']]) {
      expect(await main(['fuzz', '--driver', 'reference', ...bad]), bad.join(' ')).toBe(2);
    }
    expect(await main(['fuzz', '--driver', 'no-such-driver', '--count', '1'])).toBe(2);
    expect(await main(['fuzz', '--help'])).toBe(0);
  });

  it('a failing campaign exits 1 and exports reproducers that fail the driver and pass the reference', async () => {
    const dir = join(tmp, 'mutant');
    const json = join(tmp, 'mutant.json');
    const code = await main(['fuzz', '--driver', 'mutant:cell-clip-ignored', '--ops', 'lstm', '--features', 'cell-clip,saturate', '--count', '4', '--max-shrink', '1', '--export-dir', dir, '--json', json]);
    expect(code, io.err).toBe(1);
    expect(io.out).toMatch(/result: FAILED/);
    expect(io.err).toMatch(/fuzz: FAIL model/);
    const files = readdirSync(dir);
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(1);
    expect(files.some((f) => f.endsWith('.mod.py'))).toBe(true);
    expect(files.some((f) => f.endsWith('.tflite'))).toBe(true);
    const v = schemaValidator('report');
    expect(v(JSON.parse(readFileSync(json, 'utf8'))), JSON.stringify(v.errors?.slice(0, 3))).toBe(true);
    expect(await statuses(dir, findMutant('cell-clip-ignored')!.create())).toEqual(['fail']);
    expect(await statuses(dir, new ReferenceDriver())).toEqual(['pass']);
    // The same through nnlstm conformance --cases.
    expect(await main(['conformance', '--driver', 'mutant:cell-clip-ignored', '--cases', dir])).toBe(1);
    expect(await main(['conformance', '--driver', 'reference', '--cases', dir])).toBe(0);
    expect(await main(['conformance', '--cases', join(dir, 'absent')])).toBe(2);
  });

  it.skipIf(!hasPython)(`finds, shrinks and exports an exec: driver's bug${hasPython ? '' : ' — skipped: no python3'}`, async () => {
    const dir = join(tmp, 'exec');
    const driver = `exec:python3 ${TAIL_BUG}`;
    const code = await main(['fuzz', '--driver', driver, '--ops', 'lstm', '--count', '3', '--max-shrink', '1', '--export-dir', dir]);
    expect(code, io.err).toBe(1);
    expect(readdirSync(dir).filter((f) => /\.(json|mod\.py|tflite)$/.test(f))).toHaveLength(3);
    const golden = JSON.parse(readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.json'))!), 'utf8'));
    expect(golden.provenance.config.shrunk.sizes.units).toBe(5); // the smallest size with the tail bug
    const exec = new ExecDriver({ command: ['python3', TAIL_BUG], timeoutMs: 20_000 });
    try {
      expect(await statuses(dir, exec)).toEqual(['fail']);
    } finally {
      await exec.close();
    }
    expect(await statuses(dir, new ReferenceDriver())).toEqual(['pass']);
    expect(await main(['conformance', '--driver', driver, '--cases', dir])).toBe(1);
    expect(io.out).toMatch(/FAIL/);
    expect(await main(['conformance', '--driver', 'reference', '--cases', dir])).toBe(0);
  });
});

describe('nnlstm merge-reports', () => {
  it('merges shard reports into the verdict of one run, and refuses an incomplete set', async () => {
    const shard = (k: number) => join(tmp, `shard${k}.json`);
    for (const k of [1, 2]) expect(await main(['fuzz', '--driver', 'reference-fast', '--count', '8', '--seed', '5', '--shard', `${k}/2`, '--json', shard(k)])).toBe(0);
    const whole = join(tmp, 'whole.json');
    expect(await main(['fuzz', '--driver', 'reference-fast', '--count', '8', '--seed', '5', '--json', whole])).toBe(0);
    const merged = join(tmp, 'merged.json');
    expect(await main(['merge-reports', shard(2), shard(1), '--json', merged])).toBe(0);
    const m = JSON.parse(readFileSync(merged, 'utf8'));
    const w = JSON.parse(readFileSync(whole, 'utf8'));
    expect(m.results.map((r: { id: string }) => r.id)).toEqual(w.results.map((r: { id: string }) => r.id));
    expect(m.verdict).toEqual(w.verdict);
    expect(m.totals).toEqual(w.totals);
    expect(await main(['merge-reports', shard(1)])).toBe(2);
    expect(io.err).toContain('shard(s) 2/2 missing');
    expect(existsSync(merged)).toBe(true);
  });
});
