/**
 * Float64 evaluation of the documented sequence formulas (spec/UNIDIRECTIONAL_SEQUENCE_LSTM.json,
 * spec/BIDIRECTIONAL_SEQUENCE_LSTM.json), built on the float64 LSTM step (../lstm/float64.ts) and
 * sharing no code with the float32 reference. It derives golden values for sequence cases the
 * TFLite runtime cannot express. Cross linking is evaluated as one step over the concatenated
 * input [x_t | aux_t] with the weights [W_x | W_aux] — the same sum, by definition.
 */
import { isOmitted, type Model } from '../../model/model.js';
import { loadSpec } from '../../spec/operation-spec.js';
import { roundToFloat16 } from '../../util/float16.js';
import { lstmStepF64, type F64Tensors } from '../lstm/float64.js';
import type { LstmInputName } from '../lstm/operands.generated.js';

/** Expected values of every output of the operation, in the operation's output order. */
export type SequenceOutputsF64 = number[][];

type CellName = Exclude<LstmInputName, 'input' | 'output_state_in' | 'cell_state_in' | 'activation' | 'cell_clip' | 'proj_clip'>;
const CELL: CellName[] = [
  'input_to_input_weights', 'input_to_forget_weights', 'input_to_cell_weights', 'input_to_output_weights',
  'recurrent_to_input_weights', 'recurrent_to_forget_weights', 'recurrent_to_cell_weights', 'recurrent_to_output_weights',
  'cell_to_input_weights', 'cell_to_forget_weights', 'cell_to_output_weights',
  'input_gate_bias', 'forget_gate_bias', 'cell_gate_bias', 'output_gate_bias', 'projection_weights', 'projection_bias',
  'input_layer_norm_weights', 'forget_layer_norm_weights', 'cell_layer_norm_weights', 'output_layer_norm_weights',
];
const GATES = ['input', 'forget', 'cell', 'output'] as const;

class Reader {
  private readonly pos: Map<string, number>;
  readonly f16: boolean;
  constructor(readonly model: Model) {
    this.pos = new Map(loadSpec(model.operations[0]!.type).inputs.map((o) => [o.name, o.index]));
    this.f16 = this.op('input')!.type === 'TENSOR_FLOAT16';
  }
  op(name: string) {
    const p = this.pos.get(name);
    return p === undefined ? undefined : this.model.operands[this.model.operations[0]!.inputs[p]!];
  }
  values(name: string): number[] | null {
    const o = this.op(name);
    if (!o || isOmitted(o)) return null;
    return this.f16 ? o.values.map(roundToFloat16) : o.values;
  }
  dims(name: string): number[] {
    return this.op(name)!.dimensions;
  }
  scalar(name: string): number {
    return this.values(name)![0]!;
  }
}

interface Direction {
  cell: Partial<Record<CellName, number[] | null>>;
  aux: (number[] | null)[] | null;
  h0: number[];
  c0: number[];
  N: number;
  O: number;
}

function direction(r: Reader, prefix: string, h: string, c: string, cross: boolean): Direction {
  const cell: Partial<Record<CellName, number[] | null>> = {};
  for (const n of CELL) cell[n] = r.values(prefix + n);
  const N = r.dims(`${prefix}input_to_output_weights`)[0]!;
  const O = r.dims(`${prefix}recurrent_to_output_weights`)[1]!;
  const aux = cross ? GATES.map((g) => r.values(`${prefix}aux_input_to_${g}_weights`)) : null;
  return { cell, aux, h0: r.values(h)!, c0: r.values(c)!, N, O };
}

/** Rows [B, width] of step t of a [T, B, width] / [B, T, width] sequence. */
function stepRows(v: number[], t: number, T: number, B: number, width: number, timeMajor: boolean): number[] {
  const out: number[] = [];
  for (let b = 0; b < B; b++) for (let w = 0; w < width; w++) out.push(v[(timeMajor ? t * B + b : b * T + t) * width + w]!);
  return out;
}

/** Appends the columns of `right` ([rows, rc]) to `left` ([rows, lc]). */
function concatColumns(left: number[], lc: number, right: number[], rc: number, rows: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) out.push(...left.slice(r * lc, r * lc + lc), ...right.slice(r * rc, r * rc + rc));
  return out;
}

