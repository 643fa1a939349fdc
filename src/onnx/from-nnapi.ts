/**
 * NNAPI LSTM / UNIDIRECTIONAL_SEQUENCE_LSTM / BIDIRECTIONAL_SEQUENCE_LSTM model → one equivalent ONNX `LSTM` node,
 * or the list of reasons it has none. Also the data-layout glue a runtime driver needs around the node: the feeds
 * (X, initial_h, initial_c) built from the NNAPI operands, and the NNAPI outputs read back from Y, Y_h, Y_c.
 *
 * The correspondence (docs/cross-format-facts.md §3): NNAPI gates i, f, c, o → ONNX rows i, o, f, c; W gets the
 * input_to_* weights, R the recurrent_to_* weights, Wb the NNAPI gate biases, Rb zeros; peepholes c→i, c→o, c→f →
 * P = [i, o, f]; the NNAPI activation is ONNX's g and h (NNAPI applies it to both), f is Sigmoid. The node is always
 * written time-major (layout 0): ONNX Runtime refuses layout = 1, and a batch-major NNAPI input is only a data
 * layout, so the feeds and outputs are transposed here instead (see `batchMajor` in {@link OnnxIoPlan}). A float16
 * model becomes a float16 node (ONNX Runtime runs it through Cast nodes: the cell computes in float32).
 */
import { isOmitted, type Model, type Operand } from '../model/model.js';
import { formatViolation } from '../model/violation.js';
import { validateModel } from '../ops/validate.js';
import { roundToFloat16, toFloat16Bits } from '../util/float16.js';
import { LSTM_IN, LSTM_OUTPUT_NAMES } from '../ops/lstm/operands.generated.js';
import {
  BI_SEQUENCE_LSTM_IN,
  biSequenceLstmOutputNames,
  LAYER_NORM_NAMES,
  UNI_SEQUENCE_LSTM_IN,
  UNI_SEQUENCE_LSTM_OUTPUT_NAMES,
  AUX_WEIGHT_NAMES,
  type CellWeightName,
  type Direction,
} from '../ops/sequence/operands.js';
import type { OnnxActivation, OnnxActivationName, OnnxLstmAttributes } from '../ops/onnx-lstm/types.js';
import type { SingleLstmSpec } from './writer.js';

/** Why an NNAPI feature has no ONNX LSTM equivalent: the NNAPI feature, the ONNX attribute/input concerned, and a sentence. */
export interface OnnxUnsupportedReason {
  /** Stable id, counted in reports: `projection`, `layer-norm`, `cell-clip`, `cifg`, `activation-relu6`, … */
  id: string;
  /** The NNAPI feature (operand role or operation). */
  nnapi: string;
  /** The ONNX attribute or input that would have to carry it. */
  onnx: string;
  /** One line for people. */
  message: string;
}

/** Where one NNAPI model output comes from in the ONNX outputs. */
export type OnnxOutputSource =
  /** Y [T, D, B, H] → [T, B, H] (or [B, T, H] batch-major) of one direction, or both concatenated on the last axis. */
  | { from: 'Y'; direction: 0 | 1 | 'concat' }
  /** Y_h / Y_c [D, B, H] → [B, H] of one direction. */
  | { from: 'Y_h' | 'Y_c'; direction: 0 | 1 }
  /** Not produced by ONNX (the LSTM scratch buffer, implementation-defined): zeros of the declared shape. */
  | { from: 'zeros' };

/** The data-layout plan of a converted model: sizes, where the feeds come from, where each NNAPI output comes from. */
export interface OnnxIoPlan {
  /** NNAPI operation converted. */
  operation: 'LSTM' | 'UNIDIRECTIONAL_SEQUENCE_LSTM' | 'BIDIRECTIONAL_SEQUENCE_LSTM';
  /** Element type of every tensor (the ONNX node's T). */
  dtype: 'float32' | 'float16';
  /** T: time steps (1 for LSTM). */
  steps: number;
  /** B: batch size. */
  batch: number;
  /** I: input size. */
  inputSize: number;
  /** H: hidden size (= NNAPI num_units = output size, there being no projection). */
  hiddenSize: number;
  /** D: 2 for BIDIRECTIONAL_SEQUENCE_LSTM, else 1. */
  numDirections: 1 | 2;
  /** The NNAPI input (and sequence outputs) are [B, T, ·]: the driver transposes around the time-major node. */
  batchMajor: boolean;
  /** Model operand of X. */
  input: number;
  /** Model operands of the initial hidden / cell state, per direction (undefined: omitted, fed as zeros). */
  outputStateIn: (number | undefined)[];
  cellStateIn: (number | undefined)[];
  /** One entry per model output (model.outputIndexes order). */
  outputs: { index: number; role: string; dims: number[]; source: OnnxOutputSource }[];
}

