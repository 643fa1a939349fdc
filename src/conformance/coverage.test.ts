import { describe, expect, it } from 'vitest';
import { negativeCase, positiveCase, StubDriver } from '../../test/helpers/tiny.js';
import type { PrepareResult } from '../drivers/driver.js';
import type { Model } from '../model/model.js';
import {
  baselineOf,
  baselineToJson,
  checkRequirements,
  compareBaseline,
  CoverageInputError,
  evaluateVerdict,
  parseBaseline,
  parseRequire,
  summarizeCoverage,
} from './coverage.js';
import { reportToJson } from './report.js';
import { runCase, runConformance } from './runner.js';

const unavailable: PrepareResult<Model> = { ok: false, status: 'UNAVAILABLE', message: 'no', unsupported: true };
const lstm = { operation: 'LSTM', dtype: 'float32', relaxed: false };
const lstm16 = { operation: 'LSTM', dtype: 'float16', relaxed: false };

/** Two LSTM float32 positives (basic, cifg), one LSTM float16 positive, one LSTM negative; float16 unsupported. */
function cases() {
  return [
    positiveCase(undefined, { id: 'aosp/a', group: 'basic', tags: ['basic'], features: lstm }),
    positiveCase(undefined, { id: 'aosp/b', group: 'cifg', tags: ['cifg'], features: lstm }),
    positiveCase(undefined, { id: 'aosp/c16', group: 'float16', tags: ['float16'], features: lstm16 }),
    negativeCase({ id: 'negative/LSTM.x', features: lstm }),
  ];
}

/** The stub of the acceptance: UNAVAILABLE to every prepare. */
const stub = () => new StubDriver('stub', { prepare: () => unavailable });

async function mixedReport() {
  // Positives a, b pass; c16 unsupported; the negative is rejected with BAD_DATA.
  let n = 0;
  const d = new StubDriver('mixed', {
    prepare: (m) => {
      const i = n++;
      if (i === 2) return unavailable;
      if (i === 3) return { ok: false, status: 'BAD_DATA', message: 'bad', violations: [{ rule: 'TEST.rule', message: 'x' }] };
      return { ok: true, prepared: m };
    },
  });
  return runConformance(d, cases());
}

describe('negative cases: only BAD_DATA verifies', () => {
  it('BAD_DATA passes; UNAVAILABLE (with or without the unsupported flag) is unsupported; OP_FAILED fails', async () => {
    const run = (p: PrepareResult<Model>) => runCase(new StubDriver('n', { prepare: () => p }), negativeCase());
    expect((await run({ ok: false, status: 'BAD_DATA', message: 'm' })).status).toBe('pass');
    expect((await run(unavailable)).status).toBe('unsupported');
    expect((await run({ ok: false, status: 'UNAVAILABLE', message: 'm' })).status).toBe('unsupported');
    const op = await run({ ok: false, status: 'OP_FAILED', message: 'oom' });
    expect(op.status).toBe('fail');
    expect(op.reason).toMatch(/with OP_FAILED, not BAD_DATA/);
  });
});

describe('coverage', () => {
  it('counts executed / verified / unsupported / total per kind, group and operation', async () => {
    const c = summarizeCoverage((await mixedReport()).results);
    expect(c.positive).toEqual({ total: 3, executed: 2, verified: 2, unsupported: 1 });
    expect(c.negative).toEqual({ total: 1, executed: 1, verified: 1, unsupported: 0 });
    expect(c.groups.map((g) => g.group)).toEqual(['basic', 'cifg', 'float16', 'validation']);
    expect(c.groups.find((g) => g.group === 'float16')!.positive).toEqual({ total: 1, executed: 0, verified: 0, unsupported: 1 });
    expect(c.operations).toEqual([{ operation: 'lstm', positive: c.positive, negative: c.negative }]);
  });

  it('a stub answering UNAVAILABLE to every prepare: nothing verified, the verdict fails', async () => {
    const r = await runConformance(stub(), cases());
    expect(r.totals.unsupported).toBe(4);
    const v = evaluateVerdict(r);
    expect(v.pass).toBe(false);
    expect(v.nothingVerified).toBe(true);
    expect(v.reasons).toEqual(['nothing verified: none of the 3 positive case(s) passed (3 unsupported)']);
  });

  it('a selection of negative cases only needs one BAD_DATA rejection', async () => {
    const neg = [negativeCase()];
    const ok = await runConformance(new StubDriver('r', { prepare: () => ({ ok: false, status: 'BAD_DATA', message: 'm' }) }), neg);
    expect(evaluateVerdict(ok).pass).toBe(true);
    const stub = await runConformance(new StubDriver('u', { prepare: () => unavailable }), neg);
    expect(evaluateVerdict(stub).reasons).toEqual(['nothing verified: none of the 1 negative case(s) was rejected with BAD_DATA (1 unsupported)']);
  });
});

