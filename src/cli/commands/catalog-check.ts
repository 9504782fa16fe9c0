/**
 * `hanota catalog check FILE [--json]`: every defect of a CPL/FIR extract, each with its code,
 * level, entries and a sentence. Exit 1 when any error-level problem exists.
 */
import type { Argv } from 'yargs';
import { checkCatalog } from '../../pathways/check.ts';
import { readCatalog } from '../catalog-input.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { withJson } from '../options.ts';

/** The `catalog check` command module. */
export function catalogCheckCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) => withJson(y).positional('file', { type: 'string', demandOption: true }),
    handler: (argv) => {
      const file = String(argv.file);
      const catalog = readCatalog(ctx, file);
      const problems = checkCatalog(catalog);
      const errors = problems.filter((p) => p.level === 'error').length;
      if (errors > 0) ctx.exit(1);
      if (argv.json) {
        const doc = {
          file,
          entries: catalog.entries.length,
          ok: errors === 0,
          errors,
          warnings: problems.length - errors,
          ...(catalog.unknownColumns.length > 0 && { unknownColumns: catalog.unknownColumns }),
          problems,
        };
        ctx.io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
        return;
      }
      const lines = problems.map(
        (p) => `${p.level.padEnd(7)} ${p.code}  rows ${p.rows.join(', ')}: ${p.message}`,
      );
      ctx.io.stdout(
        `${file}: ${catalog.entries.length} entries, ${errors} error(s), ${problems.length - errors} warning(s)\n${lines.length ? `${lines.join('\n')}\n` : ''}`,
      );
    },
  };
}
