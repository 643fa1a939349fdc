/**
 * One float time step of ANEURALNETWORKS_LSTM (facts memo §C.1), orchestrating the StepKernel.
 *
 * `lstmStepInto` allocates nothing: gate accumulators live in an LstmWorkspace and results go
 * into caller-owned buffers. State inputs may alias the matching state outputs (cell_state_in ===
 * cellStateOut, output_state_in === outputStateOut), so a sequence can run in place.
 */

import { REFERENCE_KERNEL, isSupportedActivation, type StepKernel } from './cell.js';
import { LSTM_INPUT_NAMES, type LstmInputName } from './operands.generated.js';

export interface LstmShape {
  /** B */
  batchSize: number;
  /** I */
  inputSize: number;
  /** N (cells) */
  numUnits: number;
  /** O (output / projection size; equals N without projection) */
  outputSize: number;
  /** Coupled input and forget gate: input gate = 1 − forget gate (no input-gate tensors). */
  useCifg: boolean;
  usePeephole: boolean;
  useProjection: boolean;
  useProjectionBias: boolean;
  useLayerNorm: boolean;
}

/** Whether two shapes have the same sizes and the same feature flags (a workspace or plan fits both). */
export function sameLstmShape(a: LstmShape, b: LstmShape): boolean {
  return (
    a.batchSize === b.batchSize &&
    a.inputSize === b.inputSize &&
    a.numUnits === b.numUnits &&
    a.outputSize === b.outputSize &&
    a.useCifg === b.useCifg &&
    a.usePeephole === b.usePeephole &&
    a.useProjection === b.useProjection &&
    a.useProjectionBias === b.useProjectionBias &&
    a.useLayerNorm === b.useLayerNorm
  );
}

/** Tensor roles that every LSTM has. */
export type RequiredTensorRole =
  | 'input'
  | 'input_to_forget_weights'
  | 'input_to_cell_weights'
  | 'input_to_output_weights'
  | 'recurrent_to_forget_weights'
  | 'recurrent_to_cell_weights'
  | 'recurrent_to_output_weights'
  | 'forget_gate_bias'
  | 'cell_gate_bias'
  | 'output_gate_bias'
  | 'output_state_in'
  | 'cell_state_in';

/** Tensor roles that depend on the variant (null when omitted). */
export type OptionalTensorRole =
  | 'input_to_input_weights'
  | 'recurrent_to_input_weights'
  | 'cell_to_input_weights'
  | 'cell_to_forget_weights'
  | 'cell_to_output_weights'
  | 'input_gate_bias'
  | 'projection_weights'
  | 'projection_bias'
  | 'input_layer_norm_weights'
  | 'forget_layer_norm_weights'
  | 'cell_layer_norm_weights'
  | 'output_layer_norm_weights';

export type ScalarRole = 'activation' | 'cell_clip' | 'proj_clip';
export type TensorRole = RequiredTensorRole | OptionalTensorRole;

// Compile-time check that the three role lists cover the generated operand table exactly.
type Uncovered = Exclude<LstmInputName, TensorRole | ScalarRole>;
type Unknown = Exclude<TensorRole | ScalarRole, LstmInputName>;
const _roleTableIsCovered: [Uncovered, Unknown] extends [never, never] ? true : never = true;
void _roleTableIsCovered;

/** The operands of one LSTM step, keyed by NNAPI role name, widened to float32. */
export type LstmTensors = { readonly [K in RequiredTensorRole]: Float32Array } & {
  readonly [K in OptionalTensorRole]: Float32Array | null;
} & {
  /** Activation code: 0 none, 1 relu, 3 relu6, 4 tanh, 6 sigmoid (2, 5 also implemented). */
  readonly activation: number;
  /** 0 = off. */
  readonly cell_clip: number;
  /** 0 = off. */
  readonly proj_clip: number;
};

/**
 * Activation 0 (none): 'documented' computes m = o ⊙ C_t as the spec formula says; 'aosp-code'
 * reproduces the Android 11+ reference, whose activation helper writes nothing for code 0 so the
 * cell scratch still holds z_c and m = o ⊙ z_c (facts §C.1, §G.2).
 */
export type ActivationNoneVariant = 'documented' | 'aosp-code';

