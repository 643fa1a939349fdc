/**
 * Float16 through the ONNX Runtime wrapper on engines with Float16Array (Node ≥ 24): onnxruntime-common turns a
 * float16 tensor's Uint16Array into a Float16Array, which onnxruntime-node 1.30's binding cannot read, and hands float16
 * outputs over as Float16Array. The wrapper must feed the bits as a Uint16Array and return output bits, on any engine.
 * Simulated here with a stand-in module whose Tensor behaves as onnxruntime-common does there.
 */
import { describe, expect, it } from 'vitest';
import { wrapOrtModule, type OrtModuleLike, type OrtTensorLike } from '../../src/onnx/runtime.js';

/** A stand-in for the engine's Float16Array: a 16-bit view that says it is one (bits in, here, as the test needs). */
class Float16Array extends Uint16Array {}

class FakeTensor implements OrtTensorLike {
  readonly data: unknown;
  constructor(
    readonly type: string,
    data: unknown,
    readonly dims: readonly number[],
  ) {
    // As onnxruntime-common does where Float16Array exists.
    this.data = type === 'float16' && data instanceof Uint16Array ? new Float16Array(data.buffer as ArrayBuffer, data.byteOffset, data.length) : data;
  }
}

const seen: unknown[] = [];
const fakeOrt: OrtModuleLike = {
  Tensor: FakeTensor as unknown as OrtModuleLike['Tensor'],
  InferenceSession: {
    async create() {
      return {
        inputNames: ['X'],
        outputNames: ['Y'],
        async run(feeds: Record<string, OrtTensorLike>) {
          const x = feeds['X']!.data;
          seen.push(x);
          // The binding of onnxruntime-node 1.30 reads a Float16Array as empty.
          if (x instanceof Float16Array) throw new Error('not enough space: expected 4, got 0');
          const bits = new Uint16Array(x as Uint16Array);
          return { Y: new FakeTensor('float16', bits, [2]) };
        },
      };
    },
  },
};

describe('float16 through wrapOrtModule where the engine has Float16Array', () => {
  it('feeds the bits as a Uint16Array and returns the output bits as a Uint16Array', async () => {
    const rt = wrapOrtModule(fakeOrt, { flavor: 'node', version: 'fake', backend: 'fake' });
    const s = await rt.createSession(new Uint8Array());
    const bits = new Uint16Array([0x3c00, 0xc000]); // 1, −2
    const out = await s.run({ X: { type: 'float16', dims: [2], data: bits } });
    expect(seen.at(-1)).toBeInstanceOf(Uint16Array);
    expect(seen.at(-1)).not.toBeInstanceOf(Float16Array);
    expect(out['Y']!.data).toBeInstanceOf(Uint16Array);
    expect(out['Y']!.data.constructor.name).toBe('Uint16Array');
    expect([...(out['Y']!.data as Uint16Array)]).toEqual([0x3c00, 0xc000]);
  });
});
