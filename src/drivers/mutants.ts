/**
 * The mutant catalogue: plausible implementation bugs, each a driver that differs from the
 * reference in exactly one decision. `nnlstm selftest` runs the suite against every mutant;
 * a suite that lets one live has a hole.
 */
import { isOmitted, type Model } from '../model/model.js';
import { makeLayerNorm, REFERENCE_KERNEL, sigmoid, type StepKernel } from '../ops/lstm/cell.js';
import { LSTM_IN, LSTM_OUT, type LstmInputName } from '../ops/lstm/operands.generated.js';
import { BI_SEQUENCE_LSTM_IN, biSequenceLstmOutputNames, UNI_SEQUENCE_LSTM_IN, UNI_SEQUENCE_LSTM_OUTPUT_NAMES } from '../ops/sequence/operands.js';
import type { Capabilities, Driver, ExecuteResult, InputValue, PrepareResult } from './driver.js';
import { ReferenceDriver, type ReferenceDriverOptions, type ReferencePrepared } from './reference.js';
import type { QuantizedOptions } from './quantized.js';
import { TFLITE_INTEGER_KERNEL } from '../ops/qlstm/cell.js';
import { applyLayerNorm, lutSigmoid, rdivpot, sat16, sat8, srdhm16, srmpot, wrap, type QMultiplier } from '../ops/qlstm/fixed-point.js';
import { QLSTM16_KERNEL } from '../ops/qlstm16/execute.js';

export interface Mutant {
  id: string;
  /** The bug, as a vendor would write it in a bug report. */
  description: string;
  /** Which part of the semantics it breaks (for the report). */
  feature: string;
  create(): Driver;
}

const fround = Math.fround;

function kernelMutant(id: string, feature: string, description: string, override: Partial<StepKernel>, extra: ReferenceDriverOptions = {}): Mutant {
  return {
    id,
    feature,
    description,
    create: () => new ReferenceDriver({ name: `mutant:${id}`, kernel: { ...REFERENCE_KERNEL, ...override }, ...extra }),
  };
}

/** A driver around the reference that rewrites the model, the inputs or the outputs. */
class WrappedReference implements Driver<ReferencePrepared> {
  readonly name: string;
  private readonly inner: ReferenceDriver;
  constructor(
    id: string,
    private readonly hooks: {
      model?: (m: Model) => Model;
      inputs?: (m: Model, inputs: InputValue[]) => InputValue[];
      outputs?: (m: Model, inputs: InputValue[], r: ExecuteResult) => ExecuteResult;
    },
  ) {
    this.name = `mutant:${id}`;
    this.inner = new ReferenceDriver({ name: this.name });
  }
  capabilities(): Promise<Capabilities> {
    return this.inner.capabilities();
  }
  prepare(model: Model): Promise<PrepareResult<ReferencePrepared>> {
    return this.inner.prepare(this.hooks.model ? this.hooks.model(structuredClone(model)) : model);
  }
  async execute(prepared: ReferencePrepared, inputs: InputValue[]): Promise<ExecuteResult> {
    const ins = this.hooks.inputs ? this.hooks.inputs(prepared.model, inputs) : inputs;
    const r = await this.inner.execute(prepared, ins);
    return this.hooks.outputs ? this.hooks.outputs(prepared.model, ins, r) : r;
  }
}

/** Position in model.inputIndexes of an LSTM input role, or -1 when it is not a model input. */
function modelInputPosition(m: Model, role: LstmInputName): number {
  return m.inputIndexes.indexOf(m.operations[0]!.inputs[LSTM_IN[role]]!);
}

/** Copies batch row 0 of a [B, n] input over every other row. */
function shareRowZero(m: Model, inputs: InputValue[], role: LstmInputName): InputValue[] {
  const pos = modelInputPosition(m, role);
  const v = inputs[pos];
  if (pos < 0 || !v) return inputs;
  const op = m.operands[m.inputIndexes[pos]!]!;
  const [B, n] = [op.dimensions[0] ?? 1, op.dimensions[1] ?? 1];
  const out = Array.from(v);
  for (let b = 1; b < B; b++) for (let k = 0; k < n; k++) out[b * n + k] = out[k]!;
  const copy = [...inputs];
  copy[pos] = out;
  return copy;
}

