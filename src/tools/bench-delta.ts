/**
 * Delta execution against the full path of the integer LSTM reference (src/ops/qlstm/delta.ts) on
 * the real int8 models' inputs (../shared/models; issue #17):
 *
 *   node dist/tools/bench-delta.js [--pairs N] [--sample-ms MS] [--variant tflite-micro|tflite] [--json FILE]
 *
 * Workloads: micro_speech (the "yes" and "no" features, 49 steps each, one sequence per call) and DTLN
 * (both LSTMs chained, a stream of 16 invocations with the state carried: the reference input repeated,
 * and 16 seeded int8 noise frames). Each call checks nothing; before timing, both paths are run once and
 * compared bit for bit (a mismatch aborts).
 *
 * The machine is shared: absolute times drift by 2× over seconds. So both paths run in one process, warm
 * up interleaved, then take N pairs, each of four samples (≥ sample-ms of back-to-back calls each) in
 * ABBA order; per pair the ratio delta/full of ms per call is taken (both sides see the same machine
 * state, and a linear drift over the pair cancels). The
 * result is the median of the ratios with their min and max; absolute medians are printed for scale only.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from '../conformance/synth.js';
import { TFLITE_INTEGER_KERNEL, type IntGate } from '../ops/qlstm/cell.js';
import { advanceDeltaState, createDeltaState, type DeltaCounters } from '../ops/qlstm/delta.js';
import { sat16 } from '../ops/qlstm/fixed-point.js';
import { runTfliteInt8Lstm, tfliteInt8CellParams, type TfliteInt8Op, type TfliteIntegerVariant } from '../ops/tflite-int8/execute.js';
import { tfliteInt8Op } from '../tflite/int8-op.js';
import { readTflite } from '../tflite/reader.js';
import { sharedDir } from '../util/paths.js';

/** One timed workload: `run(delta)` computes it once and returns its final output (for the exactness check). */
export interface DeltaWorkload {
  id: string;
  description: string;
  run: (delta: boolean) => { output: Int8Array[]; counters: DeltaCounters | null };
  /** The recurrent products alone over the workload's recurrent inputs (full matmul vs delta update + rescale). */
  recurrentOnly: (delta: boolean) => void;
  /** The int32 recurrent accumulators alone (no rescale): the part a zero-skipping unit changes. */
  accumulatorsOnly: (delta: boolean) => void;
}

