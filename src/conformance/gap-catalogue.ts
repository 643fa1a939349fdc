/**
 * The gap-filling golden vectors: feature combinations the AOSP CTS vectors never exercise
 * (every AOSP LSTM example uses tanh, no clipping and no projection bias).
 * Each entry is a configuration and a seed; the expected values come from an implementation
 * other than the reference under test: the TFLite runtime where it can express the case,
 * an independent float64 evaluation of the documented formulas where it cannot.
 */
import type { LstmConfig } from './synth.js';
import type { SequenceCellConfig, SequenceConfig } from './synth-sequence.js';

export type GapSource = 'tflite-runtime' | 'float64-derivation';

export interface GapCase {
  /** Short label; the file name is built from the feature matrix plus this label. */
  label: string;
  source: GapSource;
  /** Why this case exists (what it catches). */
  purpose: string;
  config: LstmConfig;
  seed: number;
  /** Steps > 1: a sequence, each step's state inputs are the previous step's expected state outputs. */
  steps?: number;
  /** Why the source is float64 rather than the TFLite runtime. */
  whyNotTflite?: string;
}

const base: LstmConfig = {
  batchSize: 2,
  inputSize: 3,
  numUnits: 4,
  outputSize: 4,
  cifg: false,
  peephole: false,
  projection: false,
  projectionBias: false,
  layerNorm: false,
  activation: 4,
  cellClip: 0,
  projClip: 0,
  dtype: 'float32',
  nonZeroState: true,
};

const cfg = (over: Partial<LstmConfig>): LstmConfig => ({ ...base, ...over });

const SIGMOID_WHY = 'A .tflite file cannot express activation 6 (sigmoid): the schema\'s ActivationFunctionType has no SIGMOID.';
const NONE_WHY = 'TFLite computes activation 0 (none) as m = o ⊙ z_c (see deviation activation-none-cell-gate), so it cannot give the documented o ⊙ C_t.';
const FP16_WHY = 'TFLite\'s LSTM kernels take no float16 tensors.';

