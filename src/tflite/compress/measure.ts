/**
 * The numeric change compression makes, measured in the TFLite runtime: the original and the compressed model are
 * run on the same inputs (seeded random ones and the model's own samples), each with the compressed ops' output
 * tensors tapped as extra subgraph outputs (src/tflite/rewrite.ts), so the op outputs come from the real
 * interpreter too. Every run compiles a fresh interpreter, so each input starts from zero LSTM state.
 *
 * Op output change: the compressed op emits r_t = V_Rᵀ h_t (R values); it is lifted back with V_R
 * (h̃_t = V_R r_t, the orthogonal projection of the compressed model's hidden output onto the kept subspace) and
 * compared with the original h_t: max |h_t − h̃_t| over every step, batch and unit.
 */
import { rng, uniform } from '../../conformance/synth.js';
import type { CompressResult } from '../compress.js';
import type { TfliteModel } from '../reader.js';
import { rewriteTflite } from '../rewrite.js';
import type { TfliteRuntime } from '../runtime.js';

/** One input set: a value array per subgraph input (subgraph 0, in order). */
export interface InputSet {
  /** "seed 1", "sample 3", … */
  name: string;
  values: Float32Array[];
  /** Expected class, when the sample file has one. */
  label?: number;
}

/** The change on one input set. */
export interface InputMeasure {
  name: string;
  /** max |y − y'| over every element of every model output. */
  modelMaxAbsDiff: number;
  /** Per compressed op (same order as CompressResult.ops; null for ops outside subgraph 0). */
  opMaxAbsDiff: (number | null)[];
  /** argmax of the first model output, before and after. */
  classBefore: number;
  classAfter: number;
  label?: number;
}

/** All measurements, and their maxima over the seeded and the sample inputs. */
export interface CompressMeasure {
  runtime: string;
  inputs: InputMeasure[];
  seeded: { count: number; modelMaxAbsDiff: number; opMaxAbsDiff: (number | null)[] } | null;
  samples: { count: number; modelMaxAbsDiff: number; opMaxAbsDiff: (number | null)[]; agreeing: number; correctBefore: number | null; correctAfter: number | null } | null;
}

/** Seeded uniform [-1, 1] inputs for every float32 subgraph input (null when an input is not float32). */
export function seededInputs(model: TfliteModel, seeds: number, firstSeed: number): InputSet[] | null {
  const sg = model.subgraphs[0]!;
  const ins = sg.inputs.map((i) => sg.tensors[i]!);
  if (ins.some((t) => t.type !== 'FLOAT32')) return null;
  const out: InputSet[] = [];
  for (let s = 0; s < seeds; s++) {
    const next = rng(firstSeed + s);
    out.push({ name: `seed ${firstSeed + s}`, values: ins.map((t) => Float32Array.from(uniform(next, t.shape.reduce((a, b) => a * b, 1), 1))) });
  }
  return out;
}

const argmax = (a: ArrayLike<number>) => {
  let k = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[k]!) k = i;
  return k;
};

