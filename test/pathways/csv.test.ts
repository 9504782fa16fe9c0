/** The CSV reader: RFC 4180 quoting, BOM, CRLF, and errors that name the row and column. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/pathways/csv.ts';
import { catalogCsv } from '../../src/testing/catalog-arbitraries.ts';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, a BOM and CRLF', () => {
    const table = parseCsv('\ufeffa,b,c\r\n"x, y","say ""hi""","two\r\nlines"\r\n1,,3\n');
    expect(table.header).toEqual(['a', 'b', 'c']);
    expect(table.rows.map((r) => r.fields)).toEqual([
      ['x, y', 'say "hi"', 'two\r\nlines'],
      ['1', '', '3'],
    ]);
    expect(table.rows.map((r) => [r.row, r.line])).toEqual([
      [2, 2],
      [3, 4],
    ]);
  });

  it('keeps an empty last field on a last line without a line end, and a quoted empty field', () => {
    expect(parseCsv('a,b\n1,').rows.map((r) => r.fields)).toEqual([['1', '']]);
    expect(parseCsv('a,b\n"",2').rows.map((r) => r.fields)).toEqual([['', '2']]);
  });

  it('reads back what catalogCsv writes, whatever the values', () => {
    const value = fc.string({ unit: fc.constantFrom('a', ',', '"', '\r', '\n', ' ', 'é') });
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value), { minLength: 1, maxLength: 5 }), (pairs) => {
        const rows = pairs.map(([x, y]) => ({ x, y }));
        expect(parseCsv(catalogCsv(rows, ['x', 'y'])).rows.map((r) => r.fields)).toEqual(pairs);
      }),
    );
  });

  it('names the row and column of a short row, a stray quote and an unclosed quote', () => {
    expect(() => parseCsv('a,b\n1,2\n3\n')).toThrow('row 3, column 2: 1 fields, the header has 2 (line 3)');
    expect(() => parseCsv('a,b\n1,x"y\n')).toThrow(/^row 2, column 2: a quote inside an unquoted field/);
    expect(() => parseCsv('a,b\n1,"open\n')).toThrow(/^row 2, column 2: quoted field is not closed/);
    expect(() => parseCsv('a,b\n"1"x,2\n')).toThrow(/^row 2, column 1: unexpected 'x' after a closing quote/);
    expect(() => parseCsv('')).toThrow(/no header row/);
  });
});
