/**
 * The web page in real headless Chromium (playwright-core, Debian `chromium`), built by scripts/build-web.mjs --site
 * and served by `nnlstm serve`'s server. Every model of ../shared/models (skipped with a message when absent), two
 * writer-made .tflite fixtures, two model JSON files, the .onnx models of ../shared/models/onnx and malformed files are
 * dropped into the page; what the page
 * shows must equal what `nnlstm validate --json FILE` prints for the same file (a CLI bundle of src/, run as a
 * process). The conformance tab must pass every case on both reference paths, as the CLI does. Every request the
 * page and its worker make must go to the page's own server. Screenshots at 1280×800 and at phone width are checked
 * for the key elements (written to NNLSTM_WEB_SHOTS when set, e.g. to refresh docs/web-page.png).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebServer, type WebServer } from '../../src/cli/commands/serve.js';
import { casesFromDocuments } from '../../src/conformance/case.js';
import { runConformance } from '../../src/conformance/run-suite.js';
import { ReferenceDriver } from '../../src/drivers/reference.js';
import { loadModelFile } from '../../src/model/load-file.js';
import type { TfliteValidation } from '../../src/tflite/validate-tflite.js';
import { writeSingleOpTflite } from '../../src/tflite/writer.js';
import { fromRoot, sharedDir } from '../../src/util/paths.js';
import type { OnnxNodeValidation, OnnxValidation } from '../../src/onnx/validate-onnx.js';
import { numericBadge } from '../../web/render.js';
import { agreementBadge } from '../../web/render-onnx.js';
import { buildWeb } from '../../scripts/build-web.mjs';

const CHROMIUM = '/usr/bin/chromium';
const chromiumMissing = !existsSync(CHROMIUM);
if (chromiumMissing) console.warn(`web page tests skipped: ${CHROMIUM} is not installed (apt-get install chromium; .ci/run does it)`);
const shared = sharedDir();
const models = shared ? join(shared, 'models') : undefined;
const realModels = models && existsSync(models) ? ['mnist_lstm_int8.tflite', 'dtln_noise_suppression_int8.tflite', 'micro_speech_lstm_int8.tflite', 'mnist_lstm_float32.tflite'].map((f) => join(models, f)).filter(existsSync) : [];
const onnxModels = models && existsSync(join(models, 'onnx')) ? ['silero_vad_legacy.onnx', 'silero_vad_v5.onnx'].map((f) => join(models, 'onnx', f)).filter(existsSync) : [];
if (!realModels.length) console.warn('web page tests: ../shared/models is absent, the real-model drops are skipped (the writer-made fixtures still run)');
if (!onnxModels.length) console.warn('web page tests: ../shared/models/onnx is absent, the .onnx drops are skipped');
const SHOTS = process.env['NNLSTM_WEB_SHOTS'];
const exec = promisify(execFile);

let work: string;
let site: string;
let cli: string;
let web: WebServer;
let browser: Browser;
let context: BrowserContext;
const foreign: string[] = [];
const seen: string[] = [];
const timings: Record<string, number> = {};
const FIXTURES = ['lstm-f32-nocifg-peephole-projbias-ln-tanh-cellclip-projclip-b2-ln-projbias-clips', 'bilstm-f32-tm-nocifg-nopeephole-proj-noln-cross-linking-tanh-projclip-t10-b3-bi-cross-linking'];
const fixtures: string[] = [];
let bad: string;

beforeAll(async () => {
  if (chromiumMissing) return;
  work = mkdtempSync(join(tmpdir(), 'nnlstm-web-'));
  site = join(work, 'site');
  await buildWeb({ outdir: site, site: true });
  // The CLI as a process, bundled from src/ like the page, inside the repository so that it finds
  // node_modules/@tensorflow/tfjs-tflite (the numeric check) and the package root.
  const cacheDir = fromRoot('node_modules', '.cache', 'nnlstm-web-test');
  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  cli = join(cacheDir, 'cli.js');
  // runtime-node.js beside the chunks: the TFLite and ONNX runtimes' Node loaders are imported by a path computed at
  // run time ('./runtime-node.js', from either runtime module), so one file answers for both.
  const loaders = join(cacheDir, 'runtime-node-entry.ts');
  writeFileSync(loaders, `export { loadNodeTfliteBuilds } from ${JSON.stringify(fromRoot('src/tflite/runtime-node.ts'))};\nexport { loadNodeOnnxRuntime } from ${JSON.stringify(fromRoot('src/onnx/runtime-node.ts'))};\n`);
  await build({
    entryPoints: { main: fromRoot('src/cli/main.ts'), 'runtime-node': loaders },
    outdir: cacheDir,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    external: ['onnxruntime-node', '@tensorflow/tfjs-tflite'],
    logLevel: 'warning',
    banner: { js: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);" },
  });
  writeFileSync(join(cacheDir, 'package.json'), '{"type":"module"}\n');
  writeFileSync(cli, `import { main } from './main.js';\nmain(process.argv.slice(2)).then((c) => { process.exitCode = c; });\n`);
  // Writer-made fixtures (two golden cases written as single-op .tflite) and a malformed file (truncated bytes).
  const dir = join(work, 'fixtures');
  mkdirSync(dir, { recursive: true });
  for (const g of FIXTURES) {
    const f = join(dir, `${g}.tflite`);
    writeFileSync(f, writeSingleOpTflite(loadModelFile(fromRoot('golden', 'tflite', `${g}.json`))));
    fixtures.push(f);
  }
  bad = join(dir, 'truncated.tflite');
  writeFileSync(bad, writeSingleOpTflite(loadModelFile(fromRoot('golden', 'tflite', 'lstm-f32-nocifg-nopeephole-noproj-noln-tanh-b2-square.json'))).subarray(0, 600));
  // The CLI's answers first, all at once, so that the page's timings are not taken beside a running CLI.
  await Promise.all([...realModels, ...onnxModels, ...fixtures, bad].map(cliValidate));
  web = await startWebServer({ root: site, port: 0 });
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // Everything not from the page's own server is refused and recorded (the context's route sees the worker's fetches too).
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(web.url)) {
      seen.push(url.slice(web.url.length - 1));
      return route.continue();
    }
    if (url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
    foreign.push(url);
    return route.abort();
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  if (work) rmSync(work, { recursive: true, force: true });
  if (Object.keys(timings).length) console.log(`web page: drop → numeric verdict: ${Object.entries(timings).map(([f, ms]) => `${f} ${ms} ms`).join(', ')}`);
});

/** `nnlstm validate --json FILE` run from FILE's folder (so the file name it prints is the page's). */
const cliRuns = new Map<string, Promise<{ code: number; json: Record<string, unknown> }>>();
function cliValidate(file: string): Promise<{ code: number; json: Record<string, unknown> }> {
  let r = cliRuns.get(file);
  if (!r) cliRuns.set(file, (r = runCliValidate(file)));
  return r;
}
async function runCliValidate(file: string): Promise<{ code: number; json: Record<string, unknown> }> {
  try {
    const { stdout } = await exec(process.execPath, [cli, 'validate', '--json', basename(file)], { cwd: dirname(file) });
    return { code: 0, json: JSON.parse(stdout) as Record<string, unknown> };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, json: JSON.parse(err.stdout) as Record<string, unknown> };
  }
}

