/**
 * ONNX-structure checks of one LSTM node: its input/output counts, attributes (via
 * {@link parseOnnxLstmAttributes}), the shapes and element types of its inputs as far as they are known,
 * and sequence_lens values when they are constant. Rule ids come from spec/onnx/LSTM.json; every problem
 * is a {@link Violation} with `operandName` the ONNX input name and `operandIndex` its input position.
 */
import type { Violation } from '../model/violation.js';
import type { OnnxLstmAttributes } from '../ops/onnx-lstm/types.js';
import { parseOnnxLstmAttributes, type ParseOnnxLstmOptions } from './lstm-attributes.js';
import type { OnnxDataType, OnnxNode } from './model.js';
import { ONNX_LSTM_INPUTS, type OnnxLstmInputName } from '../ops/onnx-lstm/types.js';

/** The node's inputs in ONNX order. */
export { ONNX_LSTM_INPUTS };
export type OnnxLstmInputRole = OnnxLstmInputName;

/** What is known about one input: dims (a dim may be symbolic or unknown), element type, constant values. */
export interface OnnxLstmInputInfo {
  dims?: readonly (number | string | undefined)[];
  dataType?: OnnxDataType;
  /** Constant contents, when known (used for sequence_lens' range). */
  values?: ArrayLike<number | bigint>;
}

/** The result of {@link checkOnnxLstm}: the attributes as parsed, and every violation. */
export interface OnnxLstmCheck {
  attributes: OnnxLstmAttributes;
  violations: Violation[];
}

const T_TYPES: readonly OnnxDataType[] = ['FLOAT16', 'FLOAT', 'DOUBLE'];
const T_TYPES_22: readonly OnnxDataType[] = ['BFLOAT16', ...T_TYPES];

type Dim = number | undefined;
const known = (d: number | string | undefined): Dim => (typeof d === 'number' && Number.isFinite(d) && d >= 0 ? d : undefined);
const showDims = (dims: readonly (number | string | undefined)[]): string => `[${dims.map((d) => (d === undefined ? '?' : String(d))).join(', ')}]`;
const showWant = (dims: readonly (Dim | string)[]): string => `[${dims.map((d) => (d === undefined ? '?' : String(d))).join(', ')}]`;

