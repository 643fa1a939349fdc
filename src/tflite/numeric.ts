/**
 * Numeric check of one LSTM-family operator of a `.tflite` model: the op is cut out with its REAL weights
 * (tfliteOpToNnapiModel → writeSingleOpTfliteWithIo), run through the reference driver (the spec) and through the
 * TFLite runtime (WASM) on seeded random inputs and several initial states, and compared with the NNAPI harness
 * criterion (float32: |err| ≤ 1e-5 + 5·2^-23·|expected|; expected = reference, actual = TFLite).
 *
 * States go in through the state inputs: NNAPI output_state_in / cell_state_in (fw_/bw_ for the bidirectional op)
 * on the reference side, and the variable tensors the writer exposes as subgraph inputs on the TFLite side
 * (src/tflite/writer.ts). LSTM compares output, output_state_out and cell_state_out; the sequence ops compare their
 * sequence output(s) and — when the reference takes the feature-level-4 form with state outputs — the final states.
 *
 * Known deviations: with activation 0 a failing trial is re-checked against the activation-none-cell-gate oracle
 * (conformance/oracles.ts); when TFLite matches the oracle the verdict is `deviation`, not pass and not an
 * unexplained failure. Other failing trials are compared with a float64 evaluation of the documented formulas
 * (LSTM and UNIDIRECTIONAL) to show which side is off. numericCheck itself answers `not-supported` for integer and
 * hybrid ops — never a fake pass; `nnlstm validate` sends those to numeric-int8.ts / numeric-hybrid.ts.
 */
import { compareWithExpected, type Comparison, type ExpectedOutput } from '../conformance/compare.js';
import { deviationOracle } from '../conformance/deviations.js';
import { registerBuiltinOracles } from '../conformance/oracles.js';
import { rng, uniform } from '../conformance/synth.js';
import { FLOAT32_CRITERION } from '../conformance/tolerance.js';
import type { Driver, InputValue, OutputValue } from '../drivers/driver.js';
import { ReferenceDriver } from '../drivers/reference.js';
import { isOmitted, type Model, type Operand } from '../model/model.js';
import { lstmStepF64, type F64Tensors } from '../ops/lstm/float64.js';
import { LSTM_INPUT_NAMES } from '../ops/lstm/operands.generated.js';
import { TfliteMappingError, UnsupportedByTflite } from './errors.js';
import type { LstmOpReport } from './inspect.js';
import { decodeTensorData, nnapiInputsFor } from './mapping.js';
import type { TfliteModel, TfliteSubgraph } from './reader.js';
import { TfliteRuntime, TfliteRuntimeError, TfliteRuntimeUnavailable, type CompiledTflite } from './runtime.js';
import { writeSingleOpTfliteWithIo, type SingleOpIo } from './writer.js';

/** The known deviation this module can attribute (conformance/policies/deviations.json). */
export const ACTIVATION_NONE_DEVIATION = 'activation-none-cell-gate';

export type NumericStatus =
  /** Every trial within the float32 criterion. */
  | 'pass'
  /** Some trial outside the criterion and not explained by a known deviation. */
  | 'fail'
  /** Activation 0: failing trials match the deviation oracle (TFLite computes o ⊙ g instead of o ⊙ C_t). */
  | 'deviation'
  /** Integer / hybrid arithmetic: no reference for it yet. */
  | 'not-supported'
  /** The reference (or the single-op writer) cannot run this op type yet. */
  | 'pending'
  /** Not checkable for a stated reason (structurally invalid, weights computed at run time, …). */
  | 'skipped'
  /** The check was attempted and broke unexpectedly (runtime rejected the cut-out op, execute failed, …). */
  | 'error';

/** Statuses that can fail an op: `nnlstm validate` fails 'fail' and 'error' always, 'deviation' unless it names a comparison-runtime deviation (then a warning; `--strict` fails it; src/tflite/validate-tflite.ts). */
export const FAILING_NUMERIC_STATUSES: ReadonlySet<NumericStatus> = new Set<NumericStatus>(['fail', 'deviation', 'error']);

