/**
 * NNAPI LSTM / UNIDIRECTIONAL_SEQUENCE_LSTM / BIDIRECTIONAL_SEQUENCE_LSTM model → single-operator `.tflite` file
 * (float32; with `hybridWeights` the weights are int8 symmetric — a hybrid op, see src/tflite/hybrid.ts).
 *
 * Layout of the written model (what TFLite's converter would write for one op, plus state I/O):
 * - buffer 0 is the empty sentinel (a Buffer table without `data`); every constant gets its own buffer whose data
 *   vector is 16-byte aligned; tensors without constant data point at buffer 0 — never at an empty-but-present
 *   data vector (TFLite would read that as a 0-byte constant).
 * - constant weights/biases/peephole/projection/layer-norm/aux-weight operands become constant tensors, whatever
 *   their NNAPI lifetime (AOSP examples pass weights as SUBGRAPH_INPUTs with values); omitted operands become `-1`.
 *   The data inputs (`input`, and `aux_input` of the bidirectional op) are runtime tensors.
 * - activation / cell_clip / proj_clip (/ time_major / merge_outputs) go into the builtin options, written
 *   explicitly; LSTM also writes kernel_type FULL. LSTM / UNIDIRECTIONAL: 20 op inputs without layer norm, 24 with.
 *   BIDIRECTIONAL: 48 op inputs (facts §5) and 2 outputs (fw_output, bw_output) or 1 merged output. Op version 1;
 *   the builtin code is in both `builtin_code` and `deprecated_builtin_code`; no custom_options.
 * - STATE. The state inputs (LSTM/UNIDIRECTIONAL 18/19; BIDIRECTIONAL 35–38 = fw h, fw c, bw h, bw c) must be
 *   variable tensors (is_variable, no buffer), and a `.tflite` cannot carry a non-zero initial state. What works
 *   (measured with the tfjs-tflite 0.0.1-alpha.10 WASM runtime, see test/tflite/runtime.test.ts and
 *   test/tflite/sequence-driver.test.ts): list the variable tensors as extra SUBGRAPH INPUTS and extra SUBGRAPH
 *   OUTPUTS. The runner exposes them in GetInputs(); writing the initial state into their data() before Infer() is
 *   what the kernel reads (TFLite resets variables only when tensors are (re)allocated, not on Invoke), and since
 *   the op updates them in place, reading them through GetOutputs() after Infer() yields the final states.
 *   Subgraph inputs are therefore [data inputs…, states…] and outputs [op outputs…, states…] (`stateIo: false`
 *   writes the plain converter form: [data inputs…] → [op outputs…]); `singleOpIo` / `writeSingleOpTfliteWithIo`
 *   say which NNAPI operand each subgraph input and output is:
 *     LSTM, UNIDIRECTIONAL: [input, output_state, cell_state] → [output, output_state, cell_state]
 *     BIDIRECTIONAL:        [input, (aux_input), fw_output_state, fw_cell_state, bw_output_state, bw_cell_state]
 *                           → [fw_output, (bw_output unless merged), fw_output_state, fw_cell_state, bw_output_state,
 *                              bw_cell_state]
 *   Measured: all 35 float32 AOSP LSTM / UNIDIRECTIONAL_SEQUENCE_LSTM examples (non-zero initial states included)
 *   reproduce output, output_state_out and cell_state_out within 7.5e-7 (≤ 0.08 of the AOSP tolerance); without
 *   state I/O the same models start from zero state and miss by > 1e-3. The bidirectional op takes its four states
 *   the same way (the V1_3 state_output vector's fw/bw final states come out of the exposed tensors). The state also
 *   persists across Infer() calls of one interpreter (TFLite semantics), so a caller wanting NNAPI's stateless
 *   semantics writes the state inputs before every Infer().
 * - BIDIRECTIONAL specifics: TFLite's op has no layer-norm inputs, so any present NNAPI layer-norm operand (53–60) is
 *   UnsupportedByTflite. aux_input (39) with the aux weights (40–47) is cross linking; aux_input without any aux
 *   weight is NNAPI's parallel linking (aux_input feeds the backward cell), which is also what TFLite does with
 *   such an op (facts §5; measured: fw output = the no-aux run on input, bw output = the no-aux run on aux_input).
 *   TFLite's Prepare rejects two NNAPI-valid forms, refused here as UnsupportedByTflite: forward/backward cells of
 *   different sizes, and parallel linking with aux size ≠ input size (checkBidirectionalRestrictions).
 */
