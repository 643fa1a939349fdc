/**
 * A WebNN MLContext / MLGraphBuilder shim backed by nnlstm's WebNN reference (src/ops/webnn-lstm): just what the
 * web-platform-tests conformance flow needs for lstm and lstmCell graphs — input, constant, lstm, lstmCell,
 * build, createTensor, writeTensor, dispatch, readTensor, opSupportLimits. float16 tensors travel as Uint16Array
 * bit patterns, as in WPT. A backend option can break it on purpose (wrong peephole timing, swapped layout), so
 * that tests can show the exported files catch those bugs.
 */
import { fromFloat16Bits, toFloat16Bits } from '../../src/util/float16.js';
import { webnnLstm } from '../../src/ops/webnn-lstm/lstm.js';
import { webnnLstmCell } from '../../src/ops/webnn-lstm/cell.js';
import type { OutputPeepholeTiming, WebnnDataType, WebnnLstmLayout, WebnnPrecision, WebnnTensor } from '../../src/ops/webnn-lstm/types.js';
import { validateWebnnLstm, validateWebnnLstmCell } from '../../src/ops/webnn-lstm/validate.js';

export interface ShimBackendOptions {
  /** Default 'C_prev' (the spec); 'C_t' models a backend that follows ONNX/NNAPI. */
  outputPeephole?: OutputPeepholeTiming;
  /** Reads 'iofg' weights as 'ifgo' and vice versa (a gate-order bug). */
  swapLayout?: boolean;
  /** Runs direction 'backward' forward (a direction bug). */
  backwardAsForward?: boolean;
  /** Arithmetic of float16 graphs: 'float16' (every op rounded to binary16, default), 'float32' (outputs rounded once) or 'float64'. */
  float16Arithmetic?: 'float16' | 'float32' | 'float64';
  /** Arithmetic of float32 graphs (default 'float32'; 'float64' computes as webnn-baseline does). */
  float32Arithmetic?: 'float32' | 'float64';
}

export interface OperandDescriptor {
  dataType: WebnnDataType;
  shape: number[];
}

type Producer = { op: 'lstm' | 'lstmCell'; args: unknown[]; index: number };

export class ShimOperand {
  constructor(
    readonly builder: ShimGraphBuilder,
    readonly dataType: WebnnDataType,
    readonly shape: number[],
    readonly kind: 'input' | 'constant' | 'output',
    readonly inputName?: string,
    readonly values?: Float64Array,
    readonly producer?: Producer,
  ) {}
}

function decode(dataType: WebnnDataType, buffer: ArrayBufferView): Float64Array {
  if (dataType === 'float16') {
    const u = buffer instanceof Uint16Array ? buffer : new Uint16Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 2);
    return Float64Array.from(u, (h) => fromFloat16Bits(h));
  }
  const f = buffer instanceof Float32Array ? buffer : new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4);
  return Float64Array.from(f);
}

function encode(dataType: WebnnDataType, values: ArrayLike<number>): ArrayBuffer {
  if (dataType === 'float16') return Uint16Array.from(Array.from(values), (v) => toFloat16Bits(v)).buffer;
  return Float32Array.from(Array.from(values)).buffer;
}

const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

export class ShimGraph {
  constructor(readonly outputs: Record<string, ShimOperand>) {}
}

export class ShimTensor {
  data: Float64Array;
  constructor(readonly dataType: WebnnDataType, readonly shape: number[], readonly readable: boolean, readonly writable: boolean) {
    this.data = new Float64Array(product(shape));
  }
}

function typeError(msg: string): TypeError {
  return new TypeError(msg);
}