export type InitialState = 'zero' | 'small' | 'large';

export interface NumericTrial {
  seed: number;
  state: InitialState;
  pass: boolean;
  /** Versus the reference (the documented semantics). */
  maxAbsError: number | null;
  maxRatio: number | null;
  /** Activation 0 and failing: ratio versus the deviation oracle (≤ 1 = explained). */
  deviationRatio?: number | null;
  /**
   * Failing trials: max |x − float64 evaluation of the documented formulas| of the reference and of TFLite — which
   * side the float32 rounding took further away (large weights amplify summation-order differences).
   */
  float64?: { referenceMaxAbsError: number; tfliteMaxAbsError: number } | null;
  reason?: string;
}

/**
 * The numeric check of one op: the reference versus the TFLite runtime on random inputs and initial states,
 * judged with the float32 criterion (or the hybrid one).
 */
export interface NumericVerdict {
  /** `pass`, `fail`, `deviation` (explained by a known deviation), `not-supported`, `pending`, `skipped` or `error`. */
  status: NumericStatus;
  /** One-line human summary, e.g. "pass (9 trials, max |err| 1.2e-7, ratio 0.012)". */
  summary: string;
  /** Why (for not-supported / pending / skipped / error / fail). */
  reason?: string;
  /** The comparison criterion used. */
  criterion?: 'float32' | 'hybrid';
  /** Model outputs compared (NNAPI roles). */
  compared?: string[];
  /** Final states were not compared (and why). */
  notes?: string[];
  /** One entry per (seed, initial state). */
  trials?: NumericTrial[];
  /** Largest |TFLite − reference| over all trials. */
  maxAbsError?: number | null;
  /** Largest error / tolerance ratio over all trials (≤ 1 passes). */
  maxRatio?: number | null;
  /** The known deviation that explains a failure (status deviation), e.g. `activation-none-cell-gate`. */
  deviation?: string;
  /** Max error/tolerance ratio of TFLite versus the deviation oracle over all trials (deviation status). */
  deviationMaxRatio?: number | null;
  /** The TFLite runtime compared with (package and build). */
  runtime?: string;
  /** How the trials were drawn, e.g. "input uniform ±1; initial states zero, small ±0.1, large ±2". */
  setup?: string;
}

export interface NumericOptions {
  /** Number of input seeds (default 3); every seed runs with each initial state. */
  seeds?: number;
  /** First seed (default 1). */
  seed?: number;
  /** Initial states (default zero, small ±0.1, large ±2). */
  states?: readonly InitialState[];
  /** Magnitude of the random input sequence (default 1). */
  inputScale?: number;
  /** Reference driver to use (default: new ReferenceDriver()). */
  reference?: Driver;
}

/** BuiltinOperator DEQUANTIZE (names.ts lists only the codes it needs). */
const BUILTIN_DEQUANTIZE = 6;
export const STATE_SCALE: Record<InitialState, number> = { zero: 0, small: 0.1, large: 2 };
const STATE_ROLES = new Set(['output_state_in', 'cell_state_in', 'fw_output_state_in', 'fw_cell_state_in', 'bw_output_state_in', 'bw_cell_state_in']);

function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined) return '-';
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(3) : x.toExponential(2);
}

const product = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

/** NNAPI role of each TFLite input slot of the op (only slots that map to an input). */
function tfliteSlotOfRole(op: LstmOpReport['op'], tfliteInputs: number): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of nnapiInputsFor(op, tfliteInputs)) if (e.source.kind === 'input') m.set(e.role, e.source.tflite);
  return m;
}

