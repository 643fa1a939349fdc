/**
 * Generates the ONNX LSTM golden vectors golden/onnx/*.json (format: spec/schema/onnx-golden.schema.json).
 * Expected values come from ONNX Runtime (onnxruntime-node, CPU EP) running a one-node model written by
 * src/onnx/writer.ts; layout=1 cases (which ORT refuses) from an ORT run of the transposed layout-0 node; DOUBLE
 * cases (which ORT does not implement) from the independent float64 evaluation in ./gen-onnx-golden-f64.ts —
 * never from the reference under test (src/ops/onnx-lstm/).
 *
 *   npx esbuild src/tools/gen-onnx-golden.ts --bundle --platform=node --format=esm \
 *     --outfile=.scratch/gen-onnx-golden.mjs --external:onnxruntime-node && node .scratch/gen-onnx-golden.mjs [--check] [--out DIR]
 *
 * `--check` regenerates in memory and exits 1 when a committed file differs.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { stableJson } from '../conformance/golden-format.js';
import { rng } from '../conformance/synth.js';
import { ModelProtoSchema } from '../onnx/generated/onnx_pb.js';
import { singleLstmModel, type LstmOperandName, type OnnxIntTensor } from '../onnx/writer.js';
import { ONNX_LSTM_INPUTS, type OnnxActivation, type OnnxLstmAttributes, type OnnxLstmInputs, type OnnxLstmTensor } from '../ops/onnx-lstm/types.js';
import { fromFloat16Bits, roundToFloat16, toFloat16Bits } from '../util/float16.js';
import { fromRoot } from '../util/paths.js';
import { caseDefs, caseRows, type CaseDef, type GoldenDeparture, type GoldenTensor, type InputName, type OnnxGoldenFile } from './gen-onnx-golden-cases.js';
import { onnxLstmF64, type F64Options, type F64Outputs } from './gen-onnx-golden-f64.js';

type Ort = typeof import('onnxruntime-node');
type Outputs = { Y: GoldenTensor; Y_h: GoldenTensor; Y_c: GoldenTensor };

export const ONNX_GOLDEN_DIR = fromRoot('golden', 'onnx');
export const ONNX_GOLDEN_SCHEMA_REF = '../../spec/schema/onnx-golden.schema.json';
const GENERATOR = 'nnlstm src/tools/gen-onnx-golden.ts (one-node model by src/onnx/writer.ts singleLstmModel; data from mulberry32 per case seed, src/conformance/synth.ts rng)';
const PACKAGE_VERSION = (JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string }).version;

/** The NNAPI harness criteria (src/conformance/tolerance.ts), written out in each file. */
const FLOAT32_TOL = { criterion: 'float32' as const, atol: Math.fround(1e-5), rtol: 5 * 2 ** -23 };
const FLOAT16_TOL = { criterion: 'float16' as const, atol: 5 * 2 ** -10, rtol: 5 * 2 ** -10 };

/** Which activation path ONNX Runtime's CPU LSTM takes (read from the source, recorded in every ORT case). */
const ORT_ACTIVATION_PATH =
  'MLAS approximations: f and g through deepcpu::ActivationFuncByName (sigmoid → MlasComputeLogistic, tanh → MlasComputeTanh), h through LstmMergeGatesFuncByName (sigmoid_m/tanh_m, also MLAS); the sigmoid_exact/tanh_exact variants in rnn_helpers.cc are not selected by the LSTM kernel (onnxruntime core/providers/cpu/rnn/uni_directional_lstm.cc)';

const SOURCES = {
  doc: 'onnx/onnx docs/Operators.md#LSTM (onnx/onnx.github.io docs/onnx_doc_folder/onnx__LSTM.rst)',
  ortLstm: 'microsoft/onnxruntime onnxruntime/core/providers/cpu/rnn/uni_directional_lstm.cc (GateComputations)',
  ortHelpers: 'microsoft/onnxruntime onnxruntime/core/providers/cpu/rnn/rnn_helpers.cc (NormalizeActivationArgumentAndGetAlphaBetaCount)',
  ortFunctors: 'microsoft/onnxruntime onnxruntime/core/providers/cpu/rnn/rnn_activation_functors.h (ThresholdedRelu)',
};