function swapOperandValues(m: Model, a: LstmInputName, b: LstmInputName): Model {
  const op = m.operations[0]!;
  const oa = m.operands[op.inputs[LSTM_IN[a]]!]!;
  const ob = m.operands[op.inputs[LSTM_IN[b]]!]!;
  if (oa.values.length === ob.values.length && oa.values.length > 0) [oa.values, ob.values] = [ob.values, oa.values];
  return m;
}

/** The same swap for weights that are model inputs rather than constants. */
function swapInputs(m: Model, inputs: InputValue[], a: LstmInputName, b: LstmInputName): InputValue[] {
  const pa = modelInputPosition(m, a);
  const pb = modelInputPosition(m, b);
  if (pa < 0 || pb < 0 || !inputs[pa] || !inputs[pb]) return inputs;
  const copy = [...inputs];
  [copy[pa], copy[pb]] = [inputs[pb]!, inputs[pa]!];
  return copy;
}

/** A rational tanh approximation with ~2e-2 worst error: the kind of shortcut a DSP kernel takes. */
function fastTanh(x: number): number {
  if (x > 3) return 1;
  if (x < -3) return -1;
  const x2 = x * x;
  return (x * (27 + x2)) / (27 + 9 * x2);
}

/** σ with a saturating shortcut: exactly 0 or 1 beyond |x| > 8. */
function clampedSigmoid(x: number): number {
  return x > 8 ? 1 : x < -8 ? 0 : sigmoid(x);
}

/**
 * Operation input positions of a cell role in whichever float LSTM-family op the model holds:
 * LSTM and UNIDIRECTIONAL_SEQUENCE_LSTM name it once, BIDIRECTIONAL_SEQUENCE_LSTM once per
 * direction (fw_, bw_: one cell kernel serves both). Quantized ops have none.
 */
function cellRolePositions(m: Model, role: string): number[] {
  const type = m.operations[0]!.type;
  const table: Readonly<Record<string, number>> =
    type === 'LSTM' ? LSTM_IN : type === 'UNIDIRECTIONAL_SEQUENCE_LSTM' ? UNI_SEQUENCE_LSTM_IN : type === 'BIDIRECTIONAL_SEQUENCE_LSTM' ? BI_SEQUENCE_LSTM_IN : {};
  const names = type === 'BIDIRECTIONAL_SEQUENCE_LSTM' ? [`fw_${role}`, `bw_${role}`] : [role];
  return names.flatMap((n) => (table[n] === undefined ? [] : [table[n]!]));
}

/** W read as Wᵀ: element (r, c) of an n×n row-major matrix taken from (c, r). */
function transposeSquare(v: ArrayLike<number>, n: number): number[] {
  const out = new Array<number>(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) out[r * n + c] = v[c * n + r]!;
  return out;
}

/** The side of a square [n, n] operand, or 0 when it is absent or not square. */
function squareSide(m: Model, operandIndex: number): number {
  const o = m.operands[operandIndex];
  if (!o || isOmitted(o) || o.dimensions.length !== 2 || o.dimensions[0] !== o.dimensions[1]) return 0;
  return o.dimensions[0]!;
}

/**
 * A driver whose kernel reads one weight matrix with its indices swapped (W[c][r] for W[r][c]). Only a
 * square matrix gets past a driver's shape checks with this bug, so only square cases can see it.
 */
function transposedReadMutant(role: string): Mutant {
  const id = `${role.replace(/_weights$/, '').replace(/_/g, '-')}-transposed`;
  const operandsOf = (m: Model) => cellRolePositions(m, role).map((p) => m.operations[0]!.inputs[p]!);
  return {
    id,
    feature: role.startsWith('aux_') ? 'bidirectional' : role.startsWith('projection') ? 'projection' : 'gates',
    description: `Reads ${role} transposed (W[c][r] for W[r][c]); on a square matrix the shapes still agree${role.startsWith('aux_') ? ' (both directions)' : ''}.`,
    create: () =>
      new WrappedReference(id, {
        model: (m) => {
          for (const idx of operandsOf(m)) {
            const n = squareSide(m, idx);
            const o = m.operands[idx]!;
            if (n > 0 && o.lifetime !== 'SUBGRAPH_INPUT' && o.values.length === n * n) o.values = transposeSquare(o.values, n);
          }
          return m;
        },
        inputs: (m, ins) => {
          const copy = [...ins];
          for (const idx of operandsOf(m)) {
            const pos = m.inputIndexes.indexOf(idx);
            const n = squareSide(m, idx);
            if (pos >= 0 && n > 0 && ins[pos]?.length === n * n) copy[pos] = transposeSquare(ins[pos]!, n);
          }
          return copy;
        },
      }),
  };
}

