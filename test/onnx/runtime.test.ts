import { afterEach, describe, expect, it } from 'vitest';
import { loadOnnxRuntime, OnnxRuntimeError, OnnxRuntimeUnavailable, setOnnxRuntimeLoader, type OnnxRuntimeFlavor, type OnnxRuntimeHandle } from '../../src/onnx/runtime.js';
import { singleLstmModel } from '../../src/onnx/writer.js';

/** The runtime of a flavor, or why it is missing (the test then skips with that message). */
async function tryLoad(flavor: OnnxRuntimeFlavor): Promise<OnnxRuntimeHandle | string> {
  try {
    return await loadOnnxRuntime(flavor);
  } catch (e) {
    if (e instanceof OnnxRuntimeUnavailable) return e.message;
    throw e;
  }
}
const node = await tryLoad('node');
const web = await tryLoad('web');
if (typeof node === 'string') console.warn(`skipping onnxruntime-node tests: ${node}`);
if (typeof web === 'string') console.warn(`skipping onnxruntime-web tests: ${web}`);

/** H = 1, I = 1, T = 1, B = 1 with every gate weight w and no bias: one hand-checkable step. */
function oneUnit(w: number): Uint8Array {
  const t = (dims: number[], v: number) => ({ dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(v) });
  return singleLstmModel({
    attrs: { hiddenSize: 1, direction: 'forward', layout: 0, inputForget: 0, activations: [{ name: 'Sigmoid' }, { name: 'Tanh' }, { name: 'Tanh' }] },
    inputs: { xDims: [1, 1, 1], constants: { W: t([1, 4, 1], w), R: t([1, 4, 1], 0) } },
  }).bytes;
}
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe.each([
  ['node', node],
  ['web', web],
] as const)('ONNX Runtime (%s)', (flavor, rt) => {
  const has = typeof rt !== 'string';
  it.skipIf(!has)('loads once, names its version and backend', async () => {
    const h = rt as OnnxRuntimeHandle;
    expect(h.flavor).toBe(flavor);
    expect(h.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(h.backend).toMatch(flavor === 'node' ? /cpu/ : /wasm/);
    expect(await loadOnnxRuntime(flavor)).toBe(h);
  });

  it.skipIf(!has)('runs one LSTM step: h = σ(w·x)·tanh(σ(w·x)·tanh(w·x))', async () => {
    const s = await (rt as OnnxRuntimeHandle).createSession(oneUnit(0.5));
    expect(s.inputNames).toEqual(['X']);
    expect(s.outputNames).toEqual(['Y', 'Y_h', 'Y_c']);
    const out = await s.run({ X: { type: 'float32', dims: [1, 1, 1], data: new Float32Array([2]) } });
    await s.release();
    const g = sigmoid(1);
    const c = g * Math.tanh(1);
    expect(out.Y_c!.dims).toEqual([1, 1, 1]);
    expect(out.Y_c!.data[0]).toBeCloseTo(c, 6);
    expect(out.Y_h!.data[0]).toBeCloseTo(g * Math.tanh(c), 6);
    expect(out.Y!.data).toBeInstanceOf(Float32Array);
  });

  it.skipIf(!has)('a model ONNX Runtime refuses is an OnnxRuntimeError, not a crash', async () => {
    await expect((rt as OnnxRuntimeHandle).createSession(new Uint8Array([1, 2, 3, 4, 5]))).rejects.toBeInstanceOf(OnnxRuntimeError);
  });

  it.skipIf(!has)('a run with a wrong feed shape is an OnnxRuntimeError', async () => {
    const s = await (rt as OnnxRuntimeHandle).createSession(oneUnit(0.5));
    await expect(s.run({ X: { type: 'float32', dims: [1, 1, 2], data: new Float32Array([1, 2]) } })).rejects.toBeInstanceOf(OnnxRuntimeError);
    await s.release();
  });
});

describe('unavailable runtime', () => {
  afterEach(() => setOnnxRuntimeLoader(undefined));

  it('a loader that cannot load rejects with OnnxRuntimeUnavailable (one line), retried on the next call', async () => {
    let calls = 0;
    setOnnxRuntimeLoader(async (flavor) => {
      calls++;
      throw new OnnxRuntimeUnavailable('onnxruntime-node is not installed: run `npm install onnxruntime-node`', flavor);
    });
    const e = await loadOnnxRuntime('node').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OnnxRuntimeUnavailable);
    expect((e as Error).message).not.toContain('\n');
    expect((e as OnnxRuntimeUnavailable).flavor).toBe('node');
    await loadOnnxRuntime('node').catch(() => undefined);
    expect(calls).toBe(2);
  });
});