/** Runs one direction over the given step order; returns h per step and the final state. */
function run(d: Direction, r: Reader, x: number[], xWidth: number, aux: number[] | null, auxWidth: number, order: number[], T: number, B: number, timeMajor: boolean) {
  const outputs: number[][] = new Array(T);
  let h = d.h0;
  let c = d.c0;
  for (const t of order) {
    let xt = stepRows(x, t, T, B, xWidth, timeMajor);
    let I = xWidth;
    const cell = { ...d.cell };
    if (d.aux && aux) {
      // Cross linking: W_x·x + W_aux·aux = [W_x | W_aux]·[x | aux].
      xt = concatColumns(xt, xWidth, stepRows(aux, t, T, B, auxWidth, timeMajor), auxWidth, B);
      I = xWidth + auxWidth;
      GATES.forEach((g, k) => {
        const wx = cell[`input_to_${g}_weights`];
        const wa = d.aux![k];
        if (wx && wa) cell[`input_to_${g}_weights`] = concatColumns(wx, xWidth, wa, auxWidth, d.N);
      });
    }
    const tensors: F64Tensors = { ...cell, input: xt, output_state_in: h, cell_state_in: c, activation: r.scalar('activation'), cell_clip: r.scalar('cell_clip'), proj_clip: r.scalar('proj_clip') };
    const res = lstmStepF64({ batchSize: B, inputSize: I, numUnits: d.N, outputSize: d.O }, tensors);
    h = Array.from(res.outputState);
    c = Array.from(res.cellState);
    outputs[t] = h;
  }
  return { outputs, h, c };
}

/** Lays per-step [B, O] rows out as a [T, B, O] / [B, T, O] sequence, optionally beside another. */
function layout(steps: number[][], T: number, B: number, O: number, timeMajor: boolean): number[] {
  const out = new Array<number>(T * B * O);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let o = 0; o < O; o++) out[(timeMajor ? t * B + b : b * T + t) * O + o] = steps[t]![b * O + o]!;
  return out;
}

export function sequenceLstmF64(model: Model): SequenceOutputsF64 {
  const r = new Reader(model);
  const op = model.operations[0]!;
  const timeMajor = Boolean(r.values('time_major')![0]);
  const [a, b, I] = r.dims('input') as [number, number, number];
  const T = timeMajor ? a : b;
  const B = timeMajor ? b : a;
  const x = r.values('input')!;
  const forward = [...Array(T).keys()];
  if (op.type === 'UNIDIRECTIONAL_SEQUENCE_LSTM') {
    const d = direction(r, '', 'output_state_in', 'cell_state_in', false);
    const res = run(d, r, x, I, null, 0, forward, T, B, timeMajor);
    return [layout(res.outputs, T, B, d.O, timeMajor), res.h, res.c].slice(0, op.outputs.length);
  }
  const auxValues = r.values('aux_input');
  const auxWidth = auxValues ? r.dims('aux_input')[2]! : 0;
  const cross = auxValues !== null && r.values('fw_aux_input_to_forget_weights') !== null;
  const parallel = auxValues !== null && !cross;
  const fw = direction(r, 'fw_', 'fw_output_state_in', 'fw_cell_state_in', cross);
  const bw = direction(r, 'bw_', 'bw_output_state_in', 'bw_cell_state_in', cross);
  const fwRes = run(fw, r, x, I, auxValues, auxWidth, forward, T, B, timeMajor);
  const bwRes = parallel
    ? run(bw, r, auxValues!, auxWidth, null, 0, [...forward].reverse(), T, B, timeMajor)
    : run(bw, r, x, I, auxValues, auxWidth, [...forward].reverse(), T, B, timeMajor);
  const merge = Boolean(r.values('merge_outputs')![0]);
  const seqOut = merge
    ? [layout(fwRes.outputs.map((hf, t) => concatColumns(hf, fw.O, bwRes.outputs[t]!, bw.O, B)), T, B, fw.O + bw.O, timeMajor)]
    : [layout(fwRes.outputs, T, B, fw.O, timeMajor), layout(bwRes.outputs, T, B, bw.O, timeMajor)];
  const states = [fwRes.h, fwRes.c, bwRes.h, bwRes.c];
  return [...seqOut, ...states].slice(0, op.outputs.length);
}
