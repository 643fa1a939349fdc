import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Model, Operand } from '../../src/model/model.js';
import { TfliteFormatError } from '../../src/tflite/errors.js';
import { tfliteOpToNnapiModel } from '../../src/tflite/mapping.js';
import { readTflite } from '../../src/tflite/reader.js';
import { TfliteRuntime, TfliteRuntimeError, type RuntimeOutput } from '../../src/tflite/runtime.js';
import { syntheticCorpus, syntheticLstmModel } from '../../src/tflite/synthetic.js';
import { writeSingleOpTflite } from '../../src/tflite/writer.js';
import { sharedDir } from '../../src/util/paths.js';
import { aospLstmVectors, missingVectorsMessage } from './vectors.js';

let rt: TfliteRuntime;
beforeAll(async () => {
  rt = await TfliteRuntime.load();
});

const vectors = aospLstmVectors().filter((v) => !v.float16);
if (vectors.length === 0) console.warn(missingVectorsMessage);

const opIn = (m: Model, i: number) => m.operands[m.operations[0]!.inputs[i]!]!;
/** Expected NNAPI output operand for each written subgraph output (output, output_state, cell_state). */
function expectedOutputs(m: Model): (Operand | undefined)[] {
  const byRole = new Map(m.operations[0]!.outputs.map((i) => [m.operands[i]!.role ?? m.operands[i]!.name, m.operands[i]!]));
  return [byRole.get('output'), byRole.get('output_state_out'), byRole.get('cell_state_out')];
}
/** AOSP float32 criterion: |got − e| ≤ 1e-5 + 5·2^-23·|e|. Returns [max |err|, max err/tol]. */
function compare(got: RuntimeOutput[], m: Model): [number, number, number] {
  let maxErr = 0;
  let maxRatio = 0;
  let n = 0;
  expectedOutputs(m).forEach((e, k) => {
    if (!e || e.isIgnored || e.values.length === 0) return;
    const g = got[k]!;
    expect(g.data.length).toBe(e.values.length);
    e.values.forEach((v, i) => {
      const err = Math.abs(g.data[i]! - v);
      maxErr = Math.max(maxErr, err);
      maxRatio = Math.max(maxRatio, err / (1e-5 + 5 * 2 ** -23 * Math.abs(v)));
      n++;
    });
  });
  return [maxErr, maxRatio, n];
}
const stateInputs = (m: Model) => [opIn(m, 0).values, opIn(m, 18).values, opIn(m, 19).values];

describe('TfliteRuntime (tfjs-tflite WASM)', () => {
  it('loads once per process and names its version', async () => {
    expect(await TfliteRuntime.load()).toBe(rt);
    expect(rt.version).toMatch(/^0\.0\.1-alpha/);
  });

  it('refuses bytes that fail verification before they reach WASM', () => {
    const bytes = writeSingleOpTflite(syntheticLstmModel()).slice(0, 100);
    expect(() => rt.compile(bytes)).toThrow(TfliteFormatError);
  });

  it('reports TFLite rejecting a verified model as TfliteRuntimeError', () => {
    // a negative cell clip verifies and reads fine but fails TFLite's Prepare
    const bytes = writeSingleOpTflite(syntheticLstmModel({ cellClip: -1 }));
    expect(() => rt.compile(bytes)).toThrow(TfliteRuntimeError);
    // the runtime keeps working afterwards
    expect(rt.run(writeSingleOpTflite(syntheticLstmModel()), stateInputs(syntheticLstmModel())).outputs).toHaveLength(3);
  });

  it.skipIf(vectors.length === 0)(
    'writer output matches every AOSP float32 LSTM / UNIDIRECTIONAL vector (initial state fed through the variable tensors)',
    () => {
      let worst = 0;
      let worstRatio = 0;
      let elements = 0;
      for (const v of vectors) {
        const { outputs } = rt.run(writeSingleOpTflite(v.model), stateInputs(v.model));
        expect(outputs.map((o) => o.name)).toEqual(['output', 'output_state', 'cell_state']);
        const [err, ratio, n] = compare(outputs, v.model);
        expect(ratio, `${v.file}: max error ${err}`).toBeLessThanOrEqual(1);
        worst = Math.max(worst, err);
        worstRatio = Math.max(worstRatio, ratio);
        elements += n;
      }
      console.info(`[tflite runtime] ${vectors.length} AOSP float32 vectors, ${elements} elements: max |err| ${worst.toExponential(3)}, max err/tol ${worstRatio.toFixed(3)}`);
      expect(vectors.length).toBeGreaterThanOrEqual(30);
    },
  );

  it.skipIf(vectors.length === 0)('without state I/O a non-zero initial state cannot be fed (proof that the feeding matters)', () => {
    const v = vectors.find((x) => x.file === 'V1_0/lstm_state.json')!;
    expect(opIn(v.model, 19).values.some((x) => x !== 0)).toBe(true);
    const plain = rt.run(writeSingleOpTflite(v.model, { stateIo: false }), [opIn(v.model, 0).values]).outputs;
    const expected = expectedOutputs(v.model)[0]!;
    const err = Math.max(...expected.values.map((e, i) => Math.abs(plain[0]!.data[i]! - e)));
    expect(err).toBeGreaterThan(1e-3);
  });

  it('state persists across Infer calls in a compiled model and can be overwritten', () => {
    const m = syntheticLstmModel({ seed: 11 });
    const c = rt.compile(writeSingleOpTflite(m));
    try {
      expect(c.inputs.map((i) => i.name)).toEqual(['input', 'output_state', 'cell_state']);
      const first = c.run(stateInputs(m));
      // second step without touching the state: continues from the updated state
      c.setInput(0, opIn(m, 0).values);
      c.infer();
      const second = c.outputs.map((_, i) => c.getOutput(i));
      // the same as feeding the first step's outputs explicitly in a fresh run
      const fed = rt.run(writeSingleOpTflite(m), [opIn(m, 0).values, first[1]!.data, first[2]!.data]).outputs;
      for (let k = 0; k < 3; k++) expect(Array.from(second[k]!.data)).toEqual(Array.from(fed[k]!.data));
      expect(Array.from(second[0]!.data)).not.toEqual(Array.from(first[0]!.data));
      // overwriting the state restores step 1
      const again = c.run(stateInputs(m));
      for (let k = 0; k < 3; k++) expect(Array.from(again[k]!.data)).toEqual(Array.from(first[k]!.data));
    } finally {
      c.delete();
    }
  });

  it('runs every synthetic corpus model (clips, relu/relu6, projection, layer norm, sequences)', () => {
    for (const { name, model } of syntheticCorpus()) {
      const { outputs } = rt.run(writeSingleOpTflite(model), stateInputs(model));
      for (const o of outputs) expect(o.data.every(Number.isFinite), name).toBe(true);
      const cellClip = opIn(model, 21).values[0]!;
      if (cellClip > 0) expect(Math.max(...outputs[2]!.data.map(Math.abs))).toBeLessThanOrEqual(Math.fround(cellClip));
    }
  });
});

