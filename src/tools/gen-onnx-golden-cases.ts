/**
 * The ONNX LSTM golden cases: what each one exercises (its shape, attributes and which optional inputs it gives),
 * and the golden file format the generator writes (spec/schema/onnx-golden.schema.json). Data are drawn from a
 * seeded mulberry32 per case; nothing here runs a runtime.
 */
import type { OnnxActivation, OnnxActivationName, OnnxDirection } from '../ops/onnx-lstm/types.js';

export type OnnxGoldenDataType = 'FLOAT' | 'FLOAT16' | 'DOUBLE';
export type InputName = 'X' | 'W' | 'R' | 'B' | 'sequence_lens' | 'initial_h' | 'initial_c' | 'P';

/** A tensor as stored in a golden: dims and row-major values (exact in the golden's data type). */
export interface GoldenTensor {
  dims: number[];
  data: number[];
}

/** What a departure between the operator doc and ONNX Runtime is, and which side `expected` follows. */
export interface GoldenDeparture {
  /** Stable id, e.g. 'ORT.LSTM.activation_defaults'. */
  id: string;
  /** contradicts: the doc says one thing, ORT does another; underspecified: the doc says nothing; ambiguous: the doc can be read two ways. */
  kind: 'contradicts' | 'underspecified' | 'ambiguous';
  documented: string;
  implemented: string;
  /** Which semantics `expected` holds. */
  expectationFollows: 'documentation' | 'implementation';
  /** For activation-default departures: the activations with the doc's defaults written out (what `expected` was computed with). */
  documentedActivations?: OnnxActivation[];
  /** ONNX Runtime's outputs when `expected` follows the documentation. */
  implementedOutputs?: { Y: GoldenTensor; Y_h: GoldenTensor; Y_c: GoldenTensor };
  /** The doc-literal outputs (float64 derivation) when `expected` follows the implementation. */
  documentedOutputs?: { Y: GoldenTensor; Y_h: GoldenTensor; Y_c: GoldenTensor };
  /** Where each side is stated. */
  sources: string[];
}

export interface OnnxGoldenFile {
  $schema?: string;
  name: string;
  description: string;
  operator: 'LSTM';
  opset: 7 | 14 | 22;
  dataType: OnnxGoldenDataType;
  /** The rows of the cross-format table (and test dimensions) the case exercises; see {@link caseRows}. */
  rows: string[];
  /** The node's attributes as written (activation alpha/beta only where the node states them). */
  attrs: {
    hiddenSize: number;
    direction: OnnxDirection;
    layout: 0 | 1;
    inputForget: 0 | 1;
    clip?: number;
    activations: OnnxActivation[];
  };
  /** Every input the node has, by ONNX name (absent = omitted). */
  inputs: Partial<Record<InputName, GoldenTensor>>;
  /** The inputs fed at run time (graph inputs); the others were initializers. */
  graphInputs: InputName[];
  expected: { Y: GoldenTensor; Y_h: GoldenTensor; Y_c: GoldenTensor };
  tolerance: { criterion: 'float32' | 'float16'; atol: number; rtol: number };
  provenance: {
    kind: 'onnxruntime' | 'onnxruntime-transposed' | 'float64-derivation';
    generator: string;
    generatorVersion: string;
    seed: number;
    source: string;
    how: string;
    whyNotOnnxRuntime?: string;
    /** Largest |ORT − float64 derivation| over all outputs, for ORT-sourced cases (the derivation is independent code). */
    crossCheck?: { against: string; maxAbsDiff: number; withinTolerance: boolean };
  };
  departures?: GoldenDeparture[];
}

/** One case to generate. */
export interface CaseDef {
  name: string;
  description: string;
  seed: number;
  opset?: 7 | 14 | 22;
  dataType?: OnnxGoldenDataType;
  /** seq, batch, input, hidden. */
  S: number;
  B: number;
  I: number;
  H: number;
  direction: OnnxDirection;
  layout?: 0 | 1;
  inputForget?: 0 | 1;
  clip?: number;
  activations?: OnnxActivation[];
  bias?: boolean;
  peephole?: boolean;
  initialH?: 'constant' | 'input';
  initialC?: 'constant' | 'input';
  seqLens?: number[];
  seqLensAs?: 'constant' | 'input';
  weightScale?: number;
  inputScale?: number;
  biasScale?: number;
  /** Added to Wb of the named gates (to drive gates into the clip deliberately). */
  gateBiasOffset?: Partial<Record<'i' | 'o' | 'f' | 'c', number>>;
  /** Scale of initial_c (default 1). */
  cellScale?: number;
  departure?: 'activation-defaults' | 'threshold-boundary' | 'clip-h-input' | 'input-forget-direction' | 'empty-sequence';
}

