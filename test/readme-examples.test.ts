/**
 * The README's CLI examples (`$ npx nnlstm …` lines in its text blocks) are what the CLI prints today: each one is run
 * from the built package and every line the README shows must appear in the real output, in order. Lines the README
 * elides (`...`, `…`) are skipped; measured values that vary by machine (times, and the digits of floating-point
 * numbers, which ONNX Runtime's and TFLite's kernels round differently per CPU) are masked, so counts, verdicts, rule
 * ids, shapes and names are checked exactly. Examples that need ../shared skip with a message when it is absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot, sharedDir } from '../src/util/paths.js';

interface Example {
  line: number;
  args: string[];
  expected: string[];
}

/** The `$ npx nnlstm` examples of the README's ```text blocks, with the lines shown after each. */
function examples(readme: string): Example[] {
  const out: Example[] = [];
  const lines = readme.split('\n');
  let inText = false;
  let cur: Example | undefined;
  lines.forEach((l, k) => {
    if (l.startsWith('```')) {
      inText = !inText && l.trim() === '```text';
      cur = undefined;
      return;
    }
    if (!inText) return;
    if (l.startsWith('$ ')) {
      cur = undefined;
      if (l.startsWith('$ npx nnlstm ')) {
        cur = { line: k + 1, args: l.slice('$ npx nnlstm '.length).trim().split(/\s+/), expected: [] };
        out.push(cur);
      }
      return;
    }
    cur?.expected.push(l);
  });
  return out;
}

/** Times and floating-point digits masked; trailing spaces dropped. */
const mask = (s: string): string =>
  s
    .replace(/\b\d+(?:\.\d+)?\s?(?:s|ms)\b/g, '#s')
    .replace(/-?\b\d+\.\d+(?:e[-+]?\d+)?\b|-?\b\d+e[-+]?\d+\b/gi, '#')
    .trimEnd();

const elided = (l: string): boolean => /^\s*(\.\.\.|…)/.test(l) || l.trim() === '';

const built = existsSync(fromRoot('dist', 'cli', 'main.js'));
const shared = sharedDir();
const all = examples(readFileSync(fromRoot('README.md'), 'utf8'));

describe.skipIf(!built)('README CLI examples print what the README shows', () => {
  it('finds the examples', () => {
    expect(all.length).toBeGreaterThanOrEqual(7);
  });
  for (const ex of all) {
    const needsShared = ex.args.some((a) => a.startsWith('../shared/'));
    const title = `README line ${ex.line}: nnlstm ${ex.args.join(' ')}`;
    it.skipIf(needsShared && !shared)(needsShared && !shared ? `${title} (skipped: ../shared is absent)` : title, () => {
      let args = ex.args;
      let outDir: string | undefined;
      let shownOut: string | undefined;
      const o = args.indexOf('--out');
      if (o >= 0) {
        outDir = mkdtempSync(join(tmpdir(), 'nnlstm-readme-'));
        shownOut = args[o + 1]!;
        args = [...args.slice(0, o + 1), outDir, ...args.slice(o + 2)];
      }
      try {
        const r = spawnSync(process.execPath, [fromRoot('bin', 'nnlstm.js'), ...args], { cwd: fromRoot(), encoding: 'utf8', timeout: 120_000 });
        let text = r.stdout + r.stderr;
        if (outDir && shownOut) text = text.split(outDir).join(shownOut);
        const actual = text.split('\n').map(mask);
        let at = 0;
        for (const want of ex.expected.filter((l) => !elided(l)).map(mask)) {
          const found = actual.indexOf(want, at);
          expect(found, `README line ${ex.line}: not printed (in this order): ${want}\n--- actual ---\n${text}`).toBeGreaterThanOrEqual(0);
          at = found + 1;
        }
      } finally {
        if (outDir) rmSync(outDir, { recursive: true, force: true });
      }
    });
  }
});
