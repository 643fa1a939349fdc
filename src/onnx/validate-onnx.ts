/**
 * `nnlstm validate MODEL.onnx`: for every LSTM node of an ONNX model, wherever it sits (If / Loop subgraphs too),
 *   (a) the ONNX-structure verdict (rule ids of spec/onnx/LSTM.json),
 *   (b) the NNAPI mapping verdict (src/onnx/mapping.ts): the operation and feature level, or why not expressible,
 *   (c) the numeric verdict of the reference against ONNX Runtime on the node cut out with its real weights
 *       (src/onnx/numeric.ts: seeds × frames with carried states),
 *   (d) where expressible, the agreement of the NNAPI reference on the mapped model with the ONNX reference
 *       (src/onnx/mapping-agreement.ts),
 * and for the whole model, when it is a stream with carried states (Silero VAD), the stream check
 * (src/onnx/stream.ts): the real model in ONNX Runtime with every LSTM tapped, each tapped call recomputed by the
 * reference.
 * Exit status (`exitCode`): 0 every node valid and every numeric verdict within tolerance (or skipped: no ONNX
 * Runtime), warnings allowed; 1 a node structurally invalid or numerically off, or any warning with `strict`;
 * 2 (thrown OnnxFormatError, the CLI's business) unreadable or malformed file.
 * A node NNAPI cannot express is not a failure: the verdict names the attribute and the convention aspect.
 */
import { formatViolation } from '../model/violation.js';
import type { OnnxLstmOptions } from '../ops/onnx-lstm/compute.js';
import { fmtNumber } from './compare.js';
import type { OnnxFormatError } from './errors.js';
import { analyzeOnnxLstmNodes, mappingLine, type OnnxLstmFeatures, type OnnxLstmNodeAnalysis, type OnnxMappingVerdict, type OnnxStructureVerdict } from './inspect.js';
import { checkMappingAgreement, type MappingAgreement } from './mapping-agreement.js';
import { mapOnnxLstmToNnapi, type ExpressibleMapping } from './mapping.js';
import type { OnnxModel } from './model.js';
import { numericCheckOnnxNode, runtimeName, runtimeOrSkip, type OnnxNumericVerdict } from './numeric.js';
import { readOnnx } from './reader.js';
import type { OnnxRuntimeFlavor, OnnxRuntimeHandle } from './runtime.js';
import { streamCheck, type StreamNodeResult, type StreamPlan, type StreamVerdict } from './stream.js';

/** Options of {@link validateOnnx}. */
export interface ValidateOnnxOptions {
  /** Skip every ONNX Runtime check (reported as skipped); the NNAPI agreement still runs. */
  numeric?: boolean;
  /** Input seeds (default 3) from `seed` (default 1). */
  seeds?: number;
  seed?: number;
  /** Frames per seed (default 20). */
  frames?: number;
  /** Warnings fail the model. */
  strict?: boolean;
  /** The runtime (default: loadOnnxRuntime(flavor)). */
  runtime?: OnnxRuntimeHandle;
  /** Which ONNX Runtime to load when `runtime` is not given: 'node' (onnxruntime-node, default) or 'web' (onnxruntime-web's WASM build). */
  flavor?: OnnxRuntimeFlavor;
  /** Reference options for every numeric check (a wrong `conventions` makes them fail: tests use it). */
  reference?: OnnxLstmOptions;
  /** Run the whole-model stream check when the model looks like a stream (default true). */
  stream?: boolean;
  /** The streams to run (default DEFAULT_STREAM_PLANS: 16 kHz × 512 and 8 kHz × 256, each from zero and from empty states). */
  streamPlans?: readonly StreamPlan[];
}

/** The verdicts on one LSTM node. */
export interface OnnxNodeValidation {
  index: number;
  path: string;
  machinePath: string;
  name: string;
  opset: number;
  features: OnnxLstmFeatures;
  /** X dims the numeric checks used (tapped from the stream, declared, or [1, 1, input]). */
  xDims: number[] | null;
  /** Where xDims came from. */
  xDimsFrom: 'stream' | 'declared' | 'assumed' | 'unknown';
  structure: OnnxStructureVerdict;
  mapping: OnnxMappingVerdict;
  /** NNAPI feature level the mapped model needs (null when not expressible). */
  featureLevel: 3 | 4 | null;
  /** Reference vs ONNX Runtime on the cut-out node. */
  numeric: OnnxNumericVerdict;
  /** NNAPI reference on the mapped model vs the ONNX reference. */
  agreement: MappingAgreement;
  /** What the whole-model stream saw of this node (absent when the stream did not run). */
  stream?: StreamNodeResult;
  warnings: string[];
  verdict: 'ok' | 'warning' | 'fail';
  ok: boolean;
}

