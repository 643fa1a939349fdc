/**
 * The argument checks of the WebNN lstm / lstmCell method steps (index.bs), one rule id each
 * (spec/webnn/lstm.json and lstmCell.json list the same ids). Errors are values: a list of violations.
 */
import type { WebnnDataType, WebnnLstmCellOptions, WebnnLstmOptions, WebnnRuleViolation } from './types.js';

/** What validation needs of an operand: its shape and data type. */
export interface WebnnOperandDesc {
  shape: readonly number[];
  dataType: WebnnDataType;
}

const DATA_TYPES: readonly string[] = ['float32', 'float16'];
const ACTIVATIONS: readonly string[] = ['relu', 'sigmoid', 'tanh'];
const LONG_MAX = 2 ** 31 - 1;

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, k) => d === b[k]);
const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/** A valid dimension (index.bs): an integer > 0 in the range of `long`. */
export function isValidDimension(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n <= LONG_MAX;
}

type Desc = WebnnOperandDesc | undefined;

function checkOption(
  out: WebnnRuleViolation[],
  op: 'lstm' | 'lstmCell',
  name: string,
  d: Desc,
  want: readonly number[],
  inputType: string,
): void {
  if (!d) return;
  if (d.dataType !== inputType) out.push({ rule: `WEBNN.${op}.${name}.dataType`, operand: `options.${name}`, message: `data type ${d.dataType} must be the same as input's ${inputType}` });
  if (!sameShape(d.shape, want)) out.push({ rule: `WEBNN.${op}.${name}.shape`, operand: `options.${name}`, message: `shape ${fmt(d.shape)} must be ${fmt(want)}` });
}

function checkActivations(out: WebnnRuleViolation[], op: 'lstm' | 'lstmCell', acts: readonly string[] | undefined): void {
  if (acts === undefined) return;
  if (acts.length !== 3) out.push({ rule: `WEBNN.${op}.activations.count`, operand: 'options.activations', message: `${acts.length} activations given, exactly 3 are required` });
  for (const a of acts) {
    if (!ACTIVATIONS.includes(a)) out.push({ rule: `WEBNN.${op}.activations.value`, operand: 'options.activations', message: `'${a}' is not an MLRecurrentNetworkActivation (relu, sigmoid, tanh)` });
  }
}

function checkRequired(out: WebnnRuleViolation[], op: 'lstm' | 'lstmCell', named: [string, WebnnOperandDesc][], rank: number[]): string {
  const inputType = named[0]![1].dataType;
  named.forEach(([name, d], k) => {
    if (!DATA_TYPES.includes(d.dataType)) out.push({ rule: `WEBNN.${op}.dataType`, operand: name, message: `data type ${d.dataType} is not float32 or float16` });
    else if (k > 0 && d.dataType !== inputType) out.push({ rule: `WEBNN.${op}.dataType`, operand: name, message: `data type ${d.dataType} must be the same as input's ${inputType}` });
    if (d.shape.length !== rank[k]) out.push({ rule: `WEBNN.${op}.rank`, operand: name, message: `rank ${d.shape.length}, must be ${rank[k]}` });
  });
  return inputType;
}

export interface LstmDescs {
  input: WebnnOperandDesc;
  weight: WebnnOperandDesc;
  recurrentWeight: WebnnOperandDesc;
  bias?: WebnnOperandDesc;
  recurrentBias?: WebnnOperandDesc;
  peepholeWeight?: WebnnOperandDesc;
  initialHiddenState?: WebnnOperandDesc;
  initialCellState?: WebnnOperandDesc;
}

