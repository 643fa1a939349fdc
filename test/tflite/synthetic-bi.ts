/**
 * Synthetic BIDIRECTIONAL_SEQUENCE_LSTM models for the TFLite writer and driver tests (no shared
 * files needed): two synthetic UNIDIRECTIONAL cells assembled into the 61-input layout.
 */
import type { Model, Operand } from '../../src/model/model.js';
import type { OperandTypeName } from '../../src/model/operand-types.js';
import { loadSpec } from '../../src/spec/operation-spec.js';
import { rng } from '../../src/conformance/synth.js';
import { syntheticLstmModel } from '../../src/tflite/synthetic.js';

const BI = 'BIDIRECTIONAL_SEQUENCE_LSTM';
const UNI = 'UNIDIRECTIONAL_SEQUENCE_LSTM';
const BI_INPUTS = loadSpec(BI).inputs.slice().sort((a, b) => a.index - b.index).map((o) => o.name);
const posOf = (op: string, name: string) => loadSpec(op).inputs.find((o) => o.name === name)!.index;

export interface BiSpec {
  seed?: number;
  batch?: number;
  time?: number;
  inputSize?: number;
  units?: number;
  outputSize?: number;
  timeMajor?: boolean;
  merge?: boolean;
  aux?: 'none' | 'cross' | 'parallel';
  auxSize?: number;
  stateOutputs?: boolean;
  cifg?: boolean;
  peephole?: boolean;
  activation?: number;
  cellClip?: number;
  projClip?: number;
  /** Backward-cell overrides (default: configured like the forward cell). */
  bw?: { units?: number; outputSize?: number; cifg?: boolean; peephole?: boolean; projection?: boolean };
}

/** A float32 BIDIRECTIONAL_SEQUENCE_LSTM model (random non-zero states) from two synthetic UNIDIRECTIONAL ones. */
export function syntheticBiModel(spec: BiSpec = {}): Model {
  const B = spec.batch ?? 2;
  const T = spec.time ?? 3;
  const I = spec.inputSize ?? 3;
  const N = spec.units ?? 4;
  const O = spec.outputSize ?? N;
  const tm = spec.timeMajor ?? true;
  const aux = spec.aux ?? 'none';
  const A = spec.auxSize ?? I;
  const seed = spec.seed ?? 1;
  const cell = { operation: UNI, batch: B, time: T, units: N, outputSize: O, timeMajor: tm, cifg: spec.cifg ?? false, peephole: spec.peephole ?? false, projection: O !== N, projectionBias: O !== N } as const;
  const fw = syntheticLstmModel({ ...cell, inputSize: I, seed });
  const bwSpec = spec.bw ?? {};
  const bwN = bwSpec.units ?? N;
  const bwO = bwSpec.outputSize ?? (bwSpec.units !== undefined && spec.outputSize === undefined ? bwN : O);
  const bw = syntheticLstmModel({
    ...cell,
    units: bwN,
    outputSize: bwO,
    cifg: bwSpec.cifg ?? cell.cifg,
    peephole: bwSpec.peephole ?? cell.peephole,
    projection: bwSpec.projection ?? bwO !== bwN,
    projectionBias: bwSpec.projection ?? bwO !== bwN,
    inputSize: aux === 'parallel' ? A : I,
    seed: seed + 1000,
  });
  const rnd = rng(seed + 7);
  const rand = (n: number, s = 1) => Array.from({ length: n }, () => Math.fround((rnd() - 0.5) * 2 * s));
  const operands: Operand[] = [];
  const push = (o: Omit<Operand, 'index'>) => {
    operands.push({ ...o, index: operands.length } as Operand);
    return operands.length - 1;
  };
  const base = { scale: 0, zeroPoint: 0, isIgnored: false };
  const copy = (m: Model, name: string, role: string) => push({ ...structuredClone(m.operands[m.operations[0]!.inputs[posOf(UNI, role)]!]!), name, role: name });
  const omitted = (name: string) => push({ ...base, name, role: name, type: 'TENSOR_FLOAT32', dimensions: [], lifetime: 'SUBGRAPH_INPUT', values: [], omitted: true });
  const scalar = (name: string, type: OperandTypeName, v: number) => push({ ...base, name, role: name, type, dimensions: [], lifetime: 'CONSTANT_COPY', values: [v] });
  const seq = (last: number) => (tm ? [T, B, last] : [B, T, last]);
  const cellRoles = new Set(loadSpec(UNI).inputs.filter((o) => o.index >= 1 && o.index <= 19).map((o) => o.name));
  const inputs: number[] = [];
  for (const name of BI_INPUTS) {
    const m = /^(fw|bw)_(.*)$/.exec(name);
    const role = m?.[2] ?? name;
    if (name === 'input') inputs.push(copy(fw, name, 'input'));
    else if (cellRoles.has(role)) inputs.push(copy(m?.[1] === 'bw' ? bw : fw, name, role));
    else if (name === 'aux_input') inputs.push(aux === 'none' ? omitted(name) : push({ ...base, name, role: name, type: 'TENSOR_FLOAT32', dimensions: seq(A), lifetime: 'SUBGRAPH_INPUT', values: rand(B * T * A) }));
    else if (role.startsWith('aux_input_to_')) {
      const present = aux === 'cross' && !(role === 'aux_input_to_input_weights' && (spec.cifg ?? false));
      inputs.push(present ? push({ ...base, name, role: name, type: 'TENSOR_FLOAT32', dimensions: [m?.[1] === 'bw' ? bwN : N, A], lifetime: 'CONSTANT_COPY', values: rand((m?.[1] === 'bw' ? bwN : N) * A, 0.5) }) : omitted(name));
    } else if (name === 'activation') inputs.push(scalar(name, 'INT32', spec.activation ?? 4));
    else if (name === 'cell_clip') inputs.push(scalar(name, 'FLOAT32', spec.cellClip ?? 0));
    else if (name === 'proj_clip') inputs.push(scalar(name, 'FLOAT32', spec.projClip ?? 0));
    else if (name === 'merge_outputs') inputs.push(scalar(name, 'BOOL', spec.merge ? 1 : 0));
    else if (name === 'time_major') inputs.push(scalar(name, 'BOOL', tm ? 1 : 0));
    else if (role.endsWith('layer_norm_weights')) inputs.push(omitted(name));
    else throw new Error(`syntheticBiModel: unhandled input ${name}`);
  }
  const out = (name: string, dims: number[]) => push({ ...base, name, role: name, type: 'TENSOR_FLOAT32', dimensions: dims, lifetime: 'SUBGRAPH_OUTPUT', values: [] });
  const outputs = spec.merge ? [out('fw_output', seq(O + bwO))] : [out('fw_output', seq(O)), out('bw_output', seq(bwO))];
  if (spec.stateOutputs) outputs.push(out('fw_output_state_out', [B, O]), out('fw_cell_state_out', [B, N]), out('bw_output_state_out', [B, bwO]), out('bw_cell_state_out', [B, bwN]));
  return {
    operands,
    operations: [{ type: BI, inputs, outputs }],
    inputIndexes: operands.filter((o) => o.lifetime === 'SUBGRAPH_INPUT').map((o) => o.index),
    outputIndexes: outputs,
    provenance: { kind: 'synthetic', spec },
  };
}
