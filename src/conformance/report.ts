/**
 * Conformance reports: the per-group summary, the human text, the JSON form
 * (spec/schema/report.schema.json) and the progress display.
 */
import { fmtRatio } from './compare.js';
import { evaluateVerdict, summarizeCoverage, type Coverage, type KindCoverage, type ScopeCoverage, type Verdict } from './coverage.js';
import { GROUPS, type Group } from './features.js';
import type { CaseResult, CaseStatus, ProgressEvent, Report } from './runner.js';

export const STATUSES: readonly CaseStatus[] = ['pass', 'fail', 'error', 'unsupported', 'rejected'];

/** Case counts: all cases, and the number with each status. */
export type Totals = {
  /** Number of cases. */
  cases: number;
} & Record<CaseStatus, number>;
/** The counts of one feature group. */
export interface GroupSummary extends Totals {
  /** The group (each case is counted under its primary group). */
  group: Group;
}

function emptyTotals(): Totals {
  return { cases: 0, pass: 0, fail: 0, error: 0, unsupported: 0, rejected: 0 };
}

function groupOrder(g: string): number {
  const i = (GROUPS as readonly string[]).indexOf(g);
  return i < 0 ? GROUPS.length : i;
}

/**
 * Totals, and counts per feature group (each case counted once, under its group). A report already
 * holds both; use this for a subset of its results.
 *
 * @example
 * ```ts
 * import { summarizeResults } from 'nnlstm';
 * const { totals } = summarizeResults(report.results.filter((r) => r.kind === 'negative'));
 * console.log(`${totals.pass} of ${totals.cases} negative cases rejected with BAD_DATA`);
 * ```
 */
export function summarizeResults(results: readonly CaseResult[]): { totals: Totals; groups: GroupSummary[] } {
  const totals = emptyTotals();
  const byGroup = new Map<Group, GroupSummary>();
  for (const r of results) {
    totals.cases++;
    totals[r.status]++;
    let g = byGroup.get(r.group);
    if (!g) byGroup.set(r.group, (g = { group: r.group, ...emptyTotals() }));
    g.cases++;
    g[r.status]++;
  }
  const groups = [...byGroup.values()].sort((a, b) => groupOrder(a.group) - groupOrder(b.group) || a.group.localeCompare(b.group));
  return { totals, groups };
}

/** Counts per feature tag: a case counts under every feature it exercises. */
export function summarizeByTag(results: readonly CaseResult[]): GroupSummary[] {
  const byTag = new Map<Group, GroupSummary>();
  for (const r of results) {
    for (const t of r.tags) {
      let g = byTag.get(t);
      if (!g) byTag.set(t, (g = { group: t, ...emptyTotals() }));
      g.cases++;
      g[r.status]++;
    }
  }
  return [...byTag.values()].sort((a, b) => groupOrder(a.group) - groupOrder(b.group));
}

/**
 * Any fail, error or rejected case. (The verdict of the reports and the CLI also fails a run that verified
 * nothing, e.g. every case unsupported.)
 *
 * @example
 * ```ts
 * import { runConformance, reportFailed } from 'nnlstm';
 * const report = await runConformance(driver, cases);
 * if (reportFailed(report)) process.exitCode = 1;
 * ```
 */
export function reportFailed(report: Pick<Report, 'totals'>): boolean {
  const t = report.totals;
  return t.fail + t.error + t.rejected > 0;
}

const COLUMN_TITLES: Record<CaseStatus, string> = { pass: 'pass', fail: 'fail', error: 'error', unsupported: 'unsup', rejected: 'rejected' };

function table(rows: GroupSummary[], total: Totals | null, title: string): string[] {
  const w = 9;
  const head = [title.padEnd(16), ...STATUSES.map((s) => COLUMN_TITLES[s].padStart(w)), 'cases'.padStart(w)].join('');
  const line = (name: string, t: Totals) => [name.padEnd(16), ...STATUSES.map((s) => String(t[s]).padStart(w)), String(t.cases).padStart(w)].join('');
  const out = [head, ...rows.map((r) => line(r.group, r))];
  if (total) out.push(line('total', total));
  return out;
}

function fmtNum(x: number | null): string {
  if (x === null) return '-';
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4) ? x.toExponential(3) : String(Number(x.toPrecision(6)));
}

/** One block of text per non-passing case (and per negative pass with a different rule). */
export function describeResult(r: CaseResult): string[] {
  const lines = [`${r.status.toUpperCase().padEnd(11)} ${r.id}  [${r.kind}, ${r.group}]`];
  if (r.reason) lines.push(`            ${r.reason}`);
  if (r.kind === 'positive' && r.maxRatio !== null) {
    let s = `            max ratio ${fmtRatio(r.maxRatio)}, max |error| ${fmtNum(r.maxAbsError)}`;
    if (r.worst) {
      s += `; worst: output ${r.worst.outputIndex} (${r.worst.outputName})[${r.worst.flatIndex}] actual ${fmtNum(r.worst.actual)} expected ${fmtNum(r.worst.expected)}`;
    }
    lines.push(s);
  }
  if (r.deviation) lines.push(`            deviation: ${r.deviation}`);
  return lines;
}

