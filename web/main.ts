/**
 * The page: tabs, file drop/pick, progress and cancel, and putting the worker's results in place (web/render.ts).
 * Heavy work runs in web/worker.ts; Cancel terminates that worker and starts a fresh one.
 */
import { htmlEscape } from '../src/conformance/html.js';
import type { Reply, Request } from './protocol.js';
import { domId, fileVerdict, numericBadge, numericSection, plotBox, renderError, renderModelJson, renderTflite } from './render.js';
import { agreementBadge, agreementSection, onnxDomId, onnxFileVerdict, renderOnnx } from './render-onnx.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

// ---- tabs (WAI-ARIA tabs pattern: arrow keys move between tabs) ---------------------------------------------------

const tabs = [$('tab-model'), $('tab-conformance')];
function selectTab(t: HTMLElement, focus = false): void {
  for (const x of tabs) {
    const on = x === t;
    x.setAttribute('aria-selected', String(on));
    x.tabIndex = on ? 0 : -1;
    $(x.getAttribute('aria-controls')!).hidden = !on;
  }
  if (focus) t.focus();
  history.replaceState(null, '', t.id === 'tab-conformance' ? '#conformance' : '#model');
}
for (const t of tabs) {
  t.addEventListener('click', () => selectTab(t));
  t.addEventListener('keydown', (e) => {
    const i = tabs.indexOf(t);
    const next = e.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : e.key === 'ArrowLeft' ? tabs[(i + tabs.length - 1) % tabs.length] : e.key === 'Home' ? tabs[0] : e.key === 'End' ? tabs[tabs.length - 1] : undefined;
    if (next) {
      e.preventDefault();
      selectTab(next, true);
    }
  });
}
if (location.hash === '#conformance') selectTab(tabs[1]!);

// ---- one worker per job kind, replaced on cancel ------------------------------------------------------------------

class Job {
  private worker: Worker | undefined;
  constructor(private readonly onReply: (r: Reply) => void) {}
  get busy(): boolean {
    return this.worker !== undefined;
  }
  start(req: Request, transfer: Transferable[] = []): void {
    this.cancel();
    const w = new Worker(new URL('worker.js', import.meta.url), { type: 'module' });
    this.worker = w;
    w.onmessage = (e: MessageEvent<Reply>) => {
      if (this.worker !== w) return;
      if (e.data.kind === 'done') this.worker = undefined;
      this.onReply(e.data);
    };
    w.onerror = (e) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.onReply({ kind: 'error', error: { name: 'WorkerError', message: e.message || 'the worker failed to start' } });
      this.onReply({ kind: 'done' });
    };
    w.postMessage(req, transfer);
  }
  cancel(): boolean {
    if (!this.worker) return false;
    this.worker.terminate();
    this.worker = undefined;
    return true;
  }
}

// ---- model tab ----------------------------------------------------------------------------------------------------

const modelProgress = $<HTMLProgressElement>('model-progress');
const modelText = $('model-status-text');
const modelCancel = $<HTMLButtonElement>('model-cancel');
const result = $('model-result');
let current = { name: '', seeds: 3, started: 0 };
let ticker: number | undefined;

function modelStatus(text: string, busy: boolean): void {
  modelText.textContent = text;
  modelProgress.classList.toggle('idle', !busy);
  modelCancel.classList.toggle('idle', !busy);
  modelCancel.disabled = !busy;
}

function elapsed(): string {
  return `${((performance.now() - current.started) / 1000).toFixed(1)} s`;
}

let validationUrl: string | undefined;
/** A link to download what the page shows as JSON (what `nnlstm validate --json FILE` prints), in the verdict line. */
function offerJson(value: unknown): void {
  if (validationUrl) URL.revokeObjectURL(validationUrl);
  validationUrl = URL.createObjectURL(new Blob([JSON.stringify(value, null, 2) + '\n'], { type: 'application/json' }));
  const fv = document.getElementById('file-verdict');
  if (!fv) return;
  const a = document.createElement('a');
  a.href = validationUrl;
  a.download = `${current.name}.validation.json`;
  a.id = 'validation-json';
  a.textContent = 'JSON';
  a.title = 'the verdicts as nnlstm validate --json prints them';
  fv.append(' ', a);
}