/** The conversion's answer: the node (as a writer spec) with its layout plan, or why there is none. */
export type NnapiToOnnxResult =
  | { ok: true; spec: SingleLstmSpec; plan: OnnxIoPlan; notes: string[] }
  /** A valid NNAPI feature ONNX LSTM cannot express. */
  | { ok: false; kind: 'unsupported'; reasons: OnnxUnsupportedReason[] }
  /** Structure the conversion cannot lay out (counts, shapes, value lengths): the model is malformed. */
  | { ok: false; kind: 'invalid'; message: string };

/** The ONNX opset the node is written for (LSTM-14; nothing from 22 is needed). */
export const ONNX_LSTM_OPSET = 14;

const ACTIVATION_NONE = 0;
const ACTIVATION_RELU = 1;
const ACTIVATION_RELU6 = 3;
const ACTIVATION_TANH = 4;
const ACTIVATION_SIGMOID = 6;

/** NNAPI activation code → the ONNX g/h activation (with alpha/beta), or undefined when ONNX has none. */
function onnxActivation(code: number): { name: OnnxActivationName; alpha?: number; beta?: number } | undefined {
  switch (code) {
    case ACTIVATION_NONE:
      // Identity: ONNX's Affine(alpha = 1, beta = 0) is exactly x.
      return { name: 'Affine', alpha: 1, beta: 0 };
    case ACTIVATION_RELU:
      return { name: 'Relu' };
    case ACTIVATION_TANH:
      return { name: 'Tanh' };
    case ACTIVATION_SIGMOID:
      return { name: 'Sigmoid' };
    default:
      return undefined;
  }
}

const reason = (id: string, nnapi: string, onnx: string, message: string): OnnxUnsupportedReason => ({ id, nnapi, onnx, message });

class Invalid extends Error {}

const product = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

/** Reads the operands of one operation by role name. */
class Roles {
  constructor(
    private readonly model: Model,
    private readonly inputs: readonly number[],
    private readonly table: Readonly<Record<string, number>>,
  ) {}

  /** The operand of `role`, or undefined when the operation has no such slot. */
  at(role: string): Operand | undefined {
    const pos = this.table[role];
    if (pos === undefined) return undefined;
    const idx = this.inputs[pos];
    return idx === undefined ? undefined : this.model.operands[idx];
  }

  index(role: string): number | undefined {
    const pos = this.table[role];
    return pos === undefined ? undefined : this.inputs[pos];
  }

  present(role: string): boolean {
    const o = this.at(role);
    return o !== undefined && !isOmitted(o);
  }

  scalar(role: string, fallback: number): number {
    const o = this.at(role);
    if (!o || isOmitted(o)) return fallback;
    const v = o.values[0];
    if (v === undefined) throw new Invalid(`${role} has no value`);
    return Number(v);
  }
}

/** The cell operands of one direction (LSTM / USLSTM: the plain roles; BiLSTM: fw_ / bw_ prefixed). */
interface CellView {
  name: string;
  role(r: CellWeightName | 'output_state_in' | 'cell_state_in'): string;
  layerNorm: string[];
  aux: string[];
}

function cellViews(op: OnnxIoPlan['operation']): CellView[] {
  if (op !== 'BIDIRECTIONAL_SEQUENCE_LSTM') {
    return [{ name: '', role: (r) => r, layerNorm: [...LAYER_NORM_NAMES], aux: [] }];
  }
  return (['fw', 'bw'] as Direction[]).map((d) => ({
    name: `${d}_`,
    role: (r) => `${d}_${r}`,
    layerNorm: LAYER_NORM_NAMES.map((n) => `${d}_${n}`),
    aux: AUX_WEIGHT_NAMES.map((n) => `${d}_${n}`),
  }));
}

/** NNAPI gate name of each ONNX row block, in ONNX order i, o, f, c. */
const ONNX_GATE_ORDER = ['input', 'output', 'forget', 'cell'] as const;
/** NNAPI peephole name of each ONNX P block, in ONNX order i, o, f. */
const ONNX_PEEPHOLE_ORDER = ['input', 'output', 'forget'] as const;

