/**
 * Test helper: builds arbitrary (also inconsistent) `.tflite` files from a compact description with the generated
 * flatbuffer API — for semantic-error cases and ops the writer does not produce (bidirectional LSTM).
 */
import * as flatbuffers from 'flatbuffers';
import {
  BidirectionalSequenceLSTMOptions,
  Buffer as FbBuffer,
  LSTMOptions,
  Model as FbModel,
  Operator as FbOperator,
  OperatorCode as FbOperatorCode,
  QuantizationParameters,
  SubGraph as FbSubGraph,
  Tensor as FbTensor,
  UnidirectionalSequenceLSTMOptions,
} from '../../src/tflite/generated/tflite.js';

export interface BuildTensor {
  name?: string;
  shape: number[];
  type?: number;
  /** Buffer index (default 0). */
  buffer?: number;
  isVariable?: boolean;
  scale?: number[];
  zeroPoint?: number[];
}
export interface BuildOperator {
  opcode: number;
  inputs: number[];
  outputs: number[];
  intermediates?: number[];
  options?:
    | { kind: 'LSTMOptions'; activation?: number; cellClip?: number; projClip?: number; kernelType?: number }
    | { kind: 'UnidirectionalSequenceLSTMOptions'; activation?: number; cellClip?: number; projClip?: number; timeMajor?: boolean }
    | { kind: 'BidirectionalSequenceLSTMOptions'; activation?: number; cellClip?: number; projClip?: number; mergeOutputs?: boolean; timeMajor?: boolean }
    | { kind: 'raw'; type: number };
  customOptions?: number[];
}
export interface BuildModel {
  version?: number;
  opcodes: { code: number; version?: number; deprecated?: number }[];
  tensors: BuildTensor[];
  operators: BuildOperator[];
  inputs: number[];
  outputs: number[];
  /** buffers[0] is always the sentinel; these follow it. `'empty'` = an empty-but-present data vector. */
  buffers?: (Uint8Array | 'empty' | null)[];
  subgraphs?: number;
}

export function f32bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

