import { beforeAll, describe, expect, it } from 'vitest';
import { independentKills, MIN_KILLS, renderSelftestText, runSelftest, summarizeSelftest, type MutantVerdict } from '../src/cli/commands/selftest.js';
import { main } from '../src/cli/main.js';
import { captureOutput } from './helpers/capture-output.js';
import { loadCases } from '../src/conformance/cases.js';
import { ALL_MUTANTS as MUTANTS } from '../src/drivers/mutants.js';
import { isOmitted, type Model } from '../src/model/model.js';
import { validateModel } from '../src/ops/validate.js';

const GATES = ['input', 'forget', 'cell', 'output'];

describe('suite power (nnlstm selftest)', () => {
  let result: Awaited<ReturnType<typeof runSelftest>>;
  beforeAll(async () => {
    result = await runSelftest();
  }, 120_000);

  it('the catalogue holds at least 15 mutants with distinct ids, among them every matrix read transposed', () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(15);
    expect(new Set(MUTANTS.map((m) => m.id)).size).toBe(MUTANTS.length);
    const ids = new Set(MUTANTS.map((m) => m.id));
    const wanted = [
      ...['input-to', 'recurrent-to', 'aux-input-to'].flatMap((k) => GATES.map((g) => `${k}-${g}-transposed`)),
      'projection-transposed',
      'parallel-linking-primary-input',
      'relu6-no-lower-bound',
      'sigmoid-clamped-at-8',
    ];
    expect(wanted.filter((id) => !ids.has(id))).toEqual([]);
  });

  it(`the reference passes every case and every mutant is killed by at least ${MIN_KILLS} independent cases`, () => {
    expect(result.referenceFailures).toEqual([]);
    const weak = result.verdicts.filter((v) => v.kills < MIN_KILLS).map((v) => `${v.id} (${v.kills})`);
    expect(weak).toEqual([]);
    for (const v of result.verdicts) expect(v.kills).toBe(independentKills(v.killers));
  });

  it('the AOSP vectors alone miss exactly the mutants the gap-filling vectors exist for', () => {
    const aospMisses = result.verdicts.filter((v) => !v.killedByAospAlone).map((v) => v.id).sort();
    expect(aospMisses).toEqual(
      ['activation-none-cell-gate', 'activation-operand-ignored', 'cell-clip-ignored', 'cell-clip-upper-only', 'proj-clip-ignored', 'relu6-as-relu', 'aux-weights-wrong-direction',
        'relu6-no-lower-bound', 'sigmoid-clamped-at-8', 'parallel-linking-primary-input',
        // No AOSP vector has input_size = num_units, a square projection or a square aux input.
        ...['input-to', 'aux-input-to'].flatMap((k) => GATES.map((g) => `${k}-${g}-transposed`)), 'projection-transposed',
        // Integer bugs that only the bit-exact gap-filling vectors (golden/integer) catch.
        'int-rescale-round-half-away', 'int-hidden-zero-point-sign', 'int-cell-clip-not-quantized', 'int-cell-overflow-wraps', 'int-layer-norm-truncating-division',
        // AOSP's own QLSTM code passes AOSP's vectors; the gap-filling vectors name its departures.
        'qlstm-aosp-code'].sort(),
    );
  });
});

describe('selftest verdict and output', () => {
  const io = captureOutput();
  const verdict = (id: string, killers: string[]): MutantVerdict => ({
    id, feature: 'gates', description: '', killed: killers.length > 0, killedByAospAlone: false, killers, kills: independentKills(killers), aospKillers: [], example: killers[0] ? { case: killers[0], status: 'fail', reason: 'x' } : null,
  });

  it('fails when any mutant has fewer than 2 independent kills, and says which', () => {
    const r = { referenceFailures: [], cases: 3, verdicts: [verdict('a', ['x', 'y']), verdict('b', ['s-step1of2', 's-step2of2']), verdict('c', [])] };
    const s = summarizeSelftest(r);
    expect(s).toMatchObject({ exitCode: 1, survivors: ['c'], underKilled: ['b', 'c'], kills: { min: 0, median: 1, required: 2 } });
    const text = renderSelftestText(r, s);
    expect(text).toMatch(/^b\s+WEAK\s+1\s+2\s/m);
    expect(text).toMatch(/KILLED BY FEWER THAN 2 CASES: b \(1\)/);
    expect(summarizeSelftest({ ...r, verdicts: [verdict('a', ['x', 'y'])] }).exitCode).toBe(0);
  });

  it('--json - reports per mutant its kills; --list names every mutant', async () => {
    expect(await main(['selftest', '--mutant', 'projection-transposed', '--json', '-'])).toBe(0);
    const doc = JSON.parse(io.out) as { kills: { min: number }; mutants: { id: string; kills: number; killers: string[] }[] };
    expect(doc.mutants).toHaveLength(1);
    expect(doc.mutants[0]).toMatchObject({ id: 'projection-transposed' });
    expect(doc.mutants[0]!.kills).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(doc.kills.min).toBe(doc.mutants[0]!.kills);
    expect(io.err).toMatch(/projection-transposed\s+killed\s+\d+/);
    io.out = '';
    expect(await main(['selftest', '--list'])).toBe(0);
    for (const m of MUTANTS) expect(io.out).toContain(m.id);
  }, 60_000);
});

