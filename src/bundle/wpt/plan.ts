/**
 * Which conformance cases WebNN's lstm can express, and each one's data re-cast into WebNN's form.
 *
 * Expressible: LSTM (one step), UNIDIRECTIONAL_SEQUENCE_LSTM and BIDIRECTIONAL_SEQUENCE_LSTM without aux input,
 * float32 or float16 (a relaxed float32 model counts as float32), no CIFG, no projection, no layer norm, no
 * clipping, activation relu / tanh / sigmoid (NNAPI's activation is WebNN's activations[1] and [2]; the gates
 * keep σ), and for the bidirectional op the same sizes in both directions. Batch-major inputs are transposed in
 * the data (input is a graph input, so no transpose op is needed in the test's graph).
 */
import type { PositiveCase } from '../../conformance/case.js';
import { storeAs } from '../../conformance/compare.js';
import { isOmitted, type Model, type Operand, type Operation } from '../../model/model.js';
import { loadSpec } from '../../spec/operation-spec.js';
import { criterionFor } from '../../conformance/tolerance.js';
import type { PerGate } from '../../ops/webnn-lstm/pack.js';
import type { WebnnActivation, WebnnDataType } from '../../ops/webnn-lstm/types.js';

/** One direction's NNAPI tensors, per gate. */
export interface DirectionData {
  /** [H, inputSize] per gate. */
  wx: PerGate<number[]>;
  /** [H, H] per gate. */
  wh: PerGate<number[]>;
  /** [H] per gate (NNAPI has one bias per gate). */
  bias: PerGate<number[]>;
  /** [H] per gate; null when the direction has no peepholes. */
  peephole: { i: number[]; f: number[]; o: number[] } | null;
  /** [batch, H] */
  h0: number[];
  c0: number[];
}

/** NNAPI's expected outputs in WebNN's arrangement, where the case has them (per direction). */
export interface NnapiExpected {
  /** Per direction [batch, H]. */
  hidden?: number[][];
  cell?: number[][];
  /** Per direction [steps, batch, H]. */
  sequence?: number[][];
  /** The NNAPI criterion of the case's float outputs. */
  atol: number;
  rtol: number;
}

/** A case in WebNN's terms. */
export interface WebnnPlan {
  caseId: string;
  caseName: string;
  operation: 'LSTM' | 'UNIDIRECTIONAL_SEQUENCE_LSTM' | 'BIDIRECTIONAL_SEQUENCE_LSTM';
  dataType: WebnnDataType;
  relaxed: boolean;
  steps: number;
  batch: number;
  inputSize: number;
  hiddenSize: number;
  /** 'backward' only for a derived test (the input reversed in time, see tests.ts reverseInTime). */
  direction: 'forward' | 'backward' | 'both';
  /** NNAPI activation → WebNN activations[1], [2]. */
  activation: WebnnActivation;
  /** [steps, batch, inputSize], time-major. */
  input: number[];
  /** The NNAPI input was batch-major and is transposed here. */
  transposedFromBatchMajor: boolean;
  dirs: DirectionData[];
  /** Some direction has a non-zero cell-to-output peephole weight: WebNN's output gate then differs from NNAPI's. */
  outputPeepholeNonZero: boolean;
  nnapi: NnapiExpected;
  provenance: Record<string, unknown>;
}

/** Why a case is not expressible, as a stable reason id and a sentence. */
export interface Inexpressible {
  caseId: string;
  reason: string;
  detail: string;
}

const ACTS: Record<number, WebnnActivation | undefined> = { 1: 'relu', 4: 'tanh', 6: 'sigmoid' };
const ACT_NAMES: Record<number, string> = { 0: 'none', 1: 'relu', 2: 'relu1', 3: 'relu6', 4: 'tanh', 5: 'sign-bit', 6: 'sigmoid' };

class Reason extends Error {
  constructor(readonly reason: string, readonly detail: string) {
    super(detail);
  }
}

