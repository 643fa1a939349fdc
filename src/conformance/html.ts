/**
 * A self-contained HTML conformance report (`--html FILE`): no scripts, no external resources.
 * The verdict; counts per feature group and per feature; every case that did not pass as a card
 * with its status, failing gate, feature group and features, reason, fault and driver stderr; and
 * a table of all cases with, per positive case, a small inline SVG of |error|/tolerance per element
 * (log scale, the pass line at 1) and the worst elements.
 */
import { fmtRatio } from './compare.js';
import type { OutputErrorProfile } from './error-profile.js';
import { failingGate } from './gate.js';
import { reportFailed, STATUSES, summarizeByTag, type GroupSummary, type Totals } from './report.js';
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
.gate{font-weight:700;color:#b3261e}
.card{border:1px solid #d6d9e0;border-left:6px solid #b3261e;border-radius:6px;padding:8px 12px;margin:10px 0}
.card.error{border-left-color:#6a1b9a}.card.rejected{border-left-color:#c25e00}.card.unsupported{border-left-color:#7b8190}
.card h3{font-size:14px;margin:0 0 4px;word-break:break-all}
.reason{margin:4px 0;white-space:pre-wrap;word-break:break-word}
pre.stderr{background:#1d2330;color:#e8eaf0;padding:6px 8px;border-radius:4px;max-height:180px;overflow:auto;white-space:pre-wrap;font-size:12px}
.worst{font-size:12px;color:#334;margin:2px 0 0;padding-left:16px}
td.id{word-break:break-all;max-width:420px;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px}
svg.dist{display:block;background:#fafbfd;border:1px solid #e3e6ee}
.legend{font-size:12px;color:#556}
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

function worstList(r: CaseResult, n: number): string {
  const all = (r.errorProfile ?? []).flatMap((p) => p.worst.map((w) => ({ ...w, name: p.name })));
  all.sort((a, b) => b.ratio - a.ratio);
  if (all.length === 0) return '';
  return (
    '<ol class="worst">' +
    all
      .slice(0, n)
      .map((w) => `<li>${htmlEscape(w.name)}[${w.flatIndex}]: actual ${htmlEscape(String(w.actual))}, expected ${htmlEscape(String(w.expected))}, ratio ${htmlEscape(fmtRatio(w.ratio))}</li>`)
      .join('') +
    '</ol>'
  );
}

function countsTable(rows: readonly GroupSummary[], total: Totals | null, title: string): string {
  const head = `<tr><th>${title}</th>${STATUSES.map((s) => `<th>${s}</th>`).join('')}<th>cases</th></tr>`;
  const line = (name: string, t: Totals, cls = '') =>
    `<tr class="${cls}"><td>${htmlEscape(name)}</td>${STATUSES.map((s) => `<td class="n${s !== 'pass' && s !== 'unsupported' && t[s] > 0 ? ' bad' : ''}">${t[s]}</td>`).join('')}<td class="n">${t.cases}</td></tr>`;
  return `<table class="summary">${head}${rows.map((r) => line(r.group, r)).join('')}${total ? line('total', total, 'total') : ''}</table>`;
}

function chips(r: CaseResult): string {
  return `<span class="chip group">${htmlEscape(r.group)}</span>` + r.tags.filter((t) => t !== r.group).map((t) => `<span class="chip">${htmlEscape(t)}</span>`).join('');
}

function card(r: CaseResult): string {
  const gate = failingGate(r);
  const parts = [
    `<div class="card ${r.status}" id="case-${htmlEscape(r.id)}">`,
    `<h3><span class="badge s-${r.status}">${r.status.toUpperCase()}</span> ${htmlEscape(r.id)}</h3>`,
    gate ? `<div>gate: <span class="gate">${htmlEscape(gate.label)}</span> · ${chips(r)}</div>` : `<div>${chips(r)}</div>`,
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

function row(r: CaseResult): string {
  const gate = failingGate(r);
  return (
    `<tr data-status="${r.status}"><td><span class="badge s-${r.status}">${r.status}</span></td><td class="id">${r.status === 'pass' ? htmlEscape(r.id) : `<a href="#case-${htmlEscape(r.id)}">${htmlEscape(r.id)}</a>`}</td>` +
    `<td>${chips(r)}</td><td>${gate ? `<span class="gate">${htmlEscape(gate.label)}</span>` : ''}</td>` +
    `<td class="n">${htmlEscape(fmtRatio(r.maxRatio))}</td><td>${r.errorProfile?.length ? distributionSvg(r.errorProfile) : ''}${worstList(r, 2)}</td></tr>`
  );
}

export function reportToHtml(report: Report, opts: { title?: string } = {}): string {
  const t = report.totals;
  const failed = reportFailed(report);
  const caps = report.driver.capabilities;
  const notPass = report.results.filter((r) => r.status !== 'pass');
  const title = opts.title ?? `nnlstm conformance — ${report.driver.name}`;
  const verdict = failed
    ? `FAIL — ${t.fail} fail, ${t.error} error, ${t.rejected} rejected, ${t.unsupported} unsupported, ${t.pass} pass`
    : `PASS — ${t.pass} pass${t.unsupported ? `, ${t.unsupported} unsupported` : ''}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${htmlEscape(title)}</title><style>${CSS}</style></head>
<body>
<header>
<h1>${htmlEscape(title)}</h1>
<p class="meta">driver <b>${htmlEscape(report.driver.name)}</b>${caps ? ` (${htmlEscape(caps.name)} ${htmlEscape(caps.version)}, feature level ${caps.featureLevel})` : ''} · ${report.totals.cases} case(s) · ${(report.durationMs / 1000).toFixed(2)} s · started ${htmlEscape(report.startedAt)}${report.filter ? ` · filter ${htmlEscape(report.filter)}` : ''} · ${htmlEscape(report.tool.name)} ${htmlEscape(report.tool.version)}</p>
<div class="verdict ${failed ? 'fail' : 'pass'}" id="verdict">${htmlEscape(verdict)}</div>
</header>
<section id="overview">
<h2>Not passing (${notPass.length}): failing gate and feature</h2>
${notPass.length ? `<table class="cases overview"><tr><th>status</th><th>case</th><th>feature group · features</th><th>failing gate</th><th>max ratio</th><th>error distribution · worst elements</th></tr>
${notPass.map(row).join('\n')}
</table>` : '<p>Every case passed.</p>'}
</section>
<section id="summary">
<h2>By feature group</h2>
${countsTable(report.groups, report.totals, 'group')}
<h2>By feature (a case counts under every feature it exercises)</h2>
${countsTable(summarizeByTag(report.results), null, 'feature')}
</section>
<section id="not-passing">
<h2>Details of the cases not passing</h2>
${notPass.length ? notPass.map(card).join('\n') : '<p>Every case passed.</p>'}
</section>
<section id="all-cases">
<h2>All cases (${report.results.length})</h2>
<p class="legend">Error distribution: one dot per output element, |actual − expected| / allowed error on a log scale from 1e-4 (bottom) to 1e2 (top); the dashed line is the pass limit 1; red dots are outside the tolerance, NaN at the top.</p>
<table class="cases"><tr><th>status</th><th>case</th><th>feature group · features</th><th>failing gate</th><th>max ratio</th><th>error distribution · worst elements</th></tr>
${report.results.map(row).join('\n')}
</table>
</section>
</body></html>
`;
}
