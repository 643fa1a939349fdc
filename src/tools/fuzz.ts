/**
 * Mutation fuzzing of the `.tflite` reader (src/tflite/fuzz.ts runFuzz) from the command line:
 *
 *   node --expose-gc dist/tools/fuzz.js [--count 20000] [--seed N] [--hang-ms 1000] [--mix all|bytes|structure] [--heap] [--json]
 *
 * Seeds: the built-in synthetic models (src/tflite/synthetic.ts), the real models in ../shared/models when present,
 * and the writer's output for every golden/tflite/*.json. `--mix` picks the byte-level mutations, the structure-aware
 * families (src/tflite/fuzz-families.ts) or both alternately (default). `--heap` (needs --expose-gc) measures each
 * mutant's heap growth against 64 MB + 16 × its size. Prints counts (mutants, accepted, rejected, crashes, hangs, max
 * ms, per family, rejections by kind) and exits 1 on any crash, hang or heap over the bound, 2 on bad usage.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadModelFile } from '../model/load-file.js';
import { runFuzz, type FuzzResult, type FuzzSeedFile } from '../tflite/fuzz.js';
import { writeSingleOpTflite } from '../tflite/writer.js';
import { fromRoot, sharedDir } from '../util/paths.js';
import { fuzzCliDefaults, fuzzHeapLine, fuzzKindLine, fuzzStatsTable, fuzzTailLines, fuzzTimeLines, parseFuzzCliArgs, runFuzzTool, type FuzzCommonCliOptions } from './fuzz-cli.js';

/** The tool's options (only the common ones). */
export type FuzzCliOptions = FuzzCommonCliOptions;

const USAGE = 'node --expose-gc dist/tools/fuzz.js [--count 20000] [--seed N] [--hang-ms 1000] [--mix all|bytes|structure] [--heap] [--json]';

/** Seed files besides the synthetic corpus: ../shared/models/*.tflite (if present) + writer(golden/tflite/*.json). */
export function fuzzSeedFiles(): { files: (string | FuzzSeedFile)[]; notes: string[] } {
  const files: (string | FuzzSeedFile)[] = [];
  const notes: string[] = [];
  const shared = sharedDir();
  const modelsDir = shared ? join(shared, 'models') : undefined;
  if (modelsDir && existsSync(modelsDir)) {
    const real = readdirSync(modelsDir).filter((f) => f.endsWith('.tflite')).sort();
    for (const f of real) files.push(join(modelsDir, f));
    notes.push(`${real.length} real model(s) from ${modelsDir}`);
  } else {
    notes.push('../shared/models absent: real models not used as seeds');
  }
  const goldenDir = fromRoot('golden', 'tflite');
  let written = 0;
  if (existsSync(goldenDir)) {
    for (const f of readdirSync(goldenDir).filter((x) => x.endsWith('.json')).sort()) {
      try {
        files.push({ name: `golden:${basename(f, '.json')}`, bytes: writeSingleOpTflite(loadModelFile(join(goldenDir, f))) });
        written++;
      } catch (e) {
        notes.push(`golden/tflite/${f} not written: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  notes.push(`${written} writer output(s) of golden/tflite/*.json`);
  return { files, notes };
}

export const parseFuzzArgs = (argv: string[]): FuzzCliOptions => parseFuzzCliArgs(argv, fuzzCliDefaults(), USAGE);

export function renderFuzzResult(r: FuzzResult, o: FuzzCliOptions, wallMs: number, notes: string[]): string {
  const lines = [
    `nnlstm fuzz: seed ${o.seed}, mix ${o.mix}, ${r.bases.length} seed models (${notes.join('; ')})`,
    `mutants   ${r.mutants}`,
    `accepted  ${r.accepted}  (LSTM ops structurally checked: ${r.opsChecked}; not valid or not mappable: ${r.mappingRefusals})`,
    `rejected  ${r.rejected}`,
    `crashes   ${r.crashes}`,
    `hangs     ${r.hangs}  (> ${o.hangMs} ms)`,
    `max ms    ${r.maxMs.toFixed(2)}`,
    ...fuzzTimeLines(r, wallMs),
    fuzzKindLine(r),
    fuzzHeapLine(r),
    ...fuzzStatsTable('family', r.byFamily, r.heapMeasured, { nameWidth: 14, msWidth: 6, heapWidth: 12, ratioWidth: 14 }),
  ];
  lines.push(...fuzzTailLines(r));
  return lines.join('\n') + '\n';
}

export const fuzzMain = (argv: string[]): number =>
  runFuzzTool(
    {
      name: 'fuzz',
      parse: parseFuzzArgs,
      load: () => {
        const { files, notes } = fuzzSeedFiles();
        return { seeds: files, notes };
      },
      run: (o, files) => runFuzz({ count: o.count, seed: o.seed, files, hangMs: o.hangMs, mix: o.mix, measureHeap: o.heap }),
      render: renderFuzzResult,
    },
    argv,
  );

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = fuzzMain(process.argv.slice(2));
}