/** The verdict on a whole `.onnx` file; render it with {@link renderOnnxValidation}. */
export interface OnnxValidation {
  file: string;
  byteLength: number;
  irVersion: number;
  producer: string;
  opsets: Record<string, number>;
  lstmNodes: OnnxNodeValidation[];
  /** The whole-model stream check. */
  stream: StreamVerdict;
  /** The ONNX Runtime compared with, when it loaded. */
  runtime?: string;
  strict: boolean;
  warnings: string[];
  verdict: 'ok' | 'warning' | 'fail';
  ok: boolean;
  exitCode: 0 | 1;
  /** Milliseconds spent. */
  ms: number;
}

/** The one-line description of a format error: `truncated at byte 1234 (graph.node[3].attribute[0]): …`. */
export function describeOnnxFormatError(e: OnnxFormatError): string {
  return `${e.kind} at byte ${e.offset ?? '?'}${e.path ? ` (${e.path})` : ''}: ${e.detail}`.replace(/\s*\n\s*/g, ' ');
}

const skipped = (reason: string): { status: 'skipped'; reason: string; summary: string } => ({ status: 'skipped', reason, summary: `skipped (${reason})` });

/**
 * Validates every LSTM node of a `.onnx` file (see the module comment). Throws OnnxFormatError for a malformed
 * file; never throws for model problems.
 *
 * @example
 * ```ts
 * import { validateOnnx, renderOnnxValidation } from 'nnlstm/onnx';
 * const v = await validateOnnx(bytes, 'model.onnx');
 * console.log(renderOnnxValidation(v));
 * process.exitCode = v.exitCode;
 * ```
 */
export async function validateOnnx(bytes: Uint8Array, file: string, opts: ValidateOnnxOptions = {}): Promise<OnnxValidation> {
  return validateOnnxModel(readOnnx(bytes), bytes, file, opts);
}

/** {@link validateOnnx} on a model already read from `bytes`. */
export async function validateOnnxModel(model: OnnxModel, bytes: Uint8Array, file: string, opts: ValidateOnnxOptions = {}): Promise<OnnxValidation> {
  const t0 = Date.now();
  const { nodes } = analyzeOnnxLstmNodes(model);
  const seeds = opts.seeds ?? 3;
  const seed = opts.seed ?? 1;
  const frames = opts.frames ?? 20;
  let rt: OnnxRuntimeHandle | undefined;
  let noRuntime: OnnxNumericVerdict | undefined;
  if (opts.numeric === false) noRuntime = skipped('numeric check disabled');
  else {
    const r = await runtimeOrSkip(opts.runtime, opts.flavor);
    if ('status' in r) noRuntime = r;
    else rt = r;
  }
  const runnable = nodes.filter((n) => n.constants.W && n.constants.R);
  let stream: StreamVerdict;
  if (!rt) stream = { ...skipped(noRuntime?.reason ?? 'no ONNX Runtime') };
  else if (opts.stream === false) stream = skipped('stream check disabled');
  else if (nodes.length === 0) stream = skipped('no LSTM node');
  else if (runnable.length < nodes.length) stream = skipped('some LSTM weights are not constants');
  else {
    stream = await streamCheck(
      bytes,
      model,
      nodes.map((n) => ({ machinePath: n.report.machinePath, attrs: n.attrs, constants: n.constants })),
      rt,
      { seeds, seed, frames, ...(opts.reference ? { reference: opts.reference } : {}), ...(opts.streamPlans ? { plans: opts.streamPlans } : {}) },
    );
  }
  const streamByPath = new Map((stream.nodes ?? []).map((n) => [n.machinePath, n]));
  const out: OnnxNodeValidation[] = [];
  for (const n of nodes) out.push(await validateNode(n, streamByPath.get(n.report.machinePath), rt, noRuntime, stream, { seeds, seed, frames, ...(opts.reference ? { reference: opts.reference } : {}) }, !!opts.strict));
  const streamWarnings: string[] = [];
  if (stream.status === 'error') streamWarnings.push(`whole-model stream check not run (tool limit): ${stream.reason ?? stream.summary}`);
  for (const u of stream.untapped ?? []) streamWarnings.push(`${u.path}: not tapped in the stream (${u.reason})`);
  if (stream.status === 'fail' && (stream.nodes ?? []).every((x) => x.frames === 0)) streamWarnings.push('no LSTM node ran in the whole-model stream: checked on the cut-out nodes only');
  const warnings = [...out.flatMap((o) => o.warnings.map((w) => `node ${o.index}: ${w}`)), ...streamWarnings];
  const failing = out.some((o) => !o.ok) || (!!opts.strict && streamWarnings.length > 0);
  const ok = !failing;
  const v: OnnxValidation = {
    file,
    byteLength: bytes.length,
    irVersion: model.irVersion,
    producer: `${model.producerName}${model.producerVersion ? ` ${model.producerVersion}` : ''}`,
    opsets: { ...model.opsets },
    lstmNodes: out,
    stream,
    strict: !!opts.strict,
    warnings,
    verdict: !ok ? 'fail' : warnings.length ? 'warning' : 'ok',
    ok,
    exitCode: ok ? 0 : 1,
    ms: Date.now() - t0,
  };
  if (rt) v.runtime = runtimeName(rt);
  return v;
}