export interface LstmStepOptions {
  kernel?: StepKernel;
  activationNoneVariant?: ActivationNoneVariant;
}

/**
 * Cross-linked auxiliary input of one step (BIDIRECTIONAL_SEQUENCE_LSTM, facts §C.1 step 2, §C.3):
 * each gate accumulator also receives W_aux,k·aux_t, added after W_x·x and before W_h·h.
 */
export interface LstmAuxInput {
  /** A, the auxiliary input size. */
  readonly size: number;
  /** aux_t [B, A]. */
  readonly input: Float32Array;
  /** [N, A]; read only without CIFG. */
  readonly input_to_input_weights: Float32Array | null;
  /** [N, A] */
  readonly input_to_forget_weights: Float32Array;
  /** [N, A] */
  readonly input_to_cell_weights: Float32Array;
  /** [N, A] */
  readonly input_to_output_weights: Float32Array;
}

export interface LstmStepOutputs {
  /** Declared [B, 4N] (non-CIFG) or [B, 3N] (CIFG); laid out as gate blocks of [B, N] each. */
  scratchBuffer: Float32Array;
  /** [B, O] */
  outputStateOut: Float32Array;
  /** [B, N] */
  cellStateOut: Float32Array;
  /** [B, O], identical to outputStateOut. */
  output: Float32Array;
}

/** Per-step temporaries, sized once for a shape. */
export interface LstmWorkspace {
  readonly shape: LstmShape;
  /** Gate accumulators [B, N]. z_i → σ(z_i); under CIFG it receives 1 − f instead. */
  readonly inputGate: Float32Array;
  /** z_f → f. */
  readonly forgetGate: Float32Array;
  /** z_c → g → act(C_t) (or g with the 'aosp-code' activation-none variant). */
  readonly cellGate: Float32Array;
  /** z_o → o → m = o ⊙ act(C_t). */
  readonly outputGate: Float32Array;
  /**
   * C_{t-1} kept aside for a kernel whose output peephole reads the old cell when the state buffers alias
   * (the sequence ops update the cell in place); unused by the reference kernel.
   */
  readonly cellPrev: Float32Array;
}

/** Number of gate blocks in the scratch buffer. */
export function scratchGateCount(shape: LstmShape): 3 | 4 {
  return shape.useCifg ? 3 : 4;
}

/** Declared output dimensions in NNAPI output order: scratch, output_state_out, cell_state_out, output. */
export function lstmOutputDimensions(shape: LstmShape): [number[], number[], number[], number[]] {
  const { batchSize: B, numUnits: N, outputSize: O } = shape;
  return [[B, scratchGateCount(shape) * N], [B, O], [B, N], [B, O]];
}

export function createLstmWorkspace(shape: LstmShape): LstmWorkspace {
  const bn = shape.batchSize * shape.numUnits;
  return {
    shape: { ...shape },
    inputGate: new Float32Array(bn),
    forgetGate: new Float32Array(bn),
    cellGate: new Float32Array(bn),
    outputGate: new Float32Array(bn),
    cellPrev: new Float32Array(bn),
  };
}

export function createLstmOutputs(shape: LstmShape): LstmStepOutputs {
  const { batchSize: B, numUnits: N, outputSize: O } = shape;
  return {
    scratchBuffer: new Float32Array(B * scratchGateCount(shape) * N),
    outputStateOut: new Float32Array(B * O),
    cellStateOut: new Float32Array(B * N),
    output: new Float32Array(B * O),
  };
}

/**
 * Value count a role must have for `shape`, or null when the variant does not read it
 * (a present-but-unused tensor, e.g. cell_to_input_weights under CIFG, is ignored as AOSP does).
 */
