/**
 * The command-line parts the reader-fuzzing tools share (src/tools/fuzz.ts for `.tflite`, src/tools/fuzz-onnx.ts
 * for `.onnx`): the common options, the report lines both print, and the run-and-exit wrapper (exit 0 when clean,
 * 1 on any crash, hang or heap over the bound, 2 on bad usage or a campaign that could not start).
 */
import type { CampaignCounts, CampaignGroupStats } from '../util/fuzz-campaign.js';

/** The options every reader-fuzzing tool takes. */
export interface FuzzCommonCliOptions {
  count: number;
  seed: number;
  hangMs: number;
  json: boolean;
  mix: 'all' | 'bytes' | 'structure';
  heap: boolean;
}

/** The defaults of {@link FuzzCommonCliOptions}. */
export const fuzzCliDefaults = (): FuzzCommonCliOptions => ({ count: 20000, seed: 0x5eed, hangMs: 1000, json: false, mix: 'all', heap: false });

/**
 * A tool's own flag: returns true when it knew `flag` (and set it on `o`); `value` reads its non-negative integer
 * argument.
 */
export type FuzzExtraFlag<T> = (flag: string, value: () => number, o: T) => boolean;

/** Parses `--count/--seed/--hang-ms N`, `--json`, `--heap`, `--mix all|bytes|structure` (also `--flag=value`). */
export function parseFuzzCliArgs<T extends FuzzCommonCliOptions>(argv: string[], o: T, usage: string, extra?: FuzzExtraFlag<T>): T {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): number => {
      const v = inline ?? argv[++i];
      const n = Number(v);
      if (v === undefined || !Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer, got '${v ?? ''}'`);
      return n;
    };
    switch (flag) {
      case '--count':
        o.count = value();
        break;
      case '--seed':
        o.seed = value();
        break;
      case '--hang-ms':
        o.hangMs = value();
        break;
      case '--json':
        o.json = true;
        break;
      case '--heap':
        o.heap = true;
        break;
      case '--mix': {
        const v = inline ?? argv[++i];
        if (v !== 'all' && v !== 'bytes' && v !== 'structure') throw new Error(`--mix needs all, bytes or structure, got '${v ?? ''}'`);
        o.mix = v;
        break;
      }
      default:
        if (!extra?.(flag, value, o)) throw new Error(`unknown argument '${a}' (usage: ${usage})`);
    }
  }
  return o;
}

/** The counts a report line reads (both readers' results have them). */
export type FuzzReportCounts = Pick<CampaignCounts, 'mutants' | 'crashes' | 'hangs' | 'totalMs' | 'byKind' | 'samples' | 'heapMeasured' | 'heapOverBound' | 'maxHeapBytes' | 'maxHeapRatio'>;

/** `by kind   bounds 120, vtable 64, …`, most frequent first. */
export const fuzzKindLine = (r: FuzzReportCounts) =>
  `by kind   ${Object.entries(r.byKind).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ') || '-'}`;

/** The mean time per mutant and the wall time. */
export const fuzzTimeLines = (r: FuzzReportCounts, wallMs: number) => [`mean ms   ${(r.mutants ? r.totalMs / r.mutants : 0).toFixed(3)}`, `wall      ${(wallMs / 1000).toFixed(1)} s`];

/** The heap measurement, or how to get one. */
export const fuzzHeapLine = (r: FuzzReportCounts) =>
  r.heapMeasured
    ? `heap      max growth ${(r.maxHeapBytes / 2 ** 20).toFixed(1)} MB, max growth / (64 MB + 16 × size) ${r.maxHeapRatio.toFixed(3)}, over the bound ${r.heapOverBound}`
    : 'heap      not measured (run with node --expose-gc … --heap)';

/** The kept samples, then the verdict line. */
export function fuzzTailLines(r: FuzzReportCounts): string[] {
  const lines = r.samples.map((s) => `  sample: mutant ${s.mutant} of ${s.base} (${s.mutation}), ${s.ms.toFixed(1)} ms: ${s.error}`);
  lines.push(
    fuzzFailed(r)
      ? `result: FAILED (${r.crashes} crash(es), ${r.hangs} hang(s), ${r.heapOverBound} over the heap bound)`
      : `result: OK (no crashes, no hangs${r.heapMeasured ? ', heap within the bound' : ''})`,
  );
  return lines;
}

/** Any crash, hang or heap overrun. */
export const fuzzFailed = (r: FuzzReportCounts) => r.crashes + r.hangs + r.heapOverBound !== 0;

/** One row's numbers in {@link fuzzStatsTable} (the ratio column only where a result keeps it per group). */
export type FuzzStatsRow = Omit<CampaignGroupStats, 'maxHeapRatio'> & { maxHeapRatio?: number };

/** Column widths of {@link fuzzStatsTable}; `ratioWidth` adds the growth / bound column. */
export interface FuzzTableLayout {
  nameWidth: number;
  msWidth: number;
  heapWidth: number;
  ratioWidth?: number;
}

/** A per-family or per-seed table: a header named `title`, one row per group (heap columns when measured). */
export function fuzzStatsTable(title: string, groups: Record<string, FuzzStatsRow>, heap: boolean, l: FuzzTableLayout): string[] {
  const ratio = heap && l.ratioWidth !== undefined;
  const header =
    `${title.padEnd(l.nameWidth)} mutants  accepted  crashes  hangs  ${'max ms'.padStart(l.msWidth)}` +
    (heap ? `  ${'max heap MB'.padStart(l.heapWidth)}` : '') +
    (ratio ? `  ${'max heap/bound'.padStart(l.ratioWidth!)}` : '');
  const rows = Object.entries(groups).map(
    ([name, f]) =>
      `${name.padEnd(l.nameWidth)} ${String(f.mutants).padStart(7)}  ${String(f.accepted).padStart(8)}  ${String(f.crashes).padStart(7)}  ${String(f.hangs).padStart(5)}  ${f.maxMs.toFixed(1).padStart(l.msWidth)}` +
      (heap ? `  ${(f.maxHeapBytes / 2 ** 20).toFixed(1).padStart(l.heapWidth)}` : '') +
      (ratio ? `  ${(f.maxHeapRatio ?? 0).toFixed(3).padStart(l.ratioWidth!)}` : ''),
  );
  return [header, ...rows];
}

/** The parts of one reader-fuzzing tool. */
export interface FuzzTool<O extends FuzzCommonCliOptions, S, R extends FuzzReportCounts> {
  /** The prefix of its error messages. */
  name: string;
  parse: (argv: string[]) => O;
  /** Reads the seed files (before the clock starts), with notes on where they came from. */
  load: () => { seeds: S; notes: string[] };
  /** Runs the campaign (`t0`: its start, for progress messages); a throw is bad usage (exit 2). */
  run: (o: O, seeds: S, t0: number) => R;
  render: (r: R, o: O, wallMs: number, notes: string[]) => string;
}

/** Parses, runs and prints (text or --json); returns the exit code. */
export function runFuzzTool<O extends FuzzCommonCliOptions, S, R extends FuzzReportCounts>(tool: FuzzTool<O, S, R>, argv: string[]): number {
  const fail = (e: unknown) => {
    process.stderr.write(`${tool.name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  };
  let o: O;
  try {
    o = tool.parse(argv);
  } catch (e) {
    return fail(e);
  }
  const { seeds, notes } = tool.load();
  const t0 = performance.now();
  let r: R;
  try {
    r = tool.run(o, seeds, t0);
  } catch (e) {
    return fail(e);
  }
  const wallMs = performance.now() - t0;
  if (o.json) process.stdout.write(JSON.stringify({ seed: o.seed, hangMs: o.hangMs, wallMs, notes, ...r }, null, 2) + '\n');
  else process.stdout.write(tool.render(r, o, wallMs, notes));
  return fuzzFailed(r) ? 1 : 0;
}
