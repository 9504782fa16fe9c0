/**
 * `hanota path check --catalog FILE --sequence A,B,C [--json]`: whether a sequence of installs is
 * allowed; if not, the first illegal step and why (exit 1).
 */
import type { Argv } from 'yargs';
import { checkSequence } from '../../pathways/planner.ts';
import { readCatalog } from '../catalog-input.ts';
import { CliError } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { withJson } from '../options.ts';

/** The `path check` command module. */
export function pathCheckCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      withJson(y)
        .option('catalog', { type: 'string', demandOption: true, describe: 'CPL/FIR catalog CSV' })
        .option('sequence', {
          type: 'string',
          demandOption: true,
          describe: 'entry IDs separated by commas: the running entry, then each install',
        }),
    handler: (argv) => {
      const catalog = readCatalog(ctx, String(argv.catalog));
      const sequence = String(argv.sequence)
        .split(',')
        .map((s) => s.trim());
      if (sequence.some((s) => s === ''))
        throw new CliError('USAGE', `--sequence: '${String(argv.sequence)}' has an empty entry ID`);
      const result = checkSequence(catalog, sequence);
      if (!result.ok) ctx.exit(1);
      if (argv.json) {
        ctx.io.stdout(`${JSON.stringify({ sequence, ...result }, null, 2)}\n`);
        return;
      }
      ctx.io.stdout(
        result.ok
          ? `allowed: ${sequence.join(' → ')}\n`
          : `not allowed: step ${result.step}${result.from ? ` (${result.from} → ${result.to})` : ''}: ${result.reason}: ${result.detail}\n`,
      );
    },
  };
}
