/**
 * An operation's operands by the names its spec gives its inputs and outputs: the lookups every
 * validator needs (model index, operand, presence, the `at` of a violation).
 */
import { isOmitted, type Model, type Operand } from '../model/model.js';

export class NamedOperands {
  private readonly inputPos: ReadonlyMap<string, number>;
  constructor(
    readonly model: Model,
    readonly op: { inputs: number[]; outputs: number[] },
    /** Input names by position. */
    readonly inputNames: readonly string[],
    /** Output names by position (a validator may rename them once it knows the signature). */
    public outputNames: readonly string[],
  ) {
    this.inputPos = new Map(inputNames.map((n, i) => [n, i]));
  }
  /** Model operand index of a named input (undefined when the operation has fewer inputs). */
  indexOf(name: string): number | undefined {
    const p = this.inputPos.get(name);
    if (p === undefined) throw new Error(`internal: no input '${name}'`);
    return this.op.inputs[p];
  }
  in(name: string): Operand | undefined {
    const i = this.indexOf(name);
    return i === undefined ? undefined : this.model.operands[i];
  }
  has(name: string): boolean {
    const o = this.in(name);
    return o !== undefined && !isOmitted(o);
  }
  /** Where a violation about a named input points. */
  at(name: string, extra: { expected?: string; actual?: string } = {}) {
    return { index: this.indexOf(name), name, ...extra };
  }
  out(k: number): { index: number; operand: Operand; name: string } {
    const index = this.op.outputs[k]!;
    return { index, operand: this.model.operands[index]!, name: this.outputNames[k] ?? `output ${k}` };
  }
}
