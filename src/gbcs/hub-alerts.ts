/**
 * The Communications Hub's firmware alerts: CCS08 Firmware Transfer Alert (message code 0x0128;
 * 0x8F8A success, 0x8F89 failure with a response code) and the PPMID/HCALCS firmware alert
 * 0x8F8B (message code 0x0129) reporting whether the hub-managed activation worked. DER, as
 * SmartDCCInnovation/gbcs-parser reads them; no RTDS vector of either was available, so the
 * entity id (taken to be the device's EUI-64) is unconfirmed.
 */
import { ByteReader } from '../bytes/byte-reader.ts';
import { DER_TAG, derContents, encodeDer, expectDer } from '../bytes/der.ts';
import { DecodeError } from '../errors/errors.ts';
import {
  decodeGeneralizedTime,
  decodeUnsignedInteger,
  encodeGeneralizedTime,
  encodeUnsignedInteger,
} from './cs06.ts';

/** Message codes and alert codes. */
export const HUB_ALERT = {
  ccs08MessageCode: 0x0128,
  transferSuccess: 0x8f8a,
  transferFailure: 0x8f89,
  firmwareVersionMessageCode: 0x0129,
  firmwareVersionAlert: 0x8f8b,
} as const;

/** CCS08 response codes. */
export const TRANSFER_RESPONSE = {
  success: 0,
  imageDiscarded: 1,
  hardwareVersionMismatch: 2,
  fileTransferFailure: 3,
} as const;
/** Name of a CCS08 response code. */
export type TransferResponse = keyof typeof TRANSFER_RESPONSE;

/** A CCS08 Firmware Transfer Alert. */
export interface FirmwareTransferAlert {
  readonly time: string;
  /** The device the transfer was for (EUI-64). */
  readonly entityId: Uint8Array;
  readonly firmwareVersion: Uint8Array;
  readonly response: TransferResponse;
}

function nameOf<T extends Record<string, number>>(
  table: T,
  value: bigint,
  field: string,
  offset: number,
): keyof T {
  const name = Object.keys(table).find((k) => BigInt(table[k] as number) === value);
  if (name === undefined)
    throw new DecodeError('GBCS_CODE', `${field}: ${value} is not a known value`, offset);
  return name;
}

/** The DER content of a CCS08 alert; the alert code follows from the response. */
export function encodeFirmwareTransferAlert(alert: FirmwareTransferAlert): Uint8Array {
  const code = alert.response === 'success' ? HUB_ALERT.transferSuccess : HUB_ALERT.transferFailure;
  return encodeDer(
    DER_TAG.SEQUENCE,
    encodeUnsignedInteger(BigInt(code), 'alertCode'),
    encodeGeneralizedTime(alert.time, 'time'),
    encodeDer(DER_TAG.OCTET_STRING, alert.entityId),
    encodeDer(DER_TAG.OCTET_STRING, alert.firmwareVersion),
    encodeUnsignedInteger(BigInt(TRANSFER_RESPONSE[alert.response]), 'responseCode'),
  );
}

/** Decodes CCS08 content; the alert code must agree with the response code. */
export function decodeFirmwareTransferAlert(content: Uint8Array, baseOffset = 0): FirmwareTransferAlert {
  const reader = new ByteReader(content, { littleEndian: false, baseOffset });
  const seq = derContents(expectDer(reader, DER_TAG.SEQUENCE, 'CCS08'));
  const codeOffset = seq.offset;
  const code = decodeUnsignedInteger(seq, 'CCS08 alert code');
  const time = decodeGeneralizedTime(seq, 'CCS08 time');
  const entityId = expectDer(seq, DER_TAG.OCTET_STRING, 'CCS08 entity id').value;
  const firmwareVersion = expectDer(seq, DER_TAG.OCTET_STRING, 'CCS08 firmware version').value;
  const responseOffset = seq.offset;
  const response = nameOf(
    TRANSFER_RESPONSE,
    decodeUnsignedInteger(seq, 'CCS08 response code'),
    'CCS08 response code',
    responseOffset,
  );
  const expected = response === 'success' ? HUB_ALERT.transferSuccess : HUB_ALERT.transferFailure;
  if (code !== BigInt(expected))
    throw new DecodeError(
      'GBCS_ALERT_CODE',
      `CCS08 alert code: 0x${code.toString(16)} does not go with response ${response}`,
      codeOffset,
    );
  if (seq.remaining || reader.remaining)
    throw new DecodeError('GBCS_TRAILING_BYTES', 'CCS08: extra bytes', seq.offset);
  return { time, entityId, firmwareVersion, response };
}

/** The 0x8F8B alert: the version a PPMID/HCALCS runs after a hub-managed activation, and whether it took. */
export interface FirmwareVersionAlert {
  readonly time: string;
  readonly firmwareVersion: Uint8Array;
  readonly activated: boolean;
}

/** The DER content of alert 0x8F8B (activateImage 0 success, 1 failure). */
export function encodeFirmwareVersionAlert(alert: FirmwareVersionAlert): Uint8Array {
  return encodeDer(
    DER_TAG.SEQUENCE,
    encodeUnsignedInteger(BigInt(HUB_ALERT.firmwareVersionAlert), 'alertCode'),
    encodeGeneralizedTime(alert.time, 'time'),
    encodeDer(DER_TAG.OCTET_STRING, alert.firmwareVersion),
    encodeUnsignedInteger(alert.activated ? 0n : 1n, 'activateImage'),
  );
}

/** Decodes 0x8F8B content. */
export function decodeFirmwareVersionAlert(content: Uint8Array, baseOffset = 0): FirmwareVersionAlert {
  const reader = new ByteReader(content, { littleEndian: false, baseOffset });
  const seq = derContents(expectDer(reader, DER_TAG.SEQUENCE, 'alert 0x8F8B'));
  const codeOffset = seq.offset;
  if (decodeUnsignedInteger(seq, 'alert code') !== BigInt(HUB_ALERT.firmwareVersionAlert))
    throw new DecodeError('GBCS_ALERT_CODE', 'alert code: expected 0x8f8b', codeOffset);
  const time = decodeGeneralizedTime(seq, 'alert 0x8F8B time');
  const firmwareVersion = expectDer(seq, DER_TAG.OCTET_STRING, 'alert 0x8F8B firmware version').value;
  const activateOffset = seq.offset;
  const activate = decodeUnsignedInteger(seq, 'activateImage');
  if (activate > 1n)
    throw new DecodeError('GBCS_CODE', `activateImage: ${activate} is not 0 or 1`, activateOffset);
  if (seq.remaining || reader.remaining)
    throw new DecodeError('GBCS_TRAILING_BYTES', 'alert 0x8F8B: extra bytes', seq.offset);
  return { time, firmwareVersion, activated: activate === 0n };
}