export function expectedTensorLength(shape: LstmShape, role: TensorRole): number | null {
  const { batchSize: B, inputSize: I, numUnits: N, outputSize: O } = shape;
  const { useCifg, usePeephole, useProjection, useProjectionBias, useLayerNorm } = shape;
  switch (role) {
    case 'input':
      return B * I;
    case 'input_to_input_weights':
      return useCifg ? null : N * I;
    case 'input_to_forget_weights':
    case 'input_to_cell_weights':
    case 'input_to_output_weights':
      return N * I;
    case 'recurrent_to_input_weights':
      return useCifg ? null : N * O;
    case 'recurrent_to_forget_weights':
    case 'recurrent_to_cell_weights':
    case 'recurrent_to_output_weights':
      return N * O;
    case 'cell_to_input_weights':
      return usePeephole && !useCifg ? N : null;
    case 'cell_to_forget_weights':
    case 'cell_to_output_weights':
      return usePeephole ? N : null;
    case 'input_gate_bias':
      return useCifg ? null : N;
    case 'forget_gate_bias':
    case 'cell_gate_bias':
    case 'output_gate_bias':
      return N;
    case 'projection_weights':
      return useProjection ? O * N : null;
    case 'projection_bias':
      return useProjectionBias ? O : null;
    case 'output_state_in':
      return B * O;
    case 'cell_state_in':
      return B * N;
    case 'input_layer_norm_weights':
      return useLayerNorm && !useCifg ? N : null;
    case 'forget_layer_norm_weights':
    case 'cell_layer_norm_weights':
    case 'output_layer_norm_weights':
      return useLayerNorm ? N : null;
  }
}

/** Every tensor role, in NNAPI input order (derived from the generated operand table). */
export const TENSOR_ROLES: readonly TensorRole[] = LSTM_INPUT_NAMES.filter(
  (n): n is TensorRole => n !== 'activation' && n !== 'cell_clip' && n !== 'proj_clip',
);

function isCount(n: number): boolean {
  return Number.isInteger(n) && n >= 0;
}

/** Throws a descriptive Error unless shape, tensors and scalars are consistent. Allocation-free on success. */
export function checkLstmArguments(shape: LstmShape, tensors: LstmTensors): void {
  const { batchSize: B, inputSize: I, numUnits: N, outputSize: O } = shape;
  if (!isCount(B) || !isCount(I) || !isCount(N) || !isCount(O)) {
    throw new Error(`LSTM: sizes must be non-negative integers (B=${B}, I=${I}, N=${N}, O=${O})`);
  }
  if (!shape.useProjection && O !== N) {
    throw new Error(`LSTM: without projection the output size (${O}) must equal num_units (${N})`);
  }
  if (shape.useProjectionBias && !shape.useProjection) {
    throw new Error('LSTM: projection_bias requires projection_weights');
  }
  for (let r = 0; r < TENSOR_ROLES.length; r++) {
    const role = TENSOR_ROLES[r]!;
    const want = expectedTensorLength(shape, role);
    if (want === null) continue;
    const t = tensors[role];
    if (t === null) throw new Error(`LSTM: ${role} is omitted but this variant reads it`);
    if (t.length !== want) throw new Error(`LSTM: ${role} has ${t.length} values, expected ${want}`);
  }
  if (!isSupportedActivation(tensors.activation)) {
    throw new Error(`LSTM: unsupported activation code ${tensors.activation}`);
  }
  if (!(tensors.cell_clip >= 0) || !(tensors.proj_clip >= 0)) {
    throw new Error(`LSTM: clip values must be >= 0 (cell_clip=${tensors.cell_clip}, proj_clip=${tensors.proj_clip})`);
  }
}

function checkBuffers(ws: LstmWorkspace, shape: LstmShape, out: LstmStepOutputs): void {
  const { batchSize: B, numUnits: N, outputSize: O } = shape;
  if (ws.inputGate.length !== B * N) throw new Error(`LSTM: workspace sized for another shape`);
  if (out.scratchBuffer.length !== B * N * scratchGateCount(shape)) throw new Error('LSTM: scratchBuffer has the wrong size');
  if (out.outputStateOut.length !== B * O) throw new Error('LSTM: outputStateOut has the wrong size');
  if (out.cellStateOut.length !== B * N) throw new Error('LSTM: cellStateOut has the wrong size');
  if (out.output.length !== B * O) throw new Error('LSTM: output has the wrong size');
}

