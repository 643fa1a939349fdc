/**
 * `nnlstm validate MODEL.tflite`: for every LSTM-family operator of a `.tflite` file
 *   (a) the structural verdict of the mapped NNAPI model against the spec (rule ids on failure),
 *   (b) the NNAPI feature level it needs,
 *   (c) whether TFLite's NNAPI delegate would hand it to NNAPI (and why not),
 *   (d) a numeric verdict for float ops (src/tflite/numeric.ts): the op cut out with its real weights, reference
 *       versus the TFLite runtime on seeded random inputs and zero / small / large initial states; hybrid ops
 *       (float input, int8 weights; src/tflite/numeric-hybrid.ts) the same with the reference on the dequantized
 *       weights and the hybrid tolerance (atol 3.6e-2).
 * Two kinds of named deviation are told apart (DEVIATIONS below): a deviation of the *comparison runtime* (the TFLite
 * WebAssembly build we run against has a bug the oracle reproduces; the model is fine) is a warning, and a failure only
 * with `strict`; a deviation of the *reference semantics* (the documented formula differs from what AOSP's and TFLite's
 * code compute, so a device computes the implemented one) stays a failure and says what the device will compute.
 * An op this tool could not check (a tool limit, e.g. too many elements for example values) is `not-checked`: a
 * warning, never "invalid".
 * Exit status (`exitCode`): 0 every op valid and numerically within tolerance or only warnings (ops whose numeric check
 * is pending or not supported yet do not fail), 1 some op invalid or numerically off (failure, reference-semantics
 * deviation, or a check that broke) — or any warning with `strict`, 2 unreadable or malformed file (one line:
 * TfliteFormatError kind, byte offset, field path).
 * Identical ops (the same operator table, or the same inputs, options and output descriptions) are validated and
 * numerically checked once; the others name the op they repeat (`duplicateOf`), so the work is bounded by the number of
 * distinct ops whatever the file aliases.
 */
import type { Model } from '../model/model.js';
import { formatViolation, type Violation } from '../model/violation.js';
import { validateModel } from '../ops/validate.js';
import { TfliteFormatError, TfliteMappingError } from './errors.js';
import { inspectTflite, lstmReport, type LstmOpReport, type NnapiDelegateVerdict } from './inspect.js';
import { lstmFamilyOperation, tfliteOpToNnapiModel } from './mapping.js';
import { ACTIVATION_NONE_DEVIATION, numericCheck, type NumericOptions, type NumericVerdict } from './numeric.js';
import { sourceOffset, type TfliteModel, type TfliteOperator, type TfliteSubgraph } from './reader.js';
import { integerStructuralVerdict, numericCheckInt8, WASM_HIDDEN_ZP_DEVIATION } from './numeric-int8.js';
import { numericCheckHybrid } from './numeric-hybrid.js';

// ---- reading ---------------------------------------------------------------------------------------------------

/**
 * The one-line description of a format error: `bounds at byte 1234 (subgraphs[0].operators[3].inputs[9]): …`.
 *
 * @example
 * ```ts
 * import { readTflite, describeFormatError, TfliteFormatError } from 'nnlstm/tflite';
 * try {
 *   readTflite(bytes.subarray(0, 100));
 * } catch (e) {
 *   if (e instanceof TfliteFormatError) console.error(`model.tflite: ${describeFormatError(e)}`);
 * }
 * ```
 */
