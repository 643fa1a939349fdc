/**
 * Conformance cases from the file system: every golden/**\/*.json (positive) and every
 * conformance/negative/**\/*.json (negative) of the package, or of folders you name. The cases
 * themselves are made by src/conformance/case.ts, which runs anywhere.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readJsonFile } from '../model/load-file.js';
import { fromRoot } from '../util/paths.js';
import { SUITE_DOCUMENTS } from './suite-documents.generated.js';
import { casesFromDocuments, checkUniqueIds, goldenCase, negativeCase, type Case, type NegativeCase, type PositiveCase } from './case.js';

export * from './case.js';

/**
 * Folders of the package's golden/ that hold another format's goldens, not NNAPI cases: golden/onnx holds the ONNX
 * LSTM vectors (spec/schema/onnx-golden.schema.json, read by test/onnx/golden*.test.ts).
 */
export const NON_NNAPI_GOLDEN_DIRS: readonly string[] = ['onnx'];

/** All *.json below `dir`, sorted by relative path; [] when the folder is absent. In the package's golden/, {@link NON_NNAPI_GOLDEN_DIRS} are left out. */
export function listJsonFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const packageGolden = fromRoot('golden');
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory() && d === packageGolden && NON_NNAPI_GOLDEN_DIRS.includes(e.name)) continue;
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.json')) out.push(p);
    }
  };
  walk(dir);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function idFrom(dir: string, file: string): string {
  return relative(dir, file).split('\\').join('/').replace(/\.json$/, '');
}

/**
 * Reads one golden file as a positive case. `goldenDir` is the base for the id. Throws ModelFileError.
 *
 * @example
 * ```ts
 * import { runConformance, ReferenceDriver } from 'nnlstm';
 * import { loadGoldenCase } from 'nnlstm/node';
 * const c = loadGoldenCase('my-goldens/lstm-small.json', 'my-goldens');   // id 'lstm-small'
 * const report = await runConformance(new ReferenceDriver(), [c]);
 * ```
 */
export function loadGoldenCase(file: string, goldenDir = fromRoot('golden')): PositiveCase {
  return goldenCase(readJsonFile(file), idFrom(goldenDir, file), file);
}

/**
 * Reads one negative case file. `negativeDir` is the base for the id (`negative/…`). Throws ModelFileError.
 *
 * @example
 * ```ts
 * import { loadNegativeCase } from 'nnlstm/node';
 * const c = loadNegativeCase('negatives/LSTM.bias.shape.json', 'negatives');
 * console.log(c.id, c.expectedRule);   // 'negative/LSTM.bias.shape', the rule the model breaks
 * ```
 */
export function loadNegativeCase(file: string, negativeDir = fromRoot('conformance', 'negative')): NegativeCase {
  return negativeCase(readJsonFile(file), `negative/${idFrom(negativeDir, file)}`, file);
}

/** The folders {@link loadCases} reads. */
export interface LoadCasesOptions {
  /** Default: golden/ of the package. */
  goldenDir?: string;
  /** Default: conformance/negative/ of the package. */
  negativeDir?: string;
}

/**
 * Every case, positives first, each kind sorted by path. Throws ModelFileError on the first bad file.
 * With no folders named: the package's golden/ and conformance/negative/ in a checkout; an installed
 * package ships them only as the suite module (src/conformance/suite-documents.generated.ts, the same documents).
 *
 * @example
 * ```ts
 * import { runConformance, ReferenceDriver } from 'nnlstm';
 * import { loadCases } from 'nnlstm/node';
 * const cases = loadCases({ goldenDir: 'my-goldens', negativeDir: 'my-negatives' });
 * const report = await runConformance(new ReferenceDriver(), cases);
 * ```
 */
export function loadCases(opts: LoadCasesOptions = {}): Case[] {
  if (opts.goldenDir === undefined && opts.negativeDir === undefined && !existsSync(fromRoot('golden'))) return casesFromDocuments(SUITE_DOCUMENTS);
  const goldenDir = opts.goldenDir ?? fromRoot('golden');
  const negativeDir = opts.negativeDir ?? fromRoot('conformance', 'negative');
  const positives = listJsonFiles(goldenDir).map((f) => loadGoldenCase(f, goldenDir));
  const negatives = listJsonFiles(negativeDir).map((f) => loadNegativeCase(f, negativeDir));
  return checkUniqueIds([...positives, ...negatives]);
}

