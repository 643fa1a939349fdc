/**
 * `npm run bench`: the fast path against ONNX Runtime native, the TFLite WASM runtime, tfjs (wasm
 * and cpu backends) and the plain reference, on the workloads of bench/workloads.ts, in one run.
 *
 *   node dist/tools/bench.js [--workloads W1,W2,W2np,W3,MN] [--impls ort,fast,…] [--quick]
 *                            [--samples N] [--pairs N] [--pair-rounds R] [--no-pairs] [--json FILE] [--no-conformance] [--no-ceiling]
 *
 * Two kinds of child process, both started by the parent one at a time:
 *
 * Solo children (`--child IMPL W`), one per (implementation, workload): the per-implementation table,
 * peak RSS and heap growth. Each implementation has a process of its own (JIT feedback from one JS
 * implementation must not distort another's timings, and each child's peak RSS is its own). A child
 * warms up (≥ 1 s and ≥ 3 calls), then takes 9 samples (≥ 5 with --samples) of ≥ 60 ms of back-to-back calls each
 * (slow implementations: one call per sample), and reports the median, min and max time per
 * sequence, wall-clock and process CPU time, its peak RSS, the largest difference of its final
 * h / C from the plain reference's, and — for the nnlstm paths — the heap growth over ≥ 1,000
 * steady-state steps.
 *
 * Paired children (`--pair fast PEER W`), for the acceptance ratios: fast against ORT (W1, W2np, W3,
 * MN), tfjs-wasm (every workload it ran in its solo child) and TFLite (MN). The machine this runs
 * on is shared and its speed drifts over seconds (one child can run 2× slower for a few seconds),
 * so a ratio of two solo medians measured at different times swings widely between runs. A paired
 * child loads both implementations in one process (ORT is native code, fast, tfjs-wasm and TFLite
 * are separate WebAssembly modules: they share no JIT feedback), checks both results, warms both up
 * interleaved (≥ 1 s and ≥ 3 calls each), then takes 11 pairs of samples (≥ 60 ms of back-to-back
 * calls each) in ABBA order, and takes per pair the ratio of the two sides' ms per call: both sides
 * of a pair see the same machine state. The machine also has slow phases lasting seconds that hit
 * our WebAssembly kernels and not ORT (src/ops/fast/README.md), longer than one child, so the
 * paired children run in 3 rounds (all pairs in turn, then again): each pair's rounds are minutes
 * apart, and their pairs are pooled (33 per pair). The median of the pooled per-pair ratios is what
 * the acceptance checks use (with its min and max, and each round's median in the JSON); the solo
 * medians only when no pair ran. A side whose call takes > 200 ms gets 7 pairs per round and one call
 * per sample. `--quick`: 1 round of 9 pairs, 0.3 s warm-up, ≥ 30 ms samples.
 *
 * A ceiling child (`--ceiling`, at the start and the end; `--no-ceiling` skips it) measures what no
 * f32x4 kernel can beat on this machine (bench/ceiling.ts): the register-only mul + add peak and a read
 * stream's bandwidth. The targets against ORT native are then also stated as the share of that peak
 * they require.
 *
 * The parent prints a Markdown table for each and writes every number to a JSON file.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { getHeapSpaceStatistics } from 'node:v8';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { relaxedSimdSupported } from '../ops/fast/kernel.js';
import { FastUniSequenceLstm } from '../ops/fast/sequence-fast.js';
import { createUniSequenceLstmOutputs } from '../ops/sequence/unidirectional.js';
import { packageRoot } from '../util/paths.js';
import { measureCeiling, shareOfPeak, type Ceiling } from './bench/ceiling.js';
import { IMPL_IDS, IMPL_LABELS, prepare, type ImplId, type Runner } from './bench/impls.js';
import { PAIR_PEERS, pairTarget, targetOf, THREAD_WORKLOADS } from './bench/targets.js';
import { buildWorkload, flopsOf, workloadUnavailable, WORKLOAD_IDS, WORKLOADS, type Workload, type WorkloadId } from './bench/workloads.js';

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
  /** Young-generation (new space) growth of each round, less what a round of zero runs shows:
   * the JS allocations of the runs themselves. */
  youngGrowthRounds?: number[];
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

/** Final h / C of one runner against the plain reference (the exact-cell fast path is bit-identical
 * to it): max |Δ|, or undefined when the runner gives no state (the whole-model TFLite runner). */
function diffFromReference(w: Workload, fin: { h: Float32Array; c: Float32Array }): number | undefined {
  const { shape, tensors } = w.bound;
  const ref = new FastUniSequenceLstm(shape, tensors, { cell: 'exact' });
  const refOut = ref.run(tensors.input, tensors.output_state_in, tensors.cell_state_in, createUniSequenceLstmOutputs(shape));
  if (fin.h.length !== refOut.outputStateOut.length || fin.c.length !== refOut.cellStateOut.length) return undefined;
  let d = 0;
  for (let k = 0; k < fin.h.length; k++) d = Math.max(d, Math.abs(fin.h[k]! - refOut.outputStateOut[k]!));
  for (let k = 0; k < fin.c.length; k++) d = Math.max(d, Math.abs(fin.c[k]! - refOut.cellStateOut[k]!));
  return d;
}

