/**
 * The 12-byte DLMS date-time (IEC 62056-6-2 §4.1.6.1) of GBCS messages, written as the RTDS 4.5.0
 * device messages write it (UTC, day of week, deviation and clock status "not specified") and read
 * back as ISO-8601 UTC.
 */
import { ByteWriter } from '../bytes/byte-writer.ts';
import { civilFromDays } from './cs06.ts';

/** The ZigBee UTCTime epoch, 2000-01-01T00:00:00Z, in seconds since the Unix epoch. */
export const ZIGBEE_EPOCH_UNIX_S = 946_684_800;

/**
 * ZigBee UTCTime (seconds since 2000) as a 12-byte DLMS date-time in UTC, written as the RTDS 4.5.0
 * device messages write theirs: day of week, deviation and clock status "not specified" (0xFF,
 * 0x8000, 0xFF).
 */
export function dlmsDateTime(utcTime: number): Uint8Array {
  const days = Math.floor(utcTime / 86_400);
  const seconds = utcTime % 86_400;
  // Days since 2000-01-01 as days since 1970-01-01.
  const { year, month, day } = civilFromDays(days + 10_957);
  return new ByteWriter({ littleEndian: false, initialCapacity: 12 })
    .u16(year, 'year')
    .u8(month, 'month')
    .u8(day, 'day')
    .u8(DLMS_NOT_SPECIFIED.dayOfWeek, 'day of week')
    .u8(Math.floor(seconds / 3600), 'hour')
    .u8(Math.floor((seconds % 3600) / 60), 'minute')
    .u8(seconds % 60, 'second')
    .u8(0, 'hundredths')
    .u16(DLMS_NOT_SPECIFIED.deviation, 'deviation')
    .u8(DLMS_NOT_SPECIFIED.clockStatus, 'clock status')
    .finish();
}

/** DLMS date-time fields left "not specified" (IEC 62056-6-2 §4.1.6.1). */
const DLMS_NOT_SPECIFIED = { dayOfWeek: 0xff, deviation: 0x8000, clockStatus: 0xff } as const;

/** Reads a 12-byte DLMS date-time as ISO-8601 UTC when every field is specified. */
export function dlmsDateTimeIso(bytes: Uint8Array): string | undefined {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const year = v.getUint16(0);
  const [month, day, , hour, minute, second] = [2, 3, 4, 5, 6, 7].map((i) => bytes[i] as number) as number[];
  if (
    year === 0xffff ||
    month === 0xff ||
    day === 0xff ||
    hour === 0xff ||
    minute === 0xff ||
    second === 0xff
  )
    return undefined;
  const two = (n: number | undefined) => String(n).padStart(2, '0');
  return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}Z`;
}
