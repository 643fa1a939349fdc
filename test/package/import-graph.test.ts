/**
 * The built import graph of each browser-safe entry (dist/index.js, dist/suite.js, dist/tflite/index.js,
 * dist/onnx/index.js, dist/webnn.js):
 * every module reachable through static imports and literal dynamic imports. None may import a Node
 * built-in (`node:*` or a bare built-in name), and the declarations reachable from them may not need
 * @types/node. The source layering is checked too: imports point down only.
 */
import { builtinModules } from 'node:module';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/paths.js';

const IMPORT_RE = /(?:^|[;\s}])(?:import|export)\s*(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Import specifiers of a module, comments (TSDoc examples) left out. */
function specifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out: string[] = [];
  for (const m of code.matchAll(IMPORT_RE)) out.push((m[1] ?? m[2])!);
  return out;
}

/** Every dist module reachable from `entry`, with the bare packages it imports. */
function graph(entry: string, ext: '.js' | '.d.ts'): { modules: Map<string, string[]>; bare: Set<string> } {
  const modules = new Map<string, string[]>();
  const bare = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const file = todo.pop()!;
    if (modules.has(file)) continue;
    const specs = specifiers(readFileSync(file, 'utf8'));
    modules.set(file, specs);
    for (const s of specs) {
      if (s.startsWith('.')) {
        const target = resolve(dirname(file), ext === '.js' ? s : s.replace(/\.js$/, '.d.ts'));
        if (!existsSync(target)) throw new Error(`${relative(fromRoot(), file)} imports missing ${s}`);
        todo.push(target);
      } else bare.add(s);
    }
  }
  return { modules, bare };
}

const ENTRIES = ['index', 'suite', 'tflite/index', 'onnx/index', 'webnn'];
/** The bare packages each entry may reach (the package's dependencies, nothing Node-only). */
const BARE: Record<string, string[]> = {
  index: ['ajv', 'ajv/dist/2020.js'],
  suite: ['ajv', 'ajv/dist/2020.js'],
  'tflite/index': ['ajv', 'ajv/dist/2020.js', 'flatbuffers'],
  'onnx/index': ['@bufbuild/protobuf', '@bufbuild/protobuf/codegenv2'],
  webnn: [],
};
const built = existsSync(fromRoot('dist', 'index.js'));

describe.skipIf(!built)('the browser-safe entries', () => {
  for (const e of ENTRIES) {
    it(`dist/${e}.js reaches no Node built-in`, () => {
      const { modules, bare } = graph(fromRoot('dist', `${e}.js`), '.js');
      const offenders = [...modules].flatMap(([f, specs]) => specs.filter((s) => BUILTINS.has(s)).map((s) => `${relative(fromRoot(), f)} → ${s}`));
      expect(offenders).toEqual([]);
      expect([...bare].sort()).toEqual(BARE[e]);
      expect(modules.size).toBeGreaterThan(e === 'webnn' ? 3 : 5);
    });
    it(`dist/${e}.d.ts needs no @types/node`, () => {
      const { modules, bare } = graph(fromRoot('dist', `${e}.d.ts`), '.d.ts');
      // (Global Node types used without an import; test/package/consumer.test.ts also compiles every entry without @types/node.)
      const offenders = [...modules.keys()].filter((f) => /\bNodeJS\.|reference types="node"/.test(readFileSync(f, 'utf8')));
      expect(offenders.map((f) => relative(fromRoot(), f))).toEqual([]);
      expect([...bare].filter((s) => BUILTINS.has(s))).toEqual([]);
    });
  }
});

// cli → tools → bundle/hosts → tflite/conformance → drivers → ops → spec → model → util; the entries (src/index.ts,
// suite.ts, node.ts, tflite/index.ts) sit on top. hosts/ turns a driver name into any driver, the TFLite one included.
const LAYER: Record<string, number> = { util: 0, model: 1, spec: 2, ops: 3, drivers: 4, conformance: 5, tflite: 5, onnx: 5, bundle: 6, hosts: 6, tools: 7, cli: 8 };
const ENTRY_FILES = new Set(['tflite/index.ts', 'onnx/index.ts']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

describe('layering of src/', () => {
  it('every import points down (or within its layer), never up', () => {
    const src = fromRoot('src');
    const up: string[] = [];
    for (const f of sourceFiles(src)) {
      const from = relative(src, f).split('/')[0]!;
      if (!(from in LAYER) || ENTRY_FILES.has(relative(src, f))) continue; // the entry modules at the top
      for (const s of specifiers(readFileSync(f, 'utf8'))) {
        if (!s.startsWith('.')) continue;
        const to = relative(src, resolve(dirname(f), s)).split('/')[0]!;
        if (!(to in LAYER)) {
          up.push(`${relative(src, f)} → ${s} (an entry module)`);
          continue;
        }
        const sideways = ((from === 'tflite' || from === 'onnx') && to === 'conformance') || (from === 'onnx' && to === 'tflite') || from === to;
        if (LAYER[to]! > LAYER[from]! || (LAYER[to] === LAYER[from] && !sideways)) up.push(`${relative(src, f)} → ${s}`);
      }
    }
    expect(up).toEqual([]);
  });
});
