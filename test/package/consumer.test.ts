/**
 * The package as a user gets it: `npm pack`, `npm install <tarball>` into an empty app, then the three
 * README examples (ESM in Node, TypeScript under strict/nodenext/bundler with skipLibCheck false, a browser
 * page with an import map) run against the installed package, the CLI runs there, and in headless
 * Chromium the whole conformance suite runs on both reference paths and must equal the Node run case by
 * case. Chromium missing: the browser tests skip with a message (.ci/run installs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/paths.js';

const CHROMIUM = '/usr/bin/chromium';
const chromiumMissing = !existsSync(CHROMIUM);
if (chromiumMissing) console.warn(`browser package tests skipped: ${CHROMIUM} is not installed (apt-get install chromium; .ci/run does it)`);

const EXAMPLES = fromRoot('examples', 'library');
const TSC = fromRoot('node_modules', 'typescript', 'bin', 'tsc');
let work: string;
let app: string;

function run(cmd: string, args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' }, timeout: 240_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Disk usage of a folder in KiB, as `du -sk` reports it. */
function duKiB(dir: string): number {
  return Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0]);
}

/** What a README example says it prints: the lines after its `// prints:` comment, or inside `<!-- prints: … -->`. */
function expectedOutput(file: string): string {
  const text = readFileSync(file, 'utf8');
  const html = /<!-- prints:\n([\s\S]*?)\n-->/.exec(text);
  if (html) return html[1]!;
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trim() === '// prints:');
  if (at < 0) throw new Error(`${file} says nothing of what it prints`);
  return lines
    .slice(at + 1)
    .filter((l) => l.startsWith('//'))
    .map((l) => l.replace(/^\/\/ ?/, ''))
    .join('\n');
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'nnlstm-pkg-'));
  app = join(work, 'app');
  // The dist/ that `npm ci` (prepare) or `npm run build` made: rebuilding here would pull it from under the
  // other test files that run the CLI at the same time.
  const pack = run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work], fromRoot());
  if (pack.code !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  const tgz = join(work, pack.stdout.trim().split('\n').pop()!);
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const inst = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tgz], app);
  if (inst.code !== 0) throw new Error(`npm install of the tarball failed: ${inst.stderr}`);
  for (const f of readdirSync(EXAMPLES)) copyFileSync(join(EXAMPLES, f), join(app, f));
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the installed package', () => {
  it('README shows each library example exactly as it is in examples/library', () => {
    const readme = readFileSync(fromRoot('README.md'), 'utf8');
    for (const f of readdirSync(EXAMPLES)) expect(readme.includes(readFileSync(join(EXAMPLES, f), 'utf8').trimEnd()), f).toBe(true);
  });

  // 17 MiB: nnlstm itself is ~9.7 MiB (3.7 of it the suite's documents), @bufbuild/protobuf (the ONNX reader's
  // decoder, ESM and CJS builds) 2.9 MiB, ajv and its four dependencies the rest.
  it('is small: ≤ 17 MiB of node_modules, no TFLite runtime, no ONNX Runtime, no test libraries', () => {
    const kib = duKiB(join(app, 'node_modules'));
    const packages = readdirSync(join(app, 'node_modules')).filter((n) => !n.startsWith('.'));
    console.log(`[package] node_modules ${(kib / 1024).toFixed(1)} MiB on disk, ${packages.length} packages: ${packages.join(', ')}`);
    expect(kib).toBeLessThanOrEqual(17 * 1024);
    expect(packages).not.toContain('@tensorflow');
    expect(packages).not.toContain('onnxruntime-node');
    expect(packages).not.toContain('onnxruntime-web');
    expect(packages).not.toContain('fast-check');
    const shipped = readdirSync(join(app, 'node_modules', 'nnlstm', 'dist'));
    expect(shipped).not.toContain('tools');
    const maps = spawnSync('find', [join(app, 'node_modules', 'nnlstm'), '-name', '*.map'], { encoding: 'utf8' }).stdout.trim();
    expect(maps).toBe('');
    expect(existsSync(join(app, 'node_modules', 'nnlstm', 'LICENSE'))).toBe(true);
  });

  it('runs the README ESM example (one LSTM step streamed, the same as a sequence, a validation verdict)', () => {
    const r = run(process.execPath, ['node-esm.mjs'], app);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(expectedOutput(join(EXAMPLES, 'node-esm.mjs')));
  });

  it('compiles the README TypeScript example (strict, skipLibCheck false) under nodenext and bundler resolution, and runs it', () => {
    const base = { strict: true, target: 'es2022', skipLibCheck: false, types: [] };
    writeFileSync(join(app, 'tsconfig.nodenext.json'), JSON.stringify({ compilerOptions: { ...base, module: 'nodenext', moduleResolution: 'nodenext', outDir: 'out' }, files: ['typescript.ts'] }));
    writeFileSync(join(app, 'tsconfig.bundler.json'), JSON.stringify({ compilerOptions: { ...base, module: 'esnext', moduleResolution: 'bundler', noEmit: true }, files: ['typescript.ts'] }));
    // Every entry's declarations, Node's included, compile without @types/node in the consumer.
    writeFileSync(join(app, 'all-entries.ts'), "export * as core from 'nnlstm';\nexport * as suite from 'nnlstm/suite';\nexport * as tflite from 'nnlstm/tflite';\nexport * as node from 'nnlstm/node';\n");
    writeFileSync(join(app, 'tsconfig.entries.json'), JSON.stringify({ compilerOptions: { ...base, module: 'nodenext', moduleResolution: 'nodenext', noEmit: true }, files: ['all-entries.ts'] }));
    for (const cfg of ['tsconfig.nodenext.json', 'tsconfig.bundler.json', 'tsconfig.entries.json']) {
      const r = run(process.execPath, [TSC, '-p', cfg], app);
      expect(r.stdout + r.stderr, cfg).toBe('');
      expect(r.code, cfg).toBe(0);
    }
    const r = run(process.execPath, [join('out', 'typescript.js')], app);
    expect(r.stdout.trim()).toBe(expectedOutput(join(EXAMPLES, 'typescript.ts')));
  });

  it('runs the CLI (`npx nnlstm conformance`) with what a plain install brings', () => {
    const r = run('npx', ['--no-install', 'nnlstm', 'conformance'], app);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/RESULT: PASS — \d+ pass/);
  });

  it('says in one line that the TFLite runtime is missing when a command needs it', () => {
    const r = run('npx', ['--no-install', 'nnlstm', 'conformance', '--driver', 'tflite', '--filter', 'aosp/lstm-f32'], app);
    expect(r.stdout + r.stderr).toMatch(/the TFLite runtime is not installed: run `npm install @tensorflow\/tfjs-tflite`/);
  });
});

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json' };

