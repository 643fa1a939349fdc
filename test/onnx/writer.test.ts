import { fromBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { ModelProtoSchema } from '../../src/onnx/generated/onnx_pb.js';
import { activationAttributes, singleLstmModel, writeOnnx, type SingleLstmSpec } from '../../src/onnx/writer.js';
import type { OnnxModel } from '../../src/onnx/model.js';
import { readOnnx } from '../../src/onnx/reader.js';

const ort = await import('onnxruntime-node').catch(() => undefined);

function ramp(n: number, scale: number, offset = 0): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.fround(Math.sin(i * 1.7 + offset) * scale);
  return a;
}

/** H=2, I=3, seq=2, batch=1, forward, every optional input given. */
function spec(): SingleLstmSpec {
  const H = 2;
  const I = 3;
  return {
    attrs: { hiddenSize: H, direction: 'forward', layout: 0, inputForget: 0, activations: [{ name: 'Sigmoid' }, { name: 'Tanh' }, { name: 'Tanh' }] },
    inputs: {
      xDims: [2, 1, I],
      constants: {
        W: { dims: [1, 4 * H, I], data: ramp(4 * H * I, 0.5) },
        R: { dims: [1, 4 * H, H], data: ramp(4 * H * H, 0.4, 1) },
        B: { dims: [1, 8 * H], data: ramp(8 * H, 0.3, 2) },
        P: { dims: [1, 3 * H], data: ramp(3 * H, 0.2, 3) },
      },
      graphInputs: { initial_h: [1, 1, H], initial_c: [1, 1, H] },
    },
  };
}

describe('writeOnnx', () => {
  it('writes a model the protobuf decoder reads back field for field (attributes typed, tensors as raw_data)', () => {
    const m = singleLstmModel(spec());
    const proto = fromBinary(ModelProtoSchema, m.bytes, { readUnknownFields: false });
    expect(proto.irVersion).toBe(8n);
    expect(proto.opsetImport.map((o) => [o.domain, o.version])).toEqual([['', 14n]]);
    const node = proto.graph!.node[0]!;
    expect(node.opType).toBe('LSTM');
    expect(node.input).toEqual(['X', 'W', 'R', 'B', '', 'initial_h', 'initial_c', 'P']);
    const hs = node.attribute.find((a) => a.name === 'hidden_size')!;
    expect([hs.type, hs.i]).toEqual([2, 2n]);
    const w = proto.graph!.initializer.find((t) => t.name === 'W')!;
    expect(w.dataType).toBe(1);
    expect(w.rawData.byteLength).toBe(4 * 8 * 3);
    expect(new DataView(w.rawData.buffer, w.rawData.byteOffset).getFloat32(4, true)).toBe(spec().inputs.constants!.W!.data[1]);
    expect(m.inputNames).toEqual(['X', 'initial_h', 'initial_c']);
  });

  it('writes zero-valued ints and subgraphs recursively', () => {
    const inner: OnnxModel['graph'] = { name: 'then', nodes: [{ name: 'c', opType: 'Constant', domain: '', inputs: [], outputs: ['k'], attributes: { value_int: { type: 'INT', value: 0 } } }], initializers: [], inputs: [], outputs: [{ name: 'k' }] };
    const model: OnnxModel = {
      irVersion: 8, producerName: 't', producerVersion: '', opsets: { '': 16 },
      graph: { name: 'g', nodes: [{ name: 'if', opType: 'If', domain: '', inputs: ['cond'], outputs: ['k'], attributes: { then_branch: { type: 'GRAPH', value: inner }, else_branch: { type: 'GRAPH', value: inner } } }], initializers: [{ name: 'cond', dataType: 'BOOL', dataTypeCode: 9, dims: [], data: Int32Array.of(1) }], inputs: [], outputs: [{ name: 'k', elemType: 'INT64', shape: [] }] },
    };
    const proto = fromBinary(ModelProtoSchema, writeOnnx(model), { readUnknownFields: false });
    const a = proto.graph!.node[0]!.attribute[0]!;
    expect(a.type).toBe(5);
    const c = a.g!.node[0]!.attribute[0]!;
    expect([c.name, c.type, c.i]).toEqual(['value_int', 2, 0n]);
    expect(Array.from(proto.graph!.initializer[0]!.rawData)).toEqual([1]);
  });

  it('consumes alpha and beta per function that takes them, in activation order; unset ones are the documented defaults', () => {
    const a = activationAttributes([{ name: 'Affine', alpha: 2, beta: 3 }, { name: 'LeakyRelu', alpha: 0.5 }, { name: 'Tanh' }, { name: 'HardSigmoid' }]);
    expect(a.activation_alpha).toEqual({ type: 'FLOATS', value: [2, 0.5, 0.2] });
    expect(a.activation_beta).toEqual({ type: 'FLOATS', value: [3, 0.5] });
    const b = activationAttributes([{ name: 'Affine' }, { name: 'Elu', alpha: 0.5 }, { name: 'ThresholdedRelu' }]);
    expect(b.activation_alpha).toEqual({ type: 'FLOATS', value: [1, 0.5, 1] });
    expect(b.activation_beta).toEqual({ type: 'FLOATS', value: [0] });
  });

  it("'omit-unset' leaves trailing unset parameters to the runtime", () => {
    const b = activationAttributes([{ name: 'Affine' }, { name: 'Elu', alpha: 0.5 }, { name: 'ThresholdedRelu' }], 'omit-unset');
    expect(b.activation_alpha).toEqual({ type: 'FLOATS', value: [1, 0.5] });
    expect(b.activation_beta).toBeUndefined();
  });

  it('refuses layout=1 at opset 7 and a missing W', () => {
    const s = spec();
    expect(() => singleLstmModel({ ...s, opset: 7, attrs: { ...s.attrs, layout: 1 } })).toThrow(/onnx-writer.layout-opset/);
    expect(() => singleLstmModel({ ...s, inputs: { xDims: [2, 1, 3] } })).toThrow(/onnx-writer.required/);
  });
});

