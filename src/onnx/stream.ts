/**
 * The whole-model numeric check of a streaming ONNX model such as Silero VAD: a seeded audio-like signal goes
 * through the real model in ONNX Runtime frame by frame (512 samples at 16 kHz, 256 at 8 kHz), the model's state
 * outputs carried into its state inputs, and every LSTM node's real inputs and outputs are tapped (./taps.ts). The
 * reference recomputes each tapped LSTM from its tapped X, initial_h and initial_c with the node's resolved
 * weights, and is compared with the tapped Y, Y_h and Y_c (float32 harness criterion; expected = reference).
 *
 * Besides the per-frame comparison it checks the carry: the initial states a node receives at frame k are
 * compared with the reference's final states of frame k − 1. This confirms that the model's state path between
 * calls (state output → state input → Gather/Unsqueeze) hands over what the LSTM computed. The reference cannot run
 * the whole stream alone, because the rest of the model (convolutions, the If logic) is ONNX Runtime's. The cut-out
 * check (./numeric.ts) covers the reference carrying its own states.
 *
 * Silero's second LSTM path (its `If` on "state has 0 rows") is reached by a stream whose first frame has empty
 * states; the declared state shape [2, …] forbids that, so that stream runs on a copy with the state inputs'
 * declared shape relaxed (the first call of a fresh detector in the model's own logic).
 */
import { computeOnnxLstm, type OnnxLstmOptions } from '../ops/onnx-lstm/compute.js';
import type { OnnxLstmAttributes, OnnxLstmInputs, OnnxLstmOutputs, OnnxLstmTensor } from '../ops/onnx-lstm/types.js';
import { rng } from '../conformance/synth.js';
import { compareLstmOutputs, compareTensors, fmtNumber, mergeStats, NO_ERROR, type ErrorStats } from './compare.js';
import type { OnnxNodeConstants } from './mapping.js';
import type { OnnxModel, OnnxValueInfo } from './model.js';
import type { OnnxRuntimeHandle, OnnxRuntimeSession, OnnxRuntimeTensor } from './runtime.js';
import { instrumentLstmTaps, type TappedLstm } from './taps.js';

/** How to feed a streaming model: its audio input, sample-rate input and carried state pairs. */
export interface StreamSpec {
  /** Float input of rank 2 ([batch, samples]). */
  audio: string;
  /** int64 scalar sample-rate input, if the model has one. */
  sampleRate?: string;
  /** State inputs and the outputs that carry them to the next call, with the input's dims (symbolic dims = 1). */
  states: { input: string; output: string; dims: number[] }[];
}

/**
 * Recognizes a Silero-style streaming model from its graph inputs and outputs: one float [batch, samples] input,
 * an optional int64 scalar `sr`, float state inputs, and as many outputs after the first as state inputs (in the
 * same order: v5 `state` → `stateN`; legacy `h`, `c` → `hn`, `cn`). A reason when the graph does not look so.
 */
export function streamSpecOf(model: OnnxModel): StreamSpec | { reason: string } {
  const g = model.graph;
  const initializers = new Set(g.initializers.map((t) => t.name));
  const inputs = g.inputs.filter((i) => !initializers.has(i.name));
  const isFloat = (v: OnnxValueInfo) => v.elemType === 'FLOAT';
  const audio = inputs.find((v) => isFloat(v) && v.shape?.length === 2);
  if (!audio) return { reason: 'no float input of rank 2 ([batch, samples]) to feed audio into' };
  const sr = inputs.find((v) => v.elemType === 'INT64' && (v.shape?.length ?? 0) <= 1);
  const rest = inputs.filter((v) => v !== audio && v !== sr);
  if (rest.some((v) => !isFloat(v) || !v.shape)) return { reason: `inputs ${rest.filter((v) => !isFloat(v) || !v.shape).map((v) => v.name).join(', ')} are not float tensors of known rank` };
  const outs = g.outputs.slice(1);
  if (rest.length === 0 || outs.length !== rest.length) return { reason: `${rest.length} state input(s) and ${outs.length} output(s) after the first: not a stream with carried states` };
  const spec: StreamSpec = {
    audio: audio.name,
    states: rest.map((v, k) => ({ input: v.name, output: outs[k]!.name, dims: v.shape!.map((d) => (typeof d === 'number' ? d : 1)) })),
  };
  if (sr) spec.sampleRate = sr.name;
  return spec;
}

