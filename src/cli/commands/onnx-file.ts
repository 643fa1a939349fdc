/**
 * The `.onnx` side of `nnlstm validate` and `nnlstm inspect`: recognizing an ONNX file (by extension or by its
 * first bytes), reading it, and printing the verdict (src/onnx/validate-onnx.ts and src/onnx/inspect.ts compute it).
 * Exit 2 for an unreadable or malformed file, with the OnnxFormatError's kind, byte offset and field path.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { OnnxFormatError } from '../../onnx/errors.js';
import { inspectOnnxModel, renderOnnxInspection } from '../../onnx/inspect.js';
import type { OnnxModel } from '../../onnx/model.js';
import { readOnnx } from '../../onnx/reader.js';
import { describeOnnxFormatError, renderOnnxValidation, validateOnnxModel, type ValidateOnnxOptions } from '../../onnx/validate-onnx.js';
import { CliError, flagString, intFlag, readModelFile, type ParsedArgs } from '../command.js';

/** ModelProto's first field tags as exporters write them (ir_version, producer_name, …, graph, opset_import). */
const ONNX_FIRST_TAGS = new Set([0x08, 0x12, 0x1a, 0x22, 0x2a, 0x32, 0x3a, 0x42]);

/**
 * Whether a file is ONNX: its extension is `.onnx`, or (no `.tflite` / `.json` extension) its first bytes are a
 * ModelProto field tag and not a TFLite identifier (`TFL3` at byte 4) or JSON. An unreadable file is not ONNX here
 * (the caller's own path reports it).
 */
export function isOnnxFile(file: string): boolean {
  const lower = file.toLowerCase();
  if (lower.endsWith('.onnx')) return true;
  if (lower.endsWith('.tflite') || lower.endsWith('.json')) return false;
  let head: Uint8Array;
  try {
    // The first bytes only: the file may be large.
    const fd = openSync(file, 'r');
    try {
      const buf = new Uint8Array(16);
      head = buf.subarray(0, readSync(fd, buf, 0, 16, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  if (head.length < 2) return false;
  if (head.length >= 8 && String.fromCharCode(...head.subarray(4, 8)) === 'TFL3') return false;
  return ONNX_FIRST_TAGS.has(head[0]!);
}

/** Reads and parses a `.onnx` file; any failure is a CliError (exit 2) of one line. */
export function readOnnxFile(file: string): { bytes: Uint8Array; model: OnnxModel } {
  return readModelFile(file, '.onnx', (b) => readOnnx(b), (e) => (e instanceof OnnxFormatError ? describeOnnxFormatError(e) : undefined));
}


/** The `.onnx` branch of `nnlstm validate`. */
export async function validateOnnxCommand(file: string, opts: { json: boolean; strict?: boolean; args?: ParsedArgs }): Promise<number> {
  const seeds = intFlag(opts.args, 'seeds', 1);
  const seed = intFlag(opts.args, 'seed', 0);
  const frames = intFlag(opts.args, 'frames', 1);
  const runtime = opts.args ? flagString(opts.args, 'runtime') : undefined;
  if (runtime !== undefined && runtime !== 'node' && runtime !== 'web') throw new CliError(`--runtime must be node (onnxruntime-node) or web (onnxruntime-web), got '${runtime}'`);
  const { model, bytes } = readOnnxFile(file);
  const vopts: ValidateOnnxOptions = { strict: !!opts.strict };
  if (runtime !== undefined) vopts.flavor = runtime;
  if (seeds !== undefined) vopts.seeds = seeds;
  if (seed !== undefined) vopts.seed = seed;
  if (frames !== undefined) vopts.frames = frames;
  const v = await validateOnnxModel(model, bytes, file, vopts);
  if (opts.json) process.stdout.write(JSON.stringify(v, null, 2) + '\n');
  else process.stdout.write(renderOnnxValidation(v));
  return v.exitCode;
}

/** The `.onnx` branch of `nnlstm inspect`. */
export function inspectOnnxCommand(file: string, opts: { json: boolean }): number {
  const { model, bytes } = readOnnxFile(file);
  const r = inspectOnnxModel(model, bytes.length);
  if (opts.json) process.stdout.write(JSON.stringify({ file, ...r }, null, 2) + '\n');
  else process.stdout.write(renderOnnxInspection(file, r));
  return 0;
}