const modelJob = new Job((r) => {
  switch (r.kind) {
    case 'progress':
      modelStatus(`${current.name}: ${r.text} (${elapsed()})`, true);
      break;
    case 'tflite-structure':
      result.innerHTML = renderTflite(r.validation, true, current.seeds);
      result.dataset['state'] = 'structure';
      break;
    case 'tflite-result': {
      const v = r.validation;
      // Fill in place: the structural pass reserved the space.
      for (const o of v.lstmOps) {
        const id = `${o.subgraph}:${o.operator}`;
        const cell = document.getElementById(domId('cell', id));
        if (cell && !o.duplicateOf) cell.innerHTML = `<span class="badge ${numericBadge(o).tone}">${numericBadge(o).text}</span>`;
        const num = document.getElementById(domId('num', id));
        if (num) num.innerHTML = numericSection(o, false, current.seeds);
        const h = document.querySelector(`#op-h-${id.replace(':', '-')} .verdict-slot .badge`);
        if (h) h.outerHTML = `<span class="badge ${o.verdict === 'ok' ? 'ok' : o.verdict === 'warning' ? 'warn' : 'bad'}">${o.verdict}</span>`;
        const plot = document.getElementById(domId('plot', id));
        if (plot && !o.numeric.trials?.length) plot.innerHTML = plotBox(undefined, `no plot: numeric ${o.numeric.status}`);
      }
      const warnings = document.getElementById('warnings');
      if (warnings) warnings.innerHTML = v.warnings.length ? `<h3>warnings</h3><ul class="warnings">${v.warnings.map((w) => `<li>warning: ${htmlEscape(w)}</li>`).join('')}</ul>` : '';
      const fv = document.getElementById('file-verdict');
      if (fv) fv.innerHTML = fileVerdict(v);
      result.dataset['state'] = 'numeric';
      result.dataset['ms'] = String(Math.round(r.ms));
      (window as unknown as { nnlstmValidation: unknown }).nnlstmValidation = v;
      offerJson(v);
      modelStatus(`${current.name}: numeric check done in ${(r.ms / 1000).toFixed(1)} s; drawing the plots…`, true);
      break;
    }
    case 'tflite-plot': {
      const plot = document.getElementById(domId('plot', r.op));
      if (plot) plot.innerHTML = plotBox(r.profile, r.caption);
      break;
    }
    case 'onnx-structure':
      result.innerHTML = renderOnnx(r.file, r.inspection, undefined, current.seeds);
      result.dataset['state'] = 'structure';
      break;
    case 'onnx-result': {
      const v = r.validation;
      for (const n of v.lstmNodes) {
        const cell = document.getElementById(onnxDomId('cell', n.index));
        if (cell) cell.innerHTML = `<span class="badge ${agreementBadge(n.agreement).tone}">${agreementBadge(n.agreement).text}</span>`;
        const agr = document.getElementById(onnxDomId('agr', n.index));
        if (agr) agr.innerHTML = agreementSection(n.agreement, current.seeds, agr.querySelector('details p')?.textContent ?? '');
        const h = document.querySelector(`#onnx-h-${n.index} .verdict-slot .badge`);
        if (h) h.outerHTML = `<span class="badge ${n.verdict === 'ok' ? 'ok' : n.verdict === 'warning' ? 'warn' : 'bad'}">${n.verdict}</span>`;
        const plot = document.getElementById(onnxDomId('plot', n.index));
        const per = n.agreement.perSeed ?? [];
        if (plot)
          plot.innerHTML = per.length
            ? plotBox([{ index: 0, name: 'max err/tol per seed', criterion: 'float32', ratios: per.map((x) => x.stats.maxRatio), worst: [] }], `max error/tolerance per seed (${per.length} seeds × ${n.agreement.frames ?? '?'} frames, float32 criterion); log scale, dashed line = 1`)
            : plotBox(undefined, `no plot: agreement ${n.agreement.status}`);
      }
      const warnings = document.getElementById('warnings');
      if (warnings) warnings.innerHTML = v.warnings.length ? `<h3>warnings</h3><ul class="warnings">${v.warnings.map((w) => `<li>warning: ${htmlEscape(w)}</li>`).join('')}</ul>` : '';
      const fv = document.getElementById('file-verdict');
      if (fv) fv.innerHTML = onnxFileVerdict(v);
      offerJson(v);
      result.dataset['state'] = 'numeric';
      result.dataset['ms'] = String(Math.round(r.ms));
      (window as unknown as { nnlstmValidation: unknown }).nnlstmValidation = v;
      break;
    }
    case 'model-result':
      result.innerHTML = renderModelJson(r.validation, r.checks);
      result.dataset['state'] = 'numeric';
      (window as unknown as { nnlstmValidation: unknown }).nnlstmValidation = r.validation;
      (window as unknown as { nnlstmCaseChecks: unknown }).nnlstmCaseChecks = r.checks;
      offerJson(r.validation);
      break;
    case 'error':
      result.innerHTML = renderError(current.name, r.error);
      result.dataset['state'] = 'error';
      (window as unknown as { nnlstmError: unknown }).nnlstmError = r.error;
      break;
    case 'done':
      clearInterval(ticker);
      result.setAttribute('aria-busy', 'false');
      modelStatus(`${current.name}: done in ${elapsed()}.`, false);
      result.dataset['done'] = 'true';
      break;
  }
});

