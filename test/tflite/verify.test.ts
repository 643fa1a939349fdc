import * as flatbuffers from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { Model as FbModel, SubGraph as FbSubGraph, Tensor as FbTensor } from '../../src/tflite/generated/tflite.js';
import { TfliteFormatError, type TfliteFormatErrorKind } from '../../src/tflite/errors.js';
import { readTflite } from '../../src/tflite/reader.js';
import { syntheticLstmModel } from '../../src/tflite/synthetic.js';
import { verifyTflite } from '../../src/tflite/verify.js';
import { writeSingleOpTflite } from '../../src/tflite/writer.js';
import { buildTflite } from './build.js';

function expectFormatError(f: () => unknown, kind: TfliteFormatErrorKind, path?: string | RegExp): TfliteFormatError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(TfliteFormatError);
  const e = caught as TfliteFormatError;
  expect(e.kind, e.message).toBe(kind);
  expect(e.offset).toBeGreaterThanOrEqual(0);
  if (path !== undefined) {
    if (typeof path === 'string') expect(e.path).toBe(path);
    else expect(e.path).toMatch(path);
  }
  return e;
}

const base = writeSingleOpTflite(syntheticLstmModel());
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Byte position of field `id` of the table at `pos` (0 when absent). */
function fieldPos(b: Uint8Array, pos: number, id: number): number {
  const vt = pos - dv(b).getInt32(pos, true);
  const vtSize = dv(b).getUint16(vt, true);
  if (4 + 2 * id >= vtSize) return 0;
  const off = dv(b).getUint16(vt + 4 + 2 * id, true);
  return off ? pos + off : 0;
}
const deref = (b: Uint8Array, p: number) => p + dv(b).getUint32(p, true);

