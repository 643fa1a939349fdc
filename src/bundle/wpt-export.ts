/**
 * `nnlstm export --format wpt`: the suite's WebNN-expressible positive cases as web-platform-tests WebNN
 * conformance files, so browser vendors can run them in a WPT checkout.
 *
 * Layout (deterministic: the same cases give the same bytes):
 *   DIR/webnn/conformance_tests/nnlstm_lstm.https.any.js       lstm tests (every expressible case, iofg and ifgo)
 *   DIR/webnn/conformance_tests/nnlstm_lstm_cell.https.any.js  lstmCell tests (the one-step LSTM cases)
 *   DIR/nnlstm-wpt-manifest.json                                per test: the source case, provenance, the
 *                                                               NNAPI/WebNN agreement; the cases left out, by reason
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PositiveCase } from '../conformance/case.js';
import { makeDirs } from './export.js';
import { planCase, type Inexpressible, type WebnnPlan } from './wpt/plan.js';
import { renderWptFile, WPT_ULP_TOLERANCE } from './wpt/render.js';
import { buildTest, type Variant, type WptCaseRecord, type WptTest } from './wpt/tests.js';

export const WPT_EXPORT_FORMAT = 'nnlstm-wpt-export';
export const WPT_EXPORT_VERSION = 1;
export const WPT_LSTM_FILE = 'webnn/conformance_tests/nnlstm_lstm.https.any.js';
export const WPT_LSTM_CELL_FILE = 'webnn/conformance_tests/nnlstm_lstm_cell.https.any.js';
export const WPT_MANIFEST_FILE = 'nnlstm-wpt-manifest.json';

export interface WptManifest {
  format: typeof WPT_EXPORT_FORMAT;
  version: typeof WPT_EXPORT_VERSION;
  tool: { name: 'nnlstm'; version: string };
  filter: string | null;
  semantics: string;
  tolerance: { metric: 'ULP'; lstm: Record<string, number>; lstmCell: Record<string, number>; source: string };
  files: { file: string; operator: 'lstm' | 'lstmCell'; tests: number }[];
  /** Positive cases considered. */
  casesConsidered: number;
  casesExported: number;
  tests: (WptCaseRecord & { file: string })[];
  coverage: Record<string, number>;
  notExpressible: Inexpressible[];
  notExpressibleByReason: Record<string, number>;
}

export interface WptExportOptions {
  filter?: string | null;
}

export interface WptExportResult {
  manifest: WptManifest;
  /** Test arrays per file, as written. */
  lstmTests: WptTest[];
  lstmCellTests: WptTest[];
}

/** The variants every expressible case is exported in: iofg with one bias, ifgo with bias and recurrentBias (and more, below). */
function variants(plan: WebnnPlan): Variant[] {
  const out: Variant[] = [
    { operator: 'lstm', layout: 'iofg', splitBias: false },
    { operator: 'lstm', layout: 'ifgo', splitBias: true },
  ];
  // NNAPI has no backward-only op: a forward sequence reversed in time gives one (same numbers, sequence reversed).
  if (plan.direction === 'forward' && plan.steps > 1) out.push({ operator: 'lstm', layout: 'iofg', splitBias: false, reverseTime: true });
  if (plan.operation === 'LSTM') out.push({ operator: 'lstmCell', layout: 'iofg', splitBias: false }, { operator: 'lstmCell', layout: 'ifgo', splitBias: true });
  return out;
}