import * as flatbuffers from 'flatbuffers';
import { isOmitted, type Model, type Operand } from '../model/model.js';
import {
  BidirectionalSequenceLSTMOptions,
  Buffer as FbBuffer,
  BuiltinOptions,
  LSTMOptions,
  Metadata as FbMetadata,
  Model as FbModel,
  Operator as FbOperator,
  OperatorCode as FbOperatorCode,
  QuantizationParameters as FbQuantizationParameters,
  SubGraph as FbSubGraph,
  Tensor as FbTensor,
  TensorType,
  UnidirectionalSequenceLSTMOptions,
} from './generated/tflite.js';
import { UnsupportedByTflite } from './errors.js';
import { HYBRID_MIN_RUNTIME, HYBRID_OP_VERSION, HYBRID_WEIGHT_ROLES, quantizeSymmetricInt8, type HybridQuant } from './hybrid.js';
import { LSTM_FAMILY_MAPPINGS, nnapiInputsFor, type LstmFamilyOperation, type LstmOptionField, type NnapiInputEntry } from './mapping.js';
import { TFLITE_SCHEMA_VERSION } from './reader.js';

export { UnsupportedByTflite } from './errors.js';

/** Options of {@link writeSingleOpTflite}. */
export interface WriteOptions {
  /** Model description string (default "nnlstm single-op model"). */
  description?: string;
  /** Subgraph name (default "main"). */
  subgraphName?: string;
  /** Expose the state variable tensors as extra subgraph inputs and outputs (default true; see file comment). */
  stateIo?: boolean;
  /**
   * Write a HYBRID op (src/tflite/hybrid.ts): the weight matrices (and peephole / projection weights) as INT8
   * symmetric per-tensor tensors (scale max|w|/127, zero point 0), LSTM op version 3 / UNIDIRECTIONAL version 2.
   * LSTM and UNIDIRECTIONAL_SEQUENCE_LSTM only.
   */
  hybridWeights?: boolean;
  /** With hybridWeights: explicit int8 values and scale per NNAPI role (instead of quantizing the float values). */
  hybridQuantization?: ReadonlyMap<string, HybridQuant>;
  /**
   * Attack fixtures for the reader's and validate's work bounds: the subgraph's operators vector holds the one
   * operator table this many times (aliases; default 1) …
   */
  operatorAliases?: number;
  /** … and the file carries an unreferenced data buffer of this many bytes (raises the reader's budget). */
  paddingBytes?: number;
}

/** TFLite input slots of the state variables (LSTM / UNIDIRECTIONAL_SEQUENCE_LSTM). */
export const TFLITE_OUTPUT_STATE = 18;
export const TFLITE_CELL_STATE = 19;

/** What one subgraph input of a written model is. */
export interface SingleOpInput {
  /** NNAPI operation input position it is fed from. */
  nnapi: number;
  /** NNAPI role of that operand ('input', 'aux_input', 'output_state_in', 'fw_cell_state_in', …). */
  role: string;
  /** True for the state variable tensors. */
  state: boolean;
}

/** What one subgraph output of a written model is. */
export interface SingleOpOutput {
  /**
   * NNAPI output role it carries: 'output' / 'fw_output' / 'bw_output' (for a merged bidirectional op 'fw_output'
   * is the concatenated output, as in NNAPI), or a final state 'output_state_out', 'cell_state_out',
   * 'fw_output_state_out', … (the role of the state input with `_in` → `_out`).
   */
  role: string;
  /** True for the state variable tensors (read after Invoke). */
  state: boolean;
}

/** Subgraph I/O of a written single-op model, in subgraph order. */
export interface SingleOpIo {
  inputs: SingleOpInput[];
  outputs: SingleOpOutput[];
}

type WrittenOperation = LstmFamilyOperation;