export interface DeltaBenchResult {
  id: string;
  description: string;
  pairs: number;
  /** delta ms / full ms per call: median, min, max over the pairs. */
  ratio: { median: number; min: number; max: number };
  /** The recurrent products alone (with the rescale into the gate, common to both paths): delta/full time, median, min, max. */
  recurrentRatio: { median: number; min: number; max: number };
  /** The int32 accumulators alone (W_h·h_{t−1} sums vs their delta updates): delta/full time, median, min, max. */
  accumulatorRatio: { median: number; min: number; max: number };
  /** Median ms per call (scale only; drifts with the machine). */
  fullMs: number;
  deltaMs: number;
  /** Recurrent-product multiply-adds, delta path / full path (from the delta state's counters). */
  macRatio: number;
  /** Fraction of recurrent-input elements unchanged in the delta steps. */
  unchangedFraction: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Runs one op over a stream of invocations (state carried); delta mode keeps one state across the stream. */
function stream(op: TfliteInt8Op, frames: ArrayLike<number>[], variant: TfliteIntegerVariant, delta: boolean): { outputs: Int8Array[]; counters: DeltaCounters | null } {
  const zp = op.model.operands[op.model.operations[0]!.inputs[18]!]!.zeroPoint;
  const state = delta ? createDeltaState({ zeroPoint: zp }) : undefined;
  let carry: { outputState?: Int8Array; cellState?: Int16Array } = {};
  const outputs: Int8Array[] = [];
  for (const x of frames) {
    const r = runTfliteInt8Lstm(op, x, { variant, ...carry, ...(state ? { delta: state } : {}) });
    carry = { outputState: r.outputState, cellState: r.cellState };
    outputs.push(r.output);
  }
  return { outputs, counters: state ? { ...state.counters } : null };
}

const addCounters = (a: DeltaCounters | null, b: DeltaCounters | null): DeltaCounters | null => {
  if (!a || !b) return a ?? b;
  return { steps: a.steps + b.steps, fullSteps: a.fullSteps + b.fullSteps, changedColumns: a.changedColumns + b.changedColumns, seenColumns: a.seenColumns + b.seenColumns, macs: a.macs + b.macs, fullMacs: a.fullMacs + b.fullMacs };
};

/**
 * The recurrent products of `op` over the recurrent-input sequence `hs` (each [B·O]), as the full
 * path computes them (the TFLite kernel's matmulAccumulate per gate) or from a delta state (advance +
 * the same rescale into the gate buffer). Returns a function of `delta`.
 */
function recurrentProducts(ops: { op: TfliteInt8Op; hs: Int8Array[] }[], rescale = true): (delta: boolean) => void {
  const prepared = ops.map(({ op, hs }) => {
    const p = tfliteInt8CellParams(op, 1, { variant: 'tflite' });
    const gates = (['input', 'forget', 'cell', 'output'] as IntGate[]).filter((g) => p.gates[g]);
    const zp = op.model.operands[op.model.operations[0]!.inputs[18]!]!.zeroPoint;
    return { p, hs, gates, zp, buf: new Int16Array(p.B * p.N) };
  });
  const k = TFLITE_INTEGER_KERNEL;
  const acc32 = new Int32Array(Math.max(...prepared.map((x) => x.p.N)));
  return (delta) => {
    for (const { p, hs, gates, zp, buf } of prepared) {
      const state = delta ? createDeltaState({ zeroPoint: zp }) : undefined;
      for (const h of hs) {
        if (state) {
          advanceDeltaState(state, p, h);
          if (rescale) for (const g of gates) {
            const acc = state.acc[g]!;
            const m = p.gates[g]!.mh;
            for (let i = 0; i < buf.length; i++) buf[i] = sat16(k.rescale(acc[i]!, m) + buf[i]!);
          }
        } else if (rescale) {
          for (const g of gates) {
            const gp = p.gates[g]!;
            k.matmulAccumulate(buf, h, gp.wh, gp.biasH, gp.mh, p.B, p.O, p.N, g, true);
          }
        } else {
          // The int32 sums alone, as matmulAccumulate forms them (wrapped to int32 once, at the end).
          for (const g of gates) {
            const gp = p.gates[g]!;
            for (let r = 0; r < p.N; r++) {
              let a = gp.biasH[r]!;
              for (let c = 0; c < p.O; c++) a += h[c]! * gp.wh[r * p.O + c]!;
              acc32[r] = a | 0;
            }
          }
        }
      }
    }
  };
}

/** The recurrent inputs h_0 … h_{T−1} of a single-batch op run: the initial state, then each output step but the last. */
function recurrentInputs(op: TfliteInt8Op, outputs: Int8Array[], O: number): Int8Array[] {
  const zp = op.model.operands[op.model.operations[0]!.inputs[18]!]!.zeroPoint;
  const steps: Int8Array[] = [];
  for (const out of outputs) for (let t = 0; t < out.length / O; t++) steps.push(out.slice(t * O, (t + 1) * O));
  return [new Int8Array(O).fill(zp), ...steps.slice(0, -1)];
}

/** The workloads available from `modelsDir` (empty when the models are absent). */
export function deltaWorkloads(modelsDir: string, variant: TfliteIntegerVariant): DeltaWorkload[] {
  const out: DeltaWorkload[] = [];
  const model = (f: string) => readTflite(new Uint8Array(readFileSync(join(modelsDir, f))));
  const json = <T>(f: string) => JSON.parse(readFileSync(join(modelsDir, f), 'utf8')) as T;
  if (existsSync(join(modelsDir, 'micro_speech_lstm_int8.tflite'))) {
    const op = tfliteInt8Op(model('micro_speech_lstm_int8.tflite'), 0, 0);
    const f = json<{ samples: { name: string; features_int8: number[][] }[] }>('micro_speech_lstm_features.json');
    for (const s of f.samples) {
      const x = Int8Array.from(s.features_int8.flat());
      const hs = recurrentInputs(op, stream(op, [x], variant, false).outputs, 80);
      out.push({
        recurrentOnly: recurrentProducts([{ op, hs }]),
        accumulatorsOnly: recurrentProducts([{ op, hs }], false),
        id: `micro_speech-${s.name}`,
        description: `micro_speech_lstm_int8, "${s.name}" features: 49 steps, n_c 80 (one sequence per call, fresh state)`,
        run: (delta) => {
          const r = stream(op, [x], variant, delta);
          return { output: r.outputs, counters: r.counters };
        },
      });
    }
  }
  if (existsSync(join(modelsDir, 'dtln_noise_suppression_int8.tflite'))) {
    const m = model('dtln_noise_suppression_int8.tflite');
    const op1 = tfliteInt8Op(m, 0, 0);
    const op2 = tfliteInt8Op(m, 0, 1);
    const ref = Int8Array.from(json<{ input_int8: number[] }>('dtln_noise_suppression_inout.json').input_int8);
    const next = rng(2027);
    const noise = Array.from({ length: 16 }, () => Int8Array.from({ length: 257 }, () => Math.floor(next() * 256) - 128));
    const chain = (frames: ArrayLike<number>[], delta: boolean) => {
      const a = stream(op1, frames, variant, delta);
      const b = stream(op2, a.outputs, variant, delta);
      return { output: b.outputs, counters: addCounters(a.counters, b.counters) };
    };
    const repeated = Array.from({ length: 16 }, () => ref);
    const products = (frames: ArrayLike<number>[], rescale: boolean) => {
      const a = stream(op1, frames, variant, false).outputs;
      const b = stream(op2, a, variant, false).outputs;
      return recurrentProducts(
        [
          { op: op1, hs: recurrentInputs(op1, a, 128) },
          { op: op2, hs: recurrentInputs(op2, b, 128) },
        ],
        rescale,
      );
    };
    out.push({ id: 'dtln-reference-x16', description: 'dtln_noise_suppression_int8, both LSTMs (n_c 128): the reference input streamed 16 times (state carried)', run: (d) => chain(repeated, d), recurrentOnly: products(repeated, true), accumulatorsOnly: products(repeated, false) });
    out.push({ id: 'dtln-noise-x16', description: 'dtln_noise_suppression_int8, both LSTMs (n_c 128): 16 seeded int8 noise frames streamed (state carried)', run: (d) => chain(noise, d), recurrentOnly: products(noise, true), accumulatorsOnly: products(noise, false) });
  }
  return out;
}

function sample(fn: () => unknown, minMs: number): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    fn();
    n++;
    t = performance.now();
  } while (t - t0 < minMs);
  return (t - t0) / n;
}