export const GAP_CASES: readonly GapCase[] = [
  // Activations TFLite can express.
  { label: 'relu', source: 'tflite-runtime', purpose: 'activation 1 (relu) for g and the cell output', config: cfg({ activation: 1 }), seed: 101 },
  { label: 'relu6-saturating', source: 'tflite-runtime', purpose: 'activation 3 (relu6) with pre-activations beyond 6, so the upper bound matters', config: cfg({ activation: 3, inputScale: 6, weightScale: 2, stateScale: 6 }), seed: 102 },
  { label: 'relu-cellclip', source: 'tflite-runtime', purpose: 'relu with an active cell clip', config: cfg({ activation: 1, cellClip: 0.4, stateScale: 3 }), seed: 103 },
  { label: 'relu6-cifg-peephole', source: 'tflite-runtime', purpose: 'relu6 with CIFG and peephole', config: cfg({ activation: 3, cifg: true, peephole: true, inputScale: 5, weightScale: 1.5, stateScale: 5 }), seed: 104 },
  // Clipping.
  { label: 'cellclip', source: 'tflite-runtime', purpose: 'cell clip active on both signs (|C| exceeds the clip)', config: cfg({ cellClip: 0.5, stateScale: 3 }), seed: 111 },
  { label: 'cellclip-peephole', source: 'tflite-runtime', purpose: 'cell clip with peephole: the output-gate peephole must read the clipped C_t', config: cfg({ peephole: true, cellClip: 0.3, stateScale: 3, weightScale: 1 }), seed: 112 },
  { label: 'projclip', source: 'tflite-runtime', purpose: 'projection clip active', config: cfg({ projection: true, outputSize: 3, projClip: 0.05, weightScale: 1 }), seed: 113 },
  { label: 'allclips-projbias-peephole', source: 'tflite-runtime', purpose: 'cell clip, projection clip, projection bias and peephole together', config: cfg({ peephole: true, projection: true, projectionBias: true, outputSize: 3, cellClip: 0.6, projClip: 0.2, stateScale: 2, weightScale: 1 }), seed: 114 },
  // Projection bias.
  { label: 'projbias', source: 'tflite-runtime', purpose: 'projection with bias, no clip', config: cfg({ projection: true, projectionBias: true, outputSize: 2 }), seed: 121 },
  { label: 'projbias-cifg', source: 'tflite-runtime', purpose: 'projection bias under CIFG', config: cfg({ cifg: true, projection: true, projectionBias: true, outputSize: 5 }), seed: 122 },
  // Layer norm.
  { label: 'ln-cifg-noproj', source: 'tflite-runtime', purpose: 'layer norm + CIFG without projection', config: cfg({ layerNorm: true, cifg: true }), seed: 131 },
  { label: 'ln-nopeephole', source: 'tflite-runtime', purpose: 'layer norm without peephole', config: cfg({ layerNorm: true, numUnits: 5, outputSize: 5 }), seed: 132 },
  { label: 'ln-projbias-clips', source: 'tflite-runtime', purpose: 'layer norm with projection bias and both clips', config: cfg({ layerNorm: true, peephole: true, projection: true, projectionBias: true, outputSize: 3, cellClip: 0.5, projClip: 0.3, stateScale: 2 }), seed: 133 },
  { label: 'ln-relu', source: 'tflite-runtime', purpose: 'layer norm with relu activation', config: cfg({ layerNorm: true, activation: 1 }), seed: 134 },
  // Batch and state.
  { label: 'batch3-distinct-rows', source: 'tflite-runtime', purpose: 'batch 3 with distinct inputs and distinct non-zero states per row', config: cfg({ batchSize: 3 }), seed: 141 },
  { label: 'batch4-cifg-peephole-proj', source: 'tflite-runtime', purpose: 'batch 4 with CIFG, peephole and projection', config: cfg({ batchSize: 4, cifg: true, peephole: true, projection: true, outputSize: 2 }), seed: 142 },
  { label: 'nonzero-state-peephole', source: 'tflite-runtime', purpose: 'non-zero initial states feeding the input and forget peepholes', config: cfg({ peephole: true, stateScale: 2 }), seed: 143 },
  { label: 'wide', source: 'tflite-runtime', purpose: 'larger sizes (input 8, units 16, projection to 8)', config: cfg({ inputSize: 8, numUnits: 16, projection: true, projectionBias: true, outputSize: 8, weightScale: 0.3 }), seed: 144 },
  // Sequences carrying state.
  { label: 'seq5', source: 'tflite-runtime', purpose: 'five steps carrying state (each step\'s states are the previous step\'s outputs)', config: cfg({ batchSize: 2 }), seed: 151, steps: 5 },
  { label: 'seq3-full', source: 'tflite-runtime', purpose: 'three steps with CIFG, peephole, layer norm, projection bias and clips', config: cfg({ cifg: true, peephole: true, layerNorm: true, projection: true, projectionBias: true, outputSize: 3, cellClip: 0.8, projClip: 0.5 }), seed: 152, steps: 3 },
  // Activations TFLite cannot express: derived in float64.
  { label: 'sigmoid', source: 'float64-derivation', purpose: 'activation 6 (sigmoid)', config: cfg({ activation: 6 }), seed: 161, whyNotTflite: SIGMOID_WHY },
  { label: 'sigmoid-ln-cifg-proj', source: 'float64-derivation', purpose: 'sigmoid with layer norm, CIFG and projection', config: cfg({ activation: 6, layerNorm: true, cifg: true, projection: true, outputSize: 3 }), seed: 162, whyNotTflite: SIGMOID_WHY },
  { label: 'none', source: 'float64-derivation', purpose: 'activation 0 (none), the documented h = o ⊙ C_t', config: cfg({ activation: 0 }), seed: 171, whyNotTflite: NONE_WHY },
  { label: 'none-proj-cellclip', source: 'float64-derivation', purpose: 'activation 0 with projection and cell clip', config: cfg({ activation: 0, projection: true, outputSize: 3, cellClip: 0.5, stateScale: 2 }), seed: 172, whyNotTflite: NONE_WHY },
  // Float16 beyond AOSP: clips and projection bias.
  { label: 'fp16-clips-projbias', source: 'float64-derivation', purpose: 'float16 with both clips and projection bias', config: cfg({ dtype: 'float16', projection: true, projectionBias: true, outputSize: 3, cellClip: 0.5, projClip: 0.25, stateScale: 2 }), seed: 181, whyNotTflite: FP16_WHY },
  { label: 'fp16-ln-cifg-relu', source: 'float64-derivation', purpose: 'float16 with layer norm, CIFG and relu', config: cfg({ dtype: 'float16', layerNorm: true, cifg: true, activation: 1 }), seed: 182, whyNotTflite: FP16_WHY },
  // Square shapes (input_size = num_units = output_size) with asymmetric, per-gate-distinct random
  // weights: the only shapes in which a matrix read transposed still type-checks (W ≠ Wᵀ is checked
  // in test/suite-power.test.ts).
  { label: 'square', source: 'tflite-runtime', purpose: 'square shapes (input 4 = units 4 = output 4): every input-to-gate and recurrent matrix is square, so one read transposed changes the result', config: cfg({ inputSize: 4, numUnits: 4, outputSize: 4 }), seed: 191 },
  { label: 'square-proj-peephole', source: 'tflite-runtime', purpose: 'square shapes with a square projection (4 → 4) with bias and peephole: the projection read transposed changes the result', config: cfg({ inputSize: 4, numUnits: 4, projection: true, projectionBias: true, outputSize: 4, peephole: true }), seed: 192 },
  { label: 'square-saturated-relu6', source: 'tflite-runtime', purpose: 'square shapes, relu6 with pre-activations well beyond ±8 on both signs (gate sigmoids deep in saturation, relu6 clipping at 0 and 6)', config: cfg({ inputSize: 4, numUnits: 4, activation: 3, inputScale: 4, weightScale: 2, stateScale: 4 }), seed: 193 },
  { label: 'fp16-square', source: 'float64-derivation', purpose: 'float16 with square shapes (input 4 = units 4 = output 4)', config: cfg({ dtype: 'float16', inputSize: 4, numUnits: 4 }), seed: 194, whyNotTflite: FP16_WHY },
  { label: 'fp16-square-proj-peephole', source: 'float64-derivation', purpose: 'float16 with square shapes and a square projection (4 → 4), peephole', config: cfg({ dtype: 'float16', inputSize: 4, numUnits: 4, projection: true, outputSize: 4, peephole: true }), seed: 195, whyNotTflite: FP16_WHY },
  // Cross-format (ONNX/WebNN-expressible: no CIFG, projection, layer norm or clip) with non-zero,
  // per-gate-distinct peepholes and non-zero states, so the output-gate peephole timing shows.
  { label: 'xf-fp16-peephole', source: 'float64-derivation', purpose: 'float16 one step with non-zero peepholes and non-zero states, nothing ONNX or WebNN cannot express (no CIFG, projection, layer norm or clip)', config: cfg({ dtype: 'float16', peephole: true, stateScale: 2 }), seed: 196, whyNotTflite: FP16_WHY },
];

