import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOmitted } from '../../src/model/model.js';
import { LSTM_INPUT_NAMES, LSTM_IN } from '../../src/ops/lstm/operands.generated.js';
import { TfliteMappingError } from '../../src/tflite/errors.js';
import { LSTM_FAMILY_MAPPINGS, nnapiInputsFor, tfliteOpToNnapiModel } from '../../src/tflite/mapping.js';
import { readTflite } from '../../src/tflite/reader.js';
import { syntheticLstmModel } from '../../src/tflite/synthetic.js';
import { writeSingleOpTflite } from '../../src/tflite/writer.js';
import { sharedDir } from '../../src/util/paths.js';
import { buildTflite, f32bytes } from './build.js';

describe('the TFLite → NNAPI operand table', () => {
  it('LSTM: TFLite 0–19 → NNAPI 0–19 with LSTM_IN names, options → 20–22, layer norm 20–23 → 23–26', () => {
    const full = nnapiInputsFor('LSTM', 24);
    expect(full).toHaveLength(27);
    expect(full.map((e) => e.role)).toEqual([...LSTM_INPUT_NAMES]);
    for (let i = 0; i < 20; i++) expect(full[i]!.source).toEqual({ kind: 'input', tflite: i });
    expect(full.slice(20, 23).map((e) => e.source)).toEqual([
      { kind: 'option', field: 'fused_activation_function' },
      { kind: 'option', field: 'cell_clip' },
      { kind: 'option', field: 'proj_clip' },
    ]);
    for (let i = 0; i < 4; i++) expect(full[23 + i]!.source).toEqual({ kind: 'input', tflite: 20 + i, layerNorm: true });
    expect(full[LSTM_IN.forget_layer_norm_weights]!.role).toBe('forget_layer_norm_weights');
    expect(nnapiInputsFor('LSTM', 20)).toHaveLength(23);
    expect(LSTM_FAMILY_MAPPINGS.LSTM.outputs.map((o) => o.role)).toEqual(['scratch_buffer', 'output_state_out', 'cell_state_out', 'output']);
  });

  it('UNIDIRECTIONAL: time_major → 23, layer norm → 24–27 (always present)', () => {
    for (const n of [20, 24]) {
      const e = nnapiInputsFor('UNIDIRECTIONAL_SEQUENCE_LSTM', n);
      expect(e).toHaveLength(28);
      expect(e[23]!).toMatchObject({ role: 'time_major', source: { kind: 'option', field: 'time_major' } });
      expect(e.slice(24).map((x) => x.source)).toEqual([20, 21, 22, 23].map((t) => ({ kind: 'input', tflite: t, layerNorm: true })));
    }
  });

  it('BIDIRECTIONAL: 48 TFLite inputs → 61 NNAPI inputs', () => {
    const e = nnapiInputsFor('BIDIRECTIONAL_SEQUENCE_LSTM', 48);
    expect(e).toHaveLength(61);
    for (let i = 0; i < 48; i++) expect(e[i]!.source).toEqual({ kind: 'input', tflite: i });
    expect(e.slice(48, 53).map((x) => x.role)).toEqual(['activation', 'cell_clip', 'proj_clip', 'merge_outputs', 'time_major']);
    expect(e.slice(53).every((x) => x.source.kind === 'none')).toBe(true);
    expect(e[35]!.role).toBe('fw_output_state_in');
    expect(e[38]!.role).toBe('bw_cell_state_in');
    expect(e[39]!.role).toBe('aux_input');
    expect(e[47]!.role).toBe('bw_aux_input_to_output_weights');
  });

  it('every TFLite input appears exactly once per op', () => {
    for (const [op, n] of [['LSTM', 24], ['UNIDIRECTIONAL_SEQUENCE_LSTM', 24], ['BIDIRECTIONAL_SEQUENCE_LSTM', 48]] as const) {
      const slots = nnapiInputsFor(op, n).flatMap((e) => (e.source.kind === 'input' ? [e.source.tflite] : []));
      expect(slots.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
  });
});

describe('tfliteOpToNnapiModel', () => {
  it('LSTM op: 23 inputs, 4 outputs with scratch [B, 4N] / [B, 3N] with CIFG', () => {
    for (const cifg of [false, true]) {
      const m = syntheticLstmModel({ batch: 2, inputSize: 3, units: 5, outputSize: 4, cifg });
      const nn = tfliteOpToNnapiModel(readTflite(writeSingleOpTflite(m)), 0, 0);
      const op = nn.operations[0]!;
      expect(op.type).toBe('LSTM');
      expect(op.inputs).toHaveLength(23);
      const outs = op.outputs.map((i) => nn.operands[i]!);
      expect(outs.map((o) => [o.role, o.dimensions])).toEqual([
        ['scratch_buffer', [2, (cifg ? 3 : 4) * 5]],
        ['output_state_out', [2, 4]],
        ['cell_state_out', [2, 5]],
        ['output', [2, 4]],
      ]);
      expect(outs[0]!.isIgnored).toBe(true);
      const ins = op.inputs.map((i) => nn.operands[i]!);
      expect(isOmitted(ins[1]!)).toBe(cifg);
      expect(ins.filter(isOmitted).every((o) => o.dimensions.length === 0 && o.values.length === 0 && o.omitted === true)).toBe(true);
      expect(ins.slice(20).map((o) => [o.type, o.lifetime, o.values])).toEqual([
        ['INT32', 'CONSTANT_COPY', [4]],
        ['FLOAT32', 'CONSTANT_COPY', [0]],
        ['FLOAT32', 'CONSTANT_COPY', [0]],
      ]);
      expect(ins[18]!.values).toEqual(new Array(8).fill(0)); // TFLite's initial state: zero point
      expect(nn.inputIndexes).toContain(op.inputs[0]);
      expect(nn.outputIndexes).toEqual(op.outputs);
    }
  });

  it('LSTM op with 24 inputs → 27 NNAPI inputs', () => {
    const nn = tfliteOpToNnapiModel(readTflite(writeSingleOpTflite(syntheticLstmModel({ layerNorm: true, cifg: true }))), 0, 0);
    const ins = nn.operations[0]!.inputs.map((i) => nn.operands[i]!);
    expect(ins).toHaveLength(27);
    expect(ins.slice(23).map(isOmitted)).toEqual([true, false, false, false]);
  });

  it('refuses non-LSTM ops and the BASIC kernel with TfliteMappingError', () => {
    const t = (shape: number[], buffer = 0) => ({ shape, buffer });
    const bytes = buildTflite({
      opcodes: [{ code: 9 }, { code: 16, version: 2 }],
      tensors: [t([1, 2]), t([1, 2]), t([4, 4], 1), t([4], 2), t([1, 1]), t([1, 1]), t([1, 1]), t([1, 4]), t([1, 4])],
      operators: [
        { opcode: 0, inputs: [0, 2], outputs: [1] },
        { opcode: 1, inputs: [0, 4, 2, 3, 5], outputs: [6, 7, 8, 1], options: { kind: 'LSTMOptions', kernelType: 1 } },
      ],
      inputs: [0],
      outputs: [1],
      buffers: [f32bytes(new Array(16).fill(0)), f32bytes([0, 0, 0, 0])],
    });
    const m = readTflite(bytes);
    expect(() => tfliteOpToNnapiModel(m, 0, 0)).toThrow(TfliteMappingError);
    expect(() => tfliteOpToNnapiModel(m, 0, 1)).toThrow(/BASIC/);
    expect(() => tfliteOpToNnapiModel(m, 0, 7)).toThrow(TfliteMappingError);
  });

  it('BIDIRECTIONAL op: 61 inputs, options with the Bi defaults (time_major true when absent)', () => {
    const N = 2;
    const I = 3;
    const tensors: { shape: number[]; buffer?: number; isVariable?: boolean }[] = [{ shape: [4, 1, I] }];
    const inputs: number[] = [0];
    const buffers: Uint8Array[] = [];
    const constant = (shape: number[]) => {
      buffers.push(f32bytes(new Array(shape.reduce((a, b) => a * b, 1)).fill(0.1)));
      tensors.push({ shape, buffer: buffers.length });
      return tensors.length - 1;
    };
    for (let dir = 0; dir < 2; dir++) {
      for (let i = 0; i < 4; i++) inputs.push(constant([N, I]));
      for (let i = 0; i < 4; i++) inputs.push(constant([N, N]));
      inputs.push(-1, -1, -1);
      for (let i = 0; i < 4; i++) inputs.push(constant([N]));
      inputs.push(-1, -1);
    }
    for (let i = 0; i < 4; i++) {
      tensors.push({ shape: [1, N], isVariable: true });
      inputs.push(tensors.length - 1);
    }
    for (let i = 0; i < 9; i++) inputs.push(-1); // no aux input
    tensors.push({ shape: [4, 1, N] }, { shape: [4, 1, N] });
    const out = tensors.length - 2;
    const m = readTflite(
      buildTflite({
        opcodes: [{ code: 52 }],
        tensors,
        operators: [{ opcode: 0, inputs, outputs: [out, out + 1], options: { kind: 'BidirectionalSequenceLSTMOptions', activation: 4 } }],
        inputs: [0],
        outputs: [out, out + 1],
        buffers,
      }),
    );
    expect(m.subgraphs[0]!.operators[0]!.options).toMatchObject({ timeMajor: true, mergeOutputs: false });
    const nn = tfliteOpToNnapiModel(m, 0, 0);
    const op = nn.operations[0]!;
    expect(op.type).toBe('BIDIRECTIONAL_SEQUENCE_LSTM');
    expect(op.inputs).toHaveLength(61);
    expect(op.outputs).toHaveLength(2);
    const ins = op.inputs.map((i) => nn.operands[i]!);
    expect(ins.slice(48, 53).map((o) => o.values[0])).toEqual([4, 0, 0, 0, 1]);
    expect(ins.slice(53).every(isOmitted)).toBe(true);
    expect(ins[35]!.role).toBe('fw_output_state_in');
    expect(ins[35]!.dimensions).toEqual([1, N]);
    expect(isOmitted(ins[39]!)).toBe(true);
  });
});

const modelsDir = sharedDir() ? join(sharedDir()!, 'models') : undefined;
const path = (n: string) => (modelsDir ? join(modelsDir, `${n}.tflite`) : '');

describe('tfliteOpToNnapiModel on the real models', () => {
  it.skipIf(!existsSync(path('mnist_lstm_float32')))('mnist float32 → UNIDIRECTIONAL_SEQUENCE_LSTM, 28 inputs, 1 output', () => {
    const m = readTflite(new Uint8Array(readFileSync(path('mnist_lstm_float32'))));
    const nn = tfliteOpToNnapiModel(m, 0, 0);
    const op = nn.operations[0]!;
    expect(op.type).toBe('UNIDIRECTIONAL_SEQUENCE_LSTM');
    expect(op.inputs).toHaveLength(28);
    expect(op.outputs).toHaveLength(1);
    const ins = op.inputs.map((i) => nn.operands[i]!);
    expect(ins[0]).toMatchObject({ lifetime: 'SUBGRAPH_INPUT', type: 'TENSOR_FLOAT32', dimensions: [1, 28, 28] });
    expect(ins[4]).toMatchObject({ lifetime: 'CONSTANT_COPY', dimensions: [20, 28], role: 'input_to_output_weights' });
    expect(ins[4]!.values).toHaveLength(560);
    expect(ins.slice(20, 24).map((o) => o.values)).toEqual([[4], [10], [0], [0]]);
    expect(ins.slice(24).every(isOmitted)).toBe(true);
    expect(ins[18]).toMatchObject({ lifetime: 'SUBGRAPH_INPUT', dimensions: [1, 20] });
    expect(nn.operands[op.outputs[0]!]!.dimensions).toEqual([1, 28, 20]);
  });

  it.skipIf(!existsSync(path('mnist_lstm_int8')))('mnist int8 keeps raw integers, scales and zero points with NNAPI quantized types', () => {
    const m = readTflite(new Uint8Array(readFileSync(path('mnist_lstm_int8'))));
    const nn = tfliteOpToNnapiModel(m, 0, 0);
    const ins = nn.operations[0]!.inputs.map((i) => nn.operands[i]!);
    expect(ins[0]).toMatchObject({ type: 'TENSOR_QUANT8_ASYMM_SIGNED', zeroPoint: -128 });
    expect(ins[0]!.scale).toBeCloseTo(0.0039215689, 9);
    expect(ins[2]!.type).toBe('TENSOR_QUANT8_SYMM');
    expect(ins[2]!.scale).toBeCloseTo(0.0074010212, 9);
    expect(ins[2]!.values.every((v) => Number.isInteger(v) && v >= -128 && v <= 127)).toBe(true);
    expect(ins[13]!.type).toBe('TENSOR_INT32');
    expect(ins[18]!.type).toBe('TENSOR_QUANT8_ASYMM_SIGNED');
    expect(ins[19]).toMatchObject({ type: 'TENSOR_QUANT16_SYMM', scale: 2 ** -12 });
    expect(nn.operands[nn.operations[0]!.outputs[0]!]!.type).toBe('TENSOR_QUANT8_ASYMM_SIGNED');
    expect(nn['provenance']).toMatchObject({ kind: 'tflite', intermediates: 5, builtinName: 'UNIDIRECTIONAL_SEQUENCE_LSTM' });
  });
});
