/**
 * The `module:` driver family: `--driver module:PATH` imports a JavaScript or TypeScript ES module
 * and uses the driver it exports (the Driver interface of driver.ts: name, capabilities, prepare,
 * execute; optionally release, close and the case hooks of case-hooks.ts).
 *
 * What the module may export, looked up in this order: `driver`, then `default`; either a driver
 * object, a driver class (constructed without arguments), or a function returning a driver (or a
 * promise of one). A `.ts` / `.mts` module is transpiled on load with the `typescript` package when
 * it can be found (type-only, no checking); without it, compile the module to JavaScript first.
 */
import { existsSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Driver } from './driver.js';

/**
 * Thrown by {@link loadModuleDriver} when the module is missing, fails to load, or exports no driver.
 *
 * @example
 * ```ts
 * import { loadModuleDriver, ModuleDriverError } from 'nnlstm/node';
 * try {
 *   await loadModuleDriver('./missing-driver.mjs');
 * } catch (e) {
 *   if (e instanceof ModuleDriverError) console.error(e.message);
 * }
 * ```
 */
export class ModuleDriverError extends Error {
  /** `'ModuleDriverError'`, for telling errors apart without instanceof (e.g. across bundles). */
  override readonly name = 'ModuleDriverError';
}

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

/** Loader hooks (run on Node's loader thread) that transpile .ts files with the given typescript. */
const HOOKS = `
let ts;
export async function initialize(data) { const m = await import(data.tsUrl); ts = m.default ?? m; }
export async function resolve(specifier, context, next) {
  try { return await next(specifier, context); } catch (e) {
    if ((specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('file:')) && /\\.(m?)js$/.test(specifier)
        && context.parentURL && /\\.(m|c)?ts$/.test(context.parentURL)) {
      return next(specifier.replace(/\\.(m?)js$/, '.$1ts'), context);
    }
    throw e;
  }
}
export async function load(url, context, next) {
  if (url.startsWith('file:') && /\\.(m|c)?ts$/.test(new URL(url).pathname)) {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(new URL(url), 'utf8');
    const out = ts.transpileModule(source, {
      fileName: new URL(url).pathname,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, inlineSourceMap: true, isolatedModules: true },
    });
    return { format: 'module', source: out.outputText, shortCircuit: true };
  }
  return next(url, context);
}
`;

let hooksRegistered = false;

function registerTypeScriptHooks(fromDir: string): void {
  if (hooksRegistered) return;
  let tsPath: string;
  try {
    // The module's own typescript first, then nnlstm's.
    tsPath = createRequire(resolve(fromDir, 'noop.js')).resolve('typescript');
  } catch {
    try {
      tsPath = createRequire(import.meta.url).resolve('typescript');
    } catch {
      throw new ModuleDriverError('loading a TypeScript driver module needs the typescript package; install it or compile the module to JavaScript');
    }
  }
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { tsUrl: pathToFileURL(tsPath).href } });
  hooksRegistered = true;
}

function looksLikeDriver(x: unknown): x is Driver {
  if (x === null || typeof x !== 'object') return false;
  const d = x as Record<string, unknown>;
  return typeof d['name'] === 'string' && ['capabilities', 'prepare', 'execute'].every((k) => typeof d[k] === 'function');
}

function isClass(f: unknown): f is new () => unknown {
  return typeof f === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(f));
}

async function instantiate(exported: unknown): Promise<unknown> {
  if (isClass(exported)) return new exported();
  if (typeof exported === 'function') return await (exported as () => unknown)();
  return exported;
}

/**
 * Imports `path` (relative to the working directory) and returns the driver it exports (the `module:PATH`
 * driver of {@link createDriver}). Throws ModuleDriverError.
 *
 * @example
 * ```ts
 * import { runConformance } from 'nnlstm';
 * import { loadModuleDriver } from 'nnlstm/node';
 * import { suiteCases } from 'nnlstm/suite';
 * // my-driver.mjs: export default class { name = 'mine'; async capabilities() { … } async prepare(m) { … } async execute(p, inputs) { … } }
 * const report = await runConformance(await loadModuleDriver('./my-driver.mjs'), suiteCases());
 * ```
 */
export async function loadModuleDriver(path: string): Promise<Driver> {
  if (path === '') throw new ModuleDriverError('module: needs a path, e.g. --driver module:./my-driver.js');
  const file = resolve(path);
  if (!existsSync(file)) throw new ModuleDriverError(`driver module ${path} does not exist (${file})`);
  const url = pathToFileURL(file).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (!(TS_EXTENSIONS.has(extname(file)) && code === 'ERR_UNKNOWN_FILE_EXTENSION')) {
      throw new ModuleDriverError(`cannot load driver module ${path}: ${(e as Error).message}`);
    }
    registerTypeScriptHooks(resolve(file, '..'));
    try {
      mod = (await import(`${url}?nnlstm-ts`)) as Record<string, unknown>;
    } catch (e2) {
      throw new ModuleDriverError(`cannot load driver module ${path}: ${(e2 as Error).message}`);
    }
  }
  const exported = mod['driver'] ?? mod['default'];
  if (exported === undefined) throw new ModuleDriverError(`driver module ${path} exports neither 'driver' nor a default export`);
  let d: unknown;
  try {
    d = await instantiate(exported);
  } catch (e) {
    throw new ModuleDriverError(`driver module ${path}: creating the driver failed: ${(e as Error).message}`);
  }
  if (!looksLikeDriver(d)) {
    throw new ModuleDriverError(`driver module ${path}: the exported value is not a driver (needs a string 'name' and functions capabilities, prepare, execute)`);
  }
  return d;
}
