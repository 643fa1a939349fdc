/**
 * src/tflite/rewrite.ts: a rewrite without edits reads back identical (every field the reader decodes, every
 * buffer byte, every builtin-options table's fields), and edits change exactly what they name. Uses the real
 * models of ../shared/models (skipped with a message when absent) and a model from the single-op writer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as flatbuffers from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { Buffer as FbBuffer, Model as FbModel, Operator as FbOperator, OperatorCode as FbOperatorCode, SubGraph as FbSubGraph, Tensor as FbTensor } from '../../src/tflite/generated/tflite.js';
import { readTflite, type TfliteModel } from '../../src/tflite/reader.js';
import { bidiModel, comparable, lstmChainModel, optionFields, sameOptions } from './compress-fixtures.js';
import { float32Bytes, rewriteTflite, RewriteError } from '../../src/tflite/rewrite.js';
import { sharedDir } from '../../src/util/paths.js';

const shared = sharedDir();
const modelsDir = shared ? join(shared, 'models') : undefined;
const REAL = ['mnist_lstm_float32.tflite', 'mnist_lstm_int8.tflite', 'dtln_noise_suppression_int8.tflite', 'micro_speech_lstm_int8.tflite'];
const haveModels = !!modelsDir && REAL.every((f) => existsSync(join(modelsDir, f)));
if (!haveModels) console.warn(`compress-rewrite.test: ../shared/models absent (${modelsDir ?? 'no ../shared'}): real-model rewrite tests skipped`);

describe('rewriteTflite on fresh-clone fixtures', () => {
  const fixtures: [string, Uint8Array][] = [
    ['UNI chain', lstmChainModel({ nInput: 3, time: 2, lstms: [{ nCell: 4, peephole: true }, { nCell: 3, cifg: true, projection: 2 }], nFc: 2 })],
    ['LSTM op', lstmChainModel({ kind: 'LSTM', nInput: 3, time: 1, lstms: [{ nCell: 4 }], nFc: 2 })],
    ['bidirectional', bidiModel({ nInput: 2, time: 3, nCell: 3, nFc: 2, merge: false })],
  ];
  for (const [name, bytes] of fixtures) {
    it(`${name}: no edits → identical model`, () => {
      const out = rewriteTflite(bytes, { subgraphs: new Map() });
      expect(comparable(readTflite(out))).toEqual(comparable(readTflite(bytes)));
      expect(sameOptions(optionFields(out), optionFields(bytes))).toBe(true);
    });
  }
});

describe.skipIf(!haveModels)('rewriteTflite on the real models', () => {
  for (const f of REAL) {
    it(`${f}: no edits → identical model (reader view, buffers, option fields)`, () => {
      const bytes = new Uint8Array(readFileSync(join(modelsDir!, f)));
      const out = rewriteTflite(bytes, { subgraphs: new Map() });
      expect(comparable(readTflite(out))).toEqual(comparable(readTflite(bytes)));
      expect(sameOptions(optionFields(out), optionFields(bytes))).toBe(true);
      // Nothing but layout changes: same size to within alignment padding.
      expect(Math.abs(out.byteLength - bytes.byteLength)).toBeLessThan(0.05 * bytes.byteLength);
    });
  }

  it('edits change exactly the named tensor, operator and outputs', () => {
    const bytes = new Uint8Array(readFileSync(join(modelsDir!, 'mnist_lstm_float32.tflite')));
    const before = readTflite(bytes);
    const sg = before.subgraphs[0]!;
    const fc = sg.operators[2]!; // FULLY_CONNECTED: weights tensor 16 [10, 560]
    const w = fc.inputs[1]!;
    const newW = float32Bytes(new Float32Array(10 * 560).fill(0.5));
    const out = rewriteTflite(bytes, {
      subgraphs: new Map([
        [
          0,
          {
            tensors: new Map([[w, { data: newW }]]),
            newTensors: [{ name: 'extra', type: 0, shape: [2], data: float32Bytes([1, 2]) }],
            operators: new Map([[3, { inputs: [...sg.operators[3]!.inputs] }]]),
            outputs: [...sg.outputs, 18],
          },
        ],
      ]),
    });
    const after = readTflite(out);
    const sa = after.subgraphs[0]!;
    expect(sa.outputs).toEqual([...sg.outputs, 18]);
    expect(sa.tensors).toHaveLength(sg.tensors.length + 1);
    expect(sa.tensors.at(-1)).toMatchObject({ name: 'extra', shape: [2], type: 'FLOAT32' });
    expect(Array.from(after.buffers[sa.tensors.at(-1)!.buffer]!.data!)).toEqual(Array.from(float32Bytes([1, 2])));
    // The weights' own buffer (used by no other tensor) got the new bytes.
    expect(sa.tensors[w]!.buffer).toBe(sg.tensors[w]!.buffer);
    expect(Array.from(after.buffers[sa.tensors[w]!.buffer]!.data!)).toEqual(Array.from(newW));
    // Everything else identical.
    const strip = (m: TfliteModel) => {
      const c = comparable(m) as { buffers: unknown[]; subgraphs: { tensors: unknown[]; outputs: unknown }[] };
      c.buffers = c.buffers.filter((_, i) => i !== sg.tensors[w]!.buffer).slice(0, before.buffers.length - 1);
      c.subgraphs[0]!.tensors = c.subgraphs[0]!.tensors.slice(0, sg.tensors.length);
      c.subgraphs[0]!.outputs = null;
      return c;
    };
    expect(strip(after)).toEqual(strip(before));
    expect(sameOptions(optionFields(out), optionFields(bytes))).toBe(true);
  });

  it('bad edits are RewriteErrors naming the path', () => {
    const bytes = new Uint8Array(readFileSync(join(modelsDir!, 'mnist_lstm_float32.tflite')));
    expect(() => rewriteTflite(bytes, { subgraphs: new Map([[3, {}]]) })).toThrow(RewriteError);
    expect(() => rewriteTflite(bytes, { subgraphs: new Map([[0, { tensors: new Map([[999, { shape: [1] }]]) }]]) })).toThrow(/tensors\[999\]/);
    expect(() => rewriteTflite(bytes, { subgraphs: new Map([[0, { outputs: [99] }]]) })).toThrow(/outputs/);
  });
});

describe('rewriteTflite: RESHAPE options', () => {
  /** x [1, 2, 3] → RESHAPE (shape constant [1, 6], ReshapeOptions.new_shape [1, 6]) → y [1, 6]. */
  function reshapeModel(): Uint8Array {
    const b = new flatbuffers.Builder(256);
    const vec32 = (v: number[]) => {
      b.startVector(4, v.length, 4);
      for (let i = v.length - 1; i >= 0; i--) b.addInt32(v[i]!);
      return b.endVector();
    };
    const shapeBytes = new Uint8Array(Int32Array.from([1, 6]).buffer);
    b.startVector(1, shapeBytes.length, 16);
    for (let i = shapeBytes.length - 1; i >= 0; i--) b.addInt8(shapeBytes[i]!);
    const data = b.endVector();
    FbBuffer.startBuffer(b);
    const sentinel = FbBuffer.endBuffer(b);
    FbBuffer.startBuffer(b);
    FbBuffer.addData(b, data);
    const buf1 = FbBuffer.endBuffer(b);
    const tensor = (name: string, shape: number[], type: number, buffer: number) => {
      const n = b.createString(name);
      const s = vec32(shape);
      FbTensor.startTensor(b);
      FbTensor.addShape(b, s);
      FbTensor.addType(b, type);
      FbTensor.addBuffer(b, buffer);
      FbTensor.addName(b, n);
      return FbTensor.endTensor(b);
    };
    const ts = [tensor('x', [1, 2, 3], 0, 0), tensor('shape', [2], 2, 1), tensor('y', [1, 6], 0, 0)];
    const ns = vec32([1, 6]);
    b.startObject(1);
    b.addFieldOffset(0, ns, 0);
    const opts = b.endObject();
    const ins = vec32([0, 1]);
    const outs = vec32([2]);
    FbOperator.startOperator(b);
    FbOperator.addOpcodeIndex(b, 0);
    FbOperator.addInputs(b, ins);
    FbOperator.addOutputs(b, outs);
    FbOperator.addBuiltinOptionsType(b, 17);
    FbOperator.addBuiltinOptions(b, opts);
    const op = FbOperator.endOperator(b);
    const tv = FbSubGraph.createTensorsVector(b, ts);
    const iv = vec32([0]);
    const ov = vec32([2]);
    const opv = FbSubGraph.createOperatorsVector(b, [op]);
    FbSubGraph.startSubGraph(b);
    FbSubGraph.addTensors(b, tv);
    FbSubGraph.addInputs(b, iv);
    FbSubGraph.addOutputs(b, ov);
    FbSubGraph.addOperators(b, opv);
    const sg = FbSubGraph.endSubGraph(b);
    FbOperatorCode.startOperatorCode(b);
    FbOperatorCode.addDeprecatedBuiltinCode(b, 22);
    FbOperatorCode.addBuiltinCode(b, 22);
    FbOperatorCode.addVersion(b, 1);
    const code = FbOperatorCode.endOperatorCode(b);
    const cv = FbModel.createOperatorCodesVector(b, [code]);
    const sv = FbModel.createSubgraphsVector(b, [sg]);
    const bv = FbModel.createBuffersVector(b, [sentinel, buf1]);
    FbModel.startModel(b);
    FbModel.addVersion(b, 3);
    FbModel.addOperatorCodes(b, cv);
    FbModel.addSubgraphs(b, sv);
    FbModel.addBuffers(b, bv);
    FbModel.finishModelBuffer(b, FbModel.endModel(b));
    return b.asUint8Array().slice();
  }

  /** ReshapeOptions.new_shape of operator 0, read raw. */
  function newShape(bytes: Uint8Array): number[] {
    const bb = new flatbuffers.ByteBuffer(bytes);
    const op = FbModel.getRootAsModel(bb).subgraphs(0)!.operators(0)!;
    const field = (pos: number, id: number) => {
      const vt = pos - bb.readInt32(pos);
      const off = 4 + 2 * id < bb.readUint16(vt) ? bb.readUint16(vt + 4 + 2 * id) : 0;
      return off ? pos + off : 0;
    };
    const at = field(op.bb_pos, 4);
    const table = at + bb.readUint32(at);
    const f0 = field(table, 0);
    const v = f0 + bb.readUint32(f0);
    return Array.from({ length: bb.readUint32(v) }, (_, i) => bb.readInt32(v + 4 + 4 * i));
  }

  it('copies ReshapeOptions.new_shape (a vector) and rewrites it on request', () => {
    const bytes = reshapeModel();
    expect(newShape(bytes)).toEqual([1, 6]);
    expect(newShape(rewriteTflite(bytes, { subgraphs: new Map() }))).toEqual([1, 6]);
    const out = rewriteTflite(bytes, { subgraphs: new Map([[0, { operators: new Map([[0, { reshapeNewShape: [1, 4] }]]) }]]) });
    expect(newShape(out)).toEqual([1, 4]);
    expect(comparable(readTflite(out))).toEqual(comparable(readTflite(bytes)));
  });
});
