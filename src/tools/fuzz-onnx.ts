/**
 * Mutation fuzzing of the `.onnx` reader (src/onnx/fuzz.ts runOnnxFuzz) from the command line:
 *
 *   node --expose-gc dist/tools/fuzz-onnx.js [--count 20000] [--seed N] [--hang-ms 1000] [--mix all|bytes|structure]
 *        [--heap] [--json] [--no-synthetic] [--real-weight K]
 *
 * Seeds: the real models in ../shared/models/onnx/*.onnx when present (each weighted K times in the rotation,
 * default 4) and the synthetic models of src/onnx/fuzz-families.ts. `--heap` (needs --expose-gc) measures each
 * mutant's heap growth against 64 MB + 16 × its size. Prints counts (mutants, accepted, rejected by kind, crashes,
 * hangs, max ms, per family and per seed) and exits 1 on any crash, hang or heap over the bound, 2 on bad usage.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runOnnxFuzz, type OnnxFuzzResult, type OnnxFuzzSeed } from '../onnx/fuzz.js';
import { sharedDir } from '../util/paths.js';
import { fuzzCliDefaults, fuzzHeapLine, fuzzKindLine, fuzzStatsTable, fuzzTailLines, fuzzTimeLines, parseFuzzCliArgs, runFuzzTool, type FuzzCommonCliOptions } from './fuzz-cli.js';

/** The tool's options: the common ones, the synthetic seeds on or off, and the real models' rotation weight. */
export interface FuzzOnnxCliOptions extends FuzzCommonCliOptions {
  synthetic: boolean;
  realWeight: number;
}

const USAGE =
  'node --expose-gc dist/tools/fuzz-onnx.js [--count 20000] [--seed N] [--hang-ms 1000] [--mix all|bytes|structure] [--heap] [--json] [--no-synthetic] [--real-weight K]';

/** ../shared/models/onnx/*.onnx when present. */
export function onnxFuzzSeedFiles(): { seeds: OnnxFuzzSeed[]; notes: string[] } {
  const shared = sharedDir();
  const dir = shared ? join(shared, 'models', 'onnx') : undefined;
  if (!dir || !existsSync(dir)) return { seeds: [], notes: ['../shared/models/onnx absent: real models not used as seeds'] };
  const files = readdirSync(dir).filter((f) => f.endsWith('.onnx')).sort();
  return { seeds: files.map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(dir, f))) })), notes: [`${files.length} real model(s) from ${dir}`] };
}

export const parseFuzzOnnxArgs = (argv: string[]): FuzzOnnxCliOptions =>
  parseFuzzCliArgs<FuzzOnnxCliOptions>(argv, { ...fuzzCliDefaults(), synthetic: true, realWeight: 4 }, USAGE, (flag, value, o) => {
    if (flag === '--real-weight') o.realWeight = Math.max(1, value());
    else if (flag === '--no-synthetic') o.synthetic = false;
    else return false;
    return true;
  });

const TABLE = { nameWidth: 28, msWidth: 7, heapWidth: 11 };

export function renderFuzzOnnxResult(r: OnnxFuzzResult, o: FuzzOnnxCliOptions, wallMs: number, notes: string[]): string {
  const lines = [
    `nnlstm fuzz-onnx: seed ${o.seed}, mix ${o.mix}, ${r.seeds.length} seed models (${notes.join('; ')})`,
    `mutants   ${r.mutants}`,
    `accepted  ${r.accepted}  (LSTM sites found: ${r.lstmSites})`,
    `rejected  ${r.rejected}`,
    fuzzKindLine(r),
    `crashes   ${r.crashes}`,
    `hangs     ${r.hangs}  (> ${o.hangMs} ms)`,
    `max ms    ${r.maxMs.toFixed(2)}${r.slowest ? `  (mutant ${r.slowest.mutant} of ${r.slowest.base}: ${r.slowest.mutation}, ${r.slowest.error})` : ''}`,
    ...fuzzTimeLines(r, wallMs),
    fuzzHeapLine(r),
    ...fuzzStatsTable('family', r.byFamily, r.heapMeasured, TABLE),
    ...fuzzStatsTable('seed', r.bySeed, r.heapMeasured, TABLE),
  ];
  lines.push(...fuzzTailLines(r));
  return lines.join('\n') + '\n';
}

export const fuzzOnnxMain = (argv: string[]): number =>
  runFuzzTool(
    {
      name: 'fuzz-onnx',
      parse: parseFuzzOnnxArgs,
      load: onnxFuzzSeedFiles,
      run: (o, seeds, t0) =>
        runOnnxFuzz({
          count: o.count,
          seed: o.seed,
          seeds,
          synthetic: o.synthetic,
          weights: seeds.map(() => o.realWeight),
          hangMs: o.hangMs,
          mix: o.mix,
          heap: o.heap,
          // progress on stderr, so that --json stays clean
          onProgress: (p) => process.stderr.write(`fuzz-onnx: ${p.mutants}/${o.count} mutants, ${p.crashes} crashes, ${p.hangs} hangs, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`),
        }),
      render: renderFuzzOnnxResult,
    },
    argv,
  );

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = fuzzOnnxMain(process.argv.slice(2));
}
