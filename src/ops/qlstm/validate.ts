/**
 * Validation of QUANTIZED_LSTM (spec/QUANTIZED_LSTM.json) and QUANTIZED_16BIT_LSTM
 * (spec/QUANTIZED_16BIT_LSTM.json). QUANTIZED_LSTM's cell structure is LSTM's (checkCell over a
 * view of the quantized operands); its own rules are about types, quantization and the integer
 * pipeline's preconditions.
 */
import { isOmitted, type Model, type Operand } from '../../model/model.js';
import type { FeatureLevel, OperandTypeName } from '../../model/operand-types.js';
import type { Violation } from '../../model/violation.js';
import { loadSpec } from '../../spec/operation-spec.js';
import type { LstmInputName } from '../lstm/operands.generated.js';
import { checkCell, checkOperands, checkStructure, Collector, dimsCompatible, fmtDims, type CellShape, type CellView } from '../lstm/validate.js';
import { NamedOperands } from '../operand-view.js';
import { checkedLog2 } from './fixed-point.js';
import { QLSTM16_INPUT_NAMES, QLSTM16_OUTPUT_NAMES, QLSTM_IN, QLSTM_INPUT_COUNT, QLSTM_INPUT_NAMES, QLSTM_OUTPUT_COUNT, QLSTM_OUTPUT_NAMES, type QlstmInputName } from './operands.js';

const Q = 'QUANTIZED_LSTM';
const Q16 = 'QUANTIZED_16BIT_LSTM';

/** What a valid QUANTIZED_LSTM model is: its cell structure, sizes and quantization facts (from {@link validateModel}). */
export interface QlstmVariant extends CellShape {
  /** NNAPI operation name. */
  operation: typeof Q;
  /** `input` and `output_state_in` are TENSOR_QUANT8_ASYMM_SIGNED. */
  dtype: 'quant8-asymm-signed';
  /** The model sets isRelaxed (no effect on the integer computation). */
  relaxed: boolean;
  /** B: dimension 0 of `input` (`[batch_size, input_size]`). */
  batchSize: number;
  /** I: dimension 1 of `input`. */
  inputSize: number;
  /** `cell_clip` in real units; 0 disables clipping. */
  cellClip: number;
  /** `proj_clip` in real units; 0 disables clipping. */
  projClip: number;
  /** log2 of the cell-state scale. */
  cellShift: number;
  /** The `hidden_state_zero_point` input. */
  hiddenZeroPoint: number;
  /** `hidden_state_zero_point` ≠ 0. */
  hiddenZeroPointNonZero: boolean;
  /** `proj_clip` > 0. */
  projClipNonZero: boolean;
}

/** What a valid QUANTIZED_16BIT_LSTM model is: its sizes (from {@link validateModel}). */
export interface Qlstm16Variant {
  /** NNAPI operation name. */
  operation: typeof Q16;
  /** `input` is TENSOR_QUANT8_ASYMM (uint8). */
  dtype: 'quant8-asymm';
  /** The model sets isRelaxed (no effect on the integer computation). */
  relaxed: boolean;
  /** B: dimension 0 of `input` (`[batch_size, input_size]`). */
  batchSize: number;
  /** I: dimension 1 of `input`. */
  inputSize: number;
  /** O: the output (and cell) size, dimension 1 of `output_state_in`. */
  outputSize: number;
}

export type QuantizedOutcome<V> = { ok: true; variant: V; featureLevel: FeatureLevel } | { ok: false; violations: Violation[] };

/** A collector for a quantized op that also accepts the generic model.* rules (defined in spec/LSTM.json). */
class QCollector extends Collector {
  override add(rule: string, message: string, at?: { index?: number | undefined; name?: string; expected?: string; actual?: string }): void {
    if (!rule.startsWith('model.')) return super.add(rule, message, at);
    const violation: Violation = { rule, message };
    if (at?.index !== undefined) violation.operandIndex = at.index;
    if (at?.name !== undefined) violation.operandName = at.name;
    if (at?.expected !== undefined) violation.expected = at.expected;
    if (at?.actual !== undefined) violation.actual = at.actual;
    this.list.push(violation);
  }
}


