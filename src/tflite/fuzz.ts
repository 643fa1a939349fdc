/**
 * Mutation fuzzer for the `.tflite` reader: every mutant must come back as a model or a TfliteFormatError (offset ≥ 0)
 * — never another exception (a "crash", including TfliteFormatError kind 'internal') and never slower than `hangMs`.
 * Accepted mutants also go through inspectTflite and, for LSTM-family ops, tfliteOpToNnapiModel (which may refuse
 * with TfliteMappingError but must not crash). Deterministic for a given seed; used by tests and a bench/CLI script.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { TfliteFormatError, TfliteMappingError } from './errors.js';
import { inspectTflite } from './inspect.js';
import { lstmFamilyOperation, tfliteOpToNnapiModel } from './mapping.js';
import { readTflite } from './reader.js';
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
  /** Accepted mutants whose LSTM op the mapping refused (TfliteMappingError). */
  mappingRefusals: number;
  bases: string[];
  samples: FuzzSample[];
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
  }
  for (const f of opts.files ?? []) {
    if (typeof f === 'string') seeds.push({ name: basename(f), bytes: new Uint8Array(readFileSync(f)) });
    else seeds.push(f);
  }
  if (seeds.length === 0) throw new Error('runFuzz: no seed files');
  return seeds;
}

/** What one mutant does to the reader: accepted, a format error of some kind, or a crash (message). */
export type FuzzOutcome = { status: 'accepted'; mappingRefused: number } | { status: 'rejected'; kind: string } | { status: 'crash'; error: string };

/** Reads one byte string the way the fuzzer does (reader + inspect + mapping of LSTM ops). */
export function fuzzOne(bytes: Uint8Array): FuzzOutcome {
  try {
    const model = readTflite(bytes);
    inspectTflite(model);
    let mappingRefused = 0;
    for (const sg of model.subgraphs) {
      sg.operators.forEach((op, i) => {
        const code = model.operatorCodes[op.opcodeIndex];
        if (!code || !lstmFamilyOperation(code.builtinCode)) return;
        try {
          tfliteOpToNnapiModel(model, sg, i);
        } catch (e) {
          if (e instanceof TfliteMappingError) mappingRefused++;
          else throw e;
        }
      });
    }
    return { status: 'accepted', mappingRefused };
  } catch (e) {
    if (e instanceof TfliteFormatError && e.kind !== 'internal' && e.offset >= 0 && Number.isFinite(e.offset)) return { status: 'rejected', kind: e.kind };
    return { status: 'crash', error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

export function runFuzz(opts: FuzzOptions): FuzzResult {
  const seeds = loadSeeds(opts);
  const r = rng(opts.seed ?? 0x5eed);
  const hangMs = opts.hangMs ?? 1000;
  const maxSamples = opts.maxSamples ?? 20;
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
    bases: seeds.map((s) => s.name),
    samples: [],
  };
  for (let i = 0; i < opts.count; i++) {
    const base = seeds[i % seeds.length]!;
    let bytes = base.bytes;
    const names: string[] = [];
    const rounds = 1 + (r() < 0.3 ? int(r, 3) : 0);
    for (let k = 0; k < rounds; k++) {
      const [out, name] = MUTATIONS[int(r, MUTATIONS.length)]!(bytes, r);
      bytes = out;
      names.push(name);
    }
    const t0 = performance.now();
    const outcome = fuzzOne(bytes);
    const ms = performance.now() - t0;
    res.mutants++;
    res.totalMs += ms;
    if (ms > res.maxMs) res.maxMs = ms;
    const sample = (error: string) => {
      if (res.samples.length < maxSamples) res.samples.push({ mutant: i, base: base.name, mutation: names.join('+'), ms, error });
    };
    if (ms > hangMs) {
      res.hangs++;
      sample(`slow: ${ms.toFixed(1)} ms`);
    }
    if (outcome.status === 'accepted') {
      res.accepted++;
      res.mappingRefusals += outcome.mappingRefused;
    } else if (outcome.status === 'rejected') {
      res.rejected++;
      res.byKind[outcome.kind] = (res.byKind[outcome.kind] ?? 0) + 1;
    } else {
      res.crashes++;
      sample(outcome.error);
    }
  }
  return res;
}
