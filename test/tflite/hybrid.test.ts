/**
 * Hybrid LSTM ops (float input / state / output, INT8 symmetric weights; facts §7, §9): the writer's hybridWeights
 * option, and `nnlstm validate`'s hybrid numeric check (reference on the dequantized weights vs the TFLite WASM hybrid
 * kernel, hybrid tolerance atol 3.6e-2). Fixtures are written from golden/tflite float cases.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadModelFile } from '../../src/model/load-file.js';
import { HYBRID_WEIGHT_ROLES } from '../../src/tflite/hybrid.js';
import { inspectTflite } from '../../src/tflite/inspect.js';
import { tfliteOpToNnapiModel } from '../../src/tflite/mapping.js';
import { HYBRID_ATOL, compareHybrid, dequantizeHybridModel } from '../../src/tflite/numeric-hybrid.js';
import { readTflite } from '../../src/tflite/reader.js';
import { TfliteRuntime } from '../../src/tflite/runtime.js';
import type { TfliteValidation } from '../../src/tflite/validate-tflite.js';
import { writeSingleOpTflite, writeSingleOpTfliteWithIo } from '../../src/tflite/writer.js';
import { fromRoot } from '../../src/util/paths.js';
import { captureOutput } from '../helpers/capture-output.js';

const io = captureOutput();

const dir = mkdtempSync(join(tmpdir(), 'nnlstm-hybrid-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CASES = [
  // measured max |io.err| over 9 trials (seeds 1–3 × zero/small/large state): 1.70e-2, 2.0e-3, 1.09e-3
  { name: 'lstm-f32-cifg-nopeephole-noproj-ln-tanh-b2-ln-cifg-noproj', op: 'LSTM', version: 3 },
  { name: 'lstm-f32-cifg-peephole-proj-noln-tanh-b4-batch4-cifg-peephole-proj', op: 'LSTM', version: 3 },
  { name: 'uslstm-f32-bm-nocifg-peephole-projbias-noln-tanh-projclip-t12-b3-bm-projbias-projclip-peephole', op: 'UNIDIRECTIONAL_SEQUENCE_LSTM', version: 2 },
] as const;

const golden = (name: string) => loadModelFile(join(fromRoot('golden', 'tflite'), `${name}.json`));

async function validateJson(file: string): Promise<{ code: number; doc: TfliteValidation }> {
  io.out = '';
  const code = await main(['validate', file, '--json']);
  return { code, doc: JSON.parse(io.out) as TfliteValidation };
}

describe('writeSingleOpTflite({ hybridWeights: true })', () => {
  for (const c of CASES) {
    it(`${c.name}: int8 symmetric per-tensor weights, float biases / LN, ${c.op} v${c.version}, runs in the WASM runtime`, async () => {
      const bytes = writeSingleOpTflite(golden(c.name), { hybridWeights: true });
      const tfl = readTflite(bytes);
      const report = inspectTflite(tfl).lstmOps[0]!;
      expect(report.op).toBe(c.op);
      expect(report.version).toBe(c.version);
      expect(report.arithmetic).toBe('hybrid');
      const sg = tfl.subgraphs[0]!;
      const nn = tfliteOpToNnapiModel(tfl, 0, 0);
      let int8 = 0;
      for (const idx of nn.operations[0]!.inputs) {
        const o = nn.operands[idx]!;
        if (o.omitted || o.dimensions.length === 0) continue;
        const role = o.role ?? o.name;
        if (HYBRID_WEIGHT_ROLES.has(role)) {
          int8++;
          expect(o.type, role).toBe('TENSOR_QUANT8_SYMM');
          expect(o.zeroPoint).toBe(0);
          expect(Math.max(...o.values.map(Math.abs))).toBe(127); // scale = max|w| / 127
        } else expect(o.type, role).toBe('TENSOR_FLOAT32');
      }
      expect(int8).toBeGreaterThanOrEqual(6);
      expect(sg.tensors.filter((t) => t.type === 'INT8').every((t) => t.quantization?.scale.length === 1 && t.quantization.zeroPoint[0] === 0)).toBe(true);
      const rt = await TfliteRuntime.load();
      rt.compile(bytes).delete();
    });
  }

  it('float peephole weights are not written in a hybrid op (TFLite requires the weight type; they are int8 too)', () => {
    const bytes = writeSingleOpTflite(golden(CASES[1].name), { hybridWeights: true });
    const nn = tfliteOpToNnapiModel(readTflite(bytes), 0, 0);
    const peep = nn.operands.find((o) => o.role === 'cell_to_forget_weights')!;
    expect(peep.type).toBe('TENSOR_QUANT8_SYMM');
  });

  it('refuses the bidirectional op', () => {
    const m = loadModelFile(join(fromRoot('golden', 'tflite'), 'bilstm-f32-tm-nocifg-nopeephole-noproj-noln-merged-relu-stateout-t10-b3-bi-merged-relu-stateout.json'));
    expect(() => writeSingleOpTflite(m, { hybridWeights: true })).toThrow(/hybrid/);
  });
});

describe('nnlstm validate: hybrid numeric check at the hybrid tolerance', () => {
  for (const c of CASES) {
    it(`${c.name}: numeric pass (hybrid tolerance atol ${HYBRID_ATOL}), finite non-zero max error`, async () => {
      const file = join(dir, `${c.name}.hybrid.tflite`);
      writeFileSync(file, writeSingleOpTflite(golden(c.name), { hybridWeights: true }));
      const { doc } = await validateJson(file);
      const op = doc.lstmOps[0]!;
      expect(op.arithmetic).toBe('hybrid');
      expect(op.numeric.status).toBe('pass');
      expect(op.numeric.criterion).toBe('hybrid');
      expect(op.numeric.trials).toHaveLength(9);
      const e = op.numeric.maxAbsError!;
      expect(Number.isFinite(e)).toBe(true);
      // Non-zero: the hybrid kernel quantizes input and state on the fly (the float kernel would agree to ~1e-7).
      expect(e).toBeGreaterThan(1e-4);
      expect(e).toBeLessThanOrEqual(HYBRID_ATOL);
      expect(op.numeric.maxRatio!).toBeCloseTo(e / HYBRID_ATOL, 12);
      // The NNAPI structural verdict is unchanged (NNAPI's float LSTM takes float weights).
      expect(op.structure.status).toBe('invalid');
      io.out = '';
      await main(['validate', file]);
      expect(io.out).toContain(`numeric: pass (hybrid tolerance atol ${HYBRID_ATOL}`);
    });
  }
});

describe('a corrupted hybrid fixture (one weight scale ×2) fails the hybrid check', () => {
  for (const c of [CASES[0], CASES[2]]) {
    for (const role of ['input_to_forget_weights', 'recurrent_to_cell_weights']) {
      it(`${c.name}: ${role} scale ×2 in the TFLite model vs the reference on the stated weights → FAIL`, async () => {
        const tfl = readTflite(writeSingleOpTflite(golden(c.name), { hybridWeights: true }));
        const dq = dequantizeHybridModel(tfliteOpToNnapiModel(tfl, 0, 0));
        if (typeof dq === 'string') throw new Error(dq);
        const quant = new Map(dq.quant);
        const h = quant.get(role)!;
        quant.set(role, { q: h.q, scale: h.scale * 2 });
        const corrupted = writeSingleOpTfliteWithIo(dq.model, { hybridWeights: true, hybridQuantization: quant });
        const v = await compareHybrid(dq.model, corrupted);
        expect(v.status).toBe('fail');
        expect(v.maxAbsError!).toBeGreaterThan(HYBRID_ATOL);
        expect(v.summary).toMatch(/^FAIL \(hybrid tolerance atol 0\.036/);
      });
    }
  }

  it('a scale ×2 written INTO the file is self-consistent: validate checks TFLite against the weights the file states', async () => {
    const tfl = readTflite(writeSingleOpTflite(golden(CASES[0].name), { hybridWeights: true }));
    const dq = dequantizeHybridModel(tfliteOpToNnapiModel(tfl, 0, 0));
    if (typeof dq === 'string') throw new Error(dq);
    const quant = new Map(dq.quant);
    const h = quant.get('input_to_forget_weights')!;
    quant.set('input_to_forget_weights', { q: h.q, scale: h.scale * 2 });
    const file = join(dir, 'scale-x2.hybrid.tflite');
    writeFileSync(file, writeSingleOpTflite(dq.model, { hybridWeights: true, hybridQuantization: quant }));
    const { doc } = await validateJson(file);
    expect(doc.lstmOps[0]!.numeric.status).toBe('pass');
  });
});
