/**
 * The bench's streaming workloads and its onnxruntime-web peer (src/tools/bench/): untimed checks only.
 * A streaming run (T calls of one step, state carried) ends in the state of the whole T-step
 * sequence: the plain reference's own loop bit for bit, the fast path and onnxruntime-web within the
 * float32 tolerance; the one-step model cut for TFLite; the Silero workloads carry a real node's
 * weights (skipped with a message when ../shared is absent); the targets are issue #15's.
 */
import { describe, expect, it } from 'vitest';
import { criterionFor, errorRatio } from '../src/conformance/tolerance.js';
import { createUniSequenceLstmOutputs, createUniSequenceLstmWorkspace, unidirectionalSequenceLstmInto } from '../src/ops/sequence/unidirectional.js';
import { prepare } from '../src/tools/bench/impls.js';
import { oneStepModel } from '../src/tools/bench/stream.js';
import { pairTarget, targetOf } from '../src/tools/bench/targets.js';
import { buildWorkload, workloadUnavailable, type Workload } from '../src/tools/bench/workloads.js';

function wholeSequence(w: Workload): { h: Float32Array; c: Float32Array } {
  const { shape, tensors } = w.bound;
  const out = createUniSequenceLstmOutputs(shape);
  unidirectionalSequenceLstmInto(createUniSequenceLstmWorkspace(shape), shape, tensors, out);
  return { h: out.outputStateOut, c: out.cellStateOut };
}

function worstRatio(w: Workload, got: { h: Float32Array; c: Float32Array }, want: { h: Float32Array; c: Float32Array }): number {
  const crit = criterionFor(w.model, w.model.operands[w.model.operations[0]!.outputs[1]!]!);
  let r = 0;
  for (const k of ['h', 'c'] as const) {
    expect(got[k].length).toBe(want[k].length);
    for (let i = 0; i < want[k].length; i++) r = Math.max(r, errorRatio(got[k][i]!, want[k][i]!, crit));
  }
  return r;
}

describe('bench streaming workloads', () => {
  const s64 = buildWorkload('S64');
  const want = wholeSequence(s64);

  it('S64 is 1,000 calls of B = 1, input = cell = 64', () => {
    expect(s64.bound.shape).toMatchObject({ maxTime: 1000, batchSize: 1, inputSize: 64, numUnits: 64, outputSize: 64, timeMajor: true });
  });

  it('plain: the streamed calls end in the whole sequence state, bit for bit', async () => {
    const p = await prepare('plain', s64);
    if (!p.ok) throw new Error(p.reason);
    const got = await p.runner.final();
    expect(got.h).toEqual(want.h);
    expect(got.c).toEqual(want.c);
  });

  it('fast: the streamed calls are within the float32 tolerance of the whole sequence, and a second run starts afresh', async () => {
    const p = await prepare('fast', s64);
    if (!p.ok) throw new Error(p.reason);
    const first = await p.runner.final();
    expect(worstRatio(s64, first, want)).toBeLessThanOrEqual(1);
    await p.runner.run();
    expect(await p.runner.final()).toEqual(first);
  });

  it('onnxruntime-web (WASM backend in Node): session.run per call, within tolerance, with its version', async () => {
    const p = await prepare('ort-web', s64);
    if (!p.ok) {
      console.warn(`[bench] onnxruntime-web unavailable: ${p.reason}`);
      return;
    }
    expect(p.runner.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(worstRatio(s64, await p.runner.final(), want)).toBeLessThanOrEqual(1);
  }, 20_000);

  it('the one-step model for TFLite: input [1, B, I], output [1, B, O], the rest unchanged', () => {
    const m = oneStepModel(s64.model, s64.bound.shape);
    const op = m.operations[0]!;
    expect(m.operands[op.inputs[0]!]!.dimensions).toEqual([1, 1, 64]);
    expect(m.operands[op.inputs[0]!]!.values).toHaveLength(64);
    expect(m.operands[op.outputs[0]!]!.dimensions).toEqual([1, 1, 64]);
    expect(m.operands[op.inputs[1]!]!.values).toEqual(s64.model.operands[op.inputs[1]!]!.values);
    // the workload's own model is not touched
    expect(s64.model.operands[op.inputs[0]!]!.dimensions).toEqual([1000, 1, 64]);
  });

  const missing = workloadUnavailable('SV5');
  if (missing) console.warn(`[bench] ${missing}`);
  it.skipIf(!!missing)('Silero: SVL and SV5 carry the first LSTM node of each model, its real weights (hidden 64 and 128)', () => {
    for (const [id, n] of [['SVL', 64], ['SV5', 128]] as const) {
      const w = buildWorkload(id);
      expect(w.bound.shape).toMatchObject({ batchSize: 1, inputSize: n, numUnits: n, outputSize: n, maxTime: 1000 });
      expect(w.source).toMatch(/silero_vad_.*LSTM node 0/);
      // real weights: not the synthetic uniform ±1/√(I+O) draw (some exceed it)
      const bound = 1 / Math.sqrt(2 * n);
      expect(w.bound.tensors.recurrent_to_cell_weights.some((x) => Math.abs(x) > bound)).toBe(true);
      // the mapped model leaves the output shapes unknown: the one-step cut gives TFLite static ones
      const one = oneStepModel(w.model, w.bound.shape);
      expect(one.operations[0]!.outputs.map((o) => one.operands[o]!.dimensions)).toEqual([[1, 1, n], [1, n], [1, n]]);
    }
  });

  it('targets: streaming ≥ 1.5× ORT native and ≥ 3× onnxruntime-web; ≥ 1.2× onnxruntime-web elsewhere; ≥ 50% of ORT on W1, W2np, W3', () => {
    expect(targetOf('ort', 'S64')).toEqual({ min: 1.5, style: '×' });
    expect(targetOf('ort-web', 'S128')).toEqual({ min: 3, style: '×' });
    expect(targetOf('ort-web', 'W3')).toEqual({ min: 1.2, style: '×' });
    for (const w of ['W1', 'W2np', 'W3'] as const) expect(targetOf('ort', w)).toEqual({ min: 0.5, style: '%' });
    expect(targetOf('ort', 'MN')).toBeUndefined();
    expect(targetOf('tflite', 'W1')).toEqual({ min: 3, style: '×' });
    expect(targetOf('tfjs-wasm', 'SV5')).toEqual({ min: 1.5, style: '×' });
    expect(pairTarget('fast-t2', 'fast', 'W2np')).toEqual({ min: 1.7, style: '×' });
    expect(pairTarget('fast-t2', 'ort-t2', 'W3')).toBeUndefined();
    expect(pairTarget('fast', 'ort-web', 'S64')).toEqual({ min: 3, style: '×' });
  });
});