describe.skipIf(chromiumMissing)('the installed package in headless Chromium', () => {
  it('runs the README browser page and the whole suite on both reference paths, equal to Node case by case', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      // The app folder served as a static site; anything else (the network) is refused.
      await page.route('**/*', async (route) => {
        const url = new URL(route.request().url());
        const file = resolve(app, '.' + decodeURIComponent(url.pathname));
        if (url.origin !== 'http://nnlstm.test' || !file.startsWith(app) || !existsSync(file) || !statSync(file).isFile()) return route.fulfill({ status: 404, body: 'not found' });
        return route.fulfill({ status: 200, body: readFileSync(file), contentType: MIME[extname(file)] ?? 'application/octet-stream' });
      });
      await page.goto('http://nnlstm.test/browser.html');
      await page.waitForFunction("!document.querySelector('#result').textContent.startsWith('running')", undefined, { timeout: 60_000 });
      expect(errors).toEqual([]);
      expect(await page.locator('#result').innerText()).toBe(expectedOutput(join(EXAMPLES, 'browser.html')));

      // The whole suite, plain and fast, in the page and in Node, from the same installed package.
      // In-page code goes as text: vitest would rewrite a function's import() for Node.
      const inPage = (await page.evaluate(`(async () => {
        const nn = await import('nnlstm');
        const { suiteCases } = await import('nnlstm/suite');
        const out = {};
        for (const fast of [false, true]) {
          const r = await nn.runConformance(new nn.ReferenceDriver({ fast }), suiteCases());
          out[fast ? 'fast' : 'plain'] = r.results.map((x) => [x.id, x.status, x.maxRatio, x.maxAbsError, x.deviation ?? null]);
        }
        return out;
      })()`)) as Record<string, unknown[]>;
      const nn = (await import(pathToFileURL(join(app, 'node_modules', 'nnlstm', 'dist', 'index.js')).href)) as typeof import('../../src/index.js');
      const { suiteCases } = (await import(pathToFileURL(join(app, 'node_modules', 'nnlstm', 'dist', 'suite.js')).href)) as typeof import('../../src/suite.js');
      for (const fast of [false, true]) {
        const r = await nn.runConformance(new nn.ReferenceDriver({ fast }), suiteCases());
        const inNode = r.results.map((x) => [x.id, x.status, x.maxRatio, x.maxAbsError, x.deviation ?? null]);
        const key = fast ? 'fast' : 'plain';
        expect(inPage[key]!.length, key).toBe(inNode.length);
        expect(inPage[key], key).toEqual(inNode);
        expect(r.totals.pass, key).toBe(r.totals.cases);
        console.log(`[browser] ${key}: ${inNode.length} cases, statuses and error ratios equal to Node's`);
      }

      // .tflite files written from the golden cases: read, inspected and structurally validated in the page as in Node.
      const tfl = (await import(pathToFileURL(join(app, 'node_modules', 'nnlstm', 'dist', 'tflite', 'index.js')).href)) as typeof import('../../src/tflite/index.js');
      const files: { id: string; b64: string }[] = [];
      for (const c of suiteCases()) {
        if (c.kind !== 'positive' || !/^(tflite|aosp)\//.test(c.id)) continue;
        try {
          files.push({ id: c.id, b64: Buffer.from(tfl.writeSingleOpTflite(c.model)).toString('base64') });
        } catch {
          /* not expressible in TFLite */
        }
      }
      expect(files.length).toBeGreaterThan(30);
      // Runs in the page and in Node alike (text, for the reason above).
      const VERDICTS = `async (t, list) => {
        const out = [];
        for (const f of list) {
          const bytes = Uint8Array.from(atob(f.b64), (ch) => ch.charCodeAt(0));
          const model = t.readTflite(bytes);
          const insp = t.inspectTflite(model);
          const v = await t.validateTflite(model, f.id, { numeric: false });
          out.push([f.id, insp.lstmOps.map((o) => [o.op, o.features]), v.lstmOps.map((o) => [o.structure.status, o.featureLevel, o.nnapiDelegate.delegated]), v.exitCode]);
        }
        return out;
      }`;
      const tflInPage = await page.evaluate(`(async () => (${VERDICTS})(await import('nnlstm/tflite'), ${JSON.stringify(files)}))()`);
      const verdictOf = (0, eval)(VERDICTS) as (t: unknown, l: unknown) => Promise<unknown[]>;
      expect(tflInPage).toEqual(await verdictOf(tfl, files));
      console.log(`[browser] ${files.length} .tflite files read, inspected and validated as in Node`);
    } finally {
      await browser.close();
    }
  }, 180_000);
});
