/**
 * Instrumenting a copy of an ONNX model so that every LSTM node's tensors become graph outputs ("taps"): X,
 * initial_h, initial_c, Y, Y_h, Y_c (and optionally W, R, B, P), wherever the node sits — inside nested `If`
 * branches too. Running the copy in ONNX Runtime then hands over exactly what each LSTM saw and computed in the
 * real model, frame after frame, for the reference to recompute.
 *
 * How: in the LSTM's graph each tapped value goes through an `Identity` to a fresh name. Each enclosing `If`
 * gets one new output per tap; the branch holding the LSTM returns the tap, the other branch returns a `Constant`
 * float tensor of shape [0] (a branch must return as many outputs as the other, of the same element type). The
 * main graph lists every tap as an output; an empty tap means that branch did not run in that call.
 * `Loop` bodies are not tapped (a Loop's extra outputs are scan outputs, stacked over iterations): their LSTMs
 * are listed in `untapped` with the reason.
 *
 * Works on the protobuf messages (unknown fields kept), so the instrumented file differs from the original only
 * by the added nodes and outputs.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  TensorProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type GraphProto,
  type NodeProto,
  type ValueInfoProto,
} from './generated/onnx_pb.js';

/** The LSTM tensors a tap can expose. */
export type TapRole = 'X' | 'W' | 'R' | 'B' | 'initial_h' | 'initial_c' | 'P' | 'Y' | 'Y_h' | 'Y_c';

/** Input slots of an ONNX LSTM node. */
const INPUT_SLOT: Partial<Record<TapRole, number>> = { X: 0, W: 1, R: 2, B: 3, initial_h: 5, initial_c: 6, P: 7 };
const OUTPUT_SLOT: Partial<Record<TapRole, number>> = { Y: 0, Y_h: 1, Y_c: 2 };

/** One tapped LSTM node. */
export interface TappedLstm {
  /** Where the node is: enclosing nodes and branches, then the node, e.g. `If_0.else_branch/…/LSTM` (see {@link lstmNodePath}). */
  path: string;
  /** The node's place in the reader's syntax, e.g. `graph.node[3].attribute[0](then_branch).g.node[12]` (as OnnxLstmSite.machinePath). */
  machinePath: string;
  /** The node's name. */
  nodeName: string;
  /** Index in depth-first order over the graph (the order {@link instrumentLstmTaps} visits nodes). */
  index: number;
  /** Graph output name of each tapped role (roles whose value the node leaves empty are absent). */
  outputs: Partial<Record<TapRole, string>>;
}

/** The instrumented model. */
export interface LstmTaps {
  bytes: Uint8Array;
  /** The original graph outputs, in order (the instrumented model lists them first). */
  originalOutputs: string[];
  taps: TappedLstm[];
  /** LSTMs not tapped, with why. */
  untapped: { path: string; machinePath: string; nodeName: string; reason: string }[];
}

/** Options of {@link instrumentLstmTaps}. */
export interface TapOptions {
  /** Also tap W, R, B and P (default false): to check constants resolved by the reader against the runtime's values. */
  weights?: boolean;
  /**
   * Graph inputs whose declared shape is dropped in the copy (element type kept). Silero's second LSTM path runs
   * only for a state with 0 rows, which the declared input shape [2, …] forbids: relaxing it reaches that branch.
   */
  relaxInputs?: readonly string[];
}

const PREFIX = 'nnlstm_tap';
const FLOAT = 1;

function floatValueInfo(name: string): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, { value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType: FLOAT }) } }),
  });
}

function identity(input: string, output: string): NodeProto {
  return create(NodeProtoSchema, { name: `${output}_identity`, opType: 'Identity', input: [input], output: [output] });
}

/** A Constant float tensor of shape [0]: the "branch not taken" value of a tap. */
function emptyConstant(output: string): NodeProto {
  const value = create(TensorProtoSchema, { dims: [0n], dataType: FLOAT, name: `${output}_value` });
  return create(NodeProtoSchema, {
    name: `${output}_empty`,
    opType: 'Constant',
    output: [output],
    attribute: [create(AttributeProtoSchema, { name: 'value', type: AttributeProto_AttributeType.TENSOR, t: value })],
  });
}

/** The path text of a node: enclosing `node.attribute` steps joined by '/', then the node's name (or `#index`). */
export function lstmNodePath(scopes: readonly string[], node: { name: string }, index: number): string {
  return [...scopes, node.name || `#${index}`].join('/');
}

interface Tap {
  /** Name of the value in the current graph. */
  name: string;
  site: number;
  role: TapRole;
}