describe('--require', () => {
  it('parses groups, operations, dtypes and NAME+NAME; rejects unknown names and all combined', () => {
    expect(parseRequire('all')).toBe('all');
    expect(parseRequire('lstm+float32, validation')).toEqual([
      { text: 'lstm+float32', terms: ['lstm', 'float32'] },
      { text: 'validation', terms: ['validation'] },
    ]);
    expect(() => parseRequire('lstmm')).toThrow(CoverageInputError);
    expect(() => parseRequire('lstmm')).toThrow(/unknown name 'lstmm'.*basic, cifg/);
    expect(() => parseRequire('all,cifg')).toThrow(/cannot be combined/);
    expect(() => parseRequire(' , ')).toThrow(/expected all or/);
  });

  it('a scope is met only when every selected case in it was verified; an empty scope is not met', async () => {
    const r = await mixedReport();
    const [a, b, c, d] = checkRequirements(r.results, parseRequire('lstm+float32,lstm,float16,sequence') as never);
    expect(a).toMatchObject({ scope: 'lstm+float32', ok: true, total: 3, verified: 3 });
    expect(b).toMatchObject({ scope: 'lstm', ok: false, detail: '3 of 4 verified (1 unsupported)' });
    expect(c).toMatchObject({ scope: 'float16', ok: false, unsupported: 1 });
    expect(d).toMatchObject({ scope: 'sequence', ok: false, detail: '0 of 0 verified (no case selected)' });
    const all = checkRequirements(r.results, 'all');
    expect(all.filter((x) => !x.ok).map((x) => x.scope)).toEqual(['float16']);
    const v = evaluateVerdict(r, { require: 'all' });
    expect(v.pass).toBe(false);
    expect(v.reasons).toEqual(['--require not met: float16 0 of 1 verified (1 unsupported)']);
    expect(evaluateVerdict(r, { require: parseRequire('basic,cifg,validation') }).pass).toBe(true);
  });
});

describe('--baseline', () => {
  it('a coverage file round-trips; a case verified by it and not now (or not run) is a regression', async () => {
    const r = await mixedReport();
    const file = baselineToJson(baselineOf(r));
    const b = parseBaseline(file, 'b.json');
    expect([...b.verified].sort()).toEqual(['aosp/a', 'aosp/b', 'negative/LSTM.x']);
    expect(compareBaseline(r.results, b)).toMatchObject({ ok: true, regressed: [], gained: 0 });
    // Later run: aosp/b now unsupported, the negative not selected.
    let n = 0;
    const later = await runConformance(new StubDriver('later', { prepare: (m) => (n++ === 1 ? unavailable : { ok: true, prepared: m }) }), cases().slice(0, 2));
    const v = evaluateVerdict(later, { baseline: b });
    expect(v.pass).toBe(false);
    expect(v.baseline!.regressed).toEqual([
      { id: 'aosp/b', now: 'unsupported' },
      { id: 'negative/LSTM.x', now: 'not run' },
    ]);
    expect(v.reasons[0]).toMatch(/^below the baseline: 2 case\(s\) verified by the baseline are not verified now: aosp\/b \(unsupported\), negative\/LSTM\.x \(not run\)$/);
  });

  it('a JSON report is a baseline too; anything else is a clear error', async () => {
    const r = await mixedReport();
    const b = parseBaseline(reportToJson(r), 'r.json');
    expect([...b.verified].sort()).toEqual(['aosp/a', 'aosp/b', 'negative/LSTM.x']);
    expect(b.source).toMatch(/^report of mixed started /);
    expect(() => parseBaseline('{', 'x.json')).toThrow(/--baseline x\.json: not JSON/);
    expect(() => parseBaseline('{"a":1}', 'x.json')).toThrow(/neither a coverage file \(--write-baseline\) nor a JSON report/);
    expect(() => parseBaseline('{"nnlstmCoverageBaseline":1,"verified":[1]}', 'x.json')).toThrow(/'verified' must be an array of case ids/);
  });
});
