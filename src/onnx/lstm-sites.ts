/**
 * Where the LSTMs of an ONNX model are: every `LSTM` node of the ai.onnx domain, in the main graph and in every
 * nested subgraph (If branches, Loop and Scan bodies, any graph-valued attribute), with its inputs resolved to
 * constants where they are constant (./constants.ts) and to declared types/shapes where the graph declares them.
 * Also the op types each graph uses, for `nnlstm inspect`.
 */
import { OnnxConstantResolver, type ConstantResolverOptions, type OnnxScope, type ResolvedConstant } from './constants.js';
import type { OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from './model.js';
import { ONNX_LSTM_INPUTS, type OnnxLstmInputName } from '../ops/onnx-lstm/types.js';

/** The eight inputs of ONNX LSTM, in order (the table in src/ops/onnx-lstm/types.ts). */
export const ONNX_LSTM_INPUT_ROLES = ONNX_LSTM_INPUTS;
/** One input role of ONNX LSTM. */
export type OnnxLstmInputRole = OnnxLstmInputName;

/** One input of an LSTM node. */
export interface OnnxLstmSiteInput {
  role: OnnxLstmInputRole;
  /** Index among the node's inputs (0 … 7). */
  index: number;
  /** The value name; '' when omitted (missing or empty). */
  name: string;
  /** The tensor, when the name resolves to a constant in the node's scope. */
  constant?: OnnxTensor;
  /** How the constant was found (initializer, Constant node, or derived through Unsqueeze/Slice/…). */
  constantSource?: ResolvedConstant;
  /** The declared type/shape from the graph's (or an enclosing graph's) inputs, value_info or outputs. */
  valueInfo?: OnnxValueInfo;
}

/** One graph on the way from the main graph to a node. */
export interface OnnxGraphStep {
  /** The node holding the subgraph attribute (undefined for the main graph). */
  node?: OnnxNode;
  /** The attribute name (`then_branch`, `else_branch`, `body`, …) and index for GRAPHS attributes. */
  attribute?: string;
  graph: OnnxGraph;
}

/** An LSTM node found by {@link findLstmSites}. */
export interface OnnxLstmSite {
  /** Readable location, e.g. `main › If "If_0" then_branch › LSTM "LSTM_12"`. */
  path: string;
  /** Machine path in the reader's syntax, e.g. `graph.node[3].attribute[0](then_branch).g.node[12]`. */
  machinePath: string;
  /** The graphs from the main graph to the one holding the node. */
  graphs: OnnxGraphStep[];
  /** The graph holding the node. */
  graph: OnnxGraph;
  /** Index of the node in `graph.nodes`. */
  nodeIndex: number;
  node: OnnxNode;
  /** The node's scope, for resolving further names with `resolver`. */
  scope: OnnxScope;
  /** The ai.onnx opset in effect. */
  opset: number;
  /** Always 8 entries, in ONNX order (X, W, R, B, sequence_lens, initial_h, initial_c, P). */
  inputs: OnnxLstmSiteInput[];
  /** Output names; '' when omitted. */
  outputs: { Y: string; Y_h: string; Y_c: string };
}

/** Op types used by one graph (subgraphs counted in their own entry). */
export interface OnnxGraphOpCounts {
  path: string;
  machinePath: string;
  graphName: string;
  /** Nesting depth, 0 for the main graph. */
  depth: number;
  /** op type (with `domain:` prefix for non-ai.onnx domains) → node count. */
  ops: Record<string, number>;
}

/** What {@link findLstmSites} can also return. */
export interface LstmSitesResult {
  sites: OnnxLstmSite[];
  graphs: OnnxGraphOpCounts[];
  /** The resolver used (shared cache), for resolving further names in a site's scope. */
  resolver: OnnxConstantResolver;
}

const isDefaultDomain = (d: string) => d === '' || d === 'ai.onnx';

const opKey = (n: OnnxNode) => (isDefaultDomain(n.domain) ? n.opType : `${n.domain}:${n.opType}`);

/** Declared type/shape of `name` in the scope chain (inner graphs first). */
function findValueInfo(steps: readonly OnnxGraphStep[], name: string): OnnxValueInfo | undefined {
  if (!name) return undefined;
  for (let i = steps.length - 1; i >= 0; i--) {
    const g = steps[i]!.graph;
    const v = g.inputs.find((x) => x.name === name) ?? g.valueInfo?.find((x) => x.name === name) ?? g.outputs.find((x) => x.name === name);
    if (v) return v;
  }
  return undefined;
}

/**
 * Walks every graph of `model` (depth-first, in node order) and returns its LSTM sites, per-graph op counts and the
 * constant resolver. Graph nesting is bounded by the reader's verifier (64 levels by default).
 */
export function analyzeLstmSites(model: OnnxModel, opts: ConstantResolverOptions = {}): LstmSitesResult {
  const resolver = new OnnxConstantResolver(model, opts);
  const sites: OnnxLstmSite[] = [];
  const graphs: OnnxGraphOpCounts[] = [];
  const opset = resolver.opset;

  const visit = (graph: OnnxGraph, scope: OnnxScope, steps: OnnxGraphStep[], path: string, mp: string): void => {
    const ops: Record<string, number> = {};
    graphs.push({ path, machinePath: mp, graphName: graph.name, depth: steps.length - 1, ops });
    graph.nodes.forEach((node, nodeIndex) => {
      const key = opKey(node);
      ops[key] = (ops[key] ?? 0) + 1;
      const nodeMp = `${mp}.node[${nodeIndex}]`;
      if (node.opType === 'LSTM' && isDefaultDomain(node.domain)) {
        const inputs = ONNX_LSTM_INPUT_ROLES.map((role, index): OnnxLstmSiteInput => {
          const name = node.inputs[index] ?? '';
          const inp: OnnxLstmSiteInput = { role, index, name };
          if (name) {
            const c = resolver.resolve(scope, name);
            if (c) {
              inp.constant = c.tensor;
              inp.constantSource = c;
            }
            const vi = findValueInfo(steps, name);
            if (vi) inp.valueInfo = vi;
          }
          return inp;
        });
        sites.push({
          path: `${path} › LSTM "${node.name}"`,
          machinePath: nodeMp,
          graphs: steps,
          graph,
          nodeIndex,
          node,
          scope,
          opset,
          inputs,
          outputs: { Y: node.outputs[0] ?? '', Y_h: node.outputs[1] ?? '', Y_c: node.outputs[2] ?? '' },
        });
      }
      // Subgraphs in attribute order (then_branch, else_branch, body, …), so paths follow the file.
      const attrs = Object.entries(node.attributes);
      attrs.forEach(([attrName, a], attrIndex) => {
        const label = `${node.opType} "${node.name}" ${attrName}`;
        const amp = `${nodeMp}.attribute[${attrIndex}](${attrName})`;
        const sub = (g: OnnxGraph, p: string, m: string, attribute: string) => {
          const s = resolver.scope(g, scope);
          visit(g, s, [...steps, { node, attribute, graph: g }], `${path} › ${p}`, m);
        };
        if (a.type === 'GRAPH') sub(a.value, label, `${amp}.g`, attrName);
        else if (a.type === 'GRAPHS') a.value.forEach((g, k) => sub(g, `${label}[${k}]`, `${amp}.graphs[${k}]`, `${attrName}[${k}]`));
      });
    });
  };

  visit(model.graph, resolver.scope(model.graph), [{ graph: model.graph }], 'main', 'graph');
  return { sites, graphs, resolver };
}

/**
 * Every `LSTM` node (domain '' / ai.onnx) anywhere in `model`, main graph and nested subgraphs, with its eight
 * inputs (constants resolved through initializers, Constant nodes and Unsqueeze/Slice/Concat/… of constants, and
 * declared shapes) and its output names.
 *
 * @example
 * ```ts
 * import { readOnnx, findLstmSites } from 'nnlstm/onnx';
 * for (const site of findLstmSites(readOnnx(bytes))) {
 *   const w = site.inputs[1]!.constant; // W, [num_directions, 4·hidden, input]
 *   console.log(site.path, w?.dims);
 * }
 * ```
 */
export function findLstmSites(model: OnnxModel, opts: ConstantResolverOptions = {}): OnnxLstmSite[] {
  return analyzeLstmSites(model, opts).sites;
}

/** Renders op counts like `9 If, 36 Conv, 8 LSTM` (most used first). */
export function formatOpCounts(ops: Record<string, number>): string {
  return Object.entries(ops)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}

/** Op counts summed over every graph of the model. */
export function totalOpCounts(graphs: readonly OnnxGraphOpCounts[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of graphs) for (const [k, n] of Object.entries(g.ops)) out[k] = (out[k] ?? 0) + n;
  return out;
}
