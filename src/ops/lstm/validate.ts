import { isOmitted, type Model, type Operand } from '../../model/model.js';
import { isScalarType, type FeatureLevel, type OperandTypeName } from '../../model/operand-types.js';
import type { Violation } from '../../model/violation.js';
import { roundToFloat16 } from '../../util/float16.js';
import { loadSpec, type SpecRule } from '../../spec/operation-spec.js';
import { LSTM_IN, LSTM_INPUT_COUNTS, LSTM_INPUT_NAMES, LSTM_OUT, LSTM_OUTPUT_COUNT, LSTM_OUTPUT_NAMES, type LstmInputName, type LstmOutputName } from './operands.generated.js';

/** What a valid LSTM model is: its feature matrix and sizes. */
export interface LstmVariant {
  /** NNAPI operation name. */
  operation: 'LSTM';
  /** Element type of the float tensors: TENSOR_FLOAT32 or TENSOR_FLOAT16. */
  dtype: 'float32' | 'float16';
  /** The model sets isRelaxed (float32 may be computed at float16 precision). */
  relaxed: boolean;
  /** Coupled input and forget gate: input_to_input_weights (and the input-gate operands) omitted. */
  cifg: boolean;
  /** Peephole connections (cell_to_*_weights) present. */
  peephole: boolean;
  /** projection_weights present (output_size may differ from num_units). */
  projection: boolean;
  /** projection_bias present. */
  projectionBias: boolean;
  /** Layer normalization on (output_layer_norm_weights present; 27-input form only). */
  layerNorm: boolean;
  /** Fused activation code of the `activation` input: 0 none, 1 relu, 3 relu6, 4 tanh, 6 sigmoid. */
  activation: number;
  /** `cell_clip` value; 0 disables clipping. */
  cellClip: number;
  /** `proj_clip` value; 0 disables clipping. */
  projClip: number;
  /** B: dimension 0 of `input` (`[batch_size, input_size]`). */
  batchSize: number;
  /** I: dimension 1 of `input`. */
  inputSize: number;
  /** N: the cell size (dimension 0 of input_to_output_weights). */
  numUnits: number;
  /** O: the output size (dimension 1 of recurrent_to_output_weights; = num_units without projection). */
  outputSize: number;
  /** 23 inputs (feature level 1) or 27 (with the layer-norm slots, feature level 3). */
  inputCount: 23 | 27;
}

export type ValidationOutcome =
  | { ok: true; variant: LstmVariant; featureLevel: FeatureLevel }
  | { ok: false; violations: Violation[] };

/**
 * Validates a model holding one ANEURALNETWORKS_LSTM against spec/LSTM.json.
 * Returns the variant and the feature level it needs, or every violation found.
 * Build-time rules (counts, types) gate the prepare-time rules, as in NNAPI,
 * so one broken operand does not cascade into unrelated reports.
 */
export function validateModel(model: Model): ValidationOutcome {
  const v = new Collector();
  const op = checkStructure(model, v);
  if (!op) return { ok: false, violations: v.list };
  checkOperands(model, op, v);
  if (!checkSignature(op, v)) return { ok: false, violations: v.list };
  const ctx = new LstmContext(model, op);
  const dtype = checkTypes(ctx, v);
  if (dtype === undefined || v.list.length > 0) return { ok: false, violations: v.list };
  const variant = checkPrepare(ctx, dtype, v);
  if (!variant || v.list.length > 0) return { ok: false, violations: v.list };
  checkValueRanges(model, v);
  if (v.list.length > 0) return { ok: false, violations: v.list };
  return { ok: true, variant, featureLevel: featureLevelOf(variant) };
}

export function featureLevelOf(variant: LstmVariant): FeatureLevel {
  if (variant.dtype === 'float16' || variant.inputCount === 27) return 3;
  if (variant.relaxed) return 2;
  return 1;
}

