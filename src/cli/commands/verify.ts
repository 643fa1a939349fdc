import { BundleError, verifyBundle } from '../../bundle/verify.js';
import { evaluateVerdict } from '../../conformance/coverage.js';
import { createProgress } from '../../conformance/report.js';
import { TOOL_VERSION } from '../../conformance/runner.js';
import { CliError, flagString, parseOptions, type Command } from '../command.js';
import { checkOutputs, withJsonErrors } from '../output-file.js';
import { finishRun, loadRenderers, reportOutputs, verdictOptions } from './conformance.js';

const HELP = `usage: nnlstm verify DIR --results RESULTS_DIR [--filter P] [--require SCOPES|all] [--baseline FILE]
                     [--write-baseline FILE] [--json FILE] [--junit FILE] [--html FILE] [--help]

Judges outputs produced elsewhere for a device bundle (nnlstm export --out DIR) with the conformance
suite's tolerance policy: RESULTS_DIR/<case dir>/<index>_<output>.npy per compared output (the file
names of DIR/manifest.json, cases[].outputs[].result). Reports as nnlstm conformance does, coverage
and verdict included.

  --results DIR   the folder of result .npy files
  --filter P      only cases whose id contains P (case-insensitive)
  --require S     as for nnlstm conformance: fail unless every case of each scope was verified
  --baseline F    as for nnlstm conformance: fail when a case verified by F is not verified now
  --write-baseline F  write the ids of the verified cases to F
  --json FILE     the JSON report (spec/schema/report.schema.json); '-' for stdout (an exit-2 error
                  then writes {"schemaVersion":1,"tool":…,"error":{"exitCode":2,"message":…}})
  --junit FILE    a JUnit XML report
  --html FILE     a self-contained HTML report

Output paths are checked before judging (exit 2 naming the path) and written atomically (a
temporary file renamed over the target).

Exit codes: 0 every case passed, 1 any fail or error (a result missing or malformed), nothing
verified, --require not met or below --baseline, 2 bad usage, an unreadable bundle or baseline, or
an output path that cannot be written.`;

export const command: Command = (argv) => withJsonErrors(argv, TOOL_VERSION, () => verify(argv));

async function verify(argv: string[]): Promise<number> {
  const args = parseOptions(argv, ['results', 'filter', 'json', 'junit', 'html', 'require', 'baseline', 'write-baseline'], HELP, ['help']);
  if (args.flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const [dir, ...rest] = args.positional;
  if (dir === undefined) throw new CliError(`missing the bundle folder DIR\n${HELP}`);
  if (rest.length) throw new CliError(`unexpected argument '${rest[0]}'`);
  const results = flagString(args, 'results');
  if (results === undefined) throw new CliError(`--results RESULTS_DIR is required\n${HELP}`);
  const filter = flagString(args, 'filter');
  const vopts = verdictOptions(args);
  checkOutputs(reportOutputs(args, () => undefined as never, () => undefined as never));
  await loadRenderers(args);
  const human = flagString(args, 'json') === '-' ? process.stderr : process.stdout;
  const progress = createProgress(human, { quietUnlessTty: true });
  let report;
  try {
    report = verifyBundle(dir, results, {
      ...(filter !== undefined ? { filter } : {}),
      errorProfiles: flagString(args, 'html') !== undefined,
      onCase: (index, total, result) => progress.onProgress({ type: 'done', index, total, id: result.id, result }),
    });
  } catch (e) {
    if (e instanceof BundleError) throw new CliError(e.message, 2);
    throw e;
  } finally {
    progress.finish();
  }
  return finishRun(args, report, evaluateVerdict(report, vopts));
}
