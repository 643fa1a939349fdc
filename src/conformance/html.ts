/**
 * A self-contained HTML conformance report (`--html FILE`): no scripts, no external resources.
 * In reading order: the verdict with its reasons and what was verified; the legend of the error
 * plots; the failing cases (fail, error, rejected) with their failing gate; coverage per feature
 * group and operation; the unsupported cases, grey, grouped by their reason; counts per group and
 * feature; a card per failing case (reason, fault, driver stderr, plot, worst elements); and a
 * table of all cases with, per positive case, a small inline SVG of |error|/tolerance per element
 * (log scale, the pass line at 1).
 */
import { fmtRatio } from './compare.js';
import type { OutputErrorProfile } from './error-profile.js';
import { evaluateVerdict, failingCasesReason, summarizeCoverage, type KindCoverage, type ScopeCoverage, type Verdict } from './coverage.js';
import { failingGate } from './gate.js';
import { byReason, STATUSES, summarizeByTag, verifiedLine, type GroupSummary, type Totals } from './report.js';
import type { CaseResult, Report } from './runner.js';

export function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:24px;color:#1d2330;background:#fff}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde;padding-bottom:4px}
.meta{color:#556;margin:0 0 12px}
.verdict{display:inline-block;font-weight:700;font-size:18px;padding:8px 14px;border-radius:6px;color:#fff}
.verdict.pass{background:#1f7a3a}.verdict.fail{background:#b3261e}
table{border-collapse:collapse;margin:6px 0} th,td{border:1px solid #d6d9e0;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f2f4f8} td.n{text-align:right;font-variant-numeric:tabular-nums}
td.n.bad{background:#fde7e6;font-weight:700} tr.total td{font-weight:700}
.badge{display:inline-block;min-width:74px;text-align:center;font-weight:700;border-radius:4px;padding:1px 6px;color:#fff;font-size:12px}
.s-pass{background:#1f7a3a}.s-fail{background:#b3261e}.s-error{background:#6a1b9a}.s-unsupported{background:#7b8190}.s-rejected{background:#c25e00}
.chip{display:inline-block;background:#eef1f7;border-radius:10px;padding:0 7px;margin:1px 2px;font-size:12px;color:#334}
.chip.group{background:#dbe6ff;font-weight:600}
.gate{font-weight:700;color:#b3261e} .gate.unsupported{color:#5d6370;font-weight:400}
.legend-inline{color:#667;font-size:12px} .reasons{margin:8px 0 0;padding-left:20px;color:#7a1a14} .verified{margin:10px 0 0;font-weight:600}
.card{border:1px solid #d6d9e0;border-left:6px solid #b3261e;border-radius:6px;padding:8px 12px;margin:10px 0}
.card.error{border-left-color:#6a1b9a}.card.rejected{border-left-color:#c25e00}.card.unsupported{border-left-color:#7b8190}
.card h3{font-size:14px;margin:0 0 4px;word-break:break-all}
.reason{margin:4px 0;white-space:pre-wrap;word-break:break-word}
pre.stderr{background:#1d2330;color:#e8eaf0;padding:6px 8px;border-radius:4px;max-height:180px;overflow:auto;white-space:pre-wrap;font-size:12px}
.worst{font-size:12px;color:#334;margin:2px 0 0;padding-left:16px}
td.id{min-width:26em;max-width:44em;overflow-wrap:anywhere;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px;line-height:1.35}
td.id .src{color:#667}
tr[data-status="unsupported"] td{color:#5d6370;background:#fafafb}
td.n.na{color:#99a}
table.cov td.n.gap{background:#eef0f4;color:#3a3f4b;font-weight:700}
details.unsup{margin:6px 0;border:1px solid #e0e3ea;border-left:6px solid #9aa0ac;border-radius:6px;padding:4px 10px;background:#fafafb}
details.unsup summary{cursor:pointer;color:#3a3f4b} details.unsup ul{margin:4px 0;padding-left:18px;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px;color:#4a505c;overflow-wrap:anywhere}
table.cases{width:100%;table-layout:fixed} table.cases td{overflow-wrap:break-word} table.cases td.n{overflow-wrap:normal;white-space:nowrap}
table.cases .worst{font-size:11px;padding-left:14px}
svg.dist{display:block;background:#fafbfd;border:1px solid #e3e6ee}
.legend{font-size:12px;color:#556;display:flex;align-items:center;gap:10px;margin:6px 0}
`;

const W = 220;
const H = 44;
const LOG_MIN = -4; // 1e-4
const LOG_MAX = 2; // 1e2

function yOf(r: number): number {
  if (!Number.isFinite(r) || Number.isNaN(r)) return 2;
  const l = r <= 0 ? LOG_MIN : Math.min(LOG_MAX, Math.max(LOG_MIN, Math.log10(r)));
  return 2 + (H - 4) * (1 - (l - LOG_MIN) / (LOG_MAX - LOG_MIN));
}

/** The inline SVG: one mark per element (outputs side by side), the pass line at ratio 1. */
export function distributionSvg(profile: readonly OutputErrorProfile[]): string {
  const total = profile.reduce((a, p) => a + p.ratios.length, 0);
  if (total === 0) return '';
  const step = (W - 8) / Math.max(1, total);
  const marks: string[] = [];
  const seps: string[] = [];
  let k = 0;
  for (const [pi, p] of profile.entries()) {
    if (pi > 0) seps.push(`<line x1="${(4 + k * step).toFixed(1)}" y1="0" x2="${(4 + k * step).toFixed(1)}" y2="${H}" stroke="#c9cede" stroke-width="1"/>`);
    for (const r of p.ratios) {
      const x = 4 + (k + 0.5) * step;
      const bad = !(r <= 1);
      marks.push(`<circle cx="${x.toFixed(1)}" cy="${yOf(r).toFixed(1)}" r="${bad ? 2.2 : 1.4}" fill="${bad ? '#b3261e' : '#1f7a3a'}"/>`);
      k++;
    }
  }
  const y1 = yOf(1).toFixed(1);
  const names = profile.map((p) => `${p.name} (${p.ratios.length})`).join(', ');
  return (
    `<svg class="dist" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="|error|/tolerance per element: ${htmlEscape(names)}">` +
    `<title>|error|/tolerance per element, log scale 1e-4 … 1e2; ${htmlEscape(names)}</title>` +
    seps.join('') +
    `<line x1="0" y1="${y1}" x2="${W}" y2="${y1}" stroke="#b3261e" stroke-dasharray="4 3" stroke-width="1"/>` +
    marks.join('') +
    '</svg>'
  );
}

/** A value in 6 significant digits (the full value is in the JSON report). */
function short(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x);
}

function worstList(r: CaseResult, n: number): string {
  const all = (r.errorProfile ?? []).flatMap((p) => p.worst.map((w) => ({ ...w, name: p.name })));
  all.sort((a, b) => b.ratio - a.ratio);
  if (all.length === 0) return '';
  return (
    '<ol class="worst">' +
    all
      .slice(0, n)
      .map((w) => `<li>${htmlEscape(w.name)}[${w.flatIndex}]: actual ${htmlEscape(short(w.actual))}, expected ${htmlEscape(short(w.expected))}, ratio ${htmlEscape(fmtRatio(w.ratio))}</li>`)
      .join('') +
    '</ol>'
  );
}

function countsTable(rows: readonly GroupSummary[], total: Totals | null, title: string): string {
  const head = `<tr><th>${title}</th>${STATUSES.map((st) => `<th>${st}</th>`).join('')}<th>cases</th></tr>`;
  const line = (name: string, t: Totals, cls = '') =>
    `<tr class="${cls}"><td>${htmlEscape(name)}</td>${STATUSES.map((st) => `<td class="n${st !== 'pass' && st !== 'unsupported' && t[st] > 0 ? ' bad' : ''}">${t[st]}</td>`).join('')}<td class="n">${t.cases}</td></tr>`;
  return `<table class="summary">${head}${rows.map((r) => line(r.group, r)).join('')}${total ? line('total', total, 'total') : ''}</table>`;
}

/** Coverage: per group and operation, positive and negative cases executed / verified / unsupported / total. */
function coverageTable(rows: readonly (ScopeCoverage & { name: string; cls?: string })[]): string {
  const cells = (k: KindCoverage) => {
    if (k.total === 0) return '<td class="n na" colspan="4">—</td>';
    const gap = k.verified < k.total ? ' gap' : '';
    return `<td class="n">${k.executed}</td><td class="n${gap}">${k.verified}</td><td class="n">${k.unsupported}</td><td class="n">${k.total}</td>`;
  };
  const sub = '<th>executed</th><th>verified</th><th>unsupported</th><th>total</th>';
  return (
    `<table class="cov"><tr><th rowspan="2"></th><th colspan="4">positive cases (within tolerance)</th><th colspan="4">negative cases (rejected with BAD_DATA)</th></tr><tr>${sub}${sub}</tr>` +
    rows.map((r) => `<tr class="${r.cls ?? ''}"><td>${htmlEscape(r.name)}</td>${cells(r.positive)}${cells(r.negative)}</tr>`).join('') +
    '</table>'
  );
}

function chips(r: CaseResult): string {
  return `<span class="chip group">${htmlEscape(r.group)}</span>` + r.tags.filter((t) => t !== r.group).map((t) => `<span class="chip">${htmlEscape(t)}</span>`).join('');
}

/** A case id that wraps at its separators (a few lines, not one character per line). */
function idHtml(id: string): string {
  const slash = id.indexOf('/');
  const src = slash > 0 ? `<span class="src">${htmlEscape(id.slice(0, slash + 1))}</span>` : '';
  const rest = slash > 0 ? id.slice(slash + 1) : id;
  return src + htmlEscape(rest).replace(/([-_.])/g, '$1<wbr>');
}

function gateHtml(r: CaseResult): string {
  const gate = failingGate(r);
  // Rule ids and output lists wrap after their separators, not inside a word.
  return gate ? `<span class="gate ${r.status === 'unsupported' ? 'unsupported' : ''}">${htmlEscape(gate.label).replace(/([._])/g, '$1<wbr>')}</span>` : '';
}

function card(r: CaseResult): string {
  const gate = failingGate(r);
  const parts = [
    `<div class="card ${r.status}" id="case-${htmlEscape(r.id)}">`,
    `<h3><span class="badge s-${r.status}">${r.status.toUpperCase()}</span> ${idHtml(r.id)}</h3>`,
    gate ? `<div>gate: ${gateHtml(r)} · ${chips(r)}</div>` : `<div>${chips(r)}</div>`,
  ];
  if (r.reason) parts.push(`<div class="reason">${htmlEscape(r.reason)}</div>`);
  if (r.expectedRule) parts.push(`<div>rule: <b>${htmlEscape(r.expectedRule)}</b>${r.rules?.length ? `; the driver named ${htmlEscape(r.rules.join(', '))}` : ''}</div>`);
  if (r.maxRatio !== null) parts.push(`<div>max |error|/tolerance <b>${htmlEscape(fmtRatio(r.maxRatio))}</b>, max |error| ${htmlEscape(String(r.maxAbsError))}</div>`);
  if (r.errorProfile?.length) parts.push(distributionSvg(r.errorProfile), worstList(r, 5));
  if (r.fault) parts.push(`<div>fault: ${htmlEscape(r.fault.kind)} during ${htmlEscape(r.fault.phase)}${r.fault.offset !== undefined ? `, stdout offset ${r.fault.offset}` : ''} (driver process #${r.fault.instance})</div>`);
  if (r.stderr) parts.push(`<details open><summary>driver stderr</summary><pre class="stderr">${htmlEscape(r.stderr)}</pre></details>`);
  parts.push('</div>');
  return parts.join('\n');
}

// Fixed column widths: the page never scrolls sideways, and ids wrap at their separators.
const CASE_COLS = '<colgroup><col style="width:92px"><col style="width:31%"><col style="width:15%"><col><col style="width:84px"><col style="width:236px"></colgroup>';
const CASE_HEAD = CASE_COLS + '<tr><th>status</th><th>case</th><th>feature group · features</th><th>failing gate</th><th>max ratio</th><th>error distribution · worst elements</th></tr>';

function row(r: CaseResult): string {
  const linked = r.status !== 'pass' && r.status !== 'unsupported';
  return (
    `<tr data-status="${r.status}"><td><span class="badge s-${r.status}">${r.status}</span></td><td class="id">${linked ? `<a href="#case-${htmlEscape(r.id)}">${idHtml(r.id)}</a>` : idHtml(r.id)}</td>` +
    `<td>${chips(r)}</td><td>${gateHtml(r)}</td>` +
    `<td class="n">${htmlEscape(fmtRatio(r.maxRatio))}</td><td>${r.errorProfile?.length ? distributionSvg(r.errorProfile) : ''}${worstList(r, 2)}</td></tr>`
  );
}

/** The unsupported cases grouped by the driver's reason (most frequent first), each group a list of ids. */
function unsupportedSection(rs: readonly CaseResult[]): string {
  return byReason(rs)
    .map(
      ([why, list]) =>
        `<details class="unsup"><summary><b>${list.length}</b> case(s): ${htmlEscape(why)} <span class="legend-inline">(${htmlEscape([...new Set(list.map((r) => `${r.kind} · ${r.group}`))].join(', '))})</span></summary>` +
        `<ul>${list.map((r) => `<li>${idHtml(r.id)}</li>`).join('')}</ul></details>`,
    )
    .join('\n');
}

/** The legend of the error plots, with a small sample plot (shown before the first plot). */
function legend(): string {
  const sample = distributionSvg([{ index: 0, name: 'sample', criterion: 'float32', ratios: [0.001, 0.01, 0.05, 0.2, 0.5, 0.03, 3, 0.004, 0.1, 20], worst: [] }]);
  return (
    `<div class="legend" id="legend">${sample}<span>Error plots: one dot per output element, |actual − expected| / allowed error on a log scale from ` +
    `1e-4 (bottom) to 1e2 (top); the dashed line is the pass limit 1; red dots are outside the tolerance (NaN at the top); outputs side by side, separated by grey lines.</span></div>`
  );
}

/**
 * A self-contained HTML page of a report (the `--html FILE` output; no scripts, no external resources).
 * The per-element error plots appear for runs made with `errorProfiles: true`. `title` defaults to
 * `nnlstm conformance — <driver name>`.
 *
 * @example
 * ```ts
 * import { runConformance, reportToHtml } from 'nnlstm';
 * const report = await runConformance(driver, cases, { errorProfiles: true });
 * const html = reportToHtml(report, { title: 'my NPU driver' });
 * ```
 */
export function reportToHtml(report: Report, opts: { title?: string; verdict?: Verdict } = {}): string {
  const t = report.totals;
  const verdict = opts.verdict ?? evaluateVerdict(report);
  const caps = report.driver.capabilities;
  // Unexplained failures first; those a known deviation explains (a runtime's named bug) after them.
  const failing = report.results.filter((r) => r.status !== 'pass' && r.status !== 'unsupported').sort((a, b) => Number(a.deviation !== undefined) - Number(b.deviation !== undefined));
  const unsupported = report.results.filter((r) => r.status === 'unsupported');
  const cov = summarizeCoverage(report.results);
  const title = opts.title ?? `nnlstm conformance — ${report.driver.name}`;
  const legendFirst = failing.some((r) => r.errorProfile?.length);
  // The banner gives the failing counts; the list adds the coverage reasons (nothing verified, --require, --baseline).
  const coverageReasons = verdict.reasons.filter((r) => r !== failingCasesReason(t));
  const text = verdict.pass
    ? `PASS — ${t.pass} pass${t.unsupported ? `, ${t.unsupported} unsupported` : ''}`
    : `FAIL — ${t.fail} fail, ${t.error} error, ${t.rejected} rejected, ${t.unsupported} unsupported, ${t.pass} pass${verdict.nothingVerified ? '; nothing verified' : ''}`;
  const covRows = [
    ...cov.groups.map((g) => ({ ...g, name: g.group })),
    { positive: cov.positive, negative: cov.negative, name: 'total', cls: 'total' },
    ...(cov.operations.length > 1 ? cov.operations.map((o) => ({ ...o, name: `operation ${o.operation}` })) : []),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${htmlEscape(title)}</title><style>${CSS}</style></head>
<body>
<header>
<h1>${htmlEscape(title)}</h1>
<p class="meta">driver <b>${htmlEscape(report.driver.name)}</b>${caps ? ` (${htmlEscape(caps.name)} ${htmlEscape(caps.version)}, feature level ${caps.featureLevel})` : ''} · ${report.totals.cases} case(s) · ${(report.durationMs / 1000).toFixed(2)} s · started ${htmlEscape(report.startedAt)}${report.filter ? ` · filter ${htmlEscape(report.filter)}` : ''} · ${htmlEscape(report.tool.name)} ${htmlEscape(report.tool.version)}</p>
<div class="verdict ${verdict.pass ? 'pass' : 'fail'}" id="verdict">${htmlEscape(text)}</div>
${coverageReasons.length ? `<ul class="reasons" id="reasons">${coverageReasons.map((r) => `<li>${htmlEscape(r)}</li>`).join('')}</ul>` : ''}
<p class="verified" id="verified">${htmlEscape(verifiedLine(cov))} · <a href="#coverage">coverage per group</a>${unsupported.length ? ` · <a href="#unsupported">${unsupported.length} unsupported</a>` : ''}</p>
</header>
<section id="overview">
<h2>Failing (${failing.length}): fail, error and rejected, with the failing gate</h2>
${failing.length ? `${legendFirst ? legend() : ''}<table class="cases overview">${CASE_HEAD}
${failing.map(row).join('\n')}
</table>` : `<p>No case failed.${unsupported.length ? ` ${unsupported.length} case(s) were unsupported: <a href="#unsupported">not verified</a>.` : ''}</p>`}
</section>
<section id="coverage">
<h2>What was verified</h2>
<p class="legend-inline">Per feature group (each case once, under its group) and per operation. Shaded: not every case verified.</p>
${coverageTable(covRows)}
${verdict.requirements ? `<p>--require: ${verdict.requirements.map((q) => `<b>${htmlEscape(q.scope)}</b> ${q.ok ? `met (all ${q.total} verified)` : `<span class="gate">not met: ${htmlEscape(q.detail)}</span>`}`).join(' · ')}</p>` : ''}
${verdict.baseline ? `<p>--baseline (${htmlEscape(verdict.baseline.source)}): ${verdict.baseline.ok ? 'not below it' : `<span class="gate">${verdict.baseline.regressed.length} case(s) no longer verified</span>: ${verdict.baseline.regressed.map((r) => `${idHtml(r.id)} (${htmlEscape(r.now)})`).join(', ')}`}${verdict.baseline.gained ? `; ${verdict.baseline.gained} verified beyond it` : ''}</p>` : ''}
</section>
<section id="unsupported">
<h2>Unsupported (${unsupported.length}): not verified, with the driver's reason</h2>
${unsupported.length ? unsupportedSection(unsupported) : '<p>The driver ran every case.</p>'}
</section>
<section id="summary">
<h2>By feature group</h2>
${countsTable(report.groups, report.totals, 'group')}
<h2>By feature (a case counts under every feature it exercises)</h2>
${countsTable(summarizeByTag(report.results), null, 'feature')}
</section>
<section id="not-passing">
<h2>Details of the failing cases</h2>
${failing.length ? failing.map(card).join('\n') : '<p>No case failed.</p>'}
</section>
<section id="all-cases">
<h2>All cases (${report.results.length})</h2>
${!legendFirst && report.results.some((r) => r.errorProfile?.length) ? legend() : ''}<table class="cases">${CASE_HEAD}
${report.results.map(row).join('\n')}
</table>
</section>
</body></html>
`;
}
