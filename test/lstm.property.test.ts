/**
 * Invariants of the LSTM reference, one per test, each named after the invariant it states.
 * Replay a failure with the seed and path fast-check prints: FC_SEED=<seed> FC_PATH=<path> npx vitest run test/lstm.property.test.ts
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bindLstm, inputsFromModel } from '../src/ops/lstm/bind.js';
import { lstmStep, type LstmShape, type LstmTensors, type LstmStepOutputs } from '../src/ops/lstm/execute.js';
import { synthLstmModel, type LstmConfig } from '../src/conformance/synth.js';
import { FLOAT16_CRITERION, FLOAT32_CRITERION, withinTolerance, type Criterion } from '../src/conformance/tolerance.js';
import { fcParams } from './fc-params.js';
import { seedArb } from './helpers/arbitraries.js';
import { layerNormWellConditioned } from './helpers/conditioning.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const configArb = (over: Partial<Record<keyof LstmConfig, fc.Arbitrary<unknown>>> = {}): fc.Arbitrary<LstmConfig> =>
  fc.record({
    batchSize: fc.integer({ min: 1, max: 3 }),
    inputSize: fc.integer({ min: 1, max: 4 }),
    numUnits: fc.integer({ min: 1, max: 5 }),
    outputSize: fc.integer({ min: 1, max: 4 }),
    cifg: fc.boolean(),
    peephole: fc.boolean(),
    projection: fc.boolean(),
    projectionBias: fc.boolean(),
    layerNorm: fc.boolean(),
    activation: fc.constantFrom(0, 1, 3, 4, 6),
    cellClip: fc.constantFrom(0, 0.25, 1, 3),
    projClip: fc.constantFrom(0, 0.1, 0.5, 2),
    dtype: fc.constant('float32' as const),
    nonZeroState: fc.boolean(),
    stateScale: fc.constantFrom(0.5, 2),
    ...over,
  } as Record<keyof LstmConfig, fc.Arbitrary<unknown>>) as fc.Arbitrary<LstmConfig>;


function bound(c: LstmConfig, seed: number): { shape: LstmShape; tensors: Mutable<LstmTensors> } {
  const model = synthLstmModel(c, seed);
  const b = bindLstm(model, inputsFromModel(model));
  return { shape: { ...b.shape }, tensors: { ...b.tensors } };
}

const step = (shape: LstmShape, t: LstmTensors): LstmStepOutputs => lstmStep(shape, t);

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, c: Criterion = FLOAT32_CRITERION): void {
  expect(actual.length).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) {
    if (!withinTolerance(actual[k]!, expected[k]!, c)) {
      throw new Error(`element ${k}: ${actual[k]} vs ${expected[k]} exceeds the ${c.name} tolerance`);
    }
  }
}

function expectSame(a: LstmStepOutputs, b: LstmStepOutputs): void {
  expect(Array.from(a.outputStateOut)).toEqual(Array.from(b.outputStateOut));
  expect(Array.from(a.cellStateOut)).toEqual(Array.from(b.cellStateOut));
  expect(Array.from(a.output)).toEqual(Array.from(b.output));
}

/** Smallest per-row population variance of a gate's pre-activation (before layer norm), in float64. */
function minRowVariance(shape: LstmShape, t: LstmTensors, gate: 'forget' | 'cell'): number {
  const { batchSize: B, inputSize: I, numUnits: N, outputSize: O } = shape;
  const wx = t[`input_to_${gate}_weights`];
  const wh = t[`recurrent_to_${gate}_weights`];
  const peep = gate === 'forget' ? t.cell_to_forget_weights : null;
  let min = Infinity;
  for (let b = 0; b < B; b++) {
    const z: number[] = [];
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let i = 0; i < I; i++) acc += wx[n * I + i]! * t.input[b * I + i]!;
      for (let o = 0; o < O; o++) acc += wh[n * O + o]! * t.output_state_in[b * O + o]!;
      if (peep) acc += peep[n]! * t.cell_state_in[b * N + n]!;
      z.push(acc);
    }
    const mean = z.reduce((a, v) => a + v, 0) / N;
    min = Math.min(min, z.reduce((a, v) => a + (v - mean) ** 2, 0) / N);
  }
  return min;
}

