import { inspectTflite, type LstmOpReport, type TensorSummary, type TfliteInspection } from '../../tflite/inspect.js';
import { nnapiInputsFor } from '../../tflite/mapping.js';
import type { TfliteModel } from '../../tflite/reader.js';
import { structureOfOps } from '../../tflite/validate-tflite.js';
import { readTfliteFile } from './tflite-file.js';
import { CliError, parseOptions, type Command } from '../command.js';
import { TOOL_VERSION } from '../../conformance/runner.js';
import { withJsonErrors } from '../output-file.js';

const HELP = `usage: nnlstm inspect MODEL.tflite|MODEL.onnx [--json]

Describes a .tflite file: the operator table (builtin code, name, version, count), each subgraph's inputs and
outputs, and for every LSTM-family op (LSTM, UNIDIRECTIONAL_SEQUENCE_LSTM, BIDIRECTIONAL_SEQUENCE_LSTM) its
features (CIFG, peephole, projection, projection bias, layer norm), options (activation, clips, time_major), sizes,
tensor types and quantization, arithmetic (float / hybrid / integer) and whether TFLite's NNAPI delegate would
hand it to NNAPI (an op that is structurally invalid as an NNAPI operation is not: NNAPI rejects it when the
delegate builds its model; \`nnlstm validate\` names the rules). --json prints the same content as JSON.
A .onnx file (by extension or content): ir_version, producer, opsets, graph inputs/outputs, op types over every
graph (If/Loop subgraphs included), and for every LSTM node wherever it sits its path, attributes (defaults
marked), inputs (type, shape, constant and from where), features, ONNX-structure verdict (rule ids) and NNAPI
mapping verdict (operation and feature level, or why not expressible).
Exit codes: 0 ok, 2 unreadable or malformed file (one line: error kind, byte offset, field path).`;

/** A float32 quantization scale, short (8 significant digits identify a float32). */
const sc = (x: number) => String(Number(x.toPrecision(8)));

function tensorText(t: TensorSummary): string {
  const q = t.quantization;
  const quant = q ? ` scale ${sc(q.scale)} zp ${q.zeroPoint}${q.channels > 1 ? ` (per-channel ×${q.channels}, dim ${q.quantizedDimension})` : ''}` : '';
  const flags = [t.constant && 'constant', t.variable && 'variable'].filter(Boolean);
  return `#${t.index} ${JSON.stringify(t.name)} ${t.type} [${t.shape.join(',')}]${quant}${flags.length ? ` (${flags.join(', ')})` : ''}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((x, c) => x.padEnd(widths[c]!)).join('  ').trimEnd());
}

const yn = (b: boolean | undefined) => (b ? 'yes' : 'no');

/** LstmOpReport plus the op's intermediate tensors (integer kernels: gate / hidden scales). */
export type InspectedOp = LstmOpReport & { intermediateTensors: TensorSummary[] };

function renderOp(op: InspectedOp): string[] {
  const f = op.features;
  const out: string[] = [];
  out.push(`op ${op.subgraph}:${op.operator} ${op.op} v${op.version}: ${op.tfliteInputs} inputs, ${op.tfliteOutputs} output(s), ${op.intermediates} intermediate(s)${op.basicKernel ? ', BASIC kernel' : ''}`);
  out.push(`  arithmetic: ${op.arithmetic} (input ${op.inputType}, weights ${op.weightType}, output ${op.outputType})`);
  out.push(`  features:   CIFG ${yn(f.cifg)}, peephole ${yn(f.peephole)}, projection ${yn(f.projection)}, projection bias ${yn(f.projectionBias)}, layer norm ${yn(f.layerNorm)}`);
  const opts = [`activation ${f.activationName} (${f.activation})`, `cell_clip ${f.cellClip}`, `proj_clip ${f.projClip}`];
  if (f.timeMajor !== undefined) opts.push(`time_major ${f.timeMajor}`);
  if (f.mergeOutputs !== undefined) opts.push(`merge_outputs ${f.mergeOutputs}`);
  if (f.auxInput !== undefined) opts.push(`aux input ${yn(f.auxInput)}`);
  if (f.diagonalRecurrentTensors !== undefined) opts.push(`diagonal_recurrent_tensors ${f.diagonalRecurrentTensors}`);
  opts.push(`asymmetric_quantize_inputs ${f.asymmetricQuantizeInputs}`);
  out.push(`  options:    ${opts.join(', ')}${f.explicitOptions ? '' : ' (no options table: TFLite defaults)'}`);
  const s = op.sizes;
  const sizes = (['batch', 'time', 'input', 'units', 'output'] as const).filter((k) => s[k] !== undefined).map((k) => `${k} ${s[k]}`);
  out.push(`  sizes:      ${sizes.join(', ') || '-'}`);
  const d = op.nnapiDelegate;
  out.push(
    d.delegated
      ? `  NNAPI delegate: yes → ${d.nnapiOperation}, from API ${d.minAndroidApi} (NNAPI ${d.minNnapi})`
      : `  NNAPI delegate: no — ${d.reasons.join('; ')}`,
  );
  // API-level requirements only matter when the delegate takes the op; caveats always do.
  for (const n of d.notes) if (d.delegated || !n.startsWith('API ≥')) out.push(`    note: ${n}`);
  out.push('  tensors:');
  const rows: string[][] = [['slot', 'role', 'tensor', 'type', 'shape', 'quantization', '']];
  const roleOfSlot = new Map<number, string>();
  if (!op.basicKernel) for (const e of nnapiInputsFor(op.op, op.tfliteInputs)) if (e.source.kind === 'input') roleOfSlot.set(e.source.tflite, e.role);
  const bySlot = new Map(op.tensors.map((t) => [t.slot, t]));
  for (let slot = 0; slot < op.tfliteInputs; slot++) {
    const t = bySlot.get(slot);
    if (!t) {
      rows.push([String(slot), roleOfSlot.get(slot) ?? `input_${slot}`, '-1 (omitted)', '', '', '', '']);
      continue;
    }
    const q = t.quantization;
    rows.push([
      String(t.slot),
      t.role,
      `#${t.index} ${t.name}`,
      t.type,
      `[${t.shape.join(',')}]`,
      q ? `scale ${sc(q.scale)} zp ${q.zeroPoint}${q.channels > 1 ? ` ×${q.channels} (dim ${q.quantizedDimension})` : ''}` : '-',
      [t.constant && 'constant', t.variable && 'variable'].filter(Boolean).join(', '),
    ]);
  }
  out.push(...table(rows).map((l) => `    ${l}`));
  if (op.intermediateTensors.length > 0) {
    out.push('  intermediates:');
    for (const t of op.intermediateTensors) out.push(`    ${tensorText(t)}`);
  }
  return out;
}

