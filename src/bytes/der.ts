/**
 * Minimal DER (ITU-T X.690) TLV reading and writing: enough for X.509 certificates, SPKI and
 * PKCS#8 / SEC 1 keys, and later the DER content of GBCS commands. Definite lengths only, as
 * DER requires; indefinite or non-minimal lengths are refused with their offset.
 */
import { DecodeError } from '../errors/errors.ts';
import { ByteReader } from './byte-reader.ts';

/** Universal tags used by hanota. */
export const DER_TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  CONTEXT_0: 0xa0,
  CONTEXT_1: 0xa1,
} as const;

/** One decoded TLV; `value` is a view into the input, `offset` absolute. */
export interface DerNode {
  readonly tag: number;
  readonly offset: number;
  readonly value: Uint8Array;
  /** Absolute offset of the first value byte. */
  readonly valueOffset: number;
}

/** Reads one TLV at the reader's cursor. `field` names it in errors. */
export function readDer(reader: ByteReader, field: string): DerNode {
  const offset = reader.offset;
  const tag = reader.u8(`${field} tag`);
  if ((tag & 0x1f) === 0x1f)
    throw new DecodeError('DER_TAG', `${field}: multi-byte tags are not supported`, offset);
  const first = reader.u8(`${field} length`);
  let length = first;
  if (first === 0x80)
    throw new DecodeError('DER_LENGTH', `${field}: indefinite length is not DER`, offset + 1);
  if (first > 0x80) {
    const n = first & 0x7f;
    if (n > 4) throw new DecodeError('DER_LENGTH', `${field}: ${n}-byte length is too long`, offset + 1);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + reader.u8(`${field} length`);
    if (length < 0x80 || length < 256 ** (n - 1)) {
      throw new DecodeError('DER_LENGTH', `${field}: length ${length} is not in minimal form`, offset + 1);
    }
  }
  const valueOffset = reader.offset;
  const value = reader.bytes(length, `${field} value`);
  return { tag, offset, value, valueOffset };
}

/** Reads one TLV and checks its tag. */
export function expectDer(reader: ByteReader, tag: number, field: string): DerNode {
  const node = readDer(reader, field);
  if (node.tag !== tag) {
    throw new DecodeError(
      'DER_UNEXPECTED_TAG',
      `${field}: expected tag 0x${tag.toString(16).padStart(2, '0')}, found 0x${node.tag.toString(16).padStart(2, '0')}`,
      node.offset,
    );
  }
  return node;
}

/** A reader over the content of a constructed node (SEQUENCE, context tag). */
export function derContents(node: DerNode): ByteReader {
  return new ByteReader(node.value, { littleEndian: false, baseOffset: node.valueOffset });
}

/** Encodes one TLV with a DER (minimal) length. */
export function encodeDer(tag: number, ...content: Uint8Array[]): Uint8Array {
  const length = content.reduce((n, c) => n + c.length, 0);
  const lengthBytes: number[] = [];
  if (length < 0x80) lengthBytes.push(length);
  else {
    for (let l = length; l > 0; l = Math.floor(l / 256)) lengthBytes.unshift(l % 256);
    lengthBytes.unshift(0x80 | lengthBytes.length);
  }
  const out = new Uint8Array(1 + lengthBytes.length + length);
  out[0] = tag;
  out.set(lengthBytes, 1);
  let at = 1 + lengthBytes.length;
  for (const c of content) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
