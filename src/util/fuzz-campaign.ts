/**
 * The campaign loop shared by the file-reader fuzzers (src/tflite/fuzz.ts, src/onnx/fuzz.ts): picks a seed from a
 * rotation, mutates it (byte-level rounds or one structure-aware family, sometimes with a byte mutation on top),
 * times the format's one-mutant check against `hangMs`, optionally measures heap growth from a collected heap
 * against {@link heapBound}, and counts everything per family and per seed with kept samples. The format supplies
 * the parts that differ (mutations, families, the check, the heap meter), so this module imports nothing and runs
 * anywhere. The order of PRNG draws is part of the contract: the same seed gives the same mutants.
 */

/** A uniform PRNG in [0, 1). */
export type Rand = () => number;

/** A byte-level mutation: the mutant and a short description for reproduction. */
export type ByteMutation = (b: Uint8Array, r: Rand) => [Uint8Array, string];

/** A uniform integer in [0, n). */
export const randInt = (r: Rand, n: number) => Math.floor(r() * n);

/** The heap bound a mutant must stay under: 64 MB + 16 × its size. */
export const heapBound = (fileBytes: number) => 64 * 2 ** 20 + 16 * fileBytes;

/** What one mutant did: the reader accepted it, rejected it with a format error of some kind, or crashed. */
export type CampaignOutcome = { status: 'accepted' } | { status: 'rejected'; kind: string } | { status: 'crash'; error: string };

/** A seed file. */
export interface CampaignSeed {
  name: string;
  bytes: Uint8Array;
}

/** Counts for one mutation family ('bytes' for the byte-level mutations) or one seed. */
export interface CampaignGroupStats {
  mutants: number;
  accepted: number;
  crashes: number;
  hangs: number;
  maxMs: number;
  /** Largest heap growth (bytes) and the largest growth / heapBound(size) ratio (heap measurement only). */
  maxHeapBytes: number;
  maxHeapRatio: number;
}

/** A crash, hang or heap overrun, for reproduction (`mutant` index with the same seed and options). */
export interface CampaignSample {
  mutant: number;
  base: string;
  mutation: string;
  ms: number;
  error: string;
}

/** What {@link runCampaign} counted. */
export interface CampaignCounts {
  mutants: number;
  accepted: number;
  rejected: number;
  crashes: number;
  hangs: number;
  maxMs: number;
  totalMs: number;
  /** Rejections by format-error kind. */
  byKind: Record<string, number>;
  byFamily: Record<string, CampaignGroupStats>;
  bySeed: Record<string, CampaignGroupStats>;
  /** The slowest mutant (`error` holds its rejection kind or its status). */
  slowest?: CampaignSample;
  samples: CampaignSample[];
  heapMeasured: boolean;
  heapOverBound: number;
  maxHeapBytes: number;
  maxHeapRatio: number;
}

/** The leading counts of a result, in the key order both readers' results print them (mutants … byKind). */
export const campaignTotals = ({ mutants, accepted, rejected, crashes, hangs, maxMs, totalMs, byKind }: CampaignCounts) => ({ mutants, accepted, rejected, crashes, hangs, maxMs, totalMs, byKind });

/** The options of a campaign that both readers' fuzzers take. */
export interface CampaignRunOptions {
  /** Number of mutants. */
  count: number;
  /** PRNG seed (default 0x5eed). */
  seed?: number;
  /** A mutant taking longer than this is a hang (default 1000 ms). */
  hangMs?: number;
  /** Keep at most this many crash/hang/heap samples (default 20). */
  maxSamples?: number;
  /** Byte-level mutations, structure-aware families, or both in alternate rounds (default 'all'). */
  mix?: 'bytes' | 'structure' | 'all';
}

/** The per-format parts of a campaign. */
export interface CampaignSpec<M, O extends CampaignOutcome> {
  seeds: CampaignSeed[];
  /** The structure map of a seed, for the families; a seed it throws on gets byte-level mutations only. */
  map: (seed: CampaignSeed) => M;
  /** Seed indices in visiting order, repeated (default each seed once, in order). */
  rotation?: number[];
  /** The PRNG for a seed; all mutation draws come from it. */
  rng: (seed: number) => Rand;
  mutations: ByteMutation[];
  families: readonly string[];
  /** Applies one structure-aware family to a mapped seed. */
  mutateFamily: (family: string, seed: M, r: Rand) => [Uint8Array, string];
  /**
   * Which family a structure mutant uses: 'turn' cycles through the families one structure mutant after another;
   * 'round' keeps one family for a whole structure round of the rotation.
   */
  familyOrder: 'turn' | 'round';
  /** Reads one mutant; `keep` receives what was decoded so that a heap measurement sees it alive. */
  check: (bytes: Uint8Array, keep?: (x: unknown) => void) => O;
  /** Called with each accepted outcome (the format's own counts). */
  onAccepted?: (o: O) => void;
  /** Heap measurement: a full collection and the bytes in use (both present, or neither). */
  gc?: () => void;
  heapUsed?: () => number;
  /** Called after every `progressEvery`-th mutant. */
  onProgress?: (c: CampaignCounts) => void;
  progressEvery?: number;
}

const newStats = (): CampaignGroupStats => ({ mutants: 0, accepted: 0, crashes: 0, hangs: 0, maxMs: 0, maxHeapBytes: 0, maxHeapRatio: 0 });

