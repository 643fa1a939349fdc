import { formatViolation } from '../../model/violation.js';
import { validateModel, type Variant } from '../../ops/validate.js';
import { loadModelFile } from '../../model/load-file.js';
import { CliError, parseOptions, type Command } from '../command.js';
import { TOOL_VERSION } from '../../conformance/runner.js';
import { withJsonErrors } from '../output-file.js';

const HELP = `usage: nnlstm validate MODEL.json|MODEL.tflite|MODEL.onnx [--json] [--strict] [--seeds K] [--seed S] [--frames F] [--runtime node|web]

MODEL.json: checks the model's LSTM operation against spec/LSTM.json.
MODEL.tflite: checks every LSTM-family op (structure, feature level, NNAPI delegate, numerics
over --seeds K input seeds, default 3, from --seed S, each with zero, small and large initial states).
A named deviation of the comparison runtime (the TFLite WASM build has a bug the deviation oracle
reproduces, e.g. tflite-wasm-hidden-zero-point-sign) and an op this tool could not check (tool
limit) are warnings: printed with their id and what they mean on a device, exit 0. --strict makes
every warning a failure. A deviation of the documented semantics (activation-none-cell-gate: a
device computes the implemented formula) is a failure.
MODEL.onnx (by extension or content): checks every ONNX LSTM node, inside If/Loop subgraphs too
(ONNX structure with rule ids of spec/onnx/LSTM.json, the NNAPI mapping and its feature level or why
not expressible, the reference vs ONNX Runtime on the node cut out with its weights over --seeds K
seeds × --frames F frames (default 20) with carried states, the NNAPI-mapped model vs the ONNX
reference) and, for a streaming model such as Silero VAD, the whole model streamed through ONNX
Runtime with every LSTM's inputs and outputs tapped. --runtime web compares with onnxruntime-web's
WASM build instead of onnxruntime-node. Without the package the ONNX Runtime checks are skipped
(exit 0) with the install hint.
Exit codes: 0 valid (possibly with warnings), 1 invalid or numerically off (each violation printed
with rule id, operand index and name), 2 unreadable or malformed file.`;

// With --json, stdout is JSON whatever happens: an exit-2 error as a JSON error document.
export const command: Command = (argv) => withJsonErrors(argv, TOOL_VERSION, () => validate(argv), argv.includes('--json') || argv.includes('--json=true'));

async function validate(argv: string[]): Promise<number> {
  const args = parseOptions(argv, ['json', 'strict', 'seeds', 'seed', 'frames', 'runtime'], HELP, ['json', 'help', 'strict']);
  if (args.flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const file = args.positional[0];
  if (!file) throw new CliError(`missing model file\n${HELP}`);
  const json = args.flags.has('json');
  if (file.endsWith('.tflite')) {
    const { validateTfliteCommand } = await import('./tflite-file.js');
    return validateTfliteCommand(file, { json, strict: args.flags.has('strict'), args });
  }
  const { isOnnxFile } = await import('./onnx-file.js');
  if (isOnnxFile(file)) {
    const { validateOnnxCommand } = await import('./onnx-file.js');
    return validateOnnxCommand(file, { json, strict: args.flags.has('strict'), args });
  }
  for (const f of ['frames', 'runtime']) if (args.flags.has(f)) throw new CliError(`--${f} applies to .onnx models only`);
  let model;
  try {
    model = loadModelFile(file);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e), 2);
  }
  const outcome = validateModel(model);
  if (json) {
    process.stdout.write(JSON.stringify({ file, ...outcome }, null, 2) + '\n');
    return outcome.ok ? 0 : 1;
  }
  if (outcome.ok) {
    process.stdout.write(`${file}: valid ${describeVariant(outcome.variant)}, feature level ${outcome.featureLevel}\n${variantDetails(outcome.variant)}`);
    return 0;
  }
  process.stdout.write(`${file}: INVALID — ${outcome.violations.length} violation(s)\n`);
  for (const v of outcome.violations) process.stdout.write(`  ${formatViolation(v)}\n`);
  return 1;
};

interface CellFlags {
  cifg: boolean;
  peephole: boolean;
  projection: boolean;
  projectionBias: boolean;
  layerNorm: boolean;
}

function cellFeatures(c: CellFlags): string {
  const f = [c.cifg && 'CIFG', c.peephole && 'peephole', c.projection && 'projection', c.projectionBias && 'projection bias', c.layerNorm && 'layer norm'].filter(Boolean);
  return f.length ? f.join(', ') : 'none (basic cell)';
}

function describeVariant(v: Variant): string {
  return `${v.operation} (${v.dtype}${v.relaxed ? ', relaxed' : ''})`;
}

function variantDetails(v: Variant): string {
  if (v.operation === 'QUANTIZED_16BIT_LSTM') return `  batch ${v.batchSize}, input ${v.inputSize}, output ${v.outputSize}\n`;
  if (v.operation === 'QUANTIZED_LSTM') {
    const qclips = [v.cellClip > 0 && `cell clip ${v.cellClip}`, v.projClip > 0 && `proj clip ${v.projClip}`].filter(Boolean).join(', ') || 'no clipping';
    return `  batch ${v.batchSize}, input ${v.inputSize}, units ${v.numUnits}, output ${v.outputSize}, cell scale 2^${v.cellShift}, hidden zero point ${v.hiddenZeroPoint}\n  features: ${cellFeatures(v)}; ${qclips}\n`;
  }
  const clips = [v.cellClip > 0 && `cell clip ${v.cellClip}`, v.projClip > 0 && `proj clip ${v.projClip}`].filter(Boolean).join(', ') || 'no clipping';
  if (v.operation === 'LSTM') {
    return `  batch ${v.batchSize}, input ${v.inputSize}, units ${v.numUnits}, output ${v.outputSize}, activation ${v.activation}, ${v.inputCount} inputs\n  features: ${cellFeatures(v)}; ${clips}\n`;
  }
  const layout = `${v.timeMajor ? 'time-major' : 'batch-major'}, max_time ${v.maxTime}, batch ${v.batchSize}, input ${v.inputSize}, activation ${v.activation}`;
  if (v.operation === 'UNIDIRECTIONAL_SEQUENCE_LSTM') {
    return `  ${layout}, units ${v.numUnits}, output ${v.outputSize}${v.stateOutputs ? ', state outputs' : ''}\n  features: ${cellFeatures(v)}; ${clips}\n`;
  }
  return (
    `  ${layout}, aux ${v.aux}${v.aux !== 'none' ? ` (size ${v.auxInputSize})` : ''}${v.mergeOutputs ? ', merged outputs' : ''}${v.stateOutputs ? ', state outputs' : ''}\n` +
    `  forward: units ${v.fw.numUnits}, output ${v.fw.outputSize}, ${cellFeatures(v.fw)}\n  backward: units ${v.bw.numUnits}, output ${v.bw.outputSize}, ${cellFeatures(v.bw)}\n  ${clips}\n`
  );
}
