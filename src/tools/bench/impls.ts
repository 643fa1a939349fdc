/**
 * The implementations the bench compares. Each one prepares a workload once (weights packed,
 * sessions created, models compiled: what a deployment does once) and returns a runner that
 * computes the whole sequence per call. The optional ones (onnxruntime-node, tfjs backends) are
 * loaded with require at run time, so the project builds and runs without them.
 */
import { readFileSync } from 'node:fs';
import { FastUniSequenceLstm } from '../../ops/fast/sequence-fast.js';
import { relaxedSimdSupported } from '../../ops/fast/kernel.js';
import { nodeWorkerSpawner } from '../../ops/fast/threads-node.js';
import {
  createUniSequenceLstmOutputs,
  createUniSequenceLstmWorkspace,
  unidirectionalSequenceLstmInto,
} from '../../ops/sequence/unidirectional.js';
import { prepareStream } from './stream.js';
import { loadOrt, loadTf, ORT_PACKAGE, ortSession, ortVersion, tfjsCell, versionOf, type OrtSession, type TfTensor } from './peers.js';
import { onnxLstmModel } from './onnx.js';
import type { Workload } from './workloads.js';

export type ImplId = 'ort' | 'ort-web' | 'fast' | 'fast-fma' | 'plain' | 'tflite' | 'tfjs-wasm' | 'tfjs-cpu' | 'tflite-model' | 'fast-t2' | 'ort-t2';
export const IMPL_IDS: readonly ImplId[] = ['ort', 'ort-web', 'fast', 'fast-fma', 'tfjs-wasm', 'tflite', 'tflite-model', 'plain', 'tfjs-cpu', 'fast-t2', 'ort-t2'];
/** The two-thread implementations (compared with their one-thread selves and with each other). */
export const THREADED: readonly ImplId[] = ['fast-t2', 'ort-t2'];

export const IMPL_LABELS: Readonly<Record<ImplId, string>> = {
  ort: 'ONNX Runtime native (onnxruntime-node, 1 thread)',
  'ort-web': 'onnxruntime-web, its WebAssembly backend in Node (SIMD build, 1 thread)',
  fast: 'nnlstm fast path (WASM SIMD128)',
  'fast-fma': 'nnlstm fast path, relaxed-SIMD FMA (opt-in)',
  'fast-t2': 'nnlstm fast path, 2 threads (opt-in threads: worker_threads over one shared memory)',
  'ort-t2': 'ONNX Runtime native (onnxruntime-node), 2 intra-op threads',
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

export async function prepare(impl: ImplId, w: Workload): Promise<Prepared> {
  if (w.def.stream && THREADED.includes(impl)) return { ok: false, reason: 'threads: whole-sequence workloads only (a streaming call is one small step)' };
  if (w.def.stream) return prepareStream(impl, w);
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
    case 'fast-t2':
    case 'fast-fma': {
      const fma = impl === 'fast-fma';
      if (fma && !relaxedSimdSupported()) return { ok: false, reason: 'this runtime has no relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd)' };
      const op = new FastUniSequenceLstm(shape, tensors, impl === 'fast-t2' ? { threads: { count: 2, spawn: nodeWorkerSpawner } } : { fma });
      const out = createUniSequenceLstmOutputs(shape);
      return {
        ok: true,
        runner: {
          ...(impl === 'fast-t2' && op.threadCount === 1 ? { note: 'below threads.minWork (2^20 multiply-adds per step): runs on 1 thread' } : {}),
          run: () => void op.run(tensors.input, tensors.output_state_in, tensors.cell_state_in, out),
          final: async () => {
            op.run(tensors.input, tensors.output_state_in, tensors.cell_state_in, out);
            return { h: out.outputStateOut.slice(), c: out.cellStateOut.slice() };
          },
        },
      };
    }
    case 'ort':
    case 'ort-t2':
    case 'ort-web': {
      if (shape.useProjection) return { ok: false, reason: 'ONNX LSTM has no projection (see W2np)' };
      const ort = await loadOrt(impl === 'ort-t2' ? 'ort' : impl);
      if (typeof ort === 'string') return { ok: false, reason: ort };
      let session: OrtSession;
      try {
        session = await ortSession(ort, impl === 'ort-t2' ? 'ort' : impl, onnxLstmModel({ T: shape.maxTime, B, I: shape.inputSize, N, cell: tensors, peephole: shape.usePeephole }), impl === 'ort-t2' ? 2 : 1);
      } catch (e) {
        return { ok: false, reason: `${ORT_PACKAGE[impl === 'ort-t2' ? 'ort' : impl]} failed: ${(e as Error).message}` };
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
          version: ortVersion(impl === 'ort-t2' ? 'ort' : impl),
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
      const tf = await loadTf(impl);
      if (typeof tf === 'string') return { ok: false, reason: tf };
      const I = shape.inputSize;
      const T = shape.maxTime;
      const { kT, bT, fb } = tfjsCell(tf, shape, tensors);
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
