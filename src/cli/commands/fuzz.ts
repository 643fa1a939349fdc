import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAospSpec } from '../../bundle/aosp-spec.js';
import { evaluateVerdict } from '../../conformance/coverage.js';
import { loadDeviations } from '../../conformance/deviations.js';
import { campaignFilter, isReferenceOutside, runCampaign, type CampaignOptions, type CampaignResult, type Shard } from '../../conformance/fuzz/campaign.js';
import { DEFAULT_MAX_SIZE, describeCase, FEATURE_NAMES, FUZZ_OPERATIONS, FuzzOptionError, LIMITS, OP_ALIASES, resolveOps, type FuzzOperation } from '../../conformance/fuzz/generator.js';
import { FAILING } from '../../conformance/fuzz/oracle.js';
import { registerBuiltinOracles } from '../../conformance/oracles.js';
import { fmtRatio } from '../../conformance/compare.js';
import { TOOL_VERSION } from '../../conformance/runner.js';
import { createDriver, UnknownDriverError } from '../../hosts/registry.js';
import { writeSingleOpTflite } from '../../tflite/writer.js';
import { CliError, flagString, parseOptions, type Command } from '../command.js';
import { withJsonErrors } from '../output-file.js';
import { loadRenderers, reportOutputs } from './conformance.js';
import { checkOutputs, writeOutputs } from '../output-file.js';
import { reportToJson } from '../../conformance/report.js';
import type { Verdict } from '../../conformance/coverage.js';
import type { ParsedArgs } from '../command.js';

const HELP = `usage: nnlstm fuzz --driver NAME [--count N | --time SECONDS] [--seed S] [--ops LIST]
                   [--features LIST] [--max-size N] [--max-time N] [--max-batch N] [--shard K/N] [--export-dir DIR]
                   [--max-shrink N] [--json FILE] [--junit FILE] [--html FILE] [--timeout SECONDS]

Differential fuzzing: random valid models of the LSTM family (generated from spec/*.json), each
run on the driver and judged against the reference with the NNAPI harness tolerances (integer ops
bit-exact; float ops also against float64: a float model fails only when the driver is outside the
tolerance of the reference while the reference is within the tolerance of float64 — cases where the
reference itself is outside are counted, never blamed on the driver). Each failure is shrunk to a
minimal model that still fails and written as a golden case (run it with
nnlstm conformance --cases DIR). The same seed and options give the same campaign.

  --driver NAME   driver under test, as for conformance: reference, reference-fast, tflite,
                  mutant:<id>, exec:"COMMAND ARGS", module:PATH
  --count N       models in the campaign (default 1000); with --shard, of the whole campaign
  --time S        stop after S seconds (with --count: whichever comes first)
  --seed S        campaign seed (default 1)
  --ops LIST      operations, comma-separated: lstm, uslstm, bilstm, qlstm, qlstm16 (or full names)
  --features LIST features forced on in every model (no-NAME: forced off): ${FEATURE_NAMES.join(', ')}
  --max-size N    largest units / input / output size (default ${DEFAULT_MAX_SIZE}, at most ${LIMITS.size}); time steps
                  up to min(N, 16), batch up to min(N, 8) unless given:
  --max-time N    most time steps of the sequence ops (at most ${LIMITS.time})
  --max-batch N   largest batch (at most ${LIMITS.batch})
  --shard K/N     run only case i with i mod N = K − 1 (merge the shard reports with merge-reports)
  --export-dir D  where the shrunk golden cases go (default fuzz-failures/), each also as an AOSP
                  .mod.py spec and, where expressible, a single-op .tflite
  --max-shrink N  shrink at most N failures (default 20; the others are reported as found)
  --json FILE     JSON report (spec/schema/report.schema.json; '-' for stdout)
  --junit FILE    JUnit XML report;  --html FILE  HTML report
  --timeout S     per-case time budget of an exec: driver (default 10)

Progress goes to stderr. Exit codes: 0 no failing model; 1 a model failed (fail, error or
rejected) or nothing was verified; 2 bad usage or an unknown driver.`;

