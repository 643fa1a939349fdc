/**
 * The `reference` driver: the float LSTM of facts §C.1/§C.2 in plain TypeScript, and the float
 * UNIDIRECTIONAL_SEQUENCE_LSTM / BIDIRECTIONAL_SEQUENCE_LSTM built on it (facts §C.3).
 * Options let deliberately buggy "mutant" drivers reuse it with one kernel entry overridden.
 */

import { isOmitted, type Model, type Operation } from '../model/model.js';
import type { FeatureLevel } from '../model/operand-types.js';
import type { Violation } from '../model/violation.js';
import { validateModel, type ValidationOutcome } from '../ops/lstm/validate.js';
import { validateModel as validateAnyModel } from '../ops/validate.js';
import { bindLstm, findLstmOperation, lstmOutputOperand, lstmOutputRoles } from '../ops/lstm/bind.js';
import type { StepKernel } from '../ops/lstm/cell.js';
import { createLstmOutputs, createLstmWorkspace, lstmOutputDimensions, lstmStepInto, type ActivationNoneVariant, type LstmStepOptions } from '../ops/lstm/execute.js';
import { LSTM_OUT, type LstmOutputName } from '../ops/lstm/operands.generated.js';
import { bidirectionalSequenceLstm, biSequenceLstmOutputDimensions } from '../ops/sequence/bidirectional.js';
import { bindSequenceLstm, isSequenceOperationType, type BoundSequenceLstm } from '../ops/sequence/bind.js';
import { unidirectionalSequenceLstm, uniSequenceLstmOutputDimensions } from '../ops/sequence/unidirectional.js';
import { fastLstmStep } from '../ops/fast/lstm-fast.js';
import { fastBidirectionalSequenceLstm, fastUnidirectionalSequenceLstm, type FastOptions } from '../ops/fast/sequence-fast.js';
import { roundArrayToFloat16 } from '../util/float16.js';
import { FastSession } from './fast-session.js';
import { executeQuantized, isQuantizedOperationType, type QuantizedOptions } from './quantized.js';
import type { Capabilities, Driver, ExecuteResult, InputValue, OutputValue, PrepareResult } from './driver.js';

export type { ValidationOutcome };
/** What a validator answers for any of the driver's operations (LSTM's ValidationOutcome is one). */
export type ModelValidationOutcome =
  | { ok: true; variant: object; featureLevel: FeatureLevel }
  | { ok: false; violations: Violation[] };
/** A model validator the reference driver consults at prepare (default: the spec's, src/ops/validate.ts). */
export type Validator = (model: Model) => ModelValidationOutcome;

/** Options of {@link ReferenceDriver}. */
export interface ReferenceDriverOptions {
  /** Driver name (mutants pass their own). Default 'reference', also with `fast` (pass 'reference-fast' to tell them apart in reports). */
  name?: string;
  /** Replacement step-kernel entries (deliberately buggy mutant drivers); plain path only. */
  kernel?: StepKernel;
  /** Activation 0 (none): 'documented' (m = o ⊙ C_t, the default) or 'aosp-code' (m = o ⊙ z_c, as AOSP's and TFLite's code). */
  activationNoneVariant?: ActivationNoneVariant;
  /** Round float16 models' outputs to binary16 (as an fp16 output buffer would). Default true. */
  roundFloat16Outputs?: boolean;
  /**
   * Model validator; default: LSTM → validateModel of ops/lstm/validate.ts (spec/LSTM.json rules);
   * sequence ops → validateModel of ops/validate.ts (dispatch by operation type).
   */
  validator?: Validator;
  /** Integer decisions of QUANTIZED_LSTM / QUANTIZED_16BIT_LSTM (mutants override one; src/drivers/quantized.ts). */
  quantized?: QuantizedOptions;
  /**
   * Execute on the fast path (src/ops/fast/: WebAssembly SIMD matrix products, all-steps input
   * projection; same semantics within the conformance tolerance). true = default FastOptions.
   * Not combinable with `kernel` (mutants use the plain path). Driver name 'reference-fast'.
   * With `threads`, each prepared model keeps its plan (packed weights and worker threads) from its
   * first execution on; {@link ReferenceDriver.release} or {@link ReferenceDriver.close} stops them.
   */
  fast?: boolean | FastOptions;
}