/** The operand's values as float32 (float16 models: each value rounded to binary16 first, as NNAPI reads them). */
function floatValues(o: Operand, role: string, dims: readonly number[], dtype: OnnxIoPlan['dtype']): Float32Array {
  if (o.dimensions.length !== dims.length || o.dimensions.some((d, k) => d !== dims[k])) {
    throw new Invalid(`${role} has dimensions [${o.dimensions.join(', ')}], expected [${dims.join(', ')}]`);
  }
  if (o.values.length !== product(dims)) throw new Invalid(`${role} has ${o.values.length} values, expected ${product(dims)}`);
  const out = dtype === 'float16' ? Float32Array.from(o.values, roundToFloat16) : Float32Array.from(o.values);
  // A finite value the element type cannot hold would be written as ±Infinity: not the operand's value.
  const k = out.findIndex((v, i) => !Number.isFinite(v) && Number.isFinite(o.values[i]));
  if (k >= 0) throw new Invalid(`${role}[${k}] = ${o.values[k]} cannot be written as ${dtype}: it rounds to ${out[k]}`);
  return out;
}

/** One reason per id: the same feature in both directions is one reason naming both operands. */
function mergeByDirection(reasons: readonly OnnxUnsupportedReason[]): OnnxUnsupportedReason[] {
  const byId = new Map<string, OnnxUnsupportedReason>();
  for (const r of reasons) {
    const seen = byId.get(r.id);
    if (!seen) byId.set(r.id, { ...r });
    else if (!seen.nnapi.split(', ').includes(r.nnapi)) seen.nnapi = `${seen.nnapi}, ${r.nnapi}`;
  }
  return [...byId.values()];
}

/** NNAPI input counts and output counts of each operation (the role tables are read by position). */
const SIGNATURES: Record<OnnxIoPlan['operation'], { inputs: readonly number[]; outputs: readonly number[] }> = {
  LSTM: { inputs: [23, 27], outputs: [4] },
  UNIDIRECTIONAL_SEQUENCE_LSTM: { inputs: [28], outputs: [1, 3] },
  BIDIRECTIONAL_SEQUENCE_LSTM: { inputs: [61], outputs: [1, 2, 5, 6] },
};

function checkSignature(kind: OnnxIoPlan['operation'], inputs: number, outputs: number): void {
  const sig = SIGNATURES[kind];
  if (!sig.inputs.includes(inputs)) throw new Invalid(`${kind} with ${inputs} inputs (expected ${sig.inputs.join(' or ')})`);
  if (!sig.outputs.includes(outputs)) throw new Invalid(`${kind} with ${outputs} outputs (expected ${sig.outputs.join(' or ')})`);
}

/** The scalar roles the conversion reads, with the NNAPI type each must have. */
const SCALAR_TYPES: Readonly<Record<string, string>> = { activation: 'INT32', cell_clip: 'FLOAT32', proj_clip: 'FLOAT32', time_major: 'BOOL', merge_outputs: 'BOOL' };
const STATE_ROLES = ['output_state_in', 'cell_state_in'] as const;

/** Every operand the node is built from must have the type the conversion reads it as (all float16 or all float32). */
function checkTypes(kind: OnnxIoPlan['operation'], roles: Roles, views: readonly CellView[], model: Model, dtype: OnnxIoPlan['dtype']): void {
  const tensor = dtype === 'float16' ? 'TENSOR_FLOAT16' : 'TENSOR_FLOAT32';
  const float = dtype === 'float16' ? 'FLOAT16' : 'FLOAT32';
  const want = (role: string, type: string) => {
    const o = roles.at(role);
    if (o && !isOmitted(o) && o.type !== type) throw new Invalid(`${role} is ${o.type}, expected ${type}`);
  };
  const scalar = (role: string) => {
    const o = roles.at(role);
    if (o && !isOmitted(o) && o.dimensions.length > 0) throw new Invalid(`${role} is read as a scalar but declares dimensions [${o.dimensions.join(', ')}]`);
  };
  want('input', tensor);
  for (const v of views) {
    for (const gate of ['input', 'forget', 'cell', 'output']) {
      want(v.role(`input_to_${gate}_weights` as CellWeightName), tensor);
      want(v.role(`recurrent_to_${gate}_weights` as CellWeightName), tensor);
      want(v.role(`${gate}_gate_bias` as CellWeightName), tensor);
    }
    for (const gate of ONNX_PEEPHOLE_ORDER) want(v.role(`cell_to_${gate}_weights`), tensor);
    for (const r of STATE_ROLES) want(v.role(r), tensor);
  }
  for (const [role, type] of Object.entries(SCALAR_TYPES)) {
    if (kind === 'LSTM' && (role === 'time_major' || role === 'merge_outputs')) continue;
    if (kind !== 'BIDIRECTIONAL_SEQUENCE_LSTM' && role === 'merge_outputs') continue;
    want(role, type === 'FLOAT32' ? float : type);
    scalar(role);
  }
  for (const idx of model.outputIndexes) {
    const o = model.operands[idx];
    if (o && o.type !== tensor) throw new Invalid(`output operand ${idx} (${o.name}) is ${o.type}, expected ${tensor}`);
  }
}

