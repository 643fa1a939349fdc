/**
 * Device bundles: every positive conformance case as files a device-side harness can run without
 * nnlstm — the model JSON, a single-op .tflite where TFLite can express the case, the inputs and
 * the expected outputs as .npy, and manifest.json (tolerances, provenance, the TFLite I/O map and
 * the command that judges the results: `nnlstm verify DIR --results RESULTS_DIR`).
 *
 * Layout (deterministic: the same cases give the same bytes):
 *   DIR/manifest.json
 *   DIR/cases/<case dir>/model.json                 the model (spec/model-format.md)
 *   DIR/cases/<case dir>/model.tflite               when expressible (else manifest says why not)
 *   DIR/cases/<case dir>/inputs/<k>_<name>.npy      model input k (model.inputIndexes order); none when omitted
 *   DIR/cases/<case dir>/expected/<index>_<name>.npy  each compared output (operand index, name)
 * Results a device produces: RESULTS_DIR/<case dir>/<index>_<name>.npy, the expected file names.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { PositiveCase } from '../conformance/case.js';
import { criterionFor, FLOAT16_CRITERION, FLOAT32_CRITERION, INTEGER_CRITERION } from '../conformance/tolerance.js';
import { isOmitted, type Model, type Operation } from '../model/model.js';
import { loadSpec } from '../spec/operation-spec.js';
import { UnsupportedByTflite } from '../tflite/errors.js';
import { writeSingleOpTfliteWithIo } from '../tflite/writer.js';
import { storeAs } from '../conformance/compare.js';
import { descrFor, encodeNpy } from './npy.js';

export const BUNDLE_FORMAT = 'nnlstm-device-bundle';
export const BUNDLE_VERSION = 1;

export interface ManifestInput {
  /** Position in model.inputIndexes. */
  position: number;
  index: number;
  name: string;
  dtype: string;
  shape: number[];
  /** Relative to the case dir; null when the input is omitted (pass no value). */
  file: string | null;
}

export interface ManifestOutput {
  index: number;
  name: string;
  dtype: string;
  shape: number[];
  /** Not compared (e.g. the scratch buffer): no expected file; a result is optional. */
  ignored: boolean;
  /** Relative to the case dir; null when ignored. */
  expected: string | null;
  /** Relative to RESULTS_DIR. */
  result: string;
  criterion: string | null;
  atol: number | null;
  rtol: number | null;
}

export interface ManifestTflite {
  file: string;
  /** Subgraph inputs, in order: which .npy (relative to the case dir) to write into each. */
  inputs: { tensor: number; role: string; file: string }[];
  /** Subgraph outputs, in order: the result file each becomes (null: not an NNAPI output of the model). */
  outputs: { tensor: number; role: string; result: string | null }[];
  notes: string[];
}

export interface ManifestCase {
  id: string;
  dir: string;
  operation: string;
  group: string;
  tags: string[];
  features: Record<string, unknown>;
  tolerance: string;
  provenance: Record<string, unknown>;
  model: string;
  tflite: ManifestTflite | null;
  tfliteUnsupported?: string;
  inputs: ManifestInput[];
  outputs: ManifestOutput[];
}

export interface Manifest {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  tool: { name: 'nnlstm'; version: string };
  filter: string | null;
  check: string;
  tolerancePolicy: {
    description: string;
    criteria: Record<string, { atol: number; rtol: number }>;
  };
  resultsLayout: string;
  cases: ManifestCase[];
}

/** Case id → folder name (ids hold '/'). */
export function caseDirName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '__');
}

const fileSafe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_');

function product(d: readonly number[]): number {
  return d.reduce((a, b) => a * b, 1);
}