async function validateNode(
  n: OnnxLstmNodeAnalysis,
  streamNode: StreamNodeResult | undefined,
  rt: OnnxRuntimeHandle | undefined,
  noRuntime: OnnxNumericVerdict | undefined,
  stream: StreamVerdict,
  o: { seeds: number; seed: number; frames: number; reference?: OnnxLstmOptions },
  strict: boolean,
): Promise<OnnxNodeValidation> {
  const r = n.report;
  const I = n.constants.W?.dims[2];
  let xDims: number[] | null = null;
  let xDimsFrom: OnnxNodeValidation['xDimsFrom'] = 'unknown';
  if (streamNode?.xDims) [xDims, xDimsFrom] = [streamNode.xDims, 'stream'];
  else if (n.xDims) [xDims, xDimsFrom] = [n.xDims, 'declared'];
  else if (I !== undefined) [xDims, xDimsFrom] = [[1, 1, I], 'assumed'];
  const valid = r.structure.status === 'valid';
  const float = (n.dataType ?? 'FLOAT') === 'FLOAT';
  let numeric: OnnxNumericVerdict;
  if (!valid) numeric = skipped('structurally invalid');
  else if (!n.constants.W || !n.constants.R) numeric = skipped('W or R is not a constant: the node cannot be cut out with its weights');
  else if (!float) numeric = skipped(`element type ${n.dataType}: ONNX Runtime's CPU LSTM runs float32 only`);
  else if (!rt) numeric = noRuntime ?? skipped('no ONNX Runtime');
  else numeric = await numericCheckOnnxNode(n.attrs, n.constants, { runtime: rt, seeds: o.seeds, seed: o.seed, frames: o.frames, opset: r.opset, ...(xDims ? { xDims } : {}), ...(o.reference ? { reference: o.reference } : {}) });
  let agreement: MappingAgreement;
  if (!valid) agreement = skipped('structurally invalid');
  else if (!n.mapping.expressible) agreement = skipped('not expressible in NNAPI');
  else if (!xDims) agreement = skipped("X's shape unknown");
  else {
    // The mapped model for the shape the checks use.
    const m = mapOnnxLstmToNnapi(n.attrs, n.constants, { X: xDims, ...(n.dataType ? { dataType: n.dataType } : {}), outputsUsed: { Y: !!r.outputs.Y, Y_h: !!r.outputs.Y_h, Y_c: !!r.outputs.Y_c } });
    agreement = m.expressible ? checkMappingAgreement(n.attrs, n.constants, m as ExpressibleMapping, { seeds: o.seeds, seed: o.seed, frames: o.frames, xDims, ...(o.reference ? { reference: o.reference } : {}) }) : skipped('not expressible in NNAPI');
  }
  const warnings: string[] = [];
  if (streamNode && streamNode.frames === 0 && stream.status !== 'skipped') warnings.push('never ran in the whole-model stream (its branch was not taken): checked on the cut-out node only');
  const failing =
    r.structure.status === 'invalid' ||
    numeric.status === 'fail' ||
    numeric.status === 'error' ||
    agreement.status === 'fail' ||
    agreement.status === 'error' ||
    (!!streamNode && streamNode.frames > 0 && !streamNode.pass) ||
    (strict && warnings.length > 0);
  const v: OnnxNodeValidation = {
    index: r.index,
    path: r.path,
    machinePath: r.machinePath,
    name: r.name,
    opset: r.opset,
    features: r.features,
    xDims,
    xDimsFrom,
    structure: r.structure,
    mapping: r.mapping,
    featureLevel: r.mapping.expressible ? r.mapping.featureLevel : null,
    numeric,
    agreement,
    warnings,
    verdict: failing ? 'fail' : warnings.length ? 'warning' : 'ok',
    ok: !failing,
  };
  if (streamNode) v.stream = streamNode;
  return v;
}

