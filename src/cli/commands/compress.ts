/**
 * `nnlstm compress MODEL.tflite --rank R | --energy E`: LSTM → LSTMP by a stacked truncated SVD
 * (src/tflite/compress.ts), the numeric change measured in the TFLite runtime (src/tflite/compress/measure.ts),
 * and the written model validated as `nnlstm validate` would (src/tflite/validate-tflite.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TOOL_VERSION } from '../../conformance/runner.js';
import { compressTflite, CompressError, type CompressedOp, type CompressResult } from '../../tflite/compress.js';
import { measureCompression, parseSamples, seededInputs, type CompressMeasure, type InputSet } from '../../tflite/compress/measure.js';
import { readTflite } from '../../tflite/reader.js';
import { RewriteError } from '../../tflite/rewrite.js';
import { TfliteRuntime, TfliteRuntimeError } from '../../tflite/runtime.js';
import { renderValidation, validateTflite, type TfliteValidation } from '../../tflite/validate-tflite.js';
import { CliError, flagString, parseOptions, type Command } from '../command.js';
import { checkWritable, withJsonErrors, writeFileAtomic } from '../output-file.js';
import { readTfliteFile } from './tflite-file.js';

const HELP = `usage: nnlstm compress MODEL.tflite --rank R | --energy E [--out OUT.tflite|FOLDER] [--samples FILE.json]
                       [--seeds K] [--seed S] [--json]

Compresses every float LSTM / UNIDIRECTIONAL_SEQUENCE_LSTM / BIDIRECTIONAL_SEQUENCE_LSTM op (each
direction, one rank for both) into an LSTM with projection (LSTMP) of rank R by a truncated SVD of its
recurrent matrices stacked with the weights of the op's linear consumers (FULLY_CONNECTED, a flattening
RESHAPE → FULLY_CONNECTED, the next LSTM's input weights), so one projected output r_t = V_Rᵀ·h_t feeds
both (Prabhavalkar et al.). --energy E picks the smallest rank whose singular values keep fraction E
(0 < E ≤ 1) of Σσ². Everything else in the model is copied unchanged.
Reports per op: parameters before/after (4·n_c·n_r + 4·n_i·n_c + n_c·n_r against 4·n_c·n_c + 4·n_i·n_c),
the singular values kept and their energy, and the change measured in the TFLite runtime: max |Δ| of the
op output (lifted back by V_R) and of the model output on --seeds K seeded inputs (default 3, uniform
[-1, 1], from --seed S, default 1) and on the samples of --samples FILE.json ({ samples: [{ image, label }] }
as ../shared/models/mnist_lstm_samples.json, or an array of inputs), with each sample's class before/after.
The written model is then validated as \`nnlstm validate\` does (structure, feature level, NNAPI delegate,
numeric check against the TFLite runtime).
--out defaults to ./<model>.lstmp-r<R>.tflite; --out FOLDER writes that name into FOLDER.
Exit codes: 0 written and valid, 1 written but the validation fails, 2 bad usage, unreadable model, or no
float LSTM op that can be compressed (the reason per op).`;

export const command: Command = (argv) => withJsonErrors(argv, TOOL_VERSION, () => compress(argv), argv.includes('--json') || argv.includes('--json=true'));

function isFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function numberFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new CliError(`--${name} must be a number, got '${v}'`);
  return n;
}

async function compress(argv: string[]): Promise<number> {
  const args = parseOptions(argv, ['rank', 'energy', 'out', 'json', 'samples', 'seeds', 'seed'], HELP);
  if (args.flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const file = args.positional[0];
  if (!file) throw new CliError(`missing model file\n${HELP}`);
  if (args.positional.length > 1) throw new CliError(`one model file only, got ${args.positional.length}`);
  const json = args.flags.has('json');
  const rank = numberFlag(flagString(args, 'rank'), 'rank');
  const energy = numberFlag(flagString(args, 'energy'), 'energy');
  if ((rank === undefined) === (energy === undefined)) throw new CliError(`give exactly one of --rank R and --energy E\n${HELP}`);
  if (rank !== undefined && !(Number.isInteger(rank) && rank >= 1)) throw new CliError(`--rank must be an integer ≥ 1, got ${rank}`);
  if (energy !== undefined && !(energy > 0 && energy <= 1)) throw new CliError(`--energy must be in (0, 1], got ${energy}`);
  const seeds = numberFlag(flagString(args, 'seeds'), 'seeds') ?? 3;
  const seed = numberFlag(flagString(args, 'seed'), 'seed') ?? 1;
  if (!Number.isInteger(seeds) || seeds < 0) throw new CliError(`--seeds must be an integer ≥ 0, got ${seeds}`);
  if (!Number.isInteger(seed) || seed < 0) throw new CliError(`--seed must be an integer ≥ 0, got ${seed}`);
  const samplesFile = flagString(args, 'samples');

  const { bytes, model } = readTfliteFile(file);
  let samples: InputSet[] = [];
  if (samplesFile !== undefined) {
    const sg = model.subgraphs[0]!;
    const ins = sg.inputs.map((i) => sg.tensors[i]!);
    if (ins.length !== 1 || ins[0]!.type !== 'FLOAT32') throw new CliError(`--samples needs a model with one FLOAT32 input (this one has ${ins.map((t) => t.type).join(', ') || 'none'})`);
    let text: string;
    try {
      text = readFileSync(samplesFile, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read ${samplesFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    try {
      samples = parseSamples(JSON.parse(text), ins[0]!.shape.reduce((a, b) => a * b, 1));
    } catch (e) {
      throw new CliError(`${samplesFile}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  let result: CompressResult;
  try {
    result = compressTflite(bytes, model, rank !== undefined ? { rank } : { energy: energy! });
  } catch (e) {
    if (e instanceof CompressError || e instanceof RewriteError) throw new CliError(`${file}: ${e.message}`, 2);
    throw e;
  }
  const ranks = [...new Set(result.ops.map((o) => o.rank))];
  const defaultName = `${basename(file).replace(/\.tflite$/i, '')}.lstmp-r${ranks.join('-')}.tflite`;
  const outFlag = flagString(args, 'out');
  // --out FOLDER: the default name inside it.
  const out = outFlag === undefined ? defaultName : isFolder(outFlag) ? join(outFlag, defaultName) : outFlag;
  checkWritable('--out', out);
  writeFileAtomic(out, result.bytes);

  // The numeric change, then the validation of the written file.
  let measure: CompressMeasure | null = null;
  let measureError: string | null = null;
  try {
    const rt = await TfliteRuntime.load();
    const inputs = [...(seeds > 0 ? (seededInputs(model, seeds, seed) ?? []) : []), ...samples];
    if (inputs.length) measure = measureCompression(rt, bytes, model, result, inputs);
    else measureError = seeds > 0 ? 'no float32 inputs to seed and no --samples' : 'no inputs (--seeds 0 and no --samples)';
  } catch (e) {
    if (!(e instanceof TfliteRuntimeError)) throw e;
    measureError = e.message;
  }
  const validation = await validateTflite(readTflite(result.bytes), out, { bytes: result.bytes });
  const exitCode = validation.exitCode;

  if (json) {
    const doc = {
      schemaVersion: 1,
      tool: { name: 'nnlstm', version: TOOL_VERSION },
      file,
      out,
      request: rank !== undefined ? { rank } : { energy },
      bytes: { before: bytes.byteLength, after: result.bytes.byteLength },
      modelParams: result.modelParams,
      ops: result.ops.map(({ lift: _lift, ...o }) => o),
      refused: result.refused,
      measure,
      measureError,
      validation,
      exitCode,
    };
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  } else {
    process.stdout.write(render(file, out, bytes.byteLength, result, measure, measureError, validation, seeds, seed));
  }
  return exitCode;
}

const f3 = (x: number) => (x === 0 ? '0' : Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toPrecision(3));
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

function opLines(o: CompressedOp, k: number, m: CompressMeasure | null): string[] {
  const out: string[] = [];
  out.push(`op ${o.subgraph}:${o.operator} ${o.op}${o.direction ? ` (${o.direction === 'fw' ? 'forward' : 'backward'})` : ''}: n_input ${o.nInput}, n_cell ${o.nCell}, n_output ${o.nOutputBefore} → ${o.rank} (projection ${o.projection}${o.peephole ? ', peephole kept' : ''})`);
  const groups = new Map<string, { rows: number; n: number }>();
  for (const b of o.stacked.blocks) {
    const key = b.what.replace(/ step \d+$/, ' (per step)').replace(/recurrent_to_\w+_weights/, 'recurrent weights');
    const g = groups.get(key) ?? { rows: b.rows, n: 0 };
    g.n++;
    groups.set(key, g);
  }
  out.push(`  stacked matrix ${o.stacked.rows} × ${o.stacked.cols}: ${[...groups].map(([w, g]) => `${w} ${g.n} × ${g.rows} rows`).join(' + ')}`);
  const sv = o.singularValues;
  out.push(`  singular values: kept ${o.rank} of ${sv.length}, energy ${pct(o.energyKept)} (‖M − M_R‖_F / ‖M‖_F = ${f3(o.relativeError)})`);
  out.push(`    kept:    ${sv.slice(0, o.rank).map(f3).join(' ')}`);
  if (o.rank < sv.length) out.push(`    dropped: ${sv.slice(o.rank).map(f3).join(' ')}`);
  const g = o.gates;
  const formula = `${g}·n_c·n_r + ${g}·n_i·n_c + n_c·n_r${o.peephole ? ' + peephole' : ''}`;
  out.push(`  parameters: op ${o.params.before} → ${o.params.after} (${formula}; before ${g}·n_c·n_o + ${g}·n_i·n_c), ${signedPct(o.params.after / o.params.before - 1)}`);
  for (const c of o.consumers) {
    out.push(`    consumer ${c.op} #${c.operator}${c.viaReshape !== undefined ? ` (through RESHAPE #${c.viaReshape})` : ''}: weights #${c.weightsTensor} [${c.shapeBefore.join(',')}] → [${c.shapeAfter.join(',')}]`);
  }
  out.push(`    consumers: ${o.consumerParams.before} → ${o.consumerParams.after}; op + consumers ${o.params.before + o.consumerParams.before} → ${o.params.after + o.consumerParams.after} (${signedPct((o.params.after + o.consumerParams.after) / (o.params.before + o.consumerParams.before) - 1)})`);
  if (m) {
    const d = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : f3(x));
    if (m.seeded) out.push(`  seeded inputs (${m.seeded.count}): max |Δ| op output ${d(m.seeded.opMaxAbsDiff[k])}, model output ${d(m.seeded.modelMaxAbsDiff)}`);
    if (m.samples) out.push(`  samples (${m.samples.count}): max |Δ| op output ${d(m.samples.opMaxAbsDiff[k])}, model output ${d(m.samples.modelMaxAbsDiff)}`);
  }
  return out;
}

const signedPct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} %`;

function render(file: string, out: string, before: number, r: CompressResult, m: CompressMeasure | null, measureError: string | null, v: TfliteValidation, seeds: number, seed: number): string {
  const lines: string[] = [];
  lines.push(`${file} → ${out}: ${before} → ${r.bytes.byteLength} bytes; float parameters ${r.modelParams.before} → ${r.modelParams.after} (${signedPct(r.modelParams.after / r.modelParams.before - 1)})`);
  if (m) lines.push(`numeric change measured in ${m.runtime}, each input from zero state${seeds > 0 ? `; seeded inputs uniform [-1, 1], seeds ${seed}..${seed + seeds - 1}` : ''}; op output compared after lifting by V_R`);
  else lines.push(`numeric change not measured: ${measureError ?? 'no inputs'}`);
  r.ops.forEach((o, k) => {
    lines.push('');
    lines.push(...opLines(o, k, m));
  });
  for (const x of r.refused) lines.push('', `op ${x.subgraph}:${x.operator} ${x.op}: not compressed — ${x.reason}`);
  if (m?.samples) {
    const s = m.samples;
    lines.push('');
    lines.push(`samples: class agrees on ${s.agreeing}/${s.count}${s.correctBefore !== null ? `; correct ${s.correctBefore}/${s.count} before, ${s.correctAfter}/${s.count} after` : ''}`);
    const rows = [['sample', 'label', 'before', 'after', 'max |Δ| model']];
    for (const x of m.inputs.filter((i) => !i.name.startsWith('seed '))) rows.push([x.name.replace('sample ', ''), x.label === undefined ? '-' : String(x.label), String(x.classBefore), String(x.classAfter) + (x.classAfter !== x.classBefore ? ' *' : ''), f3(x.modelMaxAbsDiff)]);
    const w = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
    for (const row of rows) lines.push(`  ${row.map((x, c) => x.padEnd(w[c]!)).join('  ').trimEnd()}`);
  }
  lines.push('');
  lines.push(`validation of ${out} (as nnlstm validate):`);
  const text = renderValidation(v).trimEnd().split('\n');
  // The op table and the verdict line; `nnlstm validate OUT` prints the whole report.
  const tableEnd = text.findIndex((l, i) => i > 1 && l === '');
  lines.push(...text.slice(2, tableEnd < 0 ? undefined : tableEnd), text.at(-1)!);
  return lines.join('\n') + '\n';
}
