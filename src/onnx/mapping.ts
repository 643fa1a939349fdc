/**
 * ONNX LSTM → NNAPI: whether one ONNX `LSTM` node is expressible as UNIDIRECTIONAL_SEQUENCE_LSTM or
 * BIDIRECTIONAL_SEQUENCE_LSTM, and if so the NNAPI model with the node's real weights.
 *
 * The conventions compared are spec/cross-format/lstm-conventions.json; a refusal names its aspect id. Decisions:
 * - gates: ONNX rows [i, o, f, c] → NNAPI's per-gate tensors; P [i, o, f] → cell_to_input / cell_to_output /
 *   cell_to_forget (both formats read C_t for the output gate).
 * - bias: NNAPI's one bias per gate is float32(Wb + Rb), rounded once (the ONNX reference sums them the same way;
 *   ONNX Runtime's own order is measured by the numeric check, not assumed).
 * - layout 0 → time_major true; layout 1 → time_major false.
 * - direction: forward → UNIDIRECTIONAL_SEQUENCE_LSTM; bidirectional → BIDIRECTIONAL_SEQUENCE_LSTM with separate
 *   outputs; reverse → BIDIRECTIONAL_SEQUENCE_LSTM whose backward half is the node (bw_output is ONNX's Y) and whose
 *   forward half repeats the same weights (its output is unused). NNAPI's UNIDIRECTIONAL op has no reverse flag, and
 *   reversing X in time would need more operations (REVERSE is feature level 7): one operation keeps the mapping exact.
 * - activations [Sigmoid, g, g] with g ∈ {Tanh, Relu, Sigmoid} → NNAPI activation 4, 1, 6.
 * - feature level: the sequence ops are feature level 3; the state outputs (ONNX Y_h / Y_c used) need level 4.
 */
import type { Model } from '../model/model.js';
import { buildModel, type OperandInit } from '../ops/build-model.js';
import { validateModel } from '../ops/validate.js';
import { ONNX_CONVENTIONS } from '../ops/onnx-lstm/conventions.js';
import type { OnnxActivation, OnnxLstmAttributes, OnnxLstmInputs, OnnxLstmOutputs, OnnxLstmTensor } from '../ops/onnx-lstm/types.js';
import { GATE_C, GATE_F, GATE_I, GATE_O, unpackDirection, type DirectionWeights } from '../ops/onnx-lstm/weights.js';
import type { OnnxDataType } from './model.js';
import type { OnnxLstmInputName as OnnxLstmInput } from '../ops/onnx-lstm/types.js';

/** Aspect ids of spec/cross-format/lstm-conventions.json that a mapping refusal can name. */
export type ConventionAspect =
  | 'gate-packing'
  | 'bias'
  | 'peephole'
  | 'clip'
  | 'coupled-gates'
  | 'projection-layer-norm'
  | 'activations'
  | 'direction'
  | 'layout-lengths'
  | 'types'
  | 'weights-constant';

/** Why a node is not expressible in NNAPI: the convention aspect, the ONNX attribute or input, and a sentence. */
export interface MappingReason {
  aspect: ConventionAspect;
  /** ONNX attribute or input name (e.g. `clip`, `input_forget`, `activations`, `sequence_lens`, `W`). */
  attribute: string;
  message: string;
}

/** The node's constant inputs, resolved (through Constant / Unsqueeze / initializers). */
export interface OnnxNodeConstants {
  W?: OnnxLstmTensor;
  R?: OnnxLstmTensor;
  B?: OnnxLstmTensor;
  P?: OnnxLstmTensor;
  sequence_lens?: { dims: number[]; data: Int32Array };
}

/** Input names of an ONNX LSTM node after X. */
export type OnnxLstmInputName = Exclude<OnnxLstmInput, 'X'>;