/** Runs original and compressed on every input set; see the file comment. */
export function measureCompression(rt: TfliteRuntime, original: Uint8Array, model: TfliteModel, result: CompressResult, inputs: readonly InputSet[]): CompressMeasure {
  const sg = model.subgraphs[0]!;
  const tapped = result.ops.filter((o) => o.subgraph === 0);
  // One tap per output tensor (a merged bidirectional output carries both directions).
  const taps = [...new Set(tapped.map((o) => o.outputTensor))];
  const tap = (bytes: Uint8Array) => rewriteTflite(bytes, { subgraphs: new Map([[0, { outputs: [...sg.outputs, ...taps] }]]) });
  const a = tap(original);
  const b = tap(result.bytes);
  const nOut = sg.outputs.length;
  const measures: InputMeasure[] = [];
  for (const set of inputs) {
    const ya = rt.run(a, set.values).outputs;
    const yb = rt.run(b, set.values).outputs;
    let modelDiff = 0;
    for (let k = 0; k < nOut; k++) {
      const x = ya[k]!.data;
      const y = yb[k]!.data;
      for (let i = 0; i < x.length; i++) modelDiff = Math.max(modelDiff, Math.abs(x[i]! - y[i]!));
    }
    const opDiff = result.ops.map((o) => {
      if (!tapped.includes(o)) return null;
      const k = taps.indexOf(o.outputTensor);
      const h = ya[nOut + k]!.data;
      const r = yb[nOut + k]!.data;
      const nO = o.nOutputBefore;
      const R = o.rank;
      const { before: cb, after: ca } = o.outputColumns;
      let d = 0;
      for (let v = 0; v < h.length / cb.width; v++) {
        for (let i = 0; i < nO; i++) {
          let lifted = 0;
          for (let j = 0; j < R; j++) lifted += o.lift[i * R + j]! * r[v * ca.width + ca.offset + j]!;
          d = Math.max(d, Math.abs(h[v * cb.width + cb.offset + i]! - lifted));
        }
      }
      return d;
    });
    const m: InputMeasure = { name: set.name, modelMaxAbsDiff: modelDiff, opMaxAbsDiff: opDiff, classBefore: argmax(ya[0]!.data), classAfter: argmax(yb[0]!.data) };
    if (set.label !== undefined) m.label = set.label;
    measures.push(m);
  }
  const summary = (list: InputMeasure[]) => ({
    count: list.length,
    modelMaxAbsDiff: Math.max(...list.map((m) => m.modelMaxAbsDiff)),
    opMaxAbsDiff: result.ops.map((_, i) => (list.some((m) => m.opMaxAbsDiff[i] === null) ? null : Math.max(...list.map((m) => m.opMaxAbsDiff[i]!)))),
  });
  const seededList = measures.filter((m) => m.name.startsWith('seed '));
  const sampleList = measures.filter((m) => !m.name.startsWith('seed '));
  const labelled = sampleList.filter((m) => m.label !== undefined);
  return {
    runtime: `@tensorflow/tfjs-tflite ${rt.version} (${rt.flavor})`,
    inputs: measures,
    seeded: seededList.length ? summary(seededList) : null,
    samples: sampleList.length
      ? {
          ...summary(sampleList),
          agreeing: sampleList.filter((m) => m.classBefore === m.classAfter).length,
          correctBefore: labelled.length ? labelled.filter((m) => m.classBefore === m.label).length : null,
          correctAfter: labelled.length ? labelled.filter((m) => m.classAfter === m.label).length : null,
        }
      : null,
  };
}

/**
 * Sample inputs from a JSON file's content: `{ samples: [{ image | input: nested numbers, label? }] }` (the
 * mnist_lstm_samples.json form) or an array of nested number arrays; one value array per sample, for a model
 * with one float input of `size` elements. Throws Error with a message for anything else.
 */
export function parseSamples(json: unknown, size: number): InputSet[] {
  const list: unknown[] = Array.isArray(json) ? json : Array.isArray((json as { samples?: unknown })?.samples) ? (json as { samples: unknown[] }).samples : [];
  if (list.length === 0) throw new Error('expected { samples: [{ image, label? }, …] } or an array of inputs');
  return list.map((s, i) => {
    const raw = Array.isArray(s) ? s : ((s as { image?: unknown; input?: unknown }).image ?? (s as { input?: unknown }).input);
    const flat = (Array.isArray(raw) ? raw.flat(Infinity) : []) as unknown[];
    if (flat.length !== size || flat.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      throw new Error(`sample ${i}: ${flat.length} numbers, the model input takes ${size}`);
    }
    const set: InputSet = { name: `sample ${i}`, values: [Float32Array.from(flat as number[])] };
    const label = Array.isArray(s) ? undefined : (s as { label?: unknown }).label;
    if (typeof label === 'number') set.label = label;
    return set;
  });
}
