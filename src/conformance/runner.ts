/**
 * Runs conformance cases against a driver.
 *
 * Positive case: prepare → execute with the model's SUBGRAPH_INPUT values → compare (compare.ts).
 * Negative case: the driver must refuse the model at prepare with BAD_DATA.
 * Statuses: pass | fail | error (the driver threw or returned something malformed) |
 * unsupported (prepare said unsupported: true) | rejected (a positive case refused with ok:false,
 * at prepare or at execute).
 */
import type { CaseDiagnostics, CaseHooks, DriverFault, DriverUnavailable } from '../drivers/case-hooks.js';
import type { Capabilities, Driver, ExecuteResult, InputValue, PrepareResult } from '../drivers/driver.js';
import { isOmitted, type Model } from '../model/model.js';
import { roundToFloat16 } from '../util/float16.js';
import type { Case, NegativeCase, PositiveCase } from './case.js';
import { matchesFilter } from './case.js';
import {
  compareOutputs,
  compareWithExpected,
  MalformedOutputError,
  type Comparison,
  type ExpectedOutput,
  type OutputComparison,
  type WorstElement,
} from './compare.js';
import { deviationApplies, deviationOracle, type Deviation } from './deviations.js';
import { errorProfile, type OutputErrorProfile } from './error-profile.js';
import type { CaseFeatures, Group } from './features.js';
import { summarizeResults, type GroupSummary, type Totals } from './report.js';

/**
 * A case's outcome: `pass`; `fail` (outputs outside the tolerance, or a negative case not refused with
 * BAD_DATA); `error` (the driver threw, crashed or answered something malformed); `unsupported` (prepare
 * answered `unsupported: true`); `rejected` (a positive case refused at prepare or execute).
 */
export type CaseStatus = 'pass' | 'fail' | 'error' | 'unsupported' | 'rejected';

/** The result of one case in a {@link Report}. */
export interface CaseResult {
  /** The case id (path below golden/, or `negative/…`). */
  id: string;
  /** Positive (run and compare) or negative (must be refused). */
  kind: 'positive' | 'negative';
  /** The feature group it is counted under. */
  group: Group;
  /** Every feature group it exercises. */
  tags: Group[];
  /** The outcome. */
  status: CaseStatus;
  /** The case's features. */
  features: CaseFeatures;
  /** Kind of the case's provenance (aosp-cts, tflite-runtime, float64-derivation, mutation…). */
  provenance: string | null;
  /** Largest |actual − expected| over the compared outputs; null when nothing was compared. */
  maxAbsError: number | null;
  /** Largest |actual − expected| / (atol + rtol·|expected|); the case passes when ≤ 1. */
  maxRatio: number | null;
  /** The element with the largest ratio. */
  worst: (WorstElement & { outputName: string }) | null;
  /** Why the case did not pass (null on pass; informative for negative passes). */
  reason: string | null;
  /** Wall time of the case (prepare, execute, compare), in milliseconds. */
  durationMs: number;
  /** Known deviation (conformance/policies/deviations.json) that explains a failure. */
  deviation?: string;
  /** Per-output comparison of a positive case that produced outputs. */
  outputs?: OutputComparison[];
  /** Negative cases: the rule the model breaks. */
  expectedRule?: string;
  /** Negative cases: rule ids the driver gave when it refused the model. */
  rules?: string[];
  /** Negative cases: whether the driver named the expected rule (undefined when it named none). */
  ruleMatched?: boolean;
  /** Out-of-process drivers: what the driver wrote to stderr during the case (case-hooks.ts). */
  stderr?: string;
  /** Out-of-process drivers: the crash, hang or bad frame that ended the case (status error). */
  fault?: DriverFault;
  /** Per-element |error| / allowed error (RunOptions.errorProfiles; the HTML report plots it). */
  errorProfile?: OutputErrorProfile[];
}

/** The driver a report is about. */
export interface DriverInfo {
  /** `Driver.name`. */
  name: string;
  /** What `capabilities()` answered; null when it failed. */
  capabilities: Capabilities | null;
}

/**
 * A conformance run (from {@link runConformance}): the driver, per-case results in run order, and totals
 * overall and per feature group. Render it with {@link formatSummary}, {@link reportToJson},
 * {@link reportToJunit} or {@link reportToHtml}.
 */
