/**
 * HTML of the page's results, as strings (pure functions; web/main.ts puts them in place). Text comes from the same
 * functions the CLI uses (formatViolation, describeOpShape, featureLevelText) and the plot is the HTML report's
 * distributionSvg, so the page and `nnlstm validate` / `--html` read alike.
 *
 * No layout shift while results stream in: the structural pass renders every card with its numeric section at its
 * final size (one placeholder row per expected trial, a plot box of the plot's size); the numeric pass only fills it.
 */
import type { OutputErrorProfile } from '../src/conformance/error-profile.js';
import { distributionSvg, htmlEscape as esc } from '../src/conformance/html.js';
import { formatViolation, type Violation } from '../src/model/violation.js';
import type { ModelValidation } from '../src/ops/validate.js';
import { describeOpShape, featureLevelText, type TfliteOpValidation, type TfliteValidation } from '../src/tflite/validate-tflite.js';
import type { CaseCheck, PageError } from './protocol.js';

const opId = (o: { subgraph: number; operator: number }) => `${o.subgraph}:${o.operator}`;
/** DOM id of an op's numeric section / summary cell / plot. */
export const domId = (what: 'num' | 'cell' | 'plot', id: string) => `${what}-${id.replace(':', '-')}`;

function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined) return '–';
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(3) : x.toExponential(2);
}

type Tone = 'ok' | 'warn' | 'bad' | 'muted';
const badge = (text: string, tone: Tone) => `<span class="badge ${tone}">${esc(text)}</span>`;

function structureTone(s: TfliteOpValidation['structure']['status']): Tone {
  return s === 'valid' ? 'ok' : s === 'invalid' || s === 'error' ? 'bad' : 'warn';
}

/** Tone and one-word text of a numeric verdict (as the CLI's table column says it). */
export function numericBadge(o: TfliteOpValidation): { text: string; tone: Tone } {
  const n = o.numeric;
  switch (n.status) {
    case 'pass':
      return { text: `pass (ratio ${fmt(n.maxRatio)})`, tone: 'ok' };
    case 'fail':
      return { text: `FAIL (ratio ${fmt(n.maxRatio)})`, tone: 'bad' };
    case 'deviation':
      return { text: `deviation${o.deviation?.kind === 'comparison-runtime' ? ' (runtime bug)' : ''}`, tone: o.deviation?.kind === 'comparison-runtime' ? 'warn' : 'bad' };
    case 'error':
      return { text: 'error', tone: 'bad' };
    case 'not-supported':
      return { text: 'not yet supported', tone: 'muted' };
    default:
      return { text: n.status, tone: 'muted' };
  }
}

const verdictTone = (v: 'ok' | 'warning' | 'fail'): Tone => (v === 'ok' ? 'ok' : v === 'warning' ? 'warn' : 'bad');

/** How many trials validate will run for an op (placeholder rows before the numeric result). */
export function expectedTrials(o: TfliteOpValidation, seeds: number): number {
  if (o.arithmetic === 'float' || o.arithmetic === 'hybrid') return seeds * 3;
  if (o.arithmetic === 'integer-8x8_16') return seeds;
  return 0;
}

function featureChips(o: TfliteOpValidation): string {
  const f = o.features;
  const on = [f.cifg && 'CIFG', f.peephole && 'peephole', f.projection && 'projection', f.projectionBias && 'projection bias', f.layerNorm && 'layer norm'].filter((x): x is string => !!x);
  const chips = on.length ? on.map((x) => `<span class="chip on">${esc(x)}</span>`).join('') : '<span class="chip">basic cell (no optional features)</span>';
  const opts = [`activation ${f.activationName}`, `cell clip ${f.cellClip}`, `proj clip ${f.projClip}`];
  if (f.timeMajor !== undefined) opts.push(f.timeMajor ? 'time-major' : 'batch-major');
  if (f.mergeOutputs !== undefined) opts.push(`merge_outputs ${f.mergeOutputs}`);
  return `${chips}${opts.map((x) => `<span class="chip">${esc(x)}</span>`).join('')}`;
}

/** Each violation: its rule id, then the rest of formatViolation's line (operand index and name, message, expected/actual). */
function violationList(vs: readonly Violation[]): string {
  return `<ul class="violations">${vs.map((v) => `<li data-rule="${esc(v.rule)}"><code class="rule">${esc(v.rule)}</code>${esc(formatViolation(v).slice(v.rule.length + 1))}</li>`).join('')}</ul>`;
}

function violationsList(o: TfliteOpValidation): string {
  const vs = o.structure.violations;
  if (!vs.length) return '';
  return violationList(vs);
}

