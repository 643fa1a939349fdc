import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { OnnxFormatError } from '../../src/onnx/errors.js';
import { floatTensor, syntheticLoop, syntheticLstmInitializers, syntheticNestedIf } from '../../src/onnx/fuzz-families.js';
import { ModelProtoSchema, TensorProtoSchema } from '../../src/onnx/generated/onnx_pb.js';
import type { OnnxGraph, OnnxModel } from '../../src/onnx/model.js';
import { readOnnx, readOnnxWithStats } from '../../src/onnx/reader.js';
import { locateOnnxField } from '../../src/onnx/verify.js';
import { sharedDir } from '../../src/util/paths.js';

type GraphInit = NonNullable<MessageInitShape<typeof ModelProtoSchema>['graph']>;
type TensorInit = MessageInitShape<typeof TensorProtoSchema>;

const encode = (graph: GraphInit, opsets: [string, number][] = [['', 17]]) =>
  toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 9n, opsetImport: opsets.map(([domain, v]) => ({ domain, version: BigInt(v) })), graph }));

const withInit = (...initializer: TensorInit[]) => encode({ name: 'g', initializer });

function failure(b: Uint8Array): OnnxFormatError {
  try {
    readOnnx(b);
  } catch (e) {
    if (e instanceof OnnxFormatError) return e;
    throw e;
  }
  throw new Error('readOnnx accepted the bytes');
}

const le = (n: number, f: (dv: DataView) => void) => {
  const b = new Uint8Array(n);
  f(new DataView(b.buffer));
  return b;
};

