/**
 * LSTMs inside subgraphs, on hand-built models (fresh clone, no ../shared): inspect finds them in If branches and
 * Loop bodies with their paths; a weight computed at run time makes the node not expressible (weights-constant) and
 * its numeric check skipped; the tap instrumentation (src/onnx/taps.ts) exposes an If-branch LSTM's real inputs and
 * outputs through ONNX Runtime — the taken branch's taps are the node's values, the other branch's are empty — and
 * leaves Loop bodies untapped with the reason.
 */
import { describe, expect, it } from 'vitest';
import { rng, uniform } from '../../src/conformance/synth.js';
import { analyzeOnnxLstmNodes, inspectOnnx } from '../../src/onnx/inspect.js';
import type { OnnxGraph, OnnxModel, OnnxNode, OnnxTensor } from '../../src/onnx/model.js';
import { loadOnnxRuntime } from '../../src/onnx/runtime.js';
import { instrumentLstmTaps } from '../../src/onnx/taps.js';
import { validateOnnx } from '../../src/onnx/validate-onnx.js';
import { writeOnnx } from '../../src/onnx/writer.js';
import { computeOnnxLstm } from '../../src/ops/onnx-lstm/compute.js';

const H = 3;
const I = 2;
const f32 = (name: string, dims: number[], seed: number): OnnxTensor => ({ name, dataType: 'FLOAT', dataTypeCode: 1, dims, data: Float32Array.from(uniform(rng(seed), dims.reduce((a, b) => a * b, 1), 0.5)) });

/** A branch graph: an LSTM on the outer X with its own W, R, B initializers; outputs Y_h (as `out`). */
function branch(name: string, seed: number, wFromInput = false): OnnxGraph {
  const lstm: OnnxNode = { name: `${name}_lstm`, opType: 'LSTM', domain: '', inputs: ['X', wFromInput ? 'W_runtime' : `${name}_W`, `${name}_R`, `${name}_B`], outputs: [`${name}_Y`, `${name}_Yh`, `${name}_Yc`], attributes: { hidden_size: { type: 'INT', value: H } } };
  return {
    name,
    nodes: [lstm],
    initializers: [f32(`${name}_W`, [1, 4 * H, I], seed), f32(`${name}_R`, [1, 4 * H, H], seed + 1), f32(`${name}_B`, [1, 8 * H], seed + 2)],
    inputs: [],
    outputs: [{ name: `${name}_Yh`, elemType: 'FLOAT' }],
  };
}

function ifModel(wFromInput = false): OnnxModel {
  const node: OnnxNode = { name: 'choose', opType: 'If', domain: '', inputs: ['cond'], outputs: ['h'], attributes: { then_branch: { type: 'GRAPH', value: branch('a', 10, wFromInput) }, else_branch: { type: 'GRAPH', value: branch('b', 20) } } };
  const inputs: OnnxGraph['inputs'] = [
    { name: 'X', elemType: 'FLOAT', shape: [2, 1, I] },
    { name: 'cond', elemType: 'BOOL', shape: [] },
  ];
  if (wFromInput) inputs.push({ name: 'W_runtime', elemType: 'FLOAT', shape: [1, 4 * H, I] });
  return { irVersion: 8, producerName: 'test', producerVersion: '', opsets: { '': 16 }, graph: { name: 'main', nodes: [node], initializers: [], inputs, outputs: [{ name: 'h', elemType: 'FLOAT' }] } };
}

function loopModel(): OnnxModel {
  const body: OnnxGraph = {
    name: 'body',
    nodes: [
      { name: 'keep', opType: 'Identity', domain: '', inputs: ['cond_in'], outputs: ['cond_out'], attributes: {} },
      { name: 'body_lstm', opType: 'LSTM', domain: '', inputs: ['X', 'lw', 'lr'], outputs: ['', 'yh'], attributes: { hidden_size: { type: 'INT', value: H } } },
    ],
    initializers: [f32('lw', [1, 4 * H, I], 30), f32('lr', [1, 4 * H, H], 31)],
    inputs: [
      { name: 'iter', elemType: 'INT64', shape: [] },
      { name: 'cond_in', elemType: 'BOOL', shape: [] },
    ],
    outputs: [
      { name: 'cond_out', elemType: 'BOOL', shape: [] },
      { name: 'yh', elemType: 'FLOAT' },
    ],
  };
  const loop: OnnxNode = { name: 'repeat', opType: 'Loop', domain: '', inputs: ['n', 'c'], outputs: ['scan'], attributes: { body: { type: 'GRAPH', value: body } } };
  return {
    irVersion: 8,
    producerName: 'test',
    producerVersion: '',
    opsets: { '': 16 },
    graph: {
      name: 'main',
      nodes: [loop],
      initializers: [],
      inputs: [
        { name: 'X', elemType: 'FLOAT', shape: [2, 1, I] },
        { name: 'n', elemType: 'INT64', shape: [] },
        { name: 'c', elemType: 'BOOL', shape: [] },
      ],
      outputs: [{ name: 'scan', elemType: 'FLOAT' }],
    },
  };
}

