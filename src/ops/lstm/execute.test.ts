import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../model/model.js';
import { roundArrayToFloat16, roundToFloat16 } from '../../util/float16.js';
import { sharedDir } from '../../util/paths.js';
import { bindLstm, inputsFromModel, lstmOutputRoles, operandAt } from './bind.js';
import { REFERENCE_KERNEL, makeLayerNorm, type StepKernel } from './cell.js';
import {
  createLstmOutputs,
  createLstmWorkspace,
  lstmStep,
  lstmStepInto,
  type ActivationNoneVariant,
  type LstmShape,
  type LstmStepOutputs,
  type LstmTensors,
} from './execute.js';
import type { LstmOutputName } from './operands.generated.js';

// ---------------------------------------------------------------------------------------------
// AOSP CTS vectors

const FP16_TOL = 5 * 2 ** -10;
const F32_ATOL = 1e-5;
const F32_RTOL = 5 * 2 ** -23;

interface VectorFile {
  file: string;
  model: Model;
}

function loadLstmVectors(): VectorFile[] {
  const root = sharedDir();
  if (!root) return [];
  const dir = join(root, 'vectors', 'aosp');
  const files: VectorFile[] = [];
  for (const version of readdirSync(dir).filter((d) => /^V\d_\d$/.test(d)).sort()) {
    for (const f of readdirSync(join(dir, version)).filter((n) => n.endsWith('.json')).sort()) {
      const model = JSON.parse(readFileSync(join(dir, version, f), 'utf8')) as Model & { operation?: string };
      if (model.operation === 'LSTM') files.push({ file: `${version}/${f}`, model });
    }
  }
  return files;
}

const shared = sharedDir();
const vectors = loadLstmVectors();

function pick(out: LstmStepOutputs, role: LstmOutputName): Float32Array {
  switch (role) {
    case 'scratch_buffer':
      return out.scratchBuffer;
    case 'output_state_out':
      return out.outputStateOut;
    case 'cell_state_out':
      return out.cellStateOut;
    case 'output':
      return out.output;
  }
}

describe.skipIf(!shared)('AOSP LSTM vectors (bind + lstmStep)', () => {
  it('finds all 36 LSTM vectors', () => {
    expect(vectors.length).toBe(36);
  });

  let worstRatio = 0;
  let worstWhere = '';
  it.each(vectors.map((v) => [v.file, v.model] as const))('%s', (file, model) => {
    const bound = bindLstm(model, inputsFromModel(model));
    const out = lstmStep(bound.shape, bound.tensors);
    const hasFp16 = model.operands.some((o) => o.type === 'TENSOR_FLOAT16' || o.type === 'FLOAT16');
    const loose = bound.relaxed || hasFp16;
    // A float16 output buffer holds binary16 values: round once at the end (§C.2).
    if (bound.dtype === 'float16') for (const a of Object.values(out)) roundArrayToFloat16(a as Float32Array);
    let compared = 0;
    lstmOutputRoles(model, bound.operation).forEach((role, k) => {
      const operand = operandAt(model, model.outputIndexes[k]!);
      if (operand.isIgnored) return;
      const actual = pick(out, role);
      expect(actual.length, `${role} length`).toBe(operand.values.length);
      operand.values.forEach((raw, j) => {
        const e = operand.type === 'TENSOR_FLOAT16' ? roundToFloat16(raw) : raw;
        const a = actual[j]!;
        const tol = loose ? FP16_TOL + FP16_TOL * Math.abs(e) : F32_ATOL + F32_RTOL * Math.abs(e);
        const ratio = Math.abs(a - e) / tol;
        if (ratio > worstRatio) {
          worstRatio = ratio;
          worstWhere = `${file} ${role}[${j}] actual ${a} expected ${e}`;
        }
        if (!(ratio <= 1)) expect.fail(`${file} ${role}[${j}]: actual ${a}, expected ${e}, |d|=${Math.abs(a - e)} > tol ${tol}`);
        compared++;
      });
    });
    expect(compared).toBeGreaterThan(0);
  });

  it('reports the worst error/tolerance ratio', () => {
    console.log(`AOSP LSTM vectors: worst |a−e|/tol = ${worstRatio.toExponential(3)} at ${worstWhere}`);
    expect(worstRatio).toBeLessThan(1);
  });
});

