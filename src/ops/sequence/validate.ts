/**
 * Validation of UNIDIRECTIONAL_SEQUENCE_LSTM and BIDIRECTIONAL_SEQUENCE_LSTM against their specs.
 * The cell rules are LSTM's (checkCell), applied to the unidirectional cell and to each direction
 * of the bidirectional op on its own operands; only the sequence-specific rules live here.
 */
import { isOmitted, type Model, type Operand } from '../../model/model.js';
import type { FeatureLevel, OperandTypeName } from '../../model/operand-types.js';
import type { Violation } from '../../model/violation.js';
import { loadSpec } from '../../spec/operation-spec.js';
import type { LstmInputName } from '../lstm/operands.generated.js';
import { NamedOperands } from '../operand-view.js';
import { checkCell, checkOperands, checkScalars, checkStructure, Collector, dimsCompatible, fmtDims, scalarValue, type CellShape, type CellView } from '../lstm/validate.js';

const UNI = 'UNIDIRECTIONAL_SEQUENCE_LSTM';
const BI = 'BIDIRECTIONAL_SEQUENCE_LSTM';

export interface SequenceCommon {
  /** Element type of the float tensors: TENSOR_FLOAT32 or TENSOR_FLOAT16. */
  dtype: 'float32' | 'float16';
  /** The model sets isRelaxed (float32 may be computed at float16 precision). */
  relaxed: boolean;
  /** `time_major` input: `input` is `[max_time, batch_size, input_size]` when true, `[batch_size, max_time, input_size]` when false. */
  timeMajor: boolean;
  /** T: the number of time steps. */
  maxTime: number;
  /** B: the batch size. */
  batchSize: number;
  /** I: the last dimension of `input`. */
  inputSize: number;
  /** Fused activation code: 0 none, 1 relu, 3 relu6, 4 tanh, 6 sigmoid. */
  activation: number;
  /** `cell_clip` value; 0 disables clipping. */
  cellClip: number;
  /** `proj_clip` value; 0 disables clipping. */
  projClip: number;
}

/** What a valid UNIDIRECTIONAL_SEQUENCE_LSTM model is: its feature matrix and sizes (from {@link validateModel}). */
export interface UnidirectionalVariant extends SequenceCommon, CellShape {
  /** NNAPI operation name. */
  operation: typeof UNI;
  /** The op has the two optional state outputs (output_state_out, cell_state_out; feature level 4). */
  stateOutputs: boolean;
}

export type AuxMode = 'none' | 'cross-linking' | 'parallel-linking';

/** What a valid BIDIRECTIONAL_SEQUENCE_LSTM model is: each direction's cell, the aux-input mode and sizes (from {@link validateModel}). */
export interface BidirectionalVariant extends SequenceCommon {
  /** NNAPI operation name. */
  operation: typeof BI;
  /** The forward cell (fw_* operands). */
  fw: CellShape;
  /** The backward cell (bw_* operands). */
  bw: CellShape;
  /** `aux_input` use: none; cross-linking (both directions read input and aux_input through aux weights); parallel-linking (the backward direction reads aux_input instead of input; feature level 4). */
  aux: AuxMode;
  /** Last dimension of `aux_input`; 0 when it is omitted. */
  auxInputSize: number;
  /** `merge_outputs`: one output `[…, fw_output_size + bw_output_size]` instead of one per direction. */
  mergeOutputs: boolean;
  /** The op has the four optional state outputs (feature level 4). */
  stateOutputs: boolean;
}

export type SequenceOutcome<V> = { ok: true; variant: V; featureLevel: FeatureLevel } | { ok: false; violations: Violation[] };

/** Input and output names by position, from the resolved spec: the one place sequence indices come from. */
function positions(op: string): { inputNames: string[]; outputNames: string[] } {
  const s = loadSpec(op);
  const inputNames: string[] = [];
  const outputNames: string[] = [];
  for (const o of s.inputs) inputNames[o.index] = o.name;
  for (const o of s.outputs) outputNames[o.index] = o.name;
  return { inputNames, outputNames };
}

