import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listJsonFiles } from '../conformance/cases.js';
import { fromRoot, sharedDir } from '../util/paths.js';
import { jsonErrorOffset, ModelFileError, parseJsonText, schemaValidator } from './load.js';
import { loadModelFile } from './load-file.js';
import { OPERAND_TYPE_NAMES } from './operand-types.js';

const dir = mkdtempSync(join(tmpdir(), 'nnlstm-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const golden = listJsonFiles(fromRoot('golden', 'aosp')).find((f) => /\/lstm-[^/]*\.json$/.test(f))!;

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function err(f: () => unknown): ModelFileError {
  try {
    f();
  } catch (e) {
    if (e instanceof ModelFileError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('loadModelFile', () => {
  it('loads a bare model, and the model of a golden file', () => {
    const g = JSON.parse(readFileSync(golden, 'utf8')) as { model: unknown };
    const bare = write('bare.json', JSON.stringify(g.model));
    expect(loadModelFile(bare).operations[0]!.type).toBe('LSTM');
    expect(loadModelFile(golden)).toEqual(g.model);
  });

  it.skipIf(sharedDir() === undefined)('loads a ../shared vector as it is (extraction metadata accepted)', () => {
    const m = loadModelFile(join(sharedDir()!, 'vectors', 'aosp', 'V1_0', 'lstm.json'));
    expect(m.operands).toHaveLength(27);
  });

  it('loads negative cases without structural checks (they may break structure on purpose)', () => {
    const neg = listJsonFiles(fromRoot('conformance', 'negative')).find((f) => f.endsWith('model.structure.json'));
    if (!neg) return;
    expect(loadModelFile(neg).operations[0]!.inputs).toContain(999);
  });

  it('missing file → read error; malformed JSON → parse error with line and column', () => {
    const e1 = err(() => loadModelFile(join(dir, 'nope.json')));
    expect(e1.kind).toBe('read');
    expect(e1.message).toMatch(/nope\.json: cannot read: no such file/);
    const p = write('bad.json', '{\n  "operands": [1,,2]\n}');
    const e2 = err(() => loadModelFile(p));
    expect(e2.kind).toBe('parse');
    expect(e2.message).toMatch(/line 2 column 18/);
    expect(e2.message).not.toMatch(/\n/);
  });

  it('schema errors carry the JSON pointer', () => {
    const g = JSON.parse(readFileSync(golden, 'utf8')) as { model: { operands: { dimensions: unknown }[] } };
    g.model.operands[2]!.dimensions = [-1];
    const e = err(() => loadModelFile(write('dims.json', JSON.stringify(g.model))));
    expect(e.kind).toBe('schema');
    expect(e.pointer).toBe('/operands/2/dimensions/0');
    expect(e.message).toContain('at /operands/2/dimensions/0');
  });

  it('structure errors carry the JSON pointer', () => {
    const g = JSON.parse(readFileSync(golden, 'utf8')) as { model: { operands: { index: number }[]; outputIndexes: number[] } };
    g.model.operands[1]!.index = 7;
    expect(err(() => loadModelFile(write('idx.json', JSON.stringify(g.model)))).pointer).toBe('/operands/1/index');
    g.model.operands[1]!.index = 1;
    g.model.outputIndexes = [0];
    expect(err(() => loadModelFile(write('out.json', JSON.stringify(g.model)))).message).toMatch(/not SUBGRAPH_OUTPUT/);
  });

  it('a JSON value that is not a model object is a schema error', () => {
    expect(err(() => loadModelFile(write('arr.json', '[1,2]'))).kind).toBe('schema');
  });
});

describe('schemas', () => {
  it('model.schema.json names exactly the operand types of operand-types.ts', () => {
    const schema = JSON.parse(readFileSync(fromRoot('spec', 'schema', 'model.schema.json'), 'utf8')) as { $defs: { operandType: { enum: string[] } } };
    expect([...schema.$defs.operandType.enum].sort()).toEqual([...OPERAND_TYPE_NAMES].sort());
  });
  it('all schemas compile', () => {
    for (const n of ['model', 'golden', 'negative-case', 'deviations', 'report'] as const) expect(typeof schemaValidator(n)).toBe('function');
  });
});

describe('jsonErrorOffset', () => {
  it('is undefined for valid JSON and points at the first error otherwise', () => {
    expect(jsonErrorOffset('{"a": [1, -2.5e3, "x\\u0041", true, null]}')).toBeUndefined();
    expect(jsonErrorOffset('{"a": }')).toBe(6);
    expect(jsonErrorOffset('[1 2]')).toBe(3);
    expect(jsonErrorOffset('')).toBe(0);
    expect(jsonErrorOffset('{} x')).toBe(3);
    expect(jsonErrorOffset('"abc')).toBe(4);
  });
  it('locates errors at any nesting depth without recursion (12,000 and 200,000 levels)', () => {
    for (const depth of [12_000, 200_000]) {
      const text = '['.repeat(depth) + ']'.repeat(depth - 1);
      expect(jsonErrorOffset(text)).toBe(2 * depth - 1);
      expect(jsonErrorOffset(text + ']')).toBeUndefined();
    }
  });
  it('a deeply nested malformed file is a parse error naming the file, not a stack overflow', () => {
    const text = '{"operands":' + '['.repeat(12_000);
    expect(() => parseJsonText(text, 'deep.json')).toThrow(ModelFileError);
    expect(() => parseJsonText(text, 'deep.json')).toThrow(/deep\.json: malformed JSON: .*line 1 column/);
  });
});
