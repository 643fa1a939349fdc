/**
 * Loads the WebAssembly SIMD128 kernel module (src/ops/fast/kernel.wat, assembled into
 * kernel-wasm.generated.ts by `npm run build:wasm`). The module is compiled once per process and
 * instantiated once per direction plan, each instance with its own memory.
 *
 * The relaxed-SIMD FMA variant is opt-in only (`fma: true`): f32x4.relaxed_madd may or may not round
 * the product, so results are no longer bit-identical to the plain path's matrix products. On Node 20
 * it needs `node --experimental-wasm-relaxed-simd`; where the runtime cannot validate it,
 * requesting it throws.
 */
import { KERNEL_FMA_WASM_BASE64, KERNEL_SHARED_WASM_BASE64, KERNEL_WASM_BASE64 } from './kernel-wasm.generated.js';

/** The exports of kernel.wat (pointers are byte offsets; strides in floats). */
export interface KernelExports {
  /** C[m, 8·panels) += A[m, 0..k) · W (packed panels); pk: m·k floats of packing scratch. */
  gemm(a: number, lda: number, m: number, k: number, w: number, panels: number, c: number, ldc: number, pk: number): void;
  /** C[m, 24·panels) += A[m, 0..k) · W (24-wide packed panels), one row at a time (lda, ldc in floats). */
  gemm24(a: number, lda: number, m: number, k: number, w: number, panels: number, c: number, ldc: number): void;
  /** Z rows at z += h · W_hᵀ (descriptor at d). */
  recurrent(d: number, z: number): void;
  /** rows of dst (stride ld) = src[0..n). */
  init_rows(dst: number, ld: number, rows: number, src: number, n: number): void;
  /** Clamp n floats (n % 4 = 0) to ±clip. */
  clamp(p: number, n: number, clip: number): void;
  /** Gates, cell and m of one step (no layer norm), descriptor at d, gate rows at z. */
  cell(d: number, z: number): void;
  /** The same for batch rows b0 … b1 − 1 only (the threads split a step's cell by rows). */
  cell_rows(d: number, z: number, b0: number, b1: number): void;
  /** Projection, its clip and the history copy of step k. */
  finish(d: number, z: number, k: number): void;
  /** One whole step k without layer norm. */
  step(d: number, k: number): void;
  /** Steps k0 … k1 − 1. */
  steps(d: number, k0: number, k1: number): void;
}

// Minimal typings of the WebAssembly JS API (the project's lib is ES2022 without DOM).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (desc: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

// atob is a global in browsers, workers and Node ≥ 16; Buffer exists only in Node.
const atob = (globalThis as unknown as { atob: (s: string) => string }).atob;

function decode(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

let simdModule: WasmModule | undefined;
let fmaModule: WasmModule | undefined;
let sharedModule: WasmModule | undefined;

/** True when this runtime validates WebAssembly SIMD128 (Node ≥ 16.4). */
export function simdSupported(): boolean {
  return WebAssembly.validate(decode(KERNEL_WASM_BASE64));
}

/** True when this runtime validates relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd). */
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(decode(KERNEL_FMA_WASM_BASE64));
}

function moduleFor(fma: boolean): WasmModule {
  if (fma) {
    if (!fmaModule) {
      if (!relaxedSimdSupported()) {
        throw new Error('fast LSTM: the relaxed-SIMD FMA kernel needs a runtime with relaxed SIMD (Node 20: node --experimental-wasm-relaxed-simd)');
      }
      fmaModule = new WebAssembly.Module(decode(KERNEL_FMA_WASM_BASE64));
    }
    return fmaModule;
  }
  if (!simdModule) {
    if (!simdSupported()) throw new Error('fast LSTM: this runtime has no WebAssembly SIMD128');
    simdModule = new WebAssembly.Module(decode(KERNEL_WASM_BASE64));
  }
  return simdModule;
}

export interface KernelInstance {
  readonly memory: WasmMemory;
  readonly exports: KernelExports;
  /** The compiled module (the shared-memory variant when `shared`), for workers to instantiate. */
  readonly module: WasmModule;
}

/** A kernel instance with `bytes` of fresh, zeroed memory (never grown afterwards); `shared`: over a shared memory (threads). */
export function instantiateKernel(bytes: number, fma = false, shared = false): KernelInstance {
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  if (shared && fma) throw new Error('fast LSTM: threads and the FMA kernel cannot be combined');
  if (shared && typeof SharedArrayBuffer === 'undefined') throw new Error('fast LSTM: threads need SharedArrayBuffer (in a browser: a cross-origin-isolated page)');
  const module = shared ? (sharedModule ??= new WebAssembly.Module(decode(KERNEL_SHARED_WASM_BASE64))) : moduleFor(fma);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, ...(shared ? { shared: true } : {}) });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { memory, exports: instance.exports as unknown as KernelExports, module };
}
