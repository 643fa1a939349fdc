import { describe, expect, it } from 'vitest';
import { isOmitted, type Model, type Operand } from '../../src/model/model.js';
import { tfliteOpToNnapiModel } from '../../src/tflite/mapping.js';
import { readTflite, type TfliteModel } from '../../src/tflite/reader.js';
import { syntheticCorpus, syntheticLstmModel } from '../../src/tflite/synthetic.js';
import { UnsupportedByTflite, writeSingleOpTflite } from '../../src/tflite/writer.js';
import { aospLstmVectors, missingVectorsMessage } from './vectors.js';

const vectors = aospLstmVectors();
if (vectors.length === 0) console.warn(missingVectorsMessage);
const float32Vectors = vectors.filter((v) => !v.float16);
const corpus: { name: string; model: Model }[] = [
  ...syntheticCorpus(),
  ...float32Vectors.map((v) => ({ name: v.file, model: v.model })),
];

const opInputs = (m: Model) => m.operations[0]!.inputs.map((i) => m.operands[i]!);
const opOutputs = (m: Model) => m.operations[0]!.outputs.map((i) => m.operands[i]!);

/** Checks that `read` is exactly what `writeSingleOpTflite(model)` promises. */
function checkWritten(model: Model, bytes: Uint8Array, read: TfliteModel): void {
  const ins = opInputs(model);
  const seq = model.operations[0]!.type === 'UNIDIRECTIONAL_SEQUENCE_LSTM';
  const lnBase = seq ? 24 : 23;
  const hasLn = ins.length > lnBase && ins.slice(lnBase, lnBase + 4).some((o) => !isOmitted(o));

  expect(read.version).toBe(3);
  expect(read.operatorCodes).toHaveLength(1);
  const code = read.operatorCodes[0]!;
  const expectCode = seq ? 44 : 16;
  expect([code.builtinCode, code.rawBuiltinCode, code.deprecatedBuiltinCode, code.version, code.customCode]).toEqual([expectCode, expectCode, expectCode, 1, null]);
  // buffer 0: empty sentinel; no empty-but-present data vector anywhere; constant data 16-byte aligned in the file
  expect(read.buffers[0]).toEqual({});
  for (const b of read.buffers) {
    expect(b.emptyData).toBeUndefined();
    if (b.data) expect((b.data.byteOffset - bytes.byteOffset) % 16).toBe(0);
  }
  const sg = read.subgraphs[0]!;
  expect(sg.operators).toHaveLength(1);
  const op = sg.operators[0]!;
  expect(op.inputs).toHaveLength(hasLn ? 24 : 20);
  expect(op.customOptionsLength).toBeNull();
  expect(op.hasOptionsTable).toBe(true);

  // every TFLite input slot holds the NNAPI operand of the same position (LN: TFLite 20–23 ↔ NNAPI lnBase…)
  for (let slot = 0; slot < op.inputs.length; slot++) {
    const nn = ins[slot < 20 ? slot : lnBase + (slot - 20)]!;
    const t = op.inputs[slot]!;
    if (isOmitted(nn)) {
      expect(t, `slot ${slot}`).toBe(-1);
      continue;
    }
    const tensor = sg.tensors[t]!;
    expect(tensor.type).toBe('FLOAT32');
    expect(tensor.shape).toEqual(nn.dimensions);
    const isState = slot === 18 || slot === 19;
    expect(tensor.isVariable).toBe(isState);
    if (slot === 0 || isState) {
      expect(tensor.buffer).toBe(0);
    } else {
      const data = read.buffers[tensor.buffer]!.data!;
      const got = Array.from(new Float32Array(data.slice().buffer));
      expect(got).toEqual(nn.values.map((v) => Math.fround(v)));
    }
  }
  // options
  const act = ins[20]!.values[0];
  expect(op.options).toMatchObject({ fusedActivationFunction: act, cellClip: Math.fround(ins[21]!.values[0]!), projClip: Math.fround(ins[22]!.values[0]!) });
  if (seq) expect(op.options).toMatchObject({ kind: 'UnidirectionalSequenceLSTMOptions', timeMajor: ins[23]!.values[0] !== 0 });
  else expect(op.options).toMatchObject({ kind: 'LSTMOptions', kernelType: 0 });
  // state I/O layout
  expect(sg.inputs).toEqual([op.inputs[0], op.inputs[18], op.inputs[19]]);
  expect(sg.outputs).toEqual([op.outputs[0], op.inputs[18], op.inputs[19]]);
  const out = opOutputs(model)[seq ? 0 : 3]!;
  expect(sg.tensors[op.outputs[0]!]!.shape).toEqual(out.dimensions);
}

