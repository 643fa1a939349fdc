/**
 * The semantic choices in which LSTM formats differ, as data. The ONNX reference runs with
 * {@link ONNX_CONVENTIONS}; a caller may override one field to model another format's choice (WebNN's
 * emulation reads C(t−1) for the output-gate peephole) or a deliberate convention bug (a mutant driver
 * that packs the gates i, f, c, o), with the same core.
 */

/** A gate of the LSTM: input, output, forget, cell candidate. */
export type GateLetter = 'i' | 'o' | 'f' | 'c';

/** The order in which the four gates' rows are packed in W, R and in each half of B (ONNX: i, o, f, c). */
export type GateOrder =
  | 'iofc' | 'iocf' | 'ifoc' | 'ifco' | 'icof' | 'icfo'
  | 'oifc' | 'oicf' | 'ofic' | 'ofci' | 'ocif' | 'ocfi'
  | 'fioc' | 'fico' | 'foic' | 'foci' | 'fcio' | 'fcoi'
  | 'ciof' | 'cifo' | 'coif' | 'cofi' | 'cfio' | 'cfoi';

/** The order of the three peephole vectors in P (ONNX and WebNN: i, o, f). */
export type PeepholeOrder = 'iof' | 'ifo' | 'oif' | 'ofi' | 'fio' | 'foi';

/** The conventions the core computes with. */
export interface LstmConventions {
  /** Row packing of W, R and B (ONNX: 'iofc'). */
  gateOrder: GateOrder;
  /** Packing of P (ONNX: 'iof'). */
  peepholeOrder: PeepholeOrder;
  /** Which cell state the output-gate peephole reads: the new C_t (ONNX, NNAPI) or C(t−1) (WebNN's emulation). */
  outputPeephole: 'C_t' | 'C_prev';
  /**
   * What `clip` bounds: each gate's pre-activation after the bias add (ONNX Runtime), those and also the
   * input of h (the doc's "input of activations" read literally: h(clip(C_t)), C_t itself kept), or the new
   * cell state (NNAPI cell_clip).
   */
  clip: 'activation-inputs' | 'all-activation-inputs' | 'cell-state';
  /** What `input_forget = 1` couples: f = 1 − i (ONNX Runtime) or i = 1 − f (NNAPI CIFG). */
  coupledGate: 'forget-from-input' | 'input-from-forget';
  /**
   * Y_h / Y_c of a batch row whose sequence_lens entry is 0: zeros (ONNX Runtime zero-fills them) or the
   * initial state unchanged. The ONNX doc does not say.
   */
  emptySequenceState: 'zeros' | 'initial';
}

/** ONNX's conventions (operator doc, and ONNX Runtime's CPU kernel where the doc is silent). */
export const ONNX_CONVENTIONS: Readonly<LstmConventions> = Object.freeze({
  gateOrder: 'iofc',
  peepholeOrder: 'iof',
  outputPeephole: 'C_t',
  clip: 'activation-inputs',
  coupledGate: 'forget-from-input',
  emptySequenceState: 'zeros',
});

/** Defaults filled in for the fields a caller leaves out. */
export function resolveConventions(partial?: Partial<LstmConventions>): LstmConventions {
  const c = { ...ONNX_CONVENTIONS, ...(partial ?? {}) };
  if (!isPermutation(c.gateOrder, 'iofc')) throw new Error(`LSTM conventions: gateOrder '${c.gateOrder}' is not a permutation of i, o, f, c`);
  if (!isPermutation(c.peepholeOrder, 'iof')) throw new Error(`LSTM conventions: peepholeOrder '${c.peepholeOrder}' is not a permutation of i, o, f`);
  return c;
}

function isPermutation(s: string, letters: string): boolean {
  return s.length === letters.length && [...letters].every((l) => s.includes(l));
}

/** The block index of `gate` in a packed tensor with order `order` (e.g. 'f' in 'iofc' → 2). */
export function blockOf(order: string, gate: string): number {
  const k = order.indexOf(gate);
  if (k < 0) throw new Error(`LSTM conventions: gate '${gate}' not in order '${order}'`);
  return k;
}