/** The LSTM operation of a model with role-named access to its operands. */
export class LstmContext {
  readonly inputs: (Operand | undefined)[];
  readonly outputs: (Operand | undefined)[];
  constructor(
    readonly model: Model,
    readonly op: { inputs: number[]; outputs: number[] },
  ) {
    this.inputs = op.inputs.map((i) => model.operands[i]);
    this.outputs = op.outputs.map((i) => model.operands[i]);
  }
  in(name: LstmInputName): Operand | undefined {
    return this.inputs[LSTM_IN[name]];
  }
  out(name: LstmOutputName): Operand | undefined {
    return this.outputs[LSTM_OUT[name]];
  }
  has(name: LstmInputName): boolean {
    const o = this.in(name);
    return o !== undefined && !isOmitted(o);
  }
  /** Model operand index of an input role. */
  indexOf(name: LstmInputName): number | undefined {
    return this.op.inputs[LSTM_IN[name]];
  }
  outIndexOf(name: LstmOutputName): number | undefined {
    return this.op.outputs[LSTM_OUT[name]];
  }
}

/** Collects violations; a rule id that no spec of the operation defines is a bug, not a report. */
export class Collector {
  readonly list: Violation[] = [];
  private readonly rules = new Map<string, SpecRule>();
  constructor(private readonly operation = 'LSTM') {
    for (const r of loadSpec(operation).rules) this.rules.set(r.id, r);
    // The model-level rules (model.*) are written once, in spec/LSTM.json, and apply to every model.
    for (const r of loadSpec('LSTM').rules) if (r.id.startsWith('model.')) this.rules.set(r.id, r);
  }
  add(rule: string, message: string, at?: { index?: number | undefined; name?: string; expected?: string; actual?: string }): void {
    if (!this.rules.has(rule)) throw new Error(`internal: rule '${rule}' is not in spec/${this.operation}.json`);
    const violation: Violation = { rule, message };
    if (at?.index !== undefined) violation.operandIndex = at.index;
    if (at?.name !== undefined) violation.operandName = at.name;
    if (at?.expected !== undefined) violation.expected = at.expected;
    if (at?.actual !== undefined) violation.actual = at.actual;
    this.list.push(violation);
  }
}

export const fmtDims = (d: readonly number[]): string => `[${d.join(', ')}]`;
const product = (d: readonly number[]): number => d.reduce((a, b) => a * b, 1);

export function checkStructure(model: Model, v: Collector, operationType = 'LSTM'): { inputs: number[]; outputs: number[] } | undefined {
  const n = model.operands.length;
  const problems: string[] = [];
  if (model.operations.length !== 1) problems.push(`expected exactly 1 operation, found ${model.operations.length}`);
  const op = model.operations[0];
  if (op && op.type !== operationType) problems.push(`operation type is '${op.type}', expected '${operationType}'`);
  model.operands.forEach((o, i) => {
    if (o.index !== undefined && o.index !== i) problems.push(`operand at position ${i} declares index ${o.index}`);
  });
  const inRange = (i: number): boolean => Number.isInteger(i) && i >= 0 && i < n;
  if (op) {
    op.inputs.forEach((i, k) => inRange(i) || problems.push(`operation input ${k} names operand ${i}, which does not exist`));
    op.outputs.forEach((i, k) => inRange(i) || problems.push(`operation output ${k} names operand ${i}, which does not exist`));
  }
  for (const i of model.inputIndexes) {
    if (!inRange(i)) problems.push(`inputIndexes names operand ${i}, which does not exist`);
    else if (model.operands[i]!.lifetime !== 'SUBGRAPH_INPUT') problems.push(`model input ${i} has lifetime ${model.operands[i]!.lifetime}, expected SUBGRAPH_INPUT`);
  }
  for (const i of model.outputIndexes) {
    if (!inRange(i)) problems.push(`outputIndexes names operand ${i}, which does not exist`);
    else if (model.operands[i]!.lifetime !== 'SUBGRAPH_OUTPUT') problems.push(`model output ${i} has lifetime ${model.operands[i]!.lifetime}, expected SUBGRAPH_OUTPUT`);
  }
  model.operands.forEach((o, i) => {
    if (o.lifetime === 'SUBGRAPH_INPUT' && !model.inputIndexes.includes(i)) problems.push(`operand ${i} (${o.name}) is SUBGRAPH_INPUT but not in inputIndexes`);
    if (o.lifetime === 'SUBGRAPH_OUTPUT' && !model.outputIndexes.includes(i)) problems.push(`operand ${i} (${o.name}) is SUBGRAPH_OUTPUT but not in outputIndexes`);
  });
  for (const p of problems) v.add('model.structure', p);
  const unique = checkUniqueIndexes(model, op, v);
  return problems.length === 0 && unique ? op : undefined;
}