// ---------------------------------------------------------------------------------------------------------------
// Data

interface DrawnCase {
  attrs: OnnxLstmAttributes;
  inputs: Partial<Record<InputName, GoldenTensor>>;
  graphInputs: InputName[];
}

function defaultActivations(n: number): OnnxActivation[] {
  const one: OnnxActivation[] = [{ name: 'Sigmoid' }, { name: 'Tanh' }, { name: 'Tanh' }];
  return n === 2 ? [...one, ...one.map((a) => ({ ...a }))] : one;
}

/** Draw the case's tensors: uniform in ±scale, rounded to the data type (DOUBLE keeps full doubles). */
export function drawCase(def: CaseDef): DrawnCase {
  const next = rng(def.seed);
  const dt = def.dataType ?? 'FLOAT';
  const round = dt === 'DOUBLE' ? (x: number) => x : dt === 'FLOAT16' ? (x: number) => roundToFloat16(Math.fround(x)) : Math.fround;
  const draw = (n: number, scale: number): number[] => Array.from({ length: n }, () => round((next() * 2 - 1) * scale));
  const D = def.direction === 'bidirectional' ? 2 : 1;
  const { S, B, I, H } = def;
  const layout = def.layout ?? 0;
  const ws = def.weightScale ?? 0.6;
  const attrs: OnnxLstmAttributes = {
    hiddenSize: H,
    direction: def.direction,
    layout,
    inputForget: def.inputForget ?? 0,
    activations: def.activations ?? defaultActivations(D),
  };
  if (def.clip !== undefined) attrs.clip = def.clip;
  const inputs: Partial<Record<InputName, GoldenTensor>> = {};
  const graphInputs: InputName[] = ['X'];
  inputs.X = { dims: layout === 1 ? [B, S, I] : [S, B, I], data: draw(S * B * I, def.inputScale ?? 1) };
  inputs.W = { dims: [D, 4 * H, I], data: draw(D * 4 * H * I, ws) };
  inputs.R = { dims: [D, 4 * H, H], data: draw(D * 4 * H * H, ws * 0.8) };
  if (def.bias) {
    inputs.B = { dims: [D, 8 * H], data: draw(D * 8 * H, def.biasScale ?? 0.5) };
    const block = { i: 0, o: 1, f: 2, c: 3 } as const;
    for (const [g, off] of Object.entries(def.gateBiasOffset ?? {}) as ['i' | 'o' | 'f' | 'c', number][]) {
      for (let d = 0; d < D; d++) for (let u = 0; u < H; u++) inputs.B.data[d * 8 * H + block[g] * H + u] = round(inputs.B.data[d * 8 * H + block[g] * H + u]! + off);
    }
  }
  if (def.seqLens) {
    inputs.sequence_lens = { dims: [B], data: [...def.seqLens] };
    if (def.seqLensAs === 'input') graphInputs.push('sequence_lens');
  }
  const stateDims = layout === 1 ? [B, D, H] : [D, B, H];
  if (def.initialH) {
    inputs.initial_h = { dims: stateDims, data: draw(D * B * H, 0.8) };
    if (def.initialH === 'input') graphInputs.push('initial_h');
  }
  if (def.initialC) {
    inputs.initial_c = { dims: [...stateDims], data: draw(D * B * H, def.cellScale ?? 1) };
    if (def.initialC === 'input') graphInputs.push('initial_c');
  }
  if (def.peephole) inputs.P = { dims: [D, 3 * H], data: draw(D * 3 * H, 0.5) };
  if (def.departure === 'threshold-boundary') {
    // Cell-gate pre-activation exactly alpha: zero W/R rows of gate c (block 3), Wbc = alpha, Rbc = 0.
    const alpha = attrs.activations[1]!.alpha!;
    for (let d = 0; d < D; d++) {
      for (let r = 3 * H; r < 4 * H; r++) {
        for (let j = 0; j < I; j++) inputs.W.data[(d * 4 * H + r) * I + j] = 0;
        for (let j = 0; j < H; j++) inputs.R.data[(d * 4 * H + r) * H + j] = 0;
        inputs.B!.data[d * 8 * H + r] = alpha;
        inputs.B!.data[d * 8 * H + 4 * H + r] = 0;
      }
    }
  }
  return { attrs, inputs, graphInputs };
}

