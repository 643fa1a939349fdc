/**
 * A fuzz campaign: the case stream of a seed (case i's description drawn from caseSeed(seed, i)),
 * optionally one shard of it (case i belongs to shard i mod N), each case judged against a driver
 * (oracle.ts), each failure shrunk (shrink.ts) and turned into a golden file. The report is a
 * conformance report (runner.ts Report), so the JSON/JUnit/HTML writers and merge-reports apply.
 */
import type { Driver } from '../../drivers/driver.js';
import { ReferenceDriver } from '../../drivers/reference.js';
import type { Model } from '../../model/model.js';
import { goldenCase, type PositiveCase } from '../case.js';
import type { Deviation } from '../deviations.js';
import { featureSlug, modelFeatures } from '../features.js';
import { GOLDEN_SCHEMA_REF, renderGolden, type GoldenFile } from '../golden-format.js';
import { summarizeResults } from '../report.js';
import { runCase, TOOL_VERSION, type CaseResult, type Report } from '../runner.js';
import { modelToleranceName } from '../tolerance.js';
import { describeCase, drawCase, GENERATOR_NAME, GENERATOR_VERSION, resolveOps, type FuzzCase, type GeneratorOptions } from './generator.js';
import { FAILING, isInteger, judgeFuzzCase, prepareFuzzCase, REFERENCE_OUTSIDE, REFERENCE_OVERFLOW } from './oracle.js';
import { shrinkCase } from './shrink.js';

export interface Shard {
  index: number; // 1-based
  total: number;
}

export interface CampaignOptions extends GeneratorOptions {
  seed: number;
  /** Cases of the whole stream (a shard runs its share of them). */
  count?: number;
  /** Stop after this many seconds instead (or as well). */
  timeSeconds?: number;
  /** Stop the stream after this many failing models (self-checks: models to the first failure). */
  stopAfterFailures?: number;
  /** Only failures of matching cases count toward stopAfterFailures and are shrunk (default: all). */
  failureFilter?: (c: FuzzCase) => boolean;
  shard?: Shard;
  deviations?: readonly Deviation[];
  /** Shrink failures (default true) with at most this many evaluations each. */
  shrinkBudget?: number;
  /** Keep shrinking off (reports the failures as found). */
  noShrink?: boolean;
  /** Asked before each failure is shrunk and reproduced; false leaves it as found (default: always). */
  shrinkLimit?: () => boolean;
  onCase?: (e: { index: number; done: number; result: CaseResult; fuzz: FuzzCase; elapsedMs: number }) => void;
  onShrink?: (e: { index: number; phase: 'start' | 'done'; path?: string[] }) => void;
  /** Clock for --time (tests). */
  now?: () => number;
}

export interface Reproducer {
  index: number;
  id: string;
  original: FuzzCase;
  shrunk: FuzzCase;
  path: string[];
  evaluations: number;
  /** The golden reproducer's result against the driver, and against the plain reference (it should pass there). */
  result: CaseResult;
  referenceStatus: CaseResult['status'];
  /** Golden file name (without .json) and text. */
  name: string;
  golden: string;
  model: Model;
  positive: PositiveCase;
}

export interface CampaignResult {
  report: Report;
  reproducers: Reproducer[];
  /** Cases whose reference was outside float64's tolerance, and the worst reference/float64 ratio seen. */
  referenceOutside: string[];
  worstReferenceRatio: number | null;
  floatCases: number;
  /** Cases not judged because the reference's outputs overflowed their type. */
  overflow: number;
  models: number;
  wallMs: number;
}

/** Case i's seed: a 32-bit mix of the campaign seed and i (splitmix-style), so streams of nearby seeds share nothing. */
export function caseSeed(seed: number, index: number): number {
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca77)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

export function caseId(seed: number, index: number, c: FuzzCase): string {
  return `fuzz-${seed}-${String(index).padStart(6, '0')}-${describeCase(c)}`;
}

