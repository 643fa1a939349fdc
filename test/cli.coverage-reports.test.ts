/**
 * The coverage-aware verdict and the report files through the CLI: a stub verifies nothing (exit 1),
 * --require and --baseline, output paths checked before the run, atomic writes (a run killed with
 * SIGKILL leaves the previous reports byte-identical), JSON errors with --json -, and the small
 * CLI fixes (export --out /proc/x, bench --help).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { schemaValidator } from '../src/model/load.js';
import { fromRoot } from '../src/util/paths.js';
import { captureOutput } from './helpers/capture-output.js';
import { python, PYTHON_DRIVER } from './vendor/helpers.js';

const io = captureOutput();
const tmp = mkdtempSync(join(tmpdir(), 'nnlstm-coverage-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  delete process.env['NNLSTM_STUB_DELAY_MS'];
  delete process.env['NNLSTM_STUB_RMDIR'];
});
const STUB = 'module:test/vendor/fixtures/stub-module-driver.mjs';
const py = python();
const PY = `exec:${py} -S ${PYTHON_DRIVER}`;
const BIN = fromRoot('bin', 'nnlstm.js');
const built = existsSync(fromRoot('dist', 'cli', 'output-file.js'));

describe('the verdict weighs what was verified', () => {
  it('a stub answering UNAVAILABLE to every prepare: exit 1, nothing verified (the whole suite)', async () => {
    const json = join(tmp, 'stub.json');
    expect(await main(['conformance', '--driver', STUB, '--json', json])).toBe(1);
    expect(io.out).toMatch(/^VERIFIED: 0 of \d+ positive case\(s\) within tolerance \(\d+ unsupported\), 0 of \d+ negative case\(s\)/m);
    expect(io.out).toMatch(/^FAILED: nothing verified: none of the \d+ positive case\(s\) passed/m);
    expect(io.out).toMatch(/RESULT: FAIL — 0 fail, 0 error, 0 rejected, \d+ unsupported, 0 pass; nothing verified\n/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { verdict: { result: string; nothingVerified: boolean }; coverage: { positive: { verified: number } } };
    expect(schemaValidator('report')(report)).toBe(true);
    expect(report.verdict).toMatchObject({ result: 'fail', nothingVerified: true });
    expect(report.coverage.positive.verified).toBe(0);
  });

  it.skipIf(!py)('an exec driver that supports none of the selected cases: exit 1, nothing verified', async () => {
    expect(await main(['conformance', '--driver', PY, '--filter', 'group:sequence'])).toBe(1);
    expect(io.out).toMatch(/nothing verified/);
  });

  it.skipIf(!py)('Python example (float32 and float16 LSTM): --require lstm is met (exit 0); --require all names the groups not covered (exit 1)', async () => {
    expect(await main(['conformance', '--driver', PY, '--require', 'lstm'])).toBe(0);
    expect(io.out).toMatch(/^ {2}met {5}lstm: all \d+ verified$/m);
    expect(await main(['conformance', '--driver', PY, '--require', 'lstm+float16'])).toBe(0);
    expect(await main(['conformance', '--driver', PY, '--require', 'all'])).toBe(1);
    expect(io.out).toMatch(/RESULT: FAIL — 0 fail, 0 error, 0 rejected, \d+ unsupported, \d+ pass; --require not met: sequence, bidirectional, validation, quantized\n/);
    expect(io.out).toMatch(/^ {2}NOT MET sequence: 0 of \d+ verified \(\d+ unsupported\)$/m);
  });

  it('--require with an unknown name is exit 2 before the run', async () => {
    expect(await main(['conformance', '--filter', 'lstm3', '--require', 'lstm,nope'])).toBe(2);
    expect(io.err).toMatch(/--require: unknown name 'nope'/);
  });

  it.skipIf(!py)('--write-baseline then --baseline: not below it passes; a narrower later run names what regressed', async () => {
    const base = join(tmp, 'baseline.json');
    const report = join(tmp, 'base-report.json');
    expect(await main(['conformance', '--driver', PY, '--filter', 'lstm3', '--write-baseline', base, '--json', report])).toBe(0);
    const b = JSON.parse(readFileSync(base, 'utf8')) as { nnlstmCoverageBaseline: number; verified: string[] };
    expect(b.nnlstmCoverageBaseline).toBe(1);
    expect(b.verified.length).toBeGreaterThan(3);
    for (const f of [base, report]) {
      expect(await main(['conformance', '--driver', PY, '--filter', 'lstm3', '--baseline', f])).toBe(0);
      expect(io.out).toMatch(/--baseline \((coverage file|report) of .*\): not below it/);
    }
    expect(await main(['conformance', '--driver', PY, '--filter', 'lstm3_state2', '--baseline', base])).toBe(1);
    expect(io.out).toMatch(/REGRESSED aosp\/\S+: now not run/);
    expect(io.out).toMatch(/; below the baseline by \d+ case\(s\)\n/);
    expect(await main(['conformance', '--driver', PY, '--filter', 'lstm3', '--baseline', join(tmp, 'missing.json')])).toBe(2);
    expect(io.err).toMatch(/--baseline .*missing\.json: cannot read/);
  });
});

describe('report files', () => {
  it('an unwritable output path is exit 2 at once, naming it, before the driver starts', async () => {
    process.env['NNLSTM_STUB_DELAY_MS'] = '5000';
    const t0 = performance.now();
    expect(await main(['conformance', '--driver', STUB, '--json', '/nonexistent/dir/r.json'])).toBe(2);
    expect(io.err).toMatch(/--json \/nonexistent\/dir\/r\.json: folder \/nonexistent\/dir does not exist/);
    mkdirSync(join(tmp, 'adir'), { recursive: true });
    expect(await main(['conformance', '--driver', STUB, '--junit', join(tmp, 'adir')])).toBe(2);
    expect(io.err).toMatch(/--junit .*adir: is a folder/);
    expect(await main(['conformance', '--driver', STUB, '--json', join(tmp, 'same'), '--html', join(tmp, 'same')])).toBe(2);
    expect(io.err).toMatch(/--html .*same: the same file as --json/);
    if (existsSync('/proc/self')) {
      expect(await main(['conformance', '--driver', STUB, '--html', '/proc/r.html'])).toBe(2);
      expect(io.err).toMatch(/--html \/proc\/r\.html: cannot create a file in \/proc/);
    }
    expect(performance.now() - t0).toBeLessThan(4000);
  });

  it('a report folder that vanishes during the run: the summary is still printed, the write error named, exit 2', async () => {
    const dir = join(tmp, 'vanishing');
    mkdirSync(dir, { recursive: true });
    process.env['NNLSTM_STUB_RMDIR'] = dir;
    expect(await main(['conformance', '--driver', STUB, '--filter', 'lstm3', '--junit', join(dir, 'r.xml')])).toBe(2);
    expect(io.out).toMatch(/RESULT: FAIL/);
    expect(io.err).toMatch(/nnlstm: --junit .*vanishing\/r\.xml: cannot write \(ENOENT/);
  });

  it('with --json -, an exit-2 error still writes one JSON document on stdout', async () => {
    expect(await main(['conformance', '--json', '-', '--bogus', 'x'])).toBe(2);
    const doc = JSON.parse(io.out) as { schemaVersion: number; tool: { name: string }; error: { exitCode: number; message: string } };
    expect(doc.schemaVersion).toBe(1);
    expect(doc.error.exitCode).toBe(2);
    expect(doc.error.message).toMatch(/bogus/);
    expect(io.err).toMatch(/bogus/);
    const mark = io.out.length;
    expect(await main(['conformance', '--json=-', '--filter', 'no-such-case-anywhere'])).toBe(2);
    expect((JSON.parse(io.out.slice(mark)) as { error: { message: string } }).error.message).toMatch(/no conformance case matches/);
  });

  it.skipIf(!built)('a run killed with SIGKILL mid-way leaves the previous reports byte-identical', async () => {
    const dir = join(tmp, 'killed');
    mkdirSync(dir, { recursive: true });
    const files = ['r.json', 'r.xml', 'r.html'].map((f) => join(dir, f));
    // The previous reports: a real run.
    const first = spawnSync(process.execPath, [BIN, 'conformance', '--filter', 'lstm3', '--json', files[0]!, '--junit', files[1]!, '--html', files[2]!], { cwd: fromRoot(), encoding: 'utf8' });
    expect(first.status, first.stderr).toBe(0);
    const before = files.map((f) => readFileSync(f));
    const child = spawn(process.execPath, [BIN, 'conformance', '--driver', STUB, '--json', files[0]!, '--junit', files[1]!, '--html', files[2]!], {
      cwd: fromRoot(),
      env: { ...process.env, NNLSTM_STUB_DELAY_MS: '200' },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_c, sig) => res(sig)));
    await new Promise((r) => setTimeout(r, 2500));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    files.forEach((f, i) => expect(readFileSync(f).equals(before[i]!), f).toBe(true));
  }, 30_000);

  it.skipIf(!built)('killed while writing a large report: the target keeps its old bytes (the text goes to a temporary file first)', async () => {
    const dir = join(tmp, 'midwrite');
    mkdirSync(dir, { recursive: true });
    const target = join(dir, 'big.json');
    writeFileSync(target, 'previous report\n');
    const script = `import(${JSON.stringify(fromRoot('dist', 'cli', 'output-file.js'))}).then((m) => { m.writeFileAtomic(${JSON.stringify(target)}, 'x'.repeat(1 << 28)); });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_c, sig) => res(sig)));
    // Kill it once the temporary file exists (between open and rename: the moment that used to leave a 0-byte report).
    const t0 = Date.now();
    let tmpFile: string | undefined;
    while (Date.now() - t0 < 20_000) {
      tmpFile = readdirSync(dir).find((f) => f.endsWith('.tmp'));
      if (tmpFile) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    const sig = await exited;
    expect(tmpFile, 'the temporary file appeared').toBeDefined();
    expect(sig).toBe('SIGKILL');
    expect(readFileSync(target, 'utf8')).toBe('previous report\n');
  }, 30_000);
});

describe('small CLI fixes', () => {
  it.skipIf(!existsSync('/proc/self'))('export --out /proc/x is exit 2 at once, naming the folder', async () => {
    const t0 = performance.now();
    expect(await main(['export', '--out', '/proc/x', '--filter', 'lstm3'])).toBe(2);
    expect(io.err).toMatch(/--out \/proc\/x: cannot create the folder \(ENOENT/);
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it.skipIf(!existsSync(fromRoot('dist', 'tools', 'bench.js')))('bench --help prints the usage and starts nothing; an unknown argument is exit 2', () => {
    const help = spawnSync(process.execPath, [fromRoot('dist', 'tools', 'bench.js'), '--help'], { encoding: 'utf8', timeout: 20_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: node dist\/tools\/bench\.js \[--workloads/);
    const bad = spawnSync(process.execPath, [fromRoot('dist', 'tools', 'bench.js'), '--quik'], { encoding: 'utf8', timeout: 20_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/bench: unknown argument '--quik'/);
  });
});
