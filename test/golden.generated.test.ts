import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildGapGoldens, buildSequenceGapGoldens, FLOAT64_SEQUENCE_SOURCE, FLOAT64_SOURCE } from '../src/tools/gen-golden.js';
import { tfliteExpectationSource, tfliteSequenceExpectationSource } from '../src/tflite/driver.js';
import { GAP_CASES } from '../src/conformance/gap-catalogue.js';
import { fromRoot } from '../src/util/paths.js';

describe('gap-filling golden vectors', () => {
  it('regenerating them from their seeds with the TFLite runtime and the float64 evaluation reproduces the committed files byte for byte', async () => {
    const files = await buildGapGoldens({ 'float64-derivation': FLOAT64_SOURCE, 'tflite-runtime': await tfliteExpectationSource() });
    expect(files.length).toBeGreaterThanOrEqual(25);
    for (const f of files) {
      const path = fromRoot('golden', f.dir, `${f.name}.json`);
      expect(existsSync(path), `${path} missing (run: npm run build && node dist/tools/gen-golden.js)`).toBe(true);
      expect(readFileSync(path, 'utf8')).toBe(f.text);
    }
  });

  it('the sequence ones too (UNIDIRECTIONAL / BIDIRECTIONAL_SEQUENCE_LSTM), byte for byte', async () => {
    const files = await buildSequenceGapGoldens({ 'float64-derivation': FLOAT64_SEQUENCE_SOURCE, 'tflite-runtime': await tfliteSequenceExpectationSource() });
    expect(files.length).toBeGreaterThanOrEqual(30);
    for (const f of files) {
      const path = fromRoot('golden', f.dir, `${f.name}.json`);
      expect(existsSync(path), `${path} missing (run: npm run build && node dist/tools/gen-golden.js)`).toBe(true);
      expect(readFileSync(path, 'utf8'), path).toBe(f.text);
    }
  });

  it('every case that TFLite cannot express says why', () => {
    for (const c of GAP_CASES) if (c.source === 'float64-derivation') expect(c.whyNotTflite, c.label).toBeTruthy();
  });
});