/**
 * Non-constant weight operands of the mapped model (SUBGRAPH_INPUTs other than the data input and the states).
 * Those produced by a DEQUANTIZE of a constant FLOAT16 / INT8 / UINT8 tensor (float16- or weight-quantized
 * models) are replaced by the dequantized constants in place; the roles that cannot be resolved are returned.
 */
export function resolveRuntimeWeights(tfl: TfliteModel, sg: TfliteSubgraph, opIndex: number, report: LstmOpReport, nn: Model): string[] {
  const op = sg.operators[opIndex]!;
  const slotOf = tfliteSlotOfRole(report.op, op.inputs.length);
  const unresolved: string[] = [];
  const operation = nn.operations[0]!;
  for (const idx of operation.inputs) {
    const o = nn.operands[idx]!;
    const role = o.role ?? o.name;
    if (o.lifetime !== 'SUBGRAPH_INPUT' || isOmitted(o) || role === 'input' || role === 'aux_input' || STATE_ROLES.has(role)) continue;
    const slot = slotOf.get(role);
    const t = slot === undefined ? undefined : op.inputs[slot];
    const values = t === undefined || t < 0 ? undefined : dequantizedConstant(tfl, sg, t);
    if (!values || values.length !== product(o.dimensions)) {
      unresolved.push(role);
      continue;
    }
    o.lifetime = 'CONSTANT_COPY';
    o.values = values;
  }
  nn.inputIndexes = nn.inputIndexes.filter((i) => nn.operands[i]!.lifetime === 'SUBGRAPH_INPUT');
  return unresolved;
}

/** Values of tensor `t` when it is the output of DEQUANTIZE(constant), else undefined. */
function dequantizedConstant(tfl: TfliteModel, sg: TfliteSubgraph, t: number): number[] | undefined {
  const producer = sg.operators.find((p) => p.outputs.includes(t));
  if (!producer || tfl.operatorCodes[producer.opcodeIndex]?.builtinCode !== BUILTIN_DEQUANTIZE) return undefined;
  const src = sg.tensors[producer.inputs[0] ?? -1];
  const data = src && src.buffer > 0 ? tfl.buffers[src.buffer]?.data : undefined;
  if (!src || !data) return undefined;
  let raw: number[];
  try {
    raw = decodeTensorData(src, data);
  } catch {
    return undefined;
  }
  if (src.type === 'FLOAT16' || src.type === 'FLOAT32') return raw.map((v) => Math.fround(v));
  if (src.type !== 'INT8' && src.type !== 'UINT8') return undefined;
  const q = src.quantization;
  if (!q || q.scale.length === 0) return undefined;
  if (q.scale.length === 1) return raw.map((v) => Math.fround((v - (q.zeroPoint[0] ?? 0)) * q.scale[0]!));
  // Per-channel along quantizedDimension.
  const dims = src.shape;
  const qd = q.quantizedDimension;
  if (qd < 0 || qd >= dims.length || dims[qd] !== q.scale.length) return undefined;
  const inner = product(dims.slice(qd + 1));
  return raw.map((v, k) => {
    const ch = Math.floor(k / inner) % q.scale.length;
    return Math.fround((v - (q.zeroPoint[ch] ?? 0)) * q.scale[ch]!);
  });
}

/**
 * The feature-level-4 form of a sequence-op model: UNIDIRECTIONAL_SEQUENCE_LSTM gets output_state_out /
 * cell_state_out after its output, BIDIRECTIONAL_SEQUENCE_LSTM fw_/bw_ output_state_out / cell_state_out after its
 * output(s). Undefined for LSTM and for models that already have the state outputs. `nn` is not modified.
 */
