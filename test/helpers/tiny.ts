/** Small hand-made models and stub drivers for the conformance-core tests. */
import type { Capabilities, Driver, ExecuteResult, InputValue, OutputValue, PrepareResult } from '../../src/drivers/driver.js';
import type { Model, Operand } from '../../src/model/model.js';
import type { NegativeCase, PositiveCase } from '../../src/conformance/cases.js';

export function operand(p: Partial<Operand> & Pick<Operand, 'index' | 'type' | 'lifetime'>): Operand {
  return { name: `op${p.index}`, dimensions: [], scale: 0, zeroPoint: 0, isIgnored: false, values: [], ...p };
}

/**
 * Inputs: 0 x TENSOR_FLOAT32 [1,2]; 1 y TENSOR_FLOAT32 [2] omitted; 2 k INT32 scalar.
 * Outputs: 3 scratch [1,4] ignored; 4 out TENSOR_FLOAT32 [1,2] = [0.5, -0.25]; 5 state [1,3] = [1, 2, 3].
 */
export function tinyModel(over: Partial<Model> = {}): Model {
  return {
    operands: [
      operand({ index: 0, name: 'x', type: 'TENSOR_FLOAT32', dimensions: [1, 2], lifetime: 'SUBGRAPH_INPUT', values: [0.1, 0.2] }),
      operand({ index: 1, name: 'y', type: 'TENSOR_FLOAT32', dimensions: [0], lifetime: 'SUBGRAPH_INPUT', values: [], omitted: true }),
      operand({ index: 2, name: 'k', type: 'INT32', dimensions: [], lifetime: 'SUBGRAPH_INPUT', values: [4] }),
      operand({ index: 3, name: 'scratch', type: 'TENSOR_FLOAT32', dimensions: [1, 4], lifetime: 'SUBGRAPH_OUTPUT', isIgnored: true, values: [0, 0, 0, 0] }),
      operand({ index: 4, name: 'out', type: 'TENSOR_FLOAT32', dimensions: [1, 2], lifetime: 'SUBGRAPH_OUTPUT', values: [0.5, -0.25] }),
      operand({ index: 5, name: 'state', type: 'TENSOR_FLOAT32', dimensions: [1, 3], lifetime: 'SUBGRAPH_OUTPUT', values: [1, 2, 3] }),
    ],
    operations: [{ type: 'TEST', inputs: [0, 1, 2], outputs: [3, 4, 5] }],
    inputIndexes: [0, 1, 2],
    outputIndexes: [3, 4, 5],
    ...over,
  };
}

/** The outputs a correct driver gives for tinyModel (scratch: anything). */
export function tinyOutputs(model: Model = tinyModel()): OutputValue[] {
  return model.outputIndexes.map((i) => {
    const o = model.operands[i]!;
    return { index: i, dimensions: [...o.dimensions], values: o.isIgnored ? [9, 9, 9, 9] : [...o.values] };
  });
}

export function positiveCase(model: Model = tinyModel(), over: Partial<PositiveCase> = {}): PositiveCase {
  return {
    id: 'test/tiny',
    kind: 'positive',
    file: 'tiny.json',
    name: 'tiny',
    description: 'tiny model',
    group: 'basic',
    tags: ['basic'],
    features: { operation: 'TEST', dtype: 'float32', relaxed: false },
    provenance: { kind: 'float64-derivation' },
    tolerance: 'float32',
    model,
    ...over,
  };
}

export function negativeCase(over: Partial<NegativeCase> = {}): NegativeCase {
  return {
    id: 'negative/tiny.rule',
    kind: 'negative',
    file: 'neg.json',
    name: 'tiny.rule',
    description: 'breaks tiny.rule',
    group: 'validation',
    tags: ['validation'],
    features: { operation: 'TEST', dtype: 'float32', relaxed: false },
    model: tinyModel(),
    expectedRule: 'TEST.rule',
    ...over,
  };
}

export interface StubBehaviour {
  prepare?: (model: Model) => PrepareResult<Model> | Promise<PrepareResult<Model>>;
  execute?: (model: Model, inputs: InputValue[]) => ExecuteResult | Promise<ExecuteResult> | unknown;
}

/** A driver whose prepare/execute are given functions; records calls. */
export class StubDriver implements Driver<Model> {
  readonly calls = { prepare: 0, execute: 0, release: 0, inputs: [] as InputValue[][] };
  constructor(
    readonly name: string,
    private readonly b: StubBehaviour = {},
  ) {}
  async capabilities(): Promise<Capabilities> {
    return { name: this.name, version: '0.0.0-stub', operations: [], operandTypes: [], featureLevel: 1 };
  }
  async prepare(model: Model): Promise<PrepareResult<Model>> {
    this.calls.prepare++;
    return this.b.prepare ? this.b.prepare(model) : { ok: true, prepared: model };
  }
  async execute(model: Model, inputs: InputValue[]): Promise<ExecuteResult> {
    this.calls.execute++;
    this.calls.inputs.push(inputs);
    return (this.b.execute ? this.b.execute(model, inputs) : { ok: true, outputs: tinyOutputs(model) }) as ExecuteResult;
  }
  release(): void {
    this.calls.release++;
  }
}