function delegateBlock(o: TfliteOpValidation): string {
  const d = o.nnapiDelegate;
  const head = d.delegated
    ? `${badge('yes', 'ok')} → <code>${esc(d.nnapiOperation)}</code>, from API ${d.minAndroidApi} (NNAPI ${esc(d.minNnapi ?? '?')})`
    : `${badge('no', 'warn')} stays on the TFLite CPU kernels`;
  const reasons = d.delegated ? '' : `<ul>${d.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>`;
  const notes = d.notes.filter((n) => d.delegated || !n.startsWith('API ≥'));
  return `${head}${reasons}${notes.length ? `<ul class="notes">${notes.map((n) => `<li>note: ${esc(n)}</li>`).join('')}</ul>` : ''}`;
}

/** The summary without its leading status word when the badge already says it: "pass (9 trials: …)" → "9 trials: …". */
export function summaryDetail(summary: string): string {
  const m = /^(?:pass|FAIL|skipped|error|pending) \((.*)\)$/s.exec(summary);
  return m ? m[1]! : summary;
}

/** The numeric section of an op: placeholders (pending) or the verdict with its trials; the plot box is separate. */
export function numericSection(o: TfliteOpValidation, pending: boolean, seeds: number): string {
  const n = o.numeric;
  const rows = pending ? expectedTrials(o, seeds) : (n.trials?.length ?? 0);
  const trialRows = pending
    ? Array.from({ length: rows }, () => `<tr class="ph"><td>…</td><td>…</td><td>${badge('…', 'muted')}</td><td class="n">…</td><td class="n">…</td></tr>`).join('')
    : (n.trials ?? [])
        .map((t) => `<tr><td>${t.seed}</td><td>${esc(t.state)}</td><td>${t.pass ? badge('pass', 'ok') : badge('FAIL', 'bad')}</td><td class="n">${fmt(t.maxAbsError)}</td><td class="n">${fmt(t.maxRatio)}</td></tr>`)
        .join('');
  const table = rows
    ? `<table class="trials"><thead><tr><th>seed</th><th title="initial state">state</th><th>verdict</th><th>max |err|</th><th>err/tol</th></tr></thead><tbody>${trialRows}</tbody></table>`
    : '';
  const summary = pending ? `<p class="summary"><span class="spinner" aria-hidden="true"></span> running: reference vs the TFLite runtime…</p>` : `<p class="summary">${badge(numericBadge(o).text, numericBadge(o).tone)} ${esc(summaryDetail(n.summary))}</p>`;
  // The details sit in a closed <details> of one line (reserved while pending): opening it is the reader's choice.
  // A failure opens it, since its reason is the point (the only case that may move what is below).
  const lines = pending
    ? []
    : [
        n.status === 'fail' || n.status === 'error' ? `<p class="reason">${esc(n.reason ?? '')}</p>` : '',
        o.deviation ? `<p class="deviation"><strong>deviation ${esc(o.deviation.id)}</strong> (${esc(o.deviation.kind)}): ${esc(o.deviation.onDevice)}</p>` : '',
        n.setup ? `<p class="small">trials: ${esc(n.setup)}</p>` : '',
        n.compared ? `<p class="small">compared: ${esc(n.compared.join(', '))} (reference = expected, ${esc(n.runtime ?? 'TFLite')} = actual)</p>` : '',
        ...(n.notes ?? []).map((x) => `<p class="small">note: ${esc(x)}</p>`),
      ].filter(Boolean);
  const open = !pending && (n.status === 'fail' || n.status === 'error') ? ' open' : '';
  const what = o.deviation ? 'what the deviation means on a device, how the trials were drawn' : n.status === 'fail' || n.status === 'error' ? 'why, and how the trials were drawn' : 'how the trials were drawn, what was compared';
  const extra = pending ? `<details class="more" aria-hidden="true"><summary>details</summary></details>` : lines.length ? `<details class="more"${open}><summary>${esc(what)}</summary>${lines.join('')}</details>` : '';
  return `${summary}${table}${extra}`;
}

/** The plot box: the report's SVG with its caption, or a reserved empty box. */
export function plotBox(profile: readonly OutputErrorProfile[] | undefined, caption: string): string {
  const svg = profile && profile.length ? distributionSvg(profile) : '';
  return `<figure class="plot">${svg || '<div class="plot-empty" aria-hidden="true"></div>'}<figcaption>${esc(caption)}</figcaption></figure>`;
}