export function withSequenceStateOutputs(nn: Model): Model | undefined {
  const op = nn.operations[0];
  if (!op) return undefined;
  let stateRoles: string[];
  if (op.type === 'UNIDIRECTIONAL_SEQUENCE_LSTM' && op.outputs.length === 1) stateRoles = ['output_state_in', 'cell_state_in'];
  else if (op.type === 'BIDIRECTIONAL_SEQUENCE_LSTM' && op.outputs.length <= 2) stateRoles = ['fw_output_state_in', 'fw_cell_state_in', 'bw_output_state_in', 'bw_cell_state_in'];
  else return undefined;
  const m = structuredClone(nn);
  const mop = m.operations[0]!;
  const byRole = new Map(mop.inputs.map((i) => [m.operands[i]?.role ?? m.operands[i]?.name, m.operands[i]]));
  for (const roleIn of stateRoles) {
    const like = byRole.get(roleIn);
    if (!like) return undefined;
    const role = roleIn.replace(/_in$/, '_out');
    const index = m.operands.length;
    m.operands.push({ index, name: role, role, type: like.type, dimensions: [...like.dimensions], scale: like.scale, zeroPoint: like.zeroPoint, lifetime: 'SUBGRAPH_OUTPUT', isIgnored: false, values: [] });
    mop.outputs.push(index);
  }
  m.outputIndexes = [...mop.outputs];
  return m;
}

/**
 * The documented formulas in float64 (src/ops/lstm/float64.ts) for an LSTM or UNIDIRECTIONAL_SEQUENCE_LSTM model on
 * the given inputs: role → values (output, output_state_out, cell_state_out). Undefined when not applicable
 * (other ops, activations the float64 evaluation does not implement).
 */
export function float64Outputs(model: Model, inputs: readonly InputValue[]): Map<string, Float64Array> | undefined {
  const op = model.operations[0];
  if (!op || (op.type !== 'LSTM' && op.type !== 'UNIDIRECTIONAL_SEQUENCE_LSTM')) return undefined;
  const byRole = new Map<string, { operand: Operand; values: ArrayLike<number> | null }>();
  for (const idx of op.inputs) {
    const o = model.operands[idx];
    if (!o) return undefined;
    const pos = model.inputIndexes.indexOf(idx);
    const values = pos >= 0 ? (inputs[pos] ?? null) : isOmitted(o) ? null : o.values;
    byRole.set(o.role ?? o.name, { operand: o, values });
  }
  const val = (role: string) => byRole.get(role)?.values ?? null;
  const scalar = (role: string) => Number(val(role)?.[0] ?? 0);
  const x = byRole.get('input');
  const wOut = byRole.get('input_to_output_weights')?.operand.dimensions;
  const rOut = byRole.get('recurrent_to_output_weights')?.operand.dimensions;
  if (!x?.values || !wOut || !rOut) return undefined;
  const N = wOut[0]!;
  const O = rOut[1]!;
  const seq = op.type === 'UNIDIRECTIONAL_SEQUENCE_LSTM';
  const timeMajor = seq && scalar('time_major') !== 0;
  const d = x.operand.dimensions;
  const [T, B, I] = seq ? (timeMajor ? [d[0]!, d[1]!, d[2]!] : [d[1]!, d[0]!, d[2]!]) : [1, d[0]!, d[1]!];
  const tensors: Record<string, ArrayLike<number> | null> = {};
  for (const role of LSTM_INPUT_NAMES) if (role !== 'activation' && role !== 'cell_clip' && role !== 'proj_clip') tensors[role] = val(role);
  const base: F64Tensors = { ...tensors, activation: scalar('activation'), cell_clip: scalar('cell_clip'), proj_clip: scalar('proj_clip') };
  let h: ArrayLike<number> = val('output_state_in') ?? new Float64Array(B * O);
  let c: ArrayLike<number> = val('cell_state_in') ?? new Float64Array(B * N);
  const out = new Float64Array(T * B * O);
  const xs = x.values;
  try {
    for (let t = 0; t < T; t++) {
      const xt = new Float64Array(B * I);
      for (let b = 0; b < B; b++) for (let i = 0; i < I; i++) xt[b * I + i] = xs[seq ? (timeMajor ? (t * B + b) * I + i : (b * T + t) * I + i) : b * I + i]!;
      const r = lstmStepF64({ batchSize: B, inputSize: I, numUnits: N, outputSize: O }, { ...base, input: xt, output_state_in: h, cell_state_in: c });
      h = r.outputState;
      c = r.cellState;
      for (let b = 0; b < B; b++) for (let o = 0; o < O; o++) out[seq ? (timeMajor ? (t * B + b) * O + o : (b * T + t) * O + o) : b * O + o] = r.outputState[b * O + o]!;
    }
  } catch {
    return undefined;
  }
  return new Map([
    ['output', out],
    ['output_state_out', Float64Array.from(h)],
    ['cell_state_out', Float64Array.from(c)],
  ]);
}

