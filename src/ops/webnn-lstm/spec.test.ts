/**
 * spec/webnn/lstm.json and lstmCell.json: valid against spec/schema/webnn-operator.schema.json, and their rule
 * ids are exactly the ids the validator (validate.ts) reports — each one provoked by one broken argument here.
 */
import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../util/paths.js';
import { GATE_BLOCKS, PEEPHOLE_BLOCKS } from './cell.js';
import { validateWebnnLstm, validateWebnnLstmCell, type LstmCellDescs, type LstmDescs, type WebnnOperandDesc } from './validate.js';

// ajv's CommonJS default export, read the way src/model/load.ts does.
type Ajv2020Ctor = typeof Ajv2020Module.default;
const Ajv2020 = ((Ajv2020Module as unknown as { default?: Ajv2020Ctor }).default ?? Ajv2020Module) as Ajv2020Ctor;

const read = (p: string) => JSON.parse(readFileSync(fromRoot(p), 'utf8')) as Record<string, unknown>;
const schema = read('spec/schema/webnn-operator.schema.json');
const docs = { lstm: read('spec/webnn/lstm.json'), lstmCell: read('spec/webnn/lstmCell.json') };

const f32 = (...shape: number[]): WebnnOperandDesc => ({ shape, dataType: 'float32' });
const f16 = (...shape: number[]): WebnnOperandDesc => ({ shape, dataType: 'float16' });
const bad = (d: WebnnOperandDesc) => ({ ...d, dataType: 'int8' }) as unknown as WebnnOperandDesc;
// A valid lstm call: steps 2, batch 3, inputSize 4, hiddenSize 5, one direction.
const L: LstmDescs = { input: f32(2, 3, 4), weight: f32(1, 20, 4), recurrentWeight: f32(1, 20, 5), bias: f32(1, 20), recurrentBias: f32(1, 20), peepholeWeight: f32(1, 15), initialHiddenState: f32(1, 3, 5), initialCellState: f32(1, 3, 5) };
const C: LstmCellDescs = { input: f32(3, 4), weight: f32(20, 4), recurrentWeight: f32(20, 5), hiddenState: f32(3, 5), cellState: f32(3, 5), bias: f32(20), recurrentBias: f32(20), peepholeWeight: f32(15) };

