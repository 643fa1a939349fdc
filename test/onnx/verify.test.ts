import { create, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { OnnxFormatError } from '../../src/onnx/errors.js';
import { encodeVarint, syntheticLstmInitializers, syntheticNestedIf, syntheticOnnxSeeds } from '../../src/onnx/fuzz-families.js';
import { GraphProtoSchema, ModelProtoSchema, TypeProtoSchema, type GraphProto } from '../../src/onnx/generated/onnx_pb.js';
import { locateOnnxField, mapOnnxStructure, verifyOnnx, type VerifyOnnxOptions } from '../../src/onnx/verify.js';

const bytes = (...xs: (number | number[])[]) => Uint8Array.from(xs.flat());

/** The OnnxFormatError verifyOnnx throws (fails the test when it does not throw one). */
function failure(b: Uint8Array, opts?: VerifyOnnxOptions): OnnxFormatError {
  try {
    verifyOnnx(b, opts);
  } catch (e) {
    if (e instanceof OnnxFormatError) return e;
    throw e;
  }
  throw new Error('verifyOnnx accepted the bytes');
}

describe('verifyOnnx accepts well-formed models', () => {
  it('the synthetic seeds, with their statistics', () => {
    for (const s of syntheticOnnxSeeds()) {
      const st = verifyOnnx(s.bytes);
      expect(st.bytes).toBe(s.bytes.length);
      expect(st.messages).toBeGreaterThan(5);
      expect(st.unknownFields).toBe(0);
    }
    // main graph → If then_branch → … : the nested-If seed has 3 graph levels
    expect(verifyOnnx(syntheticNestedIf()).maxGraphDepth).toBe(3);
  });

  it('unknown fields of every wire type are skipped (groups closed by their own number)', () => {
    const b = bytes(encodeVarint(1000n << 3n), 5, encodeVarint((1001n << 3n) | 1n), [1, 2, 3, 4, 5, 6, 7, 8], encodeVarint((1002n << 3n) | 2n), 2, 9, 9, encodeVarint((1003n << 3n) | 3n), encodeVarint(1n << 3n), 1, encodeVarint((1003n << 3n) | 4n), encodeVarint((1004n << 3n) | 5n), [0, 0, 0, 0]);
    expect(verifyOnnx(b).unknownFields).toBe(5);
  });
});

describe('verifyOnnx rejects malformed wire format with the byte offset', () => {
  it('empty input, non-Uint8Array and files over the size limit', () => {
    expect(failure(new Uint8Array(0)).kind).toBe('not-onnx');
    expect(failure([1, 2] as unknown as Uint8Array).kind).toBe('not-onnx');
    expect(failure(syntheticLstmInitializers(), { maxFileBytes: 100 }).kind).toBe('not-onnx');
  });

  it('tags: field number 0, wire types 6 and 7, tags past 32 bits', () => {
    const e0 = failure(bytes(0x08, 0x01, 0x00));
    expect([e0.kind, e0.offset, e0.rule]).toEqual(['bad-tag', 2, 'onnx.format.bad-tag']);
    expect(failure(bytes(0x0e)).kind).toBe('bad-wire-type');
    expect(failure(bytes(0x0f)).kind).toBe('bad-wire-type');
    expect(failure(bytes(0x88, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00)).kind).toBe('bad-tag');
  });

  it('a known field with the wrong wire type names the field', () => {
    // ir_version (1, int64) sent length-delimited
    const e = failure(bytes(0x08, 0x07, 0x0a, 0x00));
    expect([e.kind, e.offset, e.path]).toEqual(['bad-wire-type', 2, 'ir_version']);
    // graph (7, message) sent as a varint
    expect(failure(bytes(0x38, 0x01)).path).toBe('graph');
  });

  it('varints: longer than 10 bytes, bits past 64, cut off at the end', () => {
    expect(failure(bytes(0x08, new Array<number>(10).fill(0xff), 0x00)).kind).toBe('bad-varint');
    const past = failure(bytes(0x12, 0x00, 0x08, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]));
    expect([past.kind, past.offset]).toEqual(['bad-varint', 3]);
    expect(failure(bytes(0x08, 0x80)).kind).toBe('truncated');
  });

  it('lengths past the end of the file or of the enclosing message', () => {
    // graph of 5 bytes with 1 byte left
    const e = failure(bytes(0x3a, 0x05, 0x00));
    expect([e.kind, e.offset, e.path]).toEqual(['length-out-of-range', 1, 'graph']);
    // graph of 4 bytes holding a name that claims 9: overruns the graph, not just the file
    const inner = failure(bytes(0x3a, 0x04, 0x12, 0x09, 0x61, 0x62, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
    expect([inner.kind, inner.offset, inner.path]).toEqual(['length-out-of-range', 3, 'graph.name']);
    // a length of 2^63
    expect(failure(bytes(0x12, encodeVarint(2n ** 63n))).kind).toBe('length-out-of-range');
    // fixed64 cut off by its message end
    expect(failure(bytes(0x3a, 0x03, encodeVarint((1001n << 3n) | 1n), 0x00)).kind).toBe('truncated');
  });

  it('groups: unclosed, closed by another number, stray end-group', () => {
    expect(failure(bytes(encodeVarint((1000n << 3n) | 3n))).kind).toBe('truncated');
    const mism = failure(bytes(encodeVarint((1000n << 3n) | 3n), encodeVarint((1001n << 3n) | 4n)));
    expect([mism.kind, mism.offset]).toEqual(['bad-group', 2]);
    expect(failure(bytes(encodeVarint((1000n << 3n) | 4n))).kind).toBe('bad-group');
  });

  it('packed payloads must be whole elements', () => {
    // graph.initializer[0].float_data packed with 3 bytes
    const t = bytes(0x22, 0x03, 0x00, 0x00, 0x00);
    const g = bytes(0x2a, t.length, [...t]);
    const e = failure(bytes(0x3a, g.length, [...g]));
    expect([e.kind, e.path]).toEqual(['bad-wire-type', 'graph.initializer[0].float_data']);
    expect(e.offset).toBe(5);
  });

  it('strings must be UTF-8 (overlongs, surrogates, cut-off sequences)', () => {
    for (const bad of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]]) {
      const e = failure(bytes(0x12, bad.length, bad));
      expect([e.kind, e.offset, e.path]).toEqual(['bad-utf8', 2, 'producer_name']);
    }
    expect(verifyOnnx(bytes(0x12, 0x07, [0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80])).messages).toBe(1); // € 😀
  });

  it('graph nesting beyond maxGraphDepth and message nesting beyond maxDepth', () => {
    const nest = (levels: number): Uint8Array => {
      let g: GraphProto = create(GraphProtoSchema, { name: 'leaf' });
      for (let i = 0; i < levels; i++) g = create(GraphProtoSchema, { node: [{ opType: 'If', attribute: [{ name: 'then_branch', type: 5, g }] }] });
      return toBinary(ModelProtoSchema, create(ModelProtoSchema, { graph: g }));
    };
    expect(verifyOnnx(nest(63)).maxGraphDepth).toBe(64);
    const e = failure(nest(64));
    expect(e.kind).toBe('depth-limit');
    expect(e.path).toMatch(/^graph\.node\[0\]\.attribute\[0\]\.g(\.node\[0\]\.attribute\[0\]\.g)+$/);
    expect(failure(nest(5), { maxGraphDepth: 4 }).kind).toBe('depth-limit');
    let t = create(TypeProtoSchema, {});
    for (let i = 0; i < 300; i++) t = create(TypeProtoSchema, { value: { case: 'sequenceType', value: { elemType: t } } });
    const deep = toBinary(ModelProtoSchema, create(ModelProtoSchema, { graph: { input: [{ name: 'x', type: t }] } }));
    expect(failure(deep).kind).toBe('depth-limit');
  });

  it('message, field and string limits', () => {
    const b = syntheticLstmInitializers();
    expect(failure(b, { maxMessages: 3 }).kind).toBe('count-limit');
    expect(failure(b, { maxFields: 10 }).kind).toBe('count-limit');
    expect(failure(b, { maxStringBytes: 8 }).kind).toBe('length-out-of-range');
  });

  it('every truncation of a valid model is rejected with an offset inside the file, or accepted', () => {
    const b = syntheticNestedIf();
    for (let n = 1; n < b.length; n++) {
      try {
        verifyOnnx(b.subarray(0, n));
      } catch (e) {
        expect(e).toBeInstanceOf(OnnxFormatError);
        const f = e as OnnxFormatError;
        expect(f.offset).toBeGreaterThanOrEqual(0);
        expect(f.offset).toBeLessThanOrEqual(n);
      }
    }
  });
});

