/**
 * ANEURALNETWORKS_QUANTIZED_LSTM (95): binding an NNAPI model to the integer step (cell.ts) with the
 * multipliers derived exactly as AOSP's CPU reference derives them (facts memo §C.4,
 * common/cpu_operations/QLSTM.cpp): every effective scale is a float32 expression, turned into an
 * int32 multiplier and shift by QuantizeMultiplier.
 *
 * Semantics (spec/QUANTIZED_LSTM.json): the documented operation. Where AOSP's code departs from
 * its documentation the `variant: 'aosp-code'` option reproduces the code instead (the deviation
 * oracles use it): gate biases ignored without layer norm, the hidden zero point subtracted, the
 * input/forget peepholes reading the not-yet-written cell_state_out buffer (zeros here), and the
 * projection clip quantized with the projection-weight scale.
 */
import type { InputValue } from '../../model/model.js';
import { isOmitted, type Model, type Operand, type Operation } from '../../model/model.js';
import { operandAt } from '../lstm/bind.js';
import { checkedLog2, quantizeMultiplier, type QMultiplier } from './fixed-point.js';
import { integerLstmStep, TFLITE_INTEGER_KERNEL, zeroPointTimesWeight, type IntegerCellParams, type IntegerGateParams, type IntegerKernel, type IntGate } from './cell.js';
import type { RecurrentDeltaState } from './delta.js';
import { QLSTM_IN, QLSTM_INPUT_NAMES, QLSTM_OUTPUT_NAMES, type QlstmInputName, type QlstmOutputName } from './operands.js';

const f = Math.fround;

export type QlstmVariant = 'documented' | 'aosp-code';

export interface QlstmOptions {
  kernel?: IntegerKernel;
  variant?: QlstmVariant;
  /** Overrides the QuantizeMultiplier of every effective scale (a mutation point). */
  quantizeMultiplier?: (d: number) => QMultiplier;
  /** The intermediate (matmul output) scale a gate uses, from the declared one (a mutation point). */
  intermediateScale?: (gate: IntGate, declared: number) => number;
  /**
   * Delta execution (opt-in, default off): the recurrent products W_h·h are int32 accumulators kept in
   * this state and updated from the elements of output_state_in that changed since the previous call
   * with the same state (create it with createDeltaState(); feed each step's output_state_out back).
   * Bit-exact with the full computation.
   */
  delta?: RecurrentDeltaState;
}

interface Bound {
  operand: Operand;
  values: ArrayLike<number> | null;
}

/** Binds the op's inputs: constants from the model, runtime inputs from `inputs` (model.inputIndexes order). */
export function bindOperationInputs(model: Model, operation: Operation, inputs: readonly InputValue[]): Bound[] {
  return operation.inputs.map((idx) => {
    const operand = operandAt(model, idx);
    const pos = model.inputIndexes.indexOf(idx);
    let values: ArrayLike<number> | null;
    if (pos >= 0) values = inputs[pos] ?? null;
    else values = isOmitted(operand) ? null : operand.values;
    if (values !== null && values.length === 0 && operand.dimensions.length > 0 && operand.dimensions.every((d) => d > 0)) values = null;
    return { operand, values };
  });
}

export interface QlstmResult {
  outputStateOut: Int8Array;
  cellStateOut: Int16Array;
  output: Int8Array;
  dims: { outputState: number[]; cellState: number[] };
}