/**
 * `n` back-to-back calls of a runner, in ms. An async runner (ort) is awaited call by call; a sync
 * one runs in a plain loop (one promise per batch, none per call: no allocation in the timed loop).
 * Its first call tells which kind it is.
 */
async function batchTimer(r: Runner): Promise<(n: number) => Promise<number>> {
  const first = r.run();
  if (first instanceof Promise) {
    await first;
    return async (n) => {
      const t0 = performance.now();
      for (let k = 0; k < n; k++) await r.run();
      return performance.now() - t0;
    };
  }
  return async (n) => {
    const t0 = performance.now();
    for (let k = 0; k < n; k++) void r.run();
    return performance.now() - t0;
  };
}

async function childMain(impl: ImplId, id: WorkloadId, o: ChildOptions): Promise<PairResult> {
  const missing = workloadUnavailable(id);
  if (missing) return { workload: id, impl, status: 'skipped', reason: missing };
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
  const d = diffFromReference(w, await r.final());
  if (d !== undefined) base.maxAbsDiff = d;

  // Warm-up: ≥ warmupMs and ≥ 3 calls (a single call longer than 2 s is warm-up enough).
  const t0 = performance.now();
  const timed = await batchTimer(r);
  let calls = 1;
  while (performance.now() - t0 < o.warmupMs || calls < 3) {
    if (calls === 1 && performance.now() - t0 > 2000) break;
    await timed(1);
    calls++;
  }
  const perCall = (performance.now() - t0) / calls;
  const batch = Math.max(1, Math.floor(o.sampleMs / Math.max(perCall, 1e-3)));
  const wall: number[] = [];
  const cpu: number[] = [];
  let wallSum = 0;
  let cpuSum = 0;
  for (let s = 0; s < o.samples; s++) {
    const c0 = cpuMs();
    const dt = await timed(batch);
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
  if (impl === 'fast' || impl === 'fast-fma' || impl === 'fast-t2' || (impl === 'plain' && res.medianMs! < 100)) {
    // Ten rounds after a GC each. The first rounds still see V8's own allocations (feedback and
    // code of functions being re-optimised after the forced GC; the plain path shows the same), so
    // the last round is the steady state reported; all rounds are kept in the JSON.
    const gc = (globalThis as { gc?: () => void }).gc;
    const runs = Math.ceil(1000 / w.def.T);
    // The young generation is where every JS allocation of a run would land; the whole heap also
    // counts code and feedback the JIT adds, which is V8's, not the run's.
    const young = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_used_size ?? NaN;
    const rounds: number[] = [];
    const youngRounds: number[] = [];
    const round = (n: number): void => {
      gc?.();
      const before = process.memoryUsage().heapUsed;
      const y0 = young();
      for (let k = 0; k < n; k++) r.run();
      const y1 = young();
      rounds.push(process.memoryUsage().heapUsed - before);
      youngRounds.push(y1 - y0);
    };
    // The first forced GC collects this child's throwaway objects (the reference op of the
    // correctness check), and V8 deoptimises code that embedded them ("weak objects"): warm up again
    // for ≥ 0.5 s so the rounds measure re-optimised code, not the interpreter boxing numbers.
    gc?.();
    for (const t0 = performance.now(); performance.now() - t0 < 500; ) r.run();
    // What measuring itself allocates (the statistics objects): a round of zero runs, subtracted.
    round(0);
    const selfYoung = youngRounds.pop()!;
    rounds.pop();
    for (let i = 0; i < 10; i++) round(runs);
    for (let i = 0; i < youngRounds.length; i++) youngRounds[i]! -= selfYoung;
    res.heapGrowthBytes = rounds[rounds.length - 1]!;
    res.heapGrowthRounds = rounds;
    res.youngGrowthRounds = youngRounds;
    res.heapSteps = runs * w.def.T;
  }
  if (impl === 'fast' || impl === 'fast-fma' || impl === 'fast-t2') {
    res.wasmBytes = new FastUniSequenceLstm(w.def.stream ? { ...shape, maxTime: 1 } : shape, tensors).memoryBytes;
  }
  res.peakRssBytes = process.resourceUsage().maxRSS * 1024;
  return res;
}

// ---------------------------------------------------------------------------------------------
// Paired child: two implementations in one process, alternating samples

interface PairChildOptions {
  pairs: number;
  warmupMs: number;
  sampleMs: number;
}

/** One side of a paired measurement. */
export interface PairedSide {
  impl: ImplId;
  note?: string;
  version?: string;
  /** ms per sequence over this side's samples (wall clock). */
  medianMs?: number;
  minMs?: number;
  maxMs?: number;
  /** GFLOP/s at the median, and at the slowest / fastest sample. */
  gflops?: number;
  gflopsMin?: number;
  gflopsMax?: number;
  callsPerSample?: number;
  /** Process CPU time / wall time over this side's samples (> 1: other threads of the process ran, e.g. GC). */
  cpuPerWall?: number;
  /** ms per sequence of each sample, in the order taken. */
  sampleMsPerCall?: number[];
  warmupCalls?: number;
  warmupMs?: number;
  /** max |Δ| of the final h and C against the plain reference. */
  maxAbsDiff?: number;
}

/** `--pair A B W`: A and B prepared in one process and sampled alternately (ABBA). */
export interface PairedResult {
  workload: WorkloadId;
  a: PairedSide;
  b: PairedSide;
  status: 'ok' | 'skipped' | 'error';
  reason?: string;
  /** Number of (A sample, B sample) pairs. */
  pairs?: number;
  order?: 'ABBA';
  /** A call of one side took > SLOW_CALL_MS: fewer pairs, one call per sample of that side. */
  slowCap?: boolean;
  /** Per pair, B's ms per call ÷ A's ms per call = A's speed relative to B's: median, min, max and
   * all of them (in the order taken); ofMinMs = B's fastest sample ÷ A's fastest (information only). */
  ratio?: { median: number; min: number; max: number; all: number[]; ofMinMs: number };
  durationS?: number;
  /** Pooled results: each round's own child (its median, min, max ratio and pair count). */
  rounds?: { median: number; min: number; max: number; pairs: number }[];
}

/**
 * One pair's rounds (children at different times of the run) pooled: the samples and per-pair
 * ratios of all rounds together, so the median covers the machine's states over the whole run
 * instead of the few seconds one child lasts.
 */
export function poolRounds(list: PairedResult[], flops: number): PairedResult {
  const ok = list.filter((r) => r.status === 'ok' && r.ratio !== undefined);
  if (ok.length === 0) return list[list.length - 1]!;
  const first = ok[0]!;
  const side = (pick: (r: PairedResult) => PairedSide): PairedSide => {
    const v = ok.flatMap((r) => pick(r).sampleMsPerCall ?? []);
    const s0 = pick(first);
    const out: PairedSide = { ...s0, sampleMsPerCall: v, medianMs: median(v), minMs: Math.min(...v), maxMs: Math.max(...v) };
    out.gflops = flops / out.medianMs! / 1e6;
    out.gflopsMin = flops / out.maxMs! / 1e6;
    out.gflopsMax = flops / out.minMs! / 1e6;
    out.cpuPerWall = ok.reduce((a, r) => a + (pick(r).cpuPerWall ?? 0), 0) / ok.length;
    out.warmupCalls = ok.reduce((a, r) => a + (pick(r).warmupCalls ?? 0), 0);
    out.warmupMs = ok.reduce((a, r) => a + (pick(r).warmupMs ?? 0), 0);
    const diffs = ok.map((r) => pick(r).maxAbsDiff).filter((d): d is number => d !== undefined);
    if (diffs.length) out.maxAbsDiff = Math.max(...diffs);
    return out;
  };
  const a = side((r) => r.a);
  const b = side((r) => r.b);
  const all = ok.flatMap((r) => r.ratio!.all);
  return {
    ...first,
    a,
    b,
    pairs: all.length,
    slowCap: ok.some((r) => r.slowCap === true),
    ratio: { median: median(all), min: Math.min(...all), max: Math.max(...all), all, ofMinMs: b.minMs! / a.minMs! },
    durationS: ok.reduce((x, r) => x + (r.durationS ?? 0), 0),
    rounds: ok.map((r) => ({ median: r.ratio!.median, min: r.ratio!.min, max: r.ratio!.max, pairs: r.pairs ?? r.ratio!.all.length })),
  };
}

const SLOW_CALL_MS = 200;
const SLOW_PAIRS = 7;

async function pairChildMain(ia: ImplId, ib: ImplId, id: WorkloadId, o: PairChildOptions): Promise<PairedResult> {
  const t00 = performance.now();
  const res: PairedResult = { workload: id, a: { impl: ia }, b: { impl: ib }, status: 'ok' };
  const missing = workloadUnavailable(id);
  if (missing) return { ...res, status: 'skipped', reason: missing };
  const w = buildWorkload(id);
  const sides = [res.a, res.b] as const;
  const runners: Runner[] = [];
  for (const side of sides) {
    let prep;
    try {
      prep = await prepare(side.impl, w);
    } catch (e) {
      return { ...res, status: 'error', reason: `${side.impl}: ${(e as Error).message}` };
    }
    if (!prep.ok) return { ...res, status: 'skipped', reason: `${side.impl}: ${prep.reason}` };
    runners.push(prep.runner);
    if (prep.runner.note) side.note = prep.runner.note;
    if (prep.runner.version) side.version = prep.runner.version;
  }

  // Both must produce a result (finite, and as close to the plain reference as in the solo child).
  for (let s = 0; s < 2; s++) {
    let fin;
    try {
      fin = await runners[s]!.final();
    } catch (e) {
      return { ...res, status: 'error', reason: `${sides[s]!.impl} failed: ${(e as Error).message}` };
    }
    const d = diffFromReference(w, fin);
    if (d !== undefined && !Number.isFinite(d)) return { ...res, status: 'error', reason: `${sides[s]!.impl} produced a non-finite result` };
    if (d !== undefined) sides[s]!.maxAbsDiff = d;
  }

  const timed: ((n: number) => Promise<number>)[] = [];
  for (const r of runners) timed.push(await batchTimer(r));

  // Warm-up, interleaved in chunks (A, B, A, B, …) until each side has had ≥ warmupMs and ≥ 3 calls
  // (a first call longer than 2 s is warm-up enough), so both are warm when sampling starts. A chunk
  // lasts ~max(sampleMs, one call of the other side), so both sides reach warmupMs in about the same
  // number of rounds even when one is 10× slower per call.
  const wu = [0, 1].map(() => ({ calls: 0, ms: 0, firstMs: 0 }));
  // ms per call so far (the first call, with its compilation, left out once there are others).
  const rate = (s: number): number => {
    const x = wu[s]!;
    return x.calls > 1 ? (x.ms - x.firstMs) / (x.calls - 1) : x.firstMs;
  };
  const warm = (s: number): boolean => {
    const x = wu[s]!;
    return (x.calls >= 3 && x.ms >= o.warmupMs) || (x.calls >= 1 && x.firstMs > 2000);
  };
  for (let s = 0; s < 2; s++) {
    wu[s]!.firstMs = wu[s]!.ms = await timed[s]!(1);
    wu[s]!.calls = 1;
  }
  while (!warm(0) || !warm(1)) {
    for (let s = 0; s < 2; s++) {
      // A side already warm keeps taking its turn (so it stays warm) unless one call of it is longer
      // than a chunk (e.g. a first call > 2 s while the other side is still warming up).
      if (warm(s) && rate(s) > Math.max(o.sampleMs, rate(1 - s))) continue;
      const chunkMs = Math.max(o.sampleMs, rate(1 - s));
      const n = Math.max(1, Math.min(Math.floor(chunkMs / Math.max(rate(s), 1e-3)), 1e6));
      wu[s]!.ms += await timed[s]!(n);
      wu[s]!.calls += n;
    }
  }
  const perCall = [rate(0), rate(1)];
  const slow = perCall.some((p) => p > SLOW_CALL_MS);
  const pairs = slow ? Math.max(5, Math.min(o.pairs, SLOW_PAIRS)) : o.pairs;
  const batch = perCall.map((p) => (p > SLOW_CALL_MS ? 1 : Math.max(1, Math.ceil(o.sampleMs / Math.max(p, 1e-3)))));
  const samples: number[][] = [[], []];
  const wallSum = [0, 0];
  const cpuSum = [0, 0];
  const ratios: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const order = i % 2 === 0 ? [0, 1] : [1, 0];
    for (const s of order) {
      const c0 = cpuMs();
      const dt = await timed[s]!(batch[s]!);
      cpuSum[s]! += cpuMs() - c0;
      wallSum[s]! += dt;
      samples[s]!.push(dt / batch[s]!);
    }
    ratios.push(samples[1]![i]! / samples[0]![i]!);
  }

  const flops = flopsOf(w.def);
  for (let s = 0; s < 2; s++) {
    const v = samples[s]!;
    const side = sides[s]!;
    side.medianMs = median(v);
    side.minMs = Math.min(...v);
    side.maxMs = Math.max(...v);
    side.gflops = flops / side.medianMs / 1e6;
    side.gflopsMin = flops / side.maxMs / 1e6;
    side.gflopsMax = flops / side.minMs / 1e6;
    side.callsPerSample = batch[s]!;
    side.cpuPerWall = cpuSum[s]! / wallSum[s]!;
    side.sampleMsPerCall = v;
    side.warmupCalls = wu[s]!.calls;
    side.warmupMs = wu[s]!.ms;
  }
  res.pairs = pairs;
  res.order = 'ABBA';
  if (slow) res.slowCap = true;
  res.ratio = { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), all: ratios, ofMinMs: res.b.minMs! / res.a.minMs! };
  res.durationS = (performance.now() - t00) / 1000;
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
  const { createDriver } = await import('../hosts/registry.js');
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
  /** 'paired': median of the per-pair ratios of a --pair child; 'solo': ratio of two solo children's medians. */
  method?: 'paired' | 'solo';
  /** fast's speed ÷ the peer's (for ORT: = ratio of GFLOP/s, same workload). */
  ratio?: number;
  /** Paired: smallest and largest per-pair ratio, and the number of pairs. */
  min?: number;
  max?: number;
  pairs?: number;
}

