/** web/format.ts: a dropped file goes to the reader `nnlstm validate` would use for it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModelFile } from '../../src/model/load-file.js';
import { writeSingleOpTflite } from '../../src/tflite/writer.js';
import { fromRoot } from '../../src/util/paths.js';
import { formatOf } from '../../web/format.js';

const golden = fromRoot('golden', 'tflite', 'lstm-f32-nocifg-nopeephole-noproj-noln-tanh-b2-square.json');
const tflite = writeSingleOpTflite(loadModelFile(golden));
const json = new Uint8Array(readFileSync(golden));
// An ONNX ModelProto starts with ir_version (field 1, varint): tag 0x08.
const onnxHead = Uint8Array.from([0x08, 0x08, 0x12, 0x07]);

describe('formatOf', () => {
  it('goes by the extension first', () => {
    expect(formatOf('m.tflite', json)).toBe('tflite');
    expect(formatOf('M.ONNX', tflite)).toBe('onnx');
    expect(formatOf('m.json', tflite)).toBe('json');
  });
  it('then by the content: TFL3 at byte 4, a ModelProto tag first, else JSON', () => {
    expect(formatOf('model.bin', tflite)).toBe('tflite');
    expect(formatOf('model', onnxHead)).toBe('onnx');
    expect(formatOf('model', json)).toBe('json');
    expect(formatOf('empty', new Uint8Array())).toBe('json');
  });
});
