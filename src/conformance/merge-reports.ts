/**
 * One report from the JSON reports of shards of a run (a fuzz campaign's `--shard K/N`, or
 * conformance runs over disjoint case selections): the union of the results, totals and groups
 * recomputed, one verdict. Shards of one fuzz campaign must all be there, once each, and agree on
 * everything but the shard; a case id in two reports is an error (the shards overlap).
 */
import { summarizeResults } from './report.js';
import type { CaseResult, Report } from './runner.js';

export class MergeError extends Error {
  override readonly name = 'MergeError';
}

const SHARD = / shard=(\d+)\/(\d+)$/;

function asReport(doc: unknown, source: string): Report {
  const d = doc as Partial<Report> | null;
  if (d === null || typeof d !== 'object' || Array.isArray(d)) throw new MergeError(`${source}: not a JSON report (an object expected)`);
  if (d.schemaVersion !== 1) throw new MergeError(`${source}: schemaVersion ${JSON.stringify(d.schemaVersion)}, expected 1`);
  if (!Array.isArray(d.results)) throw new MergeError(`${source}: no results array`);
  if (d.driver === undefined || typeof d.driver !== 'object' || d.driver === null) throw new MergeError(`${source}: no driver`);
  return d as Report;
}

/** Fuzz case ids carry the zero-padded case index: their order is the stream's. */
const FUZZ_ID = /^fuzz-\d+-\d{6}-/;

export function mergeReports(docs: readonly { source: string; doc: unknown }[]): Report {
  if (docs.length === 0) throw new MergeError('no report to merge');
  const reports = docs.map((d) => ({ source: d.source, report: asReport(d.doc, d.source) }));
  const runs = new Set(reports.map((r) => (r.report.filter ?? '').replace(SHARD, '')));
  if (runs.size > 1) throw new MergeError(`the reports come from different runs: ${[...runs].map((r) => JSON.stringify(r || null)).join(' vs ')}`);
  const shards = reports.map((r) => SHARD.exec(r.report.filter ?? ''));
  if (shards.some((s) => s !== null)) {
    const totals = new Set(shards.map((s) => (s ? s[2] : 'unsharded')));
    if (totals.size > 1) throw new MergeError(`the reports are shards of different splits (${[...totals].join(', ')})`);
    const n = Number(shards[0]![2]);
    const seen = new Map<number, string>();
    shards.forEach((s, k) => {
      const i = Number(s![1]);
      const prev = seen.get(i);
      if (prev) throw new MergeError(`shard ${i}/${n} given twice: ${prev} and ${reports[k]!.source}`);
      seen.set(i, reports[k]!.source);
    });
    const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !seen.has(i));
    if (missing.length) throw new MergeError(`shard(s) ${missing.map((i) => `${i}/${n}`).join(', ')} missing: the merged report would not cover the run`);
  }
  const byId = new Map<string, string>();
  const results: CaseResult[] = [];
  for (const { source, report } of reports) {
    for (const r of report.results) {
      const prev = byId.get(r.id);
      if (prev) throw new MergeError(`case ${r.id} is in both ${prev} and ${source}: the reports overlap`);
      byId.set(r.id, source);
      results.push(r);
    }
  }
  if (results.length > 0 && results.every((r) => FUZZ_ID.test(r.id))) results.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const { totals, groups } = summarizeResults(results);
  const drivers = [...new Set(reports.map((r) => r.report.driver.name))];
  const first = reports[0]!.report;
  return {
    schemaVersion: 1,
    tool: first.tool,
    driver: { name: drivers.join(' + '), capabilities: drivers.length === 1 ? first.driver.capabilities : null },
    startedAt: reports.map((r) => r.report.startedAt).sort()[0]!,
    // The machine time the shards took together.
    durationMs: reports.reduce((a, r) => a + (r.report.durationMs ?? 0), 0),
    filter: [...runs][0] || null,
    totals,
    groups,
    results,
  };
}
