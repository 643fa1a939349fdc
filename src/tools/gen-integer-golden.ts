/**
 * Gap-filling integer vectors: golden/integer/*.json for what the AOSP quantized examples lack
 * (facts §G.12): QUANTIZED_LSTM with peephole, without layer norm, with a non-zero hidden zero point,
 * with clipping, saturating, other cell scales and sizes; QUANTIZED_16BIT_LSTM with
 * input_size ≠ output_size.
 *
 * DERIVED FROM OUR INTEGER REFERENCE (src/ops/qlstm, src/ops/qlstm16): no other implementation of
 * these configurations is available to run here (AOSP's CPU reference is not runnable in this
 * environment and departs from the documentation exactly in these configurations; the TFLite
 * WebAssembly runtime has the hidden-zero-point sign error and cannot take NNAPI models). Each file
 * says so in its provenance. The reference itself is bit-exact on all 7 AOSP quantized examples and
 * reproduces tflite-micro's DTLN golden exactly (test/quantized.test.ts).
 *
 * These vectors require bit-exactness (model.harness.comparison = 'bit-exact', criterion
 * 'integer-exact'): integer arithmetic is fully specified; the ±1 of the NNAPI harness applies to the
 * AOSP vectors only.
 *
 *   node dist/tools/gen-integer-golden.js [--check]
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Model } from '../model/model.js';
import { featureSlug, modelFeatures } from '../conformance/features.js';
import { GOLDEN_SCHEMA_REF, renderGolden, type GoldenFile } from '../conformance/golden-format.js';
import { synthQlstm, synthQlstm16, type Qlstm16Config, type QlstmConfig } from '../conformance/synth-quantized.js';
import { modelToleranceName } from '../conformance/tolerance.js';
import { inputsFromModel } from '../ops/lstm/bind.js';
import { executeQlstm } from '../ops/qlstm/execute.js';
import { executeQlstm16 } from '../ops/qlstm16/execute.js';
import { validateModel } from '../ops/validate.js';
import { fromRoot } from '../util/paths.js';

export const INTEGER_GENERATOR = 'nnlstm src/tools/gen-integer-golden.ts';

interface Entry {
  tag: string;
  why: string;
  qlstm?: QlstmConfig;
  qlstm16?: Qlstm16Config;
}

export const INTEGER_CATALOGUE: readonly Entry[] = [
  { tag: 'peephole', why: 'QUANTIZED_LSTM with peephole (no AOSP vector has one): int16 peephole products on C_{t-1} (input, forget) and C_t (output), with layer norm.', qlstm: { seed: 101, batchSize: 2, inputSize: 5, numUnits: 4, peephole: true, layerNorm: true, cellShift: -12, cellStateRange: 6000, outputStateRange: 60 } },
  { tag: 'peephole-noln-cifg', why: 'QUANTIZED_LSTM with CIFG + peephole and no layer norm (biases at the matmul).', qlstm: { seed: 102, batchSize: 2, inputSize: 3, numUnits: 4, cifg: true, peephole: true, cellShift: -11, cellStateRange: 3000, outputStateRange: 40 } },
  { tag: 'noln', why: 'QUANTIZED_LSTM without layer norm (every AOSP vector has it): the gate biases are added to the input matmul (documented; AOSP ignores them, deviation qlstm-bias-ignored-without-layer-norm) and the gates are Q3.12.', qlstm: { seed: 103, batchSize: 3, inputSize: 6, numUnits: 8, cellShift: -12, cellStateRange: 4000, outputStateRange: 50, inputZeroPoint: -3, outputZeroPoint: 0 } },
  { tag: 'noln-proj', why: 'QUANTIZED_LSTM without layer norm, with projection (bias) and a non-zero input zero point.', qlstm: { seed: 104, batchSize: 2, inputSize: 5, numUnits: 8, projection: true, outputSize: 3, cellShift: -13, cellStateRange: 2000, outputStateRange: 40, inputZeroPoint: 7, outputZeroPoint: -2 } },
  { tag: 'hidden-zp', why: 'QUANTIZED_LSTM without projection and hidden_state_zero_point −5 (every AOSP vector has 0): the output carries +zp (documented; AOSP subtracts it, deviation qlstm-hidden-zero-point-sign).', qlstm: { seed: 105, batchSize: 2, inputSize: 4, numUnits: 6, layerNorm: true, hiddenZeroPoint: -5, outputZeroPoint: -5, outputScale: 0.0078125, hiddenScale: 0.0078125, cellShift: -12, cellStateRange: 3000 } },
  { tag: 'hidden-zp-proj', why: 'QUANTIZED_LSTM with projection and hidden_state_zero_point 9: the zero point enters the projection through −zp·rowsum(W_proj).', qlstm: { seed: 106, batchSize: 2, inputSize: 4, numUnits: 4, projection: true, outputSize: 4, hiddenZeroPoint: 9, cellShift: -12, cellStateRange: 3000, outputStateRange: 30 } },
  { tag: 'cellclip', why: 'QUANTIZED_LSTM with an active cell clip (no AOSP vector clips): trunc(cell_clip / 2^k) bounds the int16 state.', qlstm: { seed: 107, batchSize: 2, inputSize: 4, numUnits: 4, cellShift: -11, cellClip: 0.5, cellStateRange: 3000, outputStateRange: 60, layerNorm: true } },
  { tag: 'projclip', why: 'QUANTIZED_LSTM with an active projection clip (quantized with the output scale; AOSP uses the weight scale, deviation qlstm-projection-clip-weight-scale).', qlstm: { seed: 108, batchSize: 2, inputSize: 4, numUnits: 6, projection: true, outputSize: 3, projClip: 0.02, outputScale: 0.001, cellShift: -12, cellStateRange: 4000, outputStateRange: 40 } },
  { tag: 'saturation', why: 'QUANTIZED_LSTM driven into saturation: large weights and states saturate the int16 gate sums and the cell update (saturation never wraps).', qlstm: { seed: 109, batchSize: 2, inputSize: 8, numUnits: 4, weightScale: 0.05, weightRange: 127, inputScale: 0.05, outputScale: 0.05, cellShift: -15, cellStateRange: 32000, outputStateRange: 100, biasRange: 200000 } },
  { tag: 'wide', why: 'QUANTIZED_LSTM with layer norm over 16 units (a power of two: the integer variance is exact), batch 4, cell scale 2^-9: many elements for the rounding of every rescale.', qlstm: { seed: 110, batchSize: 4, inputSize: 12, numUnits: 16, layerNorm: true, cellShift: -9, cellStateRange: 500, outputStateRange: 100, projection: true, outputSize: 8, biasRange: 4000000 } },
  { tag: 'cellclip-noln-proj', why: 'QUANTIZED_LSTM with an active cell clip without layer norm, with projection, batch 3 (a second, independent clipping case: cell scale 2^-11).', qlstm: { seed: 113, batchSize: 3, inputSize: 5, numUnits: 6, cellShift: -11, cellClip: 0.4, cellStateRange: 3000, outputStateRange: 50, projection: true, outputSize: 4 } },
  { tag: 'ln-cifg-peephole', why: 'QUANTIZED_LSTM with layer norm, CIFG and peephole over 8 units, batch 3: the layer norm\'s rounding division by 1024 shows in the outputs.', qlstm: { seed: 115, batchSize: 3, inputSize: 4, numUnits: 8, layerNorm: true, cifg: true, peephole: true, cellShift: -12, cellStateRange: 3000, outputStateRange: 60 } },
  { tag: 'saturation-square', why: 'QUANTIZED_LSTM driven into saturation with square shapes (input 6 = units 6), batch 3: the cell update saturates at ±32767 instead of wrapping (a second, independent saturation case).', qlstm: { seed: 118, batchSize: 3, inputSize: 6, numUnits: 6, weightScale: 0.05, weightRange: 127, inputScale: 0.05, outputScale: 0.05, cellShift: -15, cellStateRange: 32000, outputStateRange: 100, biasRange: 200000 } },
  { tag: 'i-ne-o', why: 'QUANTIZED_16BIT_LSTM with input_size 3 ≠ output_size 4: AOSP\'s literal concatenation mixes input and recurrent weight columns (deviation qlstm16-weight-pairing).', qlstm16: { seed: 111, batchSize: 2, inputSize: 3, outputSize: 4, cellStateRange: 8000 } },
  { tag: 'wide', why: 'QUANTIZED_16BIT_LSTM, batch 3, input 6, output 8, near-saturated cell state.', qlstm16: { seed: 112, batchSize: 3, inputSize: 6, outputSize: 8, cellStateRange: 30000 } },
];

function expected(model: Model): void {
  const inputs = inputsFromModel(model);
  const op = model.operations[0]!;
  if (op.type === 'QUANTIZED_16BIT_LSTM') {
    const r = executeQlstm16(model, inputs);
    model.operands[op.outputs[0]!]!.values = Array.from(r.cellStateOut);
    model.operands[op.outputs[1]!]!.values = Array.from(r.output);
  } else {
    const r = executeQlstm(model, inputs);
    model.operands[op.outputs[0]!]!.values = Array.from(r.outputStateOut);
    model.operands[op.outputs[1]!]!.values = Array.from(r.cellStateOut);
    model.operands[op.outputs[2]!]!.values = Array.from(r.output);
  }
}

export function integerGoldens(): { name: string; text: string }[] {
  return INTEGER_CATALOGUE.map((e) => {
    const model = e.qlstm ? synthQlstm(e.qlstm) : synthQlstm16(e.qlstm16!);
    model['harness'] = { comparison: 'bit-exact', note: 'integer outputs must match exactly (derived from a bit-exact reference)' };
    const v = validateModel(model);
    if (!v.ok) throw new Error(`gen-integer-golden ${e.tag}: the synthesized model is invalid: ${v.violations.map((x) => `${x.rule} ${x.message}`).join('; ')}`);
    expected(model);
    const features = modelFeatures(model);
    const name = `${featureSlug(features)}-${e.tag}`;
    const g: GoldenFile = {
      $schema: GOLDEN_SCHEMA_REF,
      name,
      description: `Gap-filling integer vector: ${e.why}`,
      operation: model.operations[0]!.type,
      features,
      provenance: {
        kind: 'integer-reference',
        generator: INTEGER_GENERATOR,
        generatorVersion: '1',
        seed: (e.qlstm ?? e.qlstm16)!.seed,
        config: { ...(e.qlstm ?? e.qlstm16) },
        derivation:
          'Expected values computed by nnlstm\'s integer reference (the documented semantics; bit-exact on the 7 AOSP quantized CTS examples and on tflite-micro\'s DTLN golden). Derived from our reference because no other implementation of this configuration can be run here.',
      },
      tolerance: modelToleranceName(model),
      model,
    };
    return { name, text: renderGolden(g) };
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = fromRoot('golden', 'integer');
  const files = integerGoldens();
  if (process.argv.includes('--check')) {
    const stale = files.filter((f) => !existsSync(join(dir, `${f.name}.json`)) || readFileSync(join(dir, `${f.name}.json`), 'utf8') !== f.text);
    if (stale.length) {
      console.error(`stale: ${stale.map((f) => f.name).join(', ')}`);
      process.exitCode = 1;
    } else console.log(`golden/integer: ${files.length} files up to date`);
  } else {
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir)) if (f.endsWith('.json')) rmSync(join(dir, f));
    for (const f of files) writeFileSync(join(dir, `${f.name}.json`), f.text);
    console.log(`wrote ${files.length} golden files to golden/integer`);
  }
}
