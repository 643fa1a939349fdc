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
import { ONNX_FAMILIES, ONNX_FAMILY_NAMES, syntheticOnnxSeeds, type MappedOnnxSeed } from './fuzz-families.js';
import { analyzeLstmSites } from './lstm-sites.js';
import { readOnnx } from './reader.js';
import { mapOnnxStructure } from './verify.js';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from './generated/onnx_pb.js';

/** A seed file. */
export interface OnnxFuzzSeed {
  name: string;
  bytes: Uint8Array;
}

/** Options of {@link runOnnxFuzz}. */
export interface OnnxFuzzOptions {
  /** Number of mutants. */
  count: number;
  /** PRNG seed (default 0x5eed). */
  seed?: number;
  /** Seed files, e.g. the Silero models; the synthetic seeds are added unless `synthetic` is false. */
  seeds?: OnnxFuzzSeed[];
  /** Include the synthetic models of ./fuzz-families.ts (default true). */
  synthetic?: boolean;
  /** A mutant taking longer than this is a hang (default 1000 ms). */
  hangMs?: number;
  /** Measure each mutant's heap growth from a collected heap (needs globalThis.gc: node --expose-gc). */
  heap?: boolean;
  /** Byte-level mutations, structure-aware families, or both alternately (default 'all'). */
  mix?: 'bytes' | 'structure' | 'all';
  /** Keep at most this many crash/hang samples (default 20). */
  maxSamples?: number;
  /** Weight of each seed in the rotation (default 1 each): e.g. run the real models more often. */
  weights?: number[];
  /** Called every `progressEvery` mutants (default 1000) with the counts so far. */
  onProgress?: (res: OnnxFuzzResult) => void;
  progressEvery?: number;
}

/** The heap bound a mutant must stay under: 64 MB + 16 × its size. */
export const onnxHeapBound = (fileBytes: number) => 64 * 2 ** 20 + 16 * fileBytes;

/** Counts for one mutation family ('bytes' for the byte-level mutations) or one seed. */
export interface OnnxFuzzGroupStats {
  mutants: number;
  accepted: number;
  crashes: number;
  hangs: number;
  maxMs: number;
  maxHeapBytes: number;
}

/** A crash, hang or heap overrun, for reproduction (`mutant` index with the same seed and options). */
export interface OnnxFuzzSample {
  mutant: number;
  base: string;
  mutation: string;
  ms: number;
  error: string;
}

/** What {@link runOnnxFuzz} measured. */
export interface OnnxFuzzResult {
  mutants: number;
  accepted: number;
  rejected: number;
  crashes: number;
  hangs: number;
  maxMs: number;
  totalMs: number;
  /** Rejections by OnnxFormatError kind. */
  byKind: Record<string, number>;
  byFamily: Record<string, OnnxFuzzGroupStats>;
  bySeed: Record<string, OnnxFuzzGroupStats>;
  /** The slowest mutant. */
  slowest?: OnnxFuzzSample;
  /** LSTM sites found in accepted mutants. */
  lstmSites: number;
  seeds: string[];
  samples: OnnxFuzzSample[];
  heapMeasured: boolean;
  heapOverBound: number;
  maxHeapBytes: number;
  /** Largest growth / onnxHeapBound(size). */
  maxHeapRatio: number;
}

type Rand = () => number;
type Mutation = (b: Uint8Array, r: Rand) => [Uint8Array, string];
const int = (r: Rand, n: number) => Math.floor(r() * n);

const MUTATIONS: Mutation[] = [
  (b, r) => {
    const len = int(r, b.length);
    return [b.slice(0, len), `truncate@${len}`];
  },
  (b, r) => {
    const out = b.slice();
    const k = 1 + int(r, 8);
    for (let i = 0; i < k; i++) {
      const p = int(r, out.length);
      out[p] = out[p]! ^ (1 << int(r, 8));
    }
    return [out, `bitflip×${k}`];
  },
  (b, r) => {
    const out = b.slice();
    const k = 1 + int(r, 4);
    const vals = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x08, 0x0a, 0x12, 0x3a, 0x42];
    for (let i = 0; i < k; i++) out[int(r, out.length)] = r() < 0.5 ? vals[int(r, vals.length)]! : int(r, 256);
    return [out, `byte×${k}`];
  },
  (b, r) => {
    // nudge a byte that may be a varint length by a small delta
    const out = b.slice();
    const p = int(r, out.length);
    const d = int(r, 9) - 4;
    out[p] = (out[p]! + d) & 0xff;
    return [out, `nudge@${p}${d >= 0 ? '+' : ''}${d}`];
  },
  (b, r) => {
    const p = int(r, b.length);
    const n = 1 + int(r, 16);
    const out = new Uint8Array(b.length + n);
    out.set(b.subarray(0, p));
    for (let i = 0; i < n; i++) out[p + i] = int(r, 256);
    out.set(b.subarray(p), p + n);
    return [out, `insert${n}@${p}`];
  },
  (b, r) => {
    const p = int(r, b.length);
    const end = Math.min(b.length, p + 1 + int(r, 16));
    const out = new Uint8Array(b.length - (end - p));
    out.set(b.subarray(0, p));
    out.set(b.subarray(end), p);
    return [out, `delete${end - p}@${p}`];
  },
  (b, r) => {
    const out = b.slice();
    const n = 2 + int(r, 60);
    const from = int(r, Math.max(1, b.length - n));
    const to = int(r, Math.max(1, b.length - n));
    out.copyWithin(to, from, from + n);
    return [out, `copy${n}:${from}->${to}`];
  },
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

