/**
 * CSV bytes that are not UTF-8: the first bad byte is found exactly where TextDecoder's fatal
 * mode fails, and named by row, column and byte offset.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8 } from '../../src/bytes/utf8.ts';
import { DecodeError } from '../../src/errors/errors.ts';
import { loadCatalog } from '../../src/pathways/catalog.ts';
import { decodeCsv } from '../../src/pathways/csv.ts';
import { loadEstate } from '../../src/pathways/estate.ts';

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const decodes = (bytes: Uint8Array) => {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
};
const bytesOf = (text: string) => new TextEncoder().encode(text);
/** Text with one byte appended where it stands for a Latin-1 character. */
const withByte = (before: string, byte: number, after = '') =>
  Uint8Array.from([...bytesOf(before), byte, ...bytesOf(after)]);

describe('firstInvalidUtf8', () => {
  it('agrees with TextDecoder: -1 exactly for UTF-8, else the longest prefix that decodes ends there', () => {
    const mostlyText = fc
      .uint8Array({ maxLength: 40 })
      .chain((noise) => fc.string({ unit: 'binary' }).map((s) => Uint8Array.from([...bytesOf(s), ...noise])));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }), mostlyText), (bytes) => {
        const bad = firstInvalidUtf8(bytes);
        expect(bad === -1).toBe(decodes(bytes));
        if (bad >= 0) expect(decodes(bytes.subarray(0, bad))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('points at the lead byte of a sequence cut short, an overlong form and a surrogate', () => {
    expect(firstInvalidUtf8(Uint8Array.of(0x61, 0xe2, 0x82))).toBe(1);
    expect(firstInvalidUtf8(Uint8Array.of(0x61, 0xc0, 0x80))).toBe(1);
    expect(firstInvalidUtf8(Uint8Array.of(0x61, 0x62, 0xed, 0xa0, 0x80))).toBe(2);
    expect(firstInvalidUtf8(bytesOf('é€𝄞'))).toBe(-1);
  });
});

describe('decodeCsv', () => {
  it('names row, column and byte offset, counting rows as the CSV reader does', () => {
    const bytes = withByte('a,b\n\n1,"x\ny"\n2,', 0xe9);
    expect(() => decodeCsv(bytes)).toThrow(
      'row 3, column 2: byte 0xe9 at byte offset 15 (line 5) is not UTF-8: save the file as UTF-8',
    );
    try {
      decodeCsv(bytes);
    } catch (error) {
      expect(error).toBeInstanceOf(DecodeError);
      expect((error as DecodeError).offset).toBe(15);
    }
  });

  it('keeps a UTF-8 byte-order mark for the CSV reader, and refuses UTF-16', () => {
    expect(decodeCsv(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61))).toBe('\ufeffa');
    expect(() => decodeCsv(Uint8Array.of(0xfe, 0xff, 0x00, 0x61))).toThrow(/^row 1, column 1: UTF-16 text/);
  });

  it('lets loadCatalog and loadEstate take the bytes of a file', () => {
    const header =
      'cpl_entry_id,device_type,manufacturer,model,hardware_version,firmware_version,manufacturer_image_hash,base_cpl_entry_ids,status\n';
    expect(
      loadCatalog(bytesOf(`${header}V1,ESME,Acmé,M,1,1.0,aa,N/A,Active\n`)).entries[0]?.manufacturer,
    ).toBe('Acmé');
    expect(() => loadCatalog(withByte(`${header}V1,ESME,Acm`, 0xe9))).toThrow(/^row 2, column 3: byte 0xe9/);
    expect(() =>
      loadEstate(withByte('device_id,device_type,hub_id,cpl_entry_id\n00db000000000001,ESME,h', 0xe9)),
    ).toThrow(/^row 2, column 3: byte 0xe9/);
  });
});
