/**
 * The implementations the bench compares. Each one prepares a workload once (weights packed,
 * sessions created, models compiled: what a deployment does once) and returns a runner that
 * computes the whole sequence per call. The optional ones (onnxruntime-node, tfjs backends) are
 * loaded with require at run time, so the project builds and runs without them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { FastUniSequenceLstm } from '../../ops/fast/sequence-fast.js';
import { relaxedSimdSupported } from '../../ops/fast/kernel.js';
import { createUniSequenceLstmOutputs, createUniSequenceLstmWorkspace, unidirectionalSequenceLstmInto } from '../../ops/sequence/unidirectional.js';
import { onnxLstmModel } from './onnx.js';
import type { Workload } from './workloads.js';

export type ImplId = 'ort' | 'fast' | 'fast-fma' | 'plain' | 'tflite' | 'tfjs-wasm' | 'tfjs-cpu' | 'tflite-model';
export const IMPL_IDS: readonly ImplId[] = ['ort', 'fast', 'fast-fma', 'tfjs-wasm', 'tflite', 'tflite-model', 'plain', 'tfjs-cpu'];

export const IMPL_LABELS: Readonly<Record<ImplId, string>> = {
  ort: 'ONNX Runtime native (onnxruntime-node, 1 thread)',
  fast: 'nnlstm fast path (WASM SIMD128)',
  'fast-fma': 'nnlstm fast path, relaxed-SIMD FMA (opt-in)',
  plain: 'nnlstm plain reference (TypeScript)',
  tflite: 'TFLite WASM runtime, single-op model',
  'tflite-model': 'TFLite WASM runtime, the whole mnist_lstm model',
  'tfjs-wasm': 'tfjs-backend-wasm (XNNPACK, SIMD, 1 thread), basicLSTMCell loop',
  'tfjs-cpu': 'tfjs-backend-cpu, basicLSTMCell loop',
};

export interface Runner {
  /** One whole sequence. */
  run(): void | Promise<void>;
  /** Final h and C of one run from the workload's initial state (computed afresh). */
  final(): Promise<{ h: Float32Array; c: Float32Array }>;
  /** What differs from the workload, if anything (e.g. "no peephole"). */
  note?: string;
  /** Version of the library. */
  version?: string;
}

export type Prepared = { ok: true; runner: Runner } | { ok: false; reason: string };

const require = createRequire(import.meta.url);

function optional<T>(name: string): T | string {
  try {
    return require(name) as T;
  } catch (e) {
    return `${name} cannot be loaded: ${(e as Error).message.split('\n')[0]}`;
  }
}

