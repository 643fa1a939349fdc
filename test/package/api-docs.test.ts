/**
 * docs/api/ is generated from the public entries' TSDoc by TypeDoc (`npm run docs`): a fresh generation
 * must equal the committed one, and every top-level exported declaration must carry documentation.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/paths.js';

const out = mkdtempSync(join(tmpdir(), 'nnlstm-docs-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}

describe('API reference (docs/api)', () => {
  const run = spawnSync(process.execPath, [fromRoot('node_modules', 'typedoc', 'bin', 'typedoc'), '--out', out, '--validation.notDocumented', 'true'], { cwd: fromRoot(), encoding: 'utf8', timeout: 120_000 });
  it('generates without errors', () => {
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });
  it('every top-level exported function, class, interface and type is documented', () => {
    // TypeDoc names members as Entry.Name.member; a top-level declaration has exactly one dot after the entry.
    const undocumented = (run.stdout + run.stderr)
      .split('\n')
      .map((l) => /(\S+) \((Function|Class|Interface|TypeAlias|Variable|CallSignature)\), defined in/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => m[1]!)
      .filter((name) => !/\.__type\b/.test(name) && name.split('.').length === 2);
    expect(undocumented).toEqual([]);
  });
  it('equals the committed docs/api (regenerate with npm run docs)', () => {
    const committed = fromRoot('docs', 'api');
    const a = files(committed).map((f) => relative(committed, f)).sort();
    const b = files(out).map((f) => relative(out, f)).sort();
    expect(b).toEqual(a);
    for (const f of a) expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(committed, f), 'utf8'));
  });
});
