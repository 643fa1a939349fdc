/**
 * Mutation fuzzer for the `.tflite` reader: every mutant must come back as a model or a TfliteFormatError (offset ≥ 0)
 * — never another exception (a "crash", including TfliteFormatError kind 'internal') and never slower than `hangMs`.
 * Accepted mutants also go through inspectTflite and the structural half of `nnlstm validate` for every LSTM-family
 * op (structureOfOps: mapping, spec validation, delegate verdict; the mapping may refuse with TfliteMappingError, but
 * a validator that throws is a crash too). Two mixes: byte-level mutations (truncate, flips, inserts, …) and the
 * structure-aware families of ./fuzz-families.ts aimed at the places the verifier mapped in each seed. With
 * `measureHeap` (needs node --expose-gc) each mutant starts from a collected heap and its heap growth, measured with
 * the decoded model still alive, is compared with the bound 64 MB + 16 × file size. Deterministic for a given seed.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { TfliteFormatError } from './errors.js';
import { externalBufferSeed, FAMILIES, FAMILY_NAMES, sharedShapeFile, type FamilyName, type MappedSeed } from './fuzz-families.js';
import { inspectTflite } from './inspect.js';
import { readTflite } from './reader.js';
import { structureOfOps } from './validate-tflite.js';
import { mapTfliteStructure } from './verify.js';
import { rng } from '../conformance/synth.js';
import { syntheticCorpus } from './synthetic.js';
import { writeSingleOpTflite } from './writer.js';

export interface FuzzSeedFile {
  name: string;
  bytes: Uint8Array;
}

export interface FuzzOptions {
  /** Number of mutants to run. */
  count: number;
  seed?: number;
  /** Extra seed files (paths or bytes), e.g. the real models; the synthetic writer corpus is always included. */
  files?: (string | FuzzSeedFile)[];
  /** Include the synthetic writer outputs as seeds (default true). */
  synthetic?: boolean;
  /** A mutant taking longer than this counts as a hang (default 1000 ms). */
  hangMs?: number;
  /** Keep at most this many crash/hang samples (default 20). */
  maxSamples?: number;
  /** Which mutations: byte-level, the structure-aware families, or both alternately (default 'all'). */
  mix?: 'bytes' | 'structure' | 'all';
  /** Measure each mutant's heap growth from a collected heap (needs global.gc, i.e. node --expose-gc). */
  measureHeap?: boolean;
}

/** The heap bound a mutant must stay under: 64 MB + 16 × its size. */
export const heapBound = (fileBytes: number) => 64 * 2 ** 20 + 16 * fileBytes;

export interface FamilyStats {
  mutants: number;
  accepted: number;
  crashes: number;
  hangs: number;
  maxMs: number;
  /** Largest heap growth (bytes) and the largest growth / heapBound(size) ratio (measureHeap only). */
  maxHeapBytes: number;
  maxHeapRatio: number;
}

export interface FuzzSample {
  mutant: number;
  base: string;
  mutation: string;
  ms: number;
  error: string;
}

export interface FuzzResult {
  mutants: number;
  accepted: number;
  rejected: number;
  crashes: number;
  hangs: number;
  maxMs: number;
  totalMs: number;
  /** Rejections by TfliteFormatError kind. */
  byKind: Record<string, number>;
  /** Accepted mutants' LSTM ops that the mapping refused or found invalid / not checkable (structure not valid). */
  mappingRefusals: number;
  /** LSTM-family ops whose structure was checked (distinct ops). */
  opsChecked: number;
  bases: string[];
  samples: FuzzSample[];
  /** Per mutation family ('bytes' for the byte-level mutations). */
  byFamily: Record<string, FamilyStats>;
  /** measureHeap: mutants whose heap growth exceeded heapBound(size), and the largest growth and ratio seen. */
  heapOverBound: number;
  maxHeapBytes: number;
  maxHeapRatio: number;
  heapMeasured: boolean;
}

type Mutation = (b: Uint8Array, r: () => number) => [Uint8Array, string];

const INTERESTING_32 = [0, 1, 2, 3, 4, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff];
const INTERESTING_16 = [0, 1, 2, 3, 4, 5, 6, 0x7fff, 0x8000, 0xfffe, 0xffff];

