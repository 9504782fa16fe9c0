/**
 * GBCS message framing (GBCS §7.2, DESIGN.md §2): the General-Signing APDU (tag 0xDF) that
 * every command, response and alert is, and the General-Ciphering APDU (tag 0xDD) that wraps a
 * critical command with its security header and 12-byte GMAC. Decoding keeps the exact bytes
 * the signature and the MAC cover, so verification never re-encodes.
 */
import { ByteReader } from '../bytes/byte-reader.ts';
import { ByteWriter } from '../bytes/byte-writer.ts';
import { DecodeError, EncodeError } from '../errors/errors.ts';
import { encodeDlmsLength, readDlmsLength } from './dlms-length.ts';

/** APDU tags. */
export const GBCS_TAG = { generalCiphering: 0xdd, generalSigning: 0xdf } as const;

/** The CRA flag: the first byte of a transaction id, and the mode byte of the MAC key derivation. */
export const CRA_FLAG = { command: 1, response: 2, alert: 3 } as const;
/** Which kind of message a transaction id names. */
export type CraFlag = keyof typeof CRA_FLAG;

/** Length of a system title (an EUI-64). */
export const SYSTEM_TITLE_LENGTH = 8;
/** Length of a DLMS date-time. */
export const DLMS_DATE_TIME_LENGTH = 12;
/** Length of an ECDSA P-256 signature, r‖s. */
export const GBCS_SIGNATURE_LENGTH = 64;
/** Length of the MAC after a General-Ciphering APDU. */
export const GBCS_MAC_LENGTH = 12;
/** The only security control byte GBCS uses: authentication only, suite 1. */
export const GBCS_SECURITY_CONTROL = 0x11;
/** General-Ciphering: transaction id, both system titles, date-time, other information, key info — all empty in GBCS. */
const CIPHERING_EMPTY_FIELDS = [
  'transaction id',
  'originator system title',
  'recipient system title',
  'date-time',
  'other information',
  'key info',
] as const;
const TRANSACTION_ID_LENGTH = 9;
const MESSAGE_CODE_LENGTH = 2;
/** Other information with a supplementary remote party: message code, its ID and its counter. */
const SUPPLEMENTARY_OTHER_INFORMATION_LENGTH = MESSAGE_CODE_LENGTH + SYSTEM_TITLE_LENGTH + 8;

/** CRA flag and originator counter. */
export interface TransactionId {
  readonly cra: CraFlag;
  /** The originator's counter, 0..2^64-1. */
  readonly counter: bigint;
}

/**
 * The remote party a message is sent for, when the DCC Access Control Broker originates it on a
 * user's behalf (the RTDS CS08 command and response, DCC Boxed's 11.2 responses): carried after
 * the message code in the other information, as Wireshark's GBCS dissector names them
 * ("Supplementary Remote Party ID", "Supplementary Remote Party Counter").
 */
export interface SupplementaryRemoteParty {
  /** System title of the user the DCC acts for. */
  readonly id: Uint8Array;
  /** That user's counter: the one in its DUIS RequestID. */
  readonly counter: bigint;
}

/** The fields of a General-Signing APDU. */
export interface GeneralSigning {
  readonly transactionId: TransactionId;
  readonly originator: Uint8Array;
  readonly recipient: Uint8Array;
  /** The 12-byte DLMS date-time, when present. */
  readonly dateTime?: Uint8Array;
  readonly messageCode: number;
  readonly supplementary?: SupplementaryRemoteParty;
  readonly content: Uint8Array;
  /** r‖s, when signed (a pre-command is not). */
  readonly signature?: Uint8Array;
}

/** A decoded General-Signing APDU with the exact bytes its protections cover. */
export interface DecodedGeneralSigning extends GeneralSigning {
  /** What the signature covers: from the byte after 0xDF through the end of the content. */
  readonly signedBytes: Uint8Array;
  /** The whole APDU, 0xDF through the signature. */
  readonly apdu: Uint8Array;
  /** Offset of the 0xDF tag in the input. */
  readonly offset: number;
  /** Offset of the content in the input. */
  readonly contentOffset: number;
}

