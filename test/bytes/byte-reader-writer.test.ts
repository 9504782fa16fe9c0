/**
 * ByteReader and ByteWriter: what one writes the other reads back, in both byte orders;
 * reading past the end is a DecodeError with the absolute offset; out-of-range values are
 * RangeErrors naming the field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../src/bytes/byte-reader.ts';
import { ByteWriter } from '../../src/bytes/byte-writer.ts';
import { bytesEqual, fromHex, hexNumber, toHex } from '../../src/bytes/hex.ts';
import { DecodeError } from '../../src/errors/errors.ts';

type Field =
  | { kind: 'u8'; value: number }
  | { kind: 'u16'; value: number }
  | { kind: 'u32'; value: number }
  | { kind: 'u64'; value: bigint }
  | { kind: 'bytes'; value: Uint8Array };

const field: fc.Arbitrary<Field> = fc.oneof(
  fc.record({ kind: fc.constant('u8' as const), value: fc.integer({ min: 0, max: 0xff }) }),
  fc.record({ kind: fc.constant('u16' as const), value: fc.integer({ min: 0, max: 0xffff }) }),
  fc.record({ kind: fc.constant('u32' as const), value: fc.integer({ min: 0, max: 0xffff_ffff }) }),
  fc.record({ kind: fc.constant('u64' as const), value: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
  fc.record({ kind: fc.constant('bytes' as const), value: fc.uint8Array({ maxLength: 40 }) }),
);

describe('ByteReader and ByteWriter', () => {
  it('read back what was written, in either byte order', () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 30 }), fc.boolean(), (fields, littleEndian) => {
        const w = new ByteWriter({ littleEndian, initialCapacity: 1 });
        for (const f of fields) {
          if (f.kind === 'bytes') w.bytes(f.value);
          else if (f.kind === 'u64') w.u64(f.value, 'f');
          else w[f.kind](f.value, 'f');
        }
        const r = new ByteReader(w.finish(), { littleEndian });
        for (const f of fields) {
          if (f.kind === 'bytes') expect(bytesEqual(r.bytes(f.value.length, 'f'), f.value)).toBe(true);
          else if (f.kind === 'u64') expect(r.u64('f')).toBe(f.value);
          else expect(r[f.kind]('f')).toBe(f.value);
        }
        expect(r.remaining).toBe(0);
      }),
    );
  });

  it('writes multi-byte values in the byte order chosen at creation', () => {
    expect(toHex(new ByteWriter({ littleEndian: true }).u32(0x0beef11e, 'id').finish())).toBe('1ef1ee0b');
    expect(toHex(new ByteWriter({ littleEndian: false }).u16(0x0012, 'code').finish())).toBe('0012');
  });

  it('throws a DecodeError naming the field and the absolute offset when reading past the end', () => {
    const r = new ByteReader(Uint8Array.of(1, 2, 3), { littleEndian: true, baseOffset: 100 });
    r.u16('first');
    let error: unknown;
    try {
      r.u32('totalImageSize');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DecodeError);
    expect(error).toMatchObject({
      code: 'UNEXPECTED_END',
      offset: 102,
      message: 'totalImageSize: needs 4 bytes at offset 102, but only 1 remain',
    });
  });

  it('refuses values that do not fit their width, naming the field', () => {
    const w = new ByteWriter({ littleEndian: true });
    expect(() => w.u8(256, 'flag')).toThrow(/^flag: 256 is not an unsigned 8-bit integer$/);
    expect(() => w.u16(-1, 'tag')).toThrow(RangeError);
    expect(() => w.u32(1.5, 'size')).toThrow(RangeError);
    expect(() => w.u64(-1n, 'counter')).toThrow(RangeError);
    expect(() => w.u8('1' as unknown as number, 'flag')).toThrow(TypeError);
  });
});

describe('hex', () => {
  it('round-trips bytes through lowercase hex', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const text = toHex(b);
        expect(text).toMatch(/^[0-9a-f]*$/);
        expect(fromHex(text.toUpperCase(), 'x')).toEqual(b);
      }),
    );
  });

  it('refuses odd lengths and non-hex characters, naming the field and position', () => {
    expect(() => fromHex('abc', 'hash')).toThrow(/^hash: hex has an odd number of digits \(3\)$/);
    expect(() => fromHex('zz', 'hash')).toThrow(/^hash: 'z' at character 0 is not a hex digit$/);
    expect(hexNumber(0x12, 4)).toBe('0x0012');
  });
});
