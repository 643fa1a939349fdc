/**
 * Reports people use: the CLI with --json/--junit/--html over exec: and module: drivers; the JUnit
 * XML read by a real JUnit consumer (test-results-parser, as CI dashboards use it); the HTML
 * report rendered in headless Chromium (Debian's chromium through playwright-core) and checked by
 * a screenshot; skipped with a message when Chromium is not installed (.ci/run installs it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createDriver } from '../../src/hosts/registry.js';
import { schemaValidator } from '../../src/model/load.js';
import { fromRoot } from '../../src/util/paths.js';
import { FAULTY_DRIVER, python, PYTHON_DRIVER } from './helpers.js';
import { captureOutput } from '../helpers/capture-output.js';

const tmp = mkdtempSync(join(tmpdir(), 'nnlstm-reports-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const py = python();
const CHROMIUM = '/usr/bin/chromium';

const io = captureOutput();

interface Totals { cases: number; pass: number; fail: number; error: number; unsupported: number; rejected: number }
const readJson = <T>(f: string): T => JSON.parse(readFileSync(f, 'utf8')) as T;
const FILTER = '/^(tflite\\/lstm-f32-nocifg-nopeephole|aosp\\/lstm-f32-cifg|negative\\/LSTM\\.(cifg|peephole))/';

describe.skipIf(!py)('nnlstm conformance --driver exec: with every report', () => {
  it('writes JSON (schema-valid, stderr per case), JUnit and HTML; no progress lines when not a TTY', async () => {
    const [json, junit, html] = ['r.json', 'r.xml', 'r.html'].map((f) => join(tmp, f));
    const code = await main(['conformance', '--driver', `exec:${py} -S ${PYTHON_DRIVER}`, '--filter', FILTER, '--timeout', '5', '--json', json!, '--junit', junit!, '--html', html!]);
    expect(code, io.err).toBe(0);
    expect(io.out).not.toMatch(/\[1\/\d+\]/);
    expect(io.out).toMatch(/RESULT: PASS/);
    expect(io.out).toMatch(/JUnit report written to .*r\.xml/);
    const report = readJson<{ totals: Totals; results: { stderr?: string; kind: string }[] }>(json!);
    expect(schemaValidator('report')(report)).toBe(true);
    expect(report.results.filter((r) => r.kind === 'negative').every((r) => r.stderr?.startsWith('prepare: rejected ('))).toBe(true);
    expect(readFileSync(junit!, 'utf8')).toContain('<system-err>== negative/LSTM.cifg');
    expect(readFileSync(html!, 'utf8')).toContain('PASS — ');
  });

  it('--timeout must be a positive number; a driver that cannot be created is exit 2', async () => {
    expect(await main(['conformance', '--driver', `exec:${py} ${PYTHON_DRIVER}`, '--timeout', 'soon'])).toBe(2);
    expect(io.err).toMatch(/--timeout: expected a positive number of seconds/);
    expect(await main(['conformance', '--driver', 'module:no/such/module.js', '--filter', 'lstm3'])).toBe(2);
    expect(io.err).toMatch(/driver module no\/such\/module\.js does not exist/);
  });
});

describe('JUnit XML read by a JUnit consumer (test-results-parser)', () => {
  it.skipIf(!py)('counts, statuses, failure messages with the rule id and the per-case stderr all come through', async () => {
    const junit = join(tmp, 'faulty.xml');
    const json = join(tmp, 'faulty.json');
    // accept-invalid: the LSTM negative cases fail (each naming its rule); positives pass.
    const code = await main(['conformance', '--driver', `exec:${py} -S ${FAULTY_DRIVER} accept-invalid`, '--filter', FILTER, '--junit', junit, '--json', json]);
    expect(code).toBe(1);
    const report = readJson<{ totals: Totals; results: { id: string; status: string; expectedRule?: string }[] }>(json);
    const { parse } = createRequire(import.meta.url)('test-results-parser') as {
      parse(o: { type: string; files: string[] }): { total: number; passed: number; failed: number; skipped: number; suites: { name: string; cases: { name: string; status: string; failure: string }[] }[] };
    };
    const parsed = parse({ type: 'junit', files: [junit] });
    const t = report.totals;
    // Every case, plus the verdict suite's "something verified" (passing here: the positives pass).
    expect(parsed.total).toBe(t.cases + 1);
    expect(parsed.passed).toBe(t.pass + 1);
    expect(parsed.failed).toBe(t.fail + t.rejected + t.error);
    expect(parsed.skipped).toBe(t.unsupported);
    expect(t.fail).toBeGreaterThanOrEqual(4);
    const cases = parsed.suites.flatMap((s) => s.cases);
    for (const r of report.results.filter((x) => x.status === 'fail')) {
      const c = cases.find((x) => x.name === r.id)!;
      expect(c.status).toBe('FAIL');
      expect(c.failure).toContain(`accepted a model that breaks ${r.expectedRule}`);
    }
    expect(parsed.suites.map((s) => s.name)).toContain('validation');
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<failure message="accepted a model that breaks LSTM\.[a-z_.]+: [^"]*" type="accepted-invalid">gate: accepted an invalid model: LSTM\./);
    expect(xml).toContain('accept-invalid: accepting despite LSTM.');
    expect(xml).toMatch(/<property name="coverage\.negative" value="\d+ executed, 0 verified, 0 unsupported, \d+ total"\/>/);
  });

  it('a run that verified nothing is red on a dashboard that counts testcases: the verdict suite fails', async () => {
    const junit = join(tmp, 'stub.xml');
    expect(await main(['conformance', '--driver', 'module:test/vendor/fixtures/stub-module-driver.mjs', '--filter', FILTER, '--junit', junit, '--require', 'cifg'])).toBe(1);
    const { parse } = createRequire(import.meta.url)('test-results-parser') as {
      parse(o: { type: string; files: string[] }): { failed: number; skipped: number; suites: { name: string; cases: { name: string; status: string; failure: string }[] }[] };
    };
    const parsed = parse({ type: 'junit', files: [junit] });
    const verdict = parsed.suites.find((x) => x.name === 'verdict')!;
    expect(verdict.cases.map((c) => [c.name, c.status])).toEqual([
      ['something verified', 'FAIL'],
      ['require cifg', 'FAIL'],
    ]);
    expect(verdict.cases[0]!.failure).toMatch(/^nothing verified: none of the \d+ positive case\(s\) passed/);
    expect(parsed.failed).toBe(2);
    expect(parsed.skipped).toBeGreaterThan(0);
  });
});

describe('module: drivers', () => {
  it('a JS module exporting `driver` runs the suite; a module that exports no driver is refused', async () => {
    const d = await createDriver(`module:${fromRoot('test', 'vendor', 'fixtures', 'module-driver.mjs')}`);
    expect(d.name).toBe('module-js-nothing');
    // It verifies nothing, so the run fails.
    expect(await main(['conformance', '--driver', 'module:test/vendor/fixtures/module-driver.mjs', '--filter', 'lstm3'])).toBe(1);
    expect(io.out).toMatch(/RESULT: FAIL — 0 fail, 0 error, 0 rejected, \d+ unsupported, 0 pass; nothing verified/);
    await expect(createDriver('module:test/vendor/fixtures/not-a-driver.mjs')).rejects.toThrow(/is not a driver \(needs a string 'name' and functions capabilities, prepare, execute\)/);
  });

  it.skipIf(!existsSync(fromRoot('dist', 'drivers', 'reference.js')))('a TypeScript module (default export: a factory) runs from the CLI (transpiled on load)', () => {
    const r = spawnSync(process.execPath, [fromRoot('bin', 'nnlstm.js'), 'conformance', '--driver', 'module:test/vendor/fixtures/module-driver.ts', '--filter', 'lstm3'], {
      cwd: fromRoot(),
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/driver module:test\/vendor\/fixtures\/module-driver\.ts|driver module-ts-reference/);
    expect(r.stdout).toMatch(/RESULT: PASS — \d+ pass/);
  });
});

/** RGBA pixels of a PNG (8-bit RGB or RGBA, non-interlaced: what Chromium writes). */
function decodePng(png: Buffer): { width: number; height: number; px: (x: number, y: number) => [number, number, number] } {
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 4;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('latin1', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      channels = data[9] === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const img = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= channels ? img[y * stride + x - channels]! : 0;
      const b = y > 0 ? img[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? img[(y - 1) * stride + x - channels]! : 0;
      const p = a + b - c;
      const pr = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      img[y * stride + x] = (v + [0, a, b, (a + b) >> 1, pr][f]!) & 0xff;
    }
  }
  return { width, height, px: (x, y) => [img[y * stride + x * channels]!, img[y * stride + x * channels + 1]!, img[y * stride + x * channels + 2]!] };
}