/** Every input-to-gate, recurrent and aux matrix, and the projection, read transposed. */
const TRANSPOSED_READ_MUTANTS: readonly Mutant[] = [
  ...['input_to', 'recurrent_to', 'aux_input_to'].flatMap((kind) => ['input', 'forget', 'cell', 'output'].map((g) => transposedReadMutant(`${kind}_${g}_weights`))),
  transposedReadMutant('projection_weights'),
];

/** Single-step LSTM bugs. */
export const MUTANTS: readonly Mutant[] = [
  kernelMutant('forget-bias-plus-one', 'gates', 'Adds the Keras-style forget bias of 1 on top of the model\'s forget_gate_bias.', {
    gateActivation(buf, gate) {
      const shift = gate === 'forget' ? 1 : 0;
      for (let k = 0; k < buf.length; k++) buf[k] = sigmoid(buf[k]! + shift);
    },
  }),
  kernelMutant('peephole-output-old-cell', 'peephole', 'The output-gate peephole reads C_{t-1} instead of the new, clipped C_t.', { outputPeepholeCell: (prev) => prev }),
  kernelMutant('peephole-forget-ignored', 'peephole', 'Drops the forget-gate peephole term.', {
    peephole(acc, w, cell, n, batch, gate) {
      if (gate !== 'forget') REFERENCE_KERNEL.peephole(acc, w, cell, n, batch, gate);
    },
  }),
  kernelMutant('layer-norm-epsilon-1e-3', 'layer-norm', 'Layer norm with epsilon 1e-3 (a common framework default) instead of 1e-8.', { layerNorm: makeLayerNorm(1e-3) }),
  kernelMutant('layer-norm-sample-variance', 'layer-norm', 'Layer norm divides the variance by N−1 (sample variance) instead of N.', {
    layerNorm(acc, gamma, bias, n, batch, gate) {
      // (v−μ)/sqrt(σ²·N/(N−1)) = sqrt((N−1)/N)·(v−μ)/σ: fold the factor into γ.
      const k = Math.sqrt(Math.max(1, n - 1) / n);
      REFERENCE_KERNEL.layerNorm(acc, gamma.map((g) => fround(g * k)), bias, n, batch, gate);
    },
  }),
  kernelMutant('layer-norm-gamma-ignored', 'layer-norm', 'Layer norm ignores the γ weights (uses 1).', {
    layerNorm(acc, gamma, bias, n, batch, gate) {
      REFERENCE_KERNEL.layerNorm(acc, new Float32Array(gamma.length).fill(1), bias, n, batch, gate);
    },
  }),
  kernelMutant('bias-before-layer-norm', 'layer-norm', 'Adds the gate bias before layer normalization (so it is normalized away) instead of after.', {
    initGate(acc, bias, _ln, n, batch, gate) {
      REFERENCE_KERNEL.initGate(acc, bias, false, n, batch, gate);
    },
    layerNorm(acc, gamma, _bias, n, batch, gate) {
      REFERENCE_KERNEL.layerNorm(acc, gamma, null, n, batch, gate);
    },
  }),
  kernelMutant('cell-clip-ignored', 'clipping', 'Ignores cell_clip.', { clipCell: () => undefined }),
  kernelMutant('cell-clip-upper-only', 'clipping', 'Clips the cell state to (−∞, cell_clip] only.', {
    clipCell(cell, clip) {
      if (!(clip > 0)) return;
      for (let k = 0; k < cell.length; k++) if (cell[k]! > clip) cell[k] = clip;
    },
  }),
  kernelMutant('proj-clip-ignored', 'clipping', 'Ignores proj_clip.', { clipProjection: () => undefined }),
  kernelMutant('projection-bias-ignored', 'projection-bias', 'Ignores projection_bias.', {
    project(out, w, _bias, m, o, n, batch) {
      REFERENCE_KERNEL.project(out, w, null, m, o, n, batch);
    },
  }),
  kernelMutant('activation-operand-ignored', 'activation', 'Always uses tanh, whatever the activation operand says.', {
    cellActivation(src, dst) {
      REFERENCE_KERNEL.cellActivation(src, dst, 4);
    },
  }),
  kernelMutant('relu6-as-relu', 'activation', 'Implements activation 3 (relu6) without the upper bound.', {
    cellActivation(src, dst, a) {
      REFERENCE_KERNEL.cellActivation(src, dst, a === 3 ? 1 : a);
    },
  }),
  kernelMutant('tanh-approximation', 'activation', 'Uses a cheap rational tanh (≈2e-2 error) for the cell activation.', {
    cellActivation(src, dst, a) {
      if (a !== 4) return REFERENCE_KERNEL.cellActivation(src, dst, a);
      for (let k = 0; k < src.length; k++) dst[k] = fround(fastTanh(src[k]!));
    },
  }),
  kernelMutant('relu6-no-lower-bound', 'activation', 'Implements activation 3 (relu6) as min(x, 6), without the lower bound at 0.', {
    cellActivation(src, dst, a) {
      if (a !== 3) return REFERENCE_KERNEL.cellActivation(src, dst, a);
      for (let k = 0; k < src.length; k++) dst[k] = Math.min(src[k]!, 6);
    },
  }),
  kernelMutant('sigmoid-clamped-at-8', 'gates', 'Saturates the sigmoid to exactly 0 or 1 for |x| > 8 (a table shortcut; σ(8) ≈ 0.99966), for the gates and activation 6.', {
    gateActivation(buf) {
      for (let k = 0; k < buf.length; k++) buf[k] = clampedSigmoid(buf[k]!);
    },
    cellActivation(src, dst, a) {
      if (a !== 6) return REFERENCE_KERNEL.cellActivation(src, dst, a);
      for (let k = 0; k < src.length; k++) dst[k] = fround(clampedSigmoid(src[k]!));
    },
  }),
  kernelMutant('cifg-input-equals-forget', 'cifg', 'Under CIFG uses i = f instead of i = 1 − f.', {
    cifgInputGate(forget, out) {
      out.set(forget);
    },
  }),
  kernelMutant('activation-none-cell-gate', 'activation', 'Activation 0 computes m = o ⊙ z_c, as AOSP\'s and TFLite\'s code do, instead of the documented o ⊙ C_t.', {}, { activationNoneVariant: 'aosp-code' }),
  {
    id: 'float16-outputs-not-rounded',
    feature: 'float16',
    description: 'Returns float32 values for TENSOR_FLOAT16 outputs (never rounds to binary16).',
    create: () => new ReferenceDriver({ name: 'mutant:float16-outputs-not-rounded', roundFloat16Outputs: false }),
  },
  {
    id: 'rows-share-state',
    feature: 'batch',
    description: 'Every batch row reads the state of row 0 (one state register for the whole batch).',
    create: () => new WrappedReference('rows-share-state', { inputs: (m, ins) => shareRowZero(m, shareRowZero(m, ins, 'output_state_in'), 'cell_state_in') }),
  },
  {
    id: 'input-forget-weights-swapped',
    feature: 'gates',
    description: 'Loads input_to_input_weights and input_to_forget_weights into each other\'s slots (gate order confusion).',
    create: () =>
      new WrappedReference('input-forget-weights-swapped', {
        model: (m) => swapOperandValues(m, 'input_to_input_weights', 'input_to_forget_weights'),
        inputs: (m, ins) => swapInputs(m, ins, 'input_to_input_weights', 'input_to_forget_weights'),
      }),
  },
  {
    id: 'cell-state-out-stale',
    feature: 'state',
    description: 'Returns cell_state_in as cell_state_out (the new cell state is never written back).',
    create: () =>
      new WrappedReference('cell-state-out-stale', {
        outputs: (m, ins, r) => {
          if (!r.ok) return r;
          const pos = modelInputPosition(m, 'cell_state_in');
          const cellIn = ins[pos];
          const cellOutIndex = m.operations[0]!.outputs[LSTM_OUT.cell_state_out];
          if (!cellIn) return r;
          return { ok: true, outputs: r.outputs.map((o) => (o.index === cellOutIndex ? { ...o, values: Array.from(cellIn) } : o)) };
        },
      }),
  },
];

