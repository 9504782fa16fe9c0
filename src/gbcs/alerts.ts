/**
 * The firmware alerts of GBCS devices (GBCS §11.2.6, §11.3; RTDS 4.5.0; DESIGN.md §2): the
 * future-dated activation outcome alert (message code 0x00CA, DER content, alert 0x8F66 or
 * 0x8F67), and the Firmware Distribution Receipt Alert — 0x8F72 when the supplier's signature
 * over a received image verifies, 0x8F1C when it does not — in GBZ form (GSME, HCALCS; message
 * code 0x00CF) and DLMS form (ESME; message code 0x00CE).
 */
import { ByteReader } from '../bytes/byte-reader.ts';
import { ByteWriter } from '../bytes/byte-writer.ts';
import { DER_TAG, derContents, encodeDer, expectDer } from '../bytes/der.ts';
import { DecodeError, EncodeError } from '../errors/errors.ts';
import {
  type ActivationOutcome,
  decodeCs06Response,
  decodeGeneralizedTime,
  decodeUnsignedInteger,
  encodeCs06Response,
  encodeGeneralizedTime,
  encodeUnsignedInteger,
  isoToUnixSeconds,
} from './cs06.ts';
import { dlmsDateTime, dlmsDateTimeIso, ZIGBEE_EPOCH_UNIX_S } from './dlms-date-time.ts';

/** Alert codes of the firmware use cases. */
export const ALERT_CODE = {
  futureDatedActivationSuccess: 0x8f66,
  futureDatedActivationFailure: 0x8f67,
  firmwareDistributionReceipt: 0x8f72,
  firmwareVerificationFailed: 0x8f1c,
} as const;

/** Message codes of the alerts here. */
export const ALERT_MESSAGE_CODE = {
  futureDatedActivation: 0x00ca,
  firmwareDistributionReceiptDlms: 0x00ce,
  firmwareDistributionReceiptGbz: 0x00cf,
} as const;

/** The outcome of a future-dated activation, reported when it was due. */
export interface FutureDatedActivationAlert {
  readonly alertCode:
    | typeof ALERT_CODE.futureDatedActivationSuccess
    | typeof ALERT_CODE.futureDatedActivationFailure;
  /** The command's execution time, ISO-8601 UTC. */
  readonly executeAt: string;
  /** The counter of the CS06 command that scheduled it. */
  readonly commandCounter: bigint;
  readonly outcome: ActivationOutcome;
  readonly firmwareVersion: Uint8Array;
}

/** The DER content of alert 0x00CA. */
export function encodeFutureDatedActivationAlert(alert: FutureDatedActivationAlert): Uint8Array {
  return encodeDer(
    DER_TAG.SEQUENCE,
    encodeUnsignedInteger(BigInt(alert.alertCode), 'alertCode'),
    encodeGeneralizedTime(alert.executeAt, 'executeAt'),
    encodeUnsignedInteger(alert.commandCounter, 'commandCounter'),
    encodeCs06Response({ kind: 'executed', outcome: alert.outcome, firmwareVersion: alert.firmwareVersion }),
  );
}

/** Decodes the content of alert 0x00CA found at `baseOffset` of the message. */
export function decodeFutureDatedActivationAlert(
  content: Uint8Array,
  baseOffset = 0,
): FutureDatedActivationAlert {
  const reader = new ByteReader(content, { littleEndian: false, baseOffset });
  const seq = derContents(expectDer(reader, DER_TAG.SEQUENCE, 'alert 0x00CA'));
  const codeOffset = seq.offset;
  const code = Number(decodeUnsignedInteger(seq, 'alert code'));
  if (code !== ALERT_CODE.futureDatedActivationSuccess && code !== ALERT_CODE.futureDatedActivationFailure)
    throw new DecodeError(
      'GBCS_ALERT_CODE',
      `alert code: 0x${code.toString(16)} is not 0x8f66 or 0x8f67`,
      codeOffset,
    );
  const executeAt = decodeGeneralizedTime(seq, 'execution date-time');
  const commandCounter = decodeUnsignedInteger(seq, 'command counter');
  const outcomeOffset = seq.offset;
  const outcome = decodeCs06Response(seq.rest(), outcomeOffset);
  if (outcome.kind !== 'executed')
    throw new DecodeError(
      'GBCS_ALERT',
      'alert 0x00CA: the outcome is not an execution outcome',
      outcomeOffset,
    );
  if (reader.remaining)
    throw new DecodeError('GBCS_TRAILING_BYTES', 'alert 0x00CA: bytes after the SEQUENCE', reader.offset);
  return {
    alertCode: code,
    executeAt,
    commandCounter,
    outcome: outcome.outcome,
    firmwareVersion: outcome.firmwareVersion,
  };
}

