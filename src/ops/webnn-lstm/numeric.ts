/**
 * Rounding and activations of the WebNN reference. Transcendentals are evaluated in double and rounded
 * once to the working precision, as the float32 NNAPI reference (src/ops/lstm/cell.ts) does.
 */
import { roundToFloat16 } from '../../util/float16.js';
import type { WebnnActivation, WebnnPrecision } from './types.js';

/** x rounded to the working precision. */
export type Rounder = (x: number) => number;

const identity: Rounder = (x) => x;

/** The rounding of each WebNN op result at `precision`. */
export function rounderFor(precision: WebnnPrecision): Rounder {
  return precision === 'float32' ? Math.fround : precision === 'float16' ? roundToFloat16 : identity;
}

/** The accumulator of a matmul's dot products: float32 for float16 graphs (then rounded once), else the precision itself. */
export function accumulatorFor(precision: WebnnPrecision): Rounder {
  return precision === 'float64' ? identity : Math.fround;
}

/** One MLRecurrentNetworkActivation, unrounded. */
export function activate(a: WebnnActivation, x: number): number {
  switch (a) {
    case 'relu':
      return x > 0 ? x : 0;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-x));
    case 'tanh':
      return Math.tanh(x);
  }
}

/** `data` copied into a Float64Array with every element rounded by `q`. */
export function roundedCopy(data: ArrayLike<number>, q: Rounder): Float64Array {
  const out = new Float64Array(data.length);
  for (let k = 0; k < data.length; k++) out[k] = q(data[k]!);
  return out;
}