export interface Report {
  /** Version of the report format (spec/schema/report.schema.json). */
  schemaVersion: 1;
  /** The nnlstm version that ran the cases. */
  tool: { name: 'nnlstm'; version: string };
  /** The driver judged. */
  driver: DriverInfo;
  /** Start time, ISO 8601. */
  startedAt: string;
  /** Wall time of the whole run, in milliseconds. */
  durationMs: number;
  /** The case filter, as text; null when every case ran. */
  filter: string | null;
  /** Counts over all results. */
  totals: Totals;
  /** Counts per feature group. */
  groups: GroupSummary[];
  /** One result per case run, in order. */
  results: CaseResult[];
}

/** Passed to `RunOptions.onProgress` before (`start`) and after (`done`) each case; `index` counts from 0 to `total` − 1. */
export type ProgressEvent =
  | {
      /** A case is about to run. */
      type: 'start';
      /** Position of the case in the run, from 0. */
      index: number;
      /** Number of cases in the run. */
      total: number;
      /** The case id. */
      id: string;
    }
  | {
      /** A case has run. */
      type: 'done';
      /** Position of the case in the run, from 0. */
      index: number;
      /** Number of cases in the run. */
      total: number;
      /** The case id. */
      id: string;
      /** Its result. */
      result: CaseResult;
    };

/** Options of {@link runConformance}. */
export interface RunOptions {
  /** Which cases to run: a RegExp tested on the id, `group:NAME`, or a case-insensitive id substring (see {@link matchesFilter}). */
  filter?: string | RegExp;
  /** Called before and after each case. */
  onProgress?: (e: ProgressEvent) => void;
  /** Known deviations to consult on failures (runConformance's default: the built-in policy, {@link loadDeviations}). */
  deviations?: readonly Deviation[];
  /** Record each positive case's per-element error profile (CaseResult.errorProfile). */
  errorProfiles?: boolean;
}

export const TOOL_VERSION = '0.1.0';

/**
 * The values handed to execute(), aligned with model.inputIndexes: empty values → null (omitted);
 * values stored in the operand's type as the harness does (float16 → binary16, float32 → float32).
 * Exported as `modelInputValues`: the inputs a conformance run hands a driver for a model's own example.
 *
 * @example
 * ```ts
 * import { ReferenceDriver, modelInputValues } from 'nnlstm';
 * const driver = new ReferenceDriver();
 * const p = await driver.prepare(model);
 * if (p.ok) console.log(await driver.execute(p.prepared, modelInputValues(model)));
 * ```
 */
