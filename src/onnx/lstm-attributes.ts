/**
 * An ONNX LSTM node's attributes read into {@link OnnxLstmAttributes}: defaults applied, alpha/beta
 * handed to the activations that take them in order, and every problem returned as a {@link Violation}
 * (rule ids from spec/onnx/LSTM.json) instead of thrown. The result is always usable by the reference;
 * where a value is invalid it falls back to the default and says so.
 */
import type { Violation } from '../model/violation.js';
import { ACTIVATION_PARAMETERS, ORT_SHORT_LIST_DEFAULTS, canonicalActivationName } from '../ops/onnx-lstm/activations.js';
import type { OnnxActivation, OnnxDirection, OnnxLstmAttributes } from '../ops/onnx-lstm/types.js';
import type { OnnxAttributeValue, OnnxNode } from './model.js';

/** What to assume where the node is silent. */
export interface ParseOnnxLstmOptions {
  /** The ai.onnx opset of the model (default 14): decides which attributes exist. */
  opset?: number;
  /**
   * Values for alpha/beta when activation_alpha/beta run short: the doc's (the like-named ONNX operator's
   * defaults, e.g. ThresholdedRelu 1.0) or ONNX Runtime's (0 except LeakyRelu, HardSigmoid, Elu). Default 'onnx'.
   */
  shortListDefaults?: 'onnx' | 'onnxruntime';
  /** hidden_size to use when the attribute is absent (e.g. R's last dim); 0 otherwise. */
  hiddenSizeFallback?: number;
}

/** The parse result: attributes the reference can run, and what was wrong. */
export interface ParsedOnnxLstmAttributes {
  attributes: OnnxLstmAttributes;
  violations: Violation[];
}

/** Attribute name → AttributeProto type, and the opsets that define it. */
export const ONNX_LSTM_ATTRIBUTES: Readonly<Record<string, { type: OnnxAttributeValue['type']; since: number; until?: number }>> = Object.freeze({
  hidden_size: { type: 'INT', since: 1 },
  direction: { type: 'STRING', since: 1 },
  activations: { type: 'STRINGS', since: 1 },
  activation_alpha: { type: 'FLOATS', since: 1 },
  activation_beta: { type: 'FLOATS', since: 1 },
  clip: { type: 'FLOAT', since: 1 },
  input_forget: { type: 'INT', since: 1 },
  layout: { type: 'INT', since: 14 },
  output_sequence: { type: 'INT', since: 1, until: 6 },
});

const DIRECTIONS: readonly OnnxDirection[] = ['forward', 'reverse', 'bidirectional'];
const DEFAULT_ACTS = ['Sigmoid', 'Tanh', 'Tanh'] as const;

const describe = (v: OnnxAttributeValue): string => (v.type === 'OTHER' ? `type code ${v.code}` : v.type);

