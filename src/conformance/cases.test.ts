import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelFileError } from '../model/load.js';
import { fromRoot } from '../util/paths.js';
import { listJsonFiles, loadCases, loadGoldenCase, matchesFilter } from './cases.js';

const goldenSrc = listJsonFiles(fromRoot('golden', 'aosp'));
const sample = goldenSrc.find((f) => basename(f).startsWith('lstm-f32-cifg-peephole-noproj-noln-tanh-b1-lstm2_state.'))!;
const negativeSrc = listJsonFiles(fromRoot('conformance', 'negative'))[0];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nnlstm-cases-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scratch(name: string): { golden: string; negative: string } {
  const root = join(dir, name);
  mkdirSync(join(root, 'golden', 'aosp'), { recursive: true });
  return { golden: join(root, 'golden'), negative: join(root, 'negative') };
}

function writeVariant(goldenDir: string, edit: (g: Record<string, any>) => void, file = basename(sample)): string {
  const g = JSON.parse(readFileSync(sample, 'utf8')) as Record<string, any>;
  edit(g);
  const p = join(goldenDir, 'aosp', file);
  writeFileSync(p, JSON.stringify(g));
  return p;
}

function loadError(f: () => unknown): ModelFileError {
  try {
    f();
  } catch (e) {
    if (e instanceof ModelFileError) return e;
    throw e;
  }
  throw new Error('expected a ModelFileError');
}

describe('loadCases', () => {
  it('loads golden files as positive cases with id, group and tags; absent negative dir = no negatives', () => {
    const s = scratch('ok');
    cpSync(sample, join(s.golden, 'aosp', basename(sample)));
    const cases = loadCases({ goldenDir: s.golden, negativeDir: s.negative });
    expect(cases).toHaveLength(1);
    const c = cases[0]!;
    expect(c.kind).toBe('positive');
    expect(c.id).toBe(`aosp/${basename(sample, '.json')}`);
    expect(c.group).toBe('cifg');
    expect(c.tags).toEqual(['cifg', 'peephole', 'state']);
    expect(c.provenance?.kind).toBe('aosp-cts');
  });

  it('an empty golden dir and an empty negative dir give no cases', () => {
    const s = scratch('empty');
    mkdirSync(s.negative);
    expect(loadCases({ goldenDir: s.golden, negativeDir: s.negative })).toEqual([]);
  });

  it.skipIf(negativeSrc === undefined)('loads negative cases with expected rule, group validation', () => {
    const s = scratch('neg');
    mkdirSync(join(s.negative, 'sub'), { recursive: true });
    cpSync(negativeSrc!, join(s.negative, 'sub', basename(negativeSrc!)));
    const [c] = loadCases({ goldenDir: s.golden, negativeDir: s.negative });
    expect(c!.kind).toBe('negative');
    expect(c!.id).toBe(`negative/sub/${basename(negativeSrc!, '.json')}`);
    expect(c!.group).toBe('validation');
    if (c!.kind === 'negative') expect(c!.expectedRule).toBe(JSON.parse(readFileSync(negativeSrc!, 'utf8')).rule);
  });

  it('the golden group field overrides the derived group', () => {
    const s = scratch('group');
    const p = writeVariant(s.golden, (g) => (g['group'] = 'state'));
    expect(loadGoldenCase(p, s.golden).group).toBe('state');
  });
});

describe('bad golden files are clear errors naming the file and the JSON pointer', () => {
  it('schema: wrong type deep inside the model', () => {
    const s = scratch('bad-type');
    const p = writeVariant(s.golden, (g) => (g['model'].operands[3].type = 'TENSOR_FLOAT64'));
    const e = loadError(() => loadGoldenCase(p, s.golden));
    expect(e.file).toBe(p);
    expect(e.pointer).toBe('/model/operands/3/type');
    expect(e.message).toContain(p);
    expect(e.message).toMatch(/must be one of/);
  });
  it('schema: unknown property', () => {
    const s = scratch('bad-prop');
    const p = writeVariant(s.golden, (g) => (g['model'].operands[0].isIgnore = true));
    expect(loadError(() => loadGoldenCase(p, s.golden)).pointer).toBe('/model/operands/0/isIgnore');
  });
  it('schema: missing provenance', () => {
    const s = scratch('no-prov');
    const p = writeVariant(s.golden, (g) => delete g['provenance']);
    const e = loadError(() => loadGoldenCase(p, s.golden));
    expect(e.pointer).toBe('');
    expect(e.message).toMatch(/missing required property 'provenance'/);
  });
  it('name must match the file name', () => {
    const s = scratch('name');
    const p = writeVariant(s.golden, () => undefined, 'renamed.json');
    expect(loadError(() => loadGoldenCase(p, s.golden)).pointer).toBe('/name');
  });
  it('value count must match the dimensions', () => {
    const s = scratch('count');
    const p = writeVariant(s.golden, (g) => g['model'].operands[0].values.push(1));
    expect(loadError(() => loadGoldenCase(p, s.golden)).pointer).toBe('/model/operands/0/values');
  });
  it('declared tolerance must agree with the model', () => {
    const s = scratch('tol');
    const p = writeVariant(s.golden, (g) => (g['tolerance'] = 'float16'));
    expect(loadError(() => loadGoldenCase(p, s.golden)).pointer).toBe('/tolerance');
  });
  it('declared features must agree with the model', () => {
    const s = scratch('feat');
    const p = writeVariant(s.golden, (g) => (g['features'].cifg = false));
    const e = loadError(() => loadGoldenCase(p, s.golden));
    expect(e.pointer).toBe('/features/cifg');
  });
  it('structure: an operation input that does not exist', () => {
    const s = scratch('struct');
    const p = writeVariant(s.golden, (g) => (g['model'].operations[0].inputs[5] = 999));
    expect(loadError(() => loadGoldenCase(p, s.golden)).pointer).toBe('/model/operations/0/inputs/5');
  });
  it('malformed JSON', () => {
    const s = scratch('json');
    const p = join(s.golden, 'aosp', 'x.json');
    writeFileSync(p, '{"name": "x",\n "model": }');
    const e = loadError(() => loadCases({ goldenDir: s.golden, negativeDir: s.negative }));
    expect(e.kind).toBe('parse');
    expect(e.message).toContain(p);
    expect(e.message).toMatch(/line 2/);
  });
});

describe('matchesFilter', () => {
  const c = { id: 'aosp/lstm-f32-cifg-x', group: 'cifg', tags: ['cifg', 'peephole'] } as never;
  it('substring (case-insensitive), RegExp, group:', () => {
    expect(matchesFilter(c, undefined)).toBe(true);
    expect(matchesFilter(c, 'F32-CIFG')).toBe(true);
    expect(matchesFilter(c, 'f16')).toBe(false);
    expect(matchesFilter(c, /cifg-x$/)).toBe(true);
    expect(matchesFilter(c, /^negative/)).toBe(false);
    expect(matchesFilter(c, 'group:peephole')).toBe(true);
    expect(matchesFilter(c, 'group:layer-norm')).toBe(false);
  });
  it('a global RegExp gives the same answer every time', () => {
    const re = /cifg/g;
    expect([matchesFilter(c, re), matchesFilter(c, re), matchesFilter(c, re)]).toEqual([true, true, true]);
  });
});
