/**
 * An estate CSV read as a stream of byte chunks, one row at a time (DESIGN.md §3 "Scale-out":
 * memory bounded by the work in flight, not the estate). A national estate is hundreds of
 * megabytes: the scanner keeps only what is left of a line between chunks and 8 bytes per device
 * (its EUI-64, to find a device listed twice), and hands each row to its reader while the bytes are
 * still in the chunk — the reader sorts it into its hub's bucket and lets it go.
 *
 * It checks what `loadEstate` checks — the header's columns, every row's field count, every device
 * ID an EUI-64 and none twice — with the same messages. A file it cannot read row by row (quoted
 * fields, which may hold commas and line breaks; bytes that are not UTF-8; device IDs written with
 * dashes or colons) makes it stop with `FullReadNeeded`: such a file is read whole by `loadEstate`,
 * whose errors and devices are the reference.
 */

import { FNV1A_OFFSET, FNV1A_PRIME, fnv1a } from '../bytes/fnv1a.ts';
import { DecodeError } from '../errors/errors.ts';
import { CsvError, parseCsv } from './csv.ts';
import { checkEstateHeader, ESTATE_COLUMNS, type EstateDevice } from './estate.ts';

/** The scanner met something only a whole-file read handles (see the header); `reason` says what. */
export class FullReadNeeded extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(`the estate needs a whole-file read: ${reason}`);
    this.reason = reason;
    this.name = 'FullReadNeeded';
  }
}

/** The columns of an estate file, as its header gives them. */
export interface EstateColumns {
  /** Every column's name, in file order. */
  readonly header: readonly string[];
  readonly deviceId: number;
  readonly deviceType: number;
  readonly hubId: number;
  readonly cplEntryId: number;
  /** The columns past the required ones: name and place. */
  readonly extra: readonly (readonly [string, number])[];
}

/**
 * One row as the scanner hands it over: one object, refilled for each row and valid only during
 * the call (a national estate is ten million rows: nothing is made per row that need not be).
 */
export interface ScannedRow {
  /** 0 for the first data row (the file's row `index + 2` in `loadEstate`'s numbering). */
  index: number;
  /** The row is `bytes[begin, end)`, without its line ending. */
  bytes: Uint8Array;
  begin: number;
  end: number;
  /** `fnv1a` of the hub ID (trimmed), as `fnv1a(device.hubId)` gives it. */
  hubHash: number;
  cplEntryId: string;
}

const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const SPACE = 0x20;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Whether `bytes[from, to)` is plain ASCII. */
function isAscii(bytes: Uint8Array, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if ((bytes[k] as number) >= 0x80) return false;
  return true;
}

/** The text of `bytes[from, to)` (UTF-8; plain ASCII without a decoder). */
function text(bytes: Uint8Array, from: number, to: number): string {
  if (!isAscii(bytes, from, to)) {
    try {
      return utf8.decode(bytes.subarray(from, to));
    } catch {
      throw new FullReadNeeded('bytes that are not UTF-8');
    }
  }
  let ascii = '';
  for (let k = from; k < to; k += 4096)
    ascii += String.fromCharCode.apply(
      null,
      bytes.subarray(k, Math.min(to, k + 4096)) as unknown as number[],
    );
  return ascii;
}

/** Whether byte `c` is white space `String.prototype.trim` removes (ASCII ones; the line has no LF or CR). */
function isSpace(c: number): boolean {
  return c === SPACE || (c >= 0x09 && c <= 0x0d);
}

