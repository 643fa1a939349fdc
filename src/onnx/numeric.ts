/**
 * The numeric check of one ONNX LSTM node cut out of its model with its real weights: a one-node model (the node's
 * attributes, W/R/B/P as initializers, X and the initial states as graph inputs; src/onnx/writer.ts) runs in ONNX
 * Runtime, and the reference (src/ops/onnx-lstm) computes the same node. Several seeds, each a stream of frames:
 * frame k starts from frame k − 1's Y_h / Y_c — each side carrying its own — so a drift would compound; every
 * frame's Y, Y_h and Y_c are compared with the float32 harness criterion (expected = reference, actual = ORT).
 * Without ONNX Runtime the verdict is `skipped` with the one-line install hint.
 */
import { rng, uniform } from '../conformance/synth.js';
import { FLOAT32_CRITERION } from '../conformance/tolerance.js';
import { computeOnnxLstm, type OnnxLstmOptions } from '../ops/onnx-lstm/compute.js';
import type { OnnxLstmAttributes, OnnxLstmInputs, OnnxLstmTensor } from '../ops/onnx-lstm/types.js';
import { compareLstmOutputs, fmtNumber, mergeStats, NO_ERROR, type ErrorStats } from './compare.js';
import type { OnnxNodeConstants } from './mapping.js';
import { loadOnnxRuntime, OnnxRuntimeUnavailable, type OnnxRuntimeFlavor, type OnnxRuntimeHandle, type OnnxRuntimeSession, type OnnxRuntimeTensor } from './runtime.js';
import { singleLstmModel, type SingleLstmSpec } from './writer.js';

/** Options of {@link numericCheckOnnxNode}. */
export interface OnnxNumericOptions {
  /** Input seeds (default 3), from `seed` (default 1). */
  seeds?: number;
  seed?: number;
  /** Frames per seed, states carried (default 20). */
  frames?: number;
  /** X's dims per frame in the node's layout (default [1, 1, input] for layout 0: one step, batch 1, as Silero runs). */
  xDims?: readonly number[];
  /** The node's ai.onnx opset (default 14); the one-node model is written at it (7 → 7, 8–21 → 14, ≥ 22 → 22). */
  opset?: number;
  /** Magnitude of X (default 1) and of the first frame's initial states (default 0.5). */
  inputScale?: number;
  stateScale?: number;
  /** Reference options (e.g. a wrong `conventions`, to see the check fail). */
  reference?: OnnxLstmOptions;
  /** The runtime (default: loadOnnxRuntime('node')). */
  runtime?: OnnxRuntimeHandle;
}

/** One seed's stream. */
export interface OnnxNumericTrial {
  seed: number;
  frames: number;
  stats: ErrorStats;
  pass: boolean;
}