const WRITTEN_OPERATIONS: readonly WrittenOperation[] = ['LSTM', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM'];

/** NNAPI input counts per operation (LSTM: 23 without, 27 with layer norm). */
const NNAPI_INPUT_COUNTS: Record<WrittenOperation, readonly number[]> = {
  LSTM: [23, 27],
  UNIDIRECTIONAL_SEQUENCE_LSTM: [28],
  BIDIRECTIONAL_SEQUENCE_LSTM: [61],
};

/** Minimum TF runtime for op version 1 (facts §7), written as converter-style metadata. */
const MIN_RUNTIME: Record<WrittenOperation, string> = { LSTM: '1.7.0', UNIDIRECTIONAL_SEQUENCE_LSTM: '1.13.1', BIDIRECTIONAL_SEQUENCE_LSTM: '1.14.0' };

/** NNAPI roles fed at run time (not constants): the data inputs and the recurrent states. */
const isStateRole = (role: string): boolean => /(^|_)(output|cell)_state_in$/.test(role);
const isDataRole = (role: string): boolean => role === 'input' || role === 'aux_input';

interface TensorPlan {
  name: string;
  shape: number[];
  /** Constant float32 data, if any. */
  data?: Float32Array;
  /** Hybrid: the constant as int8 symmetric per-tensor (written instead of `data`). */
  int8?: HybridQuant;
  isVariable: boolean;
}

interface OptionsPlan {
  activation: number;
  cellClip: number;
  projClip: number;
  timeMajor: boolean;
  mergeOutputs: boolean;
}

interface SingleOpPlan {
  kind: WrittenOperation;
  tensors: TensorPlan[];
  opInputs: number[];
  opOutputs: number[];
  subgraphInputs: number[];
  subgraphOutputs: number[];
  options: OptionsPlan;
  io: SingleOpIo;
  /** Hybrid op (int8 weights, op version 3 / 2). */
  hybrid: boolean;
}

function scalarValue(op: Operand | undefined, role: string): number {
  if (!op) throw new UnsupportedByTflite(`missing ${role} operand`);
  if (op.lifetime !== 'CONSTANT_COPY' && op.lifetime !== 'CONSTANT_REFERENCE') {
    throw new UnsupportedByTflite(`${role} is a runtime operand (${op.lifetime}); TFLite keeps it as a constant builtin option`);
  }
  const v = op.values[0];
  if (v === undefined || op.values.length !== 1) throw new UnsupportedByTflite(`${role} must hold exactly one value`);
  if (op.type === 'FLOAT16') throw new UnsupportedByTflite(`${role} is FLOAT16 (float16 LSTM models are not expressible in TFLite)`);
  return Number(v);
}

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

const staticShape = (dims: readonly number[]) => dims.length > 0 && dims.every((d) => Number.isInteger(d) && d > 0);

/** Lays out the single-op model (tensors, op and subgraph I/O, options); throws as writeSingleOpTflite. */
function planSingleOp(model: Model, opts: WriteOptions): SingleOpPlan {
  if (model.operations.length !== 1) throw new UnsupportedByTflite(`the model has ${model.operations.length} operations; single-op models only`);
  const operation = model.operations[0]!;
  const kind = WRITTEN_OPERATIONS.find((k) => k === operation.type);
  if (!kind) throw new UnsupportedByTflite(`operation ${operation.type} is not written (${WRITTEN_OPERATIONS.join(', ')} only)`);
  const bidi = kind === 'BIDIRECTIONAL_SEQUENCE_LSTM';
  const mapping = LSTM_FAMILY_MAPPINGS[kind];
  const nIn = operation.inputs.length;
  const legal = NNAPI_INPUT_COUNTS[kind];
  if (!legal.includes(nIn)) throw new Error(`invalid NNAPI ${kind}: ${nIn} inputs (expected ${legal.join(' or ')})`);
  const operandAt = (i: number): Operand | undefined => {
    const idx = operation.inputs[i];
    return idx === undefined ? undefined : model.operands[idx];
  };
  const entries: NnapiInputEntry[] = nnapiInputsFor(kind, kind === 'LSTM' && nIn === 23 ? 20 : Math.max(...mapping.tfliteInputCounts));

  // Types: float32 tensors and float32/int32/bool scalars only.
  for (const e of entries) {
    const o = operandAt(e.nnapi);
    if (!o) throw new Error(`invalid NNAPI ${kind}: input ${e.nnapi} (${e.role}) refers to no operand`);
    if (o.type === 'TENSOR_FLOAT16' || o.type === 'FLOAT16') {
      throw new UnsupportedByTflite(`${e.role} is ${o.type}: float16 LSTM operands have no TFLite counterpart (TFLite LSTMs are float32 or quantized)`);
    }
    if (e.source.kind !== 'option' && !isOmitted(o) && o.type !== 'TENSOR_FLOAT32') {
      throw new UnsupportedByTflite(`${e.role} is ${o.type}; the writer produces float32 models only`);
    }
  }
  for (const idx of operation.outputs) {
    const o = model.operands[idx];
    if (o && (o.type === 'TENSOR_FLOAT16' || o.type === 'FLOAT16')) throw new UnsupportedByTflite(`output ${o.name} is ${o.type} (float16 is not expressible in TFLite)`);
  }

  // Options.
  const optionValues: Partial<Record<LstmOptionField, number>> = {};
  for (const e of entries) if (e.source.kind === 'option') optionValues[e.source.field] = scalarValue(operandAt(e.nnapi), e.role);
  const activation = optionValues.fused_activation_function ?? 0;
  if (activation === 6) {
    throw new UnsupportedByTflite('activation 6 (sigmoid) is legal in NNAPI but ActivationFunctionType in the .tflite schema has no SIGMOID');
  }
  if (!Number.isInteger(activation) || activation < 0 || activation > 5) {
    throw new UnsupportedByTflite(`activation ${activation} is not an ActivationFunctionType (0–5)`);
  }
  const options: OptionsPlan = {
    activation,
    cellClip: optionValues.cell_clip ?? 0,
    projClip: optionValues.proj_clip ?? 0,
    timeMajor: (optionValues.time_major ?? 0) !== 0,
    mergeOutputs: (optionValues.merge_outputs ?? 0) !== 0,
  };

  // Layer norm. LSTM / UNIDIRECTIONAL: TFLite switches it on iff the forget-gate LN tensor is present.
  // BIDIRECTIONAL: TFLite's op has no layer-norm inputs at all (mapping source 'none').
  let tfliteInputCount: number;
  if (bidi) {
    const ln = entries.filter((e) => e.source.kind === 'none' && !isOmitted(operandAt(e.nnapi)!)).map((e) => e.role);
    if (ln.length > 0) {
      throw new UnsupportedByTflite(`layer norm (${ln.join(', ')}): TFLite's BIDIRECTIONAL_SEQUENCE_LSTM has no layer-norm inputs (48 inputs, facts §5)`);
    }
    tfliteInputCount = mapping.tfliteInputCounts[0]!;
  } else {
    const lnEntries = entries.filter((e) => e.source.kind === 'input' && e.source.layerNorm);
    const lnPresent = new Map(lnEntries.map((e) => [e.role, !isOmitted(operandAt(e.nnapi)!)]));
    const anyLn = [...lnPresent.values()].some(Boolean);
    if (anyLn && !lnPresent.get('forget_layer_norm_weights')) {
      throw new UnsupportedByTflite('layer norm without forget_layer_norm_weights: TFLite enables layer norm only through that tensor');
    }
    tfliteInputCount = anyLn ? 24 : 20;
  }

  if (bidi) checkBidirectionalRestrictions(kind, entries, operandAt);
  if (opts.hybridWeights && bidi) throw new UnsupportedByTflite('hybridWeights: only LSTM and UNIDIRECTIONAL_SEQUENCE_LSTM are written as hybrid ops');

  // Tensors, in TFLite input order, then the outputs.
  const tensors: TensorPlan[] = [];
  const opInputs: number[] = new Array<number>(tfliteInputCount).fill(-1);
  const dataInputs: SingleOpInput[] = [];
  const stateInputs: SingleOpInput[] = [];
  const tensorOfRole = new Map<string, number>();
  for (const e of [...entries].sort((a, b) => slotOf(a) - slotOf(b))) {
    if (e.source.kind !== 'input' || e.source.tflite >= tfliteInputCount) continue;
    const o = operandAt(e.nnapi)!;
    const slot = e.source.tflite;
    const isState = isStateRole(e.role);
    const isData = isDataRole(e.role);
    if (isOmitted(o)) {
      if (e.role === 'input' || isState) throw new Error(`invalid NNAPI ${kind}: required operand ${e.role} is omitted`);
      continue;
    }
    if (!staticShape(o.dimensions)) {
      throw new UnsupportedByTflite(`${e.role} has unknown or empty dimensions [${o.dimensions.join(',')}]; a .tflite tensor needs a static shape`);
    }
    const plan: TensorPlan = { name: isState ? e.role.replace(/_in$/, '') : e.role, shape: [...o.dimensions], isVariable: isState };
    if (!isState && !isData) {
      if (o.values.length !== product(o.dimensions)) {
        throw new Error(`invalid NNAPI ${kind}: ${e.role} has ${o.values.length} values for dimensions [${o.dimensions.join(',')}]`);
      }
      plan.data = Float32Array.from(o.values);
      if (opts.hybridWeights && HYBRID_WEIGHT_ROLES.has(e.role)) plan.int8 = opts.hybridQuantization?.get(e.role) ?? quantizeSymmetricInt8(plan.data);
    }
    opInputs[slot] = tensors.length;
    tensorOfRole.set(e.role, tensors.length);
    if (isState) stateInputs.push({ nnapi: e.nnapi, role: e.role, state: true });
    else if (isData) dataInputs.push({ nnapi: e.nnapi, role: e.role, state: false });
    tensors.push(plan);
  }

  const opOutputs: number[] = [];
  const opOutputIo: SingleOpOutput[] = [];
  const outEntries = mapping.outputs
    .filter((x) => x.source.kind === 'output' && !(options.mergeOutputs && x.source.tflite > 0))
    .sort((a, b) => (a.source.kind === 'output' ? a.source.tflite : 0) - (b.source.kind === 'output' ? b.source.tflite : 0));
  for (const outEntry of outEntries) {
    const outIdx = operation.outputs[outEntry.nnapi];
    const outOperand = outIdx === undefined ? undefined : model.operands[outIdx];
    if (!outOperand) throw new Error(`invalid NNAPI ${kind}: no ${outEntry.role} output`);
    if (!staticShape(outOperand.dimensions)) {
      throw new UnsupportedByTflite(`${outEntry.role} has unknown dimensions [${outOperand.dimensions.join(',')}]`);
    }
    // LSTM / UNIDIRECTIONAL name their single output 'output' (as before); the bidirectional ones keep their roles.
    opOutputs.push(tensors.length);
    opOutputIo.push({ role: outEntry.role, state: false });
    tensors.push({ name: bidi ? outEntry.role : 'output', shape: [...outOperand.dimensions], isVariable: false });
  }

  const stateIo = opts.stateIo ?? true;
  const stateTensors = stateInputs.map((s) => tensorOfRole.get(s.role)!);
  const subgraphInputs = [...dataInputs.map((d) => tensorOfRole.get(d.role)!), ...(stateIo ? stateTensors : [])];
  const subgraphOutputs = [...opOutputs, ...(stateIo ? stateTensors : [])];
  const io: SingleOpIo = {
    inputs: [...dataInputs, ...(stateIo ? stateInputs : [])],
    outputs: [...opOutputIo, ...(stateIo ? stateInputs.map((s) => ({ role: s.role.replace(/_in$/, '_out'), state: true })) : [])],
  };
  return { kind, tensors, opInputs, opOutputs, subgraphInputs, subgraphOutputs, options, io, hybrid: opts.hybridWeights === true && !bidi };
}

/**
 * What TFLite's bidirectional kernel rejects although NNAPI allows it (measured in the WASM runtime, Prepare fails):
 * - forward and backward cells of different sizes (n_cell or n_output): the backward tensors are checked against
 *   the forward sizes;
 * - parallel linking (aux_input present, every aux weight omitted: the backward cell reads aux_input) with an aux
 *   feature size different from the input's: the backward input weights are checked against the *input*'s size
 *   ("bw_input_to_output_weights->dims->data[1] != n_input (2 != 3)" for the V1_3 parallel_linking_2 vector).
 *   Equal sizes run as NNAPI specifies.
 */
function checkBidirectionalRestrictions(kind: WrittenOperation, entries: readonly NnapiInputEntry[], operandAt: (i: number) => Operand | undefined): void {
  const byRole = (role: string): Operand | undefined => {
    const e = entries.find((x) => x.role === role);
    return e ? operandAt(e.nnapi) : undefined;
  };
  // TFLite checks the backward cell's tensors against the forward cell's sizes (measured: "input_to_forget_weights
  // ->dims->data[0] != n_cell (5 != 4)", "recurrent_to_input_weights->dims->data[1] != n_output (3 != 4)").
  const dimOf = (role: string, d: number) => byRole(role)?.dimensions[d];
  for (const [what, role, d] of [['n_cell', 'input_to_output_weights', 0], ['n_output', 'recurrent_to_output_weights', 1]] as const) {
    const fw = dimOf(`fw_${role}`, d);
    const bw = dimOf(`bw_${role}`, d);
    if (fw !== undefined && bw !== undefined && fw !== bw) {
      throw new UnsupportedByTflite(
        `forward and backward ${what} differ (${fw} vs ${bw}): TFLite's ${kind} checks the backward cell's tensors against the forward cell's sizes (Prepare fails)`,
      );
    }
  }
  const aux = byRole('aux_input');
  const input = byRole('input');
  if (!aux || isOmitted(aux) || !input) return;
  const auxWeights = entries.filter((e) => /_aux_input_to_\w+_weights$/.test(e.role)).map((e) => operandAt(e.nnapi));
  if (auxWeights.some((o) => o && !isOmitted(o))) return; // cross linking
  const auxSize = aux.dimensions[aux.dimensions.length - 1];
  const inputSize = input.dimensions[input.dimensions.length - 1];
  if (auxSize !== inputSize) {
    throw new UnsupportedByTflite(
      `parallel linking (aux_input without aux weights) with aux_input size ${String(auxSize)} ≠ input size ${String(inputSize)}: ` +
        `TFLite's ${kind} feeds aux_input to the backward cell but checks the backward input weights against the input size (Prepare fails)`,
    );
  }
}

function slotOf(e: NnapiInputEntry): number {
  return e.source.kind === 'input' ? e.source.tflite : Number.MAX_SAFE_INTEGER;
}

/**
 * The subgraph I/O a written model of `model` has (which NNAPI operand each subgraph input / output is). Throws
 * exactly when writeSingleOpTflite would.
 */
export function singleOpIo(model: Model, opts: WriteOptions = {}): SingleOpIo {
  return planSingleOp(model, opts).io;
}

/**
 * Builds a single-op `.tflite` for an NNAPI model with exactly one LSTM (23/27 inputs),
 * UNIDIRECTIONAL_SEQUENCE_LSTM (28 inputs) or BIDIRECTIONAL_SEQUENCE_LSTM (61 inputs) operation. Throws
 * UnsupportedByTflite for what TFLite cannot express (FLOAT16 operands, sigmoid activation 6, runtime scalars,
 * quantized types, partial layer norm, any bidirectional layer norm, unknown shapes), and Error for a malformed
 * NNAPI model.
 *
 * @example
 * ```ts
 * import { parseModel } from 'nnlstm';
 * import { writeSingleOpTflite, readTflite } from 'nnlstm/tflite';
 * const bytes = writeSingleOpTflite(parseModel(json));   // a .tflite the TFLite interpreter runs
 * console.log(readTflite(bytes).subgraphs[0]!.operators.length); // 1
 * ```
 */
export function writeSingleOpTflite(model: Model, opts: WriteOptions = {}): Uint8Array {
  return serialize(planSingleOp(model, opts), opts);
}

/** writeSingleOpTflite plus the subgraph I/O description of the written bytes. */
export function writeSingleOpTfliteWithIo(model: Model, opts: WriteOptions = {}): { bytes: Uint8Array; io: SingleOpIo } {
  const plan = planSingleOp(model, opts);
  return { bytes: serialize(plan, opts), io: plan.io };
}

function serialize(plan: SingleOpPlan, opts: WriteOptions): Uint8Array {
  const { kind, tensors, opInputs, opOutputs, subgraphInputs, subgraphOutputs } = plan;
  const { activation, cellClip, projClip, timeMajor, mergeOutputs } = plan.options;
  const mapping = LSTM_FAMILY_MAPPINGS[kind];
  // ---- serialise ------------------------------------------------------------------------------------------------
  const b = new flatbuffers.Builder(1024 + tensors.reduce((a, t) => a + (t.data ? t.data.byteLength + 32 : 64), 0));

  // Buffers: 0 = sentinel, then constants, then the metadata string.
  const bufferOffsets: flatbuffers.Offset[] = [];
  FbBuffer.startBuffer(b);
  bufferOffsets.push(FbBuffer.endBuffer(b));
  const tensorBuffer: number[] = tensors.map(() => 0);
  const addDataBuffer = (bytes: Uint8Array): number => {
    b.startVector(1, bytes.length, 16);
    for (let i = bytes.length - 1; i >= 0; i--) b.addInt8(bytes[i]!);
    const vec = b.endVector();
    FbBuffer.startBuffer(b);
    FbBuffer.addData(b, vec);
    bufferOffsets.push(FbBuffer.endBuffer(b));
    return bufferOffsets.length - 1;
  };
  tensors.forEach((t, i) => {
    if (t.int8) {
      tensorBuffer[i] = addDataBuffer(new Uint8Array(t.int8.q.buffer, t.int8.q.byteOffset, t.int8.q.byteLength));
      return;
    }
    if (!t.data) return;
    const bytes = new Uint8Array(t.data.byteLength);
    const dv = new DataView(bytes.buffer);
    t.data.forEach((v, j) => dv.setFloat32(4 * j, v, true));
    tensorBuffer[i] = addDataBuffer(bytes);
  });
  const minRuntime = new Uint8Array(16);
  const hybridKind = plan.hybrid && kind !== 'BIDIRECTIONAL_SEQUENCE_LSTM' ? kind : undefined;
  new TextEncoder().encodeInto(hybridKind ? HYBRID_MIN_RUNTIME[hybridKind] : MIN_RUNTIME[kind], minRuntime);
  const metadataBufferIndex = addDataBuffer(minRuntime);
  if (opts.paddingBytes) addDataBuffer(new Uint8Array(opts.paddingBytes));

  const tensorOffsets = tensors.map((t, i) => {
    const name = b.createString(t.name);
    const shape = FbTensor.createShapeVector(b, t.shape);
    let quant = 0;
    if (t.int8) {
      const sv = FbQuantizationParameters.createScaleVector(b, [t.int8.scale]);
      const zv = FbQuantizationParameters.createZeroPointVector(b, [0n]);
      FbQuantizationParameters.startQuantizationParameters(b);
      FbQuantizationParameters.addScale(b, sv);
      FbQuantizationParameters.addZeroPoint(b, zv);
      quant = FbQuantizationParameters.endQuantizationParameters(b);
    }
    FbTensor.startTensor(b);
    FbTensor.addShape(b, shape);
    FbTensor.addType(b, t.int8 ? TensorType.INT8 : TensorType.FLOAT32);
    if (quant) FbTensor.addQuantization(b, quant);
    FbTensor.addBuffer(b, tensorBuffer[i]!);
    FbTensor.addName(b, name);
    if (t.isVariable) FbTensor.addIsVariable(b, true);
    return FbTensor.endTensor(b);
  });

  // Options, written explicitly (including defaults) as the converter does.
  b.forceDefaults(true);
  let optionsType: BuiltinOptions;
  let optionsOffset: flatbuffers.Offset;
  if (kind === 'LSTM') {
    LSTMOptions.startLSTMOptions(b);
    LSTMOptions.addFusedActivationFunction(b, activation);
    LSTMOptions.addCellClip(b, cellClip);
    LSTMOptions.addProjClip(b, projClip);
    LSTMOptions.addKernelType(b, 0);
    optionsOffset = LSTMOptions.endLSTMOptions(b);
    optionsType = BuiltinOptions.LSTMOptions;
  } else if (kind === 'BIDIRECTIONAL_SEQUENCE_LSTM') {
    BidirectionalSequenceLSTMOptions.startBidirectionalSequenceLSTMOptions(b);
    BidirectionalSequenceLSTMOptions.addFusedActivationFunction(b, activation);
    BidirectionalSequenceLSTMOptions.addCellClip(b, cellClip);
    BidirectionalSequenceLSTMOptions.addProjClip(b, projClip);
    BidirectionalSequenceLSTMOptions.addMergeOutputs(b, mergeOutputs);
    // time_major defaults to TRUE in this table (unlike the unidirectional one): always written.
    BidirectionalSequenceLSTMOptions.addTimeMajor(b, timeMajor);
    optionsOffset = BidirectionalSequenceLSTMOptions.endBidirectionalSequenceLSTMOptions(b);
    optionsType = BuiltinOptions.BidirectionalSequenceLSTMOptions;
  } else {
    UnidirectionalSequenceLSTMOptions.startUnidirectionalSequenceLSTMOptions(b);
    UnidirectionalSequenceLSTMOptions.addFusedActivationFunction(b, activation);
    UnidirectionalSequenceLSTMOptions.addCellClip(b, cellClip);
    UnidirectionalSequenceLSTMOptions.addProjClip(b, projClip);
    UnidirectionalSequenceLSTMOptions.addTimeMajor(b, timeMajor);
    optionsOffset = UnidirectionalSequenceLSTMOptions.endUnidirectionalSequenceLSTMOptions(b);
    optionsType = BuiltinOptions.UnidirectionalSequenceLSTMOptions;
  }
  b.forceDefaults(false);

  const opInputsVec = FbOperator.createInputsVector(b, opInputs);
  const opOutputsVec = FbOperator.createOutputsVector(b, opOutputs);
  FbOperator.startOperator(b);
  FbOperator.addOpcodeIndex(b, 0);
  FbOperator.addInputs(b, opInputsVec);
  FbOperator.addOutputs(b, opOutputsVec);
  FbOperator.addBuiltinOptionsType(b, optionsType);
  FbOperator.addBuiltinOptions(b, optionsOffset);
  const operatorOffset = FbOperator.endOperator(b);

  const sgName = b.createString(opts.subgraphName ?? 'main');
  const sgTensors = FbSubGraph.createTensorsVector(b, tensorOffsets);
  const sgInputs = FbSubGraph.createInputsVector(b, subgraphInputs);
  const sgOutputs = FbSubGraph.createOutputsVector(b, subgraphOutputs);
  const sgOperators = FbSubGraph.createOperatorsVector(b, new Array<number>(Math.max(1, opts.operatorAliases ?? 1)).fill(operatorOffset));
  FbSubGraph.startSubGraph(b);
  FbSubGraph.addTensors(b, sgTensors);
  FbSubGraph.addInputs(b, sgInputs);
  FbSubGraph.addOutputs(b, sgOutputs);
  FbSubGraph.addOperators(b, sgOperators);
  FbSubGraph.addName(b, sgName);
  const subgraphOffset = FbSubGraph.endSubGraph(b);

  FbOperatorCode.startOperatorCode(b);
  FbOperatorCode.addDeprecatedBuiltinCode(b, mapping.builtinCode);
  FbOperatorCode.addVersion(b, hybridKind ? HYBRID_OP_VERSION[hybridKind] : 1);
  FbOperatorCode.addBuiltinCode(b, mapping.builtinCode);
  const opcodeOffset = FbOperatorCode.endOperatorCode(b);

  const mdName = b.createString('min_runtime_version');
  FbMetadata.startMetadata(b);
  FbMetadata.addName(b, mdName);
  FbMetadata.addBuffer(b, metadataBufferIndex);
  const metadataOffset = FbMetadata.endMetadata(b);

  const description = b.createString(opts.description ?? 'nnlstm single-op model');
  const codesVec = FbModel.createOperatorCodesVector(b, [opcodeOffset]);
  const subgraphsVec = FbModel.createSubgraphsVector(b, [subgraphOffset]);
  const buffersVec = FbModel.createBuffersVector(b, bufferOffsets);
  const metadataVec = FbModel.createMetadataVector(b, [metadataOffset]);
  FbModel.startModel(b);
  FbModel.addVersion(b, TFLITE_SCHEMA_VERSION);
  FbModel.addOperatorCodes(b, codesVec);
  FbModel.addSubgraphs(b, subgraphsVec);
  FbModel.addDescription(b, description);
  FbModel.addBuffers(b, buffersVec);
  FbModel.addMetadata(b, metadataVec);
  const root = FbModel.endModel(b);
  FbModel.finishModelBuffer(b, root);
  return b.asUint8Array().slice();
}