export function describeFormatError(e: TfliteFormatError): string {
  const prefix = `${e.kind} error at byte ${e.offset}${e.path ? ` (${e.path})` : ''}: `;
  const detail = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
  return `${e.kind} at byte ${e.offset}${e.path ? ` (${e.path})` : ''}: ${detail}`.replace(/\s*\n\s*/g, ' ');
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');

// ---- structure -------------------------------------------------------------------------------------------------

/** The spec verdict on one TFLite op, mapped to its NNAPI model (validateModel of `'nnlstm'`). */
export interface StructuralVerdict {
  /**
   * valid / invalid against the spec; pending = no spec for it (BASIC kernel); not-checked = a limit of this tool
   * stopped the check (the model may be fine); error = the validator threw.
   */
  status: 'valid' | 'invalid' | 'pending' | 'not-checked' | 'error';
  /** Which validator answered. */
  validator: string;
  /** NNAPI feature level the op needs when valid; null otherwise. */
  featureLevel: number | null;
  /** Every rule broken (status invalid). */
  violations: Violation[];
  /** One line for a person. */
  message: string;
}

const FEATURE_LEVEL_TEXT: Record<number, string> = { 1: 'Android 8.1, API 27, NNAPI 1.0', 2: 'Android 9, API 28, NNAPI 1.1', 3: 'Android 10, API 29, NNAPI 1.2', 4: 'Android 11, API 30, NNAPI 1.3' };

export function featureLevelText(fl: number | null): string {
  if (fl === null) return '-';
  return `${fl} (${FEATURE_LEVEL_TEXT[fl] ?? '?'})`;
}

/** The verdict of a mapping refusal: a tool limit is `not-checked`, anything else `invalid` naming the field. */
export function mappingVerdict(e: TfliteMappingError, validator: string, what: string): StructuralVerdict {
  const field = e.field ? ` (${e.field})` : '';
  if (e.kind === 'tool-limit') return { status: 'not-checked', validator, featureLevel: null, violations: [], message: `tool limit${field}: ${e.message}` };
  return { status: 'invalid', validator, featureLevel: null, violations: [], message: `${what}${field}: ${e.message}` };
}

function structuralVerdict(report: LstmOpReport, nn: Model | undefined, mappingError: TfliteMappingError | undefined): StructuralVerdict {
  if (!nn) {
    if (report.basicKernel) {
      return { status: 'pending', validator: 'none', featureLevel: 3, violations: [], message: `BASIC kernel (NNAPI QUANTIZED_16BIT_LSTM, feature level 3): no spec for it yet (${mappingError?.message ?? ''})` };
    }
    if (!mappingError) return { status: 'invalid', validator: 'tflite mapping', featureLevel: null, violations: [], message: `cannot be mapped to an NNAPI ${report.op}` };
    return mappingVerdict(mappingError, 'tflite mapping', `cannot be mapped to an NNAPI ${report.op}`);
  }
  // src/ops/validate.ts dispatches on the operation type (LSTM, UNIDIRECTIONAL_ / BIDIRECTIONAL_SEQUENCE_LSTM).
  const validator = `spec/${report.op}.json rules`;
  let outcome: ReturnType<typeof validateModel>;
  try {
    outcome = validateModel(nn);
  } catch (e) {
    return { status: 'error', validator, featureLevel: null, violations: [], message: `the validator threw: ${errText(e)}` };
  }
  if (outcome.ok) {
    return { status: 'valid', validator, featureLevel: outcome.featureLevel, violations: [], message: `valid ${report.op}, feature level ${outcome.featureLevel}` };
  }
  const violations = outcome.violations;
  return {
    status: 'invalid',
    validator,
    featureLevel: null,
    violations,
    message: violations.length ? `${violations.length} violation(s): ${[...new Set(violations.map((v) => v.rule))].join(', ')}` : 'rejected by the validator',
  };
}

// ---- named deviations ---------------------------------------------------------------------------------------------

/** Whose deviation it is: the runtime we compare against, or the documented semantics versus every implementation. */
export type DeviationKind = 'comparison-runtime' | 'reference-semantics';

export interface DeviationFinding {
  id: string;
  kind: DeviationKind;
  /** What it means for the model on a device, in one paragraph. */
  onDevice: string;
}

const DEVIATIONS: Record<string, { kind: DeviationKind; onDevice: (r: LstmOpReport, n: NumericVerdict) => string }> = {
  [WASM_HIDDEN_ZP_DEVIATION]: {
    kind: 'comparison-runtime',
    onDevice: (r) =>
      'a bug of the TFLite WebAssembly build this tool compares against (@tensorflow/tfjs-tflite 0.0.1-alpha.10 applies the hidden-state zero point with the wrong sign; ' +
      'the deviation oracle reproduces its output exactly), not of the model. On a device ' +
      (r.nnapiDelegate.delegated
        ? "with TFLite's CPU kernels (and tflite-micro) the op computes the integer reference's values; if the NNAPI delegate takes it, AOSP's CPU reference has the same sign error (deviation qlstm-hidden-zero-point-sign)."
        : "the op runs on TFLite's CPU kernels (the NNAPI delegate does not take it), which, like tflite-micro, add the zero point as documented: the model computes the integer reference's values."),
  },
  [ACTIVATION_NONE_DEVIATION]: {
    kind: 'reference-semantics',
    onDevice: () =>
      "activation NONE: TFLite's float kernel and AOSP's NNAPI CPU reference both compute the hidden state as m_t = o ⊙ z_c (the cell-gate pre-activation left in the scratch) instead of the documented m_t = o ⊙ C_t, " +
      'and the runtime matches that oracle: this is what a device will compute for this op. A model trained with the documented semantics (e.g. a linear cell activation) will not reproduce its training outputs; use an explicit activation (TANH) or retrain against the implemented formula.',
  },
};

/** The finding for a `deviation` verdict (an unknown id counts as a failure of the model, to be safe). */
export function deviationFinding(r: LstmOpReport, n: NumericVerdict): DeviationFinding | undefined {
  if (n.status !== 'deviation' || !n.deviation) return undefined;
  const d = DEVIATIONS[n.deviation];
  return { id: n.deviation, kind: d?.kind ?? 'reference-semantics', onDevice: d ? d.onDevice(r, n) : 'unknown deviation id: treated as a failure' };
}

// ---- the whole file ----------------------------------------------------------------------------------------------

/** The verdicts on one LSTM-family operator of a file. */
export interface TfliteOpValidation {
  /** Subgraph index. */
  subgraph: number;
  /** Operator index in that subgraph. */
  operator: number;
  /** TFLite builtin name. */
  op: LstmOpReport['op'];
  /** Operator version. */
  version: number;
  /** Float, hybrid or integer. */
  arithmetic: LstmOpReport['arithmetic'];
  /** Tensor type of `input`. */
  inputType: string;
  /** Tensor type of the weights. */
  weightType: string;
  /** Tensor type of the output. */
  outputType: string;
  /** Sizes as {@link LstmOpReport} gives them. */
  sizes: LstmOpReport['sizes'];
  /** Features as {@link LstmOpReport} gives them. */
  features: LstmOpReport['features'];
  /** The spec verdict (structure, types, shapes, feature level). */
  structure: StructuralVerdict;
  /** NNAPI feature level the op needs (null when it is not valid). */
  featureLevel: number | null;
  /** The delegate verdict; never "delegated" for an op NNAPI would reject (structurally invalid). */
  nnapiDelegate: NnapiDelegateVerdict;
  /** The numeric check against the TFLite runtime (status `skipped` with `numeric: false`). */
  numeric: NumericVerdict;
  /** A named deviation found by the numeric check, with its kind and what it means on a device. */
  deviation?: DeviationFinding;
  /** Warnings (a comparison-runtime deviation, a check stopped by a tool limit); failures with `strict`. */
  warnings: string[];
  /** fail: structurally invalid, numerically off, a reference-semantics deviation, a broken check (or a warning with strict). */
  verdict: 'ok' | 'warning' | 'fail';
  /** Not failing (verdict ok or warning). */
  ok: boolean;
  /** "s:o" of the first op with the same operator table or the same inputs, options and outputs: its verdict is reused. */
  duplicateOf?: string;
}

/** The verdict on a whole `.tflite` file (from {@link validateTflite}); render it with {@link renderValidation}. */
export interface TfliteValidation {
  /** The file name as given. */
  file: string;
  /** File size in bytes. */
  byteLength: number;
  /** Number of operators in all subgraphs. */
  operators: number;
  /** Operator codes with their use counts. */
  operatorTable: { name: string; version: number; count: number }[];
  /** One entry per LSTM-family operator. */
  lstmOps: TfliteOpValidation[];
  /** Distinct ops validated (the others are duplicates). */
  distinctOps: number;
  /** Warnings became failures. */
  strict: boolean;
  /** Every op's warnings, "s:o: text". */
  warnings: string[];
  /** The worst of the ops' verdicts. */
  verdict: 'ok' | 'warning' | 'fail';
  /** No op fails. */
  ok: boolean;
  /** The CLI's exit code for it: 0 when ok, 1 otherwise. */
  exitCode: 0 | 1;
}

/** Options of {@link validateTflite}. */
export interface ValidateTfliteOptions extends NumericOptions {
  /** Skip the numeric check (reported as skipped). */
  numeric?: boolean;
  /** The file's bytes: integer ops are compared with the TFLite runtime on the real model (src/tflite/numeric-int8.ts). */
  bytes?: Uint8Array;
  /** Warnings (comparison-runtime deviations, tool limits) fail the op. */
  strict?: boolean;
}

/**
 * What makes two ops of a subgraph the same check: the same operator table (an alias, the cheap key), or the same
 * opcode, inputs, intermediates, options and output descriptions.
 */
function opKey(model: TfliteModel, subgraph: number, operator: number): string {
  const sg = model.subgraphs[subgraph]!;
  const op = sg.operators[operator]!;
  const at = sourceOffset(op);
  if (at !== undefined) {
    const known = tableKeys.get(model)?.get(at);
    if (known !== undefined) return known;
  }
  const key = contentKey(sg, op, model);
  if (at !== undefined) {
    let m = tableKeys.get(model);
    if (!m) tableKeys.set(model, (m = new Map()));
    m.set(at, key);
  }
  return key;
}

/** Per model: operator table offset → its content key (aliases of one table are keyed once). */
const tableKeys = new WeakMap<TfliteModel, Map<number, string>>();

function contentKey(sg: TfliteSubgraph, op: TfliteOperator, model: TfliteModel): string {
  const subgraph = sg.index;
  const code = model.operatorCodes[op.opcodeIndex];
  const outputs = op.outputs.map((t) => {
    const x = t >= 0 ? sg.tensors[t] : undefined;
    return x ? [x.typeCode, x.shape, x.quantization?.scale, x.quantization?.zeroPoint, x.isVariable] : t;
  });
  return JSON.stringify([subgraph, code?.builtinCode, code?.version, op.inputs, op.intermediates, op.builtinOptionsType, op.options, op.hasOptionsTable, outputs]);
}

/** The LSTM-family op reports, built once per distinct op (a repeat shares the first's report under its own position). */
export function distinctLstmReports(model: TfliteModel): LstmOpReport[] {
  const out: LstmOpReport[] = [];
  const seen = new Map<string, LstmOpReport>();
  for (const sg of model.subgraphs) {
    sg.operators.forEach((op, i) => {
      const code = model.operatorCodes[op.opcodeIndex];
      if (!code || !lstmFamilyOperation(code.builtinCode)) return;
      const key = opKey(model, sg.index, i);
      const first = seen.get(key);
      if (first) {
        out.push({ ...first, subgraph: sg.index, operator: i });
        return;
      }
      const r = lstmReport(model, sg, i);
      if (!r) return;
      seen.set(key, r);
      out.push(r);
    });
  }
  return out;
}

/** The delegate verdict as validate reports it: an op NNAPI would reject is not delegated, whatever the delegate's own checks say. */
function delegateVerdict(report: LstmOpReport, structure: StructuralVerdict): NnapiDelegateVerdict {
  const d = report.nnapiDelegate;
  // Hybrid ops are mapped with their int8 weights, which NNAPI's float LSTM rejects by construction: not evidence.
  if (!d.delegated || structure.status !== 'invalid' || report.isHybrid) return d;
  const rules = [...new Set(structure.violations.map((v) => v.rule))].join(', ') || structure.message;
  return {
    ...d,
    delegated: false,
    reasons: [`structurally invalid as NNAPI ${report.op} (${rules}): the delegate's own checks pass, but NNAPI rejects the operation when the delegate builds its model, so the op stays on the TFLite CPU kernels`],
    minAndroidApi: null,
    minNnapi: null,
  };
}

async function numericVerdict(model: TfliteModel, report: LstmOpReport, nn: Model | undefined, structure: StructuralVerdict, opts: ValidateTfliteOptions): Promise<NumericVerdict> {
  const integer = report.arithmetic === 'integer-8x8_16' && !report.basicKernel;
  if (opts.numeric === false) return { status: 'skipped', reason: 'numeric check disabled', summary: 'skipped (numeric check disabled)' };
  // Integer ops are drawn from the shapes the structural check accepted; a hybrid op's NNAPI verdict is "invalid" by
  // construction (NNAPI's float LSTM takes no int8 weights), so it is checked unless the check broke or stopped.
  if (integer && structure.status !== 'valid') return skippedFor(structure);
  if (report.isHybrid && (structure.status === 'error' || structure.status === 'not-checked')) return skippedFor(structure);
  if (integer) {
    const iopts: Parameters<typeof numericCheckInt8>[2] = {};
    if (opts.bytes) iopts.bytes = opts.bytes;
    if (opts.seeds !== undefined) iopts.seeds = opts.seeds;
    if (opts.seed !== undefined) iopts.seed = opts.seed;
    return numericCheckInt8(model, report, iopts);
  }
  if (report.isHybrid && nn) {
    try {
      return await numericCheckHybrid(model, report, nn, opts);
    } catch (e) {
      return { status: 'error', reason: errText(e), summary: `error (${errText(e)})` };
    }
  }
  if (!report.isFloat) {
    const reason = report.basicKernel
      ? 'QUANTIZED_16BIT_LSTM (BASIC kernel) reference pending'
      : report.isHybrid
        ? 'hybrid LSTM reference pending'
        : report.isInteger
          ? 'integer LSTM reference pending'
          : `no reference for input ${report.inputType} × weights ${report.weightType}`;
    return { status: 'not-supported', reason, summary: `not yet supported (${reason})` };
  }
  if (structure.status !== 'valid' || !nn) return skippedFor(structure);
  try {
    return await numericCheck(model, report, nn, opts);
  } catch (e) {
    return { status: 'error', reason: errText(e), summary: `error (${errText(e)})` };
  }
}

function skippedFor(structure: StructuralVerdict): NumericVerdict {
  const what = structure.status === 'error' ? 'structural check failed' : structure.status === 'not-checked' ? 'structure not checked (tool limit)' : 'structurally invalid';
  return { status: 'skipped', reason: what, summary: `skipped (${what})` };
}

/** The structural half of an op's validation (synchronous; the fuzzer runs it on every accepted mutant). */
export interface OpStructure {
  report: LstmOpReport;
  /** The mapped NNAPI model (absent when the mapping refused). */
  nn?: Model;
  structure: StructuralVerdict;
  nnapiDelegate: NnapiDelegateVerdict;
  /** "s:o" of the earlier identical op whose verdict this one reuses. */
  duplicateOf?: string;
}

function structureOfOp(model: TfliteModel, report: LstmOpReport): OpStructure {
  const integer = report.arithmetic === 'integer-8x8_16' && !report.basicKernel;
  if (integer) {
    // Checked as one QUANTIZED_LSTM step (its own mapping); the numeric check maps the op itself.
    const structure = integerStructuralVerdict(model, report);
    return { report, structure, nnapiDelegate: delegateVerdict(report, structure) };
  }
  let nn: Model | undefined;
  let mappingError: TfliteMappingError | undefined;
  try {
    nn = tfliteOpToNnapiModel(model, report.subgraph, report.operator);
  } catch (e) {
    if (!(e instanceof TfliteMappingError)) throw e;
    mappingError = e;
  }
  const structure = structuralVerdict(report, nn, mappingError);
  const s: OpStructure = { report, structure, nnapiDelegate: delegateVerdict(report, structure) };
  if (nn) s.nn = nn;
  return s;
}

/**
 * Structure, feature level and delegate verdict of every LSTM-family op, each distinct op checked once (identical
 * ops — same operator table, or same inputs, options and output descriptions — name the first, `duplicateOf`).
 */
export function structureOfOps(model: TfliteModel, lstmOps: readonly LstmOpReport[] = distinctLstmReports(model)): OpStructure[] {
  const seen = new Map<string, OpStructure>();
  return lstmOps.map((report) => {
    const key = opKey(model, report.subgraph, report.operator);
    const first = seen.get(key);
    if (first) return { report, structure: first.structure, nnapiDelegate: first.nnapiDelegate, duplicateOf: `${first.report.subgraph}:${first.report.operator}` };
    const s = structureOfOp(model, report);
    seen.set(key, s);
    return s;
  });
}

async function validateOp(model: TfliteModel, st: OpStructure, opts: ValidateTfliteOptions): Promise<TfliteOpValidation> {
  const { report, nn, structure } = st;
  const numeric = await numericVerdict(model, report, nn, structure, opts);
  const deviation = deviationFinding(report, numeric);
  const warnings: string[] = [];
  if (structure.status === 'not-checked') warnings.push(`structure not checked: ${structure.message}`);
  if (deviation?.kind === 'comparison-runtime') warnings.push(`comparison-runtime deviation ${deviation.id}: ${deviation.onDevice}`);
  const failing =
    structure.status === 'invalid' ||
    structure.status === 'error' ||
    numeric.status === 'fail' ||
    numeric.status === 'error' ||
    (numeric.status === 'deviation' && deviation?.kind !== 'comparison-runtime') ||
    (!!opts.strict && warnings.length > 0);
  const verdict = failing ? 'fail' : warnings.length ? 'warning' : 'ok';
  const v: TfliteOpValidation = {
    subgraph: report.subgraph,
    operator: report.operator,
    op: report.op,
    version: report.version,
    arithmetic: report.arithmetic,
    inputType: report.inputType,
    weightType: report.weightType,
    outputType: report.outputType,
    sizes: report.sizes,
    features: report.features,
    structure,
    featureLevel: structure.featureLevel,
    nnapiDelegate: st.nnapiDelegate,
    numeric,
    warnings,
    verdict,
    ok: !failing,
  };
  if (deviation) v.deviation = deviation;
  return v;
}

/** A duplicate's entry: the original's verdicts (numeric without its per-trial detail), naming the original. */
function duplicateEntry(report: LstmOpReport, of: TfliteOpValidation): TfliteOpValidation {
  const id = `${of.subgraph}:${of.operator}`;
  const { trials: _t, notes: _n, ...numeric } = of.numeric;
  return { ...of, subgraph: report.subgraph, operator: report.operator, numeric: { ...numeric, summary: `${of.numeric.summary.split(' (')[0]} (same op as ${id})` }, duplicateOf: id };
}

/**
 * Validates every LSTM-family op of a read model: maps it to an NNAPI model and checks it against the spec,
 * gives the feature level and the NNAPI-delegate verdict, and (unless `numeric: false`) compares the
 * reference with the TFLite runtime on it. Never throws for model problems.
 *
 * @example
 * ```ts
 * import { readTflite, validateTflite, renderValidation } from 'nnlstm/tflite';
 * const v = await validateTflite(readTflite(bytes), 'model.tflite', { numeric: false, bytes });
 * console.log(renderValidation(v));
 * if (!v.ok) process.exitCode = v.exitCode;
 * ```
 */
export async function validateTflite(model: TfliteModel, file: string, opts: ValidateTfliteOptions = {}): Promise<TfliteValidation> {
  const insp = inspectTflite(model, distinctLstmReports(model));
  const ops: TfliteOpValidation[] = [];
  const byId = new Map<string, TfliteOpValidation>();
  for (const st of structureOfOps(model, insp.lstmOps)) {
    const first = st.duplicateOf ? byId.get(st.duplicateOf) : undefined;
    if (first) {
      ops.push(duplicateEntry(st.report, first));
      continue;
    }
    const v = await validateOp(model, st, opts);
    byId.set(`${v.subgraph}:${v.operator}`, v);
    ops.push(v);
  }
  const ok = ops.every((o) => o.ok);
  const warnings = ops.filter((o) => !o.duplicateOf).flatMap((o) => o.warnings.map((w) => `${o.subgraph}:${o.operator}: ${w}`));
  return {
    file,
    byteLength: model.byteLength,
    operators: model.subgraphs.reduce((a, sg) => a + sg.operators.length, 0),
    operatorTable: insp.operatorTable.map((c) => ({ name: c.name, version: c.version, count: c.count })),
    lstmOps: ops,
    distinctOps: byId.size,
    strict: !!opts.strict,
    warnings,
    verdict: !ok ? 'fail' : warnings.length ? 'warning' : 'ok',
    ok,
    exitCode: ok ? 0 : 1,
  };
}

// ---- rendering --------------------------------------------------------------------------------------------------

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((x, c) => x.padEnd(widths[c]!)).join('  ').trimEnd());
}

