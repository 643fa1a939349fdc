/**
 * Imports AOSP CTS vectors (../shared/vectors/aosp/V1_x/*.json) as golden files
 * golden/aosp/<feature matrix>-<AOSP registered name>.json.
 *
 *   node dist/tools/import-aosp.js [--shared DIR] [--out DIR] [--operations LSTM,UNIDIRECTIONAL_SEQUENCE_LSTM]
 *
 * The model is kept as it is in the source (operand values untouched); only extraction metadata
 * is dropped (per operand: opInputPosition, opOutputPosition, numberOfConsumers; top level:
 * source → provenance, variant → provenance, operation → golden `operation`, harness → derived).
 * Output is deterministic; files of the imported operations that the source no longer yields are
 * removed, files of other operations or other provenance are left alone.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Model, Operand, Provenance } from '../model/model.js';
import { checkModelStructure, checkSchema } from '../model/load.js';
import { readJsonFile } from '../model/load-file.js';
import { activationName, featureTags, modelFeatures, type CaseFeatures } from '../conformance/features.js';
import { featureSlug } from '../conformance/features.js';
import { GOLDEN_SCHEMA_REF, renderGolden, type GoldenFile } from '../conformance/golden-format.js';
import { modelToleranceName } from '../conformance/tolerance.js';
import { fromRoot, sharedDir } from '../util/paths.js';

export const DEFAULT_OPERATIONS: readonly string[] = ['LSTM', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'BIDIRECTIONAL_SEQUENCE_LSTM', 'QUANTIZED_LSTM', 'QUANTIZED_16BIT_LSTM'];

/** The ../shared vector JSON (model fields plus extraction metadata). */
export interface AospVector extends Model {
  source: {
    repo: string;
    path: string;
    spec: string;
    license: string;
    mirror: string;
    commit: string;
    function?: string;
    registeredName: string;
  };
  variant?: string;
  operation: string;
  harness?: { comparison?: string; [k: string]: unknown };
}

const DROPPED_OPERAND_KEYS = new Set(['opInputPosition', 'opOutputPosition', 'numberOfConsumers']);
const DROPPED_MODEL_KEYS = new Set(['source', 'variant', 'operation', 'harness']);

export class ImportError extends Error {
  override readonly name = 'ImportError';
}

function stripOperand(op: Operand): Operand {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(op)) if (!DROPPED_OPERAND_KEYS.has(k)) out[k] = v;
  return out as unknown as Operand;
}

/** The model of a vector without the extraction metadata. */
export function modelOfVector(v: AospVector): Model {
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) if (!DROPPED_MODEL_KEYS.has(k)) out[k] = val;
  const m = out as Model;
  m.operands = v.operands.map(stripOperand);
  return m;
}

function yesNo(b: unknown, yes: string, no: string): string {
  return b ? yes : no;
}

/** One readable sentence of the features, for `description`. */
export function describeFeatures(f: CaseFeatures): string {
  if (f.operation !== 'LSTM') return `${f.operation} ${f.dtype}${f.relaxed ? ' (relaxed)' : ''}`;
  const parts = [
    `LSTM ${f.dtype}${f.relaxed ? ' relaxed' : ''}`,
    yesNo(f['cifg'], 'CIFG', 'no CIFG'),
    yesNo(f['peephole'], 'peephole', 'no peephole'),
    f['projection'] ? (f['projectionBias'] ? 'projection with bias' : 'projection without bias') : 'no projection',
    yesNo(f['layerNorm'], 'layer norm', 'no layer norm'),
    `activation ${activationName(f['activation'] as number)} (${String(f['activation'])})`,
    `cell_clip ${String(f['cellClip'])}`,
    `proj_clip ${String(f['projClip'])}`,
    `batch ${String(f['batchSize'])}, input ${String(f['inputSize'])}, units ${String(f['numUnits'])}, output ${String(f['outputSize'])}`,
  ];
  return parts.join(', ');
}