// ---------------------------------------------------------------------------------------------
// Sequence bugs (UNIDIRECTIONAL / BIDIRECTIONAL_SEQUENCE_LSTM).

const isSeq = (m: Model) => m.operations[0]!.type !== 'LSTM';
const isBi = (m: Model) => m.operations[0]!.type === 'BIDIRECTIONAL_SEQUENCE_LSTM';
const seqIn = (m: Model, name: string) => m.operands[m.operations[0]!.inputs[(isBi(m) ? BI_SEQUENCE_LSTM_IN : UNI_SEQUENCE_LSTM_IN)[name as keyof typeof UNI_SEQUENCE_LSTM_IN & keyof typeof BI_SEQUENCE_LSTM_IN]]!]!;
const timeMajorOf = (m: Model) => Boolean(seqIn(m, 'time_major').values[0]);
/** aux_input present without aux weights: it is the backward cell's input. */
const isParallelLinking = (m: Model) => !isOmitted(seqIn(m, 'aux_input')) && isOmitted(seqIn(m, 'fw_aux_input_to_forget_weights'));

/** Output roles of a sequence model, in model.outputIndexes order. */
function seqOutputRoles(m: Model): string[] {
  const op = m.operations[0]!;
  const roles: readonly string[] = isBi(m) ? biSequenceLstmOutputNames(op.outputs.length, Boolean(seqIn(m, 'merge_outputs').values[0])) : UNI_SEQUENCE_LSTM_OUTPUT_NAMES;
  return m.outputIndexes.map((i) => roles[op.outputs.indexOf(i)]!);
}