/** A decoded General-Ciphering APDU: security header, the General-Signing inside, and the MAC. */
export interface DecodedGeneralCiphering {
  readonly securityControl: number;
  readonly invocationCounter: number;
  readonly signing: DecodedGeneralSigning;
  readonly mac: Uint8Array;
  /** Offset of the MAC in the input. */
  readonly macOffset: number;
}

/** Any GBCS message hanota reads. */
export type GbcsMessage =
  | { readonly kind: 'generalCiphering'; readonly ciphering: DecodedGeneralCiphering }
  | { readonly kind: 'generalSigning'; readonly signing: DecodedGeneralSigning };

function craOf(value: number, offset: number): CraFlag {
  for (const [name, flag] of Object.entries(CRA_FLAG)) if (flag === value) return name as CraFlag;
  throw new DecodeError(
    'GBCS_CRA_FLAG',
    `transaction id: CRA flag ${value} is not 1 (command), 2 (response) or 3 (alert)`,
    offset,
  );
}

function expectLength(reader: ByteReader, expected: number, field: string): void {
  const offset = reader.offset;
  const length = readDlmsLength(reader, field);
  if (length !== expected)
    throw new DecodeError('GBCS_FIELD_LENGTH', `${field}: length ${length}, expected ${expected}`, offset);
}

function readGeneralSigning(reader: ByteReader, input: Uint8Array, end: number): DecodedGeneralSigning {
  const offset = reader.offset;
  const start = reader.position;
  const tag = reader.u8('general-signing tag');
  if (tag !== GBCS_TAG.generalSigning)
    throw new DecodeError('GBCS_TAG', `general-signing tag: 0x${tag.toString(16)}, expected 0xdf`, offset);
  expectLength(reader, TRANSACTION_ID_LENGTH, 'transaction id');
  const craOffset = reader.offset;
  const cra = craOf(reader.u8('transaction id CRA flag'), craOffset);
  const counter = reader.u64('transaction id counter');
  expectLength(reader, SYSTEM_TITLE_LENGTH, 'originator system title');
  const originator = reader.bytes(SYSTEM_TITLE_LENGTH, 'originator system title');
  expectLength(reader, SYSTEM_TITLE_LENGTH, 'recipient system title');
  const recipient = reader.bytes(SYSTEM_TITLE_LENGTH, 'recipient system title');
  const dateTimeOffset = reader.offset;
  const dateTimeLength = readDlmsLength(reader, 'date-time');
  if (dateTimeLength !== 0 && dateTimeLength !== DLMS_DATE_TIME_LENGTH)
    throw new DecodeError(
      'GBCS_FIELD_LENGTH',
      `date-time: length ${dateTimeLength}, expected 0 or 12`,
      dateTimeOffset,
    );
  const dateTime = dateTimeLength ? reader.bytes(dateTimeLength, 'date-time') : undefined;
  const otherOffset = reader.offset;
  const otherLength = readDlmsLength(reader, 'other information');
  if (otherLength !== MESSAGE_CODE_LENGTH && otherLength !== SUPPLEMENTARY_OTHER_INFORMATION_LENGTH)
    throw new DecodeError(
      'GBCS_FIELD_LENGTH',
      `other information: length ${otherLength}, expected 2 (message code) or 18 (with a supplementary remote party)`,
      otherOffset,
    );
  const messageCode = reader.u16('message code');
  const supplementary =
    otherLength === SUPPLEMENTARY_OTHER_INFORMATION_LENGTH
      ? {
          id: reader.bytes(SYSTEM_TITLE_LENGTH, 'supplementary remote party id'),
          counter: reader.u64('supplementary remote party counter'),
        }
      : undefined;
  const contentLength = readDlmsLength(reader, 'content');
  const contentOffset = reader.offset;
  const content = reader.bytes(contentLength, 'content');
  const signedEnd = reader.position;
  let signature: Uint8Array | undefined;
  if (reader.position < end) {
    const sigOffset = reader.offset;
    const length = readDlmsLength(reader, 'signature');
    if (length !== 0 && length !== GBCS_SIGNATURE_LENGTH)
      throw new DecodeError('GBCS_FIELD_LENGTH', `signature: length ${length}, expected 0 or 64`, sigOffset);
    if (length) signature = reader.bytes(length, 'signature');
  }
  return {
    transactionId: { cra, counter },
    originator,
    recipient,
    ...(dateTime && { dateTime }),
    messageCode,
    ...(supplementary && { supplementary }),
    content,
    ...(signature && { signature }),
    signedBytes: input.subarray(start + 1, signedEnd),
    apdu: input.subarray(start, reader.position),
    offset,
    contentOffset,
  };
}

