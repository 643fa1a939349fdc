import type { FeatureLevel, OperandTypeName } from '../model/operand-types.js';
import type { InputValue, Model, OperationType } from '../model/model.js';
import type { Violation } from '../model/violation.js';

/** NNAPI-like result codes (ANeuralNetworks ResultCode names). */
export type DriverStatus = 'BAD_DATA' | 'OP_FAILED' | 'UNAVAILABLE' | 'UNEXPECTED_NULL' | 'OUTPUT_INSUFFICIENT_SIZE';

export interface Capabilities {
  name: string;
  version: string;
  operations: OperationType[];
  operandTypes: OperandTypeName[];
  featureLevel: FeatureLevel;
  /** Free-form facts about the implementation (e.g. runtime version). */
  notes?: string[];
}

export type { InputValue } from '../model/model.js';

export interface OutputValue {
  /** Model operand index of this output. */
  index: number;
  dimensions: number[];
  values: ArrayLike<number>;
}

export type PrepareResult<P> =
  | { ok: true; prepared: P }
  | { ok: false; status: DriverStatus; message: string; violations?: Violation[]; unsupported?: boolean };

export type ExecuteResult =
  | { ok: true; outputs: OutputValue[] }
  | { ok: false; status: DriverStatus; message: string };

/**
 * A driver: three verbs, as an NNAPI HAL has them.
 * prepare() compiles a model (constants included); execute() runs it on the model inputs.
 * A driver that cannot express a model answers prepare with `unsupported: true` and says why.
 */
export interface Driver<P = unknown> {
  readonly name: string;
  capabilities(): Promise<Capabilities>;
  prepare(model: Model): Promise<PrepareResult<P>>;
  execute(prepared: P, inputs: InputValue[]): Promise<ExecuteResult>;
  release?(prepared: P): void;
  close?(): Promise<void>;
  /**
   * A defect the implementation declares for this model (a vendor's waiver, e.g. a known runtime
   * bug): `id` and why. The report names it on a failing case; it never turns a failure into a pass.
   */
  knownDeviation?(model: Model): { id: string; description: string } | undefined;
}