/** Largest |value| of the op's constant weight tensors (a conditioning hint for failures). */
function maxAbsWeight(model: Model): number {
  let m = 0;
  for (const idx of model.operations[0]?.inputs ?? []) {
    const o = model.operands[idx];
    if (!o || o.lifetime !== 'CONSTANT_COPY' || o.dimensions.length === 0) continue;
    for (const v of o.values) if (Math.abs(v) > m) m = Math.abs(v);
  }
  return m;
}

/** max |a − f64| over the model outputs both sides have. */
function maxErrorVs(model: Model, outputs: readonly OutputValue[], f64: Map<string, Float64Array>): number {
  let m = 0;
  for (const o of outputs) {
    const operand = model.operands[o.index];
    const ref = f64.get(operand?.role ?? operand?.name ?? '');
    if (!ref || operand?.isIgnored || ref.length !== o.values.length) continue;
    for (let k = 0; k < ref.length; k++) {
      const e = Math.abs(o.values[k]! - ref[k]!);
      if (Number.isNaN(e)) return Number.NaN;
      if (e > m) m = e;
    }
  }
  return m;
}

export interface Trial {
  seed: number;
  state: InitialState;
  /** Values for the model inputs (model.inputIndexes order). */
  inputs: InputValue[];
  /** Values for the written model's subgraph inputs (io.inputs order: data inputs, then states). */
  tfliteInputs: ArrayLike<number>[];
}

const roleOf = (o: Operand) => o.role ?? o.name;

/**
 * Seeded trials: for every seed one draw of the data inputs (input, aux_input: uniform ±inputScale) and, with it,
 * every initial state (zero, small, large) in every state input.
 */
export function makeTrials(nn: Model, io: SingleOpIo, opts: NumericOptions): Trial[] {
  const nSeeds = opts.seeds ?? 3;
  const first = opts.seed ?? 1;
  const states = opts.states ?? ['zero', 'small', 'large'];
  const op = nn.operations[0]!;
  const fed = io.inputs.map((x) => {
    const o = nn.operands[op.inputs[x.nnapi]!];
    if (!o) throw new Error(`the written model's input ${x.role} has no operand`);
    return { ...x, operand: o, n: product(o.dimensions) };
  });
  const trials: Trial[] = [];
  for (let s = 0; s < nSeeds; s++) {
    const seed = first + s;
    const data = new Map<string, number[]>();
    fed.forEach((f, k) => {
      if (!f.state) data.set(f.role, uniform(rng(Math.imul(seed, 0x9e3779b1) ^ (0x27d4eb2f + k)), f.n, opts.inputScale ?? 1));
    });
    states.forEach((state, j) => {
      const values = new Map<Operand, number[]>();
      fed.forEach((f, k) => {
        // (v + 0) turns the -0 of a zero state into 0.
        const v = f.state ? uniform(rng(Math.imul(seed, 0x9e3779b1) ^ (0x85ebca6b + 31 * j + k)), f.n, STATE_SCALE[state]).map((x) => x + 0) : data.get(f.role)!;
        values.set(f.operand, v);
      });
      const inputs: InputValue[] = nn.inputIndexes.map((i) => {
        const o = nn.operands[i]!;
        return values.get(o) ?? (isOmitted(o) ? null : o.values);
      });
      trials.push({ seed, state, inputs, tfliteInputs: fed.map((f) => values.get(f.operand)!) });
    });
  }
  return trials;
}

