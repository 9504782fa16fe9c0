/**
 * `hanota duis run REQUEST... --estate FILE --catalog FILE --schema DIR [--keys DIR] [--supplier
 * EUI] [--seed S] [--start TIME] --out DIR [--json]`: a batch of DUIS Service Requests (files, or
 * folders of `.xml` files, taken in the order given) against an estate, through the emulated DCC
 * in virtual time. Every response and alert is written to `--out` as its own XML file, numbered in
 * time order, with `index.json` listing them (time, request ID, response or alert code, device)
 * and the requests refused; `keys/` holds the devices' signing public keys their GBCS payloads
 * verify with. A request that cannot be taken (not well-formed, not valid against the schema, its
 * signature does not verify, not emulated) is named on stderr and the batch goes on: exit 2 at the
 * end when any was refused.
 */
import type { Argv } from 'yargs';
import type { DccDocument, DccRefusal } from '../../duis/dcc.ts';
import { duisDateTime } from '../../duis/response.ts';
import { CliError } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { dccOf, withDccOptions } from '../duis-input.ts';
import { writeSigningKeys } from '../key-directory.ts';
import { prepareOutputs, withJson } from '../options.ts';
import { renderTable } from '../table.ts';

/** The request files under `paths`, in the order given (a folder's `.xml` files sorted by name). */
function requestFiles(ctx: CliContext, paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    try {
      return ctx.io
        .listDir(path)
        .filter((name) => /\.xml$/i.test(name))
        .map((name) => `${path.replace(/[\\/]$/, '')}/${name}`);
    } catch (error) {
      if (error instanceof CliError && /is a file/.test(error.message)) return [path];
      throw error;
    }
  });
}

/** One line of the index. */
interface IndexEntry {
  readonly file: string;
  readonly timeMs: number;
  readonly at: string;
  readonly kind: DccDocument['kind'];
  readonly code: string;
  readonly requestId: string | null;
  readonly device: string | null;
}

/** The `duis run` command module. */
export function duisRunCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      withDccOptions(withJson(y))
        .positional('requests', {
          type: 'string',
          array: true,
          describe: 'DUIS request files or folders, in order',
        })
        .option('out', {
          type: 'string',
          demandOption: true,
          describe: 'folder for the responses, alerts and index.json',
        }),
    handler: (argv) => {
      const out = String(argv.out);
      prepareOutputs(ctx, { dirs: { out } });
      const files = requestFiles(ctx, (argv.requests as string[] | undefined) ?? []);
      if (files.length === 0) throw new CliError('BAD_ARGUMENT', 'no request files given');
      const { dcc, seed, startUnixS } = dccOf(ctx, argv);
      const index: IndexEntry[] = [];
      const refused: DccRefusal[] = [];
      const write = (doc: DccDocument) => {
        const name = `${String(index.length + 1).padStart(4, '0')}-${doc.kind}-${doc.code}${doc.device ? `-${doc.device}` : ''}.xml`;
        ctx.io.writeFile(`${out}/${name}`, doc.xml);
        const timeMs = Math.floor(doc.atUs / 1000);
        index.push({
          file: name,
          timeMs,
          at: duisDateTime(startUnixS * 1000 + timeMs),
          kind: doc.kind,
          code: doc.code,
          requestId: doc.requestId ?? null,
          device: doc.device ?? null,
        });
      };
      for (const file of files) {
        const taken = dcc.submit(ctx.io.readFile(file), file);
        if (taken.refusal) {
          refused.push(taken.refusal);
          ctx.io.stderr(`refused: ${taken.refusal.message}\n`);
        }
        for (const doc of taken.documents) write(doc);
        for (const doc of dcc.settle()) write(doc);
      }
      ctx.io.makeDir(`${out}/keys`);
      writeSigningKeys(ctx, `${out}/keys`, dcc.deviceSigningKeys);
      const document = { seed, start: duisDateTime(startUnixS * 1000), documents: index, refused };
      ctx.io.writeFile(`${out}/index.json`, `${JSON.stringify(document, null, 2)}\n`);
      if (argv.json) ctx.io.stdout(`${JSON.stringify(document, null, 2)}\n`);
      else
        ctx.io.stdout(
          `${renderTable(
            ['TIME', 'KIND', 'CODE', 'DEVICE', 'REQUEST', 'FILE'],
            index.map((e) => [e.at, e.kind, e.code, e.device ?? '', e.requestId ?? '', e.file]),
          )}\n${refused.length} refused\nseed ${seed}\n`,
        );
      if (refused.length > 0) ctx.exit(2);
    },
  };
}
