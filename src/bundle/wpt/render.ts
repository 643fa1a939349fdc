/**
 * Writes WebNN conformance tests as a web-platform-tests `.https.any.js` file: META headers, a header
 * comment, the test array as a JS literal, a tolerance function (ULP metric) and one
 * `webnn_conformance_test(tests, buildAndExecuteGraph, tolerance)` call, the calling convention of
 * webnn/resources/utils.js in current WPT.
 */
import { roundToFloat16 } from '../../util/float16.js';
import type { WebnnDataType } from '../../ops/webnn-lstm/types.js';
import type { WptTensor, WptTest } from './tests.js';

/** ULP tolerances, from the newer WPT copy of lstm / lstm_cell (Firefox mirror): lstm 3 / 10, lstmCell 1 / 1. */
export const WPT_ULP_TOLERANCE: Readonly<Record<'lstm' | 'lstmCell', Readonly<Record<WebnnDataType, number>>>> = Object.freeze({
  lstm: Object.freeze({ float32: 3, float16: 10 }),
  lstmCell: Object.freeze({ float32: 1, float16: 1 }),
});

/** The shortest decimal that reads back as `x` in the data type. */
export function shortestNumber(x: number, dt: WebnnDataType): string {
  if (Object.is(x, -0)) return '-0';
  if (!Number.isFinite(x)) throw new Error(`non-finite value ${x} in a test`);
  const q = dt === 'float16' ? roundToFloat16 : Math.fround;
  const maxP = dt === 'float16' ? 5 : 9;
  for (let p = 1; p <= maxP; p++) {
    const s = String(Number(x.toPrecision(p)));
    if (q(Number(s)) !== x) continue;
    // WPT converts float16 data through float32 and rounds ties away from zero (utils.js toHalf): the decimal
    // must not sit on a binary16 midpoint, where that rounding and ties-to-even part ways.
    if (dt === 'float16') {
      const v = Math.fround(Number(s));
      if (q(v) !== x || q(v * (1 + 2 ** -20)) !== x || q(v * (1 - 2 ** -20)) !== x) continue;
    }
    return s;
  }
  return String(x);
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function wrapList(items: string[], indent: string, width = 80): string {
  const lines: string[] = [];
  let line = '';
  for (const it of items) {
    const piece = line ? `${line}, ${it}` : it;
    if (indent.length + piece.length + 1 > width && line) {
      lines.push(line + ',');
      line = it;
    } else line = piece;
  }
  if (line) lines.push(line);
  return lines.map((l) => indent + l).join('\n');
}

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of text.split(' ')) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines;
}

function renderTensor(t: WptTensor, indent: string): string {
  const i2 = indent + '  ';
  const nums = t.data.map((v) => shortestNumber(v, t.descriptor.dataType));
  const data = nums.length <= 8 ? `[${nums.join(', ')}]` : `[\n${wrapList(nums, i2 + '  ')}\n${i2}]`;
  const lines = [`${i2}'data': ${data},`, `${i2}'descriptor': {shape: [${t.descriptor.shape.join(', ')}], dataType: ${quote(t.descriptor.dataType)}}${t.constant ? ',' : ''}`];
  if (t.constant) lines.push(`${i2}'constant': true`);
  return `{\n${lines.join('\n')}\n${indent}}`;
}

function renderValue(v: unknown): string {
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(renderValue).join(', ')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${quote(k)}: ${renderValue(x)}`).join(', ')}}`;
  throw new Error(`cannot render ${String(v)}`);
}

function renderTensors(ts: Record<string, WptTensor>, indent: string): string {
  return Object.entries(ts)
    .map(([k, t]) => `${indent}  ${quote(k)}: ${renderTensor(t, indent + '  ')}`)
    .join(',\n');
}

function renderTest(t: WptTest, comment: string[]): string {
  const op = t.graph.operators[0]!;
  const args = op.arguments.map((a) => `          ${renderValue(a)}`).join(',\n');
  return [
    ...comment.map((c) => `  // ${c}`),
    '  {',
    `    'name': ${quote(t.name)},`,
    "    'graph': {",
    "      'inputs': {",
    renderTensors(t.graph.inputs, '      '),
    '      },',
    "      'operators': [{",
    `        'name': ${quote(op.name)},`,
    "        'arguments': [",
    args,
    '        ],',
    `        'outputs': [${op.outputs.map(quote).join(', ')}]`,
    '      }],',
    "      'expectedOutputs': {",
    renderTensors(t.graph.expectedOutputs, '      '),
    '      }',
    '    }',
    '  }',
  ].join('\n');
}

export interface RenderOptions {
  operator: 'lstm' | 'lstmCell';
  /** Comment lines after the META block. */
  header: string[];
  /** Comment lines above each test (same order as tests). */
  testComments: string[][];
}

/** The whole .https.any.js file. */
export function renderWptFile(tests: readonly WptTest[], o: RenderOptions): string {
  const arrayName = o.operator === 'lstm' ? 'nnlstmLstmTests' : 'nnlstmLstmCellTests';
  const tolName = o.operator === 'lstm' ? 'getNnlstmLstmPrecisionTolerance' : 'getNnlstmLstmCellPrecisionTolerance';
  const tol = WPT_ULP_TOLERANCE[o.operator];
  return [
    `// META: title=test WebNN API ${o.operator} operation with nnlstm's LSTM conformance cases`,
    '// META: global=window,dedicatedworker',
    '// META: variant=?cpu',
    '// META: variant=?gpu',
    '// META: variant=?npu',
    '// META: script=../resources/utils.js',
    '// META: timeout=long',
    '',
    "'use strict';",
    '',
    ...o.header.flatMap((h) => (h ? wrapWords(h, 100).map((l) => `// ${l}`) : ['//'])),
    '',
    `const ${tolName} = (graphResources) => {`,
    `  const toleranceValueDict = {float32: ${tol.float32}, float16: ${tol.float16}};`,
    '  const expectedDataType =',
    '      graphResources',
    '          .expectedOutputs[Object.keys(graphResources.expectedOutputs)[0]]',
    '          .descriptor.dataType;',
    "  return {metricType: 'ULP', value: toleranceValueDict[expectedDataType]};",
    '};',
    '',
    `const ${arrayName} = [`,
    tests.map((t, k) => renderTest(t, o.testComments[k] ?? [])).join(',\n'),
    '];',
    '',
    `webnn_conformance_test(${arrayName}, buildAndExecuteGraph, ${tolName});`,
    '',
  ].join('\n');
}