describe.skipIf(!ort)('ONNX Runtime runs the written one-node LSTM', () => {
  for (const opset of [7, 14, 22]) {
    it(`opset ${opset}: loads and gives Y [seq, dirs, batch, H] with Y[last] = Y_h`, async () => {
      const m = singleLstmModel({ ...spec(), opset });
      const session = await ort!.InferenceSession.create(m.bytes);
      expect(session.inputNames).toEqual(m.inputNames);
      const feeds = {
        X: new ort!.Tensor('float32', ramp(6, 1, 5), [2, 1, 3]),
        initial_h: new ort!.Tensor('float32', Float32Array.of(0.1, -0.2), [1, 1, 2]),
        initial_c: new ort!.Tensor('float32', Float32Array.of(0.3, 0.4), [1, 1, 2]),
      };
      const out = await session.run(feeds);
      expect(out.Y!.dims).toEqual([2, 1, 1, 2]);
      const y = out.Y!.data as Float32Array;
      expect(Array.from(y.subarray(2, 4))).toEqual(Array.from(out.Y_h!.data as Float32Array));
      expect(Array.from(out.Y_c!.data as Float32Array).every(Number.isFinite)).toBe(true);
      await session.release();
    });
  }

  it('bidirectional with non-default activations and alpha/beta runs', async () => {
    const s = spec();
    const H = 2;
    const acts = [{ name: 'HardSigmoid', alpha: 0.3, beta: 0.4 }, { name: 'ScaledTanh', alpha: 1.5, beta: 0.7 }, { name: 'Elu', alpha: 0.8 }, { name: 'Sigmoid' }, { name: 'Affine', alpha: 0.9, beta: 0.1 }, { name: 'Softsign' }] as const;
    const m = singleLstmModel({
      attrs: { ...s.attrs, direction: 'bidirectional', activations: [...acts], clip: 1.5 },
      inputs: {
        xDims: [2, 1, 3],
        constants: { W: { dims: [2, 4 * H, 3], data: ramp(48, 0.5) }, R: { dims: [2, 4 * H, H], data: ramp(32, 0.4, 1) }, sequence_lens: { dims: [1], data: Int32Array.of(2) } },
      },
    });
    const session = await ort!.InferenceSession.create(m.bytes);
    const out = await session.run({ X: new ort!.Tensor('float32', ramp(6, 1, 5), [2, 1, 3]) });
    expect(out.Y!.dims).toEqual([2, 2, 1, 2]);
    await session.release();
  });
});

describe('reader round trip', () => {
  it('readOnnx(writeOnnx(m)) gives the model back', () => {
    const m = singleLstmModel(spec());
    const back = readOnnx(m.bytes);
    expect(back.graph.nodes[0]!.attributes).toEqual(m.model.graph.nodes[0]!.attributes);
    expect(back.graph.nodes[0]!.inputs).toEqual(m.model.graph.nodes[0]!.inputs);
    expect(back.graph.initializers.map((t) => [t.name, t.dataType, t.dims, Array.from(t.data as Float32Array)])).toEqual(
      m.model.graph.initializers.map((t) => [t.name, t.dataType, t.dims, Array.from(t.data as Float32Array)]),
    );
    expect(back.graph.inputs).toEqual(m.model.graph.inputs);
    expect([back.irVersion, back.opsets]).toEqual([8, m.model.opsets]);
  });
});
