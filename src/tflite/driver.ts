/**
 * The `tflite` driver: the real TFLite interpreter (WebAssembly build shipped in
 * @tensorflow/tfjs-tflite) running each model as a written single-op .tflite. LSTM,
 * UNIDIRECTIONAL_SEQUENCE_LSTM and BIDIRECTIONAL_SEQUENCE_LSTM.
 *
 * How state gets in and out: a .tflite file cannot carry a non-zero initial state, so the writer
 * lists the variable state tensors (two, or four for the bidirectional op) as extra subgraph
 * inputs and outputs; the driver writes the state inputs (output_state_in / cell_state_in, or
 * fw_/bw_ of both) into them before Invoke and reads the final states back after it — NNAPI's
 * output_state_out / cell_state_out of LSTM, and the feature-level-4 state outputs of the
 * sequence ops (see src/tflite/writer.ts, `singleOpIo`). Every execution rewrites the model with
 * the execution's input values (weights passed as model inputs become constants; an omitted or
 * present aux_input changes the written op) and compiles it afresh.
 *
 * What it cannot express is reported `unsupported` with the reason (float16 tensors, activation 6
 * sigmoid, layer norm in the bidirectional op, forward/backward cells of different sizes, parallel
 * linking with an aux size different from the input size, ...). The LSTM scratch buffer is not an
 * output of TFLite's kernel: the driver returns zeros of the declared shape, which the suite never
 * compares (it is implementation-defined). It rejects only what TFLite itself rejects: where
 * TFLite is more permissive than the Android NN spec, the negative cases say so.
 *
 * Known TFLite deviations, run as is (tfliteKnownDeviation): BIDIRECTIONAL_SEQUENCE_LSTM with
 * merge_outputs, batch-major input and batch > 1 addresses each batch's recurrent output state
 * with the merged output width, so batches ≥ 1 come out wrong; cross linking with an aux size
 * different from the input size steps through aux_input with the input's stride.
 */
import { isOmitted, withInputValues, type Model, type Operation } from '../model/model.js';
import { loadSpec } from '../spec/operation-spec.js';
import { UnsupportedByTflite } from './errors.js';
import { TfliteRuntime, TfliteRuntimeError } from './runtime.js';
import { writeSingleOpTflite, writeSingleOpTfliteWithIo } from './writer.js';
import { LSTM_OUT } from '../ops/lstm/operands.generated.js';
import type { Capabilities, Driver, ExecuteResult, InputValue, OutputValue, PrepareResult } from '../drivers/driver.js';

export interface TflitePrepared {
  model: Model;
  /** NNAPI output role of every model output (model.outputIndexes order). */
  outputRoles: string[];
}

type TfliteOperation = 'LSTM' | 'UNIDIRECTIONAL_SEQUENCE_LSTM' | 'BIDIRECTIONAL_SEQUENCE_LSTM';
const OPERATIONS: readonly TfliteOperation[] = ['LSTM', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM'];

/** NNAPI output roles the TFLite side does not produce (returned as zeros, never compared). */
const SCRATCH_ROLES = new Set(['scratch_buffer']);

const product = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);


/** Position of NNAPI input `name` of `operation` (from the spec; no magic indices). */
function inputPosition(operation: TfliteOperation, name: string): number {
  const e = loadSpec(operation).inputs.find((x) => x.name === name);
  if (!e) throw new Error(`spec ${operation} has no input ${name}`);
  return e.index;
}

/**
 * The NNAPI output role of each position of the operation's outputs. The spec lists the unmerged
 * bidirectional layout; with merge_outputs the bw_output slot does not exist (the merged output is
 * #0 and the state outputs move down by one, facts §A.3).
 */
function outputRolesOf(model: Model, op: Operation, kind: TfliteOperation): string[] {
  let names = loadSpec(kind).outputs.slice().sort((a, b) => a.index - b.index).map((o) => o.name);
  if (kind === 'BIDIRECTIONAL_SEQUENCE_LSTM') {
    const merge = model.operands[op.inputs[inputPosition(kind, 'merge_outputs')]!];
    const merged = merge !== undefined && (merge.values[0] ?? 0) !== 0;
    if (merged) names = names.filter((n) => n !== 'bw_output');
    const allowed = merged ? [1, names.length] : [2, names.length];
    if (!allowed.includes(op.outputs.length)) {
      throw new Error(`${op.outputs.length} outputs do not fit merge_outputs = ${merged} (expected ${allowed.join(' or ')}; other counts are undefined in NNAPI)`);
    }
  }
  if (op.outputs.length > names.length) throw new Error(`${kind} has ${op.outputs.length} outputs; at most ${names.length} exist`);
  return model.outputIndexes.map((idx) => {
    const pos = op.outputs.indexOf(idx);
    if (pos < 0) throw new Error(`model output operand ${idx} is not an output of the ${kind} operation`);
    return names[pos]!;
  });
}

