/**
 * Conformance reports: the per-group summary, the human text, the JSON form
 * (spec/schema/report.schema.json) and the progress display.
 */
import { fmtRatio } from './compare.js';
import { GROUPS, type Group } from './features.js';
import type { CaseResult, CaseStatus, ProgressEvent, Report } from './runner.js';

export const STATUSES: readonly CaseStatus[] = ['pass', 'fail', 'error', 'unsupported', 'rejected'];

export type Totals = { cases: number } & Record<CaseStatus, number>;
export interface GroupSummary extends Totals {
  group: Group;
}

function emptyTotals(): Totals {
  return { cases: 0, pass: 0, fail: 0, error: 0, unsupported: 0, rejected: 0 };
}

function groupOrder(g: string): number {
  const i = (GROUPS as readonly string[]).indexOf(g);
  return i < 0 ? GROUPS.length : i;
}

/** Totals, and counts per feature group (each case counted once, under its group). */
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

/** Exit status of `nnlstm conformance`: 1 on any fail, error or rejected case. */
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

/** The human summary: per-group table, per-feature table, every non-pass case, verdict. */
export function formatSummary(report: Report): string {
  const caps = report.driver.capabilities;
  const out: string[] = [];
  out.push(
    `nnlstm conformance — driver ${report.driver.name}${caps ? ` ${caps.version}` : ''} — ${report.totals.cases} case(s) in ${(report.durationMs / 1000).toFixed(2)} s` +
      (report.filter ? ` (filter ${report.filter})` : ''),
  );
  out.push('');
  out.push(...table(report.groups, report.totals, 'group'));
  const tags = summarizeByTag(report.results);
  if (tags.length > 1) {
    out.push('');
    out.push('by feature (a case counts under every feature it exercises):');
    out.push(...table(tags, null, 'feature'));
  }
  const notPass = report.results.filter((r) => r.status !== 'pass');
  const mismatched = report.results.filter((r) => r.status === 'pass' && r.ruleMatched === false);
  if (notPass.length) {
    out.push('');
    out.push(`not passing (${notPass.length}):`);
    for (const r of notPass) out.push(...describeResult(r).map((l) => '  ' + l));
  }
  if (mismatched.length) {
    out.push('');
    out.push(`negative cases rejected for another rule (${mismatched.length}, informative):`);
    for (const r of mismatched) out.push(`  ${r.id}: expected ${r.expectedRule}, driver said ${(r.rules ?? []).join(', ')}`);
  }
  const t = report.totals;
  out.push('');
  out.push(
    reportFailed(report)
      ? `RESULT: FAIL — ${t.fail} fail, ${t.error} error, ${t.rejected} rejected, ${t.unsupported} unsupported, ${t.pass} pass`
      : `RESULT: PASS — ${t.pass} pass${t.unsupported ? `, ${t.unsupported} unsupported` : ''}`,
  );
  return out.join('\n') + '\n';
}

/** JSON text of a report; non-finite numbers become the strings "NaN", "Infinity", "-Infinity". */
export function reportToJson(report: Report): string {
  return (
    JSON.stringify(
      report,
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