class SeqContext extends NamedOperands {
  constructor(model: Model, op: { inputs: number[]; outputs: number[] }, operation: string) {
    const pos = positions(operation);
    super(model, op, pos.inputNames, pos.outputNames);
  }
  /** A cell of the op seen through LSTM role names; `prefix` is '' (uni), 'fw_' or 'bw_'. */
  cell(prefix: string, stateNames: { h: string; c: string }): CellView {
    const nameOf = (n: LstmInputName) => (n === 'output_state_in' ? stateNames.h : n === 'cell_state_in' ? stateNames.c : `${prefix}${n}`);
    return {
      has: (n) => this.has(nameOf(n)),
      dims: (n) => this.in(nameOf(n))!.dimensions,
      at: (n) => ({ index: this.indexOf(nameOf(n)), name: nameOf(n) }),
      layerNormSlots: true,
    };
  }
}

function checkTypesGeneric(ctx: SeqContext, v: Collector, P: string, spec: ReturnType<typeof loadSpec>): 'float32' | 'float16' | undefined {
  const input = ctx.in('input')!;
  if (input.type !== 'TENSOR_FLOAT32' && input.type !== 'TENSOR_FLOAT16') {
    v.add(`${P}.type.input`, 'input must be TENSOR_FLOAT32 or TENSOR_FLOAT16', ctx.at('input', { expected: 'TENSOR_FLOAT32 | TENSOR_FLOAT16', actual: input.type }));
    return undefined;
  }
  const dtype = input.type === 'TENSOR_FLOAT32' ? 'float32' : 'float16';
  for (const s of spec.inputs) {
    if (s.name === 'input') continue;
    const o = ctx.in(s.name);
    if (!o) continue;
    const want = s.types.find((t) => t.variant === dtype)!.type;
    if (o.type === want) continue;
    const rule = s.kind === 'tensor' ? `${P}.type.tensors` : s.name === 'activation' ? `${P}.type.activation` : s.name === 'cell_clip' || s.name === 'proj_clip' ? `${P}.type.clips` : P === UNI ? `${P}.type.time_major` : `${P}.type.bools`;
    v.add(rule, `${s.name} must be ${want}`, ctx.at(s.name, { expected: want, actual: o.type }));
  }
  ctx.op.outputs.forEach((idx, k) => {
    const o = ctx.model.operands[idx]!;
    if (o.type !== input.type) v.add(`${P}.type.outputs`, `output must have the input's type`, { index: idx, name: ctx.outputNames[k] ?? `output ${k}`, expected: input.type, actual: o.type });
  });
  return dtype;
}

function checkRequired(ctx: SeqContext, v: Collector, P: string, names: string[]): boolean {
  let ok = true;
  for (const n of names) {
    if (!ctx.has(n)) {
      v.add(`${P}.required.present`, `required operand ${n} has no value`, ctx.at(n));
      ok = false;
    }
  }
  return ok;
}

function boolValue(o: Operand): boolean {
  return Boolean(o.values[0]);
}

function sequenceDims(ctx: SeqContext, v: Collector, P: string, timeMajor: boolean): { T: number; B: number; I: number } | undefined {
  const d = ctx.in('input')!.dimensions;
  if (d.length !== 3) {
    v.add(`${P}.input.rank`, 'input must have rank 3', ctx.at('input', { expected: timeMajor ? '[max_time, batch_size, input_size]' : '[batch_size, max_time, input_size]', actual: fmtDims(d) }));
    return undefined;
  }
  const [a, b, I] = d as [number, number, number];
  return timeMajor ? { T: a, B: b, I } : { T: b, B: a, I };
}

function checkZeroSized(ctx: SeqContext, v: Collector, P: string): void {
  const k = ctx.op.inputs.findIndex((idx) => {
    const o = ctx.model.operands[idx];
    return o !== undefined && !isOmitted(o) && o.dimensions.includes(0);
  });
  if (k >= 0) {
    const name = ctx.inputNames[k]!;
    v.add(`${P}.dims.nonzero`, `${name} has a zero-sized dimension`, ctx.at(name, { expected: 'every dimension ≥ 1', actual: fmtDims(ctx.in(name)!.dimensions) }));
  }
}

