import { describe, expect, it } from 'vitest';
import { bitflips, copyChunk, deleteBytes, insertBytes, truncate } from './byte-mutations.js';
import { heapBound, runCampaign, type CampaignOutcome, type CampaignRunOptions, type CampaignSpec } from './fuzz-campaign.js';

// Park–Miller, enough for a deterministic test without other layers.
const prng = (seed: number) => {
  let x = seed;
  return () => (x = (x * 16807) % 2147483647) / 2147483647;
};

const seedBytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37) & 0xff);

/** A toy reader: rejects files whose first byte is odd, crashes on length 0, accepts the rest. */
const check = (b: Uint8Array): CampaignOutcome => (b.length === 0 ? { status: 'crash', error: 'empty' } : b[0]! % 2 ? { status: 'rejected', kind: `k${b[0]! % 3}` } : { status: 'accepted' });

type Over = Partial<CampaignSpec<string, CampaignOutcome>> & Partial<CampaignRunOptions>;

/** Two seeds ('b' unmapped), three toy families, 200 mutants; `over` replaces any part. */
const go = (over: Over = {}) =>
  runCampaign(
    {
      seeds: [
        { name: 'a', bytes: seedBytes(40) },
        { name: 'b', bytes: seedBytes(17) },
      ],
      // 'b' is a seed the verifier refuses
      map: (s) => {
        if (s.name === 'b') throw new Error('unmapped');
        return s.name;
      },
      rng: prng,
      mutations: [truncate, bitflips, insertBytes, deleteBytes, copyChunk(2)],
      families: ['f0', 'f1', 'f2'],
      mutateFamily: (f, s, r) => [Uint8Array.of(Math.floor(r() * 256), s.length), `${f}!`],
      familyOrder: 'turn',
      check,
      ...over,
    },
    { count: 200, seed: 1, hangMs: 1e9, maxSamples: 5, mix: 'all', ...over },
  );

describe('runCampaign', () => {
  it('is deterministic for a PRNG seed and counts every mutant once', () => {
    const a = go();
    const b = go();
    const strip = (c: typeof a) => ({ ...c, maxMs: 0, totalMs: 0, slowest: undefined, samples: c.samples.map((s) => [s.mutant, s.mutation, s.error]), byFamily: Object.keys(c.byFamily), bySeed: Object.values(c.bySeed).map((s) => [s.mutants, s.accepted, s.crashes]) });
    expect(strip(a)).toEqual(strip(b));
    expect(a.mutants).toBe(200);
    expect(a.accepted + a.rejected + a.crashes).toBe(200);
    expect(Object.values(a.byKind).reduce((x, y) => x + y, 0)).toBe(a.rejected);
    expect(a.bySeed['a']!.mutants + a.bySeed['b']!.mutants).toBe(200);
    expect(a.samples.length).toBeLessThanOrEqual(5);
  });

  it('an unmapped seed gets byte mutations only; the mapped one alternates rounds', () => {
    const c = go({ families: ['f0'] });
    // seed 'a' (mapped): every odd round is structure → 50 of its 100 mutants
    expect(c.byFamily['f0']!.mutants).toBe(50);
    expect(c.byFamily['bytes']!.mutants).toBe(150);
  });

  it("'turn' cycles families per structure mutant, 'round' keeps one per structure round", () => {
    const seeds = [{ name: 'a', bytes: seedBytes(40) }, { name: 'b', bytes: seedBytes(30) }];
    const map = (s: { name: string }) => s.name;
    const turn = go({ seeds, map, mix: 'structure', count: 6 });
    expect(Object.fromEntries(Object.entries(turn.byFamily).map(([k, v]) => [k, v.mutants]))).toEqual({ f0: 2, f1: 2, f2: 2 });
    const round = go({ seeds, map, mix: 'structure', count: 6, familyOrder: 'round' });
    expect(Object.fromEntries(Object.entries(round.byFamily).map(([k, v]) => [k, v.mutants]))).toEqual({ f0: 2, f1: 2, f2: 2 });
    const roundAll = go({ seeds, map, mix: 'all', count: 8, familyOrder: 'round' });
    // rounds 1 and 3 are structure rounds: f0 then f1
    expect(Object.keys(roundAll.byFamily).sort()).toEqual(['bytes', 'f0', 'f1']);
  });

  it('times out as hangs, samples crashes up to maxSamples, reports progress', () => {
    const seen: number[] = [];
    const c = go({ hangMs: -1, check: () => ({ status: 'crash', error: 'boom' }), onProgress: (p) => seen.push(p.mutants), progressEvery: 50 });
    expect(c.hangs).toBe(200);
    expect(c.crashes).toBe(200);
    expect(c.samples).toHaveLength(5);
    expect(c.samples[0]!.error).toMatch(/^slow: /);
    expect(seen).toEqual([50, 100, 150, 200]);
  });

  it('heap growth over 64 MB + 16 × size counts as over the bound', () => {
    let used = 0;
    const c = go({ count: 10, gc: () => {}, heapUsed: () => (used += heapBound(1000)), maxSamples: 100 });
    expect(c.heapMeasured).toBe(true);
    expect(c.heapOverBound).toBeGreaterThan(0);
    expect(c.maxHeapRatio).toBeGreaterThan(1);
    expect(c.samples.some((s) => /^heap grew \d+ bytes > bound \d+$/.test(s.error))).toBe(true);
    expect(go({ count: 10 }).heapMeasured).toBe(false);
  });
});
