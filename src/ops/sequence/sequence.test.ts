import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareOutputs, fmtRatio } from '../../conformance/compare.js';
import { synthSequenceModel, type SequenceCellConfig, type SequenceConfig } from '../../conformance/synth-sequence.js';
import { ReferenceDriver, type Validator } from '../../drivers/reference.js';
import type { Model } from '../../model/model.js';
import { sharedDir } from '../../util/paths.js';
import { inputsFromModel, operandAt } from '../lstm/bind.js';
import { LSTM_IN, LSTM_INPUT_NAMES } from '../lstm/operands.generated.js';
import { bidirectionalSequenceLstm } from './bidirectional.js';
import { bindBiSequenceLstm, bindUniSequenceLstm } from './bind.js';
import { SequenceCursor } from './cursor.js';
import {
  BI_SEQUENCE_LSTM_IN,
  BI_SEQUENCE_LSTM_INPUT_NAMES,
  BI_SEQUENCE_LSTM_OUT,
  biSequenceLstmOutputNames,
  UNI_SEQUENCE_LSTM_IN,
  UNI_SEQUENCE_LSTM_INPUT_NAMES,
  UNI_SEQUENCE_LSTM_OUT,
} from './operands.js';
import {
  createUniSequenceLstmOutputs,
  createUniSequenceLstmWorkspace,
  unidirectionalSequenceLstm,
  unidirectionalSequenceLstmInto,
} from './unidirectional.js';

const shared = sharedDir();
const SEQUENCE_OPS = new Set(['UNIDIRECTIONAL_SEQUENCE_LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM']);

function sequenceVectorFiles(): string[] {
  if (!shared) return [];
  const dir = join(shared, 'vectors', 'aosp');
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const v of readdirSync(dir).filter((d) => /^V\d_\d$/.test(d)).sort()) {
    for (const f of readdirSync(join(dir, v)).filter((n) => n.endsWith('.json')).sort()) {
      const m = JSON.parse(readFileSync(join(dir, v, f), 'utf8')) as { operation?: string };
      if (m.operation !== undefined && SEQUENCE_OPS.has(m.operation)) out.push(`${v}/${f}`);
    }
  }
  return out;
}

function load(rel: string): Model {
  return JSON.parse(readFileSync(join(shared!, 'vectors', 'aosp', rel), 'utf8')) as Model;
}

const cell = (over: Partial<SequenceCellConfig> = {}): SequenceCellConfig => ({
  numUnits: 3, outputSize: 2, cifg: false, peephole: true, projection: true, projectionBias: true, layerNorm: true, ...over,
});

const uniConfig = (over: Partial<SequenceConfig> = {}): SequenceConfig => ({
  operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM', maxTime: 4, batchSize: 2, inputSize: 3, timeMajor: true, dtype: 'float32',
  activation: 4, cellClip: 0, projClip: 0, fw: cell(), stateOutputs: true, nonZeroState: true, ...over,
});

const biConfig = (over: Partial<SequenceConfig> = {}): SequenceConfig => ({
  ...uniConfig(), operation: 'BIDIRECTIONAL_SEQUENCE_LSTM', bw: cell({ numUnits: 4, cifg: true, projection: false }), ...over,
});

