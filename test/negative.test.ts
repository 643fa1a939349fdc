import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec, SPEC_FILES } from '../src/spec/operation-spec.js';
import { validateModel } from '../src/ops/validate.js';
import { negativeCases, readGoldenModels, renderNegativeCase } from '../src/tools/gen-negative.js';
import type { NegativeCase } from '../src/conformance/negative-cases.js';
import { fromRoot } from '../src/util/paths.js';

const dir = fromRoot('conformance', 'negative');
const committed: NegativeCase[] = existsSync(dir)
  ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as NegativeCase)
  : [];

describe('every golden model is valid', () => {
  for (const g of readGoldenModels()) {
    it(`${g.name} validates`, () => {
      const r = validateModel(g.model);
      expect(r.ok ? [] : r.violations).toEqual([]);
    });
  }
});

describe('negative cases break exactly their rule', () => {
  it('there are negative cases', () => expect(committed.length).toBeGreaterThan(0));
  for (const c of committed) {
    it(`${c.name}: validate reports ${c.rule} and nothing else`, () => {
      const r = validateModel(c.model);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect([...new Set(r.violations.map((v) => v.rule))]).toEqual([c.rule]);
      if (c.operandIndex !== undefined) {
        expect(r.violations.some((v) => v.operandIndex === c.operandIndex && v.operandName === c.operandName)).toBe(true);
      }
      for (const v of r.violations) expect(v.message.length).toBeGreaterThan(5);
    });
  }
  for (const op of Object.keys(SPEC_FILES)) {
    it(`every rule of spec/${op}.json has a negative case`, () => {
      const covered = new Set(committed.filter((c) => c.model.operations[0]?.type === op).map((c) => c.rule));
      // Shared rules are covered by the operation they come from; the sequence ops also carry a few in context.
      const missing = loadSpec(op).rules.filter((r) => !r.sharedFrom).map((r) => r.id).filter((id) => !covered.has(id));
      expect(missing).toEqual([]);
    });
  }
  it('conformance/negative/ is up to date with the generator (run `npm run gen`)', () => {
    const fresh = negativeCases();
    expect(fresh.map((c) => c.name).sort()).toEqual(committed.map((c) => c.name).sort());
    for (const c of fresh) expect(readFileSync(join(dir, `${c.name}.json`), 'utf8')).toBe(renderNegativeCase(c));
  });
});
