/**
 * One WebNN lstmCell step, following the op order of the spec's emulation (index.bs §lstmCell):
 *   gate z = (C·p) + ((b + rb) + (x·Wᵀ + h·Rᵀ)),   i, f, o = act0(z),  g = act1(z_g)
 *   C_t = f·C + i·g,   h_t = o · act2(C_t)
 * with each op's result rounded to the working precision. The output gate's peephole reads C(t−1) (the
 * emulation) or C_t (ONNX, NNAPI) per `outputPeephole`.
 */
import { accumulatorFor, activate, rounderFor, roundedCopy, type Rounder } from './numeric.js';
import { validateWebnnLstmCell } from './validate.js';
import {
  DEFAULT_ACTIVATIONS,
  WebnnLstmError,
  type WebnnActivation,
  type WebnnLstmCellOptions,
  type WebnnLstmLayout,
  type WebnnPrecision,
  type WebnnTensor,
} from './types.js';

/** Gate block positions (in units of hiddenSize) within the 4H dimension, per layout. */
export const GATE_BLOCKS: Readonly<Record<WebnnLstmLayout, Readonly<{ i: number; o: number; f: number; g: number }>>> = Object.freeze({
  iofg: Object.freeze({ i: 0, o: 1, f: 2, g: 3 }),
  ifgo: Object.freeze({ i: 0, f: 1, g: 2, o: 3 }),
});

/** Peephole block positions within 3H: i, o, f for every layout. */
export const PEEPHOLE_BLOCKS = Object.freeze({ i: 0, o: 1, f: 2 });

/** The per-step data of one direction, already rounded to the working precision. */
export interface CellParams {
  batch: number;
  inputSize: number;
  hiddenSize: number;
  /** [4H, inputSize] */
  weight: Float64Array;
  /** [4H, H] */
  recurrentWeight: Float64Array;
  bias: Float64Array | null;
  recurrentBias: Float64Array | null;
  /** [3H], i, o, f. */
  peephole: Float64Array | null;
  layout: WebnnLstmLayout;
  activations: readonly WebnnActivation[];
  precision: WebnnPrecision;
  outputPeephole: 'C_prev' | 'C_t';
}

/** Pre-activation of gate block `blk` for all batch rows: ((b + rb) + (x·Wᵀ + h·Rᵀ)), without the peephole. */
function gatePreActivation(p: CellParams, blk: number, x: Float64Array, xOff: number, h: Float64Array, q: Rounder, acc: Rounder, out: Float64Array): void {
  const { batch: B, inputSize: I, hiddenSize: H } = p;
  for (let b = 0; b < B; b++) {
    for (let u = 0; u < H; u++) {
      const row = blk * H + u;
      // matmul(x, Wᵀ) and matmul(h, Rᵀ): dot products summed in order in the accumulator precision.
      let sx = 0;
      for (let j = 0; j < I; j++) sx = acc(sx + acc(x[xOff + b * I + j]! * p.weight[row * I + j]!));
      let sh = 0;
      for (let j = 0; j < H; j++) sh = acc(sh + acc(h[b * H + j]! * p.recurrentWeight[row * H + j]!));
      let z = q(q(sx) + q(sh));
      const bb = p.bias ? p.bias[row]! : 0;
      const rb = p.recurrentBias ? p.recurrentBias[row]! : 0;
      z = q(q(bb + rb) + z);
      out[b * H + u] = z;
    }
  }
}

/** z += C·p (the emulation's add(mul(cellState, peephole), …)); no-op without peepholes. */
function addPeephole(p: CellParams, z: Float64Array, cell: Float64Array, blk: number, q: Rounder): void {
  if (!p.peephole) return;
  const { batch: B, hiddenSize: H } = p;
  for (let b = 0; b < B; b++) for (let u = 0; u < H; u++) z[b * H + u] = q(q(cell[b * H + u]! * p.peephole[blk * H + u]!) + z[b * H + u]!);
}

function activateInPlace(a: WebnnActivation, z: Float64Array, q: Rounder): void {
  for (let k = 0; k < z.length; k++) z[k] = q(activate(a, z[k]!));
}

/**
 * One step for one direction: reads x (batch rows at xOff), h, c; writes hOut, cOut (may not alias h, c).
 * Scratch buffers are allocated per call: cases are small, and clarity wins here.
 */