export function buildTflite(m: BuildModel): Uint8Array {
  const b = new flatbuffers.Builder(1024);
  const buffers: flatbuffers.Offset[] = [];
  FbBuffer.startBuffer(b);
  buffers.push(FbBuffer.endBuffer(b));
  for (const data of m.buffers ?? []) {
    let vec = 0;
    if (data === 'empty') vec = FbBuffer.createDataVector(b, []);
    else if (data) {
      b.startVector(1, data.length, 16);
      for (let i = data.length - 1; i >= 0; i--) b.addInt8(data[i]!);
      vec = b.endVector();
    }
    FbBuffer.startBuffer(b);
    if (vec) FbBuffer.addData(b, vec);
    buffers.push(FbBuffer.endBuffer(b));
  }
  const tensors = m.tensors.map((t, i) => {
    const name = b.createString(t.name ?? `t${i}`);
    const shape = FbTensor.createShapeVector(b, t.shape);
    let q = 0;
    if (t.scale) {
      const s = QuantizationParameters.createScaleVector(b, t.scale);
      const z = QuantizationParameters.createZeroPointVector(b, (t.zeroPoint ?? t.scale.map(() => 0)).map((x) => BigInt(x)));
      QuantizationParameters.startQuantizationParameters(b);
      QuantizationParameters.addScale(b, s);
      QuantizationParameters.addZeroPoint(b, z);
      q = QuantizationParameters.endQuantizationParameters(b);
    }
    FbTensor.startTensor(b);
    FbTensor.addShape(b, shape);
    FbTensor.addType(b, t.type ?? 0);
    FbTensor.addBuffer(b, t.buffer ?? 0);
    FbTensor.addName(b, name);
    if (q) FbTensor.addQuantization(b, q);
    if (t.isVariable) FbTensor.addIsVariable(b, true);
    return FbTensor.endTensor(b);
  });
  const ops = m.operators.map((op) => {
    let optType = 0;
    let opt = 0;
    const o = op.options;
    if (o?.kind === 'LSTMOptions') {
      LSTMOptions.startLSTMOptions(b);
      if (o.activation !== undefined) LSTMOptions.addFusedActivationFunction(b, o.activation);
      if (o.cellClip !== undefined) LSTMOptions.addCellClip(b, o.cellClip);
      if (o.projClip !== undefined) LSTMOptions.addProjClip(b, o.projClip);
      if (o.kernelType !== undefined) LSTMOptions.addKernelType(b, o.kernelType);
      opt = LSTMOptions.endLSTMOptions(b);
      optType = 14;
    } else if (o?.kind === 'UnidirectionalSequenceLSTMOptions') {
      UnidirectionalSequenceLSTMOptions.startUnidirectionalSequenceLSTMOptions(b);
      if (o.activation !== undefined) UnidirectionalSequenceLSTMOptions.addFusedActivationFunction(b, o.activation);
      if (o.cellClip !== undefined) UnidirectionalSequenceLSTMOptions.addCellClip(b, o.cellClip);
      if (o.projClip !== undefined) UnidirectionalSequenceLSTMOptions.addProjClip(b, o.projClip);
      if (o.timeMajor !== undefined) UnidirectionalSequenceLSTMOptions.addTimeMajor(b, o.timeMajor);
      opt = UnidirectionalSequenceLSTMOptions.endUnidirectionalSequenceLSTMOptions(b);
      optType = 71;
    } else if (o?.kind === 'BidirectionalSequenceLSTMOptions') {
      BidirectionalSequenceLSTMOptions.startBidirectionalSequenceLSTMOptions(b);
      if (o.activation !== undefined) BidirectionalSequenceLSTMOptions.addFusedActivationFunction(b, o.activation);
      if (o.cellClip !== undefined) BidirectionalSequenceLSTMOptions.addCellClip(b, o.cellClip);
      if (o.projClip !== undefined) BidirectionalSequenceLSTMOptions.addProjClip(b, o.projClip);
      if (o.mergeOutputs !== undefined) BidirectionalSequenceLSTMOptions.addMergeOutputs(b, o.mergeOutputs);
      b.forceDefaults(true);
      if (o.timeMajor !== undefined) BidirectionalSequenceLSTMOptions.addTimeMajor(b, o.timeMajor);
      b.forceDefaults(false);
      opt = BidirectionalSequenceLSTMOptions.endBidirectionalSequenceLSTMOptions(b);
      optType = 69;
    } else if (o?.kind === 'raw') {
      optType = o.type;
    }
    const inputs = FbOperator.createInputsVector(b, op.inputs);
    const outputs = FbOperator.createOutputsVector(b, op.outputs);
    const inter = op.intermediates ? FbOperator.createIntermediatesVector(b, op.intermediates) : 0;
    const custom = op.customOptions ? FbOperator.createCustomOptionsVector(b, op.customOptions) : 0;
    FbOperator.startOperator(b);
    FbOperator.addOpcodeIndex(b, op.opcode);
    FbOperator.addInputs(b, inputs);
    FbOperator.addOutputs(b, outputs);
    if (inter) FbOperator.addIntermediates(b, inter);
    if (custom) FbOperator.addCustomOptions(b, custom);
    if (optType) FbOperator.addBuiltinOptionsType(b, optType);
    if (opt) FbOperator.addBuiltinOptions(b, opt);
    return FbOperator.endOperator(b);
  });
  const sgT = FbSubGraph.createTensorsVector(b, tensors);
  const sgI = FbSubGraph.createInputsVector(b, m.inputs);
  const sgO = FbSubGraph.createOutputsVector(b, m.outputs);
  const sgOps = FbSubGraph.createOperatorsVector(b, ops);
  FbSubGraph.startSubGraph(b);
  FbSubGraph.addTensors(b, sgT);
  FbSubGraph.addInputs(b, sgI);
  FbSubGraph.addOutputs(b, sgO);
  FbSubGraph.addOperators(b, sgOps);
  const sg = FbSubGraph.endSubGraph(b);
  const codes = m.opcodes.map((c) => {
    FbOperatorCode.startOperatorCode(b);
    FbOperatorCode.addDeprecatedBuiltinCode(b, c.deprecated ?? Math.min(c.code, 127));
    FbOperatorCode.addBuiltinCode(b, c.code);
    FbOperatorCode.addVersion(b, c.version ?? 1);
    return FbOperatorCode.endOperatorCode(b);
  });
  const codesVec = FbModel.createOperatorCodesVector(b, codes);
  const sgVec = FbModel.createSubgraphsVector(b, new Array<number>(m.subgraphs ?? 1).fill(sg));
  const bufVec = FbModel.createBuffersVector(b, buffers);
  FbModel.startModel(b);
  FbModel.addVersion(b, m.version ?? 3);
  FbModel.addOperatorCodes(b, codesVec);
  FbModel.addSubgraphs(b, sgVec);
  FbModel.addBuffers(b, bufVec);
  FbModel.finishModelBuffer(b, FbModel.endModel(b));
  return b.asUint8Array().slice();
}
