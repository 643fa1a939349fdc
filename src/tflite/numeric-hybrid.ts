/**
 * Numeric verdict of a HYBRID LSTM / UNIDIRECTIONAL_SEQUENCE_LSTM op of a `.tflite` model (float32 input / state /
 * output, INT8 symmetric per-tensor weights; facts §9) for `nnlstm validate`:
 *
 * - the op is cut out with its REAL int8 weights and scales (tfliteOpToNnapiModel);
 * - the REFERENCE (the float spec, src/drivers/reference.ts) runs the float op on the DEQUANTIZED weights
 *   w = scale · q (float32);
 * - TFLite (WASM) runs the hybrid single-op model written with exactly those int8 values and scales
 *   (writeSingleOpTflite with hybridWeights + hybridQuantization: LSTM v3 / UNIDIRECTIONAL v2), i.e. its hybrid
 *   kernel, which additionally quantizes input and output_state to int8 on the fly;
 * - same trials as the float check (seeded inputs ±1 × zero / small / large initial states through the state inputs),
 *   compared element-wise with the HYBRID TOLERANCE: |TFLite − reference| ≤ 3.6e-2 absolute. Derivation: TFLite's
 *   upstream hybrid tests accept 1e-3 … 3.6e-2 absolute (facts §9); the bound is their largest value. It is a
 *   statement about the on-the-fly input/state quantization only (the weights are the same on both sides), so a
 *   wrong weight scale or a broken kernel shows as an error far above it.
 *
 * The NNAPI structural verdict is left as it is (NNAPI's float LSTM takes float weights; the mapped model keeps the
 * quantized weight types). Per-channel and uint8 / asymmetric weights, and the bidirectional op, are not-supported.
 */
import type { Driver } from '../drivers/driver.js';
import { ReferenceDriver } from '../drivers/reference.js';
import { isOmitted, type Model } from '../model/model.js';
import { UnsupportedByTflite } from './errors.js';
import { HYBRID_WEIGHT_ROLES, dequantizeSymmetric, type HybridQuant } from './hybrid.js';
import type { LstmOpReport } from './inspect.js';
import { STATE_SCALE, makeTrials, prepareReference, tfliteAsNnapiOutputs, type NumericOptions, type NumericTrial, type NumericVerdict } from './numeric.js';
import type { TfliteModel } from './reader.js';
import { TfliteRuntime, TfliteRuntimeError, TfliteRuntimeUnavailable } from './runtime.js';
import { writeSingleOpTfliteWithIo, type SingleOpIo } from './writer.js';

/** Hybrid tolerance: absolute, the largest upstream hybrid-test tolerance (facts §9: 1e-3 … 3.6e-2). */
export const HYBRID_ATOL = 3.6e-2;

const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' | ');
const product = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined) return '-';
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(3) : x.toExponential(2);
}

/**
 * The float model of a mapped hybrid op: every INT8 symmetric per-tensor weight operand becomes TENSOR_FLOAT32 with
 * the dequantized values; returns the int8 values and scales per role. A string = why it is not supported.
 */
export function dequantizeHybridModel(nnMapped: Model): { model: Model; quant: Map<string, HybridQuant> } | string {
  const nn = structuredClone(nnMapped);
  const op = nn.operations[0];
  if (!op || (op.type !== 'LSTM' && op.type !== 'UNIDIRECTIONAL_SEQUENCE_LSTM')) return `hybrid ${op?.type ?? 'op'} reference pending (LSTM and UNIDIRECTIONAL_SEQUENCE_LSTM only)`;
  const quant = new Map<string, HybridQuant>();
  for (const idx of op.inputs) {
    const o = nn.operands[idx]!;
    const role = o.role ?? o.name;
    if (isOmitted(o) || o.type === 'TENSOR_FLOAT32' || o.dimensions.length === 0) continue;
    if (o.type !== 'TENSOR_QUANT8_SYMM' || !HYBRID_WEIGHT_ROLES.has(role)) {
      return `hybrid ${role} of type ${o.type}: only INT8 symmetric per-tensor weights are supported`;
    }
    if (o.lifetime !== 'CONSTANT_COPY' && o.lifetime !== 'CONSTANT_REFERENCE') return `hybrid ${role} is not a constant`;
    if (o.zeroPoint !== 0 || !(o.scale > 0) || o.values.length !== product(o.dimensions)) return `hybrid ${role}: zero point ${o.zeroPoint}, scale ${o.scale}`;
    const h: HybridQuant = { q: Int8Array.from(o.values), scale: o.scale };
    quant.set(role, h);
    o.type = 'TENSOR_FLOAT32';
    o.scale = 0;
    o.zeroPoint = 0;
    o.values = dequantizeSymmetric(h);
  }
  if (quant.size === 0) return 'no int8 weight operands';
  return { model: nn, quant };
}

