/**
 * The mutant catalogue: plausible implementation bugs, each a driver that differs from the
 * reference in exactly one decision. `nnlstm selftest` runs the suite against every mutant;
 * a suite that lets one live has a hole.
 */
import type { Model } from '../model/model.js';
import { makeLayerNorm, REFERENCE_KERNEL, sigmoid, type StepKernel } from '../ops/lstm/cell.js';
import { LSTM_IN, LSTM_OUT, type LstmInputName } from '../ops/lstm/operands.generated.js';
import type { Capabilities, Driver, ExecuteResult, InputValue, PrepareResult } from './driver.js';
import { ReferenceDriver, type ReferenceDriverOptions, type ReferencePrepared } from './reference.js';

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

export function findMutant(id: string): Mutant | undefined {
  return MUTANTS.find((m) => m.id === id);
}