/** A Firmware Distribution Receipt Alert. */
export interface FirmwareReceiptAlert {
  readonly alertCode:
    | typeof ALERT_CODE.firmwareDistributionReceipt
    | typeof ALERT_CODE.firmwareVerificationFailed;
  /** When it was raised: seconds since 2000-01-01T00:00:00Z (ZigBee UTCTime). */
  readonly utcTime: number;
  /** SHA-256 the device calculated over the Manufacturer Image it received. */
  readonly hash: Uint8Array;
}

/** ZigBee Smart Energy profile id, the first field of a GBZ payload. */
const GBZ_PROFILE_ID = 0x0109;
/** DLMS tags: octet-string, long-unsigned, structure, Data-Notification. */
const DLMS = { octetString: 0x09, longUnsigned: 0x12, structure: 0x02, dataNotification: 0x0f } as const;

function checkHash(hash: Uint8Array): Uint8Array {
  if (hash.length !== 32)
    throw new EncodeError('GBCS_FIELD_LENGTH', `hash: ${hash.length} bytes, expected 32`);
  return hash;
}

/** A receipt alert's code: 0x8F72 or 0x8F1C, else a DecodeError at its offset. */
function readReceiptAlertCode(r: ByteReader): FirmwareReceiptAlert['alertCode'] {
  const offset = r.offset;
  const code = r.u16('alert code');
  if (code !== ALERT_CODE.firmwareDistributionReceipt && code !== ALERT_CODE.firmwareVerificationFailed)
    throw new DecodeError(
      'GBCS_ALERT_CODE',
      `alert code: 0x${code.toString(16)} is not 0x8f72 or 0x8f1c`,
      offset,
    );
  return code;
}

/** GBZ content: profile 0x0109, one component, alert code, UTC time, `09 20` and the hash (GBCS §11.2.6). */
export function encodeGbzFirmwareReceiptAlert(alert: FirmwareReceiptAlert): Uint8Array {
  return new ByteWriter({ littleEndian: false, initialCapacity: 43 })
    .u16(GBZ_PROFILE_ID, 'profile id')
    .u8(1, 'components')
    .u16(alert.alertCode, 'alert code')
    .u32(alert.utcTime, 'utcTime')
    .u8(DLMS.octetString, 'hash tag')
    .u8(32, 'hash length')
    .bytes(checkHash(alert.hash))
    .finish();
}

/** Decodes GBZ receipt-alert content found at `baseOffset` of the message. */
export function decodeGbzFirmwareReceiptAlert(content: Uint8Array, baseOffset = 0): FirmwareReceiptAlert {
  const r = new ByteReader(content, { littleEndian: false, baseOffset });
  const profileOffset = r.offset;
  const profile = r.u16('GBZ profile id');
  if (profile !== GBZ_PROFILE_ID)
    throw new DecodeError(
      'GBZ_PROFILE',
      `GBZ profile id: 0x${profile.toString(16)}, expected 0x0109`,
      profileOffset,
    );
  r.u8('GBZ components');
  const alertCode = readReceiptAlertCode(r);
  const utcTime = r.u32('alert time');
  const tagOffset = r.offset;
  if (r.u8('hash tag') !== DLMS.octetString || r.u8('hash length') !== 32)
    throw new DecodeError('GBZ_ALERT', 'hash: expected 09 20 (a 32-byte octet string)', tagOffset);
  const hash = r.bytes(32, 'hash');
  if (r.remaining) throw new DecodeError('GBCS_TRAILING_BYTES', 'GBZ alert: bytes after the hash', r.offset);
  return { alertCode, utcTime, hash };
}