describe('sequence operand tables', () => {
  it('UNIDIRECTIONAL_SEQUENCE_LSTM shares LSTM #0–#22, then time_major #23 and layer norm #24–#27', () => {
    expect(UNI_SEQUENCE_LSTM_INPUT_NAMES).toHaveLength(28);
    for (const name of LSTM_INPUT_NAMES.slice(0, 23)) expect(UNI_SEQUENCE_LSTM_IN[name as keyof typeof UNI_SEQUENCE_LSTM_IN]).toBe(LSTM_IN[name]);
    expect(UNI_SEQUENCE_LSTM_IN.time_major).toBe(23);
    expect(UNI_SEQUENCE_LSTM_IN.input_layer_norm_weights).toBe(24);
    expect(UNI_SEQUENCE_LSTM_IN.output_layer_norm_weights).toBe(27);
    expect(UNI_SEQUENCE_LSTM_OUT).toEqual({ output: 0, output_state_out: 1, cell_state_out: 2 });
    expect(Object.isFrozen(UNI_SEQUENCE_LSTM_IN)).toBe(true);
  });

  it('BIDIRECTIONAL_SEQUENCE_LSTM follows the facts §A.3 layout', () => {
    expect(BI_SEQUENCE_LSTM_INPUT_NAMES).toHaveLength(61);
    const at: Record<string, number> = {
      input: 0, fw_input_to_input_weights: 1, fw_input_to_forget_weights: 2, fw_projection_bias: 17,
      bw_input_to_input_weights: 18, bw_cell_gate_bias: 31, bw_projection_bias: 34,
      fw_output_state_in: 35, fw_cell_state_in: 36, bw_output_state_in: 37, bw_cell_state_in: 38, aux_input: 39,
      fw_aux_input_to_input_weights: 40, fw_aux_input_to_output_weights: 43, bw_aux_input_to_input_weights: 44,
      bw_aux_input_to_output_weights: 47, activation: 48, cell_clip: 49, proj_clip: 50, merge_outputs: 51, time_major: 52,
      fw_input_layer_norm_weights: 53, fw_output_layer_norm_weights: 56, bw_input_layer_norm_weights: 57, bw_cell_layer_norm_weights: 59,
      bw_output_layer_norm_weights: 60,
    };
    for (const [name, idx] of Object.entries(at)) expect([name, BI_SEQUENCE_LSTM_IN[name as keyof typeof BI_SEQUENCE_LSTM_IN]]).toEqual([name, idx]);
    // Every fw/bw cell role sits at LSTM's position, offset by direction.
    for (const name of LSTM_INPUT_NAMES.slice(1, 18)) {
      expect(BI_SEQUENCE_LSTM_IN[`fw_${name}` as keyof typeof BI_SEQUENCE_LSTM_IN]).toBe(LSTM_IN[name]);
      expect(BI_SEQUENCE_LSTM_IN[`bw_${name}` as keyof typeof BI_SEQUENCE_LSTM_IN]).toBe(LSTM_IN[name] + 17);
    }
    expect(BI_SEQUENCE_LSTM_OUT.bw_cell_state_out).toBe(5);
  });

  it('merged BiLSTM outputs drop bw_output and shift the states down by one', () => {
    expect(biSequenceLstmOutputNames(1, true)).toEqual(['fw_output']);
    expect(biSequenceLstmOutputNames(2, false)).toEqual(['fw_output', 'bw_output']);
    expect(biSequenceLstmOutputNames(5, true)).toEqual(['fw_output', 'fw_output_state_out', 'fw_cell_state_out', 'bw_output_state_out', 'bw_cell_state_out']);
    expect(biSequenceLstmOutputNames(6, false)[2]).toBe('fw_output_state_out');
    expect(() => biSequenceLstmOutputNames(2, true)).toThrow(/merge_outputs/);
    expect(() => biSequenceLstmOutputNames(1, false)).toThrow(/merge_outputs/);
  });

  it.skipIf(!shared)('the role names match the `role` of every AOSP sequence vector operand', () => {
    for (const file of sequenceVectorFiles()) {
      const m = load(file);
      const op = m.operations[0]!;
      const names = op.type === 'UNIDIRECTIONAL_SEQUENCE_LSTM' ? UNI_SEQUENCE_LSTM_INPUT_NAMES : BI_SEQUENCE_LSTM_INPUT_NAMES;
      expect(op.inputs.map((i) => operandAt(m, i).role), file).toEqual([...names]);
    }
  });
});

describe('SequenceCursor', () => {
  it('maps (t, b) to time-major and batch-major rows', () => {
    const tm = new SequenceCursor({ maxTime: 3, batchSize: 2, timeMajor: true, inputSize: 4, outputRowSize: 5 });
    const bm = new SequenceCursor({ maxTime: 3, batchSize: 2, timeMajor: false, inputSize: 4, outputRowSize: 5 });
    expect(tm.inputOffset(2, 1)).toBe((2 * 2 + 1) * 4);
    expect(bm.inputOffset(2, 1)).toBe((1 * 3 + 2) * 4);
    expect(tm.outputOffset(1, 0)).toBe(2 * 5);
    expect(bm.outputOffset(1, 0)).toBe(1 * 5);
  });

  it('visits t = T−1 … 0 in reverse and writes its own columns of a merged row', () => {
    const c = new SequenceCursor({ maxTime: 3, batchSize: 1, timeMajor: true, inputSize: 1, outputRowSize: 5, outputSize: 2, outputColumn: 3, reverse: true });
    expect([0, 1, 2].map((k) => c.time(k))).toEqual([2, 1, 0]);
    const out = new Float32Array(15);
    c.scatterOutput(Float32Array.of(7, 8), 1, out);
    expect(Array.from(out.subarray(5, 10))).toEqual([0, 0, 0, 7, 8]);
    expect(() => new SequenceCursor({ maxTime: 1, batchSize: 1, timeMajor: true, inputSize: 1, outputRowSize: 2, outputSize: 2, outputColumn: 1 })).toThrow(/exceed/);
  });

  it('gathers the B rows of step t into a [B, F] buffer', () => {
    // [B=2, T=3, F=2] batch-major: value = 100·b + 10·t + f.
    const seq = new Float32Array(12);
    for (let b = 0; b < 2; b++) for (let t = 0; t < 3; t++) for (let f = 0; f < 2; f++) seq[(b * 3 + t) * 2 + f] = 100 * b + 10 * t + f;
    const c = new SequenceCursor({ maxTime: 3, batchSize: 2, timeMajor: false, inputSize: 2, outputRowSize: 1 });
    const dst = new Float32Array(4);
    c.gatherInput(seq, 2, dst);
    expect(Array.from(dst)).toEqual([20, 21, 120, 121]);
  });
});

