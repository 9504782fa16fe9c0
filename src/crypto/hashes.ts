/**
 * Hash functions used across hanota: SHA-256 (the "Manufacturer Image hash" of GBCS, CPL and
 * CS06) and SHA-512 (file digests, as firmware indexes publish them). This folder is the only
 * one that imports `@noble/*` (DESIGN.md §3).
 */
import { sha256 as nobleSha256, sha512 as nobleSha512 } from '@noble/hashes/sha2.js';

/** SHA-256 of `data` (FIPS 180-4). */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/** SHA-512 of `data` (FIPS 180-4). */
export function sha512(data: Uint8Array): Uint8Array {
  return nobleSha512(data);
}