/**
 * Decodes a GBCS message: a General-Ciphering APDU (tag 0xDD) or a bare General-Signing APDU
 * (tag 0xDF). Trailing bytes, wrong lengths and unknown forms are `DecodeError`s with offsets.
 */
export function decodeGbcsMessage(input: Uint8Array, baseOffset = 0): GbcsMessage {
  const reader = new ByteReader(input, { littleEndian: false, baseOffset });
  const first = input[0];
  if (first === GBCS_TAG.generalSigning) {
    const signing = readGeneralSigning(reader, input, input.length);
    if (reader.remaining > 0) {
      throw new DecodeError(
        'GBCS_TRAILING_BYTES',
        `general-signing: ${reader.remaining} byte(s) after the signature`,
        reader.offset,
      );
    }
    return { kind: 'generalSigning', signing };
  }
  if (first !== GBCS_TAG.generalCiphering) {
    throw new DecodeError(
      'GBCS_TAG',
      `message tag: ${first === undefined ? 'empty input' : `0x${first.toString(16).padStart(2, '0')}`}, expected 0xdd (general-ciphering) or 0xdf (general-signing)`,
      baseOffset,
    );
  }
  reader.u8('general-ciphering tag');
  for (const field of CIPHERING_EMPTY_FIELDS) {
    const offset = reader.offset;
    const length = readDlmsLength(reader, `general-ciphering ${field}`);
    if (length !== 0)
      throw new DecodeError(
        'GBCS_FIELD_LENGTH',
        `general-ciphering ${field}: must be empty in GBCS, has ${length} bytes`,
        offset,
      );
  }
  const lengthOffset = reader.offset;
  const cipheredLength = readDlmsLength(reader, 'ciphered content');
  if (cipheredLength !== reader.remaining) {
    throw new DecodeError(
      cipheredLength > reader.remaining ? 'UNEXPECTED_END' : 'GBCS_TRAILING_BYTES',
      `ciphered content: declares ${cipheredLength} bytes, ${reader.remaining} follow`,
      lengthOffset,
    );
  }
  const securityControl = reader.u8('security control');
  if (securityControl !== GBCS_SECURITY_CONTROL) {
    throw new DecodeError(
      'GBCS_SECURITY_CONTROL',
      `security control: 0x${securityControl.toString(16)}, GBCS uses 0x11 (authenticated, suite 1)`,
      reader.offset - 1,
    );
  }
  const invocationCounter = reader.u32('invocation counter');
  const macStart = input.length - GBCS_MAC_LENGTH;
  if (macStart < reader.position)
    throw new DecodeError('UNEXPECTED_END', 'mac: no room for the 12-byte MAC', reader.offset);
  // The General-Signing APDU ends where the MAC begins: read it from a view that stops there.
  const inner = new ByteReader(input.subarray(0, macStart), { littleEndian: false, baseOffset });
  inner.seek(reader.position, 'general-signing');
  const signing = readGeneralSigning(inner, input.subarray(0, macStart), macStart);
  reader.seek(inner.position, 'mac');
  if (reader.position !== macStart) {
    throw new DecodeError(
      'GBCS_TRAILING_BYTES',
      `general-signing: ${macStart - reader.position} byte(s) between the signature and the MAC`,
      reader.offset,
    );
  }
  const macOffset = reader.offset;
  const mac = reader.bytes(GBCS_MAC_LENGTH, 'mac');
  return {
    kind: 'generalCiphering',
    ciphering: { securityControl, invocationCounter, signing, mac, macOffset },
  };
}

function checkTitle(title: Uint8Array, field: string): Uint8Array {
  if (title.length !== SYSTEM_TITLE_LENGTH)
    throw new EncodeError('GBCS_FIELD_LENGTH', `${field}: ${title.length} bytes, expected 8`);
  return title;
}

/**
 * The bytes a General-Signing signature covers: everything after 0xDF through the content.
 * With `signature` appended (and 0xDF in front) this is the APDU.
 */