/** The reference driver's handle for a prepared model. */
export interface ReferencePrepared {
  /** The model as prepared. */
  model: Model;
  /** Its one operation. */
  operation: Operation;
  /** The NNAPI feature level the model needs. */
  featureLevel: number;
  /** The validator's description of the variant (LstmVariant from validate.ts). */
  variant: object;
}

const OUTPUT_INDEX_OF: Record<LstmOutputName, number> = LSTM_OUT;

/**
 * The reference implementation as a {@link Driver}: validates each model against the spec at prepare
 * (invalid models get `BAD_DATA` with every violation) and runs LSTM, the sequence ops and the quantized
 * ops on the caller's thread, plain or on the WebAssembly fast path. It is the driver the suite's expected
 * values are checked with; for named inputs and outputs use {@link prepareModel} instead.
 *
 * @example
 * ```ts
 * import { ReferenceDriver, modelInputValues, parseModel } from 'nnlstm';
 * const driver = new ReferenceDriver({ name: 'reference-fast', fast: true });
 * const model = parseModel(json);
 * const p = await driver.prepare(model);
 * if (!p.ok) throw new Error(`${p.status}: ${p.message}`);
 * const r = await driver.execute(p.prepared, modelInputValues(model)); // the model's own example inputs
 * if (r.ok) for (const o of r.outputs) console.log(model.operands[o.index]!.name, o.dimensions, o.values);
 * ```
 */
export class ReferenceDriver implements Driver<ReferencePrepared> {
  /** `options.name`, default 'reference'. */
  readonly name: string;
  private readonly opts: ReferenceDriverOptions;
  private readonly validator: Validator | undefined;
  /** With fast threads: each prepared model's kept plan and workers (made at its first execution). */
  private readonly sessions = new Map<ReferencePrepared, FastSession>();
  private readonly released = new WeakSet<ReferencePrepared>();

  /** @throws ThreadsUnavailableError (or the spawner's own error) when `fast.threads` cannot run here. */
  constructor(options: ReferenceDriverOptions = {}) {
    this.opts = options;
    this.name = options.name ?? (options.fast ? 'reference-fast' : 'reference');
    this.validator = options.validator;
    if (options.fast && options.kernel) throw new Error('ReferenceDriver: the fast path takes no custom step kernel');
    // An environment that cannot run the threads (a page's main thread, no cross-origin isolation)
    // is told at once, before any model, with the spawner's own explanation.
    if (typeof options.fast === 'object') options.fast.threads?.spawn.check?.();
  }

  /** The fast path's options, or null on the plain path. */
  private fastOptions(): FastOptions | null {
    const f = this.opts.fast;
    if (!f) return null;
    const base: FastOptions = f === true ? {} : f;
    return this.opts.activationNoneVariant ? { ...base, activationNoneVariant: this.opts.activationNoneVariant } : base;
  }

