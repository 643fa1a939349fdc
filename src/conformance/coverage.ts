/**
 * What a run verified, and the verdict built on it.
 *
 * A positive case is verified when it passed (executed, outputs within tolerance); a negative case
 * when the driver rejected it with BAD_DATA (runner.ts). Unsupported cases are not verified. The
 * verdict fails on any failing case, on a run that verified nothing, on a `--require` scope not
 * fully verified and on a case verified by the `--baseline` that is not verified now.
 */
import { GROUPS, isGroup, operationSlug, type Group } from './features.js';
import type { CaseResult, Report } from './runner.js';

export interface KindCoverage {
  /** Selected cases of this kind. */
  total: number;
  /** Cases the driver ran (everything but unsupported). */
  executed: number;
  /** Passed: within tolerance (positive) or rejected with BAD_DATA (negative). */
  verified: number;
  unsupported: number;
}

export interface ScopeCoverage {
  positive: KindCoverage;
  negative: KindCoverage;
}

export interface Coverage extends ScopeCoverage {
  /** Per feature group (each case once, under its group), in GROUPS order. */
  groups: (ScopeCoverage & { group: Group })[];
  /** Per operation (slug: lstm, uslstm, bilstm, qlstm, qlstm16), positive and negative cases. */
  operations: (ScopeCoverage & { operation: string })[];
}

export function isVerified(r: Pick<CaseResult, 'status'>): boolean {
  return r.status === 'pass';
}

function emptyKind(): KindCoverage {
  return { total: 0, executed: 0, verified: 0, unsupported: 0 };
}

function emptyScope(): ScopeCoverage {
  return { positive: emptyKind(), negative: emptyKind() };
}

function count(s: ScopeCoverage, r: CaseResult): void {
  const k = s[r.kind];
  k.total++;
  if (r.status === 'unsupported') k.unsupported++;
  else k.executed++;
  if (isVerified(r)) k.verified++;
}

function opSlug(r: CaseResult): string {
  return operationSlug(String(r.features?.operation ?? 'unknown'));
}

const OP_ORDER = ['lstm', 'uslstm', 'bilstm', 'qlstm', 'qlstm16'];

export function summarizeCoverage(results: readonly CaseResult[]): Coverage {
  const all = emptyScope();
  const groups = new Map<Group, ScopeCoverage>();
  const ops = new Map<string, ScopeCoverage>();
  for (const r of results) {
    count(all, r);
    let g = groups.get(r.group);
    if (!g) groups.set(r.group, (g = emptyScope()));
    count(g, r);
    const slug = opSlug(r);
    let o = ops.get(slug);
    if (!o) ops.set(slug, (o = emptyScope()));
    count(o, r);
  }
  const rank = (s: string) => (OP_ORDER.indexOf(s) < 0 ? OP_ORDER.length : OP_ORDER.indexOf(s));
  return {
    ...all,
    groups: GROUPS.filter((g) => groups.has(g)).map((group) => ({ group, ...groups.get(group)! })),
    operations: [...ops.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).map((operation) => ({ operation, ...ops.get(operation)! })),
  };
}

// ---- --require --------------------------------------------------------------------------------

/** A user error in --require or --baseline (the CLI renders it, exit 2). */
export class CoverageInputError extends Error {
  override readonly name = 'CoverageInputError';
}

export const REQUIRE_OPERATIONS = ['lstm', 'uslstm', 'bilstm', 'qlstm', 'qlstm16'] as const;
export const REQUIRE_DTYPES = ['float32', 'float16', 'quant8-asymm', 'quant8-asymm-signed'] as const;

/** One --require item: the scope NAME[+NAME…] (an intersection). */
export interface Requirement {
  text: string;
  terms: string[];
}

/** `all`, or a comma-separated list of NAME[+NAME…]: groups, operations, dtypes. */
export function parseRequire(text: string): Requirement[] | 'all' {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new CoverageInputError('--require: expected all or a comma-separated list of groups, operations or dtypes');
  if (items.includes('all')) {
    if (items.length > 1) throw new CoverageInputError(`--require: 'all' cannot be combined with other names`);
    return 'all';
  }
  return items.map((item) => {
    const terms = item.split('+').map((t) => t.trim());
    for (const t of terms) {
      if (!isGroup(t) && !(REQUIRE_OPERATIONS as readonly string[]).includes(t) && !(REQUIRE_DTYPES as readonly string[]).includes(t)) {
        throw new CoverageInputError(
          `--require: unknown name '${t}' in '${item}'; expected a feature group (${GROUPS.join(', ')}), an operation (${REQUIRE_OPERATIONS.join(', ')}) or a dtype (${REQUIRE_DTYPES.join(', ')})`,
        );
      }
    }
    return { text: item, terms };
  });
}

