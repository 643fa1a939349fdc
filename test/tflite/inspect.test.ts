import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectTflite, nnapiDelegateVerdict, type LstmOpReport } from '../../src/tflite/inspect.js';
import { readTflite } from '../../src/tflite/reader.js';
import { syntheticLstmModel } from '../../src/tflite/synthetic.js';
import { writeSingleOpTflite } from '../../src/tflite/writer.js';
import { sharedDir } from '../../src/util/paths.js';

const inspectModel = (spec: Parameters<typeof syntheticLstmModel>[0]) => inspectTflite(readTflite(writeSingleOpTflite(syntheticLstmModel(spec))));

describe('inspectTflite', () => {
  it('describes a written LSTM: op table, I/O, features and sizes', () => {
    const r = inspectModel({ batch: 2, inputSize: 3, units: 5, outputSize: 4, projectionBias: true, peephole: true, cellClip: 3, projClip: 0.5, activation: 3 });
    expect(r.operatorTable).toEqual([{ opcodeIndex: 0, builtinCode: 16, name: 'LSTM', version: 1, customCode: null, count: 1 }]);
    expect(r.metadata).toEqual({ min_runtime_version: '1.7.0' });
    expect(r.subgraphs[0]!.inputs.map((t) => [t.name, t.type, t.shape])).toEqual([
      ['input', 'FLOAT32', [2, 3]],
      ['output_state', 'FLOAT32', [2, 4]],
      ['cell_state', 'FLOAT32', [2, 5]],
    ]);
    expect(r.subgraphs[0]!.inputs[1]!.variable).toBe(true);
    const op = r.lstmOps[0]!;
    expect(op.features).toMatchObject({
      cifg: false,
      peephole: true,
      projection: true,
      projectionBias: true,
      layerNorm: false,
      cellClip: 3,
      projClip: 0.5,
      activation: 3,
      activationName: 'RELU6',
      explicitOptions: true,
    });
    expect(op.sizes).toEqual({ batch: 2, input: 3, units: 5, output: 4 });
    expect([op.arithmetic, op.isFloat, op.isHybrid, op.isInteger]).toEqual(['float', true, false, false]);
    expect(op.tensors.find((t) => t.slot === 16)).toMatchObject({ role: 'projection_weights', shape: [4, 5], constant: true });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r); // JSON-able
  });

  it('sequence op: time-major sizes and layer norm', () => {
    const op = inspectModel({ operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM', time: 5, batch: 2, timeMajor: true, layerNorm: true, cifg: true }).lstmOps[0]!;
    expect(op.op).toBe('UNIDIRECTIONAL_SEQUENCE_LSTM');
    expect(op.sizes).toMatchObject({ time: 5, batch: 2 });
    expect(op.features).toMatchObject({ timeMajor: true, layerNorm: true, cifg: true });
    expect(op.tfliteInputs).toBe(24);
  });
});

describe('nnapiDelegateVerdict', () => {
  const lstm = inspectModel({}).lstmOps[0]!;
  const with_ = (over: Partial<LstmOpReport>): LstmOpReport => ({ ...lstm, ...over });

  it('float LSTM, 20 inputs: ANEURALNETWORKS_LSTM from API 28 (NNAPI 1.1)', () => {
    expect(lstm.nnapiDelegate).toMatchObject({ nnapiOperation: 'ANEURALNETWORKS_LSTM', delegated: true, minAndroidApi: 28, minNnapi: '1.1', reasons: [] });
  });
  it('24-input LSTM and hybrid LSTM need API 29; int8 weights API 30; op version 4 is refused', () => {
    expect(nnapiDelegateVerdict(with_({ tfliteInputs: 24 })).minAndroidApi).toBe(29);
    expect(nnapiDelegateVerdict(with_({ isHybrid: true, arithmetic: 'hybrid', weightType: 'UINT8' })).minAndroidApi).toBe(29);
    expect(nnapiDelegateVerdict(with_({ weightType: 'INT8' })).minAndroidApi).toBe(30);
    const v4 = nnapiDelegateVerdict(with_({ version: 4 }));
    expect(v4.delegated).toBe(false);
    expect(v4.minAndroidApi).toBeNull();
    expect(v4.reasons.join()).toMatch(/version 4 > 3/);
  });
  it('UNIDIRECTIONAL: API 29, version ≤ 2, no hybrid', () => {
    const uni = inspectModel({ operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM' }).lstmOps[0]!;
    expect(uni.nnapiDelegate).toMatchObject({ nnapiOperation: 'ANEURALNETWORKS_UNIDIRECTIONAL_SEQUENCE_LSTM', delegated: true, minAndroidApi: 29, minNnapi: '1.2' });
    expect(nnapiDelegateVerdict({ ...uni, version: 3 }).delegated).toBe(false);
    expect(nnapiDelegateVerdict({ ...uni, isHybrid: true }).reasons.join()).toMatch(/hybrid/);
  });
  it('BIDIRECTIONAL: version 1 only', () => {
    const bi: LstmOpReport = { ...lstm, op: 'BIDIRECTIONAL_SEQUENCE_LSTM', tfliteInputs: 48 };
    expect(nnapiDelegateVerdict(bi)).toMatchObject({ delegated: true, minAndroidApi: 29 });
    expect(nnapiDelegateVerdict({ ...bi, version: 2 }).delegated).toBe(false);
  });

  const modelsDir = sharedDir() ? join(sharedDir()!, 'models') : undefined;
  const p = (n: string) => (modelsDir ? join(modelsDir, `${n}.tflite`) : '');
  it.skipIf(!existsSync(p('mnist_lstm_float32')) || !existsSync(p('mnist_lstm_int8')))('real models: float mnist is delegated (API 29), integer ones are not', () => {
    const f = inspectTflite(readTflite(new Uint8Array(readFileSync(p('mnist_lstm_float32'))))).lstmOps[0]!;
    expect(f.nnapiDelegate).toMatchObject({ delegated: true, minAndroidApi: 29 });
    const q = inspectTflite(readTflite(new Uint8Array(readFileSync(p('mnist_lstm_int8'))))).lstmOps[0]!;
    expect(q.nnapiDelegate.delegated).toBe(false);
    expect(q.nnapiDelegate.reasons.join()).toMatch(/integer/);
  });
});
