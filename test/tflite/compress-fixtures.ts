/**
 * Test helper: small multi-op float models for `compress` (no ../shared needed), built with test/tflite/build.ts:
 * a chain of LSTM-family ops (UNIDIRECTIONAL_SEQUENCE_LSTM or LSTM) ending in a FULLY_CONNECTED, with seeded
 * weights (conformance/synth.ts rng, uniform ±0.5).
 */
import * as flatbuffers from 'flatbuffers';
import { rng, uniform } from '../../src/conformance/synth.js';
import { Model as FbModel } from '../../src/tflite/generated/tflite.js';
import type { TfliteModel } from '../../src/tflite/reader.js';
import { buildTflite, f32bytes, type BuildModel, type BuildOperator, type BuildTensor } from './build.js';

export interface FixtureLstm {
  nCell: number;
  cifg?: boolean;
  peephole?: boolean;
  /** Projection of this output size (with a projection bias). */
  projection?: number;
}

export interface FixtureSpec {
  /** UNIDIRECTIONAL_SEQUENCE_LSTM chain (default) or one LSTM op (then `lstms` has one entry). */
  kind?: 'UNI' | 'LSTM';
  nInput: number;
  time: number;
  lstms: FixtureLstm[];
  /** Units of the final FULLY_CONNECTED. */
  nFc: number;
  seed?: number;
}

const OPCODE = { UNI: 44, LSTM: 16, FC: 9, BI: 52, RESHAPE: 22 };

/** The model bytes; subgraph input 0 = x ([1, T, n_i] or [1, n_i]), output = the FC output. */
export function lstmChainModel(spec: FixtureSpec): Uint8Array {
  const kind = spec.kind ?? 'UNI';
  const next = rng(spec.seed ?? 7);
  const tensors: BuildTensor[] = [];
  const buffers: Uint8Array[] = [];
  const constT = (name: string, shape: number[], scale: number): number => {
    buffers.push(f32bytes(uniform(next, shape.reduce((a, b) => a * b, 1), scale)));
    tensors.push({ name, shape, buffer: buffers.length });
    return tensors.length - 1;
  };
  const rtT = (name: string, shape: number[], isVariable = false): number => {
    tensors.push({ name, shape, isVariable });
    return tensors.length - 1;
  };
  const seqShape = (n: number) => (kind === 'UNI' ? [1, spec.time, n] : [1, n]);
  const x = rtT('x', seqShape(spec.nInput));
  const operators: BuildOperator[] = [];
  let prev = x;
  let prevSize = spec.nInput;
  spec.lstms.forEach((l, k) => {
    const nC = l.nCell;
    const nO = l.projection ?? nC;
    const p = `lstm${k}/`;
    const w = (g: string, cols: number) => constT(`${p}${g}`, [nC, cols], 0.5);
    const inputs = [
      prev,
      l.cifg ? -1 : w('i2i', prevSize),
      w('i2f', prevSize),
      w('i2c', prevSize),
      w('i2o', prevSize),
      l.cifg ? -1 : w('r2i', nO),
      w('r2f', nO),
      w('r2c', nO),
      w('r2o', nO),
      l.peephole && !l.cifg ? constT(`${p}c2i`, [nC], 0.2) : -1,
      l.peephole ? constT(`${p}c2f`, [nC], 0.2) : -1,
      l.peephole ? constT(`${p}c2o`, [nC], 0.2) : -1,
      l.cifg ? -1 : constT(`${p}bi`, [nC], 0.1),
      constT(`${p}bf`, [nC], 0.1),
      constT(`${p}bc`, [nC], 0.1),
      constT(`${p}bo`, [nC], 0.1),
      l.projection ? constT(`${p}proj`, [nO, nC], 0.5) : -1,
      l.projection ? constT(`${p}projb`, [nO], 0.1) : -1,
      rtT(`${p}h`, [1, nO], true),
      rtT(`${p}c`, [1, nC], true),
    ];
    const out = rtT(`${p}out`, seqShape(nO));
    operators.push({
      opcode: kind === 'UNI' ? 0 : 1,
      inputs,
      outputs: [out],
      options: kind === 'UNI' ? { kind: 'UnidirectionalSequenceLSTMOptions', activation: 4, cellClip: 0, projClip: 0, timeMajor: false } : { kind: 'LSTMOptions', activation: 4, cellClip: 0, projClip: 0, kernelType: 0 },
    });
    prev = out;
    prevSize = nO;
  });
  const fcW = constT('fc/w', [spec.nFc, prevSize], 0.5);
  const fcB = constT('fc/b', [spec.nFc], 0.1);
  const y = rtT('y', kind === 'UNI' ? [spec.time, spec.nFc] : [1, spec.nFc]);
  operators.push({ opcode: 2, inputs: [prev, fcW, fcB], outputs: [y] });
  const m: BuildModel = {
    opcodes: [{ code: OPCODE.UNI }, { code: OPCODE.LSTM }, { code: OPCODE.FC }, { code: OPCODE.BI }],
    tensors,
    operators,
    inputs: [x],
    outputs: [y],
    buffers,
  };
  return buildTflite(m);
}