/** One streamed configuration. */
export interface StreamPlan {
  sampleRate: number;
  /** Samples per frame. */
  chunk: number;
  /** `carried`: zero states, then carried; `empty-first`: the first call with 0-row states (the model's fresh start), then carried. */
  start: 'zero' | 'empty';
}

/** The default plans: 16 kHz × 512 and 8 kHz × 256 samples, each from zero states and from empty states. */
export const DEFAULT_STREAM_PLANS: readonly StreamPlan[] = [
  { sampleRate: 16000, chunk: 512, start: 'zero' },
  { sampleRate: 8000, chunk: 256, start: 'zero' },
  { sampleRate: 16000, chunk: 512, start: 'empty' },
  { sampleRate: 8000, chunk: 256, start: 'empty' },
];

/** The LSTM nodes the reference recomputes, keyed by machine path (OnnxLstmSite.machinePath). */
export interface StreamNode {
  machinePath: string;
  attrs: OnnxLstmAttributes;
  constants: OnnxNodeConstants;
}

/** Options of {@link streamCheck}. */
export interface StreamOptions {
  seeds?: number;
  seed?: number;
  /** Frames per seed and plan (default 20). */
  frames?: number;
  plans?: readonly StreamPlan[];
  /** Reference options (a wrong `conventions` makes the check fail). */
  reference?: OnnxLstmOptions;
}

/** Per node: what the stream exercised and how close the reference came. */
export interface StreamNodeResult {
  machinePath: string;
  path: string;
  /** Frames in which this node ran (its branch was taken). */
  frames: number;
  /** Reference vs the tapped Y, Y_h, Y_c. */
  stats: ErrorStats;
  /** Tapped initial states at frame k vs the reference's own final states of frame k − 1 (frames where the node ran twice in a row). */
  carry: ErrorStats;
  /** Frames compared for the carry. */
  carriedFrames: number;
  pass: boolean;
  /** Tapped X dims (the node's real shape). */
  xDims?: number[];
}

/** The verdict of {@link streamCheck}. */
export interface StreamVerdict {
  status: 'pass' | 'fail' | 'skipped' | 'error';
  summary: string;
  reason?: string;
  /** The runtime used, e.g. `onnxruntime-node 1.30.0 (cpu …)`. */
  runtime?: string;
  plans?: StreamPlan[];
  seeds?: number[];
  framesPerPlan?: number;
  /** ONNX Runtime runs of the whole model. */
  runs?: number;
  nodes?: StreamNodeResult[];
  /** LSTMs that could not be tapped, with why. */
  untapped?: { path: string; reason: string }[];
  /** Milliseconds spent. */
  ms?: number;
  setup?: string;
}

/**
 * A seeded audio-like signal: voiced bursts (a 90–250 Hz fundamental with 4 decaying harmonics under a slow
 * envelope) over low noise, amplitude within ±0.6, rounded to float32.
 */
export function audioSignal(seed: number, samples: number, sampleRate: number): Float32Array {
  const next = rng(Math.imul(seed, 0x2545f491) ^ 0x68e31da4);
  const out = new Float32Array(samples);
  let f0 = 90 + 160 * next();
  let phase = 0;
  const burst = Math.round(sampleRate * (0.15 + 0.25 * next()));
  for (let n = 0; n < samples; n++) {
    if (n % burst === 0) f0 = 90 + 160 * next();
    phase += (2 * Math.PI * f0) / sampleRate;
    const env = Math.max(0, Math.sin((Math.PI * (n % burst)) / burst));
    let v = 0;
    for (let h = 1; h <= 4; h++) v += Math.sin(h * phase) / h;
    out[n] = Math.fround(0.3 * env * v + 0.02 * (next() * 2 - 1));
  }
  return out;
}