const QUANT_TYPES = new Set<OperandTypeName>(['TENSOR_QUANT8_ASYMM', 'TENSOR_QUANT8_ASYMM_SIGNED', 'TENSOR_QUANT8_SYMM', 'TENSOR_QUANT16_SYMM', 'TENSOR_QUANT16_ASYMM']);

/** Checks the declared types of every input and output against the spec's single variant. */
function checkTypes(ctx: NamedOperands, v: Collector, P: string, scalarRule: string | null): boolean {
  const spec = loadSpec(P);
  const before = v.list.length;
  for (const s of spec.inputs) {
    const o = ctx.in(s.name);
    if (!o) continue;
    const want = s.types[0]!.type;
    if (o.type === want) continue;
    const rule = s.name === 'input' ? `${P}.type.input` : s.kind === 'tensor' ? `${P}.type.tensors` : scalarRule!;
    v.add(rule, `${s.name} must be ${want}`, ctx.at(s.name, { expected: want, actual: o.type }));
  }
  spec.outputs.forEach((s, k) => {
    if (k >= ctx.op.outputs.length) return;
    const { index, operand, name } = ctx.out(k);
    const want = s.types[0]!.type;
    if (operand.type !== want) v.add(`${P}.type.outputs`, `${name} must be ${want}`, { index, name, expected: want, actual: operand.type });
  });
  return v.list.length === before;
}

function checkZeroSized(ctx: NamedOperands, v: Collector, P: string, names: readonly string[]): void {
  for (const n of names) {
    const o = ctx.in(n);
    if (o && !isOmitted(o) && o.dimensions.includes(0)) v.add(`${P}.dims.nonzero`, `${n} has a zero-sized dimension`, ctx.at(n, { expected: 'every dimension ≥ 1', actual: fmtDims(o.dimensions) }));
  }
}

const REQUIRED_Q: readonly QlstmInputName[] = [
  'input',
  'input_to_forget_weights',
  'input_to_cell_weights',
  'input_to_output_weights',
  'recurrent_to_forget_weights',
  'recurrent_to_cell_weights',
  'recurrent_to_output_weights',
  'forget_gate_bias',
  'cell_gate_bias',
  'output_gate_bias',
  'output_state_in',
  'cell_state_in',
  'cell_clip',
  'proj_clip',
  'input_intermediate_scale',
  'forget_intermediate_scale',
  'cell_intermediate_scale',
  'output_intermediate_scale',
  'hidden_state_zero_point',
  'hidden_state_scale',
];

const num = (o: Operand | undefined): number => Number(o?.values[0]);

