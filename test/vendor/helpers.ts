/** Shared set-up of the vendor-driver tests: the Python interpreter, the C example build, case sets. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCases, type Case } from '../../src/conformance/cases.js';
import { fromRoot } from '../../src/util/paths.js';

/** The real interpreter behind `python3` (a version-manager shim costs ~0.3 s per start). */
export function python(): string | undefined {
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export const PYTHON_DRIVER = fromRoot('examples', 'python', 'lstm_driver.py');
export const FAULTY_DRIVER = fromRoot('test', 'vendor', 'fixtures', 'faulty_driver.py');
export const C_DRIVER_SOURCE = fromRoot('examples', 'c', 'lstm_driver.c');

/** Builds the C example with the system compiler; a string says why it could not. */
export function buildCDriver(): { path: string } | { skip: string } {
  const cc = ['cc', 'gcc', 'clang'].find((c) => spawnSync(c, ['--version']).status === 0);
  if (!cc) return { skip: 'no C compiler (cc, gcc or clang) on this machine' };
  const out = join(mkdtempSync(join(tmpdir(), 'nnlstm-c-driver-')), 'lstm_driver');
  try {
    execFileSync(cc, ['-O2', '-std=c11', '-Wall', '-Wextra', '-Werror', '-o', out, C_DRIVER_SOURCE, '-lm'], { stdio: 'pipe' });
  } catch (e) {
    return { skip: `${cc} could not build ${C_DRIVER_SOURCE}: ${String((e as { stderr?: Buffer }).stderr ?? e)}` };
  }
  return { path: out };
}

let cached: Case[] | undefined;
export function allCases(): Case[] {
  cached ??= loadCases();
  return cached;
}

/** The case's model is an LSTM (the float32 LSTM conformance of the example drivers). */
export function isLstm(c: Case): boolean {
  return c.model.operations.length === 1 && c.model.operations[0]!.type === 'LSTM';
}

export function isFloat32Lstm(c: Case): boolean {
  return isLstm(c) && c.model.operands.every((o) => o.type !== 'TENSOR_FLOAT16' && o.type !== 'FLOAT16');
}
