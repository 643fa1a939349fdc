/**
 * The real TFLite interpreter, compiled to WebAssembly, as shipped in `@tensorflow/tfjs-tflite` (`wasm/`), loaded
 * once per process. Every model is run through our verifier first: a malformed flatbuffer can abort the WASM
 * module, so only verified bytes are handed to it.
 *
 * Notes (measured with 0.0.1-alpha.10): the runner applies the XNNPACK delegate (it logs "Created TensorFlow Lite
 * XNNPACK delegate for CPU"); LSTM ops are not delegated and run on the builtin kernels. Tensor `data()` is a typed
 * array view into WASM memory matching the tensor type (Float32Array, Int8Array, …); views are taken afresh for
 * every access because memory growth detaches old ones.
 */
import { verifyTflite } from './verify.js';

// ---- the Emscripten/embind surface we use --------------------------------------------------------------------------

interface EmbindVector<T> {
  size(): number;
  get(i: number): T;
  delete?(): void;
}
interface WasmTensorInfo {
  name: string;
  dataType: string;
  shape: string | number[];
  id: number;
  data(): ArrayLike<number> & { set(src: ArrayLike<number>, offset?: number): void; length: number };
  delete?(): void;
}
interface WasmRunner {
  GetInputs(): EmbindVector<WasmTensorInfo>;
  GetOutputs(): EmbindVector<WasmTensorInfo>;
  Infer(): boolean;
  delete(): void;
}
interface WasmStatusOr {
  ok(): boolean;
  errorMessage(): string;
  value(): WasmRunner;
  delete?(): void;
}
interface TfliteWasmModule {
  _malloc(n: number): number;
  _free(p: number): void;
  HEAPU8: Uint8Array;
  TFLiteWebModelRunner: {
    CreateFromBufferAndOptions(ptr: number, len: number, opts: { numThreads: number; enableProfiling: boolean; maxProfilingBufferEntries: number }): WasmStatusOr;
  };
}
/** The Emscripten factory of one tfjs-tflite WASM build (`wasm/tflite_web_api_cc*.js`). */
export type TfliteModuleFactory = (opts: Record<string, unknown>) => Promise<unknown>;

/** One WASM build to try: its Emscripten factory and its `.wasm` bytes. */
export interface TfliteWasmBuild {
  /** Which build: WebAssembly SIMD or plain. */
  flavor: 'simd' | 'plain';
  /** The Emscripten factory (the default export of `tflite_web_api_cc*.js`). */
  factory: TfliteModuleFactory;
  /** The matching `.wasm` file's bytes. */
  wasmBinary: Uint8Array;
}

/** Finds the WASM builds of `@tensorflow/tfjs-tflite` (SIMD first) and the package version. */
export type TfliteRuntimeLoader = () => Promise<{ version: string; builds: TfliteWasmBuild[] }>;

let loader: TfliteRuntimeLoader | undefined;

/**
 * Where TfliteRuntime.load() finds the WASM runtime. In Node the default reads it from the installed
 * `@tensorflow/tfjs-tflite` package; a browser app sets a loader that fetches the factory and `.wasm`.
 * `undefined` restores the default.
 *
 * @example
 * ```ts
 * import { setTfliteRuntimeLoader } from 'nnlstm/tflite';
 * // createTfliteModule: the Emscripten factory that tfjs-tflite's wasm/tflite_web_api_cc_simd.js defines
 * // (a CommonJS script; bring it in with your bundler or a <script> tag).
 * setTfliteRuntimeLoader(async () => ({
 *   version: '0.0.1-alpha.10',
 *   builds: [{
 *     flavor: 'simd',
 *     factory: createTfliteModule,
 *     wasmBinary: new Uint8Array(await (await fetch('/wasm/tflite_web_api_cc_simd.wasm')).arrayBuffer()),
 *   }],
 * }));
 * ```
 */
export function setTfliteRuntimeLoader(l: TfliteRuntimeLoader | undefined): void {
  loader = l;
}

// Kept out of bundlers' sight: only Node has the default loader (it reads node_modules with node:fs).
const NODE_LOADER = './runtime-node.js';

