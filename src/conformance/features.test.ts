import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Model } from '../model/model.js';
import { fromRoot } from '../util/paths.js';
import { listJsonFiles } from './cases.js';
import { featureSlug, featureTags, lstmFeatures, modelFeatures, primaryGroup, safeModelFeatures, FeatureError } from './features.js';

const goldens = listJsonFiles(fromRoot('golden', 'aosp')).map((f) => JSON.parse(readFileSync(f, 'utf8')) as { name: string; model: Model });
const byReg = (reg: string) => goldens.find((g) => g.name.endsWith(`-${reg}`))!;

describe('lstmFeatures', () => {
  it('reads the feature matrix of lstm3_state2 from the model', () => {
    expect(lstmFeatures(byReg('lstm3_state2').model)).toEqual({
      operation: 'LSTM',
      dtype: 'float32',
      relaxed: false,
      cifg: false,
      peephole: true,
      projection: true,
      projectionBias: false,
      layerNorm: false,
      activation: 4,
      cellClip: 0,
      projClip: 0,
      batchSize: 2,
      inputSize: 5,
      numUnits: 20,
      outputSize: 16,
      inputCount: 23,
      featureLevel: 1,
    });
  });
  it('feature levels: float16 and layer norm FL3, relaxed FL2', () => {
    expect(lstmFeatures(byReg('lstm_float16').model).featureLevel).toBe(3);
    expect(lstmFeatures(byReg('lstm_relaxed').model).featureLevel).toBe(2);
    expect(lstmFeatures(byReg('layer_norm_lstm_CifgPeepholeProjectionNoClippingLayerNormLstm').model)).toMatchObject({
      featureLevel: 3,
      layerNorm: true,
      cifg: true,
      inputCount: 27,
    });
  });
  it('throws FeatureError for non-LSTM models; safeModelFeatures never throws', () => {
    const m = structuredClone(byReg('lstm').model);
    m.operations[0]!.type = 'UNIDIRECTIONAL_SEQUENCE_LSTM';
    expect(() => lstmFeatures(m)).toThrow(FeatureError);
    expect(modelFeatures(m)).toEqual({ operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM', dtype: 'float32', relaxed: false });
    expect(safeModelFeatures({ operands: [], operations: [], inputIndexes: [], outputIndexes: [] })).toMatchObject({ operation: 'unknown' });
  });
});

describe('featureSlug, tags and groups', () => {
  it('names by the feature matrix', () => {
    expect(featureSlug(lstmFeatures(byReg('lstm3_state2').model))).toBe('lstm-f32-nocifg-peephole-proj-noln-tanh-b2');
    expect(featureSlug(lstmFeatures(byReg('lstm2_relaxed').model))).toBe('lstm-f32relaxed-cifg-peephole-noproj-noln-tanh-b1');
    const f = { ...lstmFeatures(byReg('lstm').model), activation: 0, cellClip: 3, projClip: 0, projection: true, projectionBias: true };
    expect(featureSlug(f)).toBe('lstm-f32-nocifg-nopeephole-projbias-noln-none-cellclip-b1');
  });
  it('tags list every feature, the group is the most specific', () => {
    const m = byReg('lstm2_state_float16').model;
    const tags = featureTags(lstmFeatures(m), m);
    expect(tags).toEqual(['float16', 'cifg', 'peephole', 'state']);
    expect(primaryGroup(tags)).toBe('float16');
    const basic = byReg('lstm').model;
    expect(featureTags(lstmFeatures(basic), basic)).toEqual(['basic']);
    const clipped = { ...lstmFeatures(basic), cellClip: 1, activation: 1 };
    expect(primaryGroup(featureTags(clipped, basic))).toBe('clipping');
  });
});
