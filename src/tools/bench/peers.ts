/**
 * Loading the optional peer libraries of the bench (onnxruntime-node, onnxruntime-web, the tfjs
 * backends), each with the settings the bench runs it with, and the slices of their APIs used.
 * They are loaded at run time, so the project builds and runs without them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CellTensors, UniSequenceLstmShape } from '../../ops/sequence/unidirectional.js';

const require = createRequire(import.meta.url);

export function optional<T>(name: string): T | string {
  try {
    return require(name) as T;
  } catch (e) {
    return `${name} cannot be loaded: ${(e as Error).message.split('\n')[0]}`;
  }
}

export function versionOf(pkg: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

// ---- loaders and model builders shared by the whole-sequence and the streaming runners ---------

/** The npm package of each ONNX Runtime peer. */
export const ORT_PACKAGE = { ort: 'onnxruntime-node', 'ort-web': 'onnxruntime-web' } as const;

/** The installed version of a peer's package (onnxruntime-* export no ./package.json: walk up from the entry). */
export function ortVersion(impl: 'ort' | 'ort-web'): string | undefined {
  try {
    let dir = dirname(require.resolve(ORT_PACKAGE[impl]));
    for (let k = 0; k < 4; k++, dir = dirname(dir)) {
      try {
        const j = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (j.name === ORT_PACKAGE[impl]) return j.version;
      } catch {
        /* one folder up */
      }
    }
  } catch {
    /* not installed */
  }
  return undefined;
}

/**
 * onnxruntime-node, or onnxruntime-web's WebAssembly backend as it runs in Node (the package's node
 * export; SIMD build, env.wasm.numThreads = 1, no proxy worker, the .wasm read from its dist/).
 */
export async function loadOrt(impl: 'ort' | 'ort-web'): Promise<OrtModule | string> {
  if (impl === 'ort') return optional<OrtModule>('onnxruntime-node');
  const pkg = ORT_PACKAGE[impl];
  let ort: OrtModule;
  try {
    ort = (await import(/* @vite-ignore */ pkg)) as OrtModule;
  } catch (e) {
    return `${pkg} cannot be loaded: ${(e as Error).message.split('\n')[0]}`;
  }
  const wasm = ort.env?.wasm;
  if (!wasm) return `${pkg} has no env.wasm (no WebAssembly backend)`;
  wasm.numThreads = 1;
  wasm.simd = true;
  wasm.proxy = false;
  wasm.wasmPaths = pathToFileURL(join(dirname(require.resolve(pkg)), '/')).href;
  return ort;
}

/** A session of either ONNX Runtime, all graph optimisations on; native: `threads` intra-op threads (default 1), web: 1 thread. */
export function ortSession(ort: OrtModule, impl: 'ort' | 'ort-web', bytes: Uint8Array, threads = 1): Promise<OrtSession> {
  return ort.InferenceSession.create(
    bytes,
    impl === 'ort'
      ? { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' }
      : { executionProviders: ['wasm'], graphOptimizationLevel: 'all' },
  );
}

/** A tfjs backend ('tfjs-wasm': XNNPACK, SIMD, no threads; 'tfjs-cpu'), ready; or why not. */
export async function loadTf(impl: 'tfjs-wasm' | 'tfjs-cpu'): Promise<TfModule | string> {
  const tf = optional<TfModule>('@tensorflow/tfjs-core');
  if (typeof tf === 'string') return tf;
  if (impl === 'tfjs-wasm') {
    const wasm = optional<{ setWasmPaths(p: string): void }>('@tensorflow/tfjs-backend-wasm');
    if (typeof wasm === 'string') return wasm;
    wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (!(await tf.setBackend('wasm'))) return 'tfjs wasm backend failed to initialise';
  } else {
    const cpu = optional<unknown>('@tensorflow/tfjs-backend-cpu');
    if (typeof cpu === 'string') return cpu;
    if (!(await tf.setBackend('cpu'))) return 'tfjs cpu backend failed to initialise';
  }
  await tf.ready();
  return tf;
}

/** The cell as tfjs basicLSTMCell takes it: kernel [I + N, 4N] (gate columns i, j = cell, f, o), bias [4N], forget bias 0. */
export function tfjsCell(tf: TfModule, shape: UniSequenceLstmShape, tensors: CellTensors): { kT: TfTensor; bT: TfTensor; fb: TfTensor } {
  const I = shape.inputSize;
  const N = shape.numUnits;
  const O = shape.outputSize;
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
  return { kT: tf.tensor2d(kernel, [I + N, 4 * N]), bT: tf.tensor1d(bias), fb: tf.scalar(0) };
}


// ---- the slices of the optional libraries' APIs used here -------------------------------------

export interface OrtTensor {
  data: ArrayLike<number>;
}
export interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}
export interface OrtModule {
  InferenceSession: { create(bytes: Uint8Array, opts: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
  env?: { wasm?: { numThreads?: number; simd?: boolean; proxy?: boolean; wasmPaths?: unknown } };
}
export interface TfTensor {
  dataSync(): ArrayLike<number>;
  dispose(): void;
}
export interface TfModule {
  env(): { set(flag: string, v: unknown): void };
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  tensor2d(v: Float32Array, shape: [number, number]): TfTensor;
  tensor1d(v: Float32Array): TfTensor;
  scalar(v: number): TfTensor;
  tidy<T>(f: () => T): T;
  basicLSTMCell(forgetBias: TfTensor, kernel: TfTensor, bias: TfTensor, data: TfTensor, c: TfTensor, h: TfTensor): [TfTensor, TfTensor];
}