function termMatches(term: string, r: CaseResult): boolean {
  if (isGroup(term)) return r.group === term;
  if ((REQUIRE_OPERATIONS as readonly string[]).includes(term)) return opSlug(r) === term;
  return r.features?.dtype === term;
}

export interface RequirementOutcome {
  scope: string;
  ok: boolean;
  total: number;
  verified: number;
  unsupported: number;
  /** One line: what is missing ('' when ok). */
  detail: string;
}

function outcome(scope: string, rs: readonly CaseResult[]): RequirementOutcome {
  const verified = rs.filter(isVerified).length;
  const unsupported = rs.filter((r) => r.status === 'unsupported').length;
  const other = rs.length - verified - unsupported;
  const ok = rs.length > 0 && verified === rs.length;
  const parts: string[] = [];
  if (rs.length === 0) parts.push('no case selected');
  if (unsupported) parts.push(`${unsupported} unsupported`);
  if (other) parts.push(`${other} failed or in error`);
  return { scope, ok, total: rs.length, verified, unsupported, detail: ok ? '' : `${verified} of ${rs.length} verified${parts.length ? ` (${parts.join(', ')})` : ''}` };
}

/** Each required scope must be fully verified; `all` means every feature group in the run. */
export function checkRequirements(results: readonly CaseResult[], req: Requirement[] | 'all'): RequirementOutcome[] {
  if (req === 'all') {
    const present = GROUPS.filter((g) => results.some((r) => r.group === g));
    return present.map((g) => outcome(g, results.filter((r) => r.group === g)));
  }
  return req.map((q) => outcome(q.text, results.filter((r) => q.terms.every((t) => termMatches(t, r)))));
}

// ---- --baseline / --write-baseline --------------------------------------------------------------

/** The small coverage file of --write-baseline. */
export interface CoverageBaseline {
  nnlstmCoverageBaseline: 1;
  driver: string;
  writtenAt: string;
  filter: string | null;
  positive: KindCoverage;
  negative: KindCoverage;
  /** Ids of the verified cases, sorted. */
  verified: string[];
}

export function baselineOf(report: Report): CoverageBaseline {
  const c = summarizeCoverage(report.results);
  return {
    nnlstmCoverageBaseline: 1,
    driver: report.driver.name,
    writtenAt: new Date().toISOString(),
    filter: report.filter,
    positive: c.positive,
    negative: c.negative,
    verified: report.results.filter(isVerified).map((r) => r.id).sort(),
  };
}

export function baselineToJson(b: CoverageBaseline): string {
  return JSON.stringify(b, null, 2) + '\n';
}

/** The verified case ids of a --baseline file: a coverage file or a JSON report of an earlier run. */
export function parseBaseline(text: string, where: string): { verified: Set<string>; source: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new CoverageInputError(`--baseline ${where}: not JSON (${(e as Error).message})`);
  }
  const o = doc as Record<string, unknown> | null;
  if (o !== null && typeof o === 'object' && o['nnlstmCoverageBaseline'] === 1) {
    const ids = o['verified'];
    if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'string')) throw new CoverageInputError(`--baseline ${where}: 'verified' must be an array of case ids`);
    return { verified: new Set(ids as string[]), source: `coverage file of ${String(o['driver'] ?? '?')} written ${String(o['writtenAt'] ?? '?')}` };
  }
  if (o !== null && typeof o === 'object' && o['schemaVersion'] === 1 && Array.isArray(o['results'])) {
    const ids: string[] = [];
    for (const [i, r] of (o['results'] as unknown[]).entries()) {
      const rr = r as Record<string, unknown> | null;
      if (rr === null || typeof rr !== 'object' || typeof rr['id'] !== 'string' || typeof rr['status'] !== 'string') {
        throw new CoverageInputError(`--baseline ${where}: results[${i}] has no string id and status`);
      }
      if (rr['status'] === 'pass') ids.push(rr['id']);
    }
    const drv = (o['driver'] as Record<string, unknown> | undefined)?.['name'];
    return { verified: new Set(ids), source: `report of ${String(drv ?? '?')} started ${String(o['startedAt'] ?? '?')}` };
  }
  throw new CoverageInputError(`--baseline ${where}: neither a coverage file (--write-baseline) nor a JSON report (--json)`);
}