/** The lstm() method steps' checks; [] when the call is valid. */
export function validateWebnnLstm(d: LstmDescs, steps: number, hiddenSize: number, options: Pick<WebnnLstmOptions, 'direction' | 'activations'> = {}): WebnnRuleViolation[] {
  const out: WebnnRuleViolation[] = [];
  const direction = options.direction ?? 'forward';
  if (!['forward', 'backward', 'both'].includes(direction)) out.push({ rule: 'WEBNN.lstm.direction.value', operand: 'options.direction', message: `'${direction}' is not forward, backward or both` });
  const numDir = direction === 'both' ? 2 : 1;
  const inputType = checkRequired(out, 'lstm', [['input', d.input], ['weight', d.weight], ['recurrentWeight', d.recurrentWeight]], [3, 3, 3]);
  if (out.some((v) => v.rule === 'WEBNN.lstm.rank')) return out;
  if (!(Number.isInteger(steps) && steps > 0)) out.push({ rule: 'WEBNN.lstm.steps.nonzero', operand: 'steps', message: `steps ${steps} must be greater than 0` });
  if (d.input.shape[0] !== steps) out.push({ rule: 'WEBNN.lstm.steps.match', operand: 'input', message: `input.shape[0] = ${d.input.shape[0]} must equal steps ${steps}` });
  const batch = d.input.shape[1]!;
  const inputSize = d.input.shape[2]!;
  const H = hiddenSize;
  if (!sameShape(d.weight.shape, [numDir, 4 * H, inputSize])) out.push({ rule: 'WEBNN.lstm.weight.shape', operand: 'weight', message: `shape ${fmt(d.weight.shape)} must be ${fmt([numDir, 4 * H, inputSize])}` });
  if (!sameShape(d.recurrentWeight.shape, [numDir, 4 * H, H])) out.push({ rule: 'WEBNN.lstm.recurrentWeight.shape', operand: 'recurrentWeight', message: `shape ${fmt(d.recurrentWeight.shape)} must be ${fmt([numDir, 4 * H, H])}` });
  if (!isValidDimension(8 * H)) out.push({ rule: 'WEBNN.lstm.hiddenSize.valid', operand: 'hiddenSize', message: `hiddenSize * 8 = ${8 * H} is not a valid dimension` });
  checkOption(out, 'lstm', 'bias', d.bias, [numDir, 4 * H], inputType);
  checkOption(out, 'lstm', 'recurrentBias', d.recurrentBias, [numDir, 4 * H], inputType);
  checkOption(out, 'lstm', 'peepholeWeight', d.peepholeWeight, [numDir, 3 * H], inputType);
  checkOption(out, 'lstm', 'initialHiddenState', d.initialHiddenState, [numDir, batch, H], inputType);
  checkOption(out, 'lstm', 'initialCellState', d.initialCellState, [numDir, batch, H], inputType);
  checkActivations(out, 'lstm', options.activations);
  return out;
}

export interface LstmCellDescs {
  input: WebnnOperandDesc;
  weight: WebnnOperandDesc;
  recurrentWeight: WebnnOperandDesc;
  hiddenState: WebnnOperandDesc;
  cellState: WebnnOperandDesc;
  bias?: WebnnOperandDesc;
  recurrentBias?: WebnnOperandDesc;
  peepholeWeight?: WebnnOperandDesc;
}

/** The lstmCell() method steps' checks; [] when the call is valid. */
export function validateWebnnLstmCell(d: LstmCellDescs, hiddenSize: number, options: Pick<WebnnLstmCellOptions, 'activations'> = {}): WebnnRuleViolation[] {
  const out: WebnnRuleViolation[] = [];
  const inputType = checkRequired(
    out,
    'lstmCell',
    [['input', d.input], ['weight', d.weight], ['recurrentWeight', d.recurrentWeight], ['hiddenState', d.hiddenState], ['cellState', d.cellState]],
    [2, 2, 2, 2, 2],
  );
  if (out.some((v) => v.rule === 'WEBNN.lstmCell.rank')) return out;
  const [batch, inputSize] = d.input.shape as [number, number];
  const H = hiddenSize;
  if (!sameShape(d.weight.shape, [4 * H, inputSize])) out.push({ rule: 'WEBNN.lstmCell.weight.shape', operand: 'weight', message: `shape ${fmt(d.weight.shape)} must be ${fmt([4 * H, inputSize])}` });
  if (!sameShape(d.recurrentWeight.shape, [4 * H, H])) out.push({ rule: 'WEBNN.lstmCell.recurrentWeight.shape', operand: 'recurrentWeight', message: `shape ${fmt(d.recurrentWeight.shape)} must be ${fmt([4 * H, H])}` });
  if (!sameShape(d.hiddenState.shape, [batch, H])) out.push({ rule: 'WEBNN.lstmCell.hiddenState.shape', operand: 'hiddenState', message: `shape ${fmt(d.hiddenState.shape)} must be ${fmt([batch, H])}` });
  if (!sameShape(d.cellState.shape, [batch, H])) out.push({ rule: 'WEBNN.lstmCell.cellState.shape', operand: 'cellState', message: `shape ${fmt(d.cellState.shape)} must be ${fmt([batch, H])}` });
  if (!isValidDimension(8 * H)) out.push({ rule: 'WEBNN.lstmCell.hiddenSize.valid', operand: 'hiddenSize', message: `hiddenSize * 8 = ${8 * H} is not a valid dimension` });
  checkOption(out, 'lstmCell', 'bias', d.bias, [4 * H], inputType);
  checkOption(out, 'lstmCell', 'recurrentBias', d.recurrentBias, [4 * H], inputType);
  checkOption(out, 'lstmCell', 'peepholeWeight', d.peepholeWeight, [3 * H], inputType);
  checkActivations(out, 'lstmCell', options.activations);
  return out;
}