/** Validates a model holding one QUANTIZED_LSTM. */
export function validateQlstm(model: Model): QuantizedOutcome<QlstmVariant> {
  const v = new QCollector(Q);
  const op = checkStructure(model, v, Q);
  if (!op) return { ok: false, violations: v.list };
  checkOperands(model, op, v, { inputs: QLSTM_INPUT_NAMES, outputs: QLSTM_OUTPUT_NAMES });
  if (op.inputs.length !== QLSTM_INPUT_COUNT) v.add(`${Q}.signature.input_count`, `QUANTIZED_LSTM takes 32 inputs, got ${op.inputs.length}`, { expected: '32', actual: String(op.inputs.length) });
  if (op.outputs.length !== QLSTM_OUTPUT_COUNT) v.add(`${Q}.signature.output_count`, `QUANTIZED_LSTM has 3 outputs, got ${op.outputs.length}`, { expected: '3', actual: String(op.outputs.length) });
  if (v.list.length > 0) return { ok: false, violations: v.list };
  const ctx = new NamedOperands(model, op, QLSTM_INPUT_NAMES, QLSTM_OUTPUT_NAMES);
  if (!checkTypes(ctx, v, Q, `${Q}.type.scalars`)) return { ok: false, violations: v.list };

  // Quantization parameters of every present quantized tensor.
  const quantNames = [...QLSTM_INPUT_NAMES.filter((n) => ctx.in(n) && QUANT_TYPES.has(ctx.in(n)!.type))];
  for (const n of quantNames) {
    const o = ctx.in(n)!;
    if (isOmitted(o)) continue;
    checkQuant(o, v, Q, ctx.at(n));
  }
  op.outputs.forEach((_, k) => checkQuant(ctx.out(k).operand, v, Q, { index: ctx.out(k).index, name: ctx.out(k).name }));

  for (const n of REQUIRED_Q) if (!ctx.has(n)) v.add(`${Q}.required.present`, `required operand ${n} has no value`, ctx.at(n));
  if (v.list.length > 0) return { ok: false, violations: v.list };

  const input = ctx.in('input')!.dimensions;
  if (input.length !== 2) {
    v.add(`${Q}.input.rank`, 'input must have rank 2 [batch_size, input_size]', ctx.at('input', { expected: 'rank 2', actual: fmtDims(input) }));
    return { ok: false, violations: v.list };
  }
  const [B, I] = [input[0]!, input[1]!];
  checkZeroSized(ctx, v, Q, QLSTM_INPUT_NAMES.filter((n) => ctx.in(n)!.dimensions.length > 0));

  const LN: Partial<Record<LstmInputName, QlstmInputName>> = {
    input_layer_norm_weights: 'input_layer_norm_weights',
    forget_layer_norm_weights: 'forget_layer_norm_weights',
    cell_layer_norm_weights: 'cell_layer_norm_weights',
    output_layer_norm_weights: 'output_layer_norm_weights',
  };
  const nameOf = (n: LstmInputName): QlstmInputName => LN[n] ?? (n as QlstmInputName);
  const view: CellView = {
    has: (n) => ctx.has(nameOf(n)),
    dims: (n) => ctx.in(nameOf(n))!.dimensions,
    at: (n) => ({ index: ctx.indexOf(nameOf(n)), name: nameOf(n) }),
    layerNormSlots: true,
  };
  const cell = checkCell(view, B, I, (rule, message, at) => v.add(rule, message, at));
  if (!cell) return { ok: false, violations: v.list };
  const { numUnits: N, outputSize: O } = cell;

  const cellClip = num(ctx.in('cell_clip'));
  const projClip = num(ctx.in('proj_clip'));
  for (const [n, value] of [['cell_clip', cellClip], ['proj_clip', projClip]] as const) {
    if (!(value >= 0)) v.add('LSTM.clip.non_negative', `${n} must be ≥ 0 (0 disables clipping)`, ctx.at(n, { expected: '≥ 0', actual: String(value) }));
  }

  // Cell state: power-of-two scale 2^k, −15 ≤ k ≤ −9, zero point 0.
  const cs = ctx.in('cell_state_in')!;
  const { log2: k, exact } = checkedLog2(cs.scale);
  if (!(cs.scale > 0) || !exact || k > -9 || k < -15 || cs.zeroPoint !== 0) {
    v.add(`${Q}.cell_state.scale`, 'cell_state_in must have scale 2^k with −15 ≤ k ≤ −9 and zero point 0', ctx.at('cell_state_in', { expected: '2^-15 … 2^-9, zero point 0', actual: `scale ${cs.scale}, zero point ${cs.zeroPoint}` }));
  }
  const [oState, oCell, oOut] = [ctx.out(0), ctx.out(1), ctx.out(2)];
  if (oCell.operand.scale !== cs.scale || oCell.operand.zeroPoint !== cs.zeroPoint) {
    v.add(`${Q}.cell_state_out.quantization`, 'cell_state_out must have cell_state_in\'s scale and zero point', { index: oCell.index, name: oCell.name, expected: `scale ${cs.scale}, zero point ${cs.zeroPoint}`, actual: `scale ${oCell.operand.scale}, zero point ${oCell.operand.zeroPoint}` });
  }
  if (oState.operand.scale !== oOut.operand.scale || oState.operand.zeroPoint !== oOut.operand.zeroPoint) {
    v.add(`${Q}.outputs.same_quantization`, 'output_state_out and output must have the same scale and zero point', { index: oState.index, name: oState.name, expected: `scale ${oOut.operand.scale}, zero point ${oOut.operand.zeroPoint}`, actual: `scale ${oState.operand.scale}, zero point ${oState.operand.zeroPoint}` });
  }
  const h = ctx.in('output_state_in')!;
  if (cell.projection) {
    for (const o of [oState, oOut]) {
      if (o.operand.scale !== h.scale || o.operand.zeroPoint !== h.zeroPoint) {
        v.add(`${Q}.projection.output_quantization`, `with projection, ${o.name} must have output_state_in's scale and zero point`, { index: o.index, name: o.name, expected: `scale ${h.scale}, zero point ${h.zeroPoint}`, actual: `scale ${o.operand.scale}, zero point ${o.operand.zeroPoint}` });
      }
    }
    if (!ctx.has('projection_bias')) v.add(`${Q}.projection.bias_required`, 'projection_weights needs projection_bias (AOSP dereferences a null bias otherwise)', ctx.at('projection_bias', { expected: 'present', actual: 'omitted' }));
  }
  const hzp = num(ctx.in('hidden_state_zero_point'));
  if (!Number.isInteger(hzp) || hzp < -128 || hzp > 127) v.add(`${Q}.hidden_state.zero_point`, 'hidden_state_zero_point must be in [−128, 127]', ctx.at('hidden_state_zero_point', { expected: '−128 … 127', actual: String(hzp) }));
  const gates = cell.cifg ? (['forget', 'cell', 'output'] as const) : (['input', 'forget', 'cell', 'output'] as const);
  const positive = (x: number) => Number.isFinite(x) && x > 0;
  if (!positive(num(ctx.in('hidden_state_scale')))) v.add(`${Q}.scales.positive`, 'hidden_state_scale must be finite and > 0', ctx.at('hidden_state_scale', { expected: '> 0', actual: String(num(ctx.in('hidden_state_scale'))) }));
  for (const g of gates) {
    const n = `${g}_intermediate_scale` as QlstmInputName;
    const s = num(ctx.in(n));
    if (!positive(s)) v.add(`${Q}.scales.positive`, `${n} must be finite and > 0`, ctx.at(n, { expected: '> 0', actual: String(s) }));
    else if (!cell.layerNorm && Math.fround(s) !== 2 ** -12) v.add(`${Q}.no_layer_norm.intermediate_scale`, `without layer norm, ${n} must be 2^-12 (the gate input is Q3.12)`, ctx.at(n, { expected: String(2 ** -12), actual: String(s) }));
  }
  const expected = [[B, O], [B, N], [B, O]];
  expected.forEach((e, k) => {
    const o = ctx.out(k);
    if (!dimsCompatible(o.operand.dimensions, e)) v.add(`${Q}.outputs.shape`, `${o.name} must be ${fmtDims(e)}`, { index: o.index, name: o.name, expected: fmtDims(e), actual: fmtDims(o.operand.dimensions) });
  });
  if (v.list.length > 0) return { ok: false, violations: v.list };
  return {
    ok: true,
    featureLevel: 4,
    variant: {
      operation: Q,
      dtype: 'quant8-asymm-signed',
      relaxed: model.isRelaxed === true,
      ...cell,
      batchSize: B,
      inputSize: I,
      cellClip,
      projClip,
      cellShift: k,
      hiddenZeroPoint: hzp,
      hiddenZeroPointNonZero: hzp !== 0,
      projClipNonZero: projClip > 0,
    },
  };
}

