import { afterEach, describe, expect, it } from 'vitest';
import { runConformance } from '../../src/conformance/run-suite.js';
import { buildInputs } from '../../src/conformance/runner.js';
import { OnnxRuntimeDriver } from '../../src/onnx/driver.js';
import { nnapiToOnnxLstm, type NnapiToOnnxResult } from '../../src/onnx/from-nnapi.js';
import { loadOnnxRuntime, OnnxRuntimeUnavailable, setOnnxRuntimeLoader } from '../../src/onnx/runtime.js';
import { suiteCases } from '../../src/suite.js';
import type { Model } from '../../src/model/model.js';
import type { Driver } from '../../src/drivers/driver.js';
import { createDriver } from '../../src/hosts/registry.js';

const missing = await loadOnnxRuntime('node').then(
  () => undefined,
  (e: unknown) => (e instanceof OnnxRuntimeUnavailable ? e.message : Promise.reject(e)),
);
if (missing) console.warn(`skipping the onnxruntime driver tests: ${missing}`);

const byId = (id: string) => {
  const c = suiteCases().find((x) => x.id === id);
  if (!c) throw new Error(`no suite case ${id}`);
  return c;
};
/** Expressible cases: an AOSP LSTM, a peephole step with a non-zero state, batch-major merged BiLSTM, activation none, float16. */
const EXPRESSIBLE = [
  'aosp/lstm-f32-nocifg-nopeephole-noproj-noln-tanh-b1-lstm_state',
  'tflite/lstm-f32-nocifg-peephole-noproj-noln-tanh-b2-nonzero-state-peephole',
  'float64/bilstm-f32-bm-nocifg-nopeephole-noproj-noln-merged-relu-stateout-t10-b3-bi-bm-merged-stateout',
  'aosp/bilstm-f32-tm-nocifg-nopeephole-noproj-noln-tanh-stateout-t3-b1-bidirectional_sequence_lstm_state_output_blackbox',
  'float64/uslstm-f32-tm-nocifg-nopeephole-noproj-noln-sigmoid-t10-b3-sigmoid',
  'float64/lstm-f32-nocifg-nopeephole-noproj-noln-none-b2-none',
  'aosp/bilstm-f16-bm-nocifg-nopeephole-noproj-noln-merged-tanh-t3-b1-bidirectional_sequence_lstm_float16_batch_major_merge_outputs_blackbox',
  'float64/uslstm-f16-tm-nocifg-nopeephole-noproj-noln-tanh-t10-b3-fp16-square',
];
const run = (driver: OnnxRuntimeDriver, ids: readonly string[]) => runConformance(driver, ids.map(byId));