function numericCell(o: TfliteOpValidation): string {
  const n = o.numeric;
  switch (n.status) {
    case 'pass':
      return `pass (${n.criterion === 'hybrid' ? 'hybrid tolerance, ' : ''}ratio ${fmtNum(n.maxRatio)})`;
    case 'fail':
      return `FAIL (${n.criterion === 'hybrid' ? 'hybrid tolerance, ' : ''}ratio ${fmtNum(n.maxRatio)})`;
    case 'deviation':
      return `deviation ${n.deviation ?? ''}${o.deviation?.kind === 'comparison-runtime' ? ' (runtime bug)' : ''}`;
    case 'not-supported':
      return 'not yet supported';
    default:
      return n.status;
  }
}

function fmtNum(x: number | null | undefined): string {
  if (x === null || x === undefined) return '-';
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(3) : x.toExponential(2);
}

export function describeOpShape(o: Pick<TfliteOpValidation, 'op' | 'sizes' | 'features'>): string {
  const s = o.sizes;
  const f = o.features;
  const parts: string[] = [];
  const size = (k: keyof typeof s, label: string) => s[k] !== undefined && parts.push(`${label} ${s[k]}`);
  size('batch', 'batch');
  size('time', 'time');
  size('input', 'input');
  size('units', 'units');
  size('output', 'output');
  const feats = [f.cifg && 'CIFG', f.peephole && 'peephole', f.projection && 'projection', f.projectionBias && 'projection bias', f.layerNorm && 'layer norm'].filter(Boolean);
  const opts = [`activation ${f.activationName}`, `cell clip ${f.cellClip}`, `proj clip ${f.projClip}`];
  if (f.timeMajor !== undefined) opts.push(f.timeMajor ? 'time-major' : 'batch-major');
  if (f.mergeOutputs !== undefined) opts.push(`merge_outputs ${f.mergeOutputs}`);
  return `${parts.join(', ')}; ${opts.join(', ')}; features: ${feats.length ? feats.join(', ') : 'none'}`;
}

