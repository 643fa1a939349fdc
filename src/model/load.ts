/**
 * Reading model-bearing JSON files: a bare model (spec/schema/model.schema.json), a golden file
 * (golden.schema.json) or a negative case (negative-case.schema.json). Every failure is a
 * ModelFileError naming the file and, when it is about a place in the document, a JSON pointer.
 */
import Ajv07Module from 'ajv';
import Ajv2020Module, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Model } from './model.js';
import { SCHEMA_DOCUMENTS } from './data.generated.js';

export type SchemaName = 'model' | 'golden' | 'negative-case' | 'deviations' | 'report';
const SCHEMA_NAMES: readonly SchemaName[] = ['model', 'golden', 'negative-case', 'deviations', 'report'];

/**
 * What went wrong with a model document: `read` the file could not be read (Node entry only), `parse` not
 * JSON, `schema` not the schema's shape, `structure` well-formed but inconsistent (e.g. an operand index out
 * of range).
 */
export type ModelFileErrorKind = 'read' | 'parse' | 'schema' | 'structure';

/**
 * A model, golden or case document that cannot be read or loaded, thrown by {@link parseModel} and the
 * `nnlstm/node` file loaders. The message names the file and, when known, the JSON pointer.
 *
 * @example
 * ```ts
 * import { parseModel, ModelFileError } from 'nnlstm';
 * try {
 *   parseModel('{"operands": []}', 'bad.json');
 * } catch (e) {
 *   if (e instanceof ModelFileError) console.error(e.kind, e.pointer, e.detail); // 'schema', '', …
 * }
 * ```
 */
export class ModelFileError extends Error {
  /** `'ModelFileError'`, for telling errors apart without instanceof (e.g. across bundles). */
  override readonly name = 'ModelFileError';
  constructor(
    /** The document's name as given (file path or `source`). */
    readonly file: string,
    /** Which stage failed. */
    readonly kind: ModelFileErrorKind,
    /** The problem, without the file and pointer. */
    readonly detail: string,
    /** JSON pointer (RFC 6901) into the document; '' = the whole document. */
    readonly pointer?: string,
  ) {
    super(`${file}${pointer !== undefined ? ` at ${pointer === '' ? '/' : pointer}` : ''}: ${detail.replace(/\s*\n\s*/g, ' ')}`);
  }
}

// ajv is CommonJS; under NodeNext its default export arrives as the module object.
type Ajv2020Ctor = typeof Ajv2020Module.default;
type Ajv07Ctor = typeof Ajv07Module.default;
const Ajv2020 = ((Ajv2020Module as unknown as { default?: Ajv2020Ctor }).default ?? Ajv2020Module) as Ajv2020Ctor;
const Ajv07 = ((Ajv07Module as unknown as { default?: Ajv07Ctor }).default ?? Ajv07Module) as Ajv07Ctor;

interface SchemaSet {
  /** Draft 2020-12 schemas (ours). */
  modern: InstanceType<Ajv2020Ctor>;
  /** Draft-07 schemas (e.g. negative-case.schema.json). */
  draft07: InstanceType<Ajv07Ctor>;
  which: Map<SchemaName, 'modern' | 'draft07'>;
}
let schemas: SchemaSet | undefined;


function getSchemas(): SchemaSet {
  if (schemas) return schemas;
  const opts = { allErrors: true, strict: true, strictTypes: false, strictRequired: false } as const;
  const set: SchemaSet = { modern: new Ajv2020(opts), draft07: new Ajv07(opts), which: new Map() };
  for (const n of SCHEMA_NAMES) {
    const doc = SCHEMA_DOCUMENTS[`${n}.schema.json`] as Record<string, unknown> | undefined;
    if (!doc) continue; // reported when it is asked for
    const meta = doc['$schema'];
    const isDraft07 = typeof meta === 'string' && meta.includes('draft-07');
    if (isDraft07) set.draft07.addSchema(doc, `${n}.schema.json`);
    else set.modern.addSchema(doc, `${n}.schema.json`);
    set.which.set(n, isDraft07 ? 'draft07' : 'modern');
  }
  schemas = set;
  return set;
}

