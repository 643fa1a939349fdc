/**
 * `compressTflite` (src/tflite/compress.ts): the stacked truncated SVD written back as an LSTMP, on fresh-clone
 * fixtures (test/tflite/compress-fixtures.ts: UNI chains with peephole / CIFG / projection, an LSTM op) and on the
 * real mnist_lstm_float32 model of ../shared/models (skipped with a message when absent). The outputs run in the
 * TFLite runtime (tfjs-tflite WASM); the written models pass validateTflite (structure, delegate, numeric).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compressTflite, CompressError, type CompressResult } from '../../src/tflite/compress.js';
import { measureCompression, parseSamples, seededInputs } from '../../src/tflite/compress/measure.js';
import { readTflite, type TfliteModel } from '../../src/tflite/reader.js';
import { TfliteRuntime } from '../../src/tflite/runtime.js';
import { syntheticLstmModel } from '../../src/tflite/synthetic.js';
import { validateTflite } from '../../src/tflite/validate-tflite.js';
import { writeSingleOpTflite } from '../../src/tflite/writer.js';
import { sharedDir } from '../../src/util/paths.js';
import { bidiModel, comparable, flattenModel, lstmChainModel, optionFields, sameOptions, type FixtureSpec } from './compress-fixtures.js';

let rt: TfliteRuntime;
beforeAll(async () => {
  rt = await TfliteRuntime.load();
});

const shared = sharedDir();
const mnistFile = shared ? join(shared, 'models', 'mnist_lstm_float32.tflite') : '';
const samplesFile = shared ? join(shared, 'models', 'mnist_lstm_samples.json') : '';
const haveMnist = !!shared && existsSync(mnistFile) && existsSync(samplesFile);
if (!haveMnist) console.warn(`compress.test: ${mnistFile || '../shared'} absent: the mnist compression tests are skipped (fresh-clone fixtures still run)`);

/** Max |Δ| of the model outputs of two models over seeded inputs (fresh interpreter each: zero state). */
function outputDiff(a: Uint8Array, b: Uint8Array, seeds = 3): number {
  const m = readTflite(a);
  let d = 0;
  for (const set of seededInputs(m, seeds, 11)!) {
    const ya = rt.run(a, set.values).outputs;
    const yb = rt.run(b, set.values).outputs;
    ya.forEach((o, k) => o.data.forEach((v, i) => (d = Math.max(d, Math.abs(v - yb[k]!.data[i]!)))));
  }
  return d;
}

const CHAIN: FixtureSpec = { nInput: 3, time: 5, lstms: [{ nCell: 6, peephole: true }, { nCell: 5, cifg: true }], nFc: 4 };

/** Edited tensors of a result: recomputed from the model pair by shape or data change, plus the appended ones. */
function untouchedEqual(before: TfliteModel, after: TfliteModel, edited: ReadonlySet<number>): void {
  const cb = comparable(before) as { subgraphs: { tensors: unknown[] }[] };
  const ca = comparable(after) as { subgraphs: { tensors: unknown[] }[] };
  const sb = before.subgraphs[0]!;
  const sa = after.subgraphs[0]!;
  for (const t of sb.tensors) {
    if (edited.has(t.index)) continue;
    expect(ca.subgraphs[0]!.tensors[t.index], `tensor #${t.index} ${t.name}`).toEqual(cb.subgraphs[0]!.tensors[t.index]);
    if (t.buffer > 0) expect(Array.from(after.buffers[sa.tensors[t.index]!.buffer]!.data ?? []), `buffer of #${t.index}`).toEqual(Array.from(before.buffers[t.buffer]!.data ?? []));
  }
  expect(after.operatorCodes).toEqual(before.operatorCodes);
  expect(after.metadata).toEqual(before.metadata);
  expect(after.signatureDefs).toEqual(before.signatureDefs);
  expect(after.description).toEqual(before.description);
  expect(sa.inputs).toEqual(sb.inputs);
  expect(sa.outputs).toEqual(sb.outputs);
}