function deviationLines(o: TfliteOpValidation, strict: boolean): string[] {
  const d = o.deviation;
  if (!d) return [];
  if (d.kind === 'comparison-runtime') {
    return [`  deviation:  ${d.id} — comparison-runtime deviation, ${strict ? 'a FAILURE with --strict' : 'a warning (--strict makes it a failure)'}; what it means on a device: see the warning below`];
  }
  return [`  deviation:  ${d.id} — the documented semantics differ from what devices compute (a failure)`, `    on a device: ${d.onDevice}`];
}

function structureLine(st: StructuralVerdict): string {
  switch (st.status) {
    case 'valid':
      return `  structure:  valid (${st.validator})`;
    case 'pending':
      return `  structure:  pending — ${st.message}`;
    case 'not-checked':
      return `  structure:  NOT CHECKED — ${st.message}`;
    case 'error':
      return `  structure:  ERROR — ${st.message}`;
    case 'invalid':
      return `  structure:  INVALID — ${st.message}`;
  }
}

/**
 * The text report of a validation (what `nnlstm validate FILE.tflite` prints): per op its structure, feature
 * level, delegate and numeric verdicts, then the file's verdict.
 *
 * @example
 * ```ts
 * import { readTflite, validateTflite, renderValidation } from 'nnlstm/tflite';
 * console.log(renderValidation(await validateTflite(readTflite(bytes), 'model.tflite', { numeric: false })));
 * ```
 */
