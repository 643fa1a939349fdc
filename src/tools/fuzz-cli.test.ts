import { describe, expect, it } from 'vitest';
import { fuzzCliDefaults, fuzzFailed, fuzzHeapLine, fuzzKindLine, fuzzStatsTable, fuzzTailLines, parseFuzzCliArgs, type FuzzReportCounts } from './fuzz-cli.js';

const counts = (over: Partial<FuzzReportCounts> = {}): FuzzReportCounts => ({
  mutants: 4,
  crashes: 0,
  hangs: 0,
  totalMs: 8,
  byKind: { b: 1, a: 3 },
  samples: [],
  heapMeasured: false,
  heapOverBound: 0,
  maxHeapBytes: 0,
  maxHeapRatio: 0,
  ...over,
});

describe('fuzz tool CLI parts', () => {
  it('parses the common options, inline or separate', () => {
    expect(parseFuzzCliArgs(['--count', '5', '--seed=3', '--hang-ms', '7', '--heap', '--json', '--mix=bytes'], fuzzCliDefaults(), 'u')).toEqual({ count: 5, seed: 3, hangMs: 7, heap: true, json: true, mix: 'bytes' });
    expect(parseFuzzCliArgs([], fuzzCliDefaults(), 'u')).toEqual({ count: 20000, seed: 0x5eed, hangMs: 1000, json: false, mix: 'all', heap: false });
  });

  it('refuses bad values and unknown flags, naming the usage', () => {
    expect(() => parseFuzzCliArgs(['--count', '-1'], fuzzCliDefaults(), 'u')).toThrow("--count needs a non-negative integer, got '-1'");
    expect(() => parseFuzzCliArgs(['--mix', 'some'], fuzzCliDefaults(), 'u')).toThrow(/--mix needs all, bytes or structure/);
    expect(() => parseFuzzCliArgs(['--x'], fuzzCliDefaults(), 'USAGE')).toThrow("unknown argument '--x' (usage: USAGE)");
  });

  it("hands a tool's own flags to it", () => {
    const o = parseFuzzCliArgs(['--w=3'], { ...fuzzCliDefaults(), w: 0 }, 'u', (flag, value, o) => flag === '--w' && ((o.w = value()), true));
    expect(o.w).toBe(3);
  });

  it('prints kinds by frequency, the heap line, samples and the verdict', () => {
    expect(fuzzKindLine(counts())).toBe('by kind   a 3, b 1');
    expect(fuzzKindLine(counts({ byKind: {} }))).toBe('by kind   -');
    expect(fuzzHeapLine(counts())).toMatch(/not measured/);
    expect(fuzzTailLines(counts())).toEqual(['result: OK (no crashes, no hangs)']);
    const bad = counts({ crashes: 1, samples: [{ mutant: 2, base: 's', mutation: 'm', ms: 1.25, error: 'E' }] });
    expect(fuzzFailed(bad)).toBe(true);
    expect(fuzzTailLines(bad)).toEqual(['  sample: mutant 2 of s (m), 1.3 ms: E', 'result: FAILED (1 crash(es), 0 hang(s), 0 over the heap bound)']);
  });

  it('lays out the per-group table, with heap columns only when measured', () => {
    const g = { bytes: { mutants: 12, accepted: 3, crashes: 0, hangs: 1, maxMs: 2.25, maxHeapBytes: 3 * 2 ** 20, maxHeapRatio: 0.04 } };
    const layout = { nameWidth: 14, msWidth: 6, heapWidth: 12, ratioWidth: 14 };
    expect(fuzzStatsTable('family', g, false, layout)).toEqual(['family         mutants  accepted  crashes  hangs  max ms', 'bytes               12         3        0      1     2.3']);
    const [h, row] = fuzzStatsTable('family', g, true, layout);
    expect(h).toBe('family         mutants  accepted  crashes  hangs  max ms   max heap MB  max heap/bound');
    expect(row).toBe('bytes               12         3        0      1     2.3           3.0           0.040');
    expect(h!.length).toBe(row!.length);
  });
});
