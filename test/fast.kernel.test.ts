/** The committed WebAssembly module is the assembly of the committed kernel.wat (npm run build:wasm). */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../src/util/paths.js';
import { relaxedSimdSupported, simdSupported } from '../src/ops/fast/kernel.js';

describe('fast-path kernel module', () => {
  it('kernel-wasm.generated.ts is up to date with kernel.wat (assembled with the wabt npm package)', () => {
    const r = spawnSync(process.execPath, [fromRoot('src', 'ops', 'fast', 'build-kernel.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('SIMD128 validates on this runtime; the relaxed-SIMD variant only behind the flag', () => {
    expect(simdSupported()).toBe(true);
    // Node 20 without --experimental-wasm-relaxed-simd: the FMA variant must not validate (so it can only be opt-in).
    if (process.versions.node.startsWith('20.') && !process.execArgv.includes('--experimental-wasm-relaxed-simd')) {
      expect(relaxedSimdSupported()).toBe(false);
    }
  });
});