/** TFLite subgraph outputs (io.outputs order) → OutputValues of the NNAPI model's outputs, matched by role. */
export function tfliteAsNnapiOutputs(nn: Model, io: SingleOpIo, run: { data: Float32Array; shape: number[] }[]): OutputValue[] {
  return nn.outputIndexes.map((idx) => {
    const o = nn.operands[idx]!;
    const k = io.outputs.findIndex((x) => x.role === roleOf(o));
    const src = k >= 0 ? run[k] : undefined;
    if (src) return { index: idx, dimensions: [...src.shape], values: src.data };
    // scratch_buffer (ignored by the comparison): zeros of the declared shape.
    return { index: idx, dimensions: [...o.dimensions], values: new Float32Array(product(o.dimensions)) };
  });
}

function expectedFrom(outputs: readonly OutputValue[]): Map<number, ExpectedOutput> {
  return new Map(outputs.map((o) => [o.index, { dimensions: [...o.dimensions], values: o.values }]));
}

export async function prepareReference(ref: Driver, nn: Model): Promise<{ ok: true; model: Model; prepared: unknown; notes: string[] } | { ok: false; unsupported: boolean; message: string }> {
  const notes: string[] = [];
  const fl4 = withSequenceStateOutputs(nn);
  if (fl4) {
    const p = await ref.prepare(fl4);
    if (p.ok) return { ok: true, model: fl4, prepared: p.prepared, notes };
    notes.push(`final states not compared: the reference does not take the feature-level-4 form with state outputs (${p.message})`);
  }
  const p = await ref.prepare(nn);
  if (p.ok) return { ok: true, model: nn, prepared: p.prepared, notes };
  const detail = p.violations?.length ? `${p.message}: ${p.violations.map((v) => v.rule).join(', ')}` : p.message;
  return { ok: false, unsupported: p.unsupported === true, message: detail };
}

const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' | ');

/**
 * Runs the numeric check for one op. `nn` is the op's mapped NNAPI model (tfliteOpToNnapiModel); it is not modified.
 * Never throws for model problems: every outcome is a verdict.
 */
