/** DER TLVs: encode → read is the identity, lengths use the minimal form, and bad input is typed. */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { ByteReader } from '../../src/bytes/byte-reader.ts';
import { encodeDer, readDer } from '../../src/bytes/der.ts';
import { toHex } from '../../src/bytes/hex.ts';
import { DecodeError } from '../../src/errors/errors.ts';

const reader = (b: Uint8Array) => new ByteReader(b, { littleEndian: false });

it('reads back every TLV it encodes, with minimal lengths', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x1e }), fc.uint8Array({ maxLength: 600 }), (tag, value) => {
      const encoded = encodeDer(tag, value);
      const node = readDer(reader(encoded), 'x');
      expect(node.tag).toBe(tag);
      expect(node.value).toEqual(value);
      expect(node.valueOffset).toBe(encoded.length - value.length);
      const expectedLengthBytes = value.length < 0x80 ? 1 : value.length < 0x100 ? 2 : 3;
      expect(encoded.length).toBe(1 + expectedLengthBytes + value.length);
    }),
  );
});

it('encodes the short and long length forms', () => {
  expect(toHex(encodeDer(0x04, new Uint8Array(3)))).toBe('0403000000');
  expect(toHex(encodeDer(0x04, new Uint8Array(0x80))).slice(0, 6)).toBe('048180');
  expect(toHex(encodeDer(0x04, new Uint8Array(0x100))).slice(0, 8)).toBe('04820100');
});

it('refuses indefinite, non-minimal and overlong lengths with their offset', () => {
  expect(() => readDer(reader(Uint8Array.of(0x30, 0x80)), 'seq')).toThrow(
    expect.objectContaining({ code: 'DER_LENGTH', offset: 1 }),
  );
  expect(() => readDer(reader(Uint8Array.of(0x04, 0x81, 0x05, 1, 2, 3, 4, 5)), 'os')).toThrow(
    /not in minimal form/,
  );
  expect(() => readDer(reader(Uint8Array.of(0x04, 0x85, 1, 1, 1, 1, 1)), 'os')).toThrow(/5-byte length/);
  expect(() => readDer(reader(Uint8Array.of(0x04, 0x05, 1)), 'os')).toThrow(
    expect.objectContaining({ code: 'UNEXPECTED_END' }),
  );
});

it('gives a DecodeError or a TLV for arbitrary bytes, never another exception', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      try {
        const node = readDer(reader(bytes), 'x');
        expect(node.valueOffset + node.value.length).toBeLessThanOrEqual(bytes.length);
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
      }
    }),
  );
});
