/**
 * `hanota duis sign REQUEST... --key PEM [--issuer NAME] [--serial N] --out DIR`: signs DUIS
 * requests as a user's adapter does before sending them (the part DCC Boxed's signing tool plays):
 * an enveloped ECDSA P-256/SHA-256 XML signature with the user's digital-signing key, replacing
 * the placeholder signature of DCC Boxed's templates. Each file is written under its own name in
 * `--out`.
 */
import { basename } from 'node:path';
import type { Argv } from 'yargs';
import { signDuisDocument } from '../../duis/xml-signature.ts';
import { CliError } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { loadKey } from '../key-input.ts';
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
        .option('out', { type: 'string', demandOption: true, describe: 'folder for the signed requests' }),
    handler: (argv) => {
      const key = loadKey(ctx, String(argv.key), 'key');
      if (!key.privateKey) throw new CliError('KEY_FORMAT', `--key ${argv.key}: holds no private key`);
      if (!/^-?\d+$/.test(String(argv.serial)))
        throw new CliError('BAD_ARGUMENT', `--serial: '${argv.serial}' is not a decimal integer`);
      const out = String(argv.out);
      prepareOutputs(ctx, { dirs: { out } });
      for (const file of (argv.requests as string[] | undefined) ?? []) {
        const xml = new TextDecoder('utf-8', { fatal: true }).decode(ctx.io.readFile(file));
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
