/**
 * `nnlstm inspect MODEL.onnx`: the model's facts (ir_version, producer, opsets, graph inputs/outputs, op types over
 * every graph including If/Loop subgraphs) and, for every LSTM node wherever it sits, its path, every attribute
 * (defaults marked), its inputs (name, type, shape, constness and where a constant comes from), its features, the
 * ONNX-structure verdict (rule ids of spec/onnx/LSTM.json, src/onnx/lstm-validate.ts) and the NNAPI mapping verdict
 * (src/onnx/mapping.ts). `nnlstm validate` adds the numeric verdicts on top of the same analysis.
 */
import type { Violation } from '../model/violation.js';
import type { OnnxLstmAttributes, OnnxLstmTensor } from '../ops/onnx-lstm/types.js';
import { fromFloat16Bits } from '../util/float16.js';
import { checkOnnxLstm, type OnnxLstmInputInfo, type OnnxLstmInputRole } from './lstm-validate.js';
import { analyzeLstmSites, totalOpCounts, type OnnxLstmSite } from './lstm-sites.js';
import { mapOnnxLstmToNnapi, type MappingReason, type OnnxLstmInputName, type OnnxNodeConstants, type OnnxNnapiMapping } from './mapping.js';
import type { OnnxAttributeValue, OnnxDataType, OnnxModel, OnnxTensor, OnnxValueInfo } from './model.js';
import { readOnnx } from './reader.js';

/** One attribute of an LSTM node as the node has it or as the default gives it. */
export interface OnnxAttributeReport {
  name: string;
  /** The value as text (`128`, `forward`, `Sigmoid, Tanh, Tanh`, `none`). */
  value: string;
  /** True when the node does not set it (the operator's default applies). */
  default: boolean;
}

/** One input of an LSTM node. */
export interface OnnxInputReport {
  role: OnnxLstmInputRole;
  /** Value name; '' when the node leaves the input out. */
  name: string;
  present: boolean;
  /** Element type and dims when known (from the constant, or the declared value_info / graph input). */
  dataType?: OnnxDataType;
  dims?: (number | string | undefined)[];
  /** Known when the model is read: an initializer, a Constant, or derived from them (Unsqueeze, Slice, …). */
  constant: boolean;
  source?: 'initializer' | 'Constant' | 'derived';
  /** Ops between the constant and the node, outermost first (derived constants). */
  via?: string[];
}

/** What the node uses, in one place. */
export interface OnnxLstmFeatures {
  peephole: boolean;
  bias: boolean;
  clip: number | null;
  inputForget: boolean;
  layout: 0 | 1;
  sequenceLens: boolean;
  direction: OnnxLstmAttributes['direction'];
  /** f, g, h per direction, with parameters (e.g. `LeakyRelu(0.1)`). */
  activations: string[];
  initialStates: boolean;
  hiddenSize: number;
  inputSize: number | null;
}

/** The ONNX-structure verdict of one node. */
export interface OnnxStructureVerdict {
  status: 'valid' | 'invalid';
  /** Which rules: spec/onnx/LSTM.json. */
  validator: string;
  violations: Violation[];
  message: string;
}

