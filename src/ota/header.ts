/**
 * The ZigBee OTA Upgrade file header (ZCL §11.4.2): decode and encode side by side. Shared by
 * ZigBee OTA files and GBCS OTA Upgrade Images, which use the same header.
 */
import { ByteReader } from '../bytes/byte-reader.ts';
import { type ByteWriter, checkUint } from '../bytes/byte-writer.ts';
import { fromHex, hexNumber, toHex } from '../bytes/hex.ts';
import { DecodeError, EncodeError } from '../errors/errors.ts';
import {
  FIELD_CONTROL,
  FIELD_CONTROL_KNOWN_BITS,
  OPTIONAL_FIELD_LENGTH,
  OTA_BASE_HEADER_LENGTH,
  OTA_FILE_IDENTIFIER,
  OTA_HEADER_OFFSET,
  OTA_HEADER_STRING_LENGTH,
  OTA_HEADER_VERSION,
} from './constants.ts';

/** The header fields a builder chooses; the rest is derived from them. */
export interface OtaHeaderFields {
  readonly manufacturerCode: number;
  readonly imageType: number;
  readonly fileVersion: number;
  readonly zigbeeStackVersion: number;
  /** Exactly 32 bytes, as stored (usually text padded with NULs). */
  readonly headerString: Uint8Array;
  readonly securityCredentialVersion?: number;
  /** EUI-64 as 16 lowercase hex digits, most significant byte first (sent little-endian). */
  readonly upgradeFileDestination?: string;
  readonly minimumHardwareVersion?: number;
  readonly maximumHardwareVersion?: number;
}

/** A decoded header: the chosen fields plus those derived from them. */
export interface OtaHeader extends OtaHeaderFields {
  readonly headerVersion: number;
  readonly headerLength: number;
  readonly fieldControl: number;
  /** The whole file's size as the header declares it. */
  readonly totalImageSize: number;
}

/** Field control and header length implied by which optional fields are present. */
export function headerLayout(fields: OtaHeaderFields): { fieldControl: number; headerLength: number } {
  let fieldControl = 0;
  if (fields.securityCredentialVersion !== undefined) fieldControl |= FIELD_CONTROL.securityCredentialVersion;
  if (fields.upgradeFileDestination !== undefined) fieldControl |= FIELD_CONTROL.upgradeFileDestination;
  if (fields.minimumHardwareVersion !== undefined || fields.maximumHardwareVersion !== undefined) {
    fieldControl |= FIELD_CONTROL.hardwareVersions;
  }
  return { fieldControl, headerLength: headerLengthFor(fieldControl) };
}

/** Header length for each combination of the three optional-field bits (built once: hot path). */
const HEADER_LENGTH_BY_FIELD_CONTROL: readonly number[] = Array.from(
  { length: FIELD_CONTROL_KNOWN_BITS + 1 },
  (_, bits) =>
    Object.entries(FIELD_CONTROL).reduce(
      (length, [field, bit]) =>
        bits & bit ? length + OPTIONAL_FIELD_LENGTH[field as keyof typeof FIELD_CONTROL] : length,
      OTA_BASE_HEADER_LENGTH,
    ),
);

/** The header length a field control implies: the fixed header plus each optional field it sets. */
export function headerLengthFor(fieldControl: number): number {
  return HEADER_LENGTH_BY_FIELD_CONTROL[fieldControl & FIELD_CONTROL_KNOWN_BITS] as number;
}

/**
 * Decodes the header at the reader's position (the start of the file; offsets reported are the
 * reader's, absolute in the input). Checks the identifier, the header version, the header length
 * against the field control, the hardware range, and the declared total size against the header
 * length; it does not look at the bytes after the header. Leaves the reader after the header.
 */
