/**
 * The activation functions an ONNX RNN may name, with their alpha/beta. Each is evaluated on a value
 * that is already float32 (or float64), with every arithmetic step passed through `round` so the
 * float32 path rounds where a C++ `float` expression does; transcendentals are computed in double and
 * rounded once (the most accurate float32 result, which ONNX Runtime's approximations approach within
 * a few ULP).
 */
import type { OnnxActivation, OnnxActivationName } from './types.js';

/** The 11 names, in the operator doc's order. */
export const ONNX_ACTIVATION_NAMES: readonly OnnxActivationName[] = [
  'Relu',
  'Tanh',
  'Sigmoid',
  'Affine',
  'LeakyRelu',
  'ThresholdedRelu',
  'ScaledTanh',
  'HardSigmoid',
  'Elu',
  'Softsign',
  'Softplus',
];

/**
 * Which parameters each activation takes, and the value an {@link OnnxActivation} that leaves one unset
 * means: the default of the like-named standalone ONNX operator (LeakyRelu 0.01, ThresholdedRelu 1.0,
 * HardSigmoid 0.2/0.5, Elu 1.0; the retired experimental Affine 1.0/0.0 and ScaledTanh 1.0/1.0). The
 * LSTM doc itself names no defaults. src/onnx/writer.ts writes these values when it serializes.
 */
export const ACTIVATION_PARAMETERS: Readonly<Record<OnnxActivationName, { alpha?: number; beta?: number }>> = Object.freeze({
  Relu: {},
  Tanh: {},
  Sigmoid: {},
  Affine: { alpha: 1, beta: 0 },
  LeakyRelu: { alpha: 0.01 },
  ThresholdedRelu: { alpha: 1 },
  ScaledTanh: { alpha: 1, beta: 1 },
  HardSigmoid: { alpha: 0.2, beta: 0.5 },
  Elu: { alpha: 1 },
  Softsign: {},
  Softplus: {},
});

/**
 * What ONNX Runtime substitutes when a node's activation_alpha / activation_beta list runs out before an
 * activation that takes the parameter (rnn_helpers.cc NameToArgDefaultsMap; every other parameter 0).
 * src/onnx/lstm-attributes.ts applies these when it reads a node, so parsed attributes always carry
 * explicit values.
 */
export const ORT_SHORT_LIST_DEFAULTS: Readonly<Record<OnnxActivationName, { alpha?: number; beta?: number }>> = Object.freeze({
  Relu: {},
  Tanh: {},
  Sigmoid: {},
  Affine: { alpha: 0, beta: 0 },
  LeakyRelu: { alpha: 0.01 },
  ThresholdedRelu: { alpha: 0 },
  ScaledTanh: { alpha: 0, beta: 0 },
  HardSigmoid: { alpha: 0.2, beta: 0.5 },
  Elu: { alpha: 1 },
  Softsign: {},
  Softplus: {},
});

/** The canonical name for `name` compared case-insensitively (ONNX Runtime lower-cases names), or undefined. */
export function canonicalActivationName(name: string): OnnxActivationName | undefined {
  const lower = name.toLowerCase();
  return ONNX_ACTIVATION_NAMES.find((n) => n.toLowerCase() === lower);
}

/** An activation as a scalar function, with its parameters fixed and rounding `round` applied per operation. */
export type ScalarFn = (x: number) => number;

const identity = (x: number): number => x;

/**
 * Build the scalar function for `act`. `round` is Math.fround for float32 semantics, identity for float64.
 * Missing alpha/beta take {@link ACTIVATION_PARAMETERS}' defaults.
 */
export function activationFunction(act: OnnxActivation, round: (x: number) => number = identity): ScalarFn {
  const d = ACTIVATION_PARAMETERS[act.name];
  if (!d) throw new Error(`ONNX LSTM: unknown activation '${String(act.name)}'`);
  const alpha = round(act.alpha ?? d.alpha ?? 0);
  const beta = round(act.beta ?? d.beta ?? 0);
  const r = round;
  switch (act.name) {
    case 'Relu':
      return (x) => (x > 0 ? x : 0);
    case 'Tanh':
      return (x) => r(Math.tanh(x));
    case 'Sigmoid':
      return (x) => r(1 / (1 + Math.exp(-x)));
    case 'Affine':
      return (x) => r(r(alpha * x) + beta);
    case 'LeakyRelu':
      return (x) => (x >= 0 ? x : r(alpha * x));
    case 'ThresholdedRelu':
      // The doc says x >= alpha; ONNX Runtime tests x > alpha (a recorded departure, spec/onnx/LSTM.json).
      return (x) => (x >= alpha ? x : 0);
    case 'ScaledTanh':
      return (x) => r(alpha * r(Math.tanh(r(beta * x))));
    case 'HardSigmoid':
      return (x) => Math.min(1, Math.max(0, r(r(alpha * x) + beta)));
    case 'Elu':
      // As ONNX Runtime writes it: alpha·(e^x − 1) with e^x rounded first.
      return (x) => (x >= 0 ? x : r(alpha * r(r(Math.exp(x)) - 1)));
    case 'Softsign':
      return (x) => r(x / r(1 + Math.abs(x)));
    case 'Softplus':
      // log(1 + e^x) without overflow for large x (log1p(e^x) = x + log1p(e^-x)).
      return (x) => r(x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
    default:
      throw new Error(`ONNX LSTM: unknown activation '${String(act.name)}'`);
  }
}
