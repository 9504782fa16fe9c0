/**
 * CS06 Activate Firmware (GBCS use case CS06, SRV 11.3, message code 0x0012): the command's DER
 * content `SEQUENCE { OCTET STRING(32) hash, INTEGER counter, GeneralizedTime OPTIONAL }` and
 * the device's response content, as in DCC RTDS 4.5.0. A cancellation is a command dated
 * 9999-12-31T23:59:59Z.
 */
import { ByteReader } from '../bytes/byte-reader.ts';
import { DER_TAG, derContents, encodeDer, expectDer, readDer } from '../bytes/der.ts';
import { DecodeError, EncodeError } from '../errors/errors.ts';

/** Message code of CS06 Activate Firmware. */
export const CS06_MESSAGE_CODE = 0x0012;
/** Length of a Manufacturer Image hash (SHA-256). */
export const MANUFACTURER_IMAGE_HASH_LENGTH = 32;
/** The execution date-time that cancels a pending future-dated activation. */
export const CS06_CANCELLATION_TIME = '9999-12-31T23:59:59Z';

/** The content of a CS06 command. */
export interface Cs06Command {
  /** SHA-256 of the Manufacturer Image to activate. */
  readonly hash: Uint8Array;
  /** Must equal the transaction id's counter. */
  readonly counter: bigint;
  /** ISO-8601 UTC, seconds precision; absent for an immediate activation. */
  readonly executeAt?: string;
}

/** True when the command cancels a pending future-dated activation rather than scheduling one. */
export function isCancellation(command: Cs06Command): boolean {
  return command.executeAt === CS06_CANCELLATION_TIME;
}

/** A non-negative DER INTEGER. */
export function encodeUnsignedInteger(value: bigint, field: string): Uint8Array {
  if (value < 0n) throw new EncodeError('DER_INTEGER', `${field}: ${value} is negative`);
  const bytes: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  if (bytes.length === 0 || (bytes[0] as number) & 0x80) bytes.unshift(0);
  return encodeDer(DER_TAG.INTEGER, Uint8Array.from(bytes));
}

/** A non-negative DER INTEGER as a bigint; refuses negative and non-minimal encodings. */
export function decodeUnsignedInteger(reader: ByteReader, field: string): bigint {
  const node = expectDer(reader, DER_TAG.INTEGER, field);
  const v = node.value;
  if (v.length === 0) throw new DecodeError('DER_INTEGER', `${field}: empty INTEGER`, node.offset);
  if ((v[0] as number) & 0x80) throw new DecodeError('DER_INTEGER', `${field}: negative`, node.valueOffset);
  if (v.length > 1 && v[0] === 0 && !((v[1] as number) & 0x80))
    throw new DecodeError('DER_INTEGER', `${field}: not in its shortest form`, node.valueOffset);
  let value = 0n;
  for (const b of v) value = (value << 8n) | BigInt(b);
  return value;
}

const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
const ISO_SECONDS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** Checks calendar ranges of a time split into parts; returns an error message or undefined. */
function badTime(parts: readonly number[]): string | undefined {
  const [y, mo, d, h, mi, s] = parts as [number, number, number, number, number, number];
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = mo === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(mo) ? 30 : 31;
  if (mo < 1 || mo > 12) return `month ${mo}`;
  if (d < 1 || d > days) return `day ${d}`;
  if (h > 23 || mi > 59 || s > 59) return `time ${h}:${mi}:${s}`;
  return undefined;
}