  /** The reference's self-description. */
  async capabilities(): Promise<Capabilities> {
    return {
      name: this.name,
      version: '0.1.0',
      operations: ['LSTM', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM', 'QUANTIZED_LSTM', 'QUANTIZED_16BIT_LSTM'],
      operandTypes: ['TENSOR_FLOAT32', 'TENSOR_FLOAT16', 'INT32', 'FLOAT32', 'FLOAT16', 'TENSOR_INT32', 'TENSOR_QUANT8_ASYMM', 'TENSOR_QUANT8_ASYMM_SIGNED', 'TENSOR_QUANT8_SYMM', 'TENSOR_QUANT16_SYMM'],
      featureLevel: 4,
      notes: [
        'float32 arithmetic; float16 models widened to float32, outputs rounded to binary16 once',
        `activation 0: ${this.opts.activationNoneVariant ?? 'documented'} variant`,
        ...(this.opts.fast ? ['fast path: WebAssembly SIMD128 matrix products (bit-identical order), float32 SIMD exp/σ/tanh'] : []),
      ],
    };
  }

  /** Validates the model (BAD_DATA with every violation when it breaks a rule); a model of several or no LSTM-family operations is unsupported. */
  async prepare(model: Model): Promise<PrepareResult<ReferencePrepared>> {
    return this.prepareSync(model);
  }

  /** Runs a prepared model on inputs aligned with `model.inputIndexes` (`null`, or the model's empty values, for an omitted operand). */
  async execute(prepared: ReferencePrepared, inputs: InputValue[]): Promise<ExecuteResult> {
    return this.executeSync(prepared, inputs);
  }

  /** Frees a prepared model: with fast threads, stops its workers. Executing it afterwards fails (BAD_DATA). */
  release(prepared: ReferencePrepared): void {
    this.released.add(prepared);
    this.sessions.get(prepared)?.close();
    this.sessions.delete(prepared);
  }

  /** Releases every prepared model's workers (fast threads); the driver can prepare new models afterwards. */
  async close(): Promise<void> {
    for (const [prepared, s] of this.sessions) {
      s.close();
      this.released.add(prepared);
    }
    this.sessions.clear();
  }

  /** With fast threads: the prepared model's kept plan, made at its first execution; else null. */
  private session(prepared: ReferencePrepared): FastSession | null {
    const fast = this.fastOptions();
    if (!fast?.threads) return null;
    let s = this.sessions.get(prepared);
    if (!s) this.sessions.set(prepared, (s = new FastSession(prepared.model, prepared.operation, { ...fast, threads: fast.threads })));
    return s;
  }

  /**
   * Worker threads of a prepared model's kept plan and the chunks of matrix products they have
   * computed (fast threads only; zeros otherwise).
   * @internal for tests
   */
  threadStats(prepared: ReferencePrepared): { workers: number; workerChunks: number } {
    const s = this.sessions.get(prepared);
    return { workers: s?.workers ?? 0, workerChunks: s?.workerChunks ?? 0 };
  }

  /** prepare() without the promise: the reference computes on the caller's thread anyway. */
  prepareSync(model: Model): PrepareResult<ReferencePrepared> {
    let operation: Operation;
    try {
      if (model.operations.length !== 1) throw new Error(`expected a single-operation model, found ${model.operations.length} operations`);
      const type = model.operations[0]!.type;
      operation = isSequenceOperationType(type) || isQuantizedOperationType(type) ? model.operations[0]! : findLstmOperation(model);
    } catch (e) {
      return { ok: false, status: 'UNAVAILABLE', message: (e as Error).message, unsupported: true };
    }
    const defaultValidator: Validator = operation.type === 'LSTM' ? validateModel : validateAnyModel;
    const outcome = (this.validator ?? defaultValidator)(model);
    if (!outcome.ok) {
      return { ok: false, status: 'BAD_DATA', message: `model rejected (${outcome.violations.length} violation(s))`, violations: outcome.violations };
    }
    return { ok: true, prepared: { model, operation, featureLevel: outcome.featureLevel, variant: outcome.variant } };
  }

  /** execute() without the promise. */
  executeSync(prepared: ReferencePrepared, given: readonly InputValue[]): ExecuteResult {
    const { model, operation } = prepared;
    if (this.released.has(prepared)) return { ok: false, status: 'BAD_DATA', message: 'the prepared model was released (closed); prepare it again' };
    if (given.length !== model.inputIndexes.length) {
      return { ok: false, status: 'BAD_DATA', message: `${given.length} inputs given, model has ${model.inputIndexes.length}` };
    }
    // An operand the model omits may come as its (empty) values from the model file, as well as null.
    const inputs = given.map((v, k) => (v !== null && v.length === 0 && isOmitted(model.operands[model.inputIndexes[k]!]!) ? null : v));
    if (isSequenceOperationType(operation.type)) return this.executeSequence(prepared, inputs);
    if (isQuantizedOperationType(operation.type)) return executeQuantized(model, inputs, this.opts.quantized);
    try {
      const bound = bindLstm(model, inputs);
      const fast = this.fastOptions();
      const session = this.session(prepared);
      const out = session ? session.lstm(bound.shape, bound.tensors) : fast ? fastLstmStep(bound.shape, bound.tensors, fast) : createLstmOutputs(bound.shape);
      if (!fast) {
        lstmStepInto(createLstmWorkspace(bound.shape), bound.shape, bound.tensors, out, {
          kernel: this.opts.kernel,
          activationNoneVariant: this.opts.activationNoneVariant,
        });
      }
      const byRole: Record<LstmOutputName, Float32Array> = {
        scratch_buffer: out.scratchBuffer,
        output_state_out: out.outputStateOut,
        cell_state_out: out.cellStateOut,
        output: out.output,
      };
      // Float16: state stayed float32 throughout; only the delivered outputs are rounded (§C.2).
      if (bound.dtype === 'float16' && this.opts.roundFloat16Outputs !== false) {
        for (const a of Object.values(byRole)) roundArrayToFloat16(a);
      }
      const dims = lstmOutputDimensions(bound.shape);
      const outputs: OutputValue[] = lstmOutputRoles(model, operation).map((role) => ({
        index: lstmOutputOperand(operation, role),
        dimensions: dims[OUTPUT_INDEX_OF[role]]!,
        values: byRole[role],
      }));
      return { ok: true, outputs };
    } catch (e) {
      return { ok: false, status: 'OP_FAILED', message: (e as Error).message };
    }
  }
  private stepOptions(): LstmStepOptions {
    return { kernel: this.opts.kernel, activationNoneVariant: this.opts.activationNoneVariant };
  }

  /** UNIDIRECTIONAL_SEQUENCE_LSTM / BIDIRECTIONAL_SEQUENCE_LSTM: every model output, in model.outputIndexes order. */
  private executeSequence(prepared: ReferencePrepared, inputs: readonly InputValue[]): ExecuteResult {
    const { model } = prepared;
    try {
      const bound: BoundSequenceLstm = bindSequenceLstm(model, inputs);
      const session = this.session(prepared);
      const byRole = new Map<string, { values: Float32Array; dimensions: number[] }>();
      if (bound.kind === 'UNIDIRECTIONAL_SEQUENCE_LSTM') {
        const fast = this.fastOptions();
        const out = session
          ? session.uni(bound.shape, bound.tensors)
          : fast
            ? fastUnidirectionalSequenceLstm(bound.shape, bound.tensors, fast)
            : unidirectionalSequenceLstm(bound.shape, bound.tensors, this.stepOptions());
        const [outDims, hDims, cDims] = uniSequenceLstmOutputDimensions(bound.shape);
        byRole.set('output', { values: out.output, dimensions: outDims });
        byRole.set('output_state_out', { values: out.outputStateOut, dimensions: hDims });
        byRole.set('cell_state_out', { values: out.cellStateOut, dimensions: cDims });
      } else {
        const fast = this.fastOptions();
        const out = session
          ? session.bi(bound.shape, bound.tensors)
          : fast
            ? fastBidirectionalSequenceLstm(bound.shape, bound.tensors, fast)
            : bidirectionalSequenceLstm(bound.shape, bound.tensors, this.stepOptions());
        const dims = biSequenceLstmOutputDimensions(bound.shape);
        byRole.set('fw_output', { values: out.fwOutput, dimensions: dims.fw_output });
        if (out.bwOutput !== null && dims.bw_output !== null) byRole.set('bw_output', { values: out.bwOutput, dimensions: dims.bw_output });
        byRole.set('fw_output_state_out', { values: out.fwOutputStateOut, dimensions: dims.fw_output_state_out });
        byRole.set('fw_cell_state_out', { values: out.fwCellStateOut, dimensions: dims.fw_cell_state_out });
        byRole.set('bw_output_state_out', { values: out.bwOutputStateOut, dimensions: dims.bw_output_state_out });
        byRole.set('bw_cell_state_out', { values: out.bwCellStateOut, dimensions: dims.bw_cell_state_out });
      }
      // Float16: state stayed float32 across all steps; only the delivered outputs are rounded (§C.2).
      const roundOutputs = bound.dtype === 'float16' && this.opts.roundFloat16Outputs !== false;
      const outputs: OutputValue[] = model.outputIndexes.map((index, k) => {
        const role = bound.outputRoles[k]!;
        const r = byRole.get(role);
        if (r === undefined) throw new Error(`${bound.kind}: output ${role} is not produced by this configuration`);
        if (roundOutputs) roundArrayToFloat16(r.values);
        return { index, dimensions: r.dimensions, values: r.values };
      });
      return { ok: true, outputs };
    } catch (e) {
      return { ok: false, status: 'OP_FAILED', message: (e as Error).message };
    }
  }
}
