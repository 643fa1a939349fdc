/**
 * LSTM → LSTMP compression of a float `.tflite` model by a stacked truncated SVD (Prabhavalkar et al., "On the
 * compression of recurrent neural networks with an application to LVCSR acoustic modeling for embedded speech
 * recognition"; the projection layer of Sak et al.).
 *
 * The op's output h_t (n_o = n_c without projection) feeds two linear maps: the recurrent weights of the gates
 * (W_r^g, n_c × n_o each) at the next step, and the consumers of the op's output (FULLY_CONNECTED weights, the
 * next LSTM's input weights). Stacked, they are one matrix acting on h_t:
 *
 *     M = [W_r^i; W_r^f; W_r^c; W_r^o; W_next…]      ((#gates·n_c + Σ n_next) × n_o)
 *
 * With M = U Σ Vᵀ and its rank-R truncation M ≈ (U_R Σ_R) V_Rᵀ, the op computes r_t = V_Rᵀ h_t instead (R values)
 * and every block of M is replaced by its rows of U_R Σ_R (… × R). Orientation: the projection is V_Rᵀ (R × n_c),
 * with orthonormal rows, so ‖r_t‖ ≤ ‖h_t‖ (|m_t| ≤ 1 stays bounded, no proj_clip needed) and the magnitudes go
 * into the recurrent and consumer weights; the recurrent weights become U_R Σ_R restricted to their rows
 * (n_c × R per gate). An op that already has a projection W_p (n_o × n_c, bias b_p) is composed: the new
 * projection is V_Rᵀ W_p (R × n_c) and its bias V_Rᵀ b_p — exact when R = rank(M). With proj_clip > 0 the clip
 * does not commute with V_Rᵀ and the op is refused.
 *
 * The consumers, following the graphs TFLite's converter writes:
 * - FULLY_CONNECTED on the op output (weights n_next × n_o): one block;
 * - RESHAPE that flattens the last two axes [… , T, n_o] → [… , T·n_o] (Keras Flatten after return_sequences, as
 *   in the tflite-micro mnist_lstm model) feeding FULLY_CONNECTED ops with weights n_next × T·n_o: one block per
 *   step (columns t·n_o … t·n_o + n_o − 1), each rewritten to t·R …; the RESHAPE's shape constant, its output
 *   tensor and any ReshapeOptions.new_shape follow;
 * - LSTM / UNIDIRECTIONAL_SEQUENCE_LSTM reading the output as their input: the input-to-gate weights.
 * Any other reader of the output (or the output being a subgraph output) refuses the op, with the reason.
 *
 * Written back as the same op with projection_weights [R, n_c] (projection bias kept composed, none added),
 * output size R, recurrent weights [n_c, R], output state [B, R], output tensor […, R]; every other tensor,
 * buffer and operator is copied unchanged (src/tflite/rewrite.ts).
 *
 * BIDIRECTIONAL_SEQUENCE_LSTM is refused for now (per-direction compression needs one rank for both directions:
 * TFLite checks the backward tensors against the forward sizes).
 */
import { energyFraction, rankForEnergy, svd } from '../util/svd.js';
import { lstmReport, type LstmOpReport } from './inspect.js';
import { readTflite, type TfliteModel, type TfliteOperator, type TfliteSubgraph, type TfliteTensor } from './reader.js';
import { float32Bytes, int32Bytes, rewriteTflite, type NewTensor, type OperatorEdit, type SubgraphEdits, type TensorEdit } from './rewrite.js';

/** A request compress cannot honour (bad rank, no compressible op): the CLI's exit 2. */
export class CompressError extends Error {
  override readonly name = 'CompressError';
  constructor(
    message: string,
    /** Ops looked at and why each could not be compressed. */
    readonly refused: readonly RefusedOp[] = [],
  ) {
    super(message);
  }
}

/** Options of {@link compressTflite}: exactly one of `rank` and `energy`. */
export interface CompressOptions {
  /** Rank R of the projection (1 ≤ R ≤ n_output of each op). */
  rank?: number;
  /** Or: the smallest rank whose singular values keep this fraction (0 < E ≤ 1) of Σσ² of the stacked matrix. */
  energy?: number;
}

