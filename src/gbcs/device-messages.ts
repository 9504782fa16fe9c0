/**
 * The signed messages a GBCS device sends (GBCS §7.2.x; the layouts of the RTDS 4.5.0 responses
 * and alerts, DESIGN.md §1–2): General-Signing APDUs signed with the device's digital-signing key
 * (ECDSA P-256 / SHA-256 over everything after the 0xDF tag through the content).
 * - A **response** (CRA flag 2) carries the counter of the command it answers, goes back to the
 *   command's originator and bears the device's date-time: the CS06 response (0x0012).
 * - An **alert** (CRA flag 3) carries the device's own originator counter, goes to its supplier
 *   and bears no date-time: the Firmware Distribution Receipt Alert (0x00CE DLMS from an ESME,
 *   0x00CF GBZ from the others) and the future-dated activation alert (0x00CA).
 */
import { fromHex } from '../bytes/hex.ts';
import {
  ALERT_MESSAGE_CODE,
  dlmsInvokeId,
  encodeDlmsFirmwareReceiptAlert,
  encodeFutureDatedActivationAlert,
  encodeGbzFirmwareReceiptAlert,
  type FirmwareReceiptAlert,
  type FutureDatedActivationAlert,
} from './alerts.ts';
import type { SupplementaryRemoteParty } from './apdu.ts';
import { CS06_MESSAGE_CODE, type Cs06Response, encodeCs06Response } from './cs06.ts';
import { dlmsDateTime } from './dlms-date-time.ts';
import { encodeFirmwareReadResponse, FIRMWARE_READ_CODE, type FirmwareRead } from './firmware-read.ts';
import { deriveMacKey, sealNonCritical, signMessage } from './security.ts';

/** A device that signs: its system title and digital-signing private key. */
export interface DeviceSigner {
  /** EUI-64, lowercase hex. */
  readonly eui: string;
  readonly signingKey: Uint8Array;
}

/** Which form a device's receipt alert takes: DLMS from an ESME, GBZ from a GSME or HCALCS. */
export type ReceiptAlertForm = 'dlms' | 'gbz';

/**
 * The signed CS06 response to command `counter` from `to`, at ZigBee UTC time `utcTime` (seconds
 * since 2000) as the device's clock reads it.
 */
export function signedCs06Response(
  device: DeviceSigner,
  to: string,
  counter: bigint,
  utcTime: number,
  response: Cs06Response,
): Uint8Array {
  return signed(device, to, 'response', counter, CS06_MESSAGE_CODE, encodeCs06Response(response), utcTime);
}

/** A General-Signing message from `device` to `to`, signed; a response bears the device's date-time. */
function signed(
  device: DeviceSigner,
  to: string,
  cra: 'response' | 'alert',
  counter: bigint,
  messageCode: number,
  content: Uint8Array,
  utcTime?: number,
): Uint8Array {
  return signMessage(
    {
      transactionId: { cra, counter },
      originator: fromHex(device.eui, 'device'),
      recipient: fromHex(to, 'recipient'),
      ...(utcTime !== undefined && { dateTime: dlmsDateTime(utcTime) }),
      messageCode,
      content,
    },
    device.signingKey,
  );
}

function signedAlert(
  device: DeviceSigner,
  to: string,
  counter: bigint,
  messageCode: number,
  content: Uint8Array,
): Uint8Array {
  return signed(device, to, 'alert', counter, messageCode, content);
}

/** The signed Firmware Distribution Receipt Alert (0x8F72 or 0x8F1C), alert counter `counter`. */
export function signedReceiptAlert(
  device: DeviceSigner,
  to: string,
  counter: bigint,
  form: ReceiptAlertForm,
  alert: FirmwareReceiptAlert,
): Uint8Array {
  return form === 'dlms'
    ? signedAlert(
        device,
        to,
        counter,
        ALERT_MESSAGE_CODE.firmwareDistributionReceiptDlms,
        encodeDlmsFirmwareReceiptAlert(alert, dlmsInvokeId(counter)),
      )
    : signedAlert(
        device,
        to,
        counter,
        ALERT_MESSAGE_CODE.firmwareDistributionReceiptGbz,
        encodeGbzFirmwareReceiptAlert(alert),
      );
}

/** The signed future-dated activation alert (0x8F66 or 0x8F67), alert counter `counter`. */
export function signedFutureDatedAlert(
  device: DeviceSigner,
  to: string,
  counter: bigint,
  alert: FutureDatedActivationAlert,
): Uint8Array {
  return signedAlert(
    device,
    to,
    counter,
    ALERT_MESSAGE_CODE.futureDatedActivation,
    encodeFutureDatedActivationAlert(alert),
  );
}

/** A device's answer to a read command: what it reports and to whom. */
export interface FirmwareReadResponse {
  /** The command's originator (hex system title): the Access Control Broker, or the supplier itself. */
  readonly to: string;
  readonly counter: bigint;
  readonly read: FirmwareRead;
  /** The command's DLMS invoke id, echoed (ECS52). */
  readonly invokeId: number;
  readonly supplementary?: SupplementaryRemoteParty;
  readonly version: Uint8Array;
}

/**
 * The MACed, unsigned response of device `eui` to a read command (ECS52, GCS38, CS08), keyed with
 * `z`, the key-agreement secret between the device and the command's originator.
 */
export function macedFirmwareReadResponse(
  eui: string,
  z: Uint8Array,
  response: FirmwareReadResponse,
): Uint8Array {
  const message = {
    transactionId: { cra: 'response', counter: response.counter } as const,
    originator: fromHex(eui, 'device'),
    recipient: fromHex(response.to, 'recipient'),
    messageCode: FIRMWARE_READ_CODE[response.read],
    ...(response.supplementary && { supplementary: response.supplementary }),
    content: encodeFirmwareReadResponse(response.read, response.version, response.invokeId),
  };
  return sealNonCritical(
    message,
    deriveMacKey(z, message.originator, message.transactionId, message.recipient),
  );
}
