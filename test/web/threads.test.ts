/**
 * The fast path's threads in real headless Chromium (playwright-core, Debian `chromium`), through
 * browserWorkerSpawner: a page served by a small server of this test with COOP `same-origin` + COEP
 * `require-corp` (cross-origin isolated) starts a dedicated worker (test/web/threads.entry.ts, bundled
 * with esbuild) that runs a W2np-like sequence (B=8, input 256, 512 units, peephole, T=10) with 2
 * threads and with 1: the outputs and final states must be identical bit for bit and the workers must
 * have computed chunks; prepareModel with threads likewise, and its close(). The timings are logged,
 * not asserted. The same page's main thread is refused (cannot-block), and a page served without the
 * two headers gets the spawner's not-cross-origin-isolated error in its worker.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/paths.js';

const CHROMIUM = '/usr/bin/chromium';
const chromiumMissing = !existsSync(CHROMIUM);
if (chromiumMissing) console.warn(`browser threads tests skipped: ${CHROMIUM} is not installed (apt-get install chromium; .ci/run does it)`);

const PAGE = '<!doctype html><meta charset="utf-8"><title>nnlstm threads</title><script src="threads.js"></script>\n';
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

let work: string;
let script: Buffer;
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  if (chromiumMissing) return;
  work = mkdtempSync(join(tmpdir(), 'nnlstm-threads-'));
  await build({ entryPoints: [fromRoot('test', 'web', 'threads.entry.ts')], outfile: join(work, 'threads.js'), bundle: true, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'warning' });
  script = readFileSync(join(work, 'threads.js'));
  // /iso/… is cross-origin isolated (both headers on every response, the worker's script included); /plain/… is not.
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/(iso|plain)\/(threads\.js)?$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const headers = { 'Cache-Control': 'no-store', ...(m[1] === 'iso' ? ISOLATION : {}) };
    if (m[2]) res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript; charset=utf-8' }).end(script);
    else res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  if (work) rmSync(work, { recursive: true, force: true });
});

interface ErrorInfo {
  name: string;
  reason: string | null;
  message: string;
  status?: string;
}

/** Opens `path`, waits for the script's result (main thread and worker). */
async function result(path: string): Promise<{ mainThread: ErrorInfo | null; worker: Record<string, unknown> }> {
  const page: Page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(base + path);
    await page.waitForFunction('window.__result !== undefined', undefined, { timeout: 90_000 });
    expect(errors).toEqual([]);
    return (await page.evaluate('window.__result')) as { mainThread: ErrorInfo | null; worker: Record<string, unknown> };
  } finally {
    await page.close();
  }
}

describe.skipIf(chromiumMissing)('fast path threads in headless Chromium (browserWorkerSpawner)', () => {
  it('cross-origin-isolated page, dedicated worker: 2 threads = 1 thread bit for bit, the workers took part; prepareModel with threads too, and close()', async () => {
    const { mainThread, worker } = await result('/iso/?mode=positive');
    expect(worker['failed']).toBeUndefined();
    expect(worker['crossOriginIsolated']).toBe(true);
    expect(worker['threadCount']).toBe(2);
    expect(worker['outputs']).toBe(10 * 8 * 512);
    expect(worker['mismatches']).toBe(0);
    expect(worker['workerChunks']).toBeGreaterThan(0);
    expect(worker['preparedMismatches']).toBe(0);
    expect(worker['preparedWorkers']).toBe(1);
    expect(worker['preparedChunks']).toBeGreaterThan(0);
    expect(worker['afterClose']).toMatchObject({ name: 'ExecutionError', status: 'BAD_STATE' });
    console.log(
      `browser threads (W2np-like: B=8, I=256, N=512, peephole, T=10), median of 5 runs: 1 thread ${(worker['oneMs'] as number).toFixed(1)} ms, ` +
        `2 threads ${(worker['twoMs'] as number).toFixed(1)} ms per sequence (${worker['runs']} runs until the worker took part; ${worker['workerChunks']} chunks by the worker)`,
    );
    // The page's main thread of the same (isolated) page may not block: the spawner says so.
    expect(mainThread).toMatchObject({ name: 'ThreadsUnavailableError', reason: 'cannot-block' });
    expect(mainThread!.message).toMatch(/dedicated Worker/);
  }, 120_000);

  it('a page without cross-origin isolation: the spawner refuses with the clear error (in the worker and on the main thread)', async () => {
    const { mainThread, worker } = await result('/plain/?mode=negative');
    expect(worker['crossOriginIsolated']).toBe(false);
    const error = worker['error'] as ErrorInfo;
    expect(error).toMatchObject({ name: 'ThreadsUnavailableError', reason: 'not-cross-origin-isolated' });
    expect(error.message).toMatch(/Cross-Origin-Opener-Policy: same-origin/);
    expect(error.message).toMatch(/Cross-Origin-Embedder-Policy: require-corp/);
    expect(mainThread).toMatchObject({ name: 'ThreadsUnavailableError', reason: 'not-cross-origin-isolated' });
  }, 60_000);

});
