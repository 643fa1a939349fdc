/**
 * Judging one fuzz case. Expected outputs come from the reference on its plain path (integer ops:
 * bit-exact). Float cases also carry the independent float64 evaluation: a driver outside the
 * harness tolerance of the reference fails only when the reference itself is within tolerance of
 * float64, so a rounding artefact of the reference is never blamed on a driver. Cases where the
 * reference is outside are counted and reported (never as a failure).
 */
import type { Driver, OutputValue } from '../../drivers/driver.js';
import { ReferenceDriver } from '../../drivers/reference.js';
import { isOmitted, type Model } from '../../model/model.js';
import { lstmStepF64, type F64Tensors } from '../../ops/lstm/float64.js';
import { sequenceLstmF64 } from '../../ops/sequence/float64.js';
import type { PositiveCase } from '../case.js';
import { compareWithExpected, fmtRatio, type ExpectedOutput } from '../compare.js';
import type { Deviation } from '../deviations.js';
import { featureTags, modelFeatures, primaryGroup } from '../features.js';
import { buildInputs, runCase, type CaseResult } from '../runner.js';
import { modelToleranceName } from '../tolerance.js';
import { buildFuzzModel, describeCase, GENERATOR_NAME, GENERATOR_VERSION, type FuzzCase } from './generator.js';

const PLAIN_REFERENCE = new ReferenceDriver({ name: 'reference' });

export const isInteger = (c: FuzzCase) => c.op === 'QUANTIZED_LSTM' || c.op === 'QUANTIZED_16BIT_LSTM';

/** Expected outputs of a float model in float64, by output operand index (LSTM's scratch buffer has none). */
export function float64Expected(model: Model): Map<number, ExpectedOutput> {
  const op = model.operations[0]!;
  const out = new Map<number, ExpectedOutput>();
  if (op.type === 'LSTM') {
    const t: Record<string, ArrayLike<number> | number | null> = {};
    for (const i of op.inputs) {
      const o = model.operands[i]!;
      t[o.name] = isOmitted(o) ? null : o.dimensions.length === 0 ? o.values[0]! : o.values;
    }
    const dim = (name: string, k: number) => model.operands[op.inputs.find((i) => model.operands[i]!.name === name)!]!.dimensions[k]!;
    const sizes = { batchSize: dim('input', 0), inputSize: dim('input', 1), numUnits: dim('input_to_output_weights', 0), outputSize: dim('recurrent_to_output_weights', 1) };
    const r = lstmStepF64(sizes, t as unknown as F64Tensors);
    const byName: Record<string, Float64Array> = { output_state_out: r.outputState, cell_state_out: r.cellState, output: r.outputState };
    for (const i of model.outputIndexes) {
      const o = model.operands[i]!;
      const v = byName[o.name];
      if (v) out.set(i, { dimensions: o.dimensions, values: v });
    }
    return out;
  }
  const values = sequenceLstmF64(model);
  op.outputs.forEach((i, k) => out.set(i, { dimensions: model.operands[i]!.dimensions, values: values[k]! }));
  return out;
}

export interface PreparedFuzzCase {
  /** The model with the reference's outputs as expected values. */
  model: Model;
  positive: PositiveCase;
  /** Float: the reference against float64 (worst error / allowed error; > 1 = outside). */
  referenceRatio: number | null;
  referenceOutside: boolean;
  /** Float: the float64 outputs (for a golden file), by output operand index. */
  float64: Map<number, ExpectedOutput> | null;
}

export class GeneratorDefect extends Error {
  override readonly name = 'GeneratorDefect';
}

/** The reference's outputs overflow their type (float16 state under unbounded activations): nothing to judge. */
export class ReferenceOverflow extends Error {
  override readonly name = 'ReferenceOverflow';
}

/** Marks results of cases whose reference outputs overflowed (not judged; counted by the campaign). */
export const REFERENCE_OVERFLOW = 'reference output overflows';

