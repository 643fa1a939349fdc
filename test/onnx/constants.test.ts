import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { OnnxConstantResolver } from '../../src/onnx/constants.js';
import { attr, floatTensor, syntheticLoop, syntheticNestedIf } from '../../src/onnx/fuzz-families.js';
import { ModelProtoSchema } from '../../src/onnx/generated/onnx_pb.js';
import type { OnnxGraph, OnnxModel } from '../../src/onnx/model.js';
import { readOnnx } from '../../src/onnx/reader.js';

type GraphInit = NonNullable<MessageInitShape<typeof ModelProtoSchema>['graph']>;
const model = (graph: GraphInit, opset: number): OnnxModel =>
  readOnnx(toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n, opsetImport: [{ domain: '', version: BigInt(opset) }], graph })));
const i64 = (vals: number[]) => ({ dims: [BigInt(vals.length)], dataType: 7, int64Data: vals.map(BigInt) });
const konst = (out: string, t: object) => ({ opType: 'Constant', output: [out], attribute: [attr.tensor('value', t as never)] });
const sub = (g: OnnxGraph, node: number, name: string) => (g.nodes[node]!.attributes[name] as { value: OnnxGraph }).value;

describe('constant resolution in scope', () => {
  it('nested If: Constant → Unsqueeze (axes input, opset 13), outer initializers, inner shadowing', () => {
    const m = readOnnx(syntheticNestedIf());
    const r = new OnnxConstantResolver(m);
    const main = r.scope(m.graph);
    const thenG = sub(m.graph, 0, 'then_branch');
    const thenS = r.scope(thenG, main);
    const w = r.resolve(thenS, 'w3d')!;
    expect(w.tensor.dims).toEqual([1, 12, 2]);
    expect(w.source).toBe('derived');
    expect(w.via).toEqual(['Unsqueeze', 'Constant']);
    expect(w.graphName).toBe('then0');
    expect(w.tensor.data![0]).toBe(Math.fround(Math.sin(1 + 4) * 0.5));
    // R_outer from the enclosing graph
    expect(r.resolve(thenS, 'R_outer')).toMatchObject({ source: 'initializer', graphName: 'main', overridable: false });
    // inside else_branch → if1 → then_branch, the inner initializer shadows R_outer
    const elseS = r.scope(sub(m.graph, 0, 'else_branch'), main);
    const innerS = r.scope(sub(elseS.graph, 0, 'then_branch'), elseS);
    expect(r.resolve(innerS, 'R_outer')).toMatchObject({ graphName: 'inner_then' });
    expect(r.tensor(innerS, 'R_outer')!.data![5]).toBe(7);
    expect(r.tensor(innerS, 'W_outer')!.dims).toEqual([1, 12, 2]);
    // graph inputs are not constants, and names defined in a subgraph are invisible outside it
    expect(r.resolve(thenS, 'X')).toBeUndefined();
    expect(r.resolve(main, 'w3d')).toBeUndefined();
  });

  it('Loop body at opset 11: Unsqueeze axes attribute, Reshape with −1, Flatten + Cast(DOUBLE→FLOAT), Slice of Concat', () => {
    const m = readOnnx(syntheticLoop());
    const r = new OnnxConstantResolver(m);
    expect(r.opset).toBe(11);
    const s = r.scope(sub(m.graph, 0, 'body'), r.scope(m.graph));
    expect(r.tensor(s, 'w')!.dims).toEqual([1, 12, 2]);
    const rr = r.resolve(s, 'r')!;
    expect(rr.tensor.dims).toEqual([1, 12, 3]);
    expect(rr.via).toEqual(['Reshape', 'Constant']);
    const b = r.resolve(s, 'b')!;
    expect(b.tensor).toMatchObject({ dataType: 'FLOAT', dims: [1, 24] });
    expect(b.tensor.data).toBeInstanceOf(Float32Array);
    expect(b.tensor.data![3]).toBe(Math.fround(Math.sin(1 + 3 * 0.37 + 9) * 0.5));
    expect(b.via).toEqual(['Cast', 'Flatten', 'Constant']);
    const p = r.tensor(s, 'p')!;
    expect(p.dims).toEqual([1, 9]);
    const pa = Array.from({ length: 6 }, (_, i) => Math.fround(Math.sin(1 + i * 0.37 + 10) * 0.5));
    const pb = Array.from({ length: 6 }, (_, i) => Math.fround(Math.sin(1 + i * 0.37 + 11) * 0.5));
    expect(Array.from(p.data as Float32Array)).toEqual([...pa, ...pb].slice(1, 10));
    // Loop-carried values are body inputs: not constant
    expect(r.resolve(s, 'x_in')).toBeUndefined();
  });

  it('is opset-aware: Unsqueeze with an axes attribute resolves at opset 11, not at 13 (axes are an input there)', () => {
    const g: GraphInit = {
      node: [konst('c', floatTensor('', [2], [1, 2], false)), { opType: 'Unsqueeze', input: ['c'], output: ['u'], attribute: [attr.ints('axes', [0, -1])] }],
    };
    for (const [opset, dims] of [[11, [1, 2, 1]], [13, undefined]] as const) {
      const m = model(g, opset);
      const r = new OnnxConstantResolver(m);
      expect(r.tensor(r.scope(m.graph), 'u')?.dims).toEqual(dims);
    }
  });

  it('Constant value_float / value_ints / value_string, Squeeze without axes, Identity, Reshape allowzero', () => {
    const m = model(
      {
        node: [
          { opType: 'Constant', output: ['f'], attribute: [attr.float('value_float', 2.5)] },
          { opType: 'Constant', output: ['is'], attribute: [attr.ints('value_ints', [3, 4])] },
          { opType: 'Constant', output: ['s'], attribute: [attr.string('value_string', 'x')] },
          konst('c', floatTensor('', [1, 3, 1], [1, 2, 3])),
          { opType: 'Squeeze', input: ['c'], output: ['sq'] },
          { opType: 'Identity', input: ['sq'], output: ['id'] },
          konst('shape0', i64([0, 3])),
          konst('c2', floatTensor('', [2, 3], [1, 2, 3, 4, 5, 6])),
          { opType: 'Reshape', input: ['c2', 'shape0'], output: ['rs'] },
          { opType: 'Reshape', input: ['c2', 'shape0'], output: ['rs_az'], attribute: [attr.int('allowzero', 1)] },
        ],
      },
      14,
    );
    const r = new OnnxConstantResolver(m);
    const s = r.scope(m.graph);
    expect(r.tensor(s, 'f')).toMatchObject({ dataType: 'FLOAT', dims: [], data: Float32Array.of(2.5) });
    expect(r.tensor(s, 'is')).toMatchObject({ dataType: 'INT64', dims: [2], data: BigInt64Array.of(3n, 4n) });
    expect(r.tensor(s, 's')).toMatchObject({ dataType: 'STRING', data: ['x'] });
    expect(r.tensor(s, 'id')!.dims).toEqual([3]);
    expect(r.tensor(s, 'rs')!.dims).toEqual([2, 3]);
    expect(r.tensor(s, 'rs_az')).toBeUndefined(); // allowzero: a literal 0 dim cannot hold 6 elements
  });

  it('stops at other ops, cycles, nonsense shapes and the derived-bytes budget, without throwing', () => {
    const chain = Array.from({ length: 40 }, (_, i) => ({ opType: 'Concat', input: [`d${i}`, `d${i}`], output: [`d${i + 1}`], attribute: [attr.int('axis', 0)] }));
    const m = model(
      {
        node: [
          konst('d0', floatTensor('', [1024], new Array<number>(1024).fill(1))),
          ...chain,
          { opType: 'Identity', input: ['loop_b'], output: ['loop_a'] },
          { opType: 'Identity', input: ['loop_a'], output: ['loop_b'] },
          { opType: 'Relu', input: ['d0'], output: ['relu'] },
          konst('bad_shape', i64([7, -1])),
          { opType: 'Reshape', input: ['d0', 'bad_shape'], output: ['rs'] },
          konst('two', i64([2])),
          { opType: 'Unsqueeze', input: ['d0', 'two'], output: ['unsq_bad'] },
        ],
      },
      13,
    );
    const r = new OnnxConstantResolver(m, { maxDerivedBytes: 2 ** 22 });
    const s = r.scope(m.graph);
    expect(r.tensor(s, 'd8')!.dims).toEqual([1024 * 256]);
    expect(r.tensor(s, 'd40')).toBeUndefined();
    expect(r.derivedByteCount).toBeLessThanOrEqual(2 ** 22);
    expect(r.tensor(s, 'loop_a')).toBeUndefined();
    expect(r.tensor(s, 'relu')).toBeUndefined();
    expect(r.tensor(s, 'rs')).toBeUndefined();
    expect(r.tensor(s, 'unsq_bad')).toBeUndefined();
    // the default budget scales with the model's own constants (1 MiB + 4 × 4 KiB here)
    const r2 = new OnnxConstantResolver(m);
    expect(r2.tensor(r2.scope(m.graph), 'd40')).toBeUndefined();
    expect(r2.derivedByteCount).toBeLessThanOrEqual(2 ** 20 + 4 * 4096);
  });

  it('an initializer that is also a main-graph input is a default the caller may override', () => {
    const m = model({ initializer: [floatTensor('W', [2], [1, 2])], input: [{ name: 'W' }] }, 13);
    const r = new OnnxConstantResolver(m);
    expect(r.resolve(r.scope(m.graph), 'W')).toMatchObject({ source: 'initializer', overridable: true });
  });
});

