/** Captures what the CLI writes to stdout and stderr during each test of the calling file. */
import { afterEach, beforeEach, vi } from 'vitest';

export interface CapturedOutput {
  /** stdout of the current test so far. */
  out: string;
  /** stderr of the current test so far. */
  err: string;
}

export function captureOutput(): CapturedOutput {
  const io: CapturedOutput = { out: '', err: '' };
  beforeEach(() => {
    io.out = '';
    io.err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((io.out += String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((io.err += String(s)), true));
  });
  afterEach(() => vi.restoreAllMocks());
  return io;
}