describe('readOnnx on synthetic models', () => {
  it('LSTM with initializers: tensors, attributes, value infos, opsets', () => {
    const m = readOnnx(syntheticLstmInitializers());
    expect([m.irVersion, m.producerName, m.opsets]).toEqual([8, 'nnlstm-synthetic', { '': 14 }]);
    const [node] = m.graph.nodes;
    expect(node).toMatchObject({ opType: 'LSTM', name: 'lstm0', domain: '', inputs: ['X', 'W', 'R', 'B', '', 'h0'], outputs: ['Y', 'Y_h'] });
    expect(node!.attributes).toEqual({ hidden_size: { type: 'INT', value: 3 }, direction: { type: 'STRING', value: 'forward' } });
    const [w, r, b] = m.graph.initializers;
    expect(w).toMatchObject({ name: 'W', dataType: 'FLOAT', dataTypeCode: 1, dims: [1, 12, 2] });
    expect(w!.data).toBeInstanceOf(Float32Array);
    expect(w!.data![0]).toBe(Math.fround(Math.sin(1 + 1) * 0.5));
    expect(r!.data).toBeInstanceOf(Float32Array); // from float_data
    expect(r!.data!.length).toBe(36);
    expect(b!.dims).toEqual([1, 24]);
    expect(m.graph.inputs).toEqual([
      { name: 'X', elemType: 'FLOAT', shape: ['T', 1, 2] },
      { name: 'h0', elemType: 'FLOAT', shape: [1, 1, 3] },
    ]);
  });

  it('subgraphs decode recursively (If branches, Loop body)', () => {
    const m = readOnnx(syntheticNestedIf());
    const ifNode = m.graph.nodes[0]!;
    const then = ifNode.attributes['then_branch'];
    const els = ifNode.attributes['else_branch'];
    expect(then?.type).toBe('GRAPH');
    expect(els?.type).toBe('GRAPH');
    const inner = (els as { value: OnnxGraph }).value.nodes[0]!.attributes['then_branch'] as { value: OnnxGraph };
    expect(inner.value.nodes[0]!.name).toBe('lstm_inner');
    expect(inner.value.initializers[0]!.data![0]).toBe(7);
    const loop = readOnnx(syntheticLoop());
    expect(loop.opsets).toEqual({ '': 11 });
    const body = loop.graph.nodes[0]!.attributes['body'] as { value: OnnxGraph };
    expect(body.value.nodes.map((n) => n.opType)).toContain('LSTM');
    expect(body.value.inputs.map((v) => v.name)).toEqual(['iter', 'cond_in', 'x_in']);
  });

  it('every data type decodes from raw_data (little-endian) and from the typed fields', () => {
    const m = readOnnx(
      withInit(
        { name: 'i8', dataType: 3, dims: [3n], rawData: Uint8Array.of(0xff, 0x7f, 0x80) },
        { name: 'u8', dataType: 2, dims: [2n], rawData: Uint8Array.of(0xff, 1) },
        { name: 'i16', dataType: 5, dims: [1n], rawData: le(2, (d) => d.setInt16(0, -300, true)) },
        { name: 'u16', dataType: 4, dims: [1n], rawData: le(2, (d) => d.setUint16(0, 65000, true)) },
        { name: 'i32', dataType: 6, dims: [1n], rawData: le(4, (d) => d.setInt32(0, -70000, true)) },
        { name: 'i64', dataType: 7, dims: [1n], rawData: le(8, (d) => d.setBigInt64(0, -(2n ** 40n), true)) },
        { name: 'u32', dataType: 12, dims: [1n], rawData: le(4, (d) => d.setUint32(0, 4e9, true)) },
        { name: 'u64', dataType: 13, dims: [1n], uint64Data: [2n ** 64n - 1n] },
        { name: 'f16', dataType: 10, dims: [2n], int32Data: [0x3c00, 0xc000] },
        { name: 'bf16', dataType: 16, dims: [1n], rawData: Uint8Array.of(0x80, 0x3f) },
        { name: 'f64', dataType: 11, dims: [1n, 1n], doubleData: [Math.PI] },
        { name: 'bool', dataType: 9, dims: [2n], int32Data: [1, 0] },
        { name: 'str', dataType: 8, dims: [2n], stringData: [new TextEncoder().encode('ab'), new TextEncoder().encode('€')] },
        { name: 'i64t', dataType: 7, dims: [], int64Data: [-5n] },
        { name: 'empty', dataType: 1, dims: [0n, 4n] },
        { name: 'cplx', dataType: 14, dims: [1n], rawData: new Uint8Array(8) },
      ),
    );
    const by = Object.fromEntries(m.graph.initializers.map((t) => [t.name, t]));
    expect(Array.from(by['i8']!.data as Int32Array)).toEqual([-1, 127, -128]);
    expect(Array.from(by['u8']!.data as Int32Array)).toEqual([255, 1]);
    expect(Array.from(by['i16']!.data as Int32Array)).toEqual([-300]);
    expect(Array.from(by['u16']!.data as Int32Array)).toEqual([65000]);
    expect(Array.from(by['i32']!.data as Int32Array)).toEqual([-70000]);
    expect(Array.from(by['i64']!.data as BigInt64Array)).toEqual([-(2n ** 40n)]);
    expect(Array.from(by['u32']!.data as Float64Array)).toEqual([4e9]);
    expect(Array.from(by['u64']!.data as BigInt64Array)).toEqual([-1n]);
    expect(Array.from(by['f16']!.data as Uint16Array)).toEqual([0x3c00, 0xc000]);
    expect(Array.from(by['bf16']!.data as Uint16Array)).toEqual([0x3f80]);
    expect(Array.from(by['f64']!.data as Float64Array)).toEqual([Math.PI]);
    expect(Array.from(by['bool']!.data as Int32Array)).toEqual([1, 0]);
    expect(by['str']!.data).toEqual(['ab', '€']);
    expect(by['i64t']).toMatchObject({ dims: [], data: BigInt64Array.of(-5n) });
    expect(by['empty']!.data!.length).toBe(0);
    expect(by['cplx']).toMatchObject({ dataType: 'OTHER', dataTypeCode: 14 });
    expect(by['cplx']!.data).toBeUndefined();
  });

  it('external data: location kept, no data', () => {
    const m = readOnnx(withInit({ name: 'W', dataType: 1, dims: [1000n, 1000n], dataLocation: 1, externalData: [{ key: 'location', value: 'weights.bin' }, { key: 'offset', value: '0' }] }));
    expect(m.graph.initializers[0]).toMatchObject({ name: 'W', dims: [1000, 1000], external: { location: 'weights.bin' } });
    expect(m.graph.initializers[0]!.data).toBeUndefined();
  });

  it('attributes: all types, old files without a type, ints past 2^53 keep the exact value', () => {
    const m = readOnnx(
      encode({
        node: [
          {
            opType: 'X',
            attribute: [
              { name: 'f', type: 1, f: 0.5 },
              { name: 'big', type: 2, i: 2n ** 63n - 1n },
              { name: 'ints', type: 7, ints: [1n, -(2n ** 63n)] },
              { name: 'floats', type: 6, floats: [1, 2] },
              { name: 'strs', type: 8, strings: [new TextEncoder().encode('a')] },
              { name: 'untyped_int', i: 4n },
              { name: 'untyped_ints', ints: [4n, 5n] },
              { name: 't', type: 4, t: floatTensor('c', [2], [1, 2]) },
              { name: 'sparse', type: 11 },
            ],
          },
        ],
      }),
    );
    const a = m.graph.nodes[0]!.attributes;
    expect(a['f']).toEqual({ type: 'FLOAT', value: 0.5 });
    expect(a['big']).toEqual({ type: 'INT', value: 2 ** 63, exact: 2n ** 63n - 1n });
    expect(a['ints']).toEqual({ type: 'INTS', value: [1, -(2 ** 63)], exact: [1n, -(2n ** 63n)] });
    expect(a['floats']).toEqual({ type: 'FLOATS', value: [1, 2] });
    expect(a['strs']).toEqual({ type: 'STRINGS', value: ['a'] });
    expect(a['untyped_int']).toEqual({ type: 'INT', value: 4 });
    expect(a['untyped_ints']).toEqual({ type: 'INTS', value: [4, 5] });
    expect(a['t']).toMatchObject({ type: 'TENSOR', value: { name: 'c', dims: [2] } });
    expect(a['sparse']).toEqual({ type: 'OTHER', code: 11 });
  });

  it("'ai.onnx' is the default domain for opsets and nodes", () => {
    const m = readOnnx(encode({ node: [{ opType: 'Relu', domain: 'ai.onnx' }] }, [['ai.onnx', 13], ['com.microsoft', 1]]));
    expect(m.opsets).toEqual({ '': 13, 'com.microsoft': 1 });
    expect(m.graph.nodes[0]!.domain).toBe('');
  });
});