// ---------------------------------------------------------------------------------------------
// An independent float64 model of facts §C.1, written as plainly as possible.

interface Ref64 {
  i: number[] | null;
  f: number[];
  g: number[];
  c: number[];
  o: number[];
  m: number[];
  h: number[];
}

function act64(code: number, x: number): number {
  switch (code) {
    case 0:
      return x;
    case 1:
      return Math.max(0, x);
    case 3:
      return Math.min(6, Math.max(0, x));
    case 4:
      return Math.tanh(x);
    case 6:
      return 1 / (1 + Math.exp(-x));
    default:
      throw new Error(`act64 ${code}`);
  }
}
const sig = (x: number): number => 1 / (1 + Math.exp(-x));

function ref64(s: LstmShape, t: LstmTensors, none: ActivationNoneVariant = 'documented'): Ref64 {
  const { batchSize: B, inputSize: I, numUnits: N, outputSize: O } = s;
  const x = t.input;
  const hp = t.output_state_in;
  const cp = t.cell_state_in;
  const pre = (wx: Float32Array, wh: Float32Array, bias: Float32Array | null, peep: Float32Array | null, cell: number[] | Float32Array | null, ln: Float32Array | null): number[] => {
    const z = new Array<number>(B * N).fill(0);
    for (let b = 0; b < B; b++) {
      for (let n = 0; n < N; n++) {
        let v = ln ? 0 : bias![n]!;
        for (let j = 0; j < I; j++) v += wx[n * I + j]! * x[b * I + j]!;
        for (let j = 0; j < O; j++) v += wh[n * O + j]! * hp[b * O + j]!;
        if (peep) v += peep[n]! * cell![b * N + n]!;
        z[b * N + n] = v;
      }
      if (ln) {
        const row = z.slice(b * N, b * N + N);
        const mu = row.reduce((p, q) => p + q, 0) / N;
        const vr = row.reduce((p, q) => p + (q - mu) ** 2, 0) / N;
        for (let n = 0; n < N; n++) z[b * N + n] = ((row[n]! - mu) / Math.sqrt(vr + 1e-8)) * ln[n]! + bias![n]!;
      }
    }
    return z;
  };
  const peep = s.usePeephole;
  const ln = s.useLayerNorm;
  const zf = pre(t.input_to_forget_weights, t.recurrent_to_forget_weights, t.forget_gate_bias, peep ? t.cell_to_forget_weights : null, cp, ln ? t.forget_layer_norm_weights : null);
  const f = zf.map(sig);
  const i = s.useCifg
    ? f.map((v) => 1 - v)
    : pre(t.input_to_input_weights!, t.recurrent_to_input_weights!, t.input_gate_bias, peep ? t.cell_to_input_weights : null, cp, ln ? t.input_layer_norm_weights : null).map(sig);
  const zc = pre(t.input_to_cell_weights, t.recurrent_to_cell_weights, t.cell_gate_bias, null, null, ln ? t.cell_layer_norm_weights : null);
  const g = zc.map((v) => act64(t.activation, v));
  let c = f.map((fv, k) => fv * cp[k]! + i[k]! * g[k]!);
  if (t.cell_clip > 0) c = c.map((v) => Math.min(t.cell_clip, Math.max(-t.cell_clip, v)));
  const o = pre(t.input_to_output_weights, t.recurrent_to_output_weights, t.output_gate_bias, peep ? t.cell_to_output_weights : null, c, ln ? t.output_layer_norm_weights : null).map(sig);
  const ac = t.activation === 0 && none === 'aosp-code' ? g : c.map((v) => act64(t.activation, v));
  const m = o.map((ov, k) => ov * ac[k]!);
  let h = m.slice();
  if (s.useProjection) {
    h = new Array<number>(B * O).fill(0);
    for (let b = 0; b < B; b++) {
      for (let p = 0; p < O; p++) {
        let v = s.useProjectionBias ? t.projection_bias![p]! : 0;
        for (let n = 0; n < N; n++) v += t.projection_weights![p * N + n]! * m[b * N + n]!;
        h[b * O + p] = t.proj_clip > 0 ? Math.min(t.proj_clip, Math.max(-t.proj_clip, v)) : v;
      }
    }
  }
  return { i: s.useCifg ? null : i, f, g, c, o, m, h };
}

