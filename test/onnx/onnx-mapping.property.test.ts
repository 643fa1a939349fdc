/**
 * Property: for any ONNX LSTM node the mapping calls expressible (any direction, layout, g = h ∈ {Tanh, Relu,
 * Sigmoid}, with or without B and P, any small sizes and weight scale), the NNAPI reference on the mapped model agrees
 * with the ONNX reference within the float32 harness criterion, frame after frame with carried states.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rng, uniform } from '../../src/conformance/synth.js';
import { checkMappingAgreement } from '../../src/onnx/mapping-agreement.js';
import { mapOnnxLstmToNnapi } from '../../src/onnx/mapping.js';
import type { OnnxLstmAttributes } from '../../src/ops/onnx-lstm/types.js';
import { fcParams } from '../fc-params.js';

describe('ONNX → NNAPI mapping (property)', () => {
  it('an expressible node and its NNAPI model agree within the float32 criterion', () => {
    fc.assert(
      fc.property(
        fc.record({
          direction: fc.constantFrom('forward' as const, 'reverse' as const, 'bidirectional' as const),
          layout: fc.constantFrom(0 as const, 1 as const),
          g: fc.constantFrom('Tanh' as const, 'Relu' as const, 'Sigmoid' as const),
          H: fc.integer({ min: 1, max: 5 }),
          I: fc.integer({ min: 1, max: 4 }),
          S: fc.integer({ min: 1, max: 4 }),
          Bt: fc.integer({ min: 1, max: 3 }),
          bias: fc.boolean(),
          peephole: fc.boolean(),
          scale: fc.constantFrom(0.1, 0.5, 1),
          seed: fc.integer({ min: 1, max: 1 << 20 }),
        }),
        (c) => {
          const D = c.direction === 'bidirectional' ? 2 : 1;
          const t = (dims: number[], k: number) => ({ dims, data: Float32Array.from(uniform(rng(c.seed * 31 + k), dims.reduce((a, b) => a * b, 1), c.scale)) });
          const attrs: OnnxLstmAttributes = { hiddenSize: c.H, direction: c.direction, layout: c.layout, inputForget: 0, activations: Array.from({ length: 3 * D }, (_, k) => ({ name: k % 3 === 0 ? 'Sigmoid' : c.g })) };
          const constants = { W: t([D, 4 * c.H, c.I], 1), R: t([D, 4 * c.H, c.H], 2), ...(c.bias ? { B: t([D, 8 * c.H], 3) } : {}), ...(c.peephole ? { P: t([D, 3 * c.H], 4) } : {}) };
          const X = c.layout === 0 ? [c.S, c.Bt, c.I] : [c.Bt, c.S, c.I];
          const m = mapOnnxLstmToNnapi(attrs, constants, { X });
          if (!m.expressible) throw new Error(`not expressible: ${JSON.stringify(m.reasons)}`);
          const a = checkMappingAgreement(attrs, constants, m, { seeds: 1, seed: c.seed, frames: 3 });
          expect(a.status, a.summary).toBe('pass');
        },
      ),
      fcParams({ numRuns: Number(process.env['FC_RUNS'] ?? 60) }),
    );
  });
});