const floatArray = (dt: string, data: number[]): Float32Array | Float64Array => (dt === 'DOUBLE' ? Float64Array.from(data) : Float32Array.from(data));

/** The case's tensors as the reference / the float64 derivation take them. */
export function toLstmInputs(inputs: Partial<Record<InputName, GoldenTensor>>, dataType: string): OnnxLstmInputs {
  const t = (g: GoldenTensor): OnnxLstmTensor => ({ dims: [...g.dims], data: floatArray(dataType, g.data) });
  const out: OnnxLstmInputs = { X: t(inputs.X!), W: t(inputs.W!), R: t(inputs.R!) };
  if (inputs.B) out.B = t(inputs.B);
  if (inputs.sequence_lens) out.sequence_lens = { dims: [...inputs.sequence_lens.dims], data: Int32Array.from(inputs.sequence_lens.data) };
  if (inputs.initial_h) out.initial_h = t(inputs.initial_h);
  if (inputs.initial_c) out.initial_c = t(inputs.initial_c);
  if (inputs.P) out.P = t(inputs.P);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Layout 1 ↔ 0 (ORT refuses layout=1: run the transposed node)

/** Swap the first two axes of a row-major tensor. */
function swap01(t: GoldenTensor): GoldenTensor {
  const [a, b, ...rest] = t.dims as [number, number, ...number[]];
  const inner = rest.reduce((x, y) => x * y, 1);
  const out = new Array<number>(t.data.length);
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) for (let k = 0; k < inner; k++) out[(j * a + i) * inner + k] = t.data[(i * b + j) * inner + k]!;
  return { dims: [b, a, ...rest], data: out };
}

/** Y [S, D, B, H] → [B, S, D, H]. */
function yToLayout1(y: GoldenTensor): GoldenTensor {
  const [S, D, B, H] = y.dims as [number, number, number, number];
  const out = new Array<number>(y.data.length);
  for (let t = 0; t < S; t++) for (let d = 0; d < D; d++) for (let b = 0; b < B; b++) for (let u = 0; u < H; u++) out[((b * S + t) * D + d) * H + u] = y.data[((t * D + d) * B + b) * H + u]!;
  return { dims: [B, S, D, H], data: out };
}

function inputsToLayout0(inputs: Partial<Record<InputName, GoldenTensor>>): Partial<Record<InputName, GoldenTensor>> {
  const out = { ...inputs };
  out.X = swap01(inputs.X!);
  if (inputs.initial_h) out.initial_h = swap01(inputs.initial_h);
  if (inputs.initial_c) out.initial_c = swap01(inputs.initial_c);
  return out;
}

function outputsToLayout1(o: Outputs): Outputs {
  return { Y: yToLayout1(o.Y), Y_h: swap01(o.Y_h), Y_c: swap01(o.Y_c) };
}

// ---------------------------------------------------------------------------------------------------------------
// ONNX Runtime

interface OrtRun {
  attrs: OnnxLstmAttributes;
  inputs: Partial<Record<InputName, GoldenTensor>>;
  graphInputs: InputName[];
  opset: number;
  dataType: 'FLOAT' | 'FLOAT16' | 'DOUBLE';
  /** 'omit-unset' to write the node with unset activation parameters left out (departure ORT.LSTM.activation_defaults). */
  activationParameters?: 'explicit' | 'omit-unset';
}

function modelOf(run: OrtRun): ReturnType<typeof singleLstmModel> {
  const constants: Partial<Record<LstmOperandName, OnnxLstmTensor | OnnxIntTensor>> = {};
  const graphInputs: Partial<Record<LstmOperandName, number[]>> = {};
  for (const [name, t] of Object.entries(run.inputs) as [InputName, GoldenTensor][]) {
    if (name === 'X') continue;
    if (run.graphInputs.includes(name)) graphInputs[name] = [...t.dims];
    else constants[name] = name === 'sequence_lens' ? { dims: [...t.dims], data: Int32Array.from(t.data) } : { dims: [...t.dims], data: Float64Array.from(t.data) };
  }
  return singleLstmModel({ attrs: run.attrs, opset: run.opset, dataType: run.dataType, activationParameters: run.activationParameters, inputs: { xDims: [...run.inputs.X!.dims], constants, graphInputs } });
}