const DEFAULT_ACTS: OnnxActivation[] = [{ name: 'Sigmoid' }, { name: 'Tanh' }, { name: 'Tanh' }];

/** The 11 functions with non-default parameters where they take any. */
const ALL_ACTS: OnnxActivation[] = [
  { name: 'Relu' },
  { name: 'Tanh' },
  { name: 'Sigmoid' },
  { name: 'Affine', alpha: 0.8, beta: 0.15 },
  { name: 'LeakyRelu', alpha: 0.2 },
  { name: 'ThresholdedRelu', alpha: 0.1 },
  { name: 'ScaledTanh', alpha: 1.4, beta: 0.7 },
  { name: 'HardSigmoid', alpha: 0.3, beta: 0.45 },
  { name: 'Elu', alpha: 0.6 },
  { name: 'Softsign' },
  { name: 'Softplus' },
];

const act = (k: number): OnnxActivation => ({ ...ALL_ACTS[((k % 11) + 11) % 11]! });

/**
 * Eleven cases in which every function is f once, g once and h once (rotations by 0, 4 and 7); the odd ones are
 * bidirectional with a different rotation backward, so per-direction lists are exercised too.
 */
function activationCases(): CaseDef[] {
  const out: CaseDef[] = [];
  const dirs: OnnxDirection[] = ['forward', 'bidirectional', 'reverse', 'bidirectional'];
  for (let k = 0; k < 11; k++) {
    const direction = dirs[k % 4]!;
    const fw = [act(k), act(k + 4), act(k + 7)];
    const activations = direction === 'bidirectional' ? [...fw, act(k + 2), act(k + 9), act(k + 5)] : fw;
    const names = fw.map((a) => a.name).join('-');
    out.push({
      name: `act-${String(k + 1).padStart(2, '0')}-${names.toLowerCase()}`,
      description: `activations f=${fw[0]!.name}, g=${fw[1]!.name}, h=${fw[2]!.name}${direction === 'bidirectional' ? ` forward; backward ${activations.slice(3).map((a) => a.name).join(', ')}` : ''} (${direction}), with non-default alpha/beta where the function takes them`,
      seed: 2000 + k,
      S: 3,
      B: 2,
      I: 3,
      H: 3,
      direction,
      activations,
      bias: true,
      peephole: k % 3 === 0,
      initialH: k % 2 === 0 ? 'constant' : undefined,
      initialC: k % 2 === 0 ? 'input' : undefined,
      weightScale: 0.5,
    });
  }
  return out;
}

