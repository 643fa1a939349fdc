/**
 * A byte log of bounded size: the first `headBytes` and the last `tailBytes` bytes written, and
 * the count of the bytes in between that were dropped. What a driver writes to stderr is kept in
 * these (per case and per run), so that a driver flooding stderr costs the host a fixed amount of
 * memory and time linear in what it writes.
 */
export class BoundedLog {
  private readonly head: Buffer;
  private headFill = 0;
  /** Ring buffer of the latest bytes after the head is full. */
  private readonly tail: Buffer;
  private tailEnd = 0;
  private tailFill = 0;
  private total = 0;

  constructor(
    readonly headBytes: number,
    readonly tailBytes: number,
  ) {
    this.head = Buffer.alloc(headBytes);
    this.tail = Buffer.alloc(tailBytes);
  }

  /** Bytes written since the last reset. */
  get written(): number {
    return this.total;
  }

  /** Bytes written but not kept. */
  get dropped(): number {
    return this.total - this.headFill - this.tailFill;
  }

  write(chunk: Uint8Array): void {
    this.total += chunk.length;
    let from = 0;
    if (this.headFill < this.headBytes) {
      const n = Math.min(this.headBytes - this.headFill, chunk.length);
      this.head.set(chunk.subarray(0, n), this.headFill);
      this.headFill += n;
      from = n;
    }
    const cap = this.tailBytes;
    if (from === chunk.length || cap === 0) return;
    // Only the last `cap` bytes of the chunk can survive.
    let rest = chunk.subarray(Math.max(from, chunk.length - cap));
    while (rest.length > 0) {
      const n = Math.min(cap - this.tailEnd, rest.length);
      this.tail.set(rest.subarray(0, n), this.tailEnd);
      this.tailEnd = (this.tailEnd + n) % cap;
      this.tailFill = Math.min(cap, this.tailFill + n);
      rest = rest.subarray(n);
    }
  }

  reset(): void {
    this.headFill = 0;
    this.tailEnd = 0;
    this.tailFill = 0;
    this.total = 0;
  }

  /** The tail's bytes in order. */
  private tailBuffer(): Buffer {
    if (this.tailFill < this.tailBytes) return this.tail.subarray(this.tailEnd - this.tailFill, this.tailEnd);
    return Buffer.concat([this.tail.subarray(this.tailEnd), this.tail.subarray(0, this.tailEnd)]);
  }

  /**
   * The log as UTF-8 text: everything when nothing was dropped, otherwise the head, a line
   * naming the number of bytes left out, and the tail (cut at character boundaries).
   */
  text(): string {
    const head = this.head.subarray(0, this.headFill);
    const tail = this.tailBuffer();
    const dropped = this.dropped;
    if (dropped === 0) return Buffer.concat([head, tail]).toString('utf8');
    return `${utf8Prefix(head).toString('utf8')}\n[… ${dropped} bytes omitted …]\n${utf8Suffix(tail).toString('utf8')}`;
  }
}

/** `b` without a UTF-8 sequence cut short at its end. */
function utf8Prefix(b: Buffer): Buffer {
  let i = b.length;
  let back = 0;
  // Step back over continuation bytes to the lead byte of the last sequence (at most 3).
  while (i > 0 && back < 3 && (b[i - 1]! & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i === 0) return b;
  const lead = b[i - 1]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need > back + 1 ? b.subarray(0, i - 1) : b;
}

/** `b` without the continuation bytes of a sequence whose start was cut off. */
function utf8Suffix(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length && i < 3 && (b[i]! & 0xc0) === 0x80) i++;
  return b.subarray(i);
}
