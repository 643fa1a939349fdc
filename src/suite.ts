/**
 * `nnlstm/suite`: the package's conformance suite as data — the AOSP CTS, TFLite-runtime, float64 and
 * integer golden cases and the validation-negative cases — so a driver can be judged in a browser or any
 * bundle with no file system.
 *
 * @example
 * ```ts
 * import { ReferenceDriver, runConformance } from 'nnlstm';
 * import { suiteCases } from 'nnlstm/suite';
 * const report = await runConformance(new ReferenceDriver({ fast: true }), suiteCases());
 * ```
 * @packageDocumentation
 * @module nnlstm/suite
 */
import { casesFromDocuments, type Case, type CaseDocument } from './conformance/case.js';
import { SUITE_DOCUMENTS } from './conformance/suite-documents.generated.js';

export type { Case, CaseDocument } from './conformance/case.js';

let cases: Case[] | undefined;

/**
 * Every case of the suite (positives first, each kind sorted by path), parsed and checked once.
 *
 * @example
 * ```ts
 * import { ReferenceDriver, runConformance, formatSummary } from 'nnlstm';
 * import { suiteCases } from 'nnlstm/suite';
 * const report = await runConformance(new ReferenceDriver(), suiteCases(), { filter: 'group:quantized' });
 * console.log(formatSummary(report));
 * ```
 */
export function suiteCases(): readonly Case[] {
  cases ??= casesFromDocuments(SUITE_DOCUMENTS);
  return cases;
}

/**
 * The suite's documents as shipped (path below the package root, parsed JSON), e.g. to add your own
 * documents before `casesFromDocuments` (of `'nnlstm'`).
 *
 * @example
 * ```ts
 * import { casesFromDocuments } from 'nnlstm';
 * import { suiteDocuments } from 'nnlstm/suite';
 * const cases = casesFromDocuments([...suiteDocuments(), { path: 'golden/mine/case.json', data: myGolden }]);
 * ```
 */
export function suiteDocuments(): readonly CaseDocument[] {
  return SUITE_DOCUMENTS;
}
