/**
 * ONNX Runtime behind one small interface: load it (`onnxruntime-node`'s native CPU provider, or `onnxruntime-web`'s
 * WebAssembly build), create a session from .onnx bytes, run it on typed-array feeds. Browser-safe: the Node loader
 * (./runtime-node.ts) is imported lazily under a name bundlers do not follow; a browser app passes its own `ort`
 * module through {@link setOnnxRuntimeLoader} and {@link wrapOrtModule}.
 *
 * Both packages are optional peer dependencies: without them {@link loadOnnxRuntime} rejects with
 * {@link OnnxRuntimeUnavailable}, whose message is one line naming the package to install.
 */

/** Which ONNX Runtime package: `node` = onnxruntime-node (native CPU EP), `web` = onnxruntime-web (WASM EP). */
export type OnnxRuntimeFlavor = 'node' | 'web';

/** A tensor handed to or read from a session: element type, dims and row-major data. */
export interface OnnxRuntimeTensor {
  /** ONNX Runtime's tensor type name: `float32`, `int32`, `int64`, … */
  type: string;
  dims: readonly number[];
  data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array;
}

/** A created session: its input and output names, run and release. */
export interface OnnxRuntimeSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs the model; every output is copied out of the runtime's memory. Rejects with OnnxRuntimeError. */
  run(feeds: Record<string, OnnxRuntimeTensor>): Promise<Record<string, OnnxRuntimeTensor>>;
  /** Frees the session (idempotent). */
  release(): Promise<void>;
}

/** A loaded ONNX Runtime. */
export interface OnnxRuntimeHandle {
  readonly flavor: OnnxRuntimeFlavor;
  /** Package version, e.g. `1.30.0`. */
  readonly version: string;
  /** Execution provider and build, e.g. `cpu` or `wasm (ort-wasm-simd-threaded.wasm, 1 thread)`. */
  readonly backend: string;
  /** Creates a session from .onnx bytes. Rejects with OnnxRuntimeError when ONNX Runtime refuses the model. */
  createSession(bytes: Uint8Array): Promise<OnnxRuntimeSession>;
}

/**
 * A failure reported by ONNX Runtime (model refused, run failed).
 *
 * @example
 * ```ts
 * try { await rt.createSession(bytes); } catch (e) { if (e instanceof OnnxRuntimeError) console.error(e.message); }
 * ```
 */
export class OnnxRuntimeError extends Error {
  /** `'OnnxRuntimeError'`, for telling errors apart without instanceof (e.g. across bundles). */
  override readonly name: string = 'OnnxRuntimeError';
}

/**
 * No ONNX Runtime here: the optional package is not installed, its native binding or WASM does not load, or
 * (outside Node) no loader was set. The message is one line with the install hint.
 *
 * @example
 * ```ts
 * const rt = await loadOnnxRuntime('node').catch((e) => (e instanceof OnnxRuntimeUnavailable ? undefined : Promise.reject(e)));
 * ```
 */
export class OnnxRuntimeUnavailable extends OnnxRuntimeError {
  /** `'OnnxRuntimeUnavailable'`, for telling errors apart without instanceof (e.g. across bundles). */
  override readonly name: string = 'OnnxRuntimeUnavailable';
  constructor(
    message: string,
    /** Which flavor could not be loaded. */
    readonly flavor: OnnxRuntimeFlavor,
  ) {
    super(message);
  }
}

/** The part of an `onnxruntime-node` / `onnxruntime-web` module this wrapper uses. */
export interface OrtModuleLike {
  InferenceSession: { create(bytes: Uint8Array, options?: Record<string, unknown>): Promise<OrtSessionLike> };
  Tensor: new (type: string, data: OnnxRuntimeTensor['data'], dims: readonly number[]) => OrtTensorLike;
}
/** @internal */
export interface OrtSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
  release?(): Promise<void>;
}
/** @internal */
export interface OrtTensorLike {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
  dispose?(): void;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' | ');

/** A typed-array copy of a runtime tensor's data (the runtime's buffer may be reused or freed). */
/** A Float16Array (a global only on newer engines, so tested by its constructor's name). */
function isFloat16Array(d: unknown): d is { buffer: ArrayBufferLike; byteOffset: number; length: number } {
  return typeof d === 'object' && d !== null && ArrayBuffer.isView(d) && d.constructor.name === 'Float16Array';
}

/**
 * An ORT tensor of a feed. Where Float16Array exists, onnxruntime-common turns a float16 tensor's Uint16Array into a
 * Float16Array, which onnxruntime-node 1.30's binding cannot read ("not enough space … got 0", Node 24): the bits are
 * handed over as a Uint16Array on the tensor itself.
 */
function feedTensor(ort: OrtModuleLike, t: OnnxRuntimeTensor): OrtTensorLike {
  const tensor = new ort.Tensor(t.type, t.data, t.dims);
  if (t.type === 'float16' && t.data instanceof Uint16Array && isFloat16Array(tensor.data)) {
    Object.defineProperty(tensor, 'data', { value: t.data, configurable: true });
  }
  return tensor;
}

