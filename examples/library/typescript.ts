import { buildModel, formatViolation, ReferenceDriver, runConformance, validateModel, type Model, type Report } from 'nnlstm';
import { suiteCases } from 'nnlstm/suite';

// A model with a mistake: 3 input features, but the forget-gate weights are [2, 4].
const t = (dims: number[]) => ({ dimensions: dims, values: new Float32Array(dims.reduce((a, b) => a * b)).fill(0.1) });
const model: Model = buildModel('LSTM', {
  input: t([1, 3]), output_state_in: t([1, 2]), cell_state_in: t([1, 2]),
  input_to_forget_weights: t([2, 4]), input_to_cell_weights: t([2, 3]), input_to_output_weights: t([2, 3]),
  recurrent_to_forget_weights: t([2, 2]), recurrent_to_cell_weights: t([2, 2]), recurrent_to_output_weights: t([2, 2]),
  forget_gate_bias: t([2]), cell_gate_bias: t([2]), output_gate_bias: t([2]),
  activation: 4, cell_clip: 0, proj_clip: 0,
});
const verdict = validateModel(model);
if (!verdict.ok) for (const v of verdict.violations) console.log(formatViolation(v));

// The AOSP CTS cases of the conformance suite, on the fast reference path, in process.
const report: Report = await runConformance(new ReferenceDriver({ fast: true }), suiteCases(), { filter: 'aosp/' });
console.log(`${report.totals.pass} of ${report.totals.cases} AOSP cases pass`);
// prints:
// LSTM.input_weights.shape: operand 2 (input_to_forget_weights) input_to_forget_weights must be [num_units, input_size] = [2, 3] [expected [2, 3], actual [2, 4]]
// 67 of 67 AOSP cases pass