/**
 * The TFLite interpreter (the WebAssembly build of the optional peer dependency `@tensorflow/tfjs-tflite`)
 * as a `Driver`: each model is written as a single-op .tflite and run by TFLite's own kernels (LSTM and
 * the two sequence ops). Models TFLite cannot express are answered `unsupported` with the reason; its known
 * deviations are named on the failing cases. Loading fails with TfliteRuntimeUnavailable when the package
 * is not installed.
 *
 * @example
 * ```ts
 * import { runConformance, formatSummary } from 'nnlstm';
 * import { TfliteDriver } from 'nnlstm/node';
 * import { suiteCases } from 'nnlstm/suite';
 * console.log(formatSummary(await runConformance(new TfliteDriver(), suiteCases(), { filter: 'group:sequence' })));
 * ```
 */
export class TfliteDriver implements Driver<TflitePrepared> {
  /** Always `tflite`. */
  readonly name = 'tflite';
  private runtime: TfliteRuntime | undefined;

  /**
   * A TFLite CHECK failure aborts the whole WASM instance: that is a crash, not a refusal. Drop the
   * dead instance (the next call loads a fresh one) and let the runner record the case as an error.
   */
  private rethrowIfAborted(e: unknown): void {
    if (e instanceof TfliteRuntimeError && /aborted/i.test(e.message)) {
      this.runtime = undefined;
      throw new Error(`the TFLite runtime crashed (WASM abort): ${e.message.replace(/\s*\n\s*/g, ' | ')}`);
    }
  }

  knownDeviation(model: Model): { id: string; description: string } | undefined {
    const why = tfliteKnownDeviation(model);
    if (!why) return undefined;
    const id = why.startsWith('merge_outputs') ? 'tflite-bilstm-merged-batch-major-state' : 'tflite-bilstm-cross-linking-aux-size';
    return { id, description: why };
  }

  private async rt(): Promise<TfliteRuntime> {
    this.runtime ??= await TfliteRuntime.load();
    return this.runtime;
  }

  async capabilities(): Promise<Capabilities> {
    const rt = await this.rt();
    return {
      name: this.name,
      version: `@tensorflow/tfjs-tflite ${rt.version} (${rt.flavor} WASM)`,
      operations: [...OPERATIONS],
      operandTypes: ['TENSOR_FLOAT32', 'INT32', 'FLOAT32', 'BOOL'],
      featureLevel: 4,
      notes: [
        'single-op .tflite written per execution; state fed and read back through the variable tensors exposed as subgraph inputs/outputs',
        'float16 tensors and activation 6 (sigmoid) cannot be expressed in a .tflite file',
        'BIDIRECTIONAL_SEQUENCE_LSTM: no layer norm in TFLite; forward and backward cells of equal sizes only; parallel linking only with aux_input size = input size',
        'known TFLite deviation: BIDIRECTIONAL_SEQUENCE_LSTM with merge_outputs, batch-major input and batch > 1 runs batches ≥ 1 from a misaddressed state (see tfliteKnownDeviation)',
        'scratch_buffer is not produced by TFLite (zeros returned; never compared)',
      ],
    };
  }

