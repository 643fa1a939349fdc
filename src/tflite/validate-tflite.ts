/**
 * `nnlstm validate MODEL.tflite`: for every LSTM-family operator of a `.tflite` file
 *   (a) the structural verdict of the mapped NNAPI model against the spec (rule ids on failure),
 *   (b) the NNAPI feature level it needs,
 *   (c) whether TFLite's NNAPI delegate would hand it to NNAPI (and why not),
 *   (d) a numeric verdict for float ops (src/tflite/numeric.ts): the op cut out with its real weights, reference
 *       versus the TFLite runtime on seeded random inputs and zero / small / large initial states; hybrid ops
 *       (float input, int8 weights; src/tflite/numeric-hybrid.ts) the same with the reference on the dequantized
 *       weights and the hybrid tolerance (atol 3.6e-2).
 * Exit status (`exitCode`): 0 every op valid and numerically within tolerance (ops whose numeric check is pending or not
 * supported yet do not fail), 1 some op invalid or numerically off (failure, known deviation, or a check that broke),
 * 2 unreadable or malformed file (one line: TfliteFormatError kind, byte offset, field path).
 */
import type { Model } from '../model/model.js';
import { formatViolation, type Violation } from '../model/violation.js';
import { validateModel } from '../ops/validate.js';
import { TfliteFormatError, TfliteMappingError } from './errors.js';
import { inspectTflite, type LstmOpReport, type NnapiDelegateVerdict } from './inspect.js';
import { tfliteOpToNnapiModel } from './mapping.js';
import { FAILING_NUMERIC_STATUSES, numericCheck, type NumericOptions, type NumericVerdict } from './numeric.js';
import { readTflite, type TfliteModel } from './reader.js';
import { integerStructuralVerdict, numericCheckInt8 } from './numeric-int8.js';
import { numericCheckHybrid } from './numeric-hybrid.js';

// ---- reading ---------------------------------------------------------------------------------------------------

