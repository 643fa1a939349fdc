import { afterEach, describe, expect, it } from 'vitest';
import { negativeCase, positiveCase, StubDriver, tinyModel, tinyOutputs } from '../../test/helpers/tiny.js';
import type { Driver, OutputValue } from '../drivers/driver.js';
import type { Model } from '../model/model.js';
import { roundToFloat16 } from '../util/float16.js';
import type { Case } from './cases.js';
import { registerDeviationOracle, unregisterDeviationOracle, type Deviation } from './deviations.js';
import { buildInputs, runCase, runConformance, type ProgressEvent } from './runner.js';

const reject = { ok: false as const, status: 'BAD_DATA' as const, message: 'no', violations: [{ rule: 'TEST.rule', message: 'broken' }] };

function withOut(index: number, patch: Partial<OutputValue>): OutputValue[] {
  return tinyOutputs().map((o) => (o.index === index ? { ...o, ...patch } : o));
}

describe('buildInputs', () => {
  it('aligns with inputIndexes; empty values → null (omitted); float32 stored as float32', () => {
    const ins = buildInputs(tinyModel());
    expect(ins).toEqual([[Math.fround(0.1), Math.fround(0.2)], null, [4]]);
  });
  it('rounds float16 decimals to binary16', () => {
    const m = tinyModel();
    m.operands[0]!.type = 'TENSOR_FLOAT16';
    m.operands[0]!.values = [0.1, 3.14159];
    expect(buildInputs(m)[0]).toEqual([roundToFloat16(0.1), roundToFloat16(3.14159)]);
    expect(buildInputs(m)[0]).not.toEqual([0.1, 3.14159]);
  });
  it('follows inputIndexes order, not operand order', () => {
    const m = tinyModel({ inputIndexes: [2, 0, 1] });
    expect(buildInputs(m)).toEqual([[4], [Math.fround(0.1), Math.fround(0.2)], null]);
  });
});

describe('runCase: positive cases', () => {
  it('pass: correct outputs; the driver receives the inputs and releases the prepared model', async () => {
    const d = new StubDriver('ok');
    const r = await runCase(d, positiveCase());
    expect(r.status).toBe('pass');
    expect(r.reason).toBeNull();
    expect(r.maxRatio).toBe(0);
    expect(d.calls.inputs[0]).toEqual(buildInputs(tinyModel()));
    expect(d.calls.release).toBe(1);
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
    expect(r.outputs).toHaveLength(3);
  });

  it('rejected: prepare says ok:false (not unsupported)', async () => {
    const r = await runCase(new StubDriver('rej', { prepare: () => reject }), positiveCase());
    expect(r.status).toBe('rejected');
    expect(r.reason).toMatch(/BAD_DATA: no \[TEST.rule\]/);
  });

  it('rejected: execute says ok:false', async () => {
    const r = await runCase(new StubDriver('x', { execute: () => ({ ok: false, status: 'OP_FAILED', message: 'boom' }) }), positiveCase());
    expect(r.status).toBe('rejected');
    expect(r.reason).toMatch(/execute failed: OP_FAILED: boom/);
  });

  it('unsupported: prepare says unsupported with its reason', async () => {
    const d = new StubDriver('u', { prepare: () => ({ ok: false, status: 'UNAVAILABLE', message: 'no float16 here', unsupported: true }) });
    const r = await runCase(d, positiveCase());
    expect(r.status).toBe('unsupported');
    expect(r.reason).toMatch(/no float16 here/);
  });

  it('error: prepare throws', async () => {
    const d = new StubDriver('t', {
      prepare: () => {
        throw new Error('segfault-ish');
      },
    });
    const r = await runCase(d, positiveCase());
    expect(r.status).toBe('error');
    expect(r.reason).toBe('prepare threw: segfault-ish');
  });

  it('error: execute throws (non-Error values too)', async () => {
    const d = new StubDriver('t', {
      execute: () => {
        throw 'a string';
      },
    });
    const r = await runCase(d, positiveCase());
    expect(r.status).toBe('error');
    expect(r.reason).toBe('execute threw: a string');
    expect(d.calls.release).toBe(1);
  });

  it('error: malformed results (missing output, garbage)', async () => {
    const missing = await runCase(new StubDriver('m', { execute: () => ({ ok: true, outputs: tinyOutputs().slice(1) }) }), positiveCase());
    expect(missing.status).toBe('error');
    expect(missing.reason).toMatch(/malformed output: output operand 3 \(scratch\) was not produced/);
    const garbage = await runCase(new StubDriver('g', { execute: () => 42 }), positiveCase());
    expect(garbage.status).toBe('error');
    const badPrep = await runCase(new StubDriver('p', { prepare: () => undefined as never }), positiveCase());
    expect(badPrep.status).toBe('error');
  });

  it('fail: wrong shape', async () => {
    const r = await runCase(new StubDriver('s', { execute: () => ({ ok: true, outputs: withOut(5, { dimensions: [3, 1] }) }) }), positiveCase());
    expect(r.status).toBe('fail');
    expect(r.reason).toMatch(/output 5 \(state\): dimensions \[3,1\] ≠ expected \[1,3\]/);
  });

  it('fail: NaN output, with worst element and ratio', async () => {
    const r = await runCase(new StubDriver('n', { execute: () => ({ ok: true, outputs: withOut(4, { values: [0.5, Number.NaN] }) }) }), positiveCase());
    expect(r.status).toBe('fail');
    expect(r.maxRatio).toBe(Number.POSITIVE_INFINITY);
    expect(r.worst).toMatchObject({ outputIndex: 4, outputName: 'out', flatIndex: 1, expected: -0.25 });
    expect(Number.isNaN(r.worst!.actual)).toBe(true);
  });

  it('fail: values off by more than the tolerance', async () => {
    const r = await runCase(new StubDriver('o', { execute: () => ({ ok: true, outputs: withOut(4, { values: [Math.fround(0.6), -0.25] }) }) }), positiveCase());
    expect(r.status).toBe('fail');
    expect(r.maxAbsError).toBeCloseTo(0.1, 6);
    expect(r.deviation).toBeUndefined();
  });
});