/** What the mapping needs to know about the node besides its constants. */
export interface OnnxNodeShapes {
  /** X's dims in the node's layout; required to build the model (unknown dims: give the shape to build for). */
  X?: readonly number[];
  /** Element type of X (default FLOAT). */
  dataType?: OnnxDataType;
  /** Inputs the node gives (non-empty name) that are not constants: weights among them make it not expressible. */
  runtimeInputs?: readonly OnnxLstmInputName[];
  /** Which outputs the node uses (non-empty output names); default all three. Y_h / Y_c need feature level 4. */
  outputsUsed?: { Y: boolean; Y_h: boolean; Y_c: boolean };
}

/** How ONNX tensors correspond to the NNAPI model's operands. */
export interface NnapiCorrespondence {
  /** The NNAPI operands that carry ONNX direction d (0 = forward or the only direction). */
  directions: { output: string; outputState: string; cellState: string; outputStateIn: string; cellStateIn: string }[];
}

/** An expressible node: the operation, its feature level and the model with the node's weights. */
export interface ExpressibleMapping {
  expressible: true;
  operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM' | 'BIDIRECTIONAL_SEQUENCE_LSTM';
  /** NNAPI feature level the mapped model needs (3: the sequence ops; 4: with state outputs). */
  featureLevel: 3 | 4;
  /** NNAPI activation code for g and h (1 relu, 4 tanh, 6 sigmoid). */
  activation: 1 | 4 | 6;
  timeMajor: boolean;
  /** How the mapping handled the node's direction (reverse: the backward half of BIDIRECTIONAL). */
  directionNote: string;
  /** Notes on conventions converted (bias summed, peephole reordered, …). */
  notes: string[];
  /** The NNAPI model (present when X's shape and the weights are known). */
  model?: Model;
  /** Which NNAPI operands hold each ONNX direction's outputs and states. */
  correspondence: NnapiCorrespondence;
}

/** A node NNAPI cannot express, with every reason. */
export interface InexpressibleMapping {
  expressible: false;
  reasons: MappingReason[];
}

/** The verdict of {@link mapOnnxLstmToNnapi}: the NNAPI operation and model, or the reasons it is not expressible. */
export type OnnxNnapiMapping = ExpressibleMapping | InexpressibleMapping;

const NNAPI_ACTIVATION: Partial<Record<OnnxActivation['name'], 1 | 4 | 6>> = { Tanh: 4, Relu: 1, Sigmoid: 6 };

const actText = (a: OnnxActivation) => `${a.name}${a.alpha !== undefined || a.beta !== undefined ? `(${[a.alpha, a.beta].filter((x) => x !== undefined).join(', ')})` : ''}`;

/** The reasons of one direction's activations [f, g, h], or its NNAPI activation code. */
function activationCode(acts: readonly OnnxActivation[], dir: string, reasons: MappingReason[]): 1 | 4 | 6 | undefined {
  const [f, g, h] = acts;
  if (!f || !g || !h) {
    reasons.push({ aspect: 'activations', attribute: 'activations', message: `${dir}: 3 activations expected, got ${acts.length}` });
    return undefined;
  }
  const before = reasons.length;
  // Sigmoid, Tanh and Relu take no alpha/beta, so a parameter on them is already a different node.
  if (f.name !== 'Sigmoid' || f.alpha !== undefined || f.beta !== undefined) {
    reasons.push({ aspect: 'activations', attribute: 'activations', message: `${dir}: gate activation f = ${actText(f)}; NNAPI's gates are the logistic sigmoid, fixed` });
  }
  if (g.name !== h.name || g.alpha !== h.alpha || g.beta !== h.beta) {
    reasons.push({ aspect: 'activations', attribute: 'activations', message: `${dir}: g = ${actText(g)} and h = ${actText(h)} differ; NNAPI has one activation for both` });
  } else if (NNAPI_ACTIVATION[g.name] === undefined || g.alpha !== undefined || g.beta !== undefined) {
    const note = g.name === 'Affine' ? ' (Affine(1, 0) is NNAPI activation 0, whose implemented semantics differ from the documented ones: deviation activation-none-cell-gate)' : '';
    reasons.push({ aspect: 'activations', attribute: 'activations', message: `${dir}: g = h = ${actText(g)}; NNAPI's cell activation is one of none, Relu, Relu6, Tanh, Sigmoid${note}` });
  }
  return reasons.length === before ? NNAPI_ACTIVATION[g.name] : undefined;
}

