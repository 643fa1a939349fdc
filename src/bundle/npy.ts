/**
 * NumPy .npy files, format version 1.0 (numpy/lib/format.py): magic "\x93NUMPY", version 1.0,
 * u16 LE header length, a Python-literal dict {'descr', 'fortran_order', 'shape'} padded with
 * spaces and a newline so the data starts at a multiple of 64, then the raw C-order data.
 */
import type { OperandTypeName } from '../model/operand-types.js';
import { fromFloat16Bits, toFloat16Bits } from '../util/float16.js';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

export type NpyDescr = '<f4' | '<f2' | '<f8' | '<i4' | '<u4' | '<i2' | '<u2' | '|i1' | '|u1' | '|b1';

export interface NpyArray {
  descr: NpyDescr;
  shape: number[];
  data: number[] | Float32Array | Float64Array;
}

export class NpyError extends Error {
  override readonly name = 'NpyError';
}

/** The .npy dtype an operand type is stored as. */
export function descrFor(type: OperandTypeName): NpyDescr {
  switch (type) {
    case 'TENSOR_FLOAT32':
    case 'FLOAT32':
      return '<f4';
    case 'TENSOR_FLOAT16':
    case 'FLOAT16':
      return '<f2';
    case 'TENSOR_INT32':
    case 'INT32':
      return '<i4';
    case 'UINT32':
      return '<u4';
    case 'BOOL':
    case 'TENSOR_BOOL8':
      return '|b1';
    case 'TENSOR_QUANT8_ASYMM':
    case 'TENSOR_OEM_BYTE':
      return '|u1';
    case 'TENSOR_QUANT8_SYMM':
    case 'TENSOR_QUANT8_SYMM_PER_CHANNEL':
    case 'TENSOR_QUANT8_ASYMM_SIGNED':
      return '|i1';
    case 'TENSOR_QUANT16_SYMM':
      return '<i2';
    case 'TENSOR_QUANT16_ASYMM':
      return '<u2';
    default:
      throw new NpyError(`no .npy dtype for operand type ${type}`);
  }
}

const SIZE: Record<NpyDescr, number> = { '<f4': 4, '<f2': 2, '<f8': 8, '<i4': 4, '<u4': 4, '<i2': 2, '<u2': 2, '|i1': 1, '|u1': 1, '|b1': 1 };

export function encodeNpy(descr: NpyDescr, shape: readonly number[], values: ArrayLike<number>): Buffer {
  const n = shape.reduce((a, b) => a * b, 1);
  if (values.length !== n) throw new NpyError(`${values.length} values for shape (${shape.join(', ')})`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = MAGIC.length + 2 + 2 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const size = SIZE[descr];
  const data = Buffer.alloc(n * size);
  for (let k = 0; k < n; k++) {
    const v = values[k]!;
    switch (descr) {
      case '<f4': data.writeFloatLE(v, k * 4); break;
      case '<f8': data.writeDoubleLE(v, k * 8); break;
      case '<f2': data.writeUInt16LE(toFloat16Bits(v), k * 2); break;
      case '<i4': data.writeInt32LE(v | 0, k * 4); break;
      case '<u4': data.writeUInt32LE(v >>> 0, k * 4); break;
      case '<i2': data.writeInt16LE(v, k * 2); break;
      case '<u2': data.writeUInt16LE(v, k * 2); break;
      case '|i1': data.writeInt8(v, k); break;
      case '|u1': data.writeUInt8(v, k); break;
      case '|b1': data.writeUInt8(v ? 1 : 0, k); break;
    }
  }
  const prefix = Buffer.alloc(MAGIC.length + 4);
  MAGIC.copy(prefix);
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), data]);
}

/** Reads a version 1.x/2.x/3.x .npy of one of the dtypes above, C order. */
export function decodeNpy(buf: Buffer): NpyArray {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw new NpyError('not a .npy file (bad magic)');
  const major = buf[6]!;
  const hlenBytes = major === 1 ? 2 : 4;
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = 8 + hlenBytes;
  if (buf.length < start + hlen) throw new NpyError('truncated .npy header');
  const header = buf.subarray(start, start + hlen).toString(major >= 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new NpyError(`unreadable .npy header: ${header.trim()}`);
  if (fortran === 'True') throw new NpyError('Fortran-order .npy arrays are not supported; save in C order');
  const d = (descr === '<b1' ? '|b1' : descr === '<i1' ? '|i1' : descr === '<u1' ? '|u1' : descr) as NpyDescr;
  if (!Object.hasOwn(SIZE, d)) throw new NpyError(`unsupported .npy dtype ${descr}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = buf.subarray(start + hlen);
  const size = SIZE[d];
  if (data.length !== n * size) throw new NpyError(`.npy data holds ${data.length} bytes, shape (${shape.join(', ')}) of ${descr} needs ${n * size}`);
  let out: number[] | Float32Array | Float64Array;
  if (d === '<f4') {
    out = new Float32Array(n);
    for (let k = 0; k < n; k++) out[k] = data.readFloatLE(k * 4);
  } else if (d === '<f8' || d === '<f2') {
    out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[k] = d === '<f8' ? data.readDoubleLE(k * 8) : fromFloat16Bits(data.readUInt16LE(k * 2));
  } else {
    out = [];
    for (let k = 0; k < n; k++) {
      switch (d) {
        case '<i4': out.push(data.readInt32LE(k * 4)); break;
        case '<u4': out.push(data.readUInt32LE(k * 4)); break;
        case '<i2': out.push(data.readInt16LE(k * 2)); break;
        case '<u2': out.push(data.readUInt16LE(k * 2)); break;
        case '|i1': out.push(data.readInt8(k)); break;
        default: out.push(data.readUInt8(k)); break;
      }
    }
  }
  return { descr: d, shape, data: out };
}