/** Drops a file on the page as a user would (a drop event carrying it), then waits for the verdict. */
async function dropFile(page: Page, file: string): Promise<number> {
  const b64 = readFileSync(file).toString('base64');
  const t0 = Date.now();
  await page.evaluate(
    `(() => {
      const result = document.querySelector('#model-result');
      delete result.dataset.state;
      delete result.dataset.done;
      window.nnlstmValidation = window.nnlstmError = undefined;
      const bytes = Uint8Array.from(atob(${JSON.stringify(b64)}), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], ${JSON.stringify(basename(file))}));
      document.querySelector('#drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    })()`,
  );
  await page.waitForSelector('#model-result[data-state="numeric"], #model-result[data-state="error"]', { timeout: 60_000 });
  const ms = Date.now() - t0;
  await page.waitForSelector('#model-result[data-done="true"]', { timeout: 60_000 });
  return ms;
}

/** The page's verdict cells for each op: structure, FL, delegate, numeric (as shown). */
async function shownOps(page: Page): Promise<{ op: string; structure: string; fl: string; delegate: string; numeric: string }[]> {
  return (await page.evaluate(`[...document.querySelectorAll('table.lstm-summary tbody tr')].map((tr) => {
    const c = [...tr.children].map((td) => td.textContent.trim());
    return { op: c[0], structure: c[4], fl: c[5], delegate: c[6], numeric: c[7] };
  })`)) as { op: string; structure: string; fl: string; delegate: string; numeric: string }[];
}

