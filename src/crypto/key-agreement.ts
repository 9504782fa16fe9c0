/**
 * GBCS key agreement and message authentication (GBCS §4.3.3, §7.2): static-static ECDH over
 * P-256 (the shared secret Z is the x-coordinate), the single-step concatenation KDF of NIST
 * SP 800-56A §5.8.1 with SHA-256, and GMAC — AES-128-GCM over an empty plaintext, the tag cut
 * to its first 12 bytes. Options are fixed here on purpose: GBCS allows no others.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from './hashes.ts';

/** Length of a GBCS MAC (a GCM tag cut to 96 bits). */
export const GMAC_LENGTH = 12;
/** Length of an AES-128 key. */
export const AES_128_KEY_LENGTH = 16;
/** Length of a GCM initialisation vector as GBCS builds it (system title ‖ invocation counter). */
export const GCM_IV_LENGTH = 12;

/**
 * The ECDH shared secret Z between a private key and another party's public key (uncompressed
 * SEC 1): the x-coordinate of the shared point, 32 bytes. Throws `RangeError` for a key that is
 * not on the curve.
 */
export function ecdhP256(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  let shared: Uint8Array;
  try {
    shared = p256.getSharedSecret(privateKey, publicKey, false);
  } catch (error) {
    throw new RangeError(`publicKey: not a usable P-256 key agreement (${(error as Error).message})`);
  }
  return shared.slice(1, 33);
}

/**
 * SP 800-56A concatenation KDF, one round of SHA-256 (enough for keys up to 32 bytes):
 * `SHA-256(00000001 ‖ Z ‖ otherInfo)`, its first `length` bytes.
 */
export function concatKdfSha256(z: Uint8Array, otherInfo: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 1 || length > 32)
    throw new RangeError(`length: ${length} is not 1..32 bytes (one SHA-256 round)`);
  const input = new Uint8Array(4 + z.length + otherInfo.length);
  input[3] = 1;
  input.set(z, 4);
  input.set(otherInfo, 4 + z.length);
  return sha256(input).slice(0, length);
}

/** GMAC of `aad` under an AES-128 `key` and a 12-byte `iv`: the first 12 bytes of the GCM tag. */
export function gmac(key: Uint8Array, iv: Uint8Array, aad: Uint8Array): Uint8Array {
  if (key.length !== AES_128_KEY_LENGTH) throw new RangeError(`key: ${key.length} bytes, expected 16`);
  if (iv.length !== GCM_IV_LENGTH) throw new RangeError(`iv: ${iv.length} bytes, expected 12`);
  return gcm(key, iv, aad).encrypt(new Uint8Array(0)).slice(0, GMAC_LENGTH);
}
