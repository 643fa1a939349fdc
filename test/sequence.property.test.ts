/**
 * Invariants of the UNIDIRECTIONAL_SEQUENCE_LSTM / BIDIRECTIONAL_SEQUENCE_LSTM reference, one per
 * test, each named after the invariant it states. All comparisons are bit-exact: the sequence ops
 * run the very same float32 step, so any difference is a layout or state-carrying bug.
 * Replay a failure: FC_SEED=<seed> FC_PATH=<path> npx vitest run test/sequence.property.test.ts
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { synthSequenceModel, type SequenceConfig } from '../src/conformance/synth-sequence.js';
import { ReferenceDriver } from '../src/drivers/reference.js';
import { inputsFromModel } from '../src/ops/lstm/bind.js';
import { lstmStep, type LstmShape } from '../src/ops/lstm/execute.js';
import { bidirectionalSequenceLstm, type BiSequenceLstmShape, type BiSequenceLstmTensors } from '../src/ops/sequence/bidirectional.js';
import { bindBiSequenceLstm, bindUniSequenceLstm } from '../src/ops/sequence/bind.js';
import {
  unidirectionalSequenceLstm,
  type CellTensors,
  type UniSequenceLstmShape,
  type UniSequenceLstmTensors,
} from '../src/ops/sequence/unidirectional.js';
import { roundToFloat16 } from '../src/util/float16.js';
import { fcParams } from './fc-params.js';
import { seedArb, sequenceCellArb } from './helpers/arbitraries.js';

// ---------------------------------------------------------------------------------------------
// Arbitraries

const cellArb = sequenceCellArb(4, 3);

const commonArb = fc.record({
  maxTime: fc.integer({ min: 1, max: 5 }),
  batchSize: fc.integer({ min: 1, max: 3 }),
  inputSize: fc.integer({ min: 1, max: 4 }),
  timeMajor: fc.boolean(),
  activation: fc.constantFrom(0, 1, 3, 4, 6),
  cellClip: fc.constantFrom(0, 0.5, 3),
  projClip: fc.constantFrom(0, 0.3, 2),
  nonZeroState: fc.boolean(),
});

const uniArb = (over: Partial<SequenceConfig> = {}): fc.Arbitrary<SequenceConfig> =>
  fc.tuple(commonArb, cellArb, fc.boolean()).map(([c, fw, stateOutputs]) => ({
    operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM' as const,
    dtype: 'float32' as const,
    ...c,
    fw,
    stateOutputs,
    ...over,
  }));

/** fw and bw drawn independently: each direction must use its own features. */
const biArb = (over: Partial<SequenceConfig> = {}): fc.Arbitrary<SequenceConfig> =>
  fc
    .tuple(commonArb, cellArb, cellArb, fc.boolean(), fc.constantFrom('none', 'parallel', 'cross') as fc.Arbitrary<'none' | 'parallel' | 'cross'>, fc.integer({ min: 1, max: 4 }))
    .map(([c, fw, bw, mergeOutputs, linking, auxInputSize]) => ({
      operation: 'BIDIRECTIONAL_SEQUENCE_LSTM' as const,
      dtype: 'float32' as const,
      ...c,
      fw,
      bw,
      mergeOutputs,
      stateOutputs: true,
      linking,
      auxInputSize,
      ...over,
    }));


// ---------------------------------------------------------------------------------------------
// Helpers

function uni(c: SequenceConfig, seed: number): { shape: UniSequenceLstmShape; tensors: UniSequenceLstmTensors } {
  const m = synthSequenceModel(c, seed);
  const b = bindUniSequenceLstm(m, inputsFromModel(m));
  return { shape: b.shape, tensors: b.tensors };
}

function bi(c: SequenceConfig, seed: number): { shape: BiSequenceLstmShape; tensors: BiSequenceLstmTensors } {
  const m = synthSequenceModel(c, seed);
  const b = bindBiSequenceLstm(m, inputsFromModel(m));
  return { shape: b.shape, tensors: b.tensors };
}