function coverageOf(records: readonly WptCaseRecord[]): Record<string, number> {
  const count = (f: (r: WptCaseRecord) => boolean) => records.filter(f).length;
  return {
    tests: records.length,
    float32: count((r) => r.dataType === 'float32'),
    float16: count((r) => r.dataType === 'float16'),
    'direction both': count((r) => r.direction === 'both'),
    'direction backward': count((r) => r.direction === 'backward'),
    'steps > 1': count((r) => r.steps > 1),
    'batch 1': count((r) => r.batch === 1),
    'layout ifgo': count((r) => r.layout === 'ifgo'),
    peepholeWeight: count((r) => r.peephole),
    'non-zero output peephole (C(t-1) deviation)': count((r) => r.outputPeepholeDeviation),
    recurrentBias: count((r) => r.recurrentBias),
    'activation sigmoid': count((r) => r.activations[1] === 'sigmoid'),
    'activation tanh': count((r) => r.activations[1] === 'tanh'),
    'activation relu': count((r) => r.activations[1] === 'relu'),
    'batch-major source (input transposed)': count((r) => r.transposedFromBatchMajor),
    'NNAPI expected values agree': count((r) => r.nnapiExpectedAgrees === true),
    'NNAPI expected values differ': count((r) => r.nnapiExpectedAgrees === false),
  };
}

/** The features a file exercises, in words (only those it has). */
function highlights(c: Record<string, number>): string {
  const acts = ['sigmoid', 'tanh', 'relu'].filter((a) => (c[`activation ${a}`] ?? 0) > 0);
  const parts = [
    'asymmetric per-gate weights and biases and non-zero initial states',
    (c['non-zero output peephole (C(t-1) deviation)'] ?? 0) > 0 ? 'non-zero peepholes' : null,
    `${acts.join(' / ')} cell activation${acts.length > 1 ? 's' : ''}`,
    ['forward', (c['direction backward'] ?? 0) > 0 ? 'backward' : null, (c['direction both'] ?? 0) > 0 ? 'both' : null].filter(Boolean).join(', ') + ' direction' + ((c['direction backward'] ?? 0) + (c['direction both'] ?? 0) > 0 ? 's' : ''),
    (c['layout ifgo'] ?? 0) > 0 ? 'layouts iofg and ifgo' : 'layout iofg',
    [(c['float32'] ?? 0) > 0 ? 'float32' : null, (c['float16'] ?? 0) > 0 ? 'float16' : null].filter(Boolean).join(' and '),
  ].filter((x) => x !== null);
  return parts.join(', ');
}

function header(operator: 'lstm' | 'lstmCell', version: string, coverage: Record<string, number>, cases: number): string[] {
  const tol = WPT_ULP_TOLERANCE[operator];
  // One string per paragraph; the renderer wraps them.
  return [
    `Generated by nnlstm ${version} (\`nnlstm export --format wpt\`); do not edit by hand. ` +
      `The tests come from nnlstm's LSTM conformance suite (${cases} NNAPI cases WebNN can express), with ${highlights(coverage)}. ` +
      "Each test names the nnlstm case it comes from; nnlstm-wpt-manifest.json beside the webnn/ folder records each one's provenance and whether NNAPI's expected values equal WebNN's.",
    '',
    "Expected values follow the WebNN spec's semantics (index.bs lstm / lstmCell emulation), computed in double precision from the (float32- or float16-rounded) inputs and cast once, as webnn-baseline does. " +
      "The output gate's peephole reads the previous cell state C(t-1), as the spec's lstmCell emulation and webnn-baseline compute it; ONNX, NNAPI and ONNX Runtime read the new cell state C(t). " +
      'Tests whose output peephole is non-zero say so in their name: a backend that reads C(t) fails exactly those.',
    '',
    `Tolerance: ULP metric, float32 ${tol.float32}, float16 ${tol.float16} (the values of the current WPT ${operator === 'lstm' ? 'lstm' : 'lstm_cell'} tests).`,
    `Coverage: ${Object.entries(coverage).filter(([k]) => !k.startsWith('NNAPI')).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
  ];
}

function comments(r: WptCaseRecord): string[] {
  const prov = r.provenance;
  const src = [prov['kind'], prov['generator'] ?? prov['source'] ?? prov['runtime'] ?? prov['file']].filter((x) => x !== undefined).map(String).join(', ');
  return [
    `nnlstm case ${r.caseId} (${r.nnapiOperation}${r.relaxedSource ? ', relaxed float32' : ''}${r.transposedFromBatchMajor ? ', batch-major input transposed to time-major' : ''}${r.reversedInTime ? ', input reversed in time for direction backward' : ''}); inputs from: ${src || 'see manifest'}`,
    r.nnapiExpectedAgrees === null
      ? 'NNAPI expected values: none to compare'
      : r.nnapiExpectedAgrees
        ? "NNAPI's expected values agree with these within NNAPI's tolerance"
        : `NNAPI's expected values differ from these (max |diff| ${r.maxAbsDiffVsNnapi!.toExponential(2)})${r.outputPeepholeDeviation ? ': the output-peephole timing' : ''}`,
  ];
}