/** ms per run → what the tables show: µs per call for a streaming workload (a run is T calls). */
const perCall = (w: WorkloadId, ms: number | undefined): string => (ms === undefined ? '—' : WORKLOADS[w].stream ? `${fmt((ms * 1000) / WORKLOADS[w].T)} µs/call` : fmt(ms));
const fmtRatio = (x: number, style: '%' | '×'): string => (style === '%' ? `${(100 * x).toFixed(0)}%` : `${x.toFixed(2)}×`);

function pairedTable(paired: PairedResult[]): string {
  const lines: string[] = [];
  lines.push('| workload | A = fast: median (ms per sequence; streaming: µs per call) | peer B | B median | A speed ÷ B speed, median [min – max] over N pairs | target | verdict |');
  lines.push('|---|---:|---|---:|---|---|---|');
  for (const p of paired) {
    const t = pairTarget(p.a.impl, p.b.impl, p.workload);
    const style = t?.style ?? (p.a.impl === 'fast' && p.b.impl === 'ort' && !WORKLOADS[p.workload].stream ? '%' : '×');
    const peerLabel = p.a.impl === 'fast' ? p.b.impl : `${p.b.impl} (A = ${p.a.impl})`;
    const target = t ? `≥ ${fmtRatio(t.min, t.style)}` : '—';
    if (p.status !== 'ok' || !p.ratio) {
      lines.push(`| ${p.workload} | — | ${peerLabel} | — | ${p.status}: ${p.reason ?? ''} | ${target} | — |`);
      continue;
    }
    const r = p.ratio;
    const verdict = t ? (r.median >= t.min ? 'PASS' : 'MISS') : '—';
    lines.push(
      `| ${p.workload} | ${perCall(p.workload, p.a.medianMs)} | ${peerLabel} | ${perCall(p.workload, p.b.medianMs)} | ${fmtRatio(r.median, style)} [${fmtRatio(r.min, style)} – ${fmtRatio(r.max, style)}] over ${p.pairs} pairs${p.rounds && p.rounds.length > 1 ? ` (round medians ${p.rounds.map((x) => fmtRatio(x.median, style)).join(', ')})` : ''}${p.slowCap ? ' (slow calls: 1 per sample)' : ''} | ${target} | ${verdict} |`,
    );
  }
  return lines.join('\n');
}