function ortTensor(ort: Ort, name: InputName, t: GoldenTensor, dt: OrtRun['dataType']): InstanceType<Ort['Tensor']> {
  if (name === 'sequence_lens') return new ort.Tensor('int32', Int32Array.from(t.data), t.dims);
  if (dt === 'FLOAT16') {
    const bits = Uint16Array.from(t.data, (v) => toFloat16Bits(v));
    const tensor = new ort.Tensor('float16', bits, t.dims);
    // Node ≥ 24 has Float16Array, into which onnxruntime-common turns the bits; onnxruntime-node 1.30's binding
    // cannot read that (see src/onnx/runtime.ts), so the tensor keeps the Uint16Array.
    if (!(tensor.data instanceof Uint16Array)) Object.defineProperty(tensor, 'data', { value: bits, configurable: true });
    return tensor;
  }
  if (dt === 'DOUBLE') return new ort.Tensor('float64', Float64Array.from(t.data), t.dims);
  return new ort.Tensor('float32', Float32Array.from(t.data), t.dims);
}

/** Run the one-node model; the session is single-threaded so reruns give the same bits. */
async function runOrt(ort: Ort, run: OrtRun): Promise<Outputs> {
  const m = modelOf(run);
  const session = await ort.InferenceSession.create(m.bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 });
  try {
    const feeds: Record<string, InstanceType<Ort['Tensor']>> = {};
    for (const name of m.inputNames as InputName[]) feeds[name] = ortTensor(ort, name, run.inputs[name]!, run.dataType);
    const out = await session.run(feeds);
    const read = (k: 'Y' | 'Y_h' | 'Y_c'): GoldenTensor => {
      const t = out[k]!;
      const d = t.data as Uint16Array | Float32Array;
      // float16 outputs come as bits in a Uint16Array, or as a Float16Array where the engine has one: read the bits.
      const data = run.dataType === 'FLOAT16' ? Array.from(d instanceof Uint16Array ? d : new Uint16Array(d.buffer, d.byteOffset, d.length), fromFloat16Bits) : Array.from(d as Float32Array);
      return { dims: [...t.dims], data };
    };
    return { Y: read('Y'), Y_h: read('Y_h'), Y_c: read('Y_c') };
  } finally {
    await session.release();
  }
}

