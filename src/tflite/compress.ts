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
 * BIDIRECTIONAL_SEQUENCE_LSTM: each direction has its own stacked matrix (its recurrent weights and the consumer
 * columns its output feeds: the bw_output's, or the second half of a merged output), and both get the same rank
 * (TFLite checks the backward tensors against the forward sizes; with --energy the larger of the two ranks).
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
  /** Bidirectional op: which direction this entry is (both get the same rank). */
  direction?: 'fw' | 'bw';
  /** Tensor index of the op output carrying this direction (same index before and after) — for taps. */
  outputTensor: number;
  /** This direction's columns in the output's last axis (a merged bidirectional output holds both). */
  outputColumns: { before: { offset: number; width: number }; after: { offset: number; width: number } };
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

/** TFLite input slots of one direction's tensors (LSTM / UNIDIRECTIONAL: the 20/24-input layout; BIDIRECTIONAL: 48 inputs). */
interface DirSlots {
  dir: 'fw' | 'bw' | null;
  inputWeights: readonly number[];
  recurrent: readonly number[];
  peephole: readonly number[];
  projW: number;
  projB: number;
  outState: number;
}
const UNI_SLOTS: DirSlots = { dir: null, inputWeights: [1, 2, 3, 4], recurrent: [5, 6, 7, 8], peephole: [9, 10, 11], projW: 16, projB: 17, outState: 18 };
const BI_SLOTS: readonly DirSlots[] = [
  { dir: 'fw', inputWeights: [1, 2, 3, 4], recurrent: [5, 6, 7, 8], peephole: [9, 10, 11], projW: 16, projB: 17, outState: 35 },
  { dir: 'bw', inputWeights: [18, 19, 20, 21], recurrent: [22, 23, 24, 25], peephole: [26, 27, 28], projW: 33, projB: 34, outState: 37 },
];
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

/** Rows of the stacked matrix from one weight tensor, and where its rank-R rows go. */
interface Block {
  what: string;
  rows: number;
  /** rows × n_o, row-major. */
  data: Float64Array;
  /** Writes the rank-R block (rows × R, row-major) back. */
  put: (w: Float64Array, r: number) => void;
}

/**
 * A weight tensor whose columns take the op output (possibly per step, possibly both directions of a merged
 * bidirectional output): columns `t·tot + off + j` before, `t·tot' + k·R + j` after (tot' = shares·R).
 */
interface ColumnRewrite {
  tensor: TfliteTensor;
  rows: number;
  steps: number;
  /** Filled by the directions' blocks; written once all have put. */
  buf?: Float64Array;
}

/** Where a direction's output sits: its tensor, its columns in the last axis, and the directions sharing it. */
interface OutputRef {
  tensor: number;
  off: number;
  tot: number;
  /** Index of this direction among those sharing the tensor, and their count. */
  k: number;
  shares: number;
}

interface DirPlan {
  slots: DirSlots;
  nC: number;
  nO: number;
  nI: number;
  nIAfter: number;
  gates: number;
  peep: number;
  projW?: TfliteTensor;
  projB?: TfliteTensor;
  outState: TfliteTensor;
  out: OutputRef;
  blocks: Block[];
  consumers: ConsumerReport[];
  consumerBefore: number;
  consumerAfter: ((r: number) => number)[];
}

/** Plans one LSTM-family op (one or two directions), chooses the rank and records the edits; throws Refuse. */
function planOp(model: TfliteModel, sg: TfliteSubgraph, rep: LstmOpReport, edits: Map<number, TensorEdit>, opEdits: Map<number, OperatorEdit>, newTensors: NewTensor[], rankOf: (s: Float64Array, nO: number) => number): CompressedOp[] {
  const op = sg.operators[rep.operator]!;
  const name = builtinName(model, op);
  if (!rep.isFloat) throw new Refuse(`${rep.arithmetic} arithmetic: only float LSTMs are compressed`);
  if (rep.basicKernel) throw new Refuse('LSTM BASIC kernel (5 inputs) has no projection input');
  if (rep.features.diagonalRecurrentTensors) throw new Refuse('diagonal recurrent weights: not a matrix to factor');
  const bidi = rep.op === 'BIDIRECTIONAL_SEQUENCE_LSTM';
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
  const merged = bidi && rep.features.mergeOutputs === true;
  if (op.outputs.length !== (bidi && !merged ? 2 : 1)) throw new Refuse(`${op.outputs.length} outputs (expected ${bidi && !merged ? 2 : 1})`);
  const dirSlots = bidi ? BI_SLOTS : [UNI_SLOTS];

  const columnRewrites = new Map<number, ColumnRewrite>();
  const reshapeDone = new Set<number>();
  const finals: ((r: number) => void)[] = [];

  const plans: DirPlan[] = dirSlots.map((slots, d) => {
    const px = slots.dir ? `${slots.dir}_` : '';
    const rec = slots.recurrent.map((s) => tensorAt(s));
    const recPresent = rec.map((t, g) => ({ t, g })).filter((x): x is { t: TfliteTensor; g: number } => x.t !== undefined);
    if (recPresent.length < 3) throw new Refuse(`${px}fewer than three recurrent weight matrices`);
    const nC = recPresent[0]!.t.shape[0]!;
    const nO = recPresent[0]!.t.shape[1]!;
    for (const { t, g } of recPresent) {
      if (t.shape.length !== 2 || t.shape[0] !== nC || t.shape[1] !== nO) throw new Refuse(`${px}recurrent_to_${GATE[g]}_weights has shape [${t.shape.join(',')}], expected [${nC},${nO}]`);
      usedOnlyBy(t.index, op.index, `${px}recurrent_to_${GATE[g]}_weights`);
    }
    const inW = tensorAt(slots.inputWeights[1]!);
    const nI = inW?.shape[1] ?? 0;
    // An upstream op compressed before this one may have narrowed this op's input weights already.
    const nIAfter = (inW && edits.get(inW.index)?.shape?.[1]) ?? nI;
    const projW = tensorAt(slots.projW);
    const projB = tensorAt(slots.projB);
    if (!projW && projB) throw new Refuse(`${px}projection bias without projection weights`);
    if (projW && rep.features.projClip > 0) throw new Refuse(`proj_clip ${rep.features.projClip} with a projection: the clip does not commute with a new projection`);
    if (!projW && nO !== nC) throw new Refuse(`${px}n_output ${nO} ≠ n_cell ${nC} without projection`);
    const outState = tensorAt(slots.outState);
    if (!outState || !outState.isVariable) throw new Refuse(`${px}output_state is not a variable tensor`);
    usedOnlyBy(outState.index, op.index, `${px}output_state`);
    const outT = op.outputs[merged ? 0 : d]!;
    const out: OutputRef = merged ? { tensor: outT, off: d * nO, tot: 2 * nO, k: d, shares: 2 } : { tensor: outT, off: 0, tot: nO, k: 0, shares: 1 };
    const outTensor = sg.tensors[outT]!;
    if (outTensor.shape.at(-1) !== out.tot) throw new Refuse(`${px}output shape [${outTensor.shape.join(',')}] does not end in ${out.tot}`);
    if (sg.outputs.includes(outT)) throw new Refuse('the op output is a model output (compressing would change the model interface)');

    const plan: DirPlan = {
      slots, nC, nO, nI, nIAfter, gates: recPresent.length,
      peep: rep.features.peephole ? slots.peephole.filter((s) => tensorAt(s)).length * nC : 0,
      outState, out, blocks: [], consumers: [], consumerBefore: 0, consumerAfter: [],
    };
    if (projW) plan.projW = projW;
    if (projB) plan.projB = projB;
    for (const { t, g } of recPresent) {
      plan.blocks.push({
        what: `${px}recurrent_to_${GATE[g]}_weights`,
        rows: nC,
        data: float32Of(model, t, `${px}recurrent_to_${GATE[g]}_weights`),
        put: (w, r) => setEdit(t.index, { shape: [nC, r], data: float32Bytes(w) }),
      });
    }

    // Consumers: weight tensors whose columns take this direction's output.
    const columnBlocks = (w: TfliteTensor, steps: number, what: string, c: ConsumerReport) => {
      const k = w.shape[1] ?? 0;
      const rows = w.shape[0]!;
      if (w.shape.length !== 2 || k !== steps * out.tot) throw new Refuse(`${what} [${w.shape.join(',')}] do not take ${steps}×${out.tot} inputs`);
      const data = float32Of(model, w, what);
      let cr = columnRewrites.get(w.index);
      if (!cr) {
        cr = { tensor: w, rows, steps };
        columnRewrites.set(w.index, cr);
        const crr = cr;
        finals.push((r) => setEdit(w.index, { shape: [rows, steps * out.shares * r], data: float32Bytes(crr.buf!) }));
      }
      const rw = cr;
      for (let t = 0; t < steps; t++) {
        const blk = new Float64Array(rows * nO);
        for (let i = 0; i < rows; i++) for (let j = 0; j < nO; j++) blk[i * nO + j] = data[i * k + t * out.tot + out.off + j]!;
        plan.blocks.push({
          what: `${what}${steps > 1 ? ` step ${t}` : ''}`,
          rows,
          data: blk,
          put: (b, r) => {
            const tot2 = out.shares * r;
            rw.buf ??= new Float64Array(rows * steps * tot2);
            for (let i = 0; i < rows; i++) for (let j = 0; j < r; j++) rw.buf[i * steps * tot2 + t * tot2 + out.k * r + j] = b[i * r + j]!;
          },
        });
      }
      plan.consumers.push(c);
      plan.consumerBefore += rows * steps * nO;
      plan.consumerAfter.push((r) => {
        c.shapeAfter = [rows, steps * out.shares * r];
        return rows * steps * r;
      });
    };
    const fcConsumer = (fc: TfliteOperator, steps: number, viaReshape: number | undefined) => {
      const w = sg.tensors[fc.inputs[1] ?? -1];
      if (!w) throw new Refuse(`FULLY_CONNECTED #${fc.index} has no weights`);
      usedOnlyBy(w.index, fc.index, `FULLY_CONNECTED #${fc.index} weights`);
      const c: ConsumerReport = { operator: fc.index, op: 'FULLY_CONNECTED', weightsTensor: w.index, shapeBefore: [...w.shape], shapeAfter: [] };
      if (viaReshape !== undefined) c.viaReshape = viaReshape;
      columnBlocks(w, steps, `FULLY_CONNECTED #${fc.index} weights`, c);
    };
    const lstmReaders = new Set(['UNIDIRECTIONAL_SEQUENCE_LSTM', 'LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM']);
    const rs = readers(sg, outT);
    if (rs.length === 0) throw new Refuse(`${px}output has no reader`);
    for (const { op: reader, slots: at } of rs) {
      const rName = builtinName(model, reader);
      if (at.length !== 1 || at[0] !== 0) throw new Refuse(`its output feeds ${rName} #${reader.index} at input ${at.join(',')}: not a linear consumer this tool rewrites`);
      if (rName === 'FULLY_CONNECTED') {
        fcConsumer(reader, 1, undefined);
      } else if (rName === 'RESHAPE') {
        const ro = sg.tensors[reader.outputs[0] ?? -1];
        const steps = outTensor.shape.at(-2) ?? 0;
        const lead = outTensor.shape.slice(0, -2);
        if (!ro || ro.shape.length !== outTensor.shape.length - 1 || ro.shape.at(-1) !== steps * out.tot || ro.shape.slice(0, -1).some((x, i) => x !== lead[i])) {
          throw new Refuse(`RESHAPE #${reader.index} does not flatten the last two axes [${outTensor.shape.join(',')}] → [${[...lead, steps * out.tot].join(',')}]`);
        }
        if (sg.outputs.includes(ro.index)) throw new Refuse(`RESHAPE #${reader.index} output is a model output`);
        const rr = readers(sg, ro.index);
        if (rr.length === 0) throw new Refuse(`RESHAPE #${reader.index} output has no reader`);
        for (const { op: fc, slots: s2 } of rr) {
          if (builtinName(model, fc) !== 'FULLY_CONNECTED' || s2.length !== 1 || s2[0] !== 0) throw new Refuse(`RESHAPE #${reader.index} feeds ${builtinName(model, fc)} #${fc.index}: not a linear consumer this tool rewrites`);
          fcConsumer(fc, steps, reader.index);
        }
        const shapeT = sg.tensors[reader.inputs[1] ?? -1];
        const shapeVals = shapeT ? int32Of(model, shapeT) : undefined;
        if (shapeT && !shapeVals) throw new Refuse(`RESHAPE #${reader.index} shape (tensor #${shapeT.index}) is not an INT32 constant`);
        if (shapeT) usedOnlyBy(shapeT.index, reader.index, `RESHAPE #${reader.index} shape`);
        if (!reshapeDone.has(reader.index)) {
          reshapeDone.add(reader.index);
          const roShape = [...ro.shape];
          const roSig = ro.shapeSignature ? [...ro.shapeSignature] : null;
          finals.push((r) => {
            const flat = steps * out.shares * r;
            const sig = roSig ? withLast(roSig, roSig.at(-1) === -1 ? -1 : flat) : undefined;
            setEdit(ro.index, { shape: withLast(roShape, flat), ...(sig ? { shapeSignature: sig } : {}) });
            const fix = (v: number[]) => v.map((x, i) => (i === v.length - 1 && x !== -1 ? flat : x));
            if (shapeT && shapeVals) setEdit(shapeT.index, { data: int32Bytes(fix(shapeVals)) });
            opEdits.set(reader.index, { reshapeNewShape: fix(roShape) });
          });
        }
      } else if (lstmReaders.has(rName)) {
        const rSlots = rName === 'BIDIRECTIONAL_SEQUENCE_LSTM' ? BI_SLOTS : [UNI_SLOTS];
        for (const s of rSlots) {
          for (const [g, slot] of s.inputWeights.entries()) {
            const w = sg.tensors[reader.inputs[slot] ?? -1];
            if (!w) continue;
            const what = `${rName} #${reader.index} ${s.dir ? `${s.dir}_` : ''}input_to_${GATE[g]}_weights`;
            usedOnlyBy(w.index, reader.index, what);
            columnBlocks(w, 1, what, { operator: reader.index, op: rName, weightsTensor: w.index, shapeBefore: [...w.shape], shapeAfter: [] });
          }
        }
      } else {
        throw new Refuse(`its output feeds ${rName} #${reader.index}, not a linear consumer this tool rewrites (FULLY_CONNECTED, a flattening RESHAPE → FULLY_CONNECTED, or an LSTM's input)`);
      }
    }
    return plan;
  });

  if (bidi && plans[0]!.nO !== plans[1]!.nO) throw new Refuse(`forward and backward n_output differ (${plans[0]!.nO} vs ${plans[1]!.nO})`);
  // SVD per direction; one rank for the op (TFLite checks the backward tensors against the forward sizes).
  const svds = plans.map((p) => {
    const rows = p.blocks.reduce((a, b) => a + b.rows, 0);
    const m = new Float64Array(rows * p.nO);
    let at = 0;
    for (const b of p.blocks) {
      m.set(b.data, at * p.nO);
      at += b.rows;
    }
    try {
      return { rows, d: svd(m, rows, p.nO) };
    } catch (e) {
      if (e instanceof RangeError) throw new Refuse(`${p.slots.dir ? `${p.slots.dir}: ` : ''}stacked matrix ${rows} × ${p.nO}: ${e.message}`);
      throw e;
    }
  });
  const r = Math.max(...plans.map((p, i) => rankOf(svds[i]!.d.s, p.nO)));
  if (plans.some((p, i) => r > Math.min(p.nO, svds[i]!.rows))) throw new Refuse(`rank ${r} exceeds n_output ${plans[0]!.nO}`);

  const inputs = [...op.inputs];
  let inputsChanged = false;
  const reports = plans.map((p, i): CompressedOp => {
    const { d, rows } = svds[i]!;
    let at = 0;
    for (const b of p.blocks) {
      const w = new Float64Array(b.rows * r);
      for (let x = 0; x < b.rows; x++) for (let j = 0; j < r; j++) w[x * r + j] = d.u[(at + x) * d.k + j]! * d.s[j]!;
      b.put(w, r);
      at += b.rows;
    }
    // Projection: V_Rᵀ (R × n_c), or V_Rᵀ·W_p (and V_Rᵀ·b_p) composed with an existing one.
    const { nC, nO } = p;
    const lift = new Float64Array(nO * r);
    for (let x = 0; x < nO; x++) for (let j = 0; j < r; j++) lift[x * r + j] = d.v[x * d.k + j]!;
    const proj = new Float64Array(r * nC);
    const px = p.slots.dir ? `${p.slots.dir}_` : '';
    if (p.projW) {
      const wp = float32Of(model, p.projW, `${px}projection_weights`);
      usedOnlyBy(p.projW.index, op.index, `${px}projection_weights`);
      for (let x = 0; x < r; x++) for (let j = 0; j < nC; j++) {
        let acc = 0;
        for (let k = 0; k < nO; k++) acc += lift[k * r + x]! * wp[k * nC + j]!;
        proj[x * nC + j] = acc;
      }
      setEdit(p.projW.index, { shape: [r, nC], data: float32Bytes(proj) });
      if (p.projB) {
        const bp = float32Of(model, p.projB, `${px}projection_bias`);
        usedOnlyBy(p.projB.index, op.index, `${px}projection_bias`);
        const nb = new Float64Array(r);
        for (let x = 0; x < r; x++) for (let k = 0; k < nO; k++) nb[x] = nb[x]! + lift[k * r + x]! * bp[k]!;
        setEdit(p.projB.index, { shape: [r], data: float32Bytes(nb) });
      }
    } else {
      for (let x = 0; x < r; x++) for (let j = 0; j < nC; j++) proj[x * nC + j] = lift[j * r + x]!;
      inputs[p.slots.projW] = sg.tensors.length + newTensors.length;
      inputsChanged = true;
      const outName = sg.tensors[p.out.tensor]!.name || `op${op.index}`;
      newTensors.push({ name: `${outName}/${px}projection_weights`, type: 0, shape: [r, nC], data: float32Bytes(proj) });
    }
    const os = p.outState;
    setEdit(os.index, { shape: withLast(os.shape, r), ...(os.shapeSignature ? { shapeSignature: withLast(os.shapeSignature, r) } : {}) });
    if (p.out.k === 0) {
      const ot = sg.tensors[p.out.tensor]!;
      const w = p.out.shares * r;
      setEdit(ot.index, { shape: withLast(ot.shape, w), ...(ot.shapeSignature ? { shapeSignature: withLast(ot.shapeSignature, w) } : {}) });
    }
    const consumerAfter = p.consumerAfter.reduce((a, f) => a + f(r), 0);
    const rep2: CompressedOp = {
      subgraph: sg.index,
      operator: op.index,
      op: name,
      nInput: p.nI,
      nCell: nC,
      nOutputBefore: nO,
      gates: p.gates,
      peephole: rep.features.peephole,
      projection: p.projW ? 'composed' : 'added',
      rank: r,
      stacked: { rows, cols: nO, blocks: p.blocks.map((b) => ({ what: b.what, rows: b.rows })) },
      singularValues: Array.from(d.s),
      energyKept: energyFraction(d.s, r),
      relativeError: Math.sqrt(Math.max(0, 1 - energyFraction(d.s, r))),
      params: {
        before: p.gates * nC * nO + p.gates * p.nI * nC + (p.projW ? nO * nC : 0) + p.peep,
        after: p.gates * nC * r + p.gates * p.nIAfter * nC + r * nC + p.peep,
      },
      consumers: p.consumers,
      consumerParams: { before: p.consumerBefore, after: consumerAfter },
      outputTensor: p.out.tensor,
      outputColumns: { before: { offset: p.out.off, width: p.out.tot }, after: { offset: p.out.k * r, width: p.out.shares * r } },
      lift,
    };
    if (p.slots.dir) rep2.direction = p.slots.dir;
    return rep2;
  });
  for (const f of finals) f(r);
  if (inputsChanged) opEdits.set(op.index, { inputs });
  return reports;
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
 * Compresses every float LSTM / UNIDIRECTIONAL_SEQUENCE_LSTM / BIDIRECTIONAL_SEQUENCE_LSTM op of `model` (read from `bytes`) to an LSTMP of
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
        ops.push(...planOp(model, sg, rep, e2, o2, n2, rankOf));
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
