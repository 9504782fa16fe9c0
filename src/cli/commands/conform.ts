/**
 * `hanota conform --catalog FILE --model MODEL --hardware-version N --images DIR --behaviour FILE
 * --supplier-key PEM [--json] [--junit FILE] [--seed S]`: every (running entry, later image) pair
 * of a model through the emulated hub and device, classified against the declared pathways.
 * Prints a matrix; exit 1 when a declared edge fails or an undeclared edge bricks.
 */
import type { Argv } from 'yargs';
import { decodeUtf8 } from '../../bytes/utf8.ts';
import { type ConformResult, runConformance, type Verdict } from '../../conform/conform.ts';
import { conformJunit } from '../../conform/junit.ts';
import { HanotaError } from '../../errors/errors.ts';
import { parseBehaviour } from '../../pathways/behaviour.ts';
import { hardwareKey } from '../../pathways/catalog.ts';
import { readCatalog } from '../catalog-input.ts';
import { CliError, inputError } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { loadKey } from '../key-input.ts';
import { withStore } from '../library-input.ts';
import { parseUint, prepareOutputs, withJson } from '../options.ts';
import { renderTable } from '../table.ts';

const CELL: Readonly<Record<Verdict, string>> = {
  declaredWorks: 'ok',
  declaredFails: 'FAIL',
  declaredNotRun: 'NORUN',
  undeclaredRefused: '-',
  undeclaredBricks: 'BRICK',
  undeclaredWorks: 'open',
};

function matrix(result: ConformResult): string {
  const ids = result.entries.filter((e) => e.image !== null).map((e) => e.id);
  const cell = new Map(result.pairs.map((p) => [`${p.running}\u0000${p.image}`, p]));
  const rows = ids.map((r) => [
    r,
    ...ids.map((t) =>
      cell.has(`${r}\u0000${t}`) ? CELL[cell.get(`${r}\u0000${t}`)?.verdict as Verdict] : '',
    ),
  ]);
  const findings = result.pairs
    .filter((p) => p.verdict !== 'declaredWorks' && p.verdict !== 'undeclaredRefused')
    .map(
      (p) =>
        `${CELL[p.verdict].padEnd(5)} ${p.running} → ${p.image}: ${p.step ?? 'works'}${p.reason ? ` (${p.reason})` : ''}`,
    );
  const missing = result.entries.filter((e) => e.image === null).map((e) => e.id);
  return [
    `${result.deviceType} ${result.model}, hardware ${result.hardwareVersion}, seed ${result.seed}: running entry (row) × image (column)`,
    renderTable(['RUNNING \\ IMAGE', ...ids], rows),
    'ok: declared, works · FAIL: declared, fails · NORUN: declared, no image to run · -: undeclared, refused safely · BRICK: undeclared, loses functions · open: undeclared, works',
    ...(findings.length ? ['', ...findings] : []),
    ...(missing.length ? ['', `no image for ${missing.join(', ')}: not run`] : []),
    ...(result.unmatchedImages.length
      ? [`images matching no catalog entry: ${result.unmatchedImages.join(', ')}`]
      : []),
    '',
    result.ok ? 'conforms' : 'DOES NOT CONFORM',
    '',
  ].join('\n');
}

/** The `conform` command module. */
export function conformCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      withJson(y)
        .option('catalog', { type: 'string', demandOption: true, describe: 'CPL/FIR catalog CSV' })
        .option('model', { type: 'string', demandOption: true, describe: 'model, as in the catalog' })
        .option('hardware-version', {
          type: 'string',
          demandOption: true,
          describe: 'hardware version, as in the catalog',
        })
        .option('images', {
          type: 'string',
          describe: "directory of the model's GBCS images (matched by hash)",
        })
        .option('library', {
          type: 'string',
          describe: "firmware library, in place of --images: the model's images held there, by entry",
        })
        .option('behaviour', { type: 'string', demandOption: true, describe: 'device behaviour file (YAML)' })
        .option('supplier-key', {
          type: 'string',
          describe:
            "supplier's private signing key (PEM): the device trusts it and CS06 is signed with it (ESME, GSME, HCALCS)",
        })
        .option('junit', { type: 'string', describe: 'write JUnit XML, one test case per pair' })
        .option('seed', { type: 'string', default: '1', describe: 'random seed (printed)' }),
    handler: (argv) => {
      /** The files of a folder (subdirectories skipped; any other unreadable file is an error). */
      const folderImages = (dir: string) =>
        ctx.io.listDir(dir).flatMap((name) => {
          try {
            return [{ name, bytes: ctx.io.readFile(`${dir}/${name}`) }];
          } catch (error) {
            if (error instanceof CliError && /is a directory/.test(error.message)) return [];
            throw error;
          }
        });
      prepareOutputs(ctx, { files: { junit: argv.junit } });
      const catalog = readCatalog(ctx, String(argv.catalog));
      const behaviourFile = String(argv.behaviour);
      let behaviour: ReturnType<typeof parseBehaviour>;
      try {
        behaviour = parseBehaviour(decodeUtf8(ctx.io.readFile(behaviourFile)));
      } catch (error) {
        throw inputError(behaviourFile, error);
      }
      if ((typeof argv.images === 'string') === (typeof argv.library === 'string'))
        throw new CliError('USAGE', 'give the images as --images DIR or --library DIR (one of the two)');
      const images =
        typeof argv.library === 'string'
          ? libraryImages(argv, String(argv.model), String(argv.hardwareVersion))
          : folderImages(String(argv.images));
      const key =
        typeof argv.supplierKey === 'string' ? loadKey(ctx, argv.supplierKey, 'supplier-key') : undefined;
      if (key && !key.privateKey)
        throw new CliError(
          'USAGE',
          `--supplier-key ${argv.supplierKey}: a private key is needed (it signs CS06)`,
        );
      let result: ConformResult;
      try {
        result = runConformance({
          catalog,
          model: String(argv.model),
          hardwareVersion: String(argv.hardwareVersion),
          images,
          behaviour,
          ...(key?.privateKey && { supplierKey: key.privateKey }),
          seed: parseUint(String(argv.seed), 32, 'seed'),
        });
      } catch (error) {
        if (error instanceof HanotaError) throw new CliError(error.code, `conform: ${error.message}`);
        throw error;
      }
      if (!result.ok) ctx.exit(1);
      if (typeof argv.junit === 'string') ctx.io.writeFile(argv.junit, conformJunit(result));
      ctx.io.stdout(argv.json ? `${JSON.stringify(result, null, 2)}\n` : matrix(result));
    },
  };
}

/** The library's images of a model and hardware version, named by their entries (each checked against its hash). */
function libraryImages(
  argv: Record<string, unknown>,
  model: string,
  hardwareVersion: string,
): { name: string; bytes: Uint8Array }[] {
  return withStore(argv, (store) =>
    store
      .index()
      .entries.filter(
        (e) => e.fir.model === model && hardwareKey(e.fir.hardwareVersion) === hardwareKey(hardwareVersion),
      )
      .map((e) => ({ name: e.cplEntryId, bytes: store.object(e.fileSha256) })),
  );
}