async function openFile(file: File): Promise<void> {
  const seeds = Math.max(1, Math.min(20, Math.floor(Number($<HTMLInputElement>('seeds').value)) || 3));
  const seed = Math.max(0, Math.floor(Number($<HTMLInputElement>('seed').value)) || 0);
  current = { name: file.name, seeds, started: performance.now() };
  result.dataset['state'] = 'reading';
  delete result.dataset['done'];
  const bytes = await file.arrayBuffer();
  result.innerHTML = `<p class="fileline"><strong>${htmlEscape(file.name)}</strong>: ${bytes.byteLength} bytes, reading…</p>`;
  result.dataset['state'] = 'reading';
  delete result.dataset['done'];
  result.setAttribute('aria-busy', 'true');
  modelStatus(`${file.name}: starting…`, true);
  clearInterval(ticker);
  ticker = window.setInterval(() => {
    if (modelJob.busy) modelText.textContent = modelText.textContent!.replace(/\(\d+\.\d s\)$/, `(${elapsed()})`);
  }, 250);
  modelJob.start({ kind: 'model', name: file.name, bytes, seeds, seed }, [bytes]);
}

modelCancel.addEventListener('click', () => {
  if (!modelJob.cancel()) return;
  clearInterval(ticker);
  result.setAttribute('aria-busy', 'false');
  result.dataset['state'] = result.dataset['state'] === 'structure' ? 'cancelled-structure' : 'cancelled';
  for (const el of result.querySelectorAll('.spinner')) el.parentElement!.textContent = 'cancelled';
  modelStatus(`${current.name}: cancelled after ${elapsed()}.`, false);
});

const input = $<HTMLInputElement>('file');
input.addEventListener('change', () => {
  const f = input.files?.[0];
  if (f) void openFile(f);
  input.value = '';
});
const drop = $('drop');
document.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
document.addEventListener('dragleave', (e) => {
  if (e.relatedTarget === null) drop.classList.remove('over');
});
document.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const f = e.dataTransfer?.files[0];
  if (f) {
    selectTab(tabs[0]!);
    void openFile(f);
  }
});

// ---- conformance tab ----------------------------------------------------------------------------------------------