export const command: Command = (argv) => withJsonErrors(argv, TOOL_VERSION, () => fuzz(argv));

function positiveInt(name: string, text: string | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError(`--${name}: expected an integer from 1 to ${max}, got '${text}'`);
  return n;
}

export function parseShard(text: string | undefined): Shard | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k < 1 || k > n) throw new CliError(`--shard: expected K/N with 1 ≤ K ≤ N, got '${text}'`);
  return { index: k, total: n };
}

export function parseOps(text: string | undefined): FuzzOperation[] | undefined {
  if (text === undefined) return undefined;
  return text.split(',').filter(Boolean).map((s) => {
    const op = OP_ALIASES[s.toLowerCase()] ?? (FUZZ_OPERATIONS as readonly string[]).find((o) => o === s.toUpperCase());
    if (!op) throw new CliError(`--ops: unknown operation '${s}' (known: ${Object.keys(OP_ALIASES).join(', ')})`);
    return op as FuzzOperation;
  });
}

async function fuzz(argv: string[]): Promise<number> {
  const args = parseOptions(argv, ['driver', 'count', 'time', 'seed', 'ops', 'features', 'max-size', 'max-time', 'max-batch', 'shard', 'export-dir', 'max-shrink', 'json', 'junit', 'html', 'timeout'], HELP, ['help']);
  if (args.flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (args.positional.length) throw new CliError(`unexpected argument '${args.positional[0]}'\n${HELP}`);
  const driverName = flagString(args, 'driver');
  if (driverName === undefined) throw new CliError(`--driver is required\n${HELP}`);
  const timeText = flagString(args, 'time');
  const timeSeconds = timeText === undefined ? undefined : Number(timeText);
  if (timeSeconds !== undefined && !(Number.isFinite(timeSeconds) && timeSeconds > 0)) throw new CliError(`--time: expected a positive number of seconds, got '${timeText}'`);
  let count = positiveInt('count', flagString(args, 'count'));
  if (count === undefined && timeSeconds === undefined) count = 1000;
  const seedText = flagString(args, 'seed');
  const seed = seedText === undefined ? 1 : Number(seedText);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new CliError(`--seed: expected an integer from 0 to 4294967295, got '${seedText}'`);
  const featuresText = flagString(args, 'features');
  const maxShrinkText = flagString(args, 'max-shrink');
  const maxShrink = maxShrinkText === undefined ? 20 : Number(maxShrinkText);
  if (!Number.isInteger(maxShrink) || maxShrink < 0) throw new CliError(`--max-shrink: expected a non-negative integer, got '${maxShrinkText}'`);
  const timeoutText = flagString(args, 'timeout');
  const timeoutS = timeoutText === undefined ? undefined : Number(timeoutText);
  if (timeoutS !== undefined && !(Number.isFinite(timeoutS) && timeoutS > 0)) throw new CliError(`--timeout: expected a positive number of seconds, got '${timeoutText}'`);
  const opts: CampaignOptions = { seed, ...(count !== undefined ? { count } : {}), ...(timeSeconds !== undefined ? { timeSeconds } : {}) };
  const ops = parseOps(flagString(args, 'ops'));
  if (ops) opts.ops = ops;
  if (featuresText !== undefined) opts.features = featuresText.split(',').filter(Boolean);
  const maxSize = positiveInt('max-size', flagString(args, 'max-size'), LIMITS.size);
  if (maxSize !== undefined) opts.maxSize = maxSize;
  const maxTime = positiveInt('max-time', flagString(args, 'max-time'), LIMITS.time);
  if (maxTime !== undefined) opts.maxTime = maxTime;
  const maxBatch = positiveInt('max-batch', flagString(args, 'max-batch'), LIMITS.batch);
  if (maxBatch !== undefined) opts.maxBatch = maxBatch;
  const shard = parseShard(flagString(args, 'shard'));
  if (shard) opts.shard = shard;
  try {
    resolveOps(opts);
  } catch (e) {
    if (e instanceof FuzzOptionError) throw new CliError(e.message);
    throw e;
  }
  checkOutputs(reportOutputs(args, () => undefined as never, () => undefined as never));
  await loadRenderers(args);
  const exportDir = flagString(args, 'export-dir');
  // Before any work: a reproducer folder that cannot be made must not cost a whole campaign.
  if (exportDir !== undefined) {
    try {
      mkdirSync(exportDir, { recursive: true });
    } catch (e) {
      throw new CliError(`--export-dir ${exportDir}: cannot create the folder (${(e as Error).message})`, 2);
    }
  }
  registerBuiltinOracles();
  opts.deviations = loadDeviations();

  let driver;
  try {
    driver = await createDriver(driverName, timeoutS !== undefined ? { timeoutMs: Math.round(timeoutS * 1000) } : {});
  } catch (e) {
    if (e instanceof UnknownDriverError) throw new CliError(e.message, 2);
    throw new CliError(`cannot create driver ${driverName}: ${(e as Error).message}`, 2);
  }
  const human = flagString(args, 'json') === '-' ? process.stderr : process.stdout;
  const progress = progressPrinter(count !== undefined && shard ? Math.ceil(count / shard.total) : count);
  let failuresSeen = 0;
  let firstFailure: { done: number; id: string } | null = null;
  let shrinkLeft = maxShrink;
  opts.onCase = (e) => {
    if (FAILING.has(e.result.status)) {
      failuresSeen++;
      firstFailure ??= { done: e.done, id: e.result.id };
      process.stderr.write(`${progress.clear()}fuzz: ${e.result.status.toUpperCase()} model ${e.index}: ${describeCase(e.fuzz)}\n`);
    }
    progress.tick(e.done, failuresSeen, e.elapsedMs);
  };
  opts.onShrink = (e) => {
    if (e.phase === 'start') process.stderr.write(`${progress.clear()}fuzz: shrinking model ${e.index}…\n`);
  };
  opts.shrinkLimit = () => shrinkLeft-- > 0;
  let result: CampaignResult;
  try {
    result = await runCampaign(driver, opts);
  } finally {
    process.stderr.write(progress.clear());
    await driver.close?.().catch(() => undefined);
  }
  const lines = summaryLines(result, driverName, opts, firstFailure);
  if (result.reproducers.length) {
    const dir = exportDir ?? 'fuzz-failures';
    lines.push(`reproducers (shrunk), in ${dir}/:`);
    try {
      for (const l of writeReproducers(result, dir, exportDir !== undefined)) lines.push(`  ${l}`);
    } catch (e) {
      human.write(lines.join('\n') + '\n');
      process.stderr.write(`nnlstm fuzz: cannot write the reproducers to ${dir}: ${(e as Error).message}\n`);
      return 2;
    }
    lines.push(`  run them with: nnlstm conformance --driver ${driverName.includes(' ') ? JSON.stringify(driverName) : driverName} --cases ${dir}`);
  }
  const verdict = evaluateVerdict(result.report);
  human.write(lines.join('\n') + '\n');
  return finishCampaign(args, result, verdict);
}

/** The JSON report on stdout for --json -, then every report file; exit 2 when one could not be written, else the verdict's. */
function finishCampaign(args: ParsedArgs, result: CampaignResult, verdict: Verdict): number {
  const human = flagString(args, 'json') === '-' ? process.stderr : process.stdout;
  if (flagString(args, 'json') === '-') process.stdout.write(reportToJson(result.report, verdict));
  const { written, errors } = writeOutputs(reportOutputs(args, () => result.report, () => verdict));
  for (const line of written) human.write(line + '\n');
  for (const e of errors) process.stderr.write(`nnlstm: ${e}\n`);
  if (errors.length) return 2;
  return verdict.pass ? 0 : 1;
}

export function summaryLines(r: CampaignResult, driverName: string, o: CampaignOptions, first: { done: number; id: string } | null): string[] {
  const t = r.report.totals;
  const secs = r.wallMs / 1000;
  const notJudged = r.report.results.filter((x) => x.status === 'unsupported' && isReferenceOutside(x)).length;
  const lines = [
    `nnlstm fuzz: driver ${driverName}; ${r.report.filter ?? campaignFilter(o, [])}`,
    `models       ${r.models} in ${secs.toFixed(1)} s (${(r.models / Math.max(secs, 1e-9)).toFixed(1)} models/s)`,
    `pass         ${t.pass}`,
    `fail         ${t.fail}`,
    `error        ${t.error}`,
    `rejected     ${t.rejected}`,
    `unsupported  ${t.unsupported}${notJudged || r.overflow ? ` (not judged: ${notJudged} with the reference outside float64's tolerance, ${r.overflow} with the reference's outputs overflowing)` : ''}`,
    `reference vs float64: ${r.floatCases} float models, worst ratio ${fmtRatio(r.worstReferenceRatio)}, outside the tolerance in ${r.referenceOutside.length}`,
  ];
  if (first) lines.push(`first failure after ${first.done} model(s): ${first.id}`);
  const unshrunk = r.report.results.filter((x) => FAILING.has(x.status)).length - r.reproducers.length;
  if (unshrunk > 0) lines.push(`${unshrunk} failing model(s) not shrunk (--max-shrink)`);
  lines.push(t.fail + t.error + t.rejected === 0 ? 'result: OK (no failing model)' : `result: FAILED (${t.fail + t.error + t.rejected} failing model(s))`);
  return lines;
}

/** Writes each reproducer's golden file (and with --export-dir its .mod.py and .tflite); one line per reproducer. */
function writeReproducers(r: CampaignResult, dir: string, exportAll: boolean): string[] {
  mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (const rep of r.reproducers) {
    writeFileSync(join(dir, `${rep.name}.json`), rep.golden);
    const extras: string[] = [];
    if (exportAll) {
      try {
        writeFileSync(join(dir, `${rep.name}.mod.py`), renderAospSpec(rep.positive));
        extras.push('.mod.py');
      } catch (e) {
        extras.push(`no .mod.py (${(e as Error).message})`);
      }
      try {
        writeFileSync(join(dir, `${rep.name}.tflite`), writeSingleOpTflite(rep.model));
        extras.push('.tflite');
      } catch (e) {
        extras.push(`no .tflite (${(e as Error).message})`);
      }
    }
    // A reproducer that passes on its own points at state carried between executions (or flakiness).
    const alone = FAILING.has(rep.result.status) ? '' : ' — does not fail on its own: the failure depends on earlier executions, or is flaky';
    out.push(`${rep.name}.json${extras.length ? ` (+ ${extras.join(', ')})` : ''}: ${describeCase(rep.shrunk)}; ${rep.result.status} on the driver, ${rep.referenceStatus} on the reference${alone}; shrink: ${rep.path.length ? rep.path.join(', ') : 'already minimal'}`);
  }
  return out;
}

/** Progress on stderr: a rewritten line on a terminal, else a line every 10% (or every 250 models of a --time run). */
function progressPrinter(total: number | undefined) {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  let pending = false;
  const step = total !== undefined ? Math.max(1, Math.ceil(total / 10)) : 250;
  return {
    tick(done: number, failing: number, ms: number) {
      const line = `fuzz: ${done}${total !== undefined ? `/${total}` : ''} models, ${failing} failing, ${(done / Math.max(ms / 1000, 1e-9)).toFixed(1)} models/s`;
      if (tty) {
        const t = performance.now();
        if (t - last < 100 && done !== total) return;
        last = t;
        process.stderr.write(`\r\x1b[2K${line}`);
        pending = true;
      } else if (done % step === 0) {
        process.stderr.write(line + '\n');
      }
    },
    clear(): string {
      if (!pending) return '';
      pending = false;
      return '\r\x1b[2K';
    },
  };
}

