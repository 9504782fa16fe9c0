/**
 * The supplier signature of a GBCS OTA Upgrade Image (GBCS §11.2, DESIGN.md §2): ECDSA P-256
 * with SHA-256 over the Manufacturer Image, by the supplier's digital-signing key. Expected
 * outcomes are values: a signature that does not verify is `false`, not an exception.
 */
import { signP256, verifyP256 } from '../crypto/ecdsa-p256.ts';
import { sha256 } from '../crypto/hashes.ts';
import { GBCS_SIGNATURE_FLAG } from './constants.ts';
import type { GbcsImage } from './gbcs-image.ts';

/** True when the image carries a signature that verifies under `publicKey`; false otherwise. */
export function verifyGbcsSignature(image: GbcsImage, publicKey: Uint8Array): boolean {
  if (!image.signature) return false;
  return verifyP256(image.signature.value, image.manufacturerImage.data, publicKey);
}

/** The signature trailer for `manufacturerImage` under the supplier's private key. */
export function signManufacturerImage(
  manufacturerImage: Uint8Array,
  privateKey: Uint8Array,
): { flag: number; value: Uint8Array } {
  return { flag: GBCS_SIGNATURE_FLAG, value: signP256(manufacturerImage, privateKey) };
}

/** The "Manufacturer Image hash" of CPL entries, CS06 and alerts: SHA-256 of the Manufacturer Image. */
export function manufacturerImageHash(image: GbcsImage): Uint8Array {
  return sha256(image.manufacturerImage.data);
}