/** The reader's view with buffers as plain byte arrays (views compared by content) and sizes dropped. */
export function comparable(m: TfliteModel): unknown {
  return {
    ...m,
    byteLength: undefined,
    buffers: m.buffers.map((b) => ({ ...b, data: b.data ? Array.from(b.data) : undefined })),
  };
}

/**
 * Every builtin options table's present fields, per operator: field id → its bytes up to the next field (or the
 * table end). What the reader does not decode (Placeholder options) is compared raw with {@link sameOptions}.
 */
export function optionFields(bytes: Uint8Array): { type: number; fields: Map<number, number[]> | null }[] {
  const bb = new flatbuffers.ByteBuffer(bytes);
  const m = FbModel.getRootAsModel(bb);
  const out: { type: number; fields: Map<number, number[]> | null }[] = [];
  for (let s = 0; s < m.subgraphsLength(); s++) {
    const sg = m.subgraphs(s)!;
    for (let o = 0; o < sg.operatorsLength(); o++) {
      const op = sg.operators(o)!;
      const type = op.builtinOptionsType();
      const opPos = op.bb_pos;
      const vt = opPos - bb.readInt32(opPos);
      const off = 4 + 2 * 4 < bb.readUint16(vt) ? bb.readUint16(vt + 4 + 2 * 4) : 0; // union value = field 4
      if (!off) {
        out.push({ type, fields: null });
        continue;
      }
      const pos = opPos + off + bb.readUint32(opPos + off);
      const ovt = pos - bb.readInt32(pos);
      const size = bb.readUint16(ovt + 2);
      const n = (bb.readUint16(ovt) - 4) / 2;
      const offs: { id: number; fo: number }[] = [];
      for (let i = 0; i < n; i++) {
        const fo = bb.readUint16(ovt + 4 + 2 * i);
        if (fo) offs.push({ id: i, fo });
      }
      offs.sort((a, b) => a.fo - b.fo);
      const fields = new Map<number, number[]>();
      offs.forEach(({ id, fo }, k) => fields.set(id, Array.from(bytes.subarray(pos + fo, pos + (k + 1 < offs.length ? offs[k + 1]!.fo : size)))));
      out.push({ type, fields });
    }
  }
  return out;
}

/**
 * Same option tables: same types, same present fields, and each field's bytes equal over the shorter of the two
 * extents (≥ the field's true size; padding after a field may differ).
 */
export function sameOptions(a: ReturnType<typeof optionFields>, b: ReturnType<typeof optionFields>): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i]!;
    if (x.type !== y.type || (x.fields === null) !== (y.fields === null)) return false;
    if (!x.fields || !y.fields) return true;
    if ([...x.fields.keys()].sort().join() !== [...y.fields.keys()].sort().join()) return false;
    return [...x.fields].every(([id, bx]) => {
      const by = y.fields!.get(id)!;
      const n = Math.min(bx.length, by.length);
      return n > 0 && bx.slice(0, n).every((v, j) => v === by[j]);
    });
  });
}


/**
 * A BIDIRECTIONAL_SEQUENCE_LSTM (batch-major, no aux input) on x [1, T, n_i] followed by FULLY_CONNECTED: one FC on
 * the merged output [1, T, 2n], or one FC per direction (two model outputs) when not merged.
 */
