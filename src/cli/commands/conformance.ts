import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createDriver, UnknownDriverError } from '../../hosts/registry.js';
import { ModelFileError } from '../../model/load.js';
import { loadCases, matchesFilter } from '../../conformance/cases.js';
import { baselineOf, baselineToJson, CoverageInputError, evaluateVerdict, parseBaseline, parseRequire, type Verdict, type VerdictOptions } from '../../conformance/coverage.js';
import { loadDeviations } from '../../conformance/deviations.js';
import { registerBuiltinOracles } from '../../conformance/oracles.js';
import { createProgress, formatSummary, reportToJson } from '../../conformance/report.js';
import { driverUnavailable, runConformance, TOOL_VERSION, type Report } from '../../conformance/runner.js';
import { CliError, flagString, parseOptions, type Command, type ParsedArgs } from '../command.js';
import { checkOutputs, withJsonErrors, writeOutputs, type OutputFile } from '../output-file.js';

const HELP = `usage: nnlstm conformance [--driver NAME] [--cases DIR] [--filter P] [--require SCOPES|all] [--baseline FILE]
                          [--write-baseline FILE] [--json FILE] [--junit FILE] [--html FILE]
                          [--timeout SECONDS] [--hello-timeout SECONDS] [--help]

Runs the conformance suite against a driver: every golden/**/*.json (execute and compare with the
NNAPI harness tolerances) and every conformance/negative/**/*.json (must be rejected at prepare).

The summary leads with what was verified: per feature group and per operation, the positive and
negative cases executed, verified and unsupported. A positive case is verified when its outputs
are within tolerance; a negative case only when the driver rejected it with BAD_DATA (as VTS
expects INVALID_ARGUMENT): UNAVAILABLE is unsupported, not verified, and any other refusal fails.

  --driver NAME   driver to test (default: reference): reference, reference-fast, tflite (the TFLite
                  WebAssembly runtime), onnxruntime / onnxruntime-web (ONNX Runtime native / its
                  WASM build, each case as one ONNX LSTM node), mutant:<id>; exec:"COMMAND ARGS" runs
                  an out-of-process driver speaking spec/driver-protocol.md; module:PATH imports a
                  JS/TS module that exports a driver object
  --cases DIR     run the cases of DIR instead of the suite: its golden/ and negative/ folders, or
                  (when it has neither) every *.json below it as a golden case — e.g. the shrunk
                  reproducers of nnlstm fuzz --export-dir
  --filter P      only cases whose id contains P (case-insensitive); /REGEXP/ matches ids;
                  group:NAME selects a feature group or feature (e.g. group:layer-norm)
  --require S     fail (exit 1) unless every selected case of each scope was verified; S is 'all'
                  (every feature group of the run) or a comma-separated list of scopes, each a
                  name or NAME+NAME (the cases matching all of them): a feature group as in the
                  coverage table (basic, cifg, …, float16, sequence, bidirectional, validation,
                  quantized), an operation (lstm, uslstm, bilstm, qlstm, qlstm16: its positive and
                  negative cases) or a dtype (float32, float16, quant8-asymm, quant8-asymm-signed).
                  A scope with no selected case is not met. E.g. --require lstm+float32,validation
  --baseline F    fail (exit 1) when a case verified by F is not verified now (unsupported, failing,
                  or not run: renamed, removed or filtered out); F is a --write-baseline file or a
                  --json report of an earlier run. Cases verified beyond it are counted, not failed
  --write-baseline F  write this run's coverage (the ids of the verified cases) to F
  --json FILE     also write the JSON report (spec/schema/report.schema.json: results, coverage and
                  verdict) to FILE; '-' writes it to stdout and the human summary to stderr, and an
                  error that ends the command with exit 2 before there is a report writes
                  {"schemaVersion":1,"tool":…,"error":{"exitCode":2,"message":…}} on stdout
  --junit FILE    also write a JUnit XML report (one testsuite per feature group)
  --html FILE     also write a self-contained HTML report (error distribution per case)
  --timeout S     per-case time budget of an exec: driver, seconds (default 10); a case that
                  runs over is an error, the driver's process group is killed and it is restarted
  --hello-timeout S  budget of a (re)started exec: driver to answer hello, seconds (default 5, at
                  most --timeout); after 2 failed starts in a row the run ends at once: "driver
                  never started" (or "driver stopped answering"), every remaining case an error

Every output path is checked before the run starts (exit 2 at once, naming the path). Reports are
written to a temporary file in the same folder and renamed over the target, so a run killed at any
moment leaves the previous report intact (or none); the summary is always printed, also when a
report cannot be written. Progress is shown on a terminal only.

Exit codes: 0 the verdict passed: no fail, error or rejected case, something verified (at least one
positive case passed; with negative cases only, one rejected with BAD_DATA), --require met and not
below --baseline; 1 the verdict failed (the summary's FAILED lines and the JSON verdict.reasons say
why); 2 bad usage, unknown driver, no matching case, an unreadable case or baseline file, or an
output path that cannot be written.`;

