import { writeFileSync } from 'node:fs';
import { loadCases } from '../../conformance/cases.js';
import { runConformance, type CaseResult } from '../../conformance/runner.js';
import { loadDeviations } from '../../conformance/deviations.js';
import { registerBuiltinOracles } from '../../conformance/oracles.js';
import { ALL_MUTANTS as MUTANTS, type Mutant } from '../../drivers/mutants.js';
import { ReferenceDriver } from '../../drivers/reference.js';
import { CliError, flagString, parseOptions, type Command } from '../command.js';

const HELP = `usage: nnlstm selftest [--mutant ID] [--json FILE|-]

Measures the suite's power: runs every conformance case against each mutant driver of the
catalogue (src/drivers/mutants.ts: plausible implementation bugs) and reports which cases kill
it (per mutant, the number of independent killing cases), and whether the AOSP CTS vectors alone
would. Exits 1 if the reference itself fails or a mutant is killed by fewer than 2 independent
cases (the steps of one generated sequence count once).`;

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

export const command: Command = async (argv) => {
  const args = parseOptions(argv, ['json', 'mutant'], HELP, ['help']);
  if (args.flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const only = flagString(args, 'mutant');
  const mutants = only ? MUTANTS.filter((m) => m.id === only) : MUTANTS;
  if (only && mutants.length === 0) throw new CliError(`unknown mutant '${only}' (known: ${MUTANTS.map((m) => m.id).join(', ')})`);
  const result = await runSelftest(mutants);
  const jsonOut = flagString(args, 'json');
  const survivors = result.verdicts.filter((v) => !v.killed);
  const weak = result.verdicts.filter((v) => v.kills < MIN_KILLS);
  const aospMisses = result.verdicts.filter((v) => !v.killedByAospAlone);
  const kills = result.verdicts.map((v) => v.kills).sort((a, b) => a - b);
  const stats = { minKills: kills[0] ?? 0, medianKills: kills.length ? kills[(kills.length - 1) >> 1]! : 0, required: MIN_KILLS };
  if (jsonOut) {
    const text = JSON.stringify({ cases: result.cases, referenceFailures: result.referenceFailures, kills: stats, mutants: result.verdicts, survivors: survivors.map((v) => v.id), underKilled: weak.map((v) => v.id), missedByAospAlone: aospMisses.map((v) => v.id) }, null, 2) + '\n';
    if (jsonOut === '-') process.stdout.write(text);
    else writeFileSync(jsonOut, text);
  }
  const out = jsonOut === '-' ? process.stderr : process.stdout;
  const w = Math.max(...result.verdicts.map((v) => v.id.length), 6);
  out.write(`selftest: ${result.verdicts.length} mutants × ${result.cases} cases\n`);
  out.write(`reference driver: ${result.referenceFailures.length === 0 ? 'all cases pass' : `FAILS ${result.referenceFailures.length} case(s): ${result.referenceFailures.join(', ')}`}\n\n`);
  out.write(`${'mutant'.padEnd(w)}  verdict   kills  killers  AOSP-only  example killer\n`);
  for (const v of result.verdicts) {
    const verdict = !v.killed ? 'SURVIVES' : v.kills < MIN_KILLS ? 'WEAK    ' : 'killed  ';
    out.write(`${v.id.padEnd(w)}  ${verdict}  ${String(v.kills).padStart(5)}  ${String(v.killers.length).padStart(7)}  ${(v.killedByAospAlone ? `yes (${v.aospKillers.length})` : 'no').padEnd(9)}  ${v.example?.case ?? '-'}\n`);
  }
  out.write(`\n${result.verdicts.length - survivors.length}/${result.verdicts.length} mutants killed by the full suite; ${result.verdicts.length - aospMisses.length}/${result.verdicts.length} by the AOSP vectors alone.\n`);
  out.write(`independent killing cases per mutant: min ${stats.minKills}, median ${stats.medianKills} (required ≥ ${MIN_KILLS}).\n`);
  if (aospMisses.length) out.write(`missed by the AOSP vectors alone: ${aospMisses.map((v) => v.id).join(', ')}\n`);
  if (survivors.length) out.write(`SURVIVING: ${survivors.map((v) => v.id).join(', ')}\n`);
  const weakOnly = weak.filter((v) => v.killed);
  if (weakOnly.length) out.write(`KILLED BY FEWER THAN ${MIN_KILLS} CASES: ${weakOnly.map((v) => `${v.id} (${v.kills})`).join(', ')}\n`);
  return weak.length === 0 && result.referenceFailures.length === 0 ? 0 : 1;
};
