/**
 * Δh sparsity profile of the LSTM ops of a `.tflite` model (`nnlstm profile --delta`; issue #17).
 *
 * W_h·h_{t−1} = W_h·h_{t−2} + W_h·Δh_{t−1}: a unit that skips the zero elements of Δh saves
 * gates·n_c multiply-adds per zero element and batch row in the recurrent products. This module
 * runs each LSTM op over its time steps and counts, per step, the elements of Δh_t = h_t − h_{t−1}
 * (h = the op's recurrent input, i.e. its output state; h_0 = the initial state) that are zero:
 * integer ops exactly, in the quantized domain; float ops within a reported threshold |Δh| ≤ τ.
 *
 * How each op is computed, and where its input comes from, is part of the result:
 * - integer 8x8→16 ops: the integer reference (src/ops/tflite-int8, variant `tflite-micro` by default),
 *   float ops: the reference driver (the spec) on the op mapped to NNAPI;
 * - the op's input is the model input when the op reads it, the reference output of an LSTM op profiled
 *   before it when it reads that (exact chaining, e.g. DTLN's second LSTM), else the value the TFLite
 *   runtime computes for that tensor by running the whole model (preceding ops then ran in the runtime).
 */
import { rng, uniform } from '../conformance/synth.js';
import type { InputValue } from '../drivers/driver.js';
import { ReferenceDriver, type ReferencePrepared } from '../drivers/reference.js';
import { isOmitted } from '../model/model.js';
import { runTfliteInt8Lstm, type TfliteIntegerVariant } from '../ops/tflite-int8/execute.js';
import { inspectTflite, type LstmOpReport } from './inspect.js';
import { tfliteInt8Op } from './int8-op.js';
import { tfliteOpToNnapiModel } from './mapping.js';
import { prepareReference, resolveRuntimeWeights } from './numeric.js';
import { withSubgraphOutput } from './numeric-int8.js';
import type { TfliteModel } from './reader.js';
import { TfliteRuntime } from './runtime.js';

/** One input to profile: the values of subgraph input 0 (raw int8 for integer models). */
export interface ProfileInput {
  label: string;
  values: ArrayLike<number>;
}

/** Options of {@link profileDelta}: inputs (or seeds), the float threshold, streaming, the integer variant. */
export interface DeltaProfileOptions {
  /** Inputs to run (default: `seeds` seeded draws). */
  inputs?: ProfileInput[];
  /** Seeded draws when no inputs are given (default 2), from `seed` (default 1). */
  seeds?: number;
  seed?: number;
  /** Float ops: an element of Δh counts as zero when |Δh| ≤ threshold (default {@link DEFAULT_FLOAT_THRESHOLD}). */
  threshold?: number;
  /** Integer reference variant (default `tflite-micro`, the one reproducing tflite-micro's DTLN golden). */
  variant?: TfliteIntegerVariant;
  /** Carry the LSTM states from one input to the next (a stream of invocations, as TFLite's variable tensors do). */
  stream?: boolean;
  /** The model bytes: needed only when an op's input must come from the TFLite runtime. */
  bytes?: Uint8Array;
  /**
   * An op reading an earlier LSTM op's output gets that output as computed here (default true, exact).
   * false: every input that is not the model input comes from the TFLite runtime (a cross-check).
   */
  chain?: boolean;
}

/**
 * Default float threshold: 2^-7, one int8 step of a value in [−1, 1] (an LSTM output is o·tanh(c) ∈ (−1, 1)):
 * changes an 8-bit datapath would not resolve.
 */
export const DEFAULT_FLOAT_THRESHOLD = 2 ** -7;

/** Per step of one run. */
export interface DeltaStep {
  /** 1-based time step (Δh_t = h_t − h_{t−1}; t = 1 is measured against the initial state). */
  t: number;
  zeros: number;
  elements: number;
  zeroFraction: number;
  /** Multiply-adds a zero-skipping unit skips in the recurrent products: gates·n_c·zeros. */
  skippedMacs: number;
  /** Recurrent multiply-adds of the step: gates·n_c·n_out·B. */
  macs: number;
}

