/**
 * Reading OTA files for the commands that take them: the file is read through the CLI's io,
 * parsed, and any error turned into a `CliError` that names the file and the offset.
 */
import { DecodeError } from '../errors/errors.ts';
import { type OtaImage, type ParseImageOptions, parseImage } from '../ota/image.ts';
import { CliError, inputError } from './cli-error.ts';
import type { CliContext } from './context.ts';

/** A file read and parsed. */
export interface LoadedImage {
  readonly file: string;
  readonly input: Uint8Array;
  readonly image: OtaImage;
}

/** The CLI option that resolves an error, where there is one. */
function optionHint(code: string, options: ParseImageOptions): string {
  if (code === 'IDENTIFIER_NOT_AT_START') return '; pass --scan to parse from there';
  if (code.startsWith('ELEMENT_') && (options.format ?? 'auto') === 'auto') {
    return '; pass --format gbcs if this is an unsigned GBCS image';
  }
  return '';
}

/** Parses bytes already read from `file`; parse errors become `CliError`s naming the file. */
export function parseImageFile(file: string, input: Uint8Array, options: ParseImageOptions): OtaImage {
  try {
    return parseImage(input, options);
  } catch (error) {
    // Only decode errors are bad input; anything else from the parser is a bug and is
    // reported as one by the top level.
    if (!(error instanceof DecodeError)) throw error;
    const e = inputError(file, error);
    throw new CliError(e.code, `${e.message}${optionHint(e.code, options)}`, e.offset);
  }
}

/** Reads and parses `file`. */
export function loadImage(ctx: CliContext, file: string, options: ParseImageOptions): LoadedImage {
  const input = ctx.io.readFile(file);
  return { file, input, image: parseImageFile(file, input, options) };
}