/** Read `node`'s attributes (see {@link ParseOnnxLstmOptions}). Never throws. */
export function parseOnnxLstmAttributes(node: OnnxNode, options: ParseOnnxLstmOptions = {}): ParsedOnnxLstmAttributes {
  const opset = options.opset ?? 14;
  const violations: Violation[] = [];
  const v = (rule: string, message: string, expected?: string, actual?: string): void => {
    violations.push({ rule, message, ...(expected !== undefined ? { expected } : {}), ...(actual !== undefined ? { actual } : {}) });
  };
  // Attributes of the wrong type are reported and then treated as absent.
  const attrs: Record<string, OnnxAttributeValue> = {};
  for (const [name, value] of Object.entries(node.attributes)) {
    const def = ONNX_LSTM_ATTRIBUTES[name];
    if (!def) {
      v('ONNX.LSTM.attr.unknown', `attribute '${name}' is not defined for LSTM`, undefined, name);
      continue;
    }
    if (value.type !== def.type) {
      v('ONNX.LSTM.attr.type', `attribute '${name}' must be ${def.type}`, def.type, describe(value));
      continue;
    }
    if (name === 'layout' && opset < def.since) v('ONNX.LSTM.attr.layout.opset', `layout needs opset 14 or later (model opset ${opset})`, '≥ 14', String(opset));
    if (name === 'output_sequence' && opset > 6) v('ONNX.LSTM.attr.output_sequence.opset', `output_sequence was removed in opset 7 (model opset ${opset})`, '≤ 6', String(opset));
    attrs[name] = value;
  }
  const int = (name: string): number | undefined => (attrs[name]?.type === 'INT' ? (attrs[name] as { value: number }).value : undefined);

  // hidden_size: optional in the doc, required by ONNX Runtime.
  let hiddenSize = int('hidden_size');
  if (hiddenSize === undefined) {
    v('ONNX.LSTM.attr.hidden_size.required', 'hidden_size is required (the doc lists it as optional, but ONNX Runtime refuses a node without it)', 'present', 'absent');
    hiddenSize = options.hiddenSizeFallback ?? 0;
  } else if (!(Number.isInteger(hiddenSize) && hiddenSize > 0)) {
    v('ONNX.LSTM.attr.hidden_size.positive', 'hidden_size must be a positive integer', '> 0', String(hiddenSize));
  }

  let direction: OnnxDirection = 'forward';
  const dirAttr = attrs['direction'];
  if (dirAttr?.type === 'STRING') {
    if ((DIRECTIONS as readonly string[]).includes(dirAttr.value)) direction = dirAttr.value as OnnxDirection;
    else v('ONNX.LSTM.attr.direction.value', 'direction must be forward, reverse or bidirectional', DIRECTIONS.join(' | '), dirAttr.value);
  }
  const numDirections = direction === 'bidirectional' ? 2 : 1;

  let layout: 0 | 1 = 0;
  const lay = int('layout');
  if (lay !== undefined) {
    if (lay === 0 || lay === 1) layout = lay;
    else v('ONNX.LSTM.attr.layout.value', 'layout must be 0 or 1', '0 | 1', String(lay));
  }

  let inputForget: 0 | 1 = 0;
  const inf = int('input_forget');
  if (inf !== undefined) {
    if (inf === 0 || inf === 1) inputForget = inf;
    else {
      v('ONNX.LSTM.attr.input_forget.value', 'input_forget must be 0 or 1 (ONNX Runtime treats any non-zero value as 1)', '0 | 1', String(inf));
      inputForget = 1;
    }
  }

  let clip: number | undefined;
  const clipAttr = attrs['clip'];
  if (clipAttr?.type === 'FLOAT') {
    if (clipAttr.value > 0) clip = clipAttr.value;
    else v('ONNX.LSTM.clip.positive', 'clip must be positive', '> 0', String(clipAttr.value));
  }

  // Activations: names, then alpha/beta consumed in order by the functions that take them.
  const namesAttr = attrs['activations'];
  let names: string[] = namesAttr?.type === 'STRINGS' ? [...namesAttr.value] : [];
  if (namesAttr?.type === 'STRINGS' && names.length !== 3 * numDirections) {
    v('ONNX.LSTM.attr.activations.count', `activations needs ${3 * numDirections} names for direction ${direction}`, String(3 * numDirections), String(names.length));
    names = [];
  }
  if (names.length === 0) for (let d = 0; d < numDirections; d++) names.push(...DEFAULT_ACTS);
  const alphas = attrs['activation_alpha']?.type === 'FLOATS' ? (attrs['activation_alpha'] as { value: number[] }).value : [];
  const betas = attrs['activation_beta']?.type === 'FLOATS' ? (attrs['activation_beta'] as { value: number[] }).value : [];
  const fallback = options.shortListDefaults === 'onnxruntime' ? ORT_SHORT_LIST_DEFAULTS : ACTIVATION_PARAMETERS;
  let ai = 0;
  let bi = 0;
  const activations: OnnxActivation[] = names.map((raw, k) => {
    let name = canonicalActivationName(raw);
    if (!name) {
      v('ONNX.LSTM.attr.activations.name', `unknown activation '${raw}' at position ${k} (expected one of Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus)`, undefined, raw);
      name = DEFAULT_ACTS[k % 3]!;
    } else if (name !== raw) {
      v('ONNX.LSTM.attr.activations.case', `activation '${raw}' at position ${k} differs from the doc's '${name}' only in case (ONNX Runtime accepts it, other runtimes may not)`, name, raw);
    }
    const takes = ACTIVATION_PARAMETERS[name];
    const act: OnnxActivation = { name };
    if (takes.alpha !== undefined) act.alpha = ai < alphas.length ? alphas[ai++]! : fallback[name].alpha!;
    if (takes.beta !== undefined) act.beta = bi < betas.length ? betas[bi++]! : fallback[name].beta!;
    return act;
  });
  if (ai < alphas.length) v('ONNX.LSTM.attr.activation_alpha.count', `activation_alpha has ${alphas.length} values; the activations consume ${ai}`, String(ai), String(alphas.length));
  if (bi < betas.length) v('ONNX.LSTM.attr.activation_beta.count', `activation_beta has ${betas.length} values; the activations consume ${bi}`, String(bi), String(betas.length));

  const attributes: OnnxLstmAttributes = { hiddenSize, direction, layout, inputForget, activations };
  if (clip !== undefined) attributes.clip = clip;
  return { attributes, violations };
}