/** The numeric verdict of one node against ONNX Runtime. */
export interface OnnxNumericVerdict {
  status: 'pass' | 'fail' | 'skipped' | 'error';
  /** One line, e.g. `pass (3 seeds × 20 frames, …; max |err| 2.4e-7, max err/tol 0.02)`. */
  summary: string;
  reason?: string;
  /** The runtime compared with, e.g. `onnxruntime-node 1.30.0 (cpu …)`. */
  runtime?: string;
  criterion?: 'float32';
  xDims?: number[];
  trials?: OnnxNumericTrial[];
  /** Worst over every trial. */
  stats?: ErrorStats;
  /** How the inputs were drawn. */
  setup?: string;
  ms?: number;
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');
const tensorOf = (dims: readonly number[], data: ArrayLike<number>): OnnxLstmTensor => ({ dims: [...dims], data: Float32Array.from(data) });
const f32 = (dims: readonly number[], data: ArrayLike<number>): OnnxRuntimeTensor => ({ type: 'float32', dims, data: Float32Array.from(data) });

/** The opset of the one-node model: the writer takes 7, 14 or 22 (the LSTM-7/14/22 schema versions). */
export function lstmSchemaOpset(opset: number | undefined): 7 | 14 | 22 {
  if (opset === undefined) return 14;
  return opset >= 22 ? 22 : opset >= 14 ? 14 : 7;
}

/** `onnxruntime-node 1.30.0 (cpu …)`. */
export function runtimeName(rt: OnnxRuntimeHandle): string {
  return `${rt.flavor === 'node' ? 'onnxruntime-node' : 'onnxruntime-web'} ${rt.version} (${rt.backend})`;
}

/** Loads ONNX Runtime, or the `skipped` verdict naming what to install. */
export async function runtimeOrSkip(rt: OnnxRuntimeHandle | undefined, flavor: OnnxRuntimeFlavor = 'node'): Promise<OnnxRuntimeHandle | OnnxNumericVerdict> {
  if (rt) return rt;
  try {
    return await loadOnnxRuntime(flavor);
  } catch (e) {
    if (e instanceof OnnxRuntimeUnavailable) return { status: 'skipped', reason: e.message, summary: `skipped (${e.message})` };
    return { status: 'error', reason: errText(e), summary: `error (cannot load ONNX Runtime: ${errText(e)})` };
  }
}

/**
 * Reference vs ONNX Runtime on one node cut out with its constants. Never throws for model problems: every
 * outcome is a verdict.
 */
export async function numericCheckOnnxNode(attrs: OnnxLstmAttributes, constants: OnnxNodeConstants, opts: OnnxNumericOptions = {}): Promise<OnnxNumericVerdict> {
  const t0 = Date.now();
  if (!constants.W || !constants.R) return { status: 'skipped', reason: 'W or R is not a constant', summary: 'skipped (W or R is not a constant: the node cannot be cut out with its weights)' };
  const H = attrs.hiddenSize;
  const D = attrs.direction === 'bidirectional' ? 2 : 1;
  const I = constants.W.dims[2]!;
  const xDims = [...(opts.xDims ?? [1, 1, I])];
  const Bt = attrs.layout === 0 ? xDims[1]! : xDims[0]!;
  const stateDims = attrs.layout === 0 ? [D, Bt, H] : [Bt, D, H];
  const rtOrSkip = await runtimeOrSkip(opts.runtime);
  if ('status' in rtOrSkip) return rtOrSkip;
  const rt = rtOrSkip;
  const spec: SingleLstmSpec = {
    attrs,
    inputs: {
      xDims,
      constants: {
        W: constants.W,
        R: constants.R,
        ...(constants.B ? { B: constants.B } : {}),
        ...(constants.P ? { P: constants.P } : {}),
        ...(constants.sequence_lens ? { sequence_lens: constants.sequence_lens } : {}),
      },
      graphInputs: { initial_h: stateDims, initial_c: stateDims },
    },
    opset: lstmSchemaOpset(opts.opset),
    producerName: 'nnlstm numeric check',
  };
  let session: OnnxRuntimeSession;
  try {
    session = await rt.createSession(singleLstmModel(spec).bytes);
  } catch (e) {
    return { status: 'error', reason: `ONNX Runtime refused the cut-out node: ${errText(e)}`, summary: 'error (ONNX Runtime refused the cut-out node)', runtime: runtimeName(rt) };
  }
  const nSeeds = opts.seeds ?? 3;
  const first = opts.seed ?? 1;
  const frames = opts.frames ?? 20;
  const nX = xDims.reduce((a, b) => a * b, 1);
  const nS = stateDims.reduce((a, b) => a * b, 1);
  const weights: Omit<OnnxLstmInputs, 'X'> = { W: constants.W, R: constants.R };
  if (constants.B) weights.B = constants.B;
  if (constants.P) weights.P = constants.P;
  if (constants.sequence_lens) weights.sequence_lens = constants.sequence_lens;
  const trials: OnnxNumericTrial[] = [];
  let stats: ErrorStats = { ...NO_ERROR };
  try {
    for (let s = 0; s < nSeeds; s++) {
      const seed = first + s;
      const next = rng(Math.imul(seed, 0x9e3779b1) ^ 0x1b873593);
      const h0 = uniform(next, nS, opts.stateScale ?? 0.5);
      const c0 = uniform(next, nS, opts.stateScale ?? 0.5);
      let refH: ArrayLike<number> = h0;
      let refC: ArrayLike<number> = c0;
      let ortH: ArrayLike<number> = h0;
      let ortC: ArrayLike<number> = c0;
      let seedStats: ErrorStats = { ...NO_ERROR };
      for (let f = 0; f < frames; f++) {
        const x = uniform(next, nX, opts.inputScale ?? 1);
        const ref = computeOnnxLstm(attrs, { ...weights, X: tensorOf(xDims, x), initial_h: tensorOf(stateDims, refH), initial_c: tensorOf(stateDims, refC) }, opts.reference ?? {});
        const out = await session.run({ X: f32(xDims, x), initial_h: f32(stateDims, ortH), initial_c: f32(stateDims, ortC) });
        const got = { Y: tensorOf(out['Y']!.dims, out['Y']!.data as Float32Array), Y_h: tensorOf(out['Y_h']!.dims, out['Y_h']!.data as Float32Array), Y_c: tensorOf(out['Y_c']!.dims, out['Y_c']!.data as Float32Array) };
        seedStats = mergeStats(seedStats, compareLstmOutputs(ref, got).total);
        refH = ref.Y_h.data;
        refC = ref.Y_c.data;
        ortH = got.Y_h.data;
        ortC = got.Y_c.data;
      }
      trials.push({ seed, frames, stats: seedStats, pass: seedStats.failing === 0 && !Number.isNaN(seedStats.maxAbsError) });
      stats = mergeStats(stats, seedStats);
    }
  } catch (e) {
    return { status: 'error', reason: errText(e), summary: `error (${errText(e)})`, runtime: runtimeName(rt), trials };
  } finally {
    await session.release();
  }
  const pass = trials.every((t) => t.pass);
  const ms = Date.now() - t0;
  const setup = `X uniform ±${opts.inputScale ?? 1} of dims [${xDims.join(', ')}] per frame; first-frame states uniform ±${opts.stateScale ?? 0.5}, then each side's own Y_h/Y_c carried`;
  return {
    status: pass ? 'pass' : 'fail',
    summary: `${pass ? 'pass' : 'FAIL'} (${nSeeds} seed(s) × ${frames} frames, states carried; max |err| ${fmtNumber(stats.maxAbsError)}, max rel ${fmtNumber(stats.maxRelError)}, max err/tol ${fmtNumber(stats.maxRatio)} with the ${FLOAT32_CRITERION.name} criterion)`,
    runtime: runtimeName(rt),
    criterion: 'float32',
    xDims,
    trials,
    stats,
    setup,
    ms,
    ...(pass ? {} : { reason: `${trials.filter((t) => !t.pass).length}/${trials.length} seed(s) outside the float32 criterion` }),
  };
}
