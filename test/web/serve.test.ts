/**
 * `nnlstm serve`: the static server of the web page — loopback by default, the page's content types (application/wasm
 * included), the suite documents and the TFLite runtime answered from the package's own files, nothing outside its
 * folders (`..`, encoded or not, NUL, symlinks), GET/HEAD only; and the command prints its URL and exits 0 on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP, fileInside, startWebServer, type WebServer } from '../../src/cli/commands/serve.js';
import { fromRoot } from '../../src/util/paths.js';

let dir: string;
let web: WebServer;

/** A raw request (no URL normalisation by a client library): status, headers, body. */
function get(url: string, path: string, method = 'GET'): Promise<{ status: number; type: string | undefined; headers: Record<string, unknown>; body: Buffer }> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, type: res.headers['content-type'], headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nnlstm-serve-'));
  const root = join(dir, 'web');
  mkdirSync(join(root, 'sub'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(root, 'main.js'), 'export {};');
  writeFileSync(join(root, 'style.css'), 'body{}');
  writeFileSync(join(root, 'sub', 'a.json'), '{}');
  writeFileSync(join(dir, 'secret.txt'), 'outside');
  symlinkSync(join(dir, 'secret.txt'), join(root, 'link.txt'));
  writeFileSync(join(dir, 'suite.js'), 'export const SUITE_DOCUMENTS = [];');
  web = await startWebServer({ root, port: 0, suiteDocuments: join(dir, 'suite.js') });
});
afterAll(async () => {
  await web?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('nnlstm serve: the static server', () => {
  it('binds loopback by default and serves the page with its content types and a same-origin CSP', async () => {
    expect(web.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await get(web.url, '/');
    expect(index.status).toBe(200);
    expect(index.type).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toBe(CSP);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect((await get(web.url, '/main.js')).type).toBe('text/javascript; charset=utf-8');
    expect((await get(web.url, '/style.css')).type).toBe('text/css; charset=utf-8');
    expect((await get(web.url, '/sub/a.json')).type).toBe('application/json; charset=utf-8');
    const suite = await get(web.url, '/suite-documents.js');
    expect([suite.status, suite.body.toString()]).toEqual([200, 'export const SUITE_DOCUMENTS = [];']);
    const head = await get(web.url, '/main.js', 'HEAD');
    expect([head.status, head.body.length, head.headers['content-length']]).toEqual([200, 0, '10']);
  });

  it('serves the TFLite runtime as application/wasm with a manifest of its builds', async () => {
    const m = await get(web.url, '/wasm/manifest.json');
    expect(m.status).toBe(200);
    const manifest = JSON.parse(m.body.toString()) as { version: string; builds: { flavor: string; js: string; wasm: string }[] };
    expect(manifest.builds.map((b) => b.flavor)).toEqual(['simd', 'plain']);
    const w = await get(web.url, `/wasm/${manifest.builds[0]!.wasm}`, 'HEAD');
    expect([w.status, w.type]).toEqual([200, 'application/wasm']);
    expect((await get(web.url, '/wasm/../package.json')).status).toBe(404);
  });

  it('refuses everything outside its folders and any method but GET and HEAD', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/sub/..%2f..%2fsecret.txt', '/%2e%2e%2f%2e%2e%2fpackage.json', '/link.txt', '/a%00.js', '/sub', '/nope.js', '/wasm/%2e%2e%2f%2e%2e%2fpackage.json']) {
      const r = await get(web.url, p);
      expect(r.status, p).toBeGreaterThanOrEqual(400);
      expect(r.body.toString(), p).not.toContain('outside');
    }
    expect((await get(web.url, '/', 'POST')).status).toBe(405);
    expect(fileInside(join(dir, 'web'), '/../secret.txt')).toBeUndefined();
    expect(fileInside(join(dir, 'web'), '/sub/a.json')).toBe(join(dir, 'web', 'sub', 'a.json'));
  });

  it('the command prints its URL, exits 0 on SIGINT, and says when the page is not built', async () => {
    // A minimal package layout (package.json + spec/ mark the root; dist/web/ the page) around a CLI bundle.
    const pkg = join(dir, 'pkg');
    mkdirSync(join(pkg, 'spec'), { recursive: true });
    mkdirSync(join(pkg, 'dist', 'web'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), '{"name":"nnlstm","type":"module"}');
    writeFileSync(join(pkg, 'dist', 'web', 'index.html'), '<!doctype html><title>page</title>');
    await build({ entryPoints: [fromRoot('src/cli/main.ts')], bundle: true, platform: 'node', format: 'esm', outfile: join(pkg, 'cli.mjs'), external: ['onnxruntime-node', '@tensorflow/tfjs-tflite'], logLevel: 'warning', banner: { js: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);" } });
    writeFileSync(join(pkg, 'run.mjs'), `import { main } from './cli.mjs';\nmain(process.argv.slice(2)).then((c) => { process.exitCode = c; });\n`);
    const run = (args: string[], onOut?: (out: string, kill: () => void) => void) =>
      new Promise<{ code: number | null; out: string; err: string }>((done) => {
        const child = spawn(process.execPath, [join(pkg, 'run.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          onOut?.(out, () => child.kill('SIGINT'));
        });
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.on('exit', (code) => done({ code, out, err }));
      });
    let page = '';
    let asked = false;
    const served = await run(['serve', '--port', '0'], (out, kill) => {
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (!m || asked) return;
      asked = true;
      void get(m[0], '/').then((r) => {
        page = r.body.toString();
        kill();
      });
    });
    expect(served.err).toBe('');
    expect(served.out).toMatch(/^nnlstm serve: http:\/\/127\.0\.0\.1:\d+\/ \(Ctrl-C to stop\)\n/);
    expect(page).toBe('<!doctype html><title>page</title>');
    expect(served.code).toBe(0);

    expect(await run(['serve', '--port', 'x'])).toMatchObject({ code: 2, err: expect.stringMatching(/--port must be an integer/) });
    rmSync(join(pkg, 'dist', 'web'), { recursive: true });
    expect(await run(['serve', '--port', '0'])).toMatchObject({ code: 2, err: expect.stringMatching(/the web page is not built .*npm run build:web/) });
  });
});