// ---------------------------------------------------------------------------------------------
// Sequence ops. The AOSP sequence examples all use tanh, no clipping, T ≤ 4, batch ≤ 2, zero
// initial states and identically configured directions; these fill that in.


export interface SequenceGapCase {
  label: string;
  source: GapSource;
  purpose: string;
  config: SequenceConfig;
  seed: number;
  whyNotTflite?: string;
}

const cell = (over: Partial<SequenceCellConfig> = {}): SequenceCellConfig => ({
  numUnits: 4,
  outputSize: 4,
  cifg: false,
  peephole: false,
  projection: false,
  projectionBias: false,
  layerNorm: false,
  ...over,
});

const seq = (over: Partial<SequenceConfig>): SequenceConfig => ({
  operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM',
  maxTime: 10,
  batchSize: 3,
  inputSize: 3,
  timeMajor: true,
  dtype: 'float32',
  activation: 4,
  cellClip: 0,
  projClip: 0,
  fw: cell(),
  nonZeroState: true,
  ...over,
});

const BI = 'BIDIRECTIONAL_SEQUENCE_LSTM' as const;
const BI_LN_WHY = 'TFLite\'s BIDIRECTIONAL_SEQUENCE_LSTM has no layer normalization.';
const TFLITE_MERGED_BM_WHY = 'The TFLite runtime miscomputes merged batch-major bidirectional outputs for batch > 1 (its kernel offsets each batch row\'s recurrent state by the merged output width; rows after the first read the wrong state).';
const CROSS_SIZE_WHY = 'Cross linking with aux_input_size ≠ input_size is documented but computed wrongly by AOSP (deviation bidirectional-cross-linking-aux-size); TFLite\'s kernel likewise assumes equal sizes.';