// Slice semantics (negative indices, clamping, negative steps) checked against ONNX Runtime on the same constants.
let ort: typeof import('onnxruntime-node') | undefined;
try {
  ort = await import('onnxruntime-node');
} catch {
  console.warn('[onnx constants] onnxruntime-node not loadable: the Slice/Concat comparison with ONNX Runtime is skipped');
}

describe.skipIf(!ort)('Slice / Concat / Squeeze agree with ONNX Runtime (onnxruntime-node)', () => {
  const data = Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
  const cases: [string, number[], number[], number[], number[]][] = [
    ['basic', [0, 1], [2, 3], [0, 1], [1, 1]],
    ['negative start/end', [-1], [-5], [2], [-1]],
    ['clamped huge end', [1], [1000], [2], [1]],
    ['step 2 on the last axis', [0], [4], [-1], [2]],
    ['negative step, clamped start', [10], [-100], [1], [-2]],
    ['empty', [2], [1], [2], [1]],
  ];
  for (const [name, starts, ends, axes, steps] of cases) {
    it(name, async () => {
      const graph: GraphInit = {
        node: [
          konst('x', floatTensor('', [2, 3, 4], data)),
          konst('s', i64(starts)),
          konst('e', i64(ends)),
          konst('a', i64(axes)),
          konst('st', i64(steps)),
          { opType: 'Slice', input: ['x', 's', 'e', 'a', 'st'], output: ['y'] },
          { opType: 'Concat', input: ['y', 'y'], output: ['z'], attribute: [attr.int('axis', 1)] },
        ],
        output: [{ name: 'z', type: { value: { case: 'tensorType', value: { elemType: 1 } } } }],
      };
      const bytes = toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n, opsetImport: [{ domain: '', version: 13n }], graph }));
      const m = readOnnx(bytes);
      const r = new OnnxConstantResolver(m);
      const mine = r.tensor(r.scope(m.graph), 'z')!;
      const sess = await ort!.InferenceSession.create(bytes);
      const out = (await sess.run({}))['z']!;
      expect(mine.dims).toEqual(out.dims.map(Number));
      expect(Array.from(mine.data as Float32Array)).toEqual(Array.from(out.data as Float32Array));
    });
  }
});
