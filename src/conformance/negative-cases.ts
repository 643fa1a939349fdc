/**
 * Negative conformance cases: each takes a valid golden model and breaks exactly one rule of
 * spec/LSTM.json. The validation tests check that validateModel reports that rule and no other;
 * the conformance suite checks that a driver rejects the model at prepare.
 */
import type { Model, Operand } from '../model/model.js';
import { LSTM_IN, LSTM_OUT, type LstmInputName, type LstmOutputName } from '../ops/lstm/operands.generated.js';
import { validateModel, type LstmVariant } from '../ops/lstm/validate.js';
import { validateModel as validateAny } from '../ops/validate.js';
import { loadSpec } from '../spec/operation-spec.js';

export interface NegativeCase {
  name: string;
  rule: string;
  /** Model operand index the violation is about, when it is about one operand. */
  operandIndex?: number;
  operandName?: string;
  description: string;
  provenance: { kind: 'mutation'; base: string; mutation: string; generator: string };
  model: Model;
}

export interface BaseModel {
  /** Golden file name the base comes from. */
  name: string;
  model: Model;
  variant: LstmVariant;
}

/** Editing helpers over a deep copy of a base model, addressing operands by role. */
export class ModelEditor {
  readonly model: Model;
  constructor(base: Model) {
    this.model = structuredClone(base);
  }
  private get op() {
    return this.model.operations[0]!;
  }
  indexOf(role: LstmInputName): number {
    return this.op.inputs[LSTM_IN[role]]!;
  }
  outIndexOf(role: LstmOutputName): number {
    return this.op.outputs[LSTM_OUT[role]]!;
  }
  in(role: LstmInputName): Operand {
    return this.model.operands[this.indexOf(role)]!;
  }
  out(role: LstmOutputName): Operand {
    return this.model.operands[this.outIndexOf(role)]!;
  }
  /** Gives an operand new dimensions and deterministic values filling them. */
  reshape(o: Operand, dims: number[], value = 0.125): this {
    o.dimensions = dims;
    const n = dims.reduce((a, b) => a * b, 1);
    o.values = Array.from({ length: n }, (_, i) => o.values[i] ?? value);
    o.omitted = false;
    return this;
  }
  omit(role: LstmInputName): this {
    const o = this.in(role);
    o.values = [];
    o.dimensions = o.dimensions.map(() => 0);
    o.omitted = true;
    if (o.lifetime !== 'SUBGRAPH_INPUT') o.lifetime = 'NO_VALUE';
    return this;
  }
  /** Makes an omitted operand present with the given shape. */
  provide(role: LstmInputName, dims: number[], value = 0.125): this {
    const o = this.in(role);
    if (o.lifetime === 'NO_VALUE') o.lifetime = 'SUBGRAPH_INPUT';
    if (o.lifetime === 'SUBGRAPH_INPUT' && !this.model.inputIndexes.includes(this.indexOf(role))) this.model.inputIndexes.push(this.indexOf(role));
    return this.reshape(o, dims, value);
  }
  scalar(role: LstmInputName, value: number): this {
    this.in(role).values = [value];
    return this;
  }
}

interface Mutation {
  rule: string;
  /** Short suffix distinguishing several cases of one rule. */
  tag?: string;
  base: (v: LstmVariant) => boolean;
  role?: LstmInputName;
  outRole?: LstmOutputName;
  description: string;
  apply: (e: ModelEditor, v: LstmVariant) => void;
}

const f32 = (v: LstmVariant) => v.dtype === 'float32' && !v.relaxed;
const basic = (v: LstmVariant) => f32(v) && !v.cifg && !v.peephole && !v.projection && v.inputCount === 23;
const cifgPeephole = (v: LstmVariant) => f32(v) && v.cifg && v.peephole && !v.projection && v.inputCount === 23;
const projection = (v: LstmVariant) => f32(v) && !v.cifg && v.projection && v.inputCount === 23;
const lnNoCifg = (v: LstmVariant) => f32(v) && !v.cifg && v.layerNorm;
const lnCifg = (v: LstmVariant) => f32(v) && v.cifg && v.layerNorm;
const fp16 = (v: LstmVariant) => v.dtype === 'float16' && !v.cifg && v.inputCount === 23;