/** NNAPI output role → model operand index, for the written TFLite outputs (merged bidirectional outputs drop bw_output). */
function outputOperandsByRole(model: Model, op: Operation): Map<string, number> {
  let names = loadSpec(op.type).outputs.slice().sort((a, b) => a.index - b.index).map((o) => o.name);
  if (op.type === 'BIDIRECTIONAL_SEQUENCE_LSTM') {
    const pos = loadSpec(op.type).inputs.find((x) => x.name === 'merge_outputs')?.index;
    const merge = pos === undefined ? undefined : model.operands[op.inputs[pos]!];
    if (merge !== undefined && (merge.values[0] ?? 0) !== 0) names = names.filter((n) => n !== 'bw_output');
  }
  return new Map(op.outputs.map((idx, k) => [names[k]!, idx] as [string, number]).filter(([n]) => n !== undefined));
}

function writeCase(root: string, c: PositiveCase, tfliteVersionNote: string): ManifestCase {
  const dir = caseDirName(c.id);
  const base = join(root, 'cases', dir);
  makeDirs(join(base, 'inputs'));
  makeDirs(join(base, 'expected'));
  const m = c.model;
  writeFileSync(join(base, 'model.json'), JSON.stringify(m, null, 1) + '\n');
  const inputs: ManifestInput[] = m.inputIndexes.map((idx, k) => {
    const o = m.operands[idx]!;
    const dtype = descrFor(o.type);
    if (isOmitted(o)) return { position: k, index: idx, name: o.name, dtype, shape: [...o.dimensions], file: null };
    const file = `inputs/${k}_${fileSafe(o.name)}.npy`;
    writeFileSync(join(base, file), encodeNpy(dtype, o.dimensions, o.values.map((v) => storeAs(o.type, v))));
    return { position: k, index: idx, name: o.name, dtype, shape: [...o.dimensions], file };
  });
  const outputs: ManifestOutput[] = m.outputIndexes.map((idx) => {
    const o = m.operands[idx]!;
    const name = `${idx}_${fileSafe(o.name)}.npy`;
    const dtype = descrFor(o.type);
    const result = `${dir}/${name}`;
    if (o.isIgnored) return { index: idx, name: o.name, dtype, shape: [...o.dimensions], ignored: true, expected: null, result, criterion: null, atol: null, rtol: null };
    const crit = criterionFor(m, o);
    writeFileSync(join(base, 'expected', name), encodeNpy(dtype, o.dimensions, o.values.map((v) => storeAs(o.type, v))));
    return { index: idx, name: o.name, dtype, shape: [...o.dimensions], ignored: false, expected: `expected/${name}`, result, criterion: crit.name, atol: crit.atol, rtol: crit.rtol };
  });
  const entry: ManifestCase = {
    id: c.id,
    dir: `cases/${dir}`,
    operation: m.operations[0]?.type ?? '?',
    group: c.group,
    tags: [...c.tags],
    features: c.features as Record<string, unknown>,
    tolerance: c.tolerance,
    provenance: c.provenance as Record<string, unknown>,
    model: `cases/${dir}/model.json`,
    tflite: null,
    inputs,
    outputs,
  };
  try {
    if (m.operands.some((o) => o.type === 'TENSOR_FLOAT16' || o.type === 'FLOAT16')) throw new UnsupportedByTflite('float16 tensors: TFLite\'s LSTM kernels take no float16 tensors');
    const { bytes, io } = writeSingleOpTfliteWithIo(m);
    writeFileSync(join(base, 'model.tflite'), bytes);
    const op = m.operations[0]!;
    const byRole = outputOperandsByRole(m, op);
    const tflInputs = io.inputs.map((x, tensor) => {
      const operand = op.inputs[x.nnapi]!;
      const pos = m.inputIndexes.indexOf(operand);
      let file = pos >= 0 ? inputs[pos]!.file : null;
      const o = m.operands[operand]!;
      if (file === null) {
        // A constant (or omitted) data/state operand: write it beside the inputs (zeros when omitted).
        file = `inputs/tflite_${tensor}_${fileSafe(o.name)}.npy`;
        const values = isOmitted(o) ? new Array<number>(product(o.dimensions)).fill(0) : o.values.map((v) => storeAs(o.type, v));
        writeFileSync(join(base, file), encodeNpy(descrFor(o.type), o.dimensions, values));
      }
      return { tensor, role: x.role, file };
    });
    const tflOutputs = io.outputs.map((x, tensor) => {
      const idx = byRole.get(x.role);
      const out = idx === undefined ? undefined : outputs.find((o) => o.index === idx);
      return { tensor, role: x.role, result: out ? out.result : null };
    });
    entry.tflite = {
      file: `cases/${dir}/model.tflite`,
      inputs: tflInputs,
      outputs: tflOutputs,
      notes: [
        'Single-op model written by nnlstm (src/tflite/writer.ts); weights are constants.',
        'The recurrent state tensors are variable tensors listed as extra subgraph inputs and outputs: write the state inputs before Invoke, read the final states after it.',
        'The LSTM scratch buffer is no TFLite output (it is never compared).',
        tfliteVersionNote,
      ],
    };
  } catch (e) {
    entry.tfliteUnsupported = e instanceof UnsupportedByTflite ? e.reason : (e as Error).message;
  }
  return entry;
}

