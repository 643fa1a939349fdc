/**
 * nnlstm/suite ships the case documents as a module (scripts/gen-suite-module.mjs, run by every build):
 * its cases must be the ones read from golden/ and conformance/negative/, document for document.
 */
import { describe, expect, it } from 'vitest';
import { listJsonFiles, loadCases } from '../../src/conformance/cases.js';
import { readJsonFile } from '../../src/model/load-file.js';
import { suiteCases, suiteDocuments } from '../../src/suite.js';
import { fromRoot } from '../../src/util/paths.js';

describe('nnlstm/suite', () => {
  it('holds every golden and negative file, with the same content (rebuild when this fails: npm run build)', () => {
    const files = [...listJsonFiles(fromRoot('golden')), ...listJsonFiles(fromRoot('conformance', 'negative'))];
    const docs = new Map(suiteDocuments().map((d) => [d.path, d.data]));
    expect([...docs.keys()].sort()).toEqual(files.map((f) => f.slice(fromRoot().length + 1)).sort());
    for (const f of files) expect(docs.get(f.slice(fromRoot().length + 1)), f).toEqual(readJsonFile(f));
  });
  it('gives the same cases as the folders: ids, order, kinds, groups, tags, features and models', () => {
    const strip = (c: { file: string }) => ({ ...c, file: undefined });
    expect(suiteCases().map(strip)).toEqual(loadCases().map(strip));
  });
});
