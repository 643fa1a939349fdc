import { describe, expect, it } from 'vitest';
import { runSelftest } from '../src/cli/commands/selftest.js';
import { ALL_MUTANTS as MUTANTS } from '../src/drivers/mutants.js';

describe('suite power (nnlstm selftest)', () => {
  it('the catalogue holds at least 15 mutants with distinct ids', () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(15);
    expect(new Set(MUTANTS.map((m) => m.id)).size).toBe(MUTANTS.length);
  });

  it('the reference passes every case and every mutant is killed by some case', async () => {
    const r = await runSelftest();
    expect(r.referenceFailures).toEqual([]);
    const survivors = r.verdicts.filter((v) => !v.killed).map((v) => v.id);
    expect(survivors).toEqual([]);
    // The gap-filling vectors are what catch these: the AOSP vectors alone do not.
    const aospMisses = r.verdicts.filter((v) => !v.killedByAospAlone).map((v) => v.id).sort();
    expect(aospMisses).toEqual(
      ['activation-none-cell-gate', 'activation-operand-ignored', 'cell-clip-ignored', 'cell-clip-upper-only', 'proj-clip-ignored', 'relu6-as-relu', 'aux-weights-wrong-direction',
        // Integer bugs that only the bit-exact gap-filling vectors (golden/integer) catch.
        'int-rescale-round-half-away', 'int-hidden-zero-point-sign', 'int-cell-clip-not-quantized', 'int-cell-overflow-wraps', 'int-layer-norm-truncating-division',
        // AOSP's own QLSTM code passes AOSP's vectors; the gap-filling vectors name its departures.
        'qlstm-aosp-code'].sort(),
    );
  });
});