/**
 * NNAPI's model builder makes each model input and output operand exactly once (identifyInputsAndOutputs
 * refuses an operand that is already one), and an operation writes each operand once.
 */
function checkUniqueIndexes(model: Model, op: { outputs: number[] } | undefined, v: Collector): boolean {
  let ok = true;
  const seen = new Map<number, string>();
  const lists: [string, readonly number[]][] = [['inputIndexes', model.inputIndexes], ['outputIndexes', model.outputIndexes]];
  for (const [list, indexes] of lists) {
    indexes.forEach((idx, k) => {
      const where = `${list}[${k}]`;
      const first = seen.get(idx);
      if (first === undefined) return void seen.set(idx, where);
      ok = false;
      v.add('model.io.unique', `is named by ${first} and again by ${where}`, { index: idx, name: model.operands[idx]?.name, expected: 'each operand at most once', actual: `${first}, ${where}` });
    });
  }
  const written = new Map<number, number>();
  op?.outputs.forEach((idx, k) => {
    const first = written.get(idx);
    if (first === undefined) return void written.set(idx, k);
    ok = false;
    v.add('model.operation.outputs_unique', `is written by operation outputs ${first} and ${k} (an operand is written once)`, { index: idx, name: model.operands[idx]?.name, expected: 'distinct output operands', actual: `outputs ${first} and ${k}` });
  });
  return ok;
}

const FLOAT32_TYPES: ReadonlySet<OperandTypeName> = new Set(['FLOAT32', 'TENSOR_FLOAT32']);
const FLOAT16_TYPES: ReadonlySet<OperandTypeName> = new Set(['FLOAT16', 'TENSOR_FLOAT16']);
/** Inclusive integer ranges of the integer operand types. */
const INTEGER_RANGES: Partial<Record<OperandTypeName, readonly [number, number]>> = {
  INT32: [-(2 ** 31), 2 ** 31 - 1],
  TENSOR_INT32: [-(2 ** 31), 2 ** 31 - 1],
  UINT32: [0, 2 ** 32 - 1],
  BOOL: [0, 1],
  TENSOR_BOOL8: [0, 1],
  TENSOR_QUANT8_ASYMM: [0, 255],
  TENSOR_QUANT8_SYMM: [-128, 127],
  TENSOR_QUANT8_ASYMM_SIGNED: [-128, 127],
  TENSOR_QUANT8_SYMM_PER_CHANNEL: [-128, 127],
  TENSOR_QUANT16_SYMM: [-32768, 32767],
  TENSOR_QUANT16_ASYMM: [0, 65535],
};

/** Why value x cannot be held by an operand of type t, or null when it can. */
export function valueOutOfRange(t: OperandTypeName, x: number): string | null {
  if (typeof x !== 'number' || Number.isNaN(x)) return 'is not a number';
  if (FLOAT16_TYPES.has(t)) return Number.isFinite(roundToFloat16(x)) ? null : `overflows binary16 (|x| < 65520, max 65504)`;
  if (FLOAT32_TYPES.has(t)) return Number.isFinite(Math.fround(x)) ? null : `overflows float32 (max 3.4028235e38)`;
  const range = INTEGER_RANGES[t];
  if (!range) return null;
  if (!Number.isInteger(x)) return 'is not an integer';
  return x < range[0] || x > range[1] ? `is outside ${t}'s range [${range[0]}, ${range[1]}]` : null;
}

/**
 * model.operand.value_range: the first value of each operand that its type cannot hold (one report
 * per operand, naming the element). Run on a model that is otherwise valid, so that an operand of the
 * wrong type is reported as that, not as a cascade of values out of the wrong type's range.
 */