const MUTATIONS: Mutation[] = [
  { rule: 'model.structure', base: basic, description: 'the operation names operand 999, which does not exist', apply: (e) => { e.model.operations[0]!.inputs[LSTM_IN.cell_gate_bias] = 999; } },
  { rule: 'model.operand.value_count', base: basic, role: 'input_to_forget_weights', description: 'input_to_forget_weights holds one value more than its dimensions', apply: (e) => { e.in('input_to_forget_weights').values.push(0.5); } },
  { rule: 'model.operand.quant_params', base: basic, role: 'forget_gate_bias', description: 'a TENSOR_FLOAT32 operand with scale 0.5', apply: (e) => { e.in('forget_gate_bias').scale = 0.5; } },
  { rule: 'model.operand.dimensions', base: basic, role: 'activation', description: 'the activation scalar declares dimensions [1]', apply: (e) => { e.in('activation').dimensions = [1]; } },
  { rule: 'model.operand.value_range', base: fp16, role: 'input_to_forget_weights', description: 'a constant TENSOR_FLOAT16 weight of 70000 (beyond binary16\'s 65504: it would round to +Infinity)', apply: (e) => {
    // A constant, so that a driver sees the value at prepare.
    const o = e.in('input_to_forget_weights');
    e.model.inputIndexes = e.model.inputIndexes.filter((i) => i !== e.indexOf('input_to_forget_weights'));
    o.lifetime = 'CONSTANT_COPY';
    o.values[0] = 70000;
  } },
  { rule: 'model.operand.value_range', tag: 'float32', base: basic, role: 'cell_gate_bias', description: 'a TENSOR_FLOAT32 bias of -1e39 (beyond float32\'s 3.4028235e38: it would round to -Infinity)', apply: (e) => { e.in('cell_gate_bias').values[0] = -1e39; } },
  { rule: 'model.io.unique', base: basic, role: 'input', description: 'inputIndexes names the input operand twice', apply: (e) => { e.model.inputIndexes.push(e.indexOf('input')); } },
  { rule: 'model.io.unique', tag: 'outputs', base: basic, outRole: 'output', description: 'outputIndexes names the output operand twice', apply: (e) => { e.model.outputIndexes.push(e.outIndexOf('output')); } },
  { rule: 'model.operation.outputs_unique', base: basic, outRole: 'output', description: 'the operation writes the output operand as both output_state_out and output', apply: (e) => {
    const op = e.model.operations[0]!;
    const dropped = op.outputs[LSTM_OUT.output_state_out]!;
    op.outputs[LSTM_OUT.output_state_out] = op.outputs[LSTM_OUT.output]!;
    e.model.outputIndexes = e.model.outputIndexes.filter((i) => i !== dropped);
    e.model.operands[dropped]!.lifetime = 'TEMPORARY_VARIABLE';
  } },
  { rule: 'LSTM.signature.input_count', base: basic, description: 'LSTM with 22 inputs (proj_clip dropped)', apply: (e) => { const op = e.model.operations[0]!; const dropped = op.inputs.pop()!; e.model.operands[dropped]!.lifetime = 'TEMPORARY_VARIABLE'; } },
  { rule: 'LSTM.signature.output_count', base: basic, description: 'LSTM with 3 outputs (output dropped)', apply: (e) => { const op = e.model.operations[0]!; const dropped = op.outputs.pop()!; e.model.outputIndexes = e.model.outputIndexes.filter((i) => i !== dropped); e.model.operands[dropped]!.lifetime = 'TEMPORARY_VARIABLE'; } },
  { rule: 'LSTM.type.input', base: basic, role: 'input', description: 'input of type TENSOR_INT32', apply: (e) => { const o = e.in('input'); o.type = 'TENSOR_INT32'; o.values = o.values.map((x) => Math.round(x)); } },
  { rule: 'LSTM.type.tensors', base: basic, role: 'forget_gate_bias', description: 'forget_gate_bias is TENSOR_FLOAT16 in a TENSOR_FLOAT32 model', apply: (e) => { e.in('forget_gate_bias').type = 'TENSOR_FLOAT16'; } },
  { rule: 'LSTM.type.activation', base: basic, role: 'activation', description: 'activation given as a FLOAT32 scalar', apply: (e) => { e.in('activation').type = 'FLOAT32'; } },
  { rule: 'LSTM.type.clips', base: basic, role: 'cell_clip', description: 'cell_clip is FLOAT16 in a TENSOR_FLOAT32 model', apply: (e) => { e.in('cell_clip').type = 'FLOAT16'; } },
  { rule: 'LSTM.type.clips', tag: 'fp16', base: fp16, role: 'proj_clip', description: 'proj_clip is FLOAT32 in a TENSOR_FLOAT16 model', apply: (e) => { e.in('proj_clip').type = 'FLOAT32'; } },
  { rule: 'LSTM.type.outputs', base: basic, outRole: 'output', description: 'output declared TENSOR_FLOAT16 in a TENSOR_FLOAT32 model', apply: (e) => { e.out('output').type = 'TENSOR_FLOAT16'; } },
  { rule: 'LSTM.required.present', base: basic, role: 'forget_gate_bias', description: 'forget_gate_bias omitted', apply: (e) => { e.omit('forget_gate_bias'); } },
  { rule: 'LSTM.input.rank', base: basic, role: 'input', description: 'input of rank 3 [batch, input_size, 1]', apply: (e) => { const o = e.in('input'); o.dimensions = [...o.dimensions, 1]; } },
  { rule: 'LSTM.dims.nonzero', base: basic, role: 'input', description: 'batch_size 0 (input, states and outputs zero-sized, explicitly present)', apply: (e, v) => { e.reshape(e.in('input'), [0, v.inputSize]); e.reshape(e.in('output_state_in'), [0, v.outputSize]); e.reshape(e.in('cell_state_in'), [0, v.numUnits]); for (const r of ['scratch_buffer', 'output_state_out', 'cell_state_out', 'output'] as const) { const o = e.out(r); o.dimensions = [0, o.dimensions[1]!]; o.values = []; } } },
  { rule: 'LSTM.input_to_output.shape', base: basic, role: 'input_to_output_weights', description: 'input_to_output_weights has input_size + 1 columns', apply: (e, v) => { e.reshape(e.in('input_to_output_weights'), [v.numUnits, v.inputSize + 1]); } },
  { rule: 'LSTM.recurrent_to_output.shape', base: basic, role: 'recurrent_to_output_weights', description: 'recurrent_to_output_weights has num_units + 1 rows', apply: (e, v) => { e.reshape(e.in('recurrent_to_output_weights'), [v.numUnits + 1, v.outputSize]); } },
  { rule: 'LSTM.input_weights.shape', base: basic, role: 'input_to_forget_weights', description: 'input_to_forget_weights is [num_units, input_size + 1]', apply: (e, v) => { e.reshape(e.in('input_to_forget_weights'), [v.numUnits, v.inputSize + 1]); } },
  { rule: 'LSTM.recurrent_weights.shape', base: basic, role: 'recurrent_to_cell_weights', description: 'recurrent_to_cell_weights is [num_units, output_size + 1]', apply: (e, v) => { e.reshape(e.in('recurrent_to_cell_weights'), [v.numUnits, v.outputSize + 1]); } },
  { rule: 'LSTM.peephole.shape', base: cifgPeephole, role: 'cell_to_forget_weights', description: 'cell_to_forget_weights has num_units + 1 entries', apply: (e, v) => { e.reshape(e.in('cell_to_forget_weights'), [v.numUnits + 1]); } },
  { rule: 'LSTM.bias.shape', base: basic, role: 'output_gate_bias', description: 'output_gate_bias is rank 2 [1, num_units]', apply: (e, v) => { e.reshape(e.in('output_gate_bias'), [1, v.numUnits]); } },
  { rule: 'LSTM.projection.shape', base: projection, role: 'projection_weights', description: 'projection_weights is [output_size, num_units + 1]', apply: (e, v) => { e.reshape(e.in('projection_weights'), [v.outputSize, v.numUnits + 1]); } },
  { rule: 'LSTM.projection_bias.shape', base: projection, role: 'projection_bias', description: 'projection_bias present with output_size + 1 entries', apply: (e, v) => { e.provide('projection_bias', [v.outputSize + 1]); } },
  { rule: 'LSTM.layer_norm.shape', base: lnNoCifg, role: 'cell_layer_norm_weights', description: 'cell_layer_norm_weights has num_units + 1 entries', apply: (e, v) => { e.reshape(e.in('cell_layer_norm_weights'), [v.numUnits + 1]); } },
  { rule: 'LSTM.state.output_state_shape', base: basic, role: 'output_state_in', description: 'output_state_in is [batch_size, output_size + 1]', apply: (e, v) => { e.reshape(e.in('output_state_in'), [v.batchSize, v.outputSize + 1], 0); } },
  { rule: 'LSTM.state.cell_state_shape', base: basic, role: 'cell_state_in', description: 'cell_state_in is [batch_size + 1, num_units]', apply: (e, v) => { e.reshape(e.in('cell_state_in'), [v.batchSize + 1, v.numUnits], 0); } },
  {
    rule: 'LSTM.no_projection.output_size', base: basic, role: 'recurrent_to_output_weights', description: 'no projection but output_size = num_units + 1 (recurrent weights, state and outputs sized consistently)',
    apply: (e, v) => {
      const O = v.numUnits + 1;
      for (const r of ['recurrent_to_input_weights', 'recurrent_to_forget_weights', 'recurrent_to_cell_weights', 'recurrent_to_output_weights'] as const) e.reshape(e.in(r), [v.numUnits, O]);
      e.reshape(e.in('output_state_in'), [v.batchSize, O], 0);
      e.reshape(e.out('output_state_out'), [v.batchSize, O], 0);
      e.reshape(e.out('output'), [v.batchSize, O], 0);
    },
  },
  { rule: 'LSTM.cifg.all_or_none', base: basic, role: 'input_to_input_weights', description: 'input_to_input_weights (and input_gate_bias) omitted, recurrent_to_input_weights kept', apply: (e, v) => { e.omit('input_to_input_weights').omit('input_gate_bias'); e.reshape(e.out('scratch_buffer'), [v.batchSize, 3 * v.numUnits], 0); } },
  { rule: 'LSTM.cifg.no_cell_to_input', base: cifgPeephole, role: 'cell_to_input_weights', description: 'CIFG model with cell_to_input_weights present', apply: (e, v) => { e.provide('cell_to_input_weights', [v.numUnits]); } },
  { rule: 'LSTM.cifg.no_input_gate_bias', base: cifgPeephole, role: 'input_gate_bias', description: 'CIFG model with input_gate_bias present', apply: (e, v) => { e.provide('input_gate_bias', [v.numUnits]); } },
  { rule: 'LSTM.input_gate_bias.required', base: basic, role: 'input_gate_bias', description: 'input_gate_bias omitted without CIFG', apply: (e) => { e.omit('input_gate_bias'); } },
  { rule: 'LSTM.peephole.all_or_none', base: cifgPeephole, role: 'cell_to_output_weights', description: 'cell_to_output_weights omitted, cell_to_forget_weights kept', apply: (e) => { e.omit('cell_to_output_weights'); } },
  { rule: 'LSTM.projection_bias.requires_projection', base: basic, role: 'projection_bias', description: 'projection_bias [output_size] without projection_weights', apply: (e, v) => { e.provide('projection_bias', [v.outputSize]); } },
  { rule: 'LSTM.layer_norm.all_or_none', base: lnNoCifg, role: 'cell_layer_norm_weights', description: 'cell_layer_norm_weights omitted, the other three kept', apply: (e) => { e.omit('cell_layer_norm_weights'); } },
  { rule: 'LSTM.layer_norm.all_or_none', tag: 'input', base: lnNoCifg, role: 'input_layer_norm_weights', description: 'without CIFG, input_layer_norm_weights omitted while the others are present', apply: (e) => { e.omit('input_layer_norm_weights'); } },
  { rule: 'LSTM.layer_norm.cifg_no_input', base: lnCifg, role: 'input_layer_norm_weights', description: 'CIFG model with input_layer_norm_weights present', apply: (e, v) => { e.provide('input_layer_norm_weights', [v.numUnits]); } },
  { rule: 'LSTM.activation.value', base: basic, role: 'activation', description: 'activation 2 (relu1: computed by AOSP, not documented)', apply: (e) => { e.scalar('activation', 2); } },
  { rule: 'LSTM.activation.value', tag: 'seven', base: basic, role: 'activation', description: 'activation 7 (unknown)', apply: (e) => { e.scalar('activation', 7); } },
  { rule: 'LSTM.clip.non_negative', base: basic, role: 'cell_clip', description: 'cell_clip −1', apply: (e) => { e.scalar('cell_clip', -1); } },
  { rule: 'LSTM.clip.non_negative', tag: 'proj', base: projection, role: 'proj_clip', description: 'proj_clip −0.5', apply: (e) => { e.scalar('proj_clip', -0.5); } },
  { rule: 'LSTM.outputs.shape', base: basic, outRole: 'cell_state_out', description: 'cell_state_out declared [batch_size, num_units + 1]', apply: (e, v) => { e.reshape(e.out('cell_state_out'), [v.batchSize, v.numUnits + 1], 0); } },
];

