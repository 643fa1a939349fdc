/** The exec-driver protocol's building blocks: frames, headers, tensors, command lines, .npy. */
import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy } from '../../src/bundle/npy.js';
import { createProgress } from '../../src/conformance/report.js';
import { capText, splitCommandLine } from '../../src/drivers/exec/exec-driver.js';
import { encodeFrame, FrameDecoder, FrameError, MAGIC } from '../../src/drivers/exec/framing.js';
import { checkHeader, decodeOutputs, decodeValues, encodeExecute, encodePrepare, encodeValues } from '../../src/drivers/exec/protocol.js';
import { tinyModel } from '../helpers/tiny.js';

describe('frames', () => {
  it('round-trip, split across arbitrary chunks, with stream offsets', () => {
    const a = encodeFrame({ type: 'hello', id: 0 });
    const b = encodeFrame({ type: 'execute', id: 1, n: 'é' }, new Uint8Array([1, 2, 3]));
    const stream = Buffer.concat([a, b]);
    expect(stream.subarray(0, 4).equals(MAGIC)).toBe(true);
    for (const size of [1, 3, 7, stream.length]) {
      const d = new FrameDecoder();
      const frames = [];
      for (let i = 0; i < stream.length; i += size) frames.push(...d.push(stream.subarray(i, i + size)));
      expect(frames.map((f) => [f.header['type'], f.offset, f.index, [...f.payload]])).toEqual([
        ['hello', 0, 0, []],
        ['execute', a.length, 1, [1, 2, 3]],
      ]);
      expect(d.end()).toBeUndefined();
    }
  });

  it('a bad magic, an oversized length, bad JSON and a truncated frame are FrameErrors at the frame offset', () => {
    const good = encodeFrame({ type: 'hello', id: 0 });
    const d1 = new FrameDecoder();
    expect(() => d1.push(Buffer.concat([good, Buffer.from('garbage!!!!!!')]))).toThrow(FrameError);
    try {
      new FrameDecoder().push(Buffer.concat([good, Buffer.from('garbage!!!!!!')]));
    } catch (e) {
      expect((e as FrameError).offset).toBe(good.length);
      expect((e as FrameError).message).toMatch(/bad magic 67 61 72 62/);
    }
    const huge = Buffer.from(good);
    huge.writeUInt32LE(0xffffffff, 8);
    expect(() => new FrameDecoder().push(huge)).toThrow(/payload length 4294967295 exceeds/);
    const badJson = Buffer.concat([MAGIC, Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{x}')]);
    expect(() => new FrameDecoder().push(badJson)).toThrow(/not UTF-8 JSON/);
    const d2 = new FrameDecoder();
    d2.push(Buffer.concat([good, good.subarray(0, 15)]));
    const t = d2.end()!;
    expect(t.offset).toBe(good.length);
    expect(t.message).toMatch(/truncated frame: the stream ended after 15 byte\(s\) of frame #1/);
  });
});

describe('headers and tensors', () => {
  it('prepare sends the structure as declared and only constants\' bytes; execute sends inputs, null when omitted', () => {
    const m = tinyModel();
    m.operands[2]!.lifetime = 'CONSTANT_COPY';
    m.inputIndexes = [0, 1];
    const { header, payload } = encodePrepare(7, m);
    expect(checkHeader('prepare', 'Request', header)).toBeNull();
    const ops = (header['model'] as { operands: { data: unknown; omitted: boolean }[] }).operands;
    expect(ops.map((o) => o.data)).toEqual([null, null, { offset: 0, length: 4 }, null, null, null]);
    expect(ops[1]!.omitted).toBe(true);
    expect(payload.readInt32LE(0)).toBe(4);
    const ex = encodeExecute(8, 3, m, [[0.5, -1], null]);
    expect(checkHeader('execute', 'Request', ex.header)).toBeNull();
    expect(ex.header['inputs']).toEqual([{ dimensions: [1, 2], data: { offset: 0, length: 8 } }, null]);
    expect([ex.payload.readFloatLE(0), ex.payload.readFloatLE(4)]).toEqual([0.5, -1]);
  });

  it('responses are checked against the schema; outputs are decoded in their operand type', () => {
    expect(checkHeader('prepare', 'Response', { type: 'prepare', id: 1, status: 'OK', prepared: 2 })).toBeNull();
    expect(checkHeader('prepare', 'Response', { type: 'prepare', id: 1, status: 'OK' })).toMatch(/prepared/);
    expect(checkHeader('prepare', 'Response', { type: 'prepare', id: 1, status: 'BAD_DATA' })).toMatch(/message/);
    expect(checkHeader('hello', 'Response', { type: 'hello', id: 0, status: 'OK', protocol: 1, driver: { name: 'x', version: '1' }, capabilities: { operations: [], operandTypes: [], featureLevel: 3 } })).toBeNull();
    const m = tinyModel();
    const payload = Buffer.concat([encodeValues('TENSOR_FLOAT32', [0.5, -0.25]), encodeValues('TENSOR_FLOAT32', [1, 2, 3, 4, 5, 6])]);
    const outs = decodeOutputs(m, [{ index: 4, dimensions: [1, 2], data: { offset: 0, length: 8 } }, { index: 5, dimensions: [2, 3], data: { offset: 8, length: 24 } }], payload);
    expect(outs.map((o) => Array.from(o.values))).toEqual([[0.5, -0.25], [1, 2, 3, 4, 5, 6]]);
    expect(() => decodeOutputs(m, [{ index: 4, dimensions: [1, 3], data: { offset: 0, length: 8 } }], payload)).toThrow(/8 bytes for dimensions \[1,3\]/);
    expect(() => decodeOutputs(m, [{ index: 9, dimensions: [1], data: { offset: 0, length: 4 } }], payload)).toThrow(/not a model output/);
    expect(Array.from(decodeValues('TENSOR_FLOAT16', encodeValues('TENSOR_FLOAT16', [0.1, 65504])))).toEqual([0.0999755859375, 65504]);
  });
});

describe('helpers', () => {
  it('command lines split like a shell splits words', () => {
    expect(splitCommandLine(`python3 -S "my driver.py" --x='a b' c\\ d`)).toEqual(['python3', '-S', 'my driver.py', '--x=a b', 'c d']);
    expect(() => splitCommandLine('a "b')).toThrow(/unterminated/);
  });
  it('long stderr keeps its head and tail', () => {
    const t = capText('a'.repeat(100) + 'b'.repeat(100), 50);
    expect(t.startsWith('a'.repeat(25))).toBe(true);
    expect(t.endsWith('b'.repeat(25))).toBe(true);
    expect(t).toMatch(/150 characters omitted/);
  });
  it('.npy files round-trip and read what NumPy writes', () => {
    const f = encodeNpy('<f4', [2, 3], [1, 2, 3, 4, 5, 6]);
    expect(f.length % 64).toBe((6 * 4) % 64);
    expect(decodeNpy(f)).toEqual({ descr: '<f4', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) });
    expect(decodeNpy(encodeNpy('<f2', [3], [0.5, 1, -2]))).toMatchObject({ descr: '<f2', shape: [3] });
    expect(decodeNpy(encodeNpy('<i4', [], [7]))).toEqual({ descr: '<i4', shape: [], data: [7] });
  });
  it('progress: a rewritten line on a TTY, nothing otherwise when asked to be quiet', () => {
    let text = '';
    const sink = (tty: boolean) => ({ isTTY: tty, columns: 80, write: (s: string) => ((text += s), true) }) as unknown as NodeJS.WriteStream;
    const quiet = createProgress(sink(false), { quietUnlessTty: true });
    quiet.onProgress({ type: 'start', index: 0, total: 2, id: 'a' });
    quiet.finish();
    expect(text).toBe('');
    const tty = createProgress(sink(true), { quietUnlessTty: true });
    tty.onProgress({ type: 'start', index: 0, total: 2, id: 'a' });
    tty.finish();
    expect(text).toContain('\r\x1b[2K[1/2] a');
  });
});
