/**
 * A `.tflite` integer 8x8→16 LSTM-family operator as the integer reference sees it
 * (src/ops/tflite-int8/execute.ts): its tensors mapped to NNAPI roles (mapping.ts), its five
 * intermediates' quantization, its layout and clips.
 */
import { TfliteMappingError } from './errors.js';
import { effectiveOptions, lstmFamilyOperation, MAX_PLACEHOLDER_ELEMENTS, tfliteOpToNnapiModel } from './mapping.js';
import type { TfliteModel } from './reader.js';
import type { IntermediateQuant, TfliteInt8Op } from '../ops/tflite-int8/execute.js';
import type { Model, Operand } from '../model/model.js';
import { QLSTM_INPUT_NAMES, QLSTM_OUTPUT_NAMES } from '../ops/qlstm/operands.js';

export function tfliteInt8Op(model: TfliteModel, subgraph: number, operator: number): TfliteInt8Op {
  const sg = model.subgraphs[subgraph];
  const op = sg?.operators[operator];
  if (!sg || !op) throw new TfliteMappingError(`no operator ${subgraph}:${operator}`);
  const code = model.operatorCodes[op.opcodeIndex];
  const kind = code ? lstmFamilyOperation(code.builtinCode) : undefined;
  if (kind !== 'LSTM' && kind !== 'UNIDIRECTIONAL_SEQUENCE_LSTM') throw new TfliteMappingError(`operator ${subgraph}:${operator} is not an LSTM or UNIDIRECTIONAL_SEQUENCE_LSTM`);
  const options = effectiveOptions(kind, op);
  const intermediates: (IntermediateQuant | null)[] = op.intermediates.map((t) => {
    const q = sg.tensors[t]?.quantization;
    return q && q.scale.length > 0 ? { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0] ?? 0 } : null;
  });
  return {
    model: tfliteOpToNnapiModel(model, subgraph, operator),
    intermediates,
    sequence: kind === 'UNIDIRECTIONAL_SEQUENCE_LSTM',
    timeMajor: 'timeMajor' in options ? options.timeMajor : false,
    cellClip: options.cellClip,
    projClip: options.projClip,
  };
}

/**
 * One time step of an integer TFLite LSTM op as an NNAPI QUANTIZED_LSTM model (what the op computes per
 * step, in NNAPI's terms): the gate scales are the intermediates' with layer norm and 2^-12 without, the
 * hidden state's scale and zero point come from intermediate 4 (or the output state), the clips from the
 * options. Runtime tensors (input, states) carry their zero points as example values.
 */
/** Dimension `i` of a mapped operand as a known size; a missing or negative one cannot be one time step's size. */
function stepDim(o: Operand | undefined, i: number, what: string): number {
  const v = o?.dimensions[i];
  if (v === undefined || !Number.isInteger(v) || v < 0) {
    throw new TfliteMappingError(`cannot determine ${what}: ${o ? `${o.role ?? o.name} has shape [${o.dimensions.join(',')}]` : 'operand absent'}`, { field: o ? `${o.role ?? o.name}.shape` : what });
  }
  return v;
}

export function qlstmStepModel(op: TfliteInt8Op): Model {
  const m = op.model;
  const src = m.operations[0]!;
  const byRole = new Map<string, Operand>();
  for (const idx of src.inputs) {
    const o = m.operands[idx]!;
    byRole.set(o.role ?? o.name, o);
  }
  const x = byRole.get('input')!;
  const h = byRole.get('output_state_in')!;
  const c = byRole.get('cell_state_in')!;
  const d = x.dimensions;
  const B = stepDim(x, op.sequence ? (op.timeMajor ? 1 : 0) : 0, 'the batch size');
  const I = stepDim(x, d.length - 1, 'the input size');
  const N = stepDim(byRole.get('input_to_output_weights'), 0, 'num_units');
  const O = stepDim(byRole.get('recurrent_to_output_weights'), 1, 'output_size');
  if (B * I + B * N + B * O > MAX_PLACEHOLDER_ELEMENTS) {
    throw new TfliteMappingError(`one time step has ${B * I + B * N + B * O} runtime input elements (batch ${B}, input ${I}, units ${N}, output ${O}); at most ${MAX_PLACEHOLDER_ELEMENTS} for the example values (a limit of this tool, not of the model)`, { kind: 'tool-limit', field: 'input' });
  }
  const layerNorm = byRole.get('forget_layer_norm_weights')?.omitted === false || (byRole.get('forget_layer_norm_weights')?.values.length ?? 0) > 0;
  const projection = (byRole.get('projection_weights')?.values.length ?? 0) > 0;
  const hidden = op.intermediates[4] ?? { scale: h.scale, zeroPoint: h.zeroPoint };
  const operands: Operand[] = [];
  const inputs: number[] = [];
  for (const name of QLSTM_INPUT_NAMES) {
    const index = operands.length;
    const s = byRole.get(name);
    const scalar = (type: 'FLOAT32' | 'INT32', v: number): Operand => ({ index, name, role: name, type, dimensions: [], scale: 0, zeroPoint: 0, lifetime: 'CONSTANT_COPY', isIgnored: false, values: [v] });
    let o: Operand;
    if (name === 'cell_clip') o = scalar('FLOAT32', op.cellClip);
    else if (name === 'proj_clip') o = scalar('FLOAT32', op.projClip);
    else if (name.endsWith('_intermediate_scale')) {
      const g = ['input', 'forget', 'cell', 'output'].indexOf(name.split('_')[0]!);
      o = scalar('FLOAT32', layerNorm ? (op.intermediates[g]?.scale ?? 0) : 2 ** -12);
    } else if (name === 'hidden_state_zero_point') o = scalar('INT32', hidden.zeroPoint);
    else if (name === 'hidden_state_scale') o = scalar('FLOAT32', hidden.scale);
    else if (!s) throw new TfliteMappingError(`integer LSTM op has no ${name}`, { field: name });
    else if (name === 'input') o = { ...s, index, dimensions: [B, I], values: new Array<number>(B * I).fill(x.zeroPoint), lifetime: 'SUBGRAPH_INPUT' };
    else if (name === 'output_state_in' || name === 'cell_state_in') o = { ...s, index, dimensions: [B, name === 'cell_state_in' ? N : O], values: new Array<number>(B * (name === 'cell_state_in' ? N : O)).fill(s.zeroPoint), lifetime: 'SUBGRAPH_INPUT' };
    else o = { ...s, index }; // constants shared with the mapped op: the step model is only read (validated)
    operands.push(o);
    inputs.push(index);
  }
  const outQ = projection ? { scale: h.scale, zeroPoint: h.zeroPoint } : hidden;
  const outputs = QLSTM_OUTPUT_NAMES.map((name) => {
    const index = operands.length;
    operands.push(
      name === 'cell_state_out'
        ? { index, name, role: name, type: 'TENSOR_QUANT16_SYMM', dimensions: [B, N], scale: c.scale, zeroPoint: 0, lifetime: 'SUBGRAPH_OUTPUT', isIgnored: false, values: [] }
        : { index, name, role: name, type: 'TENSOR_QUANT8_ASYMM_SIGNED', dimensions: [B, O], scale: outQ.scale, zeroPoint: outQ.zeroPoint, lifetime: 'SUBGRAPH_OUTPUT', isIgnored: false, values: [] },
    );
    return index;
  });
  return {
    operands,
    operations: [{ type: 'QUANTIZED_LSTM', inputs, outputs }],
    inputIndexes: operands.filter((o) => o.lifetime === 'SUBGRAPH_INPUT').map((o) => o.index),
    outputIndexes: outputs,
  };
}