/** Times one workload in ABBA pairs and returns the paired ratio (throws when the two paths differ). */
export function benchWorkload(w: DeltaWorkload, opts: { pairs: number; sampleMs: number }): DeltaBenchResult {
  const full = w.run(false);
  const delta = w.run(true);
  for (let k = 0; k < full.output.length; k++) {
    const a = full.output[k]!;
    const b = delta.output[k]!;
    if (a.length !== b.length || a.some((v, i) => v !== b[i])) throw new Error(`${w.id}: delta output ${k} differs from the full path`);
  }
  const warmEnd = performance.now() + 500;
  while (performance.now() < warmEnd) {
    w.run(false);
    w.run(true);
    w.recurrentOnly(false);
    w.recurrentOnly(true);
    w.accumulatorsOnly(false);
    w.accumulatorsOnly(true);
  }
  const paired = (fn: (delta: boolean) => unknown) => {
    const ratios: number[] = [];
    const fullMs: number[] = [];
    const deltaMs: number[] = [];
    for (let p = 0; p < opts.pairs; p++) {
      // ABBA within each pair (full, delta, delta, full; the next pair starts with delta): a linear drift
      // of the machine's speed over the pair cancels in the ratio.
      const a = p % 2 === 0;
      const s1 = sample(() => fn(!a), opts.sampleMs);
      const s2 = sample(() => fn(a), opts.sampleMs);
      const s3 = sample(() => fn(a), opts.sampleMs);
      const s4 = sample(() => fn(!a), opts.sampleMs);
      const f = a ? (s1 + s4) / 2 : (s2 + s3) / 2;
      const d = a ? (s2 + s3) / 2 : (s1 + s4) / 2;
      ratios.push(d / f);
      fullMs.push(f);
      deltaMs.push(d);
    }
    return { ratio: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) }, fullMs: median(fullMs), deltaMs: median(deltaMs) };
  };
  const whole = paired(w.run);
  const rec = paired(w.recurrentOnly);
  const accs = paired(w.accumulatorsOnly);
  const c = delta.counters!;
  return {
    id: w.id,
    description: w.description,
    pairs: opts.pairs,
    ratio: whole.ratio,
    recurrentRatio: rec.ratio,
    accumulatorRatio: accs.ratio,
    fullMs: whole.fullMs,
    deltaMs: whole.deltaMs,
    macRatio: c.macs / c.fullMacs,
    unchangedFraction: c.seenColumns ? 1 - c.changedColumns / c.seenColumns : 0,
  };
}