describe('verifyTflite', () => {
  it('accepts the writer output and reports visit statistics', () => {
    const s = verifyTflite(base);
    expect(s.tables).toBeGreaterThan(10);
    expect(s.maxDepth).toBeGreaterThanOrEqual(3);
  });

  it('rejects short input and a wrong file identifier', () => {
    expectFormatError(() => verifyTflite(new Uint8Array(0)), 'identifier');
    expectFormatError(() => verifyTflite(new Uint8Array(7)), 'identifier');
    const b = base.slice();
    b[7] = 0x34; // "TFL4"
    const e = expectFormatError(() => verifyTflite(b), 'identifier');
    expect(e.offset).toBe(4);
  });

  it('rejects a root offset outside the buffer, zero or misaligned', () => {
    const b = base.slice();
    dv(b).setUint32(0, b.length + 100, true);
    expectFormatError(() => verifyTflite(b), 'bounds');
    dv(b).setUint32(0, 0, true);
    expectFormatError(() => verifyTflite(b), 'bounds');
    dv(b).setUint32(0, dv(base).getUint32(0, true) + 1, true);
    expectFormatError(() => verifyTflite(b), 'alignment');
  });

  it('rejects malformed vtables with the field path', () => {
    const root = dv(base).getUint32(0, true);
    const vt = root - dv(base).getInt32(root, true);
    let b = base.slice();
    dv(b).setUint16(vt, 5, true); // odd vtable size
    expectFormatError(() => verifyTflite(b), 'vtable');
    b = base.slice();
    dv(b).setUint16(vt + 2, 2, true); // table size < 4
    expectFormatError(() => verifyTflite(b), 'vtable');
    b = base.slice();
    dv(b).setUint16(vt + 4 + 2 * 2, 0xfff0, true); // subgraphs field far outside the table
    const e = expectFormatError(() => verifyTflite(b), 'vtable', 'subgraphs');
    expect(e.offset).toBe(vt + 8);
    b = base.slice();
    dv(b).setInt32(root, -0x7fff0000, true); // vtable far beyond the end
    expectFormatError(() => verifyTflite(b), 'vtable');
  });

  it('rejects a vector whose length runs past the end, naming the path', () => {
    const root = dv(base).getUint32(0, true);
    const sgVec = deref(base, fieldPos(base, root, 2));
    const sg0 = deref(base, sgVec + 4);
    const opsVec = deref(base, fieldPos(base, sg0, 3));
    const op0 = deref(base, opsVec + 4);
    const inputs = deref(base, fieldPos(base, op0, 1));
    const b = base.slice();
    dv(b).setUint32(inputs, 0x1000000, true);
    expectFormatError(() => verifyTflite(b), 'bounds', 'subgraphs[0].operators[0].inputs');
  });

  it('rejects unknown union types and a non-terminated string', () => {
    const root = dv(base).getUint32(0, true);
    const sg0 = deref(base, deref(base, fieldPos(base, root, 2)) + 4);
    const op0 = deref(base, deref(base, fieldPos(base, sg0, 3)) + 4);
    const typePos = fieldPos(base, op0, 3);
    expect(typePos).toBeGreaterThan(0);
    let b = base.slice();
    b[typePos] = 200;
    expectFormatError(() => verifyTflite(b), 'union', 'subgraphs[0].operators[0].builtin_options_type');
    b = base.slice();
    const name = deref(base, fieldPos(base, sg0, 4));
    const len = dv(base).getUint32(name, true);
    b[name + 4 + len] = 0x41;
    expectFormatError(() => verifyTflite(b), 'bounds', 'subgraphs[0].name');
  });

  it('bounds recursion depth and total work (shared-offset bombs)', () => {
    expectFormatError(() => verifyTflite(base, { maxDepth: 2 }), 'limit');
    expectFormatError(() => verifyTflite(base, { maxObjects: 5 }), 'limit');
    // 1000 subgraph offsets to one subgraph whose 1000 tensor offsets point to one tensor: 10^6 visits.
    const b = new flatbuffers.Builder(1024);
    const shape = FbTensor.createShapeVector(b, [1]);
    FbTensor.startTensor(b);
    FbTensor.addShape(b, shape);
    const t = FbTensor.endTensor(b);
    const tensors = FbSubGraph.createTensorsVector(b, new Array<number>(1000).fill(t));
    FbSubGraph.startSubGraph(b);
    FbSubGraph.addTensors(b, tensors);
    const sg = FbSubGraph.endSubGraph(b);
    const sgs = FbModel.createSubgraphsVector(b, new Array<number>(1000).fill(sg));
    FbModel.startModel(b);
    FbModel.addVersion(b, 3);
    FbModel.addSubgraphs(b, sgs);
    FbModel.finishModelBuffer(b, FbModel.endModel(b));
    const bomb = b.asUint8Array().slice();
    const t0 = performance.now();
    expectFormatError(() => verifyTflite(bomb), 'limit');
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('handles a Uint8Array view with a non-zero byteOffset', () => {
    const backing = new Uint8Array(base.length + 3);
    backing.set(base, 3);
    const view = backing.subarray(3);
    expect(() => verifyTflite(view)).not.toThrow();
    expect(readTflite(view).subgraphs[0]!.operators).toHaveLength(1);
  });
});

describe('semantic checks (readTflite)', () => {
  const tensors = [
    { shape: [1, 2] },
    { shape: [2], buffer: 1 },
    { shape: [1, 2] },
  ];
  const ok = {
    opcodes: [{ code: 0 }],
    tensors,
    operators: [{ opcode: 0, inputs: [0, 1], outputs: [2] }],
    inputs: [0],
    outputs: [2],
    buffers: [new Uint8Array(8)],
  };

  it('accepts a consistent model', () => {
    expect(readTflite(buildTflite(ok)).subgraphs[0]!.tensors).toHaveLength(3);
  });
  it('operator input index out of range', () => {
    const e = expectFormatError(
      () => readTflite(buildTflite({ ...ok, operators: [{ opcode: 0, inputs: [0, 9], outputs: [2] }] })),
      'semantic',
      'subgraphs[0].operators[0].inputs[1]',
    );
    expect(e.offset).toBeGreaterThan(0);
  });
  it('-1 is a legal optional input, -2 is not', () => {
    expect(() => readTflite(buildTflite({ ...ok, operators: [{ opcode: 0, inputs: [0, -1], outputs: [2] }] }))).not.toThrow();
    expectFormatError(() => readTflite(buildTflite({ ...ok, operators: [{ opcode: 0, inputs: [0, -2], outputs: [2] }] })), 'semantic');
  });
  it('subgraph output index out of range', () => {
    expectFormatError(() => readTflite(buildTflite({ ...ok, outputs: [3] })), 'semantic', 'subgraphs[0].outputs[0]');
  });
  it('opcode index out of range', () => {
    expectFormatError(
      () => readTflite(buildTflite({ ...ok, operators: [{ opcode: 1, inputs: [0, 1], outputs: [2] }] })),
      'semantic',
      'subgraphs[0].operators[0].opcode_index',
    );
  });
  it('buffer index out of range', () => {
    expectFormatError(
      () => readTflite(buildTflite({ ...ok, tensors: [tensors[0]!, { shape: [2], buffer: 5 }, tensors[2]!] })),
      'semantic',
      'subgraphs[0].tensors[1].buffer',
    );
  });
  it('buffer size vs shape × type size', () => {
    expectFormatError(
      () => readTflite(buildTflite({ ...ok, tensors: [tensors[0]!, { shape: [3], buffer: 1 }, tensors[2]!] })),
      'semantic',
      'subgraphs[0].tensors[1].buffer',
    );
    // INT8 [8] matches 8 bytes
    expect(() => readTflite(buildTflite({ ...ok, tensors: [tensors[0]!, { shape: [8], type: 9, buffer: 1 }, tensors[2]!] }))).not.toThrow();
  });
  it('variable tensor with constant data, unknown tensor type, wrong schema version, no subgraph', () => {
    expectFormatError(
      () => readTflite(buildTflite({ ...ok, tensors: [tensors[0]!, { shape: [2], buffer: 1, isVariable: true }, tensors[2]!] })),
      'semantic',
      'subgraphs[0].tensors[1].buffer',
    );
    expectFormatError(() => readTflite(buildTflite({ ...ok, tensors: [tensors[0]!, tensors[1]!, { shape: [1, 2], type: 99 }] })), 'semantic', 'subgraphs[0].tensors[2].type');
    expectFormatError(() => readTflite(buildTflite({ ...ok, version: 2 })), 'semantic', 'version');
    expectFormatError(() => readTflite(buildTflite({ ...ok, subgraphs: 0 })), 'semantic', 'subgraphs');
  });
  it('an empty-but-present data vector is reported, not treated as data', () => {
    const m = readTflite(buildTflite({ ...ok, tensors: [tensors[0]!, { shape: [2], buffer: 1 }, tensors[2]!], buffers: ['empty'] }));
    expect(m.buffers[1]).toEqual({ emptyData: true });
  });
});
