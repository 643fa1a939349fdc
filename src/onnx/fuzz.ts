/**
 * Mutation fuzzer for the `.onnx` reader: every mutant must come back as a model or an OnnxFormatError with a byte
 * offset — never another exception (a "crash", including kind 'internal') and never slower than `hangMs` (a
 * "hang"). Accepted mutants also go through analyzeLstmSites (LSTM discovery, constant resolution, op counts); an
 * exception there is a crash too. Two mixes alternate: byte-level mutations (bit flips, byte sets, inserts, deletes,
 * chunk copies, truncations, varint nudges) and the structure-aware families of ./fuzz-families.ts. With
 * `heap` (node --expose-gc) each mutant starts from a collected heap and its growth (JS heap + ArrayBuffers, where
 * the decoded tensors live), measured with the decoded model and sites still alive, is compared with the bound
 * 64 MB + 16 × file size. Deterministic for a given
 * seed. No Node imports (the caller reads the seed files).
 */
import { rng } from '../conformance/synth.js';
import { OnnxFormatError } from './errors.js';
import { ONNX_FAMILIES, ONNX_FAMILY_NAMES, syntheticOnnxSeeds, type MappedOnnxSeed, type OnnxFamilyName } from './fuzz-families.js';
import { analyzeLstmSites } from './lstm-sites.js';
import { readOnnx } from './reader.js';
import { mapOnnxStructure } from './verify.js';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from './generated/onnx_pb.js';
import { bitflips, copyChunk, deleteBytes, insertBytes, setBytes, truncate } from '../util/byte-mutations.js';
import { campaignTotals, heapBound, randInt as int, runCampaign, type ByteMutation, type CampaignCounts, type CampaignRunOptions, type CampaignGroupStats, type CampaignSample } from '../util/fuzz-campaign.js';

/** A seed file. */
export interface OnnxFuzzSeed {
  name: string;
  bytes: Uint8Array;
}

/** Options of {@link runOnnxFuzz}. */
export interface OnnxFuzzOptions extends CampaignRunOptions {
  /** Seed files, e.g. the Silero models; the synthetic seeds are added unless `synthetic` is false. */
  seeds?: OnnxFuzzSeed[];
  /** Include the synthetic models of ./fuzz-families.ts (default true). */
  synthetic?: boolean;
  /** Measure each mutant's heap growth from a collected heap (needs globalThis.gc: node --expose-gc). */
  heap?: boolean;
  /** Weight of each seed in the rotation (default 1 each): e.g. run the real models more often. */
  weights?: number[];
  /** Called every `progressEvery` mutants (default 1000) with the counts so far. */
  onProgress?: (res: OnnxFuzzResult) => void;
  progressEvery?: number;
}

/** The heap bound a mutant must stay under: 64 MB + 16 × its size. */
export const onnxHeapBound = heapBound;

/** Counts for one mutation family ('bytes' for the byte-level mutations) or one seed. */
export type OnnxFuzzGroupStats = Omit<CampaignGroupStats, 'maxHeapRatio'>;

/** A crash, hang or heap overrun, for reproduction (`mutant` index with the same seed and options). */
export type OnnxFuzzSample = CampaignSample;

/** What {@link runOnnxFuzz} measured (rejections by OnnxFormatError kind; `slowest` is the slowest mutant). */
export interface OnnxFuzzResult extends Omit<CampaignCounts, 'byFamily' | 'bySeed'> {
  byFamily: Record<string, OnnxFuzzGroupStats>;
  bySeed: Record<string, OnnxFuzzGroupStats>;
  /** LSTM sites found in accepted mutants. */
  lstmSites: number;
  seeds: string[];
}

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x08, 0x0a, 0x12, 0x3a, 0x42];

// The order is part of the seed → mutant mapping.
const MUTATIONS: ByteMutation[] = [
  truncate,
  bitflips,
  // half the time a byte that means something in protobuf (tags of common fields, varint edges)
  setBytes((r) => (r() < 0.5 ? INTERESTING_BYTES[int(r, INTERESTING_BYTES.length)]! : int(r, 256))),
  (b, r) => {
    // nudge a byte that may be a varint length by a small delta
    const out = b.slice();
    const p = int(r, out.length);
    const d = int(r, 9) - 4;
    out[p] = (out[p]! + d) & 0xff;
    return [out, `nudge@${p}${d >= 0 ? '+' : ''}${d}`];
  },
  insertBytes,
  deleteBytes,
  copyChunk(2),
  (b, r) => {
    // splice: a chunk of the file inserted elsewhere (duplicated fields and messages)
    const n = 2 + int(r, 200);
    const from = int(r, Math.max(1, b.length - n));
    const to = int(r, b.length);
    const chunk = b.subarray(from, Math.min(b.length, from + n));
    const out = new Uint8Array(b.length + chunk.length);
    out.set(b.subarray(0, to));
    out.set(chunk, to);
    out.set(b.subarray(to), to + chunk.length);
    return [out, `splice${chunk.length}:${from}->${to}`];
  },
];

