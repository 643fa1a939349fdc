/**
 * Work per input byte: the reader's one expansion budget for the whole file (shared / aliased vectors and tables,
 * src/tflite/verify.ts) and validate's one check per distinct op (src/tflite/validate-tflite.ts), on attack files
 * generated in code.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TfliteFormatError } from '../../src/tflite/errors.js';
import { sharedShapeFile } from '../../src/tflite/fuzz-families.js';
import { MAX_PLACEHOLDER_ELEMENTS } from '../../src/tflite/mapping.js';
import { readTflite } from '../../src/tflite/reader.js';
import { syntheticLstmModel } from '../../src/tflite/synthetic.js';
import { renderValidation, structureOfOps, validateTflite } from '../../src/tflite/validate-tflite.js';
import { verifyTflite } from '../../src/tflite/verify.js';
import { writeSingleOpTflite } from '../../src/tflite/writer.js';
import { sharedDir } from '../../src/util/paths.js';

function formatError(f: () => unknown): TfliteFormatError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TfliteFormatError);
    return e as TfliteFormatError;
  }
  throw new Error('expected a TfliteFormatError');
}

describe('reader: one expansion budget for the whole file', () => {
  for (const [tensors, shapeLength] of [
    [20000, 45000],
    [40000, 45000],
    [40000, 10],
  ] as const) {
    it(`${tensors} tensors sharing one ${shapeLength}-element shape vector: rejected as 'limit' at once, naming offset and path`, () => {
      const bytes = sharedShapeFile(tensors, shapeLength);
      const heap0 = process.memoryUsage().heapUsed;
      const t0 = performance.now();
      const e = formatError(() => readTflite(bytes));
      const ms = performance.now() - t0;
      expect(e.kind).toBe('limit');
      expect(e.path).toMatch(/^subgraphs\[0\]\.tensors\[\d+\]\.shape$/);
      expect(e.offset).toBeGreaterThan(0);
      expect(e.offset).toBeLessThan(bytes.length);
      expect(e.message).toMatch(/expand to more than \d+ bytes \(2 × the \d+-byte file \+ 65536\): shared or aliased offsets/);
      expect(ms).toBeLessThan(1000);
      expect(process.memoryUsage().heapUsed - heap0).toBeLessThan(100 * 2 ** 20);
    });
  }

  it('100,000 references to one empty tensor table: rejected (a table costs at least 4 bytes per schema field)', () => {
    const e = formatError(() => readTflite(sharedShapeFile(100000, 0, true)));
    expect(e.kind).toBe('limit');
    expect(e.path).toMatch(/^subgraphs\[0\]\.tensors\[\d+\]/);
  });

  it('modest sharing within the budget is read (64 tensors sharing a 16-element shape)', () => {
    const m = readTflite(sharedShapeFile(64, 16));
    expect(m.subgraphs[0]!.tensors).toHaveLength(64);
    expect(m.subgraphs[0]!.tensors[63]!.shape).toHaveLength(16);
  });

  it('a tensor of rank 65 is refused (every op copies its shapes; the rank bound keeps that linear)', () => {
    const e = formatError(() => readTflite(sharedShapeFile(1, 65)));
    expect(e.kind).toBe('limit');
    expect(e.path).toBe('subgraphs[0].tensors[0].shape');
    expect(e.message).toContain('rank 65 exceeds this reader\'s limit of 64 dimensions');
    expect(readTflite(sharedShapeFile(1, 64)).subgraphs[0]!.tensors[0]!.shape).toHaveLength(64);
  });

  it('files without sharing cost about their size (writer output; the real models when present)', () => {
    const files = [writeSingleOpTflite(syntheticLstmModel({ seed: 3 }))];
    const dir = sharedDir() ? join(sharedDir()!, 'models') : undefined;
    if (dir && existsSync(dir)) for (const f of readdirSync(dir).filter((x) => x.endsWith('.tflite'))) files.push(new Uint8Array(readFileSync(join(dir, f))));
    else console.warn('[work bound] ../shared/models not found: real models not measured');
    for (const b of files) {
      const st = verifyTflite(b);
      expect(st.expandedBytes).toBeLessThan(1.2 * b.length + 4096);
    }
  });
});

describe('validate: identical ops are checked once', () => {
  const model = syntheticLstmModel({ seed: 3 });

  it('10,000 aliases of one LSTM operator table (padded to pass the reader): validated in < 2 s, one distinct op', async () => {
    const bytes = writeSingleOpTflite(model, { operatorAliases: 10000, paddingBytes: 1 << 21 });
    const single = writeSingleOpTflite(model);
    await validateTflite(readTflite(single), 'single.tflite', { bytes: single }); // loads the TFLite runtime
    const t0 = performance.now();
    const v = await validateTflite(readTflite(bytes), 'aliases.tflite', { bytes });
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(2000);
    expect(v.lstmOps).toHaveLength(10000);
    expect(v.distinctOps).toBe(1);
    expect(v.lstmOps[0]!.numeric.status).toBe('pass');
    expect(v.lstmOps[0]!.duplicateOf).toBeUndefined();
    for (const o of v.lstmOps.slice(1)) {
      expect(o.duplicateOf).toBe('0:0');
      expect(o.numeric.status).toBe('pass');
      expect(o.numeric.trials).toBeUndefined();
    }
    expect(v.exitCode).toBe(0);
    const text = renderValidation(v);
    expect(text).toContain('10000 LSTM-family op(s) (1 distinct; 9999 repeat an earlier op and reuse its verdict)');
    expect(text.match(/^op 0:\d+ LSTM/gm)).toHaveLength(1);
  });

  it('the same aliases without padding: the reader refuses them (limit at an operators[] entry)', () => {
    const e = formatError(() => readTflite(writeSingleOpTflite(model, { operatorAliases: 10000 })));
    expect(e.kind).toBe('limit');
    expect(e.path).toMatch(/^subgraphs\[0\]\.operators\[\d+\]/);
  });

  it('distinct operator tables with the same inputs, options and outputs are one check', () => {
    const m = readTflite(writeSingleOpTflite(model));
    const sg = m.subgraphs[0]!;
    sg.operators.push({ ...sg.operators[0]!, index: 1 }, { ...sg.operators[0]!, index: 2, inputs: [...sg.operators[0]!.inputs] });
    const st = structureOfOps(m);
    expect(st.map((s) => s.duplicateOf)).toEqual([undefined, '0:0', '0:0']);
    // A different input is a different op.
    const other = { ...sg.operators[0]!, index: 3, inputs: sg.operators[0]!.inputs.map((t, i) => (i === 1 ? -1 : t)) };
    sg.operators.push(other);
    expect(structureOfOps(m)[3]!.duplicateOf).toBeUndefined();
  });
});

describe('validate: a tool limit is not an invalid model', () => {
  it(`a runtime input larger than the example-value limit (${MAX_PLACEHOLDER_ELEMENTS} elements): structure not-checked, a warning; --strict fails`, async () => {
    const m = readTflite(writeSingleOpTflite(syntheticLstmModel({ seed: 3 })));
    const sg = m.subgraphs[0]!;
    const input = sg.tensors[sg.operators[0]!.inputs[0]!]!;
    input.shape = [4096, 4096];
    const v = await validateTflite(m, 'big-input.tflite');
    const op = v.lstmOps[0]!;
    expect(op.structure.status).toBe('not-checked');
    expect(op.structure.message).toMatch(/^tool limit \(subgraphs\[0\]\.tensors\[\d+\]\.shape\): .*a limit of this tool, not of the model/);
    expect(op.numeric.status).toBe('skipped');
    expect(op.verdict).toBe('warning');
    expect(v.exitCode).toBe(0);
    const text = renderValidation(v);
    expect(text).toContain('structure:  NOT CHECKED — tool limit (subgraphs[0].tensors[');
    expect(text).not.toContain('INVALID');
    expect(text).toMatch(/^warning: 0:0: structure not checked: /m);
    const strict = await validateTflite(m, 'big-input.tflite', { strict: true });
    expect(strict.exitCode).toBe(1);
    expect(strict.lstmOps[0]!.verdict).toBe('fail');
  });
});
