/**
 * ECDSA P-256/SHA-256 against node:crypto (an independent implementation): signatures made
 * here verify there and the reverse, and high-S signatures — which real GBCS signers produce —
 * verify here.
 */
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { deriveP256PrivateKey, publicKeyOf, signP256, verifyP256 } from '../../src/crypto/ecdsa-p256.ts';
import { encodePrivateKeyPem, encodePublicKeyPem } from '../../src/crypto/keys.ts';

const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const d = deriveP256PrivateKey('ecdsa test');
const pub = publicKeyOf(d);
const nodePriv = createPrivateKey(encodePrivateKeyPem(d));
const nodePub = createPublicKey(encodePublicKeyPem(pub));

function highS(signature: Uint8Array): Uint8Array {
  const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString('hex')}`);
  const flipped = Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex');
  const out = signature.slice();
  out.set(flipped, 32);
  return out;
}

it('signs messages that node:crypto verifies, and verifies what node:crypto signs', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (message) => {
      const ours = signP256(message, d);
      expect(verify('sha256', message, { key: nodePub, dsaEncoding: 'ieee-p1363' }, ours)).toBe(true);
      const theirs = new Uint8Array(sign('sha256', message, { key: nodePriv, dsaEncoding: 'ieee-p1363' }));
      expect(verifyP256(theirs, message, pub)).toBe(true);
    }),
    { numRuns: 50 },
  );
});

it('accepts both the low-S and the high-S form of a signature', () => {
  const message = new TextEncoder().encode('manufacturer image');
  const signature = signP256(message, d);
  const other = highS(signature);
  expect(verifyP256(signature, message, pub)).toBe(true);
  expect(verifyP256(other, message, pub)).toBe(true);
  expect(verify('sha256', message, { key: nodePub, dsaEncoding: 'ieee-p1363' }, other)).toBe(true);
});

it('rejects a flipped bit in the message or the signature, and malformed signatures, as false', () => {
  const message = new TextEncoder().encode('manufacturer image');
  const signature = signP256(message, d);
  const m2 = message.slice();
  m2[0] = (m2[0] as number) ^ 1;
  const s2 = signature.slice();
  s2[63] = (s2[63] as number) ^ 1;
  expect(verifyP256(signature, m2, pub)).toBe(false);
  expect(verifyP256(s2, message, pub)).toBe(false);
  expect(verifyP256(signature.subarray(1), message, pub)).toBe(false);
  expect(verifyP256(new Uint8Array(64), message, pub)).toBe(false);
  expect(verifyP256(signature, message, new Uint8Array(65))).toBe(false);
});
