#!/usr/bin/env node
// Regenerates src/onnx/generated/onnx_pb.ts from src/onnx/schema/onnx.proto with buf and protoc-gen-es
// (devDependencies @bufbuild/buf, @bufbuild/protoc-gen-es). Plain Node ESM, run as `npm run gen:onnx`.
//
//   node src/onnx/schema/regen.mjs           write src/onnx/generated/onnx_pb.ts
//   node src/onnx/schema/regen.mjs --check   exit 1 when the committed output is stale

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const target = join(here, '..', 'generated', 'onnx_pb.ts');
const check = process.argv.includes('--check');

const work = mkdtempSync(join(tmpdir(), 'nnlstm-onnx-gen-'));
try {
  copyFileSync(join(here, 'onnx.proto'), join(work, 'onnx.proto'));
  const plugin = join(root, 'node_modules', '.bin', 'protoc-gen-es');
  writeFileSync(
    join(work, 'buf.gen.yaml'),
    `version: v2\nplugins:\n  - local: ${JSON.stringify(plugin)}\n    out: gen\n    opt: target=ts,import_extension=js\n`,
  );
  execFileSync(join(root, 'node_modules', '.bin', 'buf'), ['generate', 'onnx.proto'], { cwd: work, stdio: 'inherit' });
  const fresh = readFileSync(join(work, 'gen', 'onnx_pb.ts'), 'utf8');
  if (check) {
    let old = '';
    try { old = readFileSync(target, 'utf8'); } catch {}
    if (old !== fresh) {
      console.error('src/onnx/generated/onnx_pb.ts is stale: run `npm run gen:onnx`');
      process.exit(1);
    }
  } else writeFileSync(target, fresh);
} finally {
  rmSync(work, { recursive: true, force: true });
}