/** The campaign's identity as the report's `filter` (merge-reports reads it back). */
export function campaignFilter(o: CampaignOptions, driverOps: readonly string[]): string {
  const parts = [`fuzz seed=${o.seed}`];
  if (o.count !== undefined) parts.push(`count=${o.count}`);
  if (o.timeSeconds !== undefined) parts.push(`time=${o.timeSeconds}s`);
  parts.push(`ops=${driverOps.join(',')}`);
  if (o.features?.length) parts.push(`features=${o.features.join(',')}`);
  parts.push(`max-size=${o.maxSize ?? 'default'}`);
  if (o.maxTime !== undefined) parts.push(`max-time=${o.maxTime}`);
  if (o.maxBatch !== undefined) parts.push(`max-batch=${o.maxBatch}`);
  parts.push(`generator=${GENERATOR_NAME}/${GENERATOR_VERSION}`);
  if (o.shard) parts.push(`shard=${o.shard.index}/${o.shard.total}`);
  return parts.join(' ');
}

/** Passing results keep their numbers but not the per-output detail (a campaign has thousands). */
function slim(r: CaseResult): CaseResult {
  if (r.status !== 'pass' || r.outputs === undefined) return r;
  const { outputs: _o, ...rest } = r;
  return rest;
}

export async function runCampaign<P>(driver: Driver<P>, o: CampaignOptions): Promise<CampaignResult> {
  const now = o.now ?? (() => performance.now());
  const ops = resolveOps(o);
  if (o.count === undefined && o.timeSeconds === undefined) throw new Error('runCampaign: give count or timeSeconds');
  const shard = o.shard ?? { index: 1, total: 1 };
  const startedAt = new Date();
  const t0 = now();
  let capabilities = null;
  try {
    capabilities = await driver.capabilities();
  } catch {
    capabilities = null;
  }
  const results: CaseResult[] = [];
  const failures: { index: number; fuzz: FuzzCase; result: CaseResult }[] = [];
  const referenceOutside: string[] = [];
  let worstReferenceRatio: number | null = null;
  let floatCases = 0;
  const deadline = o.timeSeconds !== undefined ? t0 + o.timeSeconds * 1000 : Infinity;
  for (let i = 0; o.count === undefined || i < o.count; i++) {
    if (i % shard.total !== shard.index - 1) continue;
    if (now() >= deadline) break;
    const fuzz = drawCase(caseSeed(o.seed, i), o);
    const id = caseId(o.seed, i, fuzz);
    const { result, prepared } = await judgeFuzzCase(driver, fuzz, id, o.deviations ?? []);
    if (prepared && prepared.referenceRatio !== null) {
      floatCases++;
      if (worstReferenceRatio === null || prepared.referenceRatio > worstReferenceRatio) worstReferenceRatio = prepared.referenceRatio;
      if (prepared.referenceOutside) referenceOutside.push(id);
    }
    results.push(slim(result));
    if (FAILING.has(result.status) && prepared && (o.failureFilter?.(fuzz) ?? true)) failures.push({ index: i, fuzz, result });
    o.onCase?.({ index: i, done: results.length, result, fuzz, elapsedMs: now() - t0 });
    if (o.stopAfterFailures !== undefined && failures.length >= o.stopAfterFailures) break;
  }
  const reproducers: Reproducer[] = [];
  for (const f of failures) {
    if (o.shrinkLimit && !o.shrinkLimit()) continue;
    o.onShrink?.({ index: f.index, phase: 'start' });
    const rep = await reproduce(driver, o, f.index, f.fuzz, f.result);
    reproducers.push(rep);
    const k = results.findIndex((r) => r.id === f.result.id);
    results[k] = { ...results[k]!, reason: `${results[k]!.reason ?? 'failed'} — shrunk to ${describeCase(rep.shrunk)}${rep.path.length ? ` (${rep.path.join(', ')})` : ' (already minimal)'}: ${rep.name}.json` };
    o.onShrink?.({ index: f.index, phase: 'done', path: rep.path });
  }
  const { totals, groups } = summarizeResults(results);
  const wallMs = now() - t0;
  const report: Report = {
    schemaVersion: 1,
    tool: { name: 'nnlstm', version: TOOL_VERSION },
    driver: { name: driver.name, capabilities },
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(wallMs),
    filter: campaignFilter(o, ops),
    totals,
    groups,
    results,
  };
  return { report, reproducers, referenceOutside, worstReferenceRatio, floatCases, overflow: results.filter((r) => r.reason?.startsWith(REFERENCE_OVERFLOW)).length, models: results.length, wallMs };
}

