import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { negativeCase, positiveCase, StubDriver, tinyOutputs } from '../../test/helpers/tiny.js';
import { schemaValidator } from '../model/load.js';
import { createProgress, formatSummary, reportFailed, reportToJson, summarizeResults } from './report.js';
import { runConformance } from './runner.js';

async function sampleReport() {
  const nan = tinyOutputs().map((o) => (o.index === 4 ? { ...o, values: [Number.NaN, -0.25] } : o));
  let n = 0;
  const d = new StubDriver('mixed', {
    prepare: (m) => (n++ === 2 ? { ok: false, status: 'UNAVAILABLE', message: 'fp16 not here', unsupported: true } : { ok: true, prepared: m }),
    execute: () => ({ ok: true, outputs: nan }),
  });
  const cases = [
    positiveCase(undefined, { id: 'aosp/a', group: 'basic', tags: ['basic'] }),
    positiveCase(undefined, { id: 'aosp/b', group: 'cifg', tags: ['cifg', 'peephole'] }),
    positiveCase(undefined, { id: 'aosp/c', group: 'float16', tags: ['float16'] }),
    negativeCase(),
  ];
  return runConformance(d, cases);
}

describe('report', () => {
  it('summarizes per group in the canonical group order', async () => {
    const r = await sampleReport();
    expect(r.totals).toEqual({ cases: 4, pass: 0, fail: 3, error: 0, unsupported: 1, rejected: 0 });
    expect(r.groups.map((g) => g.group)).toEqual(['basic', 'cifg', 'float16', 'validation']);
    expect(summarizeResults([]).totals.cases).toBe(0);
    expect(reportFailed(r)).toBe(true);
    expect(reportFailed({ totals: { cases: 1, pass: 0, fail: 0, error: 0, unsupported: 1, rejected: 0 } })).toBe(false);
  });

  it('the human summary lists every non-pass case with reason, ratio, worst element', async () => {
    const text = formatSummary(await sampleReport());
    expect(text).toMatch(/^nnlstm conformance — driver mixed 0\.0\.0-stub — 4 case\(s\)/);
    expect(text).toMatch(/group\s+pass\s+fail\s+error\s+unsup\s+rejected\s+cases/);
    expect(text).toMatch(/FAIL\s+aosp\/a/);
    expect(text).toMatch(/max ratio Infinity, max \|error\| NaN; worst: output 4 \(out\)\[0\] actual NaN expected 0\.5/);
    expect(text).toMatch(/^unsupported, not verified \(1\), by the driver's reason:\n {2}1 × UNAVAILABLE: fp16 not here\n {6}aosp\/c {2}\[positive, float16\]$/m);
    expect(text).toMatch(/accepted a model that breaks TEST.rule/);
    expect(text).toMatch(/by feature/);
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^RESULT: FAIL — 3 fail, 0 error, 0 rejected, 1 unsupported, 0 pass; nothing verified$/);
    // What was verified leads: the VERIFIED line comes before the status tables.
    expect(text.indexOf('VERIFIED: 0 of 3 positive case(s) within tolerance (1 unsupported), 0 of 1 negative case(s) rejected with BAD_DATA')).toBeGreaterThan(0);
    expect(text.indexOf('VERIFIED:')).toBeLessThan(text.search(/group\s+pass\s+fail/));
    expect(text).toMatch(/^float16\s+0\s+0\s+1\s+1\s+\|\s+0\s+0\s+0\s+0$/m);
    expect(text).toMatch(/^FAILED: nothing verified: none of the 3 positive case\(s\) passed \(1 unsupported\)$/m);
  });

  it('the JSON report matches spec/schema/report.schema.json; non-finite numbers become strings', async () => {
    const json = reportToJson(await sampleReport());
    const data = JSON.parse(json) as { results: { maxRatio: unknown; worst: { actual: unknown } }[] };
    const validate = schemaValidator('report');
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    expect(data.results[0]!.maxRatio).toBe('Infinity');
    expect(data.results[0]!.worst.actual).toBe('NaN');
  });

  it('progress: plain lines when not a TTY', () => {
    const s = new PassThrough();
    let out = '';
    s.on('data', (b: Buffer) => (out += b.toString()));
    const p = createProgress(s);
    const result = { status: 'pass' } as never;
    p.onProgress({ type: 'start', index: 0, total: 2, id: 'a' });
    p.onProgress({ type: 'done', index: 0, total: 2, id: 'a', result });
    p.finish();
    expect(out).toBe('[1/2] PASS a\n');
  });

  it('progress: one rewritten line on a TTY, cleared at the end', () => {
    const s = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    let out = '';
    s.on('data', (b: Buffer) => (out += b.toString()));
    const p = createProgress(s);
    p.onProgress({ type: 'start', index: 0, total: 2, id: 'a' });
    p.onProgress({ type: 'done', index: 0, total: 2, id: 'a', result: { status: 'fail' } as never });
    p.finish();
    expect(out).toContain('\r\x1b[2K[1/2] a');
    expect(out).toContain('[1/2] 1 fail');
    expect(out.endsWith('\r\x1b[2K')).toBe(true);
    expect(out).not.toContain('\n');
  });
});
