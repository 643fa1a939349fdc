import { CliError, type Command } from './command.js';

/** Subcommands, loaded lazily so `nnlstm --help` never pays for the TFLite runtime. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  conformance: { summary: 'run the conformance suite against a driver', load: () => import('./commands/conformance.js') },
  run: { summary: 'execute one model JSON and print its outputs', load: () => import('./commands/run.js') },
  validate: { summary: 'validate a model JSON, .tflite or .onnx against the Android NN spec', load: () => import('./commands/validate.js') },
  spec: { summary: 'print an operation\'s operand table', load: () => import('./commands/spec.js') },
  inspect: { summary: 'describe the LSTM-family ops of a .tflite or .onnx file', load: () => import('./commands/inspect.js') },
  compress: { summary: 'LSTM → LSTMP of a float .tflite by a stacked truncated SVD (rank or energy)', load: () => import('./commands/compress.js') },
  selftest: { summary: 'run the suite against the mutant catalogue (suite power)', load: () => import('./commands/selftest.js') },
  export: { summary: 'write device bundles (.tflite, .npy, manifest) or AOSP test specs of the cases', load: () => import('./commands/export.js') },
  fuzz: { summary: 'random differential campaigns against a driver, failures shrunk to golden cases', load: () => import('./commands/fuzz.js') },
  'merge-reports': { summary: 'merge JSON reports of shards (fuzz --shard, conformance) into one verdict', load: () => import('./commands/merge-reports.js') },
  verify: { summary: 'judge device results (.npy) for an exported bundle', load: () => import('./commands/verify.js') },
  serve: { summary: 'serve the web page (models and the suite checked in the browser) on loopback', load: () => import('./commands/serve.js') },
  profile: { summary: 'profile a .tflite model\'s LSTM ops: Δh zero fractions per step (--delta)', load: () => import('./commands/profile.js') },
};

export function usage(): string {
  const lines = [
    'nnlstm — Android NN LSTM-family spec, reference and conformance suite',
    '',
    'usage: nnlstm <command> [options]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(12)} ${c.summary}`),
    '',
    'Run `nnlstm <command> --help` for a command\'s options. `--json` gives machine-readable output.',
    'Exit codes: 0 ok, 1 failure/invalid, 2 bad usage or unreadable input.',
  ];
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    process.stdout.write('nnlstm 0.1.0\n');
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`nnlstm: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  try {
    const mod = await entry.load();
    return await mod.command(rest);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`nnlstm ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`nnlstm ${name}: internal error: ${msg}\n`);
    return 3;
  }
}
