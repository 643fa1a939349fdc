/**
 * The `onnxruntime` and `onnxruntime-web` drivers: ONNX Runtime (the native CPU provider of onnxruntime-node, or
 * the WebAssembly build of onnxruntime-web) running each NNAPI model as a written single-node ONNX `LSTM`
 * (./from-nnapi.ts builds it, ./writer.ts writes it). LSTM, UNIDIRECTIONAL_SEQUENCE_LSTM and
 * BIDIRECTIONAL_SEQUENCE_LSTM without aux input.
 *
 * What ONNX LSTM cannot express is `unsupported` with the reasons, each naming the NNAPI feature and the ONNX
 * attribute: projection, layer normalization, cell_clip (ONNX clip bounds the activation inputs), CIFG
 * (ONNX Runtime's input_forget couples f = 1 − i, NNAPI i = 1 − f), relu6, aux inputs, quantized types. Float16
 * models become float16 ONNX nodes: ONNX Runtime's CPU provider has no float16 LSTM kernel and runs them through
 * the Cast nodes its InsertCastTransformer adds (the cell computes in float32). Batch-major NNAPI inputs run through a time-major node
 * with X and Y transposed by the driver (ONNX Runtime refuses layout = 1). The LSTM scratch buffer is not an ONNX
 * output: the driver returns zeros of the declared shape (the suite never compares it).
 *
 * The driver checks only what it needs to lay the ONNX node out (types, shapes, value counts: `BAD_DATA`);
 * beyond that it accepts what ONNX Runtime accepts, so NNAPI-only validity rules show up in the negative cases.
 */
import { isOmitted, withInputValues, type Model } from '../model/model.js';
import type { Capabilities, Driver, ExecuteResult, InputValue, OutputValue, PrepareResult } from '../drivers/driver.js';
import type { DriverUnavailable } from '../drivers/case-hooks.js';
import { onnxFeeds, nnapiOutputs, nnapiToOnnxLstm, type NnapiToOnnxResult, type OnnxIoPlan } from './from-nnapi.js';
import { loadOnnxRuntime, OnnxRuntimeError, OnnxRuntimeUnavailable, type OnnxRuntimeFlavor, type OnnxRuntimeHandle, type OnnxRuntimeSession, type OnnxRuntimeTensor } from './runtime.js';
import { fromFloat16Bits } from '../util/float16.js';
import { singleLstmModel } from './writer.js';

/** A prepared model: the NNAPI model, its conversion, and the session of the bytes written at prepare. */
export interface OnnxPrepared {
  model: Model;
  plan: OnnxIoPlan;
  bytes: Uint8Array;
  session: OnnxRuntimeSession;
}

/** Options of {@link OnnxRuntimeDriver}. */
export interface OnnxRuntimeDriverOptions {
  /** `node` (onnxruntime-node, default) or `web` (onnxruntime-web's WASM build). */
  flavor?: OnnxRuntimeFlavor;
  /** Report name (default `onnxruntime` / `onnxruntime-web`). */
  name?: string;
  /** The NNAPI → ONNX conversion (default nnapiToOnnxLstm); tests pass a broken one to show the suite catches it. */
  convert?: (model: Model) => NnapiToOnnxResult;
}