describe('LSTM reference invariants', () => {
  it('zero peephole weights compute exactly what no peephole computes', () => {
    fc.assert(
      fc.property(configArb({ peephole: fc.constant(true) }), seedArb, (c, seed) => {
        const { shape, tensors } = bound(c, seed);
        const zero = (a: Float32Array | null) => (a ? new Float32Array(a.length) : null);
        const withZeros = { ...tensors, cell_to_input_weights: zero(tensors.cell_to_input_weights), cell_to_forget_weights: zero(tensors.cell_to_forget_weights), cell_to_output_weights: zero(tensors.cell_to_output_weights) };
        const without = { ...tensors, cell_to_input_weights: null, cell_to_forget_weights: null, cell_to_output_weights: null };
        expectSame(step(shape, withZeros), step({ ...shape, usePeephole: false }, without));
      }),
      fcParams(),
    );
  });

  it('an identity projection computes exactly what no projection computes', () => {
    fc.assert(
      fc.property(configArb({ projection: fc.constant(false) }), seedArb, fc.constantFrom(0, 0.3), (c, seed, clip) => {
        const { shape, tensors } = bound({ ...c, projClip: clip }, seed);
        const N = shape.numUnits;
        const eye = new Float32Array(N * N);
        for (let k = 0; k < N; k++) eye[k * N + k] = 1;
        const projected = step({ ...shape, useProjection: true, useProjectionBias: false }, { ...tensors, projection_weights: eye, projection_bias: null, proj_clip: 0 });
        expectSame(projected, step(shape, tensors));
      }),
      fcParams(),
    );
  });

  it('the cell state stays within ±cell_clip and the projected output within ±proj_clip', () => {
    fc.assert(
      fc.property(configArb({ cellClip: fc.constantFrom(0.05, 0.3, 1), projClip: fc.constantFrom(0.02, 0.2, 1), projection: fc.constant(true) }), seedArb, (c, seed) => {
        const { shape, tensors } = bound({ ...c, stateScale: 4, weightScale: 1.5 }, seed);
        const r = step(shape, tensors);
        for (const v of r.cellStateOut) expect(Math.abs(v)).toBeLessThanOrEqual(Math.fround(c.cellClip));
        for (const v of r.outputStateOut) expect(Math.abs(v)).toBeLessThanOrEqual(Math.fround(c.projClip));
      }),
      fcParams(),
    );
  });

  it('a clip above every magnitude computes exactly what no clip computes', () => {
    fc.assert(
      fc.property(configArb(), seedArb, (c, seed) => {
        const { shape, tensors } = bound(c, seed);
        const off = step(shape, { ...tensors, cell_clip: 0, proj_clip: 0 });
        const huge = step(shape, { ...tensors, cell_clip: 1e30, proj_clip: 1e30 });
        expectSame(huge, off);
      }),
      fcParams(),
    );
  });

  it('a batch computes exactly what its rows compute one by one', () => {
    fc.assert(
      fc.property(configArb({ batchSize: fc.integer({ min: 2, max: 4 }) }), seedArb, (c, seed) => {
        const { shape, tensors } = bound(c, seed);
        const whole = step(shape, tensors);
        const { batchSize: B, inputSize: I, numUnits: N, outputSize: O } = shape;
        for (let b = 0; b < B; b++) {
          const row = step({ ...shape, batchSize: 1 }, {
            ...tensors,
            input: tensors.input.slice(b * I, (b + 1) * I),
            output_state_in: tensors.output_state_in.slice(b * O, (b + 1) * O),
            cell_state_in: tensors.cell_state_in.slice(b * N, (b + 1) * N),
          });
          expect(Array.from(row.outputStateOut)).toEqual(Array.from(whole.outputStateOut.slice(b * O, (b + 1) * O)));
          expect(Array.from(row.cellStateOut)).toEqual(Array.from(whole.cellStateOut.slice(b * N, (b + 1) * N)));
        }
      }),
      fcParams(),
    );
  });

  it('permuting the cell units permutes the cell state (and the output without projection)', () => {
    fc.assert(
      fc.property(
        configArb({ numUnits: fc.integer({ min: 2, max: 5 }) }).chain((c) => fc.tuple(fc.constant(c), fc.shuffledSubarray([...Array(c.numUnits).keys()], { minLength: c.numUnits, maxLength: c.numUnits }))),
        seedArb,
        ([c, perm], seed) => {
          const { shape, tensors } = bound(c, seed);
          // A permutation changes summation order; ill-conditioned layer-norm rows amplify that past any tolerance.
          fc.pre(layerNormWellConditioned(shape, tensors));
          const { batchSize: B, inputSize: I, numUnits: N, outputSize: O } = shape;
          const rows = (a: Float32Array | null, cols: number) => {
            if (!a) return null;
            const out = new Float32Array(a.length);
            for (let n = 0; n < N; n++) out.set(a.subarray(perm[n]! * cols, perm[n]! * cols + cols), n * cols);
            return out;
          };
          const vec = (a: Float32Array | null) => rows(a, 1);
          const batchCols = (a: Float32Array, width: number, permute: boolean) => {
            if (!permute) return a;
            const out = new Float32Array(a.length);
            for (let b = 0; b < B; b++) for (let n = 0; n < width; n++) out[b * width + n] = a[b * width + perm[n]!]!;
            return out;
          };
          // Without projection h is indexed by unit, so recurrent columns and h permute too.
          const hPermutes = !shape.useProjection;
          const recur = (a: Float32Array | null) => {
            const r = rows(a, O);
            return r && hPermutes ? batchColsOf(r, N, O) : r;
          };
          const batchColsOf = (a: Float32Array, nrows: number, ncols: number) => {
            const out = new Float32Array(a.length);
            for (let r = 0; r < nrows; r++) for (let k = 0; k < ncols; k++) out[r * ncols + k] = a[r * ncols + perm[k]!]!;
            return out;
          };
          const proj = tensors.projection_weights ? batchColsOf(tensors.projection_weights, O, N) : null;
          const permuted: LstmTensors = {
            ...tensors,
            input_to_input_weights: rows(tensors.input_to_input_weights, I),
            input_to_forget_weights: rows(tensors.input_to_forget_weights, I)!,
            input_to_cell_weights: rows(tensors.input_to_cell_weights, I)!,
            input_to_output_weights: rows(tensors.input_to_output_weights, I)!,
            recurrent_to_input_weights: recur(tensors.recurrent_to_input_weights),
            recurrent_to_forget_weights: recur(tensors.recurrent_to_forget_weights)!,
            recurrent_to_cell_weights: recur(tensors.recurrent_to_cell_weights)!,
            recurrent_to_output_weights: recur(tensors.recurrent_to_output_weights)!,
            cell_to_input_weights: vec(tensors.cell_to_input_weights),
            cell_to_forget_weights: vec(tensors.cell_to_forget_weights),
            cell_to_output_weights: vec(tensors.cell_to_output_weights),
            input_gate_bias: vec(tensors.input_gate_bias),
            forget_gate_bias: vec(tensors.forget_gate_bias)!,
            cell_gate_bias: vec(tensors.cell_gate_bias)!,
            output_gate_bias: vec(tensors.output_gate_bias)!,
            input_layer_norm_weights: vec(tensors.input_layer_norm_weights),
            forget_layer_norm_weights: vec(tensors.forget_layer_norm_weights),
            cell_layer_norm_weights: vec(tensors.cell_layer_norm_weights),
            output_layer_norm_weights: vec(tensors.output_layer_norm_weights),
            projection_weights: proj,
            output_state_in: batchCols(tensors.output_state_in, O, hPermutes),
            cell_state_in: batchCols(tensors.cell_state_in, N, true),
          };
          const base = step(shape, tensors);
          const moved = step(shape, permuted);
          // Summation order changes under the permutation, so compare with the float32 criterion.
          expectClose(moved.cellStateOut, batchCols(base.cellStateOut, N, true));
          expectClose(moved.outputStateOut, batchCols(base.outputStateOut, O, hPermutes));
        },
      ),
      fcParams(),
    );
  });

  it('output (3) is bit-identical to output_state_out (1)', () => {
    fc.assert(
      fc.property(configArb(), seedArb, (c, seed) => {
        const { shape, tensors } = bound(c, seed);
        const r = step(shape, tensors);
        expect(Array.from(r.output)).toEqual(Array.from(r.outputStateOut));
      }),
      fcParams(),
    );
  });

  it('layer norm makes a gate invariant to scaling its pre-activation by α > 0', () => {
    fc.assert(
      fc.property(
        configArb({ layerNorm: fc.constant(true), numUnits: fc.integer({ min: 2, max: 5 }) }),
        seedArb,
        fc.constantFrom('forget', 'cell'),
        fc.double({ min: 0.5, max: 4, noNaN: true }),
        (c, seed, gate, alpha) => {
          const { shape, tensors } = bound(c, seed);
          const s = (a: Float32Array | null) => (a ? a.map((v) => Math.fround(v * alpha)) : null);
          const g = gate as 'forget' | 'cell';
          // The invariant is exact but for the 1e-8 epsilon; require a row variance that makes it negligible.
          fc.pre(minRowVariance(shape, tensors, g) > 1e-3);
          const scaled: LstmTensors = {
            ...tensors,
            [`input_to_${g}_weights`]: s(tensors[`input_to_${g}_weights`]),
            [`recurrent_to_${g}_weights`]: s(tensors[`recurrent_to_${g}_weights`]),
            ...(g !== 'cell' ? { [`cell_to_${g}_weights`]: s(tensors[`cell_to_${g}_weights`]) } : {}),
          };
          const a = step(shape, tensors);
          const b = step(shape, scaled);
          // Only the 1e-8 epsilon and float32 rounding separate the two; 1e-4 relative bounds both.
          expectClose(b.cellStateOut, a.cellStateOut, { name: 'float32', atol: 1e-4, rtol: 1e-4 });
          expectClose(b.outputStateOut, a.outputStateOut, { name: 'float32', atol: 1e-4, rtol: 1e-4 });
        },
      ),
      fcParams(),
    );
  });

  it('float16 results stay within the fp16 tolerance of float32 results on the same values', async () => {
    const { ReferenceDriver } = await import('../src/drivers/reference.js');
    const driver = new ReferenceDriver();
    await fc.assert(
      fc.asyncProperty(configArb({ activation: fc.constantFrom(1, 3, 4, 6) }), seedArb, async (c, seed) => {
        const m16 = synthLstmModel({ ...c, dtype: 'float16' }, seed);
        // The same (binary16-exact) numbers as a float32 model.
        const m32 = structuredClone(m16);
        for (const o of m32.operands) o.type = o.type === 'TENSOR_FLOAT16' ? 'TENSOR_FLOAT32' : o.type === 'FLOAT16' ? 'FLOAT32' : o.type;
        const run = async (m: typeof m16) => {
          const p = await driver.prepare(m);
          if (!p.ok) throw new Error(p.message);
          const r = await driver.execute(p.prepared, inputsFromModel(m));
          if (!r.ok) throw new Error(r.message);
          return r.outputs;
        };
        const [o16, o32] = [await run(m16), await run(m32)];
        for (let k = 1; k < o16.length; k++) expectClose(o16[k]!.values, o32[k]!.values, FLOAT16_CRITERION);
      }),
      fcParams(),
    );
  });

  it('finite inputs up to ±1e30 never produce NaN or ∞', () => {
    fc.assert(
      fc.property(configArb(), seedArb, fc.constantFrom(1e10, 1e20, 1e30), (c, seed, big) => {
        const { shape, tensors } = bound({ ...c, inputScale: big, stateScale: big, nonZeroState: true, weightScale: 1 }, seed);
        const r = step(shape, tensors);
        for (const a of [r.outputStateOut, r.cellStateOut, r.output]) for (const v of a) expect(Number.isFinite(v)).toBe(true);
      }),
      fcParams(),
    );
  });
});
