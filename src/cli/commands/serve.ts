/**
 * `nnlstm serve [--port P] [--host H]`: serves the web page (dist/web/, built by scripts/build-web.mjs) on loopback
 * by default. A static file server and nothing more: the page does all the work, the model never leaves it.
 * Besides dist/web/ it answers two paths from files the package already has, so they are not shipped twice:
 * `/suite-documents.js` (dist/conformance/suite-documents.generated.js) and `/wasm/…` (the TFLite WebAssembly
 * runtime of the installed @tensorflow/tfjs-tflite, with a `manifest.json` naming its builds). GET and HEAD only;
 * paths are resolved inside their folder and anything that escapes it (`..`, encoded or not, NUL, symlinks out) is 404.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fromRoot } from '../../util/paths.js';
import { CliError, flagString, parseOptions, type Command } from '../command.js';

const HELP = `usage: nnlstm serve [--port P] [--host H]

Serves the nnlstm web page: drop a .tflite or model JSON and see every LSTM op, its NNAPI verdict and its
numeric check, and run the conformance suite — all in the browser; nothing is uploaded.
--port P  port to listen on (default 8080; 0 = any free port)
--host H  address to bind (default 127.0.0.1, loopback only; 0.0.0.0 exposes the page to the network)
Prints the URL; Ctrl-C stops it. The numeric check needs @tensorflow/tfjs-tflite installed next to nnlstm.`;

/** Content types by extension (the page's files; .wasm must be application/wasm for streaming compilation). */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Where the served files come from. */
export interface WebServerOptions {
  /** The built page (default dist/web/ of the package). */
  root?: string;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 8080; 0 = any free port). */
  port?: number;
  /** The suite documents module (default: root/suite-documents.js, else dist/conformance/suite-documents.generated.js). */
  suiteDocuments?: string;
  /** Folder of the tfjs-tflite WASM builds (default: root/wasm/, else the installed @tensorflow/tfjs-tflite's wasm/). */
  wasmDir?: string | null;
}