/**
 * Node 20 (V8 11.3) needs a flag for relaxed SIMD; Node 22 and 24 have it on by default and reject the
 * flag ("bad option"), so it is passed only where this runtime lacks relaxed SIMD.
 */
const RELAXED_SIMD_FLAGS: string[] = relaxedSimdSupported() ? [] : ['--experimental-wasm-relaxed-simd'];

/**
 * What the ceiling says about the targets against ORT native: ORT's GFLOP/s in each pair (the paired
 * median) as a multiple of the SIMD128 mul + add peak, and the share of that peak the whole fast path
 * would need to sustain to meet its target (the register-only peak has no loads, no cell, no calls).
 */
function ceilingReading(ceilings: Ceiling[], paired: PairedResult[]): string[] {
  if (!ceilings.length) return [];
  const peak = Math.max(...ceilings.map((c) => c.mulAddGflops.median));
  const lines: string[] = [];
  for (const p of paired) {
    if (p.status !== 'ok' || p.a.impl !== 'fast' || p.b.impl !== 'ort' || WORKLOADS[p.workload].stream) continue;
    const t = pairTarget('fast', 'ort', p.workload);
    if (!t || t.style !== '%' || p.b.gflops === undefined || p.a.gflops === undefined) continue;
    const s = shareOfPeak(peak, p.b.gflops, p.a.gflops, t.min);
    lines.push(
      `${p.workload}: ORT native ${fmt(p.b.gflops)} GFLOP/s = ${fmt(s.peerOverPeak)}× the mul + add peak (${fmt(peak)}); ` +
        `${fmtRatio(t.min, '%')} of ORT needs the whole fast path at ${(100 * s.need).toFixed(0)} % of that peak (it ran at ${(100 * s.ran).toFixed(0)} %)`,
    );
  }
  return lines;
}

