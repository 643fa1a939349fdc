/**
 * NNAPI LSTM / UNIDIRECTIONAL_SEQUENCE_LSTM model → single-operator `.tflite` file (float32 only).
 *
 * Layout of the written model (what TFLite's converter would write for one op, plus state I/O):
 * - buffer 0 is the empty sentinel (a Buffer table without `data`); every constant gets its own buffer whose data
 *   vector is 16-byte aligned; tensors without constant data point at buffer 0 — never at an empty-but-present
 *   data vector (TFLite would read that as a 0-byte constant).
 * - constant weights/biases/peephole/projection/layer-norm operands become constant tensors, whatever their NNAPI
 *   lifetime (AOSP examples pass weights as SUBGRAPH_INPUTs with values); omitted operands become `-1`.
 * - activation / cell_clip / proj_clip (/ time_major) go into the builtin options, written explicitly; LSTM also
 *   writes kernel_type FULL. 20 op inputs without layer norm, 24 with. Op version 1; the builtin code is in both
 *   `builtin_code` and `deprecated_builtin_code`; no custom_options.
 * - STATE. Inputs 18/19 must be variable tensors (is_variable, no buffer), and a `.tflite` cannot carry a non-zero
 *   initial state. What works (measured with the tfjs-tflite 0.0.1-alpha.10 WASM runtime, see
 *   test/tflite/runtime.test.ts): list the two variable tensors as extra SUBGRAPH INPUTS and extra SUBGRAPH
 *   OUTPUTS. The runner exposes them in GetInputs(); writing the initial state into their data() before Infer() is
 *   what the kernel reads (TFLite resets variables only when tensors are (re)allocated, not on Invoke), and since
 *   the op updates them in place, reading them through GetOutputs() after Infer() yields output_state_out /
 *   cell_state_out. Subgraph inputs are therefore [input, output_state, cell_state] and outputs
 *   [output, output_state, cell_state] (`stateIo: false` writes the plain converter form: [input] → [output]).
 *   Measured: all 35 float32 AOSP LSTM / UNIDIRECTIONAL_SEQUENCE_LSTM examples (non-zero initial states included)
 *   reproduce output, output_state_out and cell_state_out within 7.5e-7 (≤ 0.08 of the AOSP tolerance); without
 *   state I/O the same models start from zero state and miss by > 1e-3. The state also persists across Infer()
 *   calls of one interpreter (TFLite semantics), so a caller wanting NNAPI's stateless semantics writes the state
 *   inputs before every Infer().
 */
import * as flatbuffers from 'flatbuffers';
import { isOmitted, type Model, type Operand } from '../model/model.js';
import {
  Buffer as FbBuffer,
  BuiltinOptions,
  LSTMOptions,
  Metadata as FbMetadata,
  Model as FbModel,
  Operator as FbOperator,
  OperatorCode as FbOperatorCode,
  SubGraph as FbSubGraph,
  Tensor as FbTensor,
  TensorType,
  UnidirectionalSequenceLSTMOptions,
} from './generated/tflite.js';
import { UnsupportedByTflite } from './errors.js';
import { LSTM_FAMILY_MAPPINGS, nnapiInputsFor, type LstmOptionField, type NnapiInputEntry } from './mapping.js';
import { TFLITE_SCHEMA_VERSION } from './reader.js';

export { UnsupportedByTflite } from './errors.js';

export interface WriteOptions {
  /** Model description string (default "nnlstm single-op model"). */
  description?: string;
  /** Subgraph name (default "main"). */
  subgraphName?: string;
  /** Expose the state variable tensors as extra subgraph inputs and outputs (default true; see file comment). */
  stateIo?: boolean;
}

/** TFLite input slots of the state variables. */
export const TFLITE_OUTPUT_STATE = 18;
export const TFLITE_CELL_STATE = 19;