/** An LSTM-family op that was not compressed, and why. */
export interface RefusedOp {
  subgraph: number;
  operator: number;
  op: string;
  reason: string;
}

/** One linear consumer block of the stacked matrix. */
export interface ConsumerReport {
  /** Operator index of the consumer. */
  operator: number;
  /** Its builtin name. */
  op: string;
  /** The weights tensor rewritten. */
  weightsTensor: number;
  /** Through a flattening RESHAPE (operator index), one block per time step. */
  viaReshape?: number;
  /** Weight shape before → after. */
  shapeBefore: number[];
  shapeAfter: number[];
}

/** What compression did to one op. */
export interface CompressedOp {
  subgraph: number;
  operator: number;
  op: string;
  /** n_input, n_cell, and n_output before. */
  nInput: number;
  nCell: number;
  nOutputBefore: number;
  /** Gates with recurrent weights (3 with CIFG). */
  gates: number;
  peephole: boolean;
  /** 'added' (the op had none) or 'composed' with the existing projection. */
  projection: 'added' | 'composed';
  /** Rank R kept (= the new n_output). */
  rank: number;
  /** Shape of the stacked matrix M (rows × n_o) and its blocks in row order. */
  stacked: { rows: number; cols: number; blocks: { what: string; rows: number }[] };
  /** All singular values of M, non-increasing. */
  singularValues: number[];
  /** Fraction of Σσ² the kept R values hold. */
  energyKept: number;
  /** ‖M − M_R‖_F / ‖M‖_F (Eckart–Young: √ of the dropped energy fraction). */
  relativeError: number;
  /**
   * The op's weight count by the LSTMP formula: before = g·n_c·n_o + g·n_i·n_c (+ n_o·n_c projection) (+ peephole),
   * after = g·n_c·R + g·n_i'·n_c + R·n_c (+ peephole); g = gates (3 with CIFG), peephole = its vectors' n_c each
   * (3·n_c, 2·n_c with CIFG), n_i' = the input size after an upstream op's compression (those input weights are
   * also counted in that op's consumerParams). Biases are not counted.
   */
  params: { before: number; after: number };
  /** Consumer weights rewritten, and their element counts before / after. */
  consumers: ConsumerReport[];
  consumerParams: { before: number; after: number };
  /** Tensor indices of the op output (before and after: same index) — for taps. */
  outputTensor: number;
  /**
   * V_R (n_o × R, row-major): lifts the compressed output back to the original output space (h ≈ V_R r) when
   * comparing op outputs.
   */
  lift: Float64Array;
}

/** The result of {@link compressTflite}. */
export interface CompressResult {
  /** The compressed model. */
  bytes: Uint8Array;
  ops: CompressedOp[];
  /** Float LSTM-family ops left as they were (alongside compressed ones). */
  refused: RefusedOp[];
  /** Constant float32 elements of the whole model, before and after. */
  modelParams: { before: number; after: number };
}

// TFLite input slots of LSTM / UNIDIRECTIONAL_SEQUENCE_LSTM (facts: the op's 20/24-input layout).
const SLOT = { input: 0, inputWeights: [1, 2, 3, 4], recurrent: [5, 6, 7, 8], peephole: [9, 10, 11], projW: 16, projB: 17, outState: 18 } as const;
const GATE = ['input', 'forget', 'cell', 'output'];

class Refuse extends Error {}

function float32Of(model: TfliteModel, t: TfliteTensor, what: string): Float64Array {
  if (t.type !== 'FLOAT32') throw new Refuse(`${what} (tensor #${t.index}) is ${t.type}, not FLOAT32`);
  const data = model.buffers[t.buffer]?.data;
  if (!data || t.buffer === 0) throw new Refuse(`${what} (tensor #${t.index}) is not a constant`);
  const n = data.length / 4;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
  return out;
}

function int32Of(model: TfliteModel, t: TfliteTensor): number[] | undefined {
  const data = model.buffers[t.buffer]?.data;
  if (t.type !== 'INT32' || !data) return undefined;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return Array.from({ length: data.length / 4 }, (_, i) => dv.getInt32(4 * i, true));
}

