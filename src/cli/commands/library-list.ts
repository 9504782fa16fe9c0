/**
 * `hanota library list --library DIR [--json]`: every image held, by CPL entry, with its model,
 * hardware and firmware versions, status and whether it is a commercial release.
 */
import type { Argv } from 'yargs';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { viewOf, withLibrary, withStore, withSupplierView } from '../library-input.ts';
import { withJson } from '../options.ts';
import { renderTable } from '../table.ts';

/** The `library list` command module. */
export function libraryListCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) => withJson(withSupplierView(withLibrary(y))),
    handler: (argv) => {
      const index = viewOf(
        ctx,
        argv,
        withStore(argv, (store) => store.index()),
      );
      if (argv.json) {
        ctx.io.stdout(`${JSON.stringify({ entries: index.entries }, null, 2)}\n`);
        return;
      }
      ctx.io.stdout(
        `${renderTable(
          ['ENTRY', 'TYPE', 'MODEL', 'HARDWARE', 'FIRMWARE', 'STATUS', 'RELEASE', 'FILE SHA-256'],
          index.entries.map((e) => [
            e.cplEntryId,
            e.fir.deviceType,
            `${e.fir.manufacturer} ${e.fir.model}`,
            e.fir.hardwareVersion,
            e.fir.firmwareVersion,
            e.fir.status,
            e.commercial ? 'commercial' : 'non-commercial',
            e.fileSha256,
          ]),
        )}\n`,
      );
    },
  };
}
