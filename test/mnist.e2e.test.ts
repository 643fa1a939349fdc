/**
 * End to end on a real model: the reference UNIDIRECTIONAL_SEQUENCE_LSTM, driven with the weights of
 * ../shared/models/mnist_lstm_float32.tflite, then the model's own RESHAPE + FULLY_CONNECTED (+ SOFTMAX,
 * monotonic, so argmax is taken on the logits) computed here, classifies the 10 tflite-micro MNIST samples.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReferenceDriver } from '../src/drivers/reference.js';
import { readTflite } from '../src/tflite/reader.js';
import { decodeTensorData, tfliteOpToNnapiModel } from '../src/tflite/mapping.js';
import { isOmitted, type Model } from '../src/model/model.js';
import { sharedDir } from '../src/util/paths.js';

const shared = sharedDir();
const modelPath = shared ? join(shared, 'models', 'mnist_lstm_float32.tflite') : '';
const present = shared !== undefined && existsSync(modelPath);
if (!present) console.warn('skipping the MNIST end-to-end test: ../shared/models (or NNLSTM_SHARED) is absent');

interface Samples {
  samples: { label: number; pixels_uint8: number[][] }[];
}

describe.skipIf(!present)('mnist_lstm_float32 through the reference', () => {
  it('classifies all 10 tflite-micro samples correctly', async () => {
    const bytes = new Uint8Array(readFileSync(modelPath));
    const tfl = readTflite(bytes);
    const sg = tfl.subgraphs[0]!;
    const code = (k: number) => tfl.operatorCodes[sg.operators[k]!.opcodeIndex]!.builtinCode;
    expect(sg.operators.map((_, k) => code(k))).toEqual([44, 22, 9, 25]); // USLSTM, RESHAPE, FULLY_CONNECTED, SOFTMAX
    const nnapi: Model = tfliteOpToNnapiModel(tfl, 0, 0);
    const fc = sg.operators[2]!;
    const tensorValues = (i: number) => decodeTensorData(sg.tensors[i]!, tfl.buffers[sg.tensors[i]!.buffer]!.data!);
    const W = tensorValues(fc.inputs[1]!); // [10, 560]
    const bias = tensorValues(fc.inputs[2]!);
    const driver = new ReferenceDriver();
    const p = await driver.prepare(nnapi);
    if (!p.ok) throw new Error(p.message);
    const inputPos = nnapi.inputIndexes.indexOf(nnapi.operations[0]!.inputs[0]!);
    const { samples } = JSON.parse(readFileSync(join(shared!, 'models', 'mnist_lstm_samples.json'), 'utf8')) as Samples;
    expect(samples).toHaveLength(10);
    const predicted: number[] = [];
    for (const s of samples) {
      const inputs = nnapi.inputIndexes.map((idx, k) => (k === inputPos ? s.pixels_uint8.flat().map((v) => Math.fround(v / 255)) : isOmitted(nnapi.operands[idx]!) ? null : nnapi.operands[idx]!.values));
      const r = await driver.execute(p.prepared, inputs);
      if (!r.ok) throw new Error(r.message);
      const seq = Array.from(r.outputs[0]!.values); // [1, 28, 20] → RESHAPE [1, 560]
      expect(seq).toHaveLength(560);
      const logits = bias.map((b, o) => seq.reduce((acc, x, j) => acc + W[o * 560 + j]! * x, b));
      predicted.push(logits.indexOf(Math.max(...logits)));
    }
    expect(predicted).toEqual(samples.map((s) => s.label));
  });
});
