/**
 * src/tflite/rewrite.ts: a rewrite without edits reads back identical (every field the reader decodes, every
 * buffer byte, every builtin-options table's fields), and edits change exactly what they name. Uses the real
 * models of ../shared/models (skipped with a message when absent) and a model from the single-op writer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as flatbuffers from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { Model as FbModel } from '../../src/tflite/generated/tflite.js';
import { readTflite, type TfliteModel } from '../../src/tflite/reader.js';
import { float32Bytes, rewriteTflite, RewriteError } from '../../src/tflite/rewrite.js';
import { sharedDir } from '../../src/util/paths.js';

const shared = sharedDir();
const modelsDir = shared ? join(shared, 'models') : undefined;
const REAL = ['mnist_lstm_float32.tflite', 'mnist_lstm_int8.tflite', 'dtln_noise_suppression_int8.tflite', 'micro_speech_lstm_int8.tflite'];
const haveModels = !!modelsDir && REAL.every((f) => existsSync(join(modelsDir, f)));
if (!haveModels) console.warn(`compress-rewrite.test: ../shared/models absent (${modelsDir ?? 'no ../shared'}): real-model rewrite tests skipped`);

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