/**
 * Compares the reference on float model `nn` with TFLite running `hybrid` (a hybrid single-op model whose subgraph
 * I/O is `io`) at the hybrid tolerance. Never throws for model problems.
 */
export async function compareHybrid(nn: Model, hybrid: { bytes: Uint8Array; io: SingleOpIo }, opts: NumericOptions = {}): Promise<NumericVerdict> {
  const ref: Driver = opts.reference ?? new ReferenceDriver();
  let refPrep: Awaited<ReturnType<typeof prepareReference>>;
  try {
    refPrep = await prepareReference(ref, nn);
  } catch (e) {
    return { status: 'error', reason: `reference prepare threw: ${errMsg(e)}`, summary: `error (reference prepare threw: ${errMsg(e)})` };
  }
  if (!refPrep.ok) {
    const status = refPrep.unsupported ? 'pending' : 'error';
    return { status, reason: `the reference rejected the dequantized op: ${refPrep.message}`, summary: `${status} (reference rejected the dequantized op)` };
  }
  const model = refPrep.model;
  let rt: TfliteRuntime;
  let compiled;
  try {
    rt = await TfliteRuntime.load();
    compiled = rt.compile(hybrid.bytes);
  } catch (e) {
    if (e instanceof TfliteRuntimeUnavailable) return { status: 'skipped', reason: e.message, summary: `skipped (${e.message})` };
    const why = e instanceof TfliteRuntimeError ? e.message : errMsg(e);
    return { status: 'error', reason: `TFLite runtime rejected the hybrid op: ${errMsg(why)}`, summary: 'error (TFLite runtime rejected the hybrid op)' };
  }
  const compared = model.outputIndexes.map((i) => model.operands[i]!).filter((o) => !o.isIgnored).map((o) => o.role ?? o.name);
  const trials: NumericTrial[] = [];
  let maxAbsError = 0;
  try {
    for (const t of makeTrials(model, hybrid.io, opts)) {
      const r = await ref.execute(refPrep.prepared, t.inputs);
      if (!r.ok) throw new Error(`reference execute failed (seed ${t.seed}, ${t.state} state): ${r.message}`);
      const actual = tfliteAsNnapiOutputs(model, hybrid.io, compiled.run(t.tfliteInputs));
      let err = 0;
      for (const exp of r.outputs) {
        const operand = model.operands[exp.index];
        if (!operand || operand.isIgnored) continue;
        const got = actual.find((a) => a.index === exp.index);
        if (!got || got.values.length !== exp.values.length) throw new Error(`output ${operand.role ?? operand.name}: TFLite gave ${got?.values.length ?? 0} values, the reference ${exp.values.length}`);
        for (let k = 0; k < exp.values.length; k++) {
          const e = Math.abs(Number(got.values[k]) - Number(exp.values[k]));
          err = Number.isNaN(e) || e > err ? (Number.isNaN(e) ? Infinity : e) : err;
        }
      }
      const trial: NumericTrial = { seed: t.seed, state: t.state, pass: err <= HYBRID_ATOL, maxAbsError: err, maxRatio: err / HYBRID_ATOL };
      if (!trial.pass) trial.reason = `max |err| ${fmt(err)} > hybrid tolerance ${HYBRID_ATOL}`;
      maxAbsError = Math.max(maxAbsError, err);
      trials.push(trial);
    }
  } catch (e) {
    return { status: 'error', reason: errMsg(e), summary: `error (${errMsg(e)})`, trials };
  } finally {
    compiled.delete();
  }
  const maxRatio = maxAbsError / HYBRID_ATOL;
  const states = [...new Set(trials.map((t) => t.state))];
  const seeds = [...new Set(trials.map((t) => t.seed))];
  const base: NumericVerdict = {
    status: 'pass',
    summary: '',
    criterion: 'hybrid',
    compared,
    trials,
    maxAbsError,
    maxRatio,
    runtime: `TFLite ${rt.version} (${rt.flavor} WASM), hybrid kernel`,
    setup: `input uniform ±${opts.inputScale ?? 1}; initial states ${states.map((st) => (st === 'zero' ? 'zero' : `${st} ±${STATE_SCALE[st]}`)).join(', ')}; reference = float op on the dequantized weights (scale·q)`,
    notes: [`hybrid tolerance: |err| ≤ ${HYBRID_ATOL} absolute (largest upstream TFLite hybrid-test tolerance, facts §9)`],
  };
  const scope = `${trials.length} trials: seeds ${seeds.join(',')} × ${states.join('/')} initial state`;
  const failing = trials.filter((t) => !t.pass);
  if (failing.length === 0) {
    return { ...base, summary: `pass (hybrid tolerance atol ${HYBRID_ATOL}; ${scope}; max |err| ${fmt(maxAbsError)}, err/tol ${fmt(maxRatio)})` };
  }
  const worst = failing.reduce((a, b) => ((b.maxAbsError ?? Infinity) > (a.maxAbsError ?? Infinity) ? b : a));
  return {
    ...base,
    status: 'fail',
    reason: `seed ${worst.seed}, ${worst.state} state: ${worst.reason ?? ''}`,
    summary: `FAIL (hybrid tolerance atol ${HYBRID_ATOL}: ${failing.length}/${trials.length} trials outside; max |err| ${fmt(maxAbsError)}, err/tol ${fmt(maxRatio)})`,
  };
}

