/**
 * onnxruntime-node, onnxruntime-web (WASM in Node) and the float64 derivation on seeded, ONNX-expressible sequence
 * models (uni- and bidirectional, both layouts, peepholes, sigmoid/tanh): both runtimes within the float32 harness
 * tolerance of float64 on every output, and within a float32 atol of each other (onnxruntime issue #18335 reports
 * LSTM outputs differing between the two).
 */
import { describe, expect, it } from 'vitest';
import { buildInputs } from '../../src/conformance/runner.js';
import { rng } from '../../src/conformance/synth.js';
import { synthSequenceModel, type SequenceConfig } from '../../src/conformance/synth-sequence.js';
import type { Driver } from '../../src/drivers/driver.js';
import type { Model } from '../../src/model/model.js';
import { OnnxRuntimeDriver } from '../../src/onnx/driver.js';
import { loadOnnxRuntime, OnnxRuntimeUnavailable } from '../../src/onnx/runtime.js';
import { sequenceLstmF64 } from '../../src/ops/sequence/float64.js';

const missing = await Promise.all([loadOnnxRuntime('node'), loadOnnxRuntime('web')]).then(
  () => undefined,
  (e: unknown) => (e instanceof OnnxRuntimeUnavailable ? e.message : Promise.reject(e)),
);
if (missing) console.warn(`skipping the node/web agreement test: ${missing}`);

async function outputs(d: Driver, m: Model): Promise<Map<number, ArrayLike<number>>> {
  const p = await d.prepare(m);
  if (!p.ok) throw new Error(`${d.name}: ${p.message}`);
  const r = await d.execute(p.prepared, buildInputs(m));
  d.release?.(p.prepared);
  if (!r.ok) throw new Error(`${d.name}: ${r.message}`);
  return new Map(r.outputs.map((o) => [o.index, o.values]));
}

/** The harness float32 criterion as a ratio: |a − e| / (1e-5 + 5 ulp·|e|); ≤ 1 passes. */
const ratio = (a: number, e: number) => Math.abs(a - e) / (1e-5 + 5 * 1.1920929e-7 * Math.abs(e));

describe.skipIf(missing !== undefined)('onnxruntime-node vs onnxruntime-web vs float64', () => {
  it('40 seeded models: both within tolerance of float64, and within 1e-5 of each other', async () => {
    const node = new OnnxRuntimeDriver({ flavor: 'node' });
    const web = new OnnxRuntimeDriver({ flavor: 'web' });
    const next = rng(14);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
    let worstRatio = 0;
    let maxNodeWeb = 0;
    for (let k = 0; k < 40; k++) {
      const bi = next() < 0.5;
      const n = pick([1, 4, 16, 32]);
      const c: SequenceConfig = {
        operation: bi ? 'BIDIRECTIONAL_SEQUENCE_LSTM' : 'UNIDIRECTIONAL_SEQUENCE_LSTM',
        maxTime: pick([1, 3, 10, 20]),
        batchSize: pick([1, 2, 3]),
        inputSize: pick([1, 5, 16]),
        timeMajor: next() < 0.5,
        dtype: 'float32',
        activation: pick([4, 6]),
        cellClip: 0,
        projClip: 0,
        fw: { numUnits: n, outputSize: n, cifg: false, peephole: next() < 0.5, projection: false, projectionBias: false, layerNorm: false },
        stateOutputs: true,
        mergeOutputs: bi && next() < 0.5,
        weightScale: 0.5,
        nonZeroState: next() < 0.5,
      };
      const m = synthSequenceModel(c, 500 + k);
      const [a, b] = [await outputs(node, m), await outputs(web, m)];
      const f64 = sequenceLstmF64(m);
      m.operations[0]!.outputs.forEach((idx, pos) => {
        const e = f64[pos]!;
        const A = a.get(idx)!;
        const B = b.get(idx)!;
        expect(A.length).toBe(e.length);
        for (let i = 0; i < e.length; i++) {
          worstRatio = Math.max(worstRatio, ratio(A[i]!, e[i]!), ratio(B[i]!, e[i]!));
          maxNodeWeb = Math.max(maxNodeWeb, Math.abs(A[i]! - B[i]!));
        }
      });
    }
    expect(worstRatio).toBeLessThanOrEqual(1);
    expect(maxNodeWeb).toBeLessThan(1e-5);
    expect(maxNodeWeb).toBeGreaterThan(0); // they do differ, in the last bits
  });
});
