/**
 * The gap-filling golden vectors: feature combinations the AOSP CTS vectors never exercise
 * (every AOSP LSTM example uses tanh, no clipping and no projection bias).
 * Each entry is a configuration and a seed; the expected values come from an implementation
 * other than the reference under test: the TFLite runtime where it can express the case,
 * an independent float64 evaluation of the documented formulas where it cannot.
 */
import type { LstmConfig } from './synth.js';

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
];