function checkAux(shape: LstmShape, aux: LstmAuxInput): void {
  const { batchSize: B, numUnits: N } = shape;
  const A = aux.size;
  if (!isCount(A)) throw new Error(`LSTM: aux input size must be a non-negative integer (${A})`);
  if (aux.input.length !== B * A) throw new Error(`LSTM: aux input has ${aux.input.length} values, expected ${B * A}`);
  const check = (w: Float32Array | null, role: string): void => {
    if (w === null) throw new Error(`LSTM: aux_${role} is omitted but cross linking reads it`);
    if (w.length !== N * A) throw new Error(`LSTM: aux_${role} has ${w.length} values, expected ${N * A}`);
  };
  if (!shape.useCifg) check(aux.input_to_input_weights, 'input_to_input_weights');
  check(aux.input_to_forget_weights, 'input_to_forget_weights');
  check(aux.input_to_cell_weights, 'input_to_cell_weights');
  check(aux.input_to_output_weights, 'input_to_output_weights');
}

/** Gate accumulator before peephole/LN: (bias or 0) + W_x·x [+ W_aux·aux] + W_h·h_{t-1}. */
function accumulateGate(
  k: StepKernel,
  shape: LstmShape,
  acc: Float32Array,
  bias: Float32Array | null,
  wx: Float32Array,
  wh: Float32Array,
  x: Float32Array,
  hPrev: Float32Array,
  gate: 'input' | 'forget' | 'cell' | 'output',
  aux: LstmAuxInput | null,
  wAux: Float32Array | null,
): void {
  const { batchSize: B, inputSize: I, numUnits: N, outputSize: O } = shape;
  k.initGate(acc, bias, shape.useLayerNorm, N, B, gate);
  k.matVecAccumulate(acc, wx, x, N, I, B);
  if (aux !== null) k.matVecAccumulate(acc, wAux!, aux.input, N, aux.size, B);
  k.matVecAccumulate(acc, wh, hPrev, N, O, B);
}

const NO_OPTIONS: LstmStepOptions = Object.freeze({});

/** Narrow an optional tensor that checkLstmArguments has proven present for this variant. */
function need(a: Float32Array | null): Float32Array {
  return a!;
}

/**
 * One LSTM step into preallocated buffers. Checks sizes (throws a descriptive Error), then runs
 * the facts-§C.1 sequence. Allocates nothing. `aux` (cross-linked BiLSTM only) adds
 * W_aux,k·aux_t to every gate accumulator; null or absent = the plain LSTM step.
 */
