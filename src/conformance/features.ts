/**
 * Feature summary of a model, computed from the model itself: which optional operands carry a
 * value, the float type, the relaxed flag, the activation and clip values, the sizes.
 * (A local reading of the operand table; src/ops/lstm/validate.ts is the authority on validity.)
 */
import { isOmitted, type Model, type Operand } from '../model/model.js';
import type { FeatureLevel } from '../model/operand-types.js';
import { LSTM_IN } from '../ops/lstm/operands.generated.js';
import type { LstmVariant } from '../ops/lstm/validate.js';
import { validateModel } from '../ops/validate.js';

/**
 * The validator's LstmVariant fields plus the feature level. A mapped type (not an interface) so
 * that it is assignable to CaseFeatures' index signature.
 */
export type LstmFeatures = { [K in keyof LstmVariant]: LstmVariant[K] } & { featureLevel: FeatureLevel };

/** What every case carries; LSTM cases carry all of LstmFeatures. */
export interface CaseFeatures {
  /** NNAPI operation name. */
  operation: string;
  /** Element type: `float32`, `float16`, `quant8-asymm-signed`, `quant8-asymm`. */
  dtype: string;
  /** The model sets isRelaxed. */
  relaxed: boolean;
  [key: string]: unknown;
}

export const GROUPS = [
  'basic',
  'cifg',
  'peephole',
  'projection',
  'projection-bias',
  'layer-norm',
  'clipping',
  'activation',
  'float16',
  'relaxed',
  'batch',
  'state',
  'sequence',
  'bidirectional',
  'aux-input',
  'time-major',
  'validation',
  'quantized',
] as const;
/** A feature group a case is summarised under (`basic`, `cifg`, `peephole`, …, `validation`, `quantized`); filter on one with `group:NAME`. */
export type Group = (typeof GROUPS)[number];

/** Which group names a case by, most specific first (the rarest features win). */
const GROUP_PRIORITY: readonly Group[] = [
  'validation',
  'quantized',
  'bidirectional',
  'sequence',
  'float16',
  'relaxed',
  'clipping',
  'activation',
  'layer-norm',
  'projection-bias',
  'projection',
  'cifg',
  'peephole',
  'state',
  'batch',
  'aux-input',
  'time-major',
  'basic',
];

export class FeatureError extends Error {
  override readonly name = 'FeatureError';
}

/** NNAPI fused-activation / LSTM activation codes (facts §C.1). */
export const ACTIVATION_NAMES: Readonly<Record<number, string>> = {
  0: 'none',
  1: 'relu',
  2: 'relu1',
  3: 'relu6',
  4: 'tanh',
  5: 'signbit',
  6: 'sigmoid',
};

export function activationName(code: number): string {
  return ACTIVATION_NAMES[code] ?? `act${code}`;
}

const OP_SLUGS: Readonly<Record<string, string>> = {
  LSTM: 'lstm',
  UNIDIRECTIONAL_SEQUENCE_LSTM: 'uslstm',
  BIDIRECTIONAL_SEQUENCE_LSTM: 'bilstm',
  QUANTIZED_LSTM: 'qlstm',
  QUANTIZED_16BIT_LSTM: 'qlstm16',
};