function withIntermediates(model: TfliteModel, r: TfliteInspection): TfliteInspection & { lstmOps: InspectedOp[] } {
  // The delegate verdict as validate gives it (structure-aware), so inspect never says "yes" for an op NNAPI rejects.
  const structures = structureOfOps(model, r.lstmOps);
  const lstmOps = r.lstmOps.map((op, k): InspectedOp => {
    const sg = model.subgraphs[op.subgraph];
    const o = sg?.operators[op.operator];
    const intermediateTensors = (o?.intermediates ?? []).flatMap((i) => {
      const t = i >= 0 ? sg?.tensors[i] : undefined;
      if (!t) return [];
      const s: TensorSummary = { index: t.index, name: t.name, type: t.type, shape: [...t.shape] };
      const q = t.quantization;
      if (q && q.scale.length > 0) s.quantization = { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0] ?? 0, channels: q.scale.length, quantizedDimension: q.quantizedDimension };
      return [s];
    });
    return { ...op, nnapiDelegate: structures[k]!.nnapiDelegate, intermediateTensors };
  });
  return { ...r, lstmOps };
}

export function renderInspection(file: string, r: TfliteInspection & { lstmOps: InspectedOp[] }): string {
  const out: string[] = [];
  out.push(`${file}: TFLite schema v${r.version}, ${r.byteLength} bytes${r.description !== null ? `, description ${JSON.stringify(r.description)}` : ''}`);
  for (const [k, v] of Object.entries(r.metadata)) out.push(`  metadata ${k}${v !== null ? ` = ${JSON.stringify(v)}` : ''}`);
  out.push('', 'operators:');
  const rows: string[][] = [['code', 'name', 'version', 'count']];
  for (const c of r.operatorTable) rows.push([String(c.builtinCode), c.name, String(c.version), String(c.count)]);
  out.push(...table(rows).map((l) => `  ${l}`));
  for (const sg of r.subgraphs) {
    out.push('', `subgraph ${sg.index}${sg.name ? ` ${JSON.stringify(sg.name)}` : ''}: ${sg.tensors} tensors, ${sg.operators} operators`);
    out.push('  inputs:');
    for (const t of sg.inputs) out.push(`    ${tensorText(t)}`);
    out.push('  outputs:');
    for (const t of sg.outputs) out.push(`    ${tensorText(t)}`);
  }
  for (const s of r.signatureDefs) out.push('', `signature ${s.key ?? '?'} (subgraph ${s.subgraph}): inputs ${s.inputs.join(', ')}; outputs ${s.outputs.join(', ')}`);
  out.push('', `LSTM-family ops: ${r.lstmOps.length}`);
  for (const op of r.lstmOps) out.push('', ...renderOp(op));
  return out.join('\n') + '\n';
}

// With --json, stdout is JSON whatever happens: an exit-2 error as a JSON error document.
export const command: Command = (argv) => withJsonErrors(argv, TOOL_VERSION, () => inspect(argv), argv.includes('--json') || argv.includes('--json=true'));

async function inspect(argv: string[]): Promise<number> {
  const args = parseOptions(argv, ['json'], HELP);
  if (args.flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const file = args.positional[0];
  if (!file) throw new CliError(`missing model file\n${HELP}`);
  if (args.positional.length > 1) throw new CliError(`one model file at a time (got ${args.positional.length})`);
  const { isOnnxFile, inspectOnnxCommand } = await import('./onnx-file.js');
  if (isOnnxFile(file)) return inspectOnnxCommand(file, { json: args.flags.has('json') });
  const { model } = readTfliteFile(file);
  const r = withIntermediates(model, inspectTflite(model));
  if (args.flags.has('json')) process.stdout.write(JSON.stringify({ file, ...r }, null, 2) + '\n');
  else process.stdout.write(renderInspection(file, r));
  return 0;
};