export function checkValueRanges(model: Model, v: Collector): void {
  model.operands.forEach((o, index) => {
    for (let k = 0; k < o.values.length; k++) {
      const why = valueOutOfRange(o.type, o.values[k]!);
      if (why === null) continue;
      v.add('model.operand.value_range', `value ${o.values[k]} at element ${k} ${why}`, { index, name: o.name, expected: `a ${o.type} value`, actual: String(o.values[k]) });
      return;
    }
  });
}

export function checkOperands(
  model: Model,
  op: { inputs: number[]; outputs: number[] },
  v: Collector,
  names: { inputs: readonly string[]; outputs: readonly string[] } = { inputs: LSTM_INPUT_NAMES, outputs: LSTM_OUTPUT_NAMES },
): void {
  const roleOf = new Map<number, string>();
  op.inputs.forEach((idx, k) => roleOf.set(idx, names.inputs[k] ?? `input ${k}`));
  op.outputs.forEach((idx, k) => roleOf.set(idx, names.outputs[k] ?? `output ${k}`));
  model.operands.forEach((o, index) => {
    const name = roleOf.get(index) ?? o.name;
    const scalar = isScalarType(o.type);
    if (!Array.isArray(o.dimensions) || o.dimensions.some((d) => !Number.isInteger(d) || d < 0)) {
      v.add('model.operand.dimensions', 'dimensions must be non-negative integers', { index, name, actual: JSON.stringify(o.dimensions) });
      return;
    }
    if (scalar && o.dimensions.length !== 0) {
      v.add('model.operand.dimensions', `${o.type} is a scalar and has no dimensions`, { index, name, expected: '[]', actual: fmtDims(o.dimensions) });
      return;
    }
    const floatLike = o.type === 'FLOAT32' || o.type === 'FLOAT16' || o.type === 'TENSOR_FLOAT32' || o.type === 'TENSOR_FLOAT16' || o.type === 'BOOL' || o.type === 'INT32' || o.type === 'UINT32';
    if (floatLike && (o.scale !== 0 || o.zeroPoint !== 0)) {
      v.add('model.operand.quant_params', `${o.type} must have scale 0 and zeroPoint 0`, { index, name, expected: 'scale 0, zeroPoint 0', actual: `scale ${o.scale}, zeroPoint ${o.zeroPoint}` });
    }
    if (o.type === 'TENSOR_INT32' && (o.scale < 0 || o.zeroPoint !== 0)) {
      v.add('model.operand.quant_params', 'TENSOR_INT32 must have scale ≥ 0 and zeroPoint 0', { index, name, actual: `scale ${o.scale}, zeroPoint ${o.zeroPoint}` });
    }
    const isConstant = o.lifetime === 'CONSTANT_COPY' || o.lifetime === 'CONSTANT_REFERENCE';
    if (isConstant && o.values.length === 0 && (scalar || product(o.dimensions) !== 0)) {
      v.add('model.operand.value_count', 'a constant operand has no value (use lifetime NO_VALUE to omit it)', { index, name });
      return;
    }
    if (o.lifetime === 'SUBGRAPH_INPUT' && o.omitted === false && o.values.length === 0 && product(o.dimensions) !== 0) {
      v.add('model.operand.value_count', `is declared present (omitted: false) but holds no values`, { index, name, expected: String(product(o.dimensions)), actual: '0' });
      return;
    }
    if (o.values.length > 0) {
      const expected = scalar ? 1 : product(o.dimensions);
      if (o.values.length !== expected) {
        v.add('model.operand.value_count', `holds ${o.values.length} values but its dimensions ${fmtDims(o.dimensions)} need ${expected}`, { index, name, expected: String(expected), actual: String(o.values.length) });
      }
    }
  });
}

function checkSignature(op: { inputs: number[]; outputs: number[] }, v: Collector): boolean {
  let ok = true;
  if (!(LSTM_INPUT_COUNTS as readonly number[]).includes(op.inputs.length)) {
    v.add('LSTM.signature.input_count', `LSTM takes 23 or 27 inputs, got ${op.inputs.length}`, { expected: '23 or 27', actual: String(op.inputs.length) });
    ok = false;
  }
  if (op.outputs.length !== LSTM_OUTPUT_COUNT) {
    v.add('LSTM.signature.output_count', `LSTM has 4 outputs, got ${op.outputs.length}`, { expected: '4', actual: String(op.outputs.length) });
    ok = false;
  }
  return ok;
}