export const NEGATIVE_GENERATOR = 'nnlstm src/conformance/negative-cases.ts';

// ---------------------------------------------------------------------------------------------
// Sequence ops: their own rules, and a few LSTM cell rules in their context.

/** Editing helpers for any covered op, addressing operands by the names of its resolved spec. */
export class OpEditor {
  readonly model: Model;
  private readonly inPos: Map<string, number>;
  private readonly outPos: Map<string, number>;
  constructor(base: Model, operation: string) {
    this.model = structuredClone(base);
    const spec = loadSpec(operation);
    this.inPos = new Map(spec.inputs.map((o) => [o.name, o.index]));
    this.outPos = new Map(spec.outputs.map((o) => [o.name, o.index]));
  }
  indexOf(name: string): number {
    const p = this.inPos.get(name);
    if (p === undefined) throw new Error(`no input named ${name}`);
    return this.model.operations[0]!.inputs[p]!;
  }
  outIndexAt(position: number): number {
    return this.model.operations[0]!.outputs[position]!;
  }
  outPosition(name: string): number {
    return this.outPos.get(name)!;
  }
  in(name: string): Operand {
    return this.model.operands[this.indexOf(name)]!;
  }
  omit(name: string): this {
    const o = this.in(name);
    o.values = [];
    o.dimensions = o.dimensions.map(() => 0);
    o.omitted = true;
    if (o.lifetime !== 'SUBGRAPH_INPUT') o.lifetime = 'NO_VALUE';
    return this;
  }
}