function checkOutputShapes(ctx: SeqContext, v: Collector, P: string, expected: (number[] | undefined)[]): void {
  ctx.op.outputs.forEach((idx, k) => {
    const e = expected[k];
    if (!e) return;
    const d = ctx.model.operands[idx]!.dimensions;
    if (!dimsCompatible(d, e)) v.add(`${P}.outputs.shape`, `${ctx.outputNames[k] ?? `output ${k}`} must be ${fmtDims(e)}`, { index: idx, name: ctx.outputNames[k] ?? `output ${k}`, expected: fmtDims(e), actual: fmtDims(d) });
  });
}

function scalars(ctx: SeqContext, dtype: 'float32' | 'float16', v: Collector): { activation: number; cellClip: number; projClip: number } {
  const values = {
    activation: scalarValue(ctx.in('activation')!, dtype)!,
    cellClip: scalarValue(ctx.in('cell_clip')!, dtype)!,
    projClip: scalarValue(ctx.in('proj_clip')!, dtype)!,
  };
  checkScalars(values, (n) => ctx.at(n), (rule, message, at) => v.add(rule, message, at));
  return values;
}

const seqShape = (timeMajor: boolean, T: number, B: number, last: number) => (timeMajor ? [T, B, last] : [B, T, last]);

export function validateUnidirectional(model: Model): SequenceOutcome<UnidirectionalVariant> {
  const P = UNI;
  const spec = loadSpec(P);
  const v = new Collector(P);
  const op = checkStructure(model, v, P);
  if (!op) return { ok: false, violations: v.list };
  const pos = positions(P);
  checkOperands(model, op, v, { inputs: pos.inputNames, outputs: pos.outputNames });
  if (op.inputs.length !== 28) v.add(`${P}.signature.input_count`, `takes 28 inputs, got ${op.inputs.length}`, { expected: '28', actual: String(op.inputs.length) });
  if (op.outputs.length !== 1 && op.outputs.length !== 3) v.add(`${P}.signature.output_count`, `has 1 or 3 outputs, got ${op.outputs.length}`, { expected: '1 or 3', actual: String(op.outputs.length) });
  if (v.list.length > 0) return { ok: false, violations: v.list };
  const ctx = new SeqContext(model, op, P);
  const dtype = checkTypesGeneric(ctx, v, P, spec);
  if (!dtype || v.list.length > 0) return { ok: false, violations: v.list };
  const required = spec.inputs.filter((s) => s.presence === 'required').map((s) => s.name);
  if (!checkRequired(ctx, v, P, required)) return { ok: false, violations: v.list };
  const timeMajor = boolValue(ctx.in('time_major')!);
  const dims = sequenceDims(ctx, v, P, timeMajor);
  if (!dims) return { ok: false, violations: v.list };
  checkZeroSized(ctx, v, P);
  const cell = checkCell(ctx.cell('', { h: 'output_state_in', c: 'cell_state_in' }), dims.B, dims.I, (rule, message, at) => v.add(rule, message, at));
  if (!cell) return { ok: false, violations: v.list };
  const sc = scalars(ctx, dtype, v);
  const stateOutputs = op.outputs.length === 3;
  checkOutputShapes(ctx, v, P, [seqShape(timeMajor, dims.T, dims.B, cell.outputSize), [dims.B, cell.outputSize], [dims.B, cell.numUnits]]);
  if (v.list.length > 0) return { ok: false, violations: v.list };
  return {
    ok: true,
    variant: { operation: UNI, dtype, relaxed: model.isRelaxed === true, timeMajor, maxTime: dims.T, batchSize: dims.B, inputSize: dims.I, ...sc, ...cell, stateOutputs },
    featureLevel: stateOutputs ? 4 : 3,
  };
}

const AUX_GATES = ['input', 'forget', 'cell', 'output'] as const;

