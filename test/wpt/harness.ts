/**
 * A small stand-in for the web-platform-tests harness, enough to run exported WebNN conformance files
 * (`webnn/conformance_tests/*.https.any.js`) the way WPT runs them: read the META headers, evaluate the file
 * as a classic script in a fresh global (vm context) that has testharness.js-style globals (`test`,
 * `promise_test`, `promise_setup`, `assert_*`), `navigator.ml`, `MLGraphBuilder`, and the helpers a WPT
 * checkout's webnn/resources/utils.js provides to these files (`webnn_conformance_test`, `buildAndExecuteGraph`),
 * written here from the calling convention: build each test's graph operator by operator, compile, write the
 * inputs to tensors, dispatch, read the outputs back, compare with the ULP metric the file's tolerance
 * function asks for. navigator.ml is the shim in webnn-shim.ts, backed by nnlstm's WebNN reference.
 */
import { readFileSync } from 'node:fs';
import { createContext, Script } from 'node:vm';
import { fromFloat16Bits, toFloat16Bits } from '../../src/util/float16.js';
import { shimML, ShimGraphBuilder, type ShimBackendOptions, type ShimContext } from './webnn-shim.js';

export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

/** META headers of a WPT test file. */
export interface WptMeta {
  title?: string;
  global: string[];
  variants: string[];
  scripts: string[];
  timeout?: string;
}

export function parseMeta(text: string): WptMeta {
  const meta: WptMeta = { global: [], variants: [], scripts: [] };
  for (const line of text.split('\n')) {
    const m = /^\/\/ META: (\w+)=(.*)$/.exec(line);
    if (!m) {
      if (line.trim() === '' || line.startsWith('//')) continue;
      break; // META comments come first
    }
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'title') meta.title = value;
    else if (key === 'global') meta.global.push(...value.split(','));
    else if (key === 'variant') meta.variants.push(value);
    else if (key === 'script') meta.scripts.push(value);
    else if (key === 'timeout') meta.timeout = value;
  }
  return meta;
}

/** The ULP distance as WPT's webnn utils measure it: float32 as signed-magnitude bit patterns, float16 on the binary16 bits. */
export function ulpDistance(actual: number, expected: number, dataType: 'float32' | 'float16'): number {
  if (dataType === 'float16') {
    const a = actual; // binary16 bits, as read back
    const b = toFloat16Bits(expected);
    if ((a & 0x7fff) === 0 && (b & 0x7fff) === 0) return 0;
    return Math.abs(a - b);
  }
  const bits = (x: number) => {
    const f = new Float32Array([Math.abs(x)]);
    const i = new Int32Array(f.buffer)[0]!;
    return x < 0 || Object.is(x, -0) ? -i : i;
  };
  return Math.abs(bits(actual) - bits(expected));
}

interface Tensor {
  data: number[] | number;
  descriptor: { shape: number[]; dataType: 'float32' | 'float16' };
  constant?: boolean;
}
interface Graph {
  inputs: Record<string, Tensor>;
  operators: { name: string; arguments: Record<string, unknown>[]; outputs: string[] | string }[];
  expectedOutputs: Record<string, Tensor>;
}
interface WptTestCase {
  name: string;
  graph: Graph;
}

const sizeOf = (s: number[]) => s.reduce((a, b) => a * b, 1);

function typedData(dataType: 'float32' | 'float16', data: number[] | number, size: number): Float32Array | Uint16Array {
  const values = typeof data === 'number' ? new Array<number>(size).fill(data) : data;
  return dataType === 'float16' ? Uint16Array.from(values, (v) => toFloat16Bits(v)) : Float32Array.from(values);
}