/** A declared output shape must be the one the node produces (0 = an extent left unknown, any rank when empty). */
function checkOutput(o: Operand, role: string, dims: readonly number[]): void {
  if (o.dimensions.length === 0) return;
  if (o.dimensions.length !== dims.length || o.dimensions.some((d, k) => d !== 0 && d !== dims[k])) {
    throw new Invalid(`${role} is declared [${o.dimensions.join(', ')}]; the ONNX LSTM produces [${dims.join(', ')}]`);
  }
}

/** The NNAPI output role of each model output, from the operation's output list. */
function outputRoles(model: Model, kind: OnnxIoPlan['operation'], merge: boolean): { index: number; role: string }[] {
  const op = model.operations[0]!;
  let names: readonly string[];
  if (kind === 'LSTM') names = LSTM_OUTPUT_NAMES;
  else if (kind === 'UNIDIRECTIONAL_SEQUENCE_LSTM') names = UNI_SEQUENCE_LSTM_OUTPUT_NAMES;
  else {
    try {
      names = biSequenceLstmOutputNames(op.outputs.length, merge);
    } catch (e) {
      throw new Invalid((e as Error).message);
    }
  }
  if (op.outputs.length > names.length) throw new Invalid(`${kind} has ${op.outputs.length} outputs; at most ${names.length} exist`);
  const twice = op.outputs.find((idx, k) => op.outputs.indexOf(idx) !== k);
  if (twice !== undefined) throw new Invalid(`operand ${twice} is written as two outputs of the operation (${names[op.outputs.indexOf(twice)]} and ${names[op.outputs.lastIndexOf(twice)]})`);
  return model.outputIndexes.map((index) => {
    const pos = op.outputs.indexOf(index);
    if (pos < 0) throw new Invalid(`model output operand ${index} is not an output of the ${kind} operation`);
    return { index, role: names[pos]! };
  });
}

/**
 * The NNAPI rules the ONNX node cannot carry, so the conversion itself must enforce them (a driver built on ONNX
 * Runtime still answers BAD_DATA as an NNAPI driver must): ORT runs an empty batch, and the ONNX model has no place
 * for a model I/O list with repeats or for a scale on a float tensor. The spec validator judges them; only these
 * rules are taken from its verdict (everything else the node expresses, or the conversion refuses, itself).
 */
const CARRIED_BY_CONVERSION = /^(model\.io\.unique|model\.operand\.quant_params|[A-Z_]+\.dims\.nonzero)$/;

function checkModelRules(model: Model): void {
  const v = validateModel(model);
  const broken = v.ok ? [] : v.violations.filter((x) => CARRIED_BY_CONVERSION.test(x.rule));
  if (broken.length) throw new Invalid(broken.map(formatViolation).join('; '));
}

