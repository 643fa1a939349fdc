/**
 * WebNN conformance tests (the web-platform-tests `webnn/conformance_tests` data layout) from planned cases:
 * each test is { name, graph: { inputs, operators: [one lstm or lstmCell], expectedOutputs } }, inputs keyed by
 * operand name with { data, descriptor: { shape, dataType }, constant? }. Expected values follow WebNN's
 * semantics: the WebNN reference in float64 (as webnn-baseline computes in double), cast once to the data type.
 */
import { roundToFloat16 } from '../../util/float16.js';
import { packGates, packPeepholes } from '../../ops/webnn-lstm/pack.js';
import { webnnLstm } from '../../ops/webnn-lstm/lstm.js';
import { webnnLstmCell } from '../../ops/webnn-lstm/cell.js';
import type { WebnnActivation, WebnnDataType, WebnnLstmLayout, WebnnTensor } from '../../ops/webnn-lstm/types.js';
import type { WebnnPlan } from './plan.js';

export interface WptTensor {
  data: number[];
  descriptor: { shape: number[]; dataType: WebnnDataType };
  constant?: boolean;
}

export type WptArgument = Record<string, unknown>;

export interface WptTest {
  name: string;
  graph: {
    inputs: Record<string, WptTensor>;
    operators: { name: 'lstm' | 'lstmCell'; arguments: WptArgument[]; outputs: string[] }[];
    expectedOutputs: Record<string, WptTensor>;
  };
}

/** How one planned case is turned into a test. */
export interface Variant {
  operator: 'lstm' | 'lstmCell';
  layout: WebnnLstmLayout;
  /** Split NNAPI's one bias per gate into bias = b/2 and recurrentBias = b/2 (exact in binary floating point). */
  splitBias: boolean;
  /** Run direction 'backward' on the input reversed in time: the same numbers as the forward case, sequence reversed. */
  reverseTime?: boolean;
}

/** `plan` with its input (and NNAPI's expected sequence) reversed in time and direction 'backward'. */
export function reverseInTime(plan: WebnnPlan): WebnnPlan {
  if (plan.direction !== 'forward') throw new Error('reverseInTime: only a forward plan can be reversed');
  const { steps, batch: B, inputSize: I, hiddenSize: H } = plan;
  const rev = (v: readonly number[], k: number) => Array.from({ length: steps }, (_, t) => v.slice((steps - 1 - t) * B * k, (steps - t) * B * k)).flat();
  return {
    ...plan,
    direction: 'backward',
    input: rev(plan.input, I),
    nnapi: { ...plan.nnapi, ...(plan.nnapi.sequence ? { sequence: plan.nnapi.sequence.map((s) => rev(s, H)) } : {}) },
  };
}

/** What the manifest records of one exported test. */
export interface WptCaseRecord {
  test: string;
  operator: 'lstm' | 'lstmCell';
  /** The nnlstm conformance case the test comes from. */
  caseId: string;
  nnapiOperation: string;
  provenance: Record<string, unknown>;
  dataType: WebnnDataType;
  relaxedSource: boolean;
  layout: WebnnLstmLayout;
  direction: 'forward' | 'backward' | 'both';
  /** Derived: direction 'backward' on the source's input reversed in time. */
  reversedInTime: boolean;
  activations: WebnnActivation[];
  steps: number;
  batch: number;
  inputSize: number;
  hiddenSize: number;
  recurrentBias: boolean;
  peephole: boolean;
  /** WebNN's output gate reads C(t−1) where NNAPI's reads C_t: the expected values here are WebNN's, not NNAPI's. */
  outputPeepholeDeviation: boolean;
  transposedFromBatchMajor: boolean;
  /** NNAPI's expected outputs equal these within NNAPI's tolerance (null: the case has none to compare). */
  nnapiExpectedAgrees: boolean | null;
  /** Largest |WebNN expected − NNAPI expected| over the outputs both have. */
  maxAbsDiffVsNnapi: number | null;
}

const cast = (dt: WebnnDataType) => (dt === 'float16' ? roundToFloat16 : Math.fround);

/** [dir][...] per-gate arrays → WebNN packed rows for every direction, concatenated. */
function packDirs(plan: WebnnPlan, layout: WebnnLstmLayout, pick: (d: WebnnPlan['dirs'][number]) => { i: number[]; f: number[]; g: number[]; o: number[] }): number[] {
  return plan.dirs.flatMap((d) => Array.from(packGates(layout, pick(d))));
}

function tensor(data: ArrayLike<number>, shape: number[], dt: WebnnDataType, constant: boolean): WptTensor {
  const q = cast(dt);
  const t: WptTensor = { data: Array.from(data, (v) => q(v)), descriptor: { shape, dataType: dt } };
  if (constant) t.constant = true;
  return t;
}

