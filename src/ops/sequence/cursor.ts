/**
 * The one place that knows sequence layouts (time-major [T, B, F] vs batch-major [B, T, F]) and
 * step order (forward t = 0…T−1, backward t = T−1…0), in the spirit of tflite-micro's
 * LstmStepManager: the gate math only ever sees batch-major [B, F] step buffers.
 *
 * Nothing here allocates after construction.
 */

export interface SequenceCursorConfig {
  /** T */
  maxTime: number;
  /** B */
  batchSize: number;
  /** true: [T, B, F]; false: [B, T, F]. */
  timeMajor: boolean;
  /** Values per x_t row (the direction's input size). */
  inputSize: number;
  /** Values per row of the sequence output tensor (O, or fwO + bwO when outputs are merged). */
  outputRowSize: number;
  /** Values this direction writes per output row (its O). Default: outputRowSize. */
  outputSize?: number;
  /** First column this direction writes inside an output row (fwO for the merged backward half). Default 0. */
  outputColumn?: number;
  /** Visit t = T−1 … 0 (backward direction). Default false. */
  reverse?: boolean;
}

function checkCount(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`sequence cursor: ${name} must be a non-negative integer (${n})`);
}

export class SequenceCursor {
  readonly maxTime: number;
  readonly batchSize: number;
  readonly timeMajor: boolean;
  readonly inputSize: number;
  readonly outputRowSize: number;
  readonly outputSize: number;
  readonly outputColumn: number;
  readonly reverse: boolean;

  constructor(c: SequenceCursorConfig) {
    this.maxTime = c.maxTime;
    this.batchSize = c.batchSize;
    this.timeMajor = c.timeMajor;
    this.inputSize = c.inputSize;
    this.outputRowSize = c.outputRowSize;
    this.outputSize = c.outputSize ?? c.outputRowSize;
    this.outputColumn = c.outputColumn ?? 0;
    this.reverse = c.reverse ?? false;
    checkCount('maxTime', this.maxTime);
    checkCount('batchSize', this.batchSize);
    checkCount('inputSize', this.inputSize);
    checkCount('outputRowSize', this.outputRowSize);
    checkCount('outputSize', this.outputSize);
    checkCount('outputColumn', this.outputColumn);
    if (this.outputColumn + this.outputSize > this.outputRowSize) {
      throw new Error(
        `sequence cursor: columns [${this.outputColumn}, ${this.outputColumn + this.outputSize}) exceed the output row size ${this.outputRowSize}`,
      );
    }
  }

  /** Number of steps (T). */
  get steps(): number {
    return this.maxTime;
  }

  /** The time index visited at step k (k = 0 … T−1). */
  time(k: number): number {
    return this.reverse ? this.maxTime - 1 - k : k;
  }

  /** Position of row (t, b) among the T·B rows of a rank-3 sequence tensor. */
  row(t: number, b: number): number {
    return this.timeMajor ? t * this.batchSize + b : b * this.maxTime + t;
  }

  /** Element offset of x_t row b in the sequence input. */
  inputOffset(t: number, b: number): number {
    return this.row(t, b) * this.inputSize;
  }

  /** Element offset where this direction's h_t row b goes in the sequence output. */
  outputOffset(t: number, b: number): number {
    return this.row(t, b) * this.outputRowSize + this.outputColumn;
  }

  /** Values a sequence tensor with `rowSize` values per row holds. */
  sequenceLength(rowSize: number): number {
    return this.maxTime * this.batchSize * rowSize;
  }

  /** Copy the B rows of step t of a sequence tensor with `rowSize` values per row into dst [B, rowSize]. */
  gatherRows(seq: Float32Array, t: number, rowSize: number, dst: Float32Array): void {
    const B = this.batchSize;
    for (let b = 0; b < B; b++) {
      const src = this.row(t, b) * rowSize;
      const to = b * rowSize;
      for (let j = 0; j < rowSize; j++) dst[to + j] = seq[src + j]!;
    }
  }

  /** x_t → dst [B, inputSize]. */
  gatherInput(seq: Float32Array, t: number, dst: Float32Array): void {
    this.gatherRows(seq, t, this.inputSize, dst);
  }

  /** h_t [B, outputSize] → this direction's columns of step t of the sequence output. */
  scatterOutput(h: Float32Array, t: number, out: Float32Array): void {
    const B = this.batchSize;
    const O = this.outputSize;
    for (let b = 0; b < B; b++) {
      const to = this.outputOffset(t, b);
      const from = b * O;
      for (let j = 0; j < O; j++) out[to + j] = h[from + j]!;
    }
  }
}
