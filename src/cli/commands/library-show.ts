/**
 * `hanota library show ID --library DIR [--json]`: one held entry — its image, the FIR's data and
 * its release notes — read back and checked against their hashes.
 */
import type { Argv } from 'yargs';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { heldEntry, viewOf, withLibrary, withStore, withSupplierView } from '../library-input.ts';
import { withJson } from '../options.ts';
import { renderFields } from '../table.ts';

/** The `library show` command module. */
export function libraryShowCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      withJson(withSupplierView(withLibrary(y))).positional('id', { type: 'string', demandOption: true }),
    handler: (argv) => {
      const id = String(argv.id);
      const { entry, notes } = withStore(argv, (store) => {
        const entry = heldEntry(viewOf(ctx, argv, store.index()), id, String(argv.library), argv.as);
        // Held objects are read back: a corrupted one is named, not shown.
        store.object(entry.fileSha256);
        const notes = entry.releaseNotesSha256
          ? new TextDecoder().decode(store.object(entry.releaseNotesSha256))
          : undefined;
        return { entry, notes };
      });
      if (argv.json) {
        ctx.io.stdout(
          `${JSON.stringify({ entry, ...(notes !== undefined && { releaseNotes: notes }) }, null, 2)}\n`,
        );
        return;
      }
      const hex = (n: number, width: number) => `0x${n.toString(16).padStart(width, '0')}`;
      ctx.io.stdout(
        renderFields([
          ['entry', entry.cplEntryId],
          ['device', `${entry.fir.deviceType} ${entry.fir.manufacturer} ${entry.fir.model}`],
          ['hardware version', entry.fir.hardwareVersion],
          ['firmware version', entry.fir.firmwareVersion],
          ['status', entry.fir.status],
          ['upgrades from', entry.fir.baseCplEntryIds.join(', ') || 'N/A'],
          ['release', entry.commercial ? 'commercial' : 'non-commercial'],
          ['format', entry.format],
          ['file version', hex(entry.fileVersion, 8)],
          ['manufacturer code', hex(entry.manufacturerCode, 4)],
          ['image type', hex(entry.imageType, 4)],
          ['file', `${entry.fileSize} bytes, SHA-256 ${entry.fileSha256}`],
          ['image hash', entry.manufacturerImageSha256],
          ...(entry.fir.manufacturerContact ? [['contact', entry.fir.manufacturerContact] as const] : []),
        ]) + `\n${notes !== undefined ? `\n${notes}${notes.endsWith('\n') ? '' : '\n'}` : ''}`,
      );
    },
  };
}
