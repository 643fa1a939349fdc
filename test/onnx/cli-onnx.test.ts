/**
 * `nnlstm inspect` / `nnlstm validate` on .onnx files through the CLI entry (in process): one-node models written by
 * src/onnx/writer.ts (fresh clone, no ../shared), dispatch by extension and by content, exit codes (0 ok, 1
 * findings, 2 malformed with a byte offset), --json, the ONNX-Runtime-absent path (skipped with the install hint,
 * exit 0), and the real output on Silero v5 when ../shared is there.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { rng, uniform } from '../../src/conformance/synth.js';
import type { OnnxInspection } from '../../src/onnx/inspect.js';
import { OnnxRuntimeUnavailable, setOnnxRuntimeLoader } from '../../src/onnx/runtime.js';
import type { OnnxValidation } from '../../src/onnx/validate-onnx.js';
import { singleLstmModel } from '../../src/onnx/writer.js';
import type { OnnxLstmAttributes } from '../../src/ops/onnx-lstm/types.js';
import { sharedDir } from '../../src/util/paths.js';
import { captureOutput } from '../helpers/capture-output.js';

const io = captureOutput();
const dir = mkdtempSync(join(tmpdir(), 'nnlstm-onnx-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => setOnnxRuntimeLoader(undefined));

function fixture(name: string, bytes: Uint8Array): string {
  const f = join(dir, name);
  writeFileSync(f, bytes);
  return f;
}

const t = (dims: number[], seed: number) => ({ dims, data: Float32Array.from(uniform(rng(seed), dims.reduce((a, b) => a * b, 1), 0.5)) });

function model(attrs: Partial<OnnxLstmAttributes>, opts: { peephole?: boolean } = {}): Uint8Array {
  const H = 4;
  const I = 3;
  const a: OnnxLstmAttributes = { hiddenSize: H, direction: 'forward', layout: 0, inputForget: 0, activations: [{ name: 'Sigmoid' }, { name: 'Tanh' }, { name: 'Tanh' }], ...attrs };
  const D = a.direction === 'bidirectional' ? 2 : 1;
  if (a.activations.length !== 3 * D) a.activations = [...a.activations, ...a.activations];
  return singleLstmModel({
    attrs: a,
    inputs: {
      xDims: [2, 1, I],
      constants: { W: t([D, 4 * H, I], 1), R: t([D, 4 * H, H], 2), B: t([D, 8 * H], 3), ...(opts.peephole ? { P: t([D, 3 * H], 4) } : {}) },
      graphInputs: { initial_h: [D, 1, H], initial_c: [D, 1, H] },
    },
    opset: 14,
  }).bytes;
}

const expressible = fixture('reverse-peephole.onnx', model({ direction: 'reverse' }, { peephole: true }));
const clipped = fixture('clip.onnx', model({ clip: 0.5, inputForget: 1 }));

async function run(...argv: string[]): Promise<number> {
  io.out = '';
  io.err = '';
  return main(argv);
}

describe('nnlstm inspect MODEL.onnx', () => {
  it('text: model facts, the node, attributes (defaults marked), inputs, structure and mapping verdicts', async () => {
    expect(await run('inspect', expressible)).toBe(0);
    expect(io.out).toMatch(/ONNX ir_version 8, producer nnlstm/);
    expect(io.out).toContain('opsets: ai.onnx 14');
    expect(io.out).toContain('LSTM nodes: 1');
    expect(io.out).toContain('node 0: main › LSTM "lstm"');
    expect(io.out).toMatch(/attributes: hidden_size 4; direction reverse; layout 0 \(default\); input_forget 0 \(default\); clip none \(default\); activations Sigmoid, Tanh, Tanh \(default\)/);
    expect(io.out).toMatch(/features: {3}peephole yes, bias yes, clip no, input_forget no/);
    expect(io.out).toMatch(/1 +W +W +float +\[1, 16, 3\] +yes \(initializer\)/);
    expect(io.out).toContain('ONNX structure: valid (spec/onnx/LSTM.json rules)');
    expect(io.out).toMatch(/NNAPI mapping: BIDIRECTIONAL_SEQUENCE_LSTM, feature level 4/);
    expect(io.out).toContain('reverse → the backward half of BIDIRECTIONAL_SEQUENCE_LSTM');
  });

  it('names the attributes NNAPI cannot express (clip, input_forget) with their convention aspects', async () => {
    expect(await run('inspect', clipped, '--json')).toBe(0);
    const doc = JSON.parse(io.out) as OnnxInspection & { file: string };
    const n = doc.lstmNodes[0]!;
    expect(n.attributes.find((a) => a.name === 'clip')).toEqual({ name: 'clip', value: '0.5', default: false });
    expect(n.mapping.expressible).toBe(false);
    if (!n.mapping.expressible) expect(n.mapping.reasons.map((r) => [r.attribute, r.aspect])).toEqual([['clip', 'clip'], ['input_forget', 'coupled-gates']]);
  });

  it('dispatches by content: the same bytes without the .onnx extension', async () => {
    const f = fixture('model.bin', model({}));
    expect(await run('inspect', f)).toBe(0);
    expect(io.out).toMatch(/: ONNX ir_version 8/);
    expect(await run('validate', f, '--json', '--seeds', '1', '--frames', '2')).toBe(0);
    expect((JSON.parse(io.out) as OnnxValidation).lstmNodes).toHaveLength(1);
  });
});

describe('nnlstm validate MODEL.onnx', () => {
  it('expressible node: structure valid, numeric pass vs ONNX Runtime, NNAPI agreement pass, exit 0', async () => {
    expect(await run('validate', expressible, '--seeds', '2', '--frames', '5')).toBe(0);
    expect(io.out).toMatch(/node +name +structure +NNAPI mapping +FL +vs ONNX Runtime +NNAPI agreement +whole-model stream/);
    expect(io.out).toMatch(/0 +lstm +valid +BIDIRECTIONAL_SEQUENCE_LSTM +4 +pass \(ratio [0-9.e-]+\) +pass \(ratio [0-9.e-]+\) +-/);
    expect(io.out).toMatch(/numeric vs ONNX Runtime \(the node cut out with its weights, onnxruntime-node [0-9.]+ .*\): pass \(2 seed\(s\) × 5 frames, states carried/);
    expect(io.out).toMatch(/seed 1: pass {2}5 frames/);
    expect(io.out).toMatch(/whole model: skipped \(not a stream with carried states: no float input of rank 2/);
    expect(io.out).toMatch(/result: OK \(exit 0\) — .*ONNX Runtime \(cut-out nodes\) and of the NNAPI mapping/);
    expect(io.out).toContain('result: OK (exit 0)');
  });

  it('not expressible node: numeric still checked against ONNX Runtime (clip, input_forget run there), agreement skipped, exit 0', async () => {
    expect(await run('validate', clipped, '--json', '--seeds', '2', '--frames', '4')).toBe(0);
    const v = JSON.parse(io.out) as OnnxValidation;
    const n = v.lstmNodes[0]!;
    expect(n.mapping.expressible).toBe(false);
    expect(n.featureLevel).toBeNull();
    expect(n.numeric.status, n.numeric.summary).toBe('pass');
    expect(n.agreement.status).toBe('skipped');
    expect(v.exitCode).toBe(0);
  });

  it('without ONNX Runtime: the numeric verdicts are skipped with the install hint, exit 0', async () => {
    const hint = 'onnxruntime-node is not installed: run `npm install onnxruntime-node` (needed only by --driver onnxruntime and the ONNX numeric checks)';
    setOnnxRuntimeLoader(async (flavor) => {
      throw new OnnxRuntimeUnavailable(hint, flavor);
    });
    expect(await run('validate', expressible, '--frames', '2')).toBe(0);
    expect(io.out).toContain(`numeric vs ONNX Runtime (the node cut out with its weights): skipped (${hint})`);
    expect(io.out).toMatch(/NNAPI agreement \(.*\): pass/);
    expect(io.out).toMatch(/result: OK \(exit 0\) .*not numerically checked: node 0 vs ONNX Runtime skipped/);
  });

  it('--runtime web compares with onnxruntime-web (WASM); a bad --runtime is a usage error', async () => {
    expect(await run('validate', expressible, '--json', '--runtime', 'web', '--seeds', '1', '--frames', '3')).toBe(0);
    const v = JSON.parse(io.out) as OnnxValidation;
    expect(v.runtime).toMatch(/^onnxruntime-web \d/);
    expect(v.lstmNodes[0]!.numeric.status).toBe('pass');
    expect(await run('validate', expressible, '--runtime', 'gpu')).toBe(2);
    expect(io.err).toMatch(/--runtime must be node .* or web/);
  });

  it('a truncated file: exit 2, one line with the error kind and byte offset (text and --json)', async () => {
    const bytes = model({});
    const f = fixture('truncated.onnx', bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect(await run('validate', f)).toBe(2);
    expect(io.err).toMatch(/nnlstm validate: .*truncated\.onnx: malformed \.onnx: [a-z-]+ at byte \d+/);
    expect(io.err.trim().split('\n')).toHaveLength(1);
    expect(await run('inspect', f, '--json')).toBe(2);
    const doc = JSON.parse(io.out) as { error: { exitCode: number; message: string } };
    expect(doc.error.exitCode).toBe(2);
    expect(doc.error.message).toMatch(/malformed \.onnx: [a-z-]+ at byte \d+/);
  });

  it('a file that is not there: exit 2', async () => {
    expect(await run('validate', join(dir, 'missing.onnx'))).toBe(2);
    expect(io.err).toMatch(/cannot read .*missing\.onnx: ENOENT/);
  });
});

const shared = sharedDir();
const v5 = shared ? join(shared, 'models', 'onnx', 'silero_vad_v5.onnx') : '';
const haveV5 = !!v5 && existsSync(v5);
if (!haveV5) console.warn('[cli-onnx] ../shared/models/onnx/silero_vad_v5.onnx not found: the Silero CLI output test is skipped');

describe.skipIf(!haveV5)('CLI output on silero_vad_v5.onnx', () => {
  it('inspect lists the 4 LSTM nodes; validate passes every check (exit 0)', async () => {
    expect(await run('inspect', v5)).toBe(0);
    expect(io.out).toContain('LSTM nodes: 4');
    expect(io.out.match(/^node \d: main › If "If_0" (then|else)_branch › If ".*decoder\/If_1" (then|else)_branch › LSTM /gm)).toHaveLength(4);
    expect(await run('validate', v5)).toBe(0);
    expect(io.out.match(/UNIDIRECTIONAL_SEQUENCE_LSTM +4 +pass \(ratio [0-9.e-]+\) +pass \(ratio [0-9.e-]+\) +pass \(\d+ calls/g)).toHaveLength(4);
    expect(io.out).toMatch(/whole model \(onnxruntime-node .*\): pass \(4\/4 LSTM node\(s\) reached; 3 seed\(s\) × 4 stream\(s\) × 20 frames/);
    expect(io.out).toContain('result: OK (exit 0)');
  });
});