// ---------------------------------------------------------------------------------------------
// Tiny hand-built cases.

/** Deterministic values in [-scale, scale]. */
function fill(n: number, seed: number, scale = 0.5): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let k = 0; k < n; k++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[k] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return a;
}

function makeShape(p: Partial<LstmShape> & Pick<LstmShape, 'batchSize' | 'inputSize' | 'numUnits'>): LstmShape {
  return {
    outputSize: p.outputSize ?? p.numUnits,
    useCifg: false,
    usePeephole: false,
    useProjection: false,
    useProjectionBias: false,
    useLayerNorm: false,
    ...p,
  };
}

function makeTensors(s: LstmShape, over: Partial<LstmTensors> = {}, seed = 1, scale = 0.5): LstmTensors {
  const { batchSize: B, inputSize: I, numUnits: N, outputSize: O } = s;
  let k = seed * 100;
  const r = (n: number): Float32Array => fill(n, ++k, scale);
  const when = (on: boolean, n: number): Float32Array | null => (on ? r(n) : null);
  return {
    input: r(B * I),
    input_to_input_weights: when(!s.useCifg, N * I),
    input_to_forget_weights: r(N * I),
    input_to_cell_weights: r(N * I),
    input_to_output_weights: r(N * I),
    recurrent_to_input_weights: when(!s.useCifg, N * O),
    recurrent_to_forget_weights: r(N * O),
    recurrent_to_cell_weights: r(N * O),
    recurrent_to_output_weights: r(N * O),
    cell_to_input_weights: when(s.usePeephole && !s.useCifg, N),
    cell_to_forget_weights: when(s.usePeephole, N),
    cell_to_output_weights: when(s.usePeephole, N),
    input_gate_bias: when(!s.useCifg, N),
    forget_gate_bias: r(N),
    cell_gate_bias: r(N),
    output_gate_bias: r(N),
    projection_weights: when(s.useProjection, O * N),
    projection_bias: when(s.useProjectionBias, O),
    output_state_in: r(B * O),
    cell_state_in: r(B * N),
    activation: 4,
    cell_clip: 0,
    proj_clip: 0,
    input_layer_norm_weights: when(s.useLayerNorm && !s.useCifg, N),
    forget_layer_norm_weights: when(s.useLayerNorm, N),
    cell_layer_norm_weights: when(s.useLayerNorm, N),
    output_layer_norm_weights: when(s.useLayerNorm, N),
    ...over,
  };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 2e-6, what = ''): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) {
    const e = expected[k]!;
    const d = Math.abs(actual[k]! - e);
    if (!(d <= tol * (1 + Math.abs(e)))) expect.fail(`${what}[${k}]: actual ${actual[k]}, expected ${e} (|d| ${d})`);
  }
}

function expectMatchesRef(s: LstmShape, t: LstmTensors, out: LstmStepOutputs, none: ActivationNoneVariant = 'documented', tol = 2e-6): Ref64 {
  const r = ref64(s, t, none);
  expectClose(out.cellStateOut, r.c, tol, 'cell_state_out');
  expectClose(out.outputStateOut, r.h, tol, 'output_state_out');
  expect(Array.from(out.output)).toEqual(Array.from(out.outputStateOut));
  return r;
}

