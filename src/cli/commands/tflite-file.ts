/**
 * The `.tflite` side of `nnlstm validate` and `nnlstm inspect`: reading the file and rendering the
 * verdict (src/tflite/validate-tflite.ts computes it). Exit 2 for an unreadable or malformed file.
 */
import { TfliteFormatError } from '../../tflite/errors.js';
import { readTflite, type TfliteModel } from '../../tflite/reader.js';
import { describeFormatError, renderValidation, validateTflite, type ValidateTfliteOptions } from '../../tflite/validate-tflite.js';
import { intFlag, readModelFile, type ParsedArgs } from '../command.js';

/** Reads and verifies a `.tflite` file; any failure is a CliError (exit 2) of one line. */
export function readTfliteFile(file: string): { bytes: Uint8Array; model: TfliteModel } {
  return readModelFile(file, '.tflite', readTflite, (e) => (e instanceof TfliteFormatError ? describeFormatError(e) : undefined));
}


/** The `.tflite` branch of `nnlstm validate` (dispatched from src/cli/commands/validate.ts). */
export async function validateTfliteCommand(file: string, opts: { json: boolean; strict?: boolean; args?: ParsedArgs }): Promise<number> {
  const seeds = intFlag(opts.args, 'seeds', 1);
  const seed = intFlag(opts.args, 'seed', 0);
  const { model, bytes } = readTfliteFile(file);
  const vopts: ValidateTfliteOptions = { bytes, strict: !!opts.strict };
  if (seeds !== undefined) vopts.seeds = seeds;
  if (seed !== undefined) vopts.seed = seed;
  const v = await validateTflite(model, file, vopts);
  if (opts.json) process.stdout.write(JSON.stringify(v, null, 2) + '\n');
  else process.stdout.write(renderValidation(v));
  return v.exitCode;
}