export async function numericCheck(
  tfl: TfliteModel,
  report: LstmOpReport,
  nnMapped: Model,
  opts: NumericOptions = {},
): Promise<NumericVerdict> {
  if (report.isInteger || report.isHybrid || report.arithmetic !== 'float') {
    const what = report.isHybrid ? 'hybrid' : 'integer';
    const reason = report.arithmetic === 'unknown' ? `arithmetic of input ${report.inputType} × weights ${report.weightType} has no reference` : `${what} LSTM reference pending`;
    return { status: 'not-supported', reason, summary: `not yet supported (${reason})` };
  }
  const sg = tfl.subgraphs[report.subgraph]!;
  const nn = structuredClone(nnMapped);
  const unresolved = resolveRuntimeWeights(tfl, sg, report.operator, report, nn);
  if (unresolved.length > 0) {
    const reason = `weights computed at run time by other operators (${unresolved.join(', ')}); only constants or DEQUANTIZE(constant) can be cut out`;
    return { status: 'skipped', reason, summary: `skipped (${reason})` };
  }

  const ref: Driver = opts.reference ?? new ReferenceDriver();
  let refPrep: Awaited<ReturnType<typeof prepareReference>>;
  try {
    refPrep = await prepareReference(ref, nn);
  } catch (e) {
    return { status: 'error', reason: `reference prepare threw: ${errMsg(e)}`, summary: `error (reference prepare threw: ${errMsg(e)})` };
  }
  if (!refPrep.ok) {
    if (refPrep.unsupported) {
      const reason = `${report.op} reference not available`;
      return { status: 'pending', reason: `${reason}: ${refPrep.message}`, summary: `pending (${reason})` };
    }
    return { status: 'error', reason: `the reference rejected the cut-out op: ${refPrep.message}`, summary: `error (reference rejected the cut-out op: ${refPrep.message})` };
  }
  const model = refPrep.model;
  const notes = [...refPrep.notes];

  let bytes: Uint8Array;
  let io: SingleOpIo;
  try {
    ({ bytes, io } = writeSingleOpTfliteWithIo(nn, { description: `nnlstm numeric check: ${report.op} (subgraph ${report.subgraph}, operator ${report.operator})` }));
  } catch (e) {
    if (e instanceof UnsupportedByTflite || e instanceof TfliteMappingError) {
      const reason = `${report.op} single-op .tflite writer not available: ${e.message}`;
      return { status: 'pending', reason, summary: `pending (${report.op} single-op .tflite writer not available)` };
    }
    return { status: 'error', reason: `cannot write the single-op model: ${errMsg(e)}`, summary: `error (cannot write the single-op model: ${errMsg(e)})` };
  }

  let rt: TfliteRuntime;
  let compiled: CompiledTflite;
  try {
    rt = await TfliteRuntime.load();
    compiled = rt.compile(bytes);
  } catch (e) {
    if (e instanceof TfliteRuntimeUnavailable) return { status: 'skipped', reason: e.message, summary: `skipped (${e.message})` };
    const why = e instanceof TfliteRuntimeError ? e.message : errMsg(e);
    return { status: 'error', reason: `TFLite runtime rejected the cut-out op: ${errMsg(why)}`, summary: `error (TFLite runtime rejected the cut-out op)` };
  }

  const activationNone = report.features.activation === 0;
  let oracle: ReturnType<typeof deviationOracle>;
  if (activationNone) {
    registerBuiltinOracles();
    oracle = deviationOracle(ACTIVATION_NONE_DEVIATION);
  }

  const trials: NumericTrial[] = [];
  let maxAbsError: number | null = 0;
  let maxRatio: number | null = 0;
  let deviationMaxRatio: number | null = null;
  const compared = model.outputIndexes.map((i) => model.operands[i]!).filter((o) => !o.isIgnored).map((o) => o.role ?? o.name);
  try {
    for (const t of makeTrials(model, io, opts)) {
      const r = await ref.execute(refPrep.prepared, t.inputs);
      if (!r.ok) throw new Error(`reference execute failed (seed ${t.seed}, ${t.state} state): ${r.message}`);
      let got;
      try {
        got = compiled.run(t.tfliteInputs);
      } catch (e) {
        throw new Error(`TFLite Invoke failed (seed ${t.seed}, ${t.state} state): ${errMsg(e)}`);
      }
      const actual = tfliteAsNnapiOutputs(model, io, got);
      const cmp: Comparison = compareWithExpected(model, expectedFrom(r.outputs), actual);
      const trial: NumericTrial = { seed: t.seed, state: t.state, pass: cmp.pass, maxAbsError: cmp.maxAbsError, maxRatio: cmp.maxRatio };
      if (!cmp.pass && cmp.reason) trial.reason = cmp.reason;
      if (!cmp.pass) {
        const f64 = float64Outputs(model, t.inputs);
        trial.float64 = f64 ? { referenceMaxAbsError: maxErrorVs(model, r.outputs, f64), tfliteMaxAbsError: maxErrorVs(model, actual, f64) } : null;
      }
      if (!cmp.pass && activationNone && oracle) {
        try {
          const dev = await oracle(model, t.inputs);
          const dcmp = compareWithExpected(model, expectedFrom(dev), actual);
          trial.deviationRatio = dcmp.maxRatio;
          if (dcmp.maxRatio !== null && (deviationMaxRatio === null || dcmp.maxRatio > deviationMaxRatio)) deviationMaxRatio = dcmp.maxRatio;
        } catch (e) {
          trial.deviationRatio = null;
          notes.push(`deviation oracle ${ACTIVATION_NONE_DEVIATION} failed: ${errMsg(e)}`);
        }
      }
      if (maxAbsError !== null && (cmp.maxAbsError === null || Number.isNaN(cmp.maxAbsError) || cmp.maxAbsError > maxAbsError)) maxAbsError = cmp.maxAbsError;
      if (maxRatio !== null && (cmp.maxRatio === null || cmp.maxRatio > maxRatio)) maxRatio = cmp.maxRatio;
      trials.push(trial);
    }
  } catch (e) {
    return { status: 'error', reason: errMsg(e), summary: `error (${errMsg(e)})`, trials, notes: [...new Set(notes)] };
  } finally {
    compiled.delete();
  }

  const runtime = `TFLite ${rt.version} (${rt.flavor} WASM)`;
  const seeds = [...new Set(trials.map((t) => t.seed))];
  const states = [...new Set(trials.map((t) => t.state))];
  const scope = `${trials.length} trials: seeds ${seeds.join(',')} × ${states.join('/')} initial state`;
  const setup = `input uniform ±${opts.inputScale ?? 1}; initial states ${states.map((st) => (st === 'zero' ? 'zero' : `${st} ±${STATE_SCALE[st]}`)).join(', ')} (through the state inputs)`;
  const base: NumericVerdict = { status: 'pass', summary: '', criterion: 'float32', compared, trials, maxAbsError, maxRatio, runtime, setup };
  if (notes.length) base.notes = [...new Set(notes)];
  const failing = trials.filter((t) => !t.pass);
  if (failing.length === 0) {
    return { ...base, status: 'pass', summary: `pass (${scope}; max |err| ${fmt(maxAbsError)}, max err/tol ${fmt(maxRatio)} with the ${FLOAT32_CRITERION.name} criterion)` };
  }
  const explained = activationNone && failing.every((t) => t.deviationRatio !== undefined && t.deviationRatio !== null && t.deviationRatio <= 1);
  if (explained) {
    return {
      ...base,
      status: 'deviation',
      deviation: ACTIVATION_NONE_DEVIATION,
      deviationMaxRatio,
      reason: `activation 0 (none): TFLite computes m = o ⊙ g (cell-gate value) instead of the documented o ⊙ C_t; ${failing.length}/${trials.length} trials off the reference (max err/tol ${fmt(maxRatio)}) match the deviation oracle (max err/tol ${fmt(deviationMaxRatio)})`,
      summary: `deviation ${ACTIVATION_NONE_DEVIATION} (${failing.length}/${trials.length} trials off the reference by up to ${fmt(maxAbsError)} (err/tol ${fmt(maxRatio)}), all matching the deviation oracle within tolerance (err/tol ≤ ${fmt(deviationMaxRatio)}))`,
    };
  }
  const worst = failing.reduce((a, b) => ((b.maxRatio ?? Infinity) > (a.maxRatio ?? Infinity) ? b : a));
  const arb = worst.float64;
  const wmax = maxAbsWeight(model);
  const arbiter = arb
    ? `; float64 evaluation of the documented formulas: reference off by ${fmt(arb.referenceMaxAbsError)}, TFLite by ${fmt(arb.tfliteMaxAbsError)}; largest |weight| ${fmt(wmax)}`
    : `; largest |weight| ${fmt(wmax)}`;
  return {
    ...base,
    status: 'fail',
    reason: `seed ${worst.seed}, ${worst.state} state: ${worst.reason ?? 'outside tolerance'}${arbiter}`,
    summary: `FAIL (${failing.length}/${trials.length} trials outside the float32 criterion; max |err| ${fmt(maxAbsError)}, max err/tol ${fmt(maxRatio)})`,
  };
}