function agreement(plan: WebnnPlan, hidden: number[][], cell: number[][], sequence: number[][]): { agrees: boolean | null; maxAbs: number | null } {
  const pairs: [number[], number[]][] = [];
  const add = (nn: number[][] | undefined, ours: number[][]) => nn?.forEach((v, d) => pairs.push([v, ours[d]!]));
  add(plan.nnapi.hidden, hidden);
  add(plan.nnapi.cell, cell);
  add(plan.nnapi.sequence, sequence);
  if (!pairs.length) return { agrees: null, maxAbs: null };
  let agrees = true;
  let maxAbs = 0;
  for (const [e, a] of pairs) {
    e.forEach((ev, k) => {
      const d = Math.abs(a[k]! - ev);
      maxAbs = Math.max(maxAbs, d);
      if (!(d <= plan.nnapi.atol + plan.nnapi.rtol * Math.abs(ev))) agrees = false;
    });
  }
  return { agrees, maxAbs };
}

const split = (d: Float64Array | number[]) => Array.from(d, (v) => v / 2);

/** The test of `plan` under `v`, and its manifest record. */
export function buildTest(source: WebnnPlan, v: Variant): { test: WptTest; record: WptCaseRecord } {
  const plan = v.reverseTime ? reverseInTime(source) : source;
  const { steps, batch: B, inputSize: I, hiddenSize: H, dataType: dt } = plan;
  const numDir = plan.dirs.length;
  const q = cast(dt);
  const activations: WebnnActivation[] = ['sigmoid', plan.activation, plan.activation];
  let bias = packDirs(plan, v.layout, (d) => d.bias);
  let recurrentBias: number[] | null = null;
  if (v.splitBias) {
    // b/2 + b/2 = b exactly (halving is exact away from subnormals), so NNAPI's sum is kept.
    bias = split(bias).map(q);
    recurrentBias = bias.slice();
  }
  const W = packDirs(plan, v.layout, (d) => d.wx);
  const R = packDirs(plan, v.layout, (d) => d.wh);
  const hasPeep = plan.dirs.some((d) => d.peephole !== null);
  const P = hasPeep ? plan.dirs.flatMap((d) => Array.from(packPeepholes(H, d.peephole ?? {}))) : null;
  const h0 = plan.dirs.flatMap((d) => d.h0);
  const c0 = plan.dirs.flatMap((d) => d.c0);
  const T = (dims: number[], data: ArrayLike<number>): WebnnTensor => ({ dims, data: Array.from(data, (x) => q(x)) });

  // Expected: WebNN semantics in float64, one cast at the end.
  let hidden: number[][], cell: number[][], sequence: number[][];
  if (v.operator === 'lstm') {
    const res = webnnLstm(T([steps, B, I], plan.input), T([numDir, 4 * H, I], W), T([numDir, 4 * H, H], R), steps, H, {
      bias: T([numDir, 4 * H], bias),
      ...(recurrentBias ? { recurrentBias: T([numDir, 4 * H], recurrentBias) } : {}),
      ...(P ? { peepholeWeight: T([numDir, 3 * H], P) } : {}),
      initialHiddenState: T([numDir, B, H], h0),
      initialCellState: T([numDir, B, H], c0),
      returnSequence: true,
      direction: plan.direction,
      layout: v.layout,
      activations,
      precision: 'float64',
      outputPeephole: 'C_prev',
    });
    const per = (a: Float64Array) => Array.from({ length: numDir }, (_, d) => Array.from(a.subarray(d * B * H, (d + 1) * B * H), q));
    hidden = per(res.hidden.data);
    cell = per(res.cell.data);
    sequence = Array.from({ length: numDir }, (_, d) => Array.from({ length: steps }, (_, t) => Array.from(res.sequence!.data.subarray((t * numDir + d) * B * H, (t * numDir + d + 1) * B * H), q)).flat());
  } else {
    if (numDir !== 1 || steps !== 1) throw new Error('lstmCell tests come from one-step, one-direction cases');
    const res = webnnLstmCell(T([B, I], plan.input), T([4 * H, I], W), T([4 * H, H], R), T([B, H], h0), T([B, H], c0), H, {
      bias: T([4 * H], bias),
      ...(recurrentBias ? { recurrentBias: T([4 * H], recurrentBias) } : {}),
      ...(P ? { peepholeWeight: T([3 * H], P) } : {}),
      layout: v.layout,
      activations,
      precision: 'float64',
      outputPeephole: 'C_prev',
    });
    hidden = [Array.from(res.hidden.data, q)];
    cell = [Array.from(res.cell.data, q)];
    sequence = hidden;
  }
  const { agrees, maxAbs } = agreement(plan, hidden, cell, sequence);

  const deviation = plan.outputPeepholeNonZero;
  const opName = v.operator;
  const pre = opName; // operand-name prefix, as the WPT files name theirs
  const inputs: Record<string, WptTensor> = {};
  const options: Record<string, unknown> = {};
  let args: WptArgument[];
  const cellShape = v.operator === 'lstm';
  inputs[`${pre}Input`] = tensor(plan.input, cellShape ? [steps, B, I] : [B, I], dt, false);
  inputs[`${pre}Weight`] = tensor(W, cellShape ? [numDir, 4 * H, I] : [4 * H, I], dt, true);
  inputs[`${pre}RecurrentWeight`] = tensor(R, cellShape ? [numDir, 4 * H, H] : [4 * H, H], dt, true);
  if (!cellShape) {
    inputs[`${pre}HiddenState`] = tensor(h0, [B, H], dt, false);
    inputs[`${pre}CellState`] = tensor(c0, [B, H], dt, false);
  }
  inputs[`${pre}Bias`] = tensor(bias, cellShape ? [numDir, 4 * H] : [4 * H], dt, true);
  options['bias'] = `${pre}Bias`;
  if (recurrentBias) {
    inputs[`${pre}RecurrentBias`] = tensor(recurrentBias, cellShape ? [numDir, 4 * H] : [4 * H], dt, true);
    options['recurrentBias'] = `${pre}RecurrentBias`;
  }
  if (P) {
    inputs[`${pre}PeepholeWeight`] = tensor(P, cellShape ? [numDir, 3 * H] : [3 * H], dt, true);
    options['peepholeWeight'] = `${pre}PeepholeWeight`;
  }
  if (cellShape) {
    inputs[`${pre}InitialHiddenState`] = tensor(h0, [numDir, B, H], dt, false);
    inputs[`${pre}InitialCellState`] = tensor(c0, [numDir, B, H], dt, false);
    options['initialHiddenState'] = `${pre}InitialHiddenState`;
    options['initialCellState'] = `${pre}InitialCellState`;
    options['returnSequence'] = true;
    options['direction'] = plan.direction;
  }
  options['layout'] = v.layout;
  options['activations'] = activations;
  if (cellShape) {
    args = [{ input: `${pre}Input` }, { weight: `${pre}Weight` }, { recurrentWeight: `${pre}RecurrentWeight` }, { steps }, { hiddenSize: H }, { options }];
  } else {
    args = [
      { input: `${pre}Input` },
      { weight: `${pre}Weight` },
      { recurrentWeight: `${pre}RecurrentWeight` },
      { hiddenState: `${pre}HiddenState` },
      { cellState: `${pre}CellState` },
      { hiddenSize: H },
      { options },
    ];
  }
  const outputs = cellShape ? [`${pre}Output1`, `${pre}Output2`, `${pre}Output3`] : [`${pre}Output1`, `${pre}Output2`];
  const expectedOutputs: Record<string, WptTensor> = {};
  expectedOutputs[outputs[0]!] = tensor(hidden.flat(), cellShape ? [numDir, B, H] : [B, H], dt, false);
  expectedOutputs[outputs[1]!] = tensor(cell.flat(), cellShape ? [numDir, B, H] : [B, H], dt, false);
  if (cellShape) {
    // [steps, numDir, B, H]
    const seq: number[] = [];
    for (let t = 0; t < steps; t++) for (let d = 0; d < numDir; d++) seq.push(...sequence[d]!.slice(t * B * H, (t + 1) * B * H));
    expectedOutputs[outputs[2]!] = tensor(seq, [steps, numDir, B, H], dt, false);
  }
  const features = [
    plan.direction === 'forward' ? 'forward' : `direction=${plan.direction}${v.reverseTime ? ' on the input reversed in time' : ''}`,
    `steps=${steps}`,
    `batch=${B}`,
    `layout=${v.layout}`,
    `activations=[sigmoid, ${plan.activation}, ${plan.activation}]`,
    P ? 'peepholeWeight' : null,
    recurrentBias ? 'recurrentBias' : null,
  ].filter((x) => x !== null);
  const name =
    `[nnlstm] ${opName} ${dt} ${plan.caseId} (${features.join(', ')})` +
    (deviation ? ' [output-gate peephole reads C(t-1) as the WebNN spec does; NNAPI reads C(t)]' : '');
  const test: WptTest = { name, graph: { inputs, operators: [{ name: opName, arguments: args, outputs }], expectedOutputs } };
  const record: WptCaseRecord = {
    test: name,
    operator: opName,
    caseId: plan.caseId,
    nnapiOperation: plan.operation,
    provenance: plan.provenance,
    dataType: dt,
    relaxedSource: plan.relaxed,
    layout: v.layout,
    direction: plan.direction,
    reversedInTime: v.reverseTime === true,
    activations,
    steps,
    batch: B,
    inputSize: I,
    hiddenSize: H,
    recurrentBias: recurrentBias !== null,
    peephole: P !== null,
    outputPeepholeDeviation: deviation,
    transposedFromBatchMajor: plan.transposedFromBatchMajor,
    nnapiExpectedAgrees: agrees,
    maxAbsDiffVsNnapi: maxAbs,
  };
  return { test, record };
}
