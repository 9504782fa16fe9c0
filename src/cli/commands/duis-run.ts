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
import { type DccDocument, DccEmulator, type DccRefusal } from '../../duis/dcc.ts';
import { euiOfDashed } from '../../duis/request-id.ts';
import { duisDateTime } from '../../duis/response.ts';
import { DuisSchema, XmlError } from '../../duis/xml.ts';
import { isoToUnixSeconds } from '../../gbcs/cs06.ts';
import { readCatalog, readEstate } from '../catalog-input.ts';
import { CliError } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { readKeyDirectory, writeSigningKeys } from '../key-directory.ts';
import { parseUint, prepareOutputs, withJson } from '../options.ts';
import { renderTable } from '../table.ts';

/** The schema files `--schema` names, as the DUIS schema imports them. */
const SCHEMA_FILES = {
  duis: 'duis-5.4.xsd',
  mmc: 'mmc-5.4.xsd',
  xmldsig: 'xmldsig-core-schema.xsd',
} as const;

/** The DUIS schema of `dir`; its files named as the schema imports them. */
export function loadDuisSchema(ctx: CliContext, dir: string): DuisSchema {
  const read = (name: string) => ctx.io.readFile(`${dir}/${name}`);
  try {
    return DuisSchema.load({
      duis: read(SCHEMA_FILES.duis),
      mmc: read(SCHEMA_FILES.mmc),
      xmldsig: read(SCHEMA_FILES.xmldsig),
    });
  } catch (error) {
    if (error instanceof XmlError) throw new CliError(error.code, `--schema ${dir}: ${error.message}`);
    throw error;
  }
}

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
      withJson(y)
        .positional('requests', {
          type: 'string',
          array: true,
          describe: 'DUIS request files or folders, in order',
        })
        .option('estate', {
          type: 'string',
          demandOption: true,
          describe: 'estate CSV (the devices the DCC knows)',
        })
        .option('catalog', {
          type: 'string',
          demandOption: true,
          describe: 'CPL/FIR catalog CSV (what each device runs)',
        })
        .option('schema', {
          type: 'string',
          demandOption: true,
          describe: `folder of the DUIS 5.4 XML Schema: ${Object.values(SCHEMA_FILES).join(', ')}`,
        })
        .option('keys', {
          type: 'string',
          describe:
            'key directory (<eui>-ds|ka.pem|key, the DCC test PKI): request signatures are checked, the DCC and devices use these keys',
        })
        .option('supplier', {
          type: 'string',
          describe: 'EUI-64 of the supplier the devices obey (default 90-B3-D5-1F-30-01-00-00)',
        })
        .option('seed', { type: 'string', default: '1', describe: 'random seed (printed)' })
        .option('start', {
          type: 'string',
          default: '2026-01-01T00:00:00Z',
          describe: 'wall-clock time of virtual time 0 (UTC, YYYY-MM-DDTHH:MM:SSZ)',
        })
        .option('out', {
          type: 'string',
          demandOption: true,
          describe: 'folder for the responses, alerts and index.json',
        }),
    handler: (argv) => {
      const seed = parseUint(String(argv.seed), 32, 'seed');
      let startUnixS: number;
      try {
        startUnixS = isoToUnixSeconds(String(argv.start));
      } catch (error) {
        throw new CliError('BAD_ARGUMENT', `--start: ${(error as Error).message}`);
      }
      const supplier =
        argv.supplier === undefined
          ? undefined
          : (euiOfDashed(String(argv.supplier)) ??
            (/^[0-9a-f]{16}$/i.test(String(argv.supplier))
              ? String(argv.supplier).toLowerCase()
              : undefined));
      if (argv.supplier !== undefined && supplier === undefined)
        throw new CliError('BAD_ARGUMENT', `--supplier: '${argv.supplier}' is not an EUI-64`);
      const out = String(argv.out);
      prepareOutputs(ctx, { dirs: { out } });
      const files = requestFiles(ctx, (argv.requests as string[] | undefined) ?? []);
      if (files.length === 0) throw new CliError('BAD_ARGUMENT', 'no request files given');
      const dcc = new DccEmulator({
        estate: readEstate(ctx, String(argv.estate)),
        catalog: readCatalog(ctx, String(argv.catalog)),
        schema: loadDuisSchema(ctx, String(argv.schema)),
        ...(typeof argv.keys === 'string' && { keys: readKeyDirectory(ctx, argv.keys, '90b3d51f30000002') }),
        ...(supplier !== undefined && { supplier }),
        seed,
        startUnixS,
      });
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
