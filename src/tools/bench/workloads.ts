/**
 * The bench workloads: float32 UNIDIRECTIONAL_SEQUENCE_LSTM models, time-major, deterministic
 * synthetic weights (uniform ±1/√(I+O), so the gates are not saturated), or — for MN — the LSTM
 * layer of ../shared/models/mnist_lstm_float32.tflite with its real weights and a real digit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { synthSequenceModel } from '../../conformance/synth-sequence.js';
import { rng } from '../../conformance/synth.js';
import { analyzeOnnxLstmNodes } from '../../onnx/inspect.js';
import { mapOnnxLstmToNnapi } from '../../onnx/mapping.js';
import { readOnnx } from '../../onnx/reader.js';
import type { Model } from '../../model/model.js';
import { inputsFromModel } from '../../ops/lstm/bind.js';
import { bindUniSequenceLstm, type BoundUniSequenceLstm } from '../../ops/sequence/bind.js';
import { readTflite } from '../../tflite/reader.js';
import { tfliteOpToNnapiModel } from '../../tflite/mapping.js';
import { lstmFamilyOperation } from '../../tflite/mapping.js';
import { packageRoot } from '../../util/paths.js';
import { resolve } from 'node:path';

export type WorkloadId = 'W1' | 'W2' | 'W2np' | 'W3' | 'MN' | 'S64' | 'S128' | 'SVL' | 'SV5';
export const WORKLOAD_IDS: readonly WorkloadId[] = ['W1', 'W2', 'W2np', 'W3', 'MN', 'S64', 'S128', 'SVL', 'SV5'];

export interface WorkloadDef {
  id: WorkloadId;
  title: string;
  T: number;
  B: number;
  I: number;
  N: number;
  O: number;
  peephole: boolean;
  projection: boolean;
  /**
   * Streaming: T = the number of calls; each call is one step (T = 1) with the state carried from
   * the previous call, through each implementation's public API (what a voice-activity detector
   * does per 32 ms frame). A run is the whole stream of T calls, so its ms = µs per call × T / 1000.
   */
  stream?: boolean;
  /** The Silero VAD model whose first LSTM node (its real weights) this workload runs. */
  silero?: 'silero_vad_legacy.onnx' | 'silero_vad_v5.onnx';
}

export const WORKLOADS: Readonly<Record<WorkloadId, WorkloadDef>> = {
  W1: { id: 'W1', title: 'B=1 in=64 cell=128 out=128 T=100', T: 100, B: 1, I: 64, N: 128, O: 128, peephole: false, projection: false },
  W2: { id: 'W2', title: 'B=8 in=256 cell=512 proj→256 peephole T=50', T: 50, B: 8, I: 256, N: 512, O: 256, peephole: true, projection: true },
  W2np: { id: 'W2np', title: 'B=8 in=256 cell=512 out=512 peephole, no projection, T=50', T: 50, B: 8, I: 256, N: 512, O: 512, peephole: true, projection: false },
  W3: { id: 'W3', title: 'B=1 in=512 cell=1024 out=1024 T=20 (25 MB of weights)', T: 20, B: 1, I: 512, N: 1024, O: 1024, peephole: false, projection: false },
  S64: { id: 'S64', title: 'streaming: B=1 in=64 cell=64 out=64, 1,000 calls of T=1, state carried', T: 1000, B: 1, I: 64, N: 64, O: 64, peephole: false, projection: false, stream: true },
  S128: { id: 'S128', title: 'streaming: B=1 in=128 cell=128 out=128, 1,000 calls of T=1, state carried', T: 1000, B: 1, I: 128, N: 128, O: 128, peephole: false, projection: false, stream: true },
  SVL: { id: 'SVL', title: 'streaming: silero_vad_legacy.onnx first LSTM node (real weights), in=64 cell=64, 1,000 calls of T=1', T: 1000, B: 1, I: 64, N: 64, O: 64, peephole: false, projection: false, stream: true, silero: 'silero_vad_legacy.onnx' },
  SV5: { id: 'SV5', title: 'streaming: silero_vad_v5.onnx LSTM node (real weights), in=128 cell=128, 1,000 calls of T=1', T: 1000, B: 1, I: 128, N: 128, O: 128, peephole: false, projection: false, stream: true, silero: 'silero_vad_v5.onnx' },
  MN: { id: 'MN', title: 'mnist_lstm_float32.tflite LSTM layer: B=1 in=28 cell=20 T=28, cell clip 10', T: 28, B: 1, I: 28, N: 20, O: 20, peephole: false, projection: false },
};

/** 2·4·N·(I+O) per row per step, plus 2·O·N with projection. */
export function flopsOf(w: WorkloadDef): number {
  return (2 * 4 * w.N * (w.I + w.O) + (w.projection ? 2 * w.O * w.N : 0)) * w.B * w.T;
}

export interface Workload {
  def: WorkloadDef;
  /** The NNAPI model (time-major for the synthetic ones; MN is batch-major as in the .tflite). */
  model: Model;
  bound: BoundUniSequenceLstm;
  /** Where the weights come from. */
  source: string;
}

function sharedModelsDir(): string | undefined {
  const cands = [process.env['NNLSTM_SHARED'] && join(process.env['NNLSTM_SHARED'], 'models'), resolve(packageRoot(), '..', 'shared', 'models')];
  for (const c of cands) if (c && existsSync(join(c, 'mnist_lstm_float32.tflite'))) return c;
  return undefined;
}

