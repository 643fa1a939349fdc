/**
 * The bench workloads: float32 UNIDIRECTIONAL_SEQUENCE_LSTM models, time-major, deterministic
 * synthetic weights (uniform ±1/√(I+O), so the gates are not saturated), or — for MN — the LSTM
 * layer of ../shared/models/mnist_lstm_float32.tflite with its real weights and a real digit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { synthSequenceModel } from '../../conformance/synth-sequence.js';
import type { Model } from '../../model/model.js';
import { inputsFromModel } from '../../ops/lstm/bind.js';
import { bindUniSequenceLstm, type BoundUniSequenceLstm } from '../../ops/sequence/bind.js';
import { readTflite } from '../../tflite/reader.js';
import { tfliteOpToNnapiModel } from '../../tflite/mapping.js';
import { lstmFamilyOperation } from '../../tflite/mapping.js';
import { packageRoot } from '../../util/paths.js';
import { resolve } from 'node:path';

export type WorkloadId = 'W1' | 'W2' | 'W2np' | 'W3' | 'MN';
export const WORKLOAD_IDS: readonly WorkloadId[] = ['W1', 'W2', 'W2np', 'W3', 'MN'];

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
}

export const WORKLOADS: Readonly<Record<WorkloadId, WorkloadDef>> = {
  W1: { id: 'W1', title: 'B=1 in=64 cell=128 out=128 T=100', T: 100, B: 1, I: 64, N: 128, O: 128, peephole: false, projection: false },
  W2: { id: 'W2', title: 'B=8 in=256 cell=512 proj→256 peephole T=50', T: 50, B: 8, I: 256, N: 512, O: 256, peephole: true, projection: true },
  W2np: { id: 'W2np', title: 'B=8 in=256 cell=512 out=512 peephole, no projection, T=50', T: 50, B: 8, I: 256, N: 512, O: 512, peephole: true, projection: false },
  W3: { id: 'W3', title: 'B=1 in=512 cell=1024 out=1024 T=20 (25 MB of weights)', T: 20, B: 1, I: 512, N: 1024, O: 1024, peephole: false, projection: false },
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

export function buildWorkload(id: WorkloadId): Workload {
  const def = WORKLOADS[id];
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
