import type { FeatureLevel, OperandTypeName } from '../model/operand-types.js';
import type { InputValue, Model, OperationType } from '../model/model.js';
import type { Violation } from '../model/violation.js';

/** NNAPI-like result codes (ANeuralNetworks ResultCode names). */
export type DriverStatus = 'BAD_DATA' | 'OP_FAILED' | 'UNAVAILABLE' | 'UNEXPECTED_NULL' | 'OUTPUT_INSUFFICIENT_SIZE';

/** What a driver says about itself (`Driver.capabilities()`); recorded in the conformance report. */
export interface Capabilities {
  /** Implementation name. */
  name: string;
  /** Implementation version (free-form). */
  version: string;
  /** The operations it runs. */
  operations: OperationType[];
  /** The operand types it accepts. */
  operandTypes: OperandTypeName[];
  /** Highest NNAPI feature level it claims (1 = Android 8.1 … 4 = Android 11). */
  featureLevel: FeatureLevel;
  /** Free-form facts about the implementation (e.g. runtime version). */
  notes?: string[];
}

export type { InputValue } from '../model/model.js';

/** One output of an execution. */
export interface OutputValue {
  /** Model operand index of this output. */
  index: number;
  /** The actual shape, e.g. `[batch_size, output_size]`. */
  dimensions: number[];
  /** Row-major values in the operand's type (float16 outputs hold binary16 values; quantized outputs the raw integers). */
  values: ArrayLike<number>;
}

/**
 * What prepare answers: the driver's handle for the prepared model, or a refusal. A refusal of an invalid
 * model is `BAD_DATA` (with `violations` when the driver knows the rules); `unsupported: true` means a valid
 * model this driver cannot run (recorded as unsupported, not as a failure).
 */
export type PrepareResult<P> =
  | {
      ok: true;
      /** The driver's handle, passed back to execute and release. */
      prepared: P;
    }
  | {
      ok: false;
      /** `BAD_DATA` for an invalid model; `UNAVAILABLE` with `unsupported` for one the driver cannot run. */
      status: DriverStatus;
      /** Why, for a person. */
      message: string;
      /** The rules the model breaks, when the driver knows them. */
      violations?: Violation[];
      /** A valid model this driver cannot run (recorded as unsupported). */
      unsupported?: boolean;
    };

/** What execute answers: every model output, or a failure status. */
export type ExecuteResult =
  | {
      ok: true;
      /** Every model output (any order). */
      outputs: OutputValue[];
    }
  | {
      ok: false;
      /** NNAPI result code name. */
      status: DriverStatus;
      /** Why, for a person. */
      message: string;
    };

/**
 * A driver: three verbs, as an NNAPI HAL has them.
 * prepare() compiles a model (constants included); execute() runs it on the model inputs.
 * A driver that cannot express a model answers prepare with `unsupported: true` and says why.
 */
export interface Driver<P = unknown> {
  /** The name in reports, e.g. `reference`, `reference-fast`, `exec:my_driver`. */
  readonly name: string;
  /** The driver's self-description. */
  capabilities(): Promise<Capabilities>;
  /** Validates and compiles a model (its constants included). */
  prepare(model: Model): Promise<PrepareResult<P>>;
  /** Runs a prepared model; `inputs` are aligned with `model.inputIndexes`, `null` for an omitted operand (`modelInputValues(model)` of `'nnlstm'` gives a model's own example inputs). */
  execute(prepared: P, inputs: InputValue[]): Promise<ExecuteResult>;
  /** Frees a prepared model; the runner calls it after each case. */
  release?(prepared: P): void;
  /** Frees the driver (ends a child process, …); call it when done. */
  close?(): Promise<void>;
  /**
   * A defect the implementation declares for this model (a vendor's waiver, e.g. a known runtime
   * bug): `id` and why. The report names it on a failing case; it never turns a failure into a pass.
   */
  knownDeviation?(model: Model): { id: string; description: string } | undefined;
}