/** Zero elements and skippable recurrent multiply-adds, summed over steps. */
export interface DeltaTotals {
  zeros: number;
  elements: number;
  zeroFraction: number;
  skippedMacs: number;
  macs: number;
}

/** One input run through one op: its steps and totals. */
export interface DeltaRun {
  label: string;
  steps: DeltaStep[];
  total: DeltaTotals;
  /** Steps t ≥ 2 only (the first step measures the change from the initial state, or, streamed, from the previous input's final state). */
  afterFirst: DeltaTotals | null;
}

/** One bin of the |Δh| histogram (quantized steps for integer ops, magnitudes for float ops). */
export interface DeltaHistogramBin {
  /** Human label, e.g. `0`, `3–4` (integer, in quantized steps) or `≤ τ` (float). */
  label: string;
  /** Inclusive upper bound of |Δh| (Infinity for the last bin). */
  upper: number;
  count: number;
}

/** One op's profile: sizes, criterion and threshold, what computed it, its input source, per input the steps, totals and a |Δh| histogram. */
export interface DeltaOpProfile {
  subgraph: number;
  operator: number;
  op: string;
  arithmetic: string;
  /** Batch, time steps per input, cell units n_c, recurrent input size n_out (= projection size when projected), gates (3 with CIFG). */
  sizes: { batch: number; time: number; units: number; output: number; gates: number };
  /** `exact` (integer: Δh = 0 in the quantized domain) or `threshold` (float). */
  criterion: 'exact' | 'threshold';
  /** Float ops: τ; integer ops: 0. */
  threshold: number;
  /** What computed the op's outputs. */
  computedBy: string;
  /** Where the op's input came from. */
  inputSource: string;
  runs: DeltaRun[];
  total: DeltaTotals;
  /** Every step but the ones measured from the initial state (each run's first; streamed, the stream's first). */
  afterFirst: DeltaTotals | null;
  /** |Δh| over every step, row and element (integer: quantized steps; float: multiples of τ). */
  histogram: DeltaHistogramBin[];
}

/** What {@link profileDelta} returns (`kind: "nnlstm.delta-profile"`): per LSTM op the Δh zero fractions and the skippable multiply-adds. */
export interface DeltaProfile {
  kind: 'nnlstm.delta-profile';
  version: 1;
  inputs: string[];
  stream: boolean;
  ops: DeltaOpProfile[];
  /** Ops not profiled, with the reason. */
  skipped: { subgraph: number; operator: number; op: string; reason: string }[];
  notes: string[];
}

const INTEGER_BOUNDS = [0, 1, 2, 4, 8, 16, 32, 64, 128, Infinity];
const FLOAT_MULTIPLES = [1, 2, 4, 8, 16, 32, 64, Infinity];

function histogramBins(integer: boolean, threshold: number): DeltaHistogramBin[] {
  if (integer) {
    return INTEGER_BOUNDS.map((u, k) => {
      const lo = k === 0 ? 0 : INTEGER_BOUNDS[k - 1]! + 1;
      const label = u === Infinity ? `≥ ${lo}` : lo === u ? `${u}` : `${lo}–${u}`;
      return { label, upper: u, count: 0 };
    });
  }
  return FLOAT_MULTIPLES.map((m, k) => ({ label: m === Infinity ? `> ${FLOAT_MULTIPLES[k - 1]}τ` : m === 1 ? '≤ τ' : `≤ ${m}τ`, upper: m * threshold, count: 0 }));
}

function addToHistogram(bins: DeltaHistogramBin[], d: number): void {
  for (const b of bins) {
    if (d <= b.upper) {
      b.count++;
      return;
    }
  }
  bins[bins.length - 1]!.count++;
}

function totals(steps: readonly DeltaStep[]): DeltaTotals {
  const t = { zeros: 0, elements: 0, zeroFraction: 0, skippedMacs: 0, macs: 0 };
  for (const s of steps) {
    t.zeros += s.zeros;
    t.elements += s.elements;
    t.skippedMacs += s.skippedMacs;
    t.macs += s.macs;
  }
  t.zeroFraction = t.elements ? t.zeros / t.elements : 0;
  return t;
}

