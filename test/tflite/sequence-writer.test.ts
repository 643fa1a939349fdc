/**
 * writeSingleOpTflite for BIDIRECTIONAL_SEQUENCE_LSTM (NNAPI 61 inputs → TFLite 48 inputs) and the subgraph I/O
 * description (`singleOpIo`) of all three ops: layout checked through readTflite, round trip back to NNAPI
 * (tfliteOpToNnapiModel) and to the very same bytes, and what is refused with a reason.
 * Runs on synthetic bidirectional models always, and on the AOSP vectors when ../shared is present.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOmitted, type Model } from '../../src/model/model.js';
import { loadSpec } from '../../src/spec/operation-spec.js';
import { LSTM_FAMILY_MAPPINGS, tfliteOpToNnapiModel } from '../../src/tflite/mapping.js';
import { readTflite } from '../../src/tflite/reader.js';
import { syntheticLstmModel } from '../../src/tflite/synthetic.js';
import { singleOpIo, UnsupportedByTflite, writeSingleOpTflite, writeSingleOpTfliteWithIo } from '../../src/tflite/writer.js';
import { sharedDir } from '../../src/util/paths.js';
import { syntheticBiModel, type BiSpec } from './synthetic-bi.js';

const BI = 'BIDIRECTIONAL_SEQUENCE_LSTM';
const BI_IN = Object.fromEntries(loadSpec(BI).inputs.map((o) => [o.name, o.index])) as Record<string, number>;
const BI_INPUT_NAMES = loadSpec(BI).inputs.slice().sort((a, b) => a.index - b.index).map((o) => o.name);

// ---- synthetic bidirectional models (no shared files needed) --------------------------------------------------------

const SYNTHETIC: [string, BiSpec][] = [
  ['bi-basic', {}],
  ['bi-batch-major', { timeMajor: false, seed: 2 }],
  ['bi-merged', { merge: true, seed: 3 }],
  ['bi-merged-batch-major-states', { merge: true, timeMajor: false, stateOutputs: true, seed: 4 }],
  ['bi-cross-aux', { aux: 'cross', seed: 5 }],
  ['bi-cross-aux-cifg-peephole', { aux: 'cross', cifg: true, peephole: true, seed: 6 }],
  ['bi-parallel', { aux: 'parallel', seed: 7 }],
  ['bi-projection-clips-states', { outputSize: 2, cellClip: 0.7, projClip: 0.4, activation: 1, stateOutputs: true, seed: 8 }],
  ['bi-directions-differ', { cifg: true, peephole: true, bw: { cifg: false, peephole: false, projection: true }, seed: 9 }],
];

// ---- AOSP vectors ---------------------------------------------------------------------------------------------------

function aospSequenceVectors(): { file: string; model: Model }[] {
  const shared = sharedDir();
  const root = shared ? join(shared, 'vectors', 'aosp') : undefined;
  if (!root || !existsSync(root)) return [];
  const out: { file: string; model: Model }[] = [];
  for (const dir of readdirSync(root).filter((d) => /^V1_\d$/.test(d)).sort()) {
    for (const f of readdirSync(join(root, dir)).filter((x) => x.endsWith('.json')).sort()) {
      const model = JSON.parse(readFileSync(join(root, dir, f), 'utf8')) as Model;
      const type = model.operations?.[0]?.type;
      if (type === BI || type === 'UNIDIRECTIONAL_SEQUENCE_LSTM') out.push({ file: `${dir}/${f}`, model });
    }
  }
  return out;
}

const vectors = aospSequenceVectors();
if (vectors.length === 0) console.warn('[sequence writer] ../shared/vectors/aosp not found (set NNLSTM_SHARED): AOSP-vector round trips skipped');
const isFloat16 = (m: Model) => m.operands.some((o) => o.type === 'TENSOR_FLOAT16' || o.type === 'FLOAT16');
const biVectors = vectors.filter((v) => v.model.operations[0]!.type === BI);
const hasBiLayerNorm = (m: Model) => loadSpec(BI).inputs.filter((o) => o.name.endsWith('layer_norm_weights')).some((o) => !isOmitted(m.operands[m.operations[0]!.inputs[o.index]!]!));

const opIn = (m: Model, name: string) => m.operands[m.operations[0]!.inputs[BI_IN[name]!]!]!;
const scalarOf = (m: Model, name: string) => opIn(m, name).values[0]!;

/** `read` is exactly what writeSingleOpTflite(model) promises for a bidirectional model. */
function checkBiWritten(model: Model, bytes: Uint8Array): void {
  const read = readTflite(bytes);
  const io = singleOpIo(model);
  expect(read.version).toBe(3);
  expect(read.operatorCodes).toHaveLength(1);
  const code = read.operatorCodes[0]!;
  expect([code.builtinCode, code.rawBuiltinCode, code.deprecatedBuiltinCode, code.version, code.customCode]).toEqual([52, 52, 52, 1, null]);
  expect(read.metadata.find((m) => m.name === 'min_runtime_version')?.text).toBe('1.14.0');
  expect(read.buffers[0]).toEqual({});
  for (const b of read.buffers) {
    expect(b.emptyData).toBeUndefined();
    if (b.data) expect((b.data.byteOffset - bytes.byteOffset) % 16).toBe(0);
  }
  const sg = read.subgraphs[0]!;
  expect(sg.operators).toHaveLength(1);
  const op = sg.operators[0]!;
  expect(op.inputs).toHaveLength(48);
  expect(op.customOptionsLength).toBeNull();
  expect(op.hasOptionsTable).toBe(true);
  // Options, every field written explicitly (time_major defaults to true in this table).
  const merged = scalarOf(model, 'merge_outputs') !== 0;
  expect(op.options).toMatchObject({
    kind: 'BidirectionalSequenceLSTMOptions',
    fusedActivationFunction: scalarOf(model, 'activation'),
    cellClip: Math.fround(scalarOf(model, 'cell_clip')),
    projClip: Math.fround(scalarOf(model, 'proj_clip')),
    mergeOutputs: merged,
    timeMajor: scalarOf(model, 'time_major') !== 0,
    asymmetricQuantizeInputs: false,
  });
  // Every TFLite slot 0–47 holds the NNAPI operand of the same role (the mapping table), by name.
  const stateRoles = ['fw_output_state_in', 'fw_cell_state_in', 'bw_output_state_in', 'bw_cell_state_in'];
  for (const e of LSTM_FAMILY_MAPPINGS[BI].inputs) {
    if (e.source.kind !== 'input') continue;
    const nn = opIn(model, e.role);
    const t = op.inputs[e.source.tflite]!;
    if (isOmitted(nn)) {
      expect(t, e.role).toBe(-1);
      continue;
    }
    const tensor = sg.tensors[t]!;
    expect(tensor.type).toBe('FLOAT32');
    expect(tensor.shape, e.role).toEqual(nn.dimensions);
    const isState = stateRoles.includes(e.role);
    expect(tensor.isVariable, e.role).toBe(isState);
    if (isState || e.role === 'input' || e.role === 'aux_input') {
      expect(tensor.buffer, e.role).toBe(0);
    } else {
      const data = read.buffers[tensor.buffer]!.data!;
      expect(Array.from(new Float32Array(data.slice().buffer)), e.role).toEqual(nn.values.map((v) => Math.fround(v)));
    }
  }
  // Outputs: fw_output, bw_output — or the one merged output.
  const outs = model.operations[0]!.outputs.map((i) => model.operands[i]!);
  expect(op.outputs).toHaveLength(merged ? 1 : 2);
  op.outputs.forEach((t, k) => expect(sg.tensors[t]!.shape).toEqual(outs[k]!.dimensions));
  // Subgraph I/O: data inputs then the four variables; op outputs then the four variables.
  const slot = (role: string): number => {
    const src = LSTM_FAMILY_MAPPINGS[BI].inputs.find((e) => e.role === role)!.source;
    return src.kind === 'input' ? op.inputs[src.tflite]! : -1;
  };
  const hasAux = !isOmitted(opIn(model, 'aux_input'));
  expect(sg.inputs).toEqual([slot('input'), ...(hasAux ? [slot('aux_input')] : []), ...stateRoles.map(slot)]);
  expect(sg.outputs).toEqual([...op.outputs, ...stateRoles.map(slot)]);
  expect(io.inputs.map((x) => x.role)).toEqual(['input', ...(hasAux ? ['aux_input'] : []), ...stateRoles]);
  expect(io.inputs.map((x) => x.nnapi)).toEqual(io.inputs.map((x) => BI_IN[x.role]));
  expect(io.outputs.map((x) => x.role)).toEqual([
    'fw_output',
    ...(merged ? [] : ['bw_output']),
    'fw_output_state_out',
    'fw_cell_state_out',
    'bw_output_state_out',
    'bw_cell_state_out',
  ]);
  expect(sg.inputs.map((t) => sg.tensors[t]!.name)).toEqual(io.inputs.map((x) => x.role.replace(/_in$/, '')));
}