/** The page's validation must be the CLI's (the file name aside) and the table must show it. */
async function expectSameAsCli(page: Page, file: string): Promise<void> {
  // One after the other, so that the time measured is the page's alone.
  const ms = await dropFile(page, file);
  const { code, json } = await cliValidate(file);
  timings[basename(file)] = ms;
  const shown = (await page.evaluate('window.nnlstmValidation')) as TfliteValidation;
  const cliV = json as unknown as TfliteValidation;
  expect(code).toBe(cliV.exitCode);
  expect(shown).toEqual(cliV);
  // The JSON link gives the same document.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#validation-json')]);
  expect(JSON.parse(readFileSync(await download.path(), 'utf8'))).toEqual(cliV);
  expect(await page.getAttribute('#file-verdict [data-verdict]', 'data-verdict')).toBe(cliV.verdict);
  const rows = await shownOps(page);
  expect(rows.map((r) => r.op)).toEqual(cliV.lstmOps.map((o) => `${o.subgraph}:${o.operator}`));
  cliV.lstmOps.forEach((o, k) => {
    const r = rows[k]!;
    expect(r.structure).toBe(o.structure.status);
    expect(r.fl).toBe(o.featureLevel === null ? '–' : String(o.featureLevel));
    expect(r.delegate).toBe(o.nnapiDelegate.delegated ? `yes (API ${o.nnapiDelegate.minAndroidApi})` : 'no');
    expect(r.numeric).toBe(o.duplicateOf ? `same as ${o.duplicateOf}` : numericBadge(o).text);
  });
  // Every rule id the CLI names is on the page, with its operand.
  for (const o of cliV.lstmOps) for (const v of o.structure.violations) expect(await page.locator(`#model-result li[data-rule="${v.rule}"]`).count()).toBeGreaterThan(0);
}

