import { describe, expect, it } from 'vitest';
import { loadCases, type PositiveCase } from '../../src/conformance/cases.js';
import { buildInputs } from '../../src/conformance/runner.js';
import { compute, ExecutionError, ModelValidationError, prepareModel } from '../../src/drivers/prepared-model.js';
import { ReferenceDriver } from '../../src/drivers/reference.js';
import type { Model } from '../../src/model/model.js';
import { isOmitted } from '../../src/model/model.js';
import { buildModel, ModelBuildError, type OperandInit, type OutputInit } from '../../src/ops/build-model.js';
import { loadSpec } from '../../src/spec/operation-spec.js';

const positives = loadCases().filter((c): c is PositiveCase => c.kind === 'positive');

/** The case's operands by role name, as a library user would write them (every value given). */
function byName(model: Model): { operands: Record<string, OperandInit>; outputs: Record<string, OutputInit>; variant: string } {
  const op = model.operations[0]!;
  const spec = loadSpec(op.type);
  const operands: Record<string, OperandInit> = {};
  op.inputs.forEach((idx, k) => {
    const o = model.operands[idx]!;
    const name = spec.inputs[k]!.name;
    if (isOmitted(o)) return;
    operands[name] = spec.inputs[k]!.kind === 'scalar' ? o.values[0]! : { dimensions: o.dimensions, values: o.values, type: o.type, scale: o.scale, zeroPoint: o.zeroPoint };
  });
  const outputs: Record<string, OutputInit> = {};
  for (const idx of model.outputIndexes) {
    const k = op.outputs.indexOf(idx);
    const o = model.operands[idx]!;
    outputs[spec.outputs[k]!.name] = { type: o.type, scale: o.scale, zeroPoint: o.zeroPoint };
  }
  const inputType = model.operands[op.inputs[0]!]!.type;
  const variant = spec.variants.find((v) => v.inputType === inputType)!.id;
  return { operands, outputs, variant };
}

describe('buildModel + compute (operands by name)', () => {
  it(`reproduce the reference driver bit for bit on all ${positives.length} positive cases, plain and fast`, async () => {
    const plain = new ReferenceDriver();
    let checked = 0;
    for (const c of positives) {
      const p = await plain.prepare(c.model);
      if (!p.ok) throw new Error(`${c.id}: ${p.message}`);
      const r = await plain.execute(p.prepared, buildInputs(c.model));
      if (!r.ok) throw new Error(`${c.id}: ${r.message}`);
      const { operands, outputs, variant } = byName(c.model);
      const opts = { variant, outputs, ...(c.model.isRelaxed ? { relaxed: true } : {}) };
      const got = compute(c.model.operations[0]!.type as Model['operations'][0]['type'] & string as never, operands, opts);
      const names = Object.keys(outputs);
      expect(Object.keys(got), c.id).toEqual(names);
      r.outputs.forEach((o, k) => expect(Array.from(got[names[k]!]!.values), `${c.id} ${names[k]}`).toEqual(Array.from(o.values)));
      checked++;
    }
    expect(checked).toBe(positives.length);
  });

  it('names the operand (spec index and name) that is missing, unknown or of the wrong kind', () => {
    expect(() => buildModel('LSTM', { input: { dimensions: [1, 2] } })).toThrow(ModelBuildError);
    expect(() => buildModel('LSTM', { input: { dimensions: [1, 2] } })).toThrow(/LSTM operand 2 \(input_to_forget_weights\): is required/);
    expect(() => buildModel('LSTM', { input_to_forgot_weights: { dimensions: [1] } })).toThrow(/unknown operand 'input_to_forgot_weights'/);
    expect(() => buildModel('LSTM', { activation: { dimensions: [1] } } as never)).toThrow();
    expect(() => buildModel('LSTM', {}, { variant: 'int4' })).toThrow(/unknown variant 'int4' \(known: float32, float16\)/);
  });
});

describe('prepareModel', () => {
  const c = positives.find((x) => x.model.operations[0]!.type === 'LSTM' && x.model.inputIndexes.length > 0 && x.features['inputSize'] !== x.features['numUnits'])!;
  it('runs a model with inputs by name, repeatedly, and says which input is missing or unknown', () => {
    const prepared = prepareModel(c.model);
    expect(prepared.featureLevel).toBeGreaterThanOrEqual(1);
    const values = buildInputs(c.model);
    const inputs = Object.fromEntries(prepared.inputNames.map((n, k) => [n, values[k]]));
    const a = prepared.run(inputs);
    const b = prepared.run(inputs);
    expect(Object.keys(a)).toEqual(prepared.outputNames);
    for (const n of prepared.outputNames) expect(Array.from(a[n]!.values)).toEqual(Array.from(b[n]!.values));
    const required = prepared.inputNames.find((n, k) => values[k] !== null)!;
    const { [required]: _dropped, ...missing } = inputs;
    expect(() => prepared.run(missing)).toThrow(ExecutionError);
    expect(() => prepared.run(missing)).toThrow(new RegExp(`input '${required}' \\(operand \\d+\\) is missing`));
    expect(() => prepared.run({ ...inputs, bogus: [1] })).toThrow(/unknown input 'bogus'/);
  });
  it('rejects an invalid model with every violation (rule id, operand)', () => {
    const broken = structuredClone(c.model);
    const w = broken.operands.find((o) => o.name.includes('input_to_forget_weights'))!;
    // Transposed dimensions, same element count: only the shape rule can catch it.
    w.dimensions = [w.dimensions[1]!, w.dimensions[0]!];
    try {
      prepareModel(broken);
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(ModelValidationError);
      const v = (e as ModelValidationError).violations;
      expect(v.length).toBeGreaterThan(0);
      expect(v.some((x) => x.rule.startsWith('LSTM.') && x.operandIndex === w.index && x.operandName === 'input_to_forget_weights')).toBe(true);
    }
  });
});

describe('ReferenceDriver by hand', () => {
  it('takes an omitted operand as null or as the empty values the model file holds for it', async () => {
    const c = positives.find((x) => x.model.inputIndexes.some((i) => isOmitted(x.model.operands[i]!)))!;
    const d = new ReferenceDriver();
    const p = await d.prepare(c.model);
    if (!p.ok) throw new Error(p.message);
    const asNull = await d.execute(p.prepared, buildInputs(c.model));
    const asEmpty = await d.execute(p.prepared, c.model.inputIndexes.map((i) => c.model.operands[i]!.values));
    expect(asNull.ok && asEmpty.ok).toBe(true);
    if (asNull.ok && asEmpty.ok) expect(asEmpty.outputs.map((o) => Array.from(o.values))).toEqual(asNull.outputs.map((o) => Array.from(o.values)));
  });
});
