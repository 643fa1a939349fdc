import { buildModel, compute, prepareModel, validateModel } from 'nnlstm';

// Tensors by operand name; omitted optional operands (here the input gate: CIFG) are simply left out.
const t = (dims, v, n = dims.reduce((a, b) => a * b)) => ({ dimensions: dims, values: Float32Array.from({ length: n }, (_, i) => (v * (i + 1)) / n) });
const cell = {
  input_to_forget_weights: t([2, 3], 0.1), input_to_cell_weights: t([2, 3], -0.2), input_to_output_weights: t([2, 3], 0.3),
  recurrent_to_forget_weights: t([2, 2], 0.05), recurrent_to_cell_weights: t([2, 2], 0.1), recurrent_to_output_weights: t([2, 2], -0.1),
  forget_gate_bias: t([2], 1), cell_gate_bias: t([2], 0), output_gate_bias: t([2], 0),
  activation: 4, cell_clip: 0, proj_clip: 0,
};

// ANEURALNETWORKS_LSTM, one step at a time: input, state in and state out fed by name.
const model = buildModel('LSTM', { ...cell, input: { dimensions: [1, 3] }, output_state_in: { dimensions: [1, 2] }, cell_state_in: { dimensions: [1, 2] } });
const verdict = validateModel(model);
console.log(verdict.ok ? `valid ${verdict.variant.operation}, feature level ${verdict.featureLevel}` : verdict.violations);
const lstm = prepareModel(model, { fast: true });
let h = new Float32Array(2), c = new Float32Array(2);
for (const x of [[1, 0, 0], [0, 1, 0], [0, 0, 1]]) {
  const out = lstm.run({ input: Float32Array.from(x), output_state_in: h, cell_state_in: c });
  [h, c] = [out.output_state_out.values, out.cell_state_out.values];
}
console.log('h after 3 steps:', Array.from(h, (v) => v.toFixed(6)).join(' '));

// The same three steps as one UNIDIRECTIONAL_SEQUENCE_LSTM (time-major [3, 1, 3]).
const { output } = compute('UNIDIRECTIONAL_SEQUENCE_LSTM', {
  ...cell, time_major: true,
  input: { dimensions: [3, 1, 3], values: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, output_state_in: t([1, 2], 0), cell_state_in: t([1, 2], 0),
});
console.log('sequence output:', output.dimensions, Array.from(output.values.slice(4), (v) => v.toFixed(6)).join(' '));
// prints:
// valid LSTM, feature level 1
// h after 3 steps: -0.031262 -0.058169
// sequence output: [ 3, 1, 2 ] -0.031262 -0.058169
