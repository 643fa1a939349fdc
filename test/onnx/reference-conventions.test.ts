/**
 * Each convention of LstmConventions, changed alone, changes the numbers on a case built to expose it,
 * and computes what the other convention means (checked against a direct re-packing of the inputs or
 * a hand computation). These are the mutant-style convention bugs the ONNX goldens must catch.
 */
import { describe, expect, it } from 'vitest';
import { computeOnnxLstm } from '../../src/ops/onnx-lstm/compute.js';
import { ONNX_CONVENTIONS, resolveConventions, type LstmConventions } from '../../src/ops/onnx-lstm/conventions.js';
import type { OnnxActivation, OnnxLstmAttributes, OnnxLstmInputs, OnnxLstmTensor } from '../../src/ops/onnx-lstm/types.js';

const DEF: OnnxActivation[] = [{ name: 'Sigmoid' }, { name: 'Tanh' }, { name: 'Tanh' }];
const A = (a: Partial<OnnxLstmAttributes> = {}): OnnxLstmAttributes => ({ hiddenSize: 3, direction: 'forward', layout: 0, inputForget: 0, activations: DEF, ...a });

function tensor(dims: number[], seed: number, scale = 1): OnnxLstmTensor {
  let s = seed >>> 0 || 1;
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let k = 0; k < data.length; k++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[k] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return { dims, data };
}
function inputs(seed = 11, H = 3, I = 4, S = 4, B = 2): OnnxLstmInputs {
  return {
    X: tensor([S, B, I], seed, 2),
    W: tensor([1, 4 * H, I], seed + 1),
    R: tensor([1, 4 * H, H], seed + 2),
    B: tensor([1, 8 * H], seed + 3),
    P: tensor([1, 3 * H], seed + 4, 2),
    initial_h: tensor([1, B, H], seed + 5),
    initial_c: tensor([1, B, H], seed + 6, 2),
  };
}
const run = (a: OnnxLstmAttributes, inp: OnnxLstmInputs, c?: Partial<LstmConventions>) => computeOnnxLstm(a, inp, { conventions: c });
const maxDiff = (x: ArrayLike<number>, y: ArrayLike<number>) => {
  let m = 0;
  for (let k = 0; k < x.length; k++) m = Math.max(m, Math.abs(x[k]! - y[k]!));
  return m;
};
/** Permute the H-row gate blocks of a packed [.., 4H, ..] tensor: out block k = in block perm[k]. */
function permuteBlocks(t: OnnxLstmTensor, blockLen: number, perm: number[], blocksPerGroup: number): OnnxLstmTensor {
  const out = new Float32Array(t.data.length);
  const groupLen = blockLen * blocksPerGroup;
  for (let g = 0; g < t.data.length / groupLen; g++)
    for (let k = 0; k < blocksPerGroup; k++) out.set(t.data.subarray(g * groupLen + perm[k]! * blockLen, g * groupLen + (perm[k]! + 1) * blockLen), g * groupLen + k * blockLen);
  return { dims: t.dims, data: out };
}

