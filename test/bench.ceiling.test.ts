/**
 * The bench's SIMD128 ceiling probe (src/tools/bench/ceiling.ts): it assembles, runs and reports rates a
 * machine can have, and the share-of-peak arithmetic the bench prints beside the ORT-native targets.
 */
import { describe, expect, it } from 'vitest';
import { relaxedSimdSupported } from '../src/ops/fast/kernel.js';
import { measureCeiling, shareOfPeak } from '../src/tools/bench/ceiling.js';

describe('bench ceiling', () => {
  it('measures a finite mul + add peak, a read bandwidth per size, and FMA only where relaxed SIMD validates', async () => {
    const c = await measureCeiling(5);
    // 4 lanes × 2 FLOP per cycle at ≥ 0.5 GHz is 4 GFLOP/s; no core of today does 1,000 with 128-bit vectors.
    expect(c.mulAddGflops.median).toBeGreaterThan(4);
    expect(c.mulAddGflops.median).toBeLessThan(1000);
    expect(c.mulAddGflops.max).toBeGreaterThanOrEqual(c.mulAddGflops.median);
    expect(c.readGBps.map((b) => b.mib)).toEqual([16, 64]);
    for (const b of c.readGBps) {
      expect(b.median).toBeGreaterThan(0.5);
      expect(b.max).toBeGreaterThanOrEqual(b.median);
    }
    expect(c.fmaGflops !== null).toBe(relaxedSimdSupported());
  });

  it('states a target as the share of the peak it needs', () => {
    // ORT at 92 GFLOP/s on a 55 GFLOP/s peak: half of ORT is 46 GFLOP/s, 84 % of the peak.
    const s = shareOfPeak(55, 92, 38, 0.5);
    expect(s.peerOverPeak).toBeCloseTo(92 / 55, 12);
    expect(s.need).toBeCloseTo(46 / 55, 12);
    expect(s.ran).toBeCloseTo(38 / 55, 12);
  });
});