/** --cases DIR: its golden/ and negative/ folders, or every *.json below it as golden cases (fuzz reproducers). */
export function casesOptions(dir: string | undefined): { goldenDir?: string; negativeDir?: string } {
  if (dir === undefined) return {};
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new CliError(`--cases ${dir}: not a folder`, 2);
  const golden = join(dir, 'golden');
  const negative = join(dir, 'negative');
  if (existsSync(golden) || existsSync(negative)) return { goldenDir: golden, negativeDir: negative };
  return { goldenDir: dir, negativeDir: negative };
}

/** '/re/flags' → RegExp; anything else stays a string. */
export function parseFilter(p: string | undefined): string | RegExp | undefined {
  if (p === undefined) return undefined;
  const m = /^\/(.*)\/([a-z]*)$/.exec(p);
  if (!m) return p;
  try {
    return new RegExp(m[1]!, m[2]);
  } catch (e) {
    throw new CliError(`--filter: invalid regular expression: ${(e as Error).message}`);
  }
}

export const command: Command = (argv) => withJsonErrors(argv, TOOL_VERSION, () => conformance(argv));

/** --require and --baseline, read before the run (exit 2 on a bad one). */
export function verdictOptions(args: ParsedArgs): VerdictOptions {
  const opts: VerdictOptions = {};
  try {
    const req = flagString(args, 'require');
    if (req !== undefined) opts.require = parseRequire(req);
    const base = flagString(args, 'baseline');
    if (base !== undefined) {
      let text;
      try {
        text = readFileSync(base, 'utf8');
      } catch (e) {
        throw new CoverageInputError(`--baseline ${base}: cannot read (${(e as Error).message})`);
      }
      opts.baseline = parseBaseline(text, base);
    }
  } catch (e) {
    if (e instanceof CoverageInputError) throw new CliError(e.message, 2);
    throw e;
  }
  return opts;
}

/** The report files asked for (--json FILE, --junit, --html, --write-baseline), text built on demand. */
export function reportOutputs(args: ParsedArgs, report: () => Report, verdict: () => Verdict): OutputFile[] {
  const outs: OutputFile[] = [];
  const json = flagString(args, 'json');
  if (json !== undefined && json !== '-') outs.push({ option: '--json', target: json, what: 'JSON report', text: () => reportToJson(report(), verdict()) });
  const junit = flagString(args, 'junit');
  if (junit !== undefined) outs.push({ option: '--junit', target: junit, what: 'JUnit report', text: () => junitText(report(), verdict()) });
  const html = flagString(args, 'html');
  if (html !== undefined) outs.push({ option: '--html', target: html, what: 'HTML report', text: () => htmlText(report(), verdict()) });
  const wb = flagString(args, 'write-baseline');
  if (wb !== undefined) outs.push({ option: '--write-baseline', target: wb, what: 'coverage baseline', text: () => baselineToJson(baselineOf(report())) });
  return outs;
}

let junitMod: typeof import('../../conformance/junit.js') | undefined;
let htmlMod: typeof import('../../conformance/html.js') | undefined;
const junitText = (r: Report, v: Verdict) => junitMod!.reportToJunit(r, v);
const htmlText = (r: Report, v: Verdict) => htmlMod!.reportToHtml(r, { verdict: v });