function opCard(o: TfliteOpValidation, pending: boolean, seeds: number): string {
  const id = opId(o);
  const st = o.structure;
  const fl = o.featureLevel === null ? `none (${st.status === 'invalid' ? 'not a valid NNAPI model' : 'unknown'})` : featureLevelText(o.featureLevel);
  const hasNumeric = !(o.numeric.status === 'skipped' && !pending) && (pending ? expectedTrials(o, seeds) > 0 || o.arithmetic === 'float' : true);
  return `<article class="op" id="op-${id.replace(':', '-')}" aria-labelledby="op-h-${id.replace(':', '-')}">
<h3 id="op-h-${id.replace(':', '-')}"><span class="verdict-slot">${badge(pending && o.verdict === 'ok' ? '…' : o.verdict, pending && o.verdict === 'ok' ? 'muted' : verdictTone(o.verdict))}</span> op ${esc(id)} <code>${esc(o.op)}</code> v${o.version} <span class="dim">${esc(o.arithmetic)}; input ${esc(o.inputType)}, weights ${esc(o.weightType)}, output ${esc(o.outputType)}</span></h3>
<dl>
<dt>features</dt><dd>${featureChips(o)}</dd>
<dt>shape</dt><dd>${esc(describeOpShape(o))}</dd>
<dt>structure</dt><dd>${badge(st.status, structureTone(st.status))} ${esc(st.message)} <span class="dim">(${esc(st.validator)})</span>${violationsList(o)}</dd>
<dt>feature level</dt><dd>${esc(fl)}</dd>
<dt>NNAPI delegate</dt><dd>${delegateBlock(o)}</dd>
<dt>numeric</dt><dd class="numeric-dd">${
    o.duplicateOf
      ? `same op as ${esc(o.duplicateOf)}: its verdict applies`
      : `<div class="numeric"><div id="${domId('num', id)}" class="numeric-text">${numericSection(o, pending, seeds)}</div>${hasNumeric ? `<div id="${domId('plot', id)}">${plotBox(undefined, pending ? 'plot: waiting for the numeric check' : 'no plot')}</div>` : ''}</div>`
  }</dd>
</dl>
</article>`;
}

/** The whole .tflite result: file line, operator table, LSTM summary table, a card per op. */
export function renderTflite(v: TfliteValidation, pending: boolean, seeds: number): string {
  const n = v.lstmOps.length;
  const head = `<p class="fileline"><strong>${esc(v.file)}</strong>: ${v.byteLength} bytes, ${v.operators} operator(s), ${n} LSTM-family op(s)${
    n - v.distinctOps ? ` (${v.distinctOps} distinct)` : ''
  }</p><p class="verdict-line">verdict: <span id="file-verdict">${pending ? badge('numeric check running…', 'muted') : fileVerdict(v)}</span></p>`;
  const opTable = `<details class="optable" open><summary>operator table (${v.operatorTable.length} operator codes)</summary><div class="table-scroll"><table><thead><tr><th>operator</th><th>version</th><th>count</th></tr></thead><tbody>${v.operatorTable
    .map((c) => `<tr${/LSTM/.test(c.name) ? ' class="lstm"' : ''}><td><code>${esc(c.name).replace(/_/g, '_<wbr>')}</code></td><td class="n">${c.version}</td><td class="n">${c.count}</td></tr>`)
    .join('')}</tbody></table></div></details>`;
  if (n === 0) return `${head}${opTable}<p class="empty">No LSTM-family operators: nothing to validate.</p>`;
  const summary = `<table class="lstm-summary"><caption>LSTM-family ops</caption><thead><tr><th>op</th><th>operation</th><th>v</th><th>arithmetic</th><th>structure</th><th>FL</th><th>NNAPI delegate</th><th>numeric</th></tr></thead><tbody>${v.lstmOps
    .map((o) => {
      const id = opId(o);
      const num = o.duplicateOf ? `same as ${esc(o.duplicateOf)}` : pending ? badge('running…', 'muted') : badge(numericBadge(o).text, numericBadge(o).tone);
      return `<tr data-op="${esc(id)}"><td><a href="#op-${id.replace(':', '-')}">${esc(id)}</a></td><td><code>${esc(o.op).replace(/_/g, '_<wbr>')}</code></td><td class="n">${o.version}</td><td>${esc(o.arithmetic)}</td><td>${badge(o.structure.status, structureTone(o.structure.status))}</td><td class="n">${o.featureLevel ?? '–'}</td><td>${
        o.nnapiDelegate.delegated ? badge(`yes (API ${o.nnapiDelegate.minAndroidApi})`, 'ok') : badge('no', 'warn')
      }</td><td id="${domId('cell', id)}">${num}</td></tr>`;
    })
    .join('')}</tbody></table>`;
  const cards = v.lstmOps.map((o) => opCard(o, pending, seeds)).join('');
  // Warnings come last: they are known only after the numeric pass, and nothing follows them.
  const warnings = !pending && v.warnings.length ? `<h3>warnings</h3><ul class="warnings">${v.warnings.map((w) => `<li>warning: ${esc(w)}</li>`).join('')}</ul>` : '';
  return `${head}${opTable}<div class="table-scroll">${summary}</div>${cards}<div id="warnings">${warnings}</div>`;
}

