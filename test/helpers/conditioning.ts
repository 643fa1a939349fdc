/**
 * Layer norm divides by each row's standard deviation. When a gate's pre-activations are nearly
 * constant across the units (variance ≪ 1), float32 rounding of the deviations is amplified past any
 * tolerance in every implementation: such rows are ill-conditioned, and comparisons between two
 * summation orders (a permutation, another runtime) are meaningless there. Properties skip them.
 */
import { lstmStepF64 } from '../../src/ops/lstm/float64.js';
import type { LstmShape, LstmTensors } from '../../src/ops/lstm/execute.js';

export function layerNormWellConditioned(shape: LstmShape, t: LstmTensors, minVariance = 1e-3): boolean {
  if (!shape.useLayerNorm) return true;
  const { batchSize: B, inputSize: I, numUnits: N, outputSize: O } = shape;
  const newCell = lstmStepF64(shape, t).cellState;
  const gates = [
    [t.input_to_input_weights, t.recurrent_to_input_weights, t.cell_to_input_weights, false],
    [t.input_to_forget_weights, t.recurrent_to_forget_weights, t.cell_to_forget_weights, false],
    [t.input_to_cell_weights, t.recurrent_to_cell_weights, null, false],
    [t.input_to_output_weights, t.recurrent_to_output_weights, t.cell_to_output_weights, true],
  ] as const;
  for (const [wx, wh, peep, usesNewCell] of gates) {
    if (!wx || !wh) continue;
    for (let r = 0; r < B; r++) {
      const z: number[] = [];
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let i = 0; i < I; i++) acc += wx[n * I + i]! * t.input[r * I + i]!;
        for (let o = 0; o < O; o++) acc += wh[n * O + o]! * t.output_state_in[r * O + o]!;
        if (peep) acc += peep[n]! * (usesNewCell ? newCell[r * N + n]! : t.cell_state_in[r * N + n]!);
        z.push(acc);
      }
      const mean = z.reduce((a, v) => a + v, 0) / N;
      if (z.reduce((a, v) => a + (v - mean) ** 2, 0) / N < minVariance) return false;
    }
  }
  return true;
}
