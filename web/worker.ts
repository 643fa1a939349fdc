/**
 * The page's worker: every heavy step (reading, validation, the numeric check on the TFLite WebAssembly runtime, the
 * conformance suite) runs here, so the page stays responsive and Cancel is `worker.terminate()`.
 * .onnx files are checked without ONNX Runtime (structure, NNAPI mapping, and the NNAPI-mapped reference against the
 * ONNX reference). The TFLite runtime comes from the page's own origin: `wasm/manifest.json` names the tfjs-tflite build, served next to
 * the page (by `nnlstm serve`, or copied by `scripts/build-web.mjs --site`); nothing else is fetched.
 */
import { casesFromDocuments, evaluateVerdict, ModelFileError, type CaseDocument, parseModel, ReferenceDriver, reportToHtml, reportToJson, runConformance, validateModel } from '../src/index.js';
import { describeFormatError, readTflite, setTfliteRuntimeLoader, TfliteFormatError, TfliteRuntimeUnavailable, tfliteOpToNnapiModel, validateTflite, type TfliteModuleFactory, type TfliteWasmBuild } from '../src/tflite/index.js';
import { lstmReport } from '../src/tflite/inspect.js';
import { floatTrialProfile, perTrialProfile, worstTrial } from './profile.js';
import { formatOf } from './format.js';
import type { CaseCheck, PageError, Reply, Request } from './protocol.js';

const post = (r: Reply) => (self as unknown as { postMessage(m: Reply): void }).postMessage(r);

// A module that uses SIMD (v128.const + i8x16 ops): validates only where WebAssembly SIMD is available.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

interface WasmManifest {
  version: string;
  builds: { flavor: 'simd' | 'plain'; js: string; wasm: string }[];
}

setTfliteRuntimeLoader(async () => {
  const base = new URL('wasm/', self.location.href);
  const res = await fetch(new URL('manifest.json', base));
  // Unavailable, not an error: the numeric check is then `skipped`, as in the CLI without the optional package.
  if (!res.ok) throw new TfliteRuntimeUnavailable(`no TFLite runtime beside the page (wasm/manifest.json: HTTP ${res.status}): install @tensorflow/tfjs-tflite next to nnlstm, or build the site with --site`);
  const manifest = (await res.json()) as WasmManifest;
  const simd = WebAssembly.validate(SIMD_PROBE);
  const builds: TfliteWasmBuild[] = [];
  for (const b of manifest.builds) {
    if (b.flavor === 'simd' && !simd) continue;
    const [js, wasm] = await Promise.all([fetch(new URL(b.js, base)).then((r) => r.text()), fetch(new URL(b.wasm, base)).then((r) => r.arrayBuffer())]);
    // The Emscripten factory is a classic script declaring a global; a module worker cannot importScripts it.
    const factory = new Function(`${js}\n;return tflite_web_api_ModuleFactory;`)() as TfliteModuleFactory;
    builds.push({ flavor: b.flavor, factory, wasmBinary: new Uint8Array(wasm) });
    break; // the first usable build is enough; TfliteRuntime falls back only on a failed instantiation
  }
  return { version: manifest.version, builds };
});

/**
 * An .onnx file: read, inspected (first pass), then validated without ONNX Runtime — structure, NNAPI mapping and
 * the agreement of the NNAPI reference on the mapped model with the ONNX reference (what `nnlstm validate` runs
 * besides its ONNX Runtime checks). Loaded on demand: a .tflite never pays for the protobuf reader.
 */