/**
 * Every reason the node is not expressible as an NNAPI sequence LSTM (empty: expressible), without building
 * the model. Shape consistency is the ONNX validator's job (src/onnx/lstm-validate.ts); only what the mapping
 * itself needs is checked here.
 */
export function mappingReasons(attrs: OnnxLstmAttributes, constants: OnnxNodeConstants, shapes: OnnxNodeShapes = {}): MappingReason[] {
  const reasons: MappingReason[] = [];
  if (attrs.clip !== undefined) {
    reasons.push({
      aspect: 'clip',
      attribute: 'clip',
      message: `clip = ${attrs.clip} bounds the inputs of the activations (every gate pre-activation); NNAPI's cell_clip bounds the cell state C_t, a different quantity`,
    });
  }
  if (attrs.inputForget === 1) {
    reasons.push({
      aspect: 'coupled-gates',
      attribute: 'input_forget',
      message: 'input_forget = 1 couples the gates as f = 1 − i (ONNX Runtime); NNAPI CIFG couples them the other way, i = 1 − f',
    });
  }
  const D = attrs.direction === 'bidirectional' ? 2 : 1;
  if (attrs.activations.length !== 3 * D) {
    reasons.push({ aspect: 'activations', attribute: 'activations', message: `${3 * D} activations expected for direction ${attrs.direction}, got ${attrs.activations.length}` });
  } else {
    const fw = activationCode(attrs.activations.slice(0, 3), D === 2 ? 'forward' : attrs.direction, reasons);
    if (D === 2) {
      const bw = activationCode(attrs.activations.slice(3, 6), 'reverse', reasons);
      const same = attrs.activations.slice(0, 3).every((a, k) => {
        const b = attrs.activations[3 + k]!;
        return a.name === b.name && a.alpha === b.alpha && a.beta === b.beta;
      });
      if (fw !== undefined && bw !== undefined && !same) {
        reasons.push({ aspect: 'activations', attribute: 'activations', message: `per-direction activations differ (forward ${attrs.activations.slice(0, 3).map(actText).join(', ')}, reverse ${attrs.activations.slice(3).map(actText).join(', ')}); BIDIRECTIONAL_SEQUENCE_LSTM has one activation for both` });
      }
    }
  }
  const runtime = new Set(shapes.runtimeInputs ?? []);
  for (const name of ['W', 'R', 'B', 'P'] as const) {
    if (runtime.has(name)) reasons.push({ aspect: 'weights-constant', attribute: name, message: `${name} is computed at run time (not a constant through Constant / Unsqueeze / initializers): the NNAPI model cannot be built with the node's weights` });
  }
  if (!constants.W && !runtime.has('W')) reasons.push({ aspect: 'weights-constant', attribute: 'W', message: 'W is missing' });
  if (!constants.R && !runtime.has('R')) reasons.push({ aspect: 'weights-constant', attribute: 'R', message: 'R is missing' });
  if (runtime.has('sequence_lens')) {
    reasons.push({ aspect: 'layout-lengths', attribute: 'sequence_lens', message: 'sequence_lens is computed at run time; NNAPI has no per-batch lengths (expressible only when every length is the sequence length)' });
  } else if (constants.sequence_lens) {
    const S = shapes.X ? (attrs.layout === 0 ? shapes.X[0] : shapes.X[1]) : undefined;
    const lens = Array.from(constants.sequence_lens.data);
    if (S === undefined) {
      reasons.push({ aspect: 'layout-lengths', attribute: 'sequence_lens', message: `sequence_lens [${lens.join(', ')}] given and the sequence length is unknown; NNAPI has no per-batch lengths` });
    } else if (lens.some((l) => l !== S)) {
      reasons.push({ aspect: 'layout-lengths', attribute: 'sequence_lens', message: `sequence_lens [${lens.join(', ')}] differs from seq_length ${S}; NNAPI has no per-batch lengths (ONNX zeroes Y past each length)` });
    }
  }
  const dt = shapes.dataType ?? 'FLOAT';
  if (dt !== 'FLOAT' && dt !== 'FLOAT16') {
    reasons.push({ aspect: 'types', attribute: 'T', message: `element type ${dt}: NNAPI's float LSTMs take TENSOR_FLOAT32 or TENSOR_FLOAT16` });
  }
  return reasons;
}

