/**
 * Compare a driver's outputs with expected values the way the NNAPI harness does (facts §D):
 * every model output must be produced; ignored outputs are neither value- nor shape-checked;
 * other outputs must report exactly the expected dimensions and every element must lie within
 * the criterion of tolerance.ts. Both sides are first stored in the operand's type (float32 →
 * Math.fround, float16 → binary16), as the harness compares typed buffers.
 */
import type { OutputValue } from '../drivers/driver.js';
import type { Model, Operand } from '../model/model.js';
import { valueOutOfRange } from '../ops/lstm/validate.js';
import { roundToFloat16 } from '../util/float16.js';
import { criterionFor, errorRatio, type CriterionName } from './tolerance.js';

export interface WorstElement {
  /** Model operand index of the output. */
  outputIndex: number;
  /** Row-major element index inside that output. */
  flatIndex: number;
  actual: number;
  expected: number;
}

export interface OutputComparison {
  index: number;
  name: string;
  ignored: boolean;
  /** null for ignored outputs. */
  criterion: CriterionName | null;
  pass: boolean;
  expectedDimensions: number[];
  actualDimensions: number[];
  /** null when not computed (ignored output, or dimensions differ). NaN when an element is NaN. */
  maxAbsError: number | null;
  /** max over elements of error / allowed error; ≤ 1 passes; +Infinity for NaN. */
  maxRatio: number | null;
  worst: WorstElement | null;
  /** Number of elements outside the tolerance. */
  failingElements: number;
  reason?: string;
}

export interface Comparison {
  pass: boolean;
  maxAbsError: number | null;
  maxRatio: number | null;
  worst: WorstElement | null;
  outputs: OutputComparison[];
  /** One-line explanation when !pass. */
  reason?: string;
}

/** The driver returned something that is not a well-formed set of outputs (status 'error'). */
export class MalformedOutputError extends Error {
  override readonly name = 'MalformedOutputError';
}

/** Expected values of one output (dimensions + values), keyed by model operand index. */
export interface ExpectedOutput {
  dimensions: readonly number[];
  values: ArrayLike<number>;
}

/** Store `x` in the operand type's precision. */
export function storeAs(type: Operand['type'], x: number): number {
  switch (type) {
    case 'TENSOR_FLOAT32':
    case 'FLOAT32':
      return Math.fround(x);
    case 'TENSOR_FLOAT16':
    case 'FLOAT16':
      return roundToFloat16(x);
    default:
      return x;
  }
}

function isFloatType(type: Operand['type']): boolean {
  return type === 'TENSOR_FLOAT32' || type === 'FLOAT32' || type === 'TENSOR_FLOAT16' || type === 'FLOAT16';
}

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function isArrayLikeOfNumbers(v: unknown): v is ArrayLike<number> {
  if (v === null || typeof v !== 'object') return false;
  const len = (v as { length?: unknown }).length;
  return typeof len === 'number' && Number.isInteger(len) && len >= 0;
}

function fmtDims(d: readonly number[]): string {
  return `[${d.join(',')}]`;
}

/**
 * Check the shape of a driver's execute() outputs against the model's outputIndexes.
 * Returns them keyed by operand index; throws MalformedOutputError.
 */
export function indexOutputs(model: Model, actual: unknown): Map<number, OutputValue> {
  if (!Array.isArray(actual)) throw new MalformedOutputError('execute() returned outputs that are not an array');
  const wanted = new Set(model.outputIndexes);
  const byIndex = new Map<number, OutputValue>();
  for (const [k, o] of actual.entries()) {
    if (o === null || typeof o !== 'object') throw new MalformedOutputError(`outputs[${k}] is not an object`);
    const { index, dimensions, values } = o as Partial<OutputValue>;
    if (typeof index !== 'number' || !wanted.has(index)) {
      throw new MalformedOutputError(`outputs[${k}].index ${String(index)} is not a model output (${fmtDims(model.outputIndexes)})`);
    }
    if (byIndex.has(index)) throw new MalformedOutputError(`output operand ${index} returned twice`);
    if (!Array.isArray(dimensions) || !dimensions.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new MalformedOutputError(`output operand ${index}: dimensions ${JSON.stringify(dimensions)} are not a list of non-negative integers`);
    }
    if (!isArrayLikeOfNumbers(values)) throw new MalformedOutputError(`output operand ${index}: values are not an array of numbers`);
    byIndex.set(index, { index, dimensions, values });
  }
  for (const i of model.outputIndexes) {
    if (!byIndex.has(i)) throw new MalformedOutputError(`output operand ${i} (${model.operands[i]?.name ?? '?'}) was not produced`);
  }
  return byIndex;
}

/**
 * Compare actual outputs with explicit expected outputs (used for deviation oracles); the model
 * supplies types, names, isIgnored and the criterion. Throws MalformedOutputError.
 */