/** The NNAPI model mapped back from the written file has the original operand structure and constants. */
function checkBiMappedBack(model: Model, mapped: Model): void {
  const a = model.operations[0]!.inputs.map((i) => model.operands[i]!);
  const b = mapped.operations[0]!.inputs.map((i) => mapped.operands[i]!);
  expect(mapped.operations[0]!.type).toBe(BI);
  expect(b).toHaveLength(61);
  a.forEach((x, i) => {
    const y = b[i]!;
    expect(y.role).toBe(BI_INPUT_NAMES[i]);
    expect(isOmitted(y), `input ${i} omitted`).toBe(isOmitted(x));
    if (isOmitted(x)) return;
    expect(y.type).toBe(x.type);
    expect(y.dimensions).toEqual(x.dimensions);
    if (y.lifetime === 'SUBGRAPH_INPUT') expect(['input', 'aux_input'].includes(y.role!) || /state_in$/.test(y.role!), y.role).toBe(true);
    else expect(y.values, y.role).toEqual(x.values.map((v) => (x.type === 'TENSOR_FLOAT32' || x.type === 'FLOAT32' ? Math.fround(v) : v)));
  });
  const merged = scalarOf(model, 'merge_outputs') !== 0;
  const outA = model.operations[0]!.outputs.slice(0, merged ? 1 : 2).map((i) => model.operands[i]!.dimensions);
  expect(mapped.operations[0]!.outputs.map((i) => mapped.operands[i]!.dimensions)).toEqual(outA);
}

