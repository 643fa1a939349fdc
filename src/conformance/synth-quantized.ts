/**
 * Synthesis of QUANTIZED_LSTM and QUANTIZED_16BIT_LSTM models from a seeded configuration: the
 * gap-filling integer vectors (src/tools/gen-integer-golden.ts) and the property tests build their
 * models here. Expected values are not computed here.
 */
import type { Model, Operand } from '../model/model.js';
import type { OperandTypeName } from '../model/operand-types.js';
import { QLSTM16_INPUT_NAMES, QLSTM_INPUT_NAMES, QLSTM_OUTPUT_NAMES, type QlstmInputName } from '../ops/qlstm/operands.js';
import { rng } from './synth.js';

export interface QlstmConfig {
  seed: number;
  batchSize: number;
  inputSize: number;
  numUnits: number;
  /** Only with projection; else = numUnits. */
  outputSize?: number;
  cifg?: boolean;
  peephole?: boolean;
  projection?: boolean;
  layerNorm?: boolean;
  /** log2 of the cell-state scale (default −12). */
  cellShift?: number;
  cellClip?: number;
  projClip?: number;
  hiddenZeroPoint?: number;
  hiddenScale?: number;
  inputScale?: number;
  inputZeroPoint?: number;
  /** Scale and zero point of output_state_in (and of the outputs with projection). */
  outputScale?: number;
  outputZeroPoint?: number;
  /** Weight scale (all gate weights). */
  weightScale?: number;
  /** Magnitude bound of the int8 weights. */
  weightRange?: number;
  /** Magnitude bound of the int16 initial cell state (0 = zero state). */
  cellStateRange?: number;
  /** Magnitude bound of the initial output state around its zero point (0 = zero point). */
  outputStateRange?: number;
  /** Magnitude bound of the int32 biases. */
  biasRange?: number;
}

const randInt = (next: () => number, lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));

/** A QUANTIZED_LSTM model (every tensor a model input, scalars constant), outputs without expected values. */
export function synthQlstm(c: QlstmConfig): Model {
  const next = rng(c.seed);
  const B = c.batchSize;
  const I = c.inputSize;
  const N = c.numUnits;
  const O = c.projection ? (c.outputSize ?? N) : N;
  const k = c.cellShift ?? -12;
  const ws = c.weightScale ?? 0.0078125;
  const wr = c.weightRange ?? 100;
  const sOut = c.outputScale ?? 0.0078125;
  const zpOut = c.outputZeroPoint ?? 0;
  const hiddenScale = c.hiddenScale ?? (c.projection ? 0.0078125 : sOut);
  const hiddenZp = c.hiddenZeroPoint ?? (c.projection ? 0 : zpOut);
  const ints = (n: number, r: number) => Array.from({ length: n }, () => randInt(next, -r, r));
  const operands: Operand[] = [];
  const op = (name: string, type: OperandTypeName, dims: number[], scale: number, zp: number, values: number[] | null, lifetime: Operand['lifetime'] = 'SUBGRAPH_INPUT'): number => {
    const index = operands.length;
    const o: Operand = { index, name, role: name, type, dimensions: dims, scale, zeroPoint: zp, lifetime, isIgnored: false, values: values ?? [] };
    if (lifetime === 'SUBGRAPH_INPUT') o.omitted = values === null;
    operands.push(o);
    return index;
  };
  const present = (name: QlstmInputName): boolean => {
    if (name.includes('input_to_input') || name.includes('recurrent_to_input') || name === 'input_gate_bias' || name === 'input_layer_norm_weights') {
      if (c.cifg) return false;
    }
    if (name === 'cell_to_input_weights') return !!c.peephole && !c.cifg;
    if (name.startsWith('cell_to_')) return !!c.peephole;
    if (name.startsWith('projection')) return !!c.projection;
    if (name.endsWith('layer_norm_weights')) return !!c.layerNorm;
    return true;
  };
  const inputs: number[] = [];
  for (const name of QLSTM_INPUT_NAMES) {
    const has = present(name);
    let idx: number;
    if (name === 'input') idx = op(name, 'TENSOR_QUANT8_ASYMM_SIGNED', [B, I], c.inputScale ?? 0.0078125, c.inputZeroPoint ?? 0, ints(B * I, 127).map((v) => v));
    else if (name.startsWith('input_to_')) idx = op(name, 'TENSOR_QUANT8_SYMM', [N, I], ws, 0, has ? ints(N * I, wr) : null);
    else if (name.startsWith('recurrent_to_')) idx = op(name, 'TENSOR_QUANT8_SYMM', [N, O], ws, 0, has ? ints(N * O, wr) : null);
    else if (name.startsWith('cell_to_')) idx = op(name, 'TENSOR_QUANT16_SYMM', [N], 2 ** -10, 0, has ? ints(N, 4000) : null);
    else if (name.endsWith('_gate_bias')) idx = op(name, 'TENSOR_INT32', [N], 0, 0, has ? ints(N, c.biasRange ?? (c.layerNorm ? 4000000 : 3000)) : null);
    else if (name === 'projection_weights') idx = op(name, 'TENSOR_QUANT8_SYMM', [O, N], 0.00390625, 0, has ? ints(O * N, 127) : null);
    else if (name === 'projection_bias') idx = op(name, 'TENSOR_INT32', [O], 0, 0, has ? ints(O, 400) : null);
    else if (name === 'output_state_in') idx = op(name, 'TENSOR_QUANT8_ASYMM_SIGNED', [B, O], sOut, zpOut, ints(B * O, c.outputStateRange ?? 0).map((v) => Math.max(-128, Math.min(127, v + zpOut))));
    else if (name === 'cell_state_in') idx = op(name, 'TENSOR_QUANT16_SYMM', [B, N], 2 ** k, 0, ints(B * N, c.cellStateRange ?? 0).map((v) => v + 0));
    else if (name.endsWith('layer_norm_weights')) idx = op(name, 'TENSOR_QUANT16_SYMM', [N], 3.05182e-5, 0, has ? ints(N, 26000).map((v) => Math.abs(v) + 1000) : null);
    else if (name === 'cell_clip') idx = op(name, 'FLOAT32', [], 0, 0, [c.cellClip ?? 0], 'CONSTANT_COPY');
    else if (name === 'proj_clip') idx = op(name, 'FLOAT32', [], 0, 0, [c.projClip ?? 0], 'CONSTANT_COPY');
    else if (name.endsWith('_intermediate_scale')) idx = op(name, 'FLOAT32', [], 0, 0, [c.layerNorm ? 0.007059 : 2 ** -12], 'CONSTANT_COPY');
    else if (name === 'hidden_state_zero_point') idx = op(name, 'INT32', [], 0, 0, [hiddenZp], 'CONSTANT_COPY');
    else if (name === 'hidden_state_scale') idx = op(name, 'FLOAT32', [], 0, 0, [hiddenScale], 'CONSTANT_COPY');
    else throw new Error(`synthQlstm: unhandled ${name}`);
    inputs.push(idx);
  }
  const outQuant = c.projection ? { scale: sOut, zp: zpOut } : { scale: hiddenScale, zp: hiddenZp };
  const outputs = QLSTM_OUTPUT_NAMES.map((name) =>
    name === 'cell_state_out'
      ? op(name, 'TENSOR_QUANT16_SYMM', [B, N], 2 ** k, 0, null, 'SUBGRAPH_OUTPUT')
      : op(name, 'TENSOR_QUANT8_ASYMM_SIGNED', [B, O], outQuant.scale, outQuant.zp, null, 'SUBGRAPH_OUTPUT'),
  );
  return {
    operands,
    operations: [{ type: 'QUANTIZED_LSTM', inputs, outputs }],
    inputIndexes: operands.filter((o) => o.lifetime === 'SUBGRAPH_INPUT').map((o) => o.index),
    outputIndexes: outputs,
  };
}