const modelsDir = sharedDir() ? join(sharedDir()!, 'models') : undefined;
const mnistPath = modelsDir && join(modelsDir, 'mnist_lstm_float32.tflite');
const samplesPath = modelsDir && join(modelsDir, 'mnist_lstm_samples.json');
const haveMnist = !!mnistPath && existsSync(mnistPath) && !!samplesPath && existsSync(samplesPath);
if (!haveMnist) console.warn('[tflite runtime] mnist_lstm_float32.tflite / mnist_lstm_samples.json not found: end-to-end test skipped');

describe('real model end to end', () => {
  it.skipIf(!haveMnist)('mnist float32: runtime classifies the samples; the extracted LSTM (TFLite → NNAPI → .tflite) reproduces it', () => {
    const bytes = new Uint8Array(readFileSync(mnistPath!));
    const samples = (JSON.parse(readFileSync(samplesPath!, 'utf8')) as { samples: { label: number; image: number[][] }[] }).samples;
    const model = readTflite(bytes);
    const sg = model.subgraphs[0]!;
    const lstmIndex = sg.operators.findIndex((op) => model.operatorCodes[op.opcodeIndex]!.builtinCode === 44);
    const nnapi = tfliteOpToNnapiModel(model, 0, lstmIndex);
    const single = writeSingleOpTflite(nnapi);
    // FC weights / bias of the classifier head (FULLY_CONNECTED after the RESHAPE)
    const fc = sg.operators.find((op) => model.operatorCodes[op.opcodeIndex]!.builtinCode === 9)!;
    const f32 = (t: number) => {
      const d = model.buffers[sg.tensors[t]!.buffer]!.data!;
      return new Float32Array(d.slice().buffer);
    };
    const W = f32(fc.inputs[1]!);
    const bias = f32(fc.inputs[2]!);
    const lstm = rt.compile(single);
    try {
      let maxDiff = 0;
      for (const s of samples) {
        const image = s.image.flat();
        // a fresh interpreter per sample: the full model's LSTM state variables persist across Infer calls
        const probs = rt.run(bytes, [image]).outputs[0]!.data;
        expect(probs.indexOf(Math.max(...probs))).toBe(s.label);
        // fresh zero state, as the full model starts from its zero-initialised variables
        const h = lstm.run([image, new Float32Array(20), new Float32Array(20)])[0]!.data; // [1, 28, 20]
        const logits = Array.from(bias, (b, o) => {
          let acc = b;
          for (let k = 0; k < 560; k++) acc += W[o * 560 + k]! * h[k]!;
          return acc;
        });
        const mx = Math.max(...logits);
        const ex = logits.map((x) => Math.exp(x - mx));
        const sum = ex.reduce((a, b) => a + b, 0);
        ex.forEach((e, i) => (maxDiff = Math.max(maxDiff, Math.abs(e / sum - probs[i]!))));
      }
      console.info(`[tflite runtime] mnist: ${samples.length} samples, extracted-LSTM pipeline vs full model: max |Δp| ${maxDiff.toExponential(3)}`);
      expect(maxDiff).toBeLessThan(1e-5);
    } finally {
      lstm.delete();
    }
  });
});