export class ShimGraphBuilder {
  constructor(readonly context: ShimContext) {
    if (!(context instanceof ShimContext)) throw typeError('MLGraphBuilder: not an MLContext');
  }
  input(name: string, desc: OperandDescriptor): ShimOperand {
    return new ShimOperand(this, desc.dataType, [...desc.shape], 'input', name);
  }
  constant(desc: OperandDescriptor, buffer: ArrayBufferView): ShimOperand {
    const values = decode(desc.dataType, buffer);
    if (values.length !== product(desc.shape)) throw typeError(`constant: ${values.length} values for shape [${desc.shape}]`);
    return new ShimOperand(this, desc.dataType, [...desc.shape], 'constant', undefined, values);
  }
  private static descOf(o: unknown, what: string): { shape: number[]; dataType: WebnnDataType } | undefined {
    if (o === undefined || o === null) return undefined;
    if (!(o instanceof ShimOperand)) throw typeError(`${what} is not an MLOperand`);
    return { shape: o.shape, dataType: o.dataType };
  }
  lstm(input: ShimOperand, weight: ShimOperand, recurrentWeight: ShimOperand, steps: number, hiddenSize: number, options: Record<string, unknown> = {}): ShimOperand[] {
    const d = (k: string) => ShimGraphBuilder.descOf(options[k], `options.${k}`);
    const v = validateWebnnLstm(
      {
        input: ShimGraphBuilder.descOf(input, 'input')!,
        weight: ShimGraphBuilder.descOf(weight, 'weight')!,
        recurrentWeight: ShimGraphBuilder.descOf(recurrentWeight, 'recurrentWeight')!,
        bias: d('bias'),
        recurrentBias: d('recurrentBias'),
        peepholeWeight: d('peepholeWeight'),
        initialHiddenState: d('initialHiddenState'),
        initialCellState: d('initialCellState'),
      },
      steps,
      hiddenSize,
      options as never,
    );
    if (v.length) throw typeError(v.map((x) => `${x.rule}: ${x.message}`).join('; '));
    const numDir = options['direction'] === 'both' ? 2 : 1;
    const batch = input.shape[1]!;
    const args = [input, weight, recurrentWeight, steps, hiddenSize, { ...options }];
    const outs = [
      new ShimOperand(this, input.dataType, [numDir, batch, hiddenSize], 'output', undefined, undefined, { op: 'lstm', args, index: 0 }),
      new ShimOperand(this, input.dataType, [numDir, batch, hiddenSize], 'output', undefined, undefined, { op: 'lstm', args, index: 1 }),
    ];
    if (options['returnSequence'] === true) outs.push(new ShimOperand(this, input.dataType, [steps, numDir, batch, hiddenSize], 'output', undefined, undefined, { op: 'lstm', args, index: 2 }));
    return outs;
  }
  lstmCell(input: ShimOperand, weight: ShimOperand, recurrentWeight: ShimOperand, hiddenState: ShimOperand, cellState: ShimOperand, hiddenSize: number, options: Record<string, unknown> = {}): ShimOperand[] {
    const d = (k: string) => ShimGraphBuilder.descOf(options[k], `options.${k}`);
    const v = validateWebnnLstmCell(
      {
        input: ShimGraphBuilder.descOf(input, 'input')!,
        weight: ShimGraphBuilder.descOf(weight, 'weight')!,
        recurrentWeight: ShimGraphBuilder.descOf(recurrentWeight, 'recurrentWeight')!,
        hiddenState: ShimGraphBuilder.descOf(hiddenState, 'hiddenState')!,
        cellState: ShimGraphBuilder.descOf(cellState, 'cellState')!,
        bias: d('bias'),
        recurrentBias: d('recurrentBias'),
        peepholeWeight: d('peepholeWeight'),
      },
      hiddenSize,
      options as never,
    );
    if (v.length) throw typeError(v.map((x) => `${x.rule}: ${x.message}`).join('; '));
    const args = [input, weight, recurrentWeight, hiddenState, cellState, hiddenSize, { ...options }];
    const shape = [input.shape[0]!, hiddenSize];
    return [0, 1].map((index) => new ShimOperand(this, input.dataType, shape, 'output', undefined, undefined, { op: 'lstmCell', args, index }));
  }
  async build(outputs: Record<string, ShimOperand>): Promise<ShimGraph> {
    for (const [k, o] of Object.entries(outputs)) if (!(o instanceof ShimOperand) || o.kind !== 'output') throw typeError(`build: output ${k} is not an operator output`);
    return new ShimGraph({ ...outputs });
  }
}

/** Limits for the two operators' operands, in MLOpSupportLimits form. */
function limits(names: string[], ranks: number[]): Record<string, { dataTypes: string[]; rankRange: { min: number; max: number } }> {
  return Object.fromEntries(names.map((n, k) => [n, { dataTypes: ['float32', 'float16'], rankRange: { min: ranks[k]!, max: ranks[k]! } }]));
}