/** Exports the WebNN-expressible cases of `cases` into `root`. */
export function exportWpt(root: string, cases: readonly PositiveCase[], opts: WptExportOptions = {}, version = '0.1.0'): WptExportResult {
  const plans: WebnnPlan[] = [];
  const skipped: Inexpressible[] = [];
  for (const c of cases) {
    const p = planCase(c);
    if ('reason' in p) skipped.push(p);
    else plans.push(p);
  }
  const built = plans.flatMap((p) => variants(p).map((v) => buildTest(p, v)));
  const lstm = built.filter((b) => b.record.operator === 'lstm');
  const cell = built.filter((b) => b.record.operator === 'lstmCell');
  const coverage = coverageOf(built.map((b) => b.record));
  makeDirs(join(root, 'webnn', 'conformance_tests'));
  const files: WptManifest['files'] = [];
  for (const [operator, list, file] of [['lstm', lstm, WPT_LSTM_FILE], ['lstmCell', cell, WPT_LSTM_CELL_FILE]] as const) {
    if (!list.length) continue;
    const text = renderWptFile(list.map((b) => b.test), {
      operator,
      header: header(operator, version, coverageOf(list.map((b) => b.record)), new Set(list.map((b) => b.record.caseId)).size),
      testComments: list.map((b) => comments(b.record)),
    });
    writeFileSync(join(root, file), text);
    files.push({ file, operator, tests: list.length });
  }
  const byReason: Record<string, number> = {};
  for (const s of skipped) byReason[s.reason] = (byReason[s.reason] ?? 0) + 1;
  const manifest: WptManifest = {
    format: WPT_EXPORT_FORMAT,
    version: WPT_EXPORT_VERSION,
    tool: { name: 'nnlstm', version },
    filter: opts.filter ?? null,
    semantics:
      "WebNN lstm/lstmCell as the spec's emulation defines them (index.bs); expected values in float64, cast once to the data type (as webnn-baseline). The output-gate peephole reads C(t-1) (deviation webnn-output-peephole-prev-cell: NNAPI and ONNX read C(t)).",
    tolerance: { metric: 'ULP', lstm: { ...WPT_ULP_TOLERANCE.lstm }, lstmCell: { ...WPT_ULP_TOLERANCE.lstmCell }, source: 'current web-platform-tests webnn/conformance_tests lstm.https.any.js and lstm_cell.https.any.js (Firefox mirror)' },
    files,
    casesConsidered: cases.length,
    casesExported: plans.length,
    tests: built.map((b) => ({ ...b.record, file: b.record.operator === 'lstm' ? WPT_LSTM_FILE : WPT_LSTM_CELL_FILE })),
    coverage,
    notExpressible: skipped,
    notExpressibleByReason: Object.fromEntries(Object.entries(byReason).sort((a, b) => b[1] - a[1])),
  };
  writeFileSync(join(root, WPT_MANIFEST_FILE), JSON.stringify(manifest, null, 1) + '\n');
  return { manifest, lstmTests: lstm.map((b) => b.test), lstmCellTests: cell.map((b) => b.test) };
}