/** The one-line description of a format error: `bounds at byte 1234 (subgraphs[0].operators[3].inputs[9]): …`. */
export function describeFormatError(e: TfliteFormatError): string {
  const prefix = `${e.kind} error at byte ${e.offset}${e.path ? ` (${e.path})` : ''}: `;
  const detail = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
  return `${e.kind} at byte ${e.offset}${e.path ? ` (${e.path})` : ''}: ${detail}`.replace(/\s*\n\s*/g, ' ');
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');

// ---- structure -------------------------------------------------------------------------------------------------

export interface StructuralVerdict {
  /** valid / invalid against the spec; pending = no spec for it (BASIC kernel); error = the validator threw. */
  status: 'valid' | 'invalid' | 'pending' | 'error';
  /** Which validator answered. */
  validator: string;
  featureLevel: number | null;
  violations: Violation[];
  message: string;
}

const FEATURE_LEVEL_TEXT: Record<number, string> = { 1: 'Android 8.1, API 27, NNAPI 1.0', 2: 'Android 9, API 28, NNAPI 1.1', 3: 'Android 10, API 29, NNAPI 1.2', 4: 'Android 11, API 30, NNAPI 1.3' };

export function featureLevelText(fl: number | null): string {
  if (fl === null) return '-';
  return `${fl} (${FEATURE_LEVEL_TEXT[fl] ?? '?'})`;
}

function structuralVerdict(report: LstmOpReport, nn: Model | undefined, mappingError: string | undefined): StructuralVerdict {
  if (!nn) {
    if (report.basicKernel) {
      return { status: 'pending', validator: 'none', featureLevel: 3, violations: [], message: `BASIC kernel (NNAPI QUANTIZED_16BIT_LSTM, feature level 3): no spec for it yet (${mappingError ?? ''})` };
    }
    return { status: 'invalid', validator: 'tflite mapping', featureLevel: null, violations: [], message: `cannot be mapped to an NNAPI ${report.op}: ${mappingError ?? 'unknown reason'}` };
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

// ---- the whole file ----------------------------------------------------------------------------------------------

export interface TfliteOpValidation {
  subgraph: number;
  operator: number;
  op: LstmOpReport['op'];
  version: number;
  arithmetic: LstmOpReport['arithmetic'];
  inputType: string;
  weightType: string;
  outputType: string;
  sizes: LstmOpReport['sizes'];
  features: LstmOpReport['features'];
  structure: StructuralVerdict;
  /** NNAPI feature level the op needs (null when it is not valid). */
  featureLevel: number | null;
  nnapiDelegate: NnapiDelegateVerdict;
  numeric: NumericVerdict;
  /** Structurally not invalid and numerically not failing. */
  ok: boolean;
}

export interface TfliteValidation {
  file: string;
  byteLength: number;
  operators: number;
  operatorTable: { name: string; version: number; count: number }[];
  lstmOps: TfliteOpValidation[];
  ok: boolean;
  exitCode: 0 | 1;
}

export interface ValidateTfliteOptions extends NumericOptions {
  /** Skip the numeric check (reported as skipped). */
  numeric?: boolean;
  /** The file's bytes: integer ops are compared with the TFLite runtime on the real model (src/tflite/numeric-int8.ts). */
  bytes?: Uint8Array;
}

/** Validates every LSTM-family op of a read model. Never throws for model problems. */
export async function validateTflite(model: TfliteModel, file: string, opts: ValidateTfliteOptions = {}): Promise<TfliteValidation> {
  const insp = inspectTflite(model);
  const ops: TfliteOpValidation[] = [];
  for (const report of insp.lstmOps) {
    let nn: Model | undefined;
    let mappingError: string | undefined;
    try {
      nn = tfliteOpToNnapiModel(model, report.subgraph, report.operator);
    } catch (e) {
      if (!(e instanceof TfliteMappingError)) throw e;
      mappingError = e.message;
    }
    const integer = report.arithmetic === 'integer-8x8_16' && !report.basicKernel;
    const structure = integer ? integerStructuralVerdict(model, report) : structuralVerdict(report, nn, mappingError);
    let numeric: NumericVerdict;
    if (opts.numeric === false) numeric = { status: 'skipped', reason: 'numeric check disabled', summary: 'skipped (numeric check disabled)' };
    else if (integer) {
      const iopts: Parameters<typeof numericCheckInt8>[2] = {};
      if (opts.bytes) iopts.bytes = opts.bytes;
      if (opts.seeds !== undefined) iopts.seeds = opts.seeds;
      if (opts.seed !== undefined) iopts.seed = opts.seed;
      numeric = await numericCheckInt8(model, report, iopts);
    } else if (report.isHybrid && nn) {
      try {
        numeric = await numericCheckHybrid(model, report, nn, opts);
      } catch (e) {
        numeric = { status: 'error', reason: errText(e), summary: `error (${errText(e)})` };
      }
    } else if (!report.isFloat) {
      const reason = report.basicKernel
        ? 'QUANTIZED_16BIT_LSTM (BASIC kernel) reference pending'
        : report.isHybrid
          ? 'hybrid LSTM reference pending'
          : report.isInteger
            ? 'integer LSTM reference pending'
            : `no reference for input ${report.inputType} × weights ${report.weightType}`;
      numeric = { status: 'not-supported', reason, summary: `not yet supported (${reason})` };
    } else if (structure.status === 'invalid' || structure.status === 'error' || !nn) {
      const what = structure.status === 'error' ? 'structural check failed' : 'structurally invalid';
      numeric = { status: 'skipped', reason: what, summary: `skipped (${what})` };
    } else {
      try {
        numeric = await numericCheck(model, report, nn, opts);
      } catch (e) {
        numeric = { status: 'error', reason: errText(e), summary: `error (${errText(e)})` };
      }
    }
    const ok = structure.status !== 'invalid' && structure.status !== 'error' && !FAILING_NUMERIC_STATUSES.has(numeric.status);
    ops.push({
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
      nnapiDelegate: report.nnapiDelegate,
      numeric,
      ok,
    });
  }
  const ok = ops.every((o) => o.ok);
  return {
    file,
    byteLength: model.byteLength,
    operators: model.subgraphs.reduce((a, sg) => a + sg.operators.length, 0),
    operatorTable: insp.operatorTable.map((c) => ({ name: c.name, version: c.version, count: c.count })),
    lstmOps: ops,
    ok,
    exitCode: ok ? 0 : 1,
  };
}

// ---- rendering --------------------------------------------------------------------------------------------------

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((x, c) => x.padEnd(widths[c]!)).join('  ').trimEnd());
}

function numericCell(n: NumericVerdict): string {
  switch (n.status) {
    case 'pass':
      return `pass (${n.criterion === 'hybrid' ? 'hybrid tolerance, ' : ''}ratio ${fmtNum(n.maxRatio)})`;
    case 'fail':
      return `FAIL (${n.criterion === 'hybrid' ? 'hybrid tolerance, ' : ''}ratio ${fmtNum(n.maxRatio)})`;
    case 'deviation':
      return `deviation ${n.deviation ?? ''}`;
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

export function renderValidation(v: TfliteValidation): string {
  const out: string[] = [];
  const n = v.lstmOps.length;
  out.push(`${v.file}: ${v.byteLength} bytes, ${v.operators} operator(s), ${n} LSTM-family op(s)`);
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
      numericCell(o.numeric),
    ]);
  }
  out.push(...table(rows).map((l) => `  ${l}`));
  for (const o of v.lstmOps) {
    out.push('');
    out.push(`op ${o.subgraph}:${o.operator} ${o.op} v${o.version} (${o.arithmetic}; input ${o.inputType}, weights ${o.weightType}, output ${o.outputType})`);
    out.push(`  shape:      ${describeOpShape(o)}`);
    const st = o.structure;
    if (st.status === 'valid') out.push(`  structure:  valid (${st.validator})`);
    else if (st.status === 'pending') out.push(`  structure:  pending — ${st.message}`);
    else if (st.status === 'error') out.push(`  structure:  ERROR — ${st.message}`);
    else {
      out.push(`  structure:  INVALID — ${st.message}`);
      for (const viol of st.violations) out.push(`    ${formatViolation(viol)}`);
    }
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
  }
  out.push('');
  const why = (o: TfliteOpValidation): string => {
    const r: string[] = [];
    if (o.structure.status === 'error') r.push('structural check failed');
    if (o.structure.status === 'invalid') r.push(`structurally invalid (${[...new Set(o.structure.violations.map((x) => x.rule))].join(', ') || o.structure.message})`);
    if (FAILING_NUMERIC_STATUSES.has(o.numeric.status)) r.push(o.numeric.status === 'deviation' ? `numerically off: known deviation ${o.numeric.deviation ?? ''}` : `numeric ${o.numeric.status}`);
    return `${o.subgraph}:${o.operator} ${r.join(', ')}`;
  };
  const unchecked = v.lstmOps.filter((o) => o.ok && o.numeric.status !== 'pass').map((o) => `${o.subgraph}:${o.operator} numeric ${o.numeric.status}`);
  if (v.ok) out.push(`result: OK (exit 0) — every op valid${unchecked.length ? `; not numerically checked: ${unchecked.join(', ')}` : v.lstmOps.some((o) => o.arithmetic.startsWith('integer')) ? ' and numerically within tolerance' : ' and within the float32 criterion'}`);
  else out.push(`result: FAILED (exit 1) — ${v.lstmOps.filter((o) => !o.ok).map(why).join('; ')}`);
  return out.join('\n') + '\n';
}
