import { createDriver, UnknownDriverError } from '../../hosts/registry.js';
import type { OutputValue } from '../../drivers/driver.js';
import { ModelFileError } from '../../model/load.js';
import { loadModelFile } from '../../model/load-file.js';
import type { Model } from '../../model/model.js';
import { formatViolation, type Violation } from '../../model/violation.js';
import { validateModel } from '../../ops/lstm/validate.js';
import { buildInputs } from '../../conformance/runner.js';
import { CliError, flagString, parseOptions, type Command } from '../command.js';

const HELP = `usage: nnlstm run MODEL.json [--driver NAME]

Executes one model (a model JSON, a golden file or a negative case) on a driver (default:
reference) with the input values stored in the model, and prints
  {"outputs":[{"index":<operand index>,"dimensions":[...],"values":[...]}]}
to stdout, in the order of the model's outputIndexes.

Exit codes: 0 ok, 1 invalid model or driver refusal (violations on stderr),
2 bad usage or unreadable/malformed file.`;

function printViolations(vs: readonly Violation[]): void {
  for (const v of vs) process.stderr.write(`  ${formatViolation(v)}\n`);
}

/** The exact stdout document of `nnlstm run`. */
export function renderRunOutputs(model: Model, outputs: readonly OutputValue[]): string {
  const order = new Map(model.outputIndexes.map((idx, k) => [idx, k]));
  const sorted = [...outputs].sort((a, b) => (order.get(a.index) ?? Infinity) - (order.get(b.index) ?? Infinity));
  return JSON.stringify({
    outputs: sorted.map((o) => ({ index: o.index, dimensions: Array.from(o.dimensions), values: Array.from(o.values) })),
  });
}

export const command: Command = async (argv) => {
  const args = parseOptions(argv, ['driver'], HELP, ['help']);
  if (args.flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const file = args.positional[0];
  if (file === undefined) throw new CliError(`missing MODEL.json\n${HELP}`);
  if (args.positional.length > 1) throw new CliError(`one model at a time (got ${args.positional.length})`);
  const driverName = flagString(args, 'driver') ?? 'reference';

  let model: Model;
  try {
    model = loadModelFile(file);
  } catch (e) {
    if (e instanceof ModelFileError) throw new CliError(e.message, 2);
    throw e;
  }

  if (model.operations.some((o) => o.type === 'LSTM')) {
    const outcome = validateModel(model);
    if (!outcome.ok) {
      process.stderr.write(`nnlstm run: ${file}: invalid model — ${outcome.violations.length} violation(s)\n`);
      printViolations(outcome.violations);
      return 1;
    }
  }

  let driver;
  try {
    driver = await createDriver(driverName);
  } catch (e) {
    if (e instanceof UnknownDriverError) throw new CliError(e.message, 2);
    throw e;
  }
  try {
    const prep = await driver.prepare(model);
    if (!prep.ok) {
      const what = prep.unsupported ? 'does not support this model' : 'rejected the model';
      process.stderr.write(`nnlstm run: driver ${driver.name} ${what}: ${prep.status}: ${prep.message}\n`);
      printViolations(prep.violations ?? []);
      return 1;
    }
    try {
      const exec = await driver.execute(prep.prepared, buildInputs(model));
      if (!exec.ok) {
        process.stderr.write(`nnlstm run: execution failed: ${exec.status}: ${exec.message}\n`);
        return 1;
      }
      process.stdout.write(renderRunOutputs(model, exec.outputs) + '\n');
      return 0;
    } finally {
      driver.release?.(prep.prepared);
    }
  } finally {
    await driver.close?.().catch(() => undefined);
  }
};
