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

export interface FuzzCliOptions {
  count: number;
  seed: number;
  hangMs: number;
  json: boolean;
  mix: 'all' | 'bytes' | 'structure';
  heap: boolean;
}

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

export function parseFuzzArgs(argv: string[]): FuzzCliOptions {
  const o: FuzzCliOptions = { count: 20000, seed: 0x5eed, hangMs: 1000, json: false, mix: 'all', heap: false };
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
      case '--json':
        o.json = true;
        break;
      case '--heap':
        o.heap = true;
        break;
      case '--mix': {
        const v = inline ?? argv[++i];
        if (v !== 'all' && v !== 'bytes' && v !== 'structure') throw new Error(`--mix needs all, bytes or structure, got '${v ?? ''}'`);
        o.mix = v;
        break;
      }
      default:
        throw new Error(`unknown argument '${a}' (usage: node --expose-gc dist/tools/fuzz.js [--count 20000] [--seed N] [--hang-ms 1000] [--mix all|bytes|structure] [--heap] [--json])`);
    }
  }
  return o;
}

export function renderFuzzResult(r: FuzzResult, o: FuzzCliOptions, wallMs: number, notes: string[]): string {
  const lines = [
    `nnlstm fuzz: seed ${o.seed}, mix ${o.mix}, ${r.bases.length} seed models (${notes.join('; ')})`,
    `mutants   ${r.mutants}`,
    `accepted  ${r.accepted}  (LSTM ops structurally checked: ${r.opsChecked}; not valid or not mappable: ${r.mappingRefusals})`,
    `rejected  ${r.rejected}`,
    `crashes   ${r.crashes}`,
    `hangs     ${r.hangs}  (> ${o.hangMs} ms)`,
    `max ms    ${r.maxMs.toFixed(2)}`,
    `mean ms   ${(r.mutants ? r.totalMs / r.mutants : 0).toFixed(3)}`,
    `wall      ${(wallMs / 1000).toFixed(1)} s`,
    `by kind   ${Object.entries(r.byKind).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ') || '-'}`,
    r.heapMeasured
      ? `heap      max growth ${(r.maxHeapBytes / 2 ** 20).toFixed(1)} MB, max growth / (64 MB + 16 × size) ${r.maxHeapRatio.toFixed(3)}, over the bound ${r.heapOverBound}`
      : 'heap      not measured (run with node --expose-gc … --heap)',
    'family         mutants  accepted  crashes  hangs  max ms' + (r.heapMeasured ? '   max heap MB  max heap/bound' : ''),
  ];
  for (const [name, f] of Object.entries(r.byFamily)) {
    lines.push(
      `${name.padEnd(14)} ${String(f.mutants).padStart(7)}  ${String(f.accepted).padStart(8)}  ${String(f.crashes).padStart(7)}  ${String(f.hangs).padStart(5)}  ${f.maxMs.toFixed(1).padStart(6)}` +
        (r.heapMeasured ? `  ${(f.maxHeapBytes / 2 ** 20).toFixed(1).padStart(12)}  ${f.maxHeapRatio.toFixed(3).padStart(14)}` : ''),
    );
  }
  for (const s of r.samples) lines.push(`  sample: mutant ${s.mutant} of ${s.base} (${s.mutation}), ${s.ms.toFixed(1)} ms: ${s.error}`);
  lines.push(
    r.crashes + r.hangs + r.heapOverBound === 0
      ? `result: OK (no crashes, no hangs${r.heapMeasured ? ', heap within the bound' : ''})`
      : `result: FAILED (${r.crashes} crash(es), ${r.hangs} hang(s), ${r.heapOverBound} over the heap bound)`,
  );
  return lines.join('\n') + '\n';
}

export function fuzzMain(argv: string[]): number {
  let o: FuzzCliOptions;
  try {
    o = parseFuzzArgs(argv);
  } catch (e) {
    process.stderr.write(`fuzz: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const { files, notes } = fuzzSeedFiles();
  const t0 = performance.now();
  let r: FuzzResult;
  try {
    r = runFuzz({ count: o.count, seed: o.seed, files, hangMs: o.hangMs, mix: o.mix, measureHeap: o.heap });
  } catch (e) {
    process.stderr.write(`fuzz: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const wallMs = performance.now() - t0;
  if (o.json) process.stdout.write(JSON.stringify({ seed: o.seed, hangMs: o.hangMs, wallMs, notes, ...r }, null, 2) + '\n');
  else process.stdout.write(renderFuzzResult(r, o, wallMs, notes));
  return r.crashes + r.hangs + r.heapOverBound === 0 ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = fuzzMain(process.argv.slice(2));
}