export interface Qlstm16Config {
  seed: number;
  batchSize: number;
  inputSize: number;
  outputSize: number;
  weightScale?: number;
  weightZeroPoint?: number;
  cellStateRange?: number;
}

/** A QUANTIZED_16BIT_LSTM model (every tensor a model input). */
export function synthQlstm16(c: Qlstm16Config): Model {
  const next = rng(c.seed);
  const { batchSize: B, inputSize: I, outputSize: O } = c;
  const ws = Math.fround(c.weightScale ?? 0.00408021);
  const wzp = c.weightZeroPoint ?? 100;
  const operands: Operand[] = [];
  const op = (name: string, type: OperandTypeName, dims: number[], scale: number, zp: number, values: number[], lifetime: Operand['lifetime'] = 'SUBGRAPH_INPUT'): number => {
    const index = operands.length;
    operands.push({ index, name, role: name, type, dimensions: dims, scale, zeroPoint: zp, lifetime, isIgnored: false, values, ...(lifetime === 'SUBGRAPH_INPUT' ? { omitted: false } : {}) });
    return index;
  };
  const u8 = (n: number) => Array.from({ length: n }, () => randInt(next, 0, 255));
  const inputs = QLSTM16_INPUT_NAMES.map((name) => {
    if (name === 'input') return op(name, 'TENSOR_QUANT8_ASYMM', [B, I], 1 / 128, 128, u8(B * I));
    if (name.startsWith('input_to_')) return op(name, 'TENSOR_QUANT8_ASYMM', [O, I], ws, wzp, u8(O * I));
    if (name.startsWith('recurrent_to_')) return op(name, 'TENSOR_QUANT8_ASYMM', [O, O], ws, wzp, u8(O * O));
    if (name.endsWith('_bias')) return op(name, 'TENSOR_INT32', [O], Math.fround(ws / 128), 0, Array.from({ length: O }, () => randInt(next, -60000, 60000)));
    if (name === 'cell_state_in') return op(name, 'TENSOR_QUANT16_SYMM', [B, O], 2 ** -11, 0, Array.from({ length: B * O }, () => randInt(next, -(c.cellStateRange ?? 2000), c.cellStateRange ?? 2000)));
    return op(name, 'TENSOR_QUANT8_ASYMM', [B, O], 1 / 128, 128, u8(B * O));
  });
  const outputs = [op('cell_state_out', 'TENSOR_QUANT16_SYMM', [B, O], 2 ** -11, 0, [], 'SUBGRAPH_OUTPUT'), op('output', 'TENSOR_QUANT8_ASYMM', [B, O], 1 / 128, 128, [], 'SUBGRAPH_OUTPUT')];
  return { operands, operations: [{ type: 'QUANTIZED_16BIT_LSTM', inputs, outputs }], inputIndexes: inputs, outputIndexes: outputs };
}
