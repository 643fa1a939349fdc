/**
 * The streaming runners (workloads with `stream: true`, e.g. S64, S128 and the Silero LSTM nodes):
 * one run is T calls of one step each (T = 1 per call, B = 1), the state carried from call to call,
 * each implementation driven through its public API the way a voice-activity detector drives it per
 * audio frame — a new input per call, the output read back per call. What decides here is the cost
 * of a call, not GFLOP/s. Every run starts from the workload's initial state, so its final state is
 * the one of the whole T-step sequence (checked against the plain reference like the other runners).
 */
import { FastUniSequenceLstm } from '../../ops/fast/sequence-fast.js';
import { relaxedSimdSupported } from '../../ops/fast/kernel.js';
import {
  createUniSequenceLstmOutputs,
  createUniSequenceLstmWorkspace,
  unidirectionalSequenceLstmInto,
  type UniSequenceLstmShape,
  type UniSequenceLstmTensors,
} from '../../ops/sequence/unidirectional.js';
import type { Model } from '../../model/model.js';
import type { ImplId, Prepared } from './impls.js';
import { onnxLstmModel } from './onnx.js';
import { loadOrt, loadTf, ORT_PACKAGE, ortSession, ortVersion, tfjsCell, versionOf, type OrtSession, type OrtTensor, type TfTensor } from './peers.js';
import type { Workload } from './workloads.js';

/**
 * The workload's model cut to one step: input [1, B, I] (its first frame), output [1, B, O]; state
 * outputs given their shapes when the model leaves them unknown (the ONNX mapping does).
 */
export function oneStepModel(model: Model, shape: UniSequenceLstmShape): Model {
  const m = structuredClone(model);
  const op = m.operations[0]!;
  const { batchSize: B, inputSize: I, outputSize: O, numUnits: N } = shape;
  const input = m.operands[op.inputs[0]!]!;
  input.dimensions = [1, B, I];
  input.values = input.values.slice(0, B * I);
  const outDims = [[1, B, O], [B, O], [B, N]];
  op.outputs.forEach((idx, k) => {
    const o = m.operands[idx]!;
    const d = outDims[k];
    if (!d) return;
    if (k === 0 || o.dimensions.length === 0) {
      o.dimensions = d;
      o.values = new Array<number>(d.reduce((a, b) => a * b, 1)).fill(0);
    }
  });
  return m;
}

/** Views of the T frames of a time-major B = 1 input (made once: no allocation per call). */
function frameViews(shape: UniSequenceLstmShape, input: Float32Array): Float32Array[] {
  const I = shape.inputSize * shape.batchSize;
  return Array.from({ length: shape.maxTime }, (_, t) => input.subarray(t * I, t * I + I));
}