async function defaultLoader(): Promise<{ version: string; builds: TfliteWasmBuild[] }> {
  const m = (await import(/* @vite-ignore */ NODE_LOADER).catch((e: unknown) => {
    throw new TfliteRuntimeUnavailable(`no TFLite runtime loader in this environment (call setTfliteRuntimeLoader): ${e instanceof Error ? e.message : String(e)}`);
  })) as { loadNodeTfliteBuilds: TfliteRuntimeLoader };
  return m.loadNodeTfliteBuilds();
}

/**
 * A failure reported by the TFLite runtime (model rejected, Invoke failed, WASM abort). `log` = its stderr.
 *
 * @example
 * ```ts
 * import { TfliteRuntime, TfliteRuntimeError } from 'nnlstm/tflite';
 * const rt = await TfliteRuntime.load();
 * try {
 *   rt.compile(bytes);
 * } catch (e) {
 *   if (e instanceof TfliteRuntimeError) console.error(e.message, e.log);
 * }
 * ```
 */
export class TfliteRuntimeError extends Error {
  /** `'TfliteRuntimeError'`, for telling errors apart without instanceof (e.g. across bundles). */
  override readonly name: string = 'TfliteRuntimeError';
  constructor(
    message: string,
    /** What the runtime wrote to stderr during the call. */
    readonly log: string[],
  ) {
    super(log.length > 0 ? `${message}\n  ${log.join('\n  ')}` : message);
  }
}

/**
 * No TFLite runtime here: the optional package is not installed, or (outside Node) no loader was set.
 *
 * @example
 * ```ts
 * import { TfliteRuntime, TfliteRuntimeUnavailable } from 'nnlstm/tflite';
 * const rt = await TfliteRuntime.load().catch((e) => {
 *   if (e instanceof TfliteRuntimeUnavailable) return undefined; // npm install @tensorflow/tfjs-tflite to enable
 *   throw e;
 * });
 * ```
 */
export class TfliteRuntimeUnavailable extends TfliteRuntimeError {
  /** `'TfliteRuntimeUnavailable'`, for telling errors apart without instanceof (e.g. across bundles). */
  override readonly name: string = 'TfliteRuntimeUnavailable';
  constructor(message: string) {
    super(message, []);
  }
}

/** A subgraph input or output of a compiled model. */
export interface RuntimeTensorInfo {
  /** Tensor name. */
  name: string;
  /** Runtime type name, e.g. "float32", "int8". */
  dataType: string;
  /** Shape. */
  shape: number[];
  /** Tensor index in the subgraph. */
  id: number;
}

/** One output of an invocation. */
export interface RuntimeOutput {
  /** Tensor name. */
  name: string;
  /** Runtime type name, e.g. "float32". */
  dataType: string;
  /** Shape after the invocation. */
  shape: number[];
  /** A copy of the output; integer tensors hold their raw (not dequantized) values. */
  data: Float32Array;
}

function parseShape(s: string | number[]): number[] {
  if (Array.isArray(s)) return [...s];
  return s === '' ? [] : s.split(',').map((x) => Number(x));
}

function infoOf(t: WasmTensorInfo): RuntimeTensorInfo {
  return { name: t.name, dataType: t.dataType, shape: parseShape(t.shape), id: t.id };
}

function vectorToArray<T>(v: EmbindVector<T>): T[] {
  const out: T[] = [];
  for (let i = 0; i < v.size(); i++) out.push(v.get(i));
  v.delete?.();
  return out;
}

/**
 * A compiled model: a TFLite interpreter kept alive for repeated Infer calls. Variable tensors (LSTM state) persist
 * across infer() calls exactly as in TFLite; write them through setInput when the model exposes them as inputs.
 * Made by {@link TfliteRuntime.compile}; free it with delete().
 *
 * @example
 * ```ts
 * import { TfliteRuntime } from 'nnlstm/tflite';
 * const c = (await TfliteRuntime.load()).compile(bytes);
 * try {
 *   c.setInput(0, x);
 *   c.infer();
 *   console.log(c.outputs[0]!.name, c.getOutput(0).data);
 * } finally {
 *   c.delete();
 * }
 * ```
 */