/** Data of direction d, unit-major rows, as a plain array for the model builder. */
const tensor = (dims: number[], values: ArrayLike<number>) => ({ dimensions: dims, values });

function cellOperands(w: DirectionWeights, H: number, I: number, prefix: string): Record<string, OperandInit> {
  const ops: Record<string, OperandInit> = {};
  const names: [number, string][] = [
    [GATE_I, 'input'],
    [GATE_F, 'forget'],
    [GATE_C, 'cell'],
    [GATE_O, 'output'],
  ];
  for (const [g, n] of names) {
    ops[`${prefix}input_to_${n}_weights`] = tensor([H, I], w.W[g]!);
    ops[`${prefix}recurrent_to_${n}_weights`] = tensor([H, H], w.R[g]!);
    ops[`${prefix}${n}_gate_bias`] = tensor([H], w.bias ? w.bias[g]! : new Float32Array(H));
  }
  if (w.P) {
    // unpackDirection gives the peepholes as [i, o, f].
    ops[`${prefix}cell_to_input_weights`] = tensor([H], w.P[0]!);
    ops[`${prefix}cell_to_output_weights`] = tensor([H], w.P[1]!);
    ops[`${prefix}cell_to_forget_weights`] = tensor([H], w.P[2]!);
  }
  return ops;
}

/**
 * Maps one ONNX LSTM node to NNAPI. Expressible: the operation, its feature level and (when `shapes.X` and W, R are
 * known) the NNAPI model with the node's weights, its inputs `input` and the state inputs (fed at run time; zeros
 * for an ONNX node without initial_h / initial_c). Not expressible: every reason, naming the attribute.
 */