  async prepare(model: Model): Promise<PrepareResult<TflitePrepared>> {
    const kind = OPERATIONS.find((k) => model.operations.length === 1 && model.operations[0]!.type === k);
    if (!kind) {
      return { ok: false, status: 'UNAVAILABLE', unsupported: true, message: `the tflite driver runs single-operation ${OPERATIONS.join(' / ')} models` };
    }
    if (model.isRelaxed !== true && model.operands.some((o) => o.type === 'TENSOR_FLOAT16' || o.type === 'FLOAT16')) {
      return { ok: false, status: 'UNAVAILABLE', unsupported: true, message: 'float16 tensors: TFLite\'s LSTM kernels take no float16 tensors' };
    }
    let bytes: Uint8Array;
    let outputRoles: string[];
    try {
      outputRoles = outputRolesOf(model, model.operations[0]!, kind);
      bytes = writeSingleOpTflite(model);
    } catch (e) {
      if (e instanceof UnsupportedByTflite) return { ok: false, status: 'UNAVAILABLE', unsupported: true, message: `not expressible in TFLite: ${e.reason}` };
      // A model the writer cannot even lay out (wrong counts, shapes) is bad data, as TFLite would say.
      return { ok: false, status: 'BAD_DATA', message: `cannot build a TFLite model: ${(e as Error).message}` };
    }
    try {
      const compiled = (await this.rt()).compile(bytes);
      compiled.delete();
    } catch (e) {
      this.rethrowIfAborted(e);
      if (e instanceof TfliteRuntimeError) return { ok: false, status: "BAD_DATA", message: e.message.replace(/\s*\n\s*/g, " | ") };
      return { ok: false, status: 'BAD_DATA', message: `TFLite rejected the model: ${(e as Error).message}` };
    }
    return { ok: true, prepared: { model, outputRoles } };
  }

  async execute(prepared: TflitePrepared, inputs: InputValue[]): Promise<ExecuteResult> {
    const model = withInputValues(prepared.model, inputs);
    const op = model.operations[0]!;
    let compiled;
    let io;
    try {
      const written = writeSingleOpTfliteWithIo(model);
      io = written.io;
      compiled = (await this.rt()).compile(written.bytes);
    } catch (e) {
      this.rethrowIfAborted(e);
      return { ok: false, status: 'OP_FAILED', message: (e as Error).message };
    }
    try {
      // Subgraph inputs: the data inputs (input, aux_input) and the state variables, as the writer lists them.
      const feeds = io.inputs.map((x) => {
        const o = model.operands[op.inputs[x.nnapi]!]!;
        return isOmitted(o) ? new Float32Array(product(o.dimensions)) : o.values;
      });
      const got = compiled.run(feeds);
      if (got.length !== io.outputs.length) return { ok: false, status: 'OP_FAILED', message: `TFLite produced ${got.length} outputs, expected ${io.outputs.length}` };
      const byRole = new Map(io.outputs.map((x, k) => [x.role, got[k]!]));
      const outputs: OutputValue[] = [];
      for (const [k, index] of model.outputIndexes.entries()) {
        const role = prepared.outputRoles[k]!;
        const g = byRole.get(role);
        if (g) {
          outputs.push({ index, dimensions: g.shape, values: g.data });
        } else if (SCRATCH_ROLES.has(role)) {
          const dims = model.operands[index]!.dimensions;
          outputs.push({ index, dimensions: [...dims], values: new Float32Array(product(dims)) });
        } else {
          return { ok: false, status: 'OP_FAILED', message: `TFLite produced no ${role} output` };
        }
      }
      return { ok: true, outputs };
    } catch (e) {
      this.rethrowIfAborted(e);
      return { ok: false, status: 'OP_FAILED', message: (e as Error).message };
    } finally {
      compiled.delete();
    }
  }
}

/** The TFLite runtime as the expectation source of the gap-filling golden vectors (src/tools/gen-golden.ts). */
export async function tfliteExpectationSource(): Promise<{
  id: 'tflite-runtime';
  generator: string;
  version: string;
  compute(model: Model): Promise<{ outputState: ArrayLike<number>; cellState: ArrayLike<number> }>;
}> {
  const driver = new TfliteDriver();
  const caps = await driver.capabilities();
  return {
    id: 'tflite-runtime',
    generator: 'TFLite interpreter, WebAssembly build in @tensorflow/tfjs-tflite, via nnlstm src/drivers/tflite.ts (single-op .tflite, state through variable tensors)',
    version: caps.version,
    async compute(model) {
      const p = await driver.prepare(model);
      if (!p.ok) throw new Error(`tflite cannot run this gap case: ${p.message}`);
      const inputs = model.inputIndexes.map((i) => (isOmitted(model.operands[i]!) ? null : model.operands[i]!.values));
      const r = await driver.execute(p.prepared, inputs);
      if (!r.ok) throw new Error(r.message);
      const op = model.operations[0]!;
      const get = (role: keyof typeof LSTM_OUT) => r.outputs.find((o) => o.index === op.outputs[LSTM_OUT[role]])!.values;
      return { outputState: get('output_state_out'), cellState: get('cell_state_out') };
    },
  };
}