async function validateOnnxFile(req: Extract<Request, { kind: 'model' }>, bytes: Uint8Array): Promise<void> {
  const t0 = performance.now();
  post({ kind: 'progress', text: 'reading the protobuf…' });
  const [{ readOnnx }, { inspectOnnxModel }, { validateOnnxModel, describeOnnxFormatError }, { OnnxFormatError }] = await Promise.all([
    import('../src/onnx/reader.js'),
    import('../src/onnx/inspect.js'),
    import('../src/onnx/validate-onnx.js'),
    import('../src/onnx/errors.js'),
  ]);
  let model;
  try {
    model = readOnnx(bytes);
  } catch (e) {
    if (e instanceof OnnxFormatError) {
      const err: PageError = { name: e.name, kind: e.kind, path: e.path, message: `malformed .onnx: ${describeOnnxFormatError(e)}` };
      if (e.offset !== undefined) err.offset = e.offset;
      throw Object.assign(new Error(err.message), { pageError: err });
    }
    throw new Error(`malformed .onnx: ${(e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ')}`);
  }
  post({ kind: 'onnx-structure', file: req.name, inspection: inspectOnnxModel(model, bytes.length) });
  post({ kind: 'progress', text: `NNAPI mapping agreement: NNAPI reference vs ONNX reference, ${req.seeds} seed(s) × 20 frames…` });
  const v = await validateOnnxModel(model, bytes, req.name, { numeric: false, seeds: req.seeds, seed: req.seed });
  post({ kind: 'onnx-result', validation: v, ms: performance.now() - t0 });
}

