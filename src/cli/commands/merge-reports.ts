import { readJsonFile } from '../../model/load-file.js';
import { ModelFileError } from '../../model/load.js';
import { evaluateVerdict } from '../../conformance/coverage.js';
import { mergeReports, MergeError } from '../../conformance/merge-reports.js';
import { formatSummary, reportToJson } from '../../conformance/report.js';
import { TOOL_VERSION } from '../../conformance/runner.js';
import { CliError, flagString, parseOptions, type Command } from '../command.js';
import { checkOutputs, withJsonErrors, writeOutputs } from '../output-file.js';

const HELP = `usage: nnlstm merge-reports REPORT.json … [--json FILE|-]

Merges JSON reports (of nnlstm fuzz --shard K/N, or of conformance runs over disjoint selections)
into one report and one verdict, as if one run had produced them: the union of the results (a case
in two reports is an error), totals and groups recomputed. Shards of one fuzz campaign must all be
given, once each, and agree on everything but the shard.

  --json FILE   write the merged report (spec/schema/report.schema.json); '-' for stdout

Exit codes: 0 the merged verdict passed; 1 it failed; 2 bad usage, an unreadable report, or
reports that do not make one run (different runs, a missing or repeated shard, overlapping cases).`;

export const command: Command = (argv) => withJsonErrors(argv, TOOL_VERSION, () => merge(argv));

async function merge(argv: string[]): Promise<number> {
  const args = parseOptions(argv, ['json'], HELP, ['help']);
  if (args.flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (args.positional.length === 0) throw new CliError(`no report given\n${HELP}`);
  const json = flagString(args, 'json');
  if (json !== undefined && json !== '-') checkOutputs([{ option: '--json', target: json }]);
  let report;
  try {
    report = mergeReports(args.positional.map((source) => ({ source, doc: readJsonFile(source) })));
  } catch (e) {
    if (e instanceof MergeError || e instanceof ModelFileError) throw new CliError(e.message, 2);
    throw e;
  }
  const verdict = evaluateVerdict(report);
  const human = json === '-' ? process.stderr : process.stdout;
  if (json === '-') process.stdout.write(reportToJson(report, verdict));
  human.write(`merged ${args.positional.length} report(s): ${report.totals.cases} cases\n`);
  human.write(formatSummary(report, verdict));
  if (json !== undefined && json !== '-') {
    const { written, errors } = writeOutputs([{ option: '--json', target: json, what: 'merged JSON report', text: () => reportToJson(report, verdict) }]);
    for (const line of written) human.write(line + '\n');
    for (const e of errors) process.stderr.write(`nnlstm: ${e}\n`);
    if (errors.length) return 2;
  }
  return verdict.pass ? 0 : 1;
}
