/**
 * The library's way to run a model: validate once (prepare), then run as often as needed with inputs and
 * outputs keyed by operand name. Runs on the reference driver, plain or fast path, synchronously.
 */
import { isOmitted, type InputValue, type Model, type OperationType } from '../model/model.js';
import type { FeatureLevel } from '../model/operand-types.js';
import { formatViolation, type Violation } from '../model/violation.js';
import { buildModel, type BuildModelOptions, type OperandInit } from '../ops/build-model.js';
import type { ActivationNoneVariant } from '../ops/lstm/execute.js';
import type { FastOptions } from '../ops/fast/plan.js';
import type { Variant } from '../ops/validate.js';
import { roundToFloat16 } from '../util/float16.js';
import { ReferenceDriver, type ReferencePrepared } from './reference.js';

/** An output tensor: its dimensions and values (Float32Array for float ops; Int8/Int16/Uint8Array for quantized ones). */
export interface Tensor {
  /** Shape, e.g. `[batch_size, output_size]`. */
  dimensions: number[];
  /** Row-major values; quantized outputs hold the raw integers (dequantize with the operand's scale and zeroPoint). */
  values: Float32Array | Int8Array | Int16Array | Uint8Array | Int32Array;
}

/** Values of the model's inputs by operand name; `null` (or leaving it out) for an omitted optional operand. */
export type NamedInputs = Readonly<Record<string, ArrayLike<number> | null | undefined>>;

/** The model's outputs by operand name. */
export type NamedOutputs = Record<string, Tensor>;

/** Options of {@link prepareModel} (and {@link compute}). */
export interface PrepareModelOptions {
  /**
   * Run on the WebAssembly SIMD fast path (same semantics, same tolerance). Default false.
   * `{ threads: { count, spawn } }` splits the matrix products across worker threads (same results
   * bit for bit as one thread): the prepared model keeps its packed weights and its workers from the
   * first run on, until {@link PreparedModel.close}.
   */
  fast?: boolean | FastOptions;
  /** Activation 0 (none): 'documented' (m = o ⊙ C_t, the default) or 'aosp-code' (m = o ⊙ z_c, as AOSP's and TFLite's code). */
  activationNone?: ActivationNoneVariant;
}

/**
 * A model the spec rejects: every violation, each with rule id, operand index and name. Thrown by
 * {@link prepareModel} and {@link compute}; use {@link validateModel} to get the verdict as a value instead.
 *
 * @example
 * ```ts
 * import { prepareModel, ModelValidationError, formatViolation } from 'nnlstm';
 * try {
 *   prepareModel(model);
 * } catch (e) {
 *   if (e instanceof ModelValidationError) for (const v of e.violations) console.error(formatViolation(v));
 * }
 * ```
 */
export class ModelValidationError extends Error {
  /** `'ModelValidationError'`, for telling errors apart without instanceof (e.g. across bundles). */
  override readonly name = 'ModelValidationError';
  constructor(
    /** Every rule the model breaks (never empty). */
    readonly violations: readonly Violation[],
  ) {
    super(`invalid model: ${violations.length} violation(s)\n  ${violations.map(formatViolation).join('\n  ')}`);
  }
}

/**
 * A failure while running a prepared model (an input of the wrong size, …), with the driver's status.
 *
 * @example
 * ```ts
 * import { prepareModel, ExecutionError } from 'nnlstm';
 * try {
 *   prepareModel(model).run({});        // a model input is missing
 * } catch (e) {
 *   if (e instanceof ExecutionError) console.error(e.status, e.message); // UNEXPECTED_NULL input 'input' (operand 0) is missing
 * }
 * ```
 */
export class ExecutionError extends Error {
  /** `'ExecutionError'`, for telling errors apart without instanceof (e.g. across bundles). */
  override readonly name = 'ExecutionError';
  constructor(
    message: string,
    /** NNAPI result code name: `BAD_DATA`, `UNEXPECTED_NULL`, `OP_FAILED`, … */
    readonly status: string,
  ) {
    super(message);
  }
}

const asTensorValues = (v: ArrayLike<number>): Tensor['values'] =>
  v instanceof Float32Array || v instanceof Int8Array || v instanceof Int16Array || v instanceof Uint8Array || v instanceof Int32Array ? v : Float32Array.from(v);

/**
 * A validated model, ready to run many times; made by {@link prepareModel}.
 *
 * @example
 * ```ts
 * import { prepareModel } from 'nnlstm';
 * const prepared = prepareModel(model);
 * console.log(prepared.inputNames);                      // e.g. ['input', 'output_state_in', 'cell_state_in']
 * let h = new Float32Array(B * O), c = new Float32Array(B * N);
 * for (const x of steps) {
 *   const out = prepared.run({ input: x, output_state_in: h, cell_state_in: c });
 *   h = out.output_state_out!.values as Float32Array;
 *   c = out.cell_state_out!.values as Float32Array;
 * }
 * ```
 */
export class PreparedModel {
  /** NNAPI feature level the model needs (1 = Android 8.1 … 4 = Android 11). */
  readonly featureLevel: FeatureLevel;
  /** What the validator read from the model: operation, dtype, sizes and features. */
  readonly variant: Variant;
  /** Names of the model inputs, in model.inputIndexes order. */
  readonly inputNames: readonly string[];
  /** Names of the model outputs, in model.outputIndexes order. */
  readonly outputNames: readonly string[];
  private readonly known: ReadonlySet<string>;
  private readonly inputOmitted: readonly boolean[];
  private readonly inputFloat16: readonly boolean[];
  private closed = false;