/** Loads the JUnit/HTML renderers the outputs need (kept out of runs that do not ask for them). */
export async function loadRenderers(args: ParsedArgs): Promise<void> {
  if (flagString(args, 'junit') !== undefined) junitMod ??= await import('../../conformance/junit.js');
  if (flagString(args, 'html') !== undefined) htmlMod ??= await import('../../conformance/html.js');
}

/**
 * After the run: the JSON report on stdout for --json -, every report file, then the summary, the
 * lines announcing the files and any write error. Exit 2 when a file could not be written, else
 * the verdict's.
 */
export function finishRun(args: ParsedArgs, report: Report, verdict: Verdict): number {
  const toStdout = flagString(args, 'json') === '-';
  const human = toStdout ? process.stderr : process.stdout;
  if (toStdout) process.stdout.write(reportToJson(report, verdict));
  const { written, errors } = writeOutputs(reportOutputs(args, () => report, () => verdict));
  human.write(formatSummary(report, verdict));
  for (const line of written) human.write(line + '\n');
  for (const e of errors) process.stderr.write(`nnlstm: ${e}\n`);
  if (errors.length) return 2;
  return verdict.pass ? 0 : 1;
}

async function conformance(argv: string[]): Promise<number> {
  const args = parseOptions(argv, ['driver', 'cases', 'filter', 'json', 'junit', 'html', 'timeout', 'hello-timeout', 'require', 'baseline', 'write-baseline'], HELP, ['help']);
  if (args.flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (args.positional.length) throw new CliError(`unexpected argument '${args.positional[0]}'\n${HELP}`);
  const driverName = flagString(args, 'driver') ?? 'reference';
  const filter = parseFilter(flagString(args, 'filter'));
  const timeoutText = flagString(args, 'timeout');
  const timeoutS = timeoutText === undefined ? undefined : Number(timeoutText);
  if (timeoutS !== undefined && !(Number.isFinite(timeoutS) && timeoutS > 0)) throw new CliError(`--timeout: expected a positive number of seconds, got '${timeoutText}'`);
  const helloText = flagString(args, 'hello-timeout');
  const helloS = helloText === undefined ? undefined : Number(helloText);
  if (helloS !== undefined && !(Number.isFinite(helloS) && helloS > 0)) throw new CliError(`--hello-timeout: expected a positive number of seconds, got '${helloText}'`);
  const vopts = verdictOptions(args);
  // Before any work: a results file that cannot be written must not cost a whole run.
  checkOutputs(reportOutputs(args, () => undefined as never, () => undefined as never));
  await loadRenderers(args);

  let cases;
  let deviations;
  try {
    cases = loadCases(casesOptions(flagString(args, 'cases')));
    deviations = loadDeviations();
    registerBuiltinOracles();
  } catch (e) {
    if (e instanceof ModelFileError) throw new CliError(e.message, 2);
    throw e;
  }
  if (!cases.some((c) => matchesFilter(c, filter))) {
    throw new CliError(`no conformance case matches ${filter === undefined ? '(no filter): no golden or negative files found' : `filter ${String(filter)}`}`);
  }

  let driver;
  try {
    driver = await createDriver(driverName, {
      ...(timeoutS !== undefined ? { timeoutMs: Math.round(timeoutS * 1000) } : {}),
      ...(helloS !== undefined ? { helloTimeoutMs: Math.round(helloS * 1000) } : {}),
    });
  } catch (e) {
    if (e instanceof UnknownDriverError) throw new CliError(e.message, 2);
    throw new CliError(`cannot create driver ${driverName}: ${(e as Error).message}`, 2);
  }

  const human = flagString(args, 'json') === '-' ? process.stderr : process.stdout;
  const progress = createProgress(human, { quietUnlessTty: true });
  let report;
  try {
    report = await runConformance(driver, cases, { filter, deviations, onProgress: progress.onProgress, errorProfiles: flagString(args, 'html') !== undefined });
  } finally {
    progress.finish();
    await driver.close?.().catch(() => undefined);
  }
  // A driver that could not be started is the first thing to say, before any table.
  const down = driverUnavailable(driver);
  if (down) {
    const notRun = report.results.filter((r) => r.reason?.startsWith('not run: ')).length;
    human.write(`${down.message}\n${notRun} of ${report.results.length} case(s) not run (each an error)\n\n`);
  }
  return finishRun(args, report, evaluateVerdict(report, vopts));
}