describe.skipIf(missing !== undefined)('OnnxRuntimeDriver (onnxruntime-node)', () => {
  it('registered as onnxruntime; capabilities name the ONNX Runtime version', async () => {
    const d = await createDriver('onnxruntime');
    expect(d.name).toBe('onnxruntime');
    expect((await d.capabilities()).version).toMatch(/^onnxruntime-node \d+\.\d+\.\d+ \(cpu/);
  });

  it('expressible suite cases pass', async () => {
    const report = await run(new OnnxRuntimeDriver(), EXPRESSIBLE);
    expect(report.results.map((r) => [r.id, r.status, r.reason ?? ''])).toEqual(EXPRESSIBLE.map((id) => [id, 'pass', '']));
  });

  it('projection, CIFG, layer norm and cell-clip cases are unsupported with the reason named', async () => {
    const pick = (pred: (id: string) => boolean) => suiteCases().find((c) => c.kind === 'positive' && pred(c.id))!.id;
    const cases = {
      projection: pick((id) => /^aosp\/lstm-f32-nocifg-.*-proj-noln/.test(id)),
      cifg: pick((id) => /^aosp\/lstm-f32-cifg-.*-noproj-noln/.test(id)),
      'layer norm': pick((id) => /-ln-/.test(id) && /f32-/.test(id)),
      'cell clip': pick((id) => /^tflite\/lstm-f32-nocifg-.*-noproj-noln-.*-cellclip-/.test(id)),
    };
    const report = await run(new OnnxRuntimeDriver(), Object.values(cases));
    const reason = (k: keyof typeof cases) => report.results.find((r) => r.id === cases[k])!;
    for (const k of Object.keys(cases) as (keyof typeof cases)[]) expect(reason(k).status, cases[k]).toBe('unsupported');
    expect(reason('projection').reason).toMatch(/projection: ONNX LSTM has no projection layer/);
    expect(reason('cifg').reason).toMatch(/CIFG.*input_forget/);
    expect(reason('layer norm').reason).toMatch(/layer normalization: ONNX LSTM has no layer-norm weights/);
    expect(reason('cell clip').reason).toMatch(/cell_clip: NNAPI bounds the cell state C_t; ONNX clip bounds the inputs of the activations/);
  });

  it('a conversion with the forget and output rows swapped fails the expressible cases', async () => {
    const swapped = (m: Model): NnapiToOnnxResult => {
      const r = nnapiToOnnxLstm(m);
      if (!r.ok) return r;
      const H = r.plan.hiddenSize;
      for (const name of ['W', 'R'] as const) {
        const t = r.spec.inputs.constants![name]!;
        const w = t.data as Float32Array;
        const rowLen = w.length / (r.plan.numDirections * 4 * H);
        for (let d = 0; d < r.plan.numDirections; d++) {
          const o = w.slice((d * 4 + 1) * H * rowLen, (d * 4 + 2) * H * rowLen);
          w.copyWithin((d * 4 + 1) * H * rowLen, (d * 4 + 2) * H * rowLen, (d * 4 + 3) * H * rowLen);
          w.set(o, (d * 4 + 2) * H * rowLen);
        }
      }
      return r;
    };
    const report = await run(new OnnxRuntimeDriver({ name: 'onnxruntime-swapped-gates', convert: swapped }), EXPRESSIBLE);
    expect(report.results.map((r) => r.status)).toEqual(EXPRESSIBLE.map(() => 'fail'));
  });

  it('a conversion with the peepholes packed i, f, o (not i, o, f) fails the peephole case', async () => {
    const misordered = (m: Model): NnapiToOnnxResult => {
      const r = nnapiToOnnxLstm(m);
      if (!r.ok) return r;
      const H = r.plan.hiddenSize;
      const P = r.spec.inputs.constants!.P!.data as Float32Array;
      const o = P.slice(H, 2 * H);
      P.copyWithin(H, 2 * H, 3 * H);
      P.set(o, 2 * H);
      return r;
    };
    const id = EXPRESSIBLE[1]!;
    const good = await run(new OnnxRuntimeDriver(), [id]);
    const bad = await run(new OnnxRuntimeDriver({ name: 'onnxruntime-peephole-iof', convert: misordered }), [id]);
    expect([good.results[0]!.status, bad.results[0]!.status]).toEqual(['pass', 'fail']);
  });

  it('weights given as model inputs are written into the model each execution', async () => {
    const c = byId(EXPRESSIBLE[1]!);
    const m = structuredClone(c.model);
    const op = m.operations[0]!;
    // Make input_to_forget_weights (NNAPI input #2) a model input fed at execute.
    const w = m.operands[op.inputs[2]!]!;
    w.lifetime = 'SUBGRAPH_INPUT';
    m.inputIndexes.push(w.index);
    const d = new OnnxRuntimeDriver();
    const p = await d.prepare(m);
    if (!p.ok) throw new Error(p.message);
    const inputs = buildInputs(m);
    const same = await d.execute(p.prepared, inputs);
    inputs[inputs.length - 1] = new Array(w.values.length).fill(0);
    const changed = await d.execute(p.prepared, inputs);
    d.release(p.prepared);
    if (!same.ok || !changed.ok) throw new Error('execute failed');
    const out = (r: typeof same) => Array.from(r.outputs.find((o) => o.index === op.outputs[2])!.values);
    expect(out(changed)).not.toEqual(out(same));
  });
});

describe('OnnxRuntimeDriver without a runtime', () => {
  afterEach(() => setOnnxRuntimeLoader(undefined));

  it('is unavailable with the one-line install hint; every case is not run', async () => {
    setOnnxRuntimeLoader(async (flavor) => {
      throw new OnnxRuntimeUnavailable('onnxruntime-node is not installed: run `npm install onnxruntime-node`', flavor);
    });
    const d = new OnnxRuntimeDriver();
    const report = await run(d, EXPRESSIBLE.slice(0, 2));
    expect(d.unavailable()?.message).toBe('driver never started: onnxruntime-node is not installed: run `npm install onnxruntime-node`');
    expect(report.results.map((r) => r.status)).toEqual(['error', 'error']);
    expect(report.results[0]!.reason).toMatch(/^not run: driver never started: onnxruntime-node is not installed/);
  });
});

const webMissing = await loadOnnxRuntime('web').then(
  () => undefined,
  (e: unknown) => (e instanceof OnnxRuntimeUnavailable ? e.message : Promise.reject(e)),
);
if (webMissing) console.warn(`skipping the onnxruntime-web driver tests: ${webMissing}`);

describe.skipIf(webMissing !== undefined || missing !== undefined)('OnnxRuntimeDriver (onnxruntime-web, WASM in Node)', () => {
  it('registered as onnxruntime-web; passes the expressible cases; outputs within the float32 atol of the native runtime', async () => {
    const web = await createDriver('onnxruntime-web');
    expect(web.name).toBe('onnxruntime-web');
    expect((await web.capabilities()).version).toMatch(/^onnxruntime-web \d+\.\d+\.\d+ \(wasm/);
    const report = await runConformance(web, EXPRESSIBLE.map(byId));
    expect(report.results.map((r) => r.status)).toEqual(EXPRESSIBLE.map(() => 'pass'));
    const native = new OnnxRuntimeDriver();
    let maxDiff = 0;
    for (const id of EXPRESSIBLE) {
      const m = byId(id).model;
      const outs = [];
      for (const d of [native, web] as Driver[]) {
        const p = await d.prepare(m);
        if (!p.ok) throw new Error(p.message);
        const r = await d.execute(p.prepared, buildInputs(m));
        d.release?.(p.prepared);
        if (!r.ok) throw new Error(r.message);
        outs.push(new Map(r.outputs.map((o) => [o.index, o.values])));
      }
      for (const [idx, a] of outs[0]!) {
        const b = outs[1]!.get(idx)!;
        for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
      }
    }
    expect(maxDiff).toBeLessThan(1e-5);
  });
});