/** Applies f to the [T, B, W] / [B, T, W] sequence output `values`, by time step: f(t) gives the source step. */
function permuteTime(values: ArrayLike<number>, dims: readonly number[], timeMajor: boolean, source: (t: number) => number, cols: [number, number]): number[] {
  const [a, b, W] = dims as [number, number, number];
  const T = timeMajor ? a : b;
  const B = timeMajor ? b : a;
  const out = Array.from(values);
  const at = (t: number, bb: number) => (timeMajor ? (t * B + bb) * W : (bb * T + t) * W);
  for (let t = 0; t < T; t++) for (let bb = 0; bb < B; bb++) for (let w = cols[0]; w < cols[1]; w++) out[at(t, bb) + w] = values[at(source(t), bb) + w]!;
  return out;
}

/** Runs every time step as its own one-step sequence from the initial state: the state is never carried. */
class NoStateCarryDriver implements Driver<ReferencePrepared> {
  readonly name = 'mutant:state-not-carried';
  private readonly inner = new ReferenceDriver({ name: this.name });
  capabilities(): Promise<Capabilities> {
    return this.inner.capabilities();
  }
  prepare(model: Model): Promise<PrepareResult<ReferencePrepared>> {
    return this.inner.prepare(model);
  }
  async execute(prepared: ReferencePrepared, inputs: InputValue[]): Promise<ExecuteResult> {
    const m = prepared.model;
    if (!isSeq(m)) return this.inner.execute(prepared, inputs);
    const tm = timeMajorOf(m);
    const x = seqIn(m, 'input');
    const [a, b, I] = x.dimensions as [number, number, number];
    const T = tm ? a : b;
    const B = tm ? b : a;
    const step = (t: number, v: ArrayLike<number>, width: number): number[] => {
      const out: number[] = [];
      for (let bb = 0; bb < B; bb++) for (let w = 0; w < width; w++) out.push(v[(tm ? t * B + bb : bb * T + t) * width + w]!);
      return out;
    };
    const seqPositions = m.inputIndexes.map((idx, k) => ({ k, o: m.operands[idx]!, idx })).filter((e) => e.o.dimensions.length === 3);
    const roles = seqOutputRoles(m);
    const results: ExecuteResult[] = [];
    for (let t = 0; t < T; t++) {
      const sub = structuredClone(m);
      for (const e of seqPositions) sub.operands[e.idx]!.dimensions = tm ? [1, B, e.o.dimensions[2]!] : [B, 1, e.o.dimensions[2]!];
      for (const i of sub.outputIndexes) {
        const o = sub.operands[i]!;
        if (o.dimensions.length === 3) o.dimensions = tm ? [1, B, o.dimensions[2]!] : [B, 1, o.dimensions[2]!];
      }
      const subInputs = inputs.map((v, k) => {
        const e = seqPositions.find((p) => p.k === k);
        return e && v ? step(t, v, e.o.dimensions[2]!) : v;
      });
      const p = await this.inner.prepare(sub);
      if (!p.ok) return { ok: false, status: p.status, message: p.message };
      results.push(await this.inner.execute(p.prepared, subInputs));
    }
    if (results.some((r) => !r.ok)) return results.find((r) => !r.ok)!;
    const ok = results as Extract<ExecuteResult, { ok: true }>[];
    const outputs = m.outputIndexes.map((idx, k) => {
      const role = roles[k]!;
      const dims = [...m.operands[idx]!.dimensions];
      if (!role.endsWith('_out')) {
        const W = ok[0]!.outputs[k]!.dimensions[2]!;
        const full = new Array<number>(T * B * W);
        for (let t = 0; t < T; t++) {
          const v = ok[t]!.outputs[k]!.values;
          for (let bb = 0; bb < B; bb++) for (let w = 0; w < W; w++) full[(tm ? t * B + bb : bb * T + t) * W + w] = v[bb * W + w]!;
        }
        return { index: idx, dimensions: tm ? [T, B, W] : [B, T, W], values: full };
      }
      // Final states: forward after the last step, backward after t = 0.
      const src = role.startsWith('bw_') ? ok[0]! : ok[T - 1]!;
      return { index: idx, dimensions: dims.length ? src.outputs[k]!.dimensions : dims, values: src.outputs[k]!.values };
    });
    void I;
    return { ok: true, outputs };
  }
}

