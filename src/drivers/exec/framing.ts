/**
 * Frames of the exec-driver protocol (spec/driver-protocol.md §Frames):
 *
 *   offset 0   4 bytes  magic "NNLD"
 *   offset 4   u32 LE   header length H (2 ≤ H ≤ MAX_HEADER)
 *   offset 8   u32 LE   payload length P (P ≤ MAX_PAYLOAD)
 *   offset 12  H bytes  header: a UTF-8 JSON object
 *   offset 12+H P bytes payload: raw little-endian tensor bytes, referenced from the header
 *
 * The decoder is incremental and counts bytes from the start of the stream, so that every error
 * names the byte offset of the frame (and of the fault) in the driver's stdout.
 */

export const MAGIC = Buffer.from('NNLD', 'latin1');
export const PREFIX_BYTES = 12;
export const MAX_HEADER = 16 * 1024 * 1024;
export const MAX_PAYLOAD = 1024 * 1024 * 1024;

export interface Frame {
  header: Record<string, unknown>;
  payload: Buffer;
  /** Byte offset of the frame's first byte in the stream. */
  offset: number;
  /** Sequence number of the frame in the stream (0-based). */
  index: number;
}

/** A frame that cannot be decoded. `offset` is the stream offset of the offending frame. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
  constructor(
    message: string,
    readonly offset: number,
    readonly frameIndex: number,
  ) {
    super(message);
  }
}

export function encodeFrame(header: object, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(PREFIX_BYTES);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(h.length, 4);
  prefix.writeUInt32LE(payload.byteLength, 8);
  return Buffer.concat([prefix, h, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)]);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function hex(b: Buffer): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** Incremental decoder: push() chunks, get complete frames; throws FrameError on a bad frame. */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Stream offset of the first buffered byte. */
  private base = 0;
  private frames = 0;
  private failed: FrameError | undefined;

  /** Bytes received so far. */
  get received(): number {
    return this.base + this.buffered;
  }

  /** True when part of a frame is buffered. */
  get partial(): boolean {
    return this.buffered > 0;
  }

  push(chunk: Buffer): Frame[] {
    if (this.failed) throw this.failed;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Frame[] = [];
    for (;;) {
      const f = this.next();
      if (!f) break;
      out.push(f);
    }
    return out;
  }

  /** The stream ended: a partial frame is a truncation error (returned, not thrown). */
  end(): FrameError | undefined {
    if (this.failed) return this.failed;
    if (this.buffered === 0) return undefined;
    const buf = this.flat();
    let want = 'its 12-byte prefix';
    if (buf.length >= PREFIX_BYTES && buf.subarray(0, 4).equals(MAGIC)) {
      want = `${PREFIX_BYTES + buf.readUInt32LE(4) + buf.readUInt32LE(8)} bytes (header ${buf.readUInt32LE(4)}, payload ${buf.readUInt32LE(8)})`;
    }
    return this.fail(`truncated frame: the stream ended after ${buf.length} byte(s) of frame #${this.frames}, which needs ${want}`, this.base);
  }

  private flat(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private fail(message: string, offset: number): FrameError {
    this.failed = new FrameError(message, offset, this.frames);
    return this.failed;
  }

  private next(): Frame | undefined {
    if (this.buffered < PREFIX_BYTES) return undefined;
    const buf = this.flat();
    const at = this.base;
    if (!buf.subarray(0, 4).equals(MAGIC)) {
      throw this.fail(`bad magic ${hex(buf.subarray(0, 4))} (expected 4e 4e 4c 44 "NNLD") at the start of frame #${this.frames}`, at);
    }
    const h = buf.readUInt32LE(4);
    const p = buf.readUInt32LE(8);
    if (h < 2 || h > MAX_HEADER) throw this.fail(`header length ${h} out of range [2, ${MAX_HEADER}] in frame #${this.frames}`, at);
    if (p > MAX_PAYLOAD) throw this.fail(`payload length ${p} exceeds ${MAX_PAYLOAD} in frame #${this.frames}`, at);
    const total = PREFIX_BYTES + h + p;
    if (buf.length < total) return undefined;
    let header: unknown;
    try {
      header = JSON.parse(utf8.decode(buf.subarray(PREFIX_BYTES, PREFIX_BYTES + h)));
    } catch (e) {
      throw this.fail(`header of frame #${this.frames} is not UTF-8 JSON: ${(e as Error).message}`, at);
    }
    if (header === null || typeof header !== 'object' || Array.isArray(header)) {
      throw this.fail(`header of frame #${this.frames} is not a JSON object`, at);
    }
    // Copy the payload out: the stream buffer is reused.
    const payload = Buffer.from(buf.subarray(PREFIX_BYTES + h, total));
    const rest = buf.subarray(total);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    this.base += total;
    return { header: header as Record<string, unknown>, payload, offset: at, index: this.frames++ };
  }
}
