/** Every golden file: schema-valid, internally consistent, canonical text, a valid LSTM model. */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkGoldenConsistency, listJsonFiles } from '../src/conformance/cases.js';
import { lstmFeatures } from '../src/conformance/features.js';
import { renderGolden, type GoldenFile } from '../src/conformance/golden-format.js';
import { schemaValidator } from '../src/model/load.js';
import { validateModel } from '../src/ops/lstm/validate.js';
import { fromRoot } from '../src/util/paths.js';

const files = listJsonFiles(fromRoot('golden'));

describe('golden files', () => {
  it('there are golden files, among them the 36 AOSP LSTM vectors', () => {
    expect(listJsonFiles(fromRoot('golden', 'aosp')).length).toBeGreaterThanOrEqual(36);
  });

  for (const f of files) {
    const rel = relative(fromRoot(), f);
    describe(rel, () => {
      const text = readFileSync(f, 'utf8');
      const g = JSON.parse(text) as GoldenFile;
      it('matches golden.schema.json', () => {
        const v = schemaValidator('golden');
        expect(v(g), JSON.stringify(v.errors?.slice(0, 3))).toBe(true);
      });
      it('is consistent (name, operation, structure, value counts, tolerance, features)', () => {
        expect(() => checkGoldenConsistency(g, f)).not.toThrow();
      });
      it('is written in the canonical form', () => {
        expect(text).toBe(renderGolden(g));
      });
      if (g.operation === 'LSTM') {
        it('is a valid LSTM model whose variant agrees with its features', () => {
          const r = validateModel(g.model);
          expect(r.ok ? [] : r.violations).toEqual([]);
          if (!r.ok) return;
          const { featureLevel, ...features } = lstmFeatures(g.model);
          expect(features).toEqual(r.variant);
          expect(featureLevel).toBe(r.featureLevel);
        });
      }
    });
  }
});