describe('runCase: negative cases', () => {
  it('pass when prepare refuses; records the rule ids', async () => {
    const r = await runCase(new StubDriver('r', { prepare: () => reject }), negativeCase());
    expect(r.status).toBe('pass');
    expect(r.rules).toEqual(['TEST.rule']);
    expect(r.ruleMatched).toBe(true);
    expect(r.expectedRule).toBe('TEST.rule');
  });
  it('pass with another rule: ruleMatched false and an informative reason', async () => {
    const r = await runCase(new StubDriver('r', { prepare: () => ({ ...reject, violations: [{ rule: 'OTHER', message: 'x' }] }) }), negativeCase());
    expect(r.status).toBe('pass');
    expect(r.ruleMatched).toBe(false);
    expect(r.reason).toMatch(/OTHER rather than TEST.rule/);
  });
  it('pass without violations: no rule information', async () => {
    const r = await runCase(new StubDriver('r', { prepare: () => ({ ok: false, status: 'BAD_DATA', message: 'nope' }) }), negativeCase());
    expect(r.status).toBe('pass');
    expect(r.rules).toEqual([]);
    expect(r.ruleMatched).toBeUndefined();
  });
  it('fail when the driver accepts; the reason names the expected rule; nothing is executed', async () => {
    const d = new StubDriver('a');
    const r = await runCase(d, negativeCase());
    expect(r.status).toBe('fail');
    expect(r.reason).toMatch(/accepted a model that breaks TEST.rule/);
    expect(d.calls.execute).toBe(0);
    expect(d.calls.release).toBe(1);
  });
  it('error when prepare throws; unsupported when it says so', async () => {
    const t = await runCase(new StubDriver('t', { prepare: () => Promise.reject(new Error('x')) }), negativeCase());
    expect(t.status).toBe('error');
    const u = await runCase(new StubDriver('u', { prepare: () => ({ ok: false, status: 'UNAVAILABLE', message: 'm', unsupported: true }) }), negativeCase());
    expect(u.status).toBe('unsupported');
  });
});