function acceptance(results: PairResult[], paired: PairedResult[]): Check[] {
  const get = (w: WorkloadId, i: ImplId): PairResult | undefined => results.find((r) => r.workload === w && r.impl === i && r.status === 'ok');
  const pairOf = (w: WorkloadId, peer: ImplId, a: ImplId = 'fast'): PairedResult | undefined =>
    paired.find((p) => p.workload === w && p.a.impl === a && p.b.impl === peer && p.status === 'ok' && p.ratio !== undefined);
  const checks: Check[] = [];
  // fast's speed ÷ peer's speed on workload w: the paired median when a pair ran, else the solo medians.
  const check = (w: WorkloadId, peer: ImplId, what: string, a: ImplId = 'fast'): void => {
    const t = pairTarget(a, peer, w)!;
    const unit = t.style === '%' ? ' of its GFLOP/s' : '';
    const target = `≥ ${fmtRatio(t.min, t.style)}`;
    const p = pairOf(w, peer, a);
    if (p) {
      const r = p.ratio!;
      checks.push({
        what,
        target,
        value: `${fmtRatio(r.median, t.style)}${unit} (paired, ${p.pairs} pairs, min ${fmtRatio(r.min, t.style)} – max ${fmtRatio(r.max, t.style)})`,
        pass: r.median >= t.min,
        method: 'paired',
        ratio: r.median,
        min: r.min,
        max: r.max,
        pairs: p.pairs!,
      });
      return;
    }
    const f = get(w, a);
    const o = get(w, peer);
    // Same workload: ratio of GFLOP/s = inverse ratio of times.
    const x = f?.medianMs && o?.medianMs ? o.medianMs / f.medianMs : undefined;
    if (x === undefined) checks.push({ what, target, value: 'not measured', pass: null });
    else checks.push({ what, target, value: `${fmtRatio(x, t.style)}${unit} (solo medians)`, pass: x >= t.min, method: 'solo', ratio: x });
  };
  for (const w of WORKLOAD_IDS) {
    for (const peer of PAIR_PEERS) {
      const t = targetOf(peer, w);
      const solo = get(w, peer);
      // Only where the peer ran (it can express the workload) and a target is set.
      if (!t || (!solo && !pairOf(w, peer))) continue;
      const stream = WORKLOADS[w].stream ? ' per call (streaming)' : '';
      check(w, peer, `fast vs ${peer}, ${w}${stream}${solo?.note ? ` (${peer}: ${solo.note})` : ''}`);
    }
  }
  for (const w of THREAD_WORKLOADS) {
    if (get(w, 'fast-t2') || pairOf(w, 'fast', 'fast-t2')) check(w, 'fast', `fast with 2 threads vs fast with 1, ${w}`, 'fast-t2');
  }
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
  const pairCount = Number(arg(args, '--pairs') ?? (quick ? 9 : 11));
  if (!(Number.isInteger(pairCount) && pairCount >= 5)) throw new Error('--pairs must be an integer ≥ 5');
  const pairOpts = ['--pairs', String(pairCount), '--warmup-ms', quick ? '300' : '1000', '--sample-ms', quick ? '30' : '60'];
  const pairRounds = Number(arg(args, '--pair-rounds') ?? (quick ? 1 : 3));
  if (!(Number.isInteger(pairRounds) && pairRounds >= 1)) throw new Error('--pair-rounds must be an integer ≥ 1');
  const started = new Date();
  const load0 = loadavg();
  const withCeiling = !args.includes('--no-ceiling');
  const ceilings: Ceiling[] = [];
  const runCeiling = (when: string): void => {
    process.stderr.write(`bench: SIMD128 ceiling (${when}) … `);
    const r = runChild(['--ceiling'], RELAXED_SIMD_FLAGS, 5 * 60_000);
    if (r.json) {
      const c = r.json as Ceiling;
      ceilings.push(c);
      process.stderr.write(`mul+add ${fmt(c.mulAddGflops.median)} GFLOP/s${c.fmaGflops ? `, FMA ${fmt(c.fmaGflops.median)}` : ''}; read ${c.readGBps.map((b) => `${b.mib} MiB ${fmt(b.median)} GB/s`).join(', ')}\n`);
    } else process.stderr.write(`${r.error}\n`);
  };
  if (withCeiling) runCeiling('start');
  const results: PairResult[] = [];
  for (const w of workloads) {
    for (const impl of impls) {
      if (impl === 'tflite-model' && w !== 'MN') continue;
      const flags = ['--expose-gc', ...(impl === 'fast-fma' ? RELAXED_SIMD_FLAGS : [])];
      process.stderr.write(`bench: ${w} ${impl} … `);
      const r = runChild(['--child', impl, w, ...childOpts], flags, 15 * 60_000);
      const res: PairResult = r.json ? (r.json as PairResult) : { workload: w, impl, status: 'error', reason: r.error ?? 'no result' };
      results.push(res);
      process.stderr.write(res.status === 'ok' ? `${fmt(res.medianMs)} ms, ${fmt(res.gflops)} GFLOP/s\n` : `${res.status}: ${res.reason}\n`);
    }
  }

  // Paired children: fast and one peer in one process, alternating samples (the acceptance ratios).
  const paired: PairedResult[] = [];
  const byPair = new Map<string, PairedResult[]>();
  // (A, B) per workload: fast × every peer; with the threaded implementations, fast-t2 × fast (scaling) and fast-t2 × ort-t2.
  const pairsOf = (w: WorkloadId): [ImplId, ImplId][] => {
    const list: [ImplId, ImplId][] = [];
    if (impls.includes('fast')) {
      for (const peer of PAIR_PEERS) {
        if (!impls.includes(peer)) continue;
        if ((peer === 'ort' || peer === 'ort-web') && w === 'W2') continue; // ONNX has no projection: W2 is compared to W2np in the solo table
        list.push(['fast', peer]);
      }
    }
    if (impls.includes('fast-t2') && THREAD_WORKLOADS.includes(w)) {
      if (impls.includes('fast')) list.push(['fast-t2', 'fast']);
      if (impls.includes('ort-t2')) list.push(['fast-t2', 'ort-t2']);
    }
    return list;
  };
  if (!args.includes('--no-pairs')) {
   for (let round = 1; round <= pairRounds; round++) {
    for (const w of workloads) {
      for (const [ia, peer] of pairsOf(w)) {
        process.stderr.write(`bench: pair ${w} ${ia} × ${peer}, round ${round}/${pairRounds} … `);
        const solo = (i: ImplId): PairResult | undefined => results.find((r) => r.workload === w && r.impl === i);
        const notOk = ([ia, peer] as ImplId[]).map(solo).find((r) => r?.status !== 'ok');
        let res: PairedResult;
        if (notOk) {
          res = { workload: w, a: { impl: ia }, b: { impl: peer }, status: 'skipped', reason: `${notOk.impl} ${notOk.status} in its solo run${notOk.reason ? ` (${notOk.reason})` : ''}` };
        } else {
          const r = runChild(['--pair', ia, peer, w, ...pairOpts], [], 10 * 60_000);
          res = r.json ? (r.json as PairedResult) : { workload: w, a: { impl: ia }, b: { impl: peer }, status: 'error', reason: r.error ?? 'no result' };
        }
        const key = `${w} ${ia} ${peer}`;
        byPair.set(key, [...(byPair.get(key) ?? []), res]);
        if (res.status === 'ok' && res.ratio) {
          const st = pairTarget(ia, peer, w)?.style ?? '×';
          process.stderr.write(
            `${ia} ${fmt(res.a.medianMs)} ms, ${peer} ${fmt(res.b.medianMs)} ms; ${ia} speed ÷ ${peer} speed ${fmtRatio(res.ratio.median, st)} [${fmtRatio(res.ratio.min, st)} – ${fmtRatio(res.ratio.max, st)}] over ${res.pairs} pairs (${res.durationS?.toFixed(1)} s)\n`,
          );
        } else process.stderr.write(`${res.status}: ${res.reason}\n`);
      }
    }
   }
  }
  for (const list of byPair.values()) paired.push(poolRounds(list, flopsOf(WORKLOADS[list[0]!.workload])));

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
  if (withCeiling) runCeiling('end');
  const checks = acceptance(results, paired);
  const ceilingNotes = ceilingReading(ceilings, paired);
  const doc = {
    tool: 'nnlstm bench',
    command: `node dist/tools/bench.js ${args.join(' ')}`.trim(),
    date: started.toISOString(),
    durationS: Math.round((Date.now() - started.getTime()) / 1000),
    machine: machine(),
    loadAverage: { start: load0, end: loadavg() },
    method: {
      samples,
      warmupMs: Number(childOpts[3]),
      minSampleMs: Number(childOpts[5]),
      soloProcessPerImplementationAndWorkload: true,
      pairs: {
        pairs: pairCount,
        rounds: pairRounds,
        pooling: 'each round is one child per (workload, peer), all pairs in turn, so the rounds of one pair are minutes apart; the samples and ratios of its rounds are pooled',
        warmupMsPerSide: Number(pairOpts[3]),
        minSampleMs: Number(pairOpts[5]),
        order: 'ABBA (pair i even: fast then peer; odd: peer then fast)',
        ratio: "per pair: peer's ms per call ÷ fast's ms per call (= fast's speed ÷ the peer's); median, min, max over the pairs",
        slowCall: `a side whose call takes > ${SLOW_CALL_MS} ms: ${SLOW_PAIRS} pairs at most (≥ 5), one call per sample of that side`,
        usedFor: 'the acceptance ratios (solo medians only when no pair ran)',
      },
    },
    workloads: Object.fromEntries(workloads.map((w) => [w, { ...WORKLOADS[w], mflops: flopsOf(WORKLOADS[w]) / 1e6 }])),
    implementations: Object.fromEntries(impls.map((i) => [i, IMPL_LABELS[i]])),
    results,
    pairs: paired,
    conformance,
    ceiling: { probes: ceilings, reading: ceilingNotes },
    acceptance: checks,
  };
  const jsonPath = resolve(arg(args, '--json') ?? join(packageRoot(), 'out', `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`));
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(doc, null, 2)}\n`);

  const m = doc.machine as Record<string, unknown>;
  const out: string[] = [];
  out.push(`nnlstm bench — ${doc.date} — ${String(m['cpu'])}, ${String(m['logicalCpus'])} logical CPUs, Node ${String(m['node'])} (V8 ${String(m['v8'])})`);
  out.push(`load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}; every implementation single-threaded except fast-t2 and ort-t2 (2 threads); ${samples} samples per solo child, ${pairCount} pairs per paired child`);
  out.push('');
  out.push(table(results));
  out.push('');
  if (paired.length) {
    out.push('Paired (same process, alternating samples):');
    out.push('');
    out.push(pairedTable(paired));
    out.push('');
  }
  const heap = results.filter((r) => r.heapGrowthBytes !== undefined);
  if (heap.length) {
    out.push('Steady state (10 rounds of ≥ 1,000 steps, GC before each: young-generation bytes allocated by the runs, net of the measurement; whole-heap growth incl. V8 code/feedback; WebAssembly memory of the fast path):');
    for (const r of heap) {
      out.push(
        `  ${r.workload} ${r.impl}: young generation ${(r.youngGrowthRounds ?? []).join(', ')} B; whole heap ${(r.heapGrowthRounds ?? []).join(', ')} B (10 rounds of ${r.heapSteps} steps)${r.wasmBytes ? `; WASM memory ${(r.wasmBytes / 2 ** 20).toFixed(1)} MB` : ''}`,
      );
    }
    out.push('');
  }
  if (conformance.length) {
    out.push('Conformance suite (in-process, loading included):');
    for (const c of conformance) out.push(`  ${c.driver}: ${c.cases} cases (${c.positives} positive), ${c.pass} pass, ${c.seconds.toFixed(2)} s, worst error ratio ${c.worstRatio.toExponential(3)} (${c.worstCase})`);
    out.push('');
  }
  if (ceilings.length) {
    out.push('Ceiling of WebAssembly SIMD128 on this machine (src/tools/bench/ceiling.ts; at the start and the end of this run):');
    for (const [i, c] of ceilings.entries()) {
      out.push(
        `  ${i === 0 ? 'start' : 'end'}: register-only f32x4 mul + add ${fmt(c.mulAddGflops.median)} GFLOP/s (max ${fmt(c.mulAddGflops.max)})${c.fmaGflops ? `, relaxed_madd ${fmt(c.fmaGflops.median)} (max ${fmt(c.fmaGflops.max)})` : ', no relaxed SIMD'}; v128 read stream ${c.readGBps.map((b) => `${b.mib} MiB ${fmt(b.median)} GB/s (max ${fmt(b.max)})`).join(', ')}`,
      );
    }
    for (const n of ceilingNotes) out.push(`  ${n}`);
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
  if (args[0] === '--ceiling') {
    process.stdout.write(`@@RESULT ${JSON.stringify(await measureCeiling())}\n`);
    return 0;
  }
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
  if (args[0] === '--pair') {
    const o: PairChildOptions = {
      pairs: Number(arg(args, '--pairs') ?? 21),
      warmupMs: Number(arg(args, '--warmup-ms') ?? 1000),
      sampleMs: Number(arg(args, '--sample-ms') ?? 60),
    };
    if (!(Number.isInteger(o.pairs) && o.pairs >= 5)) throw new Error('--pairs must be an integer ≥ 5');
    const res = await pairChildMain(args[1] as ImplId, args[2] as ImplId, args[3] as WorkloadId, o);
    process.stdout.write(`@@RESULT ${JSON.stringify(res)}\n`);
    return 0;
  }
  if (args[0] === '--conformance') {
    process.stdout.write(`@@RESULT ${JSON.stringify(await conformanceChild(args[1] ?? 'reference-fast'))}\n`);
    return 0;
  }
  const bad = checkParentArgs(args);
  if (bad === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (bad !== null) {
    process.stderr.write(`bench: ${bad}\n${USAGE}`);
    return 2;
  }
  return parentMain(args);
}

const USAGE = `usage: node dist/tools/bench.js [--workloads ${WORKLOAD_IDS.join(',')}] [--impls ${IMPL_IDS.join(',')}]
                                [--quick] [--samples N] [--pairs N] [--pair-rounds R] [--no-pairs]
                                [--json FILE] [--no-conformance] [--no-ceiling] [--help]
Runs every implementation on every workload in child processes (minutes; --quick for a short run)
and writes every number to the JSON file (default out/bench-<time>.json).
`;

const VALUE_FLAGS = ['--workloads', '--impls', '--samples', '--pairs', '--pair-rounds', '--json'];
const BOOLEAN_FLAGS = ['--quick', '--no-pairs', '--no-conformance', '--no-ceiling'];

/** The parent's arguments: 'help', an error message, or null when they are fine (before any child starts). */
export function checkParentArgs(args: readonly string[]): 'help' | string | null {
  if (args.includes('--help') || args.includes('-h')) return 'help';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (VALUE_FLAGS.includes(a)) {
      const v = args[i + 1];
      if (v === undefined || v.startsWith('--')) return `${a} needs a value`;
      i++;
    } else if (!BOOLEAN_FLAGS.includes(a)) {
      return `unknown argument '${a}'`;
    }
  }
  return null;
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