/** The case table. */
export function caseDefs(): CaseDef[] {
  const perDir: OnnxActivation[] = [...DEFAULT_ACTS, { name: 'HardSigmoid', alpha: 0.3, beta: 0.45 }, { name: 'Softsign' }, { name: 'ScaledTanh', alpha: 1.3, beta: 0.8 }];
  const base: CaseDef[] = [
    { name: 'forward-basic', description: 'forward, W and R only (no B, P or initial states): gate packing i, o, f, c with asymmetric per-gate weights', seed: 1001, S: 3, B: 2, I: 3, H: 4, direction: 'forward' },
    { name: 'forward-bias-initial', description: 'forward with B (Wb and Rb both non-zero) and initial_h/initial_c fed as graph inputs', seed: 1002, S: 4, B: 1, I: 2, H: 3, direction: 'forward', bias: true, initialH: 'input', initialC: 'input' },
    { name: 'forward-peephole-bias', description: 'forward with B and non-zero peepholes P (i, o, f; the output gate reads C_t); initial_c an initializer, initial_h a graph input', seed: 1003, S: 3, B: 2, I: 4, H: 3, direction: 'forward', bias: true, peephole: true, initialH: 'input', initialC: 'constant' },
    { name: 'forward-peephole-only', description: 'forward with peepholes and no bias; non-zero initial cell state so the peepholes bite from the first step', seed: 1004, S: 2, B: 1, I: 1, H: 2, direction: 'forward', peephole: true, initialH: 'constant', initialC: 'constant', biasScale: 0 },
    { name: 'reverse-peephole-bias', description: 'reverse direction with B, P and initial states', seed: 1005, S: 4, B: 2, I: 3, H: 2, direction: 'reverse', bias: true, peephole: true, initialH: 'input', initialC: 'input' },
    { name: 'reverse-basic', description: 'reverse direction, W and R only, five steps', seed: 1006, S: 5, B: 1, I: 2, H: 3, direction: 'reverse' },
    { name: 'bidirectional-full', description: 'bidirectional with B, P and initial states for both directions', seed: 1007, S: 3, B: 2, I: 3, H: 4, direction: 'bidirectional', bias: true, peephole: true, initialH: 'input', initialC: 'constant' },
    { name: 'bidirectional-per-direction-activations', description: 'bidirectional with different activations per direction: forward Sigmoid/Tanh/Tanh, backward HardSigmoid(0.3, 0.45)/Softsign/ScaledTanh(1.3, 0.8)', seed: 1008, S: 3, B: 2, I: 2, H: 3, direction: 'bidirectional', activations: perDir, bias: true },
    { name: 'clip-forward', description: 'clip 0.5 with weights and inputs large enough that most gate pre-activations are clipped', seed: 1009, S: 3, B: 2, I: 3, H: 3, direction: 'forward', clip: 0.5, bias: true, peephole: true, initialH: 'constant', initialC: 'constant', weightScale: 2, inputScale: 2 },
    { name: 'clip-bidirectional', description: 'clip 1.1 in both directions', seed: 1010, S: 4, B: 2, I: 2, H: 3, direction: 'bidirectional', clip: 1.1, bias: true, weightScale: 1.5, inputScale: 2 },
    { name: 'clip-cell-state-exceeds', description: 'clip 0.8 with the i, f and c gates driven into the clip (Wb + 3) so that |C_t| grows past it: ONNX Runtime clips the gate pre-activations only, not the input of h (recorded departure ORT.LSTM.clip.h_input)', seed: 1011, S: 5, B: 1, I: 2, H: 3, direction: 'forward', clip: 0.8, bias: true, gateBiasOffset: { i: 3, f: 3, c: 3 }, weightScale: 0.5, departure: 'clip-h-input' },
    { name: 'input-forget-forward', description: 'input_forget=1 with B and P (ONNX Runtime: f = 1 − i; the forget weights and peephole are unused)', seed: 1012, S: 3, B: 2, I: 3, H: 3, direction: 'forward', inputForget: 1, bias: true, peephole: true, initialH: 'constant', initialC: 'constant', departure: 'input-forget-direction' },
    { name: 'input-forget-reverse-seqlens', description: 'input_forget=1, reverse, with sequence_lens [2, 3, 1]', seed: 1013, S: 3, B: 3, I: 2, H: 2, direction: 'reverse', inputForget: 1, bias: true, seqLens: [2, 3, 1], departure: 'input-forget-direction' },
    { name: 'input-forget-bidirectional-clip-opset22', description: 'opset 22, bidirectional, input_forget=1 and clip 0.9', seed: 1014, opset: 22, S: 3, B: 2, I: 3, H: 2, direction: 'bidirectional', inputForget: 1, clip: 0.9, bias: true, peephole: true, weightScale: 1.5, inputScale: 1.5, departure: 'input-forget-direction' },
    { name: 'seqlens-forward', description: 'sequence_lens [4, 1, 3] of 4 steps: padded steps give zero Y, Y_h/Y_c are the states at each row\'s last step', seed: 1015, S: 4, B: 3, I: 2, H: 3, direction: 'forward', bias: true, peephole: true, initialH: 'constant', initialC: 'constant', seqLens: [4, 1, 3] },
    { name: 'seqlens-reverse', description: 'sequence_lens [2, 3, 1], reverse: each row starts at its own last valid step', seed: 1016, S: 3, B: 3, I: 3, H: 2, direction: 'reverse', bias: true, initialH: 'input', initialC: 'input', seqLens: [2, 3, 1] },
    { name: 'seqlens-bidirectional', description: 'sequence_lens [3, 5] fed as a graph input, bidirectional with B, P and initial states', seed: 1017, S: 5, B: 2, I: 2, H: 2, direction: 'bidirectional', bias: true, peephole: true, initialH: 'constant', initialC: 'constant', seqLens: [3, 5], seqLensAs: 'input' },
    { name: 'seqlens-zero-length', description: 'sequence_lens [0, 3, 2] with initial states: a row of length 0 gives zero Y, Y_h and Y_c (ONNX Runtime; recorded departure ORT.LSTM.sequence_lens.zero)', seed: 1018, S: 3, B: 3, I: 2, H: 3, direction: 'forward', bias: true, initialH: 'constant', initialC: 'constant', seqLens: [0, 3, 2], departure: 'empty-sequence' },
    { name: 'layout1-forward', description: 'layout=1 (batch-major X, Y, states), forward with B, P and initial states', seed: 1019, S: 3, B: 2, I: 3, H: 3, direction: 'forward', layout: 1, bias: true, peephole: true, initialH: 'input', initialC: 'input' },
    { name: 'layout1-bidirectional-seqlens', description: 'layout=1, bidirectional, sequence_lens [2, 3], initial states', seed: 1020, S: 3, B: 2, I: 2, H: 2, direction: 'bidirectional', layout: 1, bias: true, initialH: 'constant', initialC: 'constant', seqLens: [2, 3] },
    { name: 'layout1-reverse', description: 'layout=1, reverse, B', seed: 1021, S: 4, B: 2, I: 2, H: 3, direction: 'reverse', layout: 1, bias: true },
    { name: 'opset7-forward', description: 'opset 7 (no layout attribute) forward with B, P and initial states', seed: 1022, opset: 7, S: 3, B: 2, I: 2, H: 3, direction: 'forward', bias: true, peephole: true, initialH: 'constant', initialC: 'constant' },
    { name: 'opset7-bidirectional-seqlens', description: 'opset 7 bidirectional with B and sequence_lens [1, 3]', seed: 1023, opset: 7, S: 3, B: 2, I: 3, H: 2, direction: 'bidirectional', bias: true, seqLens: [1, 3] },
    { name: 'opset22-forward', description: 'opset 22 forward with B, P and initial states', seed: 1024, opset: 22, S: 3, B: 2, I: 3, H: 4, direction: 'forward', bias: true, peephole: true, initialH: 'input', initialC: 'input' },
    { name: 'opset22-reverse-clip', description: 'opset 22 reverse with clip 0.7', seed: 1025, opset: 22, S: 4, B: 1, I: 2, H: 3, direction: 'reverse', clip: 0.7, bias: true, weightScale: 1.5, inputScale: 2 },
    { name: 'float16-forward', description: 'FLOAT16 tensors, forward with B, P and initial states', seed: 1026, dataType: 'FLOAT16', S: 3, B: 2, I: 3, H: 3, direction: 'forward', bias: true, peephole: true, initialH: 'input', initialC: 'input' },
    { name: 'float16-bidirectional-seqlens', description: 'FLOAT16, bidirectional, sequence_lens [3, 2]', seed: 1027, dataType: 'FLOAT16', S: 3, B: 2, I: 2, H: 3, direction: 'bidirectional', bias: true, peephole: true, initialH: 'constant', initialC: 'constant', seqLens: [3, 2] },
    { name: 'float16-layout1-clip', description: 'FLOAT16, layout=1, clip 0.75', seed: 1028, dataType: 'FLOAT16', S: 3, B: 2, I: 2, H: 2, direction: 'forward', layout: 1, clip: 0.75, bias: true, weightScale: 1.5, inputScale: 1.5 },
    { name: 'double-forward', description: 'DOUBLE tensors, forward with B, P and initial states', seed: 1029, dataType: 'DOUBLE', S: 3, B: 2, I: 3, H: 3, direction: 'forward', bias: true, peephole: true, initialH: 'input', initialC: 'input' },
    { name: 'double-bidirectional-clip-seqlens', description: 'DOUBLE, bidirectional, clip 1.0, per-direction activations, sequence_lens [2, 3]', seed: 1030, dataType: 'DOUBLE', S: 3, B: 2, I: 2, H: 3, direction: 'bidirectional', clip: 1, activations: perDir, bias: true, peephole: true, seqLens: [2, 3], weightScale: 1.2, inputScale: 1.5 },
    { name: 'double-layout1-reverse-input-forget', description: 'DOUBLE, layout=1, reverse, input_forget=1', seed: 1031, dataType: 'DOUBLE', S: 3, B: 2, I: 2, H: 2, direction: 'reverse', layout: 1, inputForget: 1, bias: true, initialH: 'constant', initialC: 'constant', departure: 'input-forget-direction' },
    { name: 'minimal', description: 'one step, one batch row, one input feature, two units, with B', seed: 1032, S: 1, B: 1, I: 1, H: 2, direction: 'forward', bias: true },
    { name: 'square', description: 'hidden size equal to input size (3), batch 3, two steps', seed: 1033, S: 2, B: 3, I: 3, H: 3, direction: 'forward', bias: true, peephole: true, initialH: 'constant', initialC: 'constant' },
    { name: 'larger', description: 'five steps, batch 3, input 4, hidden 5, B, P and initial states', seed: 1034, S: 5, B: 3, I: 4, H: 5, direction: 'forward', bias: true, peephole: true, initialH: 'input', initialC: 'input' },
    { name: 'initial-h-only', description: 'initial_h given, initial_c omitted', seed: 1035, S: 3, B: 2, I: 2, H: 3, direction: 'forward', bias: true, initialH: 'constant' },
    { name: 'initial-c-only', description: 'initial_c given (with peepholes), initial_h omitted', seed: 1036, S: 3, B: 2, I: 2, H: 3, direction: 'reverse', bias: true, peephole: true, initialC: 'input' },
    {
      name: 'activation-defaults',
      description: 'g=Affine and h=ThresholdedRelu with no activation_alpha/beta: ONNX Runtime takes 0 for both, the operator doc the operators\' defaults (Affine 1, 0; ThresholdedRelu 1) — recorded departure ORT.LSTM.activation_defaults; expected follows the doc',
      seed: 1037,
      S: 3,
      B: 2,
      I: 2,
      H: 3,
      direction: 'forward',
      activations: [{ name: 'Sigmoid' }, { name: 'Affine' }, { name: 'ThresholdedRelu' }],
      bias: true,
      initialC: 'constant',
      inputScale: 2,
      weightScale: 1,
      departure: 'activation-defaults',
    },
    {
      name: 'thresholded-relu-boundary',
      description: 'g=ThresholdedRelu(alpha 0.25) whose input is exactly 0.25 (cell-gate rows of W and R zero, Wbc = 0.25, Rbc = 0): the doc passes x ≥ alpha, ONNX Runtime only x > alpha — recorded departure ORT.LSTM.thresholded_relu.comparison; expected follows the doc',
      seed: 1038,
      S: 2,
      B: 2,
      I: 2,
      H: 2,
      direction: 'forward',
      activations: [{ name: 'Sigmoid' }, { name: 'ThresholdedRelu', alpha: 0.25 }, { name: 'Tanh' }],
      bias: true,
      departure: 'threshold-boundary',
    },
  ];
  return [...base, ...activationCases()];
}