  /** @internal use prepareModel() */
  constructor(
    /** The model as given to prepareModel. */
    readonly model: Model,
    private readonly driver: ReferenceDriver,
    private readonly prepared: ReferencePrepared,
  ) {
    this.featureLevel = prepared.featureLevel as FeatureLevel;
    this.variant = prepared.variant as Variant;
    const operand = (i: number) => model.operands[i]!;
    this.inputNames = model.inputIndexes.map((i) => operand(i).name);
    this.known = new Set(this.inputNames);
    this.outputNames = model.outputIndexes.map((i) => operand(i).name);
    this.inputOmitted = model.inputIndexes.map((i) => isOmitted(operand(i)));
    this.inputFloat16 = model.inputIndexes.map((i) => operand(i).type === 'TENSOR_FLOAT16' || operand(i).type === 'FLOAT16');
  }

  /**
   * Runs the model once. Every model input that is not omitted must be given by name; float16 inputs are
   * rounded to binary16 as a float16 buffer would hold them.
   * @throws ExecutionError naming the input that is missing, unknown or of the wrong size; `BAD_STATE` after {@link PreparedModel.close}.
   */
  run(inputs: NamedInputs): NamedOutputs {
    if (this.closed) throw new ExecutionError('the prepared model was closed: prepare the model again to run it', 'BAD_STATE');
    for (const name of Object.keys(inputs)) {
      if (!this.known.has(name)) throw new ExecutionError(`unknown input '${name}' (model inputs: ${this.inputNames.join(', ') || 'none'})`, 'BAD_DATA');
    }
    const values: InputValue[] = this.inputNames.map((name, k) => {
      const v = inputs[name];
      if (v === undefined || v === null) {
        if (this.inputOmitted[k]) return null;
        throw new ExecutionError(`input '${name}' (operand ${this.model.inputIndexes[k]}) is missing`, 'UNEXPECTED_NULL');
      }
      return this.inputFloat16[k] ? Array.from(v, roundToFloat16) : v;
    });
    const r = this.driver.executeSync(this.prepared, values);
    if (!r.ok) throw new ExecutionError(r.message, r.status);
    const out: NamedOutputs = {};
    for (const o of r.outputs) out[this.model.operands[o.index]!.name] = { dimensions: o.dimensions, values: asTensorValues(o.values) };
    return out;
  }

  /**
   * Frees the prepared model: with `fast: { threads }`, stops its worker threads. Idempotent; run()
   * afterwards throws (`BAD_STATE`). Without threads there is nothing to free, but the same holds.
   *
   * @example
   * ```ts
   * import { prepareModel } from 'nnlstm';
   * import { nodeWorkerSpawner } from 'nnlstm/node';
   * const prepared = prepareModel(model, { fast: { threads: { count: 2, spawn: nodeWorkerSpawner } } });
   * try {
   *   const { output } = prepared.run({ input, output_state_in: h, cell_state_in: c });
   * } finally {
   *   prepared.close();
   * }
   * ```
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.driver.release(this.prepared);
  }

  /**
   * The kept plan's worker threads and the chunks of matrix products they computed (fast threads).
   * @internal for tests
   */
  get threadStats(): { workers: number; workerChunks: number } {
    return this.driver.threadStats(this.prepared);
  }
}

/**
 * Validates a model against the spec and prepares it on the reference driver.
 *
 * @example
 * ```ts
 * import { prepareModel } from 'nnlstm';
 * const prepared = prepareModel(model, { fast: true });
 * console.log(prepared.featureLevel); // e.g. 1
 * const { output, cell_state_out } = prepared.run({ input, output_state_in: h, cell_state_in: c });
 * ```
 * @throws ModelValidationError listing every violation (rule id, operand index and name).
 * @throws ThreadsUnavailableError when `fast.threads` cannot run here (browserWorkerSpawner on a page's main thread, or without cross-origin isolation).
 */
export function prepareModel(model: Model, options: PrepareModelOptions = {}): PreparedModel {
  const driver = new ReferenceDriver({
    name: options.fast ? 'reference-fast' : 'reference',
    ...(options.fast ? { fast: options.fast } : {}),
    ...(options.activationNone ? { activationNoneVariant: options.activationNone } : {}),
  });
  const p = driver.prepareSync(model);
  if (!p.ok) {
    if (p.violations?.length) throw new ModelValidationError(p.violations);
    throw new ExecutionError(p.message, p.status);
  }
  return new PreparedModel(model, driver, p.prepared);
}

/**
 * One call: builds the model from operands by name (every tensor with its values), validates it and runs it.
 *
 * @example
 * ```ts
 * import { compute } from 'nnlstm';
 * const { output } = compute('LSTM', { input: { dimensions: [1, 3], values: x }, ...weights, activation: 4, cell_clip: 0, proj_clip: 0 });
 * ```
 */
export function compute(operation: OperationType, operands: Readonly<Record<string, OperandInit>>, options: BuildModelOptions & PrepareModelOptions = {}): NamedOutputs {
  const prepared = prepareModel(buildModel(operation, operands, options), options);
  try {
    return prepared.run({});
  } finally {
    prepared.close();
  }
}
