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
const EMPTY = Buffer.alloc(0);

function hex(b: Buffer): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Incremental decoder: push() chunks, get complete frames; throws FrameError on a bad frame.
 *
 * Every byte is copied once: the 12-byte prefix into a fixed buffer, then the header and the
 * payload straight into buffers allocated from the prefix's lengths (bounded by MAX_HEADER and
 * MAX_PAYLOAD), so a frame decodes in time linear in its size however it is chunked. The payload
 * buffer is allocated uninitialised (pages are touched only as bytes arrive) and handed out only
 * once it is full.
 */
export class FrameDecoder {
  private readonly prefix = Buffer.alloc(PREFIX_BYTES);
  private prefixFill = 0;
  /** Header and payload of the frame in progress (after a complete prefix). */
  private header: Buffer | undefined;
  private payload: Buffer | undefined;
  private fill = 0;
  /** Stream offset of the first byte of the frame in progress. */
  private base = 0;
  private frames = 0;
  private failed: FrameError | undefined;

  /** Bytes received so far. */
  get received(): number {
    return this.base + this.inFrame();
  }

  /** True when part of a frame is buffered. */
  get partial(): boolean {
    return this.inFrame() > 0;
  }

  private inFrame(): number {
    return this.prefixFill + this.fill;
  }

  push(chunk: Buffer): Frame[] {
    if (this.failed) throw this.failed;
    const out: Frame[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (!this.header) {
        const n = Math.min(PREFIX_BYTES - this.prefixFill, chunk.length - at);
        chunk.copy(this.prefix, this.prefixFill, at, at + n);
        this.prefixFill += n;
        at += n;
        if (this.prefixFill < PREFIX_BYTES) break;
        this.startFrame();
      }
      const h = this.header!;
      const p = this.payload!;
      if (this.fill < h.length) {
        const n = Math.min(h.length - this.fill, chunk.length - at);
        chunk.copy(h, this.fill, at, at + n);
        this.fill += n;
        at += n;
      }
      if (this.fill >= h.length) {
        const n = Math.min(h.length + p.length - this.fill, chunk.length - at);
        chunk.copy(p, this.fill - h.length, at, at + n);
        this.fill += n;
        at += n;
      }
      if (this.fill === h.length + p.length) out.push(this.finishFrame());
    }
    return out;
  }

  /** The stream ended: a partial frame is a truncation error (returned, not thrown). */
  end(): FrameError | undefined {
    if (this.failed) return this.failed;
    const got = this.inFrame();
    if (got === 0) return undefined;
    const want = this.header
      ? `${PREFIX_BYTES + this.header.length + this.payload!.length} bytes (header ${this.header.length}, payload ${this.payload!.length})`
      : 'its 12-byte prefix';
    return this.fail(`truncated frame: the stream ended after ${got} byte(s) of frame #${this.frames}, which needs ${want}`, this.base);
  }

  private fail(message: string, offset: number): FrameError {
    this.failed = new FrameError(message, offset, this.frames);
    return this.failed;
  }

  /** Checks a complete prefix and allocates the frame's header and payload. */
  private startFrame(): void {
    const b = this.prefix;
    if (!b.subarray(0, 4).equals(MAGIC)) {
      throw this.fail(`bad magic ${hex(b.subarray(0, 4))} (expected 4e 4e 4c 44 "NNLD") at the start of frame #${this.frames}`, this.base);
    }
    const h = b.readUInt32LE(4);
    const p = b.readUInt32LE(8);
    if (h < 2 || h > MAX_HEADER) throw this.fail(`header length ${h} out of range [2, ${MAX_HEADER}] in frame #${this.frames}`, this.base);
    if (p > MAX_PAYLOAD) throw this.fail(`payload length ${p} exceeds ${MAX_PAYLOAD} in frame #${this.frames}`, this.base);
    this.header = Buffer.allocUnsafe(h);
    this.payload = p === 0 ? EMPTY : Buffer.allocUnsafe(p);
    this.fill = 0;
  }

  private finishFrame(): Frame {
    const at = this.base;
    const h = this.header!;
    const payload = this.payload!;
    let header: unknown;
    try {
      header = JSON.parse(utf8.decode(h));
    } catch (e) {
      throw this.fail(`header of frame #${this.frames} is not UTF-8 JSON: ${(e as Error).message}`, at);
    }
    if (header === null || typeof header !== 'object' || Array.isArray(header)) {
      throw this.fail(`header of frame #${this.frames} is not a JSON object`, at);
    }
    this.base += PREFIX_BYTES + h.length + payload.length;
    this.prefixFill = 0;
    this.header = undefined;
    this.payload = undefined;
    this.fill = 0;
    return { header: header as Record<string, unknown>, payload, offset: at, index: this.frames++ };
  }
}
