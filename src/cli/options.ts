/**
 * Option builders shared by command modules, and the parsing of option values that yargs
 * leaves as strings (numbers in decimal or 0x hex, EUI-64s, TAG=FILE pairs).
 */

import { dirname } from 'node:path';
import type { Argv } from 'yargs';
import type { ParseImageOptions } from '../ota/image.ts';
import { CliError } from './cli-error.ts';
import type { CliContext } from './context.ts';

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

/** What yargs knows of the options of the command being parsed (its `getOptions()`). */
export interface KnownOptions {
  readonly key?: Readonly<Record<string, unknown>>;
  readonly alias?: Readonly<Record<string, readonly string[]>>;
  readonly array?: readonly string[];
  readonly boolean?: readonly string[];
}

/** The long option names written in `raw` (before a `--`), as written, without `--` and `=value`. */
function flagsOf(raw: readonly string[]): string[] {
  const end = raw.indexOf('--');
  return (end < 0 ? raw : raw.slice(0, end)).flatMap((token) => {
    const m = /^--([^=]+)/.exec(token);
    return m ? [m[1] as string] : [];
  });
}

/** Every name an option answers to, kebab-case. */
function knownNames(options: KnownOptions): Set<string> {
  const names = new Set<string>(['help', 'version']);
  for (const key of Object.keys(options.key ?? {})) names.add(kebab(key));
  for (const [key, aliases] of Object.entries(options.alias ?? {}))
    for (const name of [key, ...aliases]) names.add(kebab(name));
  return names;
}

/** The option a written flag sets: `--no-signed` sets `signed` when `signed` is a known option. */
function optionOf(flag: string, names: ReadonlySet<string>): string {
  const name = kebab(flag);
  return !names.has(name) && name.startsWith('no-') && names.has(name.slice(3)) ? name.slice(3) : name;
}

/** The flags in `raw` that name no option of the command yargs was parsing, as written. */
export function unknownFlags(raw: readonly string[], options: KnownOptions): string[] {
  const names = knownNames(options);
  return flagsOf(raw)
    .filter((flag) => !names.has(optionOf(flag, names)))
    .map((flag) => `--${flag}`);
}

/**
 * A yargs check refusing a single-valued option given more than once, as the README promises:
 * yargs would keep the last of `--json --json` or `--signed --no-signed` and make an array of a
 * repeated string, which a command reading it as a string would silently drop. Counted on the
 * words as written (`raw`), so a negated boolean counts as its option. Options declared with
 * `array: true` (and the positionals) may repeat.
 */
export function refuseRepeatedOptions(raw: readonly string[]) {
  return (argv: Record<string, unknown>, options: KnownOptions): true => {
    const names = knownNames(options);
    const repeatable = new Set((options.array ?? []).map(kebab));
    const written = new Map<string, string[]>();
    for (const flag of flagsOf(raw)) {
      const option = optionOf(flag, names);
      written.set(option, [...(written.get(option) ?? []), `--${flag}`]);
    }
    for (const [option, forms] of written) {
      if (forms.length > 1 && !repeatable.has(option) && names.has(option)) {
        const how = new Set(forms).size > 1 ? ` (as ${[...new Set(forms)].join(' and ')})` : '';
        throw new CliError('USAGE', `--${option}: given ${forms.length} times${how}, at most once allowed`);
      }
    }
    for (const [key, value] of Object.entries(argv)) {
      if (Array.isArray(value) && key !== '_' && !repeatable.has(kebab(key)) && !key.includes('-')) {
        throw new CliError('USAGE', `--${kebab(key)}: given ${value.length} times, at most once allowed`);
      }
    }
    return true;
  };
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

/**
 * Creates, before any work is done, the folders a command's outputs go to: each of `dirs`, and
 * the folder of each of `files` (options not given are `undefined` and skipped). A run then never
 * ends by losing its result to a folder that is not there, and a folder that cannot be made is
 * an error before the work starts.
 */
export function prepareOutputs(
  ctx: CliContext,
  outputs: { readonly files?: readonly unknown[]; readonly dirs?: readonly unknown[] },
): void {
  for (const dir of outputs.dirs ?? []) if (typeof dir === 'string') ctx.io.makeDir(dir);
  for (const file of outputs.files ?? []) if (typeof file === 'string') ctx.io.makeDir(dirname(file));
}

/** Parses a count option that must be at least `min` (and fit in `bits`). */
export function parseCount(text: string | number, bits: 8 | 16 | 32, option: string, min = 1): number {
  const value = parseUint(text, bits, option);
  if (value < min) throw new CliError('BAD_ARGUMENT', `--${option}: ${value} is less than ${min}`);
  return value;
}
