/**
 * `hanota duis sign REQUEST... --key PEM [--issuer NAME] [--serial N] --out DIR`: signs DUIS
 * requests as a user's adapter does before sending them (the part DCC Boxed's signing tool plays):
 * an enveloped ECDSA P-256/SHA-256 XML signature with the user's digital-signing key, replacing
 * the placeholder signature of DCC Boxed's templates; with `--library DIR --image-entry ID`, the
 * FirmwareImage of an 11.1 / 11.4 is the library's image for that CPL entry. Each file is written
 * under its own name in `--out`.
 */
import { basename } from 'node:path';
import type { Argv } from 'yargs';
import { toBase64 } from '../../bytes/base64.ts';
import { signDuisDocument } from '../../duis/xml-signature.ts';
import { CliError } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { loadKey } from '../key-input.ts';
import { heldEntry, withStore } from '../library-input.ts';
import { prepareOutputs } from '../options.ts';

/** The `duis sign` command module. */
export function duisSignCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      y
        .positional('requests', { type: 'string', array: true, describe: 'DUIS request files' })
        .option('key', {
          type: 'string',
          demandOption: true,
          describe: "the user's digital-signing private key (PEM), e.g. <eui>-ds.key of the DCC test PKI",
        })
        .option('issuer', {
          type: 'string',
          default: 'CN=U1, OU=07',
          describe: "the issuer of the user's certificate, as KeyInfo names it",
        })
        .option('serial', {
          type: 'string',
          default: '1234567890',
          describe: "the serial number of the user's certificate (decimal), as KeyInfo names it",
        })
        .option('out', { type: 'string', demandOption: true, describe: 'folder for the signed requests' })
        .option('library', {
          type: 'string',
          describe:
            'firmware library: with --image-entry, the 11.1 / 11.4 image is the one held for that entry',
        })
        .option('image-entry', {
          type: 'string',
          describe:
            "the CPL entry whose library image goes into each request's FirmwareImage (and its version into FirmwareVersion)",
        }),
    handler: (argv) => {
      const key = loadKey(ctx, String(argv.key), 'key');
      if (!key.privateKey) throw new CliError('KEY_FORMAT', `--key ${argv.key}: holds no private key`);
      if (!/^-?\d+$/.test(String(argv.serial)))
        throw new CliError('BAD_ARGUMENT', `--serial: '${argv.serial}' is not a decimal integer`);
      const out = String(argv.out);
      if ((typeof argv.library === 'string') !== (typeof argv.imageEntry === 'string'))
        throw new CliError('USAGE', '--library and --image-entry go together');
      // The image by entry ID, from the library (checked against its hash), and its version.
      const image =
        typeof argv.library === 'string'
          ? withStore(argv, (store) => {
              const entry = heldEntry(store.index(), String(argv.imageEntry), String(argv.library));
              return {
                base64: toBase64(store.object(entry.fileSha256)),
                version: entry.fileVersion.toString(16).toUpperCase().padStart(8, '0'),
              };
            })
          : undefined;
      prepareOutputs(ctx, { dirs: { out } });
      for (const file of (argv.requests as string[] | undefined) ?? []) {
        let xml = new TextDecoder('utf-8', { fatal: true }).decode(ctx.io.readFile(file));
        if (image) {
          if (!/<sr:FirmwareImage>[^<]*<\/sr:FirmwareImage>/.test(xml))
            throw new CliError(
              'USAGE',
              `${file}: --image-entry: the request has no FirmwareImage (11.1 or 11.4)`,
            );
          xml = xml
            .replace(
              /<sr:FirmwareImage>[^<]*<\/sr:FirmwareImage>/,
              `<sr:FirmwareImage>${image.base64}</sr:FirmwareImage>`,
            )
            .replace(
              /<sr:FirmwareVersion>[^<]*<\/sr:FirmwareVersion>/,
              `<sr:FirmwareVersion>${image.version}</sr:FirmwareVersion>`,
            );
        }
        let signed: string;
        try {
          signed = signDuisDocument(xml, {
            privateKey: key.privateKey,
            issuerName: String(argv.issuer),
            serialNumber: String(argv.serial),
          });
        } catch (error) {
          throw new CliError('XML_MALFORMED', `${file}: cannot be signed: ${(error as Error).message}`);
        }
        ctx.io.writeFile(`${out}/${basename(file)}`, signed);
        ctx.io.stdout(`${out}/${basename(file)}\n`);
      }
    },
  };
}
