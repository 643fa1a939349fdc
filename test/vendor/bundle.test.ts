/**
 * Device bundles: export → results computed from the bundle's own files (reference driver on
 * model.json + inputs/*.npy; the TFLite interpreter on model.tflite fed per the manifest) →
 * verify. And the AOSP test_generator specs of the gap-filling cases.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBundle, type Manifest } from '../../src/bundle/export.js';
import { decodeNpy, encodeNpy, type NpyDescr } from '../../src/bundle/npy.js';
import { verifyBundle } from '../../src/bundle/verify.js';
import { renderAospSpec, isGapFillingCase } from '../../src/bundle/aosp-spec.js';
import type { PositiveCase } from '../../src/conformance/cases.js';
import { reportToJson } from '../../src/conformance/report.js';
import { ReferenceDriver } from '../../src/drivers/reference.js';
import type { Model } from '../../src/model/model.js';
import { schemaValidator } from '../../src/model/load.js';
import { TfliteRuntime } from '../../src/tflite/runtime.js';
import { fromRoot } from '../../src/util/paths.js';
import { allCases, python } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'nnlstm-bundle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const bundle = join(tmp, 'bundle');
let manifest: Manifest;
const positives = () => allCases().filter((c): c is PositiveCase => c.kind === 'positive');

beforeAll(() => {
  manifest = exportBundle(bundle, positives(), { displayDir: 'bundle' });
});

/** Runs the reference driver on a bundle case from its files alone; writes the result .npy files. */
async function referenceResults(resultsDir: string): Promise<void> {
  const driver = new ReferenceDriver();
  for (const c of manifest.cases) {
    const model = JSON.parse(readFileSync(join(bundle, c.model), 'utf8')) as Model;
    const inputs = c.inputs.map((i) => (i.file === null ? null : Array.from(decodeNpy(readFileSync(join(bundle, c.dir, i.file))).data)));
    const p = await driver.prepare(model);
    if (!p.ok) throw new Error(`${c.id}: ${p.message}`);
    const r = await driver.execute(p.prepared, inputs);
    if (!r.ok) throw new Error(`${c.id}: ${r.message}`);
    for (const o of c.outputs) {
      const got = r.outputs.find((x) => x.index === o.index)!;
      const file = join(resultsDir, o.result);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, encodeNpy(o.dtype as NpyDescr, got.dimensions, got.values));
    }
  }
}