export async function prepareStream(impl: ImplId, w: Workload): Promise<Prepared> {
  const { shape, tensors } = w.bound;
  if (shape.batchSize !== 1 || !shape.timeMajor) return { ok: false, reason: 'a streaming workload is time-major with B = 1' };
  const T = shape.maxTime;
  const B = shape.batchSize;
  const I = shape.inputSize;
  const N = shape.numUnits;
  const O = shape.outputSize;
  const step: UniSequenceLstmShape = { ...shape, maxTime: 1 };
  const frames = frameViews(shape, tensors.input);
  switch (impl) {
    case 'fast':
    case 'fast-fma': {
      const fma = impl === 'fast-fma';
      if (fma && !relaxedSimdSupported()) return { ok: false, reason: 'this runtime has no relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd)' };
      const op = new FastUniSequenceLstm(step, tensors, { fma });
      const out = createUniSequenceLstmOutputs(step);
      const h = out.outputStateOut;
      const c = out.cellStateOut;
      // The state inputs alias the state outputs: the state stays in place from call to call.
      const stream = (): void => {
        h.set(tensors.output_state_in);
        c.set(tensors.cell_state_in);
        for (let t = 0; t < T; t++) op.run(frames[t]!, h, c, out);
      };
      return { ok: true, runner: { run: stream, final: async () => (stream(), { h: h.slice(), c: c.slice() }), note: 'FastUniSequenceLstm (T = 1) per call' } };
    }
    case 'plain': {
      const ws = createUniSequenceLstmWorkspace(step);
      const out = createUniSequenceLstmOutputs(step);
      const h = new Float32Array(B * O);
      const c = new Float32Array(B * N);
      const perFrame: UniSequenceLstmTensors[] = frames.map((input) => ({ ...tensors, input, output_state_in: h, cell_state_in: c }));
      const stream = (): void => {
        h.set(tensors.output_state_in);
        c.set(tensors.cell_state_in);
        for (let t = 0; t < T; t++) {
          unidirectionalSequenceLstmInto(ws, step, perFrame[t]!, out);
          h.set(out.outputStateOut);
          c.set(out.cellStateOut);
        }
      };
      return { ok: true, runner: { run: stream, final: async () => (stream(), { h: h.slice(), c: c.slice() }) } };
    }
    case 'ort':
    case 'ort-web': {
      const ort = await loadOrt(impl);
      if (typeof ort === 'string') return { ok: false, reason: ort };
      let session: OrtSession;
      try {
        session = await ortSession(ort, impl, onnxLstmModel({ T: 1, B, I, N, cell: tensors, peephole: shape.usePeephole }));
      } catch (e) {
        return { ok: false, reason: `${ORT_PACKAGE[impl]} failed: ${(e as Error).message}` };
      }
      const h0 = new ort.Tensor('float32', tensors.output_state_in, [1, B, N]);
      const c0 = new ort.Tensor('float32', tensors.cell_state_in, [1, B, N]);
      let h: OrtTensor = h0;
      let c: OrtTensor = c0;
      // What a Silero VAD app does per frame: a tensor for the frame, the previous call's Y_h / Y_c as the state.
      const stream = async (): Promise<void> => {
        h = h0;
        c = c0;
        for (let t = 0; t < T; t++) {
          const r = await session.run({ X: new ort.Tensor('float32', frames[t]!, [1, B, I]), initial_h: h, initial_c: c });
          h = r['Y_h']!;
          c = r['Y_c']!;
        }
      };
      return {
        ok: true,
        runner: { run: stream, final: async () => (await stream(), { h: Float32Array.from(h.data), c: Float32Array.from(c.data) }), note: 'session.run per call, Y_h / Y_c fed back', version: ortVersion(impl) },
      };
    }
    case 'tflite': {
      const { TfliteRuntime } = await import('../../tflite/runtime.js');
      const { writeSingleOpTflite } = await import('../../tflite/writer.js');
      const rt = await TfliteRuntime.load();
      let m: ReturnType<typeof rt.compile>;
      try {
        m = rt.compile(writeSingleOpTflite(oneStepModel(w.model, shape)));
      } catch (e) {
        return { ok: false, reason: `TFLite cannot run this model: ${(e as Error).message.split('\n')[0]}` };
      }
      // The state lives in the interpreter's variable tensors (TFLite's own streaming): reset per run only.
      const stream = (): void => {
        m.setInput(1, tensors.output_state_in);
        m.setInput(2, tensors.cell_state_in);
        for (let t = 0; t < T; t++) {
          m.setInput(0, frames[t]!);
          m.infer();
          m.getOutput(0);
        }
      };
      return {
        ok: true,
        runner: { run: stream, final: async () => (stream(), { h: m.getOutput(1).data, c: m.getOutput(2).data }), note: 'setInput, Infer(), getOutput per call; state in its variable tensors', version: `${rt.version} (${rt.flavor})` },
      };
    }
    case 'tfjs-wasm':
    case 'tfjs-cpu': {
      const tf = await loadTf(impl);
      if (typeof tf === 'string') return { ok: false, reason: tf };
      const { kT, bT, fb } = tfjsCell(tf, step, tensors);
      const h0 = tf.tensor2d(tensors.output_state_in, [B, N]);
      const c0 = tf.tensor2d(tensors.cell_state_in, [B, N]);
      let h: TfTensor = h0;
      let c: TfTensor = c0;
      const stream = (): void => {
        h = h0;
        c = c0;
        for (let t = 0; t < T; t++) {
          const [c2, h2] = tf.tidy(() => tf.basicLSTMCell(fb, kT, bT, tf.tensor2d(frames[t]!, [B, I]), c, h));
          h2!.dataSync();
          if (h !== h0) h.dispose();
          if (c !== c0) c.dispose();
          h = h2!;
          c = c2!;
        }
      };
      return {
        ok: true,
        runner: {
          run: stream,
          final: async () => (stream(), { h: Float32Array.from(h.dataSync()), c: Float32Array.from(c.dataSync()) }),
          note: 'basicLSTMCell + dataSync per call',
          version: versionOf('@tensorflow/tfjs-core'),
        },
      };
    }
    case 'tflite-model':
      return { ok: false, reason: 'only for the real mnist_lstm model' };
    default:
      return { ok: false, reason: `${impl}: no streaming runner` };
  }
}
