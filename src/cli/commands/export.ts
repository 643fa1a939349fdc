import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aospSpecFolder, isGapFillingCase, renderAospSpec, specName } from '../../bundle/aosp-spec.js';
import { exportBundle, makeDirs } from '../../bundle/export.js';
import { exportWpt } from '../../bundle/wpt-export.js';
import { loadCases, matchesFilter, type PositiveCase } from '../../conformance/cases.js';
import { ModelFileError } from '../../model/load.js';
import { CliError, flagString, parseOptions, type Command } from '../command.js';
import { parseFilter } from './conformance.js';

const HELP = `usage: nnlstm export --out DIR [--filter P] [--format bundle|aosp-spec|wpt] [--help]

Writes the positive conformance cases for running elsewhere.

  --format bundle     (default) a device bundle: per case the model JSON, a single-op .tflite where
                      TFLite can express the case, the inputs and the expected outputs as .npy, and
                      DIR/manifest.json (tolerances, provenance, TFLite I/O map, and the command that
                      judges results: nnlstm verify DIR --results RESULTS_DIR)
  --format aosp-spec  AOSP test_generator specs (.mod.py) of the gap-filling cases (those whose
                      values did not come from AOSP CTS), in DIR/V1_<n>/, to run inside CTS/VTS
  --format wpt        the cases WebNN's lstm can express, as web-platform-tests WebNN conformance
                      files: DIR/webnn/conformance_tests/nnlstm_lstm.https.any.js and
                      nnlstm_lstm_cell.https.any.js (expected values per WebNN's semantics), and
                      DIR/nnlstm-wpt-manifest.json (source case, provenance, cases left out and why);
                      copy DIR/webnn/ into a WPT checkout to run them (docs/webnn.md)
  --filter P          as for nnlstm conformance (substring, /REGEXP/ or group:NAME)

Exit codes: 0 written, 2 bad usage, no matching case, or an unwritable folder.`;

export const command: Command = async (argv) => {
  const args = parseOptions(argv, ['out', 'filter', 'format'], HELP, ['help']);
  if (args.flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (args.positional.length) throw new CliError(`unexpected argument '${args.positional[0]}'\n${HELP}`);
  const out = flagString(args, 'out');
  if (out === undefined) throw new CliError(`--out DIR is required\n${HELP}`);
  const format = flagString(args, 'format') ?? 'bundle';
  if (format !== 'bundle' && format !== 'aosp-spec' && format !== 'wpt') throw new CliError(`--format: expected bundle, aosp-spec or wpt, got '${format}'`);
  const filterText = flagString(args, 'filter');
  const filter = parseFilter(filterText);
  let cases;
  try {
    cases = loadCases();
  } catch (e) {
    if (e instanceof ModelFileError) throw new CliError(e.message, 2);
    throw e;
  }
  let selected = cases.filter((c): c is PositiveCase => c.kind === 'positive' && matchesFilter(c, filter));
  if (format === 'aosp-spec') selected = selected.filter(isGapFillingCase);
  if (selected.length === 0) throw new CliError(`no ${format === 'aosp-spec' ? 'gap-filling ' : ''}positive case matches ${filterText === undefined ? '(no filter)' : `filter ${filterText}`}`);
  // The folder first: an unwritable --out is exit 2 at once, naming it.
  try {
    makeDirs(out);
  } catch (e) {
    throw new CliError(`--out ${out}: cannot create the folder (${(e as Error).message})`, 2);
  }
  try {
    if (format === 'bundle') {
      const m = exportBundle(out, selected, { filter: filterText ?? null, displayDir: out });
      const withTflite = m.cases.filter((c) => c.tflite !== null).length;
      process.stdout.write(`exported ${m.cases.length} case(s) to ${out} (${withTflite} with a .tflite, ${m.cases.length - withTflite} not expressible in TFLite)\n`);
      process.stdout.write(`check device results with: nnlstm verify ${out} --results RESULTS_DIR\n`);
    } else if (format === 'wpt') {
      const { manifest: m } = exportWpt(out, selected, { filter: filterText ?? null });
      if (m.tests.length === 0) throw new CliError(`no case of ${filterText === undefined ? 'the suite' : `filter ${filterText}`} is expressible in WebNN (${Object.entries(m.notExpressibleByReason).map(([r, n]) => `${r} ${n}`).join(', ')})`);
      const reasons = Object.entries(m.notExpressibleByReason).map(([r, n]) => `${r} ${n}`).join(', ');
      process.stdout.write(`exported ${m.casesExported} of ${m.casesConsidered} case(s) as ${m.tests.length} WebNN test(s) to ${out}: ${m.files.map((f) => `${f.file} (${f.tests})`).join(', ')}\n`);
      process.stdout.write(`not expressible in WebNN: ${m.casesConsidered - m.casesExported}${reasons ? ` (${reasons})` : ''}\n`);
    } else {
      const names = new Set<string>();
      for (const c of selected) {
        const fl = typeof c.features['featureLevel'] === 'number' ? (c.features['featureLevel'] as number) : 1;
        const dir = join(out, aospSpecFolder(fl));
        makeDirs(dir);
        let name = `nnlstm_${specName(c.name)}`;
        while (names.has(name)) name += '_';
        names.add(name);
        writeFileSync(join(dir, `${name}.mod.py`), renderAospSpec(c));
      }
      process.stdout.write(`wrote ${selected.length} AOSP test_generator spec(s) to ${out}\n`);
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== undefined) throw new CliError(`cannot write ${out}: ${(e as Error).message}`, 2);
    throw e;
  }
  return 0;
};
