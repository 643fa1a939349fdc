import { loadSpec, SPEC_FILES } from '../../spec/operation-spec.js';
import { CliError, parseOptions, type Command } from '../command.js';

const HELP = `usage: nnlstm spec <OPERATION> [--json]

Prints the operand table of an operation from spec/<OPERATION>.json.
Operations: ${Object.keys(SPEC_FILES).join(', ')}`;

export const command: Command = async (argv) => {
  const args = parseOptions(argv, ['json'], HELP);
  if (args.flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const op = args.positional[0];
  if (!op) throw new CliError(`missing operation name\n${HELP}`);
  if (!SPEC_FILES[op.toUpperCase()]) throw new CliError(`unknown operation '${op}' (known: ${Object.keys(SPEC_FILES).join(', ')})`);
  const spec = loadSpec(op.toUpperCase());
  if (args.flags.has('json')) {
    process.stdout.write(JSON.stringify({ operation: spec.operation, inputs: spec.inputs, outputs: spec.outputs, rules: spec.rules.map((r) => r.id) }, null, 2) + '\n');
    return 0;
  }
  const rows: string[][] = [['#', 'name', 'kind', 'shape', 'presence', 'types (since)']];
  const typeText = (o: (typeof spec.inputs)[number]) => [...new Set(o.types.map((t) => `${t.type}(FL${t.since})`))].join(' | ');
  for (const o of spec.inputs) rows.push([String(o.index), o.name, o.kind, o.kind === 'scalar' ? '-' : `[${o.shape.join(', ')}]`, o.presence + (o.group ? ` (${o.group})` : ''), typeText(o)]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const fmt = (r: string[]) => r.map((x, c) => x.padEnd(widths[c]!)).join('  ').trimEnd();
  const out = [`${spec.title} (operation code ${spec.code}) — ${spec.summary}`, '', 'inputs:', ...rows.map(fmt), '', 'outputs:'];
  for (const o of spec.outputs) out.push(`${String(o.index).padEnd(widths[0]!)}  ${o.name.padEnd(widths[1]!)}  [${o.shape.join(', ')}]`);
  out.push('', `${spec.rules.length} validation rules: nnlstm spec ${spec.operation} --json, or spec/${spec.operation}.md`);
  process.stdout.write(out.join('\n') + '\n');
  return 0;
};