interface Walk {
  counter: number;
  sites: TappedLstm[];
  untapped: LstmTaps['untapped'];
  roles: TapRole[];
}

function fresh(w: Walk, what: string): string {
  return `${PREFIX}_${w.counter++}_${what}`;
}

/** Instruments `graph` in place; returns the taps it now makes available as values of this graph. */
function instrumentGraph(graph: GraphProto, scopes: string[], mp: string, w: Walk, inLoop: string | undefined): Tap[] {
  const taps: Tap[] = [];
  const added: NodeProto[] = [];
  graph.node.forEach((node, k) => {
    const nodeMp = `${mp}.node[${k}]`;
    if (node.opType === 'LSTM' && (node.domain === '' || node.domain === 'ai.onnx')) {
      const path = lstmNodePath(scopes, node, k);
      if (inLoop) {
        w.untapped.push({ path, machinePath: nodeMp, nodeName: node.name, reason: `inside the body of ${inLoop}: its extra outputs would be scan outputs, not the values of one iteration` });
        return;
      }
      const site: TappedLstm = { path, machinePath: nodeMp, nodeName: node.name, index: w.sites.length, outputs: {} };
      w.sites.push(site);
      for (const role of w.roles) {
        const slot = INPUT_SLOT[role] ?? OUTPUT_SLOT[role]!;
        const value = INPUT_SLOT[role] !== undefined ? node.input[slot] : node.output[slot];
        if (!value) continue;
        const name = fresh(w, `${site.index}_${role}`);
        added.push(identity(value, name));
        taps.push({ name, site: site.index, role });
      }
      return;
    }
    const label = node.name || `#${k}`;
    // Subgraphs in attribute order (the file's), with machine paths in the reader's syntax (src/onnx/lstm-sites.ts).
    const branches = node.attribute.map((a, ai) => ({ a, ai })).filter((x) => x.a.g !== undefined);
    if (branches.length === 0) return;
    const isIf = node.opType === 'If' && branches.length === 2 && branches.every((b) => b.a.name === 'then_branch' || b.a.name === 'else_branch');
    const results = branches.map(({ a, ai }) => ({
      g: a.g!,
      taps: instrumentGraph(a.g!, [...scopes, `${label}.${a.name}`], `${nodeMp}.attribute[${ai}](${a.name}).g`, w, isIf ? inLoop : (inLoop ?? `${node.opType} ${label}`)),
    }));
    if (!isIf) return;
    // Both branches return every tap: the real value from its own branch, an empty tensor from the other.
    for (const [j, r] of results.entries()) {
      const other = results[1 - j]!.g;
      for (const t of r.taps) {
        r.g.output.push(floatValueInfo(t.name));
        const empty = fresh(w, `${t.site}_${t.role}_empty`);
        other.node.push(emptyConstant(empty));
        other.output.push(floatValueInfo(empty));
        const outer = fresh(w, `${t.site}_${t.role}`);
        node.output.push(outer);
        taps.push({ name: outer, site: t.site, role: t.role });
      }
    }
  });
  graph.node.push(...added);
  return taps;
}

/**
 * A copy of the model whose graph outputs include every LSTM node's X, initial_h, initial_c, Y, Y_h and Y_c (after
 * the original outputs). Throws what `fromBinary` throws for bytes that are not a model (read them with readOnnx
 * first).
 */
export function instrumentLstmTaps(bytes: Uint8Array, opts: TapOptions = {}): LstmTaps {
  const model = fromBinary(ModelProtoSchema, bytes, { readUnknownFields: true });
  const graph = model.graph ?? create(GraphProtoSchema, {});
  const roles: TapRole[] = ['X', 'initial_h', 'initial_c', 'Y', 'Y_h', 'Y_c'];
  if (opts.weights) roles.push('W', 'R', 'B', 'P');
  const w: Walk = { counter: 0, sites: [], untapped: [], roles };
  const originalOutputs = graph.output.map((o) => o.name);
  for (const input of graph.input) {
    const t = input.type?.value;
    if (opts.relaxInputs?.includes(input.name) && t?.case === 'tensorType') t.value.shape = undefined;
  }
  const taps = instrumentGraph(graph, [], 'graph', w, undefined);
  for (const t of taps) {
    graph.output.push(floatValueInfo(t.name));
    w.sites[t.site]!.outputs[t.role] = t.name;
  }
  return { bytes: toBinary(ModelProtoSchema, model), originalOutputs, taps: w.sites, untapped: w.untapped };
}