export function compareWithExpected(
  model: Model,
  expected: ReadonlyMap<number, ExpectedOutput>,
  actual: unknown,
): Comparison {
  const got = indexOutputs(model, actual);
  const outputs: OutputComparison[] = [];
  for (const idx of model.outputIndexes) {
    const op = model.operands[idx];
    if (op === undefined) throw new Error(`model output ${idx} has no operand`);
    const a = got.get(idx)!;
    const actualDimensions = Array.from(a.dimensions);
    if (op.isIgnored) {
      outputs.push({
        index: idx, name: op.name, ignored: true, criterion: null, pass: true,
        expectedDimensions: [...op.dimensions], actualDimensions,
        maxAbsError: null, maxRatio: null, worst: null, failingElements: 0,
      });
      continue;
    }
    const e = expected.get(idx);
    if (e === undefined) throw new Error(`no expected values for output operand ${idx} (${op.name})`);
    const criterion = criterionFor(model, op);
    const expectedDimensions = [...e.dimensions];
    const base = { index: idx, name: op.name, ignored: false, criterion: criterion.name, expectedDimensions, actualDimensions };
    if (a.values.length !== product(actualDimensions)) {
      throw new MalformedOutputError(
        `output operand ${idx} (${op.name}): ${a.values.length} values for dimensions ${fmtDims(actualDimensions)}`,
      );
    }
    const dimsEqual =
      actualDimensions.length === expectedDimensions.length && actualDimensions.every((d, k) => d === expectedDimensions[k]);
    if (!dimsEqual) {
      outputs.push({
        ...base, pass: false, maxAbsError: null, maxRatio: null, worst: null, failingElements: 0,
        reason: `output ${idx} (${op.name}): dimensions ${fmtDims(actualDimensions)} ≠ expected ${fmtDims(expectedDimensions)}`,
      });
      continue;
    }
    if (e.values.length !== product(expectedDimensions)) {
      throw new Error(`output operand ${idx} (${op.name}): ${e.values.length} expected values for dimensions ${fmtDims(expectedDimensions)}`);
    }
    let maxAbsError = 0;
    let maxRatio = 0;
    let worst: WorstElement | null = null;
    let failing = 0;
    for (let k = 0; k < e.values.length; k++) {
      const ev = storeAs(op.type, e.values[k]!);
      const av = a.values[k]!;
      // An output buffer of a float type can only hold values of that type: a TENSOR_FLOAT16
      // output holding a non-binary16 number is malformed, not "close enough" (it would hide
      // a driver that never converts to float16).
      if (isFloatType(op.type)) {
        if (!Number.isNaN(av) && storeAs(op.type, av) !== av) {
          throw new MalformedOutputError(`output operand ${idx} (${op.name}) element [${k}] = ${av} is not a ${op.type} value (nearest: ${storeAs(op.type, av)})`);
        }
      } else {
        // Likewise an integer output holds integers of its type's range: 0.5 or NaN there is malformed, not a large error.
        const why = valueOutOfRange(op.type, av);
        if (why !== null) throw new MalformedOutputError(`output operand ${idx} (${op.name}) element [${k}] = ${av} is not a ${op.type} value (it ${why})`);
      }
      const err = Math.abs(av - ev);
      const ratio = errorRatio(av, ev, criterion);
      if (Number.isNaN(err) || Number.isNaN(maxAbsError)) maxAbsError = Number.NaN;
      else if (err > maxAbsError) maxAbsError = err;
      if (ratio > 1) failing++;
      if (worst === null || ratio > maxRatio) {
        maxRatio = ratio;
        worst = { outputIndex: idx, flatIndex: k, actual: av, expected: ev };
      }
    }
    const pass = failing === 0;
    const out: OutputComparison = { ...base, pass, maxAbsError, maxRatio, worst, failingElements: failing };
    if (!pass && worst) {
      out.reason =
        `output ${idx} (${op.name}): ${failing} of ${e.values.length} elements outside the ${criterion.name} tolerance; ` +
        `worst [${worst.flatIndex}] actual ${worst.actual} expected ${worst.expected} (ratio ${fmtRatio(maxRatio)})`;
    }
    outputs.push(out);
  }
  return summarize(outputs);
}

/** Compare actual outputs with the expected values stored in the model's output operands. */
export function compareOutputs(model: Model, actual: unknown): Comparison {
  const expected = new Map<number, ExpectedOutput>();
  for (const idx of model.outputIndexes) {
    const op = model.operands[idx];
    if (op !== undefined) expected.set(idx, { dimensions: op.dimensions, values: op.values });
  }
  return compareWithExpected(model, expected, actual);
}

export function fmtRatio(r: number | null): string {
  if (r === null) return '-';
  if (!Number.isFinite(r)) return String(r);
  return r < 1000 ? r.toPrecision(3) : r.toExponential(2);
}

function summarize(outputs: OutputComparison[]): Comparison {
  let maxAbsError: number | null = null;
  let maxRatio: number | null = null;
  let worst: WorstElement | null = null;
  for (const o of outputs) {
    if (o.maxAbsError !== null) {
      if (maxAbsError === null || Number.isNaN(o.maxAbsError) || o.maxAbsError > maxAbsError) {
        if (!(maxAbsError !== null && Number.isNaN(maxAbsError))) maxAbsError = o.maxAbsError;
      }
    }
    if (o.maxRatio !== null && (maxRatio === null || o.maxRatio > maxRatio)) {
      maxRatio = o.maxRatio;
      worst = o.worst;
    }
  }
  const failing = outputs.filter((o) => !o.pass);
  const cmp: Comparison = { pass: failing.length === 0, maxAbsError, maxRatio, worst, outputs };
  if (failing.length > 0) cmp.reason = failing.map((o) => o.reason ?? `output ${o.index} failed`).join('; ');
  return cmp;
}
