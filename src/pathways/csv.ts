/**
 * CSV as RFC 4180 has it, and as spreadsheets export it: UTF-8 with or without a byte-order mark,
 * CRLF or LF line ends, quoted fields with doubled quotes, commas and line breaks inside quotes.
 * Every row must have as many fields as the header. Errors are `DecodeError`s naming the row and
 * column (both 1-based, the header is row 1) and the character offset — the byte offset for bytes
 * that are not UTF-8.
 */

import { firstInvalidUtf8 } from '../bytes/utf8.ts';
import { DecodeError } from '../errors/errors.ts';

/** One data row: its fields, its row number (the header is row 1) and the line it starts on. */
export interface CsvRow {
  readonly row: number;
  readonly line: number;
  readonly fields: readonly string[];
}

/** A parsed CSV document: the header and the data rows, each as long as the header. */
export interface CsvTable {
  readonly header: readonly string[];
  /** Data rows, with the 1-based line number each starts on in the file. */
  readonly rows: readonly CsvRow[];
}

/** A CSV error at `row` (1-based, the header is row 1) and `column` (1-based). */
export class CsvError extends DecodeError {
  readonly row: number;
  readonly column: number;

  constructor(code: string, message: string, offset: number, row: number, column: number) {
    super(code, `row ${row}, column ${column}: ${message}`, offset);
    this.row = row;
    this.column = column;
  }
}

/**
 * Parses CSV text. Blank lines between rows are skipped; a blank header is an error. `onHeader`
 * sees the header row as soon as it is read, so that a file without the columns its reader needs
 * is refused before the rest of it is parsed.
 */
export function parseCsv(text: string, onHeader?: (header: readonly string[]) => void): CsvTable {
  const records: { line: number; offset: number; fields: string[] }[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let fields: string[] = [];
  let field = '';
  let recordLine = 1;
  let recordOffset = i;
  let atFieldStart = true;
  let quoted = false;
  const endRecord = () => {
    fields.push(field);
    // A line holding nothing at all is not a record.
    if (!(fields.length === 1 && fields[0] === '' && !quoted)) {
      records.push({ line: recordLine, offset: recordOffset, fields });
      if (records.length === 1) onHeader?.(fields.map((f) => f.trim()));
    }
    fields = [];
    field = '';
    atFieldStart = true;
    quoted = false;
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (atFieldStart && c === '"') {
      quoted = true;
      atFieldStart = false;
      const start = i;
      i++;
      for (;;) {
        if (i >= text.length)
          throw new CsvError(
            'CSV_QUOTE',
            'quoted field is not closed before the end of the file',
            start,
            records.length + 1,
            fields.length + 1,
          );
        // Up to the next quote in one slice: no string grows a character at a time.
        const quote = text.indexOf('"', i);
        const end = quote < 0 ? text.length : quote;
        for (let k = text.indexOf('\n', i); k >= 0 && k < end; k = text.indexOf('\n', k + 1)) line++;
        field += text.slice(i, end);
        i = end;
        if (quote < 0) continue;
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        i++;
        break;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new CsvError(
          'CSV_QUOTE',
          `unexpected '${next}' after a closing quote (quotes inside a field are doubled: "")`,
          i,
          records.length + 1,
          fields.length + 1,
        );
      }
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      atFieldStart = true;
      quoted = false;
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      recordOffset = i;
      continue;
    }
    if (c === '"')
      throw new CsvError(
        'CSV_QUOTE',
        'a quote inside an unquoted field (quote the whole field and double the quote)',
        i,
        records.length + 1,
        fields.length + 1,
      );
    // The rest of an unquoted field, up to the next delimiter or quote, in one slice.
    let end = i + 1;
    for (; end < text.length; end++) {
      const code = text.charCodeAt(end);
      if (code === 0x2c || code === 0x0a || code === 0x0d || code === 0x22) break;
    }
    field += text.slice(i, end);
    atFieldStart = false;
    i = end;
  }
  if (!atFieldStart || fields.length > 0 || quoted) endRecord();
  const [header, ...rows] = records;
  if (!header || (header.fields.length === 1 && header.fields[0] === ''))
    throw new CsvError('CSV_EMPTY', 'no header row', 0, 1, 1);
  return {
    header: header.fields.map((h) => h.trim()),
    rows: rows.map((r, index) => {
      if (r.fields.length !== header.fields.length)
        throw new CsvError(
          'CSV_FIELD_COUNT',
          `${r.fields.length} fields, the header has ${header.fields.length} (line ${r.line})`,
          r.offset,
          index + 2,
          Math.min(r.fields.length, header.fields.length) + 1,
        );
      return { row: index + 2, line: r.line, fields: r.fields };
    }),
  };
}

/** Row (as `parseCsv` numbers them), column and line at the end of `text`, a CSV prefix. */
function positionAfter(text: string): { row: number; column: number; line: number } {
  let row = 1;
  let column = 1;
  let line = 1;
  let quoted = false;
  let blank = true;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') i++;
        else quoted = false;
      } else if (c === '\n') line++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      line++;
      // A line holding nothing at all is not a row.
      if (!blank) row++;
      column = 1;
      blank = true;
      continue;
    }
    blank = false;
    if (c === '"') quoted = true;
    else if (c === ',') column++;
  }
  return { row, column, line };
}

/**
 * Decodes CSV bytes as UTF-8. Bytes that are not UTF-8 are a `CsvError` (code CSV_ENCODING) at
 * the row and column they are in, with the byte offset of the first one; so is UTF-16 text.
 */
export function decodeCsv(bytes: Uint8Array): string {
  const [b0, b1] = bytes;
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff))
    throw new CsvError(
      'CSV_ENCODING',
      `UTF-16 text (byte-order mark 0x${(b0 as number).toString(16)}${(b1 as number).toString(16)} at byte offset 0), expected UTF-8: save the file as UTF-8`,
      0,
      1,
      1,
    );
  const bad = firstInvalidUtf8(bytes);
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  if (bad < 0) return decoder.decode(bytes);
  const at = positionAfter(decoder.decode(bytes.subarray(0, bad)));
  throw new CsvError(
    'CSV_ENCODING',
    `byte 0x${(bytes[bad] as number).toString(16).padStart(2, '0')} at byte offset ${bad}${at.line === at.row ? '' : ` (line ${at.line})`} is not UTF-8: save the file as UTF-8`,
    bad,
    at.row,
    at.column,
  );
}