const arr = (a: ArrayLike<number>): number[] => Array.from(a);

/** Offset of row (t, b) of a sequence tensor with `width` values per row. */
const rowAt = (T: number, B: number, timeMajor: boolean, t: number, b: number, width: number): number =>
  (timeMajor ? t * B + b : b * T + t) * width;

/** x_t as a [B, width] array. */
function stepRows(seq: Float32Array, T: number, B: number, timeMajor: boolean, t: number, width: number): Float32Array {
  const out = new Float32Array(B * width);
  for (let b = 0; b < B; b++) out.set(seq.subarray(rowAt(T, B, timeMajor, t, b, width), rowAt(T, B, timeMajor, t, b, width) + width), b * width);
  return out;
}

/** [T, B, w] ↔ [B, T, w]. */
function transpose(seq: Float32Array, T: number, B: number, fromTimeMajor: boolean, width: number): Float32Array {
  const out = new Float32Array(seq.length);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const from = rowAt(T, B, fromTimeMajor, t, b, width);
      out.set(seq.subarray(from, from + width), rowAt(T, B, !fromTimeMajor, t, b, width));
    }
  }
  return out;
}

/** Reverse the time axis. */
function reverseTime(seq: Float32Array, T: number, B: number, timeMajor: boolean, width: number): Float32Array {
  const out = new Float32Array(seq.length);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const from = rowAt(T, B, timeMajor, t, b, width);
      out.set(seq.subarray(from, from + width), rowAt(T, B, timeMajor, T - 1 - t, b, width));
    }
  }
  return out;
}

/** The unidirectional shape of one BiLSTM direction. */
function directionShape(s: BiSequenceLstmShape, cell: LstmShape): UniSequenceLstmShape {
  return { ...cell, maxTime: s.maxTime, timeMajor: s.timeMajor };
}

function withInput(cell: CellTensors, input: Float32Array): UniSequenceLstmTensors {
  return { ...cell, input };
}

// ---------------------------------------------------------------------------------------------

