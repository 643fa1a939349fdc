import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Model } from '../model/model.js';
import { inputsFromModel, operandAt } from '../ops/lstm/bind.js';
import { roundToFloat16 } from '../util/float16.js';
import { sharedDir } from '../util/paths.js';
import type { OutputValue } from './driver.js';
import { ReferenceDriver, type ValidationOutcome, type Validator } from './reference.js';

const accept: Validator = () => ({ ok: true, variant: {} as Extract<ValidationOutcome, { ok: true }>['variant'], featureLevel: 1 });
const shared = sharedDir();

function load(rel: string): Model {
  return JSON.parse(readFileSync(join(shared!, 'vectors', 'aosp', rel), 'utf8')) as Model;
}

function lstmVectorFiles(): string[] {
  if (!shared) return [];
  const dir = join(shared, 'vectors', 'aosp');
  const out: string[] = [];
  for (const v of readdirSync(dir).filter((d) => /^V\d_\d$/.test(d)).sort()) {
    for (const f of readdirSync(join(dir, v)).filter((n) => n.endsWith('.json')).sort()) {
      const m = JSON.parse(readFileSync(join(dir, v, f), 'utf8')) as { operation?: string };
      if (m.operation === 'LSTM') out.push(`${v}/${f}`);
    }
  }
  return out;
}

async function run(driver: ReferenceDriver, model: Model): Promise<OutputValue[]> {
  const p = await driver.prepare(model);
  if (!p.ok) throw new Error(`prepare failed: ${p.message}`);
  const r = await driver.execute(p.prepared, inputsFromModel(model));
  if (!r.ok) throw new Error(`execute failed: ${r.message}`);
  return r.outputs;
}

describe('ReferenceDriver', () => {
  it('describes itself', async () => {
    const d = new ReferenceDriver({ validator: accept });
    expect(d.name).toBe('reference');
    const caps = await d.capabilities();
    expect(caps.operations).toEqual(['LSTM', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM', 'QUANTIZED_LSTM', 'QUANTIZED_16BIT_LSTM']);
    expect(caps.operandTypes).toContain('TENSOR_FLOAT16');
    expect(new ReferenceDriver({ name: 'mutant-x' }).name).toBe('mutant-x');
  });

  describe.skipIf(!shared)('on the AOSP LSTM vectors', () => {
    const files = lstmVectorFiles();

    it.each(files)('%s: outputs in model order, declared dims, within tolerance', async (file) => {
      const model = load(file);
      const outputs = await run(new ReferenceDriver({ validator: accept }), model);
      expect(outputs.map((o) => o.index)).toEqual(model.outputIndexes);
      const fp16 = model.operands.some((o) => o.type === 'TENSOR_FLOAT16');
      const loose = fp16 || model.isRelaxed === true;
      for (const out of outputs) {
        const operand = operandAt(model, out.index);
        // Produced dims equal the declared ones for every output (the harness checks non-ignored ones).
        expect(out.dimensions).toEqual(operand.dimensions);
        if (fp16) for (const v of Array.from(out.values)) expect(roundToFloat16(v)).toBe(v);
        if (operand.isIgnored) continue;
        operand.values.forEach((raw, j) => {
          const e = fp16 ? roundToFloat16(raw) : raw;
          const tol = loose ? 5 * 2 ** -10 * (1 + Math.abs(e)) : 1e-5 + 5 * 2 ** -23 * Math.abs(e);
          const a = out.values[j]!;
          if (!(Math.abs(a - e) <= tol)) expect.fail(`${file} operand ${out.index}[${j}]: ${a} vs ${e}`);
        });
      }
    });

    it('follows a permuted model.outputIndexes', async () => {
      const model = load('V1_0/lstm.json');
      const permuted = { ...model, outputIndexes: [...model.outputIndexes].reverse() };
      const a = await run(new ReferenceDriver({ validator: accept }), model);
      const b = await run(new ReferenceDriver({ validator: accept }), permuted);
      expect(b.map((o) => o.index)).toEqual(permuted.outputIndexes);
      expect(b.map((o) => Array.from(o.values))).toEqual([...a].reverse().map((o) => Array.from(o.values)));
    });

    it('roundFloat16Outputs: false leaves float32 values', async () => {
      const model = load('V1_2/lstm3_float16.json');
      const outputs = await run(new ReferenceDriver({ validator: accept, roundFloat16Outputs: false }), model);
      const all = outputs.flatMap((o) => Array.from(o.values));
      expect(all.some((v) => roundToFloat16(v) !== v)).toBe(true);
    });

    it('reports BAD_DATA with the violations of a rejecting validator', async () => {
      const violations = [{ rule: 'LSTM.test.rule', message: 'nope' }];
      const reject: Validator = (): ValidationOutcome => ({ ok: false, violations });
      const p = await new ReferenceDriver({ validator: reject }).prepare(load('V1_0/lstm.json'));
      expect(p.ok).toBe(false);
      if (!p.ok) {
        expect(p.status).toBe('BAD_DATA');
        expect(p.violations).toEqual(violations);
      }
    });

    it('fails execution cleanly on bad input values', async () => {
      const model = load('V1_0/lstm.json');
      const d = new ReferenceDriver({ validator: accept });
      const p = await d.prepare(model);
      if (!p.ok) throw new Error(p.message);
      const inputs = inputsFromModel(model);
      const short = await d.execute(p.prepared, inputs.slice(1));
      expect(short.ok || short.status).toBe('BAD_DATA');
      const bad = [...inputs];
      bad[0] = [1]; // the input tensor needs B·I values
      const r = await d.execute(p.prepared, bad);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.status).toBe('OP_FAILED');
        expect(r.message).toMatch(/input has 1 values, expected/);
      }
    });

    it('uses ../ops/lstm/validate.js by default (UNAVAILABLE while it does not exist)', async () => {
      const validateTs = fileURLToPath(new URL('../ops/lstm/validate.ts', import.meta.url));
      const p = await new ReferenceDriver().prepare(load('V1_0/lstm.json'));
      if (existsSync(validateTs)) expect(p.ok).toBe(true);
      else expect(p.ok || p.status).toBe('UNAVAILABLE');
    });
  });

  it('declines models that are not a single LSTM operation', async () => {
    const model: Model = { operands: [], operations: [{ type: 'ADD', inputs: [], outputs: [] }], inputIndexes: [], outputIndexes: [] };
    const p = await new ReferenceDriver({ validator: accept }).prepare(model);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.unsupported).toBe(true);
  });
});
