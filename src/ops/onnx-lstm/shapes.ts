/**
 * The sizes of one ONNX LSTM evaluation, read from its tensors and checked against each other. The
 * reference throws on inconsistent shapes: the value-returning checks live in src/onnx/lstm-validate.ts,
 * which a caller runs first; this is the last guard before indexing.
 */
import type { OnnxLstmAttributes, OnnxLstmInputs, OnnxLstmTensor } from './types.js';

/** The symbols of the operator doc's shapes. */
export interface OnnxLstmShape {
  seqLength: number;
  batchSize: number;
  inputSize: number;
  hiddenSize: number;
  numDirections: 1 | 2;
  layout: 0 | 1;
}

/** A shape error from the reference (the rule id matches spec/onnx/LSTM.json). */
export class OnnxLstmShapeError extends Error {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(`${rule}: ${message}`);
    this.name = 'OnnxLstmShapeError';
  }
}

const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, k) => v === b[k]);
const show = (d: readonly number[]): string => `[${d.join(', ')}]`;

function expectDims(rule: string, name: string, t: { dims: number[]; data: ArrayLike<number> }, want: number[]): void {
  if (!same(t.dims, want)) throw new OnnxLstmShapeError(rule, `${name} must be ${show(want)}, got ${show(t.dims)}`);
  const n = want.reduce((a, v) => a * v, 1);
  if (t.data.length !== n) throw new OnnxLstmShapeError(rule, `${name} holds ${t.data.length} elements, its dims ${show(want)} need ${n}`);
}

/** Sizes of the weights alone (what a prepared, streaming evaluation fixes). */
export function onnxLstmWeightShape(
  attrs: OnnxLstmAttributes,
  w: { W: OnnxLstmTensor; R: OnnxLstmTensor; B?: OnnxLstmTensor; P?: OnnxLstmTensor },
): Pick<OnnxLstmShape, 'inputSize' | 'hiddenSize' | 'numDirections'> {
  const H = attrs.hiddenSize;
  if (!(Number.isInteger(H) && H > 0)) throw new OnnxLstmShapeError('ONNX.LSTM.attr.hidden_size.positive', `hidden_size must be a positive integer, got ${H}`);
  const D = attrs.direction === 'bidirectional' ? 2 : 1;
  if (w.W.dims.length !== 3) throw new OnnxLstmShapeError('ONNX.LSTM.W.shape', `W must have rank 3, got ${show(w.W.dims)}`);
  const I = w.W.dims[2]!;
  expectDims('ONNX.LSTM.W.shape', 'W', w.W, [D, 4 * H, I]);
  expectDims('ONNX.LSTM.R.shape', 'R', w.R, [D, 4 * H, H]);
  if (w.B) expectDims('ONNX.LSTM.B.shape', 'B', w.B, [D, 8 * H]);
  if (w.P) expectDims('ONNX.LSTM.P.shape', 'P', w.P, [D, 3 * H]);
  if (attrs.activations.length !== 3 * D)
    throw new OnnxLstmShapeError('ONNX.LSTM.attr.activations.count', `${3 * D} activations needed for direction ${attrs.direction}, got ${attrs.activations.length}`);
  return { inputSize: I, hiddenSize: H, numDirections: D };
}

/** Sizes of a whole evaluation: weights plus X, sequence_lens and the initial states. */
export function onnxLstmShape(attrs: OnnxLstmAttributes, inputs: OnnxLstmInputs): OnnxLstmShape {
  const { inputSize: I, hiddenSize: H, numDirections: D } = onnxLstmWeightShape(attrs, inputs);
  const layout = attrs.layout;
  const X = inputs.X;
  if (X.dims.length !== 3) throw new OnnxLstmShapeError('ONNX.LSTM.X.shape', `X must have rank 3, got ${show(X.dims)}`);
  const [S, Bt] = layout === 0 ? [X.dims[0]!, X.dims[1]!] : [X.dims[1]!, X.dims[0]!];
  expectDims('ONNX.LSTM.X.shape', 'X', X, layout === 0 ? [S, Bt, I] : [Bt, S, I]);
  const stateDims = layout === 0 ? [D, Bt, H] : [Bt, D, H];
  if (inputs.initial_h) expectDims('ONNX.LSTM.initial_h.shape', 'initial_h', inputs.initial_h, stateDims);
  if (inputs.initial_c) expectDims('ONNX.LSTM.initial_c.shape', 'initial_c', inputs.initial_c, stateDims);
  if (inputs.sequence_lens) {
    expectDims('ONNX.LSTM.sequence_lens.shape', 'sequence_lens', inputs.sequence_lens, [Bt]);
    for (const len of inputs.sequence_lens.data)
      if (!(len >= 0 && len <= S)) throw new OnnxLstmShapeError('ONNX.LSTM.sequence_lens.range', `sequence_lens values must be in [0, ${S}], got ${len}`);
  }
  return { seqLength: S, batchSize: Bt, inputSize: I, hiddenSize: H, numDirections: D as 1 | 2, layout };
}

/** Element offsets of the layout-dependent tensors. */
export const offsets = {
  /** X[t, b, :] */
  x: (s: OnnxLstmShape, t: number, b: number): number =>
    (s.layout === 0 ? t * s.batchSize + b : b * s.seqLength + t) * s.inputSize,
  /** initial_h / Y_h / Y_c [d, b, :] */
  state: (s: OnnxLstmShape, d: number, b: number): number =>
    (s.layout === 0 ? d * s.batchSize + b : b * s.numDirections + d) * s.hiddenSize,
  /** Y[t, d, b, :] */
  y: (s: OnnxLstmShape, t: number, d: number, b: number): number =>
    (s.layout === 0 ? (t * s.numDirections + d) * s.batchSize + b : (b * s.seqLength + t) * s.numDirections + d) * s.hiddenSize,
};

/** Output dims for a shape. */
export function outputDims(s: OnnxLstmShape): { Y: number[]; state: number[] } {
  const { seqLength: S, batchSize: B, numDirections: D, hiddenSize: H } = s;
  return s.layout === 0 ? { Y: [S, D, B, H], state: [D, B, H] } : { Y: [B, S, D, H], state: [B, D, H] };
}