const prod = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);
const withLast = (shape: readonly number[], v: number) => [...shape.slice(0, -1), v];

/** Operators of `sg` that read tensor `t`, with the input slots. */
function readers(sg: TfliteSubgraph, t: number): { op: TfliteOperator; slots: number[] }[] {
  const out: { op: TfliteOperator; slots: number[] }[] = [];
  for (const op of sg.operators) {
    const slots = op.inputs.flatMap((x, i) => (x === t ? [i] : []));
    if (slots.length) out.push({ op, slots });
  }
  return out;
}

interface Block {
  what: string;
  rows: number;
  /** rows × n_o, row-major. */
  data: Float64Array;
  /** Writes the rank-R block (rows × R, row-major) back as edits. */
  put: (w: Float64Array, r: number) => void;
}

/** Plans one op: its blocks and the edits that do not depend on the rank's values. */
function planOp(model: TfliteModel, sg: TfliteSubgraph, rep: LstmOpReport, edits: Map<number, TensorEdit>, opEdits: Map<number, OperatorEdit>, newTensors: NewTensor[], rankOf: (s: Float64Array, nO: number) => number): CompressedOp {
  const op = sg.operators[rep.operator]!;
  const name = builtinName(model, op);
  if (!rep.isFloat) throw new Refuse(`${rep.arithmetic} arithmetic: only float LSTMs are compressed`);
  if (rep.op === 'BIDIRECTIONAL_SEQUENCE_LSTM') throw new Refuse('BIDIRECTIONAL_SEQUENCE_LSTM is not compressed yet (both directions need one rank: TFLite checks the backward tensors against the forward sizes)');
  if (rep.basicKernel) throw new Refuse('LSTM BASIC kernel (5 inputs) has no projection input');
  if (rep.features.diagonalRecurrentTensors) throw new Refuse('diagonal recurrent weights: not a matrix to factor');
  const tensorAt = (slot: number): TfliteTensor | undefined => {
    const i = op.inputs[slot];
    return i === undefined || i < 0 ? undefined : sg.tensors[i];
  };
  const setEdit = (t: number, e: TensorEdit) => {
    if (edits.has(t)) throw new Refuse(`tensor #${t} would be rewritten twice (shared between compressed ops)`);
    edits.set(t, e);
  };
  const usedOnlyBy = (t: number, opIndex: number, what: string) => {
    const rs = readers(sg, t);
    if (rs.some((r) => r.op.index !== opIndex) || sg.outputs.includes(t)) throw new Refuse(`${what} (tensor #${t}) is shared with other operators`);
  };

  // Recurrent weights: [n_c, n_o] per gate (input gate absent with CIFG).
  const rec = SLOT.recurrent.map((s) => tensorAt(s));
  const recPresent = rec.map((t, g) => ({ t, g })).filter((x): x is { t: TfliteTensor; g: number } => x.t !== undefined);
  if (recPresent.length < 3) throw new Refuse('fewer than three recurrent weight matrices');
  const nC = recPresent[0]!.t.shape[0]!;
  const nO = recPresent[0]!.t.shape[1]!;
  for (const { t, g } of recPresent) {
    if (t.shape.length !== 2 || t.shape[0] !== nC || t.shape[1] !== nO) throw new Refuse(`recurrent_to_${GATE[g]}_weights has shape [${t.shape.join(',')}], expected [${nC},${nO}]`);
    usedOnlyBy(t.index, op.index, `recurrent_to_${GATE[g]}_weights`);
  }
  const inW = tensorAt(SLOT.inputWeights[1]);
  const nI = inW?.shape[1] ?? 0;
  // An upstream op compressed before this one may have narrowed this op's input weights already.
  const nIAfter = (inW && edits.get(inW.index)?.shape?.[1]) ?? nI;
  const projW = tensorAt(SLOT.projW);
  const projB = tensorAt(SLOT.projB);
  if (!projW && projB) throw new Refuse('projection bias without projection weights');
  if (projW && rep.features.projClip > 0) throw new Refuse(`proj_clip ${rep.features.projClip} with a projection: the clip does not commute with a new projection`);
  if (!projW && nO !== nC) throw new Refuse(`n_output ${nO} ≠ n_cell ${nC} without projection`);
  const outState = tensorAt(SLOT.outState);
  if (!outState || !outState.isVariable) throw new Refuse('output_state is not a variable tensor');
  usedOnlyBy(outState.index, op.index, 'output_state');
  const outT = op.outputs[0];
  if (outT === undefined || op.outputs.length !== 1) throw new Refuse(`${op.outputs.length} outputs (expected one)`);
  const out = sg.tensors[outT]!;
  if (out.shape.at(-1) !== nO) throw new Refuse(`output shape [${out.shape.join(',')}] does not end in n_output ${nO}`);
  if (sg.outputs.includes(outT)) throw new Refuse('the op output is a model output (compressing would change the model interface)');

  const blocks: Block[] = [];
  for (const { t, g } of recPresent) {
    blocks.push({
      what: `recurrent_to_${GATE[g]}_weights`,
      rows: nC,
      data: float32Of(model, t, `recurrent_to_${GATE[g]}_weights`),
      put: (w, r) => setEdit(t.index, { shape: [nC, r], data: float32Bytes(w) }),
    });
  }

  // Consumers.
  const consumers: ConsumerReport[] = [];
  let consumerBefore = 0;
  const consumerAfter: (() => number)[] = [];
  let rankHolder = 0;
  const fcBlocks = (fc: TfliteOperator, steps: number, viaReshape: number | undefined) => {
    const w = sg.tensors[fc.inputs[1] ?? -1];
    if (!w) throw new Refuse(`FULLY_CONNECTED #${fc.index} has no weights`);
    const k = w.shape[1] ?? 0;
    if (w.shape.length !== 2 || k !== steps * nO) throw new Refuse(`FULLY_CONNECTED #${fc.index} weights [${w.shape.join(',')}] do not take ${steps}×${nO} inputs`);
    usedOnlyBy(w.index, fc.index, `FULLY_CONNECTED #${fc.index} weights`);
    const data = float32Of(model, w, `FULLY_CONNECTED #${fc.index} weights`);
    const nNext = w.shape[0]!;
    const newW: { buf?: Float64Array } = {};
    for (let t = 0; t < steps; t++) {
      const blk = new Float64Array(nNext * nO);
      for (let i = 0; i < nNext; i++) for (let j = 0; j < nO; j++) blk[i * nO + j] = data[i * k + t * nO + j]!;
      blocks.push({
        what: `FULLY_CONNECTED #${fc.index} weights${steps > 1 ? ` step ${t}` : ''}`,
        rows: nNext,
        data: blk,
        put: (b, r) => {
          newW.buf ??= new Float64Array(nNext * steps * r);
          for (let i = 0; i < nNext; i++) for (let j = 0; j < r; j++) newW.buf[i * steps * r + t * r + j] = b[i * r + j]!;
          if (t === steps - 1) setEdit(w.index, { shape: [nNext, steps * r], data: float32Bytes(newW.buf) });
        },
      });
    }
    const c: ConsumerReport = { operator: fc.index, op: 'FULLY_CONNECTED', weightsTensor: w.index, shapeBefore: [...w.shape], shapeAfter: [] };
    if (viaReshape !== undefined) c.viaReshape = viaReshape;
    consumers.push(c);
    consumerBefore += nNext * k;
    consumerAfter.push(() => {
      c.shapeAfter = [nNext, steps * rankHolder];
      return nNext * steps * rankHolder;
    });
  };

  for (const { op: reader, slots } of readers(sg, outT)) {
    const rName = builtinName(model, reader);
    if (rName === 'FULLY_CONNECTED' && slots.length === 1 && slots[0] === 0) {
      fcBlocks(reader, 1, undefined);
    } else if (rName === 'RESHAPE' && slots.length === 1 && slots[0] === 0) {
      const ro = sg.tensors[reader.outputs[0] ?? -1];
      const steps = out.shape.at(-2) ?? 0;
      const lead = out.shape.slice(0, -2);
      if (!ro || ro.shape.length !== out.shape.length - 1 || ro.shape.at(-1) !== steps * nO || ro.shape.slice(0, -1).some((d, i) => d !== lead[i])) {
        throw new Refuse(`RESHAPE #${reader.index} does not flatten the last two axes [${out.shape.join(',')}] → [${[...lead, steps * nO].join(',')}]`);
      }
      if (sg.outputs.includes(ro.index)) throw new Refuse(`RESHAPE #${reader.index} output is a model output`);
      const rr = readers(sg, ro.index);
      if (rr.length === 0) throw new Refuse(`RESHAPE #${reader.index} output has no reader`);
      for (const { op: fc, slots: s2 } of rr) {
        if (builtinName(model, fc) !== 'FULLY_CONNECTED' || s2.length !== 1 || s2[0] !== 0) throw new Refuse(`RESHAPE #${reader.index} feeds ${builtinName(model, fc)} #${fc.index}: not a linear consumer this tool rewrites`);
        fcBlocks(fc, steps, reader.index);
      }
      const shapeT = sg.tensors[reader.inputs[1] ?? -1];
      const shapeVals = shapeT ? int32Of(model, shapeT) : undefined;
      if (shapeT && !shapeVals) throw new Refuse(`RESHAPE #${reader.index} shape (tensor #${shapeT.index}) is not an INT32 constant`);
      if (shapeT) usedOnlyBy(shapeT.index, reader.index, `RESHAPE #${reader.index} shape`);
      const roIndex = ro.index;
      const roShape = [...ro.shape];
      const roSig = ro.shapeSignature ? [...ro.shapeSignature] : null;
      consumerAfter.push(() => {
        const flat = steps * rankHolder;
        const sig = roSig ? withLast(roSig, roSig.at(-1) === -1 ? -1 : flat) : undefined;
        setEdit(roIndex, { shape: withLast(roShape, flat), ...(sig ? { shapeSignature: sig } : {}) });
        const fix = (v: number[]) => v.map((x, i) => (i === v.length - 1 && x !== -1 ? flat : x));
        if (shapeT && shapeVals) setEdit(shapeT.index, { data: int32Bytes(fix(shapeVals)) });
        opEdits.set(reader.index, { reshapeNewShape: fix(roShape) });
        return 0;
      });
    } else if ((rName === 'UNIDIRECTIONAL_SEQUENCE_LSTM' || rName === 'LSTM') && slots.length === 1 && slots[0] === 0) {
      for (const [g, slot] of SLOT.inputWeights.entries()) {
        const w = sg.tensors[reader.inputs[slot] ?? -1];
        if (!w) continue;
        if (w.shape.length !== 2 || w.shape[1] !== nO) throw new Refuse(`${rName} #${reader.index} input_to_${GATE[g]}_weights [${w.shape.join(',')}] do not take ${nO} inputs`);
        usedOnlyBy(w.index, reader.index, `${rName} #${reader.index} input_to_${GATE[g]}_weights`);
        const rows = w.shape[0]!;
        blocks.push({
          what: `${rName} #${reader.index} input_to_${GATE[g]}_weights`,
          rows,
          data: float32Of(model, w, `${rName} #${reader.index} input_to_${GATE[g]}_weights`),
          put: (b, r) => setEdit(w.index, { shape: [rows, r], data: float32Bytes(b) }),
        });
        const c: ConsumerReport = { operator: reader.index, op: rName, weightsTensor: w.index, shapeBefore: [...w.shape], shapeAfter: [] };
        consumers.push(c);
        consumerBefore += rows * nO;
        consumerAfter.push(() => {
          c.shapeAfter = [rows, rankHolder];
          return rows * rankHolder;
        });
      }
    } else {
      throw new Refuse(`its output feeds ${rName} #${reader.index} (input ${slots.join(',')}), not a linear consumer this tool rewrites (FULLY_CONNECTED, a flattening RESHAPE → FULLY_CONNECTED, or an LSTM's input)`);
    }
  }
  if (consumers.length === 0 && readers(sg, outT).length === 0) throw new Refuse('its output has no reader');

  // The stacked matrix and its SVD.
  const rows = blocks.reduce((a, b) => a + b.rows, 0);
  const m = new Float64Array(rows * nO);
  let at = 0;
  for (const b of blocks) {
    m.set(b.data, at * nO);
    at += b.rows;
  }
  const d = svd(m, rows, nO);
  const r = rankOf(d.s, nO);
  if (r > Math.min(nO, rows)) throw new Refuse(`rank ${r} exceeds n_output ${nO}`);
  rankHolder = r;

  // U_R Σ_R back into the blocks.
  at = 0;
  for (const b of blocks) {
    const w = new Float64Array(b.rows * r);
    for (let i = 0; i < b.rows; i++) for (let j = 0; j < r; j++) w[i * r + j] = d.u[(at + i) * d.k + j]! * d.s[j]!;
    b.put(w, r);
    at += b.rows;
  }
  // Projection: V_Rᵀ (R × n_c), or V_Rᵀ·W_p (and V_Rᵀ·b_p) composed with an existing one.
  const lift = new Float64Array(nO * r);
  for (let i = 0; i < nO; i++) for (let j = 0; j < r; j++) lift[i * r + j] = d.v[i * d.k + j]!;
  const proj = new Float64Array(r * nC);
  if (projW) {
    const wp = float32Of(model, projW, 'projection_weights');
    usedOnlyBy(projW.index, op.index, 'projection_weights');
    for (let i = 0; i < r; i++) for (let j = 0; j < nC; j++) {
      let acc = 0;
      for (let k = 0; k < nO; k++) acc += lift[k * r + i]! * wp[k * nC + j]!;
      proj[i * nC + j] = acc;
    }
    setEdit(projW.index, { shape: [r, nC], data: float32Bytes(proj) });
    if (projB) {
      const bp = float32Of(model, projB, 'projection_bias');
      usedOnlyBy(projB.index, op.index, 'projection_bias');
      const nb = new Float64Array(r);
      for (let i = 0; i < r; i++) for (let k = 0; k < nO; k++) nb[i] = nb[i]! + lift[k * r + i]! * bp[k]!;
      setEdit(projB.index, { shape: [r], data: float32Bytes(nb) });
    }
  } else {
    for (let i = 0; i < r; i++) for (let j = 0; j < nC; j++) proj[i * nC + j] = lift[j * r + i]!;
    const newIndex = sg.tensors.length + newTensors.length;
    newTensors.push({ name: `${out.name || `op${op.index}`}/projection_weights`, type: 0, shape: [r, nC], data: float32Bytes(proj) });
    const inputs = [...op.inputs];
    inputs[SLOT.projW] = newIndex;
    opEdits.set(op.index, { inputs });
  }
  // Output state, output tensor.
  setEdit(outState.index, { shape: withLast(outState.shape, r), ...(outState.shapeSignature ? { shapeSignature: withLast(outState.shapeSignature, r) } : {}) });
  setEdit(outT, { shape: withLast(out.shape, r), ...(out.shapeSignature ? { shapeSignature: withLast(out.shapeSignature, r) } : {}) });
  const consumerParamsAfter = consumerAfter.reduce((a, f) => a + f(), 0);

  const g = recPresent.length;
  const peep = rep.features.peephole ? SLOT.peephole.filter((s) => tensorAt(s)).length * nC : 0;
  return {
    subgraph: sg.index,
    operator: op.index,
    op: name,
    nInput: nI,
    nCell: nC,
    nOutputBefore: nO,
    gates: g,
    peephole: rep.features.peephole,
    projection: projW ? 'composed' : 'added',
    rank: r,
    stacked: { rows, cols: nO, blocks: blocks.map((b) => ({ what: b.what, rows: b.rows })) },
    singularValues: Array.from(d.s),
    energyKept: energyFraction(d.s, r),
    relativeError: Math.sqrt(Math.max(0, 1 - energyFraction(d.s, r))),
    params: {
      before: g * nC * nO + g * nI * nC + (projW ? nO * nC : 0) + peep,
      after: g * nC * r + g * nIAfter * nC + r * nC + peep,
    },
    consumers,
    consumerParams: { before: consumerBefore, after: consumerParamsAfter },
    outputTensor: outT,
    lift,
  };
}