describe.skipIf(chromiumMissing)('the web page in headless Chromium', () => {
  let page: Page;
  beforeAll(async () => {
    page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(web.url);
    expect(errors).toEqual([]);
  });

  it.skipIf(!realModels.length)('the real models: the verdicts shown equal `nnlstm validate --json`', async () => {
    for (const f of realModels) await expectSameAsCli(page, f);
    // The float model, last: the per-element plot of its worst trial (20 units × 28 steps + the final states).
    await page.waitForFunction(`document.querySelectorAll('#model-result figure.plot svg circle').length > 500`);
    // At 1280×800 the first screen holds the drop zone, the file's verdict and the op table with every verdict.
    for (const sel of ['#drop', '#file-verdict [data-verdict]', 'table.lstm-summary', 'table.lstm-summary td:last-child .badge']) {
      const box = await page.locator(sel).first().boundingBox();
      expect(box, sel).not.toBeNull();
      expect(box!.y + box!.height, sel).toBeLessThanOrEqual(800);
      expect(box!.x + box!.width, sel).toBeLessThanOrEqual(1280);
    }
    await page.screenshot({ path: join(work, 'model-1280.png'), fullPage: true });
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'web-page.png'), fullPage: true });
  });

  it('writer-made fixtures, model JSON and a malformed file: the page says what the CLI says', async () => {
    const dir = join(work, 'fixtures');
    for (const f of fixtures) await expectSameAsCli(page, f);

    // Model JSON: a golden file (valid) and a negative case (its rule id and operand shown).
    for (const src of ['golden/aosp/lstm-f32-nocifg-peephole-proj-noln-tanh-b2-lstm3.json', 'conformance/negative/LSTM.cifg.no_cell_to_input.json']) {
      const f = join(dir, basename(src));
      writeFileSync(f, readFileSync(fromRoot(src)));
      const [{ code, json }] = await Promise.all([cliValidate(f), dropFile(page, f)]);
      const shown = (await page.evaluate('window.nnlstmValidation')) as Record<string, unknown>;
      expect(shown).toEqual(json);
      expect(await page.getAttribute('#file-verdict [data-verdict]', 'data-verdict')).toBe(code === 0 ? 'ok' : 'fail');
      for (const v of (json['violations'] as { rule: string }[] | undefined) ?? []) expect(await page.locator(`li[data-rule="${v.rule}"]`).innerText()).toContain('cell_to_input_weights');
      // A case file also runs as a one-case suite on both reference paths: as runConformance (the CLI's) in Node.
      const data = JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
      const cases = casesFromDocuments([{ path: src.startsWith('golden/') ? `golden/dropped/${basename(f)}` : `conformance/negative/${basename(f)}`, data }]);
      const node = await Promise.all([false, true].map(async (fast) => (await runConformance(new ReferenceDriver({ fast }), cases)).results[0]!));
      const checks = (await page.evaluate('window.nnlstmCaseChecks')) as { driver: string; status: string; maxRatio: number | null; maxAbsError: number | null }[];
      expect(checks.map((c) => [c.driver, c.status, c.maxRatio, c.maxAbsError])).toEqual(node.map((r, k) => [k ? 'reference-fast' : 'reference', r.status, r.maxRatio, r.maxAbsError]));
      expect(node.map((r) => r.status)).toEqual(['pass', 'pass']);
    }

    // Malformed: truncated bytes. The page shows the CLI's exit-2 line and the reader's kind, offset and path.
    const [{ code, json }] = await Promise.all([cliValidate(bad), dropFile(page, bad)]);
    expect(code).toBe(2);
    const cliMessage = (json['error'] as { message: string }).message;
    expect(await page.locator('.error-message').innerText()).toBe(cliMessage);
    const err = (await page.evaluate('window.nnlstmError')) as { kind: string; offset: number; path: string };
    expect(cliMessage).toContain(`${err.kind} at byte ${err.offset}${err.path ? ` (${err.path})` : ''}`);
    expect(await page.locator('.error-box dt').allInnerTexts()).toEqual(expect.arrayContaining(['kind', 'byte offset', 'field path']));
    await page.screenshot({ path: join(work, 'malformed.png') });
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'web-page-malformed.png') });
  });

  it.skipIf(!onnxModels.length)('the real .onnx models: structure, NNAPI mapping and the mapped-reference agreement equal `nnlstm validate --json`', async () => {
    for (const f of onnxModels) {
      const ms = await dropFile(page, f);
      timings[basename(f)] = ms;
      const { code, json } = await cliValidate(f);
      expect(code).toBe(0);
      const cliV = json as unknown as OnnxValidation;
      const shown = (await page.evaluate('window.nnlstmValidation')) as OnnxValidation;
      const pick = (n: OnnxNodeValidation) => ({ index: n.index, path: n.path, machinePath: n.machinePath, name: n.name, opset: n.opset, features: n.features, structure: n.structure, featureLevel: n.featureLevel, mapping: n.mapping });
      expect(shown.lstmNodes.map(pick)).toEqual(cliV.lstmNodes.map(pick));
      // The page's numeric check is the agreement; it ran on the X shape the CLI's stream saw, so it is the CLI's.
      shown.lstmNodes.forEach((n, k) => {
        expect(n.xDims).toEqual(cliV.lstmNodes[k]!.xDims);
        expect(n.agreement).toEqual(cliV.lstmNodes[k]!.agreement);
        expect(n.numeric.status).toBe('skipped');
      });
      const cells = (await page.evaluate(`[...document.querySelectorAll('table.lstm-summary tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent.trim()))`)) as string[][];
      expect(cells.map((c) => [c[0], c[2], c[4], c[5]])).toEqual(cliV.lstmNodes.map((n) => [String(n.index), n.structure.status, n.featureLevel === null ? '–' : String(n.featureLevel), agreementBadge(n.agreement).text]));
      expect(await page.getAttribute('#file-verdict [data-verdict]', 'data-verdict')).toBe(cliV.verdict);
    }
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'web-page-onnx.png'), fullPage: true });
    // Malformed: a truncated .onnx gets the CLI's exit-2 line.
    const bad = join(work, 'fixtures', 'truncated.onnx');
    writeFileSync(bad, readFileSync(onnxModels[0]!).subarray(0, 5000));
    await dropFile(page, bad);
    const { code, json } = await cliValidate(bad);
    expect(code).toBe(2);
    expect(await page.locator('.error-message').innerText()).toBe((json['error'] as { message: string }).message);
    expect(await page.locator('.error-box dt').allInnerTexts()).toEqual(expect.arrayContaining(['kind', 'byte offset', 'field path']));
  });

  it('cancel stops the numeric check (the worker is terminated) and the next file runs', async () => {
    // Hold the runtime's manifest so the numeric check is still running when Cancel is pressed.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/wasm/manifest.json', async (route) => {
      await held;
      await route.continue().catch(() => {});
    });
    const f = fixtures[0]!;
    // A fresh worker per file: the runtime is loaded again, so the held manifest is asked for.
    const b64 = readFileSync(f).toString('base64');
    await page.evaluate(`(() => {
      const bytes = Uint8Array.from(atob(${JSON.stringify(b64)}), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'held.tflite'));
      document.querySelector('#drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    })()`);
    await page.waitForSelector('#model-result[data-state="structure"]');
    await expect.poll(() => page.isVisible('#model-cancel')).toBe(true);
    await page.click('#model-cancel');
    expect(await page.getAttribute('#model-result', 'data-state')).toBe('cancelled-structure');
    expect(await page.innerText('#model-status-text')).toMatch(/held\.tflite: cancelled after \d+\.\d s\./);
    expect(await page.isVisible('#model-cancel')).toBe(false);
    release();
    await page.unroute('**/wasm/manifest.json');
    await expectSameAsCli(page, f);
  });

  it('without the TFLite runtime beside the page, the numeric check is skipped (not failed), as in the CLI without it', async () => {
    const bare = await startWebServer({ root: site, port: 0, wasmDir: null });
    const p = await browser.newPage();
    try {
      // A site with its own wasm/ would still serve it: hide the folder from this server.
      await p.route('**/wasm/**', (r) => r.fulfill({ status: 404, body: 'no runtime' }));
      await p.goto(bare.url);
      await dropFile(p, fixtures[0]!);
      const v = (await p.evaluate('window.nnlstmValidation')) as TfliteValidation;
      expect(v.lstmOps.map((o) => [o.numeric.status, o.verdict])).toEqual([['skipped', 'ok']]);
      expect(v.lstmOps[0]!.numeric.reason).toMatch(/install @tensorflow\/tfjs-tflite/);
      expect(await p.innerText('table.lstm-summary tbody td:last-child')).toBe('skipped');
    } finally {
      await p.close();
      await bare.close();
    }
  });

  it('conformance tab: every case passes on both reference paths, as in the CLI, with the HTML report and a JSON download', async () => {
    const cliRuns = Promise.all(['reference', 'reference-fast'].map((d) => exec(process.execPath, [cli, 'conformance', '--driver', d, '--json', '-'], { maxBuffer: 1 << 28 }).then((r) => JSON.parse(r.stdout) as { totals: Record<string, number> })));
    // Keyboard only: the tab by arrow key, the run button by Tab and Enter.
    await page.focus('#tab-model');
    // The file picker is the next stop after the tabs (one tab stop for the tab list).
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('file');
    await page.focus('#tab-model');
    await page.keyboard.press('ArrowRight');
    expect(await page.isVisible('#panel-conformance')).toBe(true);
    expect(await page.evaluate('document.activeElement.id')).toBe('tab-conformance');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('conf-run');
    const t0 = Date.now();
    await page.keyboard.press('Enter');
    await page.waitForSelector('body[data-conformance="done"]', { timeout: 60_000 });
    timings['conformance (both paths)'] = Date.now() - t0;
    const cells = (await page.evaluate(`['plain', 'fast'].map((k) => Object.fromEntries([...document.querySelectorAll('#conf-row-' + k + ' td[data-k]')].map((td) => [td.dataset.k, Number(td.textContent)])))`)) as Record<string, number>[];
    const cliTotals = (await cliRuns).map((r) => r.totals);
    expect(cells).toEqual(cliTotals.map((t) => ({ cases: t['cases'], pass: t['pass'], fail: t['fail'], error: t['error'], unsupported: t['unsupported'], rejected: t['rejected'] })));
    for (const t of cliTotals) expect(t['pass']).toBe(t['cases']);
    expect(cliTotals[0]!['cases']).toBeGreaterThanOrEqual(261);
    // The CLI's HTML report in the frame, and the JSON report as a download.
    const frame = page.frameLocator('#conf-report');
    await expect.poll(() => frame.locator('h1').innerText()).toBe('nnlstm conformance — reference-fast');
    expect(await frame.locator('.verdict').innerText()).toMatch(/^PASS/);
    // The report's own links stay in the report.
    await frame.locator('a[href^="#"]').first().click();
    expect(await frame.locator('html').evaluate('document.location.hash')).toMatch(/^#./);
    expect(await frame.locator('h1').innerText()).toBe('nnlstm conformance — reference-fast');
    // Cancel: hold the suite's documents so the run is still loading when Cancel is pressed; then run again.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/suite-documents.js', async (route) => {
      await held;
      await route.continue().catch(() => {});
    });
    await page.click('#conf-run');
    await expect.poll(() => page.isVisible('#conf-cancel')).toBe(true);
    await page.click('#conf-cancel');
    expect(await page.innerText('#conf-status-text')).toMatch(/^reference: cancelled after \d+\.\d s\.$/);
    expect([await page.isVisible('#conf-cancel'), await page.isEnabled('#conf-run')]).toEqual([false, true]);
    release();
    await page.unroute('**/suite-documents.js');
    // The earlier reports stay (a cancelled run replaces nothing).
    expect(await page.locator('#conf-row-plain td[data-k="pass"]').innerText()).toBe(String(cliTotals[0]!['pass']));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#conf-row-plain a[download]')]);
    const report = JSON.parse(readFileSync(await download.path(), 'utf8')) as { totals: Record<string, number>; driver: { name: string }; verdict: { passed?: boolean } };
    expect(report.totals).toEqual(cliTotals[0]);
    expect(report.driver.name).toBe('reference');
    await page.screenshot({ path: join(work, 'conformance-1280.png') });
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'web-page-conformance.png') });
  });

  it('phone width: nothing wider than the window, the key elements in view', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(web.url);
    await expectSameAsCli(phone, realModels.find((f) => f.includes('dtln')) ?? fixtures[1]!);
    if (SHOTS) await phone.screenshot({ path: join(SHOTS, 'web-page-phone-full.png'), fullPage: true });
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    for (const sel of ['#drop label.button', '#file-verdict', 'article.op h3', 'article.op .numeric-dd']) {
      const box = await phone.locator(sel).first().boundingBox();
      expect(box, sel).not.toBeNull();
      expect(box!.x, sel).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width, sel).toBeLessThanOrEqual(390);
    }
    await phone.screenshot({ path: join(work, 'model-phone.png'), fullPage: true });
    if (SHOTS) await phone.screenshot({ path: join(SHOTS, 'web-page-phone.png'), fullPage: false });
    await phone.close();
  });

  it('no layout shift while the numeric results stream in', async () => {
    const f = realModels.find((f) => f.includes('float32')) ?? fixtures[0]!;
    await page.click('#tab-model');
    // Layout shifts of the result area after the structural pass has been drawn (cumulative layout shift score).
    await page.evaluate(`(() => {
      window.shift = 0;
      window.structureAt = Infinity;
      const result = document.querySelector('#model-result');
      new MutationObserver(() => { if (result.dataset.state === 'structure') window.structureAt = performance.now(); }).observe(result, { attributes: true, attributeFilter: ['data-state'] });
      new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.startTime >= window.structureAt) window.shift += e.value; }).observe({ type: 'layout-shift' });
    })()`);
    await dropFile(page, f);
    await page.waitForTimeout(300);
    const shift = (await page.evaluate('window.shift')) as number;
    expect(await page.evaluate('window.structureAt')).toBeLessThan(Infinity);
    timings['layout shift score ×1000'] = Math.round(shift * 1000);
    expect(shift).toBeLessThan(0.02);
  });

  it('loaded nothing but its own files', () => {
    expect(foreign).toEqual([]);
    // The worker's fetches were seen too (so the check covers it): the runtime manifest and its WASM.
    expect(seen).toEqual(expect.arrayContaining(['/', '/main.js', '/worker.js', '/style.css', '/wasm/manifest.json', '/wasm/tflite_web_api_cc_simd.wasm', '/suite-documents.js']));
    // Sizes: every file of the built site, and what this run loaded (the SIMD runtime; the plain one is a fallback).
    const files = (readdirSync(site, { recursive: true }) as string[]).filter((f) => statSync(join(site, f)).isFile()).sort();
    const size = (f: string) => statSync(join(site, f)).size;
    const gz = (f: string) => gzipSync(readFileSync(join(site, f)), { level: 9 }).length;
    const loaded = files.filter((f) => seen.includes(`/${f}`) || (f === 'index.html' && seen.includes('/')));
    const sum = (fs: string[], m: (f: string) => number) => fs.reduce((a, f) => a + m(f), 0);
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB`;
    const part = (label: string, fs: string[]) => `${label ? `${label} ` : ''}${mib(sum(fs, size))} (${mib(sum(fs, gz))} gzip)`;
    const js = (fs: string[]) => fs.filter((f) => f.endsWith('.js') && !f.startsWith('wasm/') && f !== 'suite-documents.js');
    console.log(
      `web page size: page JS ${part('', js(files))}, suite documents ${part('', ['suite-documents.js'])}, TFLite runtime (SIMD) ${part('', ['wasm/tflite_web_api_cc_simd.js', 'wasm/tflite_web_api_cc_simd.wasm'])}; ` +
        `${part('whole site', files)}; ${part(`loaded in this run (${loaded.length} files)`, loaded)}`,
    );
    expect(loaded).toContain('wasm/tflite_web_api_cc_simd.wasm');
    expect(loaded).not.toContain('wasm/tflite_web_api_cc.wasm');
  });
});