describe('lstmStep: activations on a 1×2 cell', () => {
  // B=1, I=1, N=2, O=2; unit 0 gets a negative z_c, unit 1 a z_c above 6 (exercises relu/relu6).
  const s = makeShape({ batchSize: 1, inputSize: 1, numUnits: 2 });
  const base = (activation: number): LstmTensors =>
    makeTensors(s, {
      activation,
      input: new Float32Array([2]),
      input_to_cell_weights: new Float32Array([-0.75, 3.5]),
      cell_gate_bias: new Float32Array([0.25, 0.5]),
      recurrent_to_cell_weights: new Float32Array([0, 0, 0, 0]),
      cell_state_in: new Float32Array([0.5, 7]),
    });

  for (const [code, name] of [
    [0, 'none'],
    [1, 'relu'],
    [3, 'relu6'],
    [4, 'tanh'],
    [6, 'sigmoid'],
  ] as const) {
    it(`activation ${code} (${name}) matches the float64 formula`, () => {
      const t = base(code);
      const out = lstmStep(s, t);
      const r = expectMatchesRef(s, t, out);
      // z_c = b_c + W_xc·x = [0.25 − 1.5, 0.5 + 7] = [−1.25, 7.5] exactly.
      const zc = [-1.25, 7.5];
      expectClose(r.g, zc.map((v) => act64(code, v)), 1e-12, 'g');
      // Scratch cell block holds act(C_t); output block holds m = o ⊙ act(C_t).
      expectClose(out.scratchBuffer.subarray(2, 4), r.c.map((v) => act64(code, v)), 2e-6, 'scratch act(C)');
      expectClose(out.scratchBuffer.subarray(6, 8), r.m, 2e-6, 'scratch m');
    });
  }

  it('relu6 clamps both the candidate and the activated cell at 6 (hand-computed)', () => {
    const t = base(3);
    const out = lstmStep(s, t);
    const r = ref64(s, t);
    expect(r.g).toEqual([0, 6]);
    // Unit 1: C = f·7 + i·6 > 6, so act(C) = 6 exactly and m = 6·o.
    expect(out.cellStateOut[1]!).toBeGreaterThan(6);
    expect(out.scratchBuffer[3]).toBe(6);
    expectClose([out.outputStateOut[1]!], [6 * r.o[1]!], 2e-6, 'h');
    // Unit 0: g = relu6(−1.25) = 0, so C = f·C_prev.
    expectClose([out.cellStateOut[0]!], [r.f[0]! * 0.5], 2e-6, 'c0');
  });

  it('rejects activation codes the reference does not implement', () => {
    expect(() => lstmStep(s, base(7))).toThrow(/activation/);
    expect(() => lstmStep(s, base(-1))).toThrow(/activation/);
  });
});

describe('lstmStep: activation 0 variants', () => {
  const s = makeShape({ batchSize: 2, inputSize: 3, numUnits: 4, usePeephole: true });
  const t = makeTensors(s, { activation: 0 }, 7, 0.8);

  it('documented: m = o ⊙ C_t; aosp-code: m = o ⊙ z_c; they differ', () => {
    const doc = lstmStep(s, t, { activationNoneVariant: 'documented' });
    const aosp = lstmStep(s, t, { activationNoneVariant: 'aosp-code' });
    const rd = expectMatchesRef(s, t, doc, 'documented');
    const ra = expectMatchesRef(s, t, aosp, 'aosp-code');
    // The cell state is the same; only what multiplies o differs.
    expect(Array.from(aosp.cellStateOut)).toEqual(Array.from(doc.cellStateOut));
    expectClose(doc.outputStateOut, rd.o.map((o, k) => o * rd.c[k]!), 2e-6, 'doc h');
    expectClose(aosp.outputStateOut, ra.o.map((o, k) => o * ra.g[k]!), 2e-6, 'aosp h');
    const maxDiff = Math.max(...Array.from(doc.outputStateOut, (v, k) => Math.abs(v - aosp.outputStateOut[k]!)));
    expect(maxDiff).toBeGreaterThan(1e-3);
    // Scratch cell block: act(C_t) = C_t vs. the stale candidate z_c.
    const bn = 8;
    expectClose(doc.scratchBuffer.subarray(bn, 2 * bn), rd.c, 2e-6, 'doc scratch');
    expectClose(aosp.scratchBuffer.subarray(bn, 2 * bn), ra.g, 2e-6, 'aosp scratch');
  });

  it('the variant only matters for activation 0', () => {
    const t4 = { ...t, activation: 4 };
    const a = lstmStep(s, t4, { activationNoneVariant: 'documented' });
    const b = lstmStep(s, t4, { activationNoneVariant: 'aosp-code' });
    expect(Array.from(b.scratchBuffer)).toEqual(Array.from(a.scratchBuffer));
    expect(Array.from(b.output)).toEqual(Array.from(a.output));
  });
});

