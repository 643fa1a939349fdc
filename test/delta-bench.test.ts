/**
 * src/tools/bench-delta.ts (the delta-vs-full bench): its workloads exist on the real models, the two
 * paths agree before anything is timed, and the result carries paired ratios (median within min–max).
 * Skipped, with a message, when ../shared/models is absent.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchWorkload, deltaBenchTable, deltaWorkloads } from '../src/tools/bench-delta.js';
import { sharedDir } from '../src/util/paths.js';

const shared = sharedDir();
const dir = shared ? join(shared, 'models') : '';
const have = !!shared && existsSync(join(dir, 'micro_speech_lstm_int8.tflite')) && existsSync(join(dir, 'dtln_noise_suppression_int8.tflite'));
if (!have) console.warn('[delta-bench] ../shared/models not found (set NNLSTM_SHARED): bench-delta tests skipped');

describe.skipIf(!have)('bench-delta', () => {
  const ws = have ? deltaWorkloads(dir, 'tflite-micro') : [];
  it('has the micro_speech (yes, no) and DTLN (reference, noise) workloads', () => {
    expect(ws.map((w) => w.id)).toEqual(['micro_speech-yes', 'micro_speech-no', 'dtln-reference-x16', 'dtln-noise-x16']);
  });
  it('a workload: equal outputs both ways, paired ratios, MAC ratio from the delta counters', () => {
    const r = benchWorkload(ws[0]!, { pairs: 3, sampleMs: 1 });
    expect(r.pairs).toBe(3);
    for (const q of [r.ratio, r.recurrentRatio, r.accumulatorRatio]) {
      expect(q.min).toBeLessThanOrEqual(q.median);
      expect(q.median).toBeLessThanOrEqual(q.max);
      expect(q.min).toBeGreaterThan(0);
    }
    // micro_speech "yes": about 22% of the recurrent columns change after the first (full) step.
    expect(r.macRatio).toBeGreaterThan(0.1);
    expect(r.macRatio).toBeLessThan(0.4);
    expect(deltaBenchTable([r])).toContain('| micro_speech-yes | 3 |');
  });
  it('refuses to time a workload whose delta path differs', () => {
    const w = ws[0]!;
    const broken = { ...w, run: (d: boolean) => { const r = w.run(d); if (d) r.output[0]![0] = (r.output[0]![0]! + 1) & 0x7f; return r; } };
    expect(() => benchWorkload(broken, { pairs: 1, sampleMs: 1 })).toThrow(/differs from the full path/);
  });
});