function reshapeOperand(o: Operand, dims: number[], value = 0.125): void {
  o.dimensions = dims;
  const n = dims.reduce((a, b) => a * b, 1);
  o.values = Array.from({ length: n }, (_, i) => o.values[i] ?? value);
  o.omitted = false;
}

interface SeqMutation {
  operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM' | 'BIDIRECTIONAL_SEQUENCE_LSTM';
  rule: string;
  tag?: string;
  base: (f: Record<string, unknown>) => boolean;
  operand?: string;
  outputPosition?: number;
  description: string;
  apply: (e: OpEditor, f: Record<string, unknown>) => void;
}

const U = 'UNIDIRECTIONAL_SEQUENCE_LSTM';
const BI = 'BIDIRECTIONAL_SEQUENCE_LSTM';
const seqF32 = (f: Record<string, unknown>) => f['dtype'] === 'float32' && !f['relaxed'];
const uniPlain = (f: Record<string, unknown>) => seqF32(f) && f['operation'] === U && !f['stateOutputs'] && !f['cifg'];
const uniState = (f: Record<string, unknown>) => seqF32(f) && f['operation'] === U && f['stateOutputs'] === true;
const uniNoProj = (f: Record<string, unknown>) => seqF32(f) && f['operation'] === U && !f['projection'] && !f['stateOutputs'];
const biPlain = (f: Record<string, unknown>) =>
  seqF32(f) && f['operation'] === BI && f['aux'] === 'none' && !f['mergeOutputs'] && !f['stateOutputs'] && !(f['fw'] as Record<string, unknown>)['cifg'] && !(f['bw'] as Record<string, unknown>)['cifg'];
