import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { specArtifacts } from '../src/tools/gen-spec-artifacts.js';
import { loadSpec, SPEC_FILES } from '../src/spec/operation-spec.js';
import { fromRoot } from '../src/util/paths.js';
import { formatSpecDocumentsFromFiles, SPEC_FORMATS } from '../src/tools/gen-data-module.js';
import { FORMAT_SPECS } from '../src/model/data.generated.js';
import Ajv2020Module from 'ajv/dist/2020.js';

type Ajv2020Ctor = typeof Ajv2020Module.default;
const Ajv2020 = ((Ajv2020Module as unknown as { default?: Ajv2020Ctor }).default ?? Ajv2020Module) as Ajv2020Ctor;
import { LSTM_IN, LSTM_INPUT_NAMES } from '../src/ops/lstm/operands.generated.js';

const schema = JSON.parse(readFileSync(fromRoot('spec/schema/operation-spec.schema.json'), 'utf8'));
const specFiles = readdirSync(fromRoot('spec')).filter((f) => /^[A-Z0-9_]+\.json$/.test(f));

describe('operation spec files', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const check = ajv.compile(schema);
  it('there is at least the LSTM spec', () => expect(specFiles).toContain('LSTM.json'));
  for (const f of specFiles) {
    it(`${f} conforms to operation-spec.schema.json`, () => {
      const ok = check(JSON.parse(readFileSync(fromRoot('spec', f), 'utf8')));
      expect(check.errors ?? [], JSON.stringify(check.errors, null, 1)).toEqual([]);
      expect(ok).toBe(true);
    });
  }

  it('LSTM has 27 inputs and 4 outputs, indexed in order', () => {
    const s = loadSpec('LSTM');
    expect(s.inputs.map((o) => o.index)).toEqual([...Array(27).keys()]);
    expect(s.outputs.map((o) => o.index)).toEqual([0, 1, 2, 3]);
  });

  for (const op of Object.keys(SPEC_FILES)) {
    it(`${op}: operands are indexed in order, rule ids unique, groups and rules name existing operands`, () => {
      const s = loadSpec(op);
      expect(s.inputs.map((o) => o.index)).toEqual([...Array(s.inputs.length).keys()]);
      expect(s.outputs.map((o) => o.index)).toEqual([...Array(s.outputs.length).keys()]);
      const ids = s.rules.map((r) => r.id);
      expect(new Set(ids).size).toBe(ids.length);
      const names = new Set([...s.inputs, ...s.outputs].map((o) => o.name));
      expect(names.size).toBe(s.inputs.length + s.outputs.length);
      for (const g of s.groups) {
        for (const o of g.operands) expect(names.has(o), `${g.id}: ${o}`).toBe(true);
        for (const r of g.rules) expect(ids, `${g.id}: ${r}`).toContain(r);
      }
      // Shared rules name the reused spec's operands; own rules name this op's.
      for (const r of s.rules.filter((x) => !x.sharedFrom)) for (const o of r.operands) expect(names.has(o), `${r.id}: ${o}`).toBe(true);
      for (const i of s.inputs) expect(i.types.length, i.name).toBeGreaterThan(0);
    });
  }

  it('the sequence ops reuse the LSTM cell operands rather than copy them', () => {
    const raw = JSON.parse(readFileSync(fromRoot('spec', 'UNIDIRECTIONAL_SEQUENCE_LSTM.json'), 'utf8')) as { inputs: { ref?: string }[] };
    expect(raw.inputs.filter((o) => o.ref?.startsWith('LSTM#')).length).toBe(26);
    const bi = loadSpec('BIDIRECTIONAL_SEQUENCE_LSTM');
    expect(bi.inputs).toHaveLength(61);
    expect(bi.inputs[18]!.name).toBe('bw_input_to_input_weights');
    expect(bi.inputs[18]!.shape).toEqual(['bw_num_units', 'input_size']);
  });

  it('the generated name table matches the spec', () => {
    const s = loadSpec('LSTM');
    expect([...LSTM_INPUT_NAMES]).toEqual(s.inputs.map((o) => o.name));
    for (const o of s.inputs) expect(LSTM_IN[o.name as keyof typeof LSTM_IN]).toBe(o.index);
  });
});

describe('generated artifacts are fresh (run `npm run gen` when this fails)', () => {
  for (const a of specArtifacts()) {
    it(`${a.path} is up to date`, () => {
      expect(readFileSync(fromRoot(a.path), 'utf8')).toBe(a.content);
    });
  }
});

describe('other formats\' operator specs (spec/onnx, spec/webnn)', () => {
  const fromFiles = formatSpecDocumentsFromFiles();
  /** One validator per schema file, by its declared draft (07 or 2020-12). */
  const validators = new Map<string, ReturnType<Ajv['compile']>>();
  const validatorFor = (path: string) => {
    let v = validators.get(path);
    if (!v) {
      const schema = JSON.parse(readFileSync(path, 'utf8')) as { $schema?: string };
      const ajv = schema.$schema?.includes('2020-12') ? new Ajv2020({ allErrors: true, strict: false }) : new Ajv({ allErrors: true, strict: false });
      v = ajv.compile(schema);
      validators.set(path, v);
    }
    return v;
  };
  for (const format of SPEC_FORMATS) {
    const schemaPath = fromRoot('spec', 'schema', `${format}-operator.schema.json`);
    for (const [name, doc] of Object.entries(fromFiles[format])) {
      it(`${format}/${name}.json conforms to ${format}-operator.schema.json`, () => {
        expect(existsSync(schemaPath), schemaPath).toBe(true);
        const check = validatorFor(schemaPath);
        const ok = check(doc);
        expect(check.errors ?? [], JSON.stringify(check.errors, null, 1)).toEqual([]);
        expect(ok).toBe(true);
      });
      it(`${format}/${name}.json is carried, unchanged, by the generated data module`, () => {
        expect(FORMAT_SPECS[format][name]).toEqual(doc);
      });
    }
    it(`the data module carries no ${format} spec that is not on disk`, () => {
      expect(Object.keys(FORMAT_SPECS[format]).sort()).toEqual(Object.keys(fromFiles[format]).sort());
    });
  }

  it('onnx/LSTM.json: rule ids unique, every attribute/input rule reference defined, spec/onnx/LSTM.md names every rule and departure', () => {
    const doc = fromFiles.onnx['LSTM'] as {
      rules: { id: string }[];
      departures: { id: string }[];
      attributes: { rules?: string[] }[];
      inputs: { index: number; rules?: string[] }[];
    };
    const ids = doc.rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const x of [...doc.attributes, ...doc.inputs]) for (const r of x.rules ?? []) expect(ids, r).toContain(r);
    expect(doc.inputs.map((i) => i.index)).toEqual([...Array(8).keys()]);
    const md = readFileSync(fromRoot('spec', 'onnx', 'LSTM.md'), 'utf8');
    for (const id of [...ids, ...doc.departures.map((d) => d.id)]) expect(md.includes(id), id).toBe(true);
  });
});