/** Minimum TF runtime for op version 1 (facts §7), written as converter-style metadata. */
const MIN_RUNTIME: Record<string, string> = { LSTM: '1.7.0', UNIDIRECTIONAL_SEQUENCE_LSTM: '1.13.1' };

interface TensorPlan {
  name: string;
  shape: number[];
  /** Constant float32 data, if any. */
  data?: Float32Array;
  isVariable: boolean;
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

/**
 * Builds a single-op `.tflite` for an NNAPI model with exactly one LSTM (23/27 inputs) or
 * UNIDIRECTIONAL_SEQUENCE_LSTM (28 inputs) operation. Throws UnsupportedByTflite for what TFLite cannot express
 * (float16 / relaxed-only semantics aside: FLOAT16 operands, sigmoid activation 6, runtime scalars, quantized types,
 * partial layer norm), and Error for a malformed NNAPI model.
 */
export function writeSingleOpTflite(model: Model, opts: WriteOptions = {}): Uint8Array {
  if (model.operations.length !== 1) throw new UnsupportedByTflite(`the model has ${model.operations.length} operations; single-op models only`);
  const operation = model.operations[0]!;
  if (operation.type !== 'LSTM' && operation.type !== 'UNIDIRECTIONAL_SEQUENCE_LSTM') {
    throw new UnsupportedByTflite(`operation ${operation.type} is not written (LSTM and UNIDIRECTIONAL_SEQUENCE_LSTM only)`);
  }
  const kind = operation.type;
  const mapping = LSTM_FAMILY_MAPPINGS[kind];
  const nIn = operation.inputs.length;
  const legal = kind === 'LSTM' ? [23, 27] : [28];
  if (!legal.includes(nIn)) throw new Error(`invalid NNAPI ${kind}: ${nIn} inputs (expected ${legal.join(' or ')})`);
  const operandAt = (i: number): Operand | undefined => {
    const idx = operation.inputs[i];
    return idx === undefined ? undefined : model.operands[idx];
  };
  const entries: NnapiInputEntry[] = nnapiInputsFor(kind, nIn === 23 ? 20 : 24);

  // Types: float32 tensors and float32/int32/bool scalars only.
  for (const e of entries) {
    const o = operandAt(e.nnapi);
    if (!o) throw new Error(`invalid NNAPI ${kind}: input ${e.nnapi} (${e.role}) refers to no operand`);
    if (o.type === 'TENSOR_FLOAT16' || o.type === 'FLOAT16') {
      throw new UnsupportedByTflite(`${e.role} is ${o.type}: float16 LSTM operands have no TFLite counterpart (TFLite LSTMs are float32 or quantized)`);
    }
    if (e.source.kind === 'input' && !isOmitted(o) && o.type !== 'TENSOR_FLOAT32') {
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
  const cellClip = optionValues.cell_clip ?? 0;
  const projClip = optionValues.proj_clip ?? 0;
  const timeMajor = (optionValues.time_major ?? 0) !== 0;

  // Layer norm: TFLite switches it on iff the forget-gate LN tensor (#21) is present.
  const lnEntries = entries.filter((e) => e.source.kind === 'input' && e.source.layerNorm);
  const lnPresent = lnEntries.map((e) => !isOmitted(operandAt(e.nnapi)!));
  const anyLn = lnPresent.some(Boolean);
  if (anyLn && !lnPresent[1]) {
    throw new UnsupportedByTflite('layer norm without forget_layer_norm_weights: TFLite enables layer norm only through that tensor');
  }
  const tfliteInputCount = anyLn ? 24 : 20;

  // Tensors, in TFLite input order, then the output.
  const tensors: TensorPlan[] = [];
  const opInputs: number[] = new Array<number>(tfliteInputCount).fill(-1);
  for (const e of entries) {
    if (e.source.kind !== 'input' || e.source.tflite >= tfliteInputCount) continue;
    const o = operandAt(e.nnapi)!;
    const slot = e.source.tflite;
    const isState = slot === TFLITE_OUTPUT_STATE || slot === TFLITE_CELL_STATE;
    if (isOmitted(o)) {
      if (slot === 0 || isState) throw new Error(`invalid NNAPI ${kind}: required operand ${e.role} is omitted`);
      continue;
    }
    if (o.dimensions.length === 0 || o.dimensions.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new UnsupportedByTflite(`${e.role} has unknown or empty dimensions [${o.dimensions.join(',')}]; a .tflite tensor needs a static shape`);
    }
    const plan: TensorPlan = { name: isState ? (slot === TFLITE_OUTPUT_STATE ? 'output_state' : 'cell_state') : e.role, shape: [...o.dimensions], isVariable: isState };
    if (slot !== 0 && !isState) {
      if (o.values.length !== product(o.dimensions)) {
        throw new Error(`invalid NNAPI ${kind}: ${e.role} has ${o.values.length} values for dimensions [${o.dimensions.join(',')}]`);
      }
      plan.data = Float32Array.from(o.values);
    }
    opInputs[slot] = tensors.length;
    tensors.push(plan);
  }
  const outEntry = mapping.outputs.find((x) => x.source.kind === 'output' && x.source.tflite === 0)!;
  const outIdx = operation.outputs[outEntry.nnapi];
  const outOperand = outIdx === undefined ? undefined : model.operands[outIdx];
  if (!outOperand) throw new Error(`invalid NNAPI ${kind}: no ${outEntry.role} output`);
  if (outOperand.dimensions.length === 0 || outOperand.dimensions.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new UnsupportedByTflite(`output has unknown dimensions [${outOperand.dimensions.join(',')}]`);
  }
  const outputTensor = tensors.length;
  tensors.push({ name: 'output', shape: [...outOperand.dimensions], isVariable: false });

  const stateIo = opts.stateIo ?? true;
  const hIdx = opInputs[TFLITE_OUTPUT_STATE]!;
  const cIdx = opInputs[TFLITE_CELL_STATE]!;
  const subgraphInputs = stateIo ? [opInputs[0]!, hIdx, cIdx] : [opInputs[0]!];
  const subgraphOutputs = stateIo ? [outputTensor, hIdx, cIdx] : [outputTensor];

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
    if (!t.data) return;
    const bytes = new Uint8Array(t.data.byteLength);
    const dv = new DataView(bytes.buffer);
    t.data.forEach((v, j) => dv.setFloat32(4 * j, v, true));
    tensorBuffer[i] = addDataBuffer(bytes);
  });
  const minRuntime = new Uint8Array(16);
  new TextEncoder().encodeInto(MIN_RUNTIME[kind] ?? '1.7.0', minRuntime);
  const metadataBufferIndex = addDataBuffer(minRuntime);

  const tensorOffsets = tensors.map((t, i) => {
    const name = b.createString(t.name);
    const shape = FbTensor.createShapeVector(b, t.shape);
    FbTensor.startTensor(b);
    FbTensor.addShape(b, shape);
    FbTensor.addType(b, TensorType.FLOAT32);
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
  const opOutputsVec = FbOperator.createOutputsVector(b, [outputTensor]);
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
  const sgOperators = FbSubGraph.createOperatorsVector(b, [operatorOffset]);
  FbSubGraph.startSubGraph(b);
  FbSubGraph.addTensors(b, sgTensors);
  FbSubGraph.addInputs(b, sgInputs);
  FbSubGraph.addOutputs(b, sgOutputs);
  FbSubGraph.addOperators(b, sgOperators);
  FbSubGraph.addName(b, sgName);
  const subgraphOffset = FbSubGraph.endSubGraph(b);

  FbOperatorCode.startOperatorCode(b);
  FbOperatorCode.addDeprecatedBuiltinCode(b, mapping.builtinCode);
  FbOperatorCode.addVersion(b, 1);
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