export function buildInputs(model: Model): InputValue[] {
  return model.inputIndexes.map((idx) => {
    const op = model.operands[idx];
    if (op === undefined) throw new Error(`model input ${idx} has no operand`);
    if (isOmitted(op)) return null;
    switch (op.type) {
      case 'TENSOR_FLOAT16':
      case 'FLOAT16':
        return op.values.map(roundToFloat16);
      case 'TENSOR_FLOAT32':
      case 'FLOAT32':
        return op.values.map(Math.fround);
      default:
        return op.values.slice();
    }
  });
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

function isPrepareResult(r: unknown): r is PrepareResult<unknown> {
  return r !== null && typeof r === 'object' && typeof (r as { ok?: unknown }).ok === 'boolean';
}

/** The driver's prepare, guarded: its result, or why there is none (it threw, or returned a malformed value). */
async function prepareChecked<P>(driver: Driver<P>, model: PositiveCase['model']): Promise<PrepareResult<unknown> | string> {
  let prep: unknown;
  try {
    prep = await driver.prepare(model);
  } catch (e) {
    return `prepare threw: ${errorMessage(e)}`;
  }
  return isPrepareResult(prep) ? prep : 'prepare returned a malformed result';
}

function isExecuteResult(r: unknown): r is ExecuteResult {
  return r !== null && typeof r === 'object' && typeof (r as { ok?: unknown }).ok === 'boolean';
}

function refusal(r: Extract<PrepareResult<unknown>, { ok: false }>): string {
  const rules = (r.violations ?? []).map((v) => v.rule);
  return `${r.status}: ${r.message}${rules.length ? ` [${[...new Set(rules)].join(', ')}]` : ''}`;
}

function baseResult(c: Case): CaseResult {
  return {
    id: c.id,
    kind: c.kind,
    group: c.group,
    tags: c.tags,
    status: 'error',
    features: c.features,
    provenance: c.provenance?.kind ?? null,
    maxAbsError: null,
    maxRatio: null,
    worst: null,
    reason: null,
    durationMs: 0,
  };
}

function withComparison(res: CaseResult, cmp: Comparison, model: Model): void {
  res.outputs = cmp.outputs;
  res.maxAbsError = cmp.maxAbsError;
  res.maxRatio = cmp.maxRatio;
  res.worst = cmp.worst ? { ...cmp.worst, outputName: model.operands[cmp.worst.outputIndex]?.name ?? '?' } : null;
}

async function release<P>(driver: Driver<P>, prepared: P): Promise<void> {
  try {
    driver.release?.(prepared);
  } catch {
    /* a failing release does not change the verdict */
  }
}

/** A defect the driver itself declares for this model (never trusted to make a case pass). */
function driverDeviation<P>(driver: Driver<P>, model: Model): { id: string; description: string } | undefined {
  try {
    return driver.knownDeviation?.(model);
  } catch {
    return undefined;
  }
}

/** Which deviation, if any, explains the driver's (failing) outputs. */
async function explainByDeviation(
  c: PositiveCase,
  inputs: InputValue[],
  actual: unknown,
  deviations: readonly Deviation[],
): Promise<{ id?: string; note?: string }> {
  const notes: string[] = [];
  for (const d of deviations) {
    if (!deviationApplies(d, c.features)) continue;
    const oracle = deviationOracle(d.explain ?? d.id);
    if (!oracle) {
      notes.push(`deviation ${d.id} applies but has no registered oracle`);
      continue;
    }
    try {
      const outs = await oracle(c.model, inputs);
      const expected = new Map<number, ExpectedOutput>();
      for (const o of outs) expected.set(o.index, { dimensions: o.dimensions, values: o.values });
      if (compareWithExpected(c.model, expected, actual).pass) return { id: d.id };
    } catch (e) {
      notes.push(`deviation ${d.id} oracle failed: ${errorMessage(e)}`);
    }
  }
  return notes.length ? { note: notes.join('; ') } : {};
}

async function runPositive<P>(driver: Driver<P>, c: PositiveCase, deviations: readonly Deviation[], profiles = false): Promise<CaseResult> {
  const res = baseResult(c);
  const prep = await prepareChecked(driver, c.model);
  if (typeof prep === 'string') {
    res.reason = prep;
    return res;
  }
  if (!prep.ok) {
    res.status = prep.unsupported ? 'unsupported' : 'rejected';
    res.reason = `prepare refused the model: ${refusal(prep)}`;
    return res;
  }
  const prepared = prep.prepared as P;
  try {
    const inputs = buildInputs(c.model);
    let exec: unknown;
    try {
      exec = await driver.execute(prepared, inputs);
    } catch (e) {
      res.reason = `execute threw: ${errorMessage(e)}`;
      return res;
    }
    if (!isExecuteResult(exec)) {
      res.reason = 'execute returned a malformed result';
      return res;
    }
    if (!exec.ok) {
      res.status = 'rejected';
      res.reason = `execute failed: ${exec.status}: ${exec.message}`;
      return res;
    }
    let cmp: Comparison;
    try {
      cmp = compareOutputs(c.model, exec.outputs);
    } catch (e) {
      res.reason = e instanceof MalformedOutputError ? `malformed output: ${e.message}` : `comparison failed: ${errorMessage(e)}`;
      return res;
    }
    withComparison(res, cmp, c.model);
    if (profiles) res.errorProfile = errorProfile(c.model, exec.outputs);
    if (cmp.pass) {
      res.status = 'pass';
      return res;
    }
    res.status = 'fail';
    res.reason = cmp.reason ?? 'outputs differ';
    const dev = await explainByDeviation(c, inputs, exec.outputs, deviations);
    if (dev.id) {
      res.deviation = dev.id;
      res.reason += ` — matches known deviation ${dev.id}`;
    } else {
      const declared = driverDeviation(driver, c.model);
      if (declared) {
        res.deviation = declared.id;
        res.reason += ` — deviation ${declared.id} declared by the driver: ${declared.description}`;
      } else if (dev.note) {
        res.reason += ` (${dev.note})`;
      }
    }
    return res;
  } finally {
    await release(driver, prepared);
  }
}

async function runNegative<P>(driver: Driver<P>, c: NegativeCase): Promise<CaseResult> {
  const res = baseResult(c);
  res.expectedRule = c.expectedRule;
  const prep = await prepareChecked(driver, c.model);
  if (typeof prep === 'string') {
    res.reason = prep;
    return res;
  }
  if (prep.ok) {
    await release(driver, prep.prepared as P);
    res.status = 'fail';
    res.reason = `accepted a model that breaks ${c.expectedRule}: ${c.description}`;
    return res;
  }
  // Only BAD_DATA is a rejection (VTS expects INVALID_ARGUMENT): UNAVAILABLE says the driver did
  // not look at the model, and any other status is a failure to prepare, not a verdict on validity.
  if (prep.unsupported || prep.status === 'UNAVAILABLE') {
    res.status = 'unsupported';
    res.reason = `prepare said unsupported: ${refusal(prep)}`;
    return res;
  }
  if (prep.status !== 'BAD_DATA') {
    res.status = 'fail';
    res.reason = `refused a model that breaks ${c.expectedRule} with ${prep.status}, not BAD_DATA: ${refusal(prep)}`;
    return res;
  }
  res.status = 'pass';
  const rules = [...new Set((prep.violations ?? []).map((v) => v.rule))];
  res.rules = rules;
  if (rules.length > 0) {
    res.ruleMatched = rules.includes(c.expectedRule);
    if (!res.ruleMatched) res.reason = `rejected, but with ${rules.join(', ')} rather than ${c.expectedRule}`;
  }
  return res;
}

/** Runs one case; never throws. Calls the driver's case hooks (case-hooks.ts) when it has them. */
export async function runCase<P>(driver: Driver<P>, c: Case, deviations: readonly Deviation[] = [], opts: { errorProfiles?: boolean } = {}): Promise<CaseResult> {
  const t0 = performance.now();
  const hooks = driver as Driver<P> & CaseHooks;
  try {
    await hooks.beginCase?.(c.id);
  } catch {
    /* hooks never decide a verdict */
  }
  let res: CaseResult;
  try {
    res = c.kind === 'positive' ? await runPositive(driver, c, deviations, opts.errorProfiles === true) : await runNegative(driver, c);
  } catch (e) {
    res = baseResult(c);
    res.reason = `runner error: ${errorMessage(e)}`;
  }
  let diag: CaseDiagnostics | undefined;
  try {
    diag = await hooks.endCase?.(c.id);
  } catch {
    diag = undefined;
  }
  if (diag?.stderr !== undefined) res.stderr = diag.stderr;
  if (diag?.fault) {
    res.fault = diag.fault;
    // A driver that crashed, hung or garbled a frame during the case fails it, whatever came before.
    if (res.status !== 'error') {
      res.reason = `driver fault after ${res.status}: ${diag.fault.message}${res.reason ? ` (${res.reason})` : ''}`;
      res.status = 'error';
    }
  }
  res.durationMs = Math.round((performance.now() - t0) * 1000) / 1000;
  return res;
}

/** Why the driver cannot run any further case (case-hooks.ts), if it says so. */
export function driverUnavailable<P>(driver: Driver<P>): DriverUnavailable | undefined {
  try {
    return (driver as Driver<P> & CaseHooks).unavailable?.();
  } catch {
    return undefined;
  }
}

/** A case the driver was not asked to run because it is unavailable: an error, at once. */
function notRun(c: Case, down: DriverUnavailable): CaseResult {
  const res = baseResult(c);
  res.reason = `not run: ${down.message}`;
  return res;
}

/** Runs every case that matches the filter, in order, and builds the report. */
export async function runConformance<P>(driver: Driver<P>, cases: readonly Case[], opts: RunOptions = {}): Promise<Report> {
  const startedAt = new Date();
  const t0 = performance.now();
  let capabilities: Capabilities | null = null;
  try {
    capabilities = await driver.capabilities();
  } catch {
    capabilities = null;
  }
  const selected = cases.filter((c) => matchesFilter(c, opts.filter));
  const results: CaseResult[] = [];
  for (const [i, c] of selected.entries()) {
    opts.onProgress?.({ type: 'start', index: i, total: selected.length, id: c.id });
    const down = driverUnavailable(driver);
    const r = down ? notRun(c, down) : await runCase(driver, c, opts.deviations ?? [], { errorProfiles: opts.errorProfiles === true });
    results.push(r);
    opts.onProgress?.({ type: 'done', index: i, total: selected.length, id: c.id, result: r });
  }
  const { totals, groups } = summarizeResults(results);
  return {
    schemaVersion: 1,
    tool: { name: 'nnlstm', version: TOOL_VERSION },
    driver: { name: driver.name, capabilities },
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    filter: opts.filter === undefined ? null : String(opts.filter),
    totals,
    groups,
    results,
  };
}