/** Unsupported cases grouped by their reason, the most frequent first. */
export function byReason(rs: readonly CaseResult[]): [string, CaseResult[]][] {
  const m = new Map<string, CaseResult[]>();
  for (const r of rs) {
    const why = (r.reason ?? 'unsupported').replace(/^prepare (refused the model|said unsupported): /, '');
    const list = m.get(why) ?? [];
    list.push(r);
    m.set(why, list);
  }
  return [...m.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
}

function coverageTable(c: Coverage): string[] {
  const w = 7;
  const kind = (k: KindCoverage) => [k.executed, k.verified, k.unsupported, k.total].map((n) => String(n).padStart(w)).join('');
  const line = (name: string, s: ScopeCoverage) => `${name.padEnd(16)}${kind(s.positive)}   |${kind(s.negative)}`;
  const cols = ['exec', 'verif', 'unsup', 'total'].map((h) => h.padStart(w)).join('');
  const out = [`${''.padEnd(16)}${'positive cases'.padStart(4 * w)}   |${'negative cases'.padStart(4 * w)}`, `${'group'.padEnd(16)}${cols}   |${cols}`];
  for (const g of c.groups) out.push(line(g.group, g));
  out.push(line('total', c));
  if (c.operations.length > 1) {
    out.push(`${'operation'.padEnd(16)}${cols}   |${cols}`);
    for (const o of c.operations) out.push(line(o.operation, o));
  }
  return out;
}

/** "Verified: …" — the run's first line of substance. */
export function verifiedLine(c: Coverage): string {
  const p = c.positive;
  const n = c.negative;
  return (
    `VERIFIED: ${p.verified} of ${p.total} positive case(s) within tolerance${p.unsupported ? ` (${p.unsupported} unsupported)` : ''}, ` +
    `${n.verified} of ${n.total} negative case(s) rejected with BAD_DATA${n.unsupported ? ` (${n.unsupported} unsupported)` : ''}`
  );
}

/** The RESULT line: the verdict, the counts, and the short reasons it failed. */
export function resultLine(report: Report, verdict: Verdict): string {
  const t = report.totals;
  if (verdict.pass) return `RESULT: PASS — ${t.pass} pass${t.unsupported ? `, ${t.unsupported} unsupported` : ''}`;
  const tags: string[] = [];
  if (verdict.nothingVerified) tags.push('nothing verified');
  const missing = verdict.requirements?.filter((r) => !r.ok) ?? [];
  if (missing.length) tags.push(`--require not met: ${missing.map((m) => m.scope).join(', ')}`);
  if (verdict.baseline && !verdict.baseline.ok) tags.push(`below the baseline by ${verdict.baseline.regressed.length} case(s)`);
  return `RESULT: FAIL — ${t.fail} fail, ${t.error} error, ${t.rejected} rejected, ${t.unsupported} unsupported, ${t.pass} pass${tags.length ? `; ${tags.join('; ')}` : ''}`;
}

/**
 * The human summary: what was verified (coverage per group and operation, --require, --baseline),
 * the status tables, the failing cases, then the unsupported ones with their reasons, the verdict.
 * The text the `nnlstm conformance` CLI prints.
 *
 * @example
 * ```ts
 * import { runConformance, formatSummary, ReferenceDriver } from 'nnlstm';
 * import { suiteCases } from 'nnlstm/suite';
 * console.log(formatSummary(await runConformance(new ReferenceDriver(), suiteCases())));
 * ```
 */
export function formatSummary(report: Report, verdict: Verdict = evaluateVerdict(report)): string {
  const caps = report.driver.capabilities;
  const cov = summarizeCoverage(report.results);
  const out: string[] = [];
  out.push(
    `nnlstm conformance — driver ${report.driver.name}${caps ? ` ${caps.version}` : ''} — ${report.totals.cases} case(s) in ${(report.durationMs / 1000).toFixed(2)} s` +
      (report.filter ? ` (filter ${report.filter})` : ''),
  );
  out.push('');
  out.push(verifiedLine(cov));
  out.push('');
  out.push(...coverageTable(cov));
  if (verdict.requirements) {
    out.push('');
    out.push('--require:');
    for (const r of verdict.requirements) out.push(`  ${r.ok ? 'met    ' : 'NOT MET'} ${r.scope}: ${r.ok ? `all ${r.total} verified` : r.detail}`);
  }
  if (verdict.baseline) {
    const b = verdict.baseline;
    out.push('');
    out.push(`--baseline (${b.source}): ${b.ok ? 'not below it' : `${b.regressed.length} case(s) no longer verified`}${b.gained ? `; ${b.gained} case(s) verified beyond it` : ''}`);
    for (const r of b.regressed) out.push(`  REGRESSED ${r.id}: now ${r.now}`);
  }
  out.push('');
  out.push(...table(report.groups, report.totals, 'group'));
  const tags = summarizeByTag(report.results);
  if (tags.length > 1) {
    out.push('');
    out.push('by feature (a case counts under every feature it exercises):');
    out.push(...table(tags, null, 'feature'));
  }
  const failing = report.results.filter((r) => r.status !== 'pass' && r.status !== 'unsupported');
  const unsupported = report.results.filter((r) => r.status === 'unsupported');
  const mismatched = report.results.filter((r) => r.status === 'pass' && r.ruleMatched === false);
  if (failing.length) {
    out.push('');
    out.push(`failing (${failing.length}):`);
    for (const r of failing) out.push(...describeResult(r).map((l) => '  ' + l));
  }
  if (unsupported.length) {
    out.push('');
    out.push(`unsupported, not verified (${unsupported.length}), by the driver's reason:`);
    for (const [why, rs] of byReason(unsupported)) {
      out.push(`  ${rs.length} × ${why}`);
      for (const r of rs) out.push(`      ${r.id}  [${r.kind}, ${r.group}]`);
    }
  }
  if (mismatched.length) {
    out.push('');
    out.push(`negative cases rejected for another rule (${mismatched.length}, informative):`);
    for (const r of mismatched) out.push(`  ${r.id}: expected ${r.expectedRule}, driver said ${(r.rules ?? []).join(', ')}`);
  }
  out.push('');
  if (!verdict.pass) for (const why of verdict.reasons) out.push(`FAILED: ${why}`);
  out.push(resultLine(report, verdict));
  return out.join('\n') + '\n';
}

/** The JSON form of a verdict (report.schema.json#/$defs/verdict). */
export function verdictJson(v: Verdict): Record<string, unknown> {
  return {
    result: v.pass ? 'pass' : 'fail',
    reasons: v.reasons,
    nothingVerified: v.nothingVerified,
    ...(v.requirements ? { requirements: v.requirements } : {}),
    ...(v.baseline ? { baseline: v.baseline } : {}),
  };
}

/**
 * JSON text of a report with its coverage and verdict; non-finite numbers become the strings
 * "NaN", "Infinity", "-Infinity". The document follows spec/schema/report.schema.json.
 *
 * @example
 * ```ts
 * import { runConformance, reportToJson } from 'nnlstm';
 * import { writeFileSync } from 'node:fs';
 * writeFileSync('report.json', reportToJson(await runConformance(driver, cases)));
 * ```
 */
export function reportToJson(report: Report, verdict: Verdict = evaluateVerdict(report)): string {
  const doc = { ...report, coverage: summarizeCoverage(report.results), verdict: verdictJson(verdict) };
  return (
    JSON.stringify(
      doc,
      (_k, v: unknown) => {
        if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
        if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>, (x) => (Number.isFinite(x) ? x : String(x)));
        return v;
      },
      2,
    ) + '\n'
  );
}

