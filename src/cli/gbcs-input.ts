/**
 * Inputs of the `gbcs` commands: a message given as hex on the command line or as a file (hex
 * text, as the RTDS `.HEX` files are, or raw bytes), and the `--keys`/`--acb` options.
 */
import type { Argv } from 'yargs';
import { fromHex } from '../bytes/hex.ts';
import { DCC_TEST_ACB, type KeyRing } from '../gbcs/security.ts';
import { inputError } from './cli-error.ts';
import type { CliContext } from './context.ts';
import { readKeyDirectory } from './key-directory.ts';
import { parseEui64 } from './options.ts';

const HEX_TEXT = /^[0-9a-fA-F\s]+$/;

/** A message's bytes and where they came from. */
export interface MessageInput {
  readonly subject: string;
  readonly bytes: Uint8Array;
}

/**
 * `arg` is hex when it is nothing but an even number of hex digits; otherwise a file, read as hex
 * when it holds only hex digits and whitespace, else as bytes.
 */
export function readMessageInput(ctx: CliContext, arg: string): MessageInput {
  const compact = arg.replace(/\s+/g, '');
  if (compact.length >= 2 && compact.length % 2 === 0 && HEX_TEXT.test(arg))
    return { subject: 'the hex argument', bytes: fromHex(arg, 'hex argument') };
  const raw = ctx.io.readFile(arg);
  const text = new TextDecoder().decode(raw);
  if (raw.length > 0 && HEX_TEXT.test(text)) {
    try {
      return { subject: arg, bytes: fromHex(text, arg) };
    } catch (error) {
      throw inputError(arg, error);
    }
  }
  return { subject: arg, bytes: raw };
}

/** `--keys DIR` and `--acb EUI`. */
export function withKeys<T>(y: Argv<T>, required: boolean) {
  return y
    .option('keys', {
      type: 'string',
      demandOption: required,
      describe: 'directory of key files named <eui>-ds.pem|key and <eui>-ka.pem|key (as in the DCC test PKI)',
    })
    .option('acb', {
      type: 'string',
      default: DCC_TEST_ACB,
      describe:
        'system title of the DCC Access Control Broker whose key-agreement key MACs critical commands',
    });
}

/** The key ring `--keys`/`--acb` name, or an empty one without `--keys`. */
export function keyRingOf(ctx: CliContext, argv: Record<string, unknown>): KeyRing {
  const acb = parseEui64(String(argv.acb), 'acb');
  if (typeof argv.keys !== 'string') return { parties: new Map(), acb };
  return readKeyDirectory(ctx, argv.keys, acb);
}