/** The file's verdict badge: what `nnlstm validate` exits with. */
export function fileVerdict(v: TfliteValidation): string {
  const text = v.verdict === 'ok' ? 'OK (exit 0)' : v.verdict === 'warning' ? `OK with ${v.warnings.length} warning(s) (exit 0)` : 'FAILED (exit 1)';
  return `<span class="badge ${verdictTone(v.verdict)}" data-verdict="${v.verdict}">${esc(text)}</span>`;
}

/** A case file's run on both reference paths: status, error ratio and the plot per path. */
function caseChecks(checks: readonly CaseCheck[]): string {
  if (!checks.length) return '';
  const positive = checks[0]!.kind === 'positive';
  const what = positive
    ? "numeric check (a golden file): the reference on the file's inputs against its expected outputs, within the file's tolerance"
    : 'conformance check (a negative case): the reference must refuse the model at prepare with BAD_DATA';
  const rows = checks
    .map(
      (c) =>
        `<tr data-driver="${c.driver}"><td>${esc(c.driver)}</td><td>${badge(c.status, c.status === 'pass' ? 'ok' : c.status === 'unsupported' ? 'muted' : 'bad')}</td>${
          positive
            ? `<td class="n">${fmt(c.maxAbsError)}</td><td class="n">${fmt(c.maxRatio)}</td><td>${c.profile.length ? distributionSvg(c.profile) : ''}</td>`
            : `<td>${esc(c.status === 'pass' ? 'refused with BAD_DATA, as the case expects' : (c.reason ?? ''))}</td>`
        }</tr>`,
    )
    .join('');
  const head = positive ? '<th>max |err|</th><th>err/tol</th><th>|error|/tolerance per element (log, dashed = 1)</th>' : '<th>what happened</th>';
  return `<h3 class="checks">${esc(what)} (as <code>nnlstm conformance</code> judges it)</h3><div class="table-scroll"><table class="case-checks"><thead><tr><th>driver</th><th>verdict</th>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** A model JSON's verdict, as `nnlstm validate MODEL.json` gives it, and a case file's run on the reference. */
export function renderModelJson(v: ModelValidation & { file: string }, checks: readonly CaseCheck[] = []): string {
  return renderModelVerdict(v) + caseChecks(checks);
}

function renderModelVerdict(v: ModelValidation & { file: string }): string {
  if (v.ok) {
    const variant = v.variant as unknown as Record<string, unknown>;
    const facts = Object.entries(variant)
      .filter(([, x]) => typeof x !== 'object')
      .map(([k, x]) => `<span class="chip">${esc(k)} ${esc(String(x))}</span>`)
      .join('');
    return `<p class="fileline"><strong>${esc(v.file)}</strong>: ${badge('valid', 'ok')} <code>${esc(v.variant.operation)}</code> (${esc(v.variant.dtype)}), feature level ${esc(featureLevelText(v.featureLevel))} <span id="file-verdict"><span class="badge ok" data-verdict="ok">OK (exit 0)</span></span></p><p>${facts}</p>`;
  }
  return `<p class="fileline"><strong>${esc(v.file)}</strong>: ${badge('INVALID', 'bad')} ${v.violations.length} violation(s) <span id="file-verdict"><span class="badge bad" data-verdict="fail">FAILED (exit 1)</span></span></p>${violationList(v.violations)}`;
}

/** A reader error: never a blank page. */
export function renderError(file: string, e: PageError): string {
  const rows: [string, string | number | undefined][] = [
    ['error', e.name],
    ['kind', e.kind],
    ['byte offset', e.offset],
    ['field path', e.path === '' ? '(the file as a whole)' : e.path],
    ['JSON pointer', e.pointer === '' ? '/' : e.pointer],
  ];
  return `<div class="error-box" role="alert"><p class="fileline"><strong>${esc(file)}</strong>: cannot be read <span id="file-verdict"><span class="badge bad" data-verdict="error">unreadable (exit 2)</span></span></p><p class="error-message">${esc(`${file}: ${e.message}`)}</p><dl>${rows
    .filter(([, x]) => x !== undefined)
    .map(([k, x]) => `<dt>${k}</dt><dd><code>${esc(String(x))}</code></dd>`)
    .join('')}</dl></div>`;
}
