/**
 * `nnlstm inspect` / `nnlstm validate` on .tflite files, end to end through the CLI entry (in process), on
 * fresh-clone fixtures only: models written by our writer from golden/tflite/*.json and from the synthetic corpus,
 * plus hand-built files (bidirectional op, float16 weights behind DEQUANTIZE, malformed bytes). No ../shared needed.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { rng, uniform } from '../../src/conformance/synth.js';
import { loadModelFile } from '../../src/model/load-file.js';
import { isOmitted, type Model } from '../../src/model/model.js';
import { inspectTflite } from '../../src/tflite/inspect.js';
import { tfliteOpToNnapiModel } from '../../src/tflite/mapping.js';
import { numericCheck, withSequenceStateOutputs } from '../../src/tflite/numeric.js';
import { readTflite } from '../../src/tflite/reader.js';
import { syntheticLstmModel } from '../../src/tflite/synthetic.js';
import type { TfliteValidation } from '../../src/tflite/validate-tflite.js';
import { writeSingleOpTflite } from '../../src/tflite/writer.js';
import { toFloat16Bits } from '../../src/util/float16.js';
import { fromRoot } from '../../src/util/paths.js';
import { buildTflite, f32bytes, type BuildTensor } from './build.js';
import { captureOutput } from '../helpers/capture-output.js';

const io = captureOutput();

const dir = mkdtempSync(join(tmpdir(), 'nnlstm-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function fixture(name: string, bytes: Uint8Array): string {
  const f = join(dir, name);
  writeFileSync(f, bytes);
  return f;
}

const goldenDir = fromRoot('golden', 'tflite');
const allGolden = readdirSync(goldenDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ name: basename(f, '.json'), file: fixture(`${basename(f, '.json')}.tflite`, writeSingleOpTflite(loadModelFile(join(goldenDir, f)))) }));
const golden = allGolden.filter((g) => g.name.startsWith('lstm-'));
const sequenceGolden = allGolden.filter((g) => !g.name.startsWith('lstm-'));

async function validateJson(file: string, ...extra: string[]): Promise<{ code: number; doc: TfliteValidation }> {
  io.out = '';
  const code = await main(['validate', file, '--json', ...extra]);
  return { code, doc: JSON.parse(io.out) as TfliteValidation };
}

describe('fresh-clone fixtures: the sequence goldens of golden/tflite through the writer', () => {
  it('there are sequence fixtures', () => expect(sequenceGolden.length).toBeGreaterThan(5));
  for (const g of sequenceGolden) {
    it(`${g.name}: inspect and validate (structure valid, numeric pass)`, async () => {
      expect(await main(['inspect', g.file])).toBe(0);
      expect(io.out).toContain('LSTM-family ops: 1');
      const { code, doc } = await validateJson(g.file);
      const op = doc.lstmOps[0]!;
      expect(op.structure.status).toBe('valid');
      expect(op.numeric.status).toBe('pass');
      expect(op.numeric.maxRatio!).toBeLessThanOrEqual(1);
      expect(code).toBe(0);
    });
  }
});

describe('fresh-clone fixtures: golden/tflite/*.json through the writer', () => {
  it('there are fixtures', () => {
    expect(golden.length).toBeGreaterThan(10);
  });

  for (const g of golden) {
    it(`${g.name}: inspect and validate (structure valid, numeric pass over 3 seeds × 3 initial states)`, async () => {
      expect(await main(['inspect', g.file])).toBe(0);
      expect(io.out).toMatch(/^\s+16\s+LSTM\s+1\s+1$/m);
      expect(io.out).toContain('LSTM-family ops: 1');
      expect(io.out).toMatch(/op 0:0 LSTM v1: (20|24) inputs/);
      expect(io.out).toMatch(/features: {3}CIFG (yes|no), peephole (yes|no), projection (yes|no), projection bias (yes|no), layer norm (yes|no)/);
      io.out = '';
      expect(await main(['validate', g.file])).toBe(0);
      expect(io.out).toMatch(/structure: {2}valid/);
      expect(io.out).toMatch(/numeric: pass \(9 trials: seeds 1,2,3 × zero\/small\/large initial state/);
      expect(io.out).toContain('result: OK (exit 0)');
      const { code, doc } = await validateJson(g.file);
      expect(code).toBe(0);
      const op = doc.lstmOps[0]!;
      expect(op.structure.status).toBe('valid');
      expect(op.numeric.status).toBe('pass');
      expect(op.numeric.compared).toEqual(['output_state_out', 'cell_state_out', 'output']);
      expect(op.numeric.trials!.map((t) => t.state)).toEqual(['zero', 'small', 'large', 'zero', 'small', 'large', 'zero', 'small', 'large']);
      expect(op.numeric.maxRatio!).toBeLessThanOrEqual(1);
    });
  }

  it('inspect --json carries the same content as inspectTflite, plus intermediates', async () => {
    const f = golden[0]!.file;
    expect(await main(['inspect', f, '--json'])).toBe(0);
    const doc = JSON.parse(io.out) as ReturnType<typeof inspectTflite> & { file: string };
    const direct = inspectTflite(readTflite(new Uint8Array(writeSingleOpTflite(loadModelFile(join(goldenDir, `${golden[0]!.name}.json`))))));
    expect(doc.file).toBe(f);
    expect(doc.operatorTable).toEqual(direct.operatorTable);
    expect(doc.subgraphs).toEqual(direct.subgraphs);
    expect(doc.lstmOps.map(({ ...o }) => ({ ...o, intermediateTensors: undefined }))).toEqual(direct.lstmOps.map((o) => ({ ...o, intermediateTensors: undefined })));
  });
});

describe('validate: synthetic models', () => {
  it('UNIDIRECTIONAL_SEQUENCE_LSTM (time-major and batch-major, projection, peephole, clip): sequence output and final states pass', async () => {
    for (const spec of [
      { operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM' as const, seed: 6, time: 4 },
      { operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM' as const, timeMajor: false, outputSize: 2, peephole: true, cellClip: 1, seed: 7 },
      { operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM' as const, layerNorm: true, cifg: true, peephole: true, seed: 8, projClip: 0.5, outputSize: 3, projectionBias: true },
    ]) {
      const f = fixture(`useq-${spec.seed}.tflite`, writeSingleOpTflite(syntheticLstmModel(spec)));
      const { code, doc } = await validateJson(f);
      const op = doc.lstmOps[0]!;
      expect(op.op).toBe('UNIDIRECTIONAL_SEQUENCE_LSTM');
      expect(op.structure.status, JSON.stringify(op.structure)).toBe('valid');
      expect(op.featureLevel).toBe(3);
      expect(op.numeric.status, op.numeric.summary).toBe('pass');
      expect(op.numeric.compared).toEqual(['output', 'output_state_out', 'cell_state_out']);
      expect(code).toBe(0);
    }
  });

  it('activation NONE: reported as deviation activation-none-cell-gate (neither pass nor unexplained failure), exit 1', async () => {
    for (const operation of ['LSTM', 'UNIDIRECTIONAL_SEQUENCE_LSTM'] as const) {
      const f = fixture(`none-${operation}.tflite`, writeSingleOpTflite(syntheticLstmModel({ operation, activation: 0, seed: 11 })));
      const { code, doc } = await validateJson(f);
      const n = doc.lstmOps[0]!.numeric;
      expect(n.status, n.summary).toBe('deviation');
      expect(n.deviation).toBe('activation-none-cell-gate');
      expect(n.maxRatio!).toBeGreaterThan(1);
      expect(n.deviationMaxRatio!).toBeLessThanOrEqual(1);
      expect(code).toBe(1);
      // A deviation of the documented semantics (not of the comparison runtime): a failure, explained as what a device computes.
      const op = doc.lstmOps[0]!;
      expect(op.deviation).toMatchObject({ id: 'activation-none-cell-gate', kind: 'reference-semantics' });
      expect(op.deviation!.onDevice).toMatch(/m_t = o ⊙ z_c .*this is what a device will compute/);
      expect(op.verdict).toBe('fail');
      expect(doc.warnings).toEqual([]);
      io.out = '';
      expect(await main(['validate', f])).toBe(1);
      expect(io.out).toContain('numeric: deviation activation-none-cell-gate');
      expect(io.out).toContain('deviation:  activation-none-cell-gate — the documented semantics differ from what devices compute (a failure)');
      expect(io.out).toMatch(/^ {4}on a device: activation NONE: /m);
      expect(io.out).toMatch(/result: FAILED \(exit 1\) — 0:0 known deviation activation-none-cell-gate/);
      expect(io.out).not.toMatch(/numeric: (pass|FAIL)/);
      expect(await main(['validate', f, '--strict'])).toBe(1);
    }
  });

  it('a structurally invalid op (negative cell clip): exit 1 naming the rule and operand; numeric skipped', async () => {
    const f = fixture('neg-clip.tflite', writeSingleOpTflite(syntheticLstmModel({ cellClip: -1, seed: 9 })));
    expect(await main(['validate', f])).toBe(1);
    expect(io.out).toContain('structure:  INVALID');
    expect(io.out).toContain('LSTM.clip.non_negative: operand 21 (cell_clip)');
    expect(io.out).toContain('numeric: skipped (structurally invalid)');
    // NNAPI rejects the operation when the delegate builds its model: never "NNAPI delegate: yes".
    expect(io.out).toMatch(/NNAPI delegate: no \(stays on the TFLite CPU kernels\) — structurally invalid as NNAPI LSTM \(LSTM\.clip\.non_negative\)/);
    expect(io.out).toMatch(/^ {2}0:0 +LSTM .* invalid +- +no +skipped$/m);
    const { doc } = await validateJson(f);
    expect(doc.lstmOps[0]!.structure.violations.map((v) => v.rule)).toEqual(['LSTM.clip.non_negative']);
    expect(doc.lstmOps[0]!.featureLevel).toBeNull();
    expect(doc.lstmOps[0]!.nnapiDelegate).toMatchObject({ delegated: false, minAndroidApi: null });
    io.out = '';
    expect(await main(['inspect', f])).toBe(0);
    expect(io.out).toMatch(/NNAPI delegate: no — structurally invalid as NNAPI LSTM \(LSTM\.clip\.non_negative\)/);
  });

  it('--seeds / --seed change the trials; bad values are usage errors (exit 2)', async () => {
    const f = golden[0]!.file;
    const { doc } = await validateJson(f, '--seeds', '1', '--seed', '40');
    expect(doc.lstmOps[0]!.numeric.trials!.map((t) => `${t.seed}:${t.state}`)).toEqual(['40:zero', '40:small', '40:large']);
    expect(await main(['validate', f, '--seeds', '0'])).toBe(2);
    expect(io.err).toMatch(/--seeds must be an integer ≥ 1/);
  });

  it('a hybrid / integer op is never numerically passed', async () => {
    const m = readTflite(writeSingleOpTflite(syntheticLstmModel({ seed: 3 })));
    const report = inspectTflite(m).lstmOps[0]!;
    const nn = tfliteOpToNnapiModel(m, 0, 0);
    const hybrid = await numericCheck(m, { ...report, arithmetic: 'hybrid', isFloat: false, isHybrid: true, weightType: 'INT8' }, nn);
    expect(hybrid).toMatchObject({ status: 'not-supported', summary: 'not yet supported (hybrid LSTM reference pending)' });
    const integer = await numericCheck(m, { ...report, arithmetic: 'integer-8x8_16', isFloat: false, isInteger: true, inputType: 'INT8', weightType: 'INT8' }, nn);
    expect(integer).toMatchObject({ status: 'not-supported', summary: 'not yet supported (integer LSTM reference pending)' });
  });

  it('withSequenceStateOutputs adds the state outputs (feature level 4 form)', () => {
    const m = syntheticLstmModel({ operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM', outputSize: 2, units: 5, batch: 3 });
    const fl4 = withSequenceStateOutputs(m)!;
    const outs = fl4.operations[0]!.outputs.map((i) => fl4.operands[i]!);
    expect(outs.map((o) => [o.role, o.dimensions])).toEqual([
      ['output', [3, 3, 2]],
      ['output_state_out', [3, 2]],
      ['cell_state_out', [3, 5]],
    ]);
    expect(fl4.outputIndexes).toEqual(fl4.operations[0]!.outputs);
    expect(m.operations[0]!.outputs).toHaveLength(1); // not modified
    expect(withSequenceStateOutputs(syntheticLstmModel())).toBeUndefined();
  });
});

/** A float LSTM whose weights are FLOAT16 constants behind DEQUANTIZE ops (the float16-quantized converter form). */
function float16WeightsTflite(model: Model): Uint8Array {
  const op = model.operations[0]!;
  const at = (k: number) => model.operands[op.inputs[k]!]!;
  const tensors: BuildTensor[] = [{ name: 'input', shape: at(0).dimensions }];
  const buffers: Uint8Array[] = [];
  const operators: Parameters<typeof buildTflite>[0]['operators'] = [];
  const lstmInputs: number[] = [0];
  for (let k = 1; k <= 17; k++) {
    const o = at(k);
    if (isOmitted(o)) {
      lstmInputs.push(-1);
      continue;
    }
    const half = new Uint8Array(o.values.length * 2);
    const dv = new DataView(half.buffer);
    o.values.forEach((v, i) => dv.setUint16(2 * i, toFloat16Bits(v), true));
    buffers.push(half);
    tensors.push({ name: `${o.role}_f16`, shape: o.dimensions, type: 1, buffer: buffers.length });
    tensors.push({ name: o.role ?? `w${k}`, shape: o.dimensions });
    operators.push({ opcode: 0, inputs: [tensors.length - 2], outputs: [tensors.length - 1] });
    lstmInputs.push(tensors.length - 1);
  }
  tensors.push({ name: 'h', shape: at(18).dimensions, isVariable: true }, { name: 'c', shape: at(19).dimensions, isVariable: true });
  lstmInputs.push(tensors.length - 2, tensors.length - 1);
  tensors.push({ name: 'output', shape: model.operands[op.outputs[3]!]!.dimensions });
  operators.push({ opcode: 1, inputs: lstmInputs, outputs: [tensors.length - 1], options: { kind: 'LSTMOptions', activation: 4, cellClip: 0, projClip: 0, kernelType: 0 } });
  return buildTflite({ opcodes: [{ code: 6 }, { code: 16 }], tensors, operators, inputs: [0], outputs: [tensors.length - 1], buffers });
}