describe('lstmStep: clipping and projection', () => {
  it('cell clip clamps C_t, and the output gate peephole and output use the clipped state', () => {
    const s = makeShape({ batchSize: 2, inputSize: 2, numUnits: 3, usePeephole: true });
    const t = makeTensors(s, { cell_clip: 0.25, cell_state_in: new Float32Array([3, -3, 0.1, -2, 2.5, 0]) }, 3, 1.5);
    const out = lstmStep(s, t);
    const unclipped = lstmStep(s, { ...t, cell_clip: 0 });
    const c = Array.from(out.cellStateOut);
    expect(c.every((v) => Math.abs(v) <= Math.fround(0.25))).toBe(true);
    expect(c.filter((v) => Math.abs(v) === Math.fround(0.25)).length).toBeGreaterThan(0);
    expect(Array.from(unclipped.cellStateOut).some((v) => Math.abs(v) > 0.25)).toBe(true);
    expectMatchesRef(s, t, out);
  });

  it('projection clip clamps h when > 0 and is ignored when 0', () => {
    const s = makeShape({ batchSize: 2, inputSize: 2, numUnits: 3, outputSize: 2, useProjection: true });
    const t = makeTensors(s, { proj_clip: 0.05 }, 4, 2);
    const out = lstmStep(s, t);
    const h = Array.from(out.outputStateOut);
    expect(h.every((v) => Math.abs(v) <= Math.fround(0.05))).toBe(true);
    expect(h.filter((v) => Math.abs(v) === Math.fround(0.05)).length).toBeGreaterThan(0);
    expectMatchesRef(s, t, out);
    const free = lstmStep(s, { ...t, proj_clip: 0 });
    expect(Array.from(free.outputStateOut).some((v) => Math.abs(v) > 0.05)).toBe(true);
    expectMatchesRef(s, { ...t, proj_clip: 0 }, free);
  });

  it('projection bias is added to W_proj·m', () => {
    const s = makeShape({ batchSize: 2, inputSize: 3, numUnits: 4, outputSize: 2, useProjection: true });
    const sb = { ...s, useProjectionBias: true };
    const t = makeTensors(sb, { projection_bias: new Float32Array([0.5, -0.25]) }, 5);
    const withBias = lstmStep(sb, t);
    const without = lstmStep(s, { ...t, projection_bias: null });
    expectMatchesRef(sb, t, withBias);
    const d = Array.from(withBias.outputStateOut, (v, k) => v - without.outputStateOut[k]!);
    expectClose(d, [0.5, -0.25, 0.5, -0.25], 1e-6, 'bias delta');
    // Cell state does not depend on the projection.
    expect(Array.from(withBias.cellStateOut)).toEqual(Array.from(without.cellStateOut));
  });

  it('without projection, proj_clip is ignored and h = m', () => {
    const s = makeShape({ batchSize: 1, inputSize: 2, numUnits: 3 });
    const t = makeTensors(s, { proj_clip: 1e-3 }, 6);
    const out = lstmStep(s, t);
    expect(Array.from(out.outputStateOut)).toEqual(Array.from(out.scratchBuffer.subarray(9, 12)));
    expect(Array.from(out.outputStateOut).some((v) => Math.abs(v) > 1e-3)).toBe(true);
  });
});