/** Reads operands of the one operation by its spec input / output names. */
class Roles {
  private readonly inputs: Map<string, number>;
  private readonly outputs: Map<string, number>;
  constructor(readonly model: Model, readonly op: Operation) {
    const spec = loadSpec(op.type);
    this.inputs = new Map(spec.inputs.filter((x) => x.index < op.inputs.length).map((x) => [x.name, op.inputs[x.index]!] as [string, number]));
    let outNames = spec.outputs.slice().sort((a, b) => a.index - b.index).map((x) => x.name);
    // A merged bidirectional op has no bw_output: the outputs after fw_output move up by one.
    if (op.type === 'BIDIRECTIONAL_SEQUENCE_LSTM' && (this.operand('merge_outputs')?.values[0] ?? 0) !== 0) outNames = outNames.filter((n) => n !== 'bw_output');
    this.outputs = new Map(op.outputs.map((idx, k) => [outNames[k]!, idx] as [string, number]).filter(([n]) => n !== undefined));
  }
  operand(name: string): Operand | undefined {
    const idx = this.inputs.get(name);
    const o = idx === undefined ? undefined : this.model.operands[idx];
    return o && !isOmitted(o) ? o : undefined;
  }
  values(name: string): number[] {
    const o = this.operand(name);
    if (!o) throw new Reason('missing-operand', `${name} is omitted`);
    return o.values.map((v) => storeAs(o.type, v));
  }
  scalar(name: string, dflt: number): number {
    const o = this.operand(name);
    return o && o.values.length ? o.values[0]! : dflt;
  }
  output(name: string): Operand | undefined {
    const idx = this.outputs.get(name);
    const o = idx === undefined ? undefined : this.model.operands[idx];
    return o && !o.isIgnored && o.values.length ? o : undefined;
  }
}

function direction(r: Roles, prefix: string, requireCellSize: number | null): { data: DirectionData; H: number } {
  const n = (s: string) => prefix + s;
  if (!r.operand(n('input_to_input_weights'))) throw new Reason('cifg', 'CIFG (coupled input and forget gates): WebNN has no coupled-gate mode');
  if (r.operand(n('projection_weights'))) throw new Reason('projection', 'projection: WebNN lstm has no projection layer');
  const ln = ['input_layer_norm_weights', 'forget_layer_norm_weights', 'cell_layer_norm_weights', 'output_layer_norm_weights'].some((k) => r.operand(n(k)));
  if (ln) throw new Reason('layer-norm', 'layer normalization: WebNN lstm has none');
  const H = r.operand(n('input_to_output_weights'))!.dimensions[0]!;
  if (requireCellSize !== null && H !== requireCellSize) throw new Reason('direction-sizes', `the directions have different numbers of units (${requireCellSize} and ${H}): WebNN packs both directions in one [2, 4H, …] tensor`);
  const gates = (kind: 'input_to' | 'recurrent_to') => ({
    i: r.values(n(`${kind}_input_weights`)),
    f: r.values(n(`${kind}_forget_weights`)),
    g: r.values(n(`${kind}_cell_weights`)),
    o: r.values(n(`${kind}_output_weights`)),
  });
  const hasPeep = ['cell_to_input_weights', 'cell_to_forget_weights', 'cell_to_output_weights'].some((k) => r.operand(n(k)));
  const peep = (k: string) => (r.operand(n(k)) ? r.values(n(k)) : new Array<number>(H).fill(0));
  const stateName = (s: string) => (prefix === '' ? s : `${prefix}${s}`);
  return {
    H,
    data: {
      wx: gates('input_to'),
      wh: gates('recurrent_to'),
      bias: { i: r.values(n('input_gate_bias')), f: r.values(n('forget_gate_bias')), g: r.values(n('cell_gate_bias')), o: r.values(n('output_gate_bias')) },
      peephole: hasPeep ? { i: peep('cell_to_input_weights'), f: peep('cell_to_forget_weights'), o: peep('cell_to_output_weights') } : null,
      h0: r.values(stateName('output_state_in')),
      c0: r.values(stateName('cell_state_in')),
    },
  };
}

/** [B, T, K] → [T, B, K]. */
export function batchToTimeMajor(v: readonly number[], B: number, T: number, K: number): number[] {
  const out = new Array<number>(v.length);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let k = 0; k < K; k++) out[(t * B + b) * K + k] = v[(b * T + t) * K + k]!;
  return out;
}

/** Columns [from, from+width) of a [rows, total] matrix. */
function columns(v: readonly number[], rows: number, total: number, from: number, width: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) for (let k = 0; k < width; k++) out.push(v[r * total + from + k]!);
  return out;
}

function stored(o: Operand): number[] {
  return o.values.map((v) => storeAs(o.type, v));
}

/** The plan of a case, or why WebNN cannot express it. */
export function planCase(c: PositiveCase): WebnnPlan | Inexpressible {
  try {
    return plan(c);
  } catch (e) {
    if (e instanceof Reason) return { caseId: c.id, reason: e.reason, detail: e.detail };
    throw e;
  }
}

