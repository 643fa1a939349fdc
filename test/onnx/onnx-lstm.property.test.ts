/**
 * Invariants of the ONNX LSTM reference (src/ops/onnx-lstm), one per test. Comparisons between two runs of
 * the same float32 arithmetic are bit-exact; the fast path and the float64 oracle are compared within the
 * float32 harness tolerance. Replay: FC_SEED=<seed> FC_PATH=<path> npx vitest run test/onnx/onnx-lstm.property.test.ts
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FLOAT32_CRITERION } from '../../src/conformance/tolerance.js';
import { computeOnnxLstm } from '../../src/ops/onnx-lstm/compute.js';
import { prepareOnnxLstm } from '../../src/ops/onnx-lstm/prepared.js';
import type { OnnxLstmInputs, OnnxLstmOutputs, OnnxLstmTensor } from '../../src/ops/onnx-lstm/types.js';
import { fcParams } from '../fc-params.js';
import { ALL, lstmCaseArb } from './reference-arbitraries.js';
import { oracleLstm } from './reference-oracle.js';

const within = (actual: ArrayLike<number>, expected: ArrayLike<number>): boolean => {
  if (actual.length !== expected.length) return false;
  for (let k = 0; k < expected.length; k++) {
    const e = expected[k]!;
    if (!(Math.abs(actual[k]! - e) <= FLOAT32_CRITERION.atol + FLOAT32_CRITERION.rtol * Math.abs(e))) return false;
  }
  return true;
};
const same = (a: OnnxLstmOutputs, b: OnnxLstmOutputs): void => {
  for (const k of ['Y', 'Y_h', 'Y_c'] as const) {
    expect(a[k].dims).toEqual(b[k].dims);
    expect(Array.from(a[k].data), k).toEqual(Array.from(b[k].data));
  }
};
/** X's time step t of batch row b (layout 0), as a view. */
const xRow = (X: OnnxLstmTensor, B: number, I: number, t: number, b: number) => X.data.subarray((t * B + b) * I, (t * B + b + 1) * I);