export interface ProgressDisplay {
  onProgress: (e: ProgressEvent) => void;
  /** Clears a pending TTY progress line. */
  finish: () => void;
}

/**
 * Progress while running: one rewritten line on a TTY; otherwise one plain line per finished case,
 * or nothing with `{ quietUnlessTty: true }` (what the CLI uses: logs stay clean).
 */
/** Where progress goes: process.stderr in Node, or anything with write(). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export function createProgress(stream: ProgressStream, opts: { quietUnlessTty?: boolean } = {}): ProgressDisplay {
  const tty = stream.isTTY === true;
  if (!tty && opts.quietUnlessTty === true) return { onProgress: () => undefined, finish: () => undefined };
  let pending = false;
  const counts = new Map<CaseStatus, number>();
  return {
    onProgress(e) {
      if (e.type === 'done') counts.set(e.result.status, (counts.get(e.result.status) ?? 0) + 1);
      const n = `[${e.index + 1}/${e.total}]`;
      if (tty) {
        const tally = STATUSES.filter((s) => counts.get(s)).map((s) => `${counts.get(s)} ${s}`).join(', ');
        let line = `${n} ${tally ? `${tally} ` : ''}${e.type === 'start' ? e.id : ''}`;
        const width = Math.max(20, (stream.columns ?? 100) - 1);
        if (line.length > width) line = line.slice(0, width - 1) + '…';
        stream.write(`\r\x1b[2K${line}`);
        pending = true;
      } else if (e.type === 'done') {
        stream.write(`${n} ${e.result.status.toUpperCase()} ${e.id}\n`);
      }
    },
    finish() {
      if (tty && pending) stream.write('\r\x1b[2K');
      pending = false;
    },
  };
}
