/** `nnlstm conformance` and `nnlstm run` through the CLI entry (in-process). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { listJsonFiles } from '../src/conformance/cases.js';
import { fromRoot } from '../src/util/paths.js';
import { captureOutput } from './helpers/capture-output.js';

const io = captureOutput();

const tmp = mkdtempSync(join(tmpdir(), 'nnlstm-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const golden = listJsonFiles(fromRoot('golden', 'aosp')).find((f) => f.includes('-lstm3_state2.'))!;
const negative = listJsonFiles(fromRoot('conformance', 'negative')).find((f) => f.endsWith('LSTM.cifg.all_or_none.json'));

describe('nnlstm run', () => {
  it('prints exactly {"outputs":[{index, dimensions, values}]} in outputIndexes order', async () => {
    expect(await main(['run', golden])).toBe(0);
    expect(io.out.endsWith('\n')).toBe(true);
    const doc = JSON.parse(io.out) as { outputs: { index: number; dimensions: number[]; values: number[] }[] };
    expect(Object.keys(doc)).toEqual(['outputs']);
    expect(doc.outputs.map((o) => Object.keys(o))).toEqual(Array(4).fill(['index', 'dimensions', 'values']));
    expect(doc.outputs.map((o) => o.index)).toEqual([23, 24, 25, 26]);
    expect(doc.outputs[3]!.dimensions).toEqual([2, 16]);
    expect(doc.outputs[3]!.values).toHaveLength(32);
    expect(io.out.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('a bare model file works too, with --driver', async () => {
    const g = JSON.parse(readFileSync(golden, 'utf8')) as { model: unknown };
    const p = join(tmp, 'bare.json');
    writeFileSync(p, JSON.stringify(g.model));
    expect(await main(['run', p, '--driver', 'reference'])).toBe(0);
  });

  it('unreadable or malformed JSON → exit 2, one line, no stack', async () => {
    expect(await main(['run', join(tmp, 'missing.json')])).toBe(2);
    expect(io.err.trim().split('\n')).toHaveLength(1);
    expect(io.err).toMatch(/^nnlstm run: .*missing\.json: cannot read: no such file/);
    io.err = '';
    io.out = '';
    const p = join(tmp, 'bad.json');
    writeFileSync(p, '{"operands": [}');
    expect(await main(['run', p])).toBe(2);
    expect(io.err.trim().split('\n')).toHaveLength(1);
    expect(io.err).not.toMatch(/\bat .*\.ts:\d+/);
    // run's stdout is JSON whatever happens: the error as a JSON document.
    expect((JSON.parse(io.out) as { error: { exitCode: number; message: string } }).error).toMatchObject({ exitCode: 2, message: expect.stringMatching(/bad\.json: malformed JSON/) });
  });

  it('a schema-invalid file → exit 2 naming the JSON pointer', async () => {
    const p = join(tmp, 'schema.json');
    writeFileSync(p, JSON.stringify({ operands: [], operations: [], inputIndexes: [], outputIndexes: [], extra: 1 }));
    expect(await main(['run', p])).toBe(2);
    expect(io.err).toMatch(/at \/extra: unknown property/);
  });

  it.skipIf(negative === undefined)('an invalid model → exit 1 with the violations (rule, operand index and name)', async () => {
    expect(await main(['run', negative!])).toBe(1);
    expect(io.err).toMatch(/LSTM\.cifg\.all_or_none: operand \d+ \([a-z_]+\)/);
    expect(io.out).toBe('');
  });

  it('usage errors → exit 2', async () => {
    expect(await main(['run'])).toBe(2);
    expect(await main(['run', golden, '--driver', 'nope'])).toBe(2);
    expect(io.err).toMatch(/unknown driver 'nope'; known drivers: reference/);
  });
});

describe('nnlstm conformance', () => {
  it('prints the per-group summary (progress only on a TTY); exit 0 on the reference driver', async () => {
    expect(await main(['conformance', '--filter', 'lstm3'])).toBe(0);
    expect(io.out).not.toMatch(/\[1\/\d+\]/);
    expect(io.out).toMatch(/group\s+pass\s+fail\s+error\s+unsup\s+rejected\s+cases/);
    expect(io.out).toMatch(/RESULT: PASS/);
  });

  it('--json - writes the JSON report to stdout and the summary to stderr', async () => {
    expect(await main(['conformance', '--filter', '/lstm2_state2$/', '--json', '-'])).toBe(0);
    const report = JSON.parse(io.out) as { totals: { cases: number; pass: number }; results: { id: string }[] };
    expect(report.totals.cases).toBeGreaterThanOrEqual(1);
    expect(report.results.every((r) => r.id.endsWith('lstm2_state2'))).toBe(true);
    expect(io.err).toMatch(/RESULT: PASS/);
  });

  it('--json FILE writes the report', async () => {
    const p = join(tmp, 'report.json');
    expect(await main(['conformance', '--filter', 'group:layer-norm', '--json', p])).toBe(0);
    expect((JSON.parse(readFileSync(p, 'utf8')) as { totals: { cases: number } }).totals.cases).toBeGreaterThanOrEqual(6);
  });

  it('no matching case, unknown driver, unknown option → exit 2', async () => {
    expect(await main(['conformance', '--filter', 'no-such-case-anywhere'])).toBe(2);
    expect(io.err).toMatch(/no conformance case matches filter no-such-case-anywhere/);
    expect(await main(['conformance', '--driver', 'bogus'])).toBe(2);
    expect(await main(['conformance', '--bogus'])).toBe(2);
  });

  it('--help', async () => {
    expect(await main(['conformance', '--help'])).toBe(0);
    expect(io.out).toMatch(/usage: nnlstm conformance/);
  });
});