describe('nnlstm export → verify', () => {
  it('the manifest lists every positive case with tolerances, provenance and the check command', () => {
    expect(manifest.cases).toHaveLength(positives().length);
    expect(manifest.check).toBe('nnlstm verify bundle --results RESULTS_DIR [--json FILE] [--junit FILE] [--html FILE]');
    const c = manifest.cases.find((x) => x.id.startsWith('aosp/lstm-f32'))!;
    expect(c.provenance['kind']).toBe('aosp-cts');
    expect(c.outputs.filter((o) => !o.ignored).every((o) => o.criterion === 'float32' && o.atol === Math.fround(1e-5))).toBe(true);
    expect(c.outputs.some((o) => o.ignored && o.expected === null)).toBe(true);
    const f16 = manifest.cases.find((x) => x.features['dtype'] === 'float16')!;
    expect(f16.tflite).toBeNull();
    expect(f16.tfliteUnsupported).toMatch(/float16/);
    // Deterministic: exporting again gives the same manifest bytes.
    const again = join(tmp, 'again');
    exportBundle(again, positives(), { displayDir: 'bundle' });
    expect(readFileSync(join(again, 'manifest.json'), 'utf8')).toBe(readFileSync(join(bundle, 'manifest.json'), 'utf8'));
  });

  it('round-trips with the reference outputs (all pass); corrupting one result fails exactly that case', async () => {
    const results = join(tmp, 'results');
    await referenceResults(results);
    const report = verifyBundle(bundle, results);
    expect(report.totals.cases).toBe(manifest.cases.length);
    expect(report.results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
    const v = schemaValidator('report');
    expect(v(JSON.parse(reportToJson(report)))).toBe(true);

    // Corrupt one element of one result.
    const victim = manifest.cases.find((c) => c.id.includes('lstm-f32-nocifg-peephole'))!;
    const out = victim.outputs.find((o) => !o.ignored)!;
    const file = join(results, out.result);
    const arr = decodeNpy(readFileSync(file));
    const values = Array.from(arr.data);
    values[1] = values[1]! + 0.01;
    writeFileSync(file, encodeNpy(arr.descr, arr.shape, values));
    const after = verifyBundle(bundle, results);
    const bad = after.results.filter((r) => r.status !== 'pass');
    expect(bad.map((r) => r.id)).toEqual([victim.id]);
    expect(bad[0]!.status).toBe('fail');
    expect(bad[0]!.worst).toMatchObject({ outputIndex: out.index, flatIndex: 1 });

    // A missing result is an error for that case alone; a wrong dtype too.
    rmSync(file);
    const missing = verifyBundle(bundle, results);
    expect(missing.results.filter((r) => r.status !== 'pass').map((r) => [r.id, r.status])).toEqual([[victim.id, 'error']]);
    expect(missing.results.find((r) => r.id === victim.id)!.reason).toMatch(/no result file/);
    writeFileSync(file, encodeNpy('<f8', arr.shape, values));
    expect(verifyBundle(bundle, results).results.find((r) => r.id === victim.id)!.reason).toMatch(/holds <f8, the output is <f4/);
  });

  it('the exported .tflite files load and run in the TFLite runtime, and their outputs verify', async () => {
    const rt = await TfliteRuntime.load();
    const results = join(tmp, 'tflite-results');
    const withTflite = manifest.cases.filter((c) => c.tflite !== null);
    expect(withTflite.length).toBeGreaterThanOrEqual(60);
    for (const c of withTflite) {
      const t = c.tflite!;
      const compiled = rt.compile(new Uint8Array(readFileSync(join(bundle, t.file))));
      try {
        const feeds = t.inputs.map((i) => decodeNpy(readFileSync(join(bundle, c.dir, i.file))).data);
        const outs = compiled.run(feeds);
        expect(outs).toHaveLength(t.outputs.length);
        t.outputs.forEach((o, j) => {
          if (o.result === null) return;
          const mo = c.outputs.find((x) => x.result === o.result)!;
          const file = join(results, o.result);
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, encodeNpy(mo.dtype as NpyDescr, outs[j]!.shape, outs[j]!.data));
        });
      } finally {
        compiled.delete();
      }
    }
    const ids = withTflite.map((c) => c.id);
    const report = verifyBundle(bundle, results);
    const judged = report.results.filter((r) => ids.includes(r.id));
    // What TFLite computes matches every AOSP vector and every TFLite-derived golden it can express;
    // the float64-derived cases it can express are the documented departures (activation none, …).
    const mustPass = judged.filter((r) => r.provenance === 'aosp-cts' || r.provenance === 'tflite-runtime');
    expect(mustPass.length).toBeGreaterThanOrEqual(50);
    expect(mustPass.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
    console.info(`tflite bundle run: ${withTflite.length} .tflite files ran; ${judged.filter((r) => r.status === 'pass').length} pass on verify`);
  });
});

const py = python();

describe.skipIf(!py)('nnlstm export --format aosp-spec', () => {
  it('writes test_generator specs of the gap-filling cases that define the same model and example', () => {
    const gaps = positives().filter(isGapFillingCase);
    expect(gaps.length).toBeGreaterThanOrEqual(30);
    const dir = join(tmp, 'specs');
    mkdirSync(dir);
    const files = gaps.map((c) => {
      const file = join(dir, `${c.name}.mod.py`);
      writeFileSync(file, renderAospSpec(c));
      return file;
    });
    const r = spawnSync(py!, [fromRoot('test', 'vendor', 'fixtures', 'aosp_spec_check.py'), ...files], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
    expect(r.status, `${r.stderr}${r.error ? ` (${String(r.error)})` : ''}${r.signal ? ` (signal ${r.signal})` : ''}`).toBe(0);
    const specs = r.stdout.trim().split('\n');
    expect(specs).toHaveLength(gaps.length);
    gaps.forEach((c, n) => {
      const spec = JSON.parse(specs[n]!) as {
        operation: string;
        relaxed: boolean;
        inputs: { type: string; dimensions: number[]; lifetime: string; values: number[] | null }[];
        outputs: { name: string; type: string; dimensions: number[]; ignored: boolean }[];
        example: { inputs: Record<string, number[]>; outputs: Record<string, number[]> };
      };
      const m = c.model;
      const op = m.operations[0]!;
      expect(spec.operation).toBe(op.type);
      expect(spec.relaxed).toBe(m.isRelaxed === true);
      expect(spec.inputs.map((o) => [o.type, o.dimensions, o.lifetime])).toEqual(op.inputs.map((i) => [m.operands[i]!.type, m.operands[i]!.dimensions, m.operands[i]!.lifetime]));
      op.inputs.forEach((i, k) => {
        const o = m.operands[i]!;
        if (o.lifetime === 'CONSTANT_COPY') expect(spec.inputs[k]!.values!.map(Number)).toEqual(o.values); // BoolScalar gives True
        if (o.lifetime === 'SUBGRAPH_INPUT') expect(spec.example.inputs[o.name]).toEqual(o.values);
      });
      expect(spec.outputs.map((o) => [o.type, o.dimensions, o.ignored])).toEqual(op.outputs.map((i) => [m.operands[i]!.type, m.operands[i]!.dimensions, m.operands[i]!.isIgnored]));
      for (const i of op.outputs) if (!m.operands[i]!.isIgnored) expect(spec.example.outputs[m.operands[i]!.name]).toEqual(m.operands[i]!.values);
    });
    expect(readdirSync(dir)).toHaveLength(gaps.length);
  });
});
