/**
 * `nnlstm/node`: what needs Node — model and case files, drivers by name (the TFLite runtime, mutants,
 * out-of-process `exec:` drivers and `module:` drivers), and `.tflite` files.
 *
 * @example
 * ```ts
 * import { runConformance, formatSummary } from 'nnlstm';
 * import { createDriver, loadCases } from 'nnlstm/node';
 * const driver = await createDriver('exec:"python3 my_driver.py"', { timeoutMs: 5000 });
 * const report = await runConformance(driver, loadCases());
 * await driver.close?.();
 * console.log(formatSummary(report));
 * ```
 * @packageDocumentation
 * @module nnlstm/node
 */
import { readFileSync } from 'node:fs';
import { readTflite, type ReadOptions, type TfliteModel } from './tflite/reader.js';

export { loadModelFile, readJsonFile } from './model/load-file.js';
export { loadCases, loadGoldenCase, loadNegativeCase, type LoadCasesOptions } from './conformance/cases.js';
export { createDriver, knownDriverNames, registerDriver, unregisterDriver, UnknownDriverError, type DriverOptions } from './hosts/registry.js';
export { ExecDriver, splitCommandLine, type ExecDriverOptions } from './drivers/exec/exec-driver.js';
export type { DriverUnavailable, DriverFault } from './drivers/case-hooks.js';
export { loadModuleDriver, ModuleDriverError } from './drivers/module-driver.js';
export { TfliteDriver } from './tflite/driver.js';
export { nodeWorkerSpawner } from './ops/fast/threads-node.js';

/**
 * Reads and verifies a `.tflite` file: its bytes (`bytes`) and the decoded model (`model`).
 * @throws TfliteFormatError (kind, byte offset, field path) for a malformed file; the file system's error when unreadable.
 *
 * @example
 * ```ts
 * import { readTfliteFile } from 'nnlstm/node';
 * import { inspectTflite } from 'nnlstm/tflite';
 * const { model } = readTfliteFile('model.tflite');
 * for (const op of inspectTflite(model).lstmOps) console.log(op.op, op.features);
 * ```
 */
export function readTfliteFile(path: string, options: ReadOptions = {}): { bytes: Uint8Array; model: TfliteModel } {
  const bytes = new Uint8Array(readFileSync(path));
  return { bytes, model: readTflite(bytes, options) };
}