/** The NNAPI mapping verdict (the model itself is left out of reports). */
export type OnnxMappingVerdict =
  | { expressible: true; operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM' | 'BIDIRECTIONAL_SEQUENCE_LSTM'; featureLevel: 3 | 4; activation: 1 | 4 | 6; timeMajor: boolean; directionNote: string; notes: string[]; builtFor?: number[] }
  | { expressible: false; reasons: MappingReason[] };

/** One LSTM node of the model. */
export interface OnnxLstmNodeReport {
  /** Position in depth-first order. */
  index: number;
  /** Readable location, e.g. `main › If "If_0" then_branch › LSTM "LSTM_12"`. */
  path: string;
  /** Reader's machine path, e.g. `graph.node[2].attribute[1](then_branch).g.node[90]…`. */
  machinePath: string;
  name: string;
  /** Nesting depth (0: in the main graph). */
  depth: number;
  opset: number;
  attributes: OnnxAttributeReport[];
  inputs: OnnxInputReport[];
  outputs: { Y: string; Y_h: string; Y_c: string };
  features: OnnxLstmFeatures;
  structure: OnnxStructureVerdict;
  mapping: OnnxMappingVerdict;
}

/** The model's facts and its LSTM nodes. */
export interface OnnxInspection {
  byteLength: number;
  irVersion: number;
  producerName: string;
  producerVersion: string;
  /** domain ('' shown as ai.onnx) → version. */
  opsets: Record<string, number>;
  /** Graphs in all (main + subgraphs). */
  graphs: number;
  /** Nodes over every graph. */
  nodes: number;
  /** Op type → count over every graph (non-default domains as `domain:Op`). */
  opCounts: Record<string, number>;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers: number;
  lstmNodes: OnnxLstmNodeReport[];
}

/** One node's analysis: the report plus what the numeric checks need. */
export interface OnnxLstmNodeAnalysis {
  report: OnnxLstmNodeReport;
  site: OnnxLstmSite;
  attrs: OnnxLstmAttributes;
  /** Constant inputs as float32 / int32 tensors (the element types the reference takes). */
  constants: OnnxNodeConstants;
  /** X's declared dims when every dim is a number. */
  xDims?: number[];
  /** Element type of X (declared, else of W). */
  dataType?: OnnxDataType;
  /** The mapping with its NNAPI model when built. */
  mapping: OnnxNnapiMapping;
}

const DEFAULT_DOMAIN = '';

const ATTRIBUTE_ORDER = ['hidden_size', 'direction', 'layout', 'input_forget', 'clip', 'activations', 'activation_alpha', 'activation_beta'] as const;

function attrText(v: OnnxAttributeValue): string {
  switch (v.type) {
    case 'FLOAT':
    case 'INT':
      return String(v.value);
    case 'STRING':
      return v.value;
    case 'FLOATS':
    case 'INTS':
      return v.value.join(', ');
    case 'STRINGS':
      return v.value.join(', ');
    case 'TENSOR':
      return `tensor [${v.value.dims.join(', ')}]`;
    case 'GRAPH':
      return `graph ${v.value.name}`;
    case 'TENSORS':
    case 'GRAPHS':
      return `${v.value.length} ${v.type.toLowerCase()}`;
    case 'OTHER':
      return `type ${v.code}`;
  }
}

const actText = (a: OnnxLstmAttributes['activations'][number]) => `${a.name}${a.alpha !== undefined || a.beta !== undefined ? `(${[a.alpha, a.beta].filter((x) => x !== undefined).join(', ')})` : ''}`;

function attributeReports(site: OnnxLstmSite, a: OnnxLstmAttributes): OnnxAttributeReport[] {
  const given = site.node.attributes;
  const defaults: Record<string, string> = {
    hidden_size: String(a.hiddenSize),
    direction: 'forward',
    layout: '0',
    input_forget: '0',
    clip: 'none',
    activations: a.activations.map((x) => x.name).join(', '),
    activation_alpha: 'none',
    activation_beta: 'none',
  };
  const names = [...ATTRIBUTE_ORDER.filter((n) => n !== 'layout' || site.opset >= 14), ...Object.keys(given).filter((n) => !(ATTRIBUTE_ORDER as readonly string[]).includes(n))];
  return names.map((name) => {
    const v = given[name];
    return v ? { name, value: attrText(v), default: false } : { name, value: defaults[name] ?? '-', default: true };
  });
}

/** An ONNX tensor as the float32 tensor the reference takes (undefined for types it does not take). */
export function floatTensor(t: OnnxTensor | undefined): OnnxLstmTensor | undefined {
  if (!t?.data) return undefined;
  const d = t.data;
  if (t.dataType === 'FLOAT' && d instanceof Float32Array) return { dims: [...t.dims], data: d };
  if (t.dataType === 'FLOAT16' && d instanceof Uint16Array) return { dims: [...t.dims], data: Float32Array.from(d, fromFloat16Bits) };
  if (t.dataType === 'DOUBLE' && d instanceof Float64Array) return { dims: [...t.dims], data: d };
  return undefined;
}

function intTensor(t: OnnxTensor | undefined): { dims: number[]; data: Int32Array } | undefined {
  if (!t?.data) return undefined;
  const d = t.data;
  if (d instanceof Int32Array) return { dims: [...t.dims], data: d };
  if (d instanceof BigInt64Array) return { dims: [...t.dims], data: Int32Array.from(d, (x) => Number(x)) };
  return undefined;
}

function inputInfo(i: OnnxLstmSite['inputs'][number]): OnnxLstmInputInfo {
  const info: OnnxLstmInputInfo = {};
  if (i.constant) {
    info.dims = [...i.constant.dims];
    info.dataType = i.constant.dataType;
    if (i.role === 'sequence_lens' && i.constant.data && !(i.constant.data instanceof Array)) info.values = i.constant.data as ArrayLike<number | bigint>;
  } else if (i.valueInfo) {
    if (i.valueInfo.shape) info.dims = [...i.valueInfo.shape];
    if (i.valueInfo.elemType) info.dataType = i.valueInfo.elemType;
  }
  return info;
}

/** Analyses every LSTM node of a read model (structure, features, mapping with the NNAPI model where buildable). */
export function analyzeOnnxLstmNodes(model: OnnxModel): { nodes: OnnxLstmNodeAnalysis[]; graphs: ReturnType<typeof analyzeLstmSites>['graphs'] } {
  const { sites, graphs } = analyzeLstmSites(model);
  const nodes = sites.map((site, index): OnnxLstmNodeAnalysis => {
    const infos: Partial<Record<OnnxLstmInputRole, OnnxLstmInputInfo>> = {};
    for (const i of site.inputs) if (i.name) infos[i.role] = inputInfo(i);
    const check = checkOnnxLstm(site.node, infos, site.opset);
    const attrs = check.attributes;
    const byRole = new Map(site.inputs.map((i) => [i.role, i]));
    const constants: OnnxNodeConstants = {};
    for (const role of ['W', 'R', 'B', 'P'] as const) {
      const t = floatTensor(byRole.get(role)?.constant);
      if (t) constants[role] = t;
    }
    const lens = intTensor(byRole.get('sequence_lens')?.constant);
    if (lens) constants.sequence_lens = lens;
    const runtimeInputs = site.inputs.filter((i) => i.name && !i.constant && i.role !== 'X' && i.role !== 'initial_h' && i.role !== 'initial_c').map((i) => i.role as OnnxLstmInputName);
    const x = byRole.get('X')!;
    const xShape = x.valueInfo?.shape;
    const xDims = xShape && xShape.length === 3 && xShape.every((d) => typeof d === 'number') ? (xShape as number[]) : undefined;
    const dataType = x.valueInfo?.elemType ?? byRole.get('W')?.constant?.dataType;
    const inputSize = constants.W?.dims[2] ?? (typeof xShape?.[2] === 'number' ? xShape[2] : null);
    // The NNAPI model needs X's shape: the declared one, else one step of batch 1 (Silero's real shape).
    const buildFor = xDims ?? (inputSize !== null ? (attrs.layout === 0 ? [1, 1, inputSize] : [1, 1, inputSize]) : undefined);
    const outputsUsed = { Y: !!site.outputs.Y, Y_h: !!site.outputs.Y_h, Y_c: !!site.outputs.Y_c };
    let mapping: OnnxNnapiMapping;
    try {
      mapping = mapOnnxLstmToNnapi(attrs, constants, { ...(buildFor ? { X: buildFor } : {}), ...(dataType ? { dataType } : {}), runtimeInputs, outputsUsed });
    } catch (e) {
      // A model the NNAPI builder refuses (inconsistent shapes the structure check also reports).
      mapping = { expressible: false, reasons: [{ aspect: 'gate-packing', attribute: 'W', message: `the NNAPI model cannot be built: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}` }] };
    }
    const structure: OnnxStructureVerdict =
      check.violations.length === 0
        ? { status: 'valid', validator: 'spec/onnx/LSTM.json rules', violations: [], message: 'valid ONNX LSTM' }
        : { status: 'invalid', validator: 'spec/onnx/LSTM.json rules', violations: check.violations, message: `${check.violations.length} violation(s): ${[...new Set(check.violations.map((v) => v.rule))].join(', ')}` };
    const inputs: OnnxInputReport[] = site.inputs.map((i) => {
      const r: OnnxInputReport = { role: i.role, name: i.name, present: !!i.name, constant: !!i.constant };
      const info = i.name ? inputInfo(i) : {};
      if (info.dataType) r.dataType = info.dataType;
      if (info.dims) r.dims = [...info.dims];
      if (i.constantSource) {
        r.source = i.constantSource.source;
        if (i.constantSource.via.length) r.via = [...i.constantSource.via];
      }
      return r;
    });
    const features: OnnxLstmFeatures = {
      peephole: !!byRole.get('P')?.name,
      bias: !!byRole.get('B')?.name,
      clip: attrs.clip ?? null,
      inputForget: attrs.inputForget === 1,
      layout: attrs.layout,
      sequenceLens: !!byRole.get('sequence_lens')?.name,
      direction: attrs.direction,
      activations: attrs.activations.map(actText),
      initialStates: !!byRole.get('initial_h')?.name || !!byRole.get('initial_c')?.name,
      hiddenSize: attrs.hiddenSize,
      inputSize,
    };
    const mv: OnnxMappingVerdict = mapping.expressible
      ? {
          expressible: true,
          operation: mapping.operation,
          featureLevel: mapping.featureLevel,
          activation: mapping.activation,
          timeMajor: mapping.timeMajor,
          directionNote: mapping.directionNote,
          notes: mapping.notes,
          ...(mapping.model && buildFor ? { builtFor: buildFor } : {}),
        }
      : { expressible: false, reasons: mapping.reasons };
    const report: OnnxLstmNodeReport = {
      index,
      path: site.path,
      machinePath: site.machinePath,
      name: site.node.name,
      depth: site.graphs.length - 1,
      opset: site.opset,
      attributes: attributeReports(site, attrs),
      inputs,
      outputs: { ...site.outputs },
      features,
      structure,
      mapping: mv,
    };
    const a: OnnxLstmNodeAnalysis = { report, site, attrs, constants, mapping };
    if (xDims) a.xDims = xDims;
    if (dataType) a.dataType = dataType;
    return a;
  });
  return { nodes, graphs };
}

/** The inspection of a read model. */
export function inspectOnnxModel(model: OnnxModel, byteLength: number): OnnxInspection {
  const { nodes, graphs } = analyzeOnnxLstmNodes(model);
  return inspectionOf(model, byteLength, nodes, graphs);
}

/** @internal The inspection from an analysis already made. */
export function inspectionOf(model: OnnxModel, byteLength: number, nodes: readonly OnnxLstmNodeAnalysis[], graphs: ReturnType<typeof analyzeLstmSites>['graphs']): OnnxInspection {
  const opCounts = totalOpCounts(graphs);
  return {
    byteLength,
    irVersion: model.irVersion,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    opsets: { ...model.opsets },
    graphs: graphs.length,
    nodes: Object.values(opCounts).reduce((a, b) => a + b, 0),
    opCounts,
    inputs: model.graph.inputs,
    outputs: model.graph.outputs,
    initializers: model.graph.initializers.length,
    lstmNodes: nodes.map((n) => n.report),
  };
}

/**
 * Reads and inspects a `.onnx` file. Throws OnnxFormatError (kind, byte offset, field path) for a malformed file.
 *
 * @example
 * ```ts
 * import { inspectOnnx } from 'nnlstm/onnx';
 * for (const n of inspectOnnx(bytes).lstmNodes) console.log(n.path, n.mapping.expressible);
 * ```
 */
export function inspectOnnx(bytes: Uint8Array): OnnxInspection {
  return inspectOnnxModel(readOnnx(bytes), bytes.length);
}

// ---- rendering -----------------------------------------------------------------------------------------------------

const FEATURE_LEVEL_TEXT: Record<number, string> = { 3: 'Android 10, API 29, NNAPI 1.2', 4: 'Android 11, API 30, NNAPI 1.3' };
const ACTIVATION_TEXT: Record<number, string> = { 1: 'relu', 4: 'tanh', 6: 'sigmoid' };

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((x, c) => x.padEnd(widths[c]!)).join('  ').trimEnd());
}

