import { readFileSync, readdirSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { specArtifacts } from '../src/tools/gen-spec-artifacts.js';
import { loadSpec } from '../src/spec/operation-spec.js';
import { fromRoot } from '../src/util/paths.js';
import { LSTM_IN, LSTM_INPUT_NAMES } from '../src/ops/lstm/operands.generated.js';

const schema = JSON.parse(readFileSync(fromRoot('spec/schema/operation-spec.schema.json'), 'utf8'));
const specFiles = readdirSync(fromRoot('spec')).filter((f) => /^[A-Z0-9_]+\.json$/.test(f));

describe('operation spec files', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const check = ajv.compile(schema);
  it('there is at least the LSTM spec', () => expect(specFiles).toContain('LSTM.json'));
  for (const f of specFiles) {
    it(`${f} conforms to operation-spec.schema.json`, () => {
      const ok = check(JSON.parse(readFileSync(fromRoot('spec', f), 'utf8')));
      expect(check.errors ?? [], JSON.stringify(check.errors, null, 1)).toEqual([]);
      expect(ok).toBe(true);
    });
  }

  it('LSTM has 27 inputs and 4 outputs, indexed in order', () => {
    const s = loadSpec('LSTM');
    expect(s.inputs.map((o) => o.index)).toEqual([...Array(27).keys()]);
    expect(s.outputs.map((o) => o.index)).toEqual([0, 1, 2, 3]);
  });

  it('rule ids are unique and every group names existing operands and rules', () => {
    const s = loadSpec('LSTM');
    const ids = s.rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const names = new Set([...s.inputs, ...s.outputs].map((o) => o.name));
    for (const g of s.groups) {
      for (const o of g.operands) expect(names.has(o), `${g.id}: ${o}`).toBe(true);
      for (const r of g.rules) expect(ids, `${g.id}: ${r}`).toContain(r);
    }
    for (const r of s.rules) for (const o of r.operands) expect(names.has(o), `${r.id}: ${o}`).toBe(true);
  });

  it('the generated name table matches the spec', () => {
    const s = loadSpec('LSTM');
    expect([...LSTM_INPUT_NAMES]).toEqual(s.inputs.map((o) => o.name));
    for (const o of s.inputs) expect(LSTM_IN[o.name as keyof typeof LSTM_IN]).toBe(o.index);
  });
});

describe('generated artifacts are fresh (run `npm run gen` when this fails)', () => {
  for (const a of specArtifacts()) {
    it(`${a.path} is up to date`, () => {
      expect(readFileSync(fromRoot(a.path), 'utf8')).toBe(a.content);
    });
  }
});