describe('ONNX LSTM reference invariants', () => {
  it('the fast path agrees with the plain float32 path within the harness tolerance (every activation)', () => {
    fc.assert(
      fc.property(lstmCaseArb({ activations: ALL }), (c) => {
        const plain = computeOnnxLstm(c.attrs, c.inputs);
        const fast = computeOnnxLstm(c.attrs, c.inputs, { fast: true });
        for (const k of ['Y', 'Y_h', 'Y_c'] as const) {
          expect(fast[k].dims).toEqual(plain[k].dims);
          expect(within(fast[k].data, plain[k].data), k).toBe(true);
        }
      }),
      fcParams({ numRuns: 200 }),
    );
  });

  it('the float32 path agrees with an independent float64 reading of the doc within the harness tolerance', () => {
    fc.assert(
      fc.property(lstmCaseArb({ layouts: [0] }), (c) => {
        const want = oracleLstm(c.attrs, c.inputs);
        const got = computeOnnxLstm(c.attrs, c.inputs);
        expect(within(got.Y.data, want.Y)).toBe(true);
        expect(within(got.Y_h.data, want.Y_h)).toBe(true);
        expect(within(got.Y_c.data, want.Y_c)).toBe(true);
      }),
      fcParams({ numRuns: 150 }),
    );
  });

  it('reverse equals forward on each row reversed within its length (Y reversed back)', () => {
    fc.assert(
      fc.property(lstmCaseArb({ directions: ['reverse'], layouts: [0] }), (c) => {
        const { S, B, I, H } = c;
        const lens = c.inputs.sequence_lens?.data ?? new Int32Array(B).fill(S);
        const Xr = new Float32Array(c.inputs.X.data.length);
        for (let b = 0; b < B; b++) for (let t = 0; t < S; t++) Xr.set(xRow(c.inputs.X, B, I, t < lens[b]! ? lens[b]! - 1 - t : t, b), (t * B + b) * I);
        const rev = computeOnnxLstm(c.attrs, c.inputs);
        const fwd = computeOnnxLstm({ ...c.attrs, direction: 'forward' }, { ...c.inputs, X: { dims: c.inputs.X.dims, data: Xr } });
        expect(Array.from(rev.Y_h.data)).toEqual(Array.from(fwd.Y_h.data));
        expect(Array.from(rev.Y_c.data)).toEqual(Array.from(fwd.Y_c.data));
        for (let b = 0; b < B; b++)
          for (let t = 0; t < S; t++) {
            const tf = t < lens[b]! ? lens[b]! - 1 - t : t;
            expect(Array.from(rev.Y.data.subarray((t * B + b) * H, (t * B + b + 1) * H))).toEqual(Array.from(fwd.Y.data.subarray((tf * B + b) * H, (tf * B + b + 1) * H)));
          }
      }),
      fcParams(),
    );
  });

  it('sequence_lens all equal to seq_length gives exactly the result without sequence_lens', () => {
    fc.assert(
      fc.property(lstmCaseArb({ lens: false }), (c) => {
        const full = { ...c.inputs, sequence_lens: { dims: [c.B], data: new Int32Array(c.B).fill(c.S) } };
        same(computeOnnxLstm(c.attrs, full), computeOnnxLstm(c.attrs, c.inputs));
      }),
      fcParams(),
    );
  });

  it('bidirectional is forward with direction 0’s tensors and activations ⊕ reverse with direction 1’s', () => {
    fc.assert(
      fc.property(lstmCaseArb({ directions: ['bidirectional'], layouts: [0] }), (c) => {
        const { S, B, H } = c;
        const half = (t: OnnxLstmTensor | undefined, d: number): OnnxLstmTensor | undefined => {
          if (!t) return undefined;
          const n = t.data.length / 2;
          return { dims: [1, ...t.dims.slice(1)], data: t.data.slice(d * n, (d + 1) * n) };
        };
        const dir = (d: number): OnnxLstmInputs => {
          const i: OnnxLstmInputs = { X: c.inputs.X, W: half(c.inputs.W, d)!, R: half(c.inputs.R, d)! };
          for (const k of ['B', 'P', 'initial_h', 'initial_c'] as const) if (c.inputs[k]) i[k] = half(c.inputs[k], d);
          if (c.inputs.sequence_lens) i.sequence_lens = c.inputs.sequence_lens;
          return i;
        };
        const bi = computeOnnxLstm(c.attrs, c.inputs);
        const fw = computeOnnxLstm({ ...c.attrs, direction: 'forward', activations: c.attrs.activations.slice(0, 3) }, dir(0));
        const bw = computeOnnxLstm({ ...c.attrs, direction: 'reverse', activations: c.attrs.activations.slice(3, 6) }, dir(1));
        expect(Array.from(bi.Y_h.data)).toEqual([...fw.Y_h.data, ...bw.Y_h.data]);
        expect(Array.from(bi.Y_c.data)).toEqual([...fw.Y_c.data, ...bw.Y_c.data]);
        for (let t = 0; t < S; t++) {
          expect(Array.from(bi.Y.data.subarray((t * 2) * B * H, (t * 2 + 1) * B * H))).toEqual(Array.from(fw.Y.data.subarray(t * B * H, (t + 1) * B * H)));
          expect(Array.from(bi.Y.data.subarray((t * 2 + 1) * B * H, (t * 2 + 2) * B * H))).toEqual(Array.from(bw.Y.data.subarray(t * B * H, (t + 1) * B * H)));
        }
      }),
      fcParams(),
    );
  });

  it('streaming: two runs with Y_h/Y_c carried equal one run over the whole sequence (plain and prepared)', () => {
    fc.assert(
      fc.property(lstmCaseArb({ directions: ['forward'], layouts: [0], lens: false }).filter((c) => c.S >= 2), fc.nat(), (c, cut) => {
        const k = 1 + (cut % (c.S - 1));
        const { B, I, H } = c;
        const part = (from: number, to: number): OnnxLstmTensor => ({ dims: [to - from, B, I], data: c.inputs.X.data.slice(from * B * I, to * B * I) });
        const whole = computeOnnxLstm(c.attrs, c.inputs);
        const first = computeOnnxLstm(c.attrs, { ...c.inputs, X: part(0, k) });
        const second = computeOnnxLstm(c.attrs, { ...c.inputs, X: part(k, c.S), initial_h: first.Y_h as OnnxLstmTensor, initial_c: first.Y_c as OnnxLstmTensor });
        expect(Array.from(second.Y_h.data)).toEqual(Array.from(whole.Y_h.data));
        expect(Array.from(second.Y_c.data)).toEqual(Array.from(whole.Y_c.data));
        expect([...first.Y.data, ...second.Y.data]).toEqual(Array.from(whole.Y.data));
        const p = prepareOnnxLstm(c.attrs, c.inputs);
        const pw = p.run(c.inputs.X, { initial_h: c.inputs.initial_h, initial_c: c.inputs.initial_c });
        const p1 = p.run(part(0, k), { initial_h: c.inputs.initial_h, initial_c: c.inputs.initial_c });
        const p2 = p.run(part(k, c.S), { initial_h: p1.Y_h, initial_c: p1.Y_c });
        expect(Array.from(p2.Y_h.data)).toEqual(Array.from(pw.Y_h.data));
        expect(Array.from(p2.Y_c.data)).toEqual(Array.from(pw.Y_c.data));
        void H;
      }),
      fcParams(),
    );
  });

  it('padding: X past a row’s sequence length changes no output', () => {
    fc.assert(
      fc.property(lstmCaseArb({ layouts: [0] }).filter((c) => c.inputs.sequence_lens !== undefined), (c) => {
        const { S, B, I } = c;
        const lens = c.inputs.sequence_lens!.data;
        const X2 = Float32Array.from(c.inputs.X.data);
        for (let b = 0; b < B; b++) for (let t = lens[b]!; t < S; t++) X2.fill(t + 100 * b + 7, (t * B + b) * I, (t * B + b + 1) * I);
        same(computeOnnxLstm(c.attrs, { ...c.inputs, X: { dims: c.inputs.X.dims, data: X2 } }), computeOnnxLstm(c.attrs, c.inputs));
      }),
      fcParams(),
    );
  });

  it('batch rows are independent: each row alone gives that row of the batched result', () => {
    fc.assert(
      fc.property(lstmCaseArb({ layouts: [0] }).filter((c) => c.B >= 2), (c) => {
        const { S, B, I, H, D } = c;
        const all = computeOnnxLstm(c.attrs, c.inputs);
        for (let b = 0; b < B; b++) {
          const X = new Float32Array(S * I);
          for (let t = 0; t < S; t++) X.set(xRow(c.inputs.X, B, I, t, b), t * I);
          const st = (t?: OnnxLstmTensor): OnnxLstmTensor | undefined => {
            if (!t) return undefined;
            const out = new Float32Array(D * H);
            for (let d = 0; d < D; d++) out.set(t.data.subarray((d * B + b) * H, (d * B + b + 1) * H), d * H);
            return { dims: [D, 1, H], data: out };
          };
          const one = computeOnnxLstm(c.attrs, {
            ...c.inputs,
            X: { dims: [S, 1, I], data: X },
            initial_h: st(c.inputs.initial_h),
            initial_c: st(c.inputs.initial_c),
            sequence_lens: c.inputs.sequence_lens ? { dims: [1], data: Int32Array.of(c.inputs.sequence_lens.data[b]!) } : undefined,
          });
          for (let d = 0; d < D; d++) {
            expect(Array.from(one.Y_h.data.subarray(d * H, (d + 1) * H))).toEqual(Array.from(all.Y_h.data.subarray((d * B + b) * H, (d * B + b + 1) * H)));
            expect(Array.from(one.Y_c.data.subarray(d * H, (d + 1) * H))).toEqual(Array.from(all.Y_c.data.subarray((d * B + b) * H, (d * B + b + 1) * H)));
            for (let t = 0; t < S; t++)
              expect(Array.from(one.Y.data.subarray((t * D + d) * H, (t * D + d + 1) * H))).toEqual(Array.from(all.Y.data.subarray(((t * D + d) * B + b) * H, ((t * D + d) * B + b + 1) * H)));
          }
        }
      }),
      fcParams(),
    );
  });
});
