/**
 * DLMS/COSEM A-XDR length fields as GBCS uses them (GBCS §7.2, IEC 62056-5-3 §A.2): one byte
 * below 0x80, otherwise `81 xx` or `82 xx xx`. Longer forms cannot occur in a GBCS APDU.
 */
import type { ByteReader } from '../bytes/byte-reader.ts';
import { DecodeError, EncodeError } from '../errors/errors.ts';

/** Largest length a GBCS APDU field can carry (the `82 xx xx` form). */
export const MAX_DLMS_LENGTH = 0xffff;

/** Reads a length at the reader's cursor; refuses forms GBCS does not use and non-minimal ones. */
export function readDlmsLength(reader: ByteReader, field: string): number {
  const offset = reader.offset;
  const first = reader.u8(`${field} length`);
  if (first < 0x80) return first;
  if (first === 0x81) {
    const n = reader.u8(`${field} length`);
    if (n < 0x80)
      throw new DecodeError('DLMS_LENGTH', `${field}: length ${n} is not in its shortest form`, offset);
    return n;
  }
  if (first === 0x82) {
    const n = reader.u16(`${field} length`);
    if (n < 0x100)
      throw new DecodeError('DLMS_LENGTH', `${field}: length ${n} is not in its shortest form`, offset);
    return n;
  }
  throw new DecodeError(
    'DLMS_LENGTH',
    `${field}: length byte 0x${first.toString(16).padStart(2, '0')} is not a GBCS length form (< 0x80, 0x81, 0x82)`,
    offset,
  );
}

/** The shortest length field for `length`. */
export function encodeDlmsLength(length: number, field: string): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > MAX_DLMS_LENGTH)
    throw new EncodeError('DLMS_LENGTH', `${field}: length ${length} does not fit a GBCS length field`);
  if (length < 0x80) return Uint8Array.of(length);
  if (length < 0x100) return Uint8Array.of(0x81, length);
  return Uint8Array.of(0x82, length >> 8, length & 0xff);
}