export class CompiledTflite {
  /** The subgraph inputs, in order. */
  readonly inputs: RuntimeTensorInfo[];
  /** The subgraph outputs, in order. */
  readonly outputs: RuntimeTensorInfo[];
  private deleted = false;

  /** @internal */
  constructor(
    private readonly rt: TfliteRuntime,
    private readonly runner: WasmRunner,
    private readonly modelPtr: number,
  ) {
    this.inputs = this.infos('in');
    this.outputs = this.infos('out');
  }

  /** Runs `f` on the runner's tensor handles and deletes the handles afterwards (typed-array views stay valid). */
  private withTensor<T>(which: 'in' | 'out', i: number, f: (t: WasmTensorInfo | undefined) => T): T {
    if (this.deleted) throw new TfliteRuntimeError('compiled model already deleted', []);
    const list = vectorToArray(which === 'in' ? this.runner.GetInputs() : this.runner.GetOutputs());
    try {
      return f(list[i]);
    } finally {
      for (const t of list) t.delete?.();
    }
  }

  private infos(which: 'in' | 'out'): RuntimeTensorInfo[] {
    if (this.deleted) throw new TfliteRuntimeError('compiled model already deleted', []);
    const list = vectorToArray(which === 'in' ? this.runner.GetInputs() : this.runner.GetOutputs());
    const out = list.map(infoOf);
    for (const t of list) t.delete?.();
    return out;
  }

  /** Writes subgraph input `i` (values converted to the tensor's type by typed-array assignment). */
  setInput(i: number, values: ArrayLike<number>): void {
    this.withTensor('in', i, (t) => {
      if (!t) throw new RangeError(`model has ${this.inputs.length} inputs; no input ${i}`);
      const view = t.data();
      if (values.length !== view.length) {
        throw new RangeError(`input ${i} "${t.name}" has ${view.length} elements, got ${values.length}`);
      }
      view.set(values);
    });
  }

  /** Reads subgraph input `i` (e.g. to look at a variable tensor). */
  getInput(i: number): Float32Array {
    return this.withTensor('in', i, (t) => {
      if (!t) throw new RangeError(`no input ${i}`);
      return Float32Array.from(t.data());
    });
  }

  /** Runs Invoke(). Throws TfliteRuntimeError when the interpreter reports failure. */
  infer(): void {
    this.rt.call('Infer', () => {
      if (!this.runner.Infer()) throw new TfliteRuntimeError('Infer() returned false', this.rt.takeLog());
    });
  }

  /** Reads subgraph output `i` (a copy). */
  getOutput(i: number): RuntimeOutput {
    return this.withTensor('out', i, (t) => {
      if (!t) throw new RangeError(`model has ${this.outputs.length} outputs; no output ${i}`);
      return { name: t.name, dataType: t.dataType, shape: parseShape(t.shape), data: Float32Array.from(t.data()) };
    });
  }

  /** setInput for every given input (in subgraph input order), infer, read every output. */
  run(inputs: readonly ArrayLike<number>[]): RuntimeOutput[] {
    inputs.forEach((v, i) => this.setInput(i, v));
    this.infer();
    return this.outputs.map((_, i) => this.getOutput(i));
  }

  /** Frees the interpreter and the model bytes in WASM memory; later calls throw. Idempotent. */
  delete(): void {
    if (this.deleted) return;
    this.deleted = true;
    this.runner.delete();
    this.rt.free(this.modelPtr);
  }
}

let loading: Promise<TfliteRuntime> | undefined;

/**
 * The TFLite interpreter, compiled to WebAssembly (from the optional peer dependency `@tensorflow/tfjs-tflite`,
 * or the loader set with {@link setTfliteRuntimeLoader}). Load it once with {@link TfliteRuntime.load}.
 * Throws TfliteRuntimeUnavailable when there is no runtime.
 *
 * @example
 * ```ts
 * import { TfliteRuntime } from 'nnlstm/tflite';
 * const rt = await TfliteRuntime.load();
 * const { outputs } = rt.run(bytes, [input, h0, c0]);   // one Invoke, subgraph input order
 * console.log(rt.version, rt.flavor, outputs.map((o) => o.shape));
 * ```
 */
