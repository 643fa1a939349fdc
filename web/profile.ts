/**
 * The per-element |error|/tolerance profile of a float op's worst numeric trial, for the page's plot.
 *
 * validateTflite's verdict carries per-trial maxima only; the plot wants every output element. The trials are
 * deterministic (src/tflite/numeric.ts makeTrials: seeded inputs and states), so the worst one is re-run here with
 * the same building blocks the numeric check uses — the reference on the cut-out op versus the TFLite runtime — and
 * judged with errorProfile, the function the HTML conformance report plots. Nothing here decides a verdict.
 */
import { errorProfile, type OutputErrorProfile } from '../src/conformance/error-profile.js';
import type { ExpectedOutput } from '../src/conformance/compare.js';
import type { Driver } from '../src/drivers/driver.js';
import { ReferenceDriver } from '../src/drivers/reference.js';
import type { Model } from '../src/model/model.js';
import type { LstmOpReport } from '../src/tflite/inspect.js';
import { makeTrials, prepareReference, resolveRuntimeWeights, tfliteAsNnapiOutputs, type NumericTrial } from '../src/tflite/numeric.js';
import type { TfliteModel } from '../src/tflite/reader.js';
import { TfliteRuntime } from '../src/tflite/runtime.js';
import { writeSingleOpTfliteWithIo } from '../src/tflite/writer.js';

/** The trial with the largest error ratio (the first on ties); undefined when there is none with a ratio. */
export function worstTrial(trials: readonly NumericTrial[] | undefined): NumericTrial | undefined {
  let worst: NumericTrial | undefined;
  for (const t of trials ?? []) if (t.maxRatio !== null && (worst === undefined || t.maxRatio > (worst.maxRatio ?? -1))) worst = t;
  return worst;
}

/** Per-element profile of one trial of a float op (the seeds/first seed as validate drew them). */
export async function floatTrialProfile(tfl: TfliteModel, report: LstmOpReport, nnMapped: Model, trial: Pick<NumericTrial, 'seed' | 'state'>, seeds: number, firstSeed: number): Promise<OutputErrorProfile[]> {
  const nn = structuredClone(nnMapped);
  if (resolveRuntimeWeights(tfl, tfl.subgraphs[report.subgraph]!, report.operator, report, nn).length) return [];
  const ref: Driver = new ReferenceDriver();
  const prep = await prepareReference(ref, nn);
  if (!prep.ok) return [];
  const { bytes, io } = writeSingleOpTfliteWithIo(nn);
  const t = makeTrials(prep.model, io, { seeds, seed: firstSeed }).find((x) => x.seed === trial.seed && x.state === trial.state);
  if (!t) return [];
  const r = await ref.execute(prep.prepared, t.inputs);
  if (!r.ok) return [];
  const rt = await TfliteRuntime.load();
  const c = rt.compile(bytes);
  try {
    const actual = tfliteAsNnapiOutputs(prep.model, io, c.run(t.tfliteInputs));
    const expected = new Map<number, ExpectedOutput>(r.outputs.map((o) => [o.index, { dimensions: [...o.dimensions], values: o.values }]));
    return errorProfile(prep.model, actual, expected);
  } finally {
    c.delete();
  }
}

/** A profile of the per-trial ratios (integer and hybrid ops: validate keeps per-trial maxima only). */
export function perTrialProfile(trials: readonly NumericTrial[] | undefined): OutputErrorProfile[] {
  const list = (trials ?? []).filter((t) => t.maxRatio !== null);
  if (!list.length) return [];
  return [{ index: 0, name: 'max err/tol per trial', criterion: 'trial', ratios: list.map((t) => t.maxRatio!), worst: [] }];
}
