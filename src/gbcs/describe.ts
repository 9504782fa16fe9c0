/**
 * A decoded GBCS message as the JSON document `hanota gbcs parse` prints (DESIGN.md §4
 * conventions: lowercase hex, counters as decimal strings), with its checks.
 */
import { toHex } from '../bytes/hex.ts';
import { DecodeError } from '../errors/errors.ts';
import {
  decodeDlmsFirmwareReceiptAlert,
  decodeFutureDatedActivationAlert,
  decodeGbzFirmwareReceiptAlert,
  type FirmwareReceiptAlert,
} from './alerts.ts';
import type { DecodedGeneralSigning, GbcsMessage } from './apdu.ts';
import { type Cs06Command, decodeCs06Command, decodeCs06Response, isCancellation } from './cs06.ts';
import { dlmsDateTime, dlmsDateTimeIso } from './dlms-date-time.ts';
import {
  decodeFirmwareReadCommand,
  decodeFirmwareReadResponse,
  type FirmwareRead,
  firmwareReadOf,
} from './firmware-read.ts';
import { MESSAGE_CODE, messageCodeName } from './message-codes.ts';
import type { CheckResult } from './security.ts';

/** A check as JSON: `valid` only when it could be checked. */
export interface CheckDocument {
  readonly value: string;
  readonly valid?: boolean;
  readonly reason?: string;
}

function checkDocument(value: Uint8Array, check: CheckResult): CheckDocument {
  return {
    value: toHex(value),
    ...(check.status !== 'unchecked' && { valid: check.status === 'valid' }),
    ...(check.status !== 'valid' && { reason: check.reason }),
  };
}

function cs06Document(command: Cs06Command, signing: DecodedGeneralSigning) {
  return {
    hash: toHex(command.hash),
    counter: command.counter.toString(),
    counterMatchesHeader: command.counter === signing.transactionId.counter,
    ...(command.executeAt !== undefined && { executeAt: command.executeAt }),
    kind:
      command.executeAt === undefined
        ? 'immediate'
        : isCancellation(command)
          ? 'cancellation'
          : 'futureDated',
  };
}

/** A receipt alert as JSON. */
function receiptDocument(alert: FirmwareReceiptAlert): Record<string, unknown> {
  return {
    alertCode: `0x${alert.alertCode.toString(16)}`,
    time: dlmsDateTimeIso(dlmsDateTime(alert.utcTime)),
    hash: toHex(alert.hash),
  };
}

/**
 * An 11.2 read's content. hanota reads the successful forms (the RTDS's); another answer (a DLMS
 * or ZCL failure result) is still a well-formed message: its content is shown unread, with why.
 */
function readDocument(
  read: FirmwareRead,
  signing: DecodedGeneralSigning,
): Record<string, unknown> | undefined {
  try {
    if (signing.transactionId.cra === 'command')
      return {
        readFirmwareVersion: {
          invokeId: decodeFirmwareReadCommand(read, signing.content, signing.contentOffset),
        },
      };
    if (signing.transactionId.cra === 'response') {
      const r = decodeFirmwareReadResponse(read, signing.content, signing.contentOffset);
      return { readFirmwareVersionResponse: { firmwareVersion: toHex(r.version), invokeId: r.invokeId } };
    }
  } catch (error) {
    if (error instanceof DecodeError) return { unread: { reason: error.message, offset: error.offset } };
    throw error;
  }
  return undefined;
}

/** What the content of a known message says; undefined for codes hanota does not read. */
function contentDocument(signing: DecodedGeneralSigning): Record<string, unknown> | undefined {
  const alert = signing.transactionId.cra === 'alert';
  if (alert && signing.messageCode === MESSAGE_CODE.futureDatedFirmwareActivationAlert) {
    const a = decodeFutureDatedActivationAlert(signing.content, signing.contentOffset);
    return {
      futureDatedActivationAlert: {
        alertCode: `0x${a.alertCode.toString(16)}`,
        executeAt: a.executeAt,
        commandCounter: a.commandCounter.toString(),
        outcome: a.outcome,
        firmwareVersion: toHex(a.firmwareVersion),
      },
    };
  }
  if (alert && signing.messageCode === MESSAGE_CODE.firmwareDistributionReceiptAlertGbz)
    return {
      receiptAlert: receiptDocument(decodeGbzFirmwareReceiptAlert(signing.content, signing.contentOffset)),
    };
  if (alert && signing.messageCode === MESSAGE_CODE.firmwareDistributionReceiptAlertDlms) {
    const a = decodeDlmsFirmwareReceiptAlert(signing.content, signing.contentOffset);
    return { receiptAlert: { ...receiptDocument(a), invokeId: a.invokeId } };
  }
  const read = firmwareReadOf(signing.messageCode);
  if (read) return readDocument(read, signing);
  if (signing.messageCode !== MESSAGE_CODE.cs06ActivateFirmware) return undefined;
  if (signing.transactionId.cra === 'command')
    return { cs06: cs06Document(decodeCs06Command(signing.content, signing.contentOffset), signing) };
  if (signing.transactionId.cra === 'response') {
    const r = decodeCs06Response(signing.content, signing.contentOffset);
    return {
      cs06Response:
        r.kind === 'commandAccepted'
          ? r
          : { kind: r.kind, outcome: r.outcome, firmwareVersion: toHex(r.firmwareVersion) },
    };
  }
  return undefined;
}

/** The JSON document of a message and its checks. */
export function describeGbcsMessage(
  message: GbcsMessage,
  checks: { readonly signature: CheckResult; readonly mac?: CheckResult },
) {
  const signing = message.kind === 'generalSigning' ? message.signing : message.ciphering.signing;
  const name = messageCodeName(signing.messageCode);
  return {
    kind: message.kind,
    ...(message.kind === 'generalCiphering' && {
      securityHeader: {
        securityControl: message.ciphering.securityControl,
        invocationCounter: message.ciphering.invocationCounter,
      },
    }),
    transactionId: { cra: signing.transactionId.cra, counter: signing.transactionId.counter.toString() },
    originator: toHex(signing.originator),
    recipient: toHex(signing.recipient),
    ...(signing.dateTime && {
      dateTime: { value: toHex(signing.dateTime), iso: dlmsDateTimeIso(signing.dateTime) ?? null },
    }),
    messageCode: signing.messageCode,
    ...(name && { messageName: name }),
    ...(signing.supplementary && {
      supplementaryRemoteParty: {
        id: toHex(signing.supplementary.id),
        counter: signing.supplementary.counter.toString(),
      },
    }),
    content: { value: toHex(signing.content), ...contentDocument(signing) },
    signature: signing.signature ? checkDocument(signing.signature, checks.signature) : null,
    ...(message.kind === 'generalCiphering' && {
      mac: checkDocument(message.ciphering.mac, checks.mac ?? { status: 'unchecked', reason: 'not checked' }),
    }),
  };
}