describe('readOnnx rejects inconsistent models with path and byte offset', () => {
  it('raw_data length ≠ element count × size', () => {
    const b = withInit({ name: 'ok', dataType: 1, dims: [1n], rawData: new Uint8Array(4) }, { name: 'W', dataType: 1, dims: [2n, 3n], rawData: new Uint8Array(23) });
    const e = failure(b);
    expect(e.kind).toBe('bad-tensor');
    expect(e.path).toBe('graph.initializer[1].raw_data');
    expect(e.offset).toBe(locateOnnxField(b, 'graph.initializer[1].raw_data'));
    expect(b[e.offset!]).toBe((9 << 3) | 2);
    expect(e.message).toMatch(/tensor 'W' raw_data has 23 bytes, dims \[2,3\] × 4-byte FLOAT need 24/);
    expect(e.rule).toBe('onnx.format.bad-tensor');
  });

  it('typed data count, the wrong typed field, raw and typed together, missing data', () => {
    expect(failure(withInit({ name: 'a', dataType: 1, dims: [3n], floatData: [1, 2] })).message).toMatch(/2 values in float_data, dims \[3\] need 3/);
    expect(failure(withInit({ name: 'a', dataType: 1, dims: [1n], int64Data: [1n] })).message).toMatch(/int64_data/);
    expect(failure(withInit({ name: 'a', dataType: 1, dims: [1n], floatData: [1], rawData: new Uint8Array(4) })).message).toMatch(/both raw_data and float_data/);
    expect(failure(withInit({ name: 'a', dataType: 1, dims: [5n] })).kind).toBe('bad-tensor');
    expect(failure(withInit({ name: 's', dataType: 8, dims: [1n], rawData: new Uint8Array(1) })).kind).toBe('bad-tensor');
  });

  it('negative and huge dims', () => {
    const neg = failure(withInit({ name: 'a', dataType: 1, dims: [-1n, 2n] }));
    expect([neg.kind, neg.path]).toEqual(['bad-tensor', 'graph.initializer[0].dims']);
    expect(failure(withInit({ name: 'a', dataType: 1, dims: [2n ** 40n, 2n ** 40n] })).message).toMatch(/too many/);
    expect(failure(withInit({ name: 'a', dataType: 1, dims: [2n ** 60n] })).message).toMatch(/too large/);
    // huge dims without data are not allocated: the count check fails first
    expect(failure(withInit({ name: 'a', dataType: 1, dims: [2n ** 31n], rawData: new Uint8Array(4) })).kind).toBe('bad-tensor');
  });

  it('duplicate and unnamed attributes, a TENSOR attribute without t, in a subgraph', () => {
    const dup = failure(encode({ node: [{ opType: 'If', attribute: [{ name: 'then_branch', type: 5, g: { node: [{ opType: 'LSTM', attribute: [{ name: 'hidden_size', type: 2, i: 1n }, { name: 'hidden_size', type: 2, i: 2n }] }] } }] }] }));
    expect(dup.kind).toBe('bad-attribute');
    expect(dup.path).toBe('graph.node[0].attribute[0](then_branch).g.node[0].attribute[1](hidden_size)');
    expect(dup.offset).toBeGreaterThan(0);
    expect(failure(encode({ node: [{ opType: 'X', attribute: [{ type: 2, i: 1n }] }] })).kind).toBe('bad-attribute');
    expect(failure(encode({ node: [{ opType: 'X', attribute: [{ name: 'value', type: 4 }] }] })).message).toMatch(/no 't' value/);
  });

  it('no graph, an opset domain imported twice, a bad opset version', () => {
    expect(failure(toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n }))).kind).toBe('bad-model');
    expect(failure(encode({}, [['', 13], ['ai.onnx', 14]])).message).toMatch(/imported twice/);
    expect(failure(encode({}, [['', 0]])).kind).toBe('bad-model');
  });

  it('only OnnxFormatError comes out, also for bytes that are not protobuf at all', () => {
    for (const s of ['', 'hello world', '\x08\x01\x3a\x02\x0a\x00']) {
      const b = new TextEncoder().encode(s);
      try {
        readOnnx(b);
      } catch (e) {
        expect(e).toBeInstanceOf(OnnxFormatError);
      }
    }
  });
});