/** buildAndExecuteGraph: the graph built from the test's operators, compiled and dispatched once. */
async function buildAndExecuteGraph(context: ShimContext, builder: ShimGraphBuilder, graph: Graph): Promise<{ result: Record<string, Float32Array | Uint16Array> }> {
  const operands: Record<string, unknown> = {};
  const operandFor = (name: string) => {
    if (operands[name]) return operands[name];
    const t = graph.inputs[name]!;
    operands[name] = t.constant
      ? builder.constant(t.descriptor, typedData(t.descriptor.dataType, t.data, sizeOf(t.descriptor.shape)))
      : builder.input(name, t.descriptor);
    return operands[name];
  };
  const intermediate: Record<string, unknown> = {};
  for (const op of graph.operators) {
    const args: unknown[] = [];
    for (const a of op.arguments) {
      for (const [k, v] of Object.entries(a)) {
        if (k !== 'options') {
          args.push(typeof v === 'string' && v in graph.inputs ? operandFor(v) : typeof v === 'string' && v in intermediate ? intermediate[v] : v);
        } else {
          // Options naming graph inputs get their operands; the test's own object is left untouched.
          const o: Record<string, unknown> = {};
          for (const [ok, ov] of Object.entries(v as Record<string, unknown>)) o[ok] = typeof ov === 'string' && ov in graph.inputs ? operandFor(ov) : ov;
          args.push(o);
        }
      }
    }
    const fn = (builder as unknown as Record<string, (...x: unknown[]) => unknown>)[op.name];
    if (typeof fn !== 'function') throw new TypeError(`builder has no operator ${op.name}`);
    const out = fn.apply(builder, args);
    if (Array.isArray(op.outputs)) op.outputs.forEach((n, k) => (intermediate[n] = (out as unknown[])[k]));
    else intermediate[op.outputs] = out;
  }
  const named: Record<string, unknown> = {};
  for (const [name, exp] of Object.entries(graph.expectedOutputs)) {
    const o = intermediate[name] as { dataType: string; shape: number[] } | undefined;
    if (!o) throw new Error(`graph output ${name} is not produced by any operator`);
    assertEquals(o.dataType, exp.descriptor.dataType, `output ${name} dataType`);
    assertArrayEquals(o.shape, exp.descriptor.shape, `output ${name} shape`);
    named[name] = o;
  }
  const compiled = await builder.build(named as never);
  const inputTensors: Record<string, never> = {};
  for (const [name, t] of Object.entries(graph.inputs)) {
    if (t.constant) continue;
    const tensor = await context.createTensor({ ...t.descriptor, writable: true });
    context.writeTensor(tensor, typedData(t.descriptor.dataType, t.data, sizeOf(t.descriptor.shape)));
    inputTensors[name] = tensor as never;
  }
  const outputTensors: Record<string, never> = {};
  for (const [name, t] of Object.entries(graph.expectedOutputs)) outputTensors[name] = (await context.createTensor({ ...t.descriptor, readable: true })) as never;
  context.dispatch(compiled, inputTensors, outputTensors);
  const result: Record<string, Float32Array | Uint16Array> = {};
  for (const [name, t] of Object.entries(graph.expectedOutputs)) {
    const buf = await context.readTensor(outputTensors[name]!);
    result[name] = t.descriptor.dataType === 'float16' ? new Uint16Array(buf) : new Float32Array(buf);
  }
  return { result };
}

function assertEquals(a: unknown, b: unknown, what: string): void {
  if (a !== b) throw new AssertionError(`${what}: expected ${String(b)}, got ${String(a)}`);
}
function assertArrayEquals(a: readonly unknown[], b: readonly unknown[], what: string): void {
  if (a.length !== b.length || a.some((x, k) => x !== b[k])) throw new AssertionError(`${what}: expected [${b.join(', ')}], got [${a.join(', ')}]`);
}

/** One subtest's outcome. */
export interface SubtestResult {
  name: string;
  status: 'PASS' | 'FAIL';
  message?: string;
  /** Largest ULP distance over all outputs (when the graph ran). */
  maxUlp?: number;
  /** Largest |actual − expected| over all outputs. */
  maxAbs?: number;
  /** The tolerance the file asked for. */
  tolerance?: number;
}

export interface HarnessRun {
  meta: WptMeta;
  variant: string;
  results: SubtestResult[];
}