describe('UNIDIRECTIONAL_SEQUENCE_LSTM invariants', () => {
  it('a sequence equals stepping LSTM T times with state carried', () => {
    fc.assert(
      fc.property(uniArb(), seedArb, (c, seed) => {
        const { shape, tensors } = uni(c, seed);
        const { maxTime: T, batchSize: B, inputSize: I, outputSize: O, timeMajor } = shape;
        const seq = unidirectionalSequenceLstm(shape, tensors);
        let h = tensors.output_state_in;
        let cell = tensors.cell_state_in;
        for (let t = 0; t < T; t++) {
          const r = lstmStep(shape, { ...tensors, input: stepRows(tensors.input, T, B, timeMajor, t, I), output_state_in: h, cell_state_in: cell });
          expect(arr(stepRows(seq.output, T, B, timeMajor, t, O))).toEqual(arr(r.output));
          h = r.outputStateOut;
          cell = r.cellStateOut;
        }
        expect(arr(seq.outputStateOut)).toEqual(arr(h));
        expect(arr(seq.cellStateOut)).toEqual(arr(cell));
      }),
      fcParams(),
    );
  });

  it('time-major and batch-major give identical results on transposed data', () => {
    fc.assert(
      fc.property(uniArb({ timeMajor: true }), seedArb, (c, seed) => {
        const { shape, tensors } = uni(c, seed);
        const { maxTime: T, batchSize: B, inputSize: I, outputSize: O } = shape;
        const tm = unidirectionalSequenceLstm(shape, tensors);
        const bm = unidirectionalSequenceLstm({ ...shape, timeMajor: false }, { ...tensors, input: transpose(tensors.input, T, B, true, I) });
        expect(arr(bm.output)).toEqual(arr(transpose(tm.output, T, B, true, O)));
        expect(arr(bm.outputStateOut)).toEqual(arr(tm.outputStateOut));
        expect(arr(bm.cellStateOut)).toEqual(arr(tm.cellStateOut));
      }),
      fcParams(),
    );
  });

  it('a T=1 sequence equals one LSTM step', () => {
    fc.assert(
      fc.property(uniArb({ maxTime: 1 }), seedArb, (c, seed) => {
        const { shape, tensors } = uni(c, seed);
        // With T = 1, [1, B, I] and [B, 1, I] are both laid out as the step's [B, I].
        const seq = unidirectionalSequenceLstm(shape, tensors);
        const step = lstmStep(shape, tensors);
        expect(arr(seq.output)).toEqual(arr(step.output));
        expect(arr(seq.outputStateOut)).toEqual(arr(step.outputStateOut));
        expect(arr(seq.cellStateOut)).toEqual(arr(step.cellStateOut));
      }),
      fcParams(),
    );
  });

  it("state outputs equal the last step's state: h_T is the last output row, and (h_T, C_T) is one step from the T−1 prefix's state outputs", () => {
    fc.assert(
      fc.property(uniArb({ maxTime: 2 }).chain((c) => fc.tuple(fc.constant(c), fc.integer({ min: 2, max: 5 }))), seedArb, ([c0, T], seed) => {
        const { shape, tensors } = uni({ ...c0, maxTime: T }, seed);
        const { batchSize: B, inputSize: I, outputSize: O, timeMajor } = shape;
        const full = unidirectionalSequenceLstm(shape, tensors);
        expect(arr(full.outputStateOut)).toEqual(arr(stepRows(full.output, T, B, timeMajor, T - 1, O)));
        // The first T−1 steps as their own sequence.
        const prefixInput = new Float32Array((T - 1) * B * I);
        for (let t = 0; t < T - 1; t++) for (let b = 0; b < B; b++) {
          const from = rowAt(T, B, timeMajor, t, b, I);
          prefixInput.set(tensors.input.subarray(from, from + I), rowAt(T - 1, B, timeMajor, t, b, I));
        }
        const prefix = unidirectionalSequenceLstm({ ...shape, maxTime: T - 1 }, { ...tensors, input: prefixInput });
        const last = lstmStep(shape, {
          ...tensors,
          input: stepRows(tensors.input, T, B, timeMajor, T - 1, I),
          output_state_in: prefix.outputStateOut,
          cell_state_in: prefix.cellStateOut,
        });
        expect(arr(full.outputStateOut)).toEqual(arr(last.outputStateOut));
        expect(arr(full.cellStateOut)).toEqual(arr(last.cellStateOut));
      }),
      fcParams(),
    );
  });

  it('a float16 model computes the float32 result on the same values, rounded to binary16 once at the end', async () => {
    const driver = new ReferenceDriver();
    await fc.assert(
      fc.asyncProperty(uniArb({ stateOutputs: true }), seedArb, async (c, seed) => {
        const m16 = synthSequenceModel({ ...c, dtype: 'float16' }, seed);
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
        for (let k = 0; k < o16.length; k++) expect(arr(o16[k]!.values)).toEqual(arr(o32[k]!.values).map(roundToFloat16));
      }),
      fcParams(),
    );
  });
});