export class TfliteRuntime {
  /** Version of the @tensorflow/tfjs-tflite package the runtime comes from. */
  readonly version: string;
  /** Which build was loaded ("simd" or "plain"). */
  readonly flavor: 'simd' | 'plain';
  private log: string[] = [];
  private aborted = false;

  private constructor(
    private readonly module: TfliteWasmModule,
    version: string,
    flavor: 'simd' | 'plain',
    logSink: { target: TfliteRuntime | undefined },
  ) {
    this.version = version;
    this.flavor = flavor;
    logSink.target = this;
  }

  /** Loads the WASM runtime once per process (a later call after a WASM abort loads a fresh instance). */
  static load(): Promise<TfliteRuntime> {
    if (!loading) {
      loading = TfliteRuntime.instantiate().catch((e: unknown) => {
        loading = undefined;
        throw e;
      });
    }
    return loading;
  }

  private static async instantiate(): Promise<TfliteRuntime> {
    const { version, builds } = await (loader ?? defaultLoader)();
    const errors: string[] = [];
    for (const build of builds) {
      try {
        const sink: { target: TfliteRuntime | undefined } = { target: undefined };
        const early: string[] = [];
        const capture = (...args: unknown[]) => {
          const line = args.map(String).join(' ');
          if (sink.target) sink.target.log.push(line);
          else early.push(line);
        };
        const module = (await build.factory({ wasmBinary: build.wasmBinary, print: () => {}, printErr: capture })) as TfliteWasmModule;
        const rt = new TfliteRuntime(module, version, build.flavor, sink);
        rt.log.push(...early);
        rt.takeLog();
        return rt;
      } catch (e) {
        errors.push(`${build.flavor}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    throw new TfliteRuntimeError('cannot load the TFLite WASM runtime', errors);
  }

  /** @internal Runs a call into WASM; a trap/abort marks this instance dead so the next load() starts afresh. */
  call<T>(what: string, f: () => T): T {
    if (this.aborted) throw new TfliteRuntimeError('the TFLite WASM instance aborted earlier; call TfliteRuntime.load() again', []);
    try {
      return f();
    } catch (e) {
      if (e instanceof TfliteRuntimeError || e instanceof RangeError) throw e;
      this.aborted = true;
      if (loading) loading = undefined;
      throw new TfliteRuntimeError(`${what}: WASM runtime aborted: ${e instanceof Error ? e.message : String(e)}`, this.takeLog());
    }
  }

  /** @internal */
  takeLog(): string[] {
    const l = this.log;
    this.log = [];
    return l;
  }

  /** @internal */
  free(ptr: number): void {
    if (!this.aborted) this.module._free(ptr);
  }

  /**
   * Verifies and compiles a model (keep the result for repeated infer calls; delete() it when done).
   * Throws TfliteFormatError for bytes that fail verification, TfliteRuntimeError when TFLite rejects the model.
   */
  compile(modelBytes: Uint8Array, opts: { numThreads?: number } = {}): CompiledTflite {
    verifyTflite(modelBytes);
    return this.call('CreateFromBufferAndOptions', () => {
      this.takeLog();
      const ptr = this.module._malloc(modelBytes.byteLength);
      this.module.HEAPU8.set(modelBytes, ptr);
      const so = this.module.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, modelBytes.byteLength, {
        numThreads: opts.numThreads ?? 1,
        enableProfiling: false,
        maxProfilingBufferEntries: 1024,
      });
      if (!so.ok()) {
        const msg = so.errorMessage();
        this.module._free(ptr);
        throw new TfliteRuntimeError(`TFLite rejected the model: ${msg}`, this.takeLog());
      }
      // The runner is owned through the StatusOr, as in tfjs-tflite's own client: keep it, delete the runner only.
      const runner = so.value();
      return new CompiledTflite(this, runner, ptr);
    });
  }

  /** Compile, set the inputs (subgraph input order), Infer once, copy all outputs, free. `log` is the runtime's stderr. */
  run(modelBytes: Uint8Array, inputs: readonly ArrayLike<number>[]): { outputs: RuntimeOutput[]; log: string[] } {
    const c = this.compile(modelBytes);
    try {
      const outputs = c.run(inputs);
      return { outputs, log: this.takeLog() };
    } finally {
      c.delete();
    }
  }
}