const TENSOR_ROLES: readonly LstmInputName[] = LSTM_INPUT_NAMES.filter(
  (n) => n !== 'input' && n !== 'activation' && n !== 'cell_clip' && n !== 'proj_clip',
);

function checkTypes(ctx: LstmContext, v: Collector): 'float32' | 'float16' | undefined {
  const input = ctx.in('input')!;
  let dtype: 'float32' | 'float16';
  if (input.type === 'TENSOR_FLOAT32') dtype = 'float32';
  else if (input.type === 'TENSOR_FLOAT16') dtype = 'float16';
  else {
    v.add('LSTM.type.input', `input must be TENSOR_FLOAT32 or TENSOR_FLOAT16`, { index: ctx.indexOf('input'), name: 'input', expected: 'TENSOR_FLOAT32 | TENSOR_FLOAT16', actual: input.type });
    return undefined;
  }
  const tensorType: OperandTypeName = input.type;
  for (const role of TENSOR_ROLES) {
    const o = ctx.in(role);
    if (o && o.type !== tensorType) {
      v.add('LSTM.type.tensors', `must have the input's type`, { index: ctx.indexOf(role), name: role, expected: tensorType, actual: o.type });
    }
  }
  const act = ctx.in('activation')!;
  if (act.type !== 'INT32') v.add('LSTM.type.activation', 'activation must be an INT32 scalar', { index: ctx.indexOf('activation'), name: 'activation', expected: 'INT32', actual: act.type });
  const clipType: OperandTypeName = dtype === 'float32' ? 'FLOAT32' : 'FLOAT16';
  for (const role of ['cell_clip', 'proj_clip'] as const) {
    const o = ctx.in(role)!;
    if (o.type !== clipType) v.add('LSTM.type.clips', `${role} must be ${clipType} for a ${tensorType} model`, { index: ctx.indexOf(role), name: role, expected: clipType, actual: o.type });
  }
  for (const role of LSTM_OUTPUT_NAMES) {
    const o = ctx.out(role)!;
    if (o.type !== tensorType) v.add('LSTM.type.outputs', `output must have the input's type`, { index: ctx.outIndexOf(role), name: role, expected: tensorType, actual: o.type });
  }
  return dtype;
}

export function scalarValue(o: Operand, dtype: 'float32' | 'float16'): number | undefined {
  const x = o.values[0];
  if (x === undefined) return undefined;
  return o.type === 'FLOAT16' && dtype === 'float16' ? roundToFloat16(x) : x;
}

/**
 * Access to one LSTM cell's operands by LSTM role name. LSTM has one cell; the sequence ops reuse
 * the same rules for their cell (UNIDIRECTIONAL) or for each direction (BIDIRECTIONAL, where roles
 * are prefixed fw_/bw_ and live at other positions).
 */
export interface CellView {
  has(name: LstmInputName): boolean;
  dims(name: LstmInputName): number[];
  /** Model operand index and display name (e.g. "bw_input_to_forget_weights") for reports. */
  at(name: LstmInputName): { index: number | undefined; name: string };
  /** Whether the operation has layer-normalization slots (LSTM's 27-input form, the sequence ops). */
  readonly layerNormSlots: boolean;
}

export interface CellShape {
  /** N: the cell size (dimension 0 of input_to_output_weights). */
  numUnits: number;
  /** O: the output size (dimension 1 of recurrent_to_output_weights; = num_units without projection). */
  outputSize: number;
  /** Coupled input and forget gate: input_to_input_weights (and the input-gate operands) omitted. */
  cifg: boolean;
  /** Peephole connections (cell_to_*_weights) present. */
  peephole: boolean;
  /** projection_weights present. */
  projection: boolean;
  /** projection_bias present. */
  projectionBias: boolean;
  /** Layer normalization on (output_layer_norm_weights present). */
  layerNorm: boolean;
}

