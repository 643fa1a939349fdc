/**
 * The `tflite` driver: the real TFLite interpreter (WebAssembly build shipped in
 * @tensorflow/tfjs-tflite) running each model as a written single-op .tflite.
 *
 * How state gets in and out: a .tflite file cannot carry a non-zero initial state, so the writer
 * lists the two variable state tensors as extra subgraph inputs and outputs; the driver writes
 * output_state_in / cell_state_in into them before Invoke and reads output_state_out /
 * cell_state_out back after it (see src/tflite/writer.ts).
 *
 * What it cannot express is reported `unsupported` with the reason (float16 tensors, activation 6
 * sigmoid, ...). The scratch buffer is not an output of TFLite's kernel: the driver returns zeros
 * of the declared shape, which the suite never compares (it is implementation-defined).
 * It rejects only what TFLite itself rejects: where TFLite is more permissive than the Android NN
 * spec, the negative cases say so.
 */
import { isOmitted, type Model } from '../model/model.js';
import { UnsupportedByTflite } from '../tflite/errors.js';
import { TfliteRuntime, TfliteRuntimeError } from '../tflite/runtime.js';
import { writeSingleOpTflite } from '../tflite/writer.js';
import { LSTM_IN, LSTM_OUT } from '../ops/lstm/operands.generated.js';
import type { Capabilities, Driver, ExecuteResult, InputValue, OutputValue, PrepareResult } from './driver.js';

export interface TflitePrepared {
  model: Model;
}

/** The model with the execution's input values in place of the example values. */
function withInputs(model: Model, inputs: readonly InputValue[]): Model {
  const m = structuredClone(model);
  m.inputIndexes.forEach((idx, k) => {
    const o = m.operands[idx]!;
    const v = inputs[k];
    if (v === null || v === undefined) {
      o.values = [];
      o.omitted = true;
    } else {
      o.values = Array.from(v);
      if (o.omitted === true && o.values.length > 0) o.omitted = false;
    }
  });
  return m;
}

export class TfliteDriver implements Driver<TflitePrepared> {
  readonly name = 'tflite';
  private runtime: TfliteRuntime | undefined;

  private async rt(): Promise<TfliteRuntime> {
    this.runtime ??= await TfliteRuntime.load();
    return this.runtime;
  }

  async capabilities(): Promise<Capabilities> {
    const rt = await this.rt();
    return {
      name: this.name,
      version: `@tensorflow/tfjs-tflite ${rt.version} (${rt.flavor} WASM)`,
      operations: ['LSTM'],
      operandTypes: ['TENSOR_FLOAT32', 'INT32', 'FLOAT32'],
      featureLevel: 3,
      notes: [
        'single-op .tflite written per case; state fed through the variable tensors exposed as subgraph inputs/outputs',
        'float16 tensors and activation 6 (sigmoid) cannot be expressed in a .tflite file',
        'scratch_buffer is not produced by TFLite (zeros returned; never compared)',
      ],
    };
  }

  async prepare(model: Model): Promise<PrepareResult<TflitePrepared>> {
    if (model.operations.length !== 1 || model.operations[0]!.type !== 'LSTM') {
      return { ok: false, status: 'UNAVAILABLE', unsupported: true, message: 'the tflite driver runs single-operation LSTM models' };
    }
    if (model.isRelaxed !== true && model.operands.some((o) => o.type === 'TENSOR_FLOAT16' || o.type === 'FLOAT16')) {
      return { ok: false, status: 'UNAVAILABLE', unsupported: true, message: 'float16 tensors: TFLite\'s LSTM kernels take no float16 tensors' };
    }
    let bytes: Uint8Array;
    try {
      bytes = writeSingleOpTflite(model);
    } catch (e) {
      if (e instanceof UnsupportedByTflite) return { ok: false, status: 'UNAVAILABLE', unsupported: true, message: `not expressible in TFLite: ${e.message}` };
      // A model the writer cannot even lay out (wrong counts, shapes) is bad data, as TFLite would say.
      return { ok: false, status: 'BAD_DATA', message: `cannot build a TFLite model: ${(e as Error).message}` };
    }
    try {
      const compiled = (await this.rt()).compile(bytes);
      compiled.delete();
    } catch (e) {
      if (e instanceof TfliteRuntimeError) return { ok: false, status: "BAD_DATA", message: e.message.replace(/\s*\n\s*/g, " | ") };
      return { ok: false, status: 'BAD_DATA', message: `TFLite rejected the model: ${(e as Error).message}` };
    }
    return { ok: true, prepared: { model } };
  }

  async execute(prepared: TflitePrepared, inputs: InputValue[]): Promise<ExecuteResult> {
    const model = withInputs(prepared.model, inputs);
    const op = model.operations[0]!;
    const operand = (role: keyof typeof LSTM_IN) => model.operands[op.inputs[LSTM_IN[role]]!]!;
    const outIndex = (role: keyof typeof LSTM_OUT) => op.outputs[LSTM_OUT[role]]!;
    let compiled;
    try {
      compiled = (await this.rt()).compile(writeSingleOpTflite(model));
    } catch (e) {
      return { ok: false, status: 'OP_FAILED', message: (e as Error).message };
    }
    try {
      const state = (role: 'output_state_in' | 'cell_state_in') => {
        const o = operand(role);
        return isOmitted(o) ? new Float32Array(o.dimensions.reduce((a, b) => a * b, 1)) : o.values;
      };
      // Subgraph inputs: [input, output_state, cell_state]; outputs: [output, output_state, cell_state].
      const [output, h, c] = compiled.run([operand('input').values, state('output_state_in'), state('cell_state_in')]);
      if (!output || !h || !c) return { ok: false, status: 'OP_FAILED', message: 'TFLite produced fewer outputs than expected' };
      const dimsOf = (i: number) => model.operands[i]!.dimensions;
      const scratch = outIndex('scratch_buffer');
      const byIndex = new Map<number, OutputValue>([
        [scratch, { index: scratch, dimensions: [...dimsOf(scratch)], values: new Float32Array(dimsOf(scratch).reduce((a, b) => a * b, 1)) }],
        [outIndex('output_state_out'), { index: outIndex('output_state_out'), dimensions: h.shape, values: h.data }],
        [outIndex('cell_state_out'), { index: outIndex('cell_state_out'), dimensions: c.shape, values: c.data }],
        [outIndex('output'), { index: outIndex('output'), dimensions: output.shape, values: output.data }],
      ]);
      return { ok: true, outputs: model.outputIndexes.map((i) => byIndex.get(i)!) };
    } catch (e) {
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
