/** A subcommand: takes its own argv, writes to stdout/stderr, returns the exit code. */
export type Command = (argv: string[]) => Promise<number>;

/** An error meant for the user: rendered as one line, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

/**
 * Minimal flag parser: `--name value`, `--name=value`, boolean `--name`.
 * `booleans` lists flags that never take a value.
 */
export function parseArgs(argv: string[], booleans: readonly string[] = ['json', 'help']): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) {
        flags.set(a.slice(2, eq), a.slice(eq + 1));
      } else {
        const name = a.slice(2);
        const next = argv[i + 1];
        if (!booleans.includes(name) && next !== undefined && !next.startsWith('--')) {
          flags.set(name, next);
          i++;
        } else {
          flags.set(name, true);
        }
      }
    } else {
      positional.push(a);
    }
  }
  return { positional, flags };
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new CliError(`--${name} needs a value`);
  return v;
}

/**
 * parseArgs for a command that takes exactly the options `options` (and --help): any other option is
 * an error naming it, followed by the command's help text.
 */
export function parseOptions(argv: string[], options: readonly string[], help: string, booleans: readonly string[] = ['json', 'help']): ParsedArgs {
  const args = parseArgs(argv, booleans);
  for (const k of args.flags.keys()) if (k !== 'help' && !options.includes(k)) throw new CliError(`unknown option --${k}\n${help}`);
  return args;
}
