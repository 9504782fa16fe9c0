/**
 * Reading an OTA file of either format: find the file identifier (at offset 0, or inside a
 * vendor container when scanning), then choose the format. `auto` picks zigbee when the
 * sub-elements tile the file exactly, gbcs when they do not and the file ends with a GBCS
 * signature trailer, and otherwise reports the first sub-element that does not fit.
 */
import { DecodeError } from '../errors/errors.ts';
import { OTA_FILE_IDENTIFIER } from './constants.ts';
import { type GbcsImage, parseGbcsImage } from './gbcs-image.ts';
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
  /** Look for the identifier anywhere in the input, not only at offset 0 (vendor containers). */
  readonly scan?: boolean;
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

/** Where the file starts: 0, or (scanning) the first identifier; throws when it cannot start there. */
function locate(input: Uint8Array, scan: boolean): number {
  const at = findIdentifier(input);
  if (at === 0) return 0;
  if (at > 0 && scan) return at;
  if (at > 0) {
    throw new DecodeError(
      'IDENTIFIER_NOT_AT_START',
      `identifier: 0x0beef11e found at offset ${at}, not 0 (the OTA file sits inside a container)`,
      at,
    );
  }
  if (scan) {
    throw new DecodeError(
      'IDENTIFIER_NOT_FOUND',
      `identifier: 0x0beef11e occurs nowhere in the ${input.length} bytes`,
      0,
    );
  }
  readOtaHeader(input); // throws WRONG_IDENTIFIER (or UNEXPECTED_END) with the value found
  throw new DecodeError('WRONG_IDENTIFIER', 'identifier: not found at offset 0', 0);
}

/** Parses an OTA file of either format from `input`. */
export function parseImage(input: Uint8Array, options: ParseImageOptions = {}): OtaImage {
  const offset = locate(input, options.scan ?? false);
  const format = options.format ?? 'auto';
  if (format === 'zigbee') return parseZigbeeImage(input, { offset });
  if (format === 'gbcs') return parseGbcsImage(input, { offset });
  try {
    return parseZigbeeImage(input, { offset });
  } catch (error) {
    if (!(error instanceof DecodeError) || !error.code.startsWith('ELEMENT_')) throw error;
    const gbcs = parseGbcsImage(input, { offset });
    if (gbcs.signature) return gbcs;
    throw new DecodeError(
      error.code,
      `${error.message}, and the file does not end with a GBCS signature trailer`,
      error.offset,
    );
  }
}