const SEQUENCE_MUTANTS: Mutant[] = [
  { id: 'state-not-carried', feature: 'sequence', description: 'Every time step starts from the initial state (the state is not carried between steps).', create: () => new NoStateCarryDriver() },
  {
    id: 'time-major-confusion',
    feature: 'sequence',
    description: 'Reads time_major inverted: a batch-major sequence is walked as time-major and vice versa.',
    create: () =>
      new WrappedReference('time-major-confusion', {
        model: (m) => {
          if (isSeq(m)) {
            // The driver believes the other layout; its output keeps the declared dims (same element count).
            const tmOp = seqIn(m, 'time_major');
            tmOp.values = [tmOp.values[0] ? 0 : 1];
            const op = m.operations[0]!;
            for (const i of [...op.inputs, ...op.outputs]) {
              const o = m.operands[i]!;
              if (o.dimensions.length === 3) o.dimensions = [o.dimensions[1]!, o.dimensions[0]!, o.dimensions[2]!];
            }
          }
          return m;
        },
        outputs: (m, _ins, r) => {
          if (!r.ok || !isSeq(m)) return r;
          // Report the shapes the caller declared (the bug is in the indexing, not the shape).
          return { ok: true, outputs: r.outputs.map((o) => (o.dimensions.length === 3 ? { ...o, dimensions: [o.dimensions[1]!, o.dimensions[0]!, o.dimensions[2]!] } : o)) };
        },
      }),
  },
  {
    id: 'backward-output-reversed',
    feature: 'bidirectional',
    description: 'Stores the backward direction\'s output for step t at position T−1−t (in processing order) instead of at t.',
    create: () =>
      new WrappedReference('backward-output-reversed', {
        outputs: (m, _ins, r) => {
          if (!r.ok || !isBi(m)) return r;
          const roles = seqOutputRoles(m);
          const merged = Boolean(seqIn(m, 'merge_outputs').values[0]);
          const tm = timeMajorOf(m);
          return {
            ok: true,
            outputs: r.outputs.map((o, k) => {
              const T = tm ? o.dimensions[0]! : o.dimensions[1]!;
              const rev = (t: number) => T - 1 - t;
              if (roles[k] === 'bw_output') return { ...o, values: permuteTime(o.values, o.dimensions, tm, rev, [0, o.dimensions[2]!]) };
              if (roles[k] === 'fw_output' && merged) {
                const fwO = seqIn(m, 'fw_recurrent_to_output_weights').dimensions[1]!;
                return { ...o, values: permuteTime(o.values, o.dimensions, tm, rev, [fwO, o.dimensions[2]!]) };
              }
              return o;
            }),
          };
        },
      }),
  },
  {
    id: 'aux-weights-wrong-direction',
    feature: 'bidirectional',
    description: 'Applies the forward aux weights to the backward cell and the backward ones to the forward cell.',
    create: () =>
      new WrappedReference('aux-weights-wrong-direction', {
        model: (m) => {
          if (!isBi(m)) return m;
          for (const g of ['input', 'forget', 'cell', 'output']) {
            const f = seqIn(m, `fw_aux_input_to_${g}_weights`);
            const b = seqIn(m, `bw_aux_input_to_${g}_weights`);
            if (f.values.length === b.values.length) [f.values, b.values] = [b.values, f.values];
          }
          return m;
        },
        inputs: (m, ins) => {
          if (!isBi(m)) return ins;
          const copy = [...ins];
          for (const g of ['input', 'forget', 'cell', 'output']) {
            const pf = m.inputIndexes.indexOf(m.operations[0]!.inputs[BI_SEQUENCE_LSTM_IN[`fw_aux_input_to_${g}_weights` as keyof typeof BI_SEQUENCE_LSTM_IN]]!);
            const pb = m.inputIndexes.indexOf(m.operations[0]!.inputs[BI_SEQUENCE_LSTM_IN[`bw_aux_input_to_${g}_weights` as keyof typeof BI_SEQUENCE_LSTM_IN]]!);
            if (pf >= 0 && pb >= 0 && ins[pf] && ins[pb] && ins[pf]!.length === ins[pb]!.length) [copy[pf], copy[pb]] = [ins[pb]!, ins[pf]!];
          }
          return copy;
        },
      }),
  },
  {
    id: 'parallel-linking-primary-input',
    feature: 'bidirectional',
    description: 'Under parallel linking the backward cell reads the primary input instead of aux_input (possible only when the two have the same size).',
    create: () =>
      new WrappedReference('parallel-linking-primary-input', {
        inputs: (m, ins) => {
          if (!isBi(m) || !isParallelLinking(m)) return ins;
          const op = m.operations[0]!;
          const pIn = m.inputIndexes.indexOf(op.inputs[BI_SEQUENCE_LSTM_IN.input]!);
          const pAux = m.inputIndexes.indexOf(op.inputs[BI_SEQUENCE_LSTM_IN.aux_input]!);
          if (pIn < 0 || pAux < 0 || ins[pIn]?.length !== ins[pAux]?.length) return ins;
          const copy = [...ins];
          copy[pAux] = ins[pIn]!;
          return copy;
        },
      }),
  },
  {
    id: 'merge-order-swapped',
    feature: 'bidirectional',
    description: 'Merged output concatenates [bw | fw] instead of [fw | bw].',
    create: () =>
      new WrappedReference('merge-order-swapped', {
        outputs: (m, _ins, r) => {
          if (!r.ok || !isBi(m) || !seqIn(m, 'merge_outputs').values[0]) return r;
          const fwO = seqIn(m, 'fw_recurrent_to_output_weights').dimensions[1]!;
          return {
            ok: true,
            outputs: r.outputs.map((o, k) => {
              if (k !== 0) return o;
              const W = o.dimensions[2]!;
              const rows = o.values.length / W;
              const out = new Array<number>(o.values.length);
              for (let row = 0; row < rows; row++) {
                const src = Array.from(o.values).slice(row * W, row * W + W);
                const swapped = [...src.slice(fwO), ...src.slice(0, fwO)];
                for (let w = 0; w < W; w++) out[row * W + w] = swapped[w]!;
              }
              return { ...o, values: out };
            }),
          };
        },
      }),
  },
];