function mnistModel(): { model: Model; source: string } | undefined {
  const dir = sharedModelsDir();
  if (!dir) return undefined;
  const tfl = readTflite(new Uint8Array(readFileSync(join(dir, 'mnist_lstm_float32.tflite'))));
  const sg = tfl.subgraphs[0]!;
  const opIndex = sg.operators.findIndex((op) => lstmFamilyOperation(tfl.operatorCodes[op.opcodeIndex]!.builtinCode) === 'UNIDIRECTIONAL_SEQUENCE_LSTM');
  const model = tfliteOpToNnapiModel(tfl, sg, opIndex);
  // x = the sample digit 0 (image rows are the time steps), as the model's example input.
  const samples = JSON.parse(readFileSync(join(dir, 'mnist_lstm_samples.json'), 'utf8')) as { samples: { image: number[][] }[] };
  const image = samples.samples[0]!.image.flat();
  const input = model.operands[model.operations[0]!.inputs[0]!]!;
  input.values = image;
  return { model, source: `${join(dir, 'mnist_lstm_float32.tflite')} (operator ${opIndex}), input = mnist_lstm_samples.json sample 0` };
}

function sileroDir(): string | undefined {
  const cands = [process.env['NNLSTM_SHARED'] && join(process.env['NNLSTM_SHARED'], 'models', 'onnx'), resolve(packageRoot(), '..', 'shared', 'models', 'onnx')];
  for (const c of cands) if (c && existsSync(join(c, 'silero_vad_v5.onnx'))) return c;
  return undefined;
}

/** Why a workload cannot be built here (the Silero ones need ../shared/models/onnx), or undefined. */
export function workloadUnavailable(id: WorkloadId): string | undefined {
  const f = WORKLOADS[id].silero;
  if (!f) return undefined;
  const dir = sileroDir();
  if (!dir || !existsSync(join(dir, f))) return `${f} not found (../shared/models/onnx absent; set NNLSTM_SHARED): the Silero workloads are skipped`;
  return undefined;
}

// UNIDIRECTIONAL_SEQUENCE_LSTM operand positions of the sequence input and the two state inputs.
const IN_INPUT = 0;
const IN_OUTPUT_STATE = 18;
const IN_CELL_STATE = 19;

/**
 * The first LSTM node (depth-first order) of a Silero VAD model with its real
 * weights, mapped to UNIDIRECTIONAL_SEQUENCE_LSTM for T frames; x = seeded uniform [0, 1) (the node
 * reads the encoder's ReLU output), zero initial state as the model starts.
 */
function sileroModel(def: WorkloadDef): { model: Model; source: string } {
  const dir = sileroDir()!;
  const file = join(dir, def.silero!);
  const onnx = readOnnx(new Uint8Array(readFileSync(file)));
  const node = analyzeOnnxLstmNodes(onnx).nodes[0];
  if (!node) throw new Error(`${def.silero}: no LSTM node`);
  const m = mapOnnxLstmToNnapi(node.attrs, node.constants, { X: [def.T, def.B, def.I], outputsUsed: { Y: true, Y_h: true, Y_c: true } });
  if (!m.expressible || !m.model) throw new Error(`${def.silero}: its LSTM node does not map to NNAPI`);
  const model = m.model;
  const op = model.operations[0]!;
  const next = rng(0x51e0);
  const set = (pos: number, values: number[]): void => {
    model.operands[op.inputs[pos]!]!.values = values;
  };
  set(IN_INPUT, Array.from({ length: def.T * def.B * def.I }, () => Math.fround(next())));
  set(IN_OUTPUT_STATE, new Array<number>(def.B * def.O).fill(0));
  set(IN_CELL_STATE, new Array<number>(def.B * def.N).fill(0));
  return { model, source: `${file} LSTM node 0 (${node.report.path}), x = seeded uniform [0, 1), zero initial state` };
}

export function buildWorkload(id: WorkloadId): Workload {
  const def = WORKLOADS[id];
  if (def.silero) {
    const why = workloadUnavailable(id);
    if (why) throw new Error(why);
    const m = sileroModel(def);
    return { def, model: m.model, bound: bindUniSequenceLstm(m.model, inputsFromModel(m.model)), source: m.source };
  }
  if (id === 'MN') {
    const m = mnistModel();
    if (m) {
      const bound = bindUniSequenceLstm(m.model, inputsFromModel(m.model));
      return { def, model: m.model, bound, source: m.source };
    }
  }
  const model = synthSequenceModel(
    {
      operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM',
      maxTime: def.T,
      batchSize: def.B,
      inputSize: def.I,
      timeMajor: true,
      dtype: 'float32',
      activation: 4,
      cellClip: id === 'MN' ? 10 : 0,
      projClip: 0,
      nonZeroState: true,
      stateScale: 0.5,
      stateOutputs: true,
      weightScale: 1 / Math.sqrt(def.I + def.O),
      fw: { numUnits: def.N, outputSize: def.O, cifg: false, peephole: def.peephole, projection: def.projection, projectionBias: false, layerNorm: false },
    },
    0x5eed + def.N,
  );
  const bound = bindUniSequenceLstm(model, inputsFromModel(model));
  return { def, model, bound, source: id === 'MN' ? 'synthetic (../shared/models not found)' : 'synthetic, seeded' };
}
