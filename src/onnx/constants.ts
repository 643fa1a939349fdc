/**
 * Constant resolution in an ONNX graph's scope: which value names are known tensors without running the model.
 *
 * A name resolves to a tensor when it is an initializer of its graph or of an enclosing graph (the innermost
 * definition wins: an inner initializer, node output or graph input shadows outer ones), the output of a `Constant`
 * node, or the output of one of a few shape/layout ops applied to resolvable constants: Identity, Unsqueeze, Squeeze,
 * Reshape, Flatten, Cast, Concat, Slice (opset-aware: Unsqueeze/Squeeze axes and Slice starts/ends are attributes in
 * early opsets and inputs later). That is what exporters put between a weight and an LSTM (Silero v5 reorders gates
 * with Slice + Concat of Constants, then Unsqueeze). It is not a constant folder: any other op ends resolution.
 *
 * Work is bounded: results are memoized per scope and name (each value is computed at most once), chains deeper than
 * `maxDepth` stop, and the bytes of all derived tensors together are capped by `maxDerivedBytes` (Concat could
 * otherwise double a tensor at every node).
 */
import type { OnnxAttributeValue, OnnxDataType, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor } from './model.js';
import { onnxDataTypeName } from './reader.js';

/** Limits of {@link OnnxConstantResolver}. */
export interface ConstantResolverOptions {
  /** Longest chain of ops followed from a name to its sources (default 64). */
  maxDepth?: number;
  /**
   * Most bytes all derived (computed) tensors may take together (default 1 MiB + 4 × the bytes of the model's own
   * constant tensors: exporters' reordering chains copy each weight a few times; a doubling chain is stopped).
   */
  maxDerivedBytes?: number;
}

/** A resolved constant and where it came from. */
export interface ResolvedConstant {
  tensor: OnnxTensor;
  /** `initializer`, `Constant` (a Constant node's value), or `derived` (computed by the ops in `via`). */
  source: 'initializer' | 'Constant' | 'derived';
  /** Op types applied, outermost first (e.g. `['Unsqueeze', 'Concat', 'Slice', 'Constant']`); [] for an initializer. */
  via: string[];
  /** The name of the graph (innermost scope) that defines the value. */
  graphName: string;
  /**
   * True when the value is an initializer that is also an input of the main graph: a default the caller may override
   * at run time (ONNX IR ≥ 4), so it is constant only if the caller does not feed it.
   */
  overridable: boolean;
}

/** A graph together with its enclosing graphs (for outer-scope names). */
export interface OnnxScope {
  graph: OnnxGraph;
  parent?: OnnxScope;
}

interface ScopeIndex {
  initializers: Map<string, OnnxTensor>;
  producers: Map<string, { node: OnnxNode; output: number }>;
  inputs: Set<string>;
  memo: Map<string, ResolvedConstant | null | typeof IN_PROGRESS>;
}

const IN_PROGRESS = Symbol('in progress');

type Data = NonNullable<OnnxTensor['data']>;

const ELEM_BYTES: Partial<Record<OnnxDataType, number>> = {
  FLOAT: 4,
  DOUBLE: 8,
  FLOAT16: 2,
  BFLOAT16: 2,
  INT64: 8,
  UINT64: 8,
  UINT32: 8,
  INT32: 4,
  INT16: 4,
  INT8: 4,
  UINT8: 4,
  UINT16: 4,
  BOOL: 4,
  STRING: 16,
};

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

function allocLike(data: Data, n: number): Data {
  if (Array.isArray(data)) return new Array<string>(n).fill('');
  const C = data.constructor as new (n: number) => Exclude<Data, string[]>;
  return new C(n);
}

/** Integer values of a 1-D (or scalar) INT64/INT32 constant, as bigints; undefined when not an integer tensor. */
function intValues(t: OnnxTensor | undefined): bigint[] | undefined {
  if (!t?.data || t.dims.length > 1) return undefined;
  if (t.data instanceof BigInt64Array) return Array.from(t.data);
  if (t.data instanceof Int32Array && (t.dataType === 'INT32' || t.dataType === 'INT16' || t.dataType === 'INT8' || t.dataType === 'UINT8' || t.dataType === 'UINT16')) {
    return Array.from(t.data, (v) => BigInt(v));
  }
  return undefined;
}