export const ALL_MUTANTS: readonly Mutant[] = [...MUTANTS, ...TRANSPOSED_READ_MUTANTS, ...SEQUENCE_MUTANTS];

export function findMutant(id: string): Mutant | undefined {
  return ALL_MUTANTS.find((m) => m.id === id);
}

// ---------------------------------------------------------------------------------------------
// Integer bugs (QUANTIZED_LSTM / QUANTIZED_16BIT_LSTM): each overrides one integer decision of the
// reference (src/ops/qlstm/cell.ts IntegerKernel, src/ops/qlstm16/execute.ts Qlstm16Kernel).

function integerMutant(id: string, description: string, quantized: QuantizedOptions): Mutant {
  return { id, feature: 'quantized', description, create: () => new ReferenceDriver({ name: `mutant:${id}`, quantized }) };
}
const K = TFLITE_INTEGER_KERNEL;

/** MultiplyByQuantizedMultiplier done as one rounding of the exact product, ties away from zero. */
function rescaleHalfAwayFromZero(x: number, m: QMultiplier): number {
  const p = (BigInt(x) * BigInt(m.multiplier)) as bigint;
  const e = 31 - m.shift;
  if (e <= 0) return Number(p << BigInt(-e));
  const half = 1n << BigInt(e - 1);
  const q = p >= 0n ? (p + half) >> BigInt(e) : -((-p + half) >> BigInt(e));
  return Number(q);
}

