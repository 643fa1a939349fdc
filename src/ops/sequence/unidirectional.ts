/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM (92), float (facts memo §C.3): the LSTM step of execute.ts run
 * over t = 0…T−1 with (h, C) carried in float32 from one step to the next.
 *
 * The per-direction runner (`runDirectionInto`) is shared with BIDIRECTIONAL_SEQUENCE_LSTM.
 * Layouts and step order belong to the SequenceCursor; the step only ever sees [B, ·] buffers.
 * The `Into` functions allocate nothing: the sequence input is gathered into a preallocated x_t
 * buffer, and the state outputs themselves carry the recurrent state (the step's state inputs
 * alias its state outputs, which execute.ts allows).
 */

import {
  createLstmWorkspace,
  scratchGateCount,
  TENSOR_ROLES,
  type LstmAuxInput,
  type LstmShape,
  type LstmStepOptions,
  type LstmStepOutputs,
  type LstmTensors,
  type LstmWorkspace,
} from '../lstm/execute.js';
import { lstmStepInto, sameLstmShape } from '../lstm/execute.js';
import { SequenceCursor } from './cursor.js';

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** The operands of one direction apart from its input: weights, biases, state inputs, scalars. */
export type CellTensors = Omit<LstmTensors, 'input'>;

/** Cross-linking weights of one direction, each [N, A] (input gate's only read without CIFG). */
export interface AuxWeights {
  readonly input_to_input_weights: Float32Array | null;
  readonly input_to_forget_weights: Float32Array;
  readonly input_to_cell_weights: Float32Array;
  readonly input_to_output_weights: Float32Array;
}

export interface UniSequenceLstmShape extends LstmShape {
  /** T */
  maxTime: number;
  /** true: input [T, B, I], output [T, B, O]; false: [B, T, I] / [B, T, O]. */
  timeMajor: boolean;
}

/** LSTM tensors whose `input` holds the whole sequence ([T, B, I] or [B, T, I]). */
export type UniSequenceLstmTensors = LstmTensors;

export interface UniSequenceLstmOutputs {
  /** [T, B, O] or [B, T, O], the input's major-ness. */
  output: Float32Array;
  /** h after the last step, [B, O]. */
  outputStateOut: Float32Array;
  /** C after the last step, [B, N]. */
  cellStateOut: Float32Array;
}

// ---------------------------------------------------------------------------------------------
// One direction

/** Preallocated buffers for running one direction of a sequence. */
export interface DirectionWorkspace {
  readonly shape: LstmShape;
  /** Aux input size A (0 = no cross linking). */
  readonly auxSize: number;
  readonly step: LstmWorkspace;
  /** x_t, [B, I]. */
  readonly x: Float32Array;
  /** aux_t, [B, A]. */
  readonly auxX: Float32Array;
  /** The step's scratch output (not part of the sequence ops' outputs). */
  readonly scratch: Float32Array;
  /** The step's operand record, re-pointed at each call (input = x, states = the state outputs). */
  readonly stepTensors: Writable<LstmTensors>;
  readonly stepOut: Writable<LstmStepOutputs>;
  readonly aux: Writable<LstmAuxInput>;
}

const EMPTY = new Float32Array(0);

export function createDirectionWorkspace(shape: LstmShape, auxSize = 0): DirectionWorkspace {
  const { batchSize: B, inputSize: I, numUnits: N } = shape;
  const x = new Float32Array(B * I);
  const auxX = new Float32Array(B * auxSize);
  const stepTensors = { input: x } as Writable<LstmTensors>;
  return {
    shape: { ...shape },
    auxSize,
    step: createLstmWorkspace(shape),
    x,
    auxX,
    scratch: new Float32Array(B * scratchGateCount(shape) * N),
    stepTensors,
    stepOut: { scratchBuffer: EMPTY, outputStateOut: EMPTY, cellStateOut: EMPTY, output: EMPTY },
    aux: {
      size: auxSize,
      input: auxX,
      input_to_input_weights: null,
      input_to_forget_weights: EMPTY,
      input_to_cell_weights: EMPTY,
      input_to_output_weights: EMPTY,
    },
  };
}

/** The CellTensors keys: every tensor role but `input`, plus the three scalars. */
const CELL_KEYS: readonly (keyof CellTensors)[] = [
  ...TENSOR_ROLES.filter((r): r is Exclude<typeof r, 'input'> => r !== 'input'),
  'activation',
  'cell_clip',
  'proj_clip',
];

function expectLength(what: string, a: Float32Array, n: number): void {
  if (a.length !== n) throw new Error(`sequence LSTM: ${what} has ${a.length} values, expected ${n}`);
}

/** Cross linking for one direction: the aux sequence and that direction's aux weights. */
export interface DirectionAux {
  /** The aux_input sequence, same layout as the input, A values per row. */
  readonly sequence: Float32Array;
  readonly weights: AuxWeights;
}

/**
 * Run one direction over the whole sequence: for each step k, t = cursor.time(k); x_t is gathered
 * from `input`, the LSTM step runs with (h, C) held in hOut / cOut, and h_t is scattered into
 * `output` at position t. On return hOut / cOut hold the state after the last visited step.
 * `cell.output_state_in` / `cell.cell_state_in` may alias hOut / cOut. Allocates nothing.
 */
