/**
 * Generates the gap-filling golden vectors of src/conformance/gap-catalogue.ts into golden/tflite/
 * and golden/float64/. Expected values come from the TFLite runtime (WebAssembly build of the real
 * interpreter) or from the independent float64 evaluation — never from the reference under test.
 *
 *   npm run build && node dist/tools/gen-golden.js [--check]
 *
 * `--check` regenerates in memory and exits 1 when a committed file differs.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isOmitted, type Model } from '../model/model.js';
import { GAP_CASES, SEQUENCE_GAP_CASES, type GapCase, type GapSource } from '../conformance/gap-catalogue.js';
import { synthSequenceModel } from '../conformance/synth-sequence.js';
import { sequenceLstmF64 } from '../ops/sequence/float64.js';
import { featureSlug, lstmFeatures, featureTags, modelFeatures, primaryGroup } from '../conformance/features.js';
import { GOLDEN_SCHEMA_REF, renderGolden, type GoldenFile } from '../conformance/golden-format.js';
import { rng, synthLstmModel, uniform } from '../conformance/synth.js';
import { lstmStepF64, type F64Tensors } from '../ops/lstm/float64.js';
import { LSTM_IN, LSTM_INPUT_NAMES, LSTM_OUT, type LstmInputName } from '../ops/lstm/operands.generated.js';
import { roundToFloat16 } from '../util/float16.js';
import { fromRoot } from '../util/paths.js';

/** What an expected-value source gives for one step: h (= output) and C, or null when it cannot observe C. */
export interface StepExpectation {
  outputState: ArrayLike<number>;
  cellState: ArrayLike<number> | null;
}

export interface ExpectationSource {
  id: GapCase['source'];
  generator: string;
  version: string;
  compute(model: Model): Promise<StepExpectation>;
  close?(): Promise<void>;
}

const op = (m: Model) => m.operations[0]!;
const inputOperand = (m: Model, role: LstmInputName) => m.operands[op(m).inputs[LSTM_IN[role]]!]!;

/** Tensors of a model for the float64 evaluation (float16 values rounded to binary16 first). */
export function f64TensorsOf(model: Model): F64Tensors {
  const f16 = inputOperand(model, 'input').type === 'TENSOR_FLOAT16';
  const t: Partial<Record<LstmInputName, number[] | null>> = {};
  const n = op(model).inputs.length;
  for (const role of LSTM_INPUT_NAMES.slice(0, n)) {
    const o = inputOperand(model, role);
    t[role] = isOmitted(o) ? null : f16 ? o.values.map(roundToFloat16) : o.values;
  }
  const scalar = (r: LstmInputName) => (t[r] as number[])[0]!;
  const { activation: _a, cell_clip: _c, proj_clip: _p, ...tensors } = t;
  return { ...tensors, activation: scalar('activation'), cell_clip: scalar('cell_clip'), proj_clip: scalar('proj_clip') };
}

export const FLOAT64_SOURCE: ExpectationSource = {
  id: 'float64-derivation',
  generator: 'nnlstm src/ops/lstm/float64.ts (lstmStepF64, documented formulas in double precision)',
  version: '0.1.0',
  async compute(model) {
    const f = lstmFeatures(model);
    const r = lstmStepF64(f, f64TensorsOf(model), 'documented');
    return { outputState: r.outputState, cellState: r.cellState };
  },
};

/** Fills the expected outputs of a synthesized model; scratch stays ignored. */
function fillExpected(model: Model, e: StepExpectation): void {
  const outs = op(model).outputs;
  const set = (k: number, v: ArrayLike<number> | null) => {
    const o = model.operands[outs[k]!]!;
    if (v === null) {
      o.isIgnored = true;
      return;
    }
    o.values = Array.from(v, (x) => Number(x));
  };
  set(LSTM_OUT.output_state_out, e.outputState);
  set(LSTM_OUT.cell_state_out, e.cellState);
  set(LSTM_OUT.output, e.outputState);
}

/** The next step of a sequence: state inputs ← this step's expected states, a fresh x_t. */
function nextStep(model: Model, c: GapCase, step: number): Model {
  const m = structuredClone(model);
  const outs = op(m).outputs;
  const h = m.operands[outs[LSTM_OUT.output_state_out]!]!.values;
  const cell = m.operands[outs[LSTM_OUT.cell_state_out]!]!.values;
  inputOperand(m, 'output_state_in').values = [...h];
  inputOperand(m, 'cell_state_in').values = [...cell];
  const x = inputOperand(m, 'input');
  const draw = uniform(rng(c.seed * 1000 + step), x.values.length, c.config.inputScale ?? 1);
  x.values = c.config.dtype === 'float16' ? draw.map(roundToFloat16) : draw;
  return m;
}