/** Days from 1970-01-01 to a civil date (proleptic Gregorian; H. Hinnant's algorithm). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** `YYYY-MM-DDTHH:MM:SSZ` (as `decodeGeneralizedTime` gives it) → seconds since the Unix epoch. */
export function isoToUnixSeconds(iso: string): number {
  const m = ISO_SECONDS.exec(iso);
  if (!m) throw new RangeError(`time: '${iso}' is not YYYY-MM-DDTHH:MM:SSZ`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return daysFromCivil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s;
}

/** The civil date of a day counted from 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return {
    year: yoe + era * 400 + (month <= 2 ? 1 : 0),
    month,
    day: doy - Math.floor((153 * mp + 2) / 5) + 1,
  };
}

/** Seconds since the Unix epoch → `YYYY-MM-DDTHH:MM:SSZ`. */
export function unixSecondsToIso(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const rest = seconds - days * 86_400;
  const { year, month, day } = civilFromDays(days);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(Math.floor(rest / 3600))}:${two(Math.floor((rest % 3600) / 60))}:${two(rest % 60)}Z`;
}

/** `YYYY-MM-DDTHH:MM:SSZ` → DER GeneralizedTime `YYYYMMDDHHMMSSZ`. */
export function encodeGeneralizedTime(iso: string, field: string): Uint8Array {
  const m = ISO_SECONDS.exec(iso);
  if (!m) throw new EncodeError('GBCS_TIME', `${field}: '${iso}' is not YYYY-MM-DDTHH:MM:SSZ`);
  const parts = m.slice(1).map(Number);
  const bad = badTime(parts);
  if (bad) throw new EncodeError('GBCS_TIME', `${field}: '${iso}' has an impossible ${bad}`);
  return encodeDer(DER_TAG.GENERALIZED_TIME, new TextEncoder().encode(`${m.slice(1).join('')}Z`));
}

/** A UTC GeneralizedTime `YYYYMMDDHHMMSSZ` as ISO-8601. */
export function decodeGeneralizedTime(reader: ByteReader, field: string): string {
  const node = expectDer(reader, DER_TAG.GENERALIZED_TIME, field);
  const text = String.fromCharCode(...node.value);
  const m = GENERALIZED_TIME.exec(text);
  if (!m)
    throw new DecodeError(
      'GBCS_TIME',
      `${field}: '${text}' is not a UTC GeneralizedTime YYYYMMDDHHMMSSZ`,
      node.valueOffset,
    );
  const bad = badTime(m.slice(1).map(Number));
  if (bad)
    throw new DecodeError('GBCS_TIME', `${field}: '${text}' has an impossible ${bad}`, node.valueOffset);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`;
}

/** The DER content of a CS06 command. */
export function encodeCs06Command(command: Cs06Command): Uint8Array {
  if (command.hash.length !== MANUFACTURER_IMAGE_HASH_LENGTH)
    throw new EncodeError('GBCS_FIELD_LENGTH', `hash: ${command.hash.length} bytes, expected 32`);
  return encodeDer(
    DER_TAG.SEQUENCE,
    encodeDer(DER_TAG.OCTET_STRING, command.hash),
    encodeUnsignedInteger(command.counter, 'counter'),
    ...(command.executeAt === undefined ? [] : [encodeGeneralizedTime(command.executeAt, 'executeAt')]),
  );
}

/** Decodes CS06 command content found at `baseOffset` of the message. */
export function decodeCs06Command(content: Uint8Array, baseOffset = 0): Cs06Command {
  const reader = new ByteReader(content, { littleEndian: false, baseOffset });
  const seq = derContents(expectDer(reader, DER_TAG.SEQUENCE, 'CS06 content'));
  if (reader.remaining)
    throw new DecodeError('GBCS_TRAILING_BYTES', 'CS06 content: bytes after the SEQUENCE', reader.offset);
  const hashNode = expectDer(seq, DER_TAG.OCTET_STRING, 'CS06 hash');
  if (hashNode.value.length !== MANUFACTURER_IMAGE_HASH_LENGTH) {
    throw new DecodeError(
      'GBCS_FIELD_LENGTH',
      `CS06 hash: ${hashNode.value.length} bytes, expected 32 (SHA-256)`,
      hashNode.offset,
    );
  }
  const counter = decodeUnsignedInteger(seq, 'CS06 counter');
  const executeAt = seq.remaining ? decodeGeneralizedTime(seq, 'CS06 execution date-time') : undefined;
  if (seq.remaining)
    throw new DecodeError('GBCS_TRAILING_BYTES', 'CS06 content: extra fields in the SEQUENCE', seq.offset);
  return { hash: hashNode.value, counter, ...(executeAt !== undefined && { executeAt }) };
}

