/**
 * Negative cases of the quantized ops: each takes a valid golden QUANTIZED_LSTM or
 * QUANTIZED_16BIT_LSTM model and breaks exactly one rule of its spec (the own rules of
 * spec/QUANTIZED_LSTM.json and spec/QUANTIZED_16BIT_LSTM.json; the shared LSTM cell rules are
 * covered by LSTM's cases). Generated into conformance/negative/ by src/tools/gen-negative.ts.
 */
import type { Model, Operand } from '../model/model.js';
import { validateModel } from '../ops/validate.js';
import { loadSpec } from '../spec/operation-spec.js';
import { NEGATIVE_GENERATOR, OpEditor, type NegativeCase } from './negative-cases.js';

type F = Record<string, unknown>;

interface QMutation {
  operation: 'QUANTIZED_LSTM' | 'QUANTIZED_16BIT_LSTM';
  rule: string;
  tag?: string;
  base: (f: F) => boolean;
  operand?: string;
  outputPosition?: number;
  description: string;
  apply: (e: OpEditor, f: F) => void;
}

const Q = 'QUANTIZED_LSTM';
const Q16 = 'QUANTIZED_16BIT_LSTM';
// Bases: the AOSP examples' shapes (batch 2, input 5 / input 2), so the gap-filling vectors never become bases.
const qProj = (f: F) => f['operation'] === Q && f['projection'] === true && f['cifg'] === false && f['layerNorm'] === true && f['inputSize'] === 5;
const qNoProj = (f: F) => f['operation'] === Q && f['projection'] === false && f['layerNorm'] === true && f['inputSize'] === 5;
const q16 = (f: F) => f['operation'] === Q16 && !f['relaxed'] && Number(f['batchSize']) > 1 && f['inputSize'] === 2;

function reshape(o: Operand, dims: number[], value = 0): void {
  o.dimensions = dims;
  const n = dims.reduce((a, b) => a * b, 1);
  o.values = Array.from({ length: n }, (_, i) => o.values[i] ?? value);
  o.omitted = false;
}
const out = (e: OpEditor, k: number) => e.model.operands[e.outIndexAt(k)]!;
function dropLastInput(e: OpEditor): void {
  const op = e.model.operations[0]!;
  const d = op.inputs.pop()!;
  e.model.operands[d]!.lifetime = 'TEMPORARY_VARIABLE';
  e.model.inputIndexes = e.model.inputIndexes.filter((i) => i !== d);
}
function dropLastOutput(e: OpEditor): void {
  const op = e.model.operations[0]!;
  const d = op.outputs.pop()!;
  e.model.outputIndexes = e.model.outputIndexes.filter((i) => i !== d);
  e.model.operands[d]!.lifetime = 'TEMPORARY_VARIABLE';
}
function zeroBatch(e: OpEditor, states: string[]): void {
  const x = e.in('input');
  reshape(x, [0, x.dimensions[1]!]);
  for (const s of states) reshape(e.in(s), [0, e.in(s).dimensions[1]!]);
  for (const idx of e.model.operations[0]!.outputs) {
    const o = e.model.operands[idx]!;
    o.dimensions = [0, o.dimensions[1]!];
    o.values = [];
  }
}