/** Turns one vector into a golden file. `file` is the vector's path inside ../shared. */
export function goldenFromVector(v: AospVector, file: string): GoldenFile {
  const model = modelOfVector(v);
  checkModelStructure(model, file);
  const op = model.operations[0]?.type;
  if (model.operations.length !== 1 || op !== v.operation) {
    throw new ImportError(`${file}: expected one ${v.operation} operation, found ${model.operations.map((o) => o.type).join(', ')}`);
  }
  const features = modelFeatures(model);
  const tolerance = modelToleranceName(model);
  const declared = v.harness?.comparison;
  if (typeof declared === 'string' && !declared.startsWith(`${tolerance} criterion`) && tolerance !== 'integer') {
    throw new ImportError(`${file}: the source says "${declared}" but the model implies the ${tolerance} criterion`);
  }
  const s = v.source;
  const provenance: Provenance = {
    kind: 'aosp-cts',
    file,
    repo: s.repo,
    path: s.path,
    spec: s.spec,
    commit: s.commit,
    mirror: s.mirror,
    license: s.license,
    registeredName: s.registeredName,
  };
  if (s.function !== undefined) provenance['function'] = s.function;
  if (v.variant !== undefined) provenance['variant'] = v.variant;
  const name = `${featureSlug(features)}-${s.registeredName}`;
  const ignored = model.outputIndexes.map((i) => model.operands[i]!).filter((o) => o.isIgnored).map((o) => o.role ?? o.name);
  const state = featureTags(features, model).includes('state') ? ' Non-zero initial state (a later step of a sequence).' : '';
  const description =
    `AOSP CTS example ${s.registeredName} (${s.spec}): ${describeFeatures(features)}.${state}` +
    (ignored.length ? ` Ignored outputs: ${ignored.join(', ')}.` : '');
  const golden: GoldenFile = {
    $schema: GOLDEN_SCHEMA_REF,
    name,
    description,
    operation: v.operation,
    features,
    provenance,
    tolerance,
    model,
  };
  checkSchema('golden', golden, `golden for ${file}`);
  return golden;
}

export interface ImportOptions {
  /** ../shared (default: sharedDir()). */
  shared?: string;
  /** Output folder (default: golden/aosp in the package). */
  outDir?: string;
  /** Operations to import (default: ['LSTM']). */
  operations?: readonly string[];
  /** Remove stale aosp-cts files of the imported operations (default true). */
  clean?: boolean;
}

export interface ImportedGolden {
  name: string;
  /** Vector path inside ../shared. */
  source: string;
  /** Path written. */
  path: string;
  text: string;
}

/** Every vector of the given operations, as golden files (sorted by name), without writing. */
export function buildAospGoldens(shared: string, operations: readonly string[] = DEFAULT_OPERATIONS): ImportedGolden[] {
  const root = join(shared, 'vectors', 'aosp');
  if (!existsSync(root)) throw new ImportError(`no AOSP vectors at ${root}`);
  const out: ImportedGolden[] = [];
  const seen = new Map<string, string>();
  for (const dir of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const f of readdirSync(join(root, dir)).filter((n) => n.endsWith('.json')).sort()) {
      const abs = join(root, dir, f);
      const v = readJsonFile(abs) as AospVector;
      if (!operations.includes(v.operation)) continue;
      const file = relative(shared, abs).split('\\').join('/');
      checkSchema('model', v, file);
      const g = goldenFromVector(v, file);
      const prev = seen.get(g.name);
      if (prev) throw new ImportError(`${file} and ${prev} both map to ${g.name}`);
      seen.set(g.name, file);
      out.push({ name: g.name, source: file, path: '', text: renderGolden(g) });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Imports and writes golden files; returns what was written. */
export function importAosp(opts: ImportOptions = {}): ImportedGolden[] {
  const shared = opts.shared ?? sharedDir();
  if (!shared) throw new ImportError('../shared not found (set NNLSTM_SHARED)');
  const operations = opts.operations ?? DEFAULT_OPERATIONS;
  const outDir = opts.outDir ?? fromRoot('golden', 'aosp');
  const goldens = buildAospGoldens(shared, operations);
  mkdirSync(outDir, { recursive: true });
  const names = new Set(goldens.map((g) => `${g.name}.json`));
  if (opts.clean !== false) {
    for (const f of readdirSync(outDir).filter((n) => n.endsWith('.json') && !names.has(n))) {
      const p = join(outDir, f);
      try {
        const old = JSON.parse(readFileSync(p, 'utf8')) as { operation?: string; provenance?: { kind?: string } };
        if (old.provenance?.kind === 'aosp-cts' && typeof old.operation === 'string' && operations.includes(old.operation)) rmSync(p);
      } catch {
        /* not ours to judge: leave it */
      }
    }
  }
  for (const g of goldens) {
    g.path = join(outDir, `${g.name}.json`);
    writeFileSync(g.path, g.text);
  }
  return goldens;
}

function main(argv: string[]): number {
  const opts: ImportOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new ImportError(`${a} needs a value`);
      return v;
    };
    if (a === '--shared') opts.shared = val();
    else if (a === '--out') opts.outDir = val();
    else if (a === '--operations') opts.operations = val().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--no-clean') opts.clean = false;
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node dist/tools/import-aosp.js [--shared DIR] [--out DIR] [--operations LSTM,...] [--no-clean]\n');
      return 0;
    } else throw new ImportError(`unknown argument ${a}`);
  }
  const written = importAosp(opts);
  process.stdout.write(`wrote ${written.length} golden files to ${relative(process.cwd(), opts.outDir ?? fromRoot('golden', 'aosp')) || '.'}\n`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`import-aosp: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