/**
 * mkdir -p, one level at a time. Node's recursive mkdir retries for ever on a path it cannot create
 * under some pseudo file systems (`/proc/x`: ENOENT although the parent exists); here the first
 * failing level throws its own error (code and path).
 */
export function makeDirs(dir: string): void {
  const abs = resolve(dir);
  let st;
  try {
    st = statSync(abs);
  } catch {
    st = undefined;
  }
  if (st) {
    if (!st.isDirectory()) throw Object.assign(new Error(`${abs} exists and is not a folder`), { code: 'ENOTDIR' });
    return;
  }
  const parent = dirname(abs);
  if (parent !== abs) makeDirs(parent);
  try {
    mkdirSync(abs);
  } catch (e) {
    // Created meanwhile by someone else: fine.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(abs).isDirectory()) return;
    throw e;
  }
}

export interface ExportOptions {
  filter?: string | null;
  /** How the bundle folder is named in manifest.check (default DIR). */
  displayDir?: string;
}

/** Writes the bundle of `cases` (positive ones) into `root`; returns the manifest. */
export function exportBundle(root: string, cases: readonly PositiveCase[], opts: ExportOptions = {}): Manifest {
  makeDirs(join(root, 'cases'));
  const entries = cases.map((c) => writeCase(root, c, 'Verified to load and run with the TFLite interpreter of @tensorflow/tfjs-tflite (WASM) in nnlstm\'s tests.'));
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    tool: { name: 'nnlstm', version: '0.1.0' },
    filter: opts.filter ?? null,
    check: `nnlstm verify ${opts.displayDir ?? 'DIR'} --results RESULTS_DIR [--json FILE] [--junit FILE] [--html FILE]`,
    tolerancePolicy: {
      description:
        'NNAPI test harness (TestHarness.cpp): per element |actual − expected| ≤ atol + rtol·|expected| in double, after storing both in the output type; NaN fails; ' +
        'float32 outputs of relaxed models or of models with any float16 operand use the float16 criterion; ignored outputs are not compared; dimensions must match exactly.',
      criteria: {
        float32: { atol: FLOAT32_CRITERION.atol, rtol: FLOAT32_CRITERION.rtol },
        float16: { atol: FLOAT16_CRITERION.atol, rtol: FLOAT16_CRITERION.rtol },
        integer: { atol: INTEGER_CRITERION.atol, rtol: INTEGER_CRITERION.rtol },
      },
    },
    resultsLayout: 'RESULTS_DIR/<case dir>/<operand index>_<output name>.npy, in the output operand\'s dtype and shape (cases[].outputs[].result); ignored outputs may be left out.',
    cases: entries,
  };
  writeFileSync(join(root, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  return manifest;
}