// ---- rendering -----------------------------------------------------------------------------------------------------

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((x, c) => x.padEnd(widths[c]!)).join('  ').trimEnd());
}

const cell = (s: { status: string; stats?: { maxRatio: number } }) =>
  s.status === 'pass' ? `pass (ratio ${fmtNumber(s.stats?.maxRatio)})` : s.status === 'fail' ? `FAIL (ratio ${fmtNumber(s.stats?.maxRatio)})` : s.status;

function streamCell(o: OnnxNodeValidation): string {
  const s = o.stream;
  if (!s) return '-';
  if (s.frames === 0) return 'not reached';
  return `${s.pass ? 'pass' : 'FAIL'} (${s.frames} calls, ratio ${fmtNumber(s.stats.maxRatio)})`;
}

const shortName = (name: string, width = 44) => (name.length > width ? `…${name.slice(-(width - 1))}` : name);

function shapeLine(o: OnnxNodeValidation): string {
  const f = o.features;
  const dims = o.xDims ? `X [${o.xDims.join(', ')}] (${o.xDimsFrom === 'stream' ? 'as the model runs it' : o.xDimsFrom === 'declared' ? 'declared' : 'assumed: one step, batch 1'})` : 'X shape unknown';
  const feats = [f.bias && 'bias', f.peephole && 'peephole', f.clip !== null && `clip ${f.clip}`, f.inputForget && 'input_forget', f.sequenceLens && 'sequence_lens', f.initialStates && 'initial states'].filter(Boolean);
  return `${dims}, hidden ${f.hiddenSize}; ${f.direction}, layout ${f.layout}, activations ${f.activations.join(', ')}; uses: ${feats.join(', ') || 'nothing optional'}`;
}

