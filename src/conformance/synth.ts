/**
 * Builds LSTM models from a feature configuration and a seed: the input side of generated golden
 * vectors and of property tests. The expected outputs are filled in by whoever derives them
 * (the TFLite runtime, the float64 evaluation), never by the reference under test.
 */
import type { Model, Operand } from '../model/model.js';
import type { OperandTypeName } from '../model/operand-types.js';
import { roundToFloat16 } from '../util/float16.js';
import { LSTM_INPUT_NAMES, LSTM_OUTPUT_NAMES, type LstmInputName } from '../ops/lstm/operands.generated.js';

export interface LstmConfig {
  batchSize: number;
  inputSize: number;
  numUnits: number;
  /** Ignored without projection (then output size = numUnits). */
  outputSize: number;
  cifg: boolean;
  peephole: boolean;
  projection: boolean;
  projectionBias: boolean;
  layerNorm: boolean;
  activation: number;
  cellClip: number;
  projClip: number;
  dtype: 'float32' | 'float16';
  /** Magnitude of random weights (uniform in ±weightScale). */
  weightScale?: number;
  /** Magnitude of the random input x_t. */
  inputScale?: number;
  /** Non-zero random initial states (else zeros). */
  nonZeroState?: boolean;
  stateScale?: number;
}

/** mulberry32: small, fast, seedable; good enough to draw test data reproducibly. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform values in ±scale, rounded to float32 (the values are float32 operand data). */
export function uniform(next: () => number, n: number, scale: number): number[] {
  return Array.from({ length: n }, () => Math.fround((next() * 2 - 1) * scale));
}

export function outputSizeOf(c: LstmConfig): number {
  return c.projection ? c.outputSize : c.numUnits;
}

/** The model's input values for one step: role → values (null = omitted). */
export type StepInputs = Partial<Record<LstmInputName, number[] | null>>;

/**
 * A complete LSTM model: weights as constants (CONSTANT_COPY), x_t and the two states as model
 * inputs, scalars as constants, 27 inputs when layer norm is on. Output values are zero
 * placeholders of the right size until the expected values are filled in.
 */
export function synthLstmModel(c: LstmConfig, seed: number): Model {
  const next = rng(seed);
  const B = c.batchSize;
  const I = c.inputSize;
  const N = c.numUnits;
  const O = outputSizeOf(c);
  const ws = c.weightScale ?? 0.5;
  const tensorType: OperandTypeName = c.dtype === 'float32' ? 'TENSOR_FLOAT32' : 'TENSOR_FLOAT16';
  const scalarType: OperandTypeName = c.dtype === 'float32' ? 'FLOAT32' : 'FLOAT16';
  const shapes: Partial<Record<LstmInputName, number[] | null>> = {
    input: [B, I],
    input_to_input_weights: c.cifg ? null : [N, I],
    input_to_forget_weights: [N, I],
    input_to_cell_weights: [N, I],
    input_to_output_weights: [N, I],
    recurrent_to_input_weights: c.cifg ? null : [N, O],
    recurrent_to_forget_weights: [N, O],
    recurrent_to_cell_weights: [N, O],
    recurrent_to_output_weights: [N, O],
    cell_to_input_weights: c.peephole && !c.cifg ? [N] : null,
    cell_to_forget_weights: c.peephole ? [N] : null,
    cell_to_output_weights: c.peephole ? [N] : null,
    input_gate_bias: c.cifg ? null : [N],
    forget_gate_bias: [N],
    cell_gate_bias: [N],
    output_gate_bias: [N],
    projection_weights: c.projection ? [O, N] : null,
    projection_bias: c.projection && c.projectionBias ? [O] : null,
    output_state_in: [B, O],
    cell_state_in: [B, N],
    input_layer_norm_weights: c.layerNorm && !c.cifg ? [N] : null,
    forget_layer_norm_weights: c.layerNorm ? [N] : null,
    cell_layer_norm_weights: c.layerNorm ? [N] : null,
    output_layer_norm_weights: c.layerNorm ? [N] : null,
  };
  const inputCount = c.layerNorm ? 27 : 23;
  const operands: Operand[] = [];
  const modelInputs = new Set<LstmInputName>(['input', 'output_state_in', 'cell_state_in']);
  for (const role of LSTM_INPUT_NAMES.slice(0, inputCount)) {
    const index = operands.length;
    if (role === 'activation' || role === 'cell_clip' || role === 'proj_clip') {
      const raw = role === 'activation' ? c.activation : role === 'cell_clip' ? c.cellClip : c.projClip;
      const value = role !== 'activation' && c.dtype === 'float16' ? roundToFloat16(raw) : raw;
      operands.push({ index, name: role, role, type: role === 'activation' ? 'INT32' : scalarType, dimensions: [], scale: 0, zeroPoint: 0, lifetime: 'CONSTANT_COPY', isIgnored: false, values: [value] });
      continue;
    }
    const dims = shapes[role];
    if (dims === null || dims === undefined) {
      operands.push({ index, name: role, role, type: tensorType, dimensions: [], scale: 0, zeroPoint: 0, lifetime: 'NO_VALUE', isIgnored: false, values: [], omitted: true });
      continue;
    }
    const n = dims.reduce((a, b) => a * b, 1);
    let values: number[];
    if (role === 'input') values = uniform(next, n, c.inputScale ?? 1);
    else if (role === 'output_state_in' || role === 'cell_state_in') values = c.nonZeroState ? uniform(next, n, c.stateScale ?? 1) : new Array<number>(n).fill(0);
    else if (role.endsWith('layer_norm_weights')) values = uniform(next, n, 0.5).map((v) => Math.fround(1 + v));
    else values = uniform(next, n, ws);
    // Float16 models hold binary16 values exactly, so every implementation reads the same numbers.
    if (c.dtype === 'float16') values = values.map(roundToFloat16);
    operands.push({ index, name: role, role, type: tensorType, dimensions: dims, scale: 0, zeroPoint: 0, lifetime: modelInputs.has(role) ? 'SUBGRAPH_INPUT' : 'CONSTANT_COPY', isIgnored: false, values });
  }
  const outDims = [[B, N * (c.cifg ? 3 : 4)], [B, O], [B, N], [B, O]];
  const outputs: number[] = [];
  LSTM_OUTPUT_NAMES.forEach((role, k) => {
    const dims = outDims[k]!;
    outputs.push(operands.length);
    operands.push({ index: operands.length, name: role, role, type: tensorType, dimensions: dims, scale: 0, zeroPoint: 0, lifetime: 'SUBGRAPH_OUTPUT', isIgnored: role === 'scratch_buffer', values: new Array<number>(dims[0]! * dims[1]!).fill(0) });
  });
  const inputs = operands.slice(0, inputCount).map((o) => o.index);
  return {
    operands,
    operations: [{ type: 'LSTM', inputs, outputs }],
    inputIndexes: operands.filter((o) => o.lifetime === 'SUBGRAPH_INPUT').map((o) => o.index),
    outputIndexes: outputs,
  };
}