export function decodeOtaHeader(r: ByteReader): OtaHeader {
  const baseOffset = r.offset;
  const identifier = r.u32('identifier');
  if (identifier !== OTA_FILE_IDENTIFIER) {
    throw new DecodeError(
      'WRONG_IDENTIFIER',
      `identifier: expected ${hexNumber(OTA_FILE_IDENTIFIER, 8)}, found ${hexNumber(identifier, 8)}`,
      baseOffset,
    );
  }
  const headerVersion = r.u16('headerVersion');
  if (headerVersion !== OTA_HEADER_VERSION) {
    throw new DecodeError(
      'UNSUPPORTED_HEADER_VERSION',
      `headerVersion: ${hexNumber(headerVersion, 4)} is not supported (only ${hexNumber(OTA_HEADER_VERSION, 4)})`,
      baseOffset + OTA_HEADER_OFFSET.headerVersion,
    );
  }
  const headerLength = r.u16('headerLength');
  const fieldControl = r.u16('fieldControl');
  if (fieldControl & ~FIELD_CONTROL_KNOWN_BITS) {
    throw new DecodeError(
      'RESERVED_FIELD_CONTROL',
      `fieldControl: ${hexNumber(fieldControl, 4)} sets reserved bits ${hexNumber(fieldControl & ~FIELD_CONTROL_KNOWN_BITS, 4)}`,
      baseOffset + OTA_HEADER_OFFSET.fieldControl,
    );
  }
  const expectedLength = headerLengthFor(fieldControl);
  if (headerLength !== expectedLength) {
    throw new DecodeError(
      'HEADER_LENGTH_MISMATCH',
      `headerLength: ${headerLength} does not match field control ${hexNumber(fieldControl, 4)}, which needs ${expectedLength}`,
      baseOffset + OTA_HEADER_OFFSET.headerLength,
    );
  }
  const manufacturerCode = r.u16('manufacturerCode');
  const imageType = r.u16('imageType');
  const fileVersion = r.u32('fileVersion');
  const zigbeeStackVersion = r.u16('zigbeeStackVersion');
  const headerString = r.bytes(OTA_HEADER_STRING_LENGTH, 'headerString');
  const totalImageSize = r.u32('totalImageSize');
  const header: {
    -readonly [K in keyof OtaHeader]: OtaHeader[K];
  } = {
    headerVersion,
    headerLength,
    fieldControl,
    manufacturerCode,
    imageType,
    fileVersion,
    zigbeeStackVersion,
    headerString,
    totalImageSize,
  };
  if (fieldControl & FIELD_CONTROL.securityCredentialVersion) {
    header.securityCredentialVersion = r.u8('securityCredentialVersion');
  }
  if (fieldControl & FIELD_CONTROL.upgradeFileDestination) {
    header.upgradeFileDestination = toHex(
      r.bytes(OPTIONAL_FIELD_LENGTH.upgradeFileDestination, 'upgradeFileDestination').slice().reverse(),
    );
  }
  if (fieldControl & FIELD_CONTROL.hardwareVersions) {
    header.minimumHardwareVersion = r.u16('minimumHardwareVersion');
    header.maximumHardwareVersion = r.u16('maximumHardwareVersion');
  }
  if (totalImageSize < headerLength) {
    throw new DecodeError(
      'TOTAL_SIZE_TOO_SMALL',
      `totalImageSize: ${totalImageSize} is smaller than the ${headerLength}-byte header`,
      baseOffset + OTA_HEADER_OFFSET.totalImageSize,
    );
  }
  return header;
}

/** Decodes the header of the OTA file starting at `offset` in `input`. */
export function readOtaHeader(input: Uint8Array, offset = 0): OtaHeader {
  const r = new ByteReader(input, { littleEndian: true });
  r.seek(offset, 'identifier');
  return decodeOtaHeader(r);
}

