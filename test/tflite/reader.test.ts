import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../../src/util/paths.js';
import { inspectTflite } from '../../src/tflite/inspect.js';
import { readTflite, type TfliteModel } from '../../src/tflite/reader.js';

const shared = sharedDir();
const modelsDir = shared ? join(shared, 'models') : undefined;
const MODELS = ['mnist_lstm_float32', 'mnist_lstm_int8', 'dtln_noise_suppression_int8', 'micro_speech_lstm_int8'] as const;

function load(name: string): TfliteModel | undefined {
  const p = modelsDir && join(modelsDir, `${name}.tflite`);
  if (!p || !existsSync(p)) return undefined;
  return readTflite(new Uint8Array(readFileSync(p)));
}

const present = MODELS.filter((m) => modelsDir && existsSync(join(modelsDir, `${m}.tflite`)));
if (present.length < MODELS.length) {
  console.warn(
    `[tflite reader] skipping ${MODELS.length - present.length} real-model test(s): ` +
      `${MODELS.filter((m) => !present.includes(m)).join(', ')} not found (looked in ${modelsDir ?? '../shared/models; set NNLSTM_SHARED'})`,
  );
}

const lstmOps = (m: TfliteModel) =>
  m.subgraphs.flatMap((sg) => sg.operators.filter((op) => m.operatorCodes[op.opcodeIndex]!.builtinName.includes('LSTM')));

describe('readTflite on the real models', () => {
  it.skipIf(!present.includes('mnist_lstm_float32'))('mnist_lstm_float32: one UNIDIRECTIONAL_SEQUENCE_LSTM v1, 28→20, clip 10, TANH, batch-major', () => {
    const m = load('mnist_lstm_float32')!;
    expect(m.version).toBe(3);
    expect(m.description).toBe('MLIR Converted.');
    expect(m.metadata.find((x) => x.name === 'min_runtime_version')?.text).toBe('1.13.1');
    expect(m.operatorCodes.map((c) => `${c.builtinName} v${c.version}`).sort()).toEqual(
      ['FULLY_CONNECTED v1', 'RESHAPE v1', 'SOFTMAX v1', 'UNIDIRECTIONAL_SEQUENCE_LSTM v1'].sort(),
    );
    const ops = lstmOps(m);
    expect(ops).toHaveLength(1);
    const op = ops[0]!;
    expect(m.operatorCodes[op.opcodeIndex]!.builtinCode).toBe(44);
    expect(op.inputs).toHaveLength(24);
    expect(op.inputs.slice(20)).toEqual([-1, -1, -1, -1]);
    expect(op.intermediates).toEqual([]);
    expect(op.builtinOptionsType).toBe(71);
    expect(op.options).toEqual({
      kind: 'UnidirectionalSequenceLSTMOptions',
      fusedActivationFunction: 4,
      activationName: 'TANH',
      cellClip: 10,
      projClip: 0,
      timeMajor: false,
      asymmetricQuantizeInputs: false,
      diagonalRecurrentTensors: false,
    });
    const sg = m.subgraphs[0]!;
    const w = sg.tensors[op.inputs[4]!]!; // input_to_output_weights [n_cell, n_input]
    expect(w.shape).toEqual([20, 28]);
    expect(w.type).toBe('FLOAT32');
    expect(m.buffers[w.buffer]!.data!.length).toBe(20 * 28 * 4);
    expect(sg.tensors[op.inputs[8]!]!.shape).toEqual([20, 20]);
    const h = sg.tensors[op.inputs[18]!]!;
    const c = sg.tensors[op.inputs[19]!]!;
    expect([h.isVariable, c.isVariable]).toEqual([true, true]);
    expect(m.buffers[h.buffer]?.data).toBeUndefined();
    expect(sg.inputs.map((i) => sg.tensors[i]!.name)).toEqual(['serving_default_fixed_input:0']);
    expect(sg.tensors[sg.inputs[0]!]!.shape).toEqual([1, 28, 28]);
    expect(sg.tensors[sg.outputs[0]!]!.shape).toEqual([1, 10]);
    expect(sg.tensors[op.outputs[0]!]!.shape).toEqual([1, 28, 20]);
    const lstm = inspectTflite(m).lstmOps[0]!;
    expect(lstm.sizes).toEqual({ batch: 1, time: 28, input: 28, units: 20, output: 20 });
    expect(lstm.arithmetic).toBe('float');
  });

  for (const name of ['mnist_lstm_int8', 'dtln_noise_suppression_int8', 'micro_speech_lstm_int8'] as const) {
    it.skipIf(!present.includes(name))(`${name}: integer LSTMs with 5 intermediates`, () => {
      const m = load(name)!;
      const ops = lstmOps(m);
      expect(ops.length).toBe(name === 'dtln_noise_suppression_int8' ? 2 : 1);
      const sg = m.subgraphs[0]!;
      for (const op of ops) {
        expect(m.operatorCodes[op.opcodeIndex]!.version).toBe(1);
        expect(op.intermediates).toHaveLength(5);
        const inter = op.intermediates.map((i) => sg.tensors[i]!);
        expect(inter.slice(0, 4).map((t) => t.type)).toEqual(['FLOAT32', 'FLOAT32', 'FLOAT32', 'FLOAT32']);
        expect(inter[4]!.type).toBe('INT8');
        const hidden = sg.tensors[op.inputs[18]!]!;
        expect(inter[4]!.quantization?.scale[0]).toBeCloseTo(hidden.quantization!.scale[0]!, 9);
        expect(sg.tensors[op.inputs[0]!]!.type).toBe('INT8');
        expect(sg.tensors[op.inputs[2]!]!.type).toBe('INT8');
        expect(sg.tensors[op.inputs[13]!]!.type).toBe('INT32');
        const cell = sg.tensors[op.inputs[19]!]!;
        expect(cell.type).toBe('INT16');
        expect(Math.log2(cell.quantization!.scale[0]!)).toBeLessThanOrEqual(-9);
        expect(Number.isInteger(Math.log2(cell.quantization!.scale[0]!))).toBe(true);
        expect(op.options).toMatchObject({ kind: 'UnidirectionalSequenceLSTMOptions', fusedActivationFunction: 4, cellClip: 10, timeMajor: false });
      }
      const report = inspectTflite(m);
      for (const r of report.lstmOps) {
        expect(r.arithmetic).toBe('integer-8x8_16');
        expect(r.isInteger).toBe(true);
        expect(r.intermediates).toBe(5);
      }
    });
  }

  it.skipIf(!present.includes('dtln_noise_suppression_int8'))('dtln: quantization of the second LSTM (hidden zp −4) and the signature def', () => {
    const m = load('dtln_noise_suppression_int8')!;
    const [, op1] = lstmOps(m);
    const sg = m.subgraphs[0]!;
    const h = sg.tensors[op1!.inputs[18]!]!;
    expect(h.quantization!.zeroPoint).toEqual([-4]);
    expect(h.quantization!.scale[0]).toBeCloseTo(0.007363305, 8);
    expect(sg.tensors[op1!.inputs[19]!]!.quantization!.scale).toEqual([2 ** -12]);
    expect(m.signatureDefs).toHaveLength(1);
    expect(m.signatureDefs[0]!.subgraphIndex).toBe(0);
  });
});
