/**
 * The exec-driver protocol, version 1 (spec/driver-protocol.md; headers:
 * spec/schema/driver-protocol.schema.json): element encodings, the model and input encoding the
 * host sends, the validation of the driver's response headers, and the decoding of outputs.
 */

import Ajv2020Module, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { InputValue, OutputValue } from '../driver.js';
import { isOmitted, type Model } from '../../model/model.js';
import type { OperandTypeName } from '../../model/operand-types.js';
import { fromFloat16Bits, toFloat16Bits } from '../../util/float16.js';
import { SCHEMA_DOCUMENTS } from '../../model/data.generated.js';

export const PROTOCOL_VERSION = 1;

export type MessageType = 'hello' | 'prepare' | 'execute' | 'release' | 'shutdown';

export const STATUSES = ['OK', 'BAD_DATA', 'OP_FAILED', 'UNAVAILABLE', 'UNEXPECTED_NULL', 'OUTPUT_INSUFFICIENT_SIZE', 'BAD_STATE', 'OUT_OF_MEMORY'] as const;
export type ProtocolStatus = (typeof STATUSES)[number];

export interface Ref {
  offset: number;
  length: number;
}

type ElementKind = 'f32' | 'f16' | 'i32' | 'u32' | 'u8' | 'i8' | 'i16' | 'u16' | 'bool' | 'none';

/** How one element of each operand type is stored (little-endian). */
export const ELEMENT: Record<OperandTypeName, { kind: ElementKind; bytes: number }> = {
  FLOAT32: { kind: 'f32', bytes: 4 },
  TENSOR_FLOAT32: { kind: 'f32', bytes: 4 },
  FLOAT16: { kind: 'f16', bytes: 2 },
  TENSOR_FLOAT16: { kind: 'f16', bytes: 2 },
  INT32: { kind: 'i32', bytes: 4 },
  TENSOR_INT32: { kind: 'i32', bytes: 4 },
  UINT32: { kind: 'u32', bytes: 4 },
  BOOL: { kind: 'bool', bytes: 1 },
  TENSOR_BOOL8: { kind: 'bool', bytes: 1 },
  TENSOR_QUANT8_ASYMM: { kind: 'u8', bytes: 1 },
  TENSOR_QUANT8_SYMM: { kind: 'i8', bytes: 1 },
  TENSOR_QUANT8_SYMM_PER_CHANNEL: { kind: 'i8', bytes: 1 },
  TENSOR_QUANT8_ASYMM_SIGNED: { kind: 'i8', bytes: 1 },
  TENSOR_QUANT16_SYMM: { kind: 'i16', bytes: 2 },
  TENSOR_QUANT16_ASYMM: { kind: 'u16', bytes: 2 },
  TENSOR_OEM_BYTE: { kind: 'u8', bytes: 1 },
  SUBGRAPH: { kind: 'none', bytes: 0 },
};

/** Little-endian bytes of `values` stored as `type`. */
export function encodeValues(type: OperandTypeName, values: ArrayLike<number>): Buffer {
  const e = ELEMENT[type];
  const n = values.length;
  const buf = Buffer.alloc(n * e.bytes);
  for (let k = 0; k < n; k++) {
    const v = values[k]!;
    switch (e.kind) {
      case 'f32': buf.writeFloatLE(v, k * 4); break;
      case 'f16': buf.writeUInt16LE(toFloat16Bits(v), k * 2); break;
      case 'i32': buf.writeInt32LE(Math.trunc(v) | 0, k * 4); break;
      case 'u32': buf.writeUInt32LE(Math.trunc(v) >>> 0, k * 4); break;
      case 'bool': buf.writeUInt8(v ? 1 : 0, k); break;
      case 'u8': buf.writeUInt8(Math.trunc(v) & 0xff, k); break;
      case 'i8': buf.writeInt8(((Math.trunc(v) + 128) & 0xff) - 128, k); break;
      case 'i16': buf.writeInt16LE(((Math.trunc(v) + 32768) & 0xffff) - 32768, k * 2); break;
      case 'u16': buf.writeUInt16LE(Math.trunc(v) & 0xffff, k * 2); break;
      case 'none': break;
    }
  }
  return buf;
}

/** Numbers of `bytes` read as `type` (float32 → Float32Array, float16 → exact binary16 values). */
export function decodeValues(type: OperandTypeName, bytes: Buffer): Float32Array | Float64Array | number[] {
  const e = ELEMENT[type];
  const n = e.bytes === 0 ? 0 : bytes.length / e.bytes;
  switch (e.kind) {
    case 'f32': {
      const out = new Float32Array(n);
      for (let k = 0; k < n; k++) out[k] = bytes.readFloatLE(k * 4);
      return out;
    }
    case 'f16': {
      const out = new Float64Array(n);
      for (let k = 0; k < n; k++) out[k] = fromFloat16Bits(bytes.readUInt16LE(k * 2));
      return out;
    }
    default: {
      const out: number[] = [];
      for (let k = 0; k < n; k++) {
        switch (e.kind) {
          case 'i32': out.push(bytes.readInt32LE(k * 4)); break;
          case 'u32': out.push(bytes.readUInt32LE(k * 4)); break;
          case 'bool': case 'u8': out.push(bytes.readUInt8(k)); break;
          case 'i8': out.push(bytes.readInt8(k)); break;
          case 'i16': out.push(bytes.readInt16LE(k * 2)); break;
          case 'u16': out.push(bytes.readUInt16LE(k * 2)); break;
          default: break;
        }
      }
      return out;
    }
  }
}

/** Accumulates payload buffers and hands out their refs. */
export class PayloadBuilder {
  private parts: Buffer[] = [];
  private size = 0;
  add(b: Buffer): Ref {
    const ref = { offset: this.size, length: b.length };
    this.parts.push(b);
    this.size += b.length;
    return ref;
  }
  build(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }
}

