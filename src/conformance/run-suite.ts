/**
 * The library's conformance entry: runConformance with the built-in deviations policy and its oracles,
 * so a failure that a documented deviation explains is named without any set-up.
 */
import type { Driver } from '../drivers/driver.js';
import type { Case } from './case.js';
import { loadDeviations } from './deviations.js';
import { registerBuiltinOracles } from './oracles.js';
import { runConformance as runCases, type Report, type RunOptions } from './runner.js';

/**
 * Runs conformance cases on a driver, in order, and returns the report (statuses, max error ratios,
 * worst elements, per-group totals).
 *
 * @param cases e.g. `suiteCases()` from `nnlstm/suite` (the package's 240 cases), or `casesFromDocuments(…)`.
 * @param options `filter` (case-id substring, `group:NAME`, or a RegExp), `onProgress`, `deviations`
 *   (default: the built-in policy, conformance/policies/deviations.json), `errorProfiles`.
 * @example
 * ```ts
 * import { ReferenceDriver, runConformance, reportFailed } from 'nnlstm';
 * import { suiteCases } from 'nnlstm/suite';
 * const report = await runConformance(new ReferenceDriver(), suiteCases(), { onProgress: (e) => e.type === 'done' && console.log(e.id, e.result.status) });
 * console.log(report.totals, reportFailed(report));
 * ```
 */
export async function runConformance<P>(driver: Driver<P>, cases: readonly Case[], options: RunOptions = {}): Promise<Report> {
  registerBuiltinOracles();
  return runCases(driver, cases, { ...options, deviations: options.deviations ?? loadDeviations() });
}