describe('inspect: LSTMs in subgraphs', () => {
  it('finds both If-branch LSTMs with their paths, depth 1, valid and expressible', () => {
    const r = inspectOnnx(writeOnnx(ifModel()));
    expect(r.graphs).toBe(3);
    expect(r.opCounts).toEqual({ If: 1, LSTM: 2 });
    expect(r.lstmNodes.map((n) => n.path)).toEqual(['main › If "choose" then_branch › LSTM "a_lstm"', 'main › If "choose" else_branch › LSTM "b_lstm"']);
    for (const n of r.lstmNodes) {
      expect(n.depth).toBe(1);
      expect(n.structure.status).toBe('valid');
      expect(n.mapping.expressible).toBe(true);
      expect(n.inputs[1]).toMatchObject({ role: 'W', constant: true, source: 'initializer', dims: [1, 4 * H, I] });
    }
  });

  it('a W fed at run time: not expressible (weights-constant), and validate skips its numeric check', async () => {
    const bytes = writeOnnx(ifModel(true));
    const n = inspectOnnx(bytes).lstmNodes[0]!;
    expect(n.inputs[1]).toMatchObject({ role: 'W', name: 'W_runtime', constant: false });
    expect(n.mapping.expressible).toBe(false);
    if (!n.mapping.expressible) expect(n.mapping.reasons.map((x) => [x.attribute, x.aspect])).toEqual([['W', 'weights-constant']]);
    const v = await validateOnnx(bytes, 'if.onnx', { seeds: 1, frames: 2 });
    expect(v.lstmNodes[0]!.numeric.status).toBe('skipped');
    expect(v.lstmNodes[0]!.numeric.reason).toMatch(/W or R is not a constant/);
    expect(v.lstmNodes[1]!.numeric.status).toBe('pass');
    expect(v.exitCode).toBe(0);
  });

  it('finds an LSTM in a Loop body; the taps leave it out with the reason', () => {
    const bytes = writeOnnx(loopModel());
    const r = inspectOnnx(bytes);
    expect(r.lstmNodes.map((n) => n.path)).toEqual(['main › Loop "repeat" body › LSTM "body_lstm"']);
    const taps = instrumentLstmTaps(bytes);
    expect(taps.taps).toEqual([]);
    expect(taps.untapped).toHaveLength(1);
    expect(taps.untapped[0]!.reason).toMatch(/Loop repeat/);
    expect(taps.untapped[0]!.machinePath).toBe(r.lstmNodes[0]!.machinePath);
  });
});

describe('taps through ONNX Runtime', () => {
  it('the taken branch exposes the LSTM inputs and outputs (Y_h equals the If output); the other branch taps are empty', async () => {
    const model = ifModel();
    const bytes = writeOnnx(model);
    const taps = instrumentLstmTaps(bytes);
    const { nodes } = analyzeOnnxLstmNodes(model);
    expect(taps.taps.map((t) => t.machinePath)).toEqual(nodes.map((n) => n.report.machinePath));
    expect(taps.originalOutputs).toEqual(['h']);
    const rt = await loadOnnxRuntime('node');
    const s = await rt.createSession(taps.bytes);
    const X = Float32Array.from(uniform(rng(5), 2 * I, 1));
    for (const cond of [true, false]) {
      const out = await s.run({ X: { type: 'float32', dims: [2, 1, I], data: X }, cond: { type: 'bool', dims: [], data: Uint8Array.from([cond ? 1 : 0]) } });
      const [taken, other] = cond ? [taps.taps[0]!, taps.taps[1]!] : [taps.taps[1]!, taps.taps[0]!];
      expect(Array.from(out[taken.outputs.X!]!.data as Float32Array)).toEqual(Array.from(X));
      expect(Array.from(out[taken.outputs.Y_h!]!.data as Float32Array)).toEqual(Array.from(out['h']!.data as Float32Array));
      expect(out[other.outputs.X!]!.dims).toEqual([0]);
      // The reference on the tapped X with the node's weights gives the tapped Y_h.
      const n = nodes[cond ? 0 : 1]!;
      const ref = computeOnnxLstm(n.attrs, { X: { dims: [2, 1, I], data: X }, W: n.constants.W!, R: n.constants.R!, B: n.constants.B! });
      const got = out[taken.outputs.Y_h!]!.data as Float32Array;
      for (let k = 0; k < got.length; k++) expect(Math.abs(got[k]! - ref.Y_h.data[k]!)).toBeLessThanOrEqual(1e-5 + 6e-7 * Math.abs(ref.Y_h.data[k]!));
    }
    await s.release();
  });
});