/** The text `nnlstm validate MODEL.onnx` prints. */
export function renderOnnxValidation(v: OnnxValidation): string {
  const out: string[] = [];
  const opsets = Object.entries(v.opsets).filter(([d]) => d === '' || d === 'ai.onnx').map(([, x]) => `ai.onnx ${x}`).join(', ');
  out.push(`${v.file}: ONNX ir_version ${v.irVersion}, producer ${v.producer || '?'}, ${opsets || 'no ai.onnx opset'}, ${v.byteLength} bytes, ${v.lstmNodes.length} LSTM node(s)`);
  if (v.lstmNodes.length === 0) {
    out.push('  no LSTM nodes: nothing to validate');
    return out.join('\n') + '\n';
  }
  out.push('');
  const rows: string[][] = [['node', 'name', 'structure', 'NNAPI mapping', 'FL', 'vs ONNX Runtime', 'NNAPI agreement', 'whole-model stream']];
  for (const o of v.lstmNodes) {
    rows.push([
      String(o.index),
      shortName(o.name),
      o.structure.status,
      o.mapping.expressible ? o.mapping.operation : 'not expressible',
      o.featureLevel === null ? '-' : String(o.featureLevel),
      cell(o.numeric),
      cell(o.agreement),
      streamCell(o),
    ]);
  }
  out.push(...table(rows).map((l) => `  ${l}`));
  for (const o of v.lstmNodes) {
    out.push('', `node ${o.index}: ${o.path}`);
    out.push(`  shape:      ${shapeLine(o)}`);
    out.push(`  structure:  ${o.structure.status === 'valid' ? `valid (${o.structure.validator})` : `INVALID — ${o.structure.message}`}`);
    for (const viol of o.structure.violations) out.push(`    ${formatViolation(viol)}`);
    out.push(`  NNAPI mapping: ${mappingLine(o.mapping)}`);
    if (o.mapping.expressible) out.push(`    ${o.mapping.directionNote}; ${o.mapping.notes.join('; ')}`);
    out.push(`  numeric vs ONNX Runtime (the node cut out with its weights${o.numeric.runtime ? `, ${o.numeric.runtime}` : ''}): ${o.numeric.summary}`);
    if (o.numeric.setup) out.push(`    trials: ${o.numeric.setup}`);
    for (const t of o.numeric.trials ?? []) out.push(`    seed ${t.seed}: ${t.pass ? 'pass' : 'FAIL'}  ${t.frames} frames  max |err| ${fmtNumber(t.stats.maxAbsError)}  err/tol ${fmtNumber(t.stats.maxRatio)}`);
    out.push(`  NNAPI agreement (NNAPI reference on the mapped model vs the ONNX reference): ${o.agreement.summary}`);
    const s = o.stream;
    if (s) {
      if (s.frames === 0) out.push('  whole-model stream: never ran (its branch was not taken)');
      else
        out.push(
          `  whole-model stream: ${s.pass ? 'pass' : 'FAIL'} — ran in ${s.frames} call(s), X [${(s.xDims ?? []).join(', ')}]; reference vs ONNX Runtime's tapped Y/Y_h/Y_c max |err| ${fmtNumber(s.stats.maxAbsError)}, err/tol ${fmtNumber(s.stats.maxRatio)}${s.carriedFrames ? `; states carried into ${s.carriedFrames} next call(s), max |err| ${fmtNumber(s.carry.maxAbsError)}` : ''}`,
        );
    }
  }
  out.push('', `whole model${v.stream.runtime ? ` (${v.stream.runtime})` : ''}: ${v.stream.summary}`);
  if (v.stream.setup) out.push(`  ${v.stream.setup}`);
  out.push('');
  for (const w of v.warnings) out.push(`warning: ${w}`);
  if (v.warnings.length) out.push('');
  const why = (o: OnnxNodeValidation): string => {
    const r: string[] = [];
    if (o.structure.status === 'invalid') r.push(`structurally invalid (${[...new Set(o.structure.violations.map((x) => x.rule))].join(', ')})`);
    if (o.numeric.status === 'fail' || o.numeric.status === 'error') r.push(`numeric vs ONNX Runtime ${o.numeric.status}`);
    if (o.agreement.status === 'fail' || o.agreement.status === 'error') r.push(`NNAPI agreement ${o.agreement.status}`);
    if (o.stream && o.stream.frames > 0 && !o.stream.pass) r.push('whole-model stream off');
    if (v.strict && o.warnings.length) r.push('--strict: a warning');
    return `node ${o.index} ${r.join(', ')}`;
  };
  const inexpressible = v.lstmNodes.filter((o) => !o.mapping.expressible).length;
  // One entry per distinct status and reason (an absent runtime skips every node for the same reason).
  const uncheckedBy = new Map<string, number[]>();
  for (const o of v.lstmNodes.filter((x) => x.ok && x.numeric.status !== 'pass')) {
    const key = `${o.numeric.status}${o.numeric.reason ? ` (${o.numeric.reason})` : ''}`;
    uncheckedBy.set(key, [...(uncheckedBy.get(key) ?? []), o.index]);
  }
  const unchecked = [...uncheckedBy].map(([key, nodes]) => `${nodes.length > 1 ? 'nodes' : 'node'} ${nodes.join(', ')} vs ONNX Runtime ${key}`);
  const mapping = inexpressible ? `; ${inexpressible} node(s) not expressible in NNAPI (see the reasons)` : '; every node expressible in NNAPI';
  if (!v.ok) out.push(`result: FAILED (exit 1) — ${v.lstmNodes.filter((o) => !o.ok).map(why).join('; ') || 'a warning with --strict'}`);
  else if (v.warnings.length) out.push(`result: OK with ${v.warnings.length} warning(s) (exit 0; --strict fails on them) — every LSTM node valid${mapping}${unchecked.length ? `; not numerically checked: ${unchecked.join(', ')}` : ''}`);
  else out.push(`result: OK (exit 0) — every LSTM node valid${mapping}${unchecked.length ? `; not numerically checked: ${unchecked.join(', ')}` : `; the reference within the float32 criterion of ONNX Runtime (cut-out nodes${v.stream.status === 'pass' ? ' and the whole-model stream' : ''})${v.lstmNodes.some((o) => o.agreement.status === 'pass') ? ' and of the NNAPI mapping' : ''}`}`);
  return out.join('\n') + '\n';
}
