/** `hanota path`: the command group for upgrade pathways (plan, check). */
import type { Argv, CommandModule } from 'yargs';
import type { CliContext } from '../context.ts';
import { pathCheckCommand } from './path-check.ts';
import { pathPlanCommand } from './path-plan.ts';

/** The `path` command group. */
export function pathCommand(ctx: CliContext): CommandModule {
  return {
    command: 'path',
    describe: 'plan upgrade paths and check install sequences against a catalog',
    builder: (y: Argv) =>
      y
        .command(pathPlanCommand(ctx))
        .command(pathCheckCommand(ctx))
        .demandCommand(1, 'path: name a subcommand (plan, check)'),
    handler: () => {},
  };
}
