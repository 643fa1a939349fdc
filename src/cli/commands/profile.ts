/**
 * `nnlstm profile MODEL.tflite --delta`: the Δh sparsity profile of a model's LSTM ops
 * (src/tflite/profile-delta.ts) as a table, JSON (--json) and an HTML page with plots (--html).
 */
import { readFileSync } from 'node:fs';
import { TOOL_VERSION } from '../../conformance/runner.js';
import { inspectTflite } from '../../tflite/inspect.js';
import { DEFAULT_FLOAT_THRESHOLD, profileDelta, profileInputsFromJson, type DeltaProfileOptions } from '../../tflite/profile-delta.js';
import { renderDeltaProfileHtml, renderDeltaProfileText } from '../../tflite/profile-delta-render.js';
import type { TfliteIntegerVariant } from '../../ops/tflite-int8/execute.js';
import { CliError, flagString, parseOptions, type Command } from '../command.js';
import { checkOutputs, withJsonErrors, writeOutputs } from '../output-file.js';
import { readTfliteFile } from './tflite-file.js';

const HELP = `usage: nnlstm profile MODEL.tflite --delta [--inputs FILE] [--threshold T] [--stream] [--variant tflite-micro|tflite]
                      [--seeds N] [--seed S] [--runtime-inputs] [--no-steps] [--json] [--html OUT.html]

Runs every LSTM / UNIDIRECTIONAL_SEQUENCE_LSTM op of the model on the given inputs and reports, per op and time
step, the fraction of Δh_t = h_t − h_{t−1} elements that are zero (h = the op's recurrent input, its output
state; h_0 = the initial state), the recurrent multiply-adds a zero-skipping unit would skip (gates·n_c per zero
element and batch row) and a histogram of |Δh|.
Integer 8x8→16 ops: exact zeros in the quantized domain, computed by the integer reference (--variant, default
tflite-micro). Float ops: |Δh| ≤ T (--threshold, default ${DEFAULT_FLOAT_THRESHOLD} = 2^-7), computed by the reference.
An op reading the model input gets the inputs; one reading an earlier LSTM op's output gets that op's output as
computed here; any other op's input is computed by the TFLite runtime running the model (the report says which).
--runtime-inputs: take every input that is not the model input from the TFLite runtime (no chaining).
--inputs FILE: JSON — { "inputs": [{ "label", "values" }] }, a number array, or a ../shared/models reference
  file (micro_speech_lstm_features.json, dtln_noise_suppression_inout.json, mnist_lstm_samples.json).
  Without it: --seeds N (default 2) seeded inputs from --seed S (default 1).
--stream: carry the LSTM states from one input to the next (a stream of invocations), else each starts at zero.
--json: the profile as JSON on stdout. --html OUT.html: a page with the plots. --no-steps: no per-step table.
Exit codes: 0 ok, 1 no LSTM op could be profiled, 2 bad usage or unreadable input.`;

const OPTIONS = ['delta', 'inputs', 'threshold', 'stream', 'variant', 'seeds', 'seed', 'runtime-inputs', 'no-steps', 'json', 'html'];

function num(v: string | undefined, name: string, check: (n: number) => boolean, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || !check(n)) throw new CliError(`--${name} must be ${what}, got '${v}'`);
  return n;
}

export const command: Command = async (argv) => {
  const args = parseOptions(argv, OPTIONS, HELP, ['json', 'help', 'delta', 'stream', 'no-steps', 'runtime-inputs']);
  if (args.flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  return withJsonErrors(argv, TOOL_VERSION, async () => {
    const file = args.positional[0];
    if (!file || args.positional.length > 1) throw new CliError(`expected one MODEL.tflite\n${HELP}`);
    if (!args.flags.has('delta')) throw new CliError(`the profile to compute must be named: --delta (the only one so far)\n${HELP}`);
    const html = flagString(args, 'html');
    if (html !== undefined) checkOutputs([{ option: '--html', target: html }]);
    const variant = flagString(args, 'variant');
    if (variant !== undefined && variant !== 'tflite-micro' && variant !== 'tflite') throw new CliError(`--variant must be tflite-micro or tflite, got '${variant}'`);
    const { bytes, model } = readTfliteFile(file);
    const opts: DeltaProfileOptions = { bytes, stream: args.flags.has('stream'), chain: !args.flags.has('runtime-inputs') };
    const threshold = num(flagString(args, 'threshold'), 'threshold', (n) => n >= 0, 'a number ≥ 0');
    if (threshold !== undefined) opts.threshold = threshold;
    if (variant) opts.variant = variant as TfliteIntegerVariant;
    const seeds = num(flagString(args, 'seeds'), 'seeds', (n) => Number.isInteger(n) && n >= 1, 'an integer ≥ 1');
    const seed = num(flagString(args, 'seed'), 'seed', (n) => Number.isInteger(n) && n >= 0, 'an integer ≥ 0');
    if (seeds !== undefined) opts.seeds = seeds;
    if (seed !== undefined) opts.seed = seed;
    const inputsFile = flagString(args, 'inputs');
    if (inputsFile !== undefined) {
      let doc: unknown;
      try {
        doc = JSON.parse(readFileSync(inputsFile, 'utf8'));
      } catch (e) {
        throw new CliError(`--inputs ${inputsFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const sg = model.subgraphs[0];
      const t = sg ? sg.tensors[sg.inputs[0]!] : undefined;
      if (!t) throw new CliError(`${file}: subgraph 0 has no input`);
      const integer = inspectTflite(model).lstmOps.some((o) => o.isInteger) && t.type !== 'FLOAT32';
      try {
        opts.inputs = profileInputsFromJson(doc, { integer, elements: t.shape.reduce((a, b) => a * b, 1) });
      } catch (e) {
        throw new CliError(`--inputs ${inputsFile}: ${(e as Error).message}`);
      }
    }
    const doc = await profileDelta(model, opts);
    if (args.flags.has('json')) process.stdout.write(JSON.stringify({ schemaVersion: 1, tool: { name: 'nnlstm', version: TOOL_VERSION }, model: file, ...doc }, null, 2) + '\n');
    else process.stdout.write(renderDeltaProfileText(doc, { steps: !args.flags.has('no-steps') }));
    if (html !== undefined) {
      const w = writeOutputs([{ option: '--html', target: html, what: 'HTML profile', text: () => renderDeltaProfileHtml(doc, { title: `Δh zero-skipping profile: ${file}` }) }]);
      if (w.errors.length) throw new CliError(w.errors.join('; '));
      for (const line of w.written) process.stderr.write(line + '\n');
    }
    return doc.ops.length > 0 ? 0 : 1;
  }, args.flags.has('json'));
};
