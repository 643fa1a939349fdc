/**
 * The Node loader of the TFLite WASM runtime: the Emscripten factories and `.wasm` files of the installed
 * `@tensorflow/tfjs-tflite` (an optional peer dependency: only the tflite driver and validate's numeric
 * check need it). Loaded lazily by TfliteRuntime.load().
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TfliteRuntimeUnavailable, type TfliteModuleFactory, type TfliteWasmBuild } from './runtime.js';

export const TFLITE_PACKAGE = '@tensorflow/tfjs-tflite';

export async function loadNodeTfliteBuilds(): Promise<{ version: string; builds: TfliteWasmBuild[] }> {
  const require = createRequire(import.meta.url);
  let pkgJson: string;
  try {
    pkgJson = require.resolve(`${TFLITE_PACKAGE}/package.json`);
  } catch {
    throw new TfliteRuntimeUnavailable(`the TFLite runtime is not installed: run \`npm install ${TFLITE_PACKAGE}\` (needed only by the tflite driver and the numeric checks)`);
  }
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string };
  const wasmDir = join(dirname(pkgJson), 'wasm');
  const builds: TfliteWasmBuild[] = [];
  for (const flavor of ['simd', 'plain'] as const) {
    const base = flavor === 'simd' ? 'tflite_web_api_cc_simd' : 'tflite_web_api_cc';
    // Each build is read only when asked for: the plain one is a fallback for runtimes without SIMD.
    const build = {
      flavor,
      get factory(): TfliteModuleFactory {
        return require(join(wasmDir, `${base}.js`)) as TfliteModuleFactory;
      },
      get wasmBinary(): Uint8Array {
        return readFileSync(join(wasmDir, `${base}.wasm`));
      },
    };
    builds.push(build);
  }
  return Promise.resolve({ version: pkg.version, builds });
}
