/**
 * Option builders shared by command modules, and the parsing of option values that yargs
 * leaves as strings (numbers in decimal or 0x hex, EUI-64s, TAG=FILE pairs).
 */
import type { Argv } from 'yargs';
import type { ParseImageOptions } from '../ota/image.ts';
import { CliError } from './cli-error.ts';

/** `--json`: print exactly one JSON document on stdout. */
export function withJson<T>(y: Argv<T>) {
  return y.option('json', { type: 'boolean', default: false, describe: 'print one JSON document on stdout' });
}

/** `--format` and `--scan`, for commands that read OTA files. */
export function withImageReading<T>(y: Argv<T>) {
  return y
    .option('format', {
      choices: ['auto', 'zigbee', 'gbcs'] as const,
      default: 'auto' as const,
      describe:
        'file format; auto: zigbee if the sub-elements tile the file, gbcs if it ends with a signature trailer',
    })
    .option('scan', {
      type: 'boolean',
      default: false,
      describe: 'look for the OTA file identifier anywhere in the file (vendor containers)',
    })
    .option('signed', {
      type: 'boolean',
      describe:
        'a file read as GBCS is signed (--signed) or not (--no-signed); default: detected from its last 65 bytes',
    });
}

/** The parse options a command built with `withImageReading` received. */
export function imageReadingOptions(argv: Record<string, unknown>): ParseImageOptions {
  return {
    format: argv.format as ParseImageOptions['format'],
    scan: argv.scan === true,
    ...(typeof argv.signed === 'boolean' && { signed: argv.signed }),
  };
}

/**
 * A yargs check refusing a single-valued option given more than once: yargs would make it an
 * array, and a command reading it as a string would silently drop it. Options declared with
 * `array: true` (and the positionals) may repeat.
 */
export function refuseRepeatedOptions(
  argv: Record<string, unknown>,
  options: { readonly array?: readonly string[] },
): true {
  const repeatable = new Set(['_', '$0', ...(options.array ?? []).flatMap((name) => [name, camel(name)])]);
  for (const [key, value] of Object.entries(argv)) {
    if (Array.isArray(value) && !repeatable.has(key) && !key.includes('-')) {
      throw new CliError('USAGE', `--${kebab(key)}: given ${value.length} times, at most once allowed`);
    }
  }
  return true;
}

function camel(kebabName: string): string {
  return kebabName.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function kebab(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Parses an unsigned integer option given in decimal or 0x hex. */
export function parseUint(text: string | number, bits: 8 | 16 | 32, option: string): number {
  const s = String(text).trim();
  const value = /^0x[0-9a-f]+$/i.test(s)
    ? Number.parseInt(s.slice(2), 16)
    : /^\d+$/.test(s)
      ? Number(s)
      : Number.NaN;
  if (!Number.isSafeInteger(value) || value > 2 ** bits - 1) {
    throw new CliError(
      'BAD_ARGUMENT',
      `--${option}: '${s}' is not an unsigned ${bits}-bit integer (decimal or 0x hex)`,
    );
  }
  return value;
}

/** Parses an EUI-64 (16 hex digits, optional separators) into lowercase hex. */
export function parseEui64(text: string, option: string): string {
  const s = text.replace(/[-:\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]{16}$/.test(s))
    throw new CliError('BAD_ARGUMENT', `--${option}: '${text}' is not an EUI-64 (16 hex digits)`);
  return s;
}

/** Parses `TAG=FILE` with TAG decimal or 0x hex. */
export function parseTagFile(text: string, option: string): { tag: number; file: string } {
  const at = text.indexOf('=');
  if (at <= 0 || at === text.length - 1) {
    throw new CliError(
      'BAD_ARGUMENT',
      `--${option}: '${text}' is not TAG=FILE (for example 0xf000=extra.bin)`,
    );
  }
  return { tag: parseUint(text.slice(0, at), 16, option), file: text.slice(at + 1) };
}
