/**
 * The hanota command line: builds the yargs parser (exported so tests drive it in-process) and
 * runs it, mapping outcomes to the exit codes of DESIGN.md §4 — 0 success, 1 negative verdict,
 * 2 bad input or usage. No stack traces unless `--debug`.
 */
import yargs from 'yargs';
import { CliError, errorDocument } from './cli-error.ts';
import { COMMANDS, commandModule } from './command-table.ts';
import type { CliContext, CliIo } from './context.ts';
import { type KnownOptions, refuseRepeatedOptions, unknownFlags } from './options.ts';

/** The package version shown by `--version`. */
export const HANOTA_VERSION = '0.1.0';

/** A fresh parser whose commands act through `ctx` (yargs instances keep state: one per run). */
export function buildParser(ctx: CliContext, argv: readonly string[] = []) {
  const parser = yargs();
  return parser
    .scriptName('hanota')
    .usage(
      '$0 <command>\n\nFirmware-update emulator and ZigBee OTA protocol simulator for GB smart metering.',
    )
    .command(COMMANDS.map((entry) => commandModule(entry, ctx)))
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of errors' })
    .check(refuseRepeatedOptions(argv), true)
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .strict()
    .version(HANOTA_VERSION)
    .help()
    .wrap(100)
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      // A mistyped flag before a positional takes it as its value, and yargs then reports the
      // missing positional: name the flag instead, which is what is wrong.
      // yargs resets this instance for the command it parses: its options are that command's.
      const unknown = unknownFlags(argv, (parser as unknown as { getOptions(): KnownOptions }).getOptions());
      if (unknown.length > 0)
        throw new CliError('USAGE', `Unknown argument: ${unknown.join(', ')} (see --help)`);
      throw new CliError('USAGE', `${message} (see --help)`);
    });
}

/** Runs the CLI on `argv` (without `node` and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const ctx: CliContext = {
    io,
    exit: (code) => {
      exitCode = Math.max(exitCode, code);
    },
  };
  try {
    let output = '';
    await buildParser(ctx, argv).parseAsync([...argv], {}, (_error, _args, text) => {
      output = text;
    });
    if (output) io.stdout(`${output}\n`);
    return exitCode;
  } catch (error) {
    const json = argv.some((a) => /^--json(=(true|1))?$/.test(a));
    if (argv.some((a) => /^--debug(=(true|1))?$/.test(a)) && error instanceof Error)
      io.stderr(`${error.stack}\n`);
    const failure =
      error instanceof CliError
        ? error
        : new CliError(
            'INTERNAL',
            `internal error: ${error instanceof Error ? error.message : String(error)} (rerun with --debug)`,
          );
    if (json) io.stdout(`${JSON.stringify({ error: errorDocument(failure) }, null, 2)}\n`);
    io.stderr(`error: ${failure.message}\n`);
    return 2;
  }
}