describe('LstmConventions', () => {
  it('defaults are ONNX’s, and resolveConventions rejects non-permutations', () => {
    expect(resolveConventions()).toEqual({ gateOrder: 'iofc', peepholeOrder: 'iof', outputPeephole: 'C_t', clip: 'activation-inputs', coupledGate: 'forget-from-input', emptySequenceState: 'zeros' });
    expect(ONNX_CONVENTIONS.gateOrder).toBe('iofc');
    expect(() => resolveConventions({ gateOrder: 'iiff' as never })).toThrow(/permutation/);
    expect(() => resolveConventions({ peepholeOrder: 'ioo' as never })).toThrow(/permutation/);
  });

  it("gateOrder 'ifco' reads W/R/B as i, f, c, o: the same as re-packing ONNX's tensors", () => {
    const a = A();
    const inp = inputs();
    const H = 3;
    // Under 'ifco' block 1 is f, 2 is c, 3 is o. Re-pack ONNX (i,o,f,c) tensors so that reading them as ONNX gives the same gates.
    const toOnnx = [0, 3, 1, 2]; // ONNX block k (i,o,f,c) = ifco block toOnnx[k]
    const repacked: OnnxLstmInputs = {
      ...inp,
      W: permuteBlocks(inp.W, H * 4, toOnnx, 4),
      R: permuteBlocks(inp.R, H * H, toOnnx, 4),
      B: permuteBlocks(inp.B!, H, toOnnx, 4),
    };
    const mutated = run(a, inp, { gateOrder: 'ifco' });
    expect(Array.from(mutated.Y.data)).toEqual(Array.from(run(a, repacked).Y.data));
    expect(maxDiff(mutated.Y.data, run(a, inp).Y.data)).toBeGreaterThan(1e-3);
  });

  it("peepholeOrder 'ifo' swaps P's o and f blocks", () => {
    const a = A();
    const inp = inputs();
    const swapped = { ...inp, P: permuteBlocks(inp.P!, 3, [0, 2, 1], 3) };
    expect(Array.from(run(a, inp, { peepholeOrder: 'ifo' }).Y.data)).toEqual(Array.from(run(a, swapped).Y.data));
    expect(maxDiff(run(a, inp, { peepholeOrder: 'ifo' }).Y.data, run(a, inp).Y.data)).toBeGreaterThan(1e-3);
  });

  it("outputPeephole 'C_prev' (WebNN's emulation) uses C(t−1) in the output gate: hand-computed, one unit, one step", () => {
    const a = A({ hiddenSize: 1 });
    const inp: OnnxLstmInputs = {
      X: { dims: [1, 1, 1], data: Float32Array.of(1) },
      W: { dims: [1, 4, 1], data: Float32Array.of(0.5, -0.5, 0.25, 1) },
      R: { dims: [1, 4, 1], data: Float32Array.of(0, 0, 0, 0) },
      P: { dims: [1, 3], data: Float32Array.of(0, 2, 0) },
      initial_c: { dims: [1, 1, 1], data: Float32Array.of(-1) },
    };
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    const i = sig(0.5), f = sig(0.25), g = Math.tanh(1);
    const C = f * -1 + i * g;
    const hNew = sig(-0.5 + 2 * C) * Math.tanh(C);
    const hOld = sig(-0.5 + 2 * -1) * Math.tanh(C);
    expect(run(a, inp).Y_h.data[0]).toBeCloseTo(hNew, 6);
    expect(run(a, inp, { outputPeephole: 'C_prev' }).Y_h.data[0]).toBeCloseTo(hOld, 6);
  });

  it("clip 'cell-state' (NNAPI cell_clip) bounds C_t instead of the gate pre-activations", () => {
    const a = A({ clip: 0.9 });
    // One step from a large initial cell state: |C_1| ≥ σ(−0.9)·|C_0| − tanh(0.9) can exceed the clip under ONNX's rule.
    const inp = { ...inputs(11, 3, 4, 1), initial_c: { dims: [1, 2, 3], data: Float32Array.of(3, -3, 2.5, -2.8, 3, -2.6) } };
    const onnx = run(a, inp);
    const cell = run(a, inp, { clip: 'cell-state' });
    for (const v of cell.Y_c.data) expect(Math.abs(v)).toBeLessThanOrEqual(Math.fround(0.9));
    expect(Math.max(...Array.from(onnx.Y_c.data, Math.abs))).toBeGreaterThan(0.9); // ONNX does not clip the cell state
    expect(maxDiff(onnx.Y.data, cell.Y.data)).toBeGreaterThan(1e-3);
    expect(maxDiff(onnx.Y.data, run(A(), inp).Y.data)).toBeGreaterThan(1e-3); // and ONNX's clip does act
  });

  it("coupledGate 'input-from-forget' (NNAPI CIFG direction): f = σ(z_f), i = 1 − f; ONNX Runtime: i = σ(z_i), f = 1 − i", () => {
    const a = A({ hiddenSize: 1, inputForget: 1 });
    const inp: OnnxLstmInputs = {
      X: { dims: [1, 1, 1], data: Float32Array.of(1) },
      W: { dims: [1, 4, 1], data: Float32Array.of(0.8, 0.3, 1.5, 0.7) }, // i, o, f, c
      R: { dims: [1, 4, 1], data: Float32Array.of(0, 0, 0, 0) },
      initial_c: { dims: [1, 1, 1], data: Float32Array.of(2) },
    };
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    const g = Math.tanh(0.7);
    const o = sig(0.3);
    const iOrt = sig(0.8);
    const cOrt = (1 - iOrt) * 2 + iOrt * g;
    const fNn = sig(1.5);
    const cNn = fNn * 2 + (1 - fNn) * g;
    expect(run(a, inp).Y_c.data[0]).toBeCloseTo(cOrt, 6);
    expect(run(a, inp).Y_h.data[0]).toBeCloseTo(o * Math.tanh(cOrt), 6);
    expect(run(a, inp, { coupledGate: 'input-from-forget' }).Y_c.data[0]).toBeCloseTo(cNn, 6);
    expect(Math.abs(cOrt - cNn)).toBeGreaterThan(1e-2);
  });

  it("emptySequenceState: a zero-length row gives zero Y_h/Y_c (ORT) or keeps the initial state ('initial')", () => {
    const a = A();
    const inp = { ...inputs(), sequence_lens: { dims: [2], data: Int32Array.of(4, 0) } };
    const H = 3;
    const z = run(a, inp);
    expect(Array.from(z.Y_h.data.subarray(H, 2 * H))).toEqual([0, 0, 0]);
    expect(Array.from(z.Y_c.data.subarray(H, 2 * H))).toEqual([0, 0, 0]);
    const k = run(a, inp, { emptySequenceState: 'initial' });
    expect(Array.from(k.Y_h.data.subarray(H, 2 * H))).toEqual(Array.from(inp.initial_h!.data.subarray(H, 2 * H)));
    expect(Array.from(k.Y_c.data.subarray(H, 2 * H))).toEqual(Array.from(inp.initial_c!.data.subarray(H, 2 * H)));
    for (let t = 0; t < 4; t++) for (let u = 0; u < H; u++) expect(z.Y.data[(t * 2 + 1) * H + u]).toBe(0);
  });

  it('the fast path honours every convention like the plain path', () => {
    const variants: Partial<LstmConventions>[] = [
      { gateOrder: 'ifco' },
      { peepholeOrder: 'ifo' },
      { outputPeephole: 'C_prev' },
      { clip: 'cell-state' },
      { clip: 'all-activation-inputs' },
      { coupledGate: 'input-from-forget' },
      { emptySequenceState: 'initial' },
    ];
    const inp = { ...inputs(), sequence_lens: { dims: [2], data: Int32Array.of(3, 0) } };
    for (const c of variants) {
      const a = A({ clip: c.clip ? 0.5 : 2, inputForget: c.coupledGate ? 1 : 0 });
      const plain = computeOnnxLstm(a, inp, { conventions: c });
      const fast = computeOnnxLstm(a, inp, { conventions: c, fast: true });
      for (const k of ['Y', 'Y_h', 'Y_c'] as const) expect(maxDiff(plain[k].data, fast[k].data), JSON.stringify(c) + k).toBeLessThan(2e-6);
    }
  });
});

