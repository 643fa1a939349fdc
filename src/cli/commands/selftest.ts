import { writeFileSync } from 'node:fs';
import { loadCases } from '../../conformance/cases.js';
import { runConformance, type CaseResult } from '../../conformance/runner.js';
import { loadDeviations } from '../../conformance/deviations.js';
import { registerBuiltinOracles } from '../../conformance/oracles.js';
import { ALL_MUTANTS as MUTANTS, type Mutant } from '../../drivers/mutants.js';
import { ReferenceDriver } from '../../drivers/reference.js';
import { CliError, flagString, parseOptions, type Command } from '../command.js';

const HELP = `usage: nnlstm selftest [--mutant ID] [--json FILE|-] | --list

Measures the suite's power: runs every conformance case against each mutant driver of the
catalogue (src/drivers/mutants.ts: plausible implementation bugs) and reports which cases kill
it (per mutant, the number of independent killing cases), and whether the AOSP CTS vectors alone
would. Exits 1 if the reference itself fails or a mutant is killed by fewer than 2 independent
cases (the steps of one generated sequence count once). --list prints the catalogue (id, feature,
the bug).`;

export interface MutantVerdict {
  id: string;
  feature: string;
  description: string;
  killed: boolean;
  killedByAospAlone: boolean;
  killers: string[];
  /** Independent killing cases: killers with the steps of one generated sequence counted once. */
  kills: number;
  aospKillers: string[];
  /** The first killing case with why it failed. */
  example: { case: string; status: string; reason: string | null } | null;
}

const killed = (r: CaseResult) => r.status !== 'pass' && r.status !== 'unsupported';

/** Fewer independent killing cases than this and deleting one file could reopen the hole. */
export const MIN_KILLS = 2;

/** The step files of one generated sequence (…-step2of5) share their weights: one family, one kill. */
export function independentKills(caseIds: readonly string[]): number {
  return new Set(caseIds.map((id) => id.replace(/-step\d+of\d+$/, ''))).size;
}

export async function runSelftest(mutants: readonly Mutant[] = MUTANTS): Promise<{ referenceFailures: string[]; verdicts: MutantVerdict[]; cases: number }> {
  const cases = loadCases();
  registerBuiltinOracles();
  const deviations = loadDeviations();
  const ref = await runConformance(new ReferenceDriver(), cases, { deviations });
  const referenceFailures = ref.results.filter((r) => r.status !== 'pass').map((r) => r.id);
  const verdicts: MutantVerdict[] = [];
  for (const m of mutants) {
    const report = await runConformance(m.create(), cases, { deviations });
    const k = report.results.filter(killed);
    const aosp = k.filter((r) => r.provenance === 'aosp-cts');
    const first = k[0];
    verdicts.push({
      id: m.id,
      feature: m.feature,
      description: m.description,
      killed: k.length > 0,
      killedByAospAlone: aosp.length > 0,
      killers: k.map((r) => r.id),
      kills: independentKills(k.map((r) => r.id)),
      aospKillers: aosp.map((r) => r.id),
      example: first ? { case: first.id, status: first.status, reason: first.reason } : null,
    });
  }
  return { referenceFailures, verdicts, cases: cases.length };
}

export interface SelftestSummary {
  survivors: string[];
  /** Mutants killed by fewer than MIN_KILLS independent cases (survivors included). */
  underKilled: string[];
  missedByAospAlone: string[];
  kills: { min: number; median: number; required: number };
  exitCode: 0 | 1;
}

type SelftestResult = Awaited<ReturnType<typeof runSelftest>>;

/** The verdict of a selftest run: it fails when the reference fails a case or a mutant has fewer than MIN_KILLS kills. */
export function summarizeSelftest(r: SelftestResult): SelftestSummary {
  const kills = r.verdicts.map((v) => v.kills).sort((a, b) => a - b);
  const underKilled = r.verdicts.filter((v) => v.kills < MIN_KILLS).map((v) => v.id);
  return {
    survivors: r.verdicts.filter((v) => !v.killed).map((v) => v.id),
    underKilled,
    missedByAospAlone: r.verdicts.filter((v) => !v.killedByAospAlone).map((v) => v.id),
    kills: { min: kills[0] ?? 0, median: kills.length ? kills[(kills.length - 1) >> 1]! : 0, required: MIN_KILLS },
    exitCode: underKilled.length === 0 && r.referenceFailures.length === 0 ? 0 : 1,
  };
}

