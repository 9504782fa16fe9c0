/**
 * `hanota library add IMAGE --entry ID --catalog FILE --library DIR [--release-notes FILE]
 * [--supplier-key PEM] [--commercial]`: the library's gateway. The image is held under its CPL
 * entry only if it is that entry's and not held already; a refusal names the check that failed
 * (exit 1). `--json` prints the verdict.
 */
import type { Argv } from 'yargs';
import { readCatalog } from '../catalog-input.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { loadKey } from '../key-input.ts';
import { withLibrary, withStore } from '../library-input.ts';
import { withJson } from '../options.ts';

/** The `library add` command module. */
export function libraryAddCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      withJson(withLibrary(y))
        .positional('image', { type: 'string', demandOption: true, describe: 'the OTA Upgrade file' })
        .option('entry', { type: 'string', demandOption: true, describe: 'its CPL Entry ID' })
        .option('catalog', { type: 'string', demandOption: true, describe: 'CPL/FIR catalog CSV' })
        .option('release-notes', { type: 'string', describe: 'release notes to hold with it' })
        .option('supplier-key', {
          type: 'string',
          describe: "the supplier's signing key or certificate (PEM): a meter image must verify with it",
        })
        .option('commercial', {
          type: 'boolean',
          default: false,
          describe: 'a commercial release (default: non-commercial, a fix or security update)',
        }),
    handler: (argv) => {
      const file = String(argv.image);
      const bytes = ctx.io.readFile(file);
      const catalog = readCatalog(ctx, String(argv.catalog));
      const notes = typeof argv.releaseNotes === 'string' ? ctx.io.readFile(argv.releaseNotes) : undefined;
      const key =
        typeof argv.supplierKey === 'string'
          ? loadKey(ctx, argv.supplierKey, 'supplier-key').publicKey
          : undefined;
      const verdict = withStore(
        argv,
        (store) =>
          store.add(
            bytes,
            {
              cplEntryId: String(argv.entry),
              commercial: Boolean(argv.commercial),
              ...(key && { supplierKey: key }),
              ...(notes && { releaseNotes: notes }),
            },
            catalog,
          ),
        true,
      );
      if (!verdict.ok) ctx.exit(1);
      if (argv.json) {
        ctx.io.stdout(
          `${JSON.stringify(
            verdict.ok
              ? { added: true, entry: verdict.entry }
              : {
                  added: false,
                  check: verdict.check,
                  reason: verdict.reason,
                  ...(verdict.heldAs && { heldAs: verdict.heldAs }),
                },
            null,
            2,
          )}\n`,
        );
        return;
      }
      ctx.io.stdout(
        verdict.ok
          ? `${file}: held as ${verdict.entry.cplEntryId} (${verdict.entry.fileSha256})\n`
          : `${file}: refused (${verdict.check}): ${verdict.reason}\n`,
      );
    },
  };
}
