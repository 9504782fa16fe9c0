/**
 * Where an OTA file sits in the bytes it was read from: its start (non-zero inside vendor
 * containers), its declared extent, and what follows it. Shared by both image formats.
 */
import { DecodeError } from '../errors/errors.ts';
import { OTA_HEADER_OFFSET } from './constants.ts';
import type { OtaHeader } from './header.ts';

/** The file's place in its input. */
export interface ImageLocation {
  /** Offset of the identifier in the input (0 for a bare file). */
  readonly offset: number;
  /** The file: `totalImageSize` bytes from `offset` (a view, no copy). */
  readonly bytes: Uint8Array;
  /** Bytes in the input after the declared total image size. */
  readonly trailingBytes: number;
}

/** Checks that the input holds the declared total size; throws `TRUNCATED` naming the shortfall. */
export function checkDeclaredSize(input: Uint8Array, offset: number, header: OtaHeader): ImageLocation {
  const available = input.length - offset;
  if (header.totalImageSize > available) {
    throw new DecodeError(
      'TRUNCATED',
      `totalImageSize: declares ${header.totalImageSize} bytes but the file has only ${available} from offset ${offset} (${header.totalImageSize - available} missing)`,
      offset + OTA_HEADER_OFFSET.totalImageSize,
    );
  }
  return {
    offset,
    bytes: input.subarray(offset, offset + header.totalImageSize),
    trailingBytes: available - header.totalImageSize,
  };
}
