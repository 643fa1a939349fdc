/**
 * HTML of an `.onnx` result (pure functions, like web/render.ts): the model's facts, its op table, and per LSTM node
 * its attributes and features, the ONNX-structure verdict (spec/onnx/LSTM.json rule ids), the NNAPI mapping verdict
 * (operation and feature level, or why not, by convention aspect) and — the numeric check the page can run without
 * ONNX Runtime — the agreement of the NNAPI reference on the mapped model with the ONNX reference over seeds × frames
 * with carried states. The comparison with ONNX Runtime itself is the CLI's (`nnlstm validate MODEL.onnx`).
 * The first pass (inspection) draws every card at its final size; the validation fills the agreement in place.
 */
import { htmlEscape as esc } from '../src/conformance/html.js';
import { formatViolation, type Violation } from '../src/model/violation.js';
import type { OnnxInspection, OnnxLstmNodeReport } from '../src/onnx/inspect.js';
import type { OnnxNodeValidation, OnnxValidation } from '../src/onnx/validate-onnx.js';
import { plotBox, summaryDetail } from './render.js';

type Tone = 'ok' | 'warn' | 'bad' | 'muted';
const badge = (text: string, tone: Tone) => `<span class="badge ${tone}">${esc(text)}</span>`;
const FL_TEXT: Record<number, string> = { 3: 'Android 10, API 29, NNAPI 1.2', 4: 'Android 11, API 30, NNAPI 1.3' };

function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined) return '–';
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(3) : x.toExponential(2);
}

/** DOM id of a node's agreement section / summary cell / plot. */
export const onnxDomId = (what: 'agr' | 'cell' | 'plot', index: number) => `onnx-${what}-${index}`;

function violationList(vs: readonly Violation[]): string {
  if (!vs.length) return '';
  return `<ul class="violations">${vs.map((v) => `<li data-rule="${esc(v.rule)}"><code class="rule">${esc(v.rule)}</code>${esc(formatViolation(v).slice(v.rule.length + 1))}</li>`).join('')}</ul>`;
}

/** Text and tone of the agreement verdict (the page's numeric column for ONNX). */
export function agreementBadge(a: OnnxNodeValidation['agreement']): { text: string; tone: Tone } {
  if (a.status === 'pass') return { text: `pass (ratio ${fmt(a.stats?.maxRatio)})`, tone: 'ok' };
  if (a.status === 'fail') return { text: `FAIL (ratio ${fmt(a.stats?.maxRatio)})`, tone: 'bad' };
  return { text: a.status, tone: a.status === 'error' ? 'bad' : 'muted' };
}