export function bidiModel(spec: { nInput: number; time: number; nCell: number; nFc: number; merge: boolean; seed?: number; peephole?: boolean }): Uint8Array {
  const next = rng(spec.seed ?? 4);
  const tensors: BuildTensor[] = [];
  const buffers: Uint8Array[] = [];
  const constT = (name: string, shape: number[], scale: number): number => {
    buffers.push(f32bytes(uniform(next, shape.reduce((a, b) => a * b, 1), scale)));
    tensors.push({ name, shape, buffer: buffers.length });
    return tensors.length - 1;
  };
  const rtT = (name: string, shape: number[], isVariable = false): number => {
    tensors.push({ name, shape, isVariable });
    return tensors.length - 1;
  };
  const { nInput: nI, time: T, nCell: n } = spec;
  const x = rtT('x', [1, T, nI]);
  const dir = (p: string) => [
    ...['i2i', 'i2f', 'i2c', 'i2o'].map((g) => constT(`${p}${g}`, [n, nI], 0.5)),
    ...['r2i', 'r2f', 'r2c', 'r2o'].map((g) => constT(`${p}${g}`, [n, n], 0.5)),
    ...['c2i', 'c2f', 'c2o'].map((g) => (spec.peephole ? constT(`${p}${g}`, [n], 0.2) : -1)),
    ...['bi', 'bf', 'bc', 'bo'].map((g) => constT(`${p}${g}`, [n], 0.1)),
    -1,
    -1,
  ];
  const fw = dir('fw/');
  const bw = dir('bw/');
  const states = [rtT('fw/h', [1, n], true), rtT('fw/c', [1, n], true), rtT('bw/h', [1, n], true), rtT('bw/c', [1, n], true)];
  const inputs = [x, ...fw, ...bw, ...states, ...new Array<number>(9).fill(-1)];
  const outs = spec.merge ? [rtT('bi/out', [1, T, 2 * n])] : [rtT('bi/fw_out', [1, T, n]), rtT('bi/bw_out', [1, T, n])];
  const operators: BuildOperator[] = [
    { opcode: 3, inputs, outputs: outs, options: { kind: 'BidirectionalSequenceLSTMOptions', activation: 4, cellClip: 0, projClip: 0, mergeOutputs: spec.merge, timeMajor: false } },
  ];
  const ys: number[] = [];
  for (const [k, o] of outs.entries()) {
    const w = constT(`fc${k}/w`, [spec.nFc, spec.merge ? 2 * n : n], 0.5);
    const b = constT(`fc${k}/b`, [spec.nFc], 0.1);
    const y = rtT(`y${k}`, [T, spec.nFc]);
    operators.push({ opcode: 2, inputs: [o, w, b], outputs: [y] });
    ys.push(y);
  }
  return buildTflite({ opcodes: [{ code: OPCODE.UNI }, { code: OPCODE.LSTM }, { code: OPCODE.FC }, { code: OPCODE.BI }], tensors, operators, inputs: [x], outputs: ys, buffers });
}

/**
 * The mnist_lstm graph in small: x [1, T, n_i] → UNIDIRECTIONAL_SEQUENCE_LSTM (n_c) → RESHAPE [1, T, n_c] →
 * [1, T·n_c] (shape constant `shape`, e.g. [-1, T·n_c]) → FULLY_CONNECTED [n_fc, T·n_c] → y [1, n_fc].
 */
export function flattenModel(spec: { nInput: number; time: number; nCell: number; nFc: number; shape: number[]; seed?: number }): Uint8Array {
  const next = rng(spec.seed ?? 6);
  const tensors: BuildTensor[] = [];
  const buffers: Uint8Array[] = [];
  const constT = (name: string, shape: number[], scale: number): number => {
    buffers.push(f32bytes(uniform(next, shape.reduce((a, b) => a * b, 1), scale)));
    tensors.push({ name, shape, buffer: buffers.length });
    return tensors.length - 1;
  };
  const rtT = (name: string, shape: number[], isVariable = false): number => {
    tensors.push({ name, shape, isVariable });
    return tensors.length - 1;
  };
  const { nInput: nI, time: T, nCell: n, nFc } = spec;
  const x = rtT('x', [1, T, nI]);
  const inputs = [
    x,
    ...['i2i', 'i2f', 'i2c', 'i2o'].map((g) => constT(g, [n, nI], 0.5)),
    ...['r2i', 'r2f', 'r2c', 'r2o'].map((g) => constT(g, [n, n], 0.5)),
    -1, -1, -1,
    ...['bi', 'bf', 'bc', 'bo'].map((g) => constT(g, [n], 0.1)),
    -1, -1,
    rtT('h', [1, n], true),
    rtT('c', [1, n], true),
  ];
  const out = rtT('lstm/out', [1, T, n]);
  buffers.push(new Uint8Array(Int32Array.from(spec.shape).buffer));
  tensors.push({ name: 'flatten/shape', shape: [spec.shape.length], type: 2, buffer: buffers.length });
  const shapeT = tensors.length - 1;
  const flat = rtT('flatten/out', [1, T * n]);
  const w = constT('fc/w', [nFc, T * n], 0.5);
  const b = constT('fc/b', [nFc], 0.1);
  const y = rtT('y', [1, nFc]);
  return buildTflite({
    opcodes: [{ code: OPCODE.UNI }, { code: OPCODE.RESHAPE }, { code: OPCODE.FC }],
    tensors,
    operators: [
      { opcode: 0, inputs, outputs: [out], options: { kind: 'UnidirectionalSequenceLSTMOptions', activation: 4, cellClip: 0, projClip: 0, timeMajor: false } },
      { opcode: 1, inputs: [out, shapeT], outputs: [flat] },
      { opcode: 2, inputs: [flat, w, b], outputs: [y] },
    ],
    inputs: [x],
    outputs: [y],
    buffers,
  });
}
