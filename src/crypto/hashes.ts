/**
 * Hash functions used across hanota: SHA-256 (the "Manufacturer Image hash" of GBCS, CPL and
 * CS06) and SHA-512 (file digests, as firmware indexes publish them). Computed by Node's own
 * OpenSSL: digests of whole images are on the path of every `image` command, and the
 * pure-JavaScript hashes cost more start-up time than everything else `image inspect` does
 * (measured in BENCHMARKS.md); test/crypto/hashes.test.ts holds them to FIPS 180-4's examples and
 * to @noble/hashes. The elliptic-curve and AES code stays on `@noble/*`, in this folder only
 * (DESIGN.md §3).
 */
import { createHash } from 'node:crypto';

function digest(algorithm: 'sha256' | 'sha512', data: Uint8Array): Uint8Array {
  const out = createHash(algorithm).update(data).digest();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** SHA-256 of `data` (FIPS 180-4). */
export function sha256(data: Uint8Array): Uint8Array {
  return digest('sha256', data);
}

/** SHA-512 of `data` (FIPS 180-4). */
export function sha512(data: Uint8Array): Uint8Array {
  return digest('sha512', data);
}

/** A SHA-256 fed piece by piece, for inputs read as a stream and never held whole. */
export interface Sha256Stream {
  update(data: Uint8Array): void;
  /** The digest of everything fed so far; the stream is done. */
  digest(): Uint8Array;
}

/** A new SHA-256 stream (FIPS 180-4). */
export function sha256Stream(): Sha256Stream {
  const hash = createHash('sha256');
  return {
    update: (data) => {
      hash.update(data);
    },
    digest: () => {
      const out = hash.digest();
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    },
  };
}
