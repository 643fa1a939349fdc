import { formatViolation } from '../../model/violation.js';
import { validateModel } from '../../ops/lstm/validate.js';
import { loadModelFile } from '../../model/load.js';
import { CliError, parseArgs, type Command } from '../command.js';

const HELP = `usage: nnlstm validate MODEL.json|MODEL.tflite [--json]

MODEL.json: checks the model's LSTM operation against spec/LSTM.json.
MODEL.tflite: checks every LSTM-family op (structure, feature level, NNAPI delegate, numerics).
Exit codes: 0 valid, 1 invalid (each violation printed with rule id, operand index and name),
2 unreadable or malformed file.`;

export const command: Command = async (argv) => {
  const args = parseArgs(argv);
  if (args.flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const file = args.positional[0];
  if (!file) throw new CliError(`missing model file\n${HELP}`);
  const json = args.flags.has('json');
  if (file.endsWith('.tflite')) {
    const { validateTfliteCommand } = await import('../../tflite/validate-tflite.js');
    return validateTfliteCommand(file, { json, args });
  }
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
    const v = outcome.variant;
    const feats = [v.cifg && 'CIFG', v.peephole && 'peephole', v.projection && 'projection', v.projectionBias && 'projection bias', v.layerNorm && 'layer norm', v.cellClip > 0 && `cell clip ${v.cellClip}`, v.projClip > 0 && `proj clip ${v.projClip}`].filter(Boolean);
    process.stdout.write(
      `${file}: valid LSTM (${v.dtype}${v.relaxed ? ', relaxed' : ''}), feature level ${outcome.featureLevel}\n` +
        `  batch ${v.batchSize}, input ${v.inputSize}, units ${v.numUnits}, output ${v.outputSize}, activation ${v.activation}, ${v.inputCount} inputs\n` +
        `  features: ${feats.length ? feats.join(', ') : 'none (basic LSTM)'}\n`,
    );
    return 0;
  }
  process.stdout.write(`${file}: INVALID — ${outcome.violations.length} violation(s)\n`);
  for (const v of outcome.violations) process.stdout.write(`  ${formatViolation(v)}\n`);
  return 1;
};
