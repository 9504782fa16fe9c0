/**
 * Reading an OTA file of either format: find the file identifier (at offset 0, or inside a
 * vendor container when scanning), then choose the format. `auto` picks zigbee when the
 * sub-elements tile the file exactly, gbcs when they do not and the file ends with a GBCS
 * signature trailer, and otherwise reports the first sub-element that does not fit.
 */

import { hexNumber } from '../bytes/hex.ts';
import { DecodeError } from '../errors/errors.ts';
import { OTA_FILE_IDENTIFIER } from './constants.ts';
import { type GbcsImage, type GbcsParseOptions, parseGbcsImage } from './gbcs-image.ts';
import { readOtaHeader } from './header.ts';
import { parseZigbeeImage, type ZigbeeImage } from './zigbee-image.ts';

/** The two file formats. */
export const IMAGE_FORMATS = ['zigbee', 'gbcs'] as const;
/** A file format. */
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** A parsed OTA file of either format. */
export type OtaImage = ZigbeeImage | GbcsImage;

/** Options of `parseImage`. */
export interface ParseImageOptions {
  /** Default `auto`. */
  readonly format?: ImageFormat | 'auto';
  /**
   * Look for the identifier anywhere in the input, not only at offset 0 (vendor containers).
   * Every occurrence is tried in order; the first that parses wins.
   */
  readonly scan?: boolean;
  /** For a file read as GBCS: whether it is signed (absent: detected from its last bytes). */
  readonly signed?: boolean;
}

const IDENTIFIER_BYTES = [
  OTA_FILE_IDENTIFIER & 0xff,
  (OTA_FILE_IDENTIFIER >>> 8) & 0xff,
  (OTA_FILE_IDENTIFIER >>> 16) & 0xff,
  OTA_FILE_IDENTIFIER >>> 24,
] as const;

/** Offset of the first little-endian file identifier at or after `from`, or -1. */
export function findIdentifier(input: Uint8Array, from = 0): number {
  const [b0, b1, b2, b3] = IDENTIFIER_BYTES;
  if (input[from] === b0 && input[from + 1] === b1 && input[from + 2] === b2 && input[from + 3] === b3)
    return from;
  for (let at = input.indexOf(b0, from); at >= 0 && at + 4 <= input.length; at = input.indexOf(b0, at + 1)) {
    if (input[at + 1] === b1 && input[at + 2] === b2 && input[at + 3] === b3) return at;
  }
  return -1;
}

const IDENTIFIER_TEXT = hexNumber(OTA_FILE_IDENTIFIER, 8);

/** Options for reading the file at `offset` as GBCS. */
function gbcsOptions(offset: number, options: ParseImageOptions): GbcsParseOptions {
  return options.signed === undefined ? { offset } : { offset, signed: options.signed };
}

/** Parses the file starting at `offset` in the format asked for. */
function parseAt(input: Uint8Array, offset: number, options: ParseImageOptions): OtaImage {
  const format = options.format ?? 'auto';
  if (format === 'gbcs') return parseGbcsImage(input, gbcsOptions(offset, options));
  if (format === 'zigbee') return parseZigbeeImage(input, { offset });
  try {
    return parseZigbeeImage(input, { offset });
  } catch (error) {
    if (!(error instanceof DecodeError) || !error.code.startsWith('ELEMENT_')) throw error;
    const gbcs = parseGbcsImage(input, gbcsOptions(offset, options));
    if (gbcs.signature) return gbcs;
    throw new DecodeError(
      error.code,
      `${error.message}, and the file does not end with a GBCS signature trailer`,
      error.offset,
    );
  }
}

/** Parses an OTA file of either format from `input`. */
export function parseImage(input: Uint8Array, options: ParseImageOptions = {}): OtaImage {
  const first = findIdentifier(input);
  // The common case stays small so that it is optimised on its own (measured in bench/).
  return first === 0 ? parseAt(input, 0, options) : parseElsewhere(input, first, options);
}

/** The file does not start at offset 0: refuse, or (scanning) try each identifier in turn. */
function parseElsewhere(input: Uint8Array, first: number, options: ParseImageOptions): OtaImage {
  if (first < 0) {
    if (options.scan) {
      throw new DecodeError(
        'IDENTIFIER_NOT_FOUND',
        `identifier: ${IDENTIFIER_TEXT} occurs nowhere in the ${input.length} bytes`,
        0,
      );
    }
    readOtaHeader(input); // throws WRONG_IDENTIFIER (or UNEXPECTED_END) with the value found
  }
  if (!options.scan) {
    throw new DecodeError(
      'IDENTIFIER_NOT_AT_START',
      `identifier: ${IDENTIFIER_TEXT} found at offset ${first}, not 0 (the OTA file sits inside a container)`,
      first,
    );
  }
  // A container may hold the identifier's bytes by chance before the real file: try each.
  let firstError: unknown;
  for (let at = first; at >= 0; at = findIdentifier(input, at + 1)) {
    try {
      return parseAt(input, at, options);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      firstError ??= error;
    }
  }
  throw firstError;
}