describe('writeSingleOpTflite: BIDIRECTIONAL_SEQUENCE_LSTM', () => {
  const corpus = [
    ...SYNTHETIC.map(([name, spec]) => ({ name, model: syntheticBiModel(spec) })),
    ...biVectors.filter((v) => !isFloat16(v.model) && !hasBiLayerNorm(v.model)).filter((v) => {
      try {
        writeSingleOpTflite(v.model);
        return true;
      } catch {
        return false; // parallel_linking_2: refused (see below)
      }
    }).map((v) => ({ name: v.file, model: v.model })),
  ];

  it(`round-trips ${corpus.length} bidirectional models (synthetic + AOSP float32) through readTflite, back to NNAPI and to the same bytes`, () => {
    for (const { name, model } of corpus) {
      try {
        const bytes = writeSingleOpTflite(model);
        checkBiWritten(model, bytes);
        const mapped = tfliteOpToNnapiModel(readTflite(bytes), 0, 0);
        checkBiMappedBack(model, mapped);
        expect(Buffer.from(writeSingleOpTflite(mapped)).equals(Buffer.from(bytes)), 'rewrite of the mapped-back model').toBe(true);
      } catch (e) {
        throw new Error(`${name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (biVectors.length > 0) expect(corpus.length).toBeGreaterThanOrEqual(SYNTHETIC.length + 6);
  });

  it('writeSingleOpTfliteWithIo returns the same bytes as writeSingleOpTflite, and its I/O', () => {
    const m = syntheticBiModel({ aux: 'cross', stateOutputs: true });
    const { bytes, io } = writeSingleOpTfliteWithIo(m);
    expect(Buffer.from(bytes).equals(Buffer.from(writeSingleOpTflite(m)))).toBe(true);
    expect(io).toEqual(singleOpIo(m));
    expect(io.inputs.filter((x) => x.state).map((x) => x.role)).toEqual(['fw_output_state_in', 'fw_cell_state_in', 'bw_output_state_in', 'bw_cell_state_in']);
  });

  it('writes the converter form without state I/O on request', () => {
    for (const aux of ['none', 'parallel'] as const) {
      const m = syntheticBiModel({ aux });
      const sg = readTflite(writeSingleOpTflite(m, { stateIo: false })).subgraphs[0]!;
      const op = sg.operators[0]!;
      expect(sg.inputs).toEqual(aux === 'none' ? [op.inputs[0]] : [op.inputs[0], op.inputs[39]]);
      expect(sg.outputs).toEqual(op.outputs);
      expect(singleOpIo(m, { stateIo: false }).outputs.map((o) => o.role)).toEqual(['fw_output', 'bw_output']);
      // the variables are still variables, just not exposed
      expect([35, 36, 37, 38].map((s) => sg.tensors[op.inputs[s]!]!.isVariable)).toEqual([true, true, true, true]);
    }
  });

  it('writes time_major = false and merge_outputs = false explicitly (absent would mean true / false)', () => {
    const sg = readTflite(writeSingleOpTflite(syntheticBiModel({ timeMajor: false }))).subgraphs[0]!;
    expect(sg.operators[0]!.options).toMatchObject({ timeMajor: false, mergeOutputs: false });
    expect(sg.operators[0]!.hasOptionsTable).toBe(true);
  });

  it('refuses what TFLite cannot express, with a reason', () => {
    const reason = (m: Model): string => {
      try {
        writeSingleOpTflite(m);
      } catch (e) {
        expect(e).toBeInstanceOf(UnsupportedByTflite);
        return (e as UnsupportedByTflite).reason;
      }
      throw new Error('expected UnsupportedByTflite');
    };
    // layer norm: one present LN operand is enough (TFLite's op has no LN inputs)
    const ln = syntheticBiModel();
    Object.assign(opIn(ln, 'bw_forget_layer_norm_weights'), { type: 'TENSOR_FLOAT32', dimensions: [4], lifetime: 'CONSTANT_COPY', values: [1, 1, 1, 1], omitted: false });
    expect(reason(ln)).toMatch(/layer norm \(bw_forget_layer_norm_weights\).*no layer-norm inputs/);
    // sigmoid
    const sig = syntheticBiModel();
    opIn(sig, 'activation').values = [6];
    expect(reason(sig)).toMatch(/sigmoid/);
    // float16
    const half = syntheticBiModel();
    for (const o of half.operands) if (o.type === 'TENSOR_FLOAT32') o.type = 'TENSOR_FLOAT16';
    expect(reason(half)).toMatch(/float16/);
    // parallel linking with an aux size different from the input size: TFLite's Prepare rejects it
    expect(reason(syntheticBiModel({ aux: 'parallel', auxSize: 2, inputSize: 3 }))).toMatch(/parallel linking.*aux_input size 2 ≠ input size 3/);
    // ... while cross linking with a different aux size is written (aux weights [N, aux])
    expect(() => writeSingleOpTflite(syntheticBiModel({ aux: 'cross', auxSize: 2, inputSize: 3 }))).not.toThrow();
    // forward and backward cells of different sizes: TFLite checks the bw tensors against the fw sizes
    expect(reason(syntheticBiModel({ bw: { outputSize: 3 } }))).toMatch(/forward and backward n_output differ \(4 vs 3\)/);
    expect(reason(syntheticBiModel({ bw: { units: 5 } }))).toMatch(/forward and backward n_cell differ \(4 vs 5\)/);
    // runtime scalar
    const rtScalar = syntheticBiModel();
    opIn(rtScalar, 'merge_outputs').lifetime = 'SUBGRAPH_INPUT';
    expect(reason(rtScalar)).toMatch(/merge_outputs is a runtime operand/);
    // AOSP vectors: every float16 one and the layer-norm one
    for (const v of biVectors) {
      if (isFloat16(v.model)) expect(reason(v.model), v.file).toMatch(/FLOAT16/);
      else if (hasBiLayerNorm(v.model)) expect(reason(v.model), v.file).toMatch(/layer norm/);
    }
    const pl2 = biVectors.find((v) => v.file.endsWith('parallel_linking_2.json'));
    if (pl2) expect(reason(pl2.model)).toMatch(/parallel linking/);
  });

  it('a malformed model (wrong input count, omitted state) is an Error, not UnsupportedByTflite', () => {
    const lstmAsBi = syntheticLstmModel({ layerNorm: true });
    lstmAsBi.operations[0]!.type = BI;
    expect(() => writeSingleOpTflite(lstmAsBi)).toThrow(/invalid NNAPI BIDIRECTIONAL_SEQUENCE_LSTM: 27 inputs \(expected 61\)/);
    try {
      writeSingleOpTflite(lstmAsBi);
    } catch (e) {
      expect(e).not.toBeInstanceOf(UnsupportedByTflite);
    }
    const noState = syntheticBiModel();
    Object.assign(opIn(noState, 'bw_cell_state_in'), { values: [], dimensions: [], omitted: true });
    expect(() => writeSingleOpTflite(noState)).toThrow(/required operand bw_cell_state_in is omitted/);
  });
});

describe('singleOpIo: LSTM and UNIDIRECTIONAL_SEQUENCE_LSTM keep their layout', () => {
  it('LSTM: [input, output_state, cell_state] → [output, output_state, cell_state]', () => {
    const io = singleOpIo(syntheticLstmModel());
    expect(io.inputs).toEqual([
      { nnapi: 0, role: 'input', state: false },
      { nnapi: 18, role: 'output_state_in', state: true },
      { nnapi: 19, role: 'cell_state_in', state: true },
    ]);
    expect(io.outputs.map((o) => o.role)).toEqual(['output', 'output_state_out', 'cell_state_out']);
  });

  it('UNIDIRECTIONAL: same layout, for the 28-input op with or without layer norm', () => {
    for (const layerNorm of [false, true]) {
      const io = singleOpIo(syntheticLstmModel({ operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM', layerNorm }));
      expect(io.inputs.map((x) => [x.nnapi, x.role])).toEqual([[0, 'input'], [18, 'output_state_in'], [19, 'cell_state_in']]);
      expect(io.outputs.map((o) => o.role)).toEqual(['output', 'output_state_out', 'cell_state_out']);
    }
  });

  it.skipIf(vectors.length === 0)('UNIDIRECTIONAL AOSP vectors (float32) still write; float16 ones are refused', () => {
    for (const v of vectors.filter((x) => x.model.operations[0]!.type === 'UNIDIRECTIONAL_SEQUENCE_LSTM')) {
      if (isFloat16(v.model)) expect(() => writeSingleOpTflite(v.model), v.file).toThrow(UnsupportedByTflite);
      else expect(readTflite(writeSingleOpTflite(v.model)).operatorCodes[0]!.builtinCode, v.file).toBe(44);
    }
  });
});