/** Like {@link validateOnnxLstm}, also returning the parsed attributes. */
export function checkOnnxLstm(
  node: OnnxNode,
  inputs: Partial<Record<OnnxLstmInputRole, OnnxLstmInputInfo>>,
  opset: number,
  options: Omit<ParseOnnxLstmOptions, 'opset' | 'hiddenSizeFallback'> = {},
): OnnxLstmCheck {
  const violations: Violation[] = [];
  const present = (role: OnnxLstmInputRole): boolean => {
    const k = ONNX_LSTM_INPUTS.indexOf(role);
    return k < node.inputs.length && node.inputs[k] !== '';
  };
  const info = (role: OnnxLstmInputRole): OnnxLstmInputInfo | undefined => (present(role) ? inputs[role] : undefined);
  const at = (role: OnnxLstmInputRole) => ({ operandName: role, operandIndex: ONNX_LSTM_INPUTS.indexOf(role) });

  if (node.inputs.length < 3 || node.inputs.length > 8)
    violations.push({ rule: 'ONNX.LSTM.inputs.count', message: 'LSTM takes 3 to 8 inputs', expected: '3..8', actual: String(node.inputs.length) });
  for (const role of ['X', 'W', 'R'] as const)
    if (!present(role)) violations.push({ rule: 'ONNX.LSTM.inputs.required', ...at(role), message: `${role} is a required input`, expected: 'present', actual: 'absent' });
  if (node.outputs.length > 3)
    violations.push({ rule: 'ONNX.LSTM.outputs.count', message: 'LSTM has at most 3 outputs (Y, Y_h, Y_c)', expected: '≤ 3', actual: String(node.outputs.length) });

  const rDims = info('R')?.dims;
  const parsed = parseOnnxLstmAttributes(node, { ...options, opset, hiddenSizeFallback: rDims && rDims.length === 3 ? known(rDims[2]) : undefined });
  violations.push(...parsed.violations);
  const a = parsed.attributes;

  // Sizes: hidden_size from the attribute, the others from X (or W for input_size) where known.
  const H: Dim = a.hiddenSize > 0 ? a.hiddenSize : undefined;
  const D = a.direction === 'bidirectional' ? 2 : 1;
  const xDims = info('X')?.dims;
  const xOk = xDims === undefined || xDims.length === 3;
  let S: Dim, B: Dim, I: Dim;
  if (xDims && xDims.length === 3) {
    [S, B] = a.layout === 0 ? [known(xDims[0]), known(xDims[1])] : [known(xDims[1]), known(xDims[0])];
    I = known(xDims[2]);
  }
  const wDims = info('W')?.dims;
  if (I === undefined && wDims && wDims.length === 3) I = known(wDims[2]);
  const times = (k: number, d: Dim): Dim => (d === undefined ? undefined : k * d);

  const shapeRule = (role: OnnxLstmInputRole, rule: string, want: Dim[], text: string): void => {
    const dims = info(role)?.dims;
    if (!dims) return;
    const bad = dims.length !== want.length || want.some((w, k) => w !== undefined && known(dims[k]) !== undefined && known(dims[k]) !== w);
    if (bad) violations.push({ rule, ...at(role), message: `${role} must be ${text}`, expected: showWant(want), actual: showDims(dims) });
  };
  if (!xOk)
    violations.push({ rule: 'ONNX.LSTM.X.shape', ...at('X'), message: 'X must have rank 3', expected: a.layout === 0 ? '[seq_length, batch_size, input_size]' : '[batch_size, seq_length, input_size]', actual: showDims(xDims!) });
  shapeRule('W', 'ONNX.LSTM.W.shape', [D, times(4, H), I], '[num_directions, 4*hidden_size, input_size]');
  shapeRule('R', 'ONNX.LSTM.R.shape', [D, times(4, H), H], '[num_directions, 4*hidden_size, hidden_size]');
  shapeRule('B', 'ONNX.LSTM.B.shape', [D, times(8, H)], '[num_directions, 8*hidden_size]');
  shapeRule('P', 'ONNX.LSTM.P.shape', [D, times(3, H)], '[num_directions, 3*hidden_size]');
  const state = a.layout === 0 ? [D, B, H] : [B, D, H];
  const stateText = a.layout === 0 ? '[num_directions, batch_size, hidden_size]' : '[batch_size, num_directions, hidden_size] (layout 1)';
  shapeRule('initial_h', 'ONNX.LSTM.initial_h.shape', state, stateText);
  shapeRule('initial_c', 'ONNX.LSTM.initial_c.shape', state, stateText);
  shapeRule('sequence_lens', 'ONNX.LSTM.sequence_lens.shape', [B], '[batch_size]');

  const lens = info('sequence_lens')?.values;
  if (lens) {
    for (let k = 0; k < lens.length; k++) {
      const len = Number(lens[k]);
      if (!(Number.isInteger(len) && len >= 0 && (S === undefined || len <= S))) {
        violations.push({ rule: 'ONNX.LSTM.sequence_lens.range', ...at('sequence_lens'), message: `sequence_lens[${k}] must be in [0, seq_length]`, expected: `[0, ${S ?? 'seq_length'}]`, actual: String(lens[k]) });
        break;
      }
    }
  }

  // Element types: X from T at this opset; the other T inputs equal to X; sequence_lens int32.
  const allowed = opset >= 22 ? T_TYPES_22 : T_TYPES;
  const xType = info('X')?.dataType;
  if (xType !== undefined && !allowed.includes(xType))
    violations.push({ rule: 'ONNX.LSTM.T.type', ...at('X'), message: `X's element type is not allowed by T at opset ${opset}`, expected: allowed.join(' | '), actual: xType });
  for (const role of ['W', 'R', 'B', 'initial_h', 'initial_c', 'P'] as const) {
    const t = info(role)?.dataType;
    if (t === undefined) continue;
    if (xType !== undefined ? t !== xType : !allowed.includes(t))
      violations.push({ rule: 'ONNX.LSTM.T.same', ...at(role), message: `${role} must have X's element type`, expected: xType ?? allowed.join(' | '), actual: t });
  }
  const lt = info('sequence_lens')?.dataType;
  if (lt !== undefined && lt !== 'INT32')
    violations.push({ rule: 'ONNX.LSTM.T1.type', ...at('sequence_lens'), message: 'sequence_lens must be int32', expected: 'INT32', actual: lt });

  return { attributes: a, violations };
}

/**
 * The ONNX-structure violations of one LSTM node at `opset`, given what is known of its inputs
 * (keyed by ONNX input name). An input the node leaves empty is not checked even if `inputs` describes it.
 */
export function validateOnnxLstm(
  node: OnnxNode,
  inputs: Partial<Record<OnnxLstmInputRole, OnnxLstmInputInfo>>,
  opset: number,
  options: Omit<ParseOnnxLstmOptions, 'opset' | 'hiddenSizeFallback'> = {},
): Violation[] {
  return checkOnnxLstm(node, inputs, opset, options).violations;
}