describe('lstmStep: scratch layout', () => {
  it('CIFG: [act(C) | 1−f | o⊙act(C)], each block [B, N] batch-major', () => {
    const s = makeShape({ batchSize: 2, inputSize: 3, numUnits: 3, useCifg: true, usePeephole: true });
    const t = makeTensors(s, {}, 8);
    const out = lstmStep(s, t);
    const r = expectMatchesRef(s, t, out);
    const bn = 6;
    expect(out.scratchBuffer.length).toBe(3 * bn);
    expectClose(out.scratchBuffer.subarray(0, bn), r.c.map(Math.tanh), 2e-6, 'act(C)');
    expectClose(out.scratchBuffer.subarray(bn, 2 * bn), r.f.map((f) => 1 - f), 2e-6, '1−f');
    expectClose(out.scratchBuffer.subarray(2 * bn, 3 * bn), r.m, 2e-6, 'm');
  });

  it('non-CIFG: [σ(z_i) | act(C) | f | o⊙act(C)]', () => {
    const s = makeShape({ batchSize: 2, inputSize: 3, numUnits: 3, usePeephole: true, useLayerNorm: true });
    const t = makeTensors(s, {}, 9);
    const out = lstmStep(s, t);
    const r = expectMatchesRef(s, t, out);
    const bn = 6;
    expect(out.scratchBuffer.length).toBe(4 * bn);
    expectClose(out.scratchBuffer.subarray(0, bn), r.i!, 2e-6, 'i');
    expectClose(out.scratchBuffer.subarray(bn, 2 * bn), r.c.map(Math.tanh), 2e-6, 'act(C)');
    expectClose(out.scratchBuffer.subarray(2 * bn, 3 * bn), r.f, 2e-6, 'f');
    expectClose(out.scratchBuffer.subarray(3 * bn, 4 * bn), r.m, 2e-6, 'm');
  });
});

describe('lstmStep: every variant against the float64 model', () => {
  const variant = fc.record({
    batchSize: fc.integer({ min: 1, max: 3 }),
    inputSize: fc.integer({ min: 1, max: 4 }),
    numUnits: fc.integer({ min: 1, max: 5 }),
    outputSize: fc.integer({ min: 1, max: 4 }),
    useCifg: fc.boolean(),
    usePeephole: fc.boolean(),
    useProjection: fc.boolean(),
    useProjectionBias: fc.boolean(),
    useLayerNorm: fc.boolean(),
    activation: fc.constantFrom(0, 1, 3, 4, 6),
    cellClip: fc.constantFrom(0, 0.3, 2),
    projClip: fc.constantFrom(0, 0.1, 1),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
  });

  it('agrees to float32 precision', () => {
    fc.assert(
      fc.property(variant, (v) => {
        const s: LstmShape = {
          batchSize: v.batchSize,
          inputSize: v.inputSize,
          numUnits: v.numUnits,
          outputSize: v.useProjection ? v.outputSize : v.numUnits,
          useCifg: v.useCifg,
          usePeephole: v.usePeephole,
          useProjection: v.useProjection,
          useProjectionBias: v.useProjection && v.useProjectionBias,
          // A single unit normalises to exactly 0 — still well defined, keep it.
          useLayerNorm: v.useLayerNorm,
        };
        const t = makeTensors(s, { activation: v.activation, cell_clip: v.cellClip, proj_clip: v.projClip }, v.seed, 1);
        for (const none of ['documented', 'aosp-code'] as const) {
          expectMatchesRef(s, t, lstmStep(s, t, { activationNoneVariant: none }), none, 2e-5);
        }
      }),
      { numRuns: 300, seed: 20240601 },
    );
  });
});