/** Activation outcomes a device reports in a CS06 response (and in alert 0x00CA). */
export const ACTIVATION_OUTCOME = {
  success: 0,
  noImageHeld: 1,
  hashMismatch: 2,
  activationFailure: 3,
} as const;
/** Name of an activation outcome. */
export type ActivationOutcome = keyof typeof ACTIVATION_OUTCOME;

/** The content of a CS06 response. */
export type Cs06Response =
  | { readonly kind: 'commandAccepted' }
  | {
      readonly kind: 'executed';
      readonly outcome: ActivationOutcome;
      /** The firmware version the device runs after the command, 4 bytes. */
      readonly firmwareVersion: Uint8Array;
    };

/** Length of a GBCS firmware version. */
export const FIRMWARE_VERSION_LENGTH = 4;

/** The DER content of a CS06 response. */
export function encodeCs06Response(response: Cs06Response): Uint8Array {
  if (response.kind === 'commandAccepted') return encodeDer(DER_TAG.NULL);
  if (response.firmwareVersion.length !== FIRMWARE_VERSION_LENGTH)
    throw new EncodeError(
      'GBCS_FIELD_LENGTH',
      `firmwareVersion: ${response.firmwareVersion.length} bytes, expected 4`,
    );
  return encodeDer(
    DER_TAG.SEQUENCE,
    encodeUnsignedInteger(BigInt(ACTIVATION_OUTCOME[response.outcome]), 'outcome'),
    encodeDer(DER_TAG.OCTET_STRING, response.firmwareVersion),
  );
}

/** Decodes CS06 response content found at `baseOffset` of the message. */
export function decodeCs06Response(content: Uint8Array, baseOffset = 0): Cs06Response {
  const reader = new ByteReader(content, { littleEndian: false, baseOffset });
  const node = readDer(reader, 'CS06 response');
  if (reader.remaining)
    throw new DecodeError('GBCS_TRAILING_BYTES', 'CS06 response: bytes after the value', reader.offset);
  if (node.tag === DER_TAG.NULL) {
    if (node.value.length) throw new DecodeError('DER_NULL', 'CS06 response: NULL with content', node.offset);
    return { kind: 'commandAccepted' };
  }
  if (node.tag !== DER_TAG.SEQUENCE)
    throw new DecodeError(
      'DER_UNEXPECTED_TAG',
      `CS06 response: tag 0x${node.tag.toString(16)}, expected NULL or SEQUENCE`,
      node.offset,
    );
  const seq = derContents(node);
  const outcomeOffset = seq.offset;
  const value = decodeUnsignedInteger(seq, 'CS06 response outcome');
  const outcome = (Object.keys(ACTIVATION_OUTCOME) as ActivationOutcome[]).find(
    (k) => BigInt(ACTIVATION_OUTCOME[k]) === value,
  );
  if (!outcome)
    throw new DecodeError(
      'GBCS_OUTCOME',
      `CS06 response outcome: ${value} is not a known activation outcome`,
      outcomeOffset,
    );
  const version = expectDer(seq, DER_TAG.OCTET_STRING, 'CS06 response firmware version');
  if (version.value.length !== FIRMWARE_VERSION_LENGTH)
    throw new DecodeError(
      'GBCS_FIELD_LENGTH',
      `CS06 response firmware version: ${version.value.length} bytes, expected 4`,
      version.offset,
    );
  if (seq.remaining)
    throw new DecodeError('GBCS_TRAILING_BYTES', 'CS06 response: extra fields in the SEQUENCE', seq.offset);
  return { kind: 'executed', outcome, firmwareVersion: version.value };
}
