import { sha256 as nobleSha256, sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { toHex } from '../../src/bytes/hex.ts';
import { sha256, sha512 } from '../../src/crypto/hashes.ts';

const abc = new TextEncoder().encode('abc');

// FIPS 180-4 examples (NIST CSRC "SHA256.pdf" and "SHA512.pdf", message "abc").
test('gives the FIPS 180-4 digests of "abc"', () => {
  expect(toHex(sha256(abc))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  expect(toHex(sha512(abc))).toBe(
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
  );
});

test('agrees with @noble/hashes on any input, including views into larger buffers', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(8), (bytes, skip) => {
      const view = new Uint8Array(new Uint8Array([...new Uint8Array(skip), ...bytes]).buffer, skip);
      expect(sha256(view)).toEqual(nobleSha256(bytes));
      expect(sha512(view)).toEqual(nobleSha512(bytes));
    }),
  );
});
