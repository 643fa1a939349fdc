/** `nnlstm validate`, `nnlstm spec` and `nnlstm run` on the AOSP vectors, through the CLI entry (in-process). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { listJsonFiles } from '../src/conformance/cases.js';
import { compareOutputs } from '../src/conformance/compare.js';
import { loadModelFile } from '../src/model/load-file.js';
import { fromRoot, sharedDir } from '../src/util/paths.js';
import { captureOutput } from './helpers/capture-output.js';

const io = captureOutput();

describe('nnlstm validate MODEL.json', () => {
  it('a valid model: exit 0 with variant and feature level', async () => {
    const f = listJsonFiles(fromRoot('golden', 'aosp')).find((x) => x.includes('layer_norm_lstm_Cifg'))!;
    expect(await main(['validate', f])).toBe(0);
    expect(io.out).toMatch(/valid LSTM \(float32\), feature level 3/);
    expect(io.out).toMatch(/CIFG, peephole, projection, layer norm/);
  });

  for (const f of listJsonFiles(fromRoot('conformance', 'negative'))) {
    const c = JSON.parse(readFileSync(f, 'utf8')) as { rule: string; operandIndex?: number; operandName?: string };
    it(`${c.rule}: exit 1 naming the rule${c.operandIndex !== undefined ? ' and operand' : ''}`, async () => {
      expect(await main(['validate', f])).toBe(1);
      expect(io.out).toContain(c.rule);
      if (c.operandIndex !== undefined) expect(io.out).toContain(`operand ${c.operandIndex} (${c.operandName})`);
    });
  }

  it('--json gives the violations as data', async () => {
    const f = listJsonFiles(fromRoot('conformance', 'negative')).find((x) => x.endsWith('LSTM.clip.non_negative.json'))!;
    expect(await main(['validate', f, '--json'])).toBe(1);
    const doc = JSON.parse(io.out) as { ok: boolean; violations: { rule: string; operandIndex: number; operandName: string }[] };
    expect(doc.ok).toBe(false);
    expect(doc.violations[0]).toMatchObject({ rule: 'LSTM.clip.non_negative', operandName: 'cell_clip' });
  });
});

describe('nnlstm spec', () => {
  it('prints the 27-input operand table', async () => {
    expect(await main(['spec', 'LSTM'])).toBe(0);
    for (const name of ['input_to_input_weights', 'cell_clip', 'output_layer_norm_weights', 'scratch_buffer']) expect(io.out).toContain(name);
  });
  it('--json lists the inputs and rule ids', async () => {
    expect(await main(['spec', 'LSTM', '--json'])).toBe(0);
    const doc = JSON.parse(io.out) as { inputs: unknown[]; rules: string[] };
    expect(doc.inputs).toHaveLength(27);
    expect(doc.rules).toContain('LSTM.cifg.all_or_none');
  });
  it('an unknown operation is a usage error', async () => {
    expect(await main(['spec', 'GRU'])).toBe(2);
  });
});

const shared = sharedDir();
describe.skipIf(!shared)('nnlstm run reproduces every AOSP float LSTM-family vector in ../shared', () => {
  const files = shared
    ? readdirSync(join(shared, 'vectors', 'aosp'), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .flatMap((d) => readdirSync(join(shared, 'vectors', 'aosp', d.name)).map((f) => join(shared, 'vectors', 'aosp', d.name, f)))
        .filter((f) => f.endsWith('.json') && ['LSTM', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM'].includes((JSON.parse(readFileSync(f, 'utf8')) as { operation?: string }).operation ?? ''))
    : [];
  it('there are 60 of them (36 LSTM, 13 unidirectional, 11 bidirectional)', () => expect(files).toHaveLength(60));
  for (const f of files) {
    it(`${f.split('/').slice(-2).join('/')} within the harness tolerance`, async () => {
      expect(await main(['run', f])).toBe(0);
      const { outputs } = JSON.parse(io.out) as { outputs: { index: number; dimensions: number[]; values: number[] }[] };
      const cmp = compareOutputs(loadModelFile(f), outputs);
      expect(cmp.reason ?? '').toBe('');
      expect(cmp.pass).toBe(true);
    });
  }
});
if (!shared) console.warn('skipping the ../shared AOSP vector checks: ../shared (or NNLSTM_SHARED) is absent');

describe('every command rejects an option it does not take', () => {
  for (const cmd of ['conformance', 'run', 'validate', 'inspect', 'spec', 'selftest', 'export', 'verify']) {
    it(`nnlstm ${cmd} --bogus → exit 2, naming the option, with the command's usage`, async () => {
      expect(await main([cmd, '--bogus', 'x'])).toBe(2);
      expect(io.err).toMatch(/unknown option --bogus/);
      expect(io.err).toMatch(new RegExp(`usage: nnlstm ${cmd}`));
    });
  }
});