/** What one byte string does to the reader. */
export type OnnxFuzzOutcome = { status: 'accepted'; sites: number } | { status: 'rejected'; kind: string } | { status: 'crash'; error: string };

/**
 * Reads one byte string as the fuzzer does: readOnnx, then analyzeLstmSites. `keep` receives what was decoded (so
 * a heap measurement sees it alive).
 */
export function fuzzOneOnnx(bytes: Uint8Array, keep?: (x: unknown) => void): OnnxFuzzOutcome {
  let model;
  try {
    model = readOnnx(bytes);
  } catch (e) {
    if (e instanceof OnnxFormatError && e.kind !== 'internal' && e.offset !== undefined && e.offset >= 0 && Number.isFinite(e.offset)) return { status: 'rejected', kind: e.kind };
    return { status: 'crash', error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
  try {
    const r = analyzeLstmSites(model);
    keep?.([model, r]);
    return { status: 'accepted', sites: r.sites.length };
  } catch (e) {
    return { status: 'crash', error: `analyzeLstmSites: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
  }
}

/** Group stats as this result reports them (no heap ratio per group). */
const groups = (g: Record<string, CampaignGroupStats>): Record<string, OnnxFuzzGroupStats> =>
  Object.fromEntries(Object.entries(g).map(([k, { mutants, accepted, crashes, hangs, maxMs, maxHeapBytes }]) => [k, { mutants, accepted, crashes, hangs, maxMs, maxHeapBytes }]));

/** The result in its own key order (the tool's --json prints it). */
function onnxResult(c: CampaignCounts, seeds: OnnxFuzzSeed[], lstmSites: number): OnnxFuzzResult {
  const res: OnnxFuzzResult = {
    ...campaignTotals(c),
    byFamily: groups(c.byFamily),
    bySeed: groups(c.bySeed),
    lstmSites,
    seeds: seeds.map((s) => s.name),
    samples: c.samples,
    heapMeasured: c.heapMeasured,
    heapOverBound: c.heapOverBound,
    maxHeapBytes: c.maxHeapBytes,
    maxHeapRatio: c.maxHeapRatio,
  };
  if (c.slowest) res.slowest = c.slowest;
  return res;
}

/**
 * Runs `count` mutants of the seeds through the reader and the LSTM discovery and counts what happened.
 *
 * @example
 * ```ts
 * const r = runOnnxFuzz({ count: 300, seed: 1 });
 * if (r.crashes + r.hangs > 0) console.error(r.samples);
 * ```
 */
export function runOnnxFuzz(opts: OnnxFuzzOptions): OnnxFuzzResult {
  const seeds: OnnxFuzzSeed[] = [...(opts.seeds ?? []), ...(opts.synthetic ?? true ? syntheticOnnxSeeds() : [])];
  if (seeds.length === 0) throw new Error('runOnnxFuzz: no seeds');
  // Rotation of seed indices by weight.
  const rotation: number[] = [];
  seeds.forEach((_, i) => {
    for (let k = 0; k < Math.max(1, Math.round(opts.weights?.[i] ?? 1)); k++) rotation.push(i);
  });
  const gc = opts.heap ? (globalThis as { gc?: () => void }).gc : undefined;
  const proc = (globalThis as { process?: { memoryUsage(): { heapUsed: number; arrayBuffers?: number } } }).process;
  if (opts.heap && (!gc || !proc)) throw new Error('runOnnxFuzz: heap measurement needs node --expose-gc');
  // JS heap plus ArrayBuffer backing stores (decoded tensors live there, outside heapUsed).
  const heapUsed = () => {
    const u = proc!.memoryUsage();
    return u.heapUsed + (u.arrayBuffers ?? 0);
  };
  let lstmSites = 0;
  const { onProgress } = opts;
  const c = runCampaign(
    {
      seeds,
      map: (s): MappedOnnxSeed => ({ ...s, slots: mapOnnxStructure(s.bytes), proto: fromBinary(ModelProtoSchema, s.bytes, { readUnknownFields: false }) }),
      rotation,
      rng,
      mutations: MUTATIONS,
      families: ONNX_FAMILY_NAMES,
      mutateFamily: (f, s, r) => ONNX_FAMILIES[f as OnnxFamilyName](s, r),
      familyOrder: 'turn',
      check: fuzzOneOnnx,
      onAccepted: (o) => {
        if (o.status === 'accepted') lstmSites += o.sites;
      },
      gc,
      heapUsed: gc && heapUsed,
      onProgress: onProgress && ((p) => onProgress(onnxResult(p, seeds, lstmSites))),
      progressEvery: opts.progressEvery,
    },
    opts,
  );
  return onnxResult(c, seeds, lstmSites);
}
