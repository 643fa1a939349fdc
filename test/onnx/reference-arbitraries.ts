/** fast-check arbitraries for ONNX LSTM evaluations (attributes + consistent inputs), shared by the property tests. */
import fc from 'fast-check';
import type { OnnxActivation, OnnxActivationName, OnnxDirection, OnnxLstmAttributes, OnnxLstmInputs, OnnxLstmTensor } from '../../src/ops/onnx-lstm/types.js';

/** Activations whose outputs stay bounded (so float32 vs float64 differences stay within the harness tolerance). */
export const BOUNDED: OnnxActivationName[] = ['Sigmoid', 'Tanh', 'HardSigmoid', 'Softsign', 'ScaledTanh'];
export const ALL: OnnxActivationName[] = ['Relu', 'Tanh', 'Sigmoid', 'Affine', 'LeakyRelu', 'ThresholdedRelu', 'ScaledTanh', 'HardSigmoid', 'Elu', 'Softsign', 'Softplus'];

const f32 = (min: number, max: number) => fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true, noDefaultInfinity: true });

export function activationArb(names: OnnxActivationName[]): fc.Arbitrary<OnnxActivation> {
  return fc.record({ name: fc.constantFrom(...names), alpha: f32(0.05, 1.5), beta: f32(-0.5, 1) }).map(({ name, alpha, beta }) => {
    const a: OnnxActivation = { name };
    if (['Affine', 'LeakyRelu', 'ThresholdedRelu', 'ScaledTanh', 'HardSigmoid', 'Elu'].includes(name)) a.alpha = alpha;
    if (['Affine', 'ScaledTanh', 'HardSigmoid'].includes(name)) a.beta = beta;
    return a;
  });
}

export interface LstmCase {
  attrs: OnnxLstmAttributes;
  inputs: OnnxLstmInputs;
  S: number;
  B: number;
  I: number;
  H: number;
  D: number;
}

const tensorArb = (dims: number[], scale: number): fc.Arbitrary<OnnxLstmTensor> =>
  fc.array(f32(-scale, scale), { minLength: dims.reduce((a, b) => a * b, 1), maxLength: dims.reduce((a, b) => a * b, 1) }).map((v) => ({ dims, data: Float32Array.from(v) }));

export interface CaseOptions {
  directions?: OnnxDirection[];
  layouts?: (0 | 1)[];
  activations?: OnnxActivationName[];
  /** Whether sequence_lens may be drawn (default true). */
  lens?: boolean;
}

/** A random but consistent evaluation: sizes, attributes, and every optional input on or off. */
export function lstmCaseArb(o: CaseOptions = {}): fc.Arbitrary<LstmCase> {
  const names = o.activations ?? BOUNDED;
  return fc
    .record({
      S: fc.integer({ min: 1, max: 5 }),
      B: fc.integer({ min: 1, max: 3 }),
      I: fc.integer({ min: 1, max: 4 }),
      H: fc.integer({ min: 1, max: 4 }),
      direction: fc.constantFrom(...(o.directions ?? (['forward', 'reverse', 'bidirectional'] as OnnxDirection[]))),
      layout: fc.constantFrom(...(o.layouts ?? ([0, 1] as (0 | 1)[]))),
      inputForget: fc.constantFrom(0 as const, 1 as const),
      clip: fc.option(f32(0.2, 3), { nil: undefined }),
      bias: fc.boolean(),
      peep: fc.boolean(),
      initH: fc.boolean(),
      initC: fc.boolean(),
      lens: o.lens === false ? fc.constant(false) : fc.boolean(),
    })
    .chain((c) => {
      const D = c.direction === 'bidirectional' ? 2 : 1;
      const state = c.layout === 0 ? [D, c.B, c.H] : [c.B, D, c.H];
      return fc
        .record({
          acts: fc.array(activationArb(names), { minLength: 3 * D, maxLength: 3 * D }),
          X: tensorArb(c.layout === 0 ? [c.S, c.B, c.I] : [c.B, c.S, c.I], 2),
          W: tensorArb([D, 4 * c.H, c.I], 1),
          R: tensorArb([D, 4 * c.H, c.H], 1),
          Bt: tensorArb([D, 8 * c.H], 1),
          P: tensorArb([D, 3 * c.H], 1),
          h0: tensorArb(state, 1),
          c0: tensorArb(state, 2),
          lens: fc.array(fc.integer({ min: 0, max: c.S }), { minLength: c.B, maxLength: c.B }),
        })
        .map((t): LstmCase => {
          const attrs: OnnxLstmAttributes = { hiddenSize: c.H, direction: c.direction, layout: c.layout, inputForget: c.inputForget, activations: t.acts };
          if (c.clip !== undefined) attrs.clip = c.clip;
          const inputs: OnnxLstmInputs = { X: t.X, W: t.W, R: t.R };
          if (c.bias) inputs.B = t.Bt;
          if (c.peep) inputs.P = t.P;
          if (c.initH) inputs.initial_h = t.h0;
          if (c.initC) inputs.initial_c = t.c0;
          if (c.lens) inputs.sequence_lens = { dims: [c.B], data: Int32Array.from(t.lens) };
          return { attrs, inputs, S: c.S, B: c.B, I: c.I, H: c.H, D };
        });
    });
}