/** Joins items with ', ' into lines of at most `width` characters. */
function wrap(items: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const it of items) {
    const next = cur ? `${cur}, ${it}` : it;
    if (next.length > width && cur) {
      lines.push(`${cur},`);
      cur = it;
    } else cur = next;
  }
  if (cur) lines.push(cur);
  return lines;
}

const dimsText = (d: readonly (number | string | undefined)[] | undefined) => (d ? `[${d.map((x) => (x === undefined ? '?' : String(x))).join(', ')}]` : '-');
const typeText = (t: OnnxDataType | undefined) => (t ? t.toLowerCase() : '?');
const valueInfoText = (v: OnnxValueInfo) => `${v.name} ${typeText(v.elemType)} ${dimsText(v.shape)}`;

/** The mapping verdict in one line. */
export function mappingLine(m: OnnxMappingVerdict): string {
  if (!m.expressible) return `not expressible — ${m.reasons.map((r) => `${r.attribute} (${r.aspect}): ${r.message}`).join('; ')}`;
  return `${m.operation}, feature level ${m.featureLevel} (${FEATURE_LEVEL_TEXT[m.featureLevel]}${m.featureLevel === 4 ? ': state outputs for Y_h/Y_c' : ''}), activation ${ACTIVATION_TEXT[m.activation]} (${m.activation}), time_major ${m.timeMajor}`;
}

