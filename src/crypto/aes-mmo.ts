/**
 * The AES-MMO (Matyas–Meyer–Oseas) hash of the ZigBee specification (05-3474, Annex B.6),
 * used by the OTA Image Integrity Code sub-element (ZCL OTA Upgrade cluster, tag 0x0003).
 * H0 = 0; Hi = AES(key = Hi-1, Mi) XOR Mi over 16-byte blocks of the padded message.
 */
import { ecb } from '@noble/ciphers/aes.js';

/** The AES block size and so the digest length, in bytes. */
export const AES_MMO_DIGEST_LENGTH = 16;

/** Messages must be shorter than 2^32 bits (ZigBee spec B.6): this many bytes. */
export const AES_MMO_MAX_MESSAGE_LENGTH = 2 ** 29;

/**
 * Padding (ZigBee spec B.6): a 1 bit (the 0x80 byte), zero fill, then the message length in
 * bits — 16 bits for messages under 2^16 bits; otherwise 32 bits followed by 16 zero bits.
 */
const PADDING_MARKER = 0x80;
const SHORT_MESSAGE_LIMIT_BITS = 2 ** 16;
const SHORT_LENGTH_FIELD = 2;
const LONG_LENGTH_FIELD = 6;

/** AES-MMO digest of `message` (16 bytes). Throws a `RangeError` at 2^32 bits or more. */
export function aesMmo(message: Uint8Array): Uint8Array {
  if (message.length >= AES_MMO_MAX_MESSAGE_LENGTH) {
    throw new RangeError(`message: ${message.length} bytes is too long for AES-MMO`);
  }
  const bits = message.length * 8;
  const block = AES_MMO_DIGEST_LENGTH;
  const trailer = bits < SHORT_MESSAGE_LIMIT_BITS ? SHORT_LENGTH_FIELD : LONG_LENGTH_FIELD;
  const padded = new Uint8Array(Math.ceil((message.length + 1 + trailer) / block) * block);
  padded.set(message);
  padded[message.length] = PADDING_MARKER;
  const view = new DataView(padded.buffer);
  if (trailer === SHORT_LENGTH_FIELD) view.setUint16(padded.length - trailer, bits, false);
  else view.setUint32(padded.length - trailer, bits, false);

  let hash: Uint8Array = new Uint8Array(block);
  for (let at = 0; at < padded.length; at += block) {
    const m = padded.subarray(at, at + block);
    const out = ecb(hash, { disablePadding: true }).encrypt(m);
    for (let i = 0; i < block; i++) out[i] = (out[i] as number) ^ (m[i] as number);
    hash = out;
  }
  return hash;
}