const OPERATIONS = ['LSTM', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM'] as const;


/** A runtime output as numbers (float16 outputs arrive as binary16 bits). */
function numbers(t: OnnxRuntimeTensor | undefined): ArrayLike<number> | undefined {
  if (!t) return undefined;
  if (t.type === 'float16') return Array.from(t.data as Uint16Array, fromFloat16Bits);
  if (t.data instanceof BigInt64Array) throw new RangeError(`ONNX Runtime output of type ${t.type}, expected float`);
  return t.data;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

const refusalText = (r: Exclude<NnapiToOnnxResult, { ok: true }>) =>
  r.kind === 'unsupported' ? `not expressible as an ONNX LSTM: ${r.reasons.map((x) => x.message).join('; ')}` : `cannot lay the model out as an ONNX LSTM: ${r.message}`;

/**
 * ONNX Runtime as a `Driver`: each model becomes one ONNX LSTM node run by ONNX Runtime's own kernel. Models
 * ONNX cannot express are answered `unsupported` with the reasons. When the runtime package is missing, the
 * driver is unavailable (one line naming the package to install) and the runner ends the run.
 *
 * @example
 * ```ts
 * import { runConformance, formatSummary } from 'nnlstm';
 * import { suiteCases } from 'nnlstm/suite';
 * const report = await runConformance(new OnnxRuntimeDriver({ flavor: 'web' }), suiteCases(), { filter: 'group:sequence' });
 * console.log(formatSummary(report));
 * ```
 */
export class OnnxRuntimeDriver implements Driver<OnnxPrepared> {
  /** `onnxruntime`, `onnxruntime-web`, or the name given. */
  readonly name: string;
  /** Which ONNX Runtime package runs the models. */
  readonly flavor: OnnxRuntimeFlavor;
  private readonly convert: (model: Model) => NnapiToOnnxResult;
  private runtime: OnnxRuntimeHandle | undefined;
  private down: DriverUnavailable | undefined;

  constructor(opts: OnnxRuntimeDriverOptions = {}) {
    this.flavor = opts.flavor ?? 'node';
    this.name = opts.name ?? (this.flavor === 'node' ? 'onnxruntime' : 'onnxruntime-web');
    this.convert = opts.convert ?? nnapiToOnnxLstm;
  }

  private async rt(): Promise<OnnxRuntimeHandle> {
    if (this.runtime) return this.runtime;
    try {
      this.runtime = await loadOnnxRuntime(this.flavor);
      return this.runtime;
    } catch (e) {
      if (e instanceof OnnxRuntimeUnavailable) {
        this.down = {
          kind: 'never-started',
          message: `driver never started: ${e.message}`,
          fault: { kind: 'spawn', phase: 'load', message: e.message, exitCode: null, signal: null, instance: 1 },
        };
      }
      throw e;
    }
  }

  /** Set when the runtime package cannot be loaded: the runner then records every case as not run. */
  unavailable(): DriverUnavailable | undefined {
    return this.down;
  }

  async capabilities(): Promise<Capabilities> {
    const rt = await this.rt();
    return {
      name: this.name,
      version: `${this.flavor === 'node' ? 'onnxruntime-node' : 'onnxruntime-web'} ${rt.version} (${rt.backend})`,
      operations: [...OPERATIONS],
      operandTypes: ['TENSOR_FLOAT32', 'TENSOR_FLOAT16', 'INT32', 'FLOAT32', 'FLOAT16', 'BOOL'],
      featureLevel: 4,
      notes: [
        'one ONNX LSTM node (opset 14, layout 0) written per model; weights as initializers, X / initial_h / initial_c fed',
        'gate rows i, o, f, c; B = [NNAPI biases, zeros]; P = [c→i, c→o, c→f]; activation none = Affine(1, 0)',
        'batch-major inputs: X and Y transposed by the driver around the time-major node (ONNX Runtime refuses layout = 1)',
        'unsupported: projection, layer norm, cell_clip, CIFG, relu6, aux input, quantized types',
        'float16: a float16 ONNX node; ONNX Runtime casts it to float32 (no float16 LSTM kernel on the CPU provider; core/optimizer/insert_cast_transformer.cc)',
        'scratch_buffer is not produced by ONNX (zeros returned; never compared)',
      ],
    };
  }

  async prepare(model: Model): Promise<PrepareResult<OnnxPrepared>> {
    if (model.operations.length !== 1) {
      return { ok: false, status: 'UNAVAILABLE', unsupported: true, message: `the ${this.name} driver runs single-operation models` };
    }
    const conv = this.convert(model);
    if (!conv.ok) {
      return conv.kind === 'unsupported'
        ? { ok: false, status: 'UNAVAILABLE', unsupported: true, message: refusalText(conv) }
        : { ok: false, status: 'BAD_DATA', message: refusalText(conv) };
    }
    let bytes: Uint8Array;
    try {
      bytes = singleLstmModel(conv.spec).bytes;
    } catch (e) {
      return { ok: false, status: 'BAD_DATA', message: `cannot write the ONNX model: ${(e as Error).message}` };
    }
    const rt = await this.rt();
    try {
      const session = await rt.createSession(bytes);
      return { ok: true, prepared: { model, plan: conv.plan, bytes, session } };
    } catch (e) {
      if (e instanceof OnnxRuntimeError) return { ok: false, status: 'BAD_DATA', message: e.message };
      throw e;
    }
  }

  async execute(prepared: OnnxPrepared, inputs: InputValue[]): Promise<ExecuteResult> {
    const model = withInputValues(prepared.model, inputs);
    const conv = this.convert(model);
    if (!conv.ok) return { ok: false, status: 'OP_FAILED', message: refusalText(conv) };
    let session = prepared.session;
    let own: OnnxRuntimeSession | undefined;
    try {
      // Weights passed as model inputs change the initializers: write and load the model afresh then.
      const bytes = singleLstmModel(conv.spec).bytes;
      if (!sameBytes(bytes, prepared.bytes)) {
        own = await (await this.rt()).createSession(bytes);
        session = own;
      }
      const feeds = onnxFeeds(conv.plan, (idx) => {
        const o = model.operands[idx];
        return o === undefined || isOmitted(o) ? null : o.values;
      });
      const out = await session.run(feeds);
      const outputs: OutputValue[] = nnapiOutputs(conv.plan, { Y: numbers(out.Y), Y_h: numbers(out.Y_h), Y_c: numbers(out.Y_c) });
      return { ok: true, outputs };
    } catch (e) {
      if (e instanceof OnnxRuntimeError || e instanceof RangeError) return { ok: false, status: 'OP_FAILED', message: e.message };
      throw e;
    } finally {
      await own?.release();
    }
  }

  release(prepared: OnnxPrepared): void {
    void prepared.session.release().catch(() => undefined);
  }
}
