/** The AOSP importer is deterministic and the committed golden/aosp files are its output. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listJsonFiles } from '../src/conformance/cases.js';
import { checkSchema } from '../src/model/load.js';
import type { Model } from '../src/model/model.js';
import { buildAospGoldens, importAosp, type AospVector } from '../src/tools/import-aosp.js';
import { fromRoot, sharedDir } from '../src/util/paths.js';

const shared = sharedDir();
const committedDir = fromRoot('golden', 'aosp');

describe.skipIf(shared === undefined)('import-aosp', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'nnlstm-import-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('re-importing into a temporary folder reproduces the committed files byte for byte', () => {
    writeFileSync(join(tmp, 'lstm-stale-aosp.json'), JSON.stringify({ operation: 'LSTM', provenance: { kind: 'aosp-cts' } }));
    writeFileSync(join(tmp, 'someone-elses.json'), JSON.stringify({ operation: 'LSTM', provenance: { kind: 'float64-derivation' } }));
    const written = importAosp({ shared: shared!, outDir: tmp });
    expect(written).toHaveLength(67); // 60 float + 3 QUANTIZED_LSTM + 4 QUANTIZED_16BIT_LSTM
    const files = readdirSync(tmp).filter((f) => f.endsWith('.json')).sort();
    // stale aosp-cts files of the imported operation are removed, other files are left alone
    expect(files).not.toContain('lstm-stale-aosp.json');
    expect(files).toContain('someone-elses.json');
    const aosp = files.filter((f) => f !== 'someone-elses.json');
    const committed = readdirSync(committedDir).filter((f) => f.endsWith('.json')).sort();
    expect(aosp).toEqual(committed);
    for (const f of aosp) expect(readFileSync(join(tmp, f), 'utf8'), f).toBe(readFileSync(join(committedDir, f), 'utf8'));
  });

  it('two builds give identical text (determinism)', () => {
    const a = buildAospGoldens(shared!);
    const b = buildAospGoldens(shared!);
    expect(a.map((g) => g.text)).toEqual(b.map((g) => g.text));
  });

  it('keeps every operand value exactly as in the source', () => {
    for (const f of listJsonFiles(committedDir)) {
      const g = JSON.parse(readFileSync(f, 'utf8')) as { model: Model; provenance: { file: string } };
      const v = JSON.parse(readFileSync(join(shared!, g.provenance.file), 'utf8')) as AospVector;
      expect(g.model.operands.map((o) => o.values), f).toEqual(v.operands.map((o) => o.values));
      expect(g.model.operands.map((o) => [o.type, o.dimensions, o.lifetime, o.isIgnored, o.scale, o.zeroPoint])).toEqual(
        v.operands.map((o) => [o.type, o.dimensions, o.lifetime, o.isIgnored, o.scale, o.zeroPoint]),
      );
      expect([g.model.inputIndexes, g.model.outputIndexes, g.model.operations, g.model.isRelaxed]).toEqual([
        v.inputIndexes,
        v.outputIndexes,
        v.operations,
        v.isRelaxed,
      ]);
    }
  });

  it('names files by features first and the AOSP registered name last', () => {
    const names = buildAospGoldens(shared!).map((g) => g.name);
    expect(names).toContain('lstm-f32-nocifg-peephole-proj-noln-tanh-b2-lstm3_state2');
    expect(names).toContain('lstm-f16-cifg-peephole-noproj-noln-tanh-b1-lstm2_float16');
    expect(names).toContain('lstm-f32relaxed-nocifg-nopeephole-noproj-noln-tanh-b1-lstm_relaxed');
    expect(new Set(names).size).toBe(names.length);
  });

  it('the operation filter is a parameter: sequence ops import as schema-valid goldens too', () => {
    const seq = buildAospGoldens(shared!, ['UNIDIRECTIONAL_SEQUENCE_LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM']);
    expect(seq).toHaveLength(24);
    for (const g of seq) checkSchema('golden', JSON.parse(g.text), g.name);
    expect(seq.every((g) => /^(uslstm|bilstm)-f(32|16)/.test(g.name))).toBe(true);
  });
});
