/**
 * Mutation fuzzing of the `.tflite` reader (src/tflite/fuzz.ts runFuzz) from the command line:
 *
 *   node dist/tools/fuzz.js [--count 20000] [--seed N] [--hang-ms 1000] [--json]
 *
 * Seeds: the built-in synthetic models (src/tflite/synthetic.ts), the real models in ../shared/models when present,
 * and the writer's output for every golden/tflite/*.json. Prints counts (mutants, accepted, rejected, crashes, hangs,
 * max ms, rejections by kind) and exits 1 on any crash or hang, 2 on bad usage.
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
  const o: FuzzCliOptions = { count: 20000, seed: 0x5eed, hangMs: 1000, json: false };
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
      default:
        throw new Error(`unknown argument '${a}' (usage: node dist/tools/fuzz.js [--count 20000] [--seed N] [--hang-ms 1000] [--json])`);
    }
  }
  return o;
}

export function renderFuzzResult(r: FuzzResult, o: FuzzCliOptions, wallMs: number, notes: string[]): string {
  const lines = [
    `nnlstm fuzz: seed ${o.seed}, ${r.bases.length} seed models (${notes.join('; ')})`,
    `mutants   ${r.mutants}`,
    `accepted  ${r.accepted}  (LSTM ops the mapping refused: ${r.mappingRefusals})`,
    `rejected  ${r.rejected}`,
    `crashes   ${r.crashes}`,
    `hangs     ${r.hangs}  (> ${o.hangMs} ms)`,
    `max ms    ${r.maxMs.toFixed(2)}`,
    `mean ms   ${(r.mutants ? r.totalMs / r.mutants : 0).toFixed(3)}`,
    `wall      ${(wallMs / 1000).toFixed(1)} s`,
    `by kind   ${Object.entries(r.byKind).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ') || '-'}`,
  ];
  for (const s of r.samples) lines.push(`  sample: mutant ${s.mutant} of ${s.base} (${s.mutation}), ${s.ms.toFixed(1)} ms: ${s.error}`);
  lines.push(r.crashes + r.hangs === 0 ? 'result: OK (no crashes, no hangs)' : `result: FAILED (${r.crashes} crash(es), ${r.hangs} hang(s))`);
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
  const r = runFuzz({ count: o.count, seed: o.seed, files, hangMs: o.hangMs });
  const wallMs = performance.now() - t0;
  if (o.json) process.stdout.write(JSON.stringify({ seed: o.seed, hangMs: o.hangMs, wallMs, notes, ...r }, null, 2) + '\n');
  else process.stdout.write(renderFuzzResult(r, o, wallMs, notes));
  return r.crashes + r.hangs === 0 ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = fuzzMain(process.argv.slice(2));
}