function plan(c: PositiveCase): WebnnPlan {
  const m = c.model;
  const op = m.operations[0]!;
  if (op.type !== 'LSTM' && op.type !== 'UNIDIRECTIONAL_SEQUENCE_LSTM' && op.type !== 'BIDIRECTIONAL_SEQUENCE_LSTM') {
    throw new Reason('quantized', `${op.type}: WebNN has no quantized LSTM (lstm takes float32 and float16 only)`);
  }
  const r = new Roles(m, op);
  const inputOperand = r.operand('input')!;
  const dataType: WebnnDataType | null = inputOperand.type === 'TENSOR_FLOAT32' ? 'float32' : inputOperand.type === 'TENSOR_FLOAT16' ? 'float16' : null;
  if (!dataType) throw new Reason('data-type', `input type ${inputOperand.type}`);
  const actCode = r.scalar('activation', 4);
  const activation = ACTS[actCode];
  if (!activation) throw new Reason(`activation-${ACT_NAMES[actCode] ?? actCode}`, `activation ${ACT_NAMES[actCode] ?? actCode}: WebNN's activations are relu, sigmoid and tanh`);
  if (r.scalar('cell_clip', 0) > 0) throw new Reason('cell-clip', 'cell_clip: WebNN lstm has no clipping');
  if (r.scalar('proj_clip', 0) > 0 && r.operand('projection_weights')) throw new Reason('proj-clip', 'proj_clip: WebNN lstm has no clipping');
  if (op.type === 'BIDIRECTIONAL_SEQUENCE_LSTM' && r.operand('aux_input')) throw new Reason('aux-input', 'aux_input: WebNN lstm takes one input sequence');
  const bidi = op.type === 'BIDIRECTIONAL_SEQUENCE_LSTM';
  const dirs: DirectionData[] = [];
  let H: number;
  if (bidi) {
    const fw = direction(r, 'fw_', null);
    const bw = direction(r, 'bw_', fw.H);
    dirs.push(fw.data, bw.data);
    H = fw.H;
  } else {
    const d = direction(r, '', null);
    dirs.push(d.data);
    H = d.H;
  }
  const timeMajor = op.type === 'LSTM' ? true : r.scalar('time_major', 1) !== 0;
  const dims = inputOperand.dimensions;
  let steps: number, batch: number, inputSize: number;
  if (op.type === 'LSTM') [steps, batch, inputSize] = [1, dims[0]!, dims[1]!];
  else if (timeMajor) [steps, batch, inputSize] = dims as [number, number, number];
  else [batch, steps, inputSize] = dims as [number, number, number];
  let input = stored(inputOperand);
  if (!timeMajor) input = batchToTimeMajor(input, batch, steps, inputSize);

  // NNAPI's expected outputs, re-arranged per direction as WebNN returns them.
  const first = m.operands[m.outputIndexes.find((i) => !m.operands[i]!.isIgnored) ?? m.outputIndexes[0]!]!;
  const crit = criterionFor(m, first);
  const nnapi: NnapiExpected = { atol: crit.atol, rtol: crit.rtol };
  const seq = (o: Operand | undefined, from: number, width: number, total: number): number[] | undefined => {
    if (!o) return undefined;
    let v = stored(o);
    if (!timeMajor) v = batchToTimeMajor(v, batch, steps, total);
    return columns(v, steps * batch, total, from, width);
  };
  if (op.type === 'LSTM') {
    const h = r.output('output_state_out');
    const cc = r.output('cell_state_out');
    const out = r.output('output');
    if (h) nnapi.hidden = [stored(h)];
    if (cc) nnapi.cell = [stored(cc)];
    if (out) nnapi.sequence = [stored(out)];
  } else if (!bidi) {
    const s = seq(r.output('output'), 0, H, H);
    if (s) nnapi.sequence = [s];
    const h = r.output('output_state_out');
    const cc = r.output('cell_state_out');
    if (h) nnapi.hidden = [stored(h)];
    if (cc) nnapi.cell = [stored(cc)];
  } else {
    const merged = r.scalar('merge_outputs', 0) !== 0;
    const fw = r.output('fw_output');
    if (merged) {
      const a = seq(fw, 0, H, 2 * H);
      const b = seq(fw, H, H, 2 * H);
      if (a && b) nnapi.sequence = [a, b];
    } else {
      const a = seq(fw, 0, H, H);
      const b = seq(r.output('bw_output'), 0, H, H);
      if (a && b) nnapi.sequence = [a, b];
    }
    const hs = [r.output('fw_output_state_out'), r.output('bw_output_state_out')];
    const cs = [r.output('fw_cell_state_out'), r.output('bw_cell_state_out')];
    if (hs[0] && hs[1]) nnapi.hidden = hs.map((o) => stored(o!));
    if (cs[0] && cs[1]) nnapi.cell = cs.map((o) => stored(o!));
  }
  return {
    caseId: c.id,
    caseName: c.name,
    operation: op.type,
    dataType,
    relaxed: m.isRelaxed === true,
    steps,
    batch,
    inputSize,
    hiddenSize: H,
    direction: bidi ? 'both' : 'forward',
    activation,
    input,
    transposedFromBatchMajor: !timeMajor,
    dirs,
    outputPeepholeNonZero: dirs.some((d) => d.peephole !== null && d.peephole.o.some((v) => v !== 0)),
    nnapi,
    provenance: c.provenance as Record<string, unknown>,
  };
}