/** A float BIDIRECTIONAL_SEQUENCE_LSTM (T 4, B 2, I 3, N 2; random weights), no aux input, no peephole / projection. */
function bidirectionalTflite(o: { mergeOutputs: boolean; timeMajor: boolean; batch?: number }): Uint8Array {
  const [T, B, I, N] = [4, o.batch ?? 2, 3, 2];
  const next = rng(77);
  const tensors: BuildTensor[] = [{ name: 'input', shape: o.timeMajor ? [T, B, I] : [B, T, I] }];
  const inputs: number[] = [0];
  const buffers: Uint8Array[] = [];
  const constant = (shape: number[]) => {
    buffers.push(f32bytes(uniform(next, shape.reduce((a, b) => a * b, 1), 0.6)));
    tensors.push({ shape, buffer: buffers.length });
    return tensors.length - 1;
  };
  for (let d = 0; d < 2; d++) {
    for (let i = 0; i < 4; i++) inputs.push(constant([N, I]));
    for (let i = 0; i < 4; i++) inputs.push(constant([N, N]));
    inputs.push(-1, -1, -1);
    for (let i = 0; i < 4; i++) inputs.push(constant([N]));
    inputs.push(-1, -1);
  }
  for (let i = 0; i < 4; i++) {
    tensors.push({ shape: [B, N], isVariable: true });
    inputs.push(tensors.length - 1);
  }
  for (let i = 0; i < 9; i++) inputs.push(-1); // no aux input
  const outShape = (n: number) => (o.timeMajor ? [T, B, n] : [B, T, n]);
  const outputs = o.mergeOutputs ? [tensors.push({ shape: outShape(2 * N) }) - 1] : [tensors.push({ shape: outShape(N) }) - 1, tensors.push({ shape: outShape(N) }) - 1];
  return buildTflite({
    opcodes: [{ code: 52 }],
    tensors,
    operators: [{ opcode: 0, inputs, outputs, options: { kind: 'BidirectionalSequenceLSTMOptions', activation: 4, cellClip: 3, mergeOutputs: o.mergeOutputs, timeMajor: o.timeMajor } }],
    inputs: [0],
    outputs,
    buffers,
  });
}