/**
 * Counts the zeros of Δh per step from the op's recurrent-input sequence: `h0` [B·O] and the outputs
 * `seq` laid out by `at(t, b)` (offset of row b at step t). Pure; exported for tests.
 */
export function deltaSteps(
  h0: ArrayLike<number>,
  seq: ArrayLike<number>,
  dims: { B: number; T: number; O: number; N: number; gates: number },
  at: (t: number, b: number) => number,
  threshold: number,
  histogram: DeltaHistogramBin[],
): DeltaStep[] {
  const { B, T, O, N, gates } = dims;
  const steps: DeltaStep[] = [];
  const prev = Float64Array.from(h0);
  for (let t = 0; t < T; t++) {
    let zeros = 0;
    for (let b = 0; b < B; b++) {
      const off = at(t, b);
      for (let o = 0; o < O; o++) {
        const v = seq[off + o]!;
        const d = Math.abs(v - prev[b * O + o]!);
        if (d <= threshold) zeros++;
        addToHistogram(histogram, d);
        prev[b * O + o] = v;
      }
    }
    const elements = B * O;
    steps.push({ t: t + 1, zeros, elements, zeroFraction: zeros / elements, skippedMacs: gates * N * zeros, macs: gates * N * elements });
  }
  return steps;
}

/** Seeded model inputs: int8 uniform over [−128, 127] (integer) or uniform ±1 (float). */
export function seededInputs(n: number, integer: boolean, seeds: number, first: number): ProfileInput[] {
  return Array.from({ length: seeds }, (_, s) => {
    const seed = first + s;
    const next = rng(Math.imul(seed, 0x9e3779b1) ^ 0x5bd1e995);
    return { label: `seed ${seed}`, values: integer ? Int8Array.from({ length: n }, () => Math.floor(next() * 256) - 128) : Float32Array.from(uniform(next, n, 1)) };
  });
}

interface OpRun {
  /** Output sequence of every run (for chaining). */
  outputs: ArrayLike<number>[];
}

const product = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

/** Profiles every LSTM / UNIDIRECTIONAL_SEQUENCE_LSTM op of subgraph 0. Never throws for a model problem of one op: it is listed in `skipped`. */
export async function profileDelta(tfl: TfliteModel, opts: DeltaProfileOptions = {}): Promise<DeltaProfile> {
  const reports = inspectTflite(tfl).lstmOps;
  const sg = tfl.subgraphs[0];
  const notes: string[] = [];
  const skipped: DeltaProfile['skipped'] = [];
  const ops: DeltaOpProfile[] = [];
  if (!sg) return { kind: 'nnlstm.delta-profile', version: 1, inputs: [], stream: !!opts.stream, ops, skipped, notes: ['the model has no subgraph'] };
  const modelIn = sg.tensors[sg.inputs[0]!];
  const anyInteger = reports.some((r) => r.isInteger);
  let inputs = opts.inputs;
  if (!inputs) {
    const n = modelIn ? product(modelIn.shape) : 0;
    inputs = seededInputs(n, modelIn?.type === 'INT8' || (anyInteger && modelIn?.type !== 'FLOAT32'), opts.seeds ?? 2, opts.seed ?? 1);
    notes.push(`seeded inputs (${inputs.length}): ${modelIn?.type === 'FLOAT32' ? 'uniform ±1' : 'int8 uniform over [−128, 127]'} for subgraph input ${sg.inputs[0]}`);
  }
  const threshold = opts.threshold ?? DEFAULT_FLOAT_THRESHOLD;
  const variant = opts.variant ?? 'tflite-micro';
  const computed = new Map<number, OpRun>(); // tensor index → per-run values
  let rt: TfliteRuntime | undefined;
  const runtimeTensor = async (tensor: number): Promise<ArrayLike<number>[]> => {
    if (!opts.bytes) throw new Error('its input is computed by other operators and no model bytes were given for the TFLite runtime');
    rt ??= await TfliteRuntime.load();
    const c = rt.compile(withSubgraphOutput(opts.bytes, tensor));
    try {
      return inputs!.map((x) => c.run([x.values])[0]!.data);
    } finally {
      c.delete();
    }
  };

  for (const report of reports) {
    if (report.subgraph !== 0) {
      skipped.push({ subgraph: report.subgraph, operator: report.operator, op: report.op, reason: 'not in subgraph 0' });
      continue;
    }
    try {
      const p = await profileOp(tfl, report, inputs, opts.chain === false ? new Map() : computed, runtimeTensor, { threshold, variant, stream: !!opts.stream, runtimeName: () => (rt ? `TFLite ${rt.version} (${rt.flavor} WASM)` : 'the TFLite runtime') });
      ops.push(p);
    } catch (e) {
      skipped.push({ subgraph: report.subgraph, operator: report.operator, op: report.op, reason: (e as Error).message });
    }
  }
  return { kind: 'nnlstm.delta-profile', version: 1, inputs: inputs.map((x) => x.label), stream: !!opts.stream, ops, skipped, notes };
}

