/** `hanota catalog`: the command group for CPL/FIR catalogs (check). */
import type { Argv, CommandModule } from 'yargs';
import type { CliContext } from '../context.ts';
import { catalogCheckCommand } from './catalog-check.ts';

/** The `catalog` command group. */
export function catalogCommand(ctx: CliContext): CommandModule {
  return {
    command: 'catalog',
    describe: 'check CPL/FIR catalog extracts',
    builder: (y: Argv) =>
      y.command(catalogCheckCommand(ctx)).demandCommand(1, 'catalog: name a subcommand (check)'),
    handler: () => {},
  };
}