function mappingBlock(n: OnnxLstmNodeReport): string {
  const m = n.mapping;
  if (!m.expressible) {
    return `${badge('not expressible', 'warn')} in NNAPI<ul>${m.reasons.map((r) => `<li><code>${esc(r.attribute)}</code> (${esc(r.aspect)}): ${esc(r.message)}</li>`).join('')}</ul>`;
  }
  return `${badge('yes', 'ok')} → <code>${esc(m.operation)}</code>, feature level ${m.featureLevel} (${esc(FL_TEXT[m.featureLevel] ?? '?')}), time_major ${m.timeMajor}; ${esc(m.directionNote)}${
    m.notes.length ? `<ul class="notes">${m.notes.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : ''
  }`;
}

/** The agreement section: placeholders while pending (one row per seed), then the verdict and its per-seed rows. */
export function agreementSection(a: OnnxNodeValidation['agreement'] | undefined, seeds: number, ortNote: string): string {
  const rows = a ? (a.perSeed ?? []) : Array.from({ length: seeds }, () => undefined);
  const body = rows
    .map((r) =>
      r
        ? `<tr><td>${r.seed}</td><td>${r.stats.failing === 0 ? badge('pass', 'ok') : badge('FAIL', 'bad')}</td><td class="n">${fmt(r.stats.maxAbsError)}</td><td class="n">${fmt(r.stats.maxRatio)}</td></tr>`
        : `<tr class="ph"><td>…</td><td>${badge('…', 'muted')}</td><td class="n">…</td><td class="n">…</td></tr>`,
    )
    .join('');
  const table = rows.length ? `<table class="trials seeds"><thead><tr><th>seed</th><th>verdict</th><th>max |err|</th><th>err/tol</th></tr></thead><tbody>${body}</tbody></table>` : '';
  const summary = a
    ? `<p class="summary">${badge(agreementBadge(a).text, agreementBadge(a).tone)} ${esc(summaryDetail(a.summary))}${a.reason && a.status !== 'pass' ? ` — ${esc(a.reason)}` : ''}</p>`
    : '<p class="summary"><span class="spinner" aria-hidden="true"></span> running: NNAPI reference on the mapped model vs the ONNX reference…</p>';
  return `${summary}${table}<details class="more"><summary>ONNX Runtime comparison</summary><p class="small">${esc(ortNote)}</p></details>`;
}

const ORT_NOTE = 'Not run in the page (ONNX Runtime is not part of it): `nnlstm validate MODEL.onnx` compares the reference with onnxruntime-node on the cut-out node and, for a stream model, on the whole model with every LSTM tapped.';

function nodeCard(n: OnnxLstmNodeReport, v: OnnxNodeValidation | undefined, seeds: number): string {
  const f = n.features;
  const feats = [f.bias && 'bias', f.peephole && 'peephole', f.clip !== null && `clip ${f.clip}`, f.inputForget && 'input_forget', f.sequenceLens && 'sequence_lens', f.initialStates && 'initial states'].filter((x): x is string => !!x);
  const chips = `${(feats.length ? feats : ['nothing optional']).map((x) => `<span class="chip${feats.length ? ' on' : ''}">${esc(x)}</span>`).join('')}${[`${f.direction}`, `layout ${f.layout}`, `hidden ${f.hiddenSize}`, `input ${f.inputSize ?? '?'}`, `activations ${f.activations.join(', ')}`]
    .map((x) => `<span class="chip">${esc(x)}</span>`)
    .join('')}`;
  const attrs = n.attributes.map((a) => `<span class="chip">${esc(a.name)} ${esc(a.value)}${a.default ? ' <em>(default)</em>' : ''}</span>`).join('');
  const st = n.structure;
  const fl = n.mapping.expressible ? `${n.mapping.featureLevel} (${FL_TEXT[n.mapping.featureLevel] ?? '?'})` : 'none (not expressible in NNAPI)';
  const verdict = v ? badge(v.verdict, v.verdict === 'ok' ? 'ok' : v.verdict === 'warning' ? 'warn' : 'bad') : badge(st.status === 'valid' ? '…' : 'fail', st.status === 'valid' ? 'muted' : 'bad');
  return `<article class="op" id="onnx-node-${n.index}" aria-labelledby="onnx-h-${n.index}">
<h3 id="onnx-h-${n.index}"><span class="verdict-slot">${verdict}</span> node ${n.index} <code>LSTM</code> opset ${n.opset} <span class="dim">${esc(n.path)}</span></h3>
<dl>
<dt>features</dt><dd>${chips}</dd>
<dt>attributes</dt><dd>${attrs}</dd>
<dt>structure</dt><dd>${badge(st.status, st.status === 'valid' ? 'ok' : 'bad')} ${esc(st.message)} <span class="dim">(${esc(st.validator)})</span>${violationList(st.violations)}</dd>
<dt>feature level</dt><dd>${esc(fl)}</dd>
<dt>NNAPI mapping</dt><dd>${mappingBlock(n)}</dd>
<dt>numeric</dt><dd class="numeric-dd"><div class="numeric"><div id="${onnxDomId('agr', n.index)}" class="numeric-text">${agreementSection(v?.agreement, seeds, ORT_NOTE)}</div><div id="${onnxDomId('plot', n.index)}">${plotBox(undefined, v ? 'no plot' : 'plot: waiting for the agreement check')}</div></div></dd>
</dl>
</article>`;
}

/** The verdict badge of an `.onnx` file, as the CLI would exit on the checks the page runs. */
export function onnxFileVerdict(v: OnnxValidation): string {
  const text = v.verdict === 'ok' ? 'OK (exit 0)' : v.verdict === 'warning' ? `OK with ${v.warnings.length} warning(s) (exit 0)` : 'FAILED (exit 1)';
  return `<span class="badge ${v.verdict === 'ok' ? 'ok' : v.verdict === 'warning' ? 'warn' : 'bad'}" data-verdict="${v.verdict}">${esc(text)}</span>`;
}

/** The whole `.onnx` result; `v` undefined = the inspection only (agreement pending). */
export function renderOnnx(file: string, insp: OnnxInspection, v: OnnxValidation | undefined, seeds: number): string {
  const opsets = Object.entries(insp.opsets).map(([d, x]) => `${d || 'ai.onnx'} ${x}`).join(', ');
  const head = `<p class="fileline"><strong>${esc(file)}</strong>: ${insp.byteLength} bytes, ir_version ${insp.irVersion}, producer ${esc(`${insp.producerName} ${insp.producerVersion}`.trim())}, opset ${esc(opsets)}; ${insp.nodes} node(s) in ${insp.graphs} graph(s), ${insp.lstmNodes.length} LSTM node(s)</p><p class="verdict-line">verdict: <span id="file-verdict">${v ? onnxFileVerdict(v) : badge('checking…', 'muted')}</span></p>`;
  const ops = Object.entries(insp.opCounts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const opTable = `<details class="optable"><summary>op types (${ops.length}, over every graph)</summary><div class="table-scroll"><table><thead><tr><th>op type</th><th>count</th></tr></thead><tbody>${ops
    .map(([op, c]) => `<tr${op === 'LSTM' ? ' class="lstm"' : ''}><td><code>${esc(op)}</code></td><td class="n">${c}</td></tr>`)
    .join('')}</tbody></table></div></details>`;
  if (!insp.lstmNodes.length) return `${head}${opTable}<p class="empty">No LSTM nodes: nothing to validate.</p>`;
  const byIndex = new Map((v?.lstmNodes ?? []).map((x) => [x.index, x]));
  const summary = `<table class="lstm-summary onnx"><caption>LSTM nodes</caption><thead><tr><th>node</th><th>name</th><th>structure</th><th>NNAPI</th><th>FL</th><th>agreement</th></tr></thead><tbody>${insp.lstmNodes
    .map((n) => {
      const x = byIndex.get(n.index);
      const agr = x ? badge(agreementBadge(x.agreement).text, agreementBadge(x.agreement).tone) : badge('running…', 'muted');
      return `<tr data-node="${n.index}"><td><a href="#onnx-node-${n.index}">${n.index}</a></td><td><code>${esc(n.name || '(unnamed)').replace(/\//g, '/<wbr>')}</code></td><td>${badge(n.structure.status, n.structure.status === 'valid' ? 'ok' : 'bad')}</td><td>${
        n.mapping.expressible ? badge(n.mapping.operation === 'UNIDIRECTIONAL_SEQUENCE_LSTM' ? 'unidirectional' : 'bidirectional', 'ok') : badge('no', 'warn')
      }</td><td class="n">${n.mapping.expressible ? n.mapping.featureLevel : '–'}</td><td id="${onnxDomId('cell', n.index)}">${agr}</td></tr>`;
    })
    .join('')}</tbody></table>`;
  const cards = insp.lstmNodes.map((n) => nodeCard(n, byIndex.get(n.index), seeds)).join('');
  const warnings = v?.warnings.length ? `<h3>warnings</h3><ul class="warnings">${v.warnings.map((w) => `<li>warning: ${esc(w)}</li>`).join('')}</ul>` : '';
  return `${head}${opTable}<div class="table-scroll">${summary}</div>${cards}<div id="warnings">${warnings}</div>`;
}