/** Markdown table of the results. */
export function deltaBenchTable(rs: readonly DeltaBenchResult[]): string {
  const f = (x: number, d = 3) => x.toFixed(d);
  const span = (r: { median: number; min: number; max: number }) => `${f(r.median)} (${f(r.min)}–${f(r.max)})`;
  const lines = [
    '| workload | pairs | whole op: delta/full time | recurrent products + rescale | int32 accumulators only | recurrent MACs delta/full | Δh zero (delta steps) | full ms/call | delta ms/call |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rs.map((r) => `| ${r.id} | ${r.pairs} | **${span(r.ratio)}** | ${span(r.recurrentRatio)} | ${span(r.accumulatorRatio)} | ${f(r.macRatio)} | ${(100 * r.unchangedFraction).toFixed(1)}% | ${f(r.fullMs, 2)} | ${f(r.deltaMs, 2)} |`),
    '',
    'Ratios: median (min–max) over the pairs; < 1 = delta faster.',
  ];
  return lines.join('\n');
}

async function cli(argv: string[]): Promise<number> {
  const get = (name: string) => {
    const k = argv.indexOf(`--${name}`);
    return k >= 0 ? argv[k + 1] : undefined;
  };
  const pairs = Number(get('pairs') ?? 21);
  const sampleMs = Number(get('sample-ms') ?? 40);
  const variant = (get('variant') ?? 'tflite-micro') as TfliteIntegerVariant;
  const shared = sharedDir();
  const dir = shared ? join(shared, 'models') : undefined;
  if (!dir || !existsSync(dir)) {
    process.stderr.write('bench-delta: ../shared/models not found (set NNLSTM_SHARED): nothing to run\n');
    return 0;
  }
  const results: DeltaBenchResult[] = [];
  for (const w of deltaWorkloads(dir, variant)) {
    process.stderr.write(`bench-delta: ${w.id} …\n`);
    results.push(benchWorkload(w, { pairs, sampleMs }));
  }
  process.stdout.write(`## Delta execution vs full path (integer reference, variant ${variant}; paired ratios, ${pairs} ABBA pairs of ≥ ${sampleMs} ms samples)\n\n${deltaBenchTable(results)}\n\n`);
  for (const r of results) process.stdout.write(`- ${r.id}: ${r.description}\n`);
  const out = get('json');
  if (out) writeFileSync(out, JSON.stringify({ kind: 'nnlstm.bench-delta', variant, pairs, sampleMs, node: process.version, results }, null, 2) + '\n');
  return 0;
}

const invoked = process.argv[1] ?? '';
if (invoked.endsWith('bench-delta.js') || invoked.endsWith('bench-delta.ts') || invoked.endsWith('bench-delta.mjs')) {
  process.exitCode = await cli(process.argv.slice(2));
}