const CONVERTED = new Set<string>(['LSTM', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM']);

/** Operand types of the float tensors a converted model may hold. */
const FLOAT16_TYPES = new Set(['TENSOR_FLOAT16', 'FLOAT16']);
const QUANTIZED_TYPES = new Set(['TENSOR_QUANT8_ASYMM', 'TENSOR_QUANT8_ASYMM_SIGNED', 'TENSOR_QUANT8_SYMM', 'TENSOR_QUANT16_SYMM', 'TENSOR_QUANT16_ASYMM', 'TENSOR_QUANT8_SYMM_PER_CHANNEL']);

/**
 * Converts a single-operation NNAPI LSTM-family model (its constants and the values its inputs carry) into one ONNX
 * LSTM node (a {@link SingleLstmSpec} for `singleLstmModel` of ./writer.ts: the weights as initializers, X /
 * initial_h / initial_c as graph inputs), plus the layout plan.
 * Unsupported features are all listed (not only the first); each names the NNAPI feature and the ONNX attribute.
 *
 * @example
 * ```ts
 * const r = nnapiToOnnxLstm(model);
 * if (r.ok) bytes = singleLstmModel(r.spec).bytes;
 * else if (r.kind === 'unsupported') console.log(r.reasons.map((x) => x.message));
 * ```
 */
export function nnapiToOnnxLstm(model: Model): NnapiToOnnxResult {
  try {
    return convert(model);
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, kind: 'invalid', message: e.message };
    throw e;
  }
}

function convert(model: Model): NnapiToOnnxResult {
  const op = model.operations[0];
  if (model.operations.length !== 1 || !op) throw new Invalid(`expected one operation, found ${model.operations.length}`);
  if (!CONVERTED.has(op.type)) {
    const quantized = op.type === 'QUANTIZED_LSTM' || op.type === 'QUANTIZED_16BIT_LSTM';
    return {
      ok: false,
      kind: 'unsupported',
      reasons: [
        quantized
          ? reason('quantized', op.type, 'LSTM T ∈ {float, double}', `${op.type}: ONNX LSTM is a float operator (T = float16/float/double); ONNX has no quantized LSTM in ai.onnx`)
          : reason('operation', op.type, 'LSTM', `${op.type} is not an LSTM-family operation this conversion knows`),
      ],
    };
  }
  const kind = op.type as OnnxIoPlan['operation'];
  const table = kind === 'LSTM' ? LSTM_IN : kind === 'UNIDIRECTIONAL_SEQUENCE_LSTM' ? UNI_SEQUENCE_LSTM_IN : BI_SEQUENCE_LSTM_IN;
  const roles = new Roles(model, op.inputs, table as Readonly<Record<string, number>>);
  const views = cellViews(kind);
  const reasons: OnnxUnsupportedReason[] = [];
  const notes: string[] = [];

  // Types first: a quantized model is not converted at all; a float16 one becomes a float16 ONNX node.
  const used = op.inputs.map((i) => model.operands[i]).filter((o): o is Operand => o !== undefined && !isOmitted(o));
  const dtype: OnnxIoPlan['dtype'] = used.some((o) => FLOAT16_TYPES.has(o.type)) ? 'float16' : 'float32';
  if (used.some((o) => QUANTIZED_TYPES.has(o.type))) {
    reasons.push(reason('quantized', 'quantized operands', 'LSTM T ∈ {float, double}', 'quantized tensors: ONNX LSTM takes float tensors only'));
  }
  if (reasons.length > 0) return { ok: false, kind: 'unsupported', reasons };

  checkSignature(kind, op.inputs.length, op.outputs.length);
  checkTypes(kind, roles, views, model, dtype);
  checkModelRules(model);

  const input = roles.at('input');
  const inputIndex = roles.index('input');
  if (!input || inputIndex === undefined) throw new Invalid('the operation has no input operand');
  const timeMajor = kind === 'LSTM' ? true : roles.scalar('time_major', 1) !== 0;
  const rank = kind === 'LSTM' ? 2 : 3;
  if (input.dimensions.length !== rank) throw new Invalid(`input has rank ${input.dimensions.length}, expected ${rank}`);
  const [steps, batch, inputSize] =
    kind === 'LSTM' ? [1, input.dimensions[0]!, input.dimensions[1]!] : timeMajor ? (input.dimensions as [number, number, number]) : [input.dimensions[1]!, input.dimensions[0]!, input.dimensions[2]!];

  // Sizes from the output-gate weights (present in every valid variant, CIFG included).
  const hiddenSizes = views.map((v) => roles.at(v.role('input_to_output_weights'))?.dimensions[0]);
  if (hiddenSizes.some((h) => h === undefined)) throw new Invalid('input_to_output_weights has no dimension 0');
  const hiddenSize = hiddenSizes[0]!;
  if (hiddenSizes.some((h) => h !== hiddenSize)) {
    reasons.push(
      reason('direction-sizes', 'fw/bw num_units', 'hidden_size', `forward num_units ${String(hiddenSizes[0])} ≠ backward ${String(hiddenSizes[1])}: ONNX hidden_size is one value for both directions`),
    );
  }

  for (const v of views) {
    const p = v.name;
    if (!roles.present(v.role('input_to_input_weights'))) {
      reasons.push(
        reason('cifg', `${p}input_to_input_weights omitted (CIFG)`, 'input_forget', 'CIFG (NNAPI couples i = 1 − f): ONNX input_forget is a different coupling (ONNX Runtime computes f = 1 − i, uni_directional_lstm.cc), so it cannot express CIFG'),
      );
    }
    if (roles.present(v.role('projection_weights'))) {
      reasons.push(reason('projection', `${p}projection_weights`, 'none (Y_h = o ⊙ h(C_t))', 'projection: ONNX LSTM has no projection layer (its hidden state is always [·, hidden_size])'));
      if (roles.scalar('proj_clip', 0) > 0 && !reasons.some((r) => r.id === 'proj-clip')) {
        reasons.push(reason('proj-clip', 'proj_clip > 0', 'clip', 'proj_clip: ONNX clip bounds the activation inputs, not the projection output'));
      }
    } else if (roles.present(v.role('projection_bias'))) {
      reasons.push(reason('projection', `${p}projection_bias`, 'none', 'projection bias: ONNX LSTM has no projection layer'));
    }
    if (v.layerNorm.some((r) => roles.present(r))) {
      reasons.push(reason('layer-norm', `${p}*_layer_norm_weights`, 'none', 'layer normalization: ONNX LSTM has no layer-norm weights (the gate pre-activations are not normalized)'));
    }
    if (v.aux.some((r) => roles.present(r))) {
      reasons.push(reason('aux-input', `${p}aux_input_to_*_weights`, 'X (one input)', 'aux input weights: ONNX LSTM has a single input X and one W per direction'));
    }
  }
  if (kind === 'BIDIRECTIONAL_SEQUENCE_LSTM' && roles.present('aux_input') && !reasons.some((r) => r.id === 'aux-input')) {
    reasons.push(reason('aux-input', 'aux_input', 'X (one input)', 'aux_input: ONNX LSTM has a single input X (the backward cell cannot read a second input)'));
  }
  const cellClip = roles.scalar('cell_clip', 0);
  if (cellClip !== 0) {
    reasons.push(reason('cell-clip', `cell_clip = ${cellClip}`, 'clip', 'cell_clip: NNAPI bounds the cell state C_t; ONNX clip bounds the inputs of the activations (the gate pre-activations), a different quantity'));
  }
  const activation = roles.scalar('activation', ACTIVATION_TANH);
  const act = onnxActivation(activation);
  if (!act) {
    reasons.push(
      activation === ACTIVATION_RELU6
        ? reason('activation-relu6', 'activation = 3 (relu6)', 'activations', 'activation relu6: none of ONNX\'s RNN activations (Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus) computes min(max(x, 0), 6)')
        : reason('activation', `activation = ${activation}`, 'activations', `activation ${activation}: no ONNX RNN activation corresponds`),
    );
  }
  if (reasons.length > 0) return { ok: false, kind: 'unsupported', reasons: mergeByDirection(reasons) };
  if (kind !== 'LSTM' && roles.scalar('proj_clip', 0) > 0) notes.push('proj_clip > 0 without projection has no effect in NNAPI and is not written');

  const D = views.length as 1 | 2;
  const H = hiddenSize;
  const I = inputSize;
  const W = new Float32Array(D * 4 * H * I);
  const R = new Float32Array(D * 4 * H * H);
  const B = new Float32Array(D * 8 * H);
  const hasPeephole = views.some((v) => roles.present(v.role('cell_to_forget_weights')) || roles.present(v.role('cell_to_output_weights')));
  const P = hasPeephole ? new Float32Array(D * 3 * H) : undefined;
  views.forEach((v, d) => {
    ONNX_GATE_ORDER.forEach((gate, g) => {
      const w = roles.at(v.role(`input_to_${gate}_weights`));
      const r = roles.at(v.role(`recurrent_to_${gate}_weights`));
      const b = roles.at(v.role(`${gate}_gate_bias`));
      if (!w || !r || !b || isOmitted(w) || isOmitted(r) || isOmitted(b)) throw new Invalid(`${v.name}${gate} gate: weights or bias missing`);
      W.set(floatValues(w, v.role(`input_to_${gate}_weights`), [H, I], dtype), (d * 4 + g) * H * I);
      // Without projection NNAPI's output size is num_units: the recurrent weights are [H, H].
      R.set(floatValues(r, v.role(`recurrent_to_${gate}_weights`), [H, H], dtype), (d * 4 + g) * H * H);
      B.set(floatValues(b, v.role(`${gate}_gate_bias`), [H], dtype), d * 8 * H + g * H);
    });
    if (P) {
      const present = ONNX_PEEPHOLE_ORDER.map((gate) => roles.present(v.role(`cell_to_${gate}_weights`)));
      if (present.some((x) => !x) && present.some((x) => x)) throw new Invalid(`${v.name}cell_to_*_weights: some peepholes present and some omitted`);
      ONNX_PEEPHOLE_ORDER.forEach((gate, g) => {
        const role = v.role(`cell_to_${gate}_weights`);
        const o = roles.at(role);
        if (o && !isOmitted(o)) P.set(floatValues(o, role, [H], dtype), (d * 3 + g) * H);
      });
    }
  });

  const stateIndex = (v: CellView, r: 'output_state_in' | 'cell_state_in'): number | undefined => {
    const role = v.role(r);
    const o = roles.at(role);
    if (!o || isOmitted(o)) return undefined;
    if (o.dimensions.length !== 2 || o.dimensions[0] !== batch || o.dimensions[1] !== H) {
      throw new Invalid(`${role} has dimensions [${o.dimensions.join(', ')}], expected [${batch}, ${H}]`);
    }
    return roles.index(role);
  };
  const outputStateIn = views.map((v) => stateIndex(v, 'output_state_in'));
  const cellStateIn = views.map((v) => stateIndex(v, 'cell_state_in'));

  const merge = kind === 'BIDIRECTIONAL_SEQUENCE_LSTM' && roles.scalar('merge_outputs', 0) !== 0;
  const outputs = outputRoles(model, kind, merge).map(({ index, role }) => {
    const seqDims = (width: number) => (timeMajor ? [steps, batch, width] : [batch, steps, width]);
    let source: OnnxOutputSource;
    let dims: number[];
    const dir = role.startsWith('bw_') ? 1 : 0;
    const base = role.replace(/^(fw|bw)_/, '');
    if (role === 'scratch_buffer') {
      source = { from: 'zeros' };
      dims = model.operands[index]!.dimensions.slice();
    } else if (base === 'output') {
      if (kind === 'LSTM') {
        source = { from: 'Y_h', direction: 0 };
        dims = [batch, H];
      } else if (merge) {
        source = { from: 'Y', direction: 'concat' };
        dims = seqDims(2 * H);
      } else {
        source = { from: 'Y', direction: dir };
        dims = seqDims(H);
      }
    } else if (base === 'output_state_out' || base === 'cell_state_out') {
      source = { from: base === 'output_state_out' ? 'Y_h' : 'Y_c', direction: dir };
      dims = [batch, H];
    } else {
      throw new Invalid(`no ONNX output for NNAPI output ${role}`);
    }
    if (source.from !== 'zeros') checkOutput(model.operands[index]!, role, dims);
    return { index, role, dims, source };
  });

  const activations: OnnxActivation[] = Array.from({ length: D }, (): OnnxActivation[] => [{ name: 'Sigmoid' }, { ...act! }, { ...act! }]).flat();
  const attrs: OnnxLstmAttributes = { hiddenSize: H, direction: D === 2 ? 'bidirectional' : 'forward', layout: 0, inputForget: 0, activations };
  const spec: SingleLstmSpec = {
    attrs,
    inputs: {
      xDims: [steps, batch, I],
      constants: {
        W: { dims: [D, 4 * H, I], data: W },
        R: { dims: [D, 4 * H, H], data: R },
        B: { dims: [D, 8 * H], data: B },
        ...(P ? { P: { dims: [D, 3 * H], data: P } } : {}),
      },
      graphInputs: { initial_h: [D, batch, H], initial_c: [D, batch, H] },
    },
    opset: ONNX_LSTM_OPSET,
    dataType: dtype === 'float16' ? 'FLOAT16' : 'FLOAT',
  };
  if (dtype === 'float16') {
    notes.push('float16: ONNX Runtime has no float16 LSTM kernel on its CPU provider; its InsertCastTransformer (core/optimizer/insert_cast_transformer.cc) casts the node to float32, so the cell computes in float32 and the outputs are rounded to float16 once');
  }
  if (!timeMajor) notes.push('batch-major NNAPI input: X and Y are transposed around the time-major ONNX node (ONNX Runtime refuses layout = 1)');
  return {
    ok: true,
    spec,
    plan: { operation: kind, dtype, steps, batch, inputSize: I, hiddenSize: H, numDirections: D, batchMajor: !timeMajor, input: inputIndex, outputStateIn, cellStateIn, outputs },
    notes,
  };
}

/** One ONNX Runtime feed: float32 data, or float16 as binary16 bits, with its dims. */
export type OnnxFloatFeed = { type: 'float32'; dims: number[]; data: Float32Array } | { type: 'float16'; dims: number[]; data: Uint16Array };

/** The feed of `data` (kept in float64 until here, so that float16 values are rounded once). */
function feed(dtype: OnnxIoPlan['dtype'], dims: number[], data: Float64Array): OnnxFloatFeed {
  if (dtype === 'float32') return { type: 'float32', dims, data: Float32Array.from(data) };
  const bits = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) bits[i] = toFloat16Bits(data[i]!);
  return { type: 'float16', dims, data: bits };
}

