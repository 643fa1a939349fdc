/**
 * The page's worker: every heavy step (reading, validation, the numeric check on the TFLite WebAssembly runtime, the
 * conformance suite) runs here, so the page stays responsive and Cancel is `worker.terminate()`.
 * The runtime comes from the page's own origin: `wasm/manifest.json` names the tfjs-tflite build, served next to
 * the page (by `nnlstm serve`, or copied by `scripts/build-web.mjs --site`); nothing else is fetched.
 */
import { evaluateVerdict, ModelFileError, parseModel, ReferenceDriver, reportToHtml, reportToJson, runConformance, validateModel } from '../src/index.js';
import { describeFormatError, readTflite, setTfliteRuntimeLoader, TfliteFormatError, tfliteOpToNnapiModel, validateTflite, type TfliteModuleFactory, type TfliteWasmBuild } from '../src/tflite/index.js';
import { lstmReport } from '../src/tflite/inspect.js';
import { floatTrialProfile, perTrialProfile, worstTrial } from './profile.js';
import type { PageError, Reply, Request } from './protocol.js';

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
  if (!res.ok) throw new Error(`no TFLite runtime next to the page (wasm/manifest.json: HTTP ${res.status}); install @tensorflow/tfjs-tflite where nnlstm is installed, or build the site with --site`);
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

function pageError(e: unknown): PageError {
  if (e instanceof TfliteFormatError) return { name: e.name, kind: e.kind, offset: e.offset, path: e.path, message: `malformed .tflite: ${describeFormatError(e)}` };
  if (e instanceof ModelFileError) {
    const err: PageError = { name: e.name, kind: e.kind, message: e.message };
    if (e.pointer !== undefined) err.pointer = e.pointer;
    return err;
  }
  const msg = (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');
  return { name: e instanceof Error ? e.name : 'Error', message: msg };
}

/** A model JSON (bare model, golden file or negative case), as `nnlstm validate MODEL.json` judges it. */
function validateJson(name: string, bytes: Uint8Array): void {
  const text = new TextDecoder().decode(bytes);
  const model = parseModel(text, name);
  post({ kind: 'model-result', validation: { file: name, ...validateModel(model) } });
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
  const { suiteCases } = await import('../src/suite.js');
  const cases = suiteCases();
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

/** As `nnlstm validate` decides: a `.tflite` name is a TFLite model; so is any file with the TFL3 identifier. */
export function formatOf(name: string, bytes: Uint8Array): 'tflite' | 'json' {
  if (/\.tflite$/i.test(name)) return 'tflite';
  const id = bytes.length >= 8 ? String.fromCharCode(bytes[4]!, bytes[5]!, bytes[6]!, bytes[7]!) : '';
  return id === 'TFL3' && !/\.json$/i.test(name) ? 'tflite' : 'json';
}

self.onmessage = async (ev: MessageEvent<Request>) => {
  const req = ev.data;
  try {
    if (req.kind === 'conformance') await conformance(req.fast);
    else {
      const bytes = new Uint8Array(req.bytes);
      if (formatOf(req.name, bytes) === 'json') validateJson(req.name, bytes);
      else await validateTfliteFile(req, bytes);
    }
  } catch (e) {
    post({ kind: 'error', error: pageError(e) });
  }
  post({ kind: 'done' });
};