/** The text of one node (inspect's per-node block; validate reuses its first lines). */
export function renderNodeHeader(n: OnnxLstmNodeReport): string[] {
  const out: string[] = [];
  out.push(`node ${n.index}: ${n.path}`);
  out.push(`  opset ${n.opset}, depth ${n.depth}, hidden ${n.features.hiddenSize}, input ${n.features.inputSize ?? '?'}`);
  return out;
}

function renderNode(n: OnnxLstmNodeReport): string[] {
  const out = renderNodeHeader(n);
  out.push(`  attributes: ${n.attributes.map((a) => `${a.name} ${a.value}${a.default ? ' (default)' : ''}`).join('; ')}`);
  const f = n.features;
  const yn = (b: boolean) => (b ? 'yes' : 'no');
  out.push(
    `  features:   peephole ${yn(f.peephole)}, bias ${yn(f.bias)}, clip ${f.clip === null ? 'no' : f.clip}, input_forget ${yn(f.inputForget)}, layout ${f.layout} (${f.layout === 0 ? 'time-major' : 'batch-major'}), sequence_lens ${yn(f.sequenceLens)}, direction ${f.direction}, activations ${f.activations.join(', ')}, initial states ${yn(f.initialStates)}`,
  );
  out.push('  inputs:');
  const rows: string[][] = [['#', 'role', 'value', 'type', 'shape', 'constant']];
  for (const [k, i] of n.inputs.entries()) {
    if (!i.present) {
      rows.push([String(k), i.role, '(omitted)', '', '', '']);
      continue;
    }
    const c = i.constant ? `yes (${i.source ?? '?'}${i.via?.length ? ` via ${i.via.join(' ← ')}` : ''})` : 'no';
    rows.push([String(k), i.role, i.name, typeText(i.dataType), dimsText(i.dims), c]);
  }
  out.push(...table(rows).map((l) => `    ${l}`));
  out.push(`  outputs:    Y ${n.outputs.Y || '(omitted)'}; Y_h ${n.outputs.Y_h || '(omitted)'}; Y_c ${n.outputs.Y_c || '(omitted)'}`);
  out.push(`  ONNX structure: ${n.structure.status === 'valid' ? `valid (${n.structure.validator})` : `INVALID — ${n.structure.message}`}`);
  for (const v of n.structure.violations) out.push(`    ${v.rule}: ${v.operandName ? `${v.operandName}: ` : ''}${v.message}${v.expected !== undefined ? ` [expected ${v.expected}, actual ${v.actual ?? '?'}]` : ''}`);
  out.push(`  NNAPI mapping: ${n.mapping.expressible ? mappingLine(n.mapping) : 'not expressible'}`);
  if (n.mapping.expressible) {
    out.push(`    ${n.mapping.directionNote}`);
    for (const note of n.mapping.notes) out.push(`    ${note}`);
  } else for (const r of n.mapping.reasons) out.push(`    ${r.attribute} (${r.aspect}): ${r.message}`);
  return out;
}

