/**
 * The ONNX LSTM reference, plain path: one batch row at a time, one step at a time, every float32
 * operation rounded where a C++ `float` expression rounds. The same code computes in float64 when
 * `round` is the identity.
 *
 * Per gate and unit, the pre-activation is summed in this order (ONNX Runtime's structure: a GEMM of X
 * with W, a second GEMM of H with R accumulated into it, then the peephole, then the pre-summed bias):
 *   sx = Σ_j x_j·W[u,j]   (left to right, rounded after each product and each add)
 *   sh = Σ_j h_j·R[u,j]   (likewise)
 *   z  = (sx + sh) + P⊙C  + (Wb + Rb)
 * then clip (when set) and the activation. C_t = f⊙C_{t−1} + i⊙g, H_t = o⊙h(C_t).
 */
import { activationFunction, type ScalarFn } from './activations.js';
import { resolveConventions, type LstmConventions } from './conventions.js';
import { offsets, onnxLstmShape, outputDims, type OnnxLstmShape } from './shapes.js';
import { prepareOnnxLstm } from './prepared.js';
import type { OnnxLstmAttributes, OnnxLstmInputs, OnnxLstmOutputs } from './types.js';
import { GATE_C, GATE_F, GATE_I, GATE_O, unpackDirection, type DirectionWeights, type FloatArray, type FloatArrayCtor } from './weights.js';

/** How to compute. */
export interface OnnxLstmOptions {
  /** 'float32' (default): exact float32 arithmetic; 'float64': the same formulas in double (for derivations). */
  precision?: 'float32' | 'float64';
  /** Use the prepared, preallocated path (float32 only; agrees with the plain path within the harness tolerance). */
  fast?: boolean;
  /** Override ONNX's conventions (gate packing, peephole timing, clip placement, coupled gate). */
  conventions?: Partial<LstmConventions>;
}

/** Everything one direction's step needs, fixed for a run. */
interface DirectionContext {
  w: DirectionWeights;
  f: ScalarFn;
  g: ScalarFn;
  h: ScalarFn;
  reverse: boolean;
}

/**
 * Evaluate one ONNX LSTM node: Y, Y_h and Y_c (all three, in the node's layout).
 * Throws {@link OnnxLstmShapeError} on inconsistent shapes.
 */
export function computeOnnxLstm(attrs: OnnxLstmAttributes, inputs: OnnxLstmInputs, options: OnnxLstmOptions = {}): OnnxLstmOutputs {
  if (options.fast) {
    if (options.precision === 'float64') throw new Error('ONNX LSTM: the fast path computes in float32 only');
    return fastPath(attrs, inputs, options);
  }
  const conv = resolveConventions(options.conventions);
  const f64 = options.precision === 'float64';
  const ctor: FloatArrayCtor = f64 ? Float64Array : Float32Array;
  const round: (x: number) => number = f64 ? (x) => x : Math.fround;
  const shape = onnxLstmShape(attrs, inputs);
  const { seqLength: S, batchSize: Bt, inputSize: I, hiddenSize: H, numDirections: D } = shape;

  const X = ctor.from(inputs.X.data);
  const h0 = inputs.initial_h ? ctor.from(inputs.initial_h.data) : null;
  const c0 = inputs.initial_c ? ctor.from(inputs.initial_c.data) : null;
  const dims = outputDims(shape);
  const Y = new ctor(S * D * Bt * H);
  const Yh = new ctor(D * Bt * H);
  const Yc = new ctor(D * Bt * H);

  const dirs: DirectionContext[] = [];
  for (let d = 0; d < D; d++) {
    const acts = attrs.activations.slice(3 * d, 3 * d + 3);
    dirs.push({
      w: unpackDirection(d, H, I, inputs, conv, ctor),
      f: activationFunction(acts[0]!, round),
      g: activationFunction(acts[1]!, round),
      h: activationFunction(acts[2]!, round),
      reverse: attrs.direction === 'reverse' || d === 1,
    });
  }

  const st: StepState = {
    x: new ctor(I),
    h: new ctor(H),
    c: new ctor(H),
    gates: [new ctor(H), new ctor(H), new ctor(H), new ctor(H)],
  };
  for (let d = 0; d < D; d++) {
    const dir = dirs[d]!;
    for (let b = 0; b < Bt; b++) {
      const len = inputs.sequence_lens ? inputs.sequence_lens.data[b]! : S;
      const so = offsets.state(shape, d, b);
      if (h0) st.h.set(h0.subarray(so, so + H));
      else st.h.fill(0);
      if (c0) st.c.set(c0.subarray(so, so + H));
      else st.c.fill(0);
      // Steps past a row's length are skipped: their Y stays zero, and the reverse direction starts at len − 1.
      for (let k = 0; k < len; k++) {
        const t = dir.reverse ? len - 1 - k : k;
        const xo = offsets.x(shape, t, b);
        st.x.set(X.subarray(xo, xo + I));
        step(st, dir, attrs, conv, I, H, round);
        Y.set(st.h, offsets.y(shape, t, d, b));
      }
      // A row of length 0 (ONNX Runtime): both final states zero; 'initial' keeps the initial state.
      if (len > 0 || conv.emptySequenceState === 'initial') {
        Yh.set(st.h, so);
        Yc.set(st.c, so);
      }
    }
  }
  return { Y: { dims: dims.Y, data: Y }, Y_h: { dims: dims.state, data: Yh }, Y_c: { dims: [...dims.state], data: Yc } };
}