export function lstmCellView(ctx: LstmContext): CellView {
  return {
    has: (n) => ctx.has(n),
    dims: (n) => ctx.in(n)!.dimensions,
    at: (n) => ({ index: ctx.indexOf(n), name: n }),
    layerNormSlots: ctx.inputs.length === 27,
  };
}

/** Emits a violation of `rule` through `add`; the sequence ops pass their own collector. */
export type AddViolation = (rule: string, message: string, at?: { index?: number; name?: string; expected?: string; actual?: string }) => void;

/**
 * The rules of spec/LSTM.json about one cell: weight, peephole, bias, projection, layer-norm and
 * state shapes, and the optional groups. B and I come from the operation's input.
 */
export function checkCell(view: CellView, B: number, I: number, add: AddViolation): CellShape | undefined {
  const at = (name: LstmInputName, extra: { expected?: string; actual?: string } = {}) => {
    const a = view.at(name);
    return { index: a.index, name: a.name, ...extra };
  };
  const label = (name: LstmInputName) => view.at(name).name;
  const dims = (name: LstmInputName) => view.dims(name);
  const wxo = dims('input_to_output_weights');
  if (wxo.length !== 2 || wxo[1] !== I) {
    add('LSTM.input_to_output.shape', `${label('input_to_output_weights')} must be [num_units, input_size]`, at('input_to_output_weights', { expected: `[num_units, ${I}]`, actual: fmtDims(wxo) }));
  }
  if (wxo.length !== 2) return undefined;
  const N = wxo[0]!;
  const who = dims('recurrent_to_output_weights');
  if (who.length !== 2 || who[0] !== N) {
    add('LSTM.recurrent_to_output.shape', `${label('recurrent_to_output_weights')} must be [num_units, output_size]`, at('recurrent_to_output_weights', { expected: `[${N}, output_size]`, actual: fmtDims(who) }));
  }
  if (who.length !== 2) return undefined;
  const O = who[1]!;

  const expectShape = (rule: string, name: LstmInputName, shape: number[], symbolic: string): void => {
    if (!view.has(name)) return;
    const d = dims(name);
    if (d.length !== shape.length || d.some((x, i) => x !== shape[i])) {
      add(rule, `${label(name)} must be ${symbolic} = ${fmtDims(shape)}`, at(name, { expected: fmtDims(shape), actual: fmtDims(d) }));
    }
  };
  for (const n of ['input_to_input_weights', 'input_to_forget_weights', 'input_to_cell_weights'] as const) expectShape('LSTM.input_weights.shape', n, [N, I], '[num_units, input_size]');
  for (const n of ['recurrent_to_input_weights', 'recurrent_to_forget_weights', 'recurrent_to_cell_weights'] as const) expectShape('LSTM.recurrent_weights.shape', n, [N, O], '[num_units, output_size]');
  for (const n of ['cell_to_input_weights', 'cell_to_forget_weights', 'cell_to_output_weights'] as const) expectShape('LSTM.peephole.shape', n, [N], '[num_units]');
  for (const n of ['input_gate_bias', 'forget_gate_bias', 'cell_gate_bias', 'output_gate_bias'] as const) expectShape('LSTM.bias.shape', n, [N], '[num_units]');
  expectShape('LSTM.projection.shape', 'projection_weights', [O, N], '[output_size, num_units]');
  expectShape('LSTM.projection_bias.shape', 'projection_bias', [O], '[output_size]');
  if (view.layerNormSlots) {
    for (const n of ['input_layer_norm_weights', 'forget_layer_norm_weights', 'cell_layer_norm_weights', 'output_layer_norm_weights'] as const) expectShape('LSTM.layer_norm.shape', n, [N], '[num_units]');
  }
  expectShape('LSTM.state.output_state_shape', 'output_state_in', [B, O], '[batch_size, output_size]');
  expectShape('LSTM.state.cell_state_shape', 'cell_state_in', [B, N], '[batch_size, num_units]');

  // Optional groups.
  const cifg = !view.has('input_to_input_weights');
  if (view.has('input_to_input_weights') !== view.has('recurrent_to_input_weights')) {
    const missing = cifg ? 'input_to_input_weights' : 'recurrent_to_input_weights';
    add('LSTM.cifg.all_or_none', `${label('input_to_input_weights')} and ${label('recurrent_to_input_weights')} must be both present or both omitted`, at(missing, { expected: 'present', actual: 'omitted' }));
  }
  if (cifg && view.has('cell_to_input_weights')) add('LSTM.cifg.no_cell_to_input', `with CIFG, ${label('cell_to_input_weights')} must be omitted`, at('cell_to_input_weights', { expected: 'omitted', actual: 'present' }));
  if (cifg && view.has('input_gate_bias')) add('LSTM.cifg.no_input_gate_bias', `with CIFG, ${label('input_gate_bias')} must be omitted`, at('input_gate_bias', { expected: 'omitted', actual: 'present' }));
  if (!cifg && !view.has('input_gate_bias')) add('LSTM.input_gate_bias.required', `without CIFG, ${label('input_gate_bias')} is required`, at('input_gate_bias', { expected: 'present', actual: 'omitted' }));

  const pf = view.has('cell_to_forget_weights');
  const po = view.has('cell_to_output_weights');
  const pi = view.has('cell_to_input_weights');
  const peepholeAll = pf && po && (pi || cifg);
  const peepholeNone = !pf && !po && !pi;
  if (!peepholeAll && !peepholeNone) {
    const missing = (['cell_to_input_weights', 'cell_to_forget_weights', 'cell_to_output_weights'] as const).filter((n) => !view.has(n) && !(cifg && n === 'cell_to_input_weights'));
    add('LSTM.peephole.all_or_none', `peephole weights must be all present or all omitted; missing ${missing.map(label).join(', ')}`, at(missing[0] ?? 'cell_to_forget_weights', { expected: 'present', actual: 'omitted' }));
  }

  const projection = view.has('projection_weights');
  const projectionBias = view.has('projection_bias');
  if (projectionBias && !projection) add('LSTM.projection_bias.requires_projection', `${label('projection_bias')} needs ${label('projection_weights')}`, at('projection_bias', { expected: 'omitted without projection_weights', actual: 'present' }));
  if (!projection && O !== N) add('LSTM.no_projection.output_size', `without projection, output_size must equal num_units`, at('recurrent_to_output_weights', { expected: `output_size ${N}`, actual: `output_size ${O}` }));

  let layerNorm = false;
  if (view.layerNormSlots) {
    const li = view.has('input_layer_norm_weights');
    const lf = view.has('forget_layer_norm_weights');
    const lc = view.has('cell_layer_norm_weights');
    const lo = view.has('output_layer_norm_weights');
    layerNorm = lo;
    const trio = [lf, lc, lo];
    const trioConsistent = trio.every((x) => x) || trio.every((x) => !x);
    const allOk = cifg ? trioConsistent : trioConsistent && li === lo;
    if (!allOk) {
      const names = cifg ? (['forget_layer_norm_weights', 'cell_layer_norm_weights', 'output_layer_norm_weights'] as const) : (['input_layer_norm_weights', 'forget_layer_norm_weights', 'cell_layer_norm_weights', 'output_layer_norm_weights'] as const);
      const missing = names.filter((n) => !view.has(n));
      add('LSTM.layer_norm.all_or_none', `layer-normalization weights must be all present or all omitted; missing ${missing.map(label).join(', ')}`, at(missing[0] ?? 'output_layer_norm_weights', { expected: 'present', actual: 'omitted' }));
    }
    if (cifg && li) add('LSTM.layer_norm.cifg_no_input', `with CIFG, ${label('input_layer_norm_weights')} must be omitted`, at('input_layer_norm_weights', { expected: 'omitted', actual: 'present' }));
  }
  return { numUnits: N, outputSize: O, cifg, peephole: peepholeAll, projection, projectionBias, layerNorm };
}