describe('sequence execution buffers', () => {
  it('the Into variant reuses its workspace and lets state inputs alias the state outputs', () => {
    const b = bindUniSequenceLstm(synthSequenceModel(uniConfig(), 11), inputsFromModel(synthSequenceModel(uniConfig(), 11)));
    const fresh = unidirectionalSequenceLstm(b.shape, b.tensors);
    const ws = createUniSequenceLstmWorkspace(b.shape);
    const out = createUniSequenceLstmOutputs(b.shape);
    unidirectionalSequenceLstmInto(ws, b.shape, b.tensors, out);
    unidirectionalSequenceLstmInto(ws, b.shape, b.tensors, out); // second call: same result, no carry-over
    expect(Array.from(out.output)).toEqual(Array.from(fresh.output));
    // Aliased: the state buffers hold the initial state on entry and the final state on return.
    out.outputStateOut.set(b.tensors.output_state_in);
    out.cellStateOut.set(b.tensors.cell_state_in);
    unidirectionalSequenceLstmInto(ws, b.shape, { ...b.tensors, output_state_in: out.outputStateOut, cell_state_in: out.cellStateOut }, out);
    expect(Array.from(out.outputStateOut)).toEqual(Array.from(fresh.outputStateOut));
    expect(Array.from(out.cellStateOut)).toEqual(Array.from(fresh.cellStateOut));
    expect(() => unidirectionalSequenceLstmInto(ws, { ...b.shape, maxTime: 5 }, b.tensors, out)).toThrow(/another shape/);
    expect(() => unidirectionalSequenceLstm(b.shape, { ...b.tensors, input: new Float32Array(3) })).toThrow(/input has 3 values/);
  });

  it('the backward direction of a merged BiLSTM fills columns fwO … fwO+bwO−1 of every row', () => {
    const m = synthSequenceModel(biConfig({ mergeOutputs: true }), 5);
    const b = bindBiSequenceLstm(m, inputsFromModel(m));
    const merged = bidirectionalSequenceLstm(b.shape, b.tensors);
    const split = bidirectionalSequenceLstm({ ...b.shape, mergeOutputs: false }, b.tensors);
    const fwO = b.shape.fw.outputSize;
    const bwO = b.shape.bw.outputSize;
    expect(merged.bwOutput).toBeNull();
    const rows = b.shape.maxTime * b.shape.batchSize;
    for (let r = 0; r < rows; r++) {
      expect(Array.from(merged.fwOutput.subarray(r * (fwO + bwO), r * (fwO + bwO) + fwO))).toEqual(Array.from(split.fwOutput.subarray(r * fwO, (r + 1) * fwO)));
      expect(Array.from(merged.fwOutput.subarray(r * (fwO + bwO) + fwO, (r + 1) * (fwO + bwO)))).toEqual(Array.from(split.bwOutput!.subarray(r * bwO, (r + 1) * bwO)));
    }
  });
});