/** Compares one test's outputs; returns the largest ULP distance, throwing AssertionError past the tolerance. */
function assertResults(test: WptTestCase, result: Record<string, Float32Array | Uint16Array>, tolerance: { metricType: string; value: number }, sub: SubtestResult): void {
  if (tolerance.metricType !== 'ULP') throw new AssertionError(`metric ${tolerance.metricType} is not handled by this harness`);
  sub.tolerance = tolerance.value;
  let worst = 0;
  let maxAbs = 0;
  let failure: string | undefined;
  for (const [name, exp] of Object.entries(test.graph.expectedOutputs)) {
    const actual = result[name]!;
    const expected = typeof exp.data === 'number' ? new Array<number>(sizeOf(exp.descriptor.shape)).fill(exp.data) : exp.data;
    assertEquals(actual.length, expected.length, `${name} length`);
    for (let k = 0; k < expected.length; k++) {
      const d = ulpDistance(actual[k]!, expected[k]!, exp.descriptor.dataType);
      if (d > worst) worst = d;
      const av = exp.descriptor.dataType === 'float16' ? fromFloat16Bits(actual[k]!) : actual[k]!;
      maxAbs = Math.max(maxAbs, Math.abs(av - expected[k]!));
      if (d > tolerance.value && failure === undefined) {
        const shown = exp.descriptor.dataType === 'float16' ? fromFloat16Bits(actual[k]!) : actual[k]!;
        failure = `${name}[${k}]: actual ${shown} should be close enough to expected ${expected[k]} by ULP distance ${d} > ${tolerance.value}`;
      }
    }
  }
  sub.maxUlp = worst;
  sub.maxAbs = maxAbs;
  if (failure) throw new AssertionError(failure);
}

/**
 * Runs the text of one exported file under `variant` ('cpu' by default) on the shim backend; every subtest
 * is awaited in order. A script error is a thrown Error.
 */
export async function runWptText(text: string, backend: ShimBackendOptions = {}, variant = '?cpu'): Promise<HarnessRun> {
  const meta = parseMeta(text);
  if (!meta.scripts.includes('../resources/utils.js')) throw new Error("the file does not load ../resources/utils.js (META: script)");
  if (meta.variants.length && !meta.variants.includes(variant)) throw new Error(`variant ${variant} is not one of the file's (${meta.variants.join(', ')})`);
  const registered: { name: string; fn: () => Promise<void> | void }[] = [];
  const results: SubtestResult[] = [];
  const navigator = { ml: shimML(backend) };
  const webnn_conformance_test = (tests: WptTestCase[], build: typeof buildAndExecuteGraph, toleranceFunc: (g: Graph) => { metricType: string; value: number }) => {
    if (!Array.isArray(tests)) throw new TypeError('webnn_conformance_test: the first argument must be the test array');
    for (const t of tests) {
      const sub: SubtestResult = { name: t.name, status: 'PASS' };
      registered.push({
        name: t.name,
        fn: async () => {
          results.push(sub);
          const context = (await navigator.ml.createContext({ deviceType: variant.slice(1) })) as ShimContext;
          const builder = new ShimGraphBuilder(context);
          const { result } = await build(context, builder, t.graph);
          assertResults(t, result, toleranceFunc(t.graph), sub);
        },
      });
    }
  };
  const g = {
    navigator,
    MLGraphBuilder: ShimGraphBuilder,
    location: { search: variant },
    URLSearchParams,
    AssertionError,
    webnn_conformance_test,
    buildAndExecuteGraph,
    test: (fn: () => void, name: string) => registered.push({ name, fn: () => { results.push({ name, status: 'PASS' }); fn(); } }),
    promise_test: (fn: () => Promise<void>, name: string) => registered.push({ name, fn: async () => { results.push({ name, status: 'PASS' }); await fn(); } }),
    promise_setup: (fn: () => Promise<void>) => registered.unshift({ name: '(setup)', fn }),
    assert_implements: (x: unknown, msg: string) => {
      if (!x) throw new AssertionError(msg);
    },
    assert_equals: assertEquals,
    assert_array_equals: assertArrayEquals,
    assert_less_than_equal: (a: number, b: number, msg: string) => {
      if (!(a <= b)) throw new AssertionError(msg);
    },
    console,
  };
  const ctx = createContext(g);
  new Script(text, { filename: 'exported.https.any.js' }).runInContext(ctx, { timeout: 10_000 });
  for (const r of registered) {
    try {
      await r.fn();
    } catch (e) {
      const last = results[results.length - 1];
      const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      if (last && last.name === r.name) {
        last.status = 'FAIL';
        last.message = msg;
      } else results.push({ name: r.name, status: 'FAIL', message: msg });
    }
  }
  return { meta, variant, results };
}

/** runWptText on a file. */
export async function runWptFile(file: string, backend: ShimBackendOptions = {}, variant = '?cpu'): Promise<HarnessRun> {
  return runWptText(readFileSync(file, 'utf8'), backend, variant);
}