const biCross = (f: Record<string, unknown>) => seqF32(f) && f['operation'] === BI && f['aux'] === 'cross-linking';
const seqDims = (e: OpEditor) => e.in('input').dimensions;
const batchAxis = (f: Record<string, unknown>) => (f['timeMajor'] ? 1 : 0);

/** Zero batch: the input, the given state inputs and every output get batch 0, explicitly present. */
function zeroBatch(e: OpEditor, f: Record<string, unknown>, states: string[]): void {
  const ax = batchAxis(f);
  const d = [...seqDims(e)];
  d[ax] = 0;
  reshapeOperand(e.in('input'), d);
  for (const s of states) {
    const o = e.in(s);
    reshapeOperand(o, [0, o.dimensions[1]!]);
  }
  for (const idx of e.model.operations[0]!.outputs) {
    const o = e.model.operands[idx]!;
    const od = [...o.dimensions];
    if (od.length === 3) od[ax] = 0;
    else od[0] = 0;
    o.dimensions = od;
    o.values = [];
  }
}

const SEQ_MUTATIONS: SeqMutation[] = [
  { operation: U, rule: `${U}.signature.input_count`, base: uniPlain, description: '27 inputs (the last layer-norm input dropped)', apply: (e) => { const op = e.model.operations[0]!; const d = op.inputs.pop()!; e.model.operands[d]!.lifetime = 'TEMPORARY_VARIABLE'; e.model.inputIndexes = e.model.inputIndexes.filter((i) => i !== d); } },
  { operation: U, rule: `${U}.signature.output_count`, base: uniState, description: '2 outputs (cell_state_out dropped)', apply: (e) => { const op = e.model.operations[0]!; const d = op.outputs.pop()!; e.model.outputIndexes = e.model.outputIndexes.filter((i) => i !== d); e.model.operands[d]!.lifetime = 'TEMPORARY_VARIABLE'; } },
  { operation: U, rule: `${U}.type.input`, base: uniPlain, operand: 'input', description: 'input of type TENSOR_INT32', apply: (e) => { const o = e.in('input'); o.type = 'TENSOR_INT32'; o.values = o.values.map((x) => Math.round(x)); } },
  { operation: U, rule: `${U}.type.tensors`, base: uniPlain, operand: 'forget_gate_bias', description: 'forget_gate_bias is TENSOR_FLOAT16 in a float32 model', apply: (e) => { e.in('forget_gate_bias').type = 'TENSOR_FLOAT16'; } },
  { operation: U, rule: `${U}.type.activation`, base: uniPlain, operand: 'activation', description: 'activation as FLOAT32', apply: (e) => { e.in('activation').type = 'FLOAT32'; } },
  { operation: U, rule: `${U}.type.clips`, base: uniPlain, operand: 'cell_clip', description: 'cell_clip as FLOAT16 in a float32 model', apply: (e) => { e.in('cell_clip').type = 'FLOAT16'; } },
  { operation: U, rule: `${U}.type.time_major`, base: uniPlain, operand: 'time_major', description: 'time_major as INT32', apply: (e) => { e.in('time_major').type = 'INT32'; } },
  { operation: U, rule: `${U}.type.outputs`, base: uniPlain, outputPosition: 0, description: 'output declared TENSOR_FLOAT16', apply: (e) => { e.model.operands[e.outIndexAt(0)]!.type = 'TENSOR_FLOAT16'; } },
  { operation: U, rule: `${U}.required.present`, base: uniPlain, operand: 'forget_gate_bias', description: 'forget_gate_bias omitted', apply: (e) => { e.omit('forget_gate_bias'); } },
  { operation: U, rule: `${U}.input.rank`, base: uniPlain, operand: 'input', description: 'input of rank 4', apply: (e) => { const o = e.in('input'); o.dimensions = [...o.dimensions, 1]; } },
  { operation: U, rule: `${U}.dims.nonzero`, base: uniPlain, operand: 'input', description: 'batch 0 (input, states and outputs zero-sized, explicitly present)', apply: (e, f) => zeroBatch(e, f, ['output_state_in', 'cell_state_in']) },
  { operation: U, rule: `${U}.outputs.shape`, base: uniPlain, outputPosition: 0, description: 'output declared with output_size + 1 on the last axis', apply: (e) => { const o = e.model.operands[e.outIndexAt(0)]!; const d = [...o.dimensions]; d[2] = d[2]! + 1; reshapeOperand(o, d, 0); } },
  { operation: U, rule: 'LSTM.clip.non_negative', base: uniPlain, operand: 'cell_clip', description: 'cell_clip −1 (AOSP\'s UNIDIRECTIONAL_SEQUENCE_LSTM treats it as off; the documented LSTM rule rejects it)', apply: (e) => { e.in('cell_clip').values = [-1]; } },
  { operation: U, rule: 'LSTM.state.cell_state_shape', base: uniPlain, operand: 'cell_state_in', description: 'cell_state_in with num_units + 1 columns', apply: (e) => { const o = e.in('cell_state_in'); reshapeOperand(o, [o.dimensions[0]!, o.dimensions[1]! + 1], 0); } },
  { operation: U, rule: 'LSTM.projection_bias.requires_projection', base: uniNoProj, operand: 'projection_bias', description: 'projection_bias without projection_weights (AOSP\'s UNIDIRECTIONAL_SEQUENCE_LSTM accepts and ignores it)', apply: (e) => { const o = e.in('projection_bias'); const O = e.in('recurrent_to_output_weights').dimensions[1]!; if (o.lifetime === 'NO_VALUE') o.lifetime = 'CONSTANT_COPY'; reshapeOperand(o, [O]); } },

  { operation: BI, rule: `${BI}.signature.input_count`, base: biPlain, description: '60 inputs (the last one dropped)', apply: (e) => { const op = e.model.operations[0]!; const d = op.inputs.pop()!; e.model.operands[d]!.lifetime = 'TEMPORARY_VARIABLE'; e.model.inputIndexes = e.model.inputIndexes.filter((i) => i !== d); } },
  { operation: BI, rule: `${BI}.signature.output_count`, base: biPlain, operand: 'merge_outputs', description: 'merge_outputs true with 2 outputs', apply: (e) => { e.in('merge_outputs').values = [1]; } },
  { operation: BI, rule: `${BI}.type.input`, base: biPlain, operand: 'input', description: 'input of type TENSOR_INT32', apply: (e) => { const o = e.in('input'); o.type = 'TENSOR_INT32'; o.values = o.values.map((x) => Math.round(x)); } },
  { operation: BI, rule: `${BI}.type.tensors`, base: biPlain, operand: 'bw_forget_gate_bias', description: 'bw_forget_gate_bias is TENSOR_FLOAT16 in a float32 model', apply: (e) => { e.in('bw_forget_gate_bias').type = 'TENSOR_FLOAT16'; } },
  { operation: BI, rule: `${BI}.type.activation`, base: biPlain, operand: 'activation', description: 'activation as FLOAT32', apply: (e) => { e.in('activation').type = 'FLOAT32'; } },
  { operation: BI, rule: `${BI}.type.clips`, base: biPlain, operand: 'proj_clip', description: 'proj_clip as FLOAT16 in a float32 model', apply: (e) => { e.in('proj_clip').type = 'FLOAT16'; } },
  { operation: BI, rule: `${BI}.type.bools`, base: biPlain, operand: 'time_major', description: 'time_major as INT32', apply: (e) => { e.in('time_major').type = 'INT32'; } },
  { operation: BI, rule: `${BI}.type.outputs`, base: biPlain, outputPosition: 1, description: 'bw_output declared TENSOR_FLOAT16', apply: (e) => { e.model.operands[e.outIndexAt(1)]!.type = 'TENSOR_FLOAT16'; } },
  { operation: BI, rule: `${BI}.required.present`, base: biPlain, operand: 'bw_forget_gate_bias', description: 'bw_forget_gate_bias omitted', apply: (e) => { e.omit('bw_forget_gate_bias'); } },
  { operation: BI, rule: `${BI}.input.rank`, base: biPlain, operand: 'input', description: 'input of rank 4', apply: (e) => { const o = e.in('input'); o.dimensions = [...o.dimensions, 1]; } },
  { operation: BI, rule: `${BI}.dims.nonzero`, base: biPlain, operand: 'input', description: 'batch 0 (input, the four states and the outputs zero-sized, explicitly present)', apply: (e, f) => zeroBatch(e, f, ['fw_output_state_in', 'fw_cell_state_in', 'bw_output_state_in', 'bw_cell_state_in']) },
  { operation: BI, rule: `${BI}.aux.input_shape`, base: biCross, operand: 'aux_input', description: 'aux_input with one batch row more than the input', apply: (e, f) => { const o = e.in('aux_input'); const d = [...o.dimensions]; d[batchAxis(f)] = d[batchAxis(f)]! + 1; reshapeOperand(o, d); } },
  { operation: BI, rule: `${BI}.aux.weights_all_or_none`, base: biCross, operand: 'fw_aux_input_to_cell_weights', description: 'fw_aux_input_to_cell_weights omitted, the other fw aux weights kept', apply: (e) => { e.omit('fw_aux_input_to_cell_weights'); } },
  { operation: BI, rule: `${BI}.aux.both_directions`, base: biCross, operand: 'fw_aux_input_to_forget_weights', description: 'every fw aux weight omitted, the bw aux weights kept', apply: (e) => { for (const g of ['input', 'forget', 'cell', 'output']) e.omit(`fw_aux_input_to_${g}_weights`); } },
  { operation: BI, rule: `${BI}.aux.weights_need_input`, base: biCross, operand: 'aux_input', description: 'aux weights without aux_input', apply: (e) => { e.omit('aux_input'); } },
  { operation: BI, rule: `${BI}.aux.weights_shape`, base: biCross, operand: 'bw_aux_input_to_output_weights', description: 'bw_aux_input_to_output_weights with aux_input_size + 1 columns', apply: (e) => { const o = e.in('bw_aux_input_to_output_weights'); reshapeOperand(o, [o.dimensions[0]!, o.dimensions[1]! + 1]); } },
  { operation: BI, rule: `${BI}.outputs.shape`, base: biPlain, outputPosition: 1, description: 'bw_output declared with bw_output_size + 1 on the last axis', apply: (e) => { const o = e.model.operands[e.outIndexAt(1)]!; const d = [...o.dimensions]; d[2] = d[2]! + 1; reshapeOperand(o, d, 0); } },
  { operation: BI, rule: 'LSTM.cifg.all_or_none', base: biPlain, operand: 'bw_input_to_input_weights', description: 'bw_input_to_input_weights (and bw_input_gate_bias) omitted, bw_recurrent_to_input_weights kept', apply: (e) => { e.omit('bw_input_to_input_weights').omit('bw_input_gate_bias'); } },
  { operation: BI, rule: 'LSTM.input_weights.shape', base: biPlain, operand: 'fw_input_to_cell_weights', description: 'fw_input_to_cell_weights with input_size + 1 columns', apply: (e) => { const o = e.in('fw_input_to_cell_weights'); reshapeOperand(o, [o.dimensions[0]!, o.dimensions[1]! + 1]); } },
];

