/**
 * `hanota library serve --library DIR --port N [--tokens FILE --estate FILE [--changes FILE]
 * [--catalog FILE]]`: the library's web interface on 127.0.0.1 (`cli/library-server.ts`). With
 * `--tokens` (CSV `token,supplier`) each supplier sees only what it may see of the estate. Runs
 * until interrupted.
 */
import type { Argv } from 'yargs';
import { decodeCsv, parseCsv } from '../../pathways/csv.ts';
import { CliError, inputError } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { libraryOf, supplierViews, withLibrary, withSupplierView } from '../library-input.ts';
import { startLibraryServer } from '../library-server.ts';
import { parseUint, untilInterrupted, withPort } from '../options.ts';

/** The `library serve` command module. */
export function libraryServeCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      withPort(withSupplierView(withLibrary(y))).option('tokens', {
        type: 'string',
        describe: 'CSV token,supplier: each token sees its supplier’s view (needs --estate)',
      }),
    handler: async (argv) => {
      const port = parseUint(String(argv.port), 16, 'port');
      if (argv.as !== undefined)
        throw new CliError(
          'BAD_ARGUMENT',
          '--as: the server shows each supplier its view by token: give --tokens',
        );
      let tokens: Map<string, string> | undefined;
      if (typeof argv.tokens === 'string') {
        if (typeof argv.estate !== 'string')
          throw new CliError('BAD_ARGUMENT', '--tokens: needs --estate (who supplies which device)');
        try {
          const table = parseCsv(decodeCsv(ctx.io.readFile(argv.tokens)), (header) => {
            if (header[0]?.trim() !== 'token' || header[1]?.trim() !== 'supplier')
              throw new CliError('BAD_ARGUMENT', 'header: expected token,supplier');
          });
          tokens = new Map();
          for (const r of table.rows) {
            const token = (r.fields[0] ?? '').trim();
            const supplier = (r.fields[1] ?? '').trim();
            if (token === '' || supplier === '')
              throw new CliError(
                'BAD_ARGUMENT',
                `row ${r.row}: an empty token or supplier would let anyone in`,
              );
            if (tokens.has(token)) throw new CliError('BAD_ARGUMENT', `row ${r.row}: token given twice`);
            tokens.set(token, supplier);
          }
        } catch (error) {
          throw inputError(`--tokens ${argv.tokens}`, error);
        }
      }
      const store = libraryOf(argv);
      store.index();
      // The estate and its changes read once, not on every request.
      const view = supplierViews(ctx, argv);
      const server = await startLibraryServer({ store, port, ...(tokens && { tokens }), view });
      ctx.io.stdout(
        `hanota library serve on http://127.0.0.1:${server.port}${tokens ? ` (${tokens.size} token(s))` : ' (open: no --tokens)'}\n`,
      );
      await untilInterrupted(server);
    },
  };
}