function copyData(t: OrtTensorLike): OnnxRuntimeTensor['data'] {
  const d = t.data;
  if (d instanceof Float32Array) return d.slice();
  if (d instanceof Float64Array) return d.slice();
  if (d instanceof Int32Array) return d.slice();
  if (d instanceof BigInt64Array) return d.slice();
  // Where the JS engine has Float16Array (Node ≥ 24), ORT hands float16 outputs over as one: keep the bits.
  if (isFloat16Array(d)) return new Uint16Array(d.buffer, d.byteOffset, d.length).slice();
  if (d instanceof Uint16Array) return d.slice();
  if (d instanceof Uint8Array) return d.slice();
  throw new OnnxRuntimeError(`output of type ${t.type} has data ONNX Runtime did not hand over as a typed array`);
}

/**
 * Wraps an `ort` module (e.g. `await import('onnxruntime-web')` in a browser) as an {@link OnnxRuntimeHandle}.
 * `sessionOptions` are passed to every `InferenceSession.create` (e.g. `{ executionProviders: ['wasm'] }`).
 *
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-web';
 * setOnnxRuntimeLoader(async () => wrapOrtModule(ort, { flavor: 'web', version: '1.30.0', backend: 'wasm', sessionOptions: { executionProviders: ['wasm'] } }));
 * ```
 */
export function wrapOrtModule(
  ort: OrtModuleLike,
  info: { flavor: OnnxRuntimeFlavor; version: string; backend: string; sessionOptions?: Record<string, unknown> },
): OnnxRuntimeHandle {
  return {
    flavor: info.flavor,
    version: info.version,
    backend: info.backend,
    async createSession(bytes: Uint8Array): Promise<OnnxRuntimeSession> {
      let s: OrtSessionLike;
      try {
        s = await ort.InferenceSession.create(bytes, { ...info.sessionOptions });
      } catch (e) {
        throw new OnnxRuntimeError(`ONNX Runtime refused the model: ${message(e)}`);
      }
      let released = false;
      return {
        inputNames: [...s.inputNames],
        outputNames: [...s.outputNames],
        async run(feeds) {
          if (released) throw new OnnxRuntimeError('session already released');
          const inputs: Record<string, OrtTensorLike> = {};
          for (const [name, t] of Object.entries(feeds)) inputs[name] = feedTensor(ort, t);
          let out: Record<string, OrtTensorLike>;
          try {
            out = await s.run(inputs);
          } catch (e) {
            throw new OnnxRuntimeError(`ONNX Runtime run failed: ${message(e)}`);
          } finally {
            for (const t of Object.values(inputs)) t.dispose?.();
          }
          const result: Record<string, OnnxRuntimeTensor> = {};
          for (const [name, t] of Object.entries(out)) {
            result[name] = { type: t.type, dims: [...t.dims].map(Number), data: copyData(t) };
            t.dispose?.();
          }
          return result;
        },
        async release() {
          if (released) return;
          released = true;
          await s.release?.();
        },
      };
    },
  };
}

/** Loads one flavor of ONNX Runtime (the default in Node: ./runtime-node.ts). */
export type OnnxRuntimeLoader = (flavor: OnnxRuntimeFlavor) => Promise<OnnxRuntimeHandle>;

let loader: OnnxRuntimeLoader | undefined;
const loading = new Map<OnnxRuntimeFlavor, Promise<OnnxRuntimeHandle>>();

/**
 * Where {@link loadOnnxRuntime} gets ONNX Runtime. In Node the default imports the installed packages; a browser
 * app sets a loader (see {@link wrapOrtModule}). `undefined` restores the default. Forgets loaded runtimes.
 */
export function setOnnxRuntimeLoader(l: OnnxRuntimeLoader | undefined): void {
  loader = l;
  loading.clear();
}

// Kept out of bundlers' sight: only Node has the default loader (node:module, node:path, node:url).
const NODE_LOADER = './runtime-node.js';

async function defaultLoader(flavor: OnnxRuntimeFlavor): Promise<OnnxRuntimeHandle> {
  const m = (await import(/* @vite-ignore */ NODE_LOADER).catch((e: unknown) => {
    throw new OnnxRuntimeUnavailable(`no ONNX Runtime loader in this environment (call setOnnxRuntimeLoader): ${message(e)}`, flavor);
  })) as { loadNodeOnnxRuntime: OnnxRuntimeLoader };
  return m.loadNodeOnnxRuntime(flavor);
}

/**
 * Loads ONNX Runtime once per flavor (a failed load is retried on the next call). Rejects with
 * {@link OnnxRuntimeUnavailable} when the package is missing or does not load.
 *
 * @example
 * ```ts
 * const rt = await loadOnnxRuntime('node');
 * const s = await rt.createSession(bytes);
 * const out = await s.run({ X: { type: 'float32', dims: [1, 1, 2], data: new Float32Array([1, 2]) } });
 * ```
 */
export function loadOnnxRuntime(flavor: OnnxRuntimeFlavor): Promise<OnnxRuntimeHandle> {
  let p = loading.get(flavor);
  if (!p) {
    p = (loader ?? defaultLoader)(flavor).catch((e: unknown) => {
      loading.delete(flavor);
      throw e;
    });
    loading.set(flavor, p);
  }
  return p;
}