export function mapOnnxLstmToNnapi(attrs: OnnxLstmAttributes, constants: OnnxNodeConstants, shapes: OnnxNodeShapes = {}): OnnxNnapiMapping {
  const reasons = mappingReasons(attrs, constants, shapes);
  if (reasons.length > 0) return { expressible: false, reasons };
  const used = shapes.outputsUsed ?? { Y: true, Y_h: true, Y_c: true };
  const stateOutputs = used.Y_h || used.Y_c;
  const featureLevel: 3 | 4 = stateOutputs ? 4 : 3;
  const activation = NNAPI_ACTIVATION[attrs.activations[0 + 1]!.name]!;
  const timeMajor = attrs.layout === 0;
  const bi = attrs.direction !== 'forward';
  const operation = bi ? 'BIDIRECTIONAL_SEQUENCE_LSTM' : 'UNIDIRECTIONAL_SEQUENCE_LSTM';
  const directionNote =
    attrs.direction === 'forward'
      ? 'forward → UNIDIRECTIONAL_SEQUENCE_LSTM'
      : attrs.direction === 'bidirectional'
        ? 'bidirectional → BIDIRECTIONAL_SEQUENCE_LSTM (separate fw/bw outputs stacked as ONNX numDirections)'
        : 'reverse → the backward half of BIDIRECTIONAL_SEQUENCE_LSTM (bw_output is Y; the forward half repeats the weights and its output is unused)';
  const notes = [
    'gate rows [i, o, f, c] → NNAPI input/forget/cell/output tensors',
    constants.B ? 'bias = float32(Wb + Rb) per gate (one rounding)' : 'no B: zero biases',
    ...(constants.P ? ['P [i, o, f] → cell_to_input, cell_to_output, cell_to_forget (output gate reads C_t in both)'] : []),
    `layout ${attrs.layout} → time_major ${timeMajor}`,
  ];
  const correspondence: NnapiCorrespondence = bi
    ? {
        directions:
          attrs.direction === 'reverse'
            ? [{ output: 'bw_output', outputState: 'bw_output_state_out', cellState: 'bw_cell_state_out', outputStateIn: 'bw_output_state_in', cellStateIn: 'bw_cell_state_in' }]
            : [
                { output: 'fw_output', outputState: 'fw_output_state_out', cellState: 'fw_cell_state_out', outputStateIn: 'fw_output_state_in', cellStateIn: 'fw_cell_state_in' },
                { output: 'bw_output', outputState: 'bw_output_state_out', cellState: 'bw_cell_state_out', outputStateIn: 'bw_output_state_in', cellStateIn: 'bw_cell_state_in' },
              ],
      }
    : { directions: [{ output: 'output', outputState: 'output_state_out', cellState: 'cell_state_out', outputStateIn: 'output_state_in', cellStateIn: 'cell_state_in' }] };
  const out: ExpressibleMapping = { expressible: true, operation, featureLevel, activation, timeMajor, directionNote, notes, correspondence };
  if (!shapes.X || !constants.W || !constants.R) return out;
  const H = attrs.hiddenSize;
  const I = constants.W.dims[2]!;
  const X = [...shapes.X];
  const batch = timeMajor ? X[1]! : X[0]!;
  const variant = shapes.dataType === 'FLOAT16' ? 'float16' : 'float32';
  const w = { W: constants.W, R: constants.R, ...(constants.B ? { B: constants.B } : {}), ...(constants.P ? { P: constants.P } : {}) };
  const dir0 = unpackDirection(0, H, I, w, ONNX_CONVENTIONS, Float32Array);
  const operands: Record<string, OperandInit> = { input: { dimensions: X }, activation, cell_clip: 0, proj_clip: 0, time_major: timeMajor };
  if (!bi) {
    Object.assign(operands, cellOperands(dir0, H, I, ''), { output_state_in: { dimensions: [batch, H] }, cell_state_in: { dimensions: [batch, H] } });
    const outputs = stateOutputs ? ['output', 'output_state_out', 'cell_state_out'] : ['output'];
    return withModel(out, buildModel(operation, operands, { variant, outputs }));
  }
  const dir1 = attrs.direction === 'bidirectional' ? unpackDirection(1, H, I, w, ONNX_CONVENTIONS, Float32Array) : dir0;
  Object.assign(operands, cellOperands(dir0, H, I, 'fw_'), cellOperands(dir1, H, I, 'bw_'), {
    fw_output_state_in: { dimensions: [batch, H] },
    fw_cell_state_in: { dimensions: [batch, H] },
    bw_output_state_in: { dimensions: [batch, H] },
    bw_cell_state_in: { dimensions: [batch, H] },
    merge_outputs: false,
  });
  const outputs = stateOutputs ? ['fw_output', 'bw_output', 'fw_output_state_out', 'fw_cell_state_out', 'bw_output_state_out', 'bw_cell_state_out'] : ['fw_output', 'bw_output'];
  return withModel(out, buildModel(operation, operands, { variant, outputs }));
}

/**
 * The mapping with its built model, its feature level as the spec's validator gives it (spec/*.json featureLevel
 * data; the announced 3 / 4 is only the expectation), or not expressible when the validator rejects the model.
 */
function withModel(out: ExpressibleMapping, model: Model): OnnxNnapiMapping {
  const v = validateModel(model);
  if (!v.ok) {
    const rules = [...new Set(v.violations.map((x) => x.rule))].join(', ');
    return { expressible: false, reasons: [{ aspect: 'gate-packing', attribute: 'W', message: `the mapped ${out.operation} is not a valid NNAPI model (${rules})` }] };
  }
  out.featureLevel = v.featureLevel === 3 ? 3 : 4;
  out.model = model;
  return out;
}

// ---- running the mapped model with ONNX tensors ------------------------------------------------------------------

/**
 * The NNAPI inputs (by operand name) for ONNX tensors: X as `input` (same layout), and each direction's slice of
 * initial_h / initial_c (zeros when absent) as its state inputs. A reverse node's unused forward half gets the same
 * states.
 */
