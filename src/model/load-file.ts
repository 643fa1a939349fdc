/**
 * Model-bearing JSON files from the file system (Node only; src/model/load.ts does the rest and runs anywhere).
 */
import { readFileSync } from 'node:fs';
import type { Model } from './model.js';
import { ModelFileError, modelFromJson, parseJsonText } from './load.js';

/**
 * Read and parse a JSON file; throws ModelFileError (kind 'read' or 'parse').
 *
 * @example
 * ```ts
 * import { casesFromDocuments } from 'nnlstm';
 * import { readJsonFile } from 'nnlstm/node';
 * const cases = casesFromDocuments([{ path: 'golden/mine/case.json', data: readJsonFile('case.json') }]);
 * ```
 */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
    throw new ModelFileError(file, 'read', `cannot read: ${why}`);
  }
  return parseJsonText(text, file);
}

/**
 * Load a model JSON file (bare model, golden file or negative case). Throws ModelFileError.
 *
 * @example
 * ```ts
 * import { validateModel } from 'nnlstm';
 * import { loadModelFile } from 'nnlstm/node';
 * const verdict = validateModel(loadModelFile('model.json'));
 * ```
 */
export function loadModelFile(path: string): Model {
  return modelFromJson(readJsonFile(path), path);
}