function checkQuant(o: Operand, v: Collector, P: string, at: { index: number | undefined; name: string }): void {
  const problems: string[] = [];
  if (!(Number.isFinite(o.scale) && o.scale > 0)) problems.push(`scale ${o.scale} must be > 0`);
  if ((o.type === 'TENSOR_QUANT8_SYMM' || o.type === 'TENSOR_QUANT16_SYMM') && o.zeroPoint !== 0) problems.push(`zero point ${o.zeroPoint} must be 0`);
  if (o.type === 'TENSOR_QUANT8_ASYMM_SIGNED' && !(o.zeroPoint >= -128 && o.zeroPoint <= 127)) problems.push(`zero point ${o.zeroPoint} must be in [−128, 127]`);
  if (o.type === 'TENSOR_QUANT8_ASYMM' && !(o.zeroPoint >= 0 && o.zeroPoint <= 255)) problems.push(`zero point ${o.zeroPoint} must be in [0, 255]`);
  if (problems.length) v.add(`${P}.quant.params`, `${o.type}: ${problems.join('; ')}`, { ...at, actual: `scale ${o.scale}, zero point ${o.zeroPoint}` });
}

// ---- QUANTIZED_16BIT_LSTM ----------------------------------------------------------------------

/** Validates a model holding one QUANTIZED_16BIT_LSTM. */
export function validateQlstm16(model: Model): QuantizedOutcome<Qlstm16Variant> {
  const v = new QCollector(Q16);
  const op = checkStructure(model, v, Q16);
  if (!op) return { ok: false, violations: v.list };
  checkOperands(model, op, v, { inputs: QLSTM16_INPUT_NAMES, outputs: QLSTM16_OUTPUT_NAMES });
  if (op.inputs.length !== 15) v.add(`${Q16}.signature.input_count`, `QUANTIZED_16BIT_LSTM takes 15 inputs, got ${op.inputs.length}`, { expected: '15', actual: String(op.inputs.length) });
  if (op.outputs.length !== 2) v.add(`${Q16}.signature.output_count`, `QUANTIZED_16BIT_LSTM has 2 outputs, got ${op.outputs.length}`, { expected: '2', actual: String(op.outputs.length) });
  if (v.list.length > 0) return { ok: false, violations: v.list };
  const ctx = new NamedOperands(model, op, QLSTM16_INPUT_NAMES, QLSTM16_OUTPUT_NAMES);
  if (!checkTypes(ctx, v, Q16, null)) return { ok: false, violations: v.list };
  for (const n of QLSTM16_INPUT_NAMES) if (!ctx.has(n)) v.add(`${Q16}.required.present`, `${n} has no value (no operand of QUANTIZED_16BIT_LSTM is optional)`, ctx.at(n));
  if (v.list.length > 0) return { ok: false, violations: v.list };
  checkZeroSized(ctx, v, Q16, QLSTM16_INPUT_NAMES);
  if (v.list.length > 0) return { ok: false, violations: v.list };
  const x = ctx.in('input')!;
  const h = ctx.in('output_state_in')!;
  if (x.dimensions.length !== 2) {
    v.add(`${Q16}.input.shape`, 'input must have rank 2 [batch_size, input_size]', ctx.at('input', { expected: 'rank 2', actual: fmtDims(x.dimensions) }));
    return { ok: false, violations: v.list };
  }
  const [B, I] = [x.dimensions[0]!, x.dimensions[1]!];
  const fixedQ = (o: Operand) => Math.fround(o.scale) === Math.fround(1 / 128) && o.zeroPoint === 128;
  if (!fixedQ(x)) v.add(`${Q16}.input.quantization`, 'input must have scale 1/128 and zero point 128', ctx.at('input', { expected: 'scale 0.0078125, zero point 128', actual: `scale ${x.scale}, zero point ${x.zeroPoint}` }));
  if (h.dimensions.length !== 2 || h.dimensions[0] !== B) {
    v.add(`${Q16}.output_state.shape`, 'output_state_in must be [batch_size, output_size]', ctx.at('output_state_in', { expected: `[${B}, output_size]`, actual: fmtDims(h.dimensions) }));
    return { ok: false, violations: v.list };
  }
  const O = h.dimensions[1]!;
  if (!fixedQ(h)) v.add(`${Q16}.output_state.quantization`, 'output_state_in must have scale 1/128 and zero point 128', ctx.at('output_state_in', { expected: 'scale 0.0078125, zero point 128', actual: `scale ${h.scale}, zero point ${h.zeroPoint}` }));
  const w0 = ctx.in('input_to_input_weights')!;
  for (const g of ['input', 'forget', 'cell', 'output']) {
    for (const [n, cols] of [[`input_to_${g}_weights`, I], [`recurrent_to_${g}_weights`, O]] as const) {
      const w = ctx.in(n)!;
      if (w.dimensions.length !== 2 || w.dimensions[0] !== O || w.dimensions[1] !== cols) v.add(`${Q16}.weights.shape`, `${n} must be [${O}, ${cols}]`, ctx.at(n, { expected: fmtDims([O, cols]), actual: fmtDims(w.dimensions) }));
      if (!(Math.fround(w0.scale) !== 0) || Math.fround(w.scale) !== Math.fround(w0.scale) || w.zeroPoint !== w0.zeroPoint) v.add(`${Q16}.weights.quantization`, `${n} must share input_to_input_weights's scale (≠ 0) and zero point`, ctx.at(n, { expected: `scale ${w0.scale}, zero point ${w0.zeroPoint}`, actual: `scale ${w.scale}, zero point ${w.zeroPoint}` }));
    }
    const bn = g === 'cell' ? 'cell_gate_bias' : `${g}_gate_bias`;
    const b = ctx.in(bn)!;
    if (b.dimensions.length !== 1 || b.dimensions[0] !== O) v.add(`${Q16}.bias.shape`, `${bn} must be [${O}]`, ctx.at(bn, { expected: fmtDims([O]), actual: fmtDims(b.dimensions) }));
    if (Math.fround(b.scale) !== Math.fround(Math.fround(w0.scale) / 128) || b.zeroPoint !== 0) v.add(`${Q16}.bias.quantization`, `${bn} must have scale = weights scale / 128 and zero point 0`, ctx.at(bn, { expected: `scale ${Math.fround(w0.scale) / 128}, zero point 0`, actual: `scale ${b.scale}, zero point ${b.zeroPoint}` }));
  }
  const c = ctx.in('cell_state_in')!;
  if (c.dimensions.length !== 2 || c.dimensions[0] !== B || c.dimensions[1] !== O) v.add(`${Q16}.cell_state.shape`, 'cell_state_in must be [batch_size, output_size]', ctx.at('cell_state_in', { expected: fmtDims([B, O]), actual: fmtDims(c.dimensions) }));
  const { log2, exact } = checkedLog2(c.scale);
  if (!(c.scale > 0) || !exact || log2 !== -11 || c.zeroPoint !== 0) v.add(`${Q16}.cell_state.quantization`, 'cell_state_in must have scale 2^-11 and zero point 0', ctx.at('cell_state_in', { expected: 'scale 0.00048828125, zero point 0', actual: `scale ${c.scale}, zero point ${c.zeroPoint}` }));
  const [oc, oo] = [ctx.out(0), ctx.out(1)];
  for (const [o, like] of [[oc, c], [oo, h]] as const) {
    if (o.operand.scale !== like.scale || o.operand.zeroPoint !== like.zeroPoint) v.add(`${Q16}.outputs.quantization`, `${o.name} must have the scale and zero point of its state input`, { index: o.index, name: o.name, expected: `scale ${like.scale}, zero point ${like.zeroPoint}`, actual: `scale ${o.operand.scale}, zero point ${o.operand.zeroPoint}` });
    if (!dimsCompatible(o.operand.dimensions, [B, O])) v.add(`${Q16}.outputs.shape`, `${o.name} must be ${fmtDims([B, O])}`, { index: o.index, name: o.name, expected: fmtDims([B, O]), actual: fmtDims(o.operand.dimensions) });
  }
  if (v.list.length > 0) return { ok: false, violations: v.list };
  return { ok: true, featureLevel: 3, variant: { operation: Q16, dtype: 'quant8-asymm', relaxed: model.isRelaxed === true, batchSize: B, inputSize: I, outputSize: O } };
}

export { QLSTM_IN };