function versionOf(pkg: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

export async function prepare(impl: ImplId, w: Workload): Promise<Prepared> {
  const { shape, tensors } = w.bound;
  const B = shape.batchSize;
  const N = shape.numUnits;
  const O = shape.outputSize;
  switch (impl) {
    case 'plain': {
      const ws = createUniSequenceLstmWorkspace(shape);
      const out = createUniSequenceLstmOutputs(shape);
      return {
        ok: true,
        runner: {
          run: () => void unidirectionalSequenceLstmInto(ws, shape, tensors, out),
          final: async () => {
            unidirectionalSequenceLstmInto(ws, shape, tensors, out);
            return { h: out.outputStateOut.slice(), c: out.cellStateOut.slice() };
          },
        },
      };
    }
    case 'fast':
    case 'fast-fma': {
      const fma = impl === 'fast-fma';
      if (fma && !relaxedSimdSupported()) return { ok: false, reason: 'this runtime has no relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd)' };
      const op = new FastUniSequenceLstm(shape, tensors, { fma });
      const out = createUniSequenceLstmOutputs(shape);
      return {
        ok: true,
        runner: {
          run: () => void op.run(tensors.input, tensors.output_state_in, tensors.cell_state_in, out),
          final: async () => {
            op.run(tensors.input, tensors.output_state_in, tensors.cell_state_in, out);
            return { h: out.outputStateOut.slice(), c: out.cellStateOut.slice() };
          },
        },
      };
    }
    case 'ort': {
      if (shape.useProjection) return { ok: false, reason: 'ONNX LSTM has no projection (see W2np)' };
      const ort = optional<OrtModule>('onnxruntime-node');
      if (typeof ort === 'string') return { ok: false, reason: ort };
      let session: OrtSession;
      try {
        const bytes = onnxLstmModel({ T: shape.maxTime, B, I: shape.inputSize, N, cell: tensors, peephole: shape.usePeephole });
        session = await ort.InferenceSession.create(bytes, {
          intraOpNumThreads: 1,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          graphOptimizationLevel: 'all',
        });
      } catch (e) {
        return { ok: false, reason: `onnxruntime-node failed: ${(e as Error).message}` };
      }
      // ONNX X is [T, B, I]; a batch-major workload with B = 1 has the same memory layout.
      if (!shape.timeMajor && B !== 1) return { ok: false, reason: 'batch-major input with B > 1' };
      const feeds = {
        X: new ort.Tensor('float32', tensors.input, [shape.maxTime, B, shape.inputSize]),
        initial_h: new ort.Tensor('float32', tensors.output_state_in, [1, B, N]),
        initial_c: new ort.Tensor('float32', tensors.cell_state_in, [1, B, N]),
      };
      const note = tensors.cell_clip > 0 ? `cell clip off (ONNX's clip bounds the gate inputs, not C)` : undefined;
      return {
        ok: true,
        runner: {
          run: async () => void (await session.run(feeds)),
          final: async () => {
            const r = await session.run(feeds);
            return { h: Float32Array.from(r['Y_h']!.data), c: Float32Array.from(r['Y_c']!.data) };
          },
          ...(note ? { note } : {}),
          version: versionOf('onnxruntime-node'),
        },
      };
    }
    case 'tflite':
    case 'tflite-model': {
      const { TfliteRuntime } = await import('../../tflite/runtime.js');
      const rt = await TfliteRuntime.load();
      if (impl === 'tflite-model') {
        if (w.def.id !== 'MN' || !w.source.includes('.tflite')) return { ok: false, reason: 'only for the real mnist_lstm model' };
        const path = w.source.split(' ')[0]!;
        const c = rt.compile(new Uint8Array(readFileSync(path)));
        c.setInput(0, tensors.input);
        return {
          ok: true,
          runner: {
            run: () => c.infer(),
            final: async () => ({ h: new Float32Array(0), c: new Float32Array(0) }),
            note: 'LSTM + reshape + fully connected + softmax; Infer() only',
            version: `${rt.version} (${rt.flavor})`,
          },
        };
      }
      const { writeSingleOpTflite } = await import('../../tflite/writer.js');
      let c: ReturnType<typeof rt.compile>;
      try {
        c = rt.compile(writeSingleOpTflite(w.model));
      } catch (e) {
        return { ok: false, reason: `TFLite cannot run this model: ${(e as Error).message.split('\n')[0]}` };
      }
      const reset = (): void => {
        c.setInput(0, tensors.input);
        c.setInput(1, tensors.output_state_in);
        c.setInput(2, tensors.cell_state_in);
      };
      reset();
      return {
        ok: true,
        runner: {
          // Infer() only: the state variables it updates in place do not change the work done.
          run: () => c.infer(),
          final: async () => {
            reset();
            c.infer();
            return { h: c.getOutput(1).data, c: c.getOutput(2).data };
          },
          note: 'Infer() only (inputs written once)',
          version: `${rt.version} (${rt.flavor})`,
        },
      };
    }
    case 'tfjs-wasm':
    case 'tfjs-cpu': {
      if (shape.useProjection) return { ok: false, reason: 'tfjs basicLSTMCell has no projection' };
      const tf = optional<TfModule>('@tensorflow/tfjs-core');
      if (typeof tf === 'string') return { ok: false, reason: tf };
      if (impl === 'tfjs-wasm') {
        const wasm = optional<{ setWasmPaths(p: string): void }>('@tensorflow/tfjs-backend-wasm');
        if (typeof wasm === 'string') return { ok: false, reason: wasm };
        wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
        tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
        if (!(await tf.setBackend('wasm'))) return { ok: false, reason: 'tfjs wasm backend failed to initialise' };
      } else {
        const cpu = optional<unknown>('@tensorflow/tfjs-backend-cpu');
        if (typeof cpu === 'string') return { ok: false, reason: cpu };
        if (!(await tf.setBackend('cpu'))) return { ok: false, reason: 'tfjs cpu backend failed to initialise' };
      }
      await tf.ready();
      const I = shape.inputSize;
      const T = shape.maxTime;
      // kernel [I + N, 4N], gate columns i, j (= cell), f, o; bias [4N]
      const kernel = new Float32Array((I + N) * 4 * N);
      const gx = [tensors.input_to_input_weights!, tensors.input_to_cell_weights, tensors.input_to_forget_weights, tensors.input_to_output_weights];
      const gh = [tensors.recurrent_to_input_weights!, tensors.recurrent_to_cell_weights, tensors.recurrent_to_forget_weights, tensors.recurrent_to_output_weights];
      const gb = [tensors.input_gate_bias!, tensors.cell_gate_bias, tensors.forget_gate_bias, tensors.output_gate_bias];
      for (let g = 0; g < 4; g++) {
        for (let n = 0; n < N; n++) {
          for (let r = 0; r < I; r++) kernel[r * 4 * N + g * N + n] = gx[g]![n * I + r]!;
          for (let r = 0; r < N; r++) kernel[(I + r) * 4 * N + g * N + n] = gh[g]![n * O + r]!;
        }
      }
      const bias = new Float32Array(4 * N);
      gb.forEach((b, g) => bias.set(b, g * N));
      const kT = tf.tensor2d(kernel, [I + N, 4 * N]);
      const bT = tf.tensor1d(bias);
      const fb = tf.scalar(0);
      const h0 = tf.tensor2d(tensors.output_state_in, [B, N]);
      const c0 = tf.tensor2d(tensors.cell_state_in, [B, N]);
      const xs: TfTensor[] = [];
      for (let t = 0; t < T; t++) {
        const x = new Float32Array(B * I);
        for (let b = 0; b < B; b++) {
          const row = shape.timeMajor ? t * B + b : b * T + t;
          x.set(tensors.input.subarray(row * I, row * I + I), b * I);
        }
        xs.push(tf.tensor2d(x, [B, I]));
      }
      const sequence = (): [TfTensor, TfTensor] =>
        tf.tidy(() => {
          let c = c0;
          let h = h0;
          for (let t = 0; t < T; t++) [c, h] = tf.basicLSTMCell(fb, kT, bT, xs[t]!, c, h);
          return [h, c];
        });
      const notes: string[] = [];
      if (shape.usePeephole) notes.push('no peephole (tfjs cannot express it)');
      if (tensors.cell_clip > 0) notes.push('no cell clip');
      return {
        ok: true,
        runner: {
          run: () => {
            const [h, c] = sequence();
            h.dataSync();
            h.dispose();
            c.dispose();
          },
          final: async () => {
            const [h, c] = sequence();
            const r = { h: Float32Array.from(h.dataSync()), c: Float32Array.from(c.dataSync()) };
            h.dispose();
            c.dispose();
            return r;
          },
          ...(notes.length ? { note: notes.join('; ') } : {}),
          version: versionOf('@tensorflow/tfjs-core'),
        },
      };
    }
  }
}

// ---- the slices of the optional libraries' APIs used here -------------------------------------

interface OrtTensor {
  data: ArrayLike<number>;
}
interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}
interface OrtModule {
  InferenceSession: { create(bytes: Uint8Array, opts: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
}
interface TfTensor {
  dataSync(): ArrayLike<number>;
  dispose(): void;
}
interface TfModule {
  env(): { set(flag: string, v: unknown): void };
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  tensor2d(v: Float32Array, shape: [number, number]): TfTensor;
  tensor1d(v: Float32Array): TfTensor;
  scalar(v: number): TfTensor;
  tidy<T>(f: () => T): T;
  basicLSTMCell(forgetBias: TfTensor, kernel: TfTensor, bias: TfTensor, data: TfTensor, c: TfTensor, h: TfTensor): [TfTensor, TfTensor];
}

