/**
 * `nnlstm verify DIR --results RESULTS_DIR`: judges outputs a device produced for a bundle
 * (export.ts) with the conformance suite's tolerance policy (compare.ts) and gives the same report
 * as `nnlstm conformance` (JSON, JUnit, HTML). Expected values are the bundle's expected/*.npy;
 * types, ignored outputs and criteria come from each case's model.json.
 *
 * Per case: pass, fail (values or dimensions), or error (a result file missing, unreadable, of
 * the wrong dtype, or whose element count does not match its shape).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareWithExpected, MalformedOutputError, type ExpectedOutput } from '../conformance/compare.js';
import { errorProfile } from '../conformance/error-profile.js';
import type { CaseFeatures, Group } from '../conformance/features.js';
import { summarizeResults } from '../conformance/report.js';
import { TOOL_VERSION, type CaseResult, type Report } from '../conformance/runner.js';
import type { OutputValue } from '../drivers/driver.js';
import type { Model } from '../model/model.js';
import { BUNDLE_FORMAT, type Manifest, type ManifestCase } from './export.js';
import { decodeNpy, NpyError } from './npy.js';

export class BundleError extends Error {
  override readonly name = 'BundleError';
}

export function readManifest(dir: string): Manifest {
  const file = join(dir, 'manifest.json');
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    throw new BundleError(`${file}: cannot read the bundle manifest: ${(e as Error).message}`);
  }
  if (m.format !== BUNDLE_FORMAT || !Array.isArray(m.cases)) throw new BundleError(`${file}: not an nnlstm device bundle manifest`);
  return m;
}

function readNpyFile(file: string, what: string): ReturnType<typeof decodeNpy> {
  if (!existsSync(file)) throw new MalformedOutputError(`${what}: no result file ${file}`);
  try {
    return decodeNpy(readFileSync(file));
  } catch (e) {
    if (e instanceof NpyError) throw new MalformedOutputError(`${what}: ${file}: ${e.message}`);
    throw e;
  }
}

function judge(bundleDir: string, resultsDir: string, c: ManifestCase, profiles: boolean): CaseResult {
  const t0 = performance.now();
  const res: CaseResult = {
    id: c.id,
    kind: 'positive',
    group: c.group as Group,
    tags: c.tags as Group[],
    status: 'error',
    features: c.features as CaseFeatures,
    provenance: typeof c.provenance['kind'] === 'string' ? (c.provenance['kind'] as string) : null,
    maxAbsError: null,
    maxRatio: null,
    worst: null,
    reason: null,
    durationMs: 0,
  };
  try {
    const model = JSON.parse(readFileSync(join(bundleDir, c.model), 'utf8')) as Model;
    const expected = new Map<number, ExpectedOutput>();
    const actual: OutputValue[] = [];
    for (const o of c.outputs) {
      const file = join(resultsDir, o.result);
      if (o.ignored) {
        // Optional; shape and values are not compared.
        const got = existsSync(file) ? readNpyFile(file, `output ${o.index} (${o.name})`) : undefined;
        actual.push({ index: o.index, dimensions: got ? got.shape : o.shape, values: got ? got.data : new Float32Array(o.shape.reduce((a, b) => a * b, 1)) });
        continue;
      }
      const exp = decodeNpy(readFileSync(join(bundleDir, c.dir, o.expected!)));
      expected.set(o.index, { dimensions: exp.shape, values: exp.data });
      const got = readNpyFile(file, `output ${o.index} (${o.name})`);
      if (got.descr !== o.dtype) throw new MalformedOutputError(`output ${o.index} (${o.name}): ${file} holds ${got.descr}, the output is ${o.dtype}`);
      actual.push({ index: o.index, dimensions: got.shape, values: got.data });
    }
    const cmp = compareWithExpected(model, expected, actual);
    res.outputs = cmp.outputs;
    res.maxAbsError = cmp.maxAbsError;
    res.maxRatio = cmp.maxRatio;
    res.worst = cmp.worst ? { ...cmp.worst, outputName: model.operands[cmp.worst.outputIndex]?.name ?? '?' } : null;
    if (profiles) res.errorProfile = errorProfile(model, actual, expected);
    res.status = cmp.pass ? 'pass' : 'fail';
    if (!cmp.pass) res.reason = cmp.reason ?? 'outputs differ';
  } catch (e) {
    res.status = 'error';
    res.reason = e instanceof MalformedOutputError ? `malformed output: ${e.message}` : `cannot judge: ${(e as Error).message}`;
  }
  res.durationMs = Math.round((performance.now() - t0) * 1000) / 1000;
  return res;
}

export interface VerifyOptions {
  /** Only cases whose id contains this (case-insensitive). */
  filter?: string;
  errorProfiles?: boolean;
  onCase?: (index: number, total: number, r: CaseResult) => void;
}

/** Judges RESULTS_DIR against the bundle in `bundleDir`; the report has the conformance report's form. */
export function verifyBundle(bundleDir: string, resultsDir: string, opts: VerifyOptions = {}): Report {
  const startedAt = new Date();
  const t0 = performance.now();
  const manifest = readManifest(bundleDir);
  if (!existsSync(resultsDir)) throw new BundleError(`results folder ${resultsDir} does not exist`);
  const selected = manifest.cases.filter((c) => !opts.filter || c.id.toLowerCase().includes(opts.filter.toLowerCase()));
  const results = selected.map((c, i) => {
    const r = judge(bundleDir, resultsDir, c, opts.errorProfiles === true);
    opts.onCase?.(i, selected.length, r);
    return r;
  });
  const { totals, groups } = summarizeResults(results);
  return {
    schemaVersion: 1,
    tool: { name: 'nnlstm', version: TOOL_VERSION },
    driver: { name: `results:${resultsDir}`, capabilities: null },
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    filter: opts.filter ?? null,
    totals,
    groups,
    results,
  };
}
