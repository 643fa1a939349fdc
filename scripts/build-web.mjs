// Builds the web page (web/: index.html, style.css, main.ts, worker.ts) with esbuild into static files.
//
//   node scripts/build-web.mjs                 → dist/web/ (ships in the package; `npx nnlstm serve` serves it)
//   node scripts/build-web.mjs --site DIR      → DIR: a self-contained static site for any static host
//
// The suite's case documents (3.7 MB) and the TFLite WebAssembly runtime (@tensorflow/tfjs-tflite, 3.7 MB per
// build) are not copied into dist/web/, so the package does not carry them twice: the worker imports
// ./suite-documents.js and fetches wasm/manifest.json, which `nnlstm serve` answers from dist/conformance/ and the
// installed @tensorflow/tfjs-tflite. `--site` copies both in.
// Chunks (chunks/) hold the parts loaded on demand (the .onnx checks) and those the page and the worker share. Fails if the page reaches a Node built-in.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { suiteDocuments } from './gen-suite-module.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The tfjs-tflite WASM builds the page can use (SIMD first), with the package version. */
export function tfliteWasmFiles() {
  const require = createRequire(join(root, 'package.json'));
  let pkgJson;
  try {
    pkgJson = require.resolve('@tensorflow/tfjs-tflite/package.json');
  } catch {
    return undefined;
  }
  const dir = join(dirname(pkgJson), 'wasm');
  const version = JSON.parse(readFileSync(pkgJson, 'utf8')).version;
  const builds = [
    { flavor: 'simd', js: 'tflite_web_api_cc_simd.js', wasm: 'tflite_web_api_cc_simd.wasm' },
    { flavor: 'plain', js: 'tflite_web_api_cc.js', wasm: 'tflite_web_api_cc.wasm' },
  ].filter((b) => existsSync(join(dir, b.js)) && existsSync(join(dir, b.wasm)));
  return { dir, manifest: { version, builds } };
}

/**
 * The suite's case documents as a plain ES module (what dist/conformance/suite-documents.generated.js is in the
 * package), read from the folders now: golden/**\/*.json except golden/onnx (ONNX goldens are another format) and
 * conformance/negative/**\/*.json, as scripts/gen-suite-module.mjs reads them. test/web/page.test.ts compares the
 * page's case count with the CLI's.
 */
export function suiteDocumentsModule() {
  const docs = suiteDocuments();
  return `// The conformance suite's case documents (${docs.length}), from golden/ and conformance/negative/ (scripts/build-web.mjs).\nexport const SUITE_DOCUMENTS = JSON.parse(${JSON.stringify(JSON.stringify(docs))});\n`;
}

/**
 * Builds the page into `outdir`. `site`: also copy the suite documents and the TFLite runtime in.
 * Returns the files written with their sizes in bytes.
 */
export async function buildWeb({ outdir = join(root, 'dist', 'web'), site = false } = {}) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: { main: join(root, 'web/main.ts'), worker: join(root, 'web/worker.ts') },
    outdir,
    bundle: true,
    // Lazy parts (the .onnx reader and checks, the suite module) load only when asked for.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    plugins: [
      {
        // The worker imports the documents by URL at run time (suite-documents.js beside it); nothing may bundle them.
        name: 'no-suite-documents',
        setup(b) {
          b.onResolve({ filter: /suite-documents\.generated\.js$/ }, (a) => ({ errors: [{ text: `${a.importer} would bundle the suite's documents (3.7 MB): import them by URL` }] }));
        },
      },
    ],
  });
  const nodeInputs = Object.keys(result.metafile.inputs).filter((f) => f.startsWith('node:'));
  if (nodeInputs.length) throw new Error(`the web page reaches Node built-ins: ${nodeInputs.join(', ')}`);
  for (const f of ['index.html', 'style.css']) copyFileSync(join(root, 'web', f), join(outdir, f));
  if (site) {
    writeFileSync(join(outdir, 'suite-documents.js'), suiteDocumentsModule());
    const wasm = tfliteWasmFiles();
    if (!wasm) throw new Error('@tensorflow/tfjs-tflite is not installed: --site needs its WASM runtime');
    mkdirSync(join(outdir, 'wasm'));
    for (const b of wasm.manifest.builds) for (const f of [b.js, b.wasm]) copyFileSync(join(wasm.dir, f), join(outdir, 'wasm', f));
    writeFileSync(join(outdir, 'wasm', 'manifest.json'), JSON.stringify(wasm.manifest, null, 2) + '\n');
  }
  return Object.fromEntries(Object.entries(result.metafile.outputs).map(([f, o]) => [relative(outdir, resolve(f)), o.bytes]));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--site');
  const site = at >= 0;
  if (site && !args[at + 1]) {
    console.error('usage: node scripts/build-web.mjs [--site DIR]');
    process.exit(2);
  }
  const outdir = site ? resolve(args[at + 1]) : undefined;
  const sizes = await buildWeb({ outdir, site });
  const kB = (b) => `${(b / 1024).toFixed(0)} kB`;
  const chunks = Object.entries(sizes).filter(([f]) => f.startsWith('chunks'));
  const own = Object.entries(sizes).filter(([f]) => !f.startsWith('chunks'));
  console.log(`scripts/build-web.mjs: ${outdir ?? 'dist/web'}: ${own.map(([f, b]) => `${f} ${kB(b)}`).join(', ')}, ${chunks.length} chunks ${kB(chunks.reduce((a, [, b]) => a + b, 0))}${site ? ' (+ suite-documents.js and wasm/)' : ''}`);
}