function builtinName(model: TfliteModel, op: TfliteOperator): string {
  return model.operatorCodes[op.opcodeIndex]?.builtinName ?? `opcode ${op.opcodeIndex}`;
}

/** Constant FLOAT32 elements of every subgraph's tensors (each buffer counted once). */
export function floatParameterCount(model: TfliteModel): number {
  const seen = new Set<number>();
  let n = 0;
  for (const sg of model.subgraphs) {
    for (const t of sg.tensors) {
      if (t.type !== 'FLOAT32' || t.buffer === 0 || seen.has(t.buffer)) continue;
      const data = model.buffers[t.buffer]?.data;
      if (!data) continue;
      seen.add(t.buffer);
      n += prod(t.shape);
    }
  }
  return n;
}

/**
 * Compresses every float LSTM / UNIDIRECTIONAL_SEQUENCE_LSTM op of `model` (read from `bytes`) to an LSTMP of
 * rank R (or the energy rank). Ops that cannot be compressed are listed in `refused`; when none can,
 * throws CompressError (with the reasons).
 *
 * @example
 * ```ts
 * const { bytes: small, ops } = compressTflite(bytes, readTflite(bytes), { rank: 8 });
 * console.log(ops[0]!.params, ops[0]!.energyKept);
 * ```
 */
