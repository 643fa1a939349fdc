/** Shared by the ONNX golden tests: load golden/onnx/, and judge the reference against one golden. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { computeOnnxLstm } from '../../src/ops/onnx-lstm/index.js';
import type { OnnxLstmAttributes, OnnxLstmOutputs } from '../../src/ops/onnx-lstm/types.js';
import type { GoldenTensor, OnnxGoldenFile } from '../../src/tools/gen-onnx-golden-cases.js';
import { compareOutputs, toLstmInputs } from '../../src/tools/gen-onnx-golden.js';
import { fromRoot } from '../../src/util/paths.js';

export const ONNX_GOLDEN_DIR = fromRoot('golden', 'onnx');

/** Every golden/onnx/*.json with its text, sorted by file name. */
export function loadOnnxGoldens(): { file: string; text: string; g: OnnxGoldenFile }[] {
  return readdirSync(ONNX_GOLDEN_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(ONNX_GOLDEN_DIR, file), 'utf8');
      return { file, text, g: JSON.parse(text) as OnnxGoldenFile };
    });
}

type Outputs = { Y: GoldenTensor; Y_h: GoldenTensor; Y_c: GoldenTensor };

export const asGolden = (o: OnnxLstmOutputs): Outputs => ({
  Y: { dims: o.Y.dims, data: Array.from(o.Y.data) },
  Y_h: { dims: o.Y_h.dims, data: Array.from(o.Y_h.data) },
  Y_c: { dims: o.Y_c.dims, data: Array.from(o.Y_c.data) },
});

/** The attributes the reference takes for `expected`: the documented activations where a departure says so. */
export function referenceAttrs(g: OnnxGoldenFile): OnnxLstmAttributes {
  const doc = g.departures?.find((d) => d.expectationFollows === 'documentation' && d.documentedActivations);
  return { ...g.attrs, activations: doc?.documentedActivations ?? g.attrs.activations };
}

/**
 * The reference's failure on a golden ('' when every output is within the golden's tolerance). DOUBLE goldens run
 * the float64 plain path; everything else (and the fast path) float32.
 */
export function judge(g: OnnxGoldenFile, opts: Parameters<typeof computeOnnxLstm>[2] = {}): string {
  const precision = g.dataType === 'DOUBLE' && !opts.fast ? 'float64' : 'float32';
  const out = computeOnnxLstm(referenceAttrs(g), toLstmInputs(g.inputs, precision === 'float64' ? 'DOUBLE' : 'FLOAT'), { precision, ...opts });
  const actual = asGolden(out);
  for (const k of ['Y', 'Y_h', 'Y_c'] as const) {
    if (JSON.stringify(actual[k].dims) !== JSON.stringify(g.expected[k].dims)) return `${k} dims [${actual[k].dims.join(', ')}] ≠ [${g.expected[k].dims.join(', ')}]`;
  }
  const c = compareOutputs(actual, g.expected, g.tolerance);
  return c.within ? '' : `max |Δ| ${c.maxAbsDiff.toExponential(3)} beyond ${g.tolerance.criterion}`;
}
