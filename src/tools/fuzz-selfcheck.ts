/**
 * Self-check of `nnlstm fuzz`: every mutant of the selftest catalogue (src/drivers/mutants.ts) must be
 * found by a default campaign within 2,000 models; per mutant, the models to the first failure and
 * the shrunk reproducer's sizes and features. Then a long campaign on reference-fast (0 failures
 * expected) with its models/s.
 *
 *   npm run build && node dist/tools/fuzz-selfcheck.js [--budget 2000] [--seed 1] [--reference 10000] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { fmtRatio } from '../conformance/compare.js';
import { loadDeviations } from '../conformance/deviations.js';
import { runCampaign } from '../conformance/fuzz/campaign.js';
import { describeCase, type FuzzCase, type FuzzOperation } from '../conformance/fuzz/generator.js';
import { registerBuiltinOracles } from '../conformance/oracles.js';
import { ALL_MUTANTS } from '../drivers/mutants.js';
import { ReferenceDriver } from '../drivers/reference.js';

const FLOAT_OPS: FuzzOperation[] = ['LSTM', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM'];
/**
 * The operations a mutant's bug is about (its `feature`): a mutant wrapper may also misbehave on
 * other operations (it was written for these), and such a hit would not show the bug being found.
 */
function scopeOf(feature: string): FuzzOperation[] {
  if (feature === 'quantized') return ['QUANTIZED_LSTM', 'QUANTIZED_16BIT_LSTM'];
  if (feature === 'sequence') return ['UNIDIRECTIONAL_SEQUENCE_LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM'];
  if (feature === 'bidirectional') return ['BIDIRECTIONAL_SEQUENCE_LSTM'];
  return FLOAT_OPS;
}

function arg(argv: string[], name: string, dflt: number): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a non-negative integer`);
  return n;
}

export async function fuzzSelfcheck(argv: string[]): Promise<number> {
  const budget = arg(argv, 'budget', 2000);
  const seed = arg(argv, 'seed', 1);
  const refCount = arg(argv, 'reference', 10000);
  const jsonAt = argv.indexOf('--json');
  registerBuiltinOracles();
  const deviations = loadDeviations();
  const rows: Record<string, unknown>[] = [];
  let missed = 0;
  const out = process.stdout;
  out.write(`fuzz self-check: ${ALL_MUTANTS.length} mutants, default campaign (seed ${seed}, every operation), at most ${budget} models each;\n`);
  out.write(`a mutant counts as found at the first failing model of an operation its bug is about\n`);
  for (const m of ALL_MUTANTS) {
    const t0 = performance.now();
    const scope = scopeOf(m.feature);
    const r = await runCampaign(m.create(), { seed, count: budget, deviations, stopAfterFailures: 1, shrinkBudget: 200, failureFilter: (c: FuzzCase) => scope.includes(c.op) });
    const ms = performance.now() - t0;
    const rep = r.reproducers[0];
    if (!rep) {
      missed++;
      out.write(`${m.id.padEnd(36)} NOT FOUND in ${r.models} models\n`);
      rows.push({ mutant: m.id, found: false, models: r.models });
      continue;
    }
    out.write(`${m.id.padEnd(36)} found at model ${String(r.models).padStart(4)}  shrunk (${rep.path.length} steps, ${rep.evaluations} runs, ${(ms / 1000).toFixed(1)} s): ${describeCase(rep.shrunk)}  [${rep.result.status} on the mutant, ${rep.referenceStatus} on the reference]\n`);
    rows.push({ mutant: m.id, found: true, modelsToFirstFailure: r.models, status: r.report.results.at(-1)!.status, shrunk: rep.shrunk, shrinkPath: rep.path, reproducerOnDriver: rep.result.status, reproducerOnReference: rep.referenceStatus });
  }
  out.write(`${ALL_MUTANTS.length - missed}/${ALL_MUTANTS.length} mutants found within ${budget} models; worst models-to-first-failure ${Math.max(...rows.map((x) => (x['modelsToFirstFailure'] as number | undefined) ?? Infinity))}\n`);
  let refFailures = 0;
  if (refCount > 0) {
    const t0 = performance.now();
    const r = await runCampaign(new ReferenceDriver({ name: 'reference-fast', fast: true }), { seed, count: refCount, deviations, noShrink: true });
    const s = (performance.now() - t0) / 1000;
    const t = r.report.totals;
    refFailures = t.fail + t.error + t.rejected;
    out.write(`reference-fast: ${r.models} models in ${s.toFixed(1)} s (${(r.models / s).toFixed(1)} models/s): ${t.pass} pass, ${t.fail} fail, ${t.error} error, ${t.rejected} rejected, ${t.unsupported} not judged; reference vs float64 over ${r.floatCases} float models: worst ratio ${fmtRatio(r.worstReferenceRatio)}, outside in ${r.referenceOutside.length}\n`);
    rows.push({ referenceFast: { models: r.models, seconds: s, totals: t, floatCases: r.floatCases, worstReferenceRatio: r.worstReferenceRatio, referenceOutside: r.referenceOutside.length } });
  }
  if (jsonAt >= 0 && argv[jsonAt + 1]) writeFileSync(argv[jsonAt + 1]!, JSON.stringify(rows, null, 2) + '\n');
  return missed === 0 && refFailures === 0 ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await fuzzSelfcheck(process.argv.slice(2));
}