describe('locateOnnxField and mapOnnxStructure', () => {
  it('locate gives the tag position of a field by its path', () => {
    const b = syntheticLstmInitializers();
    const at = locateOnnxField(b, 'graph.initializer[2].raw_data');
    expect(at).toBeGreaterThan(0);
    // the byte there is the raw_data tag (field 9, wire type 2)
    expect(b[at!]).toBe((9 << 3) | 2);
    // a field that does not occur: its nearest enclosing field that does
    expect(locateOnnxField(b, 'graph.initializer[9]')).toBe(locateOnnxField(b, 'graph'));
    expect(locateOnnxField(b, 'graph.initializer[2].float_data')).toBe(locateOnnxField(b, 'graph.initializer[2]'));
    expect(locateOnnxField(b, 'metadata_props[0]')).toBeUndefined();
  });

  it('the structure map lists tags and lengths in file order', () => {
    const slots = mapOnnxStructure(syntheticLstmInitializers());
    expect(slots[0]).toMatchObject({ kind: 'tag', pos: 0, field: 'ir_version' });
    expect(slots.some((s) => s.kind === 'length' && s.field === 'raw_data' && s.payload === 'bytes')).toBe(true);
    for (let i = 1; i < slots.length; i++) expect(slots[i]!.pos).toBeGreaterThan(slots[i - 1]!.pos);
  });
});

describe('work is linear in the file size', () => {
  it('a 2 MB file of 2-byte unknown fields verifies quickly; a file of empty messages hits the message limit', () => {
    const n = 2 ** 20;
    const many = new Uint8Array(2 * n);
    // unknown field 15 (varint) repeated: tag 0x78, value 0
    for (let i = 0; i < n; i++) {
      many[2 * i] = 0x78;
      many[2 * i + 1] = 0x00;
    }
    const t0 = performance.now();
    expect(verifyOnnx(many).fields).toBe(n);
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(2000);
    // ... and the field limit stops a file of empty messages early
    const empties = new Uint8Array(2 * n);
    for (let i = 0; i < n; i++) {
      empties[2 * i] = 0x42; // opset_import (8), length 0
      empties[2 * i + 1] = 0x00;
    }
    expect(failure(empties).kind).toBe('count-limit');
  });
});
