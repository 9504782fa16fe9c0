/**
 * Inputs of the `gbcs` commands: a message given as hex on the command line or as a file (hex
 * text, as the RTDS `.HEX` files are, or raw bytes), and the `--keys`/`--acb` options.
 */
import type { Argv } from 'yargs';
import { fromHex } from '../bytes/hex.ts';
import { DCC_TEST_ACB, type KeyRing } from '../gbcs/security.ts';
import { CliError } from './cli-error.ts';
import type { CliContext } from './context.ts';
import { readKeyDirectory } from './key-directory.ts';
import { parseEui64 } from './options.ts';

/** Hex digits, with whitespace between them if any (as pasted from a hex dump). */
const HEX_TEXT = /^[0-9a-fA-F\s]+$/;
/** Longest file name component and path that Linux, macOS and Windows can open (bytes). */
const NAME_MAX = 255;
const PATH_MAX = 4096;

/** A message's bytes and where they came from. */
export interface MessageInput {
  readonly subject: string;
  readonly bytes: Uint8Array;
}

/** `arg` as an error message quotes it: cut in the middle when long. */
function quoted(arg: string): string {
  return `'${arg.length > 40 ? `${arg.slice(0, 24)}…${arg.slice(-8)}' (${arg.length} characters)` : `${arg}'`}`;
}

/** Hex digits to bytes; `subject` (the argument or a file) names them in errors. */
function hexBytes(text: string, subject: string): Uint8Array {
  const digits = text.replace(/\s+/g, '');
  if (digits.length % 2 !== 0)
    throw new CliError(
      'BAD_HEX',
      `${subject} has an odd number of hex digits (${digits.length}): a byte is two digits`,
    );
  return fromHex(digits, subject);
}

/** Why `arg` cannot name a file, if it cannot. */
function notAFileName(arg: string): string | undefined {
  const bytes = (s: string) => new TextEncoder().encode(s).length;
  if (bytes(arg) >= PATH_MAX) return `longer than a path can be (${PATH_MAX} bytes)`;
  if (arg.split(/[\\/]/).some((part) => bytes(part) > NAME_MAX))
    return `longer than a file name can be (${NAME_MAX} bytes)`;
  return undefined;
}

/**
 * `arg` is hex when it is nothing but hex digits (whitespace between them is allowed), whatever
 * files exist: an odd number of digits is an error, never a file name (a file named like that is
 * `./DF090`). Anything else is a file, read as hex when it holds only hex digits and whitespace,
 * else as bytes; an argument too long to name a file never reaches the filesystem.
 */
export function readMessageInput(ctx: CliContext, arg: string): MessageInput {
  if (arg.trim() === '')
    throw new CliError(
      'BAD_ARGUMENT',
      'message: empty: give the message as hex, or a file of hex text or bytes',
    );
  if (HEX_TEXT.test(arg))
    return { subject: 'the hex argument', bytes: hexBytes(arg, `the hex argument ${quoted(arg)}`) };
  const notHex = () => {
    const bad = arg.search(/[^0-9a-fA-F\s]/);
    return `'${arg[bad]}' at character ${bad} is not a hex digit`;
  };
  const tooLong = notAFileName(arg);
  if (tooLong)
    throw new CliError('BAD_ARGUMENT', `message ${quoted(arg)}: not hex (${notHex()}), and ${tooLong}`);
  let raw: Uint8Array;
  try {
    raw = ctx.io.readFile(arg);
  } catch (error) {
    // 0x-prefixed hex is the likeliest slip: say how to give it.
    if (error instanceof CliError && /^0x[0-9a-f\s]+$/i.test(arg))
      throw new CliError(error.code, `${error.message} (as hex, leave out the 0x)`);
    throw error;
  }
  const text = new TextDecoder().decode(raw);
  if (raw.length > 0 && HEX_TEXT.test(text))
    return { subject: arg, bytes: hexBytes(text, `${arg}: the hex text`) };
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