/** The activation and clip scalar rules, shared by the LSTM family. */
export function checkScalars(values: { activation: number; cellClip: number; projClip: number }, at: (name: 'activation' | 'cell_clip' | 'proj_clip') => { index: number | undefined; name: string }, add: AddViolation): void {
  const allowed = loadSpec('LSTM').inputs[LSTM_IN.activation]!.allowedValues ?? [];
  if (!allowed.includes(values.activation)) add('LSTM.activation.value', `activation ${values.activation} is not one of ${allowed.join(', ')}`, { ...at('activation'), expected: allowed.join(' | '), actual: String(values.activation) });
  for (const [name, value] of [['cell_clip', values.cellClip], ['proj_clip', values.projClip]] as const) {
    if (!(value >= 0)) add('LSTM.clip.non_negative', `${name} must be ≥ 0 (0 disables clipping)`, { ...at(name), expected: '≥ 0', actual: String(value) });
  }
}

function checkPrepare(ctx: LstmContext, dtype: 'float32' | 'float16', v: Collector): LstmVariant | undefined {
  const spec = loadSpec('LSTM');
  const at = (name: LstmInputName, extra: { expected?: string; actual?: string } = {}) => ({ index: ctx.indexOf(name), name, ...extra });
  const add: AddViolation = (rule, message, where) => v.add(rule, message, where);

  // Presence of required operands.
  for (const s of spec.inputs) {
    if (s.presence !== 'required') continue;
    const name = s.name as LstmInputName;
    if (!ctx.has(name)) v.add('LSTM.required.present', `required operand ${name} has no value`, at(name));
  }
  if (v.list.length > 0) return undefined;

  const input = ctx.in('input')!.dimensions;
  if (input.length !== 2) v.add('LSTM.input.rank', `input must have rank 2 [batch_size, input_size]`, at('input', { expected: 'rank 2', actual: fmtDims(input) }));
  if (input.length < 2) return undefined;
  const B = input[0]!;
  const I = input[1]!;

  // Zero-sized dimensions: no defined result.
  const zeroPos = ctx.inputs.findIndex((o) => o !== undefined && !isOmitted(o) && o.dimensions.includes(0));
  if (zeroPos >= 0) {
    const name = LSTM_INPUT_NAMES[zeroPos]!;
    v.add('LSTM.dims.nonzero', `${name} has a zero-sized dimension`, at(name, { expected: 'every dimension ≥ 1', actual: fmtDims(ctx.in(name)!.dimensions) }));
  }

  const cell = checkCell(lstmCellView(ctx), B, I, add);
  if (!cell) return undefined;
  const { numUnits: N, outputSize: O, cifg } = cell;

  const activation = scalarValue(ctx.in('activation')!, dtype)!;
  const cellClip = scalarValue(ctx.in('cell_clip')!, dtype)!;
  const projClip = scalarValue(ctx.in('proj_clip')!, dtype)!;
  checkScalars({ activation, cellClip, projClip }, (n) => ({ index: ctx.indexOf(n), name: n }), add);

  // Declared output shapes (0 = unknown).
  const expectedOut: Record<LstmOutputName, number[]> = {
    scratch_buffer: [B, N * (cifg ? 3 : 4)],
    output_state_out: [B, O],
    cell_state_out: [B, N],
    output: [B, O],
  };
  for (const name of LSTM_OUTPUT_NAMES) {
    const d = ctx.out(name)!.dimensions;
    const e = expectedOut[name];
    if (!dimsCompatible(d, e)) v.add('LSTM.outputs.shape', `${name} must be ${fmtDims(e)}`, { index: ctx.outIndexOf(name), name, expected: fmtDims(e), actual: fmtDims(d) });
  }

  return {
    operation: 'LSTM',
    dtype,
    relaxed: ctx.model.isRelaxed === true,
    ...cell,
    activation,
    cellClip,
    projClip,
    batchSize: B,
    inputSize: I,
    inputCount: ctx.inputs.length as 23 | 27,
  };
}

/** Declared output dimensions are compatible with computed ones: unknown rank ([]), or equal with 0 = unknown. */
export function dimsCompatible(declared: readonly number[], computed: readonly number[]): boolean {
  return declared.length === 0 || (declared.length === computed.length && declared.every((x, i) => x === 0 || x === computed[i]));
}