/** The text `nnlstm inspect MODEL.onnx` prints. */
export function renderOnnxInspection(file: string, r: OnnxInspection): string {
  const out: string[] = [];
  const opsets = Object.entries(r.opsets).map(([d, v]) => `${d === DEFAULT_DOMAIN ? 'ai.onnx' : d} ${v}`).join(', ');
  out.push(`${file}: ONNX ir_version ${r.irVersion}, producer ${r.producerName || '?'}${r.producerVersion ? ` ${r.producerVersion}` : ''}, ${r.byteLength} bytes`);
  out.push(`  opsets: ${opsets}`);
  out.push(`  graphs: ${r.graphs} (main + ${r.graphs - 1} subgraph(s)), nodes: ${r.nodes}, initializers (main graph): ${r.initializers}`);
  out.push(`  inputs:  ${r.inputs.map(valueInfoText).join('; ') || '-'}`);
  out.push(`  outputs: ${r.outputs.map(valueInfoText).join('; ') || '-'}`);
  out.push('', 'op types (all graphs):');
  const ops = Object.entries(r.opCounts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  out.push(...wrap(ops.map(([op, n]) => `${n} ${op}`), 110).map((l) => `  ${l}`));
  out.push('', `LSTM nodes: ${r.lstmNodes.length}`);
  for (const n of r.lstmNodes) out.push('', ...renderNode(n));
  return out.join('\n') + '\n';
}