export function cellStep(p: CellParams, x: Float64Array, xOff: number, h: Float64Array, c: Float64Array, hOut: Float64Array, cOut: Float64Array): void {
  const q = rounderFor(p.precision);
  const acc = accumulatorFor(p.precision);
  const n = p.batch * p.hiddenSize;
  const blocks = GATE_BLOCKS[p.layout];
  const [a0, a1, a2] = p.activations as [WebnnActivation, WebnnActivation, WebnnActivation];
  const zi = new Float64Array(n);
  const zf = new Float64Array(n);
  const zg = new Float64Array(n);
  const zo = new Float64Array(n);
  gatePreActivation(p, blocks.i, x, xOff, h, q, acc, zi);
  gatePreActivation(p, blocks.f, x, xOff, h, q, acc, zf);
  gatePreActivation(p, blocks.g, x, xOff, h, q, acc, zg);
  gatePreActivation(p, blocks.o, x, xOff, h, q, acc, zo);
  addPeephole(p, zi, c, PEEPHOLE_BLOCKS.i, q);
  addPeephole(p, zf, c, PEEPHOLE_BLOCKS.f, q);
  activateInPlace(a0, zi, q);
  activateInPlace(a0, zf, q);
  activateInPlace(a1, zg, q);
  for (let k = 0; k < n; k++) cOut[k] = q(q(zf[k]! * c[k]!) + q(zi[k]! * zg[k]!));
  addPeephole(p, zo, p.outputPeephole === 'C_t' ? cOut : c, PEEPHOLE_BLOCKS.o, q);
  activateInPlace(a0, zo, q);
  for (let k = 0; k < n; k++) hOut[k] = q(zo[k]! * q(activate(a2, cOut[k]!)));
}

/** The lstmCell result: [hiddenState', cellState'], each [batch, H], values in the working precision. */
export interface WebnnLstmCellResult {
  hidden: WebnnTensor & { data: Float64Array };
  cell: WebnnTensor & { data: Float64Array };
}

const desc = (t: WebnnTensor, dataType: 'float32' | 'float16') => ({ shape: t.dims, dataType });

/**
 * WebNN lstmCell(input, weight, recurrentWeight, hiddenState, cellState, hiddenSize, options).
 * Throws WebnnLstmError (rule ids of spec/webnn/lstmCell.json) on invalid arguments.
 */
export function webnnLstmCell(
  input: WebnnTensor,
  weight: WebnnTensor,
  recurrentWeight: WebnnTensor,
  hiddenState: WebnnTensor,
  cellState: WebnnTensor,
  hiddenSize: number,
  options: WebnnLstmCellOptions = {},
): WebnnLstmCellResult {
  const precision = options.precision ?? 'float32';
  const dt = precision === 'float16' ? 'float16' : 'float32';
  const violations = validateWebnnLstmCell(
    {
      input: desc(input, dt),
      weight: desc(weight, dt),
      recurrentWeight: desc(recurrentWeight, dt),
      hiddenState: desc(hiddenState, dt),
      cellState: desc(cellState, dt),
      bias: options.bias && desc(options.bias, dt),
      recurrentBias: options.recurrentBias && desc(options.recurrentBias, dt),
      peepholeWeight: options.peepholeWeight && desc(options.peepholeWeight, dt),
    },
    hiddenSize,
    options,
  );
  if (violations.length) throw new WebnnLstmError(violations);
  const q = rounderFor(precision);
  const [batch, inputSize] = input.dims as [number, number];
  const p: CellParams = {
    batch,
    inputSize,
    hiddenSize,
    weight: roundedCopy(weight.data, q),
    recurrentWeight: roundedCopy(recurrentWeight.data, q),
    bias: options.bias ? roundedCopy(options.bias.data, q) : null,
    recurrentBias: options.recurrentBias ? roundedCopy(options.recurrentBias.data, q) : null,
    peephole: options.peepholeWeight ? roundedCopy(options.peepholeWeight.data, q) : null,
    layout: options.layout ?? 'iofg',
    activations: options.activations ?? DEFAULT_ACTIVATIONS,
    precision,
    outputPeephole: options.outputPeephole ?? 'C_prev',
  };
  const n = batch * hiddenSize;
  const hOut = new Float64Array(n);
  const cOut = new Float64Array(n);
  cellStep(p, roundedCopy(input.data, q), 0, roundedCopy(hiddenState.data, q), roundedCopy(cellState.data, q), hOut, cOut);
  return { hidden: { dims: [batch, hiddenSize], data: hOut }, cell: { dims: [batch, hiddenSize], data: cOut } };
}