const newStats = (): OnnxFuzzGroupStats => ({ mutants: 0, accepted: 0, crashes: 0, hangs: 0, maxMs: 0, maxHeapBytes: 0 });

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
  const mapped: (MappedOnnxSeed | undefined)[] = seeds.map((s) => {
    try {
      return { ...s, slots: mapOnnxStructure(s.bytes), proto: fromBinary(ModelProtoSchema, s.bytes, { readUnknownFields: false }) };
    } catch {
      return undefined; // a seed the verifier rejects gets byte-level mutations only
    }
  });
  // Rotation of seed indices by weight.
  const rotation: number[] = [];
  seeds.forEach((_, i) => {
    for (let k = 0; k < Math.max(1, Math.round(opts.weights?.[i] ?? 1)); k++) rotation.push(i);
  });
  const r = rng(opts.seed ?? 0x5eed);
  const hangMs = opts.hangMs ?? 1000;
  const maxSamples = opts.maxSamples ?? 20;
  const mix = opts.mix ?? 'all';
  const gc = opts.heap ? (globalThis as { gc?: () => void }).gc : undefined;
  const proc = (globalThis as { process?: { memoryUsage(): { heapUsed: number; arrayBuffers?: number } } }).process;
  // JS heap plus ArrayBuffer backing stores (decoded tensors live there, outside heapUsed).
  const used = () => {
    const u = proc!.memoryUsage();
    return u.heapUsed + (u.arrayBuffers ?? 0);
  };
  if (opts.heap && (!gc || !proc)) throw new Error('runOnnxFuzz: heap measurement needs node --expose-gc');
  const res: OnnxFuzzResult = {
    mutants: 0,
    accepted: 0,
    rejected: 0,
    crashes: 0,
    hangs: 0,
    maxMs: 0,
    totalMs: 0,
    byKind: {},
    byFamily: {},
    bySeed: {},
    lstmSites: 0,
    seeds: seeds.map((s) => s.name),
    samples: [],
    heapMeasured: !!gc,
    heapOverBound: 0,
    maxHeapBytes: 0,
    maxHeapRatio: 0,
  };
  let kept: unknown;
  const keep = (x: unknown) => {
    kept = x;
  };
  let familyTurn = 0;
  for (let i = 0; i < opts.count; i++) {
    const round = Math.floor(i / rotation.length);
    const k = rotation[i % rotation.length]!;
    const base = seeds[k]!;
    const ms0 = mapped[k];
    const structure = !!ms0 && (mix === 'structure' || (mix === 'all' && round % 2 === 1));
    let bytes = base.bytes;
    const names: string[] = [];
    let family = 'bytes';
    if (structure) {
      const f = ONNX_FAMILY_NAMES[familyTurn++ % ONNX_FAMILY_NAMES.length]!;
      family = f;
      const [out, name] = ONNX_FAMILIES[f](ms0, r);
      bytes = out;
      names.push(name);
      if (r() < 0.15) {
        const [out2, name2] = MUTATIONS[int(r, MUTATIONS.length)]!(bytes, r);
        bytes = out2;
        names.push(name2);
      }
    } else {
      const rounds = 1 + (r() < 0.3 ? int(r, 3) : 0);
      for (let j = 0; j < rounds; j++) {
        const [out, name] = MUTATIONS[int(r, MUTATIONS.length)]!(bytes, r);
        bytes = out;
        names.push(name);
      }
    }
    const fs = (res.byFamily[family] ??= newStats());
    const ss = (res.bySeed[base.name] ??= newStats());
    let heap0 = 0;
    if (gc) {
      kept = undefined;
      gc();
      heap0 = used();
    }
    const t0 = performance.now();
    const outcome = fuzzOneOnnx(bytes, gc ? keep : undefined);
    const ms = performance.now() - t0;
    const sample = (error: string) => {
      if (res.samples.length < maxSamples) res.samples.push({ mutant: i, base: base.name, mutation: names.join('+'), ms, error });
    };
    if (gc) {
      const grown = Math.max(0, used() - heap0);
      const ratio = grown / onnxHeapBound(bytes.length);
      res.maxHeapBytes = Math.max(res.maxHeapBytes, grown);
      res.maxHeapRatio = Math.max(res.maxHeapRatio, ratio);
      fs.maxHeapBytes = Math.max(fs.maxHeapBytes, grown);
      ss.maxHeapBytes = Math.max(ss.maxHeapBytes, grown);
      if (ratio > 1) {
        res.heapOverBound++;
        sample(`heap grew ${grown} bytes > bound ${onnxHeapBound(bytes.length)}`);
      }
      kept = undefined;
    }
    res.mutants++;
    res.totalMs += ms;
    if (ms > res.maxMs) {
      res.maxMs = ms;
      res.slowest = { mutant: i, base: base.name, mutation: names.join('+'), ms, error: outcome.status === 'rejected' ? outcome.kind : outcome.status };
    }
    for (const g of [fs, ss]) {
      g.mutants++;
      g.maxMs = Math.max(g.maxMs, ms);
    }
    if (ms > hangMs) {
      res.hangs++;
      fs.hangs++;
      ss.hangs++;
      sample(`slow: ${ms.toFixed(1)} ms`);
    }
    if (outcome.status === 'accepted') {
      res.accepted++;
      fs.accepted++;
      ss.accepted++;
      res.lstmSites += outcome.sites;
    } else if (outcome.status === 'rejected') {
      res.rejected++;
      res.byKind[outcome.kind] = (res.byKind[outcome.kind] ?? 0) + 1;
    } else {
      res.crashes++;
      fs.crashes++;
      ss.crashes++;
      sample(outcome.error);
    }
    progress(opts, res);
  }
  void kept;
  return res;
}

function progress(opts: OnnxFuzzOptions, res: OnnxFuzzResult): void {
  if (opts.onProgress && res.mutants % (opts.progressEvery ?? 1000) === 0) opts.onProgress(res);
}
