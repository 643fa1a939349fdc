import { createDriver, UnknownDriverError } from '../../hosts/registry.js';
import type { OutputValue } from '../../drivers/driver.js';
import { ModelFileError } from '../../model/load.js';
import { loadModelFile } from '../../model/load-file.js';
import type { Model } from '../../model/model.js';
import { formatViolation, type Violation } from '../../model/violation.js';
import { validateModel, VALIDATORS } from '../../ops/validate.js';
import { buildInputs, TOOL_VERSION } from '../../conformance/runner.js';
import { CliError, flagString, parseOptions, type Command } from '../command.js';
import { withJsonErrors } from '../output-file.js';

const HELP = `usage: nnlstm run MODEL.json [--driver NAME]

Executes one model (a model JSON, a golden file or a negative case) on a driver (default:
reference) with the input values stored in the model, and prints
  {"outputs":[{"index":<operand index>,"dimensions":[...],"values":[...]}]}
to stdout, in the order of the model's outputIndexes. JSON has no NaN or ±Infinity: such values
are printed as the strings "NaN", "Infinity" and "-Infinity", the output carries "nonFinite"
(their count), and a warning on stderr names the first.

Exit codes: 0 ok, 1 invalid model or driver refusal (violations on stderr),
2 bad usage or unreadable/malformed file.`;

function printViolations(vs: readonly Violation[]): void {
  for (const v of vs) process.stderr.write(`  ${formatViolation(v)}\n`);
}

/** A value as `run` prints it: numbers as JSON numbers, NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity". */
export function runValue(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

/** Outputs in outputIndexes order. */
function sortedOutputs(model: Model, outputs: readonly OutputValue[]): OutputValue[] {
  const order = new Map(model.outputIndexes.map((idx, k) => [idx, k]));
  return [...outputs].sort((a, b) => (order.get(a.index) ?? Infinity) - (order.get(b.index) ?? Infinity));
}

/** The exact stdout document of `nnlstm run`. */
export function renderRunOutputs(model: Model, outputs: readonly OutputValue[]): string {
  return JSON.stringify({
    outputs: sortedOutputs(model, outputs).map((o) => {
      const values = Array.from(o.values, runValue);
      const nonFinite = values.reduce<number>((n, x) => n + (typeof x === 'string' ? 1 : 0), 0);
      return { index: o.index, dimensions: Array.from(o.dimensions), values, ...(nonFinite > 0 ? { nonFinite } : {}) };
    }),
  });
}

/** One stderr line per output holding NaN or ±Infinity, naming the first such element. */
export function nonFiniteWarnings(model: Model, outputs: readonly OutputValue[]): string[] {
  const lines: string[] = [];
  for (const o of sortedOutputs(model, outputs)) {
    const values = Array.from(o.values);
    const bad = values.filter((x) => !Number.isFinite(x)).length;
    if (bad === 0) continue;
    const first = values.findIndex((x) => !Number.isFinite(x));
    const name = model.operands[o.index]?.name ?? `operand ${o.index}`;
    lines.push(`nnlstm run: warning: output operand ${o.index} (${name}) holds ${bad} non-finite value(s); the first, element ${first}, is ${String(values[first])}`);
  }
  return lines;
}

// run always prints JSON: an exit-2 error is a JSON error document on stdout too.
export const command: Command = (argv) => withJsonErrors(argv, TOOL_VERSION, () => run(argv), !argv.includes('--help'));

async function run(argv: string[]): Promise<number> {
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

  // Models of the covered operations are validated here, so a broken one is reported by rule, not by
  // what it makes a driver do; other operations go to the driver as they are.
  if (model.operations.length === 1 && VALIDATORS[model.operations[0]!.type]) {
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
      for (const line of nonFiniteWarnings(model, exec.outputs)) process.stderr.write(line + '\n');
      return 0;
    } finally {
      driver.release?.(prep.prepared);
    }
  } finally {
    await driver.close?.().catch(() => undefined);
  }
};