export class ShimContext {
  constructor(readonly backend: ShimBackendOptions = {}) {}
  opSupportLimits(): Record<string, unknown> {
    const any = { dataTypes: ['float32', 'float16'], rankRange: { min: 0, max: 8 } };
    return {
      input: any,
      constant: any,
      output: any,
      lstm: limits(['input', 'weight', 'recurrentWeight', 'bias', 'recurrentBias', 'peepholeWeight', 'initialHiddenState', 'initialCellState', 'output0', 'output1', 'output2'], [3, 3, 3, 2, 2, 2, 3, 3, 3, 3, 4]),
      lstmCell: limits(['input', 'weight', 'recurrentWeight', 'hiddenState', 'cellState', 'bias', 'recurrentBias', 'peepholeWeight', 'output0', 'output1'], [2, 2, 2, 2, 2, 1, 1, 1, 2, 2]),
    };
  }
  async createTensor(desc: OperandDescriptor & { readable?: boolean; writable?: boolean }): Promise<ShimTensor> {
    return new ShimTensor(desc.dataType, [...desc.shape], desc.readable === true, desc.writable === true);
  }
  writeTensor(t: ShimTensor, data: ArrayBufferView): void {
    if (!t.writable) throw typeError('writeTensor: tensor is not writable');
    const v = decode(t.dataType, data);
    if (v.length !== t.data.length) throw typeError(`writeTensor: ${v.length} values for shape [${t.shape}]`);
    t.data = v;
  }
  async readTensor(t: ShimTensor): Promise<ArrayBuffer> {
    if (!t.readable) throw typeError('readTensor: tensor is not readable');
    return encode(t.dataType, t.data);
  }
  private precision(dt: WebnnDataType): WebnnPrecision {
    return dt === 'float16' ? (this.backend.float16Arithmetic ?? 'float16') : (this.backend.float32Arithmetic ?? 'float32');
  }
  private layout(l: unknown): WebnnLstmLayout {
    const layout = (l ?? 'iofg') as WebnnLstmLayout;
    return this.backend.swapLayout ? (layout === 'iofg' ? 'ifgo' : 'iofg') : layout;
  }
  dispatch(graph: ShimGraph, inputs: Record<string, ShimTensor>, outputs: Record<string, ShimTensor>): void {
    const memo = new Map<unknown, Float64Array[]>();
    const value = (o: unknown): WebnnTensor | undefined => {
      if (o === undefined || o === null) return undefined;
      const op = o as ShimOperand;
      if (op.kind === 'constant') return { dims: op.shape, data: op.values! };
      if (op.kind === 'input') {
        const t = inputs[op.inputName!];
        if (!t) throw typeError(`dispatch: no tensor for input '${op.inputName}'`);
        return { dims: op.shape, data: t.data };
      }
      return { dims: op.shape, data: run(op.producer!)[op.producer!.index]! };
    };
    const run = (p: Producer): Float64Array[] => {
      const hit = memo.get(p.args);
      if (hit) return hit;
      const dt = (p.args[0] as ShimOperand).dataType;
      const opts = p.args[p.args.length - 1] as Record<string, unknown>;
      const common = {
        bias: value(opts['bias']),
        recurrentBias: value(opts['recurrentBias']),
        peepholeWeight: value(opts['peepholeWeight']),
        layout: this.layout(opts['layout']),
        activations: opts['activations'] as never,
        precision: this.precision(dt),
        outputPeephole: this.backend.outputPeephole ?? 'C_prev',
      };
      let outs: Float64Array[];
      if (p.op === 'lstm') {
        const [input, weight, rw, steps, hiddenSize] = p.args as [ShimOperand, ShimOperand, ShimOperand, number, number];
        const r = webnnLstm(value(input)!, value(weight)!, value(rw)!, steps, hiddenSize, {
          ...common,
          initialHiddenState: value(opts['initialHiddenState']),
          initialCellState: value(opts['initialCellState']),
          returnSequence: opts['returnSequence'] === true,
          direction: (this.backend.backwardAsForward && opts['direction'] === 'backward' ? 'forward' : (opts['direction'] ?? 'forward')) as never,
        });
        outs = [r.hidden.data, r.cell.data, ...(r.sequence ? [r.sequence.data] : [])];
      } else {
        const [input, weight, rw, h, c, hiddenSize] = p.args as [ShimOperand, ShimOperand, ShimOperand, ShimOperand, ShimOperand, number];
        const r = webnnLstmCell(value(input)!, value(weight)!, value(rw)!, value(h)!, value(c)!, hiddenSize, common);
        outs = [r.hidden.data, r.cell.data];
      }
      // Outputs are stored in the operand's data type.
      const q = dt === 'float16' ? (x: number) => fromFloat16Bits(toFloat16Bits(x)) : Math.fround;
      outs = outs.map((a) => a.map(q));
      memo.set(p.args, outs);
      return outs;
    };
    for (const [name, operand] of Object.entries(graph.outputs)) {
      const t = outputs[name];
      if (!t) throw typeError(`dispatch: no tensor for output '${name}'`);
      const v = value(operand)!;
      t.data = Float64Array.from(v.data);
    }
  }
}

/** navigator.ml of the shim. */
export function shimML(backend: ShimBackendOptions = {}): { createContext(options?: unknown): Promise<ShimContext> } {
  return { createContext: async () => new ShimContext(backend) };
}