const asTensor = (t: OnnxRuntimeTensor): OnnxLstmTensor => ({ dims: [...t.dims], data: t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as Float64Array) });
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');

/**
 * Streams the whole model through ONNX Runtime with every LSTM tapped and recomputes each tapped LSTM call with the
 * reference. `bytes` is the original file; `nodes` the LSTM nodes with their attributes and resolved constants.
 */
export async function streamCheck(bytes: Uint8Array, model: OnnxModel, nodes: readonly StreamNode[], rt: OnnxRuntimeHandle, opts: StreamOptions = {}): Promise<StreamVerdict> {
  const t0 = Date.now();
  const spec = streamSpecOf(model);
  if ('reason' in spec) return { status: 'skipped', reason: `not a stream with carried states: ${spec.reason}`, summary: `skipped (not a stream with carried states: ${spec.reason})` };
  const plans = [...(opts.plans ?? DEFAULT_STREAM_PLANS)].filter((p) => p.sampleRate === 16000 || spec.sampleRate !== undefined);
  const frames = opts.frames ?? 20;
  const nSeeds = opts.seeds ?? 3;
  const first = opts.seed ?? 1;
  const byPath = new Map(nodes.map((n) => [n.machinePath, n]));
  let tapped: ReturnType<typeof instrumentLstmTaps>;
  try {
    tapped = instrumentLstmTaps(bytes, { relaxInputs: spec.states.map((s) => s.input) });
  } catch (e) {
    return { status: 'error', reason: `cannot instrument the model: ${errText(e)}`, summary: 'error (cannot instrument the model)' };
  }
  let session: OnnxRuntimeSession;
  try {
    session = await rt.createSession(tapped.bytes);
  } catch (e) {
    return { status: 'error', reason: `ONNX Runtime refused the instrumented model: ${errText(e)}`, summary: 'error (ONNX Runtime refused the instrumented model)' };
  }
  const results = new Map<string, StreamNodeResult & { prev?: OnnxLstmOutputs; prevFrame?: number }>();
  for (const t of tapped.taps) results.set(t.machinePath, { machinePath: t.machinePath, path: t.path, frames: 0, stats: { ...NO_ERROR }, carry: { ...NO_ERROR }, carriedFrames: 0, pass: true });
  const seeds: number[] = [];
  let runs = 0;
  try {
    for (let s = 0; s < nSeeds; s++) {
      const seed = first + s;
      seeds.push(seed);
      for (const [pi, plan] of plans.entries()) {
        const signal = audioSignal(seed * 16 + pi, plan.chunk * frames, plan.sampleRate);
        let states = spec.states.map((st) => (plan.start === 'empty' ? { type: 'float32', dims: [0, ...st.dims.slice(1)], data: new Float32Array(0) } : { type: 'float32', dims: st.dims, data: new Float32Array(st.dims.reduce((a, b) => a * b, 1)) }) as OnnxRuntimeTensor);
        for (const r of results.values()) delete r.prev;
        for (let f = 0; f < frames; f++) {
          const feeds: Record<string, OnnxRuntimeTensor> = { [spec.audio]: { type: 'float32', dims: [1, plan.chunk], data: signal.slice(f * plan.chunk, (f + 1) * plan.chunk) } };
          if (spec.sampleRate) feeds[spec.sampleRate] = { type: 'int64', dims: [], data: BigInt64Array.from([BigInt(plan.sampleRate)]) };
          spec.states.forEach((st, k) => (feeds[st.input] = states[k]!));
          const out = await session.run(feeds);
          runs++;
          for (const t of tapped.taps) checkTap(t, out, byPath.get(t.machinePath), results.get(t.machinePath)!, f, opts.reference);
          states = spec.states.map((st) => out[st.output]!);
        }
      }
    }
  } catch (e) {
    return { status: 'error', reason: errText(e), summary: `error (${errText(e)})` };
  } finally {
    await session.release();
  }
  const list = [...results.values()].map(({ prev: _p, prevFrame: _f, ...r }) => r);
  const reached = list.filter((r) => r.frames > 0);
  const pass = reached.length > 0 && reached.every((r) => r.pass);
  let total: ErrorStats = { ...NO_ERROR };
  for (const r of reached) total = mergeStats(total, r.stats);
  const ms = Date.now() - t0;
  const unreached = list.length - reached.length;
  const scope = `${nSeeds} seed(s) × ${plans.length} stream(s) × ${frames} frames (${plans.map((p) => `${p.sampleRate / 1000} kHz × ${p.chunk}${p.start === 'empty' ? ', empty first state' : ''}`).join('; ')}), ${runs} runs`;
  const verdict: StreamVerdict = {
    status: pass ? 'pass' : 'fail',
    summary: `${pass ? 'pass' : 'FAIL'} (${reached.length}/${list.length} LSTM node(s) reached${unreached ? `, ${unreached} never ran` : ''}; ${scope}; max |err| ${fmtNumber(total.maxAbsError)}, max err/tol ${fmtNumber(total.maxRatio)}; ${(ms / 1000).toFixed(1)} s)`,
    runtime: `${rt.flavor === 'node' ? 'onnxruntime-node' : 'onnxruntime-web'} ${rt.version} (${rt.backend})`,
    plans,
    seeds,
    framesPerPlan: frames,
    runs,
    nodes: list,
    ms,
    setup: `seeded audio-like signal (voiced bursts, ±0.6), state outputs carried into the state inputs; every LSTM's X, initial_h, initial_c, Y, Y_h, Y_c tapped as graph outputs (If branches instrumented)`,
  };
  if (tapped.untapped.length) verdict.untapped = tapped.untapped.map((u) => ({ path: u.path, reason: u.reason }));
  if (reached.length === 0) {
    verdict.status = 'fail';
    verdict.reason = 'no LSTM node ran in the stream';
  }
  return verdict;
}

