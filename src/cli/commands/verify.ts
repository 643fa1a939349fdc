import { writeFileSync } from 'node:fs';
import { BundleError, verifyBundle } from '../../bundle/verify.js';
import { createProgress, formatSummary, reportFailed, reportToJson } from '../../conformance/report.js';
import { CliError, flagString, parseOptions, type Command } from '../command.js';
import { writeExtraReports } from './conformance.js';

const HELP = `usage: nnlstm verify DIR --results RESULTS_DIR [--filter P] [--json FILE] [--junit FILE] [--html FILE] [--help]

Judges outputs produced elsewhere for a device bundle (nnlstm export --out DIR) with the conformance
suite's tolerance policy: RESULTS_DIR/<case dir>/<index>_<output>.npy per compared output (the file
names of DIR/manifest.json, cases[].outputs[].result). Reports as nnlstm conformance does.

  --results DIR   the folder of result .npy files
  --filter P      only cases whose id contains P (case-insensitive)
  --json FILE     the JSON report (spec/schema/report.schema.json); '-' for stdout
  --junit FILE    a JUnit XML report
  --html FILE     a self-contained HTML report

Exit codes: 0 every case passed, 1 any fail or error (a result missing or malformed), 2 bad usage or
an unreadable bundle.`;

export const command: Command = async (argv) => {
  const args = parseOptions(argv, ['results', 'filter', 'json', 'junit', 'html'], HELP, ['help']);
  if (args.flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const [dir, ...rest] = args.positional;
  if (dir === undefined) throw new CliError(`missing the bundle folder DIR\n${HELP}`);
  if (rest.length) throw new CliError(`unexpected argument '${rest[0]}'`);
  const results = flagString(args, 'results');
  if (results === undefined) throw new CliError(`--results RESULTS_DIR is required\n${HELP}`);
  const jsonTarget = flagString(args, 'json');
  const htmlTarget = flagString(args, 'html');
  const filter = flagString(args, 'filter');
  const human = jsonTarget === '-' ? process.stderr : process.stdout;
  const progress = createProgress(human, { quietUnlessTty: true });
  let report;
  try {
    report = verifyBundle(dir, results, {
      ...(filter !== undefined ? { filter } : {}),
      errorProfiles: htmlTarget !== undefined,
      onCase: (index, total, result) => progress.onProgress({ type: 'done', index, total, id: result.id, result }),
    });
  } catch (e) {
    if (e instanceof BundleError) throw new CliError(e.message, 2);
    throw e;
  } finally {
    progress.finish();
  }
  if (jsonTarget === '-') process.stdout.write(reportToJson(report));
  else if (jsonTarget !== undefined) {
    try {
      writeFileSync(jsonTarget, reportToJson(report));
    } catch (e) {
      throw new CliError(`cannot write ${jsonTarget}: ${(e as Error).message}`, 2);
    }
  }
  const extra = await writeExtraReports(report, flagString(args, 'junit'), htmlTarget);
  human.write(formatSummary(report));
  for (const line of extra) human.write(line + '\n');
  return reportFailed(report) ? 1 : 0;
};
