/**
 * `hanota library get ID --library DIR --out FILE`: writes the image held for a CPL entry, after
 * checking it against its content address (a corrupted file is named, exit 2, nothing written).
 */
import type { Argv } from 'yargs';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { heldEntry, viewOf, withLibrary, withStore, withSupplierView } from '../library-input.ts';

/** The `library get` command module. */
export function libraryGetCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      withSupplierView(withLibrary(y))
        .positional('id', { type: 'string', demandOption: true })
        .option('out', { type: 'string', demandOption: true, describe: 'where to write the image' }),
    handler: (argv) => {
      const out = String(argv.out);
      ctx.io.checkWritable(out, 'file', 'out');
      const { entry, bytes } = withStore(argv, (store) => {
        const entry = heldEntry(
          viewOf(ctx, argv, store.index()),
          String(argv.id),
          String(argv.library),
          argv.as,
        );
        return { entry, bytes: store.object(entry.fileSha256) };
      });
      ctx.io.writeFile(out, bytes);
      ctx.io.stdout(`${out}: ${entry.cplEntryId}, ${bytes.length} bytes, SHA-256 ${entry.fileSha256}\n`);
    },
  };
}