/** Sequence-op negative cases; bases are golden sequence models, described by their validated features. */
export function buildSequenceNegativeCases(golden: { name: string; model: Model }[]): NegativeCase[] {
  const bases = [...golden]
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((g) => {
      const r = validateAny(g.model);
      return r.ok ? [{ name: g.name, model: g.model, features: { ...(r.variant as unknown as Record<string, unknown>) } }] : [];
    });
  return SEQ_MUTATIONS.map((m) => {
    const base = bases.find((b) => b.features['operation'] === m.operation && m.base(b.features));
    if (!base) throw new Error(`no golden base model for negative case ${m.operation} ${m.rule}`);
    const e = new OpEditor(base.model, m.operation);
    m.apply(e, base.features);
    const shared = !m.rule.startsWith(m.operation);
    const name = `${shared ? `${m.operation}--` : ''}${m.rule}${m.tag ? `.${m.tag}` : ''}`;
    const c: NegativeCase = { name, rule: m.rule, description: m.description, provenance: { kind: 'mutation', base: base.name, mutation: m.description, generator: NEGATIVE_GENERATOR }, model: e.model };
    if (m.operand) {
      c.operandIndex = e.indexOf(m.operand);
      c.operandName = m.operand;
    } else if (m.outputPosition !== undefined) {
      c.operandIndex = e.outIndexAt(m.outputPosition);
      c.operandName = loadSpec(m.operation).outputs[m.outputPosition]!.name;
    }
    return c;
  });
}