// ---- the real models --------------------------------------------------------------------------------------------

const shared = sharedDir();
const onnxDir = shared ? join(shared, 'models', 'onnx') : undefined;
const MODELS = ['silero_vad_legacy', 'silero_vad_v5'] as const;
const present = MODELS.filter((m) => onnxDir && existsSync(join(onnxDir, `${m}.onnx`)));
if (present.length < MODELS.length) {
  console.warn(`[onnx reader] skipping real-model tests: ${MODELS.filter((m) => !present.includes(m)).join(', ')} not found (looked in ${onnxDir ?? '../shared/models/onnx; set NNLSTM_SHARED'})`);
}
const load = (name: string) => new Uint8Array(readFileSync(join(onnxDir!, `${name}.onnx`)));

function countOps(g: OnnxGraph, out: Record<string, number> = {}): Record<string, number> {
  for (const n of g.nodes) {
    out[n.opType] = (out[n.opType] ?? 0) + 1;
    for (const a of Object.values(n.attributes)) if (a.type === 'GRAPH') countOps(a.value, out);
  }
  return out;
}

describe('readOnnx on the Silero VAD models', () => {
  it.skipIf(!present.includes('silero_vad_legacy'))('silero_vad_legacy: ir 8, pytorch 1.12.0, opset 16, 8 LSTM inside Ifs, read time', () => {
    const b = load('silero_vad_legacy');
    readOnnx(b); // warm up
    const t0 = performance.now();
    const { model, stats } = readOnnxWithStats(b);
    const ms = performance.now() - t0;
    console.log(`[onnx reader] silero_vad_legacy.onnx (${b.length} bytes): read in ${ms.toFixed(1)} ms; ${stats.messages} messages, graph depth ${stats.maxGraphDepth}`);
    expect([model.irVersion, model.producerName, model.producerVersion, model.opsets['']]).toEqual([8, 'pytorch', '1.12.0', 16]);
    expect(model.graph.nodes.some((n) => n.opType === 'LSTM')).toBe(false);
    expect(countOps(model.graph)['LSTM']).toBe(8);
    expect(stats.maxGraphDepth).toBe(3);
    expect(model.graph.inputs.map((v) => [v.name, v.shape])).toEqual([
      ['input', ['batch', 'sequence']],
      ['sr', []],
      ['h', [2, 'batch', 64]],
      ['c', [2, 'batch', 64]],
    ]);
  });

  it.skipIf(!present.includes('silero_vad_v5'))('silero_vad_v5: spox, opset 16, 4 LSTM, weights from Constant nodes, read time', () => {
    const b = load('silero_vad_v5');
    readOnnx(b);
    const t0 = performance.now();
    const m: OnnxModel = readOnnx(b);
    const ms = performance.now() - t0;
    console.log(`[onnx reader] silero_vad_v5.onnx (${b.length} bytes): read in ${ms.toFixed(1)} ms`);
    expect([m.producerName, m.opsets['']]).toEqual(['spox', 16]);
    const ops = countOps(m.graph);
    expect(ops['LSTM']).toBe(4);
    expect(ops['Constant']).toBeGreaterThan(100);
    expect(m.graph.initializers).toHaveLength(0);
  });
});