const confRun = $<HTMLButtonElement>('conf-run');
const confCancel = $<HTMLButtonElement>('conf-cancel');
const confProgress = $<HTMLProgressElement>('conf-progress');
const confText = $('conf-status-text');
const frame = $<HTMLIFrameElement>('conf-report');
const reports: Record<string, string> = {};
let queue: boolean[] = [];
let confStarted = 0;
let running = false;
/** Per driver, its one-line outcome (the status line after the run). */
let finished: Record<string, string> = {};
const label = (fast: boolean) => (fast ? 'reference-fast' : 'reference');

function confBusy(busy: boolean): void {
  confCancel.classList.toggle('idle', !busy);
  confCancel.disabled = !busy;
  confProgress.classList.toggle('idle', !busy);
}

let reportUrl: string | undefined;
function showReport(fast: boolean): void {
  const html = reports[label(fast)];
  if (html !== undefined) {
    // A blob: URL, not srcdoc: the report's own #links must resolve against the report, not against this page.
    if (reportUrl) URL.revokeObjectURL(reportUrl);
    reportUrl = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
    frame.src = reportUrl;
  }
  for (const b of document.querySelectorAll<HTMLButtonElement>('#conf-summary button[data-show]')) b.setAttribute('aria-pressed', String(b.dataset['show'] === label(fast)));
}

function nextSuite(): void {
  const fast = queue.shift();
  if (fast === undefined) {
    confRun.disabled = false;
    confBusy(false);
    if (Object.keys(finished).length) confText.textContent = Object.entries(finished).map(([k, x]) => `${k}: ${x}`).join('; ');
    document.body.dataset['conformance'] = 'done';
    return;
  }
  confStarted = performance.now();
  running = fast;
  confText.textContent = `${label(fast)}: starting…`;
  confJob.start({ kind: 'conformance', fast });
}

const confJob = new Job((r) => {
  switch (r.kind) {
    case 'progress':
      if (r.total) {
        confProgress.max = r.total;
        confProgress.value = r.done ?? 0;
      }
      confText.textContent = `${label(running)}: ${r.text}`;
      break;
    case 'conformance-result': {
      const name = label(r.fast);
      reports[name] = r.html;
      finished[name] = `${r.totals['pass']} of ${r.totals['cases']} cases pass (${(r.ms / 1000).toFixed(1)} s)`;
      const row = $(`conf-row-${r.fast ? 'fast' : 'plain'}`);
      const t = r.totals;
      const url = URL.createObjectURL(new Blob([r.json], { type: 'application/json' }));
      row.innerHTML = `<td>${name}</td><td class="links"><button type="button" data-show="${name}" aria-pressed="false">view</button> <a href="${url}" download="nnlstm-conformance-${name}.json">JSON</a></td>${['cases', 'pass', 'fail', 'error', 'unsupported', 'rejected']
        .map((k) => `<td class="n${k !== 'pass' && k !== 'cases' && k !== 'unsupported' && (t[k] ?? 0) > 0 ? ' bad' : ''}" data-k="${k}">${t[k] ?? 0}</td>`)
        .join('')}<td class="n">${(r.ms / 1000).toFixed(1)} s</td>`;
      row.querySelector('button')!.addEventListener('click', () => showReport(r.fast));
      showReport(r.fast);
      break;
    }
    case 'error':
      confText.textContent = `error: ${r.error.message}`;
      queue = [];
      break;
    case 'done':
      nextSuite();
      break;
  }
});

confRun.addEventListener('click', () => {
  confRun.disabled = true;
  confBusy(true);
  confProgress.value = 0;
  delete document.body.dataset['conformance'];
  queue = [false, true];
  finished = {};
  nextSuite();
});
confCancel.addEventListener('click', () => {
  queue = [];
  const cancelled = confJob.cancel();
  nextSuite();
  if (cancelled) confText.textContent = `${label(running)}: cancelled after ${((performance.now() - confStarted) / 1000).toFixed(1)} s.`;
});