/** The rows of the cross-format table (and the test dimensions of issue #14) a golden exercises, derived from its contents. */
export function caseRows(g: Pick<OnnxGoldenFile, 'attrs' | 'inputs' | 'opset' | 'dataType' | 'graphInputs'>): string[] {
  const rows: string[] = ['gate-packing'];
  const a = g.attrs;
  const x = g.inputs.X!.dims;
  const S = a.layout === 1 ? x[1]! : x[0]!;
  const Bt = a.layout === 1 ? x[0]! : x[1]!;
  const I = x[2]!;
  const nz = (t?: GoldenTensor): boolean => t !== undefined && t.data.some((v) => v !== 0);
  if (g.inputs.B) {
    const H = a.hiddenSize;
    const D = a.direction === 'bidirectional' ? 2 : 1;
    const b = g.inputs.B.data;
    let wb = false;
    let rb = false;
    for (let d = 0; d < D; d++) for (let k = 0; k < 4 * H; k++) {
      if (b[d * 8 * H + k] !== 0) wb = true;
      if (b[d * 8 * H + 4 * H + k] !== 0) rb = true;
    }
    if (wb && rb) rows.push('bias');
  }
  if (nz(g.inputs.P)) rows.push('peephole');
  if (a.clip !== undefined) rows.push('clip');
  if (a.inputForget === 1) rows.push('input-forget');
  const isDefault = a.activations.every((v, k) => v.name === (k % 3 === 0 ? 'Sigmoid' : 'Tanh'));
  if (!isDefault) rows.push('activations');
  if (a.direction === 'bidirectional') {
    const f = JSON.stringify(a.activations.slice(0, 3));
    if (f !== JSON.stringify(a.activations.slice(3))) rows.push('per-direction-activations');
  }
  rows.push(`direction-${a.direction}`);
  rows.push(`layout-${a.layout}`);
  if (g.inputs.sequence_lens) {
    if (g.inputs.sequence_lens.data.some((v) => v < S)) {
      if (a.direction !== 'reverse') rows.push('sequence-lens-padded');
      if (a.direction !== 'forward') rows.push('sequence-lens-padded-reverse');
    } else rows.push('sequence-lens-full');
  }
  rows.push(g.inputs.initial_h || g.inputs.initial_c ? 'initial-state-given' : 'initial-state-omitted');
  if (Bt > 1) rows.push('batch>1');
  if (S > 1) rows.push('seq>1');
  if (a.hiddenSize !== I) rows.push('hidden≠input');
  rows.push(`dtype-${g.dataType.toLowerCase()}`);
  rows.push(`opset-${g.opset}`);
  return rows;
}

/** Every activation name, in the operator doc's order. */
export const ACTIVATION_NAMES: readonly OnnxActivationName[] = ALL_ACTS.map((a) => a.name);
