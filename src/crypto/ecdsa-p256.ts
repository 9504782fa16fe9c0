/**
 * ECDSA over P-256 with SHA-256, as GBCS uses it for supplier signatures over Manufacturer
 * Images and for critical commands (GBCS §4.3). Signatures are 64 bytes r‖s. Options are
 * explicit on every call (STYLE.md): real GBCS signatures are not low-S normalised, so
 * verification must accept both halves of the curve order.
 */
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from './hashes.ts';

/** Length of a raw r‖s signature. */
export const P256_SIGNATURE_LENGTH = 64;
/** Length of an uncompressed SEC 1 public key (0x04 ‖ x ‖ y). */
export const P256_PUBLIC_KEY_LENGTH = 65;
/** Length of a private scalar. */
export const P256_PRIVATE_KEY_LENGTH = 32;

/** True when `signature` (r‖s) is a valid ECDSA P-256/SHA-256 signature over `message`. */
export function verifyP256(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== P256_SIGNATURE_LENGTH) return false;
  try {
    return p256.verify(signature, message, publicKey, { prehash: true, lowS: false, format: 'compact' });
  } catch {
    // Malformed public keys or out-of-range r/s are "does not verify", not a crash.
    return false;
  }
}

/** Deterministic (RFC 6979) ECDSA P-256/SHA-256 signature over `message`, as r‖s. */
export function signP256(message: Uint8Array, privateKey: Uint8Array): Uint8Array {
  return p256.sign(message, privateKey, {
    prehash: true,
    lowS: false,
    format: 'compact',
    extraEntropy: false,
  });
}

/** The uncompressed public key of a private scalar. */
export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  return p256.getPublicKey(privateKey, false);
}

/** True when `publicKey` is a valid uncompressed point on P-256. */
export function isP256PublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== P256_PUBLIC_KEY_LENGTH) return false;
  try {
    p256.Point.fromBytes(publicKey).assertValidity();
    return true;
  } catch {
    return false;
  }
}

/** True when `privateKey` is a valid P-256 scalar (1 ≤ d < n). */
export function isP256PrivateKey(privateKey: Uint8Array): boolean {
  return privateKey.length === P256_PRIVATE_KEY_LENGTH && p256.utils.isValidSecretKey(privateKey);
}

/**
 * A deterministic P-256 private key for `label` (simulated suppliers, devices and fixtures):
 * SHA-256 of the label and a counter, the first candidate that is a valid scalar. Never for
 * real keys: anyone who knows the label knows the key.
 */
export function deriveP256PrivateKey(label: string): Uint8Array {
  const text = new TextEncoder().encode(label);
  for (let counter = 0; ; counter++) {
    const input = new Uint8Array(text.length + 4);
    input.set(text);
    new DataView(input.buffer).setUint32(text.length, counter, false);
    const candidate = sha256(input);
    if (isP256PrivateKey(candidate)) return candidate;
  }
}
