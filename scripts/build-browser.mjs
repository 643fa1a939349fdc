// Bundles the browser-safe entries (nnlstm, nnlstm/suite, nnlstm/tflite, nnlstm/onnx, nnlstm/webnn) into dist/browser/ as ES modules
// with their dependencies (ajv, flatbuffers) inside, so a page can use them with a plain
// <script type="module"> and no bundler of its own. Shared code goes to chunks: the suite's data stays
// out of index.js, and the suite's documents are not copied: dist/browser/suite.js loads the same
// dist/conformance/suite-documents.generated.js that Node uses (a plain module without imports). Fails if any entry
// reaches a Node built-in.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'browser');
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { index: join(root, 'dist/index.js'), suite: join(root, 'dist/suite.js'), tflite: join(root, 'dist/tflite/index.js'), onnx: join(root, 'dist/onnx/index.js'), webnn: join(root, 'dist/webnn.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
  plugins: [
    {
      name: 'shared-suite-documents',
      setup(b) {
        b.onResolve({ filter: /suite-documents\.generated\.js$/ }, () => ({ path: '../conformance/suite-documents.generated.js', external: true }));
      },
    },
  ],
  logLevel: 'warning',
});
const bytes = Object.entries(result.metafile.outputs)
  .filter(([f]) => f.endsWith('.js'))
  .map(([f, o]) => `${f.slice(f.indexOf('dist/'))} ${(o.bytes / 1024).toFixed(0)} kB`);
console.log(`scripts/build-browser.mjs: ${bytes.join(', ')}`);
