/**
 * A decoded GBCS message as the JSON document `hanota gbcs parse` prints (DESIGN.md §4
 * conventions: lowercase hex, counters as decimal strings), with its checks.
 */
import { toHex } from '../bytes/hex.ts';
import type { DecodedGeneralSigning, GbcsMessage } from './apdu.ts';
import { type Cs06Command, decodeCs06Command, decodeCs06Response, isCancellation } from './cs06.ts';
import { MESSAGE_CODE, messageCodeName } from './message-codes.ts';
import type { CheckResult } from './security.ts';

/** A check as JSON: `valid` only when it could be checked. */
export interface CheckDocument {
  readonly value: string;
  readonly valid?: boolean;
  readonly reason?: string;
}

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

/** What the content of a known message says; undefined for codes hanota does not read. */
function contentDocument(signing: DecodedGeneralSigning): Record<string, unknown> | undefined {
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
    content: { value: toHex(signing.content), ...contentDocument(signing) },
    signature: signing.signature ? checkDocument(signing.signature, checks.signature) : null,
    ...(message.kind === 'generalCiphering' && {
      mac: checkDocument(message.ciphering.mac, checks.mac ?? { status: 'unchecked', reason: 'not checked' }),
    }),
  };
}