/** Runs one QUANTIZED_LSTM step of a (validated) model on the given input values. */
export function executeQlstm(model: Model, inputs: readonly InputValue[], opts: QlstmOptions = {}): QlstmResult {
  const operation = model.operations[0]!;
  const b = bindOperationInputs(model, operation, inputs);
  const at = (n: QlstmInputName) => b[QLSTM_IN[n]]!;
  const vals = (n: QlstmInputName): ArrayLike<number> | null => at(n).values;
  const req = (n: QlstmInputName): ArrayLike<number> => {
    const v = vals(n);
    if (!v) throw new Error(`QUANTIZED_LSTM: ${n} has no value`);
    return v;
  };
  const scale = (n: QlstmInputName) => f(at(n).operand.scale);
  const zp = (n: QlstmInputName) => at(n).operand.zeroPoint;
  const scalar = (n: QlstmInputName) => Number(req(n)[0]);
  const qm = opts.quantizeMultiplier ?? quantizeMultiplier;
  const code = opts.variant === 'aosp-code';

  const xDims = at('input').operand.dimensions;
  const [B, I] = [xDims[0]!, xDims[1]!];
  const N = at('input_to_output_weights').operand.dimensions[0]!;
  const O = at('recurrent_to_output_weights').operand.dimensions[1]!;
  const cifg = vals('input_to_input_weights') === null;
  const layerNorm = vals('output_layer_norm_weights') !== null;
  const { log2: k } = checkedLog2(scale('cell_state_in'));

  const sx = scale('input');
  const sh = scale('output_state_in');
  const zpx = zp('input');
  const zph = zp('output_state_in');
  const hiddenScale = f(scalar('hidden_state_scale'));
  const hiddenZp = ((scalar('hidden_state_zero_point') & 0xff) << 24) >> 24; // read as int8 (low byte)

  const gateParams = (g: IntGate): IntegerGateParams => {
    const wxName = `input_to_${g}_weights` as QlstmInputName;
    const whName = `recurrent_to_${g}_weights` as QlstmInputName;
    const biasName = (g === 'cell' ? 'cell_gate_bias' : `${g}_gate_bias`) as QlstmInputName;
    const lnName = `${g}_layer_norm_weights` as QlstmInputName;
    const pName = `cell_to_${g}_weights` as QlstmInputName;
    const declared = f(scalar(`${g}_intermediate_scale` as QlstmInputName));
    const intermediate = opts.intermediateScale ? f(opts.intermediateScale(g, declared)) : declared;
    const wx = req(wxName);
    const wh = req(whName);
    const bias = vals(biasName);
    const ln = layerNorm ? req(lnName) : null;
    const biasAtMatmul = !layerNorm && !code ? bias : null;
    const peephole = g !== 'cell' ? vals(pName) : null;
    const lnScale = ln ? scale(lnName) : 0;
    return {
      wx,
      wh,
      biasX: zeroPointTimesWeight(-zpx, wx, N, I, biasAtMatmul),
      biasH: zeroPointTimesWeight(-zph, wh, N, O),
      mx: qm(f(f(scale(wxName) * sx) / intermediate)),
      mh: qm(f(f(scale(whName) * sh) / intermediate)),
      peephole,
      mc: peephole ? qm(f((2 ** k * scale(pName)) / intermediate)) : { multiplier: 0, shift: 0 },
      ln,
      lnBias: ln ? (bias ?? new Int32Array(N)) : new Int32Array(N),
      lnScale: ln ? qm(lnScale) : { multiplier: 0, shift: 0 },
      varianceLimit: Math.min(1, Math.trunc(f(10000 * lnScale))),
    };
  };

  const cellClipValue = f(scalar('cell_clip'));
  const projClipValue = f(scalar('proj_clip'));
  const cellScale = scale('cell_state_in');
  const cellClip = cellClipValue > 0 ? Math.trunc(Math.min(Math.max(f(cellClipValue / cellScale), -32768), 32767)) : 0;
  const projW = vals('projection_weights');
  let projection: IntegerCellParams['projection'] = null;
  if (projW) {
    const swp = scale('projection_weights');
    const clipScale = code ? swp : sh;
    projection = {
      w: projW,
      bias: zeroPointTimesWeight(code ? hiddenZp : -hiddenZp, projW, O, N, vals('projection_bias')),
      m: qm(f(f(swp * hiddenScale) / sh)),
      outputZeroPoint: zph,
      clip: projClipValue > 0 ? Math.trunc(Math.min(Math.max(f(projClipValue / clipScale), -128), 127)) : 0,
    };
  }
  const params: IntegerCellParams = {
    B,
    I,
    N,
    O,
    cifg,
    cellShift: k,
    cellClip,
    gates: { input: cifg ? null : gateParams('input'), forget: gateParams('forget'), cell: gateParams('cell'), output: gateParams('output') },
    hidden: qm(f((2 ** -15 / hiddenScale) * 2 ** -15)),
    hiddenZeroPoint: code ? -hiddenZp : hiddenZp,
    projection,
  };
  const r = integerLstmStep(params, req('input'), req('output_state_in'), req('cell_state_in'), opts.kernel ?? TFLITE_INTEGER_KERNEL, {
    peepholeCellForInputForget: code ? 'zeros' : 'cell_state_in',
    ...(opts.delta ? { delta: opts.delta } : {}),
  });
  return {
    outputStateOut: r.output,
    cellStateOut: r.cell,
    output: Int8Array.from(r.output),
    dims: { outputState: [B, O], cellState: [B, N] },
  };
}

/** For each model output (model.outputIndexes order), which QUANTIZED_LSTM output it is. */
export function qlstmOutputRoles(model: Model): QlstmOutputName[] {
  const op = model.operations[0]!;
  return model.outputIndexes.map((idx) => {
    const role = QLSTM_OUTPUT_NAMES[op.outputs.indexOf(idx)];
    if (role === undefined) throw new Error(`QUANTIZED_LSTM: model output ${idx} is not an output of the operation`);
    return role;
  });
}

export { QLSTM_INPUT_NAMES };