// The browser globals the page-side callbacks use (the test's tsconfig has no DOM library).
interface PageBox { getBoundingClientRect(): { height: number } }
declare const document: { createRange(): PageBox & { selectNodeContents(n: unknown): void }; documentElement: { scrollWidth: number } };
declare function getComputedStyle(e: unknown): { borderLeftColor: string; backgroundColor: string; lineHeight: string };

const chromiumMissing = !existsSync(CHROMIUM);
if (chromiumMissing) console.warn(`HTML screenshot test skipped: ${CHROMIUM} is not installed (apt-get install chromium; .ci/run does it)`);

describe('the HTML report in headless Chromium', () => {
  it.skipIf(chromiumMissing)('renders the verdict, the group summary, failing cases with gate and feature, and the error plots', async () => {
    const html = join(tmp, 'mutant.html');
    // A plausible bug (cheap tanh): some cases fail by a little, others pass; negatives pass.
    const code = await main(['conformance', '--driver', 'mutant:tanh-approximation', '--filter', FILTER, '--html', html]);
    expect(code).toBe(1);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      await page.goto(pathToFileURL(html).href);
      const verdict = page.locator('#verdict');
      expect(await verdict.isVisible()).toBe(true);
      expect(await verdict.innerText()).toMatch(/^FAIL — \d+ fail, 0 error, 0 rejected, 0 unsupported, \d+ pass$/);
      expect(await page.locator('table.summary').first().innerText()).toMatch(/group\s+pass\s+fail[\s\S]*total/);
      const card = page.locator('#not-passing .card').first();
      expect(await card.isVisible()).toBe(true);
      expect(await card.locator('.gate').innerText()).toMatch(/^float32 tolerance: /);
      expect(await card.locator('.chip.group').innerText()).toMatch(/\w/);
      const svg = card.locator('svg.dist');
      expect(await svg.isVisible()).toBe(true);
      expect(await svg.locator('circle[fill="#b3261e"]').count()).toBeGreaterThan(0);
      expect(await card.locator('ol.worst li').count()).toBeGreaterThan(0);
      expect(await page.locator('table.cases svg.dist').count()).toBeGreaterThan(5);
      // At a glance: the first screen shows a failing case with its gate and feature group.
      const first = page.locator('#overview tr[data-status="fail"]').first();
      expect((await first.boundingBox())!.y).toBeLessThan(1000);
      expect(await first.locator('.gate').innerText()).toMatch(/tolerance/);
      expect(await first.locator('.chip.group').isVisible()).toBe(true);

      const shot = join(tmp, 'report.png');
      const png = await page.screenshot({ path: process.env['NNLSTM_SCREENSHOT'] ?? shot });
      const img = decodePng(png);
      expect([img.width, img.height]).toEqual([1280, 1000]);
      // The verdict banner is on screen, red (#b3261e) behind the text.
      const box = (await verdict.boundingBox())!;
      expect(box.y + box.height).toBeLessThan(1000);
      let red = 0;
      let n = 0;
      for (let x = Math.ceil(box.x) + 2; x < box.x + box.width - 2; x += 3) {
        for (let y = Math.ceil(box.y) + 2; y < box.y + box.height - 2; y += 3) {
          const [r, g, b] = img.px(x, y);
          n++;
          if (Math.abs(r - 0xb3) < 12 && Math.abs(g - 0x26) < 12 && Math.abs(b - 0x1e) < 12) red++;
        }
      }
      expect(red / n).toBeGreaterThan(0.5);
      // And the page is not blank: many distinct colours.
      const colours = new Set<string>();
      for (let y = 0; y < img.height; y += 7) for (let x = 0; x < img.width; x += 7) colours.add(img.px(x, y).join(','));
      expect(colours.size).toBeGreaterThan(20);
    } finally {
      await browser.close();
    }
  });

  it.skipIf(chromiumMissing)('--driver tflite (many unsupported cases): the first failure is on the first screen (1280×800), unsupported cases grey with their reason, ids readable, the legend before the first plot', async () => {
    const html = join(tmp, 'tflite.html');
    expect(await main(['conformance', '--driver', 'tflite', '--html', html])).toBe(1);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(pathToFileURL(html).href);
      await page.screenshot({ path: process.env['NNLSTM_SCREENSHOT_TFLITE'] ?? join(tmp, 'tflite.png') });
      // The first failing row, whole, on the first screen, with its gate.
      const first = page.locator('#overview tr[data-status="fail"]').first();
      const box = (await first.boundingBox())!;
      expect(box.y + box.height).toBeLessThanOrEqual(800);
      expect(await first.locator('.gate').innerText()).toMatch(/tolerance|accepted an invalid model/);
      // No unsupported case among the failures; they have their own section, grouped by reason, grey.
      expect(await page.locator('#overview tr[data-status="unsupported"]').count()).toBe(0);
      const unsup = page.locator('#unsupported details.unsup');
      expect(await unsup.count()).toBeGreaterThan(1);
      expect(await unsup.first().locator('summary').innerText()).toMatch(/^\d+ case\(s\): \S/);
      const border = await unsup.first().evaluate((e) => getComputedStyle(e).borderLeftColor);
      const [r, g, b] = border.match(/\d+/g)!.map(Number);
      expect(Math.max(r!, g!, b!) - Math.min(r!, g!, b!)).toBeLessThan(30); // grey, not red
      const badge = page.locator('#all-cases tr[data-status="unsupported"] .badge').first();
      const bg = (await badge.evaluate((e) => getComputedStyle(e).backgroundColor)).match(/\d+/g)!.map(Number);
      expect(Math.max(...bg) - Math.min(...bg)).toBeLessThan(30);
      // The legend comes before the first plot.
      const legend = (await page.locator('#legend').boundingBox())!;
      const plot = (await page.locator('#overview table svg.dist').first().boundingBox())!;
      expect(legend.y + legend.height).toBeLessThanOrEqual(plot.y);
      // Long ids wrap at their separators over a few lines; the page does not scroll sideways.
      const ids = await page.locator('#overview td.id').evaluateAll((cells) =>
        cells.map((c) => {
          const range = document.createRange();
          range.selectNodeContents(c);
          return range.getBoundingClientRect().height / parseFloat(getComputedStyle(c).lineHeight);
        }),
      );
      expect(Math.max(...ids)).toBeLessThan(5.5);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
      // What was verified is on the first screen too.
      const verified = (await page.locator('#verified').boundingBox())!;
      expect(verified.y).toBeLessThan(800);
      expect(await page.locator('#verified').innerText()).toMatch(/^VERIFIED: \d+ of \d+ positive case\(s\) within tolerance \(\d+ unsupported\)/);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
