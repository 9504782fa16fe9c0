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
  readonly string?: readonly string[];
}

/** Options that take a value and also have a `--no-` form (`--no-hardware-version`). */
const NEGATABLE_VALUE_OPTIONS = new Set(['hardware-version']);

/** A flag as written: `--name`, `--name=value` or `-x`, at its place among the words. */
interface WrittenFlag {
  readonly index: number;
  readonly written: string;
  readonly name: string;
  readonly value?: string;
}

/** The flags in `raw` before a `--` (a negative number is a value, not a flag). */
function flagsOf(raw: readonly string[]): WrittenFlag[] {
  const end = raw.indexOf('--');
  return (end < 0 ? raw : raw.slice(0, end)).flatMap((token, index): WrittenFlag[] => {
    const long = /^--([^=]+)(?:=(.*))?$/s.exec(token);
    if (long) {
      const value = long[2];
      return [
        { index, written: `--${long[1]}`, name: long[1] as string, ...(value !== undefined && { value }) },
      ];
    }
    const short = /^-([a-zA-Z][^=]*)$/.exec(token);
    return short ? [{ index, written: token, name: short[1] as string }] : [];
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
    .filter((flag) => !names.has(optionOf(flag.name, names)))
    .map((flag) => flag.written);
}

/**
 * A yargs check holding options to what they are, on the words as written (`raw`), where yargs
 * would guess:
 * - a single-valued option given more than once is refused, as the README promises (yargs keeps
 *   the last of `--json --json` or `--signed --no-signed`, and makes an array of a repeated string
 *   that a command reading a string would silently drop); `array: true` options may repeat;
 * - an option that takes a value must be given one (yargs gives `--runs` at the end its default);
 * - a flag takes no value but `=true` or `=false` (yargs reads `--json=maybe` as false);
 * - `--no-X` is for flags (and the few options whose absence means something), never a silent
 *   `false` for a value.
 */
export function refuseRepeatedOptions(raw: readonly string[]) {
  return (argv: Record<string, unknown>, options: KnownOptions): true => {
    const names = knownNames(options);
    const repeatable = new Set((options.array ?? []).map(kebab));
    const booleans = new Set((options.boolean ?? []).map(kebab));
    const strings = new Set((options.string ?? []).map(kebab));
    const written = new Map<string, string[]>();
    for (const flag of flagsOf(raw)) {
      const option = optionOf(flag.name, names);
      if (!names.has(option)) continue;
      written.set(option, [...(written.get(option) ?? []), flag.written]);
      const negated = option !== kebab(flag.name);
      if (booleans.has(option)) {
        if (flag.value !== undefined && !/^(true|false)$/.test(flag.value))
          throw new CliError(
            'USAGE',
            `${flag.written}: a flag takes no value (or =true, =false), got '${flag.value}'`,
          );
      } else if (negated) {
        if (!NEGATABLE_VALUE_OPTIONS.has(option))
          throw new CliError('USAGE', `${flag.written}: --${option} takes a value and has no --no- form`);
      } else if (strings.has(option) && flag.value === undefined) {
        const next = raw[flag.index + 1];
        if (next === undefined || next === '--' || /^--./.test(next))
          throw new CliError('USAGE', `--${option}: needs a value`);
      }
    }
    for (const [option, forms] of written) {
      if (forms.length > 1 && !repeatable.has(option)) {
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
 * Checks, before any work is done, every place a command will write, and creates the folders
 * they go to: each of `dirs` (made, and writable), and for each of `files` its folder (made) and
 * the file itself (not a folder, writable if it exists). Keys are option names, for the error;
 * options not given are `undefined` and skipped. A run then never ends by losing its result.
 */
export function prepareOutputs(
  ctx: CliContext,
  outputs: { readonly files?: Record<string, unknown>; readonly dirs?: Record<string, unknown> },
): void {
  const named = (option: string, path: unknown): path is string => {
    if (path === undefined || path === false) return false;
    if (typeof path !== 'string' || path === '')
      throw new CliError('BAD_ARGUMENT', `--${option}: needs a file or folder name`);
    return true;
  };
  for (const [option, dir] of Object.entries(outputs.dirs ?? {}))
    if (named(option, dir)) ctx.io.checkWritable(dir, 'folder', option);
  for (const [option, file] of Object.entries(outputs.files ?? {}))
    if (named(option, file)) {
      ctx.io.makeDir(dirname(file));
      ctx.io.checkWritable(file, 'file', option);
    }
}

/** Parses a count option that must be at least `min` (and fit in `bits`). */
export function parseCount(text: string | number, bits: 8 | 16 | 32, option: string, min = 1): number {
  const value = parseUint(text, bits, option);
  if (value < min) throw new CliError('BAD_ARGUMENT', `--${option}: ${value} is less than ${min}`);
  return value;
}

/** `--port N`, for the servers: a TCP port on 127.0.0.1 (0: any free one). */
export function withPort<T>(y: Argv<T>) {
  return y.option('port', {
    type: 'string',
    demandOption: true,
    describe: 'TCP port on 127.0.0.1 (0: any free one)',
  });
}

/** Serves until interrupted (SIGINT, SIGTERM), then closes the server. */
export function untilInterrupted(server: { close(): Promise<void> }): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      void server.close().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