const CONSTANT_LIFETIMES = new Set(['CONSTANT_COPY', 'CONSTANT_REFERENCE']);

/**
 * The prepare request for a model: its structure as declared (even when invalid), constants' bytes
 * in the payload. Model inputs carry no data (their values come with execute); expected output
 * values are never sent.
 */
export function encodePrepare(id: number, model: Model): { header: Record<string, unknown>; payload: Buffer } {
  const pb = new PayloadBuilder();
  const operands = model.operands.map((o) => {
    const omitted = isOmitted(o);
    const known = Object.hasOwn(ELEMENT, o.type);
    const data = !omitted && known && CONSTANT_LIFETIMES.has(o.lifetime) ? pb.add(encodeValues(o.type, o.values)) : null;
    return {
      name: o.name,
      type: o.type,
      dimensions: [...o.dimensions],
      scale: o.scale,
      zeroPoint: o.zeroPoint,
      lifetime: o.lifetime,
      omitted,
      data,
    };
  });
  const header = {
    type: 'prepare',
    id,
    model: {
      operands,
      operations: model.operations.map((op) => ({ type: op.type, inputs: [...op.inputs], outputs: [...op.outputs] })),
      inputIndexes: [...model.inputIndexes],
      outputIndexes: [...model.outputIndexes],
      isRelaxed: model.isRelaxed === true,
    },
  };
  return { header, payload: pb.build() };
}

/** The execute request: one entry per model input, null = omitted; bytes in the input operand's type. */
export function encodeExecute(id: number, prepared: number, model: Model, inputs: readonly InputValue[]): { header: Record<string, unknown>; payload: Buffer } {
  const pb = new PayloadBuilder();
  const list = model.inputIndexes.map((idx, k) => {
    const v = inputs[k];
    if (v === null || v === undefined) return null;
    const op = model.operands[idx];
    if (op === undefined) throw new Error(`model input ${idx} has no operand`);
    return { dimensions: [...op.dimensions], data: pb.add(encodeValues(op.type, v)) };
  });
  return { header: { type: 'execute', id, prepared, inputs: list }, payload: pb.build() };
}

// ---- response validation ----------------------------------------------------------------------

type AjvCtor = typeof Ajv2020Module.default;
const Ajv2020 = ((Ajv2020Module as unknown as { default?: AjvCtor }).default ?? Ajv2020Module) as AjvCtor;
let validators: Map<string, ValidateFunction> | undefined;

function validatorFor(def: string): ValidateFunction {
  if (!validators) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
    ajv.addSchema(SCHEMA_DOCUMENTS['driver-protocol.schema.json'] as object, 'driver-protocol.schema.json');
    validators = new Map();
    const get = (d: string) => ajv.getSchema(`driver-protocol.schema.json#/$defs/${d}`);
    for (const t of ['hello', 'prepare', 'execute', 'release', 'shutdown']) {
      for (const side of ['Request', 'Response']) {
        const v = get(`${t}${side}`);
        if (!v) throw new Error(`driver-protocol.schema.json has no $defs/${t}${side}`);
        validators.set(`${t}${side}`, v);
      }
    }
  }
  const v = validators.get(def);
  if (!v) throw new Error(`no protocol schema for ${def}`);
  return v;
}

function describe(e: ErrorObject | undefined): string {
  if (!e) return 'invalid';
  return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params['allowedValues'] as unknown[]).join(', ')})` : ''}`;
}

/** Null when `header` is a valid `type` request/response; otherwise why not. */
export function checkHeader(type: MessageType, side: 'Request' | 'Response', header: unknown): string | null {
  const v = validatorFor(`${type}${side}`);
  if (v(header)) return null;
  const errs = v.errors ?? [];
  // Prefer the most specific error (deepest pointer), not the if/then summary.
  const sorted = [...errs].sort((a, b) => b.instancePath.length - a.instancePath.length);
  return describe(sorted.find((e) => e.keyword !== 'if') ?? sorted[0]);
}

/** The bytes a ref names; throws when it lies outside the payload. */
export function slice(payload: Buffer, ref: Ref, what: string): Buffer {
  if (ref.offset + ref.length > payload.length) {
    throw new RangeError(`${what}: data [${ref.offset}, ${ref.offset + ref.length}) lies outside the ${payload.length}-byte payload`);
  }
  return payload.subarray(ref.offset, ref.offset + ref.length);
}

export interface WireOutput {
  index: number;
  dimensions: number[];
  data: Ref;
}

/**
 * Outputs of an OK execute response, decoded in each output operand's type. Throws (a malformed
 * output, recorded as `error`) on an unknown index or a byte count that is not a whole number of
 * elements or does not match the dimensions the driver reported.
 */
export function decodeOutputs(model: Model, outputs: readonly WireOutput[], payload: Buffer): OutputValue[] {
  const wanted = new Set(model.outputIndexes);
  return outputs.map((o, k) => {
    if (!wanted.has(o.index)) throw new Error(`outputs[${k}].index ${o.index} is not a model output (${model.outputIndexes.join(',')})`);
    const op = model.operands[o.index]!;
    const bytes = slice(payload, o.data, `output ${o.index}`);
    const size = ELEMENT[op.type].bytes;
    const n = o.dimensions.reduce((a, b) => a * b, 1);
    if (bytes.length !== n * size) {
      throw new Error(`output ${o.index} (${op.name}): ${bytes.length} bytes for dimensions [${o.dimensions.join(',')}] of ${op.type} (${n * size} expected)`);
    }
    return { index: o.index, dimensions: [...o.dimensions], values: decodeValues(op.type, bytes) };
  });
}