/** The operand values the feeds are built from (an execution's inputs, or the model's own example values). */
export type OperandValues = (index: number) => ArrayLike<number> | null;

/**
 * The X / initial_h / initial_c feeds of a converted model: X transposed to time-major when the NNAPI input is
 * batch-major, the per-direction states stacked as [D, B, H] (an omitted state is zeros); float16 models get
 * binary16 bits (values rounded to nearest even).
 */
export function onnxFeeds(plan: OnnxIoPlan, values: OperandValues): Record<'X' | 'initial_h' | 'initial_c', OnnxFloatFeed> {
  const { steps: T, batch: Bn, inputSize: I, hiddenSize: H, numDirections: D } = plan;
  const x = values(plan.input);
  if (!x || x.length !== T * Bn * I) throw new RangeError(`input has ${x?.length ?? 0} values, expected ${T * Bn * I}`);
  const X = new Float64Array(T * Bn * I);
  if (plan.batchMajor) {
    for (let b = 0; b < Bn; b++) for (let t = 0; t < T; t++) for (let k = 0; k < I; k++) X[(t * Bn + b) * I + k] = x[(b * T + t) * I + k]!;
  } else {
    X.set(x);
  }
  const states = (which: (number | undefined)[], name: string): OnnxFloatFeed => {
    const out = new Float64Array(D * Bn * H);
    which.forEach((idx, d) => {
      if (idx === undefined) return;
      const v = values(idx);
      if (v === null) return;
      if (v.length !== Bn * H) throw new RangeError(`${name} (direction ${d}) has ${v.length} values, expected ${Bn * H}`);
      out.set(v, d * Bn * H);
    });
    return feed(plan.dtype, [D, Bn, H], out);
  };
  return {
    X: feed(plan.dtype, [T, Bn, I], X),
    initial_h: states(plan.outputStateIn, 'output_state_in'),
    initial_c: states(plan.cellStateIn, 'cell_state_in'),
  };
}

