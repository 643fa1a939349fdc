import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticLoop, syntheticLstmInitializers, syntheticNestedIf } from '../../src/onnx/fuzz-families.js';
import { analyzeLstmSites, findLstmSites, formatOpCounts, ONNX_LSTM_INPUT_ROLES, totalOpCounts } from '../../src/onnx/lstm-sites.js';
import { readOnnx } from '../../src/onnx/reader.js';
import { sharedDir } from '../../src/util/paths.js';

describe('findLstmSites on synthetic models', () => {
  it('main graph: 8 inputs with roles, constants and declared shapes; omitted outputs are empty', () => {
    const [site, ...rest] = findLstmSites(readOnnx(syntheticLstmInitializers()));
    expect(rest).toHaveLength(0);
    expect(site!.path).toBe('main › LSTM "lstm0"');
    expect(site!.machinePath).toBe('graph.node[0]');
    expect(site!.opset).toBe(14);
    expect(site!.inputs.map((i) => i.role)).toEqual([...ONNX_LSTM_INPUT_ROLES]);
    expect(site!.inputs.map((i) => i.name)).toEqual(['X', 'W', 'R', 'B', '', 'h0', '', '']);
    expect(site!.inputs.map((i) => i.constant?.dims)).toEqual([undefined, [1, 12, 2], [1, 12, 3], [1, 24], undefined, undefined, undefined, undefined]);
    expect(site!.inputs[0]!.valueInfo).toEqual({ name: 'X', elemType: 'FLOAT', shape: ['T', 1, 2] });
    expect(site!.inputs[5]!.valueInfo?.shape).toEqual([1, 1, 3]);
    expect(site!.outputs).toEqual({ Y: 'Y', Y_h: 'Y_h', Y_c: '' });
  });

  it('nested Ifs: readable and machine paths, the graph chain, scope-correct constants', () => {
    const sites = findLstmSites(readOnnx(syntheticNestedIf()));
    expect(sites.map((s) => s.path)).toEqual(['main › If "if0" then_branch › LSTM "lstm_then"', 'main › If "if0" else_branch › If "if1" then_branch › LSTM "lstm_inner"']);
    expect(sites.map((s) => s.machinePath)).toEqual([
      'graph.node[0].attribute[0](then_branch).g.node[3]',
      'graph.node[0].attribute[1](else_branch).g.node[0].attribute[0](then_branch).g.node[0]',
    ]);
    const [then, inner] = sites;
    expect(then!.graphs.map((g) => g.graph.name)).toEqual(['main', 'then0']);
    expect(inner!.graphs.map((g) => g.attribute)).toEqual([undefined, 'else_branch', 'then_branch']);
    expect(then!.inputs[1]!.constantSource?.via).toEqual(['Unsqueeze', 'Constant']);
    expect(then!.inputs[2]!.constantSource?.graphName).toBe('main');
    expect(inner!.inputs[2]!.constantSource?.graphName).toBe('inner_then'); // shadowed R_outer
    expect(inner!.inputs[2]!.constant!.data![0]).toBe(7);
    // X comes from the main graph's inputs
    expect(inner!.inputs[0]!.valueInfo?.shape).toEqual(['T', 1, 2]);
    expect(then!.inputs[3]!.name).toBe(''); // B omitted
  });

  it('Loop body: all of W, R, B, P resolve through the opset-11 chains', () => {
    const [site] = findLstmSites(readOnnx(syntheticLoop()));
    expect(site!.path).toBe('main › Loop "loop" body › LSTM "lstm_loop"');
    expect(site!.inputs.filter((i) => i.constant).map((i) => [i.role, i.constant!.dims])).toEqual([
      ['W', [1, 12, 2]],
      ['R', [1, 12, 3]],
      ['B', [1, 24]],
      ['P', [1, 9]],
    ]);
  });

  it('op counts per graph and in total', () => {
    const r = analyzeLstmSites(readOnnx(syntheticNestedIf()));
    expect(r.graphs.map((g) => [g.path, g.depth, g.ops])).toEqual([
      ['main', 0, { If: 1 }],
      ['main › If "if0" then_branch', 1, { Constant: 2, Unsqueeze: 1, LSTM: 1 }],
      ['main › If "if0" else_branch', 1, { If: 1 }],
      ['main › If "if0" else_branch › If "if1" then_branch', 2, { LSTM: 1 }],
      ['main › If "if0" else_branch › If "if1" else_branch', 2, { Identity: 1 }],
    ]);
    expect(formatOpCounts(totalOpCounts(r.graphs))).toBe('2 Constant, 2 If, 2 LSTM, 1 Identity, 1 Unsqueeze');
  });
});