describe('compressTflite on fresh-clone fixtures', () => {
  it('UNI(peephole) → UNI(CIFG) → FC at full rank: both ops get a projection, the model output is unchanged (≤ 1e-5)', () => {
    const bytes = lstmChainModel(CHAIN);
    const r = compressTflite(bytes, readTflite(bytes), { rank: 6 });
    // Op 1 has n_o = 5 < 6: refused with the reason; op 0 compressed (its consumer is op 1's input weights).
    expect(r.ops.map((o) => o.operator)).toEqual([0]);
    expect(r.refused).toEqual([expect.objectContaining({ operator: 1, reason: expect.stringMatching(/rank 6 exceeds n_output 5/) })]);
    const full = compressTflite(bytes, readTflite(bytes), { energy: 1 });
    expect(full.ops.map((o) => [o.operator, o.rank, o.energyKept])).toEqual([
      [0, 6, expect.closeTo(1, 12)],
      [1, 5, expect.closeTo(1, 12)],
    ]);
    expect(outputDiff(bytes, full.bytes)).toBeLessThan(1e-5);
  });

  it('rank 3: shapes, parameter formula, consumers rewritten, everything else identical, validates and runs', async () => {
    const bytes = lstmChainModel(CHAIN);
    const before = readTflite(bytes);
    const r = compressTflite(bytes, before, { rank: 3 });
    const after = readTflite(r.bytes);
    const [o0, o1] = r.ops;
    // op 0: 4 gates, n_i 3, n_c 6, peephole 3·6; stacked = 4·6 recurrent rows + op 1's 3 input weights × 5 rows.
    expect(o0).toMatchObject({ gates: 4, nInput: 3, nCell: 6, rank: 3, projection: 'added', stacked: { rows: 24 + 15, cols: 6 } });
    expect(o0!.params).toEqual({ before: 4 * 36 + 4 * 18 + 18, after: 4 * 6 * 3 + 4 * 18 + 3 * 6 + 18 });
    expect(o0!.consumers.map((c) => [c.op, c.shapeBefore, c.shapeAfter])).toEqual([
      ['UNIDIRECTIONAL_SEQUENCE_LSTM', [5, 6], [5, 3]],
      ['UNIDIRECTIONAL_SEQUENCE_LSTM', [5, 6], [5, 3]],
      ['UNIDIRECTIONAL_SEQUENCE_LSTM', [5, 6], [5, 3]],
    ]);
    // op 1: CIFG (3 gates), n_c 5, its consumer the FC [4, 5].
    expect(o1).toMatchObject({ gates: 3, nCell: 5, rank: 3, stacked: { rows: 15 + 4, cols: 5 } });
    expect(o1!.params).toEqual({ before: 3 * 25 + 3 * 6 * 5, after: 3 * 5 * 3 + 3 * 3 * 5 + 3 * 5 });
    expect(o1!.consumers[0]).toMatchObject({ op: 'FULLY_CONNECTED', shapeBefore: [4, 5], shapeAfter: [4, 3] });

    const sg = after.subgraphs[0]!;
    const op0 = sg.operators[0]!;
    const op1 = sg.operators[1]!;
    expect(sg.tensors[op0.inputs[16]!]!.shape).toEqual([3, 6]); // projection added
    expect(op0.inputs[17]).toBe(-1);
    for (const s of [5, 6, 7, 8]) expect(sg.tensors[op0.inputs[s]!]!.shape).toEqual([6, 3]);
    expect(sg.tensors[op0.inputs[18]!]!.shape).toEqual([1, 3]);
    expect(sg.tensors[op0.outputs[0]!]!.shape).toEqual([1, 5, 3]);
    for (const s of [2, 3, 4]) expect(sg.tensors[op1.inputs[s]!]!.shape).toEqual([5, 3]);
    // Everything the compression does not name is identical.
    const edited = new Set<number>();
    for (const o of [op0, op1]) for (const s of [2, 3, 4, 5, 6, 7, 8, 18]) if ((o.inputs[s] ?? -1) >= 0) edited.add(o.inputs[s]!);
    edited.add(op0.outputs[0]!).add(op1.outputs[0]!).add(sg.operators[2]!.inputs[1]!);
    untouchedEqual(before, after, edited);
    expect(sameOptions(optionFields(r.bytes), optionFields(bytes))).toBe(true);
    expect(sg.operators.map((o) => o.outputs)).toEqual(before.subgraphs[0]!.operators.map((o) => o.outputs));

    const v = await validateTflite(after, 'chain-r3.tflite', { bytes: r.bytes });
    expect(v.lstmOps.map((o) => [o.structure.status, o.numeric.status, o.features.projection])).toEqual([
      ['valid', 'pass', true],
      ['valid', 'pass', true],
    ]);
    expect(v.exitCode).toBe(0);
    expect(Number.isFinite(outputDiff(bytes, r.bytes))).toBe(true);
  });

  it('an existing projection is composed: compress(compress(m, 4), 2) = compress(m, 2) (≤ 1e-5)', () => {
    const bytes = lstmChainModel({ nInput: 3, time: 4, lstms: [{ nCell: 7 }], nFc: 5, seed: 3 });
    const once = compressTflite(bytes, readTflite(bytes), { rank: 4 });
    const twice = compressTflite(once.bytes, readTflite(once.bytes), { rank: 2 });
    expect(twice.ops[0]).toMatchObject({ projection: 'composed', rank: 2, nOutputBefore: 4 });
    const direct = compressTflite(bytes, readTflite(bytes), { rank: 2 });
    expect(outputDiff(direct.bytes, twice.bytes)).toBeLessThan(1e-5);
    // The composed singular values are the leading ones of the original stacked matrix.
    once.ops[0]!.singularValues.slice(0, 4).forEach((s, i) => expect(twice.ops[0]!.singularValues[i]).toBeCloseTo(s, 4));
  });

  it('a projection with bias and an LSTM (non-sequence) op: full rank keeps the output, rank 2 validates', async () => {
    const proj = lstmChainModel({ nInput: 4, time: 3, lstms: [{ nCell: 6, projection: 4 }], nFc: 3, seed: 5 });
    const full = compressTflite(proj, readTflite(proj), { rank: 4 });
    expect(outputDiff(proj, full.bytes)).toBeLessThan(1e-5);
    const lstm = lstmChainModel({ kind: 'LSTM', nInput: 4, time: 1, lstms: [{ nCell: 5, peephole: true }], nFc: 3, seed: 9 });
    const r = compressTflite(lstm, readTflite(lstm), { rank: 2 });
    expect(r.ops[0]).toMatchObject({ op: 'LSTM', rank: 2 });
    const v = await validateTflite(readTflite(r.bytes), 'lstm-r2.tflite', { bytes: r.bytes });
    expect(v.exitCode).toBe(0);
    expect(outputDiff(lstm, compressTflite(lstm, readTflite(lstm), { rank: 5 }).bytes)).toBeLessThan(1e-5);
  });

  for (const merge of [false, true]) {
    it(`BIDIRECTIONAL_SEQUENCE_LSTM (${merge ? 'merged output' : 'fw/bw outputs'}): per direction, one rank; full rank keeps the outputs, rank 2 validates`, async () => {
      const bytes = bidiModel({ nInput: 3, time: 4, nCell: 5, nFc: 3, merge, peephole: true });
      const full = compressTflite(bytes, readTflite(bytes), { rank: 5 });
      expect(full.ops.map((o) => [o.direction, o.rank])).toEqual([
        ['fw', 5],
        ['bw', 5],
      ]);
      expect(outputDiff(bytes, full.bytes)).toBeLessThan(1e-5);
      const r = compressTflite(bytes, readTflite(bytes), { rank: 2 });
      const sg = readTflite(r.bytes).subgraphs[0]!;
      const op = sg.operators[0]!;
      for (const s of [16, 33]) expect(sg.tensors[op.inputs[s]!]!.shape).toEqual([2, 5]);
      for (const s of [5, 6, 7, 8, 22, 23, 24, 25]) expect(sg.tensors[op.inputs[s]!]!.shape).toEqual([5, 2]);
      for (const s of [35, 37]) expect(sg.tensors[op.inputs[s]!]!.shape).toEqual([1, 2]);
      expect(op.outputs.map((o) => sg.tensors[o]!.shape)).toEqual(merge ? [[1, 4, 4]] : [[1, 4, 2], [1, 4, 2]]);
      expect(r.ops.map((o) => o.consumers.map((c) => c.shapeAfter))).toEqual(merge ? [[[3, 4]], [[3, 4]]] : [[[3, 2]], [[3, 2]]]);
      expect(r.ops[1]!.outputColumns).toEqual(merge ? { before: { offset: 5, width: 10 }, after: { offset: 2, width: 4 } } : { before: { offset: 0, width: 5 }, after: { offset: 0, width: 2 } });
      const v = await validateTflite(readTflite(r.bytes), 'bi-r2.tflite', { bytes: r.bytes });
      expect(v.lstmOps.map((o) => [o.structure.status, o.numeric.status])).toEqual([['valid', 'pass']]);
      // The lifted op outputs and the model outputs are measured for both directions.
      const m = measureCompression(rt, bytes, readTflite(bytes), full, seededInputs(readTflite(bytes), 1, 3)!);
      expect(m.seeded!.opMaxAbsDiff.every((d) => d !== null && d < 1e-5)).toBe(true);
    });
  }

  for (const shape of [[-1, 15], [1, 15]]) {
    it(`LSTM → RESHAPE [${shape.join(',')}] (flatten) → FC, the mnist graph in small: per-step blocks, shape constant follows`, async () => {
      const bytes = flattenModel({ nInput: 2, time: 3, nCell: 5, nFc: 4, shape });
      const full = compressTflite(bytes, readTflite(bytes), { rank: 5 });
      expect(full.ops[0]!.stacked).toMatchObject({ rows: 4 * 5 + 3 * 4, cols: 5 });
      expect(outputDiff(bytes, full.bytes)).toBeLessThan(1e-5);
      const r = compressTflite(bytes, readTflite(bytes), { rank: 2 });
      const m = readTflite(r.bytes);
      const sg = m.subgraphs[0]!;
      const shapeT = sg.tensors[sg.operators[1]!.inputs[1]!]!;
      expect(Array.from(new Int32Array(m.buffers[shapeT.buffer]!.data!.slice().buffer))).toEqual([shape[0], 6]);
      expect(sg.tensors[sg.operators[1]!.outputs[0]!]!.shape).toEqual([1, 6]);
      expect(sg.tensors[sg.operators[2]!.inputs[1]!]!.shape).toEqual([4, 6]);
      expect((await validateTflite(m, 'flat-r2.tflite', { bytes: r.bytes })).exitCode).toBe(0);
      expect(Number.isFinite(outputDiff(bytes, r.bytes))).toBe(true);
    });
  }

  it('energy picks the smallest rank holding the fraction', () => {
    const bytes = lstmChainModel({ nInput: 3, time: 4, lstms: [{ nCell: 8 }], nFc: 4, seed: 2 });
    const m = readTflite(bytes);
    const r3 = compressTflite(bytes, m, { rank: 3 });
    expect(compressTflite(bytes, m, { energy: r3.ops[0]!.energyKept }).ops[0]!.rank).toBe(3);
    expect(compressTflite(bytes, m, { energy: r3.ops[0]!.energyKept + 1e-6 }).ops[0]!.rank).toBe(4);
    expect(r3.ops[0]!.relativeError).toBeCloseTo(Math.sqrt(1 - r3.ops[0]!.energyKept), 12);
  });

  it('refuses with reasons: the op output is a model output, integer ops, bad rank / energy', () => {
    const single = writeSingleOpTflite(syntheticLstmModel({ operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM', batch: 1, inputSize: 3, units: 4, time: 2 }), { stateIo: false });
    expect(() => compressTflite(single, readTflite(single), { rank: 2 })).toThrow(CompressError);
    expect(() => compressTflite(single, readTflite(single), { rank: 2 })).toThrow(/model output/);
    const bytes = lstmChainModel(CHAIN);
    const m = readTflite(bytes);
    expect(() => compressTflite(bytes, m, {})).toThrow(/exactly one/);
    expect(() => compressTflite(bytes, m, { rank: 0 })).toThrow(/rank/);
    expect(() => compressTflite(bytes, m, { energy: 0 })).toThrow(/energy/);
    expect(() => compressTflite(bytes, m, { rank: 99 })).toThrow(/nothing to compress.*rank 99 exceeds/);
  });
});

describe.skipIf(!haveMnist)('compress mnist_lstm_float32 (../shared/models)', () => {
  const load = () => new Uint8Array(readFileSync(mnistFile));
  const samples = () => parseSamples(JSON.parse(readFileSync(samplesFile, 'utf8')), 784);
  const results = new Map<number, CompressResult>();
  const at = (r: number) => {
    if (!results.has(r)) results.set(r, compressTflite(load(), readTflite(load()), { rank: r }));
    return results.get(r)!;
  };

  it('full rank 20 reproduces the model (samples and seeded inputs ≤ 1e-5, 10/10 classified)', () => {
    const m = readTflite(load());
    const meas = measureCompression(rt, load(), m, at(20), [...seededInputs(m, 2, 1)!, ...samples()]);
    expect(meas.seeded!.modelMaxAbsDiff).toBeLessThan(1e-5);
    expect(meas.samples!.modelMaxAbsDiff).toBeLessThan(1e-5);
    expect(meas.samples!.opMaxAbsDiff[0]).toBeLessThan(1e-5);
    expect(meas.samples).toMatchObject({ agreeing: 10, correctBefore: 10, correctAfter: 10 });
  });

  it('ranks 16, 8, 4: the stacked matrix follows the real graph (LSTM → RESHAPE flatten → FC [10, 560]), parameters by the formula', () => {
    for (const r of [16, 8, 4]) {
      const o = at(r).ops[0]!;
      expect(o).toMatchObject({ nInput: 28, nCell: 20, nOutputBefore: 20, gates: 4, stacked: { rows: 4 * 20 + 28 * 10, cols: 20 } });
      expect(o.params).toEqual({ before: 4 * 20 * 20 + 4 * 28 * 20, after: 4 * 20 * r + 4 * 28 * 20 + 20 * r });
      expect(o.consumers).toEqual([expect.objectContaining({ op: 'FULLY_CONNECTED', viaReshape: 1, shapeBefore: [10, 560], shapeAfter: [10, 28 * r] })]);
      expect(o.consumerParams).toEqual({ before: 5600, after: 280 * r });
      const sg = readTflite(at(r).bytes).subgraphs[0]!;
      // RESHAPE's shape constant and output follow: [-1, 28·R].
      const shapeT = sg.tensors[sg.operators[1]!.inputs[1]!]!;
      const shapeData = readTflite(at(r).bytes).buffers[shapeT.buffer]!.data!;
      expect(Array.from(new Int32Array(shapeData.slice().buffer))).toEqual([-1, 28 * r]);
      expect(sg.tensors[sg.operators[1]!.outputs[0]!]!.shape).toEqual([1, 28 * r]);
    }
  });

  it('rank 8: everything but the compressed tensors bit-identical; validates (structure, FL 3, delegate, numeric pass)', async () => {
    const bytes = load();
    const before = readTflite(bytes);
    const after = readTflite(at(8).bytes);
    // LSTM recurrent weights 4–7, output state #2, output #18, RESHAPE shape #3 and output #19, FC weights #16.
    untouchedEqual(before, after, new Set([4, 5, 6, 7, 2, 18, 3, 19, 16]));
    expect(sameOptions(optionFields(at(8).bytes), optionFields(bytes))).toBe(true);
    const ops = (m: TfliteModel) => m.subgraphs[0]!.operators.map((o) => ({ ...o, inputs: o.inputs.map((x, i) => (o.index === 0 && i === 16 ? 'proj' : x)) }));
    expect(ops(after)).toEqual(ops(before));
    const v = await validateTflite(after, 'mnist-r8.tflite', { bytes: at(8).bytes });
    expect(v.lstmOps[0]).toMatchObject({ featureLevel: 3, structure: { status: 'valid' }, numeric: { status: 'pass' }, nnapiDelegate: { delegated: true } });
    expect(v.exitCode).toBe(0);
  });

  it('classification of the 10 samples degrades with the rank (measured: 10, 8, 5 agree at 16, 8, 4)', () => {
    const m = readTflite(load());
    const agree = [16, 8, 4].map((r) => measureCompression(rt, load(), m, at(r), samples()).samples!.agreeing);
    expect(agree[0]).toBe(10);
    expect(agree[0]!).toBeGreaterThanOrEqual(agree[1]!);
    expect(agree[1]!).toBeGreaterThanOrEqual(agree[2]!);
  });

  it('the int8 model has no float LSTM: nothing to compress, with the reason', () => {
    const f = join(shared!, 'models', 'mnist_lstm_int8.tflite');
    const b = new Uint8Array(readFileSync(f));
    expect(() => compressTflite(b, readTflite(b), { rank: 4 })).toThrow(/nothing to compress: op 0:0 UNIDIRECTIONAL_SEQUENCE_LSTM: integer-8x8_16 arithmetic/);
  });
});