export const INTEGER_MUTANTS: readonly Mutant[] = [
  integerMutant('int-rescale-round-half-away', 'Rescales every int32 accumulator with one rounding of the exact product, ties away from zero, instead of gemmlowp\'s SaturatingRoundingDoublingHighMul followed by RoundingDivideByPOT.', {
    integerKernel: { ...K, rescale: rescaleHalfAwayFromZero },
  }),
  integerMutant('int-projection-no-saturation', 'Drops the int8 saturation of the projection output (values wrap around).', {
    integerKernel: {
      ...K,
      project(acc, m, zp, clip) {
        const v = wrap(this.rescale(wrap(acc, 32), m) + zp, 8);
        return clip > 0 ? Math.max(-clip, Math.min(clip, v)) : v;
      },
    },
  }),
  integerMutant('int-hidden-zero-point-sign', 'Requantizes o ⊙ tanh(c) with the hidden zero point subtracted instead of added (AOSP\'s and the old TFLite runtime\'s sign error).', {
    integerKernel: { ...K, hidden: (o, t, m, zp) => sat8(K.rescale(o * t, m) - zp) },
  }),
  integerMutant('int-cell-shift-off-by-one', 'Shifts i·g right by 29 + k instead of 30 + k in the cell update (an off-by-one shift).', {
    integerKernel: { ...K, cellUpdate: (f, c, i, g, k) => K.cellUpdate(f, c, i, g, k + 1) },
  }),
  integerMutant('int-cell-clip-not-quantized', 'Clips the int16 cell state with the real-valued cell_clip (e.g. ±10 raw units) instead of cell_clip / 2^k.', {
    integerKernel: {
      ...K,
      clipCell(c, clip, k) {
        if (!(clip > 0)) return c;
        const real = Math.max(1, Math.round(clip * 2 ** k)); // the unquantized clip, used as if it were int16
        return Math.max(-real, Math.min(real, c));
      },
    },
  }),
  integerMutant('int-intermediate-scale-ignored', 'Rescales every gate matmul to 2^-12 (Q3.12) whatever the intermediate scale operands say (TFLite\'s no-layer-norm rule applied to layer-norm models).', {
    intermediateScale: () => 2 ** -12,
  }),
  integerMutant('int-cell-overflow-wraps', 'Adds f·c and i·g in the cell update with 16-bit wrap-around instead of saturation.', {
    integerKernel: {
      ...K,
      cellUpdate(f, c, i, g, k) {
        return wrap(wrap(rdivpot(f * c, 15), 16) + wrap(rdivpot(i * g, 30 + k), 16), 16);
      },
    },
  }),
  integerMutant('int-layer-norm-truncating-division', 'Divides the layer norm\'s (normalized × γ + bias) by 1024 truncating toward zero instead of rounding ties away from zero.', {
    integerKernel: {
      ...K,
      layerNorm(gate, w, bias, scale, varianceLimit, B, N) {
        for (let b = 0; b < B; b++) applyLayerNorm(gate, b * N, N, w, bias, scale, varianceLimit, (v) => Math.trunc(v / 1024));
      },
    },
  }),
  integerMutant('int-sigmoid-lookup-table', 'Uses tflite-micro\'s interpolated lookup-table sigmoid instead of gemmlowp\'s fixed-point logistic (the two TFLite runtimes differ in the last bits).', {
    integerKernel: { ...K, sigmoid: (x) => lutSigmoid(x) },
  }),
  integerMutant('qlstm16-natural-weight-pairing', 'QUANTIZED_16BIT_LSTM with the natural W_x·x + W_h·h pairing instead of AOSP\'s literal concatenation [W_h | W_x]·[x | h].', {
    qlstm16Kernel: { ...QLSTM16_KERNEL, pairing: 'natural' },
  }),
  integerMutant('qlstm16-cell-rescale-off-by-one', 'QUANTIZED_16BIT_LSTM rescales i·g into the Q4.11 state by 2^-3 instead of 2^-4.', {
    qlstm16Kernel: {
      ...QLSTM16_KERNEL,
      cellUpdate: (i, g, f, c) => sat16(srmpot(srdhm16(i, g), -3, 16) + srdhm16(f, c)),
    },
  }),
];

(ALL_MUTANTS as Mutant[]).push(...INTEGER_MUTANTS);

(ALL_MUTANTS as Mutant[]).push(
  integerMutant('qlstm-aosp-code', 'QUANTIZED_LSTM computed as AOSP\'s CPU reference code does: biases ignored without layer norm, hidden zero point subtracted, input/forget peepholes reading the unwritten cell_state_out, projection clip by the weight scale (the failures name the deviations).', {
    qlstmVariant: 'aosp-code',
  }),
);