export const SEQUENCE_GAP_CASES: readonly SequenceGapCase[] = [
  { label: 'relu-cellclip-stateout', source: 'tflite-runtime', purpose: 'relu, active cell clip, T = 10, batch 3, non-zero initial state, final state outputs', config: seq({ activation: 1, cellClip: 0.5, stateScale: 2, stateOutputs: true }), seed: 201 },
  { label: 'bm-projbias-projclip-peephole', source: 'tflite-runtime', purpose: 'batch-major, peephole, projection with bias and an active projection clip, T = 12', config: seq({ timeMajor: false, maxTime: 12, projClip: 0.2, fw: cell({ peephole: true, projection: true, projectionBias: true, outputSize: 3 }) }), seed: 202 },
  { label: 'bm-relu6-cifg-ln', source: 'tflite-runtime', purpose: 'batch-major relu6 (saturating) with CIFG and layer norm', config: seq({ timeMajor: false, activation: 3, inputScale: 5, weightScale: 1.5, fw: cell({ cifg: true, layerNorm: true }) }), seed: 203 },
  { label: 'bi-directions-differ-cellclip', source: 'tflite-runtime', purpose: 'directions configured differently (fw: CIFG + peephole; bw: projection with bias, same sizes), cell clip: each direction must use its own operands', config: seq({ operation: BI, cellClip: 0.6, stateScale: 2, fw: cell({ cifg: true, peephole: true }), bw: cell({ projection: true, projectionBias: true, outputSize: 4 }) }), seed: 211 },
  { label: 'bi-merged-relu-stateout', source: 'tflite-runtime', purpose: 'merged outputs, relu, batch 3, final state outputs', config: seq({ operation: BI, activation: 1, mergeOutputs: true, stateOutputs: true }), seed: 212 },
  { label: 'bi-cross-linking', source: 'tflite-runtime', purpose: 'cross linking with distinct forward and backward aux weights', config: seq({ operation: BI, linking: 'cross', projClip: 0.3, fw: cell({ projection: true, outputSize: 3 }), bw: cell({ projection: true, outputSize: 3 }) }), seed: 213 },
  { label: 'bi-parallel-linking', source: 'tflite-runtime', purpose: 'parallel linking with an aux input distinct from the input, and a cell clip', config: seq({ operation: BI, linking: 'parallel', cellClip: 0.7, stateScale: 2 }), seed: 214 },
  { label: 'bi-bm-merged-stateout', source: 'float64-derivation', purpose: 'batch-major merged outputs with batch 3 and final state outputs', config: seq({ operation: BI, timeMajor: false, activation: 1, mergeOutputs: true, stateOutputs: true }), seed: 215, whyNotTflite: TFLITE_MERGED_BM_WHY },
  { label: 'bi-parallel-linking-auxsize', source: 'float64-derivation', purpose: 'parallel linking with aux_input_size ≠ input_size', config: seq({ operation: BI, linking: 'parallel', auxInputSize: 2, cellClip: 0.7, stateScale: 2 }), seed: 216, whyNotTflite: 'TFLite\'s Prepare rejects parallel linking with aux_input_size ≠ input_size.' },
  { label: 'bi-directions-differ-sizes', source: 'float64-derivation', purpose: 'directions of different sizes (fw: 4 units; bw: 5 units projected to 3)', config: seq({ operation: BI, fw: cell({ peephole: true }), bw: cell({ numUnits: 5, projection: true, outputSize: 3, cifg: true }) }), seed: 217, whyNotTflite: 'TFLite checks the backward tensors against the forward sizes, so directions of different sizes fail in Prepare.' },
  { label: 'sigmoid', source: 'float64-derivation', purpose: 'activation 6 (sigmoid) over a sequence', config: seq({ activation: 6 }), seed: 221, whyNotTflite: 'A .tflite file cannot express activation 6 (sigmoid).' },
  { label: 'none-cellclip', source: 'float64-derivation', purpose: 'activation 0 (none, documented h = o ⊙ C_t) with a cell clip', config: seq({ activation: 0, cellClip: 0.8 }), seed: 222, whyNotTflite: 'TFLite computes activation 0 as o ⊙ z_c (deviation activation-none-cell-gate).' },
  { label: 'bi-ln-directions-differ', source: 'float64-derivation', purpose: 'bidirectional with layer norm, directions configured differently (fw: layer norm + peephole; bw: CIFG + layer norm + projection)', config: seq({ operation: BI, fw: cell({ layerNorm: true, peephole: true }), bw: cell({ cifg: true, layerNorm: true, projection: true, outputSize: 3 }) }), seed: 223, whyNotTflite: BI_LN_WHY },
  { label: 'bi-cross-linking-auxsize', source: 'float64-derivation', purpose: 'cross linking with aux_input_size ≠ input_size (documented; AOSP computes it wrongly)', config: seq({ operation: BI, linking: 'cross', auxInputSize: 5 }), seed: 224, whyNotTflite: CROSS_SIZE_WHY },
  { label: 'fp16-clips-projbias', source: 'float64-derivation', purpose: 'float16 sequence with both clips and projection bias (state carried in float32)', config: seq({ dtype: 'float16', cellClip: 0.5, projClip: 0.3, fw: cell({ projection: true, projectionBias: true, outputSize: 3 }) }), seed: 225, whyNotTflite: 'TFLite\'s LSTM kernels take no float16 tensors.' },
  { label: 'bi-fp16-merged-cross', source: 'float64-derivation', purpose: 'float16 bidirectional, merged outputs, cross linking', config: seq({ operation: BI, dtype: 'float16', mergeOutputs: true, linking: 'cross' }), seed: 226, whyNotTflite: 'TFLite\'s LSTM kernels take no float16 tensors.' },
  // Square shapes (input = aux input = units = output = 4), asymmetric weights: see the LSTM square cases.
  { label: 'square-proj', source: 'tflite-runtime', purpose: 'square shapes (input 4 = units 4, projection 4 → 4) over 10 steps', config: seq({ inputSize: 4, fw: cell({ projection: true, outputSize: 4 }) }), seed: 231 },
  { label: 'square-saturated-relu6', source: 'tflite-runtime', purpose: 'square shapes, relu6 with pre-activations well beyond ±8 on both signs over 10 steps', config: seq({ inputSize: 4, activation: 3, inputScale: 4, weightScale: 2, stateScale: 4 }), seed: 232 },
  { label: 'fp16-square', source: 'float64-derivation', purpose: 'float16 sequence with square shapes (input 4 = units 4 = output 4)', config: seq({ dtype: 'float16', inputSize: 4 }), seed: 233, whyNotTflite: FP16_WHY },
  { label: 'bi-square-cross-proj', source: 'tflite-runtime', purpose: 'cross linking with square shapes (input 4 = aux input 4 = units 4, projection 4 → 4): every input, aux, recurrent and projection matrix of both directions is square', config: seq({ operation: BI, inputSize: 4, auxInputSize: 4, linking: 'cross', fw: cell({ projection: true, outputSize: 4 }), bw: cell({ projection: true, outputSize: 4 }) }), seed: 234 },
  { label: 'bi-square-parallel', source: 'tflite-runtime', purpose: 'parallel linking with square shapes (input 4 = aux input 4 = units 4): the backward cell must read aux_input, not the same-sized primary input', config: seq({ operation: BI, inputSize: 4, auxInputSize: 4, linking: 'parallel' }), seed: 235 },
  { label: 'bi-square-cross-peephole-merged', source: 'tflite-runtime', purpose: 'cross linking with square shapes (input 4 = aux input 4 = units 4 = output 4), peephole, merged outputs and final state outputs, relu', config: seq({ operation: BI, inputSize: 4, auxInputSize: 4, linking: 'cross', activation: 1, mergeOutputs: true, stateOutputs: true, fw: cell({ peephole: true }) }), seed: 238 },
  { label: 'bi-fp16-square-cross', source: 'float64-derivation', purpose: 'float16 cross linking with square shapes (input 4 = aux input 4 = units 4 = output 4)', config: seq({ operation: BI, dtype: 'float16', inputSize: 4, auxInputSize: 4, linking: 'cross' }), seed: 236, whyNotTflite: FP16_WHY },
  { label: 'bi-fp16-square-parallel', source: 'float64-derivation', purpose: 'float16 parallel linking with square shapes (input 4 = aux input 4 = units 4 = output 4)', config: seq({ operation: BI, dtype: 'float16', inputSize: 4, auxInputSize: 4, linking: 'parallel', stateOutputs: true }), seed: 237, whyNotTflite: FP16_WHY },
  // Cross-format (ONNX/WebNN-expressible: no CIFG, projection, layer norm, clip or aux input) with
  // non-zero, per-gate-distinct peepholes in every direction and non-zero states: the output-gate
  // peephole timing (C_t vs C_{t-1}, deviation webnn-output-peephole-prev-cell) changes every step.
  { label: 'xf-peephole', source: 'tflite-runtime', purpose: 'time-major, peephole, tanh, T = 5, batch 2, non-zero states; ONNX- and WebNN-expressible', config: seq({ maxTime: 5, batchSize: 2, stateScale: 2, fw: cell({ peephole: true }) }), seed: 241 },
  { label: 'xf-peephole-sigmoid', source: 'float64-derivation', purpose: 'time-major, peephole, sigmoid, T = 5, batch 2, non-zero states; ONNX- and WebNN-expressible', config: seq({ maxTime: 5, batchSize: 2, activation: 6, stateScale: 2, fw: cell({ peephole: true }) }), seed: 242, whyNotTflite: SIGMOID_WHY },
  { label: 'xf-bm-peephole-relu', source: 'tflite-runtime', purpose: 'batch-major, peephole, relu, T = 4, batch 3, non-zero states; ONNX-expressible (layout 1)', config: seq({ timeMajor: false, maxTime: 4, batchSize: 3, activation: 1, stateScale: 2, fw: cell({ peephole: true }) }), seed: 243 },
  { label: 'xf-bi-peephole', source: 'tflite-runtime', purpose: 'bidirectional, time-major, peephole in both directions, tanh, separate outputs, T = 4, batch 2, non-zero states; ONNX- and WebNN-expressible', config: seq({ operation: BI, maxTime: 4, batchSize: 2, stateScale: 2, fw: cell({ peephole: true }) }), seed: 244 },
  { label: 'xf-bi-merged-peephole-sigmoid', source: 'float64-derivation', purpose: 'bidirectional, time-major, merged outputs, peephole in both directions, sigmoid, T = 3, batch 2, non-zero states; ONNX- and WebNN-expressible', config: seq({ operation: BI, maxTime: 3, batchSize: 2, activation: 6, mergeOutputs: true, stateScale: 2, fw: cell({ peephole: true }) }), seed: 245, whyNotTflite: SIGMOID_WHY },
  { label: 'xf-fp16-peephole', source: 'float64-derivation', purpose: 'float16, time-major, peephole, tanh, T = 4, batch 2, non-zero states; ONNX- and WebNN-expressible', config: seq({ dtype: 'float16', maxTime: 4, batchSize: 2, stateScale: 2, fw: cell({ peephole: true }) }), seed: 246, whyNotTflite: FP16_WHY },
  { label: 'xf-bi-fp16-peephole', source: 'float64-derivation', purpose: 'float16 bidirectional, time-major, peephole in both directions, tanh, separate outputs, T = 3, batch 1, non-zero states; ONNX- and WebNN-expressible', config: seq({ operation: BI, dtype: 'float16', maxTime: 3, batchSize: 1, stateScale: 2, fw: cell({ peephole: true }) }), seed: 247, whyNotTflite: FP16_WHY },
];