describe('prepareOnnxLstm', () => {
  it('run(X, states, out) writes into the given buffers (states may alias Y_h/Y_c) and matches fresh runs', async () => {
    const { prepareOnnxLstm } = await import('../../src/ops/onnx-lstm/prepared.js');
    const a = A();
    const inp = inputs(5, 3, 4, 1, 2);
    const p = prepareOnnxLstm(a, inp);
    // Fresh outputs every frame.
    let h = inp.initial_h!;
    let c = inp.initial_c!;
    const fresh: number[][] = [];
    for (let k = 0; k < 5; k++) {
      const o = p.run(inp.X, { initial_h: h, initial_c: c });
      fresh.push(Array.from(o.Y_h.data));
      h = o.Y_h;
      c = o.Y_c;
    }
    // One set of buffers, the states read from and written to the same arrays.
    const out = p.run(inp.X, { initial_h: inp.initial_h, initial_c: inp.initial_c });
    expect(Array.from(out.Y_h.data)).toEqual(fresh[0]);
    const yh = out.Y_h.data;
    for (let k = 1; k < 5; k++) {
      const o = p.run(inp.X, { initial_h: out.Y_h, initial_c: out.Y_c }, out);
      expect(o).toBe(out);
      expect(o.Y_h.data).toBe(yh);
      expect(Array.from(o.Y_h.data)).toEqual(fresh[k]);
    }
    // A zero-length row zeroes a reused buffer too.
    const lens = { dims: [2], data: Int32Array.of(1, 0) };
    const z = p.run(inp.X, { initial_h: inp.initial_h, initial_c: inp.initial_c, sequence_lens: lens }, out);
    expect(Array.from(z.Y_h.data.subarray(3, 6))).toEqual([0, 0, 0]);
    expect(Array.from(z.Y.data.subarray(3, 6))).toEqual([0, 0, 0]);
    expect(() => p.run(inp.X, {}, { ...out, Y: { dims: [1], data: new Float32Array(1) } })).toThrow(/Float32Array of 6/);
  });
});