/** The message ORT gives for a model it cannot run (first line, paths trimmed), or undefined if it runs. */
async function ortRefusal(ort: Ort, run: OrtRun): Promise<string | undefined> {
  try {
    await runOrt(ort, run);
    return undefined;
  } catch (e) {
    const msg = String((e as Error).message).split('\n')[0]!;
    return msg.replace(/\/onnxruntime_src\//g, '').replace(/ If you need support.*$/, '').trim();
  }
}

/** The op types of the graph ORT actually runs for a model (its optimized model), e.g. the Casts around a FLOAT16 LSTM. */
async function optimizedOpTypes(ort: Ort, run: OrtRun): Promise<string[]> {
  const path = join(tmpdir(), `nnlstm-onnx-golden-${process.pid}.onnx`);
  const session = await ort.InferenceSession.create(modelOf(run).bytes, { optimizedModelFilePath: path, logSeverityLevel: 4 });
  await session.release();
  const proto = fromBinary(ModelProtoSchema, readFileSync(path), { readUnknownFields: false });
  rmSync(path, { force: true });
  return proto.graph!.node.map((n) => n.opType);
}

// ---------------------------------------------------------------------------------------------------------------
// Comparison helpers

function roundTo(dt: string): (x: number) => number {
  return dt === 'DOUBLE' ? (x) => x : dt === 'FLOAT16' ? (x) => roundToFloat16(Math.fround(x)) : Math.fround;
}

function f64ToGolden(o: F64Outputs, dt: string): Outputs {
  const r = roundTo(dt);
  const g = (t: { dims: number[]; data: Float64Array }): GoldenTensor => ({ dims: [...t.dims], data: Array.from(t.data, r) });
  return { Y: g(o.Y), Y_h: g(o.Y_h), Y_c: g(o.Y_c) };
}

/** Largest |a − e| and whether every element is within atol + rtol·|e|. */
export function compareOutputs(actual: Outputs, expected: Outputs, tol: { atol: number; rtol: number }): { maxAbsDiff: number; within: boolean } {
  let max = 0;
  let within = true;
  for (const k of ['Y', 'Y_h', 'Y_c'] as const) {
    const a = actual[k].data;
    const e = expected[k].data;
    if (a.length !== e.length) return { maxAbsDiff: Infinity, within: false };
    for (let i = 0; i < e.length; i++) {
      const d = Math.abs(a[i]! - e[i]!);
      if (!(d <= tol.atol + tol.rtol * Math.abs(e[i]!))) within = false;
      if (d > max || Number.isNaN(d)) max = Number.isNaN(d) ? Infinity : d;
    }
  }
  return { maxAbsDiff: max, within };
}

function f64(drawn: DrawnCase, dt: string, opts: F64Options = {}, attrs = drawn.attrs): F64Outputs {
  return onnxLstmF64(attrs, toLstmInputs(drawn.inputs, 'DOUBLE'), opts);
}

// ---------------------------------------------------------------------------------------------------------------
// One golden

interface Runtime {
  ort: Ort;
  version: string;
  float16Graph?: string[];
}

const DOC_DEFAULTS: Record<string, { alpha?: number; beta?: number }> = {
  Affine: { alpha: 1, beta: 0 },
  ThresholdedRelu: { alpha: 1 },
  LeakyRelu: { alpha: 0.01 },
  HardSigmoid: { alpha: 0.2, beta: 0.5 },
  Elu: { alpha: 1 },
};

export async function buildGolden(def: CaseDef, rt: Runtime): Promise<OnnxGoldenFile> {
  const dataType = def.dataType ?? 'FLOAT';
  const opset = def.opset ?? 14;
  const drawn = drawCase(def);
  const tolerance = dataType === 'FLOAT16' ? FLOAT16_TOL : FLOAT32_TOL;
  const run: OrtRun = { attrs: drawn.attrs, inputs: drawn.inputs, graphInputs: drawn.graphInputs, opset, dataType };
  // The activation-defaults case is written as a real node would be: without the parameters it leaves unset.
  if (def.departure === 'activation-defaults') run.activationParameters = 'omit-unset';
  const source = `onnxruntime-node ${rt.version} CPU EP`;
  const sessionHow = `InferenceSession.create(bytes, {intraOpNumThreads: 1}) on the one-node model (ir_version 8, opset ${opset}, ${dataType}; inputs ${drawn.graphInputs.join(', ')} fed, the rest initializers); ORT activation path: ${ORT_ACTIVATION_PATH}`;
  let provenance: OnnxGoldenFile['provenance'];
  let expected: Outputs;

  if (dataType === 'DOUBLE') {
    const refusal = await ortRefusal(rt.ort, { ...run, attrs: { ...run.attrs, layout: 0 }, inputs: drawn.attrs.layout === 1 ? inputsToLayout0(drawn.inputs) : drawn.inputs });
    if (refusal === undefined) throw new Error(`${def.name}: ORT now runs a DOUBLE LSTM; make this an ORT case`);
    expected = f64ToGolden(f64(drawn, dataType), dataType);
    provenance = {
      kind: 'float64-derivation',
      generator: GENERATOR,
      generatorVersion: PACKAGE_VERSION,
      seed: def.seed,
      source: `float64 derivation (ONNX Runtime cannot run it: double not implemented — ${source} says "${refusal}")`,
      how: 'nnlstm src/tools/gen-onnx-golden-f64.ts onnxLstmF64: the operator doc\'s equations in double precision, code independent of src/ops/onnx-lstm/; ORT\'s conventions where the doc is silent (f = 1 − i for input_forget, zero final states for a length-0 row)',
      whyNotOnnxRuntime: refusal,
    };
  } else if (drawn.attrs.layout === 1) {
    const refusal = await ortRefusal(rt.ort, run);
    if (refusal === undefined) throw new Error(`${def.name}: ORT now runs layout=1; make this a direct ORT case`);
    const run0: OrtRun = { ...run, attrs: { ...run.attrs, layout: 0 }, inputs: inputsToLayout0(drawn.inputs) };
    expected = outputsToLayout1(await runOrt(rt.ort, run0));
    provenance = {
      kind: 'onnxruntime-transposed',
      generator: GENERATOR,
      generatorVersion: PACKAGE_VERSION,
      seed: def.seed,
      source: `${source}, layout-0 run transposed`,
      how: `ORT refuses layout=1, so the same node with layout=0 was run on X and initial_h/initial_c with their first two axes swapped, and Y [S,D,B,H] → [B,S,D,H], Y_h/Y_c [D,B,H] → [B,D,H] were transposed back (pure data movement: every number is ORT's). ${sessionHow}`,
      whyNotOnnxRuntime: refusal,
    };
  } else {
    expected = await runOrt(rt.ort, run);
    provenance = {
      kind: 'onnxruntime',
      generator: GENERATOR,
      generatorVersion: PACKAGE_VERSION,
      seed: def.seed,
      source,
      how:
        dataType === 'FLOAT16'
          ? `${sessionHow}. ORT registers no FLOAT16 LSTM kernel on the CPU EP; it runs the node through Casts it inserts (optimized graph: ${(rt.float16Graph ?? []).join(', ')}), i.e. in float32 with FLOAT16 inputs and outputs`
          : sessionHow,
    };
  }

  // Cross-check every ORT number against the independent float64 derivation.
  if (provenance.kind !== 'float64-derivation' && def.departure !== 'threshold-boundary') {
    const c = compareOutputs(f64ToGolden(f64(drawn, dataType), dataType === 'FLOAT16' ? 'FLOAT16' : 'DOUBLE'), expected, tolerance);
    provenance.crossCheck = { against: 'float64 derivation (src/tools/gen-onnx-golden-f64.ts)', maxAbsDiff: c.maxAbsDiff, withinTolerance: c.within };
    if (!c.within && def.departure !== 'activation-defaults') throw new Error(`${def.name}: ORT and the float64 derivation disagree beyond the ${tolerance.criterion} tolerance (max |Δ| ${c.maxAbsDiff})`);
  }

  const departures: GoldenDeparture[] = [];
  if (def.departure === 'clip-h-input') {
    const documentedOutputs = f64ToGolden(f64(drawn, dataType, { clipCellForH: true }), dataType);
    if (compareOutputs(documentedOutputs, expected, tolerance).within) throw new Error(`${def.name}: C_t never exceeds the clip; the departure does not show`);
    departures.push({
      id: 'ORT.LSTM.clip.h_input',
      kind: 'ambiguous',
      documented: 'clip: "Cell clip threshold. Clipping bounds the elements of a tensor in the range of [-threshold, +threshold] and is applied to the input of activations" — h is one of the activations and its input is C_t',
      implemented: 'ONNX Runtime clips the four gate pre-activations after the bias add (clip_add_bias / clip_ignore_bias) and passes C_t to h unclipped; C_t itself is not clipped either',
      expectationFollows: 'implementation',
      documentedOutputs,
      sources: [SOURCES.doc, SOURCES.ortLstm],
    });
  }
  if (def.departure === 'input-forget-direction') {
    departures.push({
      id: 'ORT.LSTM.input_forget.direction',
      kind: 'underspecified',
      documented: 'input_forget: "Couple the input and forget gates if 1." The equations give f = f(Xt·Wfᵀ + Ht−1·Rfᵀ + Pf⊙Ct−1 + Wbf + Rbf) whatever input_forget is; which gate is derived from which is not said',
      implemented: 'ONNX Runtime computes f = 1 − i (the forget gate\'s W, R, B rows and its peephole are ignored) — the opposite of NNAPI CIFG (i = 1 − f)',
      expectationFollows: 'implementation',
      sources: [SOURCES.doc, SOURCES.ortLstm],
    });
  }
  if (def.departure === 'empty-sequence') {
    departures.push({
      id: 'ORT.LSTM.sequence_lens.zero',
      kind: 'underspecified',
      documented: 'sequence_lens: "Optional tensor specifying lengths of the sequences in a batch"; nothing says what Y_h/Y_c are for a row of length 0',
      implemented: 'ONNX Runtime accepts length 0 and writes zeros to that row\'s Y, Y_h and Y_c (not initial_h/initial_c)',
      expectationFollows: 'implementation',
      sources: [SOURCES.doc, SOURCES.ortLstm],
    });
  }
  if (def.departure === 'activation-defaults') {
    const documentedActivations = drawn.attrs.activations.map((a) => ({ ...DOC_DEFAULTS[a.name], ...a }));
    const implementedOutputs = expected;
    expected = await runOrt(rt.ort, { ...run, activationParameters: 'explicit', attrs: { ...run.attrs, activations: documentedActivations } });
    provenance.how += '. expected: the same node with the documented defaults written out (activation_alpha/beta stated), run by ORT; departures[0].implementedOutputs: ORT on the node as written';
    const c = compareOutputs(f64ToGolden(f64(drawn, dataType, {}, { ...drawn.attrs, activations: documentedActivations }), 'DOUBLE'), expected, tolerance);
    provenance.crossCheck = { against: 'float64 derivation (src/tools/gen-onnx-golden-f64.ts) with the documented defaults', maxAbsDiff: c.maxAbsDiff, withinTolerance: c.within };
    if (!c.within) throw new Error(`${def.name}: documented-default run and float64 disagree`);
    if (compareOutputs(implementedOutputs, expected, tolerance).within) throw new Error(`${def.name}: the defaults do not change the outputs`);
    departures.push({
      id: 'ORT.LSTM.activation_defaults',
      kind: 'contradicts',
      documented: 'activation_alpha/activation_beta: "Default values are the same as of corresponding ONNX operators" — Affine alpha 1.0, beta 0.0; ThresholdedRelu alpha 1.0',
      implemented: 'ONNX Runtime uses 0 for every parameter the list does not supply except LeakyRelu 0.01, HardSigmoid 0.2/0.5 and Elu 1.0 — Affine without parameters is the zero function, ThresholdedRelu thresholds at 0',
      expectationFollows: 'documentation',
      documentedActivations,
      implementedOutputs,
      sources: [SOURCES.doc, SOURCES.ortHelpers],
    });
  }
  if (def.departure === 'threshold-boundary') {
    const implementedOutputs = expected;
    const exclusive = f64ToGolden(f64(drawn, dataType), 'DOUBLE');
    const c = compareOutputs(exclusive, implementedOutputs, tolerance);
    provenance.crossCheck = { against: 'float64 derivation (src/tools/gen-onnx-golden-f64.ts) with ORT\'s x > alpha', maxAbsDiff: c.maxAbsDiff, withinTolerance: c.within };
    if (!c.within) throw new Error(`${def.name}: ORT and the float64 derivation (x > alpha) disagree`);
    expected = f64ToGolden(f64(drawn, dataType, { thresholdInclusive: true }), dataType);
    if (compareOutputs(implementedOutputs, expected, tolerance).within) throw new Error(`${def.name}: the threshold boundary does not show`);
    provenance = {
      ...provenance,
      kind: 'float64-derivation',
      source: `float64 derivation (ONNX Runtime departs from the documentation here: ${source} computes ThresholdedRelu(alpha) = 0; its numbers are departures[0].implementedOutputs)`,
      how: 'nnlstm src/tools/gen-onnx-golden-f64.ts onnxLstmF64 with ThresholdedRelu(x) = x for x ≥ alpha (the doc), rounded to float32; the cell-gate pre-activation is exactly alpha (zero W/R rows, Wbc = alpha, Rbc = 0)',
      whyNotOnnxRuntime: 'ORT computes ThresholdedRelu as x > alpha, the doc as x ≥ alpha (departure ORT.LSTM.thresholded_relu.comparison)',
    };
    departures.push({
      id: 'ORT.LSTM.thresholded_relu.comparison',
      kind: 'contradicts',
      documented: 'ThresholdedRelu(x) - x if x >= alpha else 0',
      implemented: 'ONNX Runtime: x > alpha ? x : 0 (an input exactly equal to alpha gives 0)',
      expectationFollows: 'documentation',
      implementedOutputs,
      sources: [SOURCES.doc, SOURCES.ortFunctors],
    });
  }

  const golden: OnnxGoldenFile = {
    $schema: ONNX_GOLDEN_SCHEMA_REF,
    name: `lstm-${def.name}`,
    description: def.description,
    operator: 'LSTM',
    opset,
    dataType,
    rows: [],
    attrs: { ...drawn.attrs },
    inputs: drawn.inputs,
    graphInputs: drawn.graphInputs,
    expected,
    tolerance,
    provenance,
  };
  if (departures.length > 0) golden.departures = departures;
  golden.rows = caseRows(golden);
  return golden;
}

const KEY_ORDER = ['$schema', 'name', 'description', 'operator', 'opset', 'dataType', 'rows', 'attrs', 'inputs', 'graphInputs', 'expected', 'tolerance', 'provenance', 'departures'];
const INPUT_ORDER: readonly InputName[] = ONNX_LSTM_INPUTS;

/** The canonical text of an ONNX golden (stable key order; arrays of numbers on one line). */
export function renderOnnxGolden(g: OnnxGoldenFile): string {
  const src = g as unknown as Record<string, unknown>;
  const o: Record<string, unknown> = {};
  for (const k of KEY_ORDER) if (src[k] !== undefined) o[k] = src[k];
  const inputs: Record<string, unknown> = {};
  for (const k of INPUT_ORDER) if (g.inputs[k]) inputs[k] = g.inputs[k];
  o.inputs = inputs;
  return stableJson(o, 3) + '\n';
}

/** Every golden of the case table (needs onnxruntime-node). */
export async function buildAllGoldens(ort: Ort): Promise<OnnxGoldenFile[]> {
  const version = ort.env.versions.node ?? ort.env.versions.common ?? 'unknown';
  const rt: Runtime = { ort, version };
  const f16 = caseDefs().find((d) => d.dataType === 'FLOAT16' && (d.layout ?? 0) === 0)!;
  const d16 = drawCase(f16);
  rt.float16Graph = await optimizedOpTypes(ort, { attrs: d16.attrs, inputs: d16.inputs, graphInputs: d16.graphInputs, opset: f16.opset ?? 14, dataType: 'FLOAT16' });
  const out: OnnxGoldenFile[] = [];
  for (const def of caseDefs()) out.push(await buildGolden(def, rt));
  return out;
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const outAt = argv.indexOf('--out');
  const dir = outAt >= 0 ? argv[outAt + 1]! : ONNX_GOLDEN_DIR;
  const ort = (await import('onnxruntime-node')) as Ort;
  const goldens = await buildAllGoldens(ort);
  const texts = new Map(goldens.map((g) => [`${g.name}.json`, renderOnnxGolden(g)]));
  if (check) {
    const existing = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
    const stale = [...texts].filter(([f, t]) => !existsSync(join(dir, f)) || readFileSync(join(dir, f), 'utf8') !== t).map(([f]) => f);
    const extra = existing.filter((f) => !texts.has(f));
    for (const f of [...stale, ...extra]) process.stderr.write(`differs: golden/onnx/${f}\n`);
    return stale.length + extra.length > 0 ? 1 : 0;
  }
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith('.json')) rmSync(join(dir, f));
  for (const [f, t] of texts) writeFileSync(join(dir, f), t);
  const counts = new Map<string, number>();
  for (const g of goldens) for (const r of g.rows) counts.set(r, (counts.get(r) ?? 0) + 1);
  const kinds = new Map<string, number>();
  for (const g of goldens) kinds.set(g.provenance.kind, (kinds.get(g.provenance.kind) ?? 0) + 1);
  const maxDiff = Math.max(...goldens.map((g) => g.provenance.crossCheck?.maxAbsDiff ?? 0).filter((d) => Number.isFinite(d)));
  process.stdout.write(`wrote ${goldens.length} goldens to golden/onnx (onnxruntime-node ${ort.env.versions.node})\n`);
  process.stdout.write(`provenance: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}; max |ORT − float64| ${maxDiff.toExponential(3)}\n`);
  process.stdout.write(`rows: ${[...counts].sort().map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
  return 0;
}

if (/gen-onnx-golden\.(m?js|ts)$/.test(process.argv[1] ?? '')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(2);
    },
  );
}