describe('lstmStepInto', () => {
  const s = makeShape({ batchSize: 2, inputSize: 3, numUnits: 4, outputSize: 3, usePeephole: true, useProjection: true });

  it('runs a sequence in place (state inputs aliasing state outputs) like fresh steps', () => {
    const t = makeTensors(s, {}, 11);
    const ws = createLstmWorkspace(s);
    const out = createLstmOutputs(s);
    out.cellStateOut.set(t.cell_state_in);
    out.outputStateOut.set(t.output_state_in);
    const inPlace = { ...t, cell_state_in: out.cellStateOut, output_state_in: out.outputStateOut };
    let fresh = t;
    for (let step = 0; step < 4; step++) {
      const ret = lstmStepInto(ws, s, inPlace, out);
      expect(ret).toBe(out);
      const f = lstmStep(s, fresh);
      expect(Array.from(out.cellStateOut)).toEqual(Array.from(f.cellStateOut));
      expect(Array.from(out.output)).toEqual(Array.from(f.output));
      fresh = { ...fresh, cell_state_in: f.cellStateOut, output_state_in: f.outputStateOut };
    }
  });

  it('throws descriptive errors instead of reading out of bounds', () => {
    const t = makeTensors(s, {}, 12);
    expect(() => lstmStep(s, { ...t, input_to_forget_weights: new Float32Array(5) })).toThrow(/input_to_forget_weights has 5 values, expected 12/);
    expect(() => lstmStep(s, { ...t, cell_to_output_weights: null })).toThrow(/cell_to_output_weights is omitted/);
    expect(() => lstmStep({ ...s, useProjection: false }, t)).toThrow(/must equal num_units/);
    expect(() => lstmStep(s, { ...t, cell_clip: -1 })).toThrow(/clip/);
    const ws = createLstmWorkspace(s);
    const out = createLstmOutputs({ ...s, batchSize: 1 });
    expect(() => lstmStepInto(ws, s, t, out)).toThrow(/wrong size/);
  });
});

describe('StepKernel mutation points', () => {
  const s = makeShape({ batchSize: 2, inputSize: 3, numUnits: 4, outputSize: 2, usePeephole: true, useProjection: true, useProjectionBias: true, useLayerNorm: true });
  const t = makeTensors(s, {}, 13);
  const ref = lstmStep(s, t);
  const differs = (kernel: StepKernel): boolean => {
    const o = lstmStep(s, t, { kernel });
    return Array.from(o.output).some((v, k) => v !== ref.output[k]) || Array.from(o.cellStateOut).some((v, k) => v !== ref.cellStateOut[k]);
  };

  it('the default kernel is REFERENCE_KERNEL', () => {
    const o = lstmStep(s, t, { kernel: REFERENCE_KERNEL });
    expect(Array.from(o.scratchBuffer)).toEqual(Array.from(ref.scratchBuffer));
  });

  it('overriding one entry changes the result', () => {
    const R = REFERENCE_KERNEL;
    const nearConstant = makeTensors(s, { input: new Float32Array(6), output_state_in: new Float32Array(4) }, 13);
    // Epsilon only matters for near-constant rows: zero x and h make every gate row constant.
    const epsOut = lstmStep(s, nearConstant, { kernel: { ...R, layerNorm: makeLayerNorm(1e-3) } });
    expect(Array.from(epsOut.output)).not.toEqual(Array.from(lstmStep(s, nearConstant).output));
    expect(differs({ ...R, outputPeepholeCell: (prev) => prev })).toBe(true);
    expect(differs({ ...R, project: (out, w, _bias, m, O, N, B) => R.project(out, w, null, m, O, N, B) })).toBe(true);
    expect(differs({ ...R, gateActivation: (buf, gate) => {
      if (gate === 'forget') for (let k = 0; k < buf.length; k++) buf[k] = buf[k]! + 1;
      R.gateActivation(buf, gate);
    } })).toBe(true);
    expect(differs({ ...R, layerNorm: (acc, gamma, bias, n, batch, gate) => {
      if (bias) for (let b = 0; b < batch; b++) for (let c = 0; c < n; c++) acc[b * n + c] = acc[b * n + c]! + bias[c]!;
      R.layerNorm(acc, gamma, null, n, batch, gate);
    } })).toBe(true);
  });

  it('CIFG i = f mutant via cifgInputGate', () => {
    const sc = { ...s, useCifg: true };
    const tc = makeTensors(sc, {}, 14);
    const a = lstmStep(sc, tc);
    const b = lstmStep(sc, tc, { kernel: { ...REFERENCE_KERNEL, cifgInputGate: (f, out) => out.set(f) } });
    expect(Array.from(b.cellStateOut)).not.toEqual(Array.from(a.cellStateOut));
  });
});