export function encodeSignedPart(message: Omit<GeneralSigning, 'signature'>): Uint8Array {
  const { transactionId: t } = message;
  if (t.counter < 0n || t.counter >= 2n ** 64n)
    throw new EncodeError('GBCS_COUNTER', `transaction id counter: ${t.counter} is not 0..2^64-1`);
  if (message.dateTime && message.dateTime.length !== DLMS_DATE_TIME_LENGTH)
    throw new EncodeError('GBCS_FIELD_LENGTH', `date-time: ${message.dateTime.length} bytes, expected 12`);
  const w = new ByteWriter({ littleEndian: false, initialCapacity: 64 + message.content.length });
  w.u8(TRANSACTION_ID_LENGTH, 'transaction id length')
    .u8(CRA_FLAG[t.cra], 'CRA flag')
    .u64(t.counter, 'transaction id counter')
    .u8(SYSTEM_TITLE_LENGTH, 'originator length')
    .bytes(checkTitle(message.originator, 'originator'))
    .u8(SYSTEM_TITLE_LENGTH, 'recipient length')
    .bytes(checkTitle(message.recipient, 'recipient'));
  if (message.dateTime) w.u8(DLMS_DATE_TIME_LENGTH, 'date-time length').bytes(message.dateTime);
  else w.u8(0, 'date-time length');
  const supplementary = message.supplementary;
  w.u8(
    supplementary ? SUPPLEMENTARY_OTHER_INFORMATION_LENGTH : MESSAGE_CODE_LENGTH,
    'other information length',
  );
  w.u16(message.messageCode, 'message code');
  if (supplementary)
    w.bytes(checkTitle(supplementary.id, 'supplementary remote party id')).u64(
      supplementary.counter,
      'supplementary remote party counter',
    );
  w.bytes(encodeDlmsLength(message.content.length, 'content')).bytes(message.content);
  return w.finish();
}

/** A General-Signing APDU: 0xDF, the signed part, and the signature when there is one. */
export function encodeGeneralSigning(message: GeneralSigning): Uint8Array {
  const signed = encodeSignedPart(message);
  const w = new ByteWriter({ littleEndian: false, initialCapacity: signed.length + 66 });
  w.u8(GBCS_TAG.generalSigning, 'tag').bytes(signed);
  if (message.signature) {
    if (message.signature.length !== GBCS_SIGNATURE_LENGTH)
      throw new EncodeError('GBCS_FIELD_LENGTH', `signature: ${message.signature.length} bytes, expected 64`);
    w.u8(GBCS_SIGNATURE_LENGTH, 'signature length').bytes(message.signature);
  }
  return w.finish();
}

/**
 * The APDU of a message that travels MACed but unsigned (a non-critical command and its
 * response): the signature field is there and empty, one 0x00, as the RTDS 11.2 messages have it.
 */
export function encodeUnsignedGeneralSigning(message: Omit<GeneralSigning, 'signature'>): Uint8Array {
  const signed = encodeSignedPart(message);
  const w = new ByteWriter({ littleEndian: false, initialCapacity: signed.length + 2 });
  return w.u8(GBCS_TAG.generalSigning, 'tag').bytes(signed).u8(0, 'signature length').finish();
}

/** The General-Ciphering APDU around a signed General-Signing APDU and its MAC. */
export function encodeGeneralCiphering(
  signingApdu: Uint8Array,
  mac: Uint8Array,
  invocationCounter = 0,
): Uint8Array {
  if (mac.length !== GBCS_MAC_LENGTH)
    throw new EncodeError('GBCS_FIELD_LENGTH', `mac: ${mac.length} bytes, expected 12`);
  const inner = 5 + signingApdu.length + GBCS_MAC_LENGTH;
  const w = new ByteWriter({ littleEndian: false, initialCapacity: inner + 12 });
  w.u8(GBCS_TAG.generalCiphering, 'tag');
  for (const field of CIPHERING_EMPTY_FIELDS) w.u8(0, field);
  w.bytes(encodeDlmsLength(inner, 'ciphered content'))
    .u8(GBCS_SECURITY_CONTROL, 'security control')
    .u32(invocationCounter, 'invocation counter')
    .bytes(signingApdu)
    .bytes(mac);
  return w.finish();
}