async function reproduce<P>(driver: Driver<P>, o: CampaignOptions, index: number, original: FuzzCase, first: CaseResult): Promise<Reproducer> {
  const deviations = o.deviations ?? [];
  const stillFails = async (c: FuzzCase) => (await judgeFuzzCase(driver, c, first.id, deviations)).result.status === first.status;
  const shrunk = o.noShrink ? { case: original, path: [], evaluations: 0 } : await shrinkCase(original, stillFails, o.shrinkBudget ?? 200);
  const prepared = prepareFuzzCase(shrunk.case, first.id);
  const golden = goldenOf(shrunk.case, prepared.model, prepared.float64, { seed: o.seed, index, original, path: shrunk.path, driver: driver.name });
  const result = await runCase(driver, golden.positive, deviations);
  const referenceStatus = (await referenceVerdict(golden.positive, deviations)).status;
  return { index, id: first.id, original, shrunk: shrunk.case, path: shrunk.path, evaluations: shrunk.evaluations, result, referenceStatus, name: golden.name, golden: golden.text, model: golden.positive.model, positive: golden.positive };
}

/**
 * The golden file of a reproducer. Float: expected values from float64 (golden files never take
 * them from the reference under test; the campaign judged the case only where the reference agrees
 * with float64). Integer: the bit-exact integer reference.
 */
export function goldenOf(
  c: FuzzCase,
  referenceModel: Model,
  float64: ReadonlyMap<number, { values: ArrayLike<number> }> | null,
  meta: { seed: number; index: number; original: FuzzCase; path: string[]; driver: string },
): { name: string; text: string; positive: PositiveCase } {
  const model = structuredClone(referenceModel);
  if (float64) {
    for (const i of model.outputIndexes) {
      const e = float64.get(i);
      const o = model.operands[i]!;
      if (e) o.values = Array.from(e.values, Number);
    }
  }
  const features = modelFeatures(model);
  const name = `fuzz-${meta.seed}-${meta.index}-${featureSlug(features)}`.replace(/[^A-Za-z0-9_.-]/g, '_');
  const g: GoldenFile = {
    $schema: GOLDEN_SCHEMA_REF,
    name,
    description: `Shrunk reproducer of fuzz case ${meta.index} of seed ${meta.seed} (${describeCase(meta.original)}), which failed on driver ${meta.driver}; shrunk to ${describeCase(c)}${meta.path.length ? ` by: ${meta.path.join(', ')}` : ' (already minimal)'}.`,
    operation: model.operations[0]!.type,
    features,
    provenance: {
      kind: isInteger(c) ? 'integer-reference' : 'float64-derivation',
      generator: `nnlstm fuzz (${GENERATOR_NAME} ${GENERATOR_VERSION}); expected values: ${isInteger(c) ? 'the bit-exact integer reference' : 'src/ops/lstm/float64.ts'}`,
      generatorVersion: String(GENERATOR_VERSION),
      seed: meta.seed,
      config: { caseIndex: meta.index, original: meta.original, shrunk: c, shrinkPath: meta.path, driver: meta.driver },
    },
    tolerance: modelToleranceName(model),
    model,
  };
  const text = renderGolden(g);
  return { name, text, positive: goldenCase(JSON.parse(text), name, `${name}.json`) };
}

/** Runs a golden reproducer on the plain reference (it must pass there). */
export async function referenceVerdict(positive: PositiveCase, deviations: readonly Deviation[] = []): Promise<CaseResult> {
  return runCase(new ReferenceDriver(), positive, deviations);
}

export const isReferenceOutside = (r: Pick<CaseResult, 'reason'>) => r.reason?.startsWith(REFERENCE_OUTSIDE) === true;
