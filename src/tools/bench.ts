/**
 * `npm run bench`: the fast path against ONNX Runtime native, the TFLite WASM runtime, tfjs (wasm
 * and cpu backends) and the plain reference, on the workloads of bench/workloads.ts, in one run.
 *
 *   node dist/tools/bench.js [--workloads W1,W2,W2np,W3,MN] [--impls ort,fast,…] [--quick]
 *                            [--samples N] [--json FILE] [--no-conformance]
 *
 * Every (implementation, workload) pair runs in its own child process (JIT feedback from one
 * implementation must not distort another's timings, and each child's peak RSS is its own). A child
 * warms up (≥ 1 s and ≥ 3 calls), then takes ≥ 7 samples of ≥ 50 ms of back-to-back calls each
 * (slow implementations: one call per sample), and reports the median, min and max time per
 * sequence, wall-clock and process CPU time, its peak RSS, the largest difference of its final
 * h / C from the plain reference's, and — for the nnlstm paths — the heap growth over ≥ 1,000
 * steady-state steps. The parent prints a Markdown table and writes every number to a JSON file.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FastUniSequenceLstm } from '../ops/fast/sequence-fast.js';
import { createUniSequenceLstmOutputs } from '../ops/sequence/unidirectional.js';
import { packageRoot } from '../util/paths.js';
import { IMPL_IDS, IMPL_LABELS, prepare, type ImplId } from './bench/impls.js';
import { buildWorkload, flopsOf, WORKLOAD_IDS, WORKLOADS, type WorkloadId } from './bench/workloads.js';

const THIS_FILE = fileURLToPath(import.meta.url);

interface ChildOptions {
  samples: number;
  warmupMs: number;
  sampleMs: number;
}

export interface PairResult {
  workload: WorkloadId;
  impl: ImplId;
  status: 'ok' | 'skipped' | 'error';
  reason?: string;
  note?: string;
  version?: string;
  /** ms per sequence over the samples (wall clock). */
  medianMs?: number;
  minMs?: number;
  maxMs?: number;
  /** Process CPU time / wall time over the samples (≈ 1 for one thread). */
  cpuPerWall?: number;
  /** ms per sequence, process CPU time, median. */
  cpuMedianMs?: number;
  samples?: number;
  callsPerSample?: number;
  gflops?: number;
  /** Peak resident set size of the child process, bytes. */
  peakRssBytes?: number;
  /** max |Δ| of the final h and C against the plain reference. */
  maxAbsDiff?: number;
  /** nnlstm paths: heap growth over `heapSteps` steady-state steps, bytes. */
  heapGrowthBytes?: number;
  /** Heap growth of each round (the last is heapGrowthBytes). */
  heapGrowthRounds?: number[];
  heapSteps?: number;
  /** fast paths: WebAssembly memory held. */
  wasmBytes?: number;
  source?: string;
}

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function childMain(impl: ImplId, id: WorkloadId, o: ChildOptions): Promise<PairResult> {
  const w = buildWorkload(id);
  const base: PairResult = { workload: id, impl, status: 'ok', source: w.source };
  let prep;
  try {
    prep = await prepare(impl, w);
  } catch (e) {
    return { ...base, status: 'error', reason: (e as Error).message };
  }
  if (!prep.ok) return { ...base, status: 'skipped', reason: prep.reason };
  const r = prep.runner;
  if (r.note) base.note = r.note;
  if (r.version) base.version = r.version;

  // Correctness: final h / C against the plain reference (the exact-cell fast path is bit-identical to it).
  const { shape, tensors } = w.bound;
  const ref = new FastUniSequenceLstm(shape, tensors, { cell: 'exact' });
  const refOut = ref.run(tensors.input, tensors.output_state_in, tensors.cell_state_in, createUniSequenceLstmOutputs(shape));
  const fin = await r.final();
  if (fin.h.length === refOut.outputStateOut.length && fin.c.length === refOut.cellStateOut.length) {
    let d = 0;
    for (let k = 0; k < fin.h.length; k++) d = Math.max(d, Math.abs(fin.h[k]! - refOut.outputStateOut[k]!));
    for (let k = 0; k < fin.c.length; k++) d = Math.max(d, Math.abs(fin.c[k]! - refOut.cellStateOut[k]!));
    base.maxAbsDiff = d;
  }

  // Warm-up: ≥ warmupMs and ≥ 3 calls (a single call longer than 2 s is warm-up enough).
  const isAsync = impl === 'ort';
  const call = async (): Promise<void> => {
    if (isAsync) await r.run();
    else r.run();
  };
  let t0 = performance.now();
  let calls = 0;
  while (performance.now() - t0 < o.warmupMs || calls < 3) {
    await call();
    calls++;
    if (calls === 1 && performance.now() - t0 > 2000) break;
  }
  const perCall = (performance.now() - t0) / calls;
  const batch = Math.max(1, Math.floor(o.sampleMs / Math.max(perCall, 1e-3)));
  const wall: number[] = [];
  const cpu: number[] = [];
  let wallSum = 0;
  let cpuSum = 0;
  for (let s = 0; s < o.samples; s++) {
    const c0 = cpuMs();
    t0 = performance.now();
    for (let k = 0; k < batch; k++) await call();
    const dt = performance.now() - t0;
    const dc = cpuMs() - c0;
    wall.push(dt / batch);
    cpu.push(dc / batch);
    wallSum += dt;
    cpuSum += dc;
  }
  const res: PairResult = {
    ...base,
    medianMs: median(wall),
    minMs: Math.min(...wall),
    maxMs: Math.max(...wall),
    cpuMedianMs: median(cpu),
    cpuPerWall: cpuSum / wallSum,
    samples: o.samples,
    callsPerSample: batch,
    gflops: flopsOf(w.def) / median(wall) / 1e6,
  };

  // Steady state: heap growth over ≥ 1,000 steps (nnlstm paths), GC first when exposed.
  // (The plain path only where a sequence is short: 10 rounds of ≥ 1,000 steps of W2 would take minutes.)
  if (impl === 'fast' || impl === 'fast-fma' || (impl === 'plain' && res.medianMs! < 100)) {
    // Ten rounds after a GC each. The first rounds still see V8's own allocations (feedback and
    // code of functions being re-optimised after the forced GC; the plain path shows the same), so
    // the last round is the steady state reported; all rounds are kept in the JSON.
    const gc = (globalThis as { gc?: () => void }).gc;
    const runs = Math.ceil(1000 / w.def.T);
    const rounds: number[] = [];
    for (let round = 0; round < 10; round++) {
      gc?.();
      const before = process.memoryUsage().heapUsed;
      for (let k = 0; k < runs; k++) r.run();
      rounds.push(process.memoryUsage().heapUsed - before);
    }
    res.heapGrowthBytes = rounds[rounds.length - 1]!;
    res.heapGrowthRounds = rounds;
    res.heapSteps = runs * w.def.T;
  }
  if (impl === 'fast' || impl === 'fast-fma') {
    res.wasmBytes = new FastUniSequenceLstm(shape, tensors).memoryBytes;
  }
  res.peakRssBytes = process.resourceUsage().maxRSS * 1024;
  return res;
}