const int = (r: () => number, n: number) => Math.floor(r() * n);

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
    for (let i = 0; i < k; i++) out[int(r, out.length)] = int(r, 256);
    return [out, `byte×${k}`];
  },
  (b, r) => {
    const out = b.slice();
    const p = int(r, Math.max(1, out.length - 4)) & ~3;
    const v = INTERESTING_32[int(r, INTERESTING_32.length)]!;
    if (p + 4 <= out.length) new DataView(out.buffer).setUint32(p, v >>> 0, true);
    return [out, `u32@${p}=${v}`];
  },
  (b, r) => {
    const out = b.slice();
    const p = int(r, Math.max(1, out.length - 2)) & ~1;
    const v = INTERESTING_16[int(r, INTERESTING_16.length)]!;
    if (p + 2 <= out.length) new DataView(out.buffer).setUint16(p, v, true);
    return [out, `u16@${p}=${v}`];
  },
  (b, r) => {
    // nudge an existing 32-bit word (offsets and lengths) by a small delta
    const out = b.slice();
    const p = int(r, Math.max(1, out.length - 4)) & ~3;
    if (p + 4 <= out.length) {
      const dv = new DataView(out.buffer);
      const d = int(r, 17) - 8;
      dv.setUint32(p, (dv.getUint32(p, true) + d) >>> 0, true);
      return [out, `u32@${p}+=${d}`];
    }
    return [out, 'noop'];
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
    // copy a chunk over another place (duplicated tables / vtables)
    const out = b.slice();
    const n = 4 + int(r, 60);
    const from = int(r, Math.max(1, b.length - n));
    const to = int(r, Math.max(1, b.length - n));
    out.copyWithin(to, from, from + n);
    return [out, `copy${n}:${from}->${to}`];
  },
];

function loadSeeds(opts: FuzzOptions): FuzzSeedFile[] {
  const seeds: FuzzSeedFile[] = [];
  if (opts.synthetic ?? true) {
    for (const { name, model } of syntheticCorpus()) seeds.push({ name: `synthetic:${name}`, bytes: writeSingleOpTflite(model) });
    // Small seeds with the fields some families aim at: explicit Buffer offset/size, and a shared shape vector.
    seeds.push({ name: 'synthetic:external-buffer', bytes: externalBufferSeed() });
    seeds.push({ name: 'synthetic:shared-shape', bytes: sharedShapeFile(64, 16) });
  }
  for (const f of opts.files ?? []) {
    if (typeof f === 'string') seeds.push({ name: basename(f), bytes: new Uint8Array(readFileSync(f)) });
    else seeds.push(f);
  }
  if (seeds.length === 0) throw new Error('runFuzz: no seed files');
  return seeds;
}

/** What one mutant does to the reader: accepted, a format error of some kind, or a crash (message). */
export type FuzzOutcome = { status: 'accepted'; mappingRefused: number; opsChecked: number } | { status: 'rejected'; kind: string } | { status: 'crash'; error: string };

/**
 * Reads one byte string the way the fuzzer does: reader, inspect, and the structural validation of every LSTM-family
 * op. `keep` receives the decoded model (so a heap measurement sees it alive).
 */
