/**
 * The `.tflite` side of `nnlstm validate` and `nnlstm inspect`: reading the file and rendering the
 * verdict (src/tflite/validate-tflite.ts computes it). Exit 2 for an unreadable or malformed file.
 */
import { readFileSync } from 'node:fs';
import { TfliteFormatError } from '../../tflite/errors.js';
import { readTflite, type TfliteModel } from '../../tflite/reader.js';
import { describeFormatError, renderValidation, validateTflite, type ValidateTfliteOptions } from '../../tflite/validate-tflite.js';
import { CliError, flagString, type ParsedArgs } from '../command.js';

/** Reads and verifies a `.tflite` file; any failure is a CliError (exit 2) of one line. */
export function readTfliteFile(file: string): { bytes: Uint8Array; model: TfliteModel } {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read ${file}: ${code ?? (e instanceof Error ? e.message : String(e))}`, 2);
  }
  try {
    return { bytes, model: readTflite(bytes) };
  } catch (e) {
    if (e instanceof TfliteFormatError) throw new CliError(`${file}: malformed .tflite: ${describeFormatError(e)}`, 2);
    throw new CliError(`${file}: malformed .tflite: ${(e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ')}`, 2);
  }
}

function intFlag(args: ParsedArgs | undefined, name: string, min: number): number | undefined {
  if (!args) return undefined;
  const v = flagString(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return n;
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
