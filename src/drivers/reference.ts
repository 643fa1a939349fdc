/**
 * The `reference` driver: the float LSTM of facts §C.1/§C.2 in plain TypeScript.
 * Options let deliberately buggy "mutant" drivers reuse it with one kernel entry overridden.
 */

import type { Model, Operation } from '../model/model.js';
import { validateModel, type ValidationOutcome } from '../ops/lstm/validate.js';
import { bindLstm, findLstmOperation, lstmOutputOperand, lstmOutputRoles } from '../ops/lstm/bind.js';
import type { StepKernel } from '../ops/lstm/cell.js';
import { createLstmOutputs, createLstmWorkspace, lstmOutputDimensions, lstmStepInto, type ActivationNoneVariant } from '../ops/lstm/execute.js';
import { LSTM_OUT, type LstmOutputName } from '../ops/lstm/operands.generated.js';
import { roundArrayToFloat16 } from '../util/float16.js';
import type { Capabilities, Driver, ExecuteResult, InputValue, OutputValue, PrepareResult } from './driver.js';

export type { ValidationOutcome };
export type Validator = (model: Model) => ValidationOutcome;

export interface ReferenceDriverOptions {
  /** Driver name (mutants pass their own). Default 'reference'. */
  name?: string;
  kernel?: StepKernel;
  activationNoneVariant?: ActivationNoneVariant;
  /** Round float16 models' outputs to binary16 (as an fp16 output buffer would). Default true. */
  roundFloat16Outputs?: boolean;
  /** Model validator; default: validateModel (spec/LSTM.json rules). */
  validator?: Validator;
}

export interface ReferencePrepared {
  model: Model;
  operation: Operation;
  featureLevel: number;
  /** The validator's description of the variant (LstmVariant from validate.ts). */
  variant: object;
}

const OUTPUT_INDEX_OF: Record<LstmOutputName, number> = LSTM_OUT;

export class ReferenceDriver implements Driver<ReferencePrepared> {
  readonly name: string;
  private readonly opts: ReferenceDriverOptions;
  private readonly validator: Validator | undefined;

  constructor(options: ReferenceDriverOptions = {}) {
    this.opts = options;
    this.name = options.name ?? 'reference';
    this.validator = options.validator;
  }

  async capabilities(): Promise<Capabilities> {
    return {
      name: this.name,
      version: '0.1.0',
      operations: ['LSTM'],
      operandTypes: ['TENSOR_FLOAT32', 'TENSOR_FLOAT16', 'INT32', 'FLOAT32', 'FLOAT16'],
      featureLevel: 3,
      notes: [
        'float32 arithmetic; float16 models widened to float32, outputs rounded to binary16 once',
        `activation 0: ${this.opts.activationNoneVariant ?? 'documented'} variant`,
      ],
    };
  }

  async prepare(model: Model): Promise<PrepareResult<ReferencePrepared>> {
    let operation: Operation;
    try {
      if (model.operations.length !== 1) throw new Error(`expected a single-operation model, found ${model.operations.length} operations`);
      operation = findLstmOperation(model);
    } catch (e) {
      return { ok: false, status: 'UNAVAILABLE', message: (e as Error).message, unsupported: true };
    }
    const outcome = (this.validator ?? validateModel)(model);
    if (!outcome.ok) {
      return { ok: false, status: 'BAD_DATA', message: `model rejected (${outcome.violations.length} violation(s))`, violations: outcome.violations };
    }
    return { ok: true, prepared: { model, operation, featureLevel: outcome.featureLevel, variant: outcome.variant } };
  }

  async execute(prepared: ReferencePrepared, inputs: InputValue[]): Promise<ExecuteResult> {
    const { model, operation } = prepared;
    if (inputs.length !== model.inputIndexes.length) {
      return { ok: false, status: 'BAD_DATA', message: `${inputs.length} inputs given, model has ${model.inputIndexes.length}` };
    }
    try {
      const bound = bindLstm(model, inputs);
      const out = createLstmOutputs(bound.shape);
      lstmStepInto(createLstmWorkspace(bound.shape), bound.shape, bound.tensors, out, {
        kernel: this.opts.kernel,
        activationNoneVariant: this.opts.activationNoneVariant,
      });
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
}