describe('independent kills', () => {
  it('counts the steps of one generated sequence once', () => {
    expect(independentKills(['tflite/a-seq5-step1of5', 'tflite/a-seq5-step2of5', 'tflite/b', 'aosp/c'])).toBe(3);
    expect(independentKills([])).toBe(0);
  });
});

/** Square positive cases: every input-to-gate (and aux) matrix square, input = units = output. */
function squareWeights(model: Model): { name: string; values: number[]; n: number }[] | null {
  const v = validateModel(model);
  if (!v.ok) return null;
  const variant = v.variant as unknown as Record<string, unknown>;
  const op = model.operations[0]!;
  if (op.type !== 'LSTM' && op.type !== 'UNIDIRECTIONAL_SEQUENCE_LSTM' && op.type !== 'BIDIRECTIONAL_SEQUENCE_LSTM') return null;
  const I = variant['inputSize'] as number;
  const cells = op.type === 'BIDIRECTIONAL_SEQUENCE_LSTM' ? [variant['fw'], variant['bw']] as Record<string, number>[] : [variant as Record<string, number>];
  if (!cells.every((c) => c['numUnits'] === I && c['outputSize'] === I)) return null;
  if (op.type === 'BIDIRECTIONAL_SEQUENCE_LSTM' && variant['aux'] !== 'none' && variant['auxInputSize'] !== I) return null;
  const out: { name: string; values: number[]; n: number }[] = [];
  for (const idx of op.inputs) {
    const o = model.operands[idx]!;
    if (isOmitted(o) || o.dimensions.length !== 2 || o.lifetime === 'SUBGRAPH_INPUT' || !/_weights$/.test(o.name ?? '')) continue;
    if (o.dimensions[0] === I && o.dimensions[1] === I) out.push({ name: o.name!, values: o.values, n: I });
  }
  return out;
}

describe('square cases with asymmetric weights', () => {
  const squares = loadCases()
    .filter((c) => c.kind === 'positive')
    .flatMap((c) => {
      const w = squareWeights(c.model);
      return w ? [{ id: c.id, op: c.model.operations[0]!.type, dtype: c.model.operands[c.model.operations[0]!.inputs[0]!]!.type, weights: w }] : [];
    });

  it('exist for LSTM and both sequence ops, in float32 and float16, with an aux input of the same size', () => {
    const have = new Set(squares.map((s) => `${s.op} ${s.dtype}`));
    for (const op of ['LSTM', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM']) for (const t of ['TENSOR_FLOAT32', 'TENSOR_FLOAT16']) expect(have, `${op} ${t}`).toContain(`${op} ${t}`);
    const aux = squares.filter((s) => s.weights.some((w) => w.name.includes('aux_input_to_')));
    expect(new Set(aux.map((s) => s.dtype))).toEqual(new Set(['TENSOR_FLOAT32', 'TENSOR_FLOAT16']));
  });

  it('hold matrices far from symmetric and distinct per gate (so a transposed or swapped read shows)', () => {
    for (const s of squares) {
      for (const w of s.weights) {
        let asym = 0;
        for (let r = 0; r < w.n; r++) for (let c = 0; c < w.n; c++) asym = Math.max(asym, Math.abs(w.values[r * w.n + c]! - w.values[c * w.n + r]!));
        expect(asym, `${s.id} ${w.name}: max |W − Wᵀ|`).toBeGreaterThan(0.1);
      }
      const keys = s.weights.map((w) => w.values.join(','));
      expect(new Set(keys).size, `${s.id}: per-gate matrices distinct`).toBe(keys.length);
    }
  });
});
