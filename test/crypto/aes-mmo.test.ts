/**
 * AES-MMO known answers from the ZigBee specification 05-3474-21, Annex C.5 "Cryptographic
 * Hash Function" (test vector sets 1–4; set 4 is the first message long enough for the
 * 32-bit length padding).
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes/hex.ts';
import { aesMmo } from '../../src/crypto/aes-mmo.ts';

function counting(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => i & 0xff);
}

describe('aesMmo', () => {
  it('hashes the single byte 0xC0 as in ZigBee C.5.1', () => {
    expect(toHex(aesMmo(Uint8Array.of(0xc0)))).toBe('ae3a102a28d43ee0d4a09e22788b206c');
  });

  it('hashes one full block as in ZigBee C.5.2', () => {
    expect(toHex(aesMmo(fromHex('c0c1c2c3c4c5c6c7c8c9cacbcccdcecf', 'm')))).toBe(
      'a7977e88bc0b61e8210827109a228f2d',
    );
  });

  it('hashes 8191 counting bytes with the 16-bit length padding as in ZigBee C.5.3', () => {
    expect(toHex(aesMmo(counting(8191)))).toBe('24ec2fe75bbffcb34789bc0610e7f165');
  });

  it('hashes 8192 counting bytes with the 32-bit length padding as in ZigBee C.5.4', () => {
    expect(toHex(aesMmo(counting(8192)))).toBe('dc6b0687f09f8607131c170b3bd31591');
  });
});
