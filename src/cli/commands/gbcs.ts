/** `hanota gbcs`: the command group for GBCS messages (parse, cs06). */
import type { Argv, CommandModule } from 'yargs';
import type { CliContext } from '../context.ts';
import { gbcsCs06Command } from './gbcs-cs06.ts';
import { gbcsParseCommand } from './gbcs-parse.ts';

/** The `gbcs` command group. */
export function gbcsCommand(ctx: CliContext): CommandModule {
  return {
    command: 'gbcs',
    describe: 'decode and check GBCS messages; build CS06 Activate Firmware commands',
    builder: (y: Argv) =>
      y
        .command(gbcsParseCommand(ctx))
        .command(gbcsCs06Command(ctx))
        .demandCommand(1, 'gbcs: name a subcommand (parse, cs06)'),
    handler: () => {},
  };
}