/** `nnlstm validate` numeric check of one hybrid op (see the file comment). Never throws for model problems. */
export async function numericCheckHybrid(_tfl: TfliteModel, report: LstmOpReport, nnMapped: Model, opts: NumericOptions = {}): Promise<NumericVerdict> {
  const dq = dequantizeHybridModel(nnMapped);
  if (typeof dq === 'string') return { status: 'not-supported', reason: dq, summary: `not yet supported (${dq})` };
  if (nnMapped.operations[0]!.inputs.some((i) => {
    const o = nnMapped.operands[i]!;
    const role = o.role ?? o.name;
    return o.lifetime === 'SUBGRAPH_INPUT' && !isOmitted(o) && role !== 'input' && !/state_in$/.test(role);
  })) {
    const reason = 'hybrid op with weights computed at run time';
    return { status: 'skipped', reason, summary: `skipped (${reason})` };
  }
  let hybrid: { bytes: Uint8Array; io: SingleOpIo };
  try {
    hybrid = writeSingleOpTfliteWithIo(dq.model, {
      description: `nnlstm hybrid numeric check: ${report.op} (subgraph ${report.subgraph}, operator ${report.operator})`,
      hybridWeights: true,
      hybridQuantization: dq.quant,
    });
  } catch (e) {
    if (e instanceof UnsupportedByTflite) return { status: 'pending', reason: e.message, summary: `pending (hybrid single-op writer: ${e.message})` };
    return { status: 'error', reason: `cannot write the hybrid single-op model: ${errMsg(e)}`, summary: 'error (cannot write the hybrid single-op model)' };
  }
  return compareHybrid(dq.model, hybrid, opts);
}