export async function buildGapGoldens(sources: Partial<Record<GapCase['source'], ExpectationSource>>): Promise<{ dir: string; name: string; text: string }[]> {
  const out: { dir: string; name: string; text: string }[] = [];
  for (const c of GAP_CASES) {
    const src = sources[c.source];
    if (!src) throw new Error(`no expectation source '${c.source}' for gap case ${c.label}`);
    const steps = c.steps ?? 1;
    let model = synthLstmModel(c.config, c.seed);
    for (let step = 1; step <= steps; step++) {
      if (step > 1) model = nextStep(model, c, step);
      const e = await src.compute(model);
      if (steps > 1 && e.cellState === null) throw new Error(`${c.label}: a sequence needs the cell state from ${src.id}`);
      fillExpected(model, e);
      const features = lstmFeatures(model);
      const tags = featureTags(features, model);
      const stepTag = steps > 1 ? `-step${step}of${steps}` : '';
      const name = `${featureSlug(features)}-${c.label}${stepTag}`;
      const golden: GoldenFile = {
        $schema: GOLDEN_SCHEMA_REF,
        name,
        description: `${c.purpose}${steps > 1 ? ` (step ${step} of ${steps})` : ''}.${c.whyNotTflite ? ` Derived in float64: ${c.whyNotTflite}` : ''}`,
        operation: 'LSTM',
        group: steps > 1 ? 'state' : (primaryGroup(tags) as Exclude<ReturnType<typeof primaryGroup>, 'validation'>),
        features,
        provenance: {
          kind: c.source,
          generator: src.generator,
          generatorVersion: src.version,
          seed: c.seed,
          config: { ...c.config },
          ...(steps > 1 ? { step, steps, stateFrom: step > 1 ? 'previous step expected outputs' : 'seeded random' } : {}),
          ...(c.whyNotTflite ? { whyNotTflite: c.whyNotTflite } : {}),
          synthesizer: 'nnlstm src/conformance/synth.ts (mulberry32)',
        },
        tolerance: c.config.dtype === 'float16' ? 'float16' : 'float32',
        model,
      };
      out.push({ dir: c.source === 'tflite-runtime' ? 'tflite' : 'float64', name, text: renderGolden(golden) });
    }
  }
  return out;
}

/** Expected values of every output of a sequence model's operation, in the operation's output order. */
export interface SequenceExpectationSource {
  id: GapSource;
  generator: string;
  version: string;
  compute(model: Model): Promise<ArrayLike<number>[]>;
}

export const FLOAT64_SEQUENCE_SOURCE: SequenceExpectationSource = {
  id: 'float64-derivation',
  generator: 'nnlstm src/ops/sequence/float64.ts (sequenceLstmF64 on lstmStepF64, documented formulas in double precision)',
  version: '0.1.0',
  async compute(model) {
    return sequenceLstmF64(model);
  },
};

export async function buildSequenceGapGoldens(sources: Partial<Record<GapSource, SequenceExpectationSource>>): Promise<{ dir: string; name: string; text: string }[]> {
  const out: { dir: string; name: string; text: string }[] = [];
  for (const c of SEQUENCE_GAP_CASES) {
    const src = sources[c.source];
    if (!src) throw new Error(`no expectation source '${c.source}' for sequence gap case ${c.label}`);
    const model = synthSequenceModel(c.config, c.seed);
    const expected = await src.compute(model);
    model.operations[0]!.outputs.forEach((idx, k) => {
      const o = model.operands[idx]!;
      o.values = Array.from(expected[k]!, Number);
      o.isIgnored = false;
    });
    const features = modelFeatures(model);
    const tags = featureTags(features, model);
    const name = `${featureSlug(features)}-${c.label}`;
    const golden: GoldenFile = {
      $schema: GOLDEN_SCHEMA_REF,
      name,
      description: `${c.purpose}.${c.whyNotTflite ? ` Derived in float64: ${c.whyNotTflite}` : ''}`,
      operation: model.operations[0]!.type,
      group: primaryGroup(tags) as Exclude<ReturnType<typeof primaryGroup>, 'validation'>,
      features,
      provenance: {
        kind: c.source,
        generator: src.generator,
        generatorVersion: src.version,
        seed: c.seed,
        config: structuredClone(c.config) as unknown as Record<string, unknown>,
        ...(c.whyNotTflite ? { whyNotTflite: c.whyNotTflite } : {}),
        synthesizer: 'nnlstm src/conformance/synth-sequence.ts (mulberry32)',
      },
      tolerance: c.config.dtype === 'float16' ? 'float16' : 'float32',
      model,
    };
    out.push({ dir: c.source === 'tflite-runtime' ? 'tflite' : 'float64', name, text: renderGolden(golden) });
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const { tfliteExpectationSource } = await import('../tflite/driver.js');
  const tflite = await tfliteExpectationSource();
  try {
    const { tfliteSequenceExpectationSource } = await import('../tflite/driver.js');
    const files = [
      ...(await buildGapGoldens({ 'float64-derivation': FLOAT64_SOURCE, 'tflite-runtime': tflite })),
      ...(await buildSequenceGapGoldens({ 'float64-derivation': FLOAT64_SEQUENCE_SOURCE, 'tflite-runtime': await tfliteSequenceExpectationSource() })),
    ];
    let stale = 0;
    if (!check) for (const d of ['tflite', 'float64']) rmSync(fromRoot('golden', d), { recursive: true, force: true });
    for (const f of files) {
      const dir = fromRoot('golden', f.dir);
      const path = join(dir, `${f.name}.json`);
      if (check) {
        if (!existsSync(path) || readFileSync(path, 'utf8') !== f.text) {
          stale++;
          console.log(`stale: golden/${f.dir}/${f.name}.json`);
        }
      } else {
        mkdirSync(dir, { recursive: true });
        writeFileSync(path, f.text);
      }
    }
    if (check) {
      for (const d of ['tflite', 'float64']) {
        const dir = fromRoot('golden', d);
        if (!existsSync(dir)) continue;
        for (const f of readdirSync(dir)) if (!files.some((x) => x.dir === d && `${x.name}.json` === f)) { stale++; console.log(`extra: golden/${d}/${f}`); }
      }
      console.log(stale ? `${stale} stale golden file(s)` : `all ${files.length} gap-filling golden files are up to date`);
      return stale ? 1 : 0;
    }
    console.log(`wrote ${files.length} gap-filling golden files`);
    return 0;
  } finally {
    await (tflite as ExpectationSource).close?.();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then((c) => { process.exitCode = c; });
}