function pageError(e: unknown): PageError {
  const carried = (e as { pageError?: PageError } | undefined)?.pageError;
  if (carried) return carried;
  if (e instanceof TfliteFormatError) return { name: e.name, kind: e.kind, offset: e.offset, path: e.path, message: `malformed .tflite: ${describeFormatError(e)}` };
  if (e instanceof ModelFileError) {
    const err: PageError = { name: e.name, kind: e.kind, message: e.message };
    if (e.pointer !== undefined) err.pointer = e.pointer;
    return err;
  }
  const msg = (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');
  return { name: e instanceof Error ? e.name : 'Error', message: msg };
}

/**
 * A model JSON (bare model, golden file or negative case), as `nnlstm validate MODEL.json` judges it; a golden file or
 * a negative case is also run as a one-case suite on both reference paths (`nnlstm conformance --cases` would).
 */
async function validateJson(name: string, bytes: Uint8Array): Promise<void> {
  const text = new TextDecoder().decode(bytes);
  const model = parseModel(text, name);
  const validation = { file: name, ...validateModel(model) };
  const data = JSON.parse(text) as Record<string, unknown>;
  const kind = typeof data['rule'] === 'string' ? 'negative' : data['tolerance'] !== undefined && data['model'] !== undefined ? 'positive' : undefined;
  const checks: CaseCheck[] = [];
  if (kind) {
    post({ kind: 'progress', text: 'running the case on the reference (plain and fast)…' });
    const path = kind === 'positive' ? `golden/dropped/${name}` : `conformance/negative/${name}`;
    const cases = casesFromDocuments([{ path, data }]);
    for (const fast of [false, true]) {
      const r = (await runConformance(new ReferenceDriver({ fast }), cases, { errorProfiles: true })).results[0]!;
      checks.push({ driver: fast ? 'reference-fast' : 'reference', kind, status: r.status, maxRatio: r.maxRatio, maxAbsError: r.maxAbsError, reason: r.reason, profile: r.errorProfile ?? [] });
    }
  }
  post({ kind: 'model-result', validation, checks });
}

async function validateTfliteFile(req: Extract<Request, { kind: 'model' }>, bytes: Uint8Array): Promise<void> {
  const t0 = performance.now();
  post({ kind: 'progress', text: 'reading the flatbuffer…' });
  let model;
  try {
    model = readTflite(bytes);
  } catch (e) {
    // The CLI's exit-2 line: "FILE: malformed .tflite: kind at byte N (path): detail".
    if (e instanceof TfliteFormatError) throw e;
    throw new Error(`malformed .tflite: ${(e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ')}`);
  }
  post({ kind: 'progress', text: 'checking the structure…' });
  post({ kind: 'tflite-structure', validation: await validateTflite(model, req.name, { numeric: false, bytes }) });
  post({ kind: 'progress', text: `numeric check: reference vs the TFLite runtime, ${req.seeds} seed(s) × zero/small/large initial state…` });
  // The options `nnlstm validate FILE.tflite [--seeds K] [--seed S]` passes.
  const v = await validateTflite(model, req.name, { bytes, strict: false, seeds: req.seeds, seed: req.seed });
  post({ kind: 'tflite-result', validation: v, ms: performance.now() - t0 });
  // The plots: per element for float ops (the worst trial re-run), per trial otherwise.
  for (const o of v.lstmOps) {
    if (o.duplicateOf || !o.numeric.trials?.length) continue;
    const id = `${o.subgraph}:${o.operator}`;
    const worst = worstTrial(o.numeric.trials);
    if (o.arithmetic === 'float' && worst && (o.numeric.status === 'pass' || o.numeric.status === 'fail' || o.numeric.status === 'deviation')) {
      post({ kind: 'progress', text: `plot of op ${id}: re-running its worst trial element by element…` });
      try {
        const report = lstmReport(model, model.subgraphs[o.subgraph]!, o.operator)!;
        const profile = await floatTrialProfile(model, report, tfliteOpToNnapiModel(model, o.subgraph, o.operator), worst, req.seeds, req.seed);
        if (profile.length) {
          post({ kind: 'tflite-plot', op: id, profile, caption: `|error|/tolerance per output element, worst trial (seed ${worst.seed}, ${worst.state} state); log scale 1e-4 … 1e2, dashed line = 1 (the pass limit)` });
          continue;
        }
      } catch {
        // fall back to the per-trial plot below
      }
    }
    post({ kind: 'tflite-plot', op: id, profile: perTrialProfile(o.numeric.trials), caption: `max error/tolerance per trial (${o.numeric.trials.length} trials; ${o.arithmetic === 'float' ? 'float32' : o.numeric.criterion === 'hybrid' ? 'hybrid' : 'integer: |diff| in int8 steps, limit 1'}); log scale, dashed line = 1` });
  }
}

async function conformance(fast: boolean): Promise<void> {
  const t0 = performance.now();
  post({ kind: 'progress', text: 'loading the suite…' });
  // The documents module sits beside the worker (`nnlstm serve` answers it from dist/conformance/): imported by URL
  // so that no bundle carries its 3.7 MB twice.
  const url = new URL('suite-documents.js', self.location.href).href;
  const { SUITE_DOCUMENTS } = (await import(/* @vite-ignore */ url)) as { SUITE_DOCUMENTS: readonly CaseDocument[] };
  const cases = casesFromDocuments(SUITE_DOCUMENTS);
  const report = await runConformance(new ReferenceDriver({ fast }), cases, {
    errorProfiles: true,
    onProgress: (e) => {
      if (e.type === 'done') post({ kind: 'progress', text: `case ${e.index + 1} of ${e.total}`, done: e.index + 1, total: e.total });
    },
  });
  const verdict = evaluateVerdict(report);
  post({ kind: 'progress', text: 'rendering the report…', done: cases.length, total: cases.length });
  post({ kind: 'conformance-result', fast, totals: { ...report.totals }, html: reportToHtml(report, { verdict }), json: reportToJson(report, verdict), ms: performance.now() - t0 });
}


self.onmessage = async (ev: MessageEvent<Request>) => {
  const req = ev.data;
  try {
    if (req.kind === 'conformance') await conformance(req.fast);
    else {
      const bytes = new Uint8Array(req.bytes);
      const format = formatOf(req.name, bytes);
      if (format === 'json') await validateJson(req.name, bytes);
      else if (format === 'onnx') await validateOnnxFile(req, bytes);
      else await validateTfliteFile(req, bytes);
    }
  } catch (e) {
    post({ kind: 'error', error: pageError(e) });
  }
  post({ kind: 'done' });
};