function attrInts(a: OnnxAttributeValue | undefined): bigint[] | undefined {
  if (a?.type === 'INTS') return a.exact ?? a.value.map((v) => BigInt(v));
  if (a?.type === 'INT') return [a.exact ?? BigInt(a.value)];
  return undefined;
}

function attrInt(a: OnnxAttributeValue | undefined): number | undefined {
  return a?.type === 'INT' && a.exact === undefined ? a.value : undefined;
}

/** Normalizes axes against `rank` (negative from the end); undefined when out of range or repeated. */
function normAxes(axes: readonly bigint[], rank: number): number[] | undefined {
  const out: number[] = [];
  for (const a of axes) {
    const v = a < 0n ? a + BigInt(rank) : a;
    if (v < 0n || v >= BigInt(rank)) return undefined;
    const n = Number(v);
    if (out.includes(n)) return undefined;
    out.push(n);
  }
  return out;
}

/** Copies `len` elements from src[from], src[from + step], … to dst[to …]. */
function copyRun(dst: Data, to: number, src: Data, from: number, len: number, step: number): void {
  if (len <= 0) return;
  if (step === 1 && !Array.isArray(dst) && !Array.isArray(src)) {
    (dst as Float32Array).set((src as Float32Array).subarray(from, from + len), to);
    return;
  }
  const d = dst as unknown as unknown[];
  const s = src as unknown as ArrayLike<unknown>;
  for (let k = 0; k < len; k++) d[to + k] = s[from + k * step];
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Element i of `t` as a JS number (for Cast); undefined for strings. */
function numberAt(t: OnnxTensor, data: Data, i: number): number | undefined {
  if (Array.isArray(data)) return undefined;
  const v = data[i]!;
  if (typeof v === 'bigint') return Number(v);
  if (t.dataType === 'FLOAT16') return halfToFloat(v);
  if (t.dataType === 'BFLOAT16') return new Float32Array(new Uint32Array([v << 16]).buffer)[0]!;
  return v;
}

/** Bytes of the decoded data of every initializer and tensor attribute in `root` and its subgraphs. */
function constantBytes(root: OnnxGraph): number {
  let total = 0;
  const size = (t: OnnxTensor) => (t.data && !Array.isArray(t.data) ? t.data.byteLength : (t.data?.length ?? 0) * 16);
  const todo = [root];
  while (todo.length) {
    const g = todo.pop()!;
    for (const t of g.initializers) total += size(t);
    for (const n of g.nodes) {
      for (const a of Object.values(n.attributes)) {
        if (a.type === 'TENSOR') total += size(a.value);
        else if (a.type === 'TENSORS') for (const t of a.value) total += size(t);
        else if (a.type === 'GRAPH') todo.push(a.value);
        else if (a.type === 'GRAPHS') todo.push(...a.value);
      }
    }
  }
  return total;
}

/**
 * Resolves value names to constant tensors (see the module comment). One resolver per model; results are cached.
 *
 * @example
 * ```ts
 * import { readOnnx, OnnxConstantResolver } from 'nnlstm/onnx';
 * const model = readOnnx(bytes);
 * const r = new OnnxConstantResolver(model);
 * const w = r.resolve(r.scope(model.graph), 'W'); // { tensor, source, via, … } or undefined
 * ```
 */
export class OnnxConstantResolver {
  /** The ai.onnx opset in effect (Unsqueeze/Squeeze/Slice read axes from attributes or inputs by it). */
  readonly opset: number;
  private readonly maxDepth: number;
  private readonly maxDerivedBytes: number;
  private derivedBytes = 0;
  private readonly indexes = new WeakMap<OnnxGraph, ScopeIndex>();
  private readonly scopes = new WeakMap<OnnxGraph, OnnxScope>();
  private readonly main: OnnxGraph;

  constructor(model: OnnxModel, opts: ConstantResolverOptions = {}) {
    this.opset = model.opsets[''] ?? model.opsets['ai.onnx'] ?? 1;
    this.maxDepth = opts.maxDepth ?? 64;
    this.maxDerivedBytes = opts.maxDerivedBytes ?? 2 ** 20 + 4 * constantBytes(model.graph);
    this.main = model.graph;
  }

  /** The scope of `graph` inside `parent` (cached per graph object, so repeated calls return the same scope). */
  scope(graph: OnnxGraph, parent?: OnnxScope): OnnxScope {
    let s = this.scopes.get(graph);
    if (!s) {
      s = parent ? { graph, parent } : { graph };
      this.scopes.set(graph, s);
    }
    return s;
  }

  /** Bytes taken by derived tensors so far. */
  get derivedByteCount(): number {
    return this.derivedBytes;
  }

  private index(g: OnnxGraph): ScopeIndex {
    let ix = this.indexes.get(g);
    if (ix) return ix;
    ix = { initializers: new Map(), producers: new Map(), inputs: new Set(), memo: new Map() };
    for (const t of g.initializers) if (!ix.initializers.has(t.name)) ix.initializers.set(t.name, t);
    for (const n of g.nodes) {
      n.outputs.forEach((o, i) => {
        if (o && !ix!.producers.has(o)) ix!.producers.set(o, { node: n, output: i });
      });
    }
    for (const v of g.inputs) ix.inputs.add(v.name);
    this.indexes.set(g, ix);
    return ix;
  }

  /** The tensor `name` denotes in `scope`, or undefined when it is not a resolvable constant. */
  resolve(scope: OnnxScope, name: string): ResolvedConstant | undefined {
    return this.resolveAt(scope, name, 0);
  }

  /** Shorthand for `resolve(scope, name)?.tensor`. */
  tensor(scope: OnnxScope, name: string): OnnxTensor | undefined {
    return this.resolveAt(scope, name, 0)?.tensor;
  }

  private resolveAt(scope: OnnxScope, name: string, depth: number): ResolvedConstant | undefined {
    if (!name || depth > this.maxDepth) return undefined;
    for (let s: OnnxScope | undefined = scope; s; s = s.parent) {
      const ix = this.index(s.graph);
      const init = ix.initializers.get(name);
      if (init) {
        return { tensor: init, source: 'initializer', via: [], graphName: s.graph.name, overridable: s.graph === this.main && ix.inputs.has(name) };
      }
      const prod = ix.producers.get(name);
      if (prod) {
        const m = ix.memo.get(name);
        if (m === IN_PROGRESS) return undefined; // a cycle
        if (m !== undefined) return m ?? undefined;
        ix.memo.set(name, IN_PROGRESS);
        const r = prod.output === 0 && (prod.node.domain === '' || prod.node.domain === 'ai.onnx') ? this.evaluate(s, prod.node, name, depth) : undefined;
        ix.memo.set(name, r ?? null);
        return r;
      }
      // A graph input (e.g. a Loop body's iteration inputs) shadows outer names and is not constant.
      if (ix.inputs.has(name)) return undefined;
    }
    return undefined;
  }

  private derived(name: string, dataType: OnnxDataType, dataTypeCode: number, dims: number[], data: Data, op: string, from: ResolvedConstant, graphName: string): ResolvedConstant | undefined {
    const bytes = data.length * (ELEM_BYTES[dataType] ?? 8);
    if (this.derivedBytes + bytes > this.maxDerivedBytes) return undefined;
    this.derivedBytes += bytes;
    return { tensor: { name, dataType, dataTypeCode, dims, data }, source: 'derived', via: [op, ...from.via, ...(from.source === 'Constant' ? ['Constant'] : [])], graphName, overridable: from.overridable };
  }

  /** A view of `from` with other dims (shape-only ops share the data). */
  private reshaped(name: string, from: ResolvedConstant, dims: number[], op: string, graphName: string): ResolvedConstant | undefined {
    const t = from.tensor;
    if (!t.data || product(dims) !== t.data.length) return undefined;
    return { tensor: { name, dataType: t.dataType, dataTypeCode: t.dataTypeCode, dims, data: t.data }, source: 'derived', via: [op, ...from.via, ...(from.source === 'Constant' ? ['Constant'] : [])], graphName, overridable: from.overridable };
  }

  private evaluate(s: OnnxScope, node: OnnxNode, name: string, depth: number): ResolvedConstant | undefined {
    const g = s.graph.name;
    const input = (i: number) => (node.inputs[i] ? this.resolveAt(s, node.inputs[i]!, depth + 1) : undefined);
    const at = node.attributes;
    switch (node.opType) {
      case 'Constant':
        return this.constantNode(node, name, g);
      case 'Identity': {
        const x = input(0);
        return x && this.reshaped(name, x, x.tensor.dims.slice(), 'Identity', g);
      }
      case 'Unsqueeze':
      case 'Squeeze': {
        const x = input(0);
        if (!x?.tensor.data) return undefined;
        let axes: bigint[] | undefined;
        if (this.opset < 13) axes = attrInts(at['axes']);
        else if (node.inputs[1]) {
          axes = intValues(input(1)?.tensor);
          if (!axes) return undefined;
        }
        const d = x.tensor.dims;
        if (node.opType === 'Unsqueeze') {
          if (!axes) return undefined;
          const rank = d.length + axes.length;
          const ax = normAxes(axes, rank);
          if (!ax) return undefined;
          const out: number[] = [];
          let k = 0;
          for (let i = 0; i < rank; i++) out.push(ax.includes(i) ? 1 : d[k++]!);
          return this.reshaped(name, x, out, 'Unsqueeze', g);
        }
        const ax = axes ? normAxes(axes, d.length) : d.flatMap((v, i) => (v === 1 ? [i] : []));
        if (!ax || ax.some((i) => d[i] !== 1)) return undefined;
        return this.reshaped(name, x, d.filter((_, i) => !ax.includes(i)), 'Squeeze', g);
      }
      case 'Reshape': {
        const x = input(0);
        const shape = intValues(input(1)?.tensor);
        if (!x?.tensor.data || !shape) return undefined;
        const allowzero = this.opset >= 14 && attrInt(at['allowzero']) === 1;
        const out: number[] = [];
        let infer = -1;
        for (let i = 0; i < shape.length; i++) {
          const v = shape[i]!;
          if (v === -1n) {
            if (infer >= 0) return undefined;
            infer = i;
            out.push(1);
          } else if (v === 0n && !allowzero) {
            if (i >= x.tensor.dims.length) return undefined;
            out.push(x.tensor.dims[i]!);
          } else if (v < 0n || v > BigInt(x.tensor.data.length)) return undefined;
          else out.push(Number(v));
        }
        if (infer >= 0) {
          const rest = product(out);
          if (rest === 0 || x.tensor.data.length % rest !== 0) return undefined;
          out[infer] = x.tensor.data.length / rest;
        }
        return this.reshaped(name, x, out, 'Reshape', g);
      }
      case 'Flatten': {
        const x = input(0);
        if (!x?.tensor.data) return undefined;
        const d = x.tensor.dims;
        let axis = attrInt(at['axis']) ?? 1;
        if (axis < 0) axis += d.length;
        if (axis < 0 || axis > d.length) return undefined;
        return this.reshaped(name, x, [product(d.slice(0, axis)), product(d.slice(axis))], 'Flatten', g);
      }
      case 'Cast':
        return this.cast(input(0), attrInt(at['to']), name, g);
      case 'Concat':
        return this.concat(node, s, name, depth, g);
      case 'Slice':
        return this.slice(node, s, name, depth, g);
      default:
        return undefined;
    }
  }

  private constantNode(node: OnnxNode, name: string, g: string): ResolvedConstant | undefined {
    const at = node.attributes;
    const make = (t: OnnxTensor): ResolvedConstant => ({ tensor: { ...t, name }, source: 'Constant', via: [], graphName: g, overridable: false });
    const v = at['value'];
    if (v?.type === 'TENSOR') return v.value.data ? make(v.value) : undefined;
    const f = at['value_float'];
    if (f?.type === 'FLOAT') return make({ name, dataType: 'FLOAT', dataTypeCode: 1, dims: [], data: Float32Array.of(f.value) });
    const fs = at['value_floats'];
    if (fs?.type === 'FLOATS') return make({ name, dataType: 'FLOAT', dataTypeCode: 1, dims: [fs.value.length], data: Float32Array.from(fs.value) });
    const i = at['value_int'];
    if (i?.type === 'INT') return make({ name, dataType: 'INT64', dataTypeCode: 7, dims: [], data: BigInt64Array.of(BigInt.asIntN(64, i.exact ?? BigInt(i.value))) });
    const is = at['value_ints'];
    if (is?.type === 'INTS') {
      const vals = is.exact ?? is.value.map((x) => BigInt(x));
      return make({ name, dataType: 'INT64', dataTypeCode: 7, dims: [vals.length], data: BigInt64Array.from(vals, (x) => BigInt.asIntN(64, x)) });
    }
    const str = at['value_string'];
    if (str?.type === 'STRING') return make({ name, dataType: 'STRING', dataTypeCode: 8, dims: [], data: [str.value] });
    const strs = at['value_strings'];
    if (strs?.type === 'STRINGS') return make({ name, dataType: 'STRING', dataTypeCode: 8, dims: [strs.value.length], data: strs.value.slice() });
    return undefined; // sparse_value, or no value
  }

  private cast(x: ResolvedConstant | undefined, to: number | undefined, name: string, g: string): ResolvedConstant | undefined {
    if (!x?.tensor.data || to === undefined) return undefined;
    const t = x.tensor;
    const data = t.data!;
    if (to === t.dataTypeCode) return this.reshaped(name, x, t.dims.slice(), 'Cast', g);
    const n = data.length;
    if (to === 1 || to === 11) {
      if (Array.isArray(data)) return undefined;
      const out = to === 1 ? new Float32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = numberAt(t, data, i)!;
      return this.derived(name, onnxDataTypeName(to), to, t.dims.slice(), out, 'Cast', x, g);
    }
    if (to === 7 || to === 6) {
      if (Array.isArray(data) || t.dataType === 'FLOAT16' || t.dataType === 'BFLOAT16') return undefined;
      const toInt = (v: number | bigint): bigint | undefined => (typeof v === 'bigint' ? v : Number.isFinite(v) ? BigInt(Math.trunc(v)) : undefined);
      const vals: bigint[] = [];
      for (let i = 0; i < n; i++) {
        const v = toInt(data[i]!);
        if (v === undefined) return undefined;
        vals.push(to === 7 ? BigInt.asIntN(64, v) : BigInt.asIntN(32, v));
      }
      const out = to === 7 ? BigInt64Array.from(vals) : Int32Array.from(vals, (v) => Number(v));
      return this.derived(name, onnxDataTypeName(to), to, t.dims.slice(), out, 'Cast', x, g);
    }
    return undefined;
  }

  private concat(node: OnnxNode, s: OnnxScope, name: string, depth: number, g: string): ResolvedConstant | undefined {
    let axis = attrInt(node.attributes['axis']);
    if (axis === undefined || node.inputs.length === 0) return undefined;
    const parts: ResolvedConstant[] = [];
    for (const i of node.inputs) {
      if (!i) return undefined;
      const r = this.resolveAt(s, i, depth + 1);
      if (!r?.tensor.data) return undefined;
      parts.push(r);
    }
    const first = parts[0]!.tensor;
    const rank = first.dims.length;
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank) return undefined;
    let total = 0;
    for (const p of parts) {
      const d = p.tensor.dims;
      if (p.tensor.dataTypeCode !== first.dataTypeCode || d.length !== rank || d.some((v, k) => k !== axis && v !== first.dims[k])) return undefined;
      total += d[axis]!;
    }
    const dims = first.dims.slice();
    dims[axis] = total;
    const outer = product(first.dims.slice(0, axis));
    const inner = product(first.dims.slice(axis + 1));
    const n = outer * total * inner;
    if (n * (ELEM_BYTES[first.dataType] ?? 8) + this.derivedBytes > this.maxDerivedBytes) return undefined;
    const out = allocLike(first.data!, n);
    let o = 0;
    for (let a = 0; a < outer; a++) {
      for (const p of parts) {
        const len = p.tensor.dims[axis]! * inner;
        copyRun(out, o, p.tensor.data!, a * len, len, 1);
        o += len;
      }
    }
    const overridable = parts.some((p) => p.overridable);
    const r = this.derived(name, first.dataType, first.dataTypeCode, dims, out, 'Concat', { ...parts[0]!, overridable }, g);
    return r;
  }

  private slice(node: OnnxNode, s: OnnxScope, name: string, depth: number, g: string): ResolvedConstant | undefined {
    const x = node.inputs[0] ? this.resolveAt(s, node.inputs[0], depth + 1) : undefined;
    if (!x?.tensor.data) return undefined;
    const d = x.tensor.dims;
    const rank = d.length;
    let starts: bigint[] | undefined;
    let ends: bigint[] | undefined;
    let axes: bigint[] | undefined;
    let steps: bigint[] | undefined;
    const ints = (i: number) => (node.inputs[i] ? intValues(this.resolveAt(s, node.inputs[i]!, depth + 1)?.tensor) : undefined);
    if (this.opset < 10) {
      starts = attrInts(node.attributes['starts']);
      ends = attrInts(node.attributes['ends']);
      axes = attrInts(node.attributes['axes']);
    } else {
      starts = ints(1);
      ends = ints(2);
      if (node.inputs[3]) {
        axes = ints(3);
        if (!axes) return undefined;
      }
      if (node.inputs[4]) {
        steps = ints(4);
        if (!steps) return undefined;
      }
    }
    if (!starts || !ends || starts.length !== ends.length) return undefined;
    axes ??= starts.map((_, i) => BigInt(i));
    steps ??= starts.map(() => 1n);
    if (axes.length !== starts.length || steps.length !== starts.length) return undefined;
    const ax = normAxes(axes, rank);
    if (!ax) return undefined;
    const lo = d.map(() => 0);
    const step = d.map(() => 1);
    const cnt = d.slice();
    for (let k = 0; k < ax.length; k++) {
      const a = ax[k]!;
      const dim = BigInt(d[a]!);
      const st = steps[k]!;
      if (st === 0n) return undefined;
      let b = starts[k]!;
      let e = ends[k]!;
      if (b < 0n) b += dim;
      if (e < 0n) e += dim;
      if (st > 0n) {
        b = b < 0n ? 0n : b > dim ? dim : b;
        e = e < 0n ? 0n : e > dim ? dim : e;
        cnt[a] = e > b ? Number((e - b + st - 1n) / st) : 0;
      } else {
        b = b < 0n ? 0n : b > dim - 1n ? dim - 1n : b;
        e = e < -1n ? -1n : e > dim - 1n ? dim - 1n : e;
        cnt[a] = b > e ? Number((b - e - st - 1n) / -st) : 0;
      }
      lo[a] = Number(b);
      // |step| beyond the dim gives at most one element; clamp so the number stays exact.
      const sc = st > BigInt(d[a]! + 1) ? BigInt(d[a]! + 1) : st < -BigInt(d[a]! + 1) ? -BigInt(d[a]! + 1) : st;
      step[a] = Number(sc);
    }
    const n = product(cnt);
    if (n * (ELEM_BYTES[x.tensor.dataType] ?? 8) + this.derivedBytes > this.maxDerivedBytes) return undefined;
    const out = allocLike(x.tensor.data, n) as unknown as unknown[];
    const strides: number[] = new Array<number>(rank);
    let acc = 1;
    for (let a = rank - 1; a >= 0; a--) {
      strides[a] = acc;
      acc *= d[a]!;
    }
    // Whole runs along the last axis at a time; the outer axes advance like an odometer.
    const last = rank - 1;
    const run = rank === 0 ? 1 : cnt[last]!;
    const idx = new Array<number>(rank).fill(0);
    for (let o = 0; o < n; o += run) {
      let off = 0;
      for (let a = 0; a < last; a++) off += (lo[a]! + idx[a]! * step[a]!) * strides[a]!;
      if (rank > 0) off += lo[last]!;
      copyRun(out as unknown as Data, o, x.tensor.data, off, run, rank > 0 ? step[last]! : 1);
      for (let a = last - 1; a >= 0; a--) {
        if (++idx[a]! < cnt[a]!) break;
        idx[a] = 0;
      }
    }
    return this.derived(name, x.tensor.dataType, x.tensor.dataTypeCode, cnt, out as unknown as Data, 'Slice', x, g);
  }
}
