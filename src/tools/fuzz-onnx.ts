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

export interface FuzzOnnxCliOptions {
  count: number;
  seed: number;
  hangMs: number;
  json: boolean;
  mix: 'all' | 'bytes' | 'structure';
  heap: boolean;
  synthetic: boolean;
  realWeight: number;
}

/** ../shared/models/onnx/*.onnx when present. */
export function onnxFuzzSeedFiles(): { seeds: OnnxFuzzSeed[]; notes: string[] } {
  const shared = sharedDir();
  const dir = shared ? join(shared, 'models', 'onnx') : undefined;
  if (!dir || !existsSync(dir)) return { seeds: [], notes: ['../shared/models/onnx absent: real models not used as seeds'] };
  const files = readdirSync(dir).filter((f) => f.endsWith('.onnx')).sort();
  return { seeds: files.map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(dir, f))) })), notes: [`${files.length} real model(s) from ${dir}`] };
}

export function parseFuzzOnnxArgs(argv: string[]): FuzzOnnxCliOptions {
  const o: FuzzOnnxCliOptions = { count: 20000, seed: 0x5eed, hangMs: 1000, json: false, mix: 'all', heap: false, synthetic: true, realWeight: 4 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): number => {
      const v = inline ?? argv[++i];
      const n = Number(v);
      if (v === undefined || !Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer, got '${v ?? ''}'`);
      return n;
    };
    switch (flag) {
      case '--count':
        o.count = value();
        break;
      case '--seed':
        o.seed = value();
        break;
      case '--hang-ms':
        o.hangMs = value();
        break;
      case '--real-weight':
        o.realWeight = Math.max(1, value());
        break;
      case '--json':
        o.json = true;
        break;
      case '--heap':
        o.heap = true;
        break;
      case '--no-synthetic':
        o.synthetic = false;
        break;
      case '--mix': {
        const v = inline ?? argv[++i];
        if (v !== 'all' && v !== 'bytes' && v !== 'structure') throw new Error(`--mix needs all, bytes or structure, got '${v ?? ''}'`);
        o.mix = v;
        break;
      }
      default:
        throw new Error(
          `unknown argument '${a}' (usage: node --expose-gc dist/tools/fuzz-onnx.js [--count 20000] [--seed N] [--hang-ms 1000] [--mix all|bytes|structure] [--heap] [--json] [--no-synthetic] [--real-weight K])`,
        );
    }
  }
  return o;
}

const fmtStats = (name: string, f: OnnxFuzzResult['byFamily'][string], heap: boolean) =>
  `${name.padEnd(28)} ${String(f.mutants).padStart(7)}  ${String(f.accepted).padStart(8)}  ${String(f.crashes).padStart(7)}  ${String(f.hangs).padStart(5)}  ${f.maxMs.toFixed(1).padStart(7)}` +
  (heap ? `  ${(f.maxHeapBytes / 2 ** 20).toFixed(1).padStart(11)}` : '');

export function renderFuzzOnnxResult(r: OnnxFuzzResult, o: FuzzOnnxCliOptions, wallMs: number, notes: string[]): string {
  const lines = [
    `nnlstm fuzz-onnx: seed ${o.seed}, mix ${o.mix}, ${r.seeds.length} seed models (${notes.join('; ')})`,
    `mutants   ${r.mutants}`,
    `accepted  ${r.accepted}  (LSTM sites found: ${r.lstmSites})`,
    `rejected  ${r.rejected}`,
    `by kind   ${Object.entries(r.byKind).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ') || '-'}`,
    `crashes   ${r.crashes}`,
    `hangs     ${r.hangs}  (> ${o.hangMs} ms)`,
    `max ms    ${r.maxMs.toFixed(2)}${r.slowest ? `  (mutant ${r.slowest.mutant} of ${r.slowest.base}: ${r.slowest.mutation}, ${r.slowest.error})` : ''}`,
    `mean ms   ${(r.mutants ? r.totalMs / r.mutants : 0).toFixed(3)}`,
    `wall      ${(wallMs / 1000).toFixed(1)} s`,
    r.heapMeasured
      ? `heap      max growth ${(r.maxHeapBytes / 2 ** 20).toFixed(1)} MB, max growth / (64 MB + 16 × size) ${r.maxHeapRatio.toFixed(3)}, over the bound ${r.heapOverBound}`
      : 'heap      not measured (run with node --expose-gc … --heap)',
    `${'family'.padEnd(28)} mutants  accepted  crashes  hangs   max ms` + (r.heapMeasured ? '  max heap MB' : ''),
    ...Object.entries(r.byFamily).map(([n, f]) => fmtStats(n, f, r.heapMeasured)),
    `${'seed'.padEnd(28)} mutants  accepted  crashes  hangs   max ms` + (r.heapMeasured ? '  max heap MB' : ''),
    ...Object.entries(r.bySeed).map(([n, f]) => fmtStats(n, f, r.heapMeasured)),
  ];
  for (const s of r.samples) lines.push(`  sample: mutant ${s.mutant} of ${s.base} (${s.mutation}), ${s.ms.toFixed(1)} ms: ${s.error}`);
  lines.push(
    r.crashes + r.hangs + r.heapOverBound === 0
      ? `result: OK (no crashes, no hangs${r.heapMeasured ? ', heap within the bound' : ''})`
      : `result: FAILED (${r.crashes} crash(es), ${r.hangs} hang(s), ${r.heapOverBound} over the heap bound)`,
  );
  return lines.join('\n') + '\n';
}

export function fuzzOnnxMain(argv: string[]): number {
  let o: FuzzOnnxCliOptions;
  try {
    o = parseFuzzOnnxArgs(argv);
  } catch (e) {
    process.stderr.write(`fuzz-onnx: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const { seeds, notes } = onnxFuzzSeedFiles();
  const t0 = performance.now();
  let r: OnnxFuzzResult;
  try {
    r = runOnnxFuzz({
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
    });
  } catch (e) {
    process.stderr.write(`fuzz-onnx: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const wallMs = performance.now() - t0;
  if (o.json) process.stdout.write(JSON.stringify({ seed: o.seed, hangMs: o.hangMs, wallMs, notes, ...r }, null, 2) + '\n');
  else process.stdout.write(renderFuzzOnnxResult(r, o, wallMs, notes));
  return r.crashes + r.hangs + r.heapOverBound === 0 ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = fuzzOnnxMain(process.argv.slice(2));
}
