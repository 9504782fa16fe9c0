/**
 * GBCS OTA Upgrade Images (GBCS §11.2, DESIGN.md §2): the ZigBee OTA header, then the
 * Manufacturer Image with no sub-element framing, then — in the signed form sent to ESME,
 * GSME, HCALCS and CHF — one flag byte, 0x40 and the supplier's 64-byte ECDSA P-256 signature
 * over the Manufacturer Image. The PPMID/IHD form has no trailer.
 *
 * Nothing in the header says which form a file has. Unless the caller declares it, a file is
 * taken as signed when it ends with what looks like a trailer; an unsigned image whose
 * Manufacturer Image has 0x40 at that place (1 in 256) then reads wrongly, so the result says
 * whether the form was declared or guessed.
 */
import { ByteWriter, checkUint } from '../bytes/byte-writer.ts';
import { DecodeError, EncodeError } from '../errors/errors.ts';
import { GBCS_TRAILER, MAX_TOTAL_IMAGE_SIZE } from './constants.ts';
import {
  encodeOtaHeader,
  headerLayout,
  type OtaHeader,
  type OtaHeaderFields,
  readOtaHeader,
} from './header.ts';
import { checkDeclaredSize, type ImageLocation } from './image-location.ts';

/** A slice of the file: absolute offset, length and the bytes (a view). */
export interface ImageRegion {
  readonly offset: number;
  readonly length: number;
  readonly data: Uint8Array;
}

/** The supplier signature trailer. */
export interface GbcsSignature {
  /** Absolute offset of the flag byte. */
  readonly offset: number;
  readonly flag: number;
  /** r‖s, 64 bytes. */
  readonly value: Uint8Array;
}

/** A parsed GBCS OTA Upgrade Image. */
export interface GbcsImage extends ImageLocation {
  readonly format: 'gbcs';
  readonly header: OtaHeader;
  readonly manufacturerImage: ImageRegion;
  /** Absent in the unsigned (PPMID/IHD) form. */
  readonly signature?: GbcsSignature;
  /** `declared`: the caller said whether the file is signed; `detected`: it was guessed. */
  readonly form: 'declared' | 'detected';
}

/** What `buildGbcsImage` takes. Without `signature` the unsigned form is built. */
export interface GbcsImageInput {
  readonly header: OtaHeaderFields;
  readonly manufacturerImage: Uint8Array;
  readonly signature?: { readonly flag: number; readonly value: Uint8Array };
}

/** Options of `parseGbcsImage`. */
export interface GbcsParseOptions {
  /** Where the file starts in the input (0 unless a container wraps it). */
  readonly offset?: number;
  /**
   * `true`: the file must end with a signature trailer; `false`: it has none (PPMID/IHD form);
   * absent: signed exactly when the file ends with a trailer (…, 0x40, 64 bytes).
   */
  readonly signed?: boolean;
}

/** Position of the trailer's flag byte in a file of `length` bytes (may be before the header). */
function flagPosition(length: number): number {
  return length - GBCS_TRAILER.length;
}

/** True when `file` (header of `headerLength` bytes) ends with a GBCS signature trailer. */
export function hasGbcsTrailer(file: Uint8Array, headerLength: number): boolean {
  const flagAt = flagPosition(file.length);
  return (
    flagAt >= headerLength &&
    file[flagAt + GBCS_TRAILER.lengthByteOffset] === GBCS_TRAILER.signatureLengthByte
  );
}

/** Parses a GBCS OTA Upgrade Image. */
export function parseGbcsImage(input: Uint8Array, options: GbcsParseOptions = {}): GbcsImage {
  const offset = options.offset ?? 0;
  const header = readOtaHeader(input, offset);
  const { bytes: file, trailingBytes } = checkDeclaredSize(input, offset, header);
  const start = header.headerLength;
  const form = options.signed === undefined ? 'detected' : 'declared';
  const signed = options.signed ?? hasGbcsTrailer(file, start);
  const flagAt = flagPosition(file.length);
  if (signed && !hasGbcsTrailer(file, start)) {
    throw new DecodeError(
      'GBCS_TRAILER_MISSING',
      flagAt < start
        ? `signature: the ${file.length - start} bytes after the header cannot hold the ${GBCS_TRAILER.length}-byte signature trailer`
        : `signature: the byte at offset ${offset + flagAt + GBCS_TRAILER.lengthByteOffset} is not 0x40, so the file does not end with a flag byte, 0x40 and a 64-byte signature`,
      offset + Math.max(start, flagAt + GBCS_TRAILER.lengthByteOffset),
    );
  }
  const end = signed ? flagAt : file.length;
  const data = file.subarray(start, end);
  const common = {
    format: 'gbcs' as const,
    header,
    offset,
    bytes: file,
    trailingBytes,
    form,
    manufacturerImage: { offset: offset + start, length: data.length, data },
  } satisfies Partial<GbcsImage>;
  if (!signed) return common;
  return {
    ...common,
    signature: {
      offset: offset + flagAt,
      flag: file[flagAt] as number,
      value: file.subarray(flagAt + GBCS_TRAILER.signatureOffset),
    },
  };
}

/** Builds the bytes of a GBCS OTA Upgrade Image. */
export function buildGbcsImage(input: GbcsImageInput): Uint8Array {
  const { headerLength } = headerLayout(input.header);
  const trailer = input.signature ? GBCS_TRAILER.length : 0;
  const total = headerLength + input.manufacturerImage.length + trailer;
  if (total > MAX_TOTAL_IMAGE_SIZE) {
    throw new EncodeError('IMAGE_TOO_LARGE', `totalImageSize: ${total} does not fit in 32 bits`);
  }
  const w = new ByteWriter({ littleEndian: true, initialCapacity: total });
  encodeOtaHeader(w, input.header, total);
  w.bytes(input.manufacturerImage);
  if (input.signature) {
    if (input.signature.value.length !== GBCS_TRAILER.signatureLength) {
      throw new RangeError(
        `signature.value: must be ${GBCS_TRAILER.signatureLength} bytes, got ${input.signature.value.length}`,
      );
    }
    w.u8(checkUint(input.signature.flag, 8, 'signature.flag'), 'signature.flag');
    w.u8(GBCS_TRAILER.signatureLengthByte, 'signature.length');
    w.bytes(input.signature.value);
  }
  return w.finish();
}