// ---------------------------------------------------------------------------------------------
// Conformance speed (a child too)

interface ConformanceTiming {
  driver: string;
  seconds: number;
  cases: number;
  positives: number;
  pass: number;
  worstRatio: number;
  worstCase: string;
}

async function conformanceChild(driverName: string): Promise<ConformanceTiming> {
  const t0 = performance.now();
  const { loadCases } = await import('../conformance/cases.js');
  const { loadDeviations } = await import('../conformance/deviations.js');
  const { runConformance } = await import('../conformance/runner.js');
  const { createDriver } = await import('../drivers/registry.js');
  const report = await runConformance(await createDriver(driverName), loadCases(), { deviations: loadDeviations() });
  const seconds = (performance.now() - t0) / 1000;
  const pos = report.results.filter((r) => r.kind === 'positive');
  const worst = pos.reduce((a, b) => ((b.maxRatio ?? 0) > (a.maxRatio ?? 0) ? b : a));
  return {
    driver: driverName,
    seconds,
    cases: report.results.length,
    positives: pos.length,
    pass: report.results.filter((r) => r.status === 'pass').length,
    worstRatio: worst.maxRatio ?? 0,
    worstCase: worst.id,
  };
}

// ---------------------------------------------------------------------------------------------
// Parent

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function runChild(childArgs: string[], nodeFlags: string[], timeoutMs: number): { json?: unknown; error?: string } {
  const r = spawnSync(process.execPath, [...nodeFlags, THIS_FILE, ...childArgs], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('@@RESULT '));
  if (line) return { json: JSON.parse(line.slice('@@RESULT '.length)) };
  const why = r.error ? r.error.message : `exit ${r.status ?? r.signal}`;
  return { error: `${why}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` };
}

