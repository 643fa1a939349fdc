/**
 * `nnlstm compress` end to end through the CLI entry (in process): exit 2 with one clear line for bad flags,
 * unreadable files and models without a compressible float LSTM; exit 0 with the written, validated model on a
 * fresh-clone fixture; and on the real mnist model with its samples (skipped when ../shared is absent).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { readTflite } from '../../src/tflite/reader.js';
import { syntheticLstmModel } from '../../src/tflite/synthetic.js';
import { writeSingleOpTflite } from '../../src/tflite/writer.js';
import { sharedDir } from '../../src/util/paths.js';
import { captureOutput } from '../helpers/capture-output.js';
import { lstmChainModel } from './compress-fixtures.js';

const io = captureOutput();
const dir = mkdtempSync(join(tmpdir(), 'nnlstm-compress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const chain = join(dir, 'chain.tflite');
writeFileSync(chain, lstmChainModel({ nInput: 3, time: 4, lstms: [{ nCell: 6 }], nFc: 4 }));
const single = join(dir, 'single.tflite');
writeFileSync(single, writeSingleOpTflite(syntheticLstmModel({ operation: 'UNIDIRECTIONAL_SEQUENCE_LSTM', batch: 1 }), { stateIo: false }));

const shared = sharedDir();
const models = shared ? join(shared, 'models') : '';
const haveMnist = !!shared && existsSync(join(models, 'mnist_lstm_float32.tflite')) && existsSync(join(models, 'mnist_lstm_samples.json'));
if (!haveMnist) console.warn('compress-cli.test: ../shared/models absent: the mnist CLI test is skipped');

describe('nnlstm compress: usage errors exit 2 with one line', () => {
  const cases: [string, string[], RegExp][] = [
    ['no rank or energy', [chain], /exactly one of --rank R and --energy E/],
    ['both', [chain, '--rank', '2', '--energy', '0.9'], /exactly one/],
    ['rank 0', [chain, '--rank', '0'], /--rank must be an integer ≥ 1/],
    ['rank not a number', [chain, '--rank', 'x'], /--rank must be a number/],
    ['energy 0', [chain, '--energy', '0'], /--energy must be in \(0, 1\]/],
    ['energy 1.5', [chain, '--energy', '1.5'], /--energy must be in/],
    ['unknown option', [chain, '--rank', '2', '--bogus'], /unknown option --bogus/],
    ['missing file', [join(dir, 'nope.tflite'), '--rank', '2'], /cannot read .*ENOENT/],
    ['no model', ['--rank', '2'], /missing model file/],
    ['output is a model output', [single, '--rank', '2'], /nothing to compress: op 0:0 UNIDIRECTIONAL_SEQUENCE_LSTM: the op output is a model output/],
    ['rank above n_output', [chain, '--rank', '7'], /rank 7 exceeds n_output 6/],
    ['bad --out folder', [chain, '--rank', '2', '--out', join(dir, 'no', 'x.tflite')], /--out .*does not exist/],
    ['bad samples', [chain, '--rank', '2', '--samples', chain], /chain\.tflite: /],
  ];
  for (const [name, args, msg] of cases) {
    it(name, async () => {
      expect(await main(['compress', ...args])).toBe(2);
      expect(io.err).toMatch(msg);
      expect(io.err.trim().split('\n')[0]).toMatch(/^nnlstm compress: /);
    });
  }
  it('--json: the error as a JSON document on stdout', async () => {
    expect(await main(['compress', single, '--rank', '2', '--json'])).toBe(2);
    expect(JSON.parse(io.out)).toMatchObject({ error: { exitCode: 2, message: expect.stringMatching(/nothing to compress/) } });
  });
});

describe('nnlstm compress on a fixture', () => {
  it('--rank 3 --out: writes a valid LSTMP model, reports parameters, singular values and the change (exit 0)', async () => {
    const out = join(dir, 'chain-r3.tflite');
    expect(await main(['compress', chain, '--rank', '3', '--out', out])).toBe(0);
    expect(io.out).toMatch(/n_cell 6, n_output 6 → 3 \(projection added\)/);
    expect(io.out).toMatch(/singular values: kept 3 of 6, energy [\d.]+ %/);
    expect(io.out).toMatch(/seeded inputs \(3\): max \|Δ\| op output [\d.e-]+, model output [\d.e-]+/);
    expect(io.out).toMatch(/result: OK \(exit 0\)/);
    const m = readTflite(new Uint8Array(readFileSync(out)));
    expect(m.subgraphs[0]!.tensors[m.subgraphs[0]!.operators[0]!.inputs[16]!]!.shape).toEqual([3, 6]);
  });

  it('--out FOLDER: the default name inside it', async () => {
    expect(await main(['compress', chain, '--rank', '2', '--out', dir, '--seeds', '1'])).toBe(0);
    expect(existsSync(join(dir, 'chain.lstmp-r2.tflite'))).toBe(true);
    expect(io.out).toContain(`→ ${join(dir, 'chain.lstmp-r2.tflite')}:`);
  });

  it('--energy --json: the document carries ops, measure and validation', async () => {
    const out = join(dir, 'chain-e.tflite');
    expect(await main(['compress', chain, '--energy', '0.9', '--out', out, '--json', '--seeds', '2'])).toBe(0);
    const doc = JSON.parse(io.out);
    expect(doc.ops[0].energyKept).toBeGreaterThanOrEqual(0.9);
    expect(doc.ops[0].lift).toBeUndefined();
    expect(doc.measure.seeded.count).toBe(2);
    expect(doc.validation.exitCode).toBe(0);
    expect(doc.exitCode).toBe(0);
  });
});

describe.skipIf(!haveMnist)('nnlstm compress mnist_lstm_float32 --samples', () => {
  it('--rank 16: 10/10 samples agree, validation OK', async () => {
    const out = join(dir, 'mnist-r16.tflite');
    const code = await main(['compress', join(models, 'mnist_lstm_float32.tflite'), '--rank', '16', '--samples', join(models, 'mnist_lstm_samples.json'), '--out', out, '--json']);
    const doc = JSON.parse(io.out);
    expect(code).toBe(0);
    expect(doc.measure.samples).toMatchObject({ count: 10, agreeing: 10, correctBefore: 10, correctAfter: 10 });
    expect(doc.ops[0].params).toEqual({ before: 3840, after: 3840 });
    expect(doc.ops[0].consumerParams).toEqual({ before: 5600, after: 4480 });
    expect(doc.validation.lstmOps[0].numeric.status).toBe('pass');
  });
});
