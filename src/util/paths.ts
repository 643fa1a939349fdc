import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/** The package root (the folder holding package.json), whether running from src/ or dist/. */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'spec'))) {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('nnlstm: cannot locate the package root (package.json + spec/)');
    dir = parent;
  }
}

export function fromRoot(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}

/** ../shared beside the repository, or NNLSTM_SHARED; undefined when absent. */
export function sharedDir(): string | undefined {
  const candidates = [process.env['NNLSTM_SHARED'], resolve(packageRoot(), '..', 'shared')];
  for (const c of candidates) if (c && existsSync(join(c, 'vectors'))) return c;
  return undefined;
}