export function compressTflite(bytes: Uint8Array, model: TfliteModel, opts: CompressOptions): CompressResult {
  const { rank, energy } = opts;
  if ((rank === undefined) === (energy === undefined)) throw new CompressError('give exactly one of rank and energy');
  if (rank !== undefined && !(Number.isInteger(rank) && rank >= 1)) throw new CompressError(`rank must be an integer ≥ 1, got ${rank}`);
  if (energy !== undefined && !(energy > 0 && energy <= 1)) throw new CompressError(`energy must be in (0, 1], got ${energy}`);
  const rankOf = (s: Float64Array, nO: number): number => {
    if (rank !== undefined) {
      if (rank > nO) throw new Refuse(`rank ${rank} exceeds n_output ${nO}`);
      return Math.min(rank, s.length);
    }
    return rankForEnergy(s, energy!);
  };

  const ops: CompressedOp[] = [];
  const refused: RefusedOp[] = [];
  const sgEdits = new Map<number, SubgraphEdits>();
  for (const sg of model.subgraphs) {
    const edits = new Map<number, TensorEdit>();
    const opEdits = new Map<number, OperatorEdit>();
    const newTensors: NewTensor[] = [];
    for (const op of sg.operators) {
      const rep = lstmReport(model, sg, op.index);
      if (!rep) continue;
      // Plan on copies: a refused op leaves no partial edits behind.
      const e2 = new Map(edits);
      const o2 = new Map(opEdits);
      const n2 = [...newTensors];
      try {
        ops.push(planOp(model, sg, rep, e2, o2, n2, rankOf));
        edits.clear();
        e2.forEach((v, k) => edits.set(k, v));
        opEdits.clear();
        o2.forEach((v, k) => opEdits.set(k, v));
        newTensors.splice(0, newTensors.length, ...n2);
      } catch (e) {
        if (!(e instanceof Refuse)) throw e;
        refused.push({ subgraph: sg.index, operator: op.index, op: rep.op, reason: e.message });
      }
    }
    if (edits.size || newTensors.length || opEdits.size) sgEdits.set(sg.index, { tensors: edits, newTensors, operators: opEdits });
  }
  if (ops.length === 0) {
    const why = refused.length ? refused.map((r) => `op ${r.subgraph}:${r.operator} ${r.op}: ${r.reason}`).join('; ') : 'the model has no LSTM-family op';
    throw new CompressError(`nothing to compress: ${why}`, refused);
  }
  const out = rewriteTflite(bytes, { subgraphs: sgEdits });
  return { bytes: out, ops, refused, modelParams: { before: floatParameterCount(model), after: floatParameterCount(readTflite(out)) } };
}
