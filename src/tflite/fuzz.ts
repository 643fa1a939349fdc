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
import { bitflips, copyChunk, deleteBytes, insertBytes, setBytes, truncate } from '../util/byte-mutations.js';
import { campaignTotals, heapBound, randInt as int, runCampaign, type ByteMutation, type CampaignCounts, type CampaignRunOptions, type CampaignGroupStats, type CampaignSample } from '../util/fuzz-campaign.js';

export interface FuzzSeedFile {
  name: string;
  bytes: Uint8Array;
}

export interface FuzzOptions extends CampaignRunOptions {
  /** Extra seed files (paths or bytes), e.g. the real models; the synthetic writer corpus is always included. */
  files?: (string | FuzzSeedFile)[];
  /** Include the synthetic writer outputs as seeds (default true). */
  synthetic?: boolean;
  /** Measure each mutant's heap growth from a collected heap (needs global.gc, i.e. node --expose-gc). */
  measureHeap?: boolean;
}

export { heapBound };

/** Counts for one mutation family ('bytes' for the byte-level mutations). */
export type FamilyStats = CampaignGroupStats;

/** A crash, hang or heap overrun, for reproduction. */
export type FuzzSample = CampaignSample;

/** What {@link runFuzz} measured (samples include heap overruns; rejections by TfliteFormatError kind). */
export interface FuzzResult extends Omit<CampaignCounts, 'bySeed' | 'slowest'> {
  /** Accepted mutants' LSTM ops that the mapping refused or found invalid / not checkable (structure not valid). */
  mappingRefusals: number;
  /** LSTM-family ops whose structure was checked (distinct ops). */
  opsChecked: number;
  bases: string[];
}

const INTERESTING_32 = [0, 1, 2, 3, 4, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff];
const INTERESTING_16 = [0, 1, 2, 3, 4, 5, 6, 0x7fff, 0x8000, 0xfffe, 0xffff];

// The order is part of the seed → mutant mapping.
const MUTATIONS: ByteMutation[] = [
  truncate,
  bitflips,
  setBytes((r) => int(r, 256)),
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
  insertBytes,
  deleteBytes,
  copyChunk(4), // duplicated tables / vtables
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

export function runFuzz(opts: FuzzOptions): FuzzResult {
  const seeds = loadSeeds(opts);
  const gc = opts.measureHeap ? (globalThis as { gc?: () => void }).gc : undefined;
  if (opts.measureHeap && !gc) throw new Error('runFuzz: measureHeap needs node --expose-gc');
  let mappingRefusals = 0;
  let opsChecked = 0;
  const c = runCampaign(
    {
      seeds,
      map: (s): MappedSeed => ({ ...s, slots: mapTfliteStructure(s.bytes) }),
      rng,
      mutations: MUTATIONS,
      families: FAMILY_NAMES,
      mutateFamily: (f, s, r) => FAMILIES[f as FamilyName](s, r),
      familyOrder: 'round',
      check: fuzzOne,
      onAccepted: (o) => {
        if (o.status !== 'accepted') return;
        mappingRefusals += o.mappingRefused;
        opsChecked += o.opsChecked;
      },
      gc,
      heapUsed: gc && (() => process.memoryUsage().heapUsed),
    },
    opts,
  );
  // The result's own key order (the tool's --json prints it).
  return {
    ...campaignTotals(c),
    mappingRefusals,
    opsChecked,
    bases: seeds.map((s) => s.name),
    samples: c.samples,
    byFamily: c.byFamily,
    heapOverBound: c.heapOverBound,
    maxHeapBytes: c.maxHeapBytes,
    maxHeapRatio: c.maxHeapRatio,
    heapMeasured: c.heapMeasured,
  };
}