/** A running server. */
export interface WebServer {
  /** http://host:port/ */
  url: string;
  server: Server;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** The installed @tensorflow/tfjs-tflite: its wasm/ folder and version, or undefined. */
function installedTflite(): { dir: string; version: string } | undefined {
  const require = createRequire(import.meta.url);
  try {
    const pkgJson = require.resolve('@tensorflow/tfjs-tflite/package.json');
    return { dir: join(dirname(pkgJson), 'wasm'), version: (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version };
  } catch {
    return undefined;
  }
}

/**
 * Sent with every file, so the worker (whose policy is its own response's) is held to it too: scripts, fetches and
 * frames from this origin only ('unsafe-eval': the Emscripten factory is evaluated from its fetched text).
 */
export const CSP = "default-src 'self'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; frame-src 'self' blob: data:; worker-src 'self'; connect-src 'self'";

const BUILDS = [
  { flavor: 'simd', js: 'tflite_web_api_cc_simd.js', wasm: 'tflite_web_api_cc_simd.wasm' },
  { flavor: 'plain', js: 'tflite_web_api_cc.js', wasm: 'tflite_web_api_cc.wasm' },
] as const;

/**
 * The file under `dir` that URL path `rel` names, or undefined when it does not exist or is outside `dir`
 * (after decoding and resolving `..`, and after following symlinks).
 */
export function fileInside(dir: string, rel: string): string | undefined {
  if (rel.includes('\0')) return undefined;
  const base = resolve(dir);
  const file = resolve(base, '.' + (rel.startsWith('/') ? rel : `/${rel}`));
  if (file !== base && !file.startsWith(base + sep)) return undefined;
  if (!existsSync(file)) return undefined;
  let real: string;
  let realBase: string;
  try {
    real = realpathSync(file);
    realBase = realpathSync(base);
  } catch {
    return undefined;
  }
  if (real !== realBase && !real.startsWith(realBase + sep)) return undefined;
  return statSync(real).isFile() ? real : undefined;
}

/** Starts the static server; resolves once it listens. */
export function startWebServer(opts: WebServerOptions = {}): Promise<WebServer> {
  const root = resolve(opts.root ?? fromRoot('dist', 'web'));
  if (!existsSync(join(root, 'index.html'))) throw new CliError(`the web page is not built (${join(root, 'index.html')} is missing): run \`npm run build:web\``, 2);
  const suiteDocuments = opts.suiteDocuments ?? (existsSync(join(root, 'suite-documents.js')) ? join(root, 'suite-documents.js') : fromRoot('dist', 'conformance', 'suite-documents.generated.js'));
  let wasm: { dir: string; manifest: string } | undefined;
  if (opts.wasmDir !== null) {
    const own = opts.wasmDir ?? join(root, 'wasm');
    if (existsSync(join(own, 'manifest.json'))) wasm = { dir: own, manifest: readFileSync(join(own, 'manifest.json'), 'utf8') };
    else {
      const inst = opts.wasmDir ? { dir: opts.wasmDir, version: 'unknown' } : installedTflite();
      if (inst) {
        const builds = BUILDS.filter((b) => existsSync(join(inst.dir, b.js)) && existsSync(join(inst.dir, b.wasm)));
        if (builds.length) wasm = { dir: inst.dir, manifest: JSON.stringify({ version: inst.version, builds }) };
      }
    }
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: string | Buffer, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache', 'Cross-Origin-Resource-Policy': 'same-origin', 'Content-Security-Policy': CSP });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(405, 'method not allowed\n');
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return send(400, 'bad request\n');
    }
    let file: string | undefined;
    if (path === '/' || path === '/index.html') file = join(root, 'index.html');
    else if (path === '/suite-documents.js') file = existsSync(suiteDocuments) ? suiteDocuments : undefined;
    else if (path.startsWith('/wasm/')) {
      if (!wasm) return send(404, 'no TFLite runtime: install @tensorflow/tfjs-tflite next to nnlstm for the numeric check\n');
      if (path === '/wasm/manifest.json') return send(200, wasm.manifest, CONTENT_TYPES['.json']);
      file = fileInside(wasm.dir, path.slice('/wasm'.length));
    } else file = fileInside(root, path);
    if (!file) return send(404, 'not found\n');
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    try {
      send(200, readFileSync(file), type);
    } catch {
      send(404, 'not found\n');
    }
  };

  const server = createServer(handler);
  return new Promise((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(new CliError(e.code === 'EADDRINUSE' ? `port ${opts.port ?? 8080} is in use on ${opts.host ?? '127.0.0.1'}: pick another with --port (0 = any free port)` : `cannot listen: ${e.message}`, 2)),
    );
    server.listen(opts.port ?? 8080, opts.host ?? '127.0.0.1', () => {
      const a = server.address() as AddressInfo;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      ok({
        url: `http://${host}:${a.port}/`,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export const command: Command = async (argv) => {
  const args = parseOptions(argv, ['port', 'host'], HELP);
  if (args.flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (args.positional.length) throw new CliError(`unexpected argument '${args.positional[0]}'\n${HELP}`);
  const portText = flagString(args, 'port');
  const port = portText === undefined ? 8080 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be an integer 0…65535, got '${portText}'`);
  const host = flagString(args, 'host') ?? '127.0.0.1';
  const web = await startWebServer({ host, port });
  process.stdout.write(`nnlstm serve: ${web.url} (Ctrl-C to stop)\n`);
  if (!LOOPBACK.has(host)) process.stdout.write(`nnlstm serve: listening on ${host}, not loopback only: anyone who can reach this address can load the page\n`);
  if (!existsSync(join(fromRoot('dist', 'web'), 'wasm')) && !installedTflite()) process.stdout.write('nnlstm serve: @tensorflow/tfjs-tflite is not installed: the page skips the numeric check (npm install @tensorflow/tfjs-tflite)\n');
  return new Promise<number>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void web.close().then(() => done(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
};
