/**
 * Text and HTML forms of a Δh sparsity profile (src/tflite/profile-delta.ts). The HTML is one
 * self-contained page: a line plot of the zero fraction per step (one line per input) and a bar
 * chart of the |Δh| histogram per op, as inline SVG (the conformance report's plot is an error
 * distribution on a log axis, which does not fit; its escaping helper is reused).
 */
import { htmlEscape } from '../conformance/html.js';
import type { DeltaOpProfile, DeltaProfile, DeltaTotals } from './profile-delta.js';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const int = (x: number) => x.toLocaleString('en-US');

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  ').trimEnd());
}

const totalsText = (t: DeltaTotals) => `${pct(t.zeroFraction)} zero (${int(t.zeros)}/${int(t.elements)} elements), ${int(t.skippedMacs)}/${int(t.macs)} recurrent MACs skippable`;

function opHeader(p: DeltaOpProfile): string[] {
  const s = p.sizes;
  return [
    `op ${p.subgraph}:${p.operator} ${p.op} (${p.arithmetic}): batch ${s.batch}, ${s.time} step(s), n_c ${s.units}, n_out ${s.output}, ${s.gates} gates`,
    `  computed by: ${p.computedBy}`,
    `  input:       ${p.inputSource}`,
    `  zero Δh:     ${p.criterion === 'exact' ? 'exactly 0 in the quantized domain' : `|Δh| ≤ ${p.threshold}`}; skipped MACs per zero element and batch row = ${s.gates}·n_c = ${s.gates * s.units}`,
  ];
}

/** The readable table: per op, per input the totals, then the zero fraction per step (one column per input), then the histogram. */
export function renderDeltaProfileText(doc: DeltaProfile, opts: { steps?: boolean } = {}): string {
  const out: string[] = [];
  out.push(`Δh zero-skipping profile: ${doc.ops.length} LSTM op(s), inputs: ${doc.inputs.join(', ')}${doc.stream ? ' (streamed: states carried from one input to the next)' : ' (each from the zero state)'}`);
  for (const n of doc.notes) out.push(`note: ${n}`);
  for (const p of doc.ops) {
    out.push('', ...opHeader(p));
    out.push(`  all inputs:  ${totalsText(p.total)}`);
    if (p.afterFirst) out.push(`  ${doc.stream ? 'after step 1:' : 'steps ≥ 2:  '} ${totalsText(p.afterFirst)}`);
    for (const r of p.runs) out.push(`  ${r.label}: ${totalsText(r.total)}${r.afterFirst ? `; steps ≥ 2: ${pct(r.afterFirst.zeroFraction)}` : ''}`);
    if (opts.steps !== false) {
      const rows: string[][] = [['step', ...p.runs.map((r) => `${r.label} zero`), ...p.runs.map((r) => `${r.label} MACs skipped`)]];
      const T = Math.max(...p.runs.map((r) => r.steps.length));
      for (let t = 0; t < T; t++) rows.push([String(t + 1), ...p.runs.map((r) => (r.steps[t] ? `${r.steps[t]!.zeros}/${r.steps[t]!.elements} ${pct(r.steps[t]!.zeroFraction)}` : '')), ...p.runs.map((r) => (r.steps[t] ? int(r.steps[t]!.skippedMacs) : ''))]);
      out.push(...table(rows).map((l) => `    ${l}`));
    }
    const total = p.histogram.reduce((a, b) => a + b.count, 0) || 1;
    out.push(`  |Δh| histogram (${p.criterion === 'exact' ? 'quantized steps' : `τ = ${p.threshold}`}):`);
    const hist = table([['|Δh|', 'count', 'share', ''], ...p.histogram.map((b) => [b.label, int(b.count), pct(b.count / total), '#'.repeat(Math.round((40 * b.count) / total))])]);
    out.push(...hist.map((l) => `    ${l}`));
  }
  for (const s of doc.skipped) out.push('', `op ${s.subgraph}:${s.operator} ${s.op}: not profiled — ${s.reason}`);
  return out.join('\n') + '\n';
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf', '#7f7f7f'];

function linePlot(p: DeltaOpProfile): string {
  const W = 560;
  const H = 200;
  const L = 40;
  const B = 24;
  const T = Math.max(...p.runs.map((r) => r.steps.length), 1);
  const x = (t: number) => L + (T === 1 ? (W - L) / 2 : ((t - 1) / (T - 1)) * (W - L - 10));
  const y = (f: number) => 8 + (1 - f) * (H - B - 8);
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => `<line x1="${L}" x2="${W - 4}" y1="${y(f)}" y2="${y(f)}" stroke="#ddd"/><text x="${L - 4}" y="${y(f) + 4}" text-anchor="end" font-size="10">${f * 100}%</text>`).join('');
  const lines = p.runs
    .map((r, k) => {
      const pts = r.steps.map((s) => `${x(s.t).toFixed(1)},${y(s.zeroFraction).toFixed(1)}`).join(' ');
      const c = COLORS[k % COLORS.length]!;
      return `<polyline fill="none" stroke="${c}" stroke-width="1.5" points="${pts}"/>${r.steps.map((s) => `<circle cx="${x(s.t).toFixed(1)}" cy="${y(s.zeroFraction).toFixed(1)}" r="2" fill="${c}"><title>${htmlEscape(r.label)} step ${s.t}: ${s.zeros}/${s.elements} zero</title></circle>`).join('')}`;
    })
    .join('');
  const ticks = [...new Set([1, Math.max(1, Math.round(T / 2)), T])].map((t) => `<text x="${x(t).toFixed(1)}" y="${y(0) + 12}" text-anchor="middle" font-size="10">${t}</text>`).join('');
  const axis = `${ticks}<text x="${(L + W) / 2}" y="${H - 2}" text-anchor="middle" font-size="11">time step</text>`;
  const legend = p.runs.map((r, k) => `<span style="color:${COLORS[k % COLORS.length]}">■</span> ${htmlEscape(r.label)}`).join(' &nbsp; ');
  return `<svg role="img" aria-label="zero fraction of Δh per step" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${grid}${lines}${axis}</svg><div class="legend">${legend}</div>`;
}