async function profileOp(
  tfl: TfliteModel,
  report: LstmOpReport,
  inputs: ProfileInput[],
  computed: Map<number, OpRun>,
  runtimeTensor: (t: number) => Promise<ArrayLike<number>[]>,
  o: { threshold: number; variant: TfliteIntegerVariant; stream: boolean; runtimeName: () => string },
): Promise<DeltaOpProfile> {
  const sg = tfl.subgraphs[0]!;
  const lstm = sg.operators[report.operator]!;
  if (report.op === 'BIDIRECTIONAL_SEQUENCE_LSTM') throw new Error('BIDIRECTIONAL_SEQUENCE_LSTM is not profiled yet (two recurrences per op)');
  if (!report.isInteger && !report.isFloat) throw new Error(`${report.arithmetic} arithmetic is not profiled (integer 8x8→16 and float only)`);
  const inT = lstm.inputs[0]!;
  let xs: ArrayLike<number>[];
  let inputSource: string;
  const producer = sg.operators.findIndex((op) => op.outputs.includes(inT));
  if (sg.inputs.includes(inT)) {
    xs = inputs.map((x) => x.values);
    inputSource = `model input (tensor ${inT})`;
  } else if (computed.has(inT)) {
    xs = computed.get(inT)!.outputs;
    inputSource = `output of LSTM op ${producer} as computed here (exact chaining)`;
  } else {
    xs = await runtimeTensor(inT);
    inputSource = `tensor ${inT} as computed by ${o.runtimeName()} running the model (preceding ops ran in the runtime)`;
  }
  const outT = lstm.outputs[0]!;
  const cifg = report.features.cifg;
  const gates = cifg ? 3 : 4;
  const { profile, outputs } = report.isInteger ? integerOp(tfl, report, xs, gates, o) : await floatOp(tfl, report, xs, gates, o);
  profile.inputSource = inputSource;
  computed.set(outT, { outputs });
  profile.runs.forEach((r, k) => (r.label = inputs[k]!.label));
  return profile;
}

interface Profiled {
  profile: DeltaOpProfile;
  /** The op's output per run (what a consumer LSTM reads). */
  outputs: ArrayLike<number>[];
}

function layout(sequence: boolean, timeMajor: boolean, B: number, T: number, O: number) {
  return (t: number, b: number) => (!sequence ? b * O : timeMajor ? (t * B + b) * O : (b * T + t) * O);
}

