/** Which reader a dropped file goes to (kept apart from the worker so that it can be tested in Node). */

/**
 * By extension (`.tflite`, `.onnx`, `.json`), else by content: the TFLite identifier `TFL3` at byte 4, or a ModelProto
 * field tag as the first byte (as `nnlstm validate` sniffs ONNX), else a model JSON. (The CLI reads any other name as
 * JSON or ONNX; a page gets files with any name, so it also looks for TFL3.)
 */
export function formatOf(name: string, bytes: Uint8Array): 'tflite' | 'onnx' | 'json' {
  if (/\.tflite$/i.test(name)) return 'tflite';
  if (/\.onnx$/i.test(name)) return 'onnx';
  if (/\.json$/i.test(name)) return 'json';
  const id = bytes.length >= 8 ? String.fromCharCode(bytes[4]!, bytes[5]!, bytes[6]!, bytes[7]!) : '';
  if (id === 'TFL3') return 'tflite';
  // ModelProto's first field tags as exporters write them (src/cli/commands/onnx-file.ts decides the same way).
  return bytes.length >= 2 && ONNX_FIRST_TAGS.has(bytes[0]!) ? 'onnx' : 'json';
}
const ONNX_FIRST_TAGS = new Set([0x08, 0x12, 0x1a, 0x22, 0x2a, 0x32, 0x3a, 0x42]);
