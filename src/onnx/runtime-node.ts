/**
 * The Node loader of ONNX Runtime (loaded lazily by loadOnnxRuntime of ./runtime.ts): `onnxruntime-node` (native
 * CPU execution provider) or `onnxruntime-web` (its WebAssembly build; in Node the package's `node` export,
 * `dist/ort.node.min.mjs`, with the `.wasm` read from the package's `dist/`). Both are optional peer dependencies.
 *
 * Measured with 1.30.0 on Node 20: onnxruntime-web's wasm backend loads in Node as is; it runs single-threaded
 * here (`env.wasm.numThreads = 1`) so that results do not depend on worker threads, and the native runtime is
 * given one intra-op thread to match.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { singleLstmModel } from './writer.js';
import { OnnxRuntimeUnavailable, wrapOrtModule, type OnnxRuntimeFlavor, type OnnxRuntimeHandle, type OrtModuleLike } from './runtime.js';

/** The npm package of each flavor. */
export const ONNX_RUNTIME_PACKAGES: Readonly<Record<OnnxRuntimeFlavor, string>> = { node: 'onnxruntime-node', web: 'onnxruntime-web' };

const oneLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

/** The package's root folder and version, or OnnxRuntimeUnavailable with the install hint. */
function findPackage(flavor: OnnxRuntimeFlavor): { root: string; version: string } {
  const pkg = ONNX_RUNTIME_PACKAGES[flavor];
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    // Neither package exports ./package.json: resolve the CommonJS entry and walk up from dist/.
    entry = require.resolve(pkg);
  } catch {
    throw new OnnxRuntimeUnavailable(`${pkg} is not installed: run \`npm install ${pkg}\` (needed only by --driver ${flavor === 'node' ? 'onnxruntime' : 'onnxruntime-web'} and the ONNX numeric checks)`, flavor);
  }
  let dir = dirname(entry);
  for (let k = 0; k < 4; k++) {
    try {
      const j = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (j.name === pkg) return { root: dir, version: j.version ?? 'unknown' };
    } catch {
      /* not here: one folder up */
    }
    dir = dirname(dir);
  }
  return { root: dirname(dirname(entry)), version: 'unknown' };
}

/** ONNX Runtime's log level 4 (fatal only): a refused model is reported through the rejected promise, not stderr. */
const QUIET = 4;

// Variable specifiers: bundlers leave them to run time (the packages are optional and large).
const PKG_NODE = 'onnxruntime-node';
const PKG_WEB = 'onnxruntime-web';

/** Loads ONNX Runtime in Node; rejects with OnnxRuntimeUnavailable (one line) when it cannot. */
export async function loadNodeOnnxRuntime(flavor: OnnxRuntimeFlavor): Promise<OnnxRuntimeHandle> {
  const { root, version } = findPackage(flavor);
  const pkg = ONNX_RUNTIME_PACKAGES[flavor];
  let ort: OrtModuleLike & { env?: { wasm?: { numThreads?: number; wasmPaths?: unknown; proxy?: boolean } } };
  try {
    ort = (await import(/* @vite-ignore */ flavor === 'node' ? PKG_NODE : PKG_WEB)) as typeof ort;
  } catch (e) {
    throw new OnnxRuntimeUnavailable(`${pkg} ${version} is installed but does not load (${oneLine(e)}): reinstall it with \`npm install ${pkg}\``, flavor);
  }
  if (flavor === 'node') {
    return wrapOrtModule(ort, { flavor, version, backend: 'cpu (native), 1 intra-op thread', sessionOptions: { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: QUIET } });
  }
  const wasm = ort.env?.wasm;
  if (!wasm) throw new OnnxRuntimeUnavailable(`${pkg} ${version} has no wasm backend settings (env.wasm): cannot run it in Node`, flavor);
  wasm.numThreads = 1;
  wasm.proxy = false;
  wasm.wasmPaths = pathToFileURL(join(root, 'dist') + '/').href;
  const handle = wrapOrtModule(ort, { flavor, version, backend: 'wasm (ort-wasm-simd-threaded.wasm), 1 thread', sessionOptions: { executionProviders: ['wasm'], logSeverityLevel: QUIET } });
  // The WASM module is instantiated by the first session: probe with a one-unit LSTM so that a wasm that cannot
  // load in this Node is reported here, as unavailable, and not later as a refused model.
  try {
    const s = await handle.createSession(probeModel());
    await s.release();
  } catch (e) {
    throw new OnnxRuntimeUnavailable(`${pkg} ${version}: its WebAssembly backend does not start in Node ${process.versions.node} (${oneLine(e)})`, flavor);
  }
  return handle;
}

/** A one-unit, one-input LSTM: the smallest model that makes the runtime instantiate its kernels. */
function probeModel(): Uint8Array {
  const one = (dims: number[]) => ({ dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) });
  return singleLstmModel({
    attrs: { hiddenSize: 1, direction: 'forward', layout: 0, inputForget: 0, activations: [{ name: 'Sigmoid' }, { name: 'Tanh' }, { name: 'Tanh' }] },
    inputs: { xDims: [1, 1, 1], constants: { W: one([1, 4, 1]), R: one([1, 4, 1]) } },
  }).bytes;
}
