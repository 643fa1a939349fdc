/**
 * Writes conformance/negative/<rule>.json from the golden models (see src/conformance/negative-cases.ts).
 * Run: npm run gen. test/negative.test.ts fails when the committed files are stale.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Model } from '../model/model.js';
import { basesFrom, buildNegativeCases, buildSequenceNegativeCases, type NegativeCase } from '../conformance/negative-cases.js';
import { buildQuantizedNegativeCases } from '../conformance/negative-quantized.js';
import { fromRoot } from '../util/paths.js';
import { NON_NNAPI_GOLDEN_DIRS } from '../conformance/cases.js';

export function readGoldenModels(dir = fromRoot('golden')): { name: string; model: Model }[] {
  const out: { name: string; model: Model }[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      // golden/onnx holds ONNX goldens, not NNAPI models (src/conformance/cases.ts NON_NNAPI_GOLDEN_DIRS).
      if (e.isDirectory() && d === dir && NON_NNAPI_GOLDEN_DIRS.includes(e.name)) continue;
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json')) {
        const g = JSON.parse(readFileSync(p, 'utf8')) as { name: string; model: Model };
        out.push({ name: g.name, model: g.model });
      }
    }
  };
  walk(dir);
  return out;
}

export function negativeCases(): NegativeCase[] {
  const golden = readGoldenModels();
  return [...buildNegativeCases(basesFrom(golden.filter((g) => g.model.operations[0]?.type === 'LSTM'))), ...buildSequenceNegativeCases(golden), ...buildQuantizedNegativeCases(golden)];
}

export function renderNegativeCase(c: NegativeCase): string {
  return JSON.stringify({ $schema: '../../spec/schema/negative-case.schema.json', ...c }, null, 1) + '\n';
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = fromRoot('conformance', 'negative');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const c of negativeCases()) writeFileSync(join(dir, `${c.name}.json`), renderNegativeCase(c));
  console.log(`wrote ${readdirSync(dir).length} negative cases to conformance/negative/`);
}
