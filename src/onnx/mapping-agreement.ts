/**
 * Does the NNAPI model a mapping built compute what the ONNX node computes? Seeded inputs go through the ONNX
 * reference (src/ops/onnx-lstm) and through the NNAPI reference (prepareModel on the mapped model), over several
 * frames with each side carrying its own final states into the next frame; every frame's Y, Y_h and Y_c are
 * compared with the float32 harness criterion (expected = ONNX reference).
 */
import { rng, uniform } from '../conformance/synth.js';
import { FLOAT32_CRITERION } from '../conformance/tolerance.js';
import { prepareModel } from '../drivers/prepared-model.js';
import { computeOnnxLstm, type OnnxLstmOptions } from '../ops/onnx-lstm/compute.js';
import type { OnnxLstmAttributes, OnnxLstmInputs, OnnxLstmTensor } from '../ops/onnx-lstm/types.js';
import { compareLstmOutputs, fmtNumber, mergeStats, NO_ERROR, type ErrorStats } from './compare.js';
import { nnapiInputsFor, onnxOutputsFrom, type ExpressibleMapping, type OnnxNodeConstants } from './mapping.js';

/** Options of {@link checkMappingAgreement}. */
export interface MappingAgreementOptions {
  /** Input seeds (default 3), from `seed` (default 1). */
  seeds?: number;
  seed?: number;
  /** Frames per seed, states carried (default 20). */
  frames?: number;
  /** X's dims for each frame (default: the mapped model's input dims). */
  xDims?: readonly number[];
  /** Magnitude of X (default 1) and of the first frame's initial states (default 0.5). */
  inputScale?: number;
  stateScale?: number;
  /** Options of the ONNX reference (e.g. a wrong `conventions` to see the check fail). */
  reference?: OnnxLstmOptions;
}

/** The verdict of {@link checkMappingAgreement}. */
export interface MappingAgreement {
  status: 'pass' | 'fail' | 'skipped' | 'error';
  summary: string;
  reason?: string;
  seeds?: number[];
  frames?: number;
  /** Worst over every frame and output. */
  stats?: ErrorStats;
  /** Per seed, the worst over its frames. */
  perSeed?: { seed: number; stats: ErrorStats }[];
  criterion?: 'float32';
}

const tensorOf = (dims: number[], data: ArrayLike<number>): OnnxLstmTensor => ({ dims, data: Float32Array.from(data) });

/**
 * Seeded agreement of the ONNX reference and the NNAPI reference on a mapped node. Never throws for model
 * problems: a broken run is an `error` verdict.
 */
export function checkMappingAgreement(attrs: OnnxLstmAttributes, constants: OnnxNodeConstants, mapping: ExpressibleMapping, opts: MappingAgreementOptions = {}): MappingAgreement {
  const model = mapping.model;
  if (!model || !constants.W || !constants.R) return { status: 'skipped', reason: 'no NNAPI model (X shape or weights unknown)', summary: 'skipped (no NNAPI model built)' };
  const nSeeds = opts.seeds ?? 3;
  const first = opts.seed ?? 1;
  const frames = opts.frames ?? 20;
  const inputOperand = model.operands[model.operations[0]!.inputs[0]!]!;
  const xDims = [...(opts.xDims ?? inputOperand.dimensions)];
  const H = attrs.hiddenSize;
  const D = attrs.direction === 'bidirectional' ? 2 : 1;
  const Bt = attrs.layout === 0 ? xDims[1]! : xDims[0]!;
  const stateDims = attrs.layout === 0 ? [D, Bt, H] : [Bt, D, H];
  const nX = xDims.reduce((a, b) => a * b, 1);
  const nS = D * Bt * H;
  const weights: Omit<OnnxLstmInputs, 'X'> = { W: constants.W, R: constants.R };
  if (constants.B) weights.B = constants.B;
  if (constants.P) weights.P = constants.P;
  if (constants.sequence_lens) weights.sequence_lens = constants.sequence_lens;
  let prepared: ReturnType<typeof prepareModel>;
  try {
    prepared = prepareModel(model);
  } catch (e) {
    const m = e instanceof Error ? e.message : String(e);
    return { status: 'error', reason: `the NNAPI reference rejected the mapped model: ${m}`, summary: 'error (the NNAPI reference rejected the mapped model)' };
  }
  let stats: ErrorStats = { ...NO_ERROR };
  const perSeed: { seed: number; stats: ErrorStats }[] = [];
  const seeds: number[] = [];
  try {
    for (let s = 0; s < nSeeds; s++) {
      const seed = first + s;
      seeds.push(seed);
      const next = rng(Math.imul(seed, 0x9e3779b1) ^ 0x5bd1e995);
      let h0 = uniform(next, nS, opts.stateScale ?? 0.5);
      let c0 = uniform(next, nS, opts.stateScale ?? 0.5);
      let hN = h0;
      let cN = c0;
      let seedStats: ErrorStats = { ...NO_ERROR };
      for (let f = 0; f < frames; f++) {
        const X = tensorOf(xDims, uniform(next, nX, opts.inputScale ?? 1));
        const onnx = computeOnnxLstm(attrs, { ...weights, X, initial_h: tensorOf(stateDims, h0), initial_c: tensorOf(stateDims, c0) }, opts.reference ?? {});
        const named = nnapiInputsFor(attrs, mapping, { X, initial_h: tensorOf(stateDims, hN), initial_c: tensorOf(stateDims, cN) });
        const nn = onnxOutputsFrom(attrs, mapping, xDims, prepared.run(named));
        const cmp = compareLstmOutputs(onnx, nn, mapping.featureLevel === 4 ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h']);
        seedStats = mergeStats(seedStats, cmp.total);
        // Each side carries its own states: a drift would compound frame after frame.
        h0 = Array.from(onnx.Y_h.data);
        c0 = Array.from(onnx.Y_c.data);
        hN = Array.from(nn.Y_h.data);
        cN = mapping.featureLevel === 4 ? Array.from(nn.Y_c.data) : c0;
      }
      perSeed.push({ seed, stats: seedStats });
      stats = mergeStats(stats, seedStats);
    }
  } catch (e) {
    const m = (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');
    return { status: 'error', reason: m, summary: `error (${m})` };
  }
  const pass = stats.failing === 0 && !Number.isNaN(stats.maxAbsError);
  const scope = `${nSeeds} seed(s) × ${frames} frame(s), states carried`;
  const nums = `max |err| ${fmtNumber(stats.maxAbsError)}, max rel ${fmtNumber(stats.maxRelError)}, max err/tol ${fmtNumber(stats.maxRatio)} (${FLOAT32_CRITERION.name} criterion)`;
  return {
    status: pass ? 'pass' : 'fail',
    summary: `${pass ? 'pass' : 'FAIL'} (NNAPI ${mapping.operation} reference vs ONNX reference, ${scope}; ${nums})`,
    seeds,
    frames,
    stats,
    perSeed,
    criterion: 'float32',
  };
}
