/**
 * A dependency-free writer for the one ONNX model the bench needs: a single LSTM node (opset 14),
 * weights as initializers, X / initial_h / initial_c as graph inputs, Y / Y_h / Y_c as outputs.
 * Protobuf wire format by hand (varints, length-delimited fields, little-endian floats).
 *
 * ONNX gate order is i, o, f, c for W / R / B and i, o, f for the peephole P; NNAPI's is
 * i, f, c, o (and i, f, o). The bias is split into Wb (the NNAPI gate bias) and Rb (zero).
 */
import type { CellTensors } from '../../ops/sequence/unidirectional.js';

class Pb {
  private readonly parts: Uint8Array[] = [];
  private len = 0;
  private push(b: Uint8Array): void {
    this.parts.push(b);
    this.len += b.length;
  }
  private varint(v: number): void {
    const out: number[] = [];
    let x = BigInt(v);
    do {
      let byte = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) byte |= 0x80;
      out.push(byte);
    } while (x !== 0n);
    this.push(Uint8Array.from(out));
  }
  private key(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }
  int(field: number, v: number): this {
    this.key(field, 0);
    this.varint(v);
    return this;
  }
  float(field: number, v: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }
  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }
  str(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  msg(field: number, m: Pb): this {
    return this.bytes(field, m.finish());
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.len);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

const FLOAT = 1;

function tensor(name: string, dims: number[], values: Float32Array): Pb {
  const t = new Pb();
  for (const d of dims) t.int(1, d);
  t.int(2, FLOAT).str(8, name);
  const raw = new Uint8Array(values.length * 4);
  const dv = new DataView(raw.buffer);
  for (let k = 0; k < values.length; k++) dv.setFloat32(k * 4, values[k]!, true);
  return t.bytes(9, raw);
}

function valueInfo(name: string, dims: number[]): Pb {
  const shape = new Pb();
  for (const d of dims) shape.msg(1, new Pb().int(1, d));
  const tt = new Pb().int(1, FLOAT).msg(2, shape);
  return new Pb().str(1, name).msg(2, new Pb().msg(1, tt));
}

export interface OnnxLstmSpec {
  T: number;
  B: number;
  I: number;
  N: number;
  cell: CellTensors;
  peephole: boolean;
}

/** ONNX LSTM model bytes for a non-CIFG, projection-free NNAPI cell (ONNX has no projection). */
export function onnxLstmModel(s: OnnxLstmSpec): Uint8Array {
  const { T, B, I, N, cell: c } = s;
  const gates = (a: Float32Array | null, b: Float32Array, d: Float32Array, e: Float32Array, cols: number): Float32Array => {
    // NNAPI i, f, c, o → ONNX i, o, f, c
    const out = new Float32Array(4 * N * cols);
    [a!, e, b, d].forEach((g, k) => out.set(g, k * N * cols));
    return out;
  };
  const W = gates(c.input_to_input_weights, c.input_to_forget_weights, c.input_to_cell_weights, c.input_to_output_weights, I);
  const R = gates(c.recurrent_to_input_weights, c.recurrent_to_forget_weights, c.recurrent_to_cell_weights, c.recurrent_to_output_weights, N);
  const Bv = new Float32Array(8 * N);
  Bv.set(gates(c.input_gate_bias, c.forget_gate_bias, c.cell_gate_bias, c.output_gate_bias, 1));
  const graph = new Pb();
  const node = new Pb();
  for (const i of ['X', 'W', 'R', 'B', '', 'initial_h', 'initial_c', ...(s.peephole ? ['P'] : [])]) node.str(1, i);
  for (const o of ['Y', 'Y_h', 'Y_c']) node.str(2, o);
  node.str(3, 'lstm').str(4, 'LSTM');
  node.msg(5, new Pb().str(1, 'hidden_size').int(20, 2).int(3, N));
  node.msg(5, new Pb().str(1, 'direction').int(20, 3).str(4, 'forward'));
  graph.msg(1, node).str(2, 'nnlstm_bench');
  graph.msg(5, tensor('W', [1, 4 * N, I], W));
  graph.msg(5, tensor('R', [1, 4 * N, N], R));
  graph.msg(5, tensor('B', [1, 8 * N], Bv));
  if (s.peephole) {
    const P = new Float32Array(3 * N);
    [c.cell_to_input_weights!, c.cell_to_output_weights!, c.cell_to_forget_weights!].forEach((g, k) => P.set(g, k * N));
    graph.msg(5, tensor('P', [1, 3 * N], P));
  }
  graph.msg(11, valueInfo('X', [T, B, I]));
  graph.msg(11, valueInfo('initial_h', [1, B, N]));
  graph.msg(11, valueInfo('initial_c', [1, B, N]));
  graph.msg(12, valueInfo('Y', [T, 1, B, N]));
  graph.msg(12, valueInfo('Y_h', [1, B, N]));
  graph.msg(12, valueInfo('Y_c', [1, B, N]));
  const model = new Pb().int(1, 8).str(2, 'nnlstm').msg(7, graph).msg(8, new Pb().str(1, '').int(2, 14));
  return model.finish();
}
