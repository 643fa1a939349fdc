/**
 * Mutant-style convention bugs: the reference run with one ONNX convention deliberately wrong must fail at least one
 * ONNX golden, so the goldens catch a runtime that packs the gates, the peepholes, the clip or the coupled gate
 * differently. The knobs are the reference's own `conventions` option (src/ops/onnx-lstm/conventions.ts).
 */
import { describe, expect, it } from 'vitest';
import type { LstmConventions } from '../../src/ops/onnx-lstm/index.js';
import type { OnnxGoldenFile } from '../../src/tools/gen-onnx-golden-cases.js';
import { judge, loadOnnxGoldens } from './golden-judge.js';

const goldens = loadOnnxGoldens().map((x) => x.g);

/** The goldens the reference fails with `conventions` (plain float32/float64 path). */
function caughtBy(conventions: Partial<LstmConventions>): string[] {
  return goldens.filter((g) => judge(g, { conventions }) !== '').map((g) => g.name);
}

const permutations = (s: string): string[] => (s.length <= 1 ? [s] : [...s].flatMap((c, i) => permutations(s.slice(0, i) + s.slice(i + 1)).map((p) => c + p)));

describe('every ONNX convention bug is caught by at least one golden', () => {
  it('the reference with ONNX conventions fails none (the baseline)', () => {
    expect(caughtBy({})).toEqual([]);
  });

  const bugs: { name: string; conventions: Partial<LstmConventions>; mustCatch?: string[] }[] = [
    // The brief's example: rows read as i, f, c, o (NNAPI / TFLite order) instead of i, o, f, c; then every other order.
    ...permutations('iofc')
      .filter((p) => p !== 'iofc')
      .map((p) => ({ name: `gate order ${p.split('').join(',')} instead of i,o,f,c`, conventions: { gateOrder: p as LstmConventions['gateOrder'] } })),
    ...permutations('iof')
      .filter((p) => p !== 'iof')
      .map((p) => ({ name: `peephole order ${p.split('').join(',')} instead of i,o,f`, conventions: { peepholeOrder: p as LstmConventions['peepholeOrder'] } })),
    { name: 'clip on the cell state (NNAPI cell_clip) instead of the activation inputs', conventions: { clip: 'cell-state' }, mustCatch: ['lstm-clip-forward'] },
    { name: 'input_forget as i = 1 − f (NNAPI CIFG) instead of f = 1 − i', conventions: { coupledGate: 'input-from-forget' }, mustCatch: ['lstm-input-forget-forward'] },
    { name: 'output-gate peephole reads C(t−1) (WebNN emulation) instead of C_t', conventions: { outputPeephole: 'C_prev' }, mustCatch: ['lstm-forward-peephole-bias'] },
    { name: 'a length-0 row keeps the initial state instead of zeros', conventions: { emptySequenceState: 'initial' } as Partial<LstmConventions>, mustCatch: ['lstm-seqlens-zero-length'] },
  ];

  const summary: string[] = [];
  for (const bug of bugs) {
    it(`${bug.name}: caught`, () => {
      const caught = caughtBy(bug.conventions);
      summary.push(`${bug.name}: ${caught.length}/${goldens.length} goldens fail (${caught.slice(0, 4).join(', ')}${caught.length > 4 ? ', …' : ''})`);
      expect(caught.length).toBeGreaterThan(0);
      for (const name of bug.mustCatch ?? []) expect(caught).toContain(name);
    });
  }

  // Bugs the conventions option has no knob for, emulated by changing what the reference is given.
  const structural: { name: string; mutate: (g: OnnxGoldenFile) => OnnxGoldenFile | undefined }[] = [
    {
      name: 'bias folding: Rb ignored (only Wb added)',
      mutate: (g) => {
        if (!g.inputs.B) return undefined;
        const H = g.attrs.hiddenSize;
        const data = g.inputs.B.data.map((v, k) => (k % (8 * H) >= 4 * H ? 0 : v));
        return { ...g, inputs: { ...g.inputs, B: { ...g.inputs.B, data } } };
      },
    },
    {
      name: 'sequence_lens ignored (every row runs all steps)',
      mutate: (g) => {
        if (!g.inputs.sequence_lens) return undefined;
        const { sequence_lens: _, ...rest } = g.inputs;
        return { ...g, inputs: rest };
      },
    },
    {
      name: 'the backward direction uses the forward activations',
      mutate: (g) => (g.attrs.activations.length === 6 ? { ...g, attrs: { ...g.attrs, activations: [...g.attrs.activations.slice(0, 3), ...g.attrs.activations.slice(0, 3)] } } : undefined),
    },
    {
      name: 'h takes g\'s activation',
      mutate: (g) => ({ ...g, attrs: { ...g.attrs, activations: g.attrs.activations.map((a, k) => (k % 3 === 2 ? g.attrs.activations[k - 1]! : a)) } }),
    },
    {
      name: 'layout ignored (batch-major X read as time-major)',
      mutate: (g) => {
        if (g.attrs.layout !== 1) return undefined;
        const x = g.inputs.X!;
        return { ...g, attrs: { ...g.attrs, layout: 0 }, inputs: { ...g.inputs, X: { dims: [x.dims[1]!, x.dims[0]!, x.dims[2]!], data: x.data } } };
      },
    },
  ];
  for (const bug of structural) {
    it(`${bug.name} (emulated by transforming the inputs): caught`, () => {
      const caught = goldens.filter((g) => {
        const m = bug.mutate(g);
        if (!m) return false;
        try {
          return judge(m) !== '';
        } catch {
          return true; // a shape the mutant cannot even run is caught too
        }
      }).map((g) => g.name);
      summary.push(`${bug.name} [emulated]: ${caught.length}/${goldens.length} goldens fail (${caught.slice(0, 4).join(', ')}${caught.length > 4 ? ', …' : ''})`);
      expect(caught.length).toBeGreaterThan(0);
    });
  }

  it('summary', () => {
    console.log(summary.join('\n'));
    expect(summary.length).toBe(bugs.length + structural.length);
  });
});
