/**
 * GBCS OTA Upgrade Images (GBCS §11.2, DESIGN.md §2): the ZigBee OTA header, then the
 * Manufacturer Image with no sub-element framing, then — in the signed form sent to ESME,
 * GSME, HCALCS and CHF — one flag byte, 0x40 and the supplier's 64-byte ECDSA P-256 signature
 * over the Manufacturer Image. The PPMID/IHD form has no trailer.
 */
import { ByteWriter, checkUint } from '../bytes/byte-writer.ts';
import { DecodeError, EncodeError } from '../errors/errors.ts';
import { GBCS_TRAILER } from './constants.ts';
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
}

/** What `buildGbcsImage` takes. Without `signature` the unsigned form is built. */
export interface GbcsImageInput {
  readonly header: OtaHeaderFields;
  readonly manufacturerImage: Uint8Array;
  readonly signature?: { readonly flag: number; readonly value: Uint8Array };
}

/** True when the `length` bytes of `file` after a header of `headerLength` end with a GBCS signature trailer. */
export function hasGbcsTrailer(file: Uint8Array, headerLength: number): boolean {
  return (
    file.length - headerLength >= GBCS_TRAILER.length &&
    file[file.length - GBCS_TRAILER.signatureLength - 1] === GBCS_TRAILER.signatureLengthByte
  );
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

/** Parses a GBCS OTA Upgrade Image. */
export function parseGbcsImage(input: Uint8Array, options: GbcsParseOptions = {}): GbcsImage {
  const offset = options.offset ?? 0;
  const header = readOtaHeader(input, offset);
  const { bytes: file, trailingBytes } = checkDeclaredSize(input, offset, header);
  const location = { offset, bytes: file, trailingBytes };
  const start = header.headerLength;
  const signed = options.signed ?? hasGbcsTrailer(file, start);
  if (signed && !hasGbcsTrailer(file, start)) {
    throw new DecodeError(
      'GBCS_TRAILER_MISSING',
      `signature: the file does not end with a flag byte, 0x40 and a 64-byte signature (byte at offset ${offset + file.length - GBCS_TRAILER.signatureLength - 1} is not 0x40, or the file is too short)`,
      offset + Math.max(start, file.length - GBCS_TRAILER.signatureLength - 1),
    );
  }
  if (!signed) {
    const data = file.subarray(start);
    return {
      format: 'gbcs',
      header,
      ...location,
      manufacturerImage: { offset: offset + start, length: data.length, data },
    };
  }
  const flagAt = file.length - GBCS_TRAILER.length;
  const data = file.subarray(start, flagAt);
  return {
    format: 'gbcs',
    header,
    ...location,
    manufacturerImage: { offset: offset + start, length: data.length, data },
    signature: {
      offset: offset + flagAt,
      flag: file[flagAt] as number,
      value: file.subarray(flagAt + 2),
    },
  };
}

/** Builds the bytes of a GBCS OTA Upgrade Image. */
export function buildGbcsImage(input: GbcsImageInput): Uint8Array {
  const { headerLength } = headerLayout(input.header);
  const trailer = input.signature ? GBCS_TRAILER.length : 0;
  const total = headerLength + input.manufacturerImage.length + trailer;
  if (total > 0xffff_ffff)
    throw new EncodeError('IMAGE_TOO_LARGE', `totalImageSize: ${total} does not fit in 32 bits`);
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