describe('validate: hand-built files', () => {
  it('float16 weights behind DEQUANTIZE: the dequantized constants are cut out and pass', async () => {
    const f = fixture('f16-weights.tflite', float16WeightsTflite(syntheticLstmModel({ seed: 21, peephole: true })));
    expect(await main(['inspect', f])).toBe(0);
    expect(io.out).toMatch(/\s6\s+DEQUANTIZE\s+1\s+15/);
    const { code, doc } = await validateJson(f);
    const op = doc.lstmOps[0]!;
    expect(op.operator).toBe(15);
    expect(op.numeric.status, op.numeric.summary).toBe('pass');
    expect(code).toBe(0);
  });

  it('BIDIRECTIONAL_SEQUENCE_LSTM (merged / unmerged outputs, time- / batch-major): valid, outputs and all four final states pass', async () => {
    for (const [name, opts] of [
      ['bidi-unmerged-tm', { mergeOutputs: false, timeMajor: true }],
      ['bidi-unmerged-bm', { mergeOutputs: false, timeMajor: false }],
      ['bidi-merged-tm', { mergeOutputs: true, timeMajor: true }],
      ['bidi-merged-bm-b1', { mergeOutputs: true, timeMajor: false, batch: 1 }],
    ] as const) {
      const f = fixture(`${name}.tflite`, bidirectionalTflite(opts));
      expect(await main(['inspect', f])).toBe(0);
      expect(io.out).toContain('op 0:0 BIDIRECTIONAL_SEQUENCE_LSTM v1: 48 inputs');
      expect(io.out).toContain(`time_major ${opts.timeMajor}, merge_outputs ${opts.mergeOutputs}, aux input no`);
      const { code, doc } = await validateJson(f);
      const op = doc.lstmOps[0]!;
      expect(op.structure.status, JSON.stringify(op.structure)).toBe('valid');
      expect(op.featureLevel).toBe(3);
      expect(op.numeric.status, op.numeric.summary).toBe('pass');
      expect(op.numeric.compared).toEqual([
        'fw_output',
        ...(opts.mergeOutputs ? [] : ['bw_output']),
        'fw_output_state_out',
        'fw_cell_state_out',
        'bw_output_state_out',
        'bw_cell_state_out',
      ]);
      expect(code).toBe(0);
    }
  });

  it('BIDIRECTIONAL_SEQUENCE_LSTM merged + batch-major with batch > 1: numeric FAIL (TFLite defect: batch rows ≥ 1 use the wrong state row)', async () => {
    // TFLite's batch-major EvalFloat offsets the state pointers by b × output_batch_leading_dim, i.e. by the
    // *merged* output width 2N instead of N: batch row 1 reads and writes past its state row (its final state
    // stays at the initial value). Batch 1, time-major and unmerged runs are unaffected (tests above).
    const f = fixture('bidi-merged-bm-b2.tflite', bidirectionalTflite({ mergeOutputs: true, timeMajor: false, batch: 2 }));
    const { code, doc } = await validateJson(f);
    const n = doc.lstmOps[0]!.numeric;
    expect(doc.lstmOps[0]!.structure.status).toBe('valid');
    expect(n.status).toBe('fail');
    expect(code).toBe(1);
    const zero = n.trials!.find((t) => t.state === 'zero')!;
    // With a zero initial state TFLite returns the untouched zero state for batch row 1 (elements 2, 3 of [2, 2]).
    expect(zero.reason).toMatch(/fw_output_state_out\): 2 of 4 elements outside the float32 tolerance; worst \[[23]\] actual 0 /);
  });

  it('a file without LSTM-family ops: nothing to validate, exit 0', async () => {
    const f = fixture('fc.tflite', buildTflite({ opcodes: [{ code: 9 }], tensors: [{ shape: [1, 2] }, { shape: [2, 2], buffer: 1 }, { shape: [1, 2] }], operators: [{ opcode: 0, inputs: [0, 1], outputs: [2] }], inputs: [0], outputs: [2], buffers: [f32bytes([1, 0, 0, 1])] }));
    expect(await main(['validate', f])).toBe(0);
    expect(io.out).toContain('no LSTM-family operators: nothing to validate');
  });
});

