/**
 * Drivers by name, for the CLI. Each driver module is imported lazily so that naming one never
 * loads the others (the TFLite runtime is heavy).
 *
 * Add a driver with one line in DRIVERS ("name": () => import(...).then(...)), or a family of
 * drivers with one line in DRIVER_FAMILIES ("prefix": (arg) => ...), used as `prefix:<arg>`.
 */
import type { Driver } from '../drivers/driver.js';

type DriverFactory = () => Promise<Driver>;
/** Options some drivers take (out-of-process ones: exec:). */
export interface DriverOptions {
  /** Per-case time budget of an out-of-process driver, ms (default 10 000). */
  timeoutMs?: number;
  /** Budget of an out-of-process driver to answer hello after each (re)start, ms (default 5 000, at most timeoutMs). */
  helloTimeoutMs?: number;
}
/** Resolves undefined for an unknown arg (the registry then reports the name as unknown). */
type DriverFamilyFactory = (arg: string, options: DriverOptions) => Promise<Driver | undefined>;

const DRIVERS: Record<string, DriverFactory> = {
  reference: async () => new (await import('../drivers/reference.js')).ReferenceDriver(),
  'reference-fast': async () => new (await import('../drivers/reference.js')).ReferenceDriver({ name: 'reference-fast', fast: true }),
  tflite: async () => new (await import('../tflite/driver.js')).TfliteDriver(),
  onnxruntime: async () => new (await import('../onnx/driver.js')).OnnxRuntimeDriver({ flavor: 'node' }),
  'onnxruntime-web': async () => new (await import('../onnx/driver.js')).OnnxRuntimeDriver({ flavor: 'web' }),
};

/**
 * `family:<arg>` names, e.g.
 *   mutant: { describe: '<id>', create: async (id) => (await import('../drivers/mutants.js')).findMutant(id)?.create() },
 */
const DRIVER_FAMILIES: Record<string, { describe: string; create: DriverFamilyFactory }> = {
  mutant: { describe: '<id>', create: async (id) => (await import('../drivers/mutants.js')).findMutant(id)?.create() },
  exec: { describe: '"COMMAND ARGS"', create: async (cmd, o) => new (await import('../drivers/exec/exec-driver.js')).ExecDriver({ command: cmd, ...o }) },
  module: { describe: 'PATH', create: async (path) => (await import('../drivers/module-driver.js')).loadModuleDriver(path) },
};

/** Drivers registered at run time (tests, plugins); they take precedence over the built-ins. */
const extra = new Map<string, DriverFactory>();

/**
 * Thrown by {@link createDriver} for a name it does not know; the message lists the known names.
 *
 * @example
 * ```ts
 * import { createDriver, UnknownDriverError } from 'nnlstm/node';
 * try {
 *   await createDriver('npu');
 * } catch (e) {
 *   if (e instanceof UnknownDriverError) console.error(e.message); // unknown driver 'npu'; known drivers: reference, …
 * }
 * ```
 */
export class UnknownDriverError extends Error {
  /** `'UnknownDriverError'`, for telling errors apart without instanceof (e.g. across bundles). */
  override readonly name = 'UnknownDriverError';
}

/**
 * Registers (or replaces) a driver factory under a name; it takes precedence over a built-in of that name.
 *
 * @example
 * ```ts
 * import { ReferenceDriver } from 'nnlstm';
 * import { registerDriver, createDriver } from 'nnlstm/node';
 * registerDriver('reference-aosp-none', async () => new ReferenceDriver({ name: 'reference-aosp-none', activationNoneVariant: 'aosp-code' }));
 * const driver = await createDriver('reference-aosp-none');
 * ```
 */
export function registerDriver(name: string, factory: DriverFactory): void {
  extra.set(name, factory);
}

/**
 * Removes a driver added with {@link registerDriver}; false when none was registered under that name.
 *
 * @example
 * ```ts
 * import { unregisterDriver } from 'nnlstm/node';
 * unregisterDriver('reference-aosp-none');
 * ```
 */
export function unregisterDriver(name: string): boolean {
  return extra.delete(name);
}

/**
 * Known names: plain drivers, then `family:<…>` patterns.
 *
 * @example
 * ```ts
 * import { knownDriverNames } from 'nnlstm/node';
 * knownDriverNames(); // ['reference', 'reference-fast', 'tflite', 'onnxruntime', 'onnxruntime-web', 'mutant:<id>', 'exec:"COMMAND ARGS"', 'module:PATH']
 * ```
 */
export function knownDriverNames(): string[] {
  // The built-in drivers in their table's order (the reference first), then registered ones by name.
  const plain = [...Object.keys(DRIVERS), ...[...extra.keys()].filter((k) => !(k in DRIVERS)).sort()];
  const families = Object.entries(DRIVER_FAMILIES).map(([p, f]) => `${p}:${f.describe}`);
  return [...plain, ...families];
}

/**
 * Creates the driver called `name` (a name of {@link knownDriverNames}, e.g. `reference`, `tflite`,
 * `exec:"python3 drv.py"`, `module:./drv.mjs`); UnknownDriverError (listing the known names) otherwise.
 * Close it with `driver.close?.()` when done (out-of-process drivers hold a child process).
 *
 * @example
 * ```ts
 * import { runConformance } from 'nnlstm';
 * import { createDriver, loadCases } from 'nnlstm/node';
 * const driver = await createDriver('exec:"python3 my_driver.py"', { timeoutMs: 5000 });
 * try {
 *   const report = await runConformance(driver, loadCases());
 * } finally {
 *   await driver.close?.();
 * }
 * ```
 */
export async function createDriver(name: string, options: DriverOptions = {}): Promise<Driver> {
  const direct = extra.get(name) ?? (Object.hasOwn(DRIVERS, name) ? DRIVERS[name] : undefined);
  if (direct) return direct();
  const colon = name.indexOf(':');
  const family = colon > 0 ? name.slice(0, colon) : undefined;
  if (family !== undefined && Object.hasOwn(DRIVER_FAMILIES, family)) {
    const d = await DRIVER_FAMILIES[family]!.create(name.slice(colon + 1), options);
    if (d) return d;
  }
  throw new UnknownDriverError(`unknown driver '${name}'; known drivers: ${knownDriverNames().join(', ')}`);
}
