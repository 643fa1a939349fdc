/**
 * The fuzz generator: a seed → a case description (plain JSON: operation, variant, sizes, features,
 * value regime, seed) → a valid model. The float operations are laid out from their spec tables
 * (spec/<OP>.json via loadSpec): which optional operands are present follows the spec's feature
 * groups, shapes follow the spec's shape symbols, types the spec's types per variant (buildModel),
 * scalar choices the spec's allowed values. The integer operations take their quantization
 * parameters, drawn here within the spec's legal ranges, through synth-quantized.ts.
 *
 * Everything is a pure function of the description: the same description gives the same model,
 * bit for bit, which is what makes a campaign reproducible and a shrunk case re-runnable.
 */
import type { Model, OperationType } from '../../model/model.js';
import { buildModel, type OperandInit } from '../../ops/build-model.js';
import { loadSpec, type ResolvedSpec, type SpecOperand } from '../../spec/operation-spec.js';
import { roundToFloat16 } from '../../util/float16.js';
import { rng } from '../synth.js';
import { synthQlstm, synthQlstm16 } from '../synth-quantized.js';

export const GENERATOR_NAME = 'nnlstm-fuzz';
/** Bumped whenever the same description would give a different model. */
export const GENERATOR_VERSION = 1;

export const FUZZ_OPERATIONS = ['LSTM', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM', 'QUANTIZED_LSTM', 'QUANTIZED_16BIT_LSTM'] as const;
export type FuzzOperation = (typeof FUZZ_OPERATIONS)[number];

/** Short names for --ops. */
export const OP_ALIASES: Readonly<Record<string, FuzzOperation>> = {
  lstm: 'LSTM',
  uslstm: 'UNIDIRECTIONAL_SEQUENCE_LSTM',
  bilstm: 'BIDIRECTIONAL_SEQUENCE_LSTM',
  qlstm: 'QUANTIZED_LSTM',
  qlstm16: 'QUANTIZED_16BIT_LSTM',
};

export type FuzzVariant = 'float32' | 'float16' | 'relaxed' | 'int8' | 'quant8';

export interface FuzzSizes {
  batch: number;
  input: number;
  units: number;
  /** = units unless the cell has a projection (QUANTIZED_16BIT_LSTM: its cell count, = units). */
  output: number;
  /** Sequence ops only (else 1). */
  time: number;
  /** BIDIRECTIONAL_SEQUENCE_LSTM with an aux input only (else = input). */
  auxInput: number;
  /** BIDIRECTIONAL_SEQUENCE_LSTM: the backward cell (else = units / output). */
  bwUnits: number;
  bwOutput: number;
}

export interface FuzzFeatures {
  cifg: boolean;
  peephole: boolean;
  projection: boolean;
  projectionBias: boolean;
  layerNorm: boolean;
  cellClip: boolean;
  projClip: boolean;
  /** The spec's activation code (float ops). */
  activation: number;
  timeMajor: boolean;
  linking: 'none' | 'parallel' | 'cross';
  merge: boolean;
  stateOutputs: boolean;
  /** Non-zero initial states. */
  nonZeroState: boolean;
  /** Large weights and inputs: saturated gates, clipped cells, saturated integer arithmetic. */
  saturate: boolean;
}

/** Quantization choices of the integer ops (each within the spec's legal range). */
export interface FuzzQuant {
  /** QUANTIZED_LSTM: log2 of the cell-state scale, −15…−9. */
  cellShift: number;
  inputScale: number;
  inputZeroPoint: number;
  outputScale: number;
  outputZeroPoint: number;
  /** QUANTIZED_LSTM with projection: the hidden state's quantization (without, it is the output's). */
  hiddenScale: number;
  hiddenZeroPoint: number;
  /** QUANTIZED_16BIT_LSTM: the shared weight scale and zero point. */
  weightScale: number;
  weightZeroPoint: number;
}

/** A fuzz case: plain JSON, the whole input of buildFuzzModel. */
export interface FuzzCase {
  generator: typeof GENERATOR_NAME;
  version: number;
  op: FuzzOperation;
  variant: FuzzVariant;
  sizes: FuzzSizes;
  features: FuzzFeatures;
  quant: FuzzQuant | null;
  /** Seed of the values (weights, inputs, states). */
  seed: number;
}

export const FEATURE_NAMES = [
  'cifg', 'peephole', 'projection', 'projection-bias', 'layer-norm', 'cell-clip', 'proj-clip', 'time-major',
  'aux-parallel', 'aux-cross', 'merge', 'state-outputs', 'nonzero-state', 'saturate', 'float16', 'relaxed',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

export interface GeneratorOptions {
  ops?: readonly FuzzOperation[];
  /** Features forced on (name) or off (no-name) in every case; a case that cannot honour them is not drawn. */
  features?: readonly string[];
  /** Upper bound of units, input and output size (the large end is 1024). Default 32. */
  maxSize?: number;
  /** Upper bound of the time steps (≤ 256). Default min(maxSize, 16). */
  maxTime?: number;
  /** Upper bound of the batch (≤ 16). Default min(maxSize, 8). */
  maxBatch?: number;
}

export const DEFAULT_MAX_SIZE = 32;
export const LIMITS = { size: 1024, time: 256, batch: 16 } as const;

export class FuzzOptionError extends Error {
  override readonly name = 'FuzzOptionError';
}

type Next = () => number;
const int = (next: Next, lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
const chance = (next: Next, p: number) => next() < p;
const pick = <T>(next: Next, xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;

/** 1, 2, 3 and 2^k − 1, 2^k, 2^k + 1 up to `max`, and `max` itself: where tiling and vector-width bugs live. */
export function edgeSizes(max: number): number[] {
  const s = new Set<number>([1, 2, 3, max]);
  for (let p = 4; p <= max * 2; p *= 2) for (const v of [p - 1, p, p + 1]) if (v >= 1 && v <= max) s.add(v);
  return [...s].filter((v) => v <= max).sort((a, b) => a - b);
}

/**
 * An edge-favouring size in [1, max]: three times in four an edge value (small ones more often),
 * else uniform.
 */
export function drawSize(next: Next, max: number): number {
  if (max <= 1) return 1;
  if (chance(next, 0.25)) return int(next, 1, max);
  const edges = edgeSizes(max);
  // Squaring skews the index toward the small edges, which are cheap and catch most bugs.
  const u = next();
  return edges[Math.min(edges.length - 1, Math.floor(u * u * edges.length))]!;
}

interface Forced {
  on: Set<FeatureName>;
  off: Set<FeatureName>;
}

export function parseFeatureList(list: readonly string[]): Forced {
  const on = new Set<FeatureName>();
  const off = new Set<FeatureName>();
  for (const raw of list) {
    const neg = raw.startsWith('no-');
    const name = (neg ? raw.slice(3) : raw) as FeatureName;
    if (!(FEATURE_NAMES as readonly string[]).includes(name)) throw new FuzzOptionError(`unknown feature '${raw}' (features: ${FEATURE_NAMES.join(', ')}; prefix no- to force one off)`);
    (neg ? off : on).add(name);
    if (on.has(name) && off.has(name)) throw new FuzzOptionError(`feature '${name}' both forced on and off`);
  }
  return { on, off };
}

/** Which forced features an operation can honour at all. */
function opSupports(op: FuzzOperation, f: FeatureName): boolean {
  const seq = op === 'UNIDIRECTIONAL_SEQUENCE_LSTM' || op === 'BIDIRECTIONAL_SEQUENCE_LSTM';
  switch (f) {
    case 'time-major':
      return seq;
    case 'aux-parallel':
    case 'aux-cross':
    case 'merge':
      return op === 'BIDIRECTIONAL_SEQUENCE_LSTM';
    case 'state-outputs':
      return seq;
    case 'float16':
    case 'relaxed':
      return op === 'LSTM' || seq;
    case 'projection-bias':
      return op !== 'QUANTIZED_16BIT_LSTM';
    case 'nonzero-state':
    case 'saturate':
      return true;
    default:
      return op !== 'QUANTIZED_16BIT_LSTM';
  }
}

export function resolveOps(opts: GeneratorOptions): FuzzOperation[] {
  const forced = parseFeatureList(opts.features ?? []);
  const ops = (opts.ops ?? FUZZ_OPERATIONS).filter((op) => [...forced.on].every((f) => opSupports(op, f)));
  if (ops.length === 0) throw new FuzzOptionError(`no operation can honour the features ${[...forced.on].join(', ')}`);
  return ops;
}

function decide(next: Next, forced: Forced, name: FeatureName, p: number): boolean {
  const r = chance(next, p); // always drawn: forcing one feature does not shift the others' draws
  if (forced.on.has(name)) return true;
  if (forced.off.has(name)) return false;
  return r;
}

/** Draws a case description from `seed`. */
export function drawCase(seed: number, opts: GeneratorOptions = {}): FuzzCase {
  const next = rng(seed);
  const forced = parseFeatureList(opts.features ?? []);
  const ops = resolveOps(opts);
  const maxSize = Math.max(1, Math.min(LIMITS.size, opts.maxSize ?? DEFAULT_MAX_SIZE));
  const maxTime = Math.max(1, Math.min(LIMITS.time, opts.maxTime ?? Math.min(maxSize, 16)));
  const maxBatch = Math.max(1, Math.min(LIMITS.batch, opts.maxBatch ?? Math.min(maxSize, 8)));
  const op = pick(next, ops);
  const seq = op === 'UNIDIRECTIONAL_SEQUENCE_LSTM' || op === 'BIDIRECTIONAL_SEQUENCE_LSTM';
  const bi = op === 'BIDIRECTIONAL_SEQUENCE_LSTM';
  const integer = op === 'QUANTIZED_LSTM' || op === 'QUANTIZED_16BIT_LSTM';
  const q16 = op === 'QUANTIZED_16BIT_LSTM';

  const f16 = decide(next, forced, 'float16', 0.25);
  const relaxed = !f16 && decide(next, forced, 'relaxed', 0.25);
  const variant: FuzzVariant = op === 'QUANTIZED_LSTM' ? 'int8' : q16 ? 'quant8' : f16 ? 'float16' : relaxed ? 'relaxed' : 'float32';

  const cell = !q16;
  const features: FuzzFeatures = {
    cifg: cell && decide(next, forced, 'cifg', 0.4),
    peephole: cell && decide(next, forced, 'peephole', 0.4),
    projection: cell && decide(next, forced, 'projection', 0.4),
    projectionBias: false,
    layerNorm: cell && decide(next, forced, 'layer-norm', 0.35),
    cellClip: cell && decide(next, forced, 'cell-clip', 0.35),
    projClip: false,
    activation: 4,
    timeMajor: seq && decide(next, forced, 'time-major', 0.5),
    linking: 'none',
    merge: bi && decide(next, forced, 'merge', 0.4),
    stateOutputs: seq && decide(next, forced, 'state-outputs', 0.4),
    nonZeroState: decide(next, forced, 'nonzero-state', 0.7),
    saturate: decide(next, forced, 'saturate', 0.25),
  };
  // Projection bias and projection clip mean something only with a projection.
  const pb = decide(next, forced, 'projection-bias', 0.5);
  features.projectionBias = cell && features.projection && (op === 'QUANTIZED_LSTM' || pb);
  const pc = decide(next, forced, 'proj-clip', 0.4);
  features.projClip = cell && features.projection && pc;
  if (!integer) {
    const allowed = loadSpec(op).inputs.find((o) => o.name === 'activation')?.allowedValues ?? [4];
    features.activation = chance(next, 0.4) ? 4 : pick(next, allowed);
    // Saturating values under an unbounded activation (none, relu) grow the state past float16's
    // range within a few steps: such models only test overflow, and the reference then has no value to compare.
    if (f16 && (features.activation === 0 || features.activation === 1) && !forced.on.has('saturate')) features.saturate = false;
  }
  if (bi) {
    const parallel = forced.on.has('aux-parallel');
    const cross = forced.on.has('aux-cross');
    if (parallel && cross) throw new FuzzOptionError('aux-parallel and aux-cross exclude each other');
    const r = next();
    let linking: FuzzFeatures['linking'] = r < 0.5 ? 'none' : r < 0.75 ? 'parallel' : 'cross';
    if (linking === 'parallel' && forced.off.has('aux-parallel')) linking = 'none';
    if (linking === 'cross' && forced.off.has('aux-cross')) linking = 'none';
    features.linking = parallel ? 'parallel' : cross ? 'cross' : linking;
  }

  const units = drawSize(next, maxSize);
  const input = chance(next, 0.25) ? units : drawSize(next, maxSize);
  const projOut = drawSize(next, maxSize);
  const output = features.projection ? projOut : units;
  const time = seq ? drawSize(next, maxTime) : 1;
  const batch = drawSize(next, maxBatch);
  let auxInput = input;
  let bwUnits = units;
  let bwOutput = output;
  if (bi) {
    const a = drawSize(next, maxSize);
    if (features.linking !== 'none' && chance(next, 0.5)) auxInput = a;
    const u = drawSize(next, maxSize);
    const o = drawSize(next, maxSize);
    if (chance(next, 0.3)) {
      bwUnits = u;
      bwOutput = features.projection ? o : u;
    }
  }
  const sizes: FuzzSizes = { batch, input, units, output, time, auxInput, bwUnits, bwOutput };

  let quant: FuzzQuant | null = null;
  if (integer) {
    quant = {
      cellShift: pick(next, [-15, -15, -12, -11, -11, -10, -9, -9]),
      inputScale: pick(next, [2 ** -8, 2 ** -7, 2 ** -6, 0.0431, 0.1]),
      inputZeroPoint: chance(next, 0.5) ? 0 : int(next, -128, 127),
      outputScale: pick(next, [2 ** -8, 2 ** -7, 2 ** -5, 0.0123]),
      outputZeroPoint: chance(next, 0.5) ? 0 : int(next, -128, 127),
      hiddenScale: pick(next, [2 ** -7, 2 ** -8, 0.0071, 0.03]),
      hiddenZeroPoint: chance(next, 0.5) ? 0 : int(next, -128, 127),
      weightScale: pick(next, [0.00408021, 0.0078125, 0.02, 0.0009765625]),
      weightZeroPoint: chance(next, 0.3) ? 128 : int(next, 0, 255),
    };
  }
  return { generator: GENERATOR_NAME, version: GENERATOR_VERSION, op, variant, sizes, features, quant, seed: next() * 2 ** 32 >>> 0 };
}

// ---------------------------------------------------------------------------------------------
// Description → model.

/** The feature groups an operand belongs to: its own `group`, and every group of the spec (or, for fw_/bw_ operands, of LSTM) that lists it. */
function groupsOf(spec: ResolvedSpec, o: SpecOperand): Set<string> {
  const gs = new Set<string>();
  if (o.group) gs.add(o.group);
  for (const g of spec.groups) if (g.operands.includes(o.name)) gs.add(g.id);
  // A cell operand taken from LSTM's table (`from` = "LSTM#name") belongs to LSTM's groups too.
  const from = (o as SpecOperand & { from?: string }).from;
  const bare = from?.startsWith('LSTM#') ? from.slice(5) : o.name.replace(/^(fw|bw)_/, '');
  if (spec.operation !== 'LSTM') for (const g of loadSpec('LSTM').groups) if (g.operands.includes(bare)) gs.add(g.id);
  // The aux weights of the input gate go with the input gate (rule BIDIRECTIONAL_SEQUENCE_LSTM.aux.weights_all_or_none).
  if (/aux_input_to_input_weights$/.test(o.name)) gs.add('cifg');
  return gs;
}

/** Whether a feature group is in use: an operand is present when every group it belongs to is. */
function groupOn(group: string, name: string, f: FuzzFeatures): boolean {
  switch (group) {
    case 'cifg':
      return !f.cifg; // the CIFG group holds the input-gate operands, present without CIFG
    case 'peephole':
      return f.peephole;
    case 'projection':
      return f.projection;
    case 'projection_bias':
      return f.projection && f.projectionBias;
    case 'layer_norm':
      return f.layerNorm;
    case 'aux':
      return name === 'aux_input' ? f.linking !== 'none' : f.linking === 'cross';
    case 'state_outputs':
      return f.stateOutputs;
    default:
      throw new Error(`fuzz generator: no rule for feature group '${group}'`);
  }
}

/** The size a shape symbol of the spec stands for. */
function symbolSize(sym: string, c: FuzzCase, operand: string): number {
  const s = c.sizes;
  const tm = c.features.timeMajor;
  switch (sym.trim()) {
    case 'max_time | batch_size':
      return tm ? s.time : s.batch;
    case 'batch_size | max_time':
      return tm ? s.batch : s.time;
    case 'batch_size':
      return s.batch;
    case 'max_time':
      return s.time;
    case 'input_size':
      // Under parallel linking the backward cell reads aux_input: its input weights are aux-sized.
      return operand.startsWith('bw_') && c.features.linking === 'parallel' ? s.auxInput : s.input;
    case 'aux_input_size':
      return s.auxInput;
    case 'num_units':
    case 'fw_num_units':
      return s.units;
    case 'output_size':
    case 'fw_output_size':
      return s.output;
    case 'bw_num_units':
      return s.bwUnits;
    case 'bw_output_size':
      return s.bwOutput;
    default:
      throw new Error(`fuzz generator: no size for shape symbol '${sym}' of ${operand}`);
  }
}

/** Value magnitudes by role: ordinary, or large enough to saturate gates and hit the clips. */
function scales(f: FuzzFeatures) {
  return f.saturate ? { weight: 2.5, input: 4, state: 3, bias: 2 } : { weight: 0.5, input: 1, state: 1, bias: 0.5 };
}

function floatValues(next: Next, n: number, scale: number, f16: boolean, offset = 0): number[] {
  const out = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    const v = Math.fround(offset + (next() * 2 - 1) * scale);
    out[k] = f16 ? roundToFloat16(v) : v;
  }
  return out;
}

/** Sets a model input's example values (buildModel gives model inputs zeros). */
function setInput(model: Model, name: string, values: number[]): void {
  const idx = model.operations[0]!.inputs.find((i) => model.operands[i]!.name === name);
  if (idx === undefined) throw new Error(`fuzz generator: no operand ${name}`);
  model.operands[idx]!.values = values;
}

function floatModel(c: FuzzCase): Model {
  const op = c.op as OperationType;
  const spec = loadSpec(op);
  const next = rng(c.seed);
  const f = c.features;
  const f16 = c.variant === 'float16';
  const sc = scales(f);
  const round = (v: number) => (f16 ? roundToFloat16(v) : Math.fround(v));
  const operands: Record<string, OperandInit> = {};
  const inputs: { name: string; values: number[] }[] = [];
  for (const o of spec.inputs) {
    const groups = groupsOf(spec, o);
    if (o.presence === 'optional' && ![...groups].every((g) => groupOn(g, o.name, f))) continue;
    if (o.kind === 'scalar') {
      const bare = o.name;
      if (bare === 'activation') operands[bare] = f.activation;
      else if (bare === 'cell_clip') operands[bare] = f.cellClip ? round(f.saturate ? 0.25 + next() * 2 : 0.05 + next() * 0.6) : 0;
      else if (bare === 'proj_clip') operands[bare] = f.projClip ? round(0.02 + next() * (f.saturate ? 1 : 0.3)) : 0;
      else if (bare === 'time_major') operands[bare] = f.timeMajor;
      else if (bare === 'merge_outputs') operands[bare] = f.merge;
      else throw new Error(`fuzz generator: no rule for scalar ${o.name}`);
      continue;
    }
    const dims = o.shape.map((sym) => symbolSize(sym, c, o.name));
    const n = dims.reduce((a, b) => a * b, 1);
    if (o.role === 'input' || o.role === 'aux' || o.role === 'state') {
      operands[o.name] = { dimensions: dims };
      const scale = o.role === 'state' ? sc.state : sc.input;
      inputs.push({ name: o.name, values: o.role === 'state' && !f.nonZeroState ? new Array<number>(n).fill(0) : floatValues(next, n, scale, f16) });
      continue;
    }
    let values: number[];
    if (o.role === 'layer_norm') values = floatValues(next, n, 0.5, f16, 1);
    else if (o.role === 'bias') values = floatValues(next, n, sc.bias, f16);
    else values = floatValues(next, n, sc.weight, f16);
    operands[o.name] = { dimensions: dims, values };
  }
  const outputs = outputNames(spec, c);
  const model = buildModel(op, operands, { variant: f16 ? 'float16' : 'float32', relaxed: c.variant === 'relaxed', outputs: Object.fromEntries(outputs.map((o) => [o.name, { dimensions: o.dims }])) });
  for (const i of inputs) setInput(model, i.name, i.values);
  // LSTM's scratch buffer holds implementation-defined values: never compared (as in the AOSP vectors).
  for (const i of model.outputIndexes) if (model.operands[i]!.name === 'scratch_buffer') model.operands[i]!.isIgnored = true;
  return model;
}

/** The outputs the case declares, with their dimensions. */
function outputNames(spec: ResolvedSpec, c: FuzzCase): { name: string; dims: number[] }[] {
  const s = c.sizes;
  const f = c.features;
  const seq = (w: number) => (f.timeMajor ? [s.time, s.batch, w] : [s.batch, s.time, w]);
  const dims: Record<string, number[]> = {
    scratch_buffer: [s.batch, s.units * (f.cifg ? 3 : 4)],
    output_state_out: [s.batch, s.output],
    cell_state_out: [s.batch, s.units],
    fw_output: seq(f.merge ? s.output + s.bwOutput : s.output),
    bw_output: seq(s.bwOutput),
    fw_output_state_out: [s.batch, s.output],
    fw_cell_state_out: [s.batch, s.units],
    bw_output_state_out: [s.batch, s.bwOutput],
    bw_cell_state_out: [s.batch, s.bwUnits],
  };
  dims['output'] = spec.operation === 'LSTM' ? [s.batch, s.output] : seq(s.output);
  return spec.outputs
    .filter((o) => {
      if (o.name === 'bw_output') return !f.merge;
      if (o.presence === 'optional') return f.stateOutputs; // the optional outputs are the state outputs
      return true;
    })
    .map((o) => ({ name: o.name, dims: dims[o.name]! }));
}

function integerModel(c: FuzzCase): Model {
  const s = c.sizes;
  const f = c.features;
  const q = c.quant!;
  const next = rng(c.seed ^ 0x9e3779b9);
  if (c.op === 'QUANTIZED_16BIT_LSTM') {
    return synthQlstm16({ seed: c.seed, batchSize: s.batch, inputSize: s.input, outputSize: s.output, weightScale: q.weightScale, weightZeroPoint: q.weightZeroPoint, cellStateRange: f.nonZeroState ? (f.saturate ? 32767 : 2000) : 0 });
  }
  const k = q.cellShift;
  return synthQlstm({
    seed: c.seed,
    batchSize: s.batch,
    inputSize: s.input,
    numUnits: s.units,
    outputSize: s.output,
    cifg: f.cifg,
    peephole: f.peephole,
    projection: f.projection,
    layerNorm: f.layerNorm,
    cellShift: k,
    // The clips in real units: a cell clip inside the state's range, a projection clip inside int8's.
    cellClip: f.cellClip ? Math.fround((f.saturate ? 0.05 : 0.3 + next()) * 2 ** (15 + k)) : 0,
    projClip: f.projClip ? Math.fround((0.1 + next() * 0.8) * 127 * q.outputScale) : 0,
    inputScale: q.inputScale,
    inputZeroPoint: q.inputZeroPoint,
    outputScale: q.outputScale,
    outputZeroPoint: q.outputZeroPoint,
    ...(f.projection ? { hiddenScale: q.hiddenScale, hiddenZeroPoint: q.hiddenZeroPoint } : {}),
    weightRange: f.saturate ? 127 : 100,
    cellStateRange: f.nonZeroState ? (f.saturate ? 32767 : 4000) : 0,
    outputStateRange: f.nonZeroState ? (f.saturate ? 127 : 40) : 0,
    biasRange: f.saturate ? (f.layerNorm ? 40000000 : 300000) : undefined,
  });
}

/** The model a case describes (outputs declared, without expected values). */
export function buildFuzzModel(c: FuzzCase): Model {
  return c.op === 'QUANTIZED_LSTM' || c.op === 'QUANTIZED_16BIT_LSTM' ? integerModel(c) : floatModel(c);
}

/** One line naming a case's operation, variant, features and sizes, e.g. for progress and reports. */
export function describeCase(c: FuzzCase): string {
  const f = c.features;
  const s = c.sizes;
  const slug = Object.entries(OP_ALIASES).find(([, v]) => v === c.op)![0];
  const on: string[] = [];
  if (f.cifg) on.push('cifg');
  if (f.peephole) on.push('peephole');
  if (f.projection) on.push(f.projectionBias ? 'proj+bias' : 'proj');
  if (f.layerNorm) on.push('ln');
  if (f.cellClip) on.push('cellclip');
  if (f.projClip) on.push('projclip');
  if (c.op !== 'QUANTIZED_LSTM' && c.op !== 'QUANTIZED_16BIT_LSTM') on.push(`act${f.activation}`);
  if (c.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM' || c.op === 'BIDIRECTIONAL_SEQUENCE_LSTM') on.push(f.timeMajor ? 'tm' : 'bm');
  if (f.linking !== 'none') on.push(`aux-${f.linking}`);
  if (f.merge) on.push('merge');
  if (f.stateOutputs) on.push('stateout');
  if (f.nonZeroState) on.push('state');
  if (f.saturate) on.push('sat');
  const dims = [`b${s.batch}`, `i${s.input}`, `n${s.units}`, `o${s.output}`];
  if (c.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM' || c.op === 'BIDIRECTIONAL_SEQUENCE_LSTM') dims.push(`t${s.time}`);
  if (c.op === 'BIDIRECTIONAL_SEQUENCE_LSTM') {
    if (f.linking !== 'none') dims.push(`a${s.auxInput}`);
    if (s.bwUnits !== s.units || s.bwOutput !== s.output) dims.push(`bwn${s.bwUnits}`, `bwo${s.bwOutput}`);
  }
  return `${slug}-${c.variant}-${on.length ? on.join('-') : 'plain'}-${dims.join('')}`;
}