export function renderValidation(v: TfliteValidation): string {
  const out: string[] = [];
  const n = v.lstmOps.length;
  const dups = n - v.distinctOps;
  out.push(`${v.file}: ${v.byteLength} bytes, ${v.operators} operator(s), ${n} LSTM-family op(s)${dups ? ` (${v.distinctOps} distinct; ${dups} repeat an earlier op and reuse its verdict)` : ''}`);
  if (n === 0) {
    out.push('  no LSTM-family operators: nothing to validate');
    return out.join('\n') + '\n';
  }
  out.push('');
  const rows: string[][] = [['op', 'operation', 'v', 'arithmetic', 'structure', 'FL', 'NNAPI delegate', 'numeric']];
  for (const o of v.lstmOps) {
    rows.push([
      `${o.subgraph}:${o.operator}`,
      o.op,
      String(o.version),
      o.arithmetic,
      o.structure.status,
      o.featureLevel === null ? '-' : String(o.featureLevel),
      o.nnapiDelegate.delegated ? `yes (API ${o.nnapiDelegate.minAndroidApi})` : 'no',
      o.duplicateOf ? `same as ${o.duplicateOf}` : numericCell(o),
    ]);
  }
  out.push(...table(rows).map((l) => `  ${l}`));
  for (const o of v.lstmOps) {
    if (o.duplicateOf) continue;
    out.push('');
    out.push(`op ${o.subgraph}:${o.operator} ${o.op} v${o.version} (${o.arithmetic}; input ${o.inputType}, weights ${o.weightType}, output ${o.outputType})`);
    out.push(`  shape:      ${describeOpShape(o)}`);
    const st = o.structure;
    out.push(structureLine(st));
    if (st.status === 'invalid') for (const viol of st.violations) out.push(`    ${formatViolation(viol)}`);
    out.push(`  feature level: ${o.featureLevel === null ? `none (${st.status === 'invalid' ? 'not a valid NNAPI model' : 'unknown'})` : featureLevelText(o.featureLevel)}`);
    const d = o.nnapiDelegate;
    if (d.delegated) out.push(`  NNAPI delegate: yes → ${d.nnapiOperation}, from API ${d.minAndroidApi} (NNAPI ${d.minNnapi})`);
    else out.push(`  NNAPI delegate: no (stays on the TFLite CPU kernels) — ${d.reasons.join('; ')}`);
    // API-level requirements only matter when the delegate takes the op; caveats always do.
    for (const note of d.notes) if (d.delegated || !note.startsWith('API ≥')) out.push(`    note: ${note}`);
    const num = o.numeric;
    out.push(`  numeric: ${num.summary}`);
    if (num.status === 'fail' || num.status === 'error') out.push(`    ${num.reason ?? ''}`);
    if (num.setup) out.push(`    trials: ${num.setup}`);
    if (num.compared) out.push(`    compared: ${num.compared.join(', ')} (reference = expected, ${num.runtime ?? 'TFLite'} = actual)`);
    for (const t of num.trials ?? []) {
      const dev = t.deviationRatio !== undefined ? `, vs deviation oracle ratio ${fmtNum(t.deviationRatio)}` : '';
      out.push(`    seed ${t.seed} ${t.state.padEnd(5)} state: ${t.pass ? 'pass' : 'FAIL'}  max |err| ${fmtNum(t.maxAbsError)}  err/tol ${fmtNum(t.maxRatio)}${dev}`);
    }
    for (const note of num.notes ?? []) out.push(`    note: ${note}`);
    out.push(...deviationLines(o, v.strict));
  }
  out.push('');
  for (const w of v.warnings) out.push(`warning: ${w}`);
  if (v.warnings.length) out.push('');
  const why = (o: TfliteOpValidation): string => {
    const r: string[] = [];
    if (o.structure.status === 'error') r.push('structural check failed');
    if (o.structure.status === 'invalid') r.push(`structurally invalid (${[...new Set(o.structure.violations.map((x) => x.rule))].join(', ') || o.structure.message})`);
    if (o.numeric.status === 'fail' || o.numeric.status === 'error') r.push(`numeric ${o.numeric.status}`);
    if (o.deviation?.kind === 'reference-semantics') r.push(`known deviation ${o.deviation.id} (a device computes the implemented formula, not the documented one)`);
    if (v.strict && o.warnings.length) r.push(`--strict: ${o.deviation?.kind === 'comparison-runtime' ? `comparison-runtime deviation ${o.deviation.id}` : 'a warning'}`);
    return `${o.subgraph}:${o.operator} ${r.join(', ')}`;
  };
  const distinct = v.lstmOps.filter((o) => !o.duplicateOf);
  const failedDups = v.lstmOps.filter((o) => o.duplicateOf && !o.ok).length;
  const unchecked = distinct.filter((o) => o.ok && o.numeric.status !== 'pass' && o.numeric.status !== 'deviation').map((o) => `${o.subgraph}:${o.operator} numeric ${o.numeric.status}`);
  const within = distinct.some((o) => o.arithmetic.startsWith('integer')) ? ' and numerically within tolerance' : ' and within the float32 criterion';
  if (!v.ok) out.push(`result: FAILED (exit 1) — ${distinct.filter((o) => !o.ok).map(why).join('; ')}${failedDups ? ` (and ${failedDups} repeat(s) of failing ops)` : ''}`);
  else if (v.warnings.length) {
    out.push(`result: OK with ${v.warnings.length} warning(s) (exit 0; --strict fails on them) — the model is valid${unchecked.length ? `; not numerically checked: ${unchecked.join(', ')}` : ''}; warnings: ${distinct.filter((o) => o.warnings.length).map((o) => `${o.subgraph}:${o.operator} ${o.deviation?.kind === 'comparison-runtime' ? `comparison-runtime deviation ${o.deviation.id}` : 'structure not checked (tool limit)'}`).join('; ')}`);
  } else out.push(`result: OK (exit 0) — every op valid${unchecked.length ? `; not numerically checked: ${unchecked.join(', ')}` : within}`);
  return out.join('\n') + '\n';
}