/** Checks the fields a builder chose; throws `TypeError`/`RangeError`/`EncodeError` naming the field. */
export function checkHeaderFields(fields: OtaHeaderFields): void {
  checkUint(fields.manufacturerCode, 16, 'manufacturerCode');
  checkUint(fields.imageType, 16, 'imageType');
  checkUint(fields.fileVersion, 32, 'fileVersion');
  checkUint(fields.zigbeeStackVersion, 16, 'zigbeeStackVersion');
  if (
    !(fields.headerString instanceof Uint8Array) ||
    fields.headerString.length !== OTA_HEADER_STRING_LENGTH
  ) {
    throw new RangeError(`headerString: must be exactly ${OTA_HEADER_STRING_LENGTH} bytes`);
  }
  if (fields.securityCredentialVersion !== undefined) {
    checkUint(fields.securityCredentialVersion, 8, 'securityCredentialVersion');
  }
  if (fields.upgradeFileDestination !== undefined && !/^[0-9a-f]{16}$/.test(fields.upgradeFileDestination)) {
    throw new RangeError('upgradeFileDestination: must be an EUI-64 as 16 lowercase hex digits');
  }
  const { minimumHardwareVersion: min, maximumHardwareVersion: max } = fields;
  if ((min === undefined) !== (max === undefined)) {
    throw new EncodeError(
      'HARDWARE_RANGE',
      'minimumHardwareVersion: give both the minimum and the maximum, or neither',
    );
  }
  // An inverted range (minimum above maximum) is encoded as given: the codecs are faithful so
  // that every real file round-trips; `image verify` reports it and the CLI builder refuses it.
  if (min !== undefined && max !== undefined) {
    checkUint(min, 16, 'minimumHardwareVersion');
    checkUint(max, 16, 'maximumHardwareVersion');
  }
}

/** Encodes a header for a file of `totalImageSize` bytes into `w`. */
export function encodeOtaHeader(w: ByteWriter, fields: OtaHeaderFields, totalImageSize: number): void {
  checkHeaderFields(fields);
  const { fieldControl, headerLength } = headerLayout(fields);
  w.u32(OTA_FILE_IDENTIFIER, 'identifier')
    .u16(OTA_HEADER_VERSION, 'headerVersion')
    .u16(headerLength, 'headerLength')
    .u16(fieldControl, 'fieldControl')
    .u16(fields.manufacturerCode, 'manufacturerCode')
    .u16(fields.imageType, 'imageType')
    .u32(fields.fileVersion, 'fileVersion')
    .u16(fields.zigbeeStackVersion, 'zigbeeStackVersion')
    .bytes(fields.headerString)
    .u32(totalImageSize, 'totalImageSize');
  if (fields.securityCredentialVersion !== undefined)
    w.u8(fields.securityCredentialVersion, 'securityCredentialVersion');
  if (fields.upgradeFileDestination !== undefined) {
    w.bytes(fromHex(fields.upgradeFileDestination, 'upgradeFileDestination').reverse());
  }
  if (fields.minimumHardwareVersion !== undefined && fields.maximumHardwareVersion !== undefined) {
    w.u16(fields.minimumHardwareVersion, 'minimumHardwareVersion').u16(
      fields.maximumHardwareVersion,
      'maximumHardwareVersion',
    );
  }
}

/** The 32-byte header string for `text` (UTF-8, NUL padded); throws if it does not fit. */
export function headerStringFromText(text: string): Uint8Array {
  const encoded = new TextEncoder().encode(text);
  if (encoded.length > OTA_HEADER_STRING_LENGTH) {
    throw new RangeError(
      `headerString: '${text}' is ${encoded.length} bytes, at most ${OTA_HEADER_STRING_LENGTH} fit`,
    );
  }
  const out = new Uint8Array(OTA_HEADER_STRING_LENGTH);
  out.set(encoded);
  return out;
}

/** The header string as text: up to the first NUL, undecodable bytes replaced. */
export function headerStringText(headerString: Uint8Array): string {
  const end = headerString.indexOf(0);
  return new TextDecoder('utf-8').decode(end < 0 ? headerString : headerString.subarray(0, end));
}
