/**
 * Negative conformance cases: each takes a valid golden model and breaks exactly one rule of
 * spec/LSTM.json. The validation tests check that validateModel reports that rule and no other;
 * the conformance suite checks that a driver rejects the model at prepare.
 */
import type { Model, Operand } from '../model/model.js';
import { LSTM_IN, LSTM_OUT, type LstmInputName, type LstmOutputName } from '../ops/lstm/operands.generated.js';
import { validateModel, type LstmVariant } from '../ops/lstm/validate.js';

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
