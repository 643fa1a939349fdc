/** `nnlstm run`: non-finite outputs are printed as strings and flagged; broken models are reported by rule. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureOutput } from '../../../test/helpers/capture-output.js';
import type { Model } from '../../model/model.js';
import { fromRoot } from '../../util/paths.js';
import { main } from '../main.js';
import { nonFiniteWarnings, renderRunOutputs, runValue } from './run.js';

const io = captureOutput();
const tmp = mkdtempSync(join(tmpdir(), 'nnlstm-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const goldenPath = fromRoot('golden', 'tflite', 'lstm-f32-nocifg-peephole-projbias-noln-tanh-b2-square-proj-peephole.json');
const goldenModel = (): Model => (JSON.parse(readFileSync(goldenPath, 'utf8')) as { model: Model }).model;
const write = (name: string, model: Model): string => {
  const p = join(tmp, name);
  writeFileSync(p, JSON.stringify(model));
  return p;
};

describe('run output values', () => {
  it('NaN, Infinity and -Infinity print as distinct strings, numbers as numbers', () => {
    expect([1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0].map(runValue)).toEqual([1.5, 'NaN', 'Infinity', '-Infinity', -0]);
  });

  it('an output with non-finite values carries their count, and one warning names the first', () => {
    const m = goldenModel();
    const [a, b] = [m.outputIndexes[1]!, m.outputIndexes[3]!];
    const outputs = [
      { index: b, dimensions: [1, 3], values: [0.25, Number.NaN, Number.NEGATIVE_INFINITY] },
      { index: a, dimensions: [1, 2], values: [1, 2] },
    ];
    const doc = JSON.parse(renderRunOutputs(m, outputs)) as { outputs: Record<string, unknown>[] };
    expect(doc.outputs).toEqual([
      { index: a, dimensions: [1, 2], values: [1, 2] },
      { index: b, dimensions: [1, 3], values: [0.25, 'NaN', '-Infinity'], nonFinite: 2 },
    ]);
    expect(nonFiniteWarnings(m, outputs)).toEqual([`nnlstm run: warning: output operand ${b} (output) holds 2 non-finite value(s); the first, element 1, is NaN`]);
  });

  it('end to end: a model whose projection overflows float32 prints no null and warns on stderr', async () => {
    const m = goldenModel();
    // h = b + W·m with every weight and bias 3e38: any row whose m sums past ~0.13 overflows.
    for (const name of ['projection_weights', 'projection_bias']) {
      const o = m.operands.find((x) => x.name === name)!;
      o.values = o.values.map(() => 3e38);
    }
    expect(await main(['run', write('overflow.json', m)])).toBe(0);
    expect(io.out).not.toContain('null');
    const doc = JSON.parse(io.out) as { outputs: { values: (number | string)[]; nonFinite?: number }[] };
    const flagged = doc.outputs.filter((o) => o.nonFinite);
    expect(flagged.length).toBeGreaterThan(0);
    for (const o of flagged) expect(o.values.filter((x) => typeof x === 'string')).toHaveLength(o.nonFinite!);
    expect(flagged.flatMap((o) => o.values).every((x) => typeof x === 'number' || ['NaN', 'Infinity', '-Infinity'].includes(x))).toBe(true);
    expect(io.err).toMatch(/warning: output operand \d+ \(\w+\) holds \d+ non-finite value\(s\)/);
  });
});

describe('run rejects what NNAPI\'s model builder rejects, by rule', () => {
  it('duplicate model inputs, duplicate operation outputs and overflowing float values exit 1 naming the rule', async () => {
    const dupIn = goldenModel();
    dupIn.inputIndexes.push(dupIn.inputIndexes[0]!);
    expect(await main(['run', write('dup-in.json', dupIn)])).toBe(1);
    expect(io.err).toMatch(/invalid model — 1 violation\(s\)[\s\S]*model\.io\.unique/);

    const dupOut = goldenModel();
    const op = dupOut.operations[0]!;
    const dropped = op.outputs[1]!;
    op.outputs[1] = op.outputs[3]!;
    dupOut.outputIndexes = dupOut.outputIndexes.filter((i) => i !== dropped);
    dupOut.operands[dropped]!.lifetime = 'TEMPORARY_VARIABLE';
    expect(await main(['run', write('dup-out.json', dupOut)])).toBe(1);
    expect(io.err).toMatch(/model\.operation\.outputs_unique/);

    const big = goldenModel();
    big.operands.find((o) => o.name === 'forget_gate_bias')!.values[0] = 1e39;
    expect(await main(['run', write('big.json', big)])).toBe(1);
    expect(io.err).toMatch(/model\.operand\.value_range: operand \d+ \(forget_gate_bias\) value 1e\+39 at element 0 overflows float32/);
    expect(io.out).toBe('');
  });

  it('a sequence model is validated before it reaches the driver', async () => {
    const p = fromRoot('golden', 'tflite', 'bilstm-f32-tm-nocifg-nopeephole-noproj-noln-parallel-linking-tanh-t10-b3-bi-square-parallel.json');
    const m = (JSON.parse(readFileSync(p, 'utf8')) as { model: Model }).model;
    m.outputIndexes.push(m.outputIndexes[0]!);
    expect(await main(['run', write('bi-dup.json', m)])).toBe(1);
    expect(io.err).toMatch(/invalid model[\s\S]*model\.io\.unique/);
  });
});

describe('run errors', () => {
  it('an unreadable model is exit 2 with a JSON error document on stdout (run always prints JSON)', async () => {
    expect(await main(['run', join(tmp, 'missing.json')])).toBe(2);
    const doc = JSON.parse(io.out) as { error: { exitCode: number; message: string } };
    expect(doc.error.exitCode).toBe(2);
    expect(doc.error.message).toMatch(/missing\.json.*no such file/);
  });
});

describe('validate and inspect --json errors', () => {
  for (const cmd of ['validate', 'inspect']) {
    it(`${cmd} --json: an unreadable file is exit 2 with a JSON error document on stdout`, async () => {
      io.out = '';
      expect(await main([cmd, join(tmp, 'missing.tflite'), '--json'])).toBe(2);
      const doc = JSON.parse(io.out) as { error: { exitCode: number; message: string } };
      expect(doc.error).toMatchObject({ exitCode: 2, message: expect.stringMatching(/missing\.tflite/) });
    });
  }
});
