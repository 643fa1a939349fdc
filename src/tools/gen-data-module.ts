/**
 * Renders src/model/data.generated.ts: the operation specs (spec/*.json), the JSON Schemas
 * (spec/schema/*.json) and the default deviations policy (conformance/policies/deviations.json) as
 * one ES module, so the library reads its spec data without a file system (browsers, bundlers).
 * `npm run gen` writes it; test/spec.test.ts fails when the committed copy is stale.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fromRoot } from '../util/paths.js';

const readJson = (...parts: string[]): unknown => JSON.parse(readFileSync(fromRoot(...parts), 'utf8'));

/** JSON text embedded as a string literal: JSON.parse of a literal is the fastest way to load it. */
const literal = (v: unknown): string => JSON.stringify(JSON.stringify(v));

const specFiles = (): string[] =>
  readdirSync(fromRoot('spec'))
    .filter((f) => f.endsWith('.json'))
    .sort();

/** spec/*.json as they are on disk now (the generator renders from these, not from a stale module). */
export function specDocumentsFromFiles(): Record<string, unknown> {
  return Object.fromEntries(specFiles().map((f) => [f.replace(/\.json$/, ''), readJson('spec', f)]));
}

/** The other formats whose operator specs live in spec/<format>/*.json (ONNX, WebNN). */
export const SPEC_FORMATS = ['onnx', 'webnn'] as const;

const formatSpecFiles = (format: string): string[] =>
  existsSync(fromRoot('spec', format))
    ? readdirSync(fromRoot('spec', format))
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];

/** spec/onnx/*.json and spec/webnn/*.json as they are on disk now, keyed by format, then file name without .json. */
export function formatSpecDocumentsFromFiles(): Record<(typeof SPEC_FORMATS)[number], Record<string, unknown>> {
  const out = {} as Record<(typeof SPEC_FORMATS)[number], Record<string, unknown>>;
  for (const format of SPEC_FORMATS) out[format] = Object.fromEntries(formatSpecFiles(format).map((f) => [f.replace(/\.json$/, ''), readJson('spec', format, f)]));
  return out;
}

export function renderDataModule(): string {
  const specs = specFiles();
  const schemas = readdirSync(fromRoot('spec', 'schema'))
    .filter((f) => f.endsWith('.schema.json'))
    .sort();
  const lines = [
    '// GENERATED from spec/*.json, spec/schema/*.json and conformance/policies/deviations.json by `npm run gen` — do not edit.',
    '// A test fails when stale.',
    '',
    '/** spec/<OPERATION>.json, keyed by operation. */',
    'export const SPEC_DOCUMENTS: Readonly<Record<string, unknown>> = Object.freeze({',
    ...specs.map((f) => `  ${f.replace(/\.json$/, '')}: JSON.parse(${literal(readJson('spec', f))}) as unknown,`),
    '});',
    '',
    '/** spec/schema/<name>.schema.json, keyed by file name. */',
    'export const SCHEMA_DOCUMENTS: Readonly<Record<string, unknown>> = Object.freeze({',
    ...schemas.map((f) => `  '${f}': JSON.parse(${literal(readJson('spec', 'schema', f))}) as unknown,`),
    '});',
    '',
    '/** spec/onnx/*.json and spec/webnn/*.json (other formats\' operator specs), keyed by format, then file name without .json. */',
    "export const FORMAT_SPECS: Readonly<Record<'onnx' | 'webnn', Readonly<Record<string, unknown>>>> = Object.freeze({",
    ...SPEC_FORMATS.flatMap((format) => [
      `  ${format}: Object.freeze({`,
      ...formatSpecFiles(format).map((f) => `    '${f.replace(/\.json$/, '')}': JSON.parse(${literal(readJson('spec', format, f))}) as unknown,`),
      '  }),',
    ]),
    '});',
    '',
    '/** conformance/policies/deviations.json. */',
    `export const DEFAULT_DEVIATIONS_DOCUMENT: unknown = JSON.parse(${literal(readJson('conformance', 'policies', 'deviations.json'))});`,
    '',
  ];
  return lines.join('\n');
}
