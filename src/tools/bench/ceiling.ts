/**
 * The machine's ceiling for WebAssembly SIMD128, measured in the bench run itself: what no f32x4 kernel
 * can beat here, so a target against a native peer (ORT's AVX2/AVX-512 kernels) can be read against it.
 *
 * - Arithmetic peak: a register-only loop of 12 independent accumulators, `c = c + x·w` as
 *   f32x4.mul then f32x4.add (what the bit-exact fast path issues per multiply-add), and the same with
 *   f32x4.relaxed_madd where the runtime has relaxed SIMD. No loads: an upper bound for any kernel.
 * - Read bandwidth: a v128 load-and-add stream over 16 MB and 64 MB (W3's 25 MB of weights sit
 *   between the two).
 *
 * The probe is assembled from WAT with the `wabt` package (a devDependency, like the bench's peers).
 */

export interface Ceiling {
  /** GFLOP/s of the register-only f32x4 mul + add loop (median of the samples, and the best). */
  mulAddGflops: { median: number; max: number };
  /** The same with f32x4.relaxed_madd, or null without relaxed SIMD in this runtime. */
  fmaGflops: { median: number; max: number } | null;
  /** GB/s of a v128 read stream over the given number of MiB. */
  readGBps: { mib: number; median: number; max: number }[];
}

// The project's lib is ES2022 without DOM: the few WebAssembly JS API calls used here, typed.
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (desc: { initial: number }) => { readonly buffer: ArrayBuffer };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const ACCUMULATORS = 12;

function peakWat(fma: boolean): string {
  const locals = Array.from({ length: ACCUMULATORS }, (_, i) => `(local $c${i} v128)`).join(' ');
  const body = Array.from({ length: ACCUMULATORS }, (_, i) =>
    fma
      ? `(local.set $c${i} (f32x4.relaxed_madd (local.get $x) (local.get $w${i % 2}) (local.get $c${i})))`
      : `(local.set $c${i} (f32x4.add (local.get $c${i}) (f32x4.mul (local.get $x) (local.get $w${i % 2}))))`,
  ).join('\n');
  let sum = '(local.get $c0)';
  for (let i = 1; i < ACCUMULATORS; i++) sum = `(f32x4.add ${sum} (local.get $c${i}))`;
  // x·w stays near 1 and every c grows by ≈ 1 per iteration: no denormals, no overflow in 2^24 iterations.
  return `(module
  (func (export "peak") (param $n i32) (result f32)
    (local $x v128) (local $w0 v128) (local $w1 v128) ${locals}
    (local.set $x (f32x4.splat (f32.const 1.0000001)))
    (local.set $w0 (f32x4.splat (f32.const 0.999999)))
    (local.set $w1 (f32x4.splat (f32.const 1.0000002)))
    (loop $l
      ${body}
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (f32x4.extract_lane 0 ${sum})))`;
}

const READ_WAT = `(module (import "env" "memory" (memory 1))
  (func (export "read") (param $p i32) (param $n i32) (result f32)
    (local $end i32) (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local.set $end (i32.add (local.get $p) (local.get $n)))
    (loop $l
      (local.set $a (f32x4.add (local.get $a) (v128.load (local.get $p))))
      (local.set $b (f32x4.add (local.get $b) (v128.load offset=16 (local.get $p))))
      (local.set $c (f32x4.add (local.get $c) (v128.load offset=32 (local.get $p))))
      (local.set $d (f32x4.add (local.get $d) (v128.load offset=48 (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 64)))
      (br_if $l (i32.lt_u (local.get $p) (local.get $end))))
    (f32x4.extract_lane 0 (f32x4.add (f32x4.add (local.get $a) (local.get $b)) (f32x4.add (local.get $c) (local.get $d))))))`;

interface Wabt {
  parseWat(name: string, text: string, features: Record<string, boolean>): { validate(): void; toBinary(o: object): { buffer: Uint8Array }; destroy(): void };
}

async function assemble(text: string, features: Record<string, boolean>): Promise<Uint8Array> {
  const wabt = (await (await import('wabt' as string)).default()) as Wabt;
  const m = wabt.parseWat('ceiling.wat', text, features);
  try {
    m.validate();
    return m.toBinary({}).buffer;
  } finally {
    m.destroy();
  }
}

/** Median and max of `samples` runs of `f`, each returning a rate. */
function rates(samples: number, f: () => number): { median: number; max: number } {
  const xs = Array.from({ length: samples }, f).sort((a, b) => a - b);
  return { median: xs[samples >> 1]!, max: xs[samples - 1]! };
}

function instantiate(bytes: Uint8Array, imports: Record<string, Record<string, unknown>> = {}): Record<string, (...a: number[]) => number> {
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), imports).exports as Record<string, (...a: number[]) => number>;
}

/** Measures the ceiling (a few seconds). `samples` ≥ 5. */
export async function measureCeiling(samples = 15): Promise<Ceiling> {
  const peakOf = (bytes: Uint8Array): { median: number; max: number } => {
    const peak = instantiate(bytes)['peak']!;
    const n = 1 << 21;
    peak(n);
    return rates(samples, () => {
      const t0 = performance.now();
      peak(n);
      return (n * ACCUMULATORS * 8) / (performance.now() - t0) / 1e6;
    });
  };
  const mulAddGflops = peakOf(await assemble(peakWat(false), { simd: true }));
  let fmaGflops: Ceiling['fmaGflops'] = null;
  const fmaBytes = await assemble(peakWat(true), { simd: true, relaxed_simd: true });
  if (WebAssembly.validate(fmaBytes)) fmaGflops = peakOf(fmaBytes);

  const readBytes = await assemble(READ_WAT, { simd: true });
  const mibs = [16, 64];
  const memory = new WebAssembly.Memory({ initial: ((Math.max(...mibs) << 20) >> 16) + 1 });
  new Float32Array(memory.buffer).fill(1e-3);
  const read = instantiate(readBytes, { env: { memory } })['read']!;
  const readGBps = mibs.map((mib) => {
    const n = mib << 20;
    const reps = Math.max(1, Math.round(64 / mib));
    read(0, n);
    return {
      mib,
      ...rates(samples, () => {
        const t0 = performance.now();
        for (let r = 0; r < reps; r++) read(0, n);
        return (n * reps) / (performance.now() - t0) / 1e6;
      }),
    };
  });
  return { mulAddGflops, fmaGflops, readGBps };
}

/**
 * A target against a native peer read against the ceiling: the peer's GFLOP/s as a multiple of the
 * peak, and the shares of the peak that the target needs and that the fast path sustained.
 */
export function shareOfPeak(peakGflops: number, peerGflops: number, fastGflops: number, targetRatio: number): { peerOverPeak: number; need: number; ran: number } {
  return { peerOverPeak: peerGflops / peakGflops, need: (targetRatio * peerGflops) / peakGflops, ran: fastGflops / peakGflops };
}
