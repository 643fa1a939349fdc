/**
 * An NNAPI driver that runs LSTM and UNIDIRECTIONAL_SEQUENCE_LSTM models through WebNN's lstm (nnlstm's WebNN
 * reference, float32 arithmetic, the spec's C(t−1) output-peephole timing): what a browser-side NNAPI-on-WebNN
 * layer would compute. Models WebNN cannot express are `unsupported` with the planner's reason.
 */
import type { Capabilities, Driver, ExecuteResult, InputValue, OutputValue, PrepareResult } from '../../src/drivers/driver.js';
import type { Model } from '../../src/model/model.js';
import type { PositiveCase } from '../../src/conformance/case.js';
import { planCase, type WebnnPlan } from '../../src/bundle/wpt/plan.js';
import { packGates, packPeepholes } from '../../src/ops/webnn-lstm/pack.js';
import { webnnLstm } from '../../src/ops/webnn-lstm/lstm.js';
import type { OutputPeepholeTiming } from '../../src/ops/webnn-lstm/types.js';
import { roundToFloat16 } from '../../src/util/float16.js';
import { loadSpec } from '../../src/spec/operation-spec.js';

interface Prepared {
  model: Model;
}

export class WebnnLstmDriver implements Driver<Prepared> {
  readonly name: string;
  constructor(private readonly outputPeephole: OutputPeepholeTiming = 'C_prev') {
    this.name = `webnn-lstm(${outputPeephole})`;
  }
  async capabilities(): Promise<Capabilities> {
    return { name: this.name, version: '0', operations: ['LSTM', 'UNIDIRECTIONAL_SEQUENCE_LSTM'], operandTypes: ['TENSOR_FLOAT32', 'TENSOR_FLOAT16', 'INT32', 'FLOAT32', 'FLOAT16', 'BOOL'], featureLevel: 4 };
  }
  async prepare(model: Model): Promise<PrepareResult<Prepared>> {
    const type = model.operations[0]?.type;
    if (type !== 'LSTM' && type !== 'UNIDIRECTIONAL_SEQUENCE_LSTM') return { ok: false, status: 'UNAVAILABLE', unsupported: true, message: `${type}: not run through WebNN here` };
    const p = planCase({ id: 'driver', name: 'driver', provenance: { kind: 'driver' }, model } as unknown as PositiveCase);
    if ('reason' in p) return { ok: false, status: 'UNAVAILABLE', unsupported: true, message: p.detail };
    return { ok: true, prepared: { model } };
  }
  async execute(prepared: Prepared, inputs: InputValue[]): Promise<ExecuteResult> {
    // The given inputs replace the example's values, then the model is re-planned in WebNN's terms.
    const model: Model = { ...prepared.model, operands: prepared.model.operands.map((o) => ({ ...o })) };
    model.inputIndexes.forEach((idx, k) => {
      const v = inputs[k];
      if (v) model.operands[idx]!.values = Array.from(v);
    });
    const plan = planCase({ id: 'driver', name: 'driver', provenance: { kind: 'driver' }, model } as unknown as PositiveCase) as WebnnPlan;
    const { steps, batch: B, inputSize: I, hiddenSize: H } = plan;
    const d = plan.dirs[0]!;
    const r = webnnLstm({ dims: [steps, B, I], data: plan.input }, { dims: [1, 4 * H, I], data: packGates('iofg', d.wx) }, { dims: [1, 4 * H, H], data: packGates('iofg', d.wh) }, steps, H, {
      bias: { dims: [1, 4 * H], data: packGates('iofg', d.bias) },
      ...(d.peephole ? { peepholeWeight: { dims: [1, 3 * H], data: packPeepholes(H, d.peephole) } } : {}),
      initialHiddenState: { dims: [1, B, H], data: d.h0 },
      initialCellState: { dims: [1, B, H], data: d.c0 },
      returnSequence: true,
      activations: ['sigmoid', plan.activation, plan.activation],
      precision: 'float32',
      outputPeephole: this.outputPeephole,
    });
    const q = plan.dataType === 'float16' ? roundToFloat16 : Math.fround;
    const op = model.operations[0]!;
    const names = loadSpec(op.type).outputs.slice().sort((a, b) => a.index - b.index).map((o) => o.name);
    const seq = Array.from(r.sequence!.data, q); // [T, 1, B, H]
    const byRole = (role: string, dims: number[]): number[] => {
      if (role === 'output_state_out') return Array.from(r.hidden.data, q);
      if (role === 'cell_state_out') return Array.from(r.cell.data, q);
      if (role === 'output') {
        if (op.type === 'LSTM' || !plan.transposedFromBatchMajor) return seq;
        const out = new Array<number>(seq.length); // back to [B, T, H]
        for (let t = 0; t < steps; t++) for (let b = 0; b < B; b++) for (let u = 0; u < H; u++) out[(b * steps + t) * H + u] = seq[(t * B + b) * H + u]!;
        return out;
      }
      return new Array<number>(dims.reduce((a, b) => a * b, 1)).fill(0); // scratch_buffer (never compared)
    };
    const outputs: OutputValue[] = op.outputs.map((idx, k) => {
      const dims = [...model.operands[idx]!.dimensions];
      return { index: idx, dimensions: dims, values: byRole(names[k]!, dims) };
    });
    return { ok: true, outputs: outputs.filter((o) => model.outputIndexes.includes(o.index)) };
  }
}
