import { describe, expect, it } from 'vitest';
import { loadCases, type PositiveCase } from '../src/conformance/cases.js';
import { runCase } from '../src/conformance/runner.js';
import { ReferenceDriver, type ReferencePrepared } from '../src/drivers/reference.js';
import type { ExecuteResult, InputValue } from '../src/drivers/driver.js';

/** The reference with one output element nudged, declaring a known defect. */
class DeclaringDriver extends ReferenceDriver {
  constructor(private readonly declare: boolean) {
    super({ name: 'declaring' });
  }
  override async execute(p: ReferencePrepared, inputs: InputValue[]): Promise<ExecuteResult> {
    const r = await super.execute(p, inputs);
    if (!r.ok) return r;
    return { ok: true, outputs: r.outputs.map((o, k) => (k === r.outputs.length - 1 ? { ...o, values: Array.from(o.values, (v, j) => (j === 0 ? Math.fround(v + 0.5) : v)) } : o)) };
  }
  knownDeviation() {
    return this.declare ? { id: 'vendor-bug-123', description: 'a waiver the vendor filed' } : undefined;
  }
}

describe('driver-declared deviations', () => {
  const c = loadCases().find((x): x is PositiveCase => x.kind === 'positive' && x.id.includes('lstm-f32-nocifg-nopeephole-noproj-noln-tanh-b1-lstm'))!;
  it('a declared defect is named on the failing case and never makes it pass', async () => {
    const r = await runCase(new DeclaringDriver(true), c);
    expect(r.status).toBe('fail');
    expect(r.deviation).toBe('vendor-bug-123');
    expect(r.reason).toContain('declared by the driver');
  });
  it('without a declaration the failure carries no deviation', async () => {
    const r = await runCase(new DeclaringDriver(false), c);
    expect(r.status).toBe('fail');
    expect(r.deviation).toBeUndefined();
  });
});