describe('ReferenceDriver on sequence models', () => {
  const accept: Validator = () => ({ ok: true, variant: {}, featureLevel: 4 });
  async function run(model: Model, driver = new ReferenceDriver()) {
    const p = await driver.prepare(model);
    if (!p.ok) throw new Error(`prepare: ${p.message}`);
    return driver.execute(p.prepared, inputsFromModel(model));
  }
  async function rejectedAtPrepare(model: Model): Promise<string[]> {
    const p = await new ReferenceDriver().prepare(model);
    expect(p.ok).toBe(false);
    return p.ok ? [] : (p.violations ?? []).map((v) => v.rule);
  }

  it('returns every model output in model.outputIndexes order with its declared dimensions', async () => {
    for (const c of [uniConfig(), uniConfig({ stateOutputs: false, timeMajor: false }), biConfig(), biConfig({ mergeOutputs: true, stateOutputs: false }), biConfig({ linking: 'cross', timeMajor: false })]) {
      const m = synthSequenceModel(c, 3);
      m.outputIndexes = [...m.outputIndexes].reverse();
      const r = await run(m);
      if (!r.ok) throw new Error(r.message);
      expect(r.outputs.map((o) => o.index)).toEqual(m.outputIndexes);
      for (const o of r.outputs) expect(o.dimensions).toEqual(operandAt(m, o.index).dimensions);
    }
  });

  it('rounds float16 outputs to binary16 (compareOutputs rejects anything else)', async () => {
    for (const c of [uniConfig({ dtype: 'float16' }), biConfig({ dtype: 'float16', mergeOutputs: true })]) {
      const m = synthSequenceModel(c, 8);
      const r = await run(m);
      if (!r.ok) throw new Error(r.message);
      for (const o of r.outputs) m.operands[o.index]!.values = Array.from(o.values);
      expect(compareOutputs(m, r.outputs).pass).toBe(true);
    }
  });

  it('aux weights without aux_input: rejected at prepare; OP_FAILED if a validator lets them through', async () => {
    const m = synthSequenceModel(biConfig({ linking: 'cross' }), 2);
    const aux = m.operations[0]!.inputs[BI_SEQUENCE_LSTM_IN.aux_input]!;
    m.operands[aux]!.values = [];
    expect((await rejectedAtPrepare(m)).length).toBeGreaterThan(0);
    const r = await run(m, new ReferenceDriver({ validator: accept }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.status, r.message]).toEqual(['OP_FAILED', expect.stringMatching(/aux_input is omitted/)]);
  });

  it('merge_outputs not fitting the output count: rejected at prepare; OP_FAILED if a validator lets it through', async () => {
    const m = synthSequenceModel(biConfig({ mergeOutputs: false, stateOutputs: false }), 2);
    m.operands[m.operations[0]!.inputs[BI_SEQUENCE_LSTM_IN.merge_outputs]!]!.values = [1];
    expect((await rejectedAtPrepare(m)).length).toBeGreaterThan(0);
    const r = await run(m, new ReferenceDriver({ validator: accept }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.status, r.message]).toEqual(['OP_FAILED', expect.stringMatching(/merge_outputs/)]);
  });
});

describe.skipIf(!shared)('the AOSP sequence vectors through ReferenceDriver (harness tolerance)', () => {
  const files = sequenceVectorFiles();
  const worst: { file: string; ratio: number | null; criterion: string }[] = [];

  it('finds 13 UNIDIRECTIONAL and 11 BIDIRECTIONAL vectors', () => {
    const ops = files.map((f) => load(f).operations[0]!.type);
    expect(ops.filter((o) => o === 'UNIDIRECTIONAL_SEQUENCE_LSTM')).toHaveLength(13);
    expect(ops.filter((o) => o === 'BIDIRECTIONAL_SEQUENCE_LSTM')).toHaveLength(11);
  });

  it.each(files)('%s', async (file) => {
    const model = load(file);
    const driver = new ReferenceDriver();
    const p = await driver.prepare(model);
    if (!p.ok) throw new Error(`prepare failed: ${p.message}`);
    const r = await driver.execute(p.prepared, inputsFromModel(model));
    if (!r.ok) throw new Error(`execute failed: ${r.message}`);
    expect(r.outputs.map((o) => o.index)).toEqual(model.outputIndexes);
    const cmp = compareOutputs(model, r.outputs);
    worst.push({ file, ratio: cmp.maxRatio, criterion: cmp.outputs.find((o) => o.criterion)?.criterion ?? '-' });
    expect(cmp.pass, cmp.reason).toBe(true);
  });

  afterAll(() => {
    if (worst.length === 0) return;
    const lines = worst.map((w) => `  ${w.file.padEnd(82)} ${w.criterion.padEnd(8)} ${fmtRatio(w.ratio)}`);
    console.log(`worst error / allowed error per AOSP sequence vector:\n${lines.join('\n')}`);
  });
});
