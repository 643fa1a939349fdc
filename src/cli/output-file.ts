/**
 * Report files written so that a run killed at any moment leaves the previous file intact or no
 * file, never a truncated one: each output path is checked before the run starts, and the text goes
 * to a temporary file in the same folder that is then renamed over the target (rename is atomic
 * within a file system).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError } from './command.js';

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}: ${err.message.replace(/^[A-Z]+: /, '')}` : String((e as Error).message ?? e);
}

function tempPath(target: string): string {
  return join(dirname(resolve(target)), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Throws CliError (exit 2) naming `option` and `target` unless a file can be created beside the
 * target and renamed over it: the folder exists and is writable and the target is not a folder.
 */
export function checkWritable(option: string, target: string): void {
  const fail = (why: string): never => {
    throw new CliError(`${option} ${target}: ${why}`, 2);
  };
  if (target === '') fail('empty path');
  const dir = dirname(resolve(target));
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    return fail(`folder ${dir} does not exist (${errText(e)})`);
  }
  if (!st.isDirectory()) fail(`${dir} is not a folder`);
  try {
    if (statSync(target).isDirectory()) fail('is a folder');
  } catch (e) {
    if (e instanceof CliError) throw e;
    /* absent: fine */
  }
  // A real probe: permissions, read-only mounts and pseudo file systems (/proc) all show here.
  const probe = tempPath(target);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (e) {
    fail(`cannot create a file in ${dir} (${errText(e)})`);
  }
  try {
    unlinkSync(probe);
  } catch {
    /* the probe is empty; nothing to undo */
  }
}

/** Writes `text` to `target` through a temporary file in the same folder and a rename. */
export function writeFileAtomic(target: string, text: string | Uint8Array): void {
  const tmp = tempPath(target);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* never created */
    }
    throw e;
  }
}

/** One report to write: the option that asked for it, its path, its text, what to call it. */
export interface OutputFile {
  option: string;
  target: string;
  what: string;
  text: () => string;
}

/** Checks every target up front (exit 2 at once) and that no two options name the same file. */
export function checkOutputs(outputs: readonly Pick<OutputFile, 'option' | 'target'>[]): void {
  const seen = new Map<string, string>();
  for (const o of outputs) {
    const key = resolve(o.target);
    const other = seen.get(key);
    if (other !== undefined) throw new CliError(`${o.option} ${o.target}: the same file as ${other}`, 2);
    seen.set(key, o.option);
    checkWritable(o.option, o.target);
  }
}

/** Writes each file atomically; returns the lines announcing them and the errors, each naming its path. */
export function writeOutputs(outputs: readonly OutputFile[]): { written: string[]; errors: string[] } {
  const written: string[] = [];
  const errors: string[] = [];
  for (const o of outputs) {
    try {
      writeFileAtomic(o.target, o.text());
      written.push(`${o.what} written to ${o.target}`);
    } catch (e) {
      errors.push(`${o.option} ${o.target}: cannot write (${errText(e)})`);
    }
  }
  return { written, errors };
}

/** `--json -` or `--json=-` among the arguments: the JSON document goes to stdout. */
export function jsonToStdout(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--json=-' || (a === '--json' && argv[i + 1] === '-'));
}

/**
 * With `--json -` (or whatever `toStdout` says: validate's and inspect's `--json`, run's output), a command
 * that fails before it has a report still writes one JSON document on
 * stdout (report.schema.json#/$defs/errorDocument), so a pipeline reading stdout always gets JSON;
 * the message also goes to stderr as usual (the error is rethrown).
 */
export async function withJsonErrors(argv: readonly string[], toolVersion: string, run: () => Promise<number>, toStdout = jsonToStdout(argv)): Promise<number> {
  if (!toStdout) return run();
  try {
    return await run();
  } catch (e) {
    const exitCode = e instanceof CliError ? e.exitCode : 3;
    const message = e instanceof Error ? e.message : String(e);
    process.stdout.write(JSON.stringify({ schemaVersion: 1, tool: { name: 'nnlstm', version: toolVersion }, error: { exitCode, message } }, null, 2) + '\n');
    throw e;
  }
}
