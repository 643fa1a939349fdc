/**
 * Small deterministic NNAPI LSTM / UNIDIRECTIONAL_SEQUENCE_LSTM models (float32, random weights from a seed) for
 * writer round-trips, runtime smoke tests and as the built-in fuzz corpus — no shared files needed.
 */
import type { Model, Operand } from '../model/model.js';
import type { OperandTypeName } from '../model/operand-types.js';
import { LSTM_INPUT_NAMES } from '../ops/lstm/operands.generated.js';
import { rng } from '../conformance/synth.js';

export interface SyntheticLstmSpec {
  operation?: 'LSTM' | 'UNIDIRECTIONAL_SEQUENCE_LSTM';
  batch?: number;
  inputSize?: number;
  units?: number;
  /** Output size; a projection is added when it differs from `units` or `projection` is set. */
  outputSize?: number;
  /** Sequence length (UNIDIRECTIONAL only). */
  time?: number;
  timeMajor?: boolean;
  cifg?: boolean;
  peephole?: boolean;
  projection?: boolean;
  projectionBias?: boolean;
  layerNorm?: boolean;
  activation?: number;
  cellClip?: number;
  projClip?: number;
  /** Random (non-zero) initial state; default true. */
  randomState?: boolean;
  seed?: number;
}


export function syntheticLstmModel(spec: SyntheticLstmSpec = {}): Model {
  const operation = spec.operation ?? 'LSTM';
  const seq = operation === 'UNIDIRECTIONAL_SEQUENCE_LSTM';
  const B = spec.batch ?? 2;
  const I = spec.inputSize ?? 3;
  const N = spec.units ?? 4;
  const projection = spec.projection ?? (spec.outputSize !== undefined && spec.outputSize !== N);
  const O = projection ? (spec.outputSize ?? N) : N;
  const T = spec.time ?? 3;
  const timeMajor = spec.timeMajor ?? true;
  const cifg = spec.cifg ?? false;
  const peephole = spec.peephole ?? false;
  const layerNorm = spec.layerNorm ?? false;
  const rnd = rng(spec.seed ?? 1);
  const rand = (n: number, scale = 1) => Array.from({ length: n }, () => Math.fround((rnd() - 0.5) * scale));

  const operands: Operand[] = [];
  const add = (name: string, type: OperandTypeName, dims: number[], lifetime: Operand['lifetime'], values: number[], extra: Partial<Operand> = {}) => {
    operands.push({ index: operands.length, name, role: name, type, dimensions: dims, scale: 0, zeroPoint: 0, lifetime, isIgnored: false, values, ...extra });
    return operands.length - 1;
  };
  const tensor = (name: string, dims: number[], present: boolean, scale = 1) =>
    present
      ? add(name, 'TENSOR_FLOAT32', dims, 'CONSTANT_COPY', rand(dims.reduce((a, b) => a * b, 1), scale))
      : add(name, 'TENSOR_FLOAT32', [], 'SUBGRAPH_INPUT', [], { omitted: true });

  const inputDims = seq ? (timeMajor ? [T, B, I] : [B, T, I]) : [B, I];
  const inputs: number[] = [];
  inputs.push(add('input', 'TENSOR_FLOAT32', inputDims, 'SUBGRAPH_INPUT', rand(inputDims.reduce((a, b) => a * b, 1), 2)));
  const names = LSTM_INPUT_NAMES;
  for (let i = 1; i <= 4; i++) inputs.push(tensor(names[i]!, [N, I], i !== 1 || !cifg));
  for (let i = 5; i <= 8; i++) inputs.push(tensor(names[i]!, [N, O], i !== 5 || !cifg));
  inputs.push(tensor(names[9]!, [N], peephole && !cifg));
  inputs.push(tensor(names[10]!, [N], peephole));
  inputs.push(tensor(names[11]!, [N], peephole));
  inputs.push(tensor(names[12]!, [N], !cifg, 0.2));
  for (let i = 13; i <= 15; i++) inputs.push(tensor(names[i]!, [N], true, 0.2));
  inputs.push(tensor(names[16]!, [O, N], projection));
  inputs.push(tensor(names[17]!, [O], projection && (spec.projectionBias ?? false), 0.2));
  const randomState = spec.randomState ?? true;
  inputs.push(add('output_state_in', 'TENSOR_FLOAT32', [B, O], 'SUBGRAPH_INPUT', randomState ? rand(B * O) : new Array<number>(B * O).fill(0)));
  inputs.push(add('cell_state_in', 'TENSOR_FLOAT32', [B, N], 'SUBGRAPH_INPUT', randomState ? rand(B * N) : new Array<number>(B * N).fill(0)));
  inputs.push(add('activation', 'INT32', [], 'CONSTANT_COPY', [spec.activation ?? 4]));
  inputs.push(add('cell_clip', 'FLOAT32', [], 'CONSTANT_COPY', [spec.cellClip ?? 0]));
  inputs.push(add('proj_clip', 'FLOAT32', [], 'CONSTANT_COPY', [spec.projClip ?? 0]));
  if (seq) inputs.push(add('time_major', 'BOOL', [], 'CONSTANT_COPY', [timeMajor ? 1 : 0]));
  if (seq || layerNorm) {
    inputs.push(tensor(names[23]!, [N], layerNorm && !cifg, 2));
    for (let i = 24; i <= 26; i++) inputs.push(tensor(names[i]!, [N], layerNorm, 2));
  }

  const outputs: number[] = [];
  if (seq) {
    outputs.push(add('output', 'TENSOR_FLOAT32', timeMajor ? [T, B, O] : [B, T, O], 'SUBGRAPH_OUTPUT', []));
  } else {
    outputs.push(add('scratch_buffer', 'TENSOR_FLOAT32', [B, (cifg ? 3 : 4) * N], 'SUBGRAPH_OUTPUT', [], { isIgnored: true }));
    outputs.push(add('output_state_out', 'TENSOR_FLOAT32', [B, O], 'SUBGRAPH_OUTPUT', []));
    outputs.push(add('cell_state_out', 'TENSOR_FLOAT32', [B, N], 'SUBGRAPH_OUTPUT', []));
    outputs.push(add('output', 'TENSOR_FLOAT32', [B, O], 'SUBGRAPH_OUTPUT', []));
  }
  return {
    operands,
    operations: [{ type: operation, inputs, outputs }],
    inputIndexes: operands.filter((o) => o.lifetime === 'SUBGRAPH_INPUT').map((o) => o.index),
    outputIndexes: outputs,
    provenance: { kind: 'synthetic', spec },
  };
}

/** A fixed set of feature combinations covering both ops, CIFG, peephole, projection (+bias), layer norm, clips. */
export function syntheticCorpus(): { name: string; model: Model }[] {
  const specs: [string, SyntheticLstmSpec][] = [
    ['lstm-basic', {}],
    ['lstm-cifg-peephole', { cifg: true, peephole: true, seed: 2 }],
    ['lstm-projection-bias-clip', { outputSize: 3, projectionBias: true, cellClip: 0.5, projClip: 0.3, seed: 3 }],
    ['lstm-layernorm', { layerNorm: true, peephole: true, seed: 4, activation: 1 }],
    ['lstm-layernorm-cifg-relu6', { layerNorm: true, cifg: true, seed: 5, activation: 3 }],
    ['useq-time-major', { operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM', seed: 6 }],
    ['useq-batch-major-projection', { operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM', timeMajor: false, outputSize: 2, peephole: true, cellClip: 1, seed: 7 }],
    ['useq-layernorm-cifg', { operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM', layerNorm: true, cifg: true, peephole: true, seed: 8 }],
  ];
  return specs.map(([name, spec]) => ({ name, model: syntheticLstmModel(spec) }));
}