/** Mutates `base` for mutant `i`: the bytes, the mutation names and the family ('bytes' or a family name). */
function mutate<M, O extends CampaignOutcome>(
  spec: CampaignSpec<M, O>,
  r: Rand,
  mix: 'bytes' | 'structure' | 'all',
  round: number,
  turn: number,
  base: CampaignSeed,
  mapped: M | undefined,
): { bytes: Uint8Array; names: string[]; family: string } {
  const { mutations } = spec;
  let bytes = base.bytes;
  const names: string[] = [];
  const structure = mapped !== undefined && (mix === 'structure' || (mix === 'all' && round % 2 === 1));
  if (structure) {
    const index = spec.familyOrder === 'turn' ? turn : Math.floor(round / (mix === 'all' ? 2 : 1));
    const family = spec.families[index % spec.families.length]!;
    const [out, name] = spec.mutateFamily(family, mapped, r);
    bytes = out;
    names.push(name);
    // Sometimes a byte-level mutation on top.
    if (r() < 0.15) {
      const [out2, name2] = mutations[randInt(r, mutations.length)]!(bytes, r);
      bytes = out2;
      names.push(name2);
    }
    return { bytes, names, family };
  }
  const rounds = 1 + (r() < 0.3 ? randInt(r, 3) : 0);
  for (let j = 0; j < rounds; j++) {
    const [out, name] = mutations[randInt(r, mutations.length)]!(bytes, r);
    bytes = out;
    names.push(name);
  }
  return { bytes, names, family: 'bytes' };
}

/** Runs `run.count` mutants of `spec.seeds` and counts what the reader did with them. */
export function runCampaign<M, O extends CampaignOutcome>(spec: CampaignSpec<M, O>, run: CampaignRunOptions): CampaignCounts {
  const { seeds, gc, heapUsed } = spec;
  const maxSamples = run.maxSamples ?? 20;
  const hangMs = run.hangMs ?? 1000;
  const mix = run.mix ?? 'all';
  const r = spec.rng(run.seed ?? 0x5eed);
  const mapped = seeds.map((s) => {
    try {
      return spec.map(s);
    } catch {
      return undefined;
    }
  });
  const rotation = spec.rotation ?? seeds.map((_, k) => k);
  const heap = !!gc && !!heapUsed;
  const res: CampaignCounts = {
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
    samples: [],
    heapMeasured: heap,
    heapOverBound: 0,
    maxHeapBytes: 0,
    maxHeapRatio: 0,
  };
  let kept: unknown;
  const keep = (x: unknown) => {
    kept = x;
  };
  let turn = 0;
  for (let i = 0; i < run.count; i++) {
    const round = Math.floor(i / rotation.length);
    const k = rotation[i % rotation.length]!;
    const base = seeds[k]!;
    const { bytes, names, family } = mutate(spec, r, mix, round, turn, base, mapped[k]);
    if (family !== 'bytes') turn++;
    const groups = [(res.byFamily[family] ??= newStats()), (res.bySeed[base.name] ??= newStats())];
    let heap0 = 0;
    if (heap) {
      kept = undefined;
      gc!();
      heap0 = heapUsed!();
    }
    const t0 = performance.now();
    const outcome = spec.check(bytes, heap ? keep : undefined);
    const ms = performance.now() - t0;
    const mutation = names.join('+');
    const sample = (error: string) => {
      if (res.samples.length < maxSamples) res.samples.push({ mutant: i, base: base.name, mutation, ms, error });
    };
    if (heap) {
      const grown = Math.max(0, heapUsed!() - heap0);
      const bound = heapBound(bytes.length);
      const ratio = grown / bound;
      res.maxHeapBytes = Math.max(res.maxHeapBytes, grown);
      res.maxHeapRatio = Math.max(res.maxHeapRatio, ratio);
      for (const g of groups) {
        g.maxHeapBytes = Math.max(g.maxHeapBytes, grown);
        g.maxHeapRatio = Math.max(g.maxHeapRatio, ratio);
      }
      if (ratio > 1) {
        res.heapOverBound++;
        sample(`heap grew ${grown} bytes > bound ${bound}`);
      }
      kept = undefined;
    }
    res.mutants++;
    res.totalMs += ms;
    if (ms > res.maxMs) {
      res.maxMs = ms;
      res.slowest = { mutant: i, base: base.name, mutation, ms, error: outcome.status === 'rejected' ? outcome.kind : outcome.status };
    }
    for (const g of groups) {
      g.mutants++;
      g.maxMs = Math.max(g.maxMs, ms);
    }
    if (ms > hangMs) {
      res.hangs++;
      for (const g of groups) g.hangs++;
      sample(`slow: ${ms.toFixed(1)} ms`);
    }
    if (outcome.status === 'accepted') {
      res.accepted++;
      for (const g of groups) g.accepted++;
      spec.onAccepted?.(outcome);
    } else if (outcome.status === 'rejected') {
      res.rejected++;
      res.byKind[outcome.kind] = (res.byKind[outcome.kind] ?? 0) + 1;
    } else {
      res.crashes++;
      for (const g of groups) g.crashes++;
      sample(outcome.error);
    }
    if (spec.onProgress && res.mutants % (spec.progressEvery ?? 1000) === 0) spec.onProgress(res);
  }
  void kept;
  return res;
}
