import { readFileSync } from 'node:fs';
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

/** An optional integer flag ≥ `min`; anything else is a CliError naming the flag. */
export function intFlag(args: ParsedArgs | undefined, name: string, min: number): number | undefined {
  if (!args) return undefined;
  const v = flagString(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}

/**
 * Reads a binary model file and parses it; an unreadable file or any parse failure is a CliError (exit 2) of one
 * line, `FILE: malformed LABEL: …`, the format's own error described by `describe` (kind, byte offset, path).
 */
export function readModelFile<T>(file: string, label: string, parse: (bytes: Uint8Array) => T, describe: (e: unknown) => string | undefined): { bytes: Uint8Array; model: T } {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read ${file}: ${code ?? (e instanceof Error ? e.message : String(e))}`, 2);
  }
  try {
    return { bytes, model: parse(bytes) };
  } catch (e) {
    const what = describe(e) ?? (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');
    throw new CliError(`${file}: malformed ${label}: ${what}`, 2);
  }
}