function machine(): Record<string, unknown> {
  let flags = '';
  try {
    flags = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? '';
  } catch {
    /* not Linux */
  }
  const has = (f: string): boolean => flags.split(' ').includes(f);
  return {
    cpu: cpus()[0]?.model ?? '?',
    logicalCpus: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    avx2: has('avx2'),
    avx512f: has('avx512f'),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${process.arch}`,
  };
}

const fmt = (x: number | undefined, d = 3): string => (x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toPrecision(d));

function table(results: PairResult[]): string {
  const ort = (id: WorkloadId): PairResult | undefined => results.find((r) => r.impl === 'ort' && r.status === 'ok' && r.workload === (id === 'W2' ? 'W2np' : id));
  const lines: string[] = [];
  lines.push('| workload | implementation | median ms | min – max ms | GFLOP/s | % of ORT GFLOP/s (median, [worst – best]) | CPU/wall | peak RSS MB | max abs diff vs plain | note |');
  lines.push('|---|---|---:|---:|---:|---|---:|---:|---:|---|');
  for (const id of WORKLOAD_IDS) {
    const rows = results.filter((r) => r.workload === id);
    if (rows.length === 0) continue;
    const o = ort(id);
    const fl = flopsOf(WORKLOADS[id]);
    const of = o ? flopsOf(WORKLOADS[o.workload]) : 0;
    const sorted = [...rows].sort((a, b) => (b.gflops ?? -1) - (a.gflops ?? -1));
    for (const r of sorted) {
      if (r.status !== 'ok') {
        lines.push(`| ${id} | ${r.impl} | — | — | — | — | — | — | — | ${r.status}: ${r.reason ?? ''} |`);
        continue;
      }
      let pct = '—';
      if (o && r.medianMs && o.medianMs && o.minMs && o.maxMs && r.minMs && r.maxMs) {
        const g = (flops: number, ms: number): number => flops / ms;
        const p = (x: number): string => `${(100 * x).toFixed(0)}%`;
        pct = `${p(g(fl, r.medianMs) / g(of, o.medianMs))} [${p(g(fl, r.maxMs) / g(of, o.minMs))} – ${p(g(fl, r.minMs) / g(of, o.maxMs))}]`;
        if (id === 'W2') pct += ' vs W2np';
      }
      const rss = r.peakRssBytes === undefined ? '—' : (r.peakRssBytes / 2 ** 20).toFixed(0);
      const diff = r.maxAbsDiff === undefined ? '—' : r.maxAbsDiff.toExponential(1);
      lines.push(
        `| ${id} | ${r.impl} | ${fmt(r.medianMs)} | ${fmt(r.minMs)} – ${fmt(r.maxMs)} | ${fmt(r.gflops)} | ${pct} | ${fmt(r.cpuPerWall, 2)} | ${rss} | ${diff} | ${r.note ?? ''} |`,
      );
    }
  }
  return lines.join('\n');
}

interface Check {
  what: string;
  target: string;
  value: string;
  pass: boolean | null;
}

function acceptance(results: PairResult[]): Check[] {
  const get = (w: WorkloadId, i: ImplId): PairResult | undefined => results.find((r) => r.workload === w && r.impl === i && r.status === 'ok');
  const checks: Check[] = [];
  const vsOrt = (w: WorkloadId, target: number, label: string = w): void => {
    const f = get(w, 'fast');
    const o = get(w, 'ort');
    const ratio = f?.gflops && o?.gflops ? f.gflops / o.gflops : undefined;
    checks.push({ what: `fast vs ONNX Runtime, ${label}`, target: `≥ ${target * 100}% of its GFLOP/s`, value: ratio === undefined ? 'not measured' : `${(ratio * 100).toFixed(0)}%`, pass: ratio === undefined ? null : ratio >= target });
  };
  vsOrt('W1', 0.5);
  vsOrt('W3', 0.5);
  vsOrt('W2np', 0.4, 'W2 without projection (W2np)');
  for (const w of WORKLOAD_IDS) {
    const f = get(w, 'fast');
    const t = get(w, 'tfjs-wasm');
    if (!t) continue;
    const x = f?.medianMs && t.medianMs ? t.medianMs / f.medianMs : undefined;
    checks.push({ what: `fast vs tfjs-wasm, ${w}${t.note ? ` (tfjs: ${t.note})` : ''}`, target: '≥ 1.5×', value: x === undefined ? 'not measured' : `${x.toFixed(2)}×`, pass: x === undefined ? null : x >= 1.5 });
  }
  const f = get('MN', 'fast');
  const t = get('MN', 'tflite');
  const x = f?.medianMs && t?.medianMs ? t.medianMs / f.medianMs : undefined;
  checks.push({ what: 'fast vs TFLite WASM runtime, mnist_lstm LSTM', target: '≥ 3×', value: x === undefined ? 'not measured' : `${x.toFixed(2)}×`, pass: x === undefined ? null : x >= 3 });
  return checks;
}

async function parentMain(args: string[]): Promise<number> {
  const quick = args.includes('--quick');
  const workloads = (arg(args, '--workloads')?.split(',') ?? [...WORKLOAD_IDS]) as WorkloadId[];
  const impls = (arg(args, '--impls')?.split(',') ?? [...IMPL_IDS]) as ImplId[];
  for (const w of workloads) if (!WORKLOAD_IDS.includes(w)) throw new Error(`unknown workload ${w} (${WORKLOAD_IDS.join(', ')})`);
  for (const i of impls) if (!IMPL_IDS.includes(i)) throw new Error(`unknown implementation ${i} (${IMPL_IDS.join(', ')})`);
  const samples = Number(arg(args, '--samples') ?? (quick ? 5 : 9));
  if (!(samples >= 5)) throw new Error('--samples must be ≥ 5');
  const childOpts = ['--samples', String(samples), '--warmup-ms', quick ? '300' : '1000', '--sample-ms', quick ? '30' : '60'];
  const started = new Date();
  const load0 = loadavg();
  const results: PairResult[] = [];
  for (const w of workloads) {
    for (const impl of impls) {
      if (impl === 'tflite-model' && w !== 'MN') continue;
      const flags = ['--expose-gc', ...(impl === 'fast-fma' ? ['--experimental-wasm-relaxed-simd'] : [])];
      process.stderr.write(`bench: ${w} ${impl} … `);
      const r = runChild(['--child', impl, w, ...childOpts], flags, 15 * 60_000);
      const res: PairResult = r.json ? (r.json as PairResult) : { workload: w, impl, status: 'error', reason: r.error ?? 'no result' };
      results.push(res);
      process.stderr.write(res.status === 'ok' ? `${fmt(res.medianMs)} ms, ${fmt(res.gflops)} GFLOP/s\n` : `${res.status}: ${res.reason}\n`);
    }
  }
  const conformance: ConformanceTiming[] = [];
  if (!args.includes('--no-conformance')) {
    for (const d of ['reference-fast', 'reference']) {
      process.stderr.write(`bench: conformance suite on ${d} … `);
      const r = runChild(['--conformance', d], [], 10 * 60_000);
      if (r.json) {
        conformance.push(r.json as ConformanceTiming);
        process.stderr.write(`${(r.json as ConformanceTiming).seconds.toFixed(2)} s\n`);
      } else process.stderr.write(`${r.error}\n`);
    }
  }
  const checks = acceptance(results);
  const doc = {
    tool: 'nnlstm bench',
    command: `node dist/tools/bench.js ${args.join(' ')}`.trim(),
    date: started.toISOString(),
    durationS: Math.round((Date.now() - started.getTime()) / 1000),
    machine: machine(),
    loadAverage: { start: load0, end: loadavg() },
    method: { samples, warmupMs: Number(childOpts[3]), minSampleMs: Number(childOpts[5]), processPerPair: true },
    workloads: Object.fromEntries(workloads.map((w) => [w, { ...WORKLOADS[w], mflops: flopsOf(WORKLOADS[w]) / 1e6 }])),
    implementations: Object.fromEntries(impls.map((i) => [i, IMPL_LABELS[i]])),
    results,
    conformance,
    acceptance: checks,
  };
  const jsonPath = resolve(arg(args, '--json') ?? join(packageRoot(), 'out', `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`));
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(doc, null, 2)}\n`);

  const m = doc.machine as Record<string, unknown>;
  const out: string[] = [];
  out.push(`nnlstm bench — ${doc.date} — ${String(m['cpu'])}, ${String(m['logicalCpus'])} logical CPUs, Node ${String(m['node'])} (V8 ${String(m['v8'])})`);
  out.push(`load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}; every implementation single-threaded; ${samples} samples per pair`);
  out.push('');
  out.push(table(results));
  out.push('');
  const heap = results.filter((r) => r.heapGrowthBytes !== undefined);
  if (heap.length) {
    out.push('Steady state (heap growth over ≥ 1,000 steps after GC; WebAssembly memory of the fast path):');
    for (const r of heap) out.push(`  ${r.workload} ${r.impl}: ${r.heapGrowthBytes} B over ${r.heapSteps} steps (rounds: ${(r.heapGrowthRounds ?? []).join(', ')} B)${r.wasmBytes ? `; WASM memory ${(r.wasmBytes / 2 ** 20).toFixed(1)} MB` : ''}`);
    out.push('');
  }
  if (conformance.length) {
    out.push('Conformance suite (in-process, loading included):');
    for (const c of conformance) out.push(`  ${c.driver}: ${c.cases} cases (${c.positives} positive), ${c.pass} pass, ${c.seconds.toFixed(2)} s, worst error ratio ${c.worstRatio.toExponential(3)} (${c.worstCase})`);
    out.push('');
  }
  out.push('Acceptance:');
  for (const c of checks) out.push(`  [${c.pass === null ? ' ?  ' : c.pass ? 'PASS' : 'MISS'}] ${c.what}: ${c.value} (target ${c.target})`);
  out.push('');
  out.push(`JSON: ${jsonPath}`);
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

async function main(args: string[]): Promise<number> {
  if (args[0] === '--child') {
    const o: ChildOptions = {
      samples: Number(arg(args, '--samples') ?? 9),
      warmupMs: Number(arg(args, '--warmup-ms') ?? 1000),
      sampleMs: Number(arg(args, '--sample-ms') ?? 60),
    };
    const res = await childMain(args[1] as ImplId, args[2] as WorkloadId, o);
    process.stdout.write(`@@RESULT ${JSON.stringify(res)}\n`);
    return 0;
  }
  if (args[0] === '--conformance') {
    process.stdout.write(`@@RESULT ${JSON.stringify(await conformanceChild(args[1] ?? 'reference-fast'))}\n`);
    return 0;
  }
  return parentMain(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