export function fuzzOne(bytes: Uint8Array, keep?: (model: unknown) => void): FuzzOutcome {
  try {
    const model = readTflite(bytes);
    const insp = inspectTflite(model);
    const ops = structureOfOps(model, insp.lstmOps);
    keep?.([model, insp, ops]);
    let mappingRefused = 0;
    let opsChecked = 0;
    for (const o of ops) {
      if (o.duplicateOf) continue;
      opsChecked++;
      // A validator that threw is an engine exception surfacing as a verdict: a crash.
      if (o.structure.status === 'error') return { status: 'crash', error: `op ${o.report.subgraph}:${o.report.operator}: ${o.structure.message}` };
      if (o.structure.status !== 'valid' && o.structure.status !== 'pending') mappingRefused++;
    }
    return { status: 'accepted', mappingRefused, opsChecked };
  } catch (e) {
    if (e instanceof TfliteFormatError && e.kind !== 'internal' && e.offset >= 0 && Number.isFinite(e.offset)) return { status: 'rejected', kind: e.kind };
    return { status: 'crash', error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

const newFamilyStats = (): FamilyStats => ({ mutants: 0, accepted: 0, crashes: 0, hangs: 0, maxMs: 0, maxHeapBytes: 0, maxHeapRatio: 0 });

export function runFuzz(opts: FuzzOptions): FuzzResult {
  const seeds = loadSeeds(opts);
  const mapped: (MappedSeed | undefined)[] = seeds.map((s) => {
    try {
      return { ...s, slots: mapTfliteStructure(s.bytes) };
    } catch {
      return undefined; // a seed the verifier rejects gets byte-level mutations only
    }
  });
  const r = rng(opts.seed ?? 0x5eed);
  const hangMs = opts.hangMs ?? 1000;
  const maxSamples = opts.maxSamples ?? 20;
  const mix = opts.mix ?? 'all';
  const gc = opts.measureHeap ? (globalThis as { gc?: () => void }).gc : undefined;
  if (opts.measureHeap && !gc) throw new Error('runFuzz: measureHeap needs node --expose-gc');
  const res: FuzzResult = {
    mutants: 0,
    accepted: 0,
    rejected: 0,
    crashes: 0,
    hangs: 0,
    maxMs: 0,
    totalMs: 0,
    byKind: {},
    mappingRefusals: 0,
    opsChecked: 0,
    bases: seeds.map((s) => s.name),
    samples: [],
    byFamily: {},
    heapOverBound: 0,
    maxHeapBytes: 0,
    maxHeapRatio: 0,
    heapMeasured: !!gc,
  };
  let kept: unknown;
  const keep = (m: unknown) => {
    kept = m;
  };
  for (let i = 0; i < opts.count; i++) {
    const k = i % seeds.length;
    const base = seeds[k]!;
    const mappedSeed = mapped[k];
    const structure = mappedSeed && (mix === 'structure' || (mix === 'all' && Math.floor(i / seeds.length) % 2 === 1));
    let bytes = base.bytes;
    const names: string[] = [];
    let family: string;
    if (structure) {
      const f: FamilyName = FAMILY_NAMES[Math.floor(i / seeds.length / (mix === 'all' ? 2 : 1)) % FAMILY_NAMES.length]!;
      family = f;
      const [out, name] = FAMILIES[f](mappedSeed, r);
      bytes = out;
      names.push(name);
      // Sometimes a byte-level mutation on top.
      if (r() < 0.15) {
        const [out2, name2] = MUTATIONS[int(r, MUTATIONS.length)]!(bytes, r);
        bytes = out2;
        names.push(name2);
      }
    } else {
      family = 'bytes';
      const rounds = 1 + (r() < 0.3 ? int(r, 3) : 0);
      for (let j = 0; j < rounds; j++) {
        const [out, name] = MUTATIONS[int(r, MUTATIONS.length)]!(bytes, r);
        bytes = out;
        names.push(name);
      }
    }
    const fs = (res.byFamily[family] ??= newFamilyStats());
    let heap0 = 0;
    if (gc) {
      kept = undefined;
      gc();
      heap0 = process.memoryUsage().heapUsed;
    }
    const t0 = performance.now();
    const outcome = fuzzOne(bytes, gc ? keep : undefined);
    const ms = performance.now() - t0;
    if (gc) {
      const grown = Math.max(0, process.memoryUsage().heapUsed - heap0);
      const ratio = grown / heapBound(bytes.length);
      if (grown > res.maxHeapBytes) res.maxHeapBytes = grown;
      if (ratio > res.maxHeapRatio) res.maxHeapRatio = ratio;
      if (grown > fs.maxHeapBytes) fs.maxHeapBytes = grown;
      if (ratio > fs.maxHeapRatio) fs.maxHeapRatio = ratio;
      if (ratio > 1) {
        res.heapOverBound++;
        if (res.samples.length < maxSamples) res.samples.push({ mutant: i, base: base.name, mutation: names.join('+'), ms, error: `heap grew ${grown} bytes > bound ${heapBound(bytes.length)}` });
      }
      kept = undefined;
    }
    res.mutants++;
    fs.mutants++;
    res.totalMs += ms;
    if (ms > res.maxMs) res.maxMs = ms;
    if (ms > fs.maxMs) fs.maxMs = ms;
    const sample = (error: string) => {
      if (res.samples.length < maxSamples) res.samples.push({ mutant: i, base: base.name, mutation: names.join('+'), ms, error });
    };
    if (ms > hangMs) {
      res.hangs++;
      fs.hangs++;
      sample(`slow: ${ms.toFixed(1)} ms`);
    }
    if (outcome.status === 'accepted') {
      res.accepted++;
      fs.accepted++;
      res.mappingRefusals += outcome.mappingRefused;
      res.opsChecked += outcome.opsChecked;
    } else if (outcome.status === 'rejected') {
      res.rejected++;
      res.byKind[outcome.kind] = (res.byKind[outcome.kind] ?? 0) + 1;
    } else {
      res.crashes++;
      fs.crashes++;
      sample(outcome.error);
    }
  }
  void kept;
  return res;
}
