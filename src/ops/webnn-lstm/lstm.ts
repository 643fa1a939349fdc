/**
 * WebNN lstm(input, weight, recurrentWeight, steps, hiddenSize, options): the spec's emulation
 * (index.bs §lstm) over cellStep. Direction `backward` (and the second direction of `both`) reads the
 * input from the last step to the first; the returned sequence is indexed by input step for every
 * direction (the emulation prepends the backward outputs).
 */
import { cellStep, type CellParams } from './cell.js';
import { rounderFor, roundedCopy } from './numeric.js';
import { validateWebnnLstm } from './validate.js';
import { DEFAULT_ACTIVATIONS, WebnnLstmError, type WebnnLstmOptions, type WebnnTensor } from './types.js';

/** The lstm result, values in the working precision. */
export interface WebnnLstmResult {
  /** [numDirections, batch, H]: the hidden state after the last step of each direction. */
  hidden: WebnnTensor & { data: Float64Array };
  /** [numDirections, batch, H]: the cell state after the last step of each direction. */
  cell: WebnnTensor & { data: Float64Array };
  /** [steps, numDirections, batch, H] when returnSequence is set. */
  sequence?: WebnnTensor & { data: Float64Array };
}

const desc = (t: WebnnTensor, dataType: 'float32' | 'float16') => ({ shape: t.dims, dataType });

/** Throws WebnnLstmError (rule ids of spec/webnn/lstm.json) on invalid arguments. */
export function webnnLstm(
  input: WebnnTensor,
  weight: WebnnTensor,
  recurrentWeight: WebnnTensor,
  steps: number,
  hiddenSize: number,
  options: WebnnLstmOptions = {},
): WebnnLstmResult {
  const precision = options.precision ?? 'float32';
  const dt = precision === 'float16' ? 'float16' : 'float32';
  const violations = validateWebnnLstm(
    {
      input: desc(input, dt),
      weight: desc(weight, dt),
      recurrentWeight: desc(recurrentWeight, dt),
      bias: options.bias && desc(options.bias, dt),
      recurrentBias: options.recurrentBias && desc(options.recurrentBias, dt),
      peepholeWeight: options.peepholeWeight && desc(options.peepholeWeight, dt),
      initialHiddenState: options.initialHiddenState && desc(options.initialHiddenState, dt),
      initialCellState: options.initialCellState && desc(options.initialCellState, dt),
    },
    steps,
    hiddenSize,
    options,
  );
  if (violations.length) throw new WebnnLstmError(violations);
  const q = rounderFor(precision);
  const direction = options.direction ?? 'forward';
  const numDir = direction === 'both' ? 2 : 1;
  const [, batch, inputSize] = input.dims as [number, number, number];
  const H = hiddenSize;
  const n = batch * H;
  const x = roundedCopy(input.data, q);
  const all = (t: WebnnTensor | undefined) => (t ? roundedCopy(t.data, q) : null);
  const W = roundedCopy(weight.data, q);
  const R = roundedCopy(recurrentWeight.data, q);
  const bias = all(options.bias);
  const rbias = all(options.recurrentBias);
  const peep = all(options.peepholeWeight);
  const h0 = all(options.initialHiddenState);
  const c0 = all(options.initialCellState);
  const hidden = new Float64Array(numDir * n);
  const cell = new Float64Array(numDir * n);
  const sequence = options.returnSequence ? new Float64Array(steps * numDir * n) : null;
  for (let dir = 0; dir < numDir; dir++) {
    const p: CellParams = {
      batch,
      inputSize,
      hiddenSize: H,
      weight: W.subarray(dir * 4 * H * inputSize, (dir + 1) * 4 * H * inputSize),
      recurrentWeight: R.subarray(dir * 4 * H * H, (dir + 1) * 4 * H * H),
      bias: bias ? bias.subarray(dir * 4 * H, (dir + 1) * 4 * H) : null,
      recurrentBias: rbias ? rbias.subarray(dir * 4 * H, (dir + 1) * 4 * H) : null,
      peephole: peep ? peep.subarray(dir * 3 * H, (dir + 1) * 3 * H) : null,
      layout: options.layout ?? 'iofg',
      activations: options.activations ?? DEFAULT_ACTIVATIONS,
      precision,
      outputPeephole: options.outputPeephole ?? 'C_prev',
    };
    let h = h0 ? h0.slice(dir * n, (dir + 1) * n) : new Float64Array(n);
    let c = c0 ? c0.slice(dir * n, (dir + 1) * n) : new Float64Array(n);
    let hNext = new Float64Array(n);
    let cNext = new Float64Array(n);
    const reverse = dir === 1 || direction === 'backward';
    for (let step = 0; step < steps; step++) {
      const t = reverse ? steps - 1 - step : step;
      cellStep(p, x, t * batch * inputSize, h, c, hNext, cNext);
      [h, hNext] = [hNext, h];
      [c, cNext] = [cNext, c];
      if (sequence) sequence.set(h, (t * numDir + dir) * n);
    }
    hidden.set(h, dir * n);
    cell.set(c, dir * n);
  }
  const result: WebnnLstmResult = {
    hidden: { dims: [numDir, batch, H], data: hidden },
    cell: { dims: [numDir, batch, H], data: cell },
  };
  if (sequence) result.sequence = { dims: [steps, numDir, batch, H], data: sequence };
  return result;
}