export function validateBidirectional(model: Model): SequenceOutcome<BidirectionalVariant> {
  const P = BI;
  const spec = loadSpec(P);
  const v = new Collector(P);
  const op = checkStructure(model, v, P);
  if (!op) return { ok: false, violations: v.list };
  const pos = positions(P);
  const ctx0 = new SeqContext(model, op, P);
  // Output names depend on merge_outputs; report with the unmerged names (the spec's table).
  checkOperands(model, op, v, { inputs: pos.inputNames, outputs: pos.outputNames });
  if (op.inputs.length !== 61) {
    v.add(`${P}.signature.input_count`, `takes 61 inputs, got ${op.inputs.length}`, { expected: '61', actual: String(op.inputs.length) });
    return { ok: false, violations: v.list };
  }
  const mergeOp = ctx0.in('merge_outputs');
  const merge = mergeOp !== undefined && mergeOp.values.length > 0 ? boolValue(mergeOp) : false;
  // Merged, the outputs shift down by one: [fw_output (both directions), fw h, fw c, bw h, bw c].
  if (merge) ctx0.outputNames = [pos.outputNames[0]!, ...pos.outputNames.slice(2)];
  const allowed = merge ? [1, 5] : [2, 6];
  if (!allowed.includes(op.outputs.length)) {
    v.add(`${P}.signature.output_count`, `with merge_outputs ${merge}, has ${allowed.join(' or ')} outputs, got ${op.outputs.length}`, { ...ctx0.at('merge_outputs'), expected: allowed.join(' or '), actual: String(op.outputs.length) });
  }
  if (v.list.length > 0) return { ok: false, violations: v.list };
  const ctx = ctx0;
  const dtype = checkTypesGeneric(ctx, v, P, spec);
  if (!dtype || v.list.length > 0) return { ok: false, violations: v.list };
  const cellRequired = ['input_to_forget_weights', 'input_to_cell_weights', 'input_to_output_weights', 'recurrent_to_forget_weights', 'recurrent_to_cell_weights', 'recurrent_to_output_weights', 'forget_gate_bias', 'cell_gate_bias', 'output_gate_bias'];
  const required = [...spec.inputs.filter((s) => s.presence === 'required').map((s) => s.name), ...['fw_', 'bw_'].flatMap((d) => cellRequired.map((n) => d + n))];
  if (!checkRequired(ctx, v, P, [...new Set(required)])) return { ok: false, violations: v.list };
  const timeMajor = boolValue(ctx.in('time_major')!);
  const dims = sequenceDims(ctx, v, P, timeMajor);
  if (!dims) return { ok: false, violations: v.list };
  checkZeroSized(ctx, v, P);

  // Aux input and linking mode.
  const hasAux = ctx.has('aux_input');
  let auxSize = 0;
  if (hasAux) {
    const a = ctx.in('aux_input')!.dimensions;
    const lead = ctx.in('input')!.dimensions;
    if (a.length !== 3 || a[0] !== lead[0] || a[1] !== lead[1]) {
      v.add(`${P}.aux.input_shape`, `aux_input must be rank 3 with the input's dims 0 and 1`, ctx.at('aux_input', { expected: `[${lead[0]}, ${lead[1]}, aux_input_size]`, actual: fmtDims(a) }));
    }
    auxSize = a[2] ?? 0;
  }
  const auxPresent = (d: 'fw' | 'bw') => AUX_GATES.map((g) => ctx.has(`${d}_aux_input_to_${g}_weights`));
  const fwCifg = !ctx.has('fw_input_to_input_weights');
  const bwCifg = !ctx.has('bw_input_to_input_weights');
  /** 'all' (aux-to-input may be missing under CIFG), 'none', or 'partial' (reported). */
  const dirAux = (d: 'fw' | 'bw', cifg: boolean): 'all' | 'none' | 'partial' => {
    const present = auxPresent(d);
    const [i, f, c, o] = present;
    const rest = [f, c, o];
    const restAll = rest.every(Boolean);
    const restNone = rest.every((x) => !x);
    if ((restAll && (i || cifg)) || (restNone && !i)) {
      if (cifg && i) {
        v.add(`${P}.aux.weights_all_or_none`, `${d} is CIFG, so ${d}_aux_input_to_input_weights must be omitted`, ctx.at(`${d}_aux_input_to_input_weights`, { expected: 'omitted', actual: 'present' }));
        return 'partial';
      }
      return restAll ? 'all' : 'none';
    }
    const missing = AUX_GATES.filter((g, k) => !present[k] && !(cifg && g === 'input')).map((g) => `${d}_aux_input_to_${g}_weights`);
    v.add(`${P}.aux.weights_all_or_none`, `${d} aux weights must be all present or all omitted${cifg ? ' (aux-to-input omitted under CIFG)' : ''}; missing ${missing.join(', ')}`, ctx.at(missing[0] ?? `${d}_aux_input_to_forget_weights`, { expected: 'present', actual: 'omitted' }));
    return 'partial';
  };
  const fwMode = dirAux('fw', fwCifg);
  const bwMode = dirAux('bw', bwCifg);
  if (fwMode !== 'partial' && bwMode !== 'partial' && fwMode !== bwMode) {
    v.add(`${P}.aux.both_directions`, 'forward aux weights must be present iff backward aux weights are', ctx.at(fwMode === 'all' ? 'bw_aux_input_to_forget_weights' : 'fw_aux_input_to_forget_weights', { expected: 'present', actual: 'omitted' }));
  }
  const fwAux = fwMode === 'all';
  const bwAux = bwMode === 'all';
  if ((fwAux || bwAux) && !hasAux) v.add(`${P}.aux.weights_need_input`, 'aux weights are present but aux_input is omitted', ctx.at('aux_input', { expected: 'present', actual: 'omitted' }));
  if (v.list.length > 0) return { ok: false, violations: v.list };
  const aux: AuxMode = !hasAux ? 'none' : fwAux ? 'cross-linking' : 'parallel-linking';

  const add = (rule: string, message: string, at?: { index?: number | undefined; name?: string; expected?: string; actual?: string }) => v.add(rule, message, at);
  const fw = checkCell(ctx.cell('fw_', { h: 'fw_output_state_in', c: 'fw_cell_state_in' }), dims.B, dims.I, add);
  // Parallel linking: the backward direction reads aux_input, so its input size is aux_input_size.
  const bwI = aux === 'parallel-linking' ? auxSize : dims.I;
  const bw = checkCell(ctx.cell('bw_', { h: 'bw_output_state_in', c: 'bw_cell_state_in' }), dims.B, bwI, add);
  if (!fw || !bw) return { ok: false, violations: v.list };
  if (aux === 'cross-linking') {
    for (const [d, cell] of [['fw', fw], ['bw', bw]] as const) {
      for (const g of AUX_GATES) {
        const name = `${d}_aux_input_to_${g}_weights`;
        if (!ctx.has(name)) continue;
        const w = ctx.in(name)!.dimensions;
        if (w.length !== 2 || w[0] !== cell.numUnits || w[1] !== auxSize) v.add(`${P}.aux.weights_shape`, `${name} must be [${d}_num_units, aux_input_size]`, ctx.at(name, { expected: fmtDims([cell.numUnits, auxSize]), actual: fmtDims(w) }));
      }
    }
  }
  const sc = scalars(ctx, dtype, v);
  const stateOutputs = op.outputs.length >= 5;
  const { T, B } = dims;
  const expected: number[][] = merge ? [seqShape(timeMajor, T, B, fw.outputSize + bw.outputSize)] : [seqShape(timeMajor, T, B, fw.outputSize), seqShape(timeMajor, T, B, bw.outputSize)];
  if (stateOutputs) expected.push([B, fw.outputSize], [B, fw.numUnits], [B, bw.outputSize], [B, bw.numUnits]);
  checkOutputShapes(ctx, v, P, expected);
  if (v.list.length > 0) return { ok: false, violations: v.list };
  const featureLevel: FeatureLevel = stateOutputs || aux === 'parallel-linking' ? 4 : 3;
  return {
    ok: true,
    variant: { operation: BI, dtype, relaxed: model.isRelaxed === true, timeMajor, maxTime: T, batchSize: B, inputSize: dims.I, ...sc, fw, bw, aux, auxInputSize: auxSize, mergeOutputs: merge, stateOutputs },
    featureLevel,
  };
}

export type { OperandTypeName };