/**
 * DLMS content (ESME): a Data-Notification with its long invoke id, no date-time, and a structure
 * of the alert code, the time as a 12-byte DLMS date-time and the hash — the layout of the RTDS
 * 4.5.0 DLMS receipt alert (`FDRA-DLMS_NA_8F72_ALERT_GBCS`), whose invoke id is 0x20000000 with
 * the alert's originator counter in its low 24 bits (`dlmsInvokeId`).
 */
export function encodeDlmsFirmwareReceiptAlert(alert: FirmwareReceiptAlert, invokeId: number): Uint8Array {
  return new ByteWriter({ littleEndian: false, initialCapacity: 64 })
    .u8(DLMS.dataNotification, 'data-notification tag')
    .u32(invokeId, 'invokeId')
    .u8(0, 'date-time absent')
    .u8(DLMS.structure, 'structure tag')
    .u8(3, 'structure elements')
    .u8(DLMS.longUnsigned, 'alert code tag')
    .u16(alert.alertCode, 'alert code')
    .u8(DLMS.octetString, 'time tag')
    .u8(12, 'time length')
    .bytes(dlmsDateTime(alert.utcTime))
    .u8(DLMS.octetString, 'hash tag')
    .u8(32, 'hash length')
    .bytes(checkHash(alert.hash))
    .finish();
}

/** The RTDS receipt alert's invoke-id flags (bit 29 of the Long-Invoke-Id-And-Priority). */
const DLMS_INVOKE_ID_FLAGS = 0x2000_0000;

/** The invoke id of a device's DLMS alert carrying originator counter `counter`, as RTDS 4.5.0 numbers it. */
export function dlmsInvokeId(counter: bigint): number {
  return (DLMS_INVOKE_ID_FLAGS | Number(counter & 0xff_ffffn)) >>> 0;
}

/** Decodes DLMS receipt-alert content found at `baseOffset` of the message. */
export function decodeDlmsFirmwareReceiptAlert(
  content: Uint8Array,
  baseOffset = 0,
): FirmwareReceiptAlert & { readonly invokeId: number } {
  const r = new ByteReader(content, { littleEndian: false, baseOffset });
  const expect = (value: number, field: string) => {
    const offset = r.offset;
    const got = r.u8(field);
    if (got !== value)
      throw new DecodeError(
        'DLMS_ALERT',
        `${field}: 0x${got.toString(16)}, expected 0x${value.toString(16)}`,
        offset,
      );
  };
  expect(DLMS.dataNotification, 'data-notification tag');
  const invokeId = r.u32('invokeId');
  expect(0, 'date-time (must be absent)');
  expect(DLMS.structure, 'structure tag');
  expect(3, 'structure elements');
  expect(DLMS.longUnsigned, 'alert code tag');
  const alertCode = readReceiptAlertCode(r);
  expect(DLMS.octetString, 'time tag');
  expect(12, 'time length');
  const timeOffset = r.offset;
  const iso = dlmsDateTimeIso(r.bytes(12, 'time'));
  if (iso === undefined)
    throw new DecodeError('DLMS_DATE_TIME', 'time: a DLMS date-time with a field not specified', timeOffset);
  const utcTime = isoToUnixSeconds(iso) - ZIGBEE_EPOCH_UNIX_S;
  expect(DLMS.octetString, 'hash tag');
  expect(32, 'hash length');
  const hash = r.bytes(32, 'hash');
  if (r.remaining) throw new DecodeError('GBCS_TRAILING_BYTES', 'DLMS alert: bytes after the hash', r.offset);
  return { alertCode, utcTime, hash, invokeId };
}
