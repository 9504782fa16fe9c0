/**
 * The AES-MMO (Matyas–Meyer–Oseas) hash of the ZigBee specification (05-3474, Annex B.6),
 * used by the OTA Image Integrity Code sub-element (ZCL OTA Upgrade cluster, tag 0x0003).
 * H0 = 0; Hi = AES(key = Hi-1, Mi) XOR Mi over 16-byte blocks of the padded message.
 */
import { ecb } from '@noble/ciphers/aes.js';

/** The AES block size and so the digest length, in bytes. */
export const AES_MMO_DIGEST_LENGTH = 16;

/**
 * Messages shorter than 2^16 bits end with a 16-bit bit length; longer ones (every real
 * firmware image) with a 32-bit bit length followed by 16 zero bits (ZigBee spec B.6).
 */
const SHORT_MESSAGE_LIMIT_BITS = 2 ** 16;
const LONG_MESSAGE_LIMIT_BITS = 2 ** 32;

/** AES-MMO digest of `message` (16 bytes). */
export function aesMmo(message: Uint8Array): Uint8Array {
  const bits = message.length * 8;
  if (bits >= LONG_MESSAGE_LIMIT_BITS)
    throw new RangeError(`message: ${message.length} bytes is too long for AES-MMO`);
  const trailer = bits < SHORT_MESSAGE_LIMIT_BITS ? 2 : 6;
  // 0x80 marker, zero fill, then the length field; the total is a multiple of 16.
  const padded = new Uint8Array(Math.ceil((message.length + 1 + trailer) / 16) * 16);
  padded.set(message);
  padded[message.length] = 0x80;
  const view = new DataView(padded.buffer);
  if (trailer === 2) view.setUint16(padded.length - 2, bits, false);
  else view.setUint32(padded.length - 6, bits, false);

  let hash: Uint8Array = new Uint8Array(AES_MMO_DIGEST_LENGTH);
  for (let at = 0; at < padded.length; at += 16) {
    const block = padded.subarray(at, at + 16);
    const out = ecb(hash, { disablePadding: true }).encrypt(block);
    for (let i = 0; i < 16; i++) out[i] = (out[i] as number) ^ (block[i] as number);
    hash = out;
  }
  return hash;
}