describe('unreadable / malformed files: exit 2, one line, no stack', () => {
  const good = writeSingleOpTflite(syntheticLstmModel());
  const cases: [string, Uint8Array][] = [
    ['truncated', good.slice(0, 60)],
    ['not-tflite', new TextEncoder().encode('this is not a flatbuffer at all, just some text...')],
  ];
  for (const [name, bytes] of cases) {
    for (const cmd of ['inspect', 'validate']) {
      for (const json of [[], ['--json']]) {
        it(`${cmd} ${name} ${json.join(' ')}`, async () => {
          const f = fixture(`${name}.tflite`, bytes);
          expect(await main([cmd, f, ...json])).toBe(2);
          // With --json, stdout carries the same error as a JSON document; without, nothing.
          if (json.length) expect((JSON.parse(io.out) as { error: { exitCode: number; message: string } }).error).toMatchObject({ exitCode: 2, message: expect.stringMatching(/malformed \.tflite/) });
          else expect(io.out).toBe('');
          const lines = io.err.trimEnd().split('\n');
          expect(lines).toHaveLength(1);
          expect(lines[0]).toMatch(new RegExp(`^nnlstm ${cmd}: .*${name}\\.tflite: malformed \\.tflite: (identifier|bounds|vtable|alignment|union|limit|semantic) at byte \\d+`));
          expect(io.err).not.toMatch(/\n\s+at /);
        });
      }
    }
  }

  it('names the field path of a bad index (semantic error in subgraphs[0].operators[0].inputs[…])', async () => {
    const bytes = buildTflite({ opcodes: [{ code: 9 }], tensors: [{ shape: [1, 2] }, { shape: [1, 2] }], operators: [{ opcode: 0, inputs: [0, 7], outputs: [1] }], inputs: [0], outputs: [1] });
    const f = fixture('bad-index.tflite', bytes);
    expect(await main(['inspect', f])).toBe(2);
    expect(io.err).toMatch(/malformed \.tflite: semantic at byte \d+ \(subgraphs\[0\]\.operators\[0\]\.inputs\[1\]\)/);
  });

  it('a missing file', async () => {
    expect(await main(['inspect', join(dir, 'nope.tflite')])).toBe(2);
    expect(io.err).toMatch(/^nnlstm inspect: cannot read .*nope\.tflite: ENOENT\n$/);
  });
});