/**
 * Where the TFLite runtime is known to compute a model wrongly (measured with tfjs-tflite 0.0.1-alpha.10; see
 * test/tflite/sequence-driver.test.ts), or undefined. The driver still runs such models as TFLite does — this is
 * for callers that take TFLite's results as expected values.
 */
export function tfliteKnownDeviation(model: Model): string | undefined {
  const op = model.operations[0];
  if (model.operations.length !== 1 || op?.type !== 'BIDIRECTIONAL_SEQUENCE_LSTM') return undefined;
  const kind = 'BIDIRECTIONAL_SEQUENCE_LSTM';
  const scalar = (name: string) => model.operands[op.inputs[inputPosition(kind, name)]!]?.values[0] ?? 0;
  const input = model.operands[op.inputs[inputPosition(kind, 'input')]!];
  const batch = scalar('time_major') !== 0 ? input?.dimensions[1] : input?.dimensions[0];
  if (scalar('merge_outputs') !== 0 && scalar('time_major') === 0 && (batch ?? 0) > 1) {
    return 'merge_outputs with batch-major input and batch > 1: TFLite offsets each batch\'s output state by the merged output width (fwO + bwO) instead of n_output, so batches ≥ 1 run from the wrong recurrent state';
  }
  const aux = model.operands[op.inputs[inputPosition(kind, 'aux_input')]!];
  const crossLinked = ['fw', 'bw'].some((d) => {
    const w = model.operands[op.inputs[inputPosition(kind, `${d}_aux_input_to_forget_weights`)]!];
    return w !== undefined && !isOmitted(w);
  });
  const auxSize = aux?.dimensions[2];
  if (aux && !isOmitted(aux) && crossLinked && auxSize !== input?.dimensions[2]) {
    return `cross linking with aux_input size ${String(auxSize)} ≠ input size ${String(input?.dimensions[2])}: TFLite advances the aux_input pointer by the input's step, so every step after the first reads the wrong aux values`;
  }
  return undefined;
}

/**
 * The TFLite runtime as the expectation source of the sequence gap-filling golden vectors (src/tools/gen-golden.ts):
 * the values of every output of the model's UNIDIRECTIONAL_ / BIDIRECTIONAL_SEQUENCE_LSTM operation, in the
 * operation's output order (final states included, read from the exposed variable tensors). Refuses models TFLite
 * cannot run and models it is known to compute wrongly (tfliteKnownDeviation).
 */
export async function tfliteSequenceExpectationSource(): Promise<{
  id: 'tflite-runtime';
  generator: string;
  version: string;
  compute(model: Model): Promise<ArrayLike<number>[]>;
}> {
  const driver = new TfliteDriver();
  const caps = await driver.capabilities();
  return {
    id: 'tflite-runtime',
    generator: 'TFLite interpreter, WebAssembly build in @tensorflow/tfjs-tflite, via nnlstm src/drivers/tflite.ts (single-op .tflite, states through variable tensors)',
    version: caps.version,
    async compute(model) {
      const op = model.operations[0];
      if (model.operations.length !== 1 || (op?.type !== 'UNIDIRECTIONAL_SEQUENCE_LSTM' && op?.type !== 'BIDIRECTIONAL_SEQUENCE_LSTM')) {
        throw new Error('the sequence expectation source takes single-operation UNIDIRECTIONAL_ / BIDIRECTIONAL_SEQUENCE_LSTM models');
      }
      const deviation = tfliteKnownDeviation(model);
      if (deviation) throw new Error(`TFLite is known to compute this model wrongly (${deviation}); derive it elsewhere`);
      const p = await driver.prepare(model);
      if (!p.ok) throw new Error(`tflite cannot run this sequence gap case: ${p.message}`);
      const inputs = model.inputIndexes.map((i) => (isOmitted(model.operands[i]!) ? null : model.operands[i]!.values));
      const r = await driver.execute(p.prepared, inputs);
      if (!r.ok) throw new Error(r.message);
      const byIndex = new Map(r.outputs.map((o) => [o.index, o.values]));
      return op.outputs.map((idx) => {
        const v = byIndex.get(idx);
        if (!v) throw new Error(`operation output ${idx} is not a model output`);
        return v;
      });
    },
  };
}