const lstmCases: Record<string, () => string[]> = {
  dataType: () => validateWebnnLstm({ ...L, weight: bad(L.weight) }, 2, 5).map((v) => v.rule),
  rank: () => validateWebnnLstm({ ...L, input: f32(2, 12) }, 2, 5).map((v) => v.rule),
  'steps.nonzero': () => validateWebnnLstm({ ...L, input: f32(0, 3, 4) }, 0, 5).map((v) => v.rule),
  'steps.match': () => validateWebnnLstm(L, 3, 5).map((v) => v.rule),
  'weight.shape': () => validateWebnnLstm({ ...L, weight: f32(1, 20, 3) }, 2, 5).map((v) => v.rule),
  'recurrentWeight.shape': () => validateWebnnLstm({ ...L, recurrentWeight: f32(1, 20, 4) }, 2, 5).map((v) => v.rule),
  'hiddenSize.valid': () => validateWebnnLstm({ ...L, weight: f32(1, 0, 4), recurrentWeight: f32(1, 0, 0), bias: f32(1, 0), recurrentBias: f32(1, 0), peepholeWeight: f32(1, 0), initialHiddenState: f32(1, 3, 0), initialCellState: f32(1, 3, 0) }, 2, 0).map((v) => v.rule),
  'bias.dataType': () => validateWebnnLstm({ ...L, bias: f16(1, 20) }, 2, 5).map((v) => v.rule),
  'bias.shape': () => validateWebnnLstm({ ...L, bias: f32(20) }, 2, 5).map((v) => v.rule),
  'recurrentBias.dataType': () => validateWebnnLstm({ ...L, recurrentBias: f16(1, 20) }, 2, 5).map((v) => v.rule),
  'recurrentBias.shape': () => validateWebnnLstm({ ...L, recurrentBias: f32(2, 20) }, 2, 5).map((v) => v.rule),
  'peepholeWeight.dataType': () => validateWebnnLstm({ ...L, peepholeWeight: f16(1, 15) }, 2, 5).map((v) => v.rule),
  'peepholeWeight.shape': () => validateWebnnLstm({ ...L, peepholeWeight: f32(1, 20) }, 2, 5).map((v) => v.rule),
  'initialHiddenState.dataType': () => validateWebnnLstm({ ...L, initialHiddenState: f16(1, 3, 5) }, 2, 5).map((v) => v.rule),
  'initialHiddenState.shape': () => validateWebnnLstm({ ...L, initialHiddenState: f32(1, 5, 3) }, 2, 5).map((v) => v.rule),
  'initialCellState.dataType': () => validateWebnnLstm({ ...L, initialCellState: f16(1, 3, 5) }, 2, 5).map((v) => v.rule),
  'initialCellState.shape': () => validateWebnnLstm({ ...L, initialCellState: f32(3, 5) }, 2, 5).map((v) => v.rule),
  'activations.count': () => validateWebnnLstm(L, 2, 5, { activations: ['relu', 'relu'] }).map((v) => v.rule),
  'activations.value': () => validateWebnnLstm(L, 2, 5, { activations: ['relu', 'gelu' as never, 'tanh'] }).map((v) => v.rule),
  'direction.value': () => validateWebnnLstm(L, 2, 5, { direction: 'reverse' as never }).map((v) => v.rule),
};
const cellCases: Record<string, () => string[]> = {
  dataType: () => validateWebnnLstmCell({ ...C, cellState: bad(C.cellState) }, 5).map((v) => v.rule),
  rank: () => validateWebnnLstmCell({ ...C, hiddenState: f32(1, 3, 5) }, 5).map((v) => v.rule),
  'weight.shape': () => validateWebnnLstmCell({ ...C, weight: f32(20, 5) }, 5).map((v) => v.rule),
  'recurrentWeight.shape': () => validateWebnnLstmCell({ ...C, recurrentWeight: f32(15, 5) }, 5).map((v) => v.rule),
  'hiddenState.shape': () => validateWebnnLstmCell({ ...C, hiddenState: f32(3, 4) }, 5).map((v) => v.rule),
  'cellState.shape': () => validateWebnnLstmCell({ ...C, cellState: f32(2, 5) }, 5).map((v) => v.rule),
  'hiddenSize.valid': () => validateWebnnLstmCell({ ...C, weight: f32(0, 4), recurrentWeight: f32(0, 0), hiddenState: f32(3, 0), cellState: f32(3, 0), bias: f32(0), recurrentBias: f32(0), peepholeWeight: f32(0) }, 0).map((v) => v.rule),
  'bias.dataType': () => validateWebnnLstmCell({ ...C, bias: f16(20) }, 5).map((v) => v.rule),
  'bias.shape': () => validateWebnnLstmCell({ ...C, bias: f32(1, 20) }, 5).map((v) => v.rule),
  'recurrentBias.dataType': () => validateWebnnLstmCell({ ...C, recurrentBias: f16(20) }, 5).map((v) => v.rule),
  'recurrentBias.shape': () => validateWebnnLstmCell({ ...C, recurrentBias: f32(21) }, 5).map((v) => v.rule),
  'peepholeWeight.dataType': () => validateWebnnLstmCell({ ...C, peepholeWeight: f16(15) }, 5).map((v) => v.rule),
  'peepholeWeight.shape': () => validateWebnnLstmCell({ ...C, peepholeWeight: f32(20) }, 5).map((v) => v.rule),
  'activations.count': () => validateWebnnLstmCell(C, 5, { activations: [] }).map((v) => v.rule),
  'activations.value': () => validateWebnnLstmCell(C, 5, { activations: ['relu', 'relu', 'softplus' as never] }).map((v) => v.rule),
};

describe('spec/webnn', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  for (const [op, doc] of Object.entries(docs)) {
    it(`${op}.json is valid against webnn-operator.schema.json`, () => {
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    });
    it(`${op}.json: layouts and peephole packing are the reference's`, () => {
      const layouts = doc['layouts'] as Record<string, string[]>;
      for (const l of ['iofg', 'ifgo'] as const) {
        const blocks = GATE_BLOCKS[l];
        expect(layouts[l]!.map((g) => blocks[g as 'i'])).toEqual([0, 1, 2, 3]);
      }
      expect((doc['peepholePacking'] as string[]).map((g) => PEEPHOLE_BLOCKS[g as 'i'])).toEqual([0, 1, 2]);
      expect((doc['deviations'] as { id: string }[]).map((d) => d.id)).toContain('webnn-output-peephole-prev-cell');
    });
  }
  it('a valid call breaks no rule', () => {
    expect(validateWebnnLstm(L, 2, 5)).toEqual([]);
    expect(validateWebnnLstm({ ...L, weight: f32(2, 20, 4), recurrentWeight: f32(2, 20, 5), bias: f32(2, 20), recurrentBias: f32(2, 20), peepholeWeight: f32(2, 15), initialHiddenState: f32(2, 3, 5), initialCellState: f32(2, 3, 5) }, 2, 5, { direction: 'both' })).toEqual([]);
    expect(validateWebnnLstmCell(C, 5)).toEqual([]);
  });
  for (const [op, table] of [['lstm', lstmCases], ['lstmCell', cellCases]] as const) {
    it(`${op}: every rule id of the spec is reported by the validator, and only those`, () => {
      const ids = (docs[op]['rules'] as { id: string }[]).map((r) => r.id).sort();
      expect(Object.keys(table).map((k) => `WEBNN.${op}.${k}`).sort()).toEqual(ids);
      for (const [k, run] of Object.entries(table)) {
        const got = run();
        expect(got, k).toContain(`WEBNN.${op}.${k}`);
        for (const g of got) expect(ids, `${k} reported ${g}`).toContain(g);
      }
    });
  }
});