interface StepState {
  x: FloatArray;
  h: FloatArray;
  c: FloatArray;
  gates: FloatArray[];
}

/** One time step for one batch row; updates st.h and st.c in place. */
function step(st: StepState, dir: DirectionContext, attrs: OnnxLstmAttributes, conv: LstmConventions, I: number, H: number, r: (x: number) => number): void {
  const { x, h, c, gates } = st;
  const { W, R, bias, P } = dir.w;
  // x·W then h·R, each summed left to right, for every gate.
  for (let q = 0; q < 4; q++) {
    const Wq = W[q]!;
    const Rq = R[q]!;
    const z = gates[q]!;
    for (let u = 0; u < H; u++) {
      let sx = 0;
      for (let j = 0, o = u * I; j < I; j++) sx = r(sx + r(x[j]! * Wq[o + j]!));
      let sh = 0;
      for (let j = 0, o = u * H; j < H; j++) sh = r(sh + r(h[j]! * Rq[o + j]!));
      z[u] = r(sx + sh);
    }
  }
  const clipGates = attrs.clip !== undefined && conv.clip !== 'cell-state' ? r(attrs.clip) : undefined;
  const clipH = attrs.clip !== undefined && conv.clip === 'all-activation-inputs' ? r(attrs.clip) : undefined;
  // Peephole, bias, clip, activation for one gate, in place; `cell` is the state its peephole reads.
  const finish = (q: number, peep: number, cell: FloatArray | null, act: ScalarFn): void => {
    const z = gates[q]!;
    const p = P && cell && peep >= 0 ? P[peep]! : null;
    const bq = bias ? bias[q]! : null;
    for (let u = 0; u < H; u++) {
      let v = z[u]!;
      if (p) v = r(v + r(p[u]! * cell![u]!));
      if (bq) v = r(v + bq[u]!);
      if (clipGates !== undefined) v = v > clipGates ? clipGates : v < -clipGates ? -clipGates : v;
      z[u] = act(v);
    }
  };
  const gi = gates[GATE_I]!;
  const gf = gates[GATE_F]!;
  const coupled = attrs.inputForget === 1;
  if (coupled && conv.coupledGate === 'input-from-forget') {
    finish(GATE_F, 2, c, dir.f);
    for (let u = 0; u < H; u++) gi[u] = r(1 - gf[u]!);
  } else {
    finish(GATE_I, 0, c, dir.f);
    if (coupled) for (let u = 0; u < H; u++) gf[u] = r(1 - gi[u]!);
    else finish(GATE_F, 2, c, dir.f);
  }
  finish(GATE_C, -1, null, dir.g);
  // The peephole of the output gate reads C_t (ONNX) or C_{t−1} (WebNN's emulation): keep the old one if needed.
  const gc = gates[GATE_C]!;
  const go = gates[GATE_O]!;
  if (conv.outputPeephole === 'C_prev') finish(GATE_O, 1, c, dir.f);
  const cellClip = attrs.clip !== undefined && conv.clip === 'cell-state' ? r(attrs.clip) : undefined;
  for (let u = 0; u < H; u++) {
    let v = r(r(gf[u]! * c[u]!) + r(gi[u]! * gc[u]!));
    if (cellClip !== undefined) v = v > cellClip ? cellClip : v < -cellClip ? -cellClip : v;
    c[u] = v;
  }
  if (conv.outputPeephole === 'C_t') finish(GATE_O, 1, c, dir.f);
  for (let u = 0; u < H; u++) {
    const cu = c[u]!;
    h[u] = r(go[u]! * dir.h(clipH === undefined ? cu : cu > clipH ? clipH : cu < -clipH ? -clipH : cu));
  }
}

/** The fast path as a one-off: prepare (pack the weights), run once. Streaming callers keep the prepared object. */
function fastPath(attrs: OnnxLstmAttributes, inputs: OnnxLstmInputs, options: OnnxLstmOptions): OnnxLstmOutputs {
  const prepared = prepareOnnxLstm(attrs, inputs, { conventions: options.conventions });
  return prepared.run(inputs.X, { sequence_lens: inputs.sequence_lens, initial_h: inputs.initial_h, initial_c: inputs.initial_c });
}

export type { OnnxLstmShape };