function integerOp(tfl: TfliteModel, report: LstmOpReport, xs: ArrayLike<number>[], gates: number, o: { variant: TfliteIntegerVariant; stream: boolean }): Profiled {
  const op = tfliteInt8Op(tfl, 0, report.operator);
  const f = report.features;
  // tflite-micro has no CIFG, peephole, projection or layer norm: such an op runs in TFLite's own arithmetic.
  const microless = o.variant === 'tflite-micro' && (f.cifg || f.peephole || f.projection || f.layerNorm);
  const variant: TfliteIntegerVariant = microless ? 'tflite' : o.variant;
  const role = (r: string) => op.model.operands.find((x) => (x.role ?? x.name) === r && op.model.operations[0]!.inputs.includes(x.index))!;
  const xOp = role('input');
  const d = xOp.dimensions;
  const [T, B] = op.sequence ? (op.timeMajor ? [d[0]!, d[1]!] : [d[1]!, d[0]!]) : [1, d[0]!];
  const N = role('input_to_output_weights').dimensions[0]!;
  const O = role('recurrent_to_output_weights').dimensions[1]!;
  const zp = role('output_state_in').zeroPoint;
  const histogram = histogramBins(true, 0);
  const at = layout(op.sequence, op.timeMajor, B, T, O);
  const runs: DeltaRun[] = [];
  const outputs: ArrayLike<number>[] = [];
  let state: { outputState?: Int8Array; cellState?: Int16Array } = {};
  for (const x of xs) {
    const h0 = state.outputState ?? new Int8Array(B * O).fill(zp);
    const r = runTfliteInt8Lstm(op, x, { variant, ...state });
    if (o.stream) state = { outputState: r.outputState, cellState: r.cellState };
    outputs.push(r.output);
    const steps = deltaSteps(h0, r.output, { B, T, O, N, gates }, at, 0, histogram);
    runs.push({ label: '', steps, total: totals(steps), afterFirst: steps.length > 1 ? totals(steps.slice(1)) : null });
  }
  return { profile: finish(o.stream, report, { batch: B, time: T, units: N, output: O, gates }, 'exact', 0, `integer reference (src/ops/tflite-int8, variant ${variant}${microless ? '; tflite-micro does not support CIFG, peephole, projection or layer norm' : ''})`, runs, histogram), outputs };
}

async function floatOp(tfl: TfliteModel, report: LstmOpReport, xs: ArrayLike<number>[], gates: number, o: { threshold: number; stream: boolean }): Promise<Profiled> {
  const sg = tfl.subgraphs[0]!;
  const nn = structuredClone(tfliteOpToNnapiModel(tfl, 0, report.operator));
  const unresolved = resolveRuntimeWeights(tfl, sg, report.operator, report, nn);
  if (unresolved.length) throw new Error(`weights computed at run time (${unresolved.join(', ')})`);
  const ref = new ReferenceDriver();
  const prep = await prepareReference(ref, nn);
  if (!prep.ok) throw new Error(`the reference cannot run the op: ${prep.message}`);
  const model = prep.model;
  const op = model.operations[0]!;
  const byRole = (r: string) => model.operands.find((x) => (x.role ?? x.name) === r && op.inputs.includes(x.index));
  const xOp = byRole('input')!;
  const sequence = report.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM';
  const timeMajor = report.features.timeMajor === true;
  const d = xOp.dimensions;
  const [T, B] = sequence ? (timeMajor ? [d[0]!, d[1]!] : [d[1]!, d[0]!]) : [1, d[0]!];
  const N = byRole('input_to_output_weights')!.dimensions[0]!;
  const O = byRole('recurrent_to_output_weights')!.dimensions[1]!;
  const outIdx = model.outputIndexes.find((i) => (model.operands[i]!.role ?? model.operands[i]!.name) === (sequence ? 'output' : 'output_state_out'))!;
  const hOutIdx = model.outputIndexes.find((i) => (model.operands[i]!.role ?? model.operands[i]!.name) === 'output_state_out');
  const cOutIdx = model.outputIndexes.find((i) => (model.operands[i]!.role ?? model.operands[i]!.name) === 'cell_state_out');
  if (o.stream && (hOutIdx === undefined || cOutIdx === undefined)) throw new Error('--stream needs the final states, which this reference form does not return');
  const histogram = histogramBins(false, o.threshold);
  const at = layout(sequence, timeMajor, B, T, O);
  const runs: DeltaRun[] = [];
  const outputs: ArrayLike<number>[] = [];
  let hState: ArrayLike<number> = new Float32Array(B * O);
  let cState: ArrayLike<number> = new Float32Array(B * N);
  for (const x of xs) {
    const values: InputValue[] = model.inputIndexes.map((i) => {
      const opd = model.operands[i]!;
      const r = opd.role ?? opd.name;
      if (r === 'input') return x;
      if (r === 'output_state_in') return hState;
      if (r === 'cell_state_in') return cState;
      return isOmitted(opd) ? null : opd.values;
    });
    const res = await ref.execute(prep.prepared as ReferencePrepared, values);
    if (!res.ok) throw new Error(`reference execute failed: ${res.message}`);
    const out = res.outputs.find((v) => v.index === outIdx)!.values;
    const steps = deltaSteps(hState, out, { B, T, O, N, gates }, at, o.threshold, histogram);
    if (o.stream) {
      hState = res.outputs.find((v) => v.index === hOutIdx)!.values;
      cState = res.outputs.find((v) => v.index === cOutIdx)!.values;
    }
    outputs.push(out);
    runs.push({ label: '', steps, total: totals(steps), afterFirst: steps.length > 1 ? totals(steps.slice(1)) : null });
  }
  return { profile: finish(o.stream, report, { batch: B, time: T, units: N, output: O, gates }, 'threshold', o.threshold, 'float reference (nnlstm reference driver on the op mapped to NNAPI)', runs, histogram), outputs };
}

