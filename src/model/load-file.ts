/**
 * Model-bearing JSON files from the file system (Node only; src/model/load.ts does the rest and runs anywhere).
 */
import { readFileSync } from 'node:fs';
import type { Model } from './model.js';
import { ModelFileError, modelFromJson, parseJsonText } from './load.js';

/** Read and parse a JSON file; throws ModelFileError (kind 'read' or 'parse'). */
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

/** Load a model JSON file (bare model, golden file or negative case). Throws ModelFileError. */
export function loadModelFile(path: string): Model {
  return modelFromJson(readJsonFile(path), path);
}