function histogramPlot(p: DeltaOpProfile): string {
  const W = 560;
  const H = 160;
  const total = p.histogram.reduce((a, b) => a + b.count, 0) || 1;
  const bw = (W - 20) / p.histogram.length;
  const bars = p.histogram
    .map((b, k) => {
      const h = ((H - 36) * b.count) / total;
      const x0 = 10 + k * bw;
      return `<rect x="${(x0 + 2).toFixed(1)}" y="${(H - 24 - h).toFixed(1)}" width="${(bw - 4).toFixed(1)}" height="${h.toFixed(1)}" fill="#1f77b4"><title>${htmlEscape(b.label)}: ${b.count}</title></rect><text x="${(x0 + bw / 2).toFixed(1)}" y="${H - 10}" text-anchor="middle" font-size="10">${htmlEscape(b.label)}</text><text x="${(x0 + bw / 2).toFixed(1)}" y="${(H - 28 - h).toFixed(1)}" text-anchor="middle" font-size="9">${pct(b.count / total)}</text>`;
    })
    .join('');
  return `<svg role="img" aria-label="histogram of |Δh|" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${bars}</svg>`;
}

/** A self-contained HTML page of the profile (no scripts). */
export function renderDeltaProfileHtml(doc: DeltaProfile, opts: { title?: string } = {}): string {
  const title = opts.title ?? 'Δh zero-skipping profile';
  const sections = doc.ops.map((p) => {
    const head = opHeader(p).map((l) => htmlEscape(l.trim())).join('<br>');
    const rows = p.runs.map((r) => `<tr><td>${htmlEscape(r.label)}</td><td>${pct(r.total.zeroFraction)}</td><td>${r.afterFirst ? pct(r.afterFirst.zeroFraction) : '–'}</td><td>${int(r.total.skippedMacs)} / ${int(r.total.macs)}</td></tr>`).join('');
    return `<section><h2>op ${p.subgraph}:${p.operator} ${htmlEscape(p.op)}</h2><p>${head}</p><table><tr><th>input</th><th>zero Δh</th><th>steps ≥ 2</th><th>recurrent MACs skippable</th></tr>${rows}<tr><th>all</th><th>${pct(p.total.zeroFraction)}</th><th>${p.afterFirst ? pct(p.afterFirst.zeroFraction) : '–'}</th><th>${int(p.total.skippedMacs)} / ${int(p.total.macs)}</th></tr></table><h3>zero fraction of Δh per step</h3>${linePlot(p)}<h3>|Δh| histogram (${p.criterion === 'exact' ? 'quantized steps' : `τ = ${p.threshold}`})</h3>${histogramPlot(p)}</section>`;
  });
  const skipped = doc.skipped.map((s) => `<p>op ${s.subgraph}:${s.operator} ${htmlEscape(s.op)}: not profiled — ${htmlEscape(s.reason)}</p>`).join('');
  const notes = doc.notes.map((n) => `<p class="note">${htmlEscape(n)}</p>`).join('');
  const css = 'body{font:14px system-ui,sans-serif;margin:16px;max-width:980px;color:#222}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}.legend{font-size:12px}.note{color:#555}section{margin-bottom:24px}';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${htmlEscape(title)}</title><style>${css}</style></head><body><h1>${htmlEscape(title)}</h1><p>inputs: ${htmlEscape(doc.inputs.join(', '))}${doc.stream ? ' (streamed)' : ' (each from the zero state)'}</p>${notes}${sections.join('')}${skipped}</body></html>\n`;
}