function finish(stream: boolean, report: LstmOpReport, sizes: DeltaOpProfile['sizes'], criterion: DeltaOpProfile['criterion'], threshold: number, computedBy: string, runs: DeltaRun[], histogram: DeltaHistogramBin[]): DeltaOpProfile {
  const all = runs.flatMap((r) => r.steps);
  // Streamed, only the stream's first step starts from the initial state; else every run's first step does.
  const later = stream ? all.slice(1) : runs.flatMap((r) => r.steps.slice(1));
  return {
    subgraph: report.subgraph,
    operator: report.operator,
    op: report.op,
    arithmetic: report.arithmetic,
    sizes,
    criterion,
    threshold,
    computedBy,
    inputSource: '',
    runs,
    total: totals(all),
    afterFirst: later.length ? totals(later) : null,
    histogram,
  };
}

const flat = (v: unknown): number[] => (Array.isArray(v) ? (v as unknown[]).flatMap(flat) : typeof v === 'number' ? [v] : []);
const isNumArray = (v: unknown): boolean => Array.isArray(v) && v.length > 0 && flat(v).length > 0;

/**
 * Inputs from a JSON document: `{ inputs: [{ label?, values }] }`, a number array (one input) or an
 * array of arrays (one input each), and the reference files of ../shared/models: micro_speech
 * (`samples[].features_int8`), DTLN (`input_int8`), MNIST (`samples[].image_int8` for an integer model,
 * `samples[].image` for a float one). Every input must have `elements` values. Throws a message naming
 * the field otherwise.
 */
export function profileInputsFromJson(doc: unknown, opts: { integer: boolean; elements: number }): ProfileInput[] {
  const out: ProfileInput[] = [];
  const o = (doc ?? {}) as Record<string, unknown>;
  if (Array.isArray(doc)) {
    if (doc.every((x) => typeof x === 'number')) out.push({ label: 'input', values: doc as number[] });
    else doc.forEach((x, k) => out.push({ label: `input ${k}`, values: flat(x) }));
  } else if (Array.isArray(o['inputs'])) {
    (o['inputs'] as Record<string, unknown>[]).forEach((x, k) => out.push({ label: String(x?.['label'] ?? `input ${k}`), values: flat(x?.['values']) }));
  } else if (isNumArray(o['input_int8'])) {
    out.push({ label: 'input_int8', values: flat(o['input_int8']) });
  } else if (Array.isArray(o['samples'])) {
    (o['samples'] as Record<string, unknown>[]).forEach((s, k) => {
      const label = String(s['name'] ?? (s['label'] !== undefined ? `label ${s['label']}` : `sample ${k}`));
      const field = ['features_int8', opts.integer ? 'image_int8' : 'image', opts.integer ? 'input_int8' : 'input', 'values'].find((f) => isNumArray(s[f]));
      if (!field) throw new Error(`samples[${k}]: no ${opts.integer ? 'features_int8 / image_int8' : 'image'} values`);
      out.push({ label, values: flat(s[field]) });
    });
  } else {
    throw new Error('no inputs found: expected { inputs: [{ label, values }] }, a number array, samples[] (micro_speech / MNIST) or input_int8 (DTLN)');
  }
  out.forEach((x, k) => {
    if (x.values.length !== opts.elements) throw new Error(`input ${k} (${x.label}): ${x.values.length} values, the model input has ${opts.elements}`);
  });
  return out;
}