describe('known deviations', () => {
  const dev: Deviation = { id: 'test-dev', description: 'd', source: 's', appliesWhen: { operation: 'TEST', relaxed: [false, true] } };
  const deviant = tinyOutputs().map((o) => (o.index === 4 ? { ...o, values: [7, 7] } : o));
  afterEach(() => unregisterDeviationOracle('test-dev'));

  it('a failure matching the deviation oracle keeps status fail and names the deviation', async () => {
    let seen: { model: Model; inputs: unknown } | undefined;
    registerDeviationOracle('test-dev', (model, inputs) => {
      seen = { model, inputs };
      return deviant;
    });
    const r = await runCase(new StubDriver('dv', { execute: () => ({ ok: true, outputs: deviant }) }), positiveCase(), [dev]);
    expect(r.status).toBe('fail');
    expect(r.deviation).toBe('test-dev');
    expect(r.reason).toMatch(/matches known deviation test-dev/);
    expect(seen!.inputs).toEqual(buildInputs(tinyModel()));
  });

  it('no deviation when the outputs do not match the oracle', async () => {
    registerDeviationOracle('test-dev', () => deviant);
    const other = withOut(4, { values: [8, 8] });
    const r = await runCase(new StubDriver('dv', { execute: () => ({ ok: true, outputs: other }) }), positiveCase(), [dev]);
    expect(r.status).toBe('fail');
    expect(r.deviation).toBeUndefined();
  });

  it('no deviation when appliesWhen does not match the features', async () => {
    registerDeviationOracle('test-dev', () => deviant);
    const r = await runCase(new StubDriver('dv', { execute: () => ({ ok: true, outputs: deviant }) }), positiveCase(), [
      { ...dev, appliesWhen: { activation: 0 } },
    ]);
    expect(r.deviation).toBeUndefined();
  });

  it('an applicable deviation without oracle, or with a throwing one, is noted in the reason', async () => {
    const r1 = await runCase(new StubDriver('dv', { execute: () => ({ ok: true, outputs: deviant }) }), positiveCase(), [dev]);
    expect(r1.reason).toMatch(/no registered oracle/);
    registerDeviationOracle('test-dev', () => {
      throw new Error('oracle down');
    });
    const r2 = await runCase(new StubDriver('dv', { execute: () => ({ ok: true, outputs: deviant }) }), positiveCase(), [dev]);
    expect(r2.status).toBe('fail');
    expect(r2.reason).toMatch(/oracle failed: oracle down/);
  });

  it('the explain field picks the oracle', async () => {
    registerDeviationOracle('other-oracle', () => deviant);
    try {
      const r = await runCase(new StubDriver('dv', { execute: () => ({ ok: true, outputs: deviant }) }), positiveCase(), [{ ...dev, explain: 'other-oracle' }]);
      expect(r.deviation).toBe('test-dev');
    } finally {
      unregisterDeviationOracle('other-oracle');
    }
  });
});

describe('runConformance', () => {
  const cases: Case[] = [
    positiveCase(tinyModel(), { id: 'aosp/one', group: 'basic', tags: ['basic'] }),
    positiveCase(tinyModel(), { id: 'aosp/two-cifg', group: 'cifg', tags: ['cifg', 'peephole'] }),
    negativeCase({ id: 'negative/R1' }),
  ];

  it('runs every case, reports progress and builds totals and groups', async () => {
    const events: ProgressEvent[] = [];
    const d = new StubDriver('ok');
    const report = await runConformance(d, cases, { onProgress: (e) => events.push(e) });
    expect(report.results.map((r) => r.status)).toEqual(['pass', 'pass', 'fail']);
    expect(report.totals).toEqual({ cases: 3, pass: 2, fail: 1, error: 0, unsupported: 0, rejected: 0 });
    expect(report.groups.map((g) => [g.group, g.cases])).toEqual([
      ['basic', 1],
      ['cifg', 1],
      ['validation', 1],
    ]);
    expect(report.driver.name).toBe('ok');
    expect(report.driver.capabilities?.version).toBe('0.0.0-stub');
    expect(events.filter((e) => e.type === 'done')).toHaveLength(3);
    expect(events[0]).toMatchObject({ type: 'start', index: 0, total: 3, id: 'aosp/one' });
  });

  it('filters by substring, RegExp and group', async () => {
    const d = new StubDriver('ok');
    expect((await runConformance(d, cases, { filter: 'TWO' })).results.map((r) => r.id)).toEqual(['aosp/two-cifg']);
    expect((await runConformance(d, cases, { filter: /^negative\// })).results.map((r) => r.id)).toEqual(['negative/R1']);
    expect((await runConformance(d, cases, { filter: 'group:peephole' })).results.map((r) => r.id)).toEqual(['aosp/two-cifg']);
    expect((await runConformance(d, cases, { filter: 'group:validation' })).results.map((r) => r.id)).toEqual(['negative/R1']);
    expect((await runConformance(d, cases, { filter: 'TWO' })).filter).toBe('TWO');
  });

  it('never throws: a driver whose capabilities() throws still gets a report', async () => {
    const d = new StubDriver('ok') as Driver<Model>;
    d.capabilities = () => Promise.reject(new Error('no caps'));
    const report = await runConformance(d, cases.slice(0, 1));
    expect(report.driver.capabilities).toBeNull();
    expect(report.results[0]!.status).toBe('pass');
  });
});