/** Builds the model, runs the reference (and float64) and makes the conformance case. */
export function prepareFuzzCase(c: FuzzCase, id: string): PreparedFuzzCase {
  const model = buildFuzzModel(c);
  const prep = PLAIN_REFERENCE.prepareSync(model);
  if (!prep.ok) throw new GeneratorDefect(`generated model rejected by the reference: ${prep.message}: ${(prep.violations ?? []).map((v) => `${v.rule} (${v.message})`).join('; ')}`);
  const exec = PLAIN_REFERENCE.executeSync(prep.prepared, buildInputs(model));
  if (!exec.ok) throw new GeneratorDefect(`the reference failed on a generated model: ${exec.status}: ${exec.message}`);
  for (const o of exec.outputs) {
    const operand = model.operands[o.index]!;
    if (operand.isIgnored) continue;
    const k = Array.prototype.findIndex.call(o.values, (v: number) => !Number.isFinite(v));
    if (k >= 0) throw new ReferenceOverflow(`${REFERENCE_OVERFLOW} ${operand.type}: ${operand.name}[${k}] = ${o.values[k]}`);
  }
  setExpected(model, exec.outputs);
  let referenceRatio: number | null = null;
  let referenceOutside = false;
  let float64: Map<number, ExpectedOutput> | null = null;
  if (isInteger(c)) {
    model['harness'] = { comparison: 'bit-exact' };
  } else {
    float64 = float64Expected(model);
    const cmp = compareWithExpected(model, float64, exec.outputs);
    referenceRatio = cmp.maxRatio;
    referenceOutside = !cmp.pass;
  }
  const features = modelFeatures(model);
  const tags = featureTags(features, model);
  const positive: PositiveCase = {
    id,
    kind: 'positive',
    file: '',
    name: id,
    description: describeCase(c),
    group: primaryGroup(tags),
    tags,
    features,
    provenance: { kind: 'fuzz', generator: GENERATOR_NAME, generatorVersion: String(GENERATOR_VERSION), seed: c.seed },
    tolerance: modelToleranceName(model),
    model,
  };
  return { model, positive, referenceRatio, referenceOutside, float64 };
}

function setExpected(model: Model, outputs: readonly OutputValue[]): void {
  for (const o of outputs) {
    const operand = model.operands[o.index]!;
    operand.values = Array.from(o.values);
    operand.dimensions = [...o.dimensions];
  }
}

/** The features of a case that has no (valid, judged) model. */
function genericFeatures(c: FuzzCase): CaseResult['features'] {
  const dtype = c.variant === 'int8' ? 'quant8-asymm-signed' : c.variant === 'quant8' ? 'quant8-asymm' : c.variant === 'float16' ? 'float16' : 'float32';
  return { operation: c.op, dtype, relaxed: c.variant === 'relaxed' };
}

export interface Judged {
  result: CaseResult;
  prepared: PreparedFuzzCase | null;
}

export const FAILING = new Set(['fail', 'error', 'rejected']);

/** Runs one case against the driver and judges it (never throws). */
export async function judgeFuzzCase<P>(driver: Driver<P>, c: FuzzCase, id: string, deviations: readonly Deviation[] = []): Promise<Judged> {
  let prepared: PreparedFuzzCase;
  try {
    prepared = prepareFuzzCase(c, id);
  } catch (e) {
    // A reference overflow is not judged; anything else is a generator or reference defect: an error of the
    // campaign, never a driver's failure.
    const overflow = e instanceof ReferenceOverflow;
    const msg = e instanceof Error ? e.message : String(e);
    return {
      prepared: null,
      result: {
        id, kind: 'positive', group: 'basic', tags: ['basic'], status: overflow ? 'unsupported' : 'error',
        features: genericFeatures(c),
        provenance: 'fuzz', maxAbsError: null, maxRatio: null, worst: null,
        reason: overflow ? `${msg}: not judged` : `fuzz harness: ${msg}`, durationMs: 0,
      },
    };
  }
  const result = await runCase(driver, prepared.positive, deviations);
  if (prepared.referenceOutside) {
    const why = `the reference is outside the ${prepared.positive.tolerance} tolerance of float64 (ratio ${fmtRatio(prepared.referenceRatio)})`;
    if (result.status === 'fail') {
      result.status = 'unsupported';
      result.reason = `${REFERENCE_OUTSIDE}: not judged: ${why}; the driver: ${result.reason ?? 'differs'}`;
    } else {
      result.reason = `${REFERENCE_OUTSIDE}: ${why}${result.reason ? `; ${result.reason}` : ''}`;
    }
  }
  return { result, prepared };
}

/** Marks results of cases whose reference was outside float64's tolerance (counted by the campaign and merge-reports). */
export const REFERENCE_OUTSIDE = 'reference outside float64';