function checkTap(t: TappedLstm, out: Record<string, OnnxRuntimeTensor>, node: StreamNode | undefined, r: StreamNodeResult & { prev?: OnnxLstmOutputs; prevFrame?: number }, frame: number, reference: OnnxLstmOptions | undefined): void {
  const get = (role: keyof TappedLstm['outputs']) => {
    const name = t.outputs[role];
    const v = name ? out[name] : undefined;
    return v && v.data.length > 0 ? asTensor(v) : undefined;
  };
  const X = get('X');
  if (!X) return; // this branch did not run
  if (!node || !node.constants.W || !node.constants.R) throw new Error(`LSTM ${t.path} ran but its weights are not resolved to constants`);
  const inputs: OnnxLstmInputs = { X, W: node.constants.W, R: node.constants.R };
  if (node.constants.B) inputs.B = node.constants.B;
  if (node.constants.P) inputs.P = node.constants.P;
  if (node.constants.sequence_lens) inputs.sequence_lens = node.constants.sequence_lens;
  const h0 = get('initial_h');
  const c0 = get('initial_c');
  if (h0) inputs.initial_h = h0;
  if (c0) inputs.initial_c = c0;
  const ref = computeOnnxLstm(node.attrs, inputs, reference ?? {});
  const actual: Partial<OnnxLstmOutputs> = {};
  for (const role of ['Y', 'Y_h', 'Y_c'] as const) {
    const v = get(role);
    if (v) actual[role] = v;
  }
  const cmp = compareLstmOutputs(ref, actual);
  r.frames++;
  r.stats = mergeStats(r.stats, cmp.total);
  r.xDims = X.dims;
  if (r.prev && r.prevFrame === frame - 1 && h0 && c0) {
    r.carry = mergeStats(r.carry, mergeStats(compareTensors(r.prev.Y_h.data, h0.data), compareTensors(r.prev.Y_c.data, c0.data)));
    r.carriedFrames++;
  }
  r.prev = ref;
  r.prevFrame = frame;
  r.pass = r.stats.failing === 0 && r.carry.failing === 0 && !Number.isNaN(r.stats.maxAbsError);
}