describe('BIDIRECTIONAL_SEQUENCE_LSTM invariants', () => {
  it('bidirectional without aux equals forward unidirectional + backward unidirectional on the reversed sequence, re-reversed', () => {
    fc.assert(
      fc.property(biArb({ linking: 'none', mergeOutputs: false }), seedArb, (c, seed) => {
        const { shape, tensors } = bi(c, seed);
        const { maxTime: T, batchSize: B, inputSize: I, timeMajor } = shape;
        const r = bidirectionalSequenceLstm(shape, tensors);
        const fw = unidirectionalSequenceLstm(directionShape(shape, shape.fw), withInput(tensors.fw, tensors.input));
        const bw = unidirectionalSequenceLstm(directionShape(shape, shape.bw), withInput(tensors.bw, reverseTime(tensors.input, T, B, timeMajor, I)));
        expect(arr(r.fwOutput)).toEqual(arr(fw.output));
        expect(arr(r.bwOutput!)).toEqual(arr(reverseTime(bw.output, T, B, timeMajor, shape.bw.outputSize)));
        expect(arr(r.fwOutputStateOut)).toEqual(arr(fw.outputStateOut));
        expect(arr(r.fwCellStateOut)).toEqual(arr(fw.cellStateOut));
        expect(arr(r.bwOutputStateOut)).toEqual(arr(bw.outputStateOut));
        expect(arr(r.bwCellStateOut)).toEqual(arr(bw.cellStateOut));
      }),
      fcParams(),
    );
  });

  it('merged output equals the concatenation of the unmerged outputs', () => {
    fc.assert(
      fc.property(biArb({ mergeOutputs: true }), seedArb, (c, seed) => {
        const { shape, tensors } = bi(c, seed);
        const merged = bidirectionalSequenceLstm(shape, tensors);
        const split = bidirectionalSequenceLstm({ ...shape, mergeOutputs: false }, tensors);
        const fwO = shape.fw.outputSize;
        const bwO = shape.bw.outputSize;
        const concat: number[] = [];
        for (let r = 0; r < shape.maxTime * shape.batchSize; r++) {
          concat.push(...split.fwOutput.subarray(r * fwO, (r + 1) * fwO), ...split.bwOutput!.subarray(r * bwO, (r + 1) * bwO));
        }
        expect(arr(merged.fwOutput)).toEqual(concat);
        expect(arr(merged.bwOutputStateOut)).toEqual(arr(split.bwOutputStateOut));
      }),
      fcParams(),
    );
  });

  it('time-major and batch-major give identical bidirectional results on transposed data', () => {
    fc.assert(
      fc.property(biArb({ timeMajor: true }), seedArb, (c, seed) => {
        const { shape, tensors } = bi(c, seed);
        const { maxTime: T, batchSize: B, inputSize: I, auxInputSize: A } = shape;
        const tm = bidirectionalSequenceLstm(shape, tensors);
        const bm = bidirectionalSequenceLstm(
          { ...shape, timeMajor: false },
          { ...tensors, input: transpose(tensors.input, T, B, true, I), aux_input: tensors.aux_input && transpose(tensors.aux_input, T, B, true, A) },
        );
        const fwRow = shape.mergeOutputs ? shape.fw.outputSize + shape.bw.outputSize : shape.fw.outputSize;
        expect(arr(bm.fwOutput)).toEqual(arr(transpose(tm.fwOutput, T, B, true, fwRow)));
        if (tm.bwOutput) expect(arr(bm.bwOutput!)).toEqual(arr(transpose(tm.bwOutput, T, B, true, shape.bw.outputSize)));
        expect(arr(bm.bwCellStateOut)).toEqual(arr(tm.bwCellStateOut));
      }),
      fcParams(),
    );
  });

  it("state outputs equal the last step's state: forward after t = T−1, backward after t = 0", () => {
    fc.assert(
      fc.property(biArb({ mergeOutputs: false }), seedArb, (c, seed) => {
        const { shape, tensors } = bi(c, seed);
        const { maxTime: T, batchSize: B, timeMajor } = shape;
        const r = bidirectionalSequenceLstm(shape, tensors);
        expect(arr(r.fwOutputStateOut)).toEqual(arr(stepRows(r.fwOutput, T, B, timeMajor, T - 1, shape.fw.outputSize)));
        expect(arr(r.bwOutputStateOut)).toEqual(arr(stepRows(r.bwOutput!, T, B, timeMajor, 0, shape.bw.outputSize)));
      }),
      fcParams(),
    );
  });

  it('parallel linking runs the backward direction on aux_input and the forward direction on input alone', () => {
    fc.assert(
      fc.property(biArb({ linking: 'parallel', mergeOutputs: false }), seedArb, (c, seed) => {
        const { shape, tensors } = bi(c, seed);
        const { maxTime: T, batchSize: B, timeMajor, auxInputSize: A } = shape;
        const r = bidirectionalSequenceLstm(shape, tensors);
        const fw = unidirectionalSequenceLstm(directionShape(shape, shape.fw), withInput(tensors.fw, tensors.input));
        const bw = unidirectionalSequenceLstm(directionShape(shape, shape.bw), withInput(tensors.bw, reverseTime(tensors.aux_input!, T, B, timeMajor, A)));
        expect(arr(r.fwOutput)).toEqual(arr(fw.output));
        expect(arr(r.bwOutput!)).toEqual(arr(reverseTime(bw.output, T, B, timeMajor, shape.bw.outputSize)));
        expect(arr(r.bwCellStateOut)).toEqual(arr(bw.cellStateOut));
      }),
      fcParams(),
    );
  });

  it('cross linking equals appending aux_input to the input and the aux weights to the input weights', () => {
    fc.assert(
      fc.property(biArb({ linking: 'cross', mergeOutputs: false }), seedArb, (c, seed) => {
        const { shape, tensors } = bi(c, seed);
        const { maxTime: T, batchSize: B, inputSize: I, auxInputSize: A, timeMajor } = shape;
        const r = bidirectionalSequenceLstm(shape, tensors);
        // [x_t | aux_t] rows, and each gate's [W_x | W_aux] rows: the float32 sums run in the same order.
        const joined = new Float32Array(T * B * (I + A));
        for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
          const to = rowAt(T, B, timeMajor, t, b, I + A);
          joined.set(tensors.input.subarray(rowAt(T, B, timeMajor, t, b, I), rowAt(T, B, timeMajor, t, b, I) + I), to);
          joined.set(tensors.aux_input!.subarray(rowAt(T, B, timeMajor, t, b, A), rowAt(T, B, timeMajor, t, b, A) + A), to + I);
        }
        const join = (w: Float32Array | null, aux: Float32Array | null, N: number): Float32Array | null => {
          if (w === null || aux === null) return null;
          const out = new Float32Array(N * (I + A));
          for (let n = 0; n < N; n++) {
            out.set(w.subarray(n * I, (n + 1) * I), n * (I + A));
            out.set(aux.subarray(n * A, (n + 1) * A), n * (I + A) + I);
          }
          return out;
        };
        /** One direction as a unidirectional LSTM over the joined rows. */
        const direction = (cellShape: LstmShape, cell: CellTensors, aux: NonNullable<BiSequenceLstmTensors['fw_aux']>, input: Float32Array) => {
          const N = cellShape.numUnits;
          return unidirectionalSequenceLstm(
            { ...directionShape(shape, cellShape), inputSize: I + A },
            {
              ...cell,
              input,
              input_to_input_weights: join(cell.input_to_input_weights, aux.input_to_input_weights, N),
              input_to_forget_weights: join(cell.input_to_forget_weights, aux.input_to_forget_weights, N)!,
              input_to_cell_weights: join(cell.input_to_cell_weights, aux.input_to_cell_weights, N)!,
              input_to_output_weights: join(cell.input_to_output_weights, aux.input_to_output_weights, N)!,
            },
          );
        };
        const fw = direction(shape.fw, tensors.fw, tensors.fw_aux!, joined);
        // The backward direction sees the same joined rows in reverse time order.
        const bw = direction(shape.bw, tensors.bw, tensors.bw_aux!, reverseTime(joined, T, B, timeMajor, I + A));
        expect(arr(r.fwOutput)).toEqual(arr(fw.output));
        expect(arr(r.fwCellStateOut)).toEqual(arr(fw.cellStateOut));
        expect(arr(r.bwOutput!)).toEqual(arr(reverseTime(bw.output, T, B, timeMajor, shape.bw.outputSize)));
        expect(arr(r.bwCellStateOut)).toEqual(arr(bw.cellStateOut));
      }),
      fcParams(),
    );
  });
});