export interface BaselineOutcome {
  source: string;
  /** Verified by the baseline, not verified now: id and the status it has now ('not run' when absent). */
  regressed: { id: string; now: string }[];
  /** Verified now and not by the baseline. */
  gained: number;
  ok: boolean;
}

export function compareBaseline(results: readonly CaseResult[], baseline: { verified: Set<string>; source: string }): BaselineOutcome {
  const now = new Map(results.map((r) => [r.id, r] as const));
  const regressed: { id: string; now: string }[] = [];
  for (const id of [...baseline.verified].sort()) {
    const r = now.get(id);
    if (!r) regressed.push({ id, now: 'not run' });
    else if (!isVerified(r)) regressed.push({ id, now: r.status });
  }
  const gained = results.filter((r) => isVerified(r) && !baseline.verified.has(r.id)).length;
  return { source: baseline.source, regressed, gained, ok: regressed.length === 0 };
}

// ---- the verdict -------------------------------------------------------------------------------

/** What a run must also meet to pass (the CLI's `--require` and `--baseline`). */
export interface VerdictOptions {
  /** Scopes that must be fully verified, or 'all' (every group in the run). */
  require?: Requirement[] | 'all';
  /** Case ids verified by an earlier run: none of them may be unverified now. */
  baseline?: { verified: Set<string>; source: string };
}

/**
 * The run's verdict: pass only with no failing case, something verified, and every requirement met.
 *
 * @example
 * ```ts
 * import { evaluateVerdict, ReferenceDriver, runConformance } from 'nnlstm';
 * import { suiteCases } from 'nnlstm/suite';
 * const report = await runConformance(new ReferenceDriver(), suiteCases());
 * const verdict = evaluateVerdict(report, { require: 'all' });
 * console.log(verdict.pass, verdict.reasons);
 * ```
 */
export interface Verdict {
  pass: boolean;
  /** Why it failed, most important first: failing cases, nothing verified, --require, --baseline. */
  reasons: string[];
  nothingVerified: boolean;
  requirements?: RequirementOutcome[];
  baseline?: BaselineOutcome;
}

/** The verdict's first reason when cases failed. */
export function failingCasesReason(t: Report['totals']): string {
  return `${t.fail} fail, ${t.error} error, ${t.rejected} rejected`;
}

/**
 * Nothing verified: no positive case passed (when the selection has positive cases; a selection of
 * negative cases only needs one of them rejected with BAD_DATA).
 */
export function evaluateVerdict(report: Pick<Report, 'results' | 'totals'>, opts: VerdictOptions = {}): Verdict {
  const reasons: string[] = [];
  const t = report.totals;
  if (t.fail + t.error + t.rejected > 0) reasons.push(failingCasesReason(t));
  const c = summarizeCoverage(report.results);
  const nothingVerified = c.positive.total > 0 ? c.positive.verified === 0 : c.negative.verified === 0;
  if (nothingVerified) {
    reasons.push(
      c.positive.total > 0
        ? `nothing verified: none of the ${c.positive.total} positive case(s) passed (${c.positive.unsupported} unsupported)`
        : `nothing verified: none of the ${c.negative.total} negative case(s) was rejected with BAD_DATA (${c.negative.unsupported} unsupported)`,
    );
  }
  const v: Verdict = { pass: true, reasons, nothingVerified };
  if (opts.require !== undefined) {
    v.requirements = checkRequirements(report.results, opts.require);
    const missing = v.requirements.filter((r) => !r.ok);
    if (missing.length) reasons.push(`--require not met: ${missing.map((m) => `${m.scope} ${m.detail}`).join('; ')}`);
  }
  if (opts.baseline !== undefined) {
    v.baseline = compareBaseline(report.results, opts.baseline);
    const n = v.baseline.regressed.length;
    if (n) {
      const shown = v.baseline.regressed.slice(0, 5).map((r) => `${r.id} (${r.now})`).join(', ');
      reasons.push(`below the baseline: ${n} case(s) verified by the baseline are not verified now: ${shown}${n > 5 ? `, and ${n - 5} more` : ''}`);
    }
  }
  v.pass = reasons.length === 0;
  return v;
}
