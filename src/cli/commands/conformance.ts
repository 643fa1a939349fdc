import { writeFileSync } from 'node:fs';
import { createDriver, UnknownDriverError } from '../../drivers/registry.js';
import { ModelFileError } from '../../model/load.js';
import { loadCases, matchesFilter } from '../../conformance/cases.js';
import { loadDeviations } from '../../conformance/deviations.js';
import { registerBuiltinOracles } from '../../conformance/oracles.js';
import { createProgress, formatSummary, reportFailed, reportToJson } from '../../conformance/report.js';
import { runConformance, type Report } from '../../conformance/runner.js';
import { CliError, flagString, parseOptions, type Command } from '../command.js';

const HELP = `usage: nnlstm conformance [--driver NAME] [--filter P] [--json FILE] [--junit FILE] [--html FILE]
                          [--timeout SECONDS] [--help]

Runs the conformance suite against a driver: every golden/**/*.json (execute and compare with the
NNAPI harness tolerances) and every conformance/negative/**/*.json (must be rejected at prepare).

  --driver NAME   driver to test (default: reference); exec:"COMMAND ARGS" runs an out-of-process
                  driver speaking spec/driver-protocol.md; module:PATH imports a JS/TS module that
                  exports a driver object
  --filter P      only cases whose id contains P (case-insensitive); /REGEXP/ matches ids;
                  group:NAME selects a feature group or feature (e.g. group:layer-norm)
  --json FILE     also write the JSON report (spec/schema/report.schema.json) to FILE;
                  '-' writes it to stdout and the human summary to stderr
  --junit FILE    also write a JUnit XML report (one testsuite per feature group)
  --html FILE     also write a self-contained HTML report (error distribution per case)
  --timeout S     per-case time budget of an exec: driver, seconds (default 10); a case that
                  runs over is an error, the driver is killed and restarted

Progress is shown on a terminal only.

Exit codes: 0 every selected case passed (or is unsupported), 1 any fail, error or rejected case,
2 bad usage, unknown driver, no matching case, or an unreadable case file.`;

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

export const command: Command = async (argv) => {
  const args = parseOptions(argv, ['driver', 'filter', 'json', 'junit', 'html', 'timeout'], HELP, ['help']);
  if (args.flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (args.positional.length) throw new CliError(`unexpected argument '${args.positional[0]}'\n${HELP}`);
  const driverName = flagString(args, 'driver') ?? 'reference';
  const filter = parseFilter(flagString(args, 'filter'));
  const jsonTarget = flagString(args, 'json');
  const junitTarget = flagString(args, 'junit');
  const htmlTarget = flagString(args, 'html');
  const timeoutText = flagString(args, 'timeout');
  const timeoutS = timeoutText === undefined ? undefined : Number(timeoutText);
  if (timeoutS !== undefined && !(Number.isFinite(timeoutS) && timeoutS > 0)) throw new CliError(`--timeout: expected a positive number of seconds, got '${timeoutText}'`);

  let cases;
  let deviations;
  try {
    cases = loadCases();
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
    driver = await createDriver(driverName, timeoutS !== undefined ? { timeoutMs: Math.round(timeoutS * 1000) } : {});
  } catch (e) {
    if (e instanceof UnknownDriverError) throw new CliError(e.message, 2);
    throw new CliError(`cannot create driver ${driverName}: ${(e as Error).message}`, 2);
  }

  const human = jsonTarget === '-' ? process.stderr : process.stdout;
  const progress = createProgress(human, { quietUnlessTty: true });
  let report;
  try {
    report = await runConformance(driver, cases, { filter, deviations, onProgress: progress.onProgress, errorProfiles: htmlTarget !== undefined });
  } finally {
    progress.finish();
    await driver.close?.().catch(() => undefined);
  }
  if (jsonTarget === '-') {
    process.stdout.write(reportToJson(report));
  } else if (jsonTarget !== undefined) {
    try {
      writeFileSync(jsonTarget, reportToJson(report));
    } catch (e) {
      throw new CliError(`cannot write ${jsonTarget}: ${(e as Error).message}`, 2);
    }
  }
  const extra = await writeExtraReports(report, junitTarget, htmlTarget);
  human.write(formatSummary(report));
  if (jsonTarget !== undefined && jsonTarget !== '-') human.write(`JSON report written to ${jsonTarget}\n`);
  for (const line of extra) human.write(line + '\n');
  return reportFailed(report) ? 1 : 0;
};

/** Writes the --junit and --html reports; returns the lines announcing them. */
export async function writeExtraReports(report: Report, junitTarget: string | undefined, htmlTarget: string | undefined): Promise<string[]> {
  const lines: string[] = [];
  const write = (target: string, text: string, what: string) => {
    try {
      writeFileSync(target, text);
    } catch (e) {
      throw new CliError(`cannot write ${target}: ${(e as Error).message}`, 2);
    }
    lines.push(`${what} report written to ${target}`);
  };
  if (junitTarget !== undefined) write(junitTarget, (await import('../../conformance/junit.js')).reportToJunit(report), 'JUnit');
  if (htmlTarget !== undefined) write(htmlTarget, (await import('../../conformance/html.js')).reportToHtml(report), 'HTML');
  return lines;
}