export function runDirectionInto(
  ws: DirectionWorkspace,
  cursor: SequenceCursor,
  shape: LstmShape,
  cell: CellTensors,
  input: Float32Array,
  output: Float32Array,
  hOut: Float32Array,
  cOut: Float32Array,
  opts: LstmStepOptions,
  aux: DirectionAux | null = null,
): void {
  const { batchSize: B, inputSize: I, numUnits: N, outputSize: O } = shape;
  if (!sameLstmShape(ws.shape, shape)) throw new Error('sequence LSTM: workspace sized for another shape');
  if (cursor.batchSize !== B || cursor.inputSize !== I || cursor.outputSize !== O) {
    throw new Error(`sequence LSTM: cursor (B=${cursor.batchSize}, I=${cursor.inputSize}, O=${cursor.outputSize}) does not match the shape (B=${B}, I=${I}, O=${O})`);
  }
  expectLength('input', input, cursor.sequenceLength(I));
  expectLength('output', output, cursor.sequenceLength(cursor.outputRowSize));
  expectLength('output_state_out', hOut, B * O);
  expectLength('cell_state_out', cOut, B * N);
  expectLength('output_state_in', cell.output_state_in, B * O);
  expectLength('cell_state_in', cell.cell_state_in, B * N);
  if (aux !== null) expectLength('aux_input', aux.sequence, cursor.sequenceLength(ws.auxSize));

  // Initial state: the state inputs (no-ops when they alias the outputs).
  hOut.set(cell.output_state_in);
  cOut.set(cell.cell_state_in);

  const st = ws.stepTensors as Record<keyof CellTensors, unknown>;
  for (let k = 0; k < CELL_KEYS.length; k++) {
    const key = CELL_KEYS[k]!;
    st[key] = cell[key];
  }
  ws.stepTensors.input = ws.x;
  ws.stepTensors.output_state_in = hOut;
  ws.stepTensors.cell_state_in = cOut;
  ws.stepOut.scratchBuffer = ws.scratch;
  ws.stepOut.outputStateOut = hOut;
  ws.stepOut.cellStateOut = cOut;
  ws.stepOut.output = hOut; // output is a copy of output_state_out; one buffer serves both
  let stepAux: LstmAuxInput | null = null;
  if (aux !== null) {
    ws.aux.input_to_input_weights = aux.weights.input_to_input_weights;
    ws.aux.input_to_forget_weights = aux.weights.input_to_forget_weights;
    ws.aux.input_to_cell_weights = aux.weights.input_to_cell_weights;
    ws.aux.input_to_output_weights = aux.weights.input_to_output_weights;
    stepAux = ws.aux;
  }

  for (let k = 0; k < cursor.steps; k++) {
    const t = cursor.time(k);
    cursor.gatherInput(input, t, ws.x);
    if (aux !== null) cursor.gatherRows(aux.sequence, t, ws.auxSize, ws.auxX);
    lstmStepInto(ws.step, shape, ws.stepTensors, ws.stepOut, opts, stepAux);
    cursor.scatterOutput(hOut, t, output);
  }
}

// ---------------------------------------------------------------------------------------------
// UNIDIRECTIONAL_SEQUENCE_LSTM

export interface UniSequenceLstmWorkspace {
  readonly shape: UniSequenceLstmShape;
  readonly cursor: SequenceCursor;
  readonly direction: DirectionWorkspace;
}

export function createUniSequenceLstmWorkspace(shape: UniSequenceLstmShape): UniSequenceLstmWorkspace {
  return {
    shape: { ...shape },
    cursor: new SequenceCursor({
      maxTime: shape.maxTime,
      batchSize: shape.batchSize,
      timeMajor: shape.timeMajor,
      inputSize: shape.inputSize,
      outputRowSize: shape.outputSize,
    }),
    direction: createDirectionWorkspace(shape),
  };
}

/** Output dimensions in NNAPI order: output, output_state_out, cell_state_out. */
export function uniSequenceLstmOutputDimensions(shape: UniSequenceLstmShape): [number[], number[], number[]] {
  const { maxTime: T, batchSize: B, numUnits: N, outputSize: O } = shape;
  return [shape.timeMajor ? [T, B, O] : [B, T, O], [B, O], [B, N]];
}

export function createUniSequenceLstmOutputs(shape: UniSequenceLstmShape): UniSequenceLstmOutputs {
  const { maxTime: T, batchSize: B, numUnits: N, outputSize: O } = shape;
  return {
    output: new Float32Array(T * B * O),
    outputStateOut: new Float32Array(B * O),
    cellStateOut: new Float32Array(B * N),
  };
}

const NO_OPTIONS: LstmStepOptions = Object.freeze({});

/**
 * The sequence into preallocated buffers. `tensors.input` is the whole sequence; the state inputs
 * may alias the state outputs. Throws a descriptive Error on any size mismatch. Allocates nothing.
 */
export function unidirectionalSequenceLstmInto(
  ws: UniSequenceLstmWorkspace,
  shape: UniSequenceLstmShape,
  tensors: UniSequenceLstmTensors,
  out: UniSequenceLstmOutputs,
  opts: LstmStepOptions = NO_OPTIONS,
): UniSequenceLstmOutputs {
  const w = ws.shape;
  if (w.maxTime !== shape.maxTime || w.timeMajor !== shape.timeMajor || !sameLstmShape(w, shape)) {
    throw new Error('UNIDIRECTIONAL_SEQUENCE_LSTM: workspace sized for another shape');
  }
  runDirectionInto(ws.direction, ws.cursor, shape, tensors, tensors.input, out.output, out.outputStateOut, out.cellStateOut, opts);
  return out;
}

/** Convenience: the sequence with freshly allocated workspace and outputs. */
export function unidirectionalSequenceLstm(
  shape: UniSequenceLstmShape,
  tensors: UniSequenceLstmTensors,
  opts: LstmStepOptions = NO_OPTIONS,
): UniSequenceLstmOutputs {
  return unidirectionalSequenceLstmInto(createUniSequenceLstmWorkspace(shape), shape, tensors, createUniSequenceLstmOutputs(shape), opts);
}