export function renderSelftestJson(r: SelftestResult, s: SelftestSummary): string {
  return JSON.stringify({ cases: r.cases, referenceFailures: r.referenceFailures, kills: s.kills, mutants: r.verdicts, survivors: s.survivors, underKilled: s.underKilled, missedByAospAlone: s.missedByAospAlone }, null, 2) + '\n';
}

/** The terminal table: per mutant its verdict, independent kills, killing cases, AOSP kills and one killer. */
export function renderSelftestText(r: SelftestResult, s: SelftestSummary): string {
  const L: string[] = [];
  const n = r.verdicts.length;
  const w = Math.max(...r.verdicts.map((v) => v.id.length), 6);
  L.push(`selftest: ${n} mutants × ${r.cases} cases`);
  L.push(`reference driver: ${r.referenceFailures.length === 0 ? 'all cases pass' : `FAILS ${r.referenceFailures.length} case(s): ${r.referenceFailures.join(', ')}`}`, '');
  L.push(`${'mutant'.padEnd(w)}  verdict   kills  killers  AOSP-only  example killer`);
  for (const v of r.verdicts) {
    const verdict = !v.killed ? 'SURVIVES' : v.kills < MIN_KILLS ? 'WEAK    ' : 'killed  ';
    L.push(`${v.id.padEnd(w)}  ${verdict}  ${String(v.kills).padStart(5)}  ${String(v.killers.length).padStart(7)}  ${(v.killedByAospAlone ? `yes (${v.aospKillers.length})` : 'no').padEnd(9)}  ${v.example?.case ?? '-'}`);
  }
  L.push('', `${n - s.survivors.length}/${n} mutants killed by the full suite; ${n - s.missedByAospAlone.length}/${n} by the AOSP vectors alone.`);
  L.push(`independent killing cases per mutant: min ${s.kills.min}, median ${s.kills.median} (required ≥ ${MIN_KILLS}).`);
  if (s.missedByAospAlone.length) L.push(`missed by the AOSP vectors alone: ${s.missedByAospAlone.join(', ')}`);
  if (s.survivors.length) L.push(`SURVIVING: ${s.survivors.join(', ')}`);
  const weak = r.verdicts.filter((v) => v.killed && v.kills < MIN_KILLS);
  if (weak.length) L.push(`KILLED BY FEWER THAN ${MIN_KILLS} CASES: ${weak.map((v) => `${v.id} (${v.kills})`).join(', ')}`);
  return L.join('\n') + '\n';
}

export const command: Command = async (argv) => {
  const args = parseOptions(argv, ['json', 'mutant', 'list'], HELP, ['help', 'list']);
  if (args.flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (args.flags.has('list')) {
    const w = Math.max(...MUTANTS.map((m) => m.id.length));
    process.stdout.write(MUTANTS.map((m) => `${m.id.padEnd(w)}  ${m.feature.padEnd(15)}  ${m.description}\n`).join(''));
    return 0;
  }
  const only = flagString(args, 'mutant');
  const mutants = only ? MUTANTS.filter((m) => m.id === only) : MUTANTS;
  if (only && mutants.length === 0) throw new CliError(`unknown mutant '${only}' (nnlstm selftest --list names them)`);
  const result = await runSelftest(mutants);
  const summary = summarizeSelftest(result);
  const jsonOut = flagString(args, 'json');
  if (jsonOut) {
    const text = renderSelftestJson(result, summary);
    if (jsonOut === '-') process.stdout.write(text);
    else writeFileSync(jsonOut, text);
  }
  (jsonOut === '-' ? process.stderr : process.stdout).write(renderSelftestText(result, summary));
  return summary.exitCode;
};