/** One NNAPI output read back from the ONNX outputs. */
export interface NnapiOutput {
  index: number;
  dimensions: number[];
  values: Float32Array;
}

/**
 * The NNAPI model outputs from ONNX Y [T, D, B, H], Y_h and Y_c [D, B, H] (time-major node), in the plan's order.
 * Throws RangeError when an ONNX output is missing or has the wrong size.
 */
export function nnapiOutputs(plan: OnnxIoPlan, onnx: Partial<Record<'Y' | 'Y_h' | 'Y_c', ArrayLike<number>>>): NnapiOutput[] {
  const { steps: T, batch: Bn, hiddenSize: H, numDirections: D } = plan;
  const need = (name: 'Y' | 'Y_h' | 'Y_c', n: number) => {
    const v = onnx[name];
    if (!v || v.length !== n) throw new RangeError(`ONNX output ${name} has ${v?.length ?? 0} values, expected ${n}`);
    return v;
  };
  return plan.outputs.map(({ index, dims, source }) => {
    const values = new Float32Array(product(dims));
    if (source.from === 'Y_h' || source.from === 'Y_c') {
      const v = need(source.from, D * Bn * H);
      const from = source.direction * Bn * H;
      for (let k = 0; k < Bn * H; k++) values[k] = v[from + k]!;
    } else if (source.from === 'Y') {
      const y = need('Y', T * D * Bn * H);
      const dirs = source.direction === 'concat' ? [0, 1] : [source.direction];
      const width = dirs.length * H;
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < Bn; b++) {
          const row = plan.batchMajor ? (b * T + t) * width : (t * Bn + b) * width;
          dirs.forEach((d, k) => {
            const from = ((t * D + d) * Bn + b) * H;
            for (let h = 0; h < H; h++) values[row + k * H + h] = y[from + h]!;
          });
        }
      }
    }
    return { index, dimensions: dims.slice(), values };
  });
}