const MUTATIONS: QMutation[] = [
  { operation: Q, rule: `${Q}.signature.input_count`, base: qProj, description: '31 inputs (hidden_state_scale dropped)', apply: dropLastInput },
  { operation: Q, rule: `${Q}.signature.output_count`, base: qProj, description: '2 outputs (output dropped)', apply: dropLastOutput },
  { operation: Q, rule: `${Q}.type.input`, base: qProj, operand: 'input', description: 'input of type TENSOR_QUANT8_ASYMM', apply: (e) => { e.in('input').type = 'TENSOR_QUANT8_ASYMM'; } },
  { operation: Q, rule: `${Q}.type.tensors`, base: qProj, operand: 'forget_gate_bias', description: 'forget_gate_bias is TENSOR_QUANT16_SYMM', apply: (e) => { e.in('forget_gate_bias').type = 'TENSOR_QUANT16_SYMM'; } },
  { operation: Q, rule: `${Q}.type.scalars`, base: qProj, operand: 'cell_clip', description: 'cell_clip given as INT32', apply: (e) => { e.in('cell_clip').type = 'INT32'; } },
  { operation: Q, rule: `${Q}.type.outputs`, base: qProj, outputPosition: 1, description: 'cell_state_out declared TENSOR_QUANT8_SYMM', apply: (e) => { out(e, 1).type = 'TENSOR_QUANT8_SYMM'; } },
  { operation: Q, rule: `${Q}.quant.params`, base: qProj, operand: 'input_to_forget_weights', description: 'TENSOR_QUANT8_SYMM weights with zero point 3', apply: (e) => { e.in('input_to_forget_weights').zeroPoint = 3; } },
  { operation: Q, rule: `${Q}.required.present`, base: qProj, operand: 'forget_gate_bias', description: 'forget_gate_bias omitted', apply: (e) => { e.omit('forget_gate_bias'); } },
  { operation: Q, rule: `${Q}.input.rank`, base: qProj, operand: 'input', description: 'input of rank 3 [batch, input_size, 1]', apply: (e) => { const o = e.in('input'); o.dimensions = [...o.dimensions, 1]; } },
  { operation: Q, rule: `${Q}.dims.nonzero`, base: qProj, operand: 'input', description: 'batch 0 (input, states and outputs zero-sized, explicitly present)', apply: (e) => zeroBatch(e, ['output_state_in', 'cell_state_in']) },
  { operation: Q, rule: `${Q}.cell_state.scale`, base: qProj, operand: 'cell_state_in', description: 'cell state scale 2^-16 (the cell tanh would need −1 integer bits)', apply: (e) => { e.in('cell_state_in').scale = 2 ** -16; out(e, 1).scale = 2 ** -16; } },
  { operation: Q, rule: `${Q}.cell_state_out.quantization`, base: qProj, outputPosition: 1, description: 'cell_state_out declared with scale 2^-14 while cell_state_in has 2^-15', apply: (e) => { out(e, 1).scale = 2 ** -14; } },
  { operation: Q, rule: `${Q}.outputs.same_quantization`, base: qNoProj, outputPosition: 0, description: 'output_state_out declared with zero point 1, output with 0', apply: (e) => { out(e, 0).zeroPoint = 1; } },
  { operation: Q, rule: `${Q}.projection.output_quantization`, base: qProj, outputPosition: 0, description: 'with projection, both outputs declared with scale 0.01 instead of output_state_in\'s', apply: (e) => { out(e, 0).scale = 0.01; out(e, 2).scale = 0.01; } },
  { operation: Q, rule: `${Q}.projection.bias_required`, base: qProj, operand: 'projection_bias', description: 'projection_weights without projection_bias (AOSP dereferences a null bias)', apply: (e) => { e.omit('projection_bias'); } },
  { operation: Q, rule: `${Q}.hidden_state.zero_point`, base: qProj, operand: 'hidden_state_zero_point', description: 'hidden_state_zero_point 200 (AOSP reads −56)', apply: (e) => { e.in('hidden_state_zero_point').values = [200]; } },
  { operation: Q, rule: `${Q}.scales.positive`, base: qProj, operand: 'hidden_state_scale', description: 'hidden_state_scale 0', apply: (e) => { e.in('hidden_state_scale').values = [0]; } },
  { operation: Q, rule: `${Q}.no_layer_norm.intermediate_scale`, base: qProj, operand: 'input_intermediate_scale', description: 'layer norm removed but the intermediate scales kept at ≈0.007 instead of 2^-12', apply: (e) => { for (const g of ['input', 'forget', 'cell', 'output']) e.omit(`${g}_layer_norm_weights`); } },
  { operation: Q, rule: `${Q}.outputs.shape`, base: qProj, outputPosition: 1, description: 'cell_state_out declared [batch_size, num_units + 1]', apply: (e) => { const o = out(e, 1); reshape(o, [o.dimensions[0]!, o.dimensions[1]! + 1]); } },

  { operation: Q16, rule: `${Q16}.signature.input_count`, base: q16, description: '14 inputs (output_state_in dropped)', apply: dropLastInput },
  { operation: Q16, rule: `${Q16}.signature.output_count`, base: q16, description: '1 output (output dropped)', apply: dropLastOutput },
  { operation: Q16, rule: `${Q16}.type.input`, base: q16, operand: 'input', description: 'input of type TENSOR_QUANT8_ASYMM_SIGNED', apply: (e) => { e.in('input').type = 'TENSOR_QUANT8_ASYMM_SIGNED'; } },
  { operation: Q16, rule: `${Q16}.type.tensors`, base: q16, operand: 'forget_gate_bias', description: 'forget_gate_bias is TENSOR_QUANT16_SYMM', apply: (e) => { e.in('forget_gate_bias').type = 'TENSOR_QUANT16_SYMM'; } },
  { operation: Q16, rule: `${Q16}.type.outputs`, base: q16, outputPosition: 1, description: 'output declared TENSOR_QUANT8_ASYMM_SIGNED', apply: (e) => { out(e, 1).type = 'TENSOR_QUANT8_ASYMM_SIGNED'; } },
  { operation: Q16, rule: `${Q16}.required.present`, base: q16, operand: 'recurrent_to_cell_weights', description: 'recurrent_to_cell_weights omitted', apply: (e) => { e.omit('recurrent_to_cell_weights'); } },
  { operation: Q16, rule: `${Q16}.dims.nonzero`, base: q16, operand: 'input', description: 'batch 0 (input, states and outputs zero-sized, explicitly present)', apply: (e) => zeroBatch(e, ['output_state_in', 'cell_state_in']) },
  { operation: Q16, rule: `${Q16}.input.shape`, base: q16, operand: 'input', description: 'input of rank 3', apply: (e) => { const o = e.in('input'); o.dimensions = [...o.dimensions, 1]; } },
  { operation: Q16, rule: `${Q16}.input.quantization`, base: q16, operand: 'input', description: 'input with zero point 127 instead of 128', apply: (e) => { e.in('input').zeroPoint = 127; } },
  { operation: Q16, rule: `${Q16}.output_state.shape`, base: q16, operand: 'output_state_in', description: 'output_state_in with one batch row more', apply: (e) => { const o = e.in('output_state_in'); reshape(o, [o.dimensions[0]! + 1, o.dimensions[1]!], 128); } },
  { operation: Q16, rule: `${Q16}.output_state.quantization`, base: q16, operand: 'output_state_in', description: 'output_state_in with scale 0.01', apply: (e) => { e.in('output_state_in').scale = 0.01; out(e, 1).scale = 0.01; } },
  { operation: Q16, rule: `${Q16}.weights.shape`, base: q16, operand: 'input_to_cell_weights', description: 'input_to_cell_weights with input_size + 1 columns', apply: (e) => { const o = e.in('input_to_cell_weights'); reshape(o, [o.dimensions[0]!, o.dimensions[1]! + 1], 128); } },
  { operation: Q16, rule: `${Q16}.weights.quantization`, base: q16, operand: 'recurrent_to_output_weights', description: 'recurrent_to_output_weights with zero point 99 (the others 100)', apply: (e) => { e.in('recurrent_to_output_weights').zeroPoint = 99; } },
  { operation: Q16, rule: `${Q16}.bias.shape`, base: q16, operand: 'output_gate_bias', description: 'output_gate_bias with output_size + 1 entries', apply: (e) => { const o = e.in('output_gate_bias'); reshape(o, [o.dimensions[0]! + 1]); } },
  { operation: Q16, rule: `${Q16}.bias.quantization`, base: q16, operand: 'cell_gate_bias', description: 'cell_gate_bias with scale 0.001 instead of weights scale / 128', apply: (e) => { e.in('cell_gate_bias').scale = 0.001; } },
  { operation: Q16, rule: `${Q16}.cell_state.shape`, base: q16, operand: 'cell_state_in', description: 'cell_state_in with output_size + 1 columns', apply: (e) => { const o = e.in('cell_state_in'); reshape(o, [o.dimensions[0]!, o.dimensions[1]! + 1]); } },
  { operation: Q16, rule: `${Q16}.cell_state.quantization`, base: q16, operand: 'cell_state_in', description: 'cell state scale 2^-12 (3 integer bits; only 4 is supported)', apply: (e) => { e.in('cell_state_in').scale = 2 ** -12; out(e, 0).scale = 2 ** -12; } },
  { operation: Q16, rule: `${Q16}.outputs.quantization`, base: q16, outputPosition: 1, description: 'output declared with zero point 0 instead of 128', apply: (e) => { out(e, 1).zeroPoint = 0; } },
  { operation: Q16, rule: `${Q16}.outputs.shape`, base: q16, outputPosition: 0, description: 'cell_state_out declared [batch_size, output_size + 1]', apply: (e) => { const o = out(e, 0); reshape(o, [o.dimensions[0]!, o.dimensions[1]! + 1]); } },
];

/** Quantized-op negative cases; bases are the golden quantized models, described by their validated features. */
export function buildQuantizedNegativeCases(golden: { name: string; model: Model }[]): NegativeCase[] {
  const bases = [...golden]
    .filter((g) => g.model.operations[0]?.type === Q || g.model.operations[0]?.type === Q16)
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((g) => {
      const r = validateModel(g.model);
      return r.ok ? [{ name: g.name, model: g.model, features: { ...(r.variant as unknown as F) } }] : [];
    });
  return MUTATIONS.map((m) => {
    const base = bases.find((b) => m.base(b.features));
    if (!base) throw new Error(`no golden base model for negative case ${m.rule}`);
    const e = new OpEditor(base.model, m.operation);
    m.apply(e, base.features);
    const name = `${m.rule}${m.tag ? `.${m.tag}` : ''}`;
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