export function operationSlug(op: string): string {
  return OP_SLUGS[op] ?? op.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

const DTYPES: Readonly<Record<string, string>> = {
  TENSOR_FLOAT32: 'float32',
  TENSOR_FLOAT16: 'float16',
  TENSOR_QUANT8_ASYMM: 'quant8-asymm',
  TENSOR_QUANT8_ASYMM_SIGNED: 'quant8-asymm-signed',
};

function theOperation(model: Model) {
  if (model.operations.length !== 1) {
    throw new FeatureError(`expected exactly one operation, found ${model.operations.length}`);
  }
  return model.operations[0]!;
}

function inputOperand(model: Model, position: number): Operand | undefined {
  const idx = theOperation(model).inputs[position];
  return idx === undefined ? undefined : model.operands[idx];
}

function present(op: Operand | undefined): boolean {
  return op !== undefined && !isOmitted(op);
}

function scalar(op: Operand | undefined, what: string): number {
  const v = op?.values[0];
  if (op === undefined || isOmitted(op) || v === undefined) throw new FeatureError(`${what} has no value`);
  return v;
}

function dim(op: Operand | undefined, k: number, what: string): number {
  const d = op?.dimensions[k];
  if (d === undefined) throw new FeatureError(`${what} has no dimension ${k}`);
  return d;
}

/** Features of a single-LSTM model. Throws FeatureError when the model is not one. */
export function lstmFeatures(model: Model): LstmFeatures {
  const operation = theOperation(model);
  if (operation.type !== 'LSTM') throw new FeatureError(`operation is ${operation.type}, not LSTM`);
  const n = operation.inputs.length;
  if (n !== 23 && n !== 27) throw new FeatureError(`LSTM with ${n} inputs`);
  const at = (name: keyof typeof LSTM_IN) => inputOperand(model, LSTM_IN[name]);
  const input = at('input');
  const dtype = input?.type === 'TENSOR_FLOAT16' ? 'float16' : input?.type === 'TENSOR_FLOAT32' ? 'float32' : undefined;
  if (dtype === undefined) throw new FeatureError(`input type ${input?.type ?? '?'} is not a float tensor type`);
  const relaxed = model.isRelaxed === true;
  const layerNorm =
    n === 27 &&
    (['input_layer_norm_weights', 'forget_layer_norm_weights', 'cell_layer_norm_weights', 'output_layer_norm_weights'] as const).some((k) =>
      present(at(k)),
    );
  const featureLevel: FeatureLevel = dtype === 'float16' || n === 27 ? 3 : relaxed ? 2 : 1;
  return {
    operation: 'LSTM',
    dtype,
    relaxed,
    cifg: !present(at('input_to_input_weights')),
    peephole: (['cell_to_input_weights', 'cell_to_forget_weights', 'cell_to_output_weights'] as const).some((k) => present(at(k))),
    projection: present(at('projection_weights')),
    projectionBias: present(at('projection_bias')),
    layerNorm,
    activation: scalar(at('activation'), 'activation'),
    cellClip: scalar(at('cell_clip'), 'cell_clip'),
    projClip: scalar(at('proj_clip'), 'proj_clip'),
    batchSize: dim(input, 0, 'input'),
    inputSize: dim(input, 1, 'input'),
    numUnits: dim(at('input_to_output_weights'), 0, 'input_to_output_weights'),
    outputSize: dim(at('recurrent_to_output_weights'), 1, 'recurrent_to_output_weights'),
    inputCount: n,
    featureLevel,
  };
}

/**
 * Features of a sequence model, from its validator (the authority): the variant plus its feature level.
 * The bidirectional variant's per-direction cells stay nested under fw / bw.
 */
export function sequenceFeatures(model: Model): CaseFeatures {
  const r = validateModel(model);
  // An invalid model (a negative case) has only the generic features.
  if (!r.ok) return genericFeatures(model);
  return { ...(r.variant as unknown as CaseFeatures), featureLevel: r.featureLevel };
}

/** Features of any model: full LSTM features, or the generic {operation, dtype, relaxed}. */
export function modelFeatures(model: Model): CaseFeatures {
  const operation = theOperation(model);
  if (operation.type === 'LSTM') return { ...lstmFeatures(model) };
  if (operation.type === 'UNIDIRECTIONAL_SEQUENCE_LSTM' || operation.type === 'BIDIRECTIONAL_SEQUENCE_LSTM') return sequenceFeatures(model);
  // The quantized ops: the validator's variant (as for the sequence ops).
  if (operation.type === 'QUANTIZED_LSTM' || operation.type === 'QUANTIZED_16BIT_LSTM') return sequenceFeatures(model);
  return genericFeatures(model);
}

function genericFeatures(model: Model): CaseFeatures {
  const operation = theOperation(model);
  const first = inputOperand(model, 0);
  return {
    operation: operation.type,
    dtype: (first && DTYPES[first.type]) ?? first?.type.toLowerCase() ?? 'unknown',
    relaxed: model.isRelaxed === true,
  };
}

/** Best effort for models that may be invalid (negative cases): never throws. */
export function safeModelFeatures(model: Model): CaseFeatures {
  try {
    return modelFeatures(model);
  } catch {
    const type = model.operations?.[0]?.type;
    return { operation: typeof type === 'string' ? type : 'unknown', dtype: 'unknown', relaxed: model.isRelaxed === true };
  }
}

function isLstmFeatures(f: CaseFeatures): f is CaseFeatures & LstmFeatures {
  return f.operation === 'LSTM' && typeof f['cifg'] === 'boolean';
}

/**
 * File-name stem from the feature matrix, e.g. `lstm-f32-nocifg-peephole-proj-noln-tanh-b2`.
 * Clip tokens appear only when a clip is enabled.
 */
export function featureSlug(f: CaseFeatures): string {
  const dt = f.dtype === 'float32' ? 'f32' : f.dtype === 'float16' ? 'f16' : f.dtype === 'quant8-asymm-signed' ? 'i8' : f.dtype === 'quant8-asymm' ? 'u8' : f.dtype;
  const parts = [operationSlug(f.operation), f.relaxed ? `${dt}relaxed` : dt];
  if (isLstmFeatures(f)) {
    parts.push(
      f.cifg ? 'cifg' : 'nocifg',
      f.peephole ? 'peephole' : 'nopeephole',
      f.projection ? (f.projectionBias ? 'projbias' : 'proj') : f.projectionBias ? 'noproj-projbias' : 'noproj',
      f.layerNorm ? 'ln' : 'noln',
      activationName(f.activation),
    );
    if (f.cellClip !== 0) parts.push('cellclip');
    if (f.projClip !== 0) parts.push('projclip');
    parts.push(`b${f.batchSize}`);
  } else if (f.operation === 'UNIDIRECTIONAL_SEQUENCE_LSTM' || f.operation === 'BIDIRECTIONAL_SEQUENCE_LSTM') {
    const cellSlug = (c: Record<string, unknown>) =>
      [c['cifg'] ? 'cifg' : 'nocifg', c['peephole'] ? 'peephole' : 'nopeephole', c['projection'] ? (c['projectionBias'] ? 'projbias' : 'proj') : 'noproj', c['layerNorm'] ? 'ln' : 'noln'].join('-');
    parts.push(f['timeMajor'] ? 'tm' : 'bm');
    if (f.operation === 'UNIDIRECTIONAL_SEQUENCE_LSTM') parts.push(cellSlug(f));
    else {
      const fw = cellSlug(f['fw'] as Record<string, unknown>);
      const bw = cellSlug(f['bw'] as Record<string, unknown>);
      parts.push(fw === bw ? fw : `fw-${fw}-bw-${bw}`);
      if (f['aux'] !== 'none') parts.push(String(f['aux']));
      if (f['mergeOutputs']) parts.push('merged');
    }
    parts.push(activationName(Number(f['activation'])));
    if (f['cellClip'] !== 0) parts.push('cellclip');
    if (f['projClip'] !== 0) parts.push('projclip');
    if (f['stateOutputs']) parts.push('stateout');
    parts.push(`t${String(f['maxTime'])}`, `b${String(f['batchSize'])}`);
  } else if (f.operation === 'QUANTIZED_LSTM' && typeof f['cifg'] === 'boolean') {
    parts.push(
      f['cifg'] ? 'cifg' : 'nocifg',
      f['peephole'] ? 'peephole' : 'nopeephole',
      f['projection'] ? 'proj' : 'noproj',
      f['layerNorm'] ? 'ln' : 'noln',
    );
    if (f['cellClip'] !== 0) parts.push('cellclip');
    if (f['projClip'] !== 0) parts.push('projclip');
    if (f['hiddenZeroPointNonZero']) parts.push('hiddenzp');
    parts.push(`b${String(f['batchSize'])}`);
  } else if (f.operation === 'QUANTIZED_16BIT_LSTM' && f['batchSize'] !== undefined) {
    parts.push(`b${String(f['batchSize'])}`);
  }
  return parts.join('-');
}

function hasNonZeroValue(op: Operand | undefined): boolean {
  return op !== undefined && !isOmitted(op) && op.values.some((v) => v !== 0);
}

/** Every feature group a positive case exercises ('basic' when none). */
export function featureTags(f: CaseFeatures, model: Model): Group[] {
  const tags = new Set<Group>();
  if (f.dtype === 'float16') tags.add('float16');
  if (f.relaxed) tags.add('relaxed');
  if (isLstmFeatures(f)) {
    if (f.cellClip !== 0 || f.projClip !== 0) tags.add('clipping');
    if (f.activation !== 4) tags.add('activation');
    if (f.layerNorm) tags.add('layer-norm');
    if (f.projectionBias) tags.add('projection-bias');
    if (f.projection) tags.add('projection');
    if (f.cifg) tags.add('cifg');
    if (f.peephole) tags.add('peephole');
    if (f.batchSize > 1) tags.add('batch');
    try {
      const at = (k: keyof typeof LSTM_IN) => inputOperand(model, LSTM_IN[k]);
      if (hasNonZeroValue(at('output_state_in')) || hasNonZeroValue(at('cell_state_in'))) tags.add('state');
    } catch {
      /* no state information */
    }
  }
  if (f.operation === 'UNIDIRECTIONAL_SEQUENCE_LSTM' || f.operation === 'BIDIRECTIONAL_SEQUENCE_LSTM') {
    tags.add(f.operation === 'UNIDIRECTIONAL_SEQUENCE_LSTM' ? 'sequence' : 'bidirectional');
    const cells = f.operation === 'UNIDIRECTIONAL_SEQUENCE_LSTM' ? [f] : [f['fw'], f['bw']].map((c) => c as Record<string, unknown>);
    for (const c of cells) {
      if (c['layerNorm']) tags.add('layer-norm');
      if (c['projectionBias']) tags.add('projection-bias');
      if (c['projection']) tags.add('projection');
      if (c['cifg']) tags.add('cifg');
      if (c['peephole']) tags.add('peephole');
    }
    if (f['cellClip'] !== 0 || f['projClip'] !== 0) tags.add('clipping');
    if (f['activation'] !== 4) tags.add('activation');
    if (Number(f['batchSize']) > 1) tags.add('batch');
    if (f['timeMajor']) tags.add('time-major');
    if (f['aux'] !== undefined && f['aux'] !== 'none') tags.add('aux-input');
    if (f['stateOutputs']) tags.add('state');
  }
  if (f.operation === 'QUANTIZED_LSTM' || f.operation === 'QUANTIZED_16BIT_LSTM') {
    tags.add('quantized');
    if (f['layerNorm']) tags.add('layer-norm');
    if (f['projection']) tags.add('projection');
    if (f['cifg']) tags.add('cifg');
    if (f['peephole']) tags.add('peephole');
    if (Number(f['cellClip'] ?? 0) !== 0 || Number(f['projClip'] ?? 0) !== 0) tags.add('clipping');
    if (Number(f['batchSize']) > 1) tags.add('batch');
  }
  if (tags.size === 0) tags.add('basic');
  return GROUP_PRIORITY.filter((g) => tags.has(g));
}

/** The one group a case is summarised under: its most specific tag. */
export function primaryGroup(tags: readonly Group[]): Group {
  for (const g of GROUP_PRIORITY) if (tags.includes(g)) return g;
  return 'basic';
}

export function isGroup(s: string): s is Group {
  return (GROUPS as readonly string[]).includes(s);
}