/** The compiled validator of spec/schema/<name>.schema.json. */
export function schemaValidator(name: SchemaName): ValidateFunction {
  const set = getSchemas();
  const which = set.which.get(name);
  if (!which) throw new Error(`no schema ${name}.schema.json in src/model/data.generated.ts`);
  const v = which === 'draft07' ? set.draft07.getSchema(`${name}.schema.json`) : set.modern.getSchema(`${name}.schema.json`);
  if (!v) throw new Error(`schema ${name}.schema.json did not compile`);
  return v;
}

function describeAjvError(e: ErrorObject): { pointer: string; detail: string } {
  let pointer = e.instancePath;
  let detail = e.message ?? 'is invalid';
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties' && typeof p['additionalProperty'] === 'string') {
    pointer += '/' + escapePointer(p['additionalProperty']);
    detail = 'unknown property (not allowed by the schema)';
  } else if (e.keyword === 'required' && typeof p['missingProperty'] === 'string') {
    detail = `missing required property '${p['missingProperty']}'`;
  } else if (e.keyword === 'enum' && Array.isArray(p['allowedValues'])) {
    detail = `must be one of ${p['allowedValues'].map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (e.keyword === 'const') {
    detail = `must be ${JSON.stringify(p['allowedValue'])}`;
  }
  return { pointer, detail };
}

export function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Ajv errors, most specific first (deepest pointer; oneOf/anyOf/if summaries last). */
function rankErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const summary = new Set(['oneOf', 'anyOf', 'if']);
  return [...errors].sort((a, b) => {
    const sa = summary.has(a.keyword) ? 1 : 0;
    const sb = summary.has(b.keyword) ? 1 : 0;
    if (sa !== sb) return sa - sb;
    return b.instancePath.split('/').length - a.instancePath.split('/').length;
  });
}

/** Validate `data` against a schema; throws ModelFileError (kind 'schema') with the first error's pointer. */
export function checkSchema(name: SchemaName, data: unknown, file: string): void {
  const v = schemaValidator(name);
  if (v(data)) return;
  const errors = rankErrors(v.errors ?? []);
  const first = errors[0];
  if (!first) throw new ModelFileError(file, 'schema', `does not match ${name}.schema.json`, '');
  const { pointer, detail } = describeAjvError(first);
  const more = errors.length > 1 ? ` (+${errors.length - 1} more schema error${errors.length > 2 ? 's' : ''})` : '';
  throw new ModelFileError(file, 'schema', `${detail} [${name}.schema.json]${more}`, pointer);
}

export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const msg = (e as Error).message;
    const at = jsonErrorOffset(text);
    let where = '';
    if (at !== undefined && !/line \d+/.test(msg)) {
      const upTo = text.slice(0, at);
      const line = upTo.split('\n').length;
      const col = at - upTo.lastIndexOf('\n');
      where = ` (line ${line} column ${col})`;
    }
    throw new ModelFileError(file, 'parse', `malformed JSON: ${msg}${where}`);
  }
}

/**
 * Offset of the first JSON syntax error in `text` (undefined when it parses). Used only to locate
 * an error JSON.parse reported without a position.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const lit = (w: string) => {
    if (text.startsWith(w, i)) i += w.length;
    else fail();
  };
  const str = () => {
    i++; // opening quote
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') return void i++;
      if (c === '\\') {
        const n = text[i + 1];
        if (n === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail();
          i += 6;
        } else if (n !== undefined && '"\\/bfnrt'.includes(n)) i += 2;
        else fail();
      } else if (c < ' ') fail();
      else i++;
    }
    fail();
  };
  const numberRe = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const num = () => {
    numberRe.lastIndex = i;
    const m = numberRe.exec(text);
    if (!m || m[0].length === 0) fail();
    i += m![0].length;
  };
  // Iterative over nesting (a stack of open containers), so any depth is located without recursion.
  const value = (): void => {
    const open: ('{' | '[')[] = [];
    for (;;) {
      ws();
      const c = text[i];
      let scalar = true;
      if (c === '{' || c === '[') {
        i++;
        ws();
        if (text[i] === (c === '{' ? '}' : ']')) i++;
        else {
          open.push(c);
          scalar = false;
          if (c === '{') {
            if (text[i] !== '"') fail();
            str();
            ws();
            if (text[i] !== ':') fail();
            i++;
          }
        }
      } else if (c === '"') str();
      else if (c === 't') lit('true');
      else if (c === 'f') lit('false');
      else if (c === 'n') lit('null');
      else num();
      if (!scalar) continue;
      // A value ended: close containers until one wants another member.
      for (;;) {
        const top = open[open.length - 1];
        if (top === undefined) return;
        ws();
        if (text[i] === ',') {
          i++;
          if (top === '{') {
            ws();
            if (text[i] !== '"') fail();
            str();
            ws();
            if (text[i] !== ':') fail();
            i++;
          }
          break;
        }
        if (text[i] === (top === '{' ? '}' : ']')) {
          i++;
          open.pop();
          continue;
        }
        fail();
      }
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return undefined;
  } catch (at) {
    if (typeof at === 'number') return at;
    throw at;
  }
}

/**
 * Integrity a runner relies on: operands[i].index === i, every referenced index exists,
 * model inputs are SUBGRAPH_INPUT and outputs SUBGRAPH_OUTPUT. Throws ModelFileError ('structure').
 */
export function checkModelStructure(model: Model, file: string, base = ''): void {
  const n = model.operands.length;
  model.operands.forEach((op, i) => {
    if (op.index !== i) throw new ModelFileError(file, 'structure', `operand index ${op.index} at array position ${i}`, `${base}/operands/${i}/index`);
  });
  const inRange = (list: number[], ptr: string) =>
    list.forEach((idx, k) => {
      if (idx >= n) throw new ModelFileError(file, 'structure', `operand ${idx} does not exist (${n} operands)`, `${ptr}/${k}`);
    });
  inRange(model.inputIndexes, `${base}/inputIndexes`);
  inRange(model.outputIndexes, `${base}/outputIndexes`);
  model.operations.forEach((op, k) => {
    inRange(op.inputs, `${base}/operations/${k}/inputs`);
    inRange(op.outputs, `${base}/operations/${k}/outputs`);
  });
  model.inputIndexes.forEach((idx, k) => {
    const lt = model.operands[idx]!.lifetime;
    if (lt !== 'SUBGRAPH_INPUT') throw new ModelFileError(file, 'structure', `model input operand ${idx} has lifetime ${lt}, not SUBGRAPH_INPUT`, `${base}/inputIndexes/${k}`);
  });
  model.outputIndexes.forEach((idx, k) => {
    const lt = model.operands[idx]!.lifetime;
    if (lt !== 'SUBGRAPH_OUTPUT') throw new ModelFileError(file, 'structure', `model output operand ${idx} has lifetime ${lt}, not SUBGRAPH_OUTPUT`, `${base}/outputIndexes/${k}`);
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * A model from parsed JSON: a bare model (has `operands`), or the `model` of a golden file or a
 * negative case (has `model`; the whole document is checked against its schema).
 */
export function modelFromJson(data: unknown, file: string): Model {
  if (isObject(data) && !('operands' in data) && 'model' in data) {
    if ('rule' in data) {
      // Negative cases may break model structure on purpose: schema only.
      checkSchema('negative-case', data, file);
      return data['model'] as Model;
    }
    checkSchema('golden', data, file);
    const model = data['model'] as Model;
    checkModelStructure(model, file, '/model');
    return model;
  }
  checkSchema('model', data, file);
  const model = data as Model;
  checkModelStructure(model, file);
  return model;
}

/**
 * A model from JSON text or parsed JSON: a bare model (spec/schema/model.schema.json), a golden file
 * or a negative case (its `model`).
 *
 * @param source what to call the document in errors (a file name).
 * @throws ModelFileError with kind 'parse' | 'schema' | 'structure' and a JSON pointer.
 * @example
 * ```ts
 * import { parseModel } from 'nnlstm';
 * const model = parseModel(await (await fetch('lstm.json')).text(), 'lstm.json');
 * ```
 */
export function parseModel(json: string | unknown, source = 'model.json'): Model {
  return modelFromJson(typeof json === 'string' ? parseJsonText(json, source) : json, source);
}