export function lstmStepInto(
  ws: LstmWorkspace,
  shape: LstmShape,
  t: LstmTensors,
  out: LstmStepOutputs,
  opts: LstmStepOptions = NO_OPTIONS,
  aux: LstmAuxInput | null = null,
): LstmStepOutputs {
  checkLstmArguments(shape, t);
  checkBuffers(ws, shape, out);
  if (aux !== null) checkAux(shape, aux);
  const k = opts.kernel ?? REFERENCE_KERNEL;
  const { batchSize: B, numUnits: N, outputSize: O, useCifg, usePeephole, useLayerNorm } = shape;
  const x = t.input;
  const hPrev = t.output_state_in;
  const cPrev = t.cell_state_in;
  const cNew = out.cellStateOut;
  const { inputGate: zi, forgetGate: zf, cellGate: zc, outputGate: zo } = ws;

  // 1–2. Accumulators for all gates: bias (unless LN) + W_x·x (+ W_aux·aux) + W_h·h.
  if (!useCifg) {
    accumulateGate(k, shape, zi, t.input_gate_bias, need(t.input_to_input_weights), need(t.recurrent_to_input_weights), x, hPrev, 'input', aux, aux && aux.input_to_input_weights);
  }
  accumulateGate(k, shape, zf, t.forget_gate_bias, t.input_to_forget_weights, t.recurrent_to_forget_weights, x, hPrev, 'forget', aux, aux && aux.input_to_forget_weights);
  accumulateGate(k, shape, zc, t.cell_gate_bias, t.input_to_cell_weights, t.recurrent_to_cell_weights, x, hPrev, 'cell', aux, aux && aux.input_to_cell_weights);
  accumulateGate(k, shape, zo, t.output_gate_bias, t.input_to_output_weights, t.recurrent_to_output_weights, x, hPrev, 'output', aux, aux && aux.input_to_output_weights);

  // 3. Input gate: peephole on C_{t-1}, LN (+ bias after γ), σ.
  if (!useCifg) {
    if (usePeephole) k.peephole(zi, need(t.cell_to_input_weights), cPrev, N, B, 'input');
    if (useLayerNorm) k.layerNorm(zi, need(t.input_layer_norm_weights), t.input_gate_bias, N, B, 'input');
    k.gateActivation(zi, 'input');
  }
  // 4. Forget gate, same pattern.
  if (usePeephole) k.peephole(zf, need(t.cell_to_forget_weights), cPrev, N, B, 'forget');
  if (useLayerNorm) k.layerNorm(zf, need(t.forget_layer_norm_weights), t.forget_gate_bias, N, B, 'forget');
  k.gateActivation(zf, 'forget');
  // 5. Cell candidate g = act(z_c), in place.
  if (useLayerNorm) k.layerNorm(zc, need(t.cell_layer_norm_weights), t.cell_gate_bias, N, B, 'cell');
  k.cellActivation(zc, zc, t.activation);
  // 6. C_t = f⊙C_{t-1} + i⊙g; under CIFG i = 1 − f (kept in the input-gate buffer for the scratch).
  if (useCifg) k.cifgInputGate(zf, zi);
  // In place (cPrev === cNew) the old cell is gone after the update; a kernel that reads it later gets a copy.
  let cOld = cPrev;
  if (usePeephole && cPrev === cNew && k.outputPeepholeCell !== REFERENCE_KERNEL.outputPeepholeCell) {
    ws.cellPrev.set(cPrev);
    cOld = ws.cellPrev;
  }
  k.updateCell(cNew, cPrev, zi, zf, zc);
  // 7. Clip before the output gate, so peephole-o and the output see the clipped state.
  k.clipCell(cNew, t.cell_clip);
  // 8. Output gate: peephole on the new C_t, LN, σ.
  if (usePeephole) k.peephole(zo, need(t.cell_to_output_weights), k.outputPeepholeCell(cOld, cNew), N, B, 'output');
  if (useLayerNorm) k.layerNorm(zo, need(t.output_layer_norm_weights), t.output_gate_bias, N, B, 'output');
  k.gateActivation(zo, 'output');
  // 9. m = o ⊙ act(C_t), computed into the output-gate buffer (as the scratch layout shows).
  //    AOSP code with activation 0 never overwrites the cell buffer, leaving g = z_c there.
  const aospNone = t.activation === 0 && opts.activationNoneVariant === 'aosp-code';
  if (!aospNone) k.cellActivation(cNew, zc, t.activation);
  k.outputGate(zo, zc, zo);
  // 10. Projection (+ optional bias) and its clip; without projection h = m (O = N).
  const h = out.outputStateOut;
  if (shape.useProjection) {
    k.project(h, need(t.projection_weights), shape.useProjectionBias ? t.projection_bias : null, zo, O, N, B);
    k.clipProjection(h, t.proj_clip);
  } else {
    h.set(zo);
  }
  // 11. output is a bit-identical copy of output_state_out.
  out.output.set(h);
  writeScratch(ws, shape, out.scratchBuffer);
  return out;
}

/**
 * AOSP scratch contents: gate-major blocks of [B, N] each —
 * non-CIFG [σ(z_i) | act(C_t) | f | o⊙act(C_t)], CIFG [act(C_t) | 1−f | o⊙act(C_t)].
 */
function writeScratch(ws: LstmWorkspace, shape: LstmShape, scratch: Float32Array): void {
  const bn = shape.batchSize * shape.numUnits;
  let off = 0;
  if (!shape.useCifg) {
    scratch.set(ws.inputGate, off);
    off += bn;
  }
  scratch.set(ws.cellGate, off);
  off += bn;
  // Under CIFG the AOSP forget block ends up holding 1 − f (the coupled input gate).
  scratch.set(shape.useCifg ? ws.inputGate : ws.forgetGate, off);
  off += bn;
  scratch.set(ws.outputGate, off);
}

/** Convenience: one step with freshly allocated workspace and outputs. */
export function lstmStep(shape: LstmShape, tensors: LstmTensors, opts: LstmStepOptions = {}): LstmStepOutputs {
  const ws = createLstmWorkspace(shape);
  const out = createLstmOutputs(shape);
  return lstmStepInto(ws, shape, tensors, out, opts);
}