/** Builds every negative case from the given valid base models (first match per mutation). */
export function buildNegativeCases(bases: BaseModel[]): NegativeCase[] {
  const out: NegativeCase[] = [];
  for (const m of MUTATIONS) {
    const base = bases.find((b) => m.base(b.variant));
    if (!base) throw new Error(`no golden base model for negative case of ${m.rule}${m.tag ? ` (${m.tag})` : ''}`);
    const e = new ModelEditor(base.model);
    m.apply(e, base.variant);
    const name = `${m.rule}${m.tag ? `.${m.tag}` : ''}`;
    const c: NegativeCase = {
      name,
      rule: m.rule,
      description: m.description,
      provenance: { kind: 'mutation', base: base.name, mutation: m.description, generator: NEGATIVE_GENERATOR },
      model: e.model,
    };
    if (m.role) {
      c.operandIndex = e.indexOf(m.role);
      c.operandName = m.role;
    } else if (m.outRole) {
      c.operandIndex = e.outIndexOf(m.outRole);
      c.operandName = m.outRole;
    }
    out.push(c);
  }
  return out;
}

/** Turns golden models into bases, keeping only valid LSTM models, in a stable order. */
export function basesFrom(golden: { name: string; model: Model }[]): BaseModel[] {
  const bases: BaseModel[] = [];
  for (const g of [...golden].sort((a, b) => a.name.localeCompare(b.name))) {
    const r = validateModel(g.model);
    if (r.ok) bases.push({ name: g.name, model: g.model, variant: r.variant });
  }
  return bases;
}