/** The NNAPI model mapped back from the written file has the original operand structure and constants. */
function checkMappedBack(model: Model, mapped: Model): void {
  const a = opInputs(model);
  const b = opInputs(mapped);
  expect(mapped.operations[0]!.type).toBe(model.operations[0]!.type);
  expect(b).toHaveLength(a.length);
  a.forEach((x: Operand, i) => {
    const y = b[i]!;
    expect(isOmitted(y), `input ${i} omitted`).toBe(isOmitted(x));
    if (isOmitted(x)) return;
    expect(y.type).toBe(x.type);
    expect(y.dimensions).toEqual(x.dimensions);
    if (i === 0 || i === 18 || i === 19) expect(y.lifetime).toBe('SUBGRAPH_INPUT');
    else expect(y.values).toEqual(x.values.map((v) => (x.type === 'TENSOR_FLOAT32' || x.type === 'FLOAT32' ? Math.fround(v) : v)));
  });
  const outA = opOutputs(model);
  const outB = opOutputs(mapped);
  if (model.operations[0]!.type === 'LSTM') expect(outB.map((o) => o.dimensions)).toEqual(outA.map((o) => o.dimensions));
  else expect(outB.map((o) => o.dimensions)).toEqual([outA[0]!.dimensions]);
}

describe('writeSingleOpTflite', () => {
  it(`round-trips ${corpus.length} models (synthetic + AOSP float32) through readTflite and back to NNAPI`, () => {
    let n = 0;
    for (const { name, model } of corpus) {
      const bytes = writeSingleOpTflite(model);
      const read = readTflite(bytes);
      try {
        checkWritten(model, bytes, read);
        const mapped = tfliteOpToNnapiModel(read, 0, 0);
        checkMappedBack(model, mapped);
        // the mapped-back model writes to the very same bytes
        expect(Buffer.from(writeSingleOpTflite(mapped)).equals(Buffer.from(bytes))).toBe(true);
      } catch (e) {
        throw new Error(`${name}: ${e instanceof Error ? e.message : String(e)}`);
      }
      n++;
    }
    expect(n).toBe(corpus.length);
    if (float32Vectors.length > 0) expect(n).toBeGreaterThanOrEqual(8 + 32);
  });

  it('writes the converter form without state I/O on request', () => {
    const read = readTflite(writeSingleOpTflite(syntheticLstmModel(), { stateIo: false }));
    const sg = read.subgraphs[0]!;
    expect(sg.inputs).toEqual([sg.operators[0]!.inputs[0]]);
    expect(sg.outputs).toEqual(sg.operators[0]!.outputs);
  });

  it('writes activation NONE explicitly (not left to the schema default)', () => {
    const bytes = writeSingleOpTflite(syntheticLstmModel({ activation: 0 }));
    const op = readTflite(bytes).subgraphs[0]!.operators[0]!;
    expect(op.options).toMatchObject({ fusedActivationFunction: 0, activationName: 'NONE' });
    expect(op.hasOptionsTable).toBe(true);
  });

  it('refuses what TFLite cannot express, with a reason', () => {
    const reason = (m: Model) => {
      try {
        writeSingleOpTflite(m);
      } catch (e) {
        expect(e).toBeInstanceOf(UnsupportedByTflite);
        return (e as UnsupportedByTflite).reason;
      }
      throw new Error('expected UnsupportedByTflite');
    };
    expect(reason(syntheticLstmModel({ activation: 6 }))).toMatch(/sigmoid/);
    const f16 = vectors.find((v) => v.float16);
    if (f16) expect(reason(f16.model)).toMatch(/FLOAT16/);
    const half = syntheticLstmModel();
    for (const o of half.operands) if (o.type === 'TENSOR_FLOAT32') o.type = 'TENSOR_FLOAT16';
    expect(reason(half)).toMatch(/float16/);
    const runtimeScalar = syntheticLstmModel();
    runtimeScalar.operands[runtimeScalar.operations[0]!.inputs[21]!]!.lifetime = 'SUBGRAPH_INPUT';
    expect(reason(runtimeScalar)).toMatch(/cell_clip/);
    const bidi = syntheticLstmModel();
    bidi.operations[0]!.type = 'BIDIRECTIONAL_SEQUENCE_LSTM';
    // A 27-input "bidirectional" model is malformed, not merely inexpressible.
    expect(() => writeSingleOpTflite(bidi)).toThrow(/BIDIRECTIONAL.*61/);
    const partialLn = syntheticLstmModel({ layerNorm: true });
    const forgetLn = partialLn.operands[partialLn.operations[0]!.inputs[24]!]!;
    Object.assign(forgetLn, { values: [], dimensions: [], lifetime: 'SUBGRAPH_INPUT', omitted: true });
    expect(reason(partialLn)).toMatch(/forget_layer_norm/);
  });
});
