/** The exec-driver protocol's building blocks: frames, headers, tensors, command lines, .npy. */
import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy } from '../../src/bundle/npy.js';
import { createProgress } from '../../src/conformance/report.js';
import { BoundedLog } from '../../src/drivers/exec/bounded-log.js';
import { splitCommandLine } from '../../src/drivers/exec/exec-driver.js';
import { encodeFrame, FrameDecoder, FrameError, MAGIC, PREFIX_BYTES } from '../../src/drivers/exec/framing.js';
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

describe('frame decoding is linear in the frame size', () => {
  it('every split of a stream (prefix, header, payload, several frames per chunk) gives the same frames', () => {
    const frames = [encodeFrame({ type: 'a', id: 0 }), encodeFrame({ type: 'b', id: 1 }, new Uint8Array([9, 8, 7, 6, 5])), encodeFrame({ type: 'c', id: 2 }, new Uint8Array(300).map((_, i) => i))];
    const stream = Buffer.concat(frames);
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n) + 1;
    for (let trial = 0; trial < 200; trial++) {
      const d = new FrameDecoder();
      const got = [];
      for (let i = 0; i < stream.length; ) {
        const n = rand(40);
        got.push(...d.push(stream.subarray(i, i + n)));
        i += n;
      }
      expect(got.map((f) => [f.header['type'], f.offset, f.payload.length])).toEqual([
        ['a', 0, 0],
        ['b', frames[0]!.length, 5],
        ['c', frames[0]!.length + frames[1]!.length, 300],
      ]);
      expect([...got[2]!.payload]).toEqual([...new Uint8Array(300).map((_, i) => i)]);
      expect(d.partial).toBe(false);
      expect(d.received).toBe(stream.length);
    }
  });

  it('a 48 MiB payload in 16 KiB chunks decodes in well under a second (the old concatenation took minutes)', () => {
    const size = 48 * 1024 * 1024;
    const payload = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4096) payload[i] = (i / 4096) & 0xff;
    const frame = encodeFrame({ type: 'execute', id: 3 }, payload);
    const d = new FrameDecoder();
    const t0 = performance.now();
    const out = [];
    for (let i = 0; i < frame.length; i += 16 * 1024) out.push(...d.push(frame.subarray(i, i + 16 * 1024)));
    const ms = performance.now() - t0;
    expect(out).toHaveLength(1);
    expect(out[0]!.payload.equals(payload)).toBe(true);
    expect(ms).toBeLessThan(2000);
  });

  it('a truncated frame names what it needed, from the prefix or from the lengths', () => {
    const f = encodeFrame({ type: 'x', id: 0 }, new Uint8Array(10));
    const a = new FrameDecoder();
    a.push(f.subarray(0, 5));
    expect(a.end()!.message).toMatch(/after 5 byte\(s\) of frame #0, which needs its 12-byte prefix/);
    const b = new FrameDecoder();
    b.push(f.subarray(0, PREFIX_BYTES + 3));
    expect(b.end()!.message).toMatch(new RegExp(`after ${PREFIX_BYTES + 3} byte\\(s\\) of frame #0, which needs ${f.length} bytes \\(header \\d+, payload 10\\)`));
  });
});

describe('bounded stderr log', () => {
  it('keeps everything while it fits, then head and tail with the exact count of bytes dropped', () => {
    const log = new BoundedLog(8, 8);
    log.write(Buffer.from('hello'));
    expect(log.text()).toBe('hello');
    log.write(Buffer.from(' world, '));
    expect(log.text()).toBe('hello world, ');
    log.write(Buffer.from('and more and more: the end'));
    expect(log.written).toBe(39);
    expect(log.dropped).toBe(39 - 16);
    expect(log.text()).toBe('hello wo\n[… 23 bytes omitted …]\n the end');
    log.reset();
    expect(log.written).toBe(0);
    expect(log.text()).toBe('');
  });

  it('head and tail are those of the whole stream whatever the chunking (ring buffer)', () => {
    const all = Buffer.from(Array.from({ length: 5000 }, (_, i) => 97 + (i % 26)));
    let seed = 3;
    for (let trial = 0; trial < 100; trial++) {
      const log = new BoundedLog(100, 77);
      for (let i = 0; i < all.length; ) {
        const n = ((seed = (seed * 1103515245 + 12345) >>> 0) % 200) + 1;
        log.write(all.subarray(i, i + n));
        i += n;
      }
      expect(log.text()).toBe(`${all.subarray(0, 100).toString()}\n[… ${5000 - 177} bytes omitted …]\n${all.subarray(5000 - 77).toString()}`);
    }
  });

  it('100 MiB written costs no memory beyond the two buffers, and the cuts fall between characters', () => {
    const log = new BoundedLog(8 * 1024, 8 * 1024);
    const chunk = Buffer.from('é'.repeat(32 * 1024) + 'x'); // 2-byte characters, odd length: cuts land mid-character
    const heap0 = process.memoryUsage().heapUsed;
    let n = 0;
    while (n < 100 * 1024 * 1024) {
      log.write(chunk);
      n += chunk.length;
    }
    expect(log.dropped).toBe(n - 16 * 1024);
    const t = log.text();
    expect(t.length).toBeLessThan(16 * 1024 + 100);
    expect(t).not.toContain('\ufffd');
    expect(t).toMatch(new RegExp(`^é+\\n\\[… ${n - 16 * 1024} bytes omitted …\\]\\n[éx]+$`));
    expect(process.memoryUsage().heapUsed - heap0).toBeLessThan(32 * 1024 * 1024);
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