/** Hex digit value of a byte, or −1. */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/** Reads an estate CSV pushed chunk by chunk; calls `onRow` for each row, in file order. */
export class EstateScanner {
  readonly #onRow: (row: ScannedRow) => void;
  #columns: EstateColumns | undefined;
  #rest: Uint8Array = new Uint8Array(0);
  #start = true;
  /** The previous chunk ended with CR: an LF at the start of this one belongs to it. */
  #afterCr = false;
  #rows = 0;
  /** Lines read so far, blank ones included (errors name the line). */
  #lines = 0;
  #his = new Uint32Array(1024);
  #los = new Uint32Array(1024);
  /** Where each field of the current row starts (one past the comma before it); the row's end after the last. */
  #starts = new Int32Array(16);
  /** Entry IDs already read, by FNV-1a of their bytes: devices share a few hundred entries. */
  readonly #entries = new Map<number, string>();
  readonly #row: ScannedRow = {
    index: 0,
    bytes: new Uint8Array(0),
    begin: 0,
    end: 0,
    hubHash: 0,
    cplEntryId: '',
  };

  constructor(onRow: (row: ScannedRow) => void) {
    this.#onRow = onRow;
  }

  /** The header's columns, once the header has been read. */
  get columns(): EstateColumns | undefined {
    return this.#columns;
  }

  /** Rows read so far. */
  get rows(): number {
    return this.#rows;
  }

  /** Reads the complete lines of `chunk` (and of what was left of the last one). */
  push(chunk: Uint8Array): void {
    let bytes = chunk;
    if (this.#rest.length > 0) {
      bytes = new Uint8Array(this.#rest.length + chunk.length);
      bytes.set(this.#rest);
      bytes.set(chunk, this.#rest.length);
    }
    let i = 0;
    if (this.#start) {
      if (bytes.length < 3) {
        this.#rest = bytes.slice();
        return;
      }
      const [b0, b1] = bytes;
      if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff))
        throw new FullReadNeeded('UTF-16 text');
      if (b0 === 0xef && b1 === 0xbb && bytes[2] === 0xbf) i = 3;
      this.#start = false;
    }
    if (this.#afterCr && bytes[i] === LF) i++;
    this.#afterCr = false;
    for (;;) {
      let end = i;
      while (end < bytes.length && bytes[end] !== LF && bytes[end] !== CR) end++;
      if (end === bytes.length) break;
      this.#line(bytes, i, end);
      if (bytes[end] === CR) {
        if (end + 1 === bytes.length) {
          this.#afterCr = true;
          i = end + 1;
          break;
        }
        i = bytes[end + 1] === LF ? end + 2 : end + 1;
      } else i = end + 1;
    }
    this.#rest = bytes.slice(i);
  }

  /** Reads the last line (one without a line ending) and checks that no device is listed twice. */
  end(): EstateColumns {
    if (this.#start && this.#rest.length > 0) {
      const rest = this.#rest;
      this.#rest = new Uint8Array(0);
      this.#start = false;
      if ((rest[0] === 0xff && rest[1] === 0xfe) || (rest[0] === 0xfe && rest[1] === 0xff))
        throw new FullReadNeeded('UTF-16 text');
      this.#line(rest, rest[0] === 0xef && rest[1] === 0xbb && rest[2] === 0xbf ? 3 : 0, rest.length);
    } else if (this.#rest.length > 0) this.#line(this.#rest, 0, this.#rest.length);
    this.#rest = new Uint8Array(0);
    // An empty file: the CSV parser's error for a missing header.
    if (!this.#columns) parseCsv('', checkEstateHeader);
    const columns = this.#columns as EstateColumns;
    const repeat = firstRepeat(this.#his, this.#los, this.#rows);
    if (repeat) {
      const id = (k: number) =>
        ((this.#his[k] as number).toString(16).padStart(8, '0') +
          (this.#los[k] as number).toString(16).padStart(8, '0')) as string;
      throw new DecodeError(
        'ESTATE_DEVICE_ID',
        `row ${repeat.later + 2}, column ${columns.deviceId + 1}: device ${id(repeat.later)} is already on row ${repeat.first + 2}`,
        0,
      );
    }
    this.#his = new Uint32Array(0);
    this.#los = new Uint32Array(0);
    return columns;
  }

  #line(bytes: Uint8Array, begin: number, end: number): void {
    this.#lines++;
    if (end === begin) return; // a blank line is not a row
    const columns = this.#columns;
    if (!columns) {
      for (let k = begin; k < end; k++) if (bytes[k] === QUOTE) throw new FullReadNeeded('quoted fields');
      // The header: read by the CSV parser (its checks, its errors).
      const { header } = parseCsv(text(bytes, begin, end), checkEstateHeader);
      const lower = header.map((name) => name.toLowerCase());
      const at = (c: (typeof ESTATE_COLUMNS)[number]) => lower.indexOf(c);
      this.#columns = {
        header,
        deviceId: at('device_id'),
        deviceType: at('device_type'),
        hubId: at('hub_id'),
        cplEntryId: at('cpl_entry_id'),
        extra: header.flatMap((name, k) =>
          (ESTATE_COLUMNS as readonly string[]).includes(name.toLowerCase()) ? [] : [[name, k] as const],
        ),
      };
      return;
    }
    const width = columns.header.length;
    // Where each field starts; quotes refused on the way.
    let starts = this.#starts;
    let fields = 1;
    let high = false;
    starts[0] = begin;
    for (let k = begin; k < end; k++) {
      const c = bytes[k] as number;
      if (c === COMMA) {
        if (fields + 1 >= starts.length) {
          const more = new Int32Array(starts.length * 2);
          more.set(starts);
          starts = more;
          this.#starts = more;
        }
        starts[fields++] = k + 1;
      } else if (c === QUOTE) throw new FullReadNeeded('quoted fields');
      else if (c >= 0x80) high = true;
    }
    // Bytes past ASCII anywhere in the row: the row must be UTF-8 (else the whole read says where not).
    if (high) text(bytes, begin, end);
    starts[fields] = end + 1;
    if (fields !== width)
      throw new CsvError(
        'CSV_FIELD_COUNT',
        `${fields} fields, the header has ${width} (line ${this.#lines})`,
        begin,
        this.#rows + 2,
        Math.min(fields, width) + 1,
      );
    // The device ID as 64 bits: 16 hex digits, spaces around them at most.
    let k = starts[columns.deviceId] as number;
    let e = (starts[columns.deviceId + 1] as number) - 1;
    while (k < e && bytes[k] === SPACE) k++;
    while (e > k && bytes[e - 1] === SPACE) e--;
    if (e - k !== 16) throw new FullReadNeeded('a device ID that is not 16 hex digits');
    let hi = 0;
    let lo = 0;
    for (let d = 0; d < 16; d++) {
      const v = hexValue(bytes[k + d] as number);
      if (v < 0) throw new FullReadNeeded('a device ID that is not 16 hex digits');
      if (d < 8) hi = ((hi << 4) | v) >>> 0;
      else lo = ((lo << 4) | v) >>> 0;
    }
    const r = this.#rows;
    if (r === this.#his.length) {
      const his = new Uint32Array(r * 2);
      his.set(this.#his);
      this.#his = his;
      const los = new Uint32Array(r * 2);
      los.set(this.#los);
      this.#los = los;
    }
    this.#his[r] = hi;
    this.#los[r] = lo;
    const row = this.#row;
    row.index = r;
    row.bytes = bytes;
    row.begin = begin;
    row.end = end;
    row.hubHash = this.#hubHash(
      bytes,
      starts[columns.hubId] as number,
      (starts[columns.hubId + 1] as number) - 1,
    );
    row.cplEntryId = this.#entry(
      bytes,
      starts[columns.cplEntryId] as number,
      (starts[columns.cplEntryId + 1] as number) - 1,
    );
    this.#onRow(row);
    this.#rows = r + 1;
  }

  /** FNV-1a of the trimmed field `bytes[from, to)` as `fnv1a` hashes its text. */
  #hubHash(bytes: Uint8Array, from: number, to: number): number {
    let k = from;
    let e = to;
    while (k < e && isSpace(bytes[k] as number)) k++;
    while (e > k && isSpace(bytes[e - 1] as number)) e--;
    // Outside ASCII, bytes are not UTF-16 code units (and trim knows more spaces): hash the text.
    if (!isAscii(bytes, k, e)) return fnv1a(text(bytes, from, to).trim());
    let h = FNV1A_OFFSET;
    for (; k < e; k++) {
      h ^= bytes[k] as number;
      h = Math.imul(h, FNV1A_PRIME) >>> 0;
    }
    return h;
  }

  /** The trimmed text of the entry field `bytes[from, to)`, read once per distinct entry. */
  #entry(bytes: Uint8Array, from: number, to: number): string {
    let k = from;
    let e = to;
    while (k < e && isSpace(bytes[k] as number)) k++;
    while (e > k && isSpace(bytes[e - 1] as number)) e--;
    if (!isAscii(bytes, k, e)) return text(bytes, k, e).trim();
    let h = FNV1A_OFFSET;
    for (let c = k; c < e; c++) h = Math.imul(h ^ (bytes[c] as number), FNV1A_PRIME) >>> 0;
    const known = this.#entries.get(h);
    if (known !== undefined && known.length === e - k) {
      let same = true;
      for (let c = 0; c < known.length; c++)
        if (known.charCodeAt(c) !== bytes[k + c]) {
          same = false;
          break;
        }
      if (same) return known;
    }
    const entry = text(bytes, k, e);
    if (known === undefined) this.#entries.set(h, entry);
    return entry;
  }
}

/** The device of a row the scanner read (`bytes[begin, end)`), as `loadEstate` builds it. */
export function estateDevice(
  columns: EstateColumns,
  index: number,
  bytes: Uint8Array,
  begin: number,
  end: number,
): EstateDevice {
  const fields = text(bytes, begin, end).split(',');
  const extra: Record<string, string> = {};
  for (const [name, k] of columns.extra) extra[name] = (fields[k] as string).trim();
  return {
    row: index + 2,
    deviceId: (fields[columns.deviceId] as string).trim().toLowerCase(),
    deviceType: (fields[columns.deviceType] as string).trim(),
    hubId: (fields[columns.hubId] as string).trim(),
    cplEntryId: (fields[columns.cplEntryId] as string).trim(),
    extra,
  };
}

/** The first row whose 64-bit ID (`his[k]`, `los[k]`) an earlier row has, and that earlier row. */
function firstRepeat(
  his: Uint32Array,
  los: Uint32Array,
  n: number,
): { first: number; later: number } | undefined {
  let size = 1024;
  while (size < n * 2) size *= 2;
  const slots = new Int32Array(size).fill(-1);
  for (let k = 0; k < n; k++) {
    const hi = his[k] as number;
    const lo = los[k] as number;
    let slot = (Math.imul(hi ^ Math.imul(lo, 0x9e3779b1), 0x85ebca6b) >>> 0) & (size - 1);
    for (;;) {
      const other = slots[slot] as number;
      if (other < 0) {
        slots[slot] = k;
        break;
      }
      if (his[other] === hi && los[other] === lo) return { first: other, later: k };
      slot = (slot + 1) & (size - 1);
    }
  }
  return undefined;
}