export function nnapiInputsFor(attrs: OnnxLstmAttributes, mapping: ExpressibleMapping, inputs: Pick<OnnxLstmInputs, 'X' | 'initial_h' | 'initial_c'>): Record<string, Float32Array> {
  const H = attrs.hiddenSize;
  const D = attrs.direction === 'bidirectional' ? 2 : 1;
  const Bt = attrs.layout === 0 ? inputs.X.dims[1]! : inputs.X.dims[0]!;
  const named: Record<string, Float32Array> = { input: Float32Array.from(inputs.X.data) };
  const slice = (t: OnnxLstmTensor | undefined, d: number): Float32Array => {
    const s = new Float32Array(Bt * H);
    if (!t) return s;
    for (let b = 0; b < Bt; b++) {
      const at = (attrs.layout === 0 ? d * Bt + b : b * D + d) * H;
      for (let u = 0; u < H; u++) s[b * H + u] = t.data[at + u]!;
    }
    return s;
  };
  mapping.correspondence.directions.forEach((c, d) => {
    named[c.outputStateIn] = slice(inputs.initial_h, d);
    named[c.cellStateIn] = slice(inputs.initial_c, d);
  });
  if (attrs.direction === 'reverse') {
    named['fw_output_state_in'] = slice(inputs.initial_h, 0);
    named['fw_cell_state_in'] = slice(inputs.initial_c, 0);
  }
  return named;
}

/**
 * NNAPI outputs (by operand name) → ONNX Y, Y_h, Y_c in the node's layout. Y_h / Y_c are taken from the state
 * outputs when the model has them, else from Y's last step (forward) / first step (reverse direction).
 */
export function onnxOutputsFrom(attrs: OnnxLstmAttributes, mapping: ExpressibleMapping, xDims: readonly number[], out: Readonly<Record<string, { values: ArrayLike<number> }>>): OnnxLstmOutputs {
  const H = attrs.hiddenSize;
  const D = attrs.direction === 'bidirectional' ? 2 : 1;
  const layout = attrs.layout;
  const [S, Bt] = layout === 0 ? [xDims[0]!, xDims[1]!] : [xDims[1]!, xDims[0]!];
  const Y = new Float32Array(S * D * Bt * H);
  const Yh = new Float32Array(D * Bt * H);
  const Yc = new Float32Array(D * Bt * H);
  const yAt = (t: number, d: number, b: number) => (layout === 0 ? (t * D + d) * Bt + b : (b * S + t) * D + d) * H;
  const stAt = (d: number, b: number) => (layout === 0 ? d * Bt + b : b * D + d) * H;
  // NNAPI's sequence output is [T, B, H] time-major, [B, T, H] batch-major.
  const nnAt = (t: number, b: number) => (mapping.timeMajor ? t * Bt + b : b * S + t) * H;
  mapping.correspondence.directions.forEach((c, d) => {
    const y = out[c.output]?.values;
    if (!y) throw new Error(`the NNAPI model has no output ${c.output}`);
    for (let t = 0; t < S; t++) for (let b = 0; b < Bt; b++) for (let u = 0; u < H; u++) Y[yAt(t, d, b) + u] = y[nnAt(t, b) + u]!;
    const reverse = attrs.direction === 'reverse' || d === 1;
    const hs = out[c.outputState]?.values;
    const cs = out[c.cellState]?.values;
    for (let b = 0; b < Bt; b++) {
      for (let u = 0; u < H; u++) {
        Yh[stAt(d, b) + u] = hs ? hs[b * H + u]! : S > 0 ? y[nnAt(reverse ? 0 : S - 1, b) + u]! : 0;
        Yc[stAt(d, b) + u] = cs ? cs[b * H + u]! : Number.NaN;
      }
    }
  });
  const dims = layout === 0 ? { Y: [S, D, Bt, H], state: [D, Bt, H] } : { Y: [Bt, S, D, H], state: [Bt, D, H] };
  return { Y: { dims: dims.Y, data: Y }, Y_h: { dims: dims.state, data: Yh }, Y_c: { dims: dims.state, data: Yc } };
}
