/**
 * `hanota duis serve --estate FILE --catalog FILE --schema DIR [--keys DIR] [--supplier EUI]
 * [--seed S] [--start TIME] --port N [--user-endpoint URL] [--time-scale X]`: the emulated DCC as
 * an HTTP server with DCC Boxed's endpoints (`cli/duis-server.ts`), on 127.0.0.1. Synchronous
 * answers come back on the request; responses and alerts go to the user's endpoint. Runs until
 * interrupted.
 */
import type { Argv } from 'yargs';
import { CliError } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { dccOf, withDccOptions } from '../duis-input.ts';
import { DUIS_ENDPOINTS, startDuisServer } from '../duis-server.ts';
import { parseUint, untilInterrupted, withPort } from '../options.ts';

/** The `duis serve` command module. */
export function duisServeCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      withPort(withDccOptions(y))
        .option('user-endpoint', {
          type: 'string',
          describe: 'URL the asynchronous responses and alerts are POSTed to (DUIS XML)',
        })
        .option('time-scale', {
          type: 'string',
          describe: 'virtual seconds per real second (default: as fast as the work allows)',
        }),
    handler: async (argv) => {
      const port = parseUint(String(argv.port), 16, 'port');
      const endpoint = argv['user-endpoint'];
      if (endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(String(endpoint)))
        throw new CliError('BAD_ARGUMENT', `--user-endpoint: '${endpoint}' is not an http(s) URL`);
      const scale = argv['time-scale'] === undefined ? undefined : Number(argv['time-scale']);
      if (scale !== undefined && !(scale > 0))
        throw new CliError('BAD_ARGUMENT', `--time-scale: '${argv['time-scale']}' is not a positive number`);
      const { dcc, seed } = dccOf(ctx, argv);
      const server = await startDuisServer({
        dcc,
        port,
        ...(endpoint !== undefined && { userEndpoint: String(endpoint) }),
        ...(scale !== undefined && { timeScale: scale }),
        log: (line) => ctx.io.stderr(`${line}\n`),
      });
      ctx.io.stdout(
        `hanota duis serve on http://127.0.0.1:${server.port} (${Object.keys(DUIS_ENDPOINTS).join(', ')}), seed ${seed}\n`,
      );
      await untilInterrupted(server);
    },
  };
}
