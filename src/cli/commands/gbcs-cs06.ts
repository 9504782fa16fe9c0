/**
 * `hanota gbcs cs06 --keys DIR --supplier EUI --recipient EUI --counter N (--hash HEX | --image
 * FILE) [--execute-at ISO8601 | --cancel] [--json]`: a CS06 Activate Firmware command, signed
 * with the supplier's signing key and MACed with the key derived from the Access Control
 * Broker's and the recipient's key-agreement keys, as hex.
 */
import type { Argv } from 'yargs';
import { fromHex, toHex } from '../../bytes/hex.ts';
import { sha256 } from '../../crypto/hashes.ts';
import {
  CS06_CANCELLATION_TIME,
  CS06_MESSAGE_CODE,
  encodeCs06Command,
  isCancellation,
} from '../../gbcs/cs06.ts';
import { macKeyOf, sealCriticalCommand } from '../../gbcs/security.ts';
import { CliError, inputError } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { keyRingOf, withKeys } from '../gbcs-input.ts';
import { loadImage } from '../image-input.ts';
import { imageReadingOptions, parseEui64, withImageReading, withJson } from '../options.ts';

/** Parses a GBCS counter: decimal, 0..2^64-1. */
function parseCounter(text: string): bigint {
  if (!/^\d+$/.test(text) || BigInt(text) >= 2n ** 64n)
    throw new CliError(
      'BAD_ARGUMENT',
      `--counter: '${text}' is not a decimal counter 0..18446744073709551615`,
    );
  return BigInt(text);
}

function manufacturerImageHash(ctx: CliContext, argv: Record<string, unknown>): Uint8Array {
  if (typeof argv.hash === 'string') {
    let hash: Uint8Array;
    try {
      hash = fromHex(argv.hash, '--hash');
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new CliError('BAD_ARGUMENT', error.message);
    }
    if (hash.length !== 32)
      throw new CliError(
        'BAD_ARGUMENT',
        `--hash: ${hash.length} bytes, expected 32 (SHA-256 of the Manufacturer Image)`,
      );
    return hash;
  }
  const file = String(argv.image);
  const { image } = loadImage(ctx, file, { ...imageReadingOptions(argv), format: 'gbcs' });
  if (image.format !== 'gbcs')
    throw new CliError('IMAGE_FORMAT', `--image ${file}: not a GBCS OTA Upgrade Image`);
  return sha256(image.manufacturerImage.data);
}

/** The `gbcs cs06` command module. */
export function gbcsCs06Command(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      withImageReading(withKeys(withJson(y), true))
        .option('supplier', {
          type: 'string',
          demandOption: true,
          describe: 'EUI-64 of the signing supplier',
        })
        .option('recipient', { type: 'string', demandOption: true, describe: 'EUI-64 of the device' })
        .option('counter', { type: 'string', demandOption: true, describe: 'originator counter (decimal)' })
        .option('hash', { type: 'string', describe: 'SHA-256 of the Manufacturer Image to activate (hex)' })
        .option('image', {
          type: 'string',
          describe: 'GBCS OTA Upgrade Image whose Manufacturer Image to activate',
        })
        .option('execute-at', {
          type: 'string',
          describe: 'activate at this UTC time (YYYY-MM-DDTHH:MM:SSZ)',
        })
        .option('cancel', {
          type: 'boolean',
          default: false,
          describe: 'cancel a pending future-dated activation',
        })
        .conflicts('hash', 'image')
        .check((argv) => {
          if (argv.hash === undefined && argv.image === undefined)
            throw new CliError('USAGE', 'cs06: give --hash or --image');
          // A boolean option always has a value, so yargs' `conflicts` cannot be used for it.
          if (argv.executeAt !== undefined && argv.cancel === true)
            throw new CliError('USAGE', 'cs06: --execute-at and --cancel exclude each other');
          return true;
        }),
    handler: (argv) => {
      const ring = keyRingOf(ctx, argv);
      const supplier = parseEui64(String(argv.supplier), 'supplier');
      const recipient = parseEui64(String(argv.recipient), 'recipient');
      const counter = parseCounter(String(argv.counter));
      const hash = manufacturerImageHash(ctx, argv);
      const executeAt = argv.cancel ? CS06_CANCELLATION_TIME : (argv.executeAt as string | undefined);
      const signingKey = ring.parties.get(supplier)?.ds?.privateKey;
      if (!signingKey)
        throw new CliError(
          'NO_KEY',
          `--keys ${String(argv.keys)}: no signing private key for the supplier ${supplier} (${supplier}-ds.key)`,
        );
      let content: Uint8Array;
      try {
        content = encodeCs06Command({ hash, counter, ...(executeAt !== undefined && { executeAt }) });
      } catch (error) {
        throw inputError('--execute-at', error);
      }
      const message = {
        transactionId: { cra: 'command' as const, counter },
        originator: fromHex(supplier, 'supplier'),
        recipient: fromHex(recipient, 'recipient'),
        messageCode: CS06_MESSAGE_CODE,
        content,
      };
      const macKey = macKeyOf(message, ring);
      if (typeof macKey === 'string')
        throw new CliError('NO_KEY', `--keys ${String(argv.keys)}: cannot MAC the command: ${macKey}`);
      const hex = toHex(sealCriticalCommand(message, signingKey, macKey));
      if (!argv.json) {
        ctx.io.stdout(`${hex}\n`);
        return;
      }
      const doc = {
        hex,
        supplier,
        recipient,
        counter: counter.toString(),
        hash: toHex(hash),
        kind:
          executeAt === undefined
            ? 'immediate'
            : isCancellation({ hash, counter, executeAt })
              ? 'cancellation'
              : 'futureDated',
        ...(executeAt !== undefined && { executeAt }),
      };
      ctx.io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
    },
  };
}