const shared = sharedDir();
const onnxDir = shared ? join(shared, 'models', 'onnx') : undefined;
const has = (m: string) => !!onnxDir && existsSync(join(onnxDir, `${m}.onnx`));
if (!has('silero_vad_legacy') || !has('silero_vad_v5')) console.warn(`[onnx lstm-sites] Silero models not found in ${onnxDir ?? '../shared/models/onnx (set NNLSTM_SHARED)'}: real-model tests skipped`);
const sitesOf = (m: string) => analyzeLstmSites(readOnnx(new Uint8Array(readFileSync(join(onnxDir!, `${m}.onnx`)))));

describe('findLstmSites on the Silero VAD models (facts of PROVENANCE.md)', () => {
  it.skipIf(!has('silero_vad_legacy'))('legacy: 8 LSTMs in two-level Ifs, hidden 64, W/R [1,256,64], B [1,512] from initializers', () => {
    const { sites, graphs } = sitesOf('silero_vad_legacy');
    expect(sites).toHaveLength(8);
    for (const s of sites) {
      expect(s.opset).toBe(16);
      expect(s.graphs).toHaveLength(3); // main › If › If
      expect(s.path).toMatch(/^main › If "[^"]+" (then|else)_branch › If "[^"]+" (then|else)_branch › LSTM "LSTM_\d+"$/);
      const a = s.node.attributes;
      expect(a['hidden_size']).toEqual({ type: 'INT', value: 64 });
      expect(a['direction']).toEqual({ type: 'STRING', value: 'forward' });
      expect(a['layout']).toEqual({ type: 'INT', value: 0 });
      expect(a['input_forget']).toEqual({ type: 'INT', value: 0 });
      expect(a['clip']).toBeUndefined();
      const [x, w, r, b, seq, h0, c0, p] = s.inputs;
      expect([w!.constant?.dims, r!.constant?.dims, b!.constant?.dims]).toEqual([[1, 256, 64], [1, 256, 64], [1, 512]]);
      expect([w, r, b].map((i) => i!.constantSource?.source)).toEqual(['initializer', 'initializer', 'initializer']);
      expect(w!.constant!.data).toBeInstanceOf(Float32Array);
      expect([seq!.name, p!.name]).toEqual(['', '']);
      expect(h0!.name && c0!.name).toBeTruthy();
      expect(x!.constant).toBeUndefined();
      expect(s.outputs.Y && s.outputs.Y_h && s.outputs.Y_c).toBeTruthy();
    }
    const total = totalOpCounts(graphs);
    expect([total['LSTM'], total['If'], total['Conv']]).toEqual([8, 9, 36]);
  });

  it.skipIf(!has('silero_vad_v5'))('v5: 4 LSTMs inside two-level Ifs, only hidden_size=128, W/R/B through Unsqueeze of Constants', () => {
    const { sites } = sitesOf('silero_vad_v5');
    expect(sites).toHaveLength(4);
    for (const s of sites) {
      expect(s.opset).toBe(16);
      expect(s.graphs).toHaveLength(3);
      expect(s.node.attributes).toEqual({ hidden_size: { type: 'INT', value: 128 } });
      const [, w, r, b] = s.inputs;
      expect([w!.constant?.dims, r!.constant?.dims, b!.constant?.dims]).toEqual([[1, 512, 128], [1, 512, 128], [1, 1024]]);
      for (const i of [w, r, b]) {
        expect(i!.constantSource!.source).toBe('derived');
        expect(i!.constantSource!.via[0]).toBe('Unsqueeze');
        expect(i!.constantSource!.via.at(-1)).toBe('Constant');
      }
      expect(s.inputs[4]!.name).toBe('');
      expect(s.inputs[7]!.name).toBe('');
    }
  });
});
