/**
 * An estate held as its text and one offset per row, each device read when it is asked for
 * (DESIGN.md §3 "Scale-out": memory bounded by the buckets in flight). A million devices as
 * objects are a gigabyte of heap the collector walks again and again; as a table they are the
 * file's text and a few typed arrays, and a campaign reads the rows of the bucket it runs.
 *
 * Read in one pass that checks what `loadEstate` checks — the header's columns, every row's
 * field count, every device ID an EUI-64 and none twice — without building a device per row.
 * A file with quotes (fields that may hold commas or line breaks), or a row the pass finds
 * wrong, is read by `loadEstate` itself: the same devices, the same errors, word for word.
 */
import { CsvError, decodeCsv, parseCsv } from './csv.ts';
import { checkEstateHeader, ESTATE_COLUMNS, type EstateDevice, loadEstate } from './estate.ts';
import { firstRepeat, hexValue } from './estate-scan.ts';

/** An estate's devices, by index (0 is the first data row). */
export interface EstateTable {
  readonly length: number;
  /** Device `i`, read from its row. */
  device(i: number): EstateDevice;
  /** Device `i`'s hub ID, as `device(i).hubId`. */
  hubId(i: number): string;
  /** Device `i`'s CPL entry, as `device(i).cplEntryId`. */
  cplEntryId(i: number): string;
}

/** The table of devices already read. */
export function tableOf(devices: readonly EstateDevice[]): EstateTable {
  return {
    length: devices.length,
    device: (i) => devices[i] as EstateDevice,
    hubId: (i) => (devices[i] as EstateDevice).hubId,
    cplEntryId: (i) => (devices[i] as EstateDevice).cplEntryId,
  };
}

/** Reads an estate CSV (bytes, UTF-8) as a table; errors as `loadEstate`'s. */
export function readEstateTable(bytes: Uint8Array): EstateTable {
  const text = decodeCsv(bytes);
  // Quoted fields may hold commas and line breaks: the row-per-line pass does not apply.
  return (text.includes('"') ? undefined : linesTable(text)) ?? tableOf(loadEstate(text));
}

/**
 * The table of a CSV text without quotes, one row per non-blank line; undefined when a row needs
 * `loadEstate`'s reading (a device ID that is not plain hex, with dashes or colons, or seen
 * before: its error message is that function's).
 */
function linesTable(text: string): EstateTable | undefined {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // Lines end at LF, CR LF or a lone CR, as in `parseCsv`.
  const lineEnd = (from: number) => {
    for (let k = from; k < text.length; k++) {
      const c = text.charCodeAt(k);
      if (c === 0x0a || c === 0x0d) return k;
    }
    return text.length;
  };
  const after = (end: number) =>
    end < text.length && text.charCodeAt(end) === 0x0d && text.charCodeAt(end + 1) === 0x0a
      ? end + 2
      : end + 1;
  let i = start;
  let line = 1;
  // The header: the first line with something on it, read by the CSV parser (its checks, its errors).
  while (i < text.length && lineEnd(i) === i) {
    i = after(i);
    line++;
  }
  const headerEnd = lineEnd(i);
  const { header } = parseCsv(text.slice(i, headerEnd), checkEstateHeader);
  const lower = header.map((name) => name.toLowerCase());
  const column = (c: (typeof ESTATE_COLUMNS)[number]) => lower.indexOf(c);
  const idAt = column('device_id');
  const typeAt = column('device_type');
  const hubAt = column('hub_id');
  const entryAt = column('cpl_entry_id');
  const extraColumns = header.flatMap((name, k) =>
    (ESTATE_COLUMNS as readonly string[]).includes(name.toLowerCase()) ? [] : [[name, k] as const],
  );

  // Rows: where each starts and ends (character offsets), grown as needed.
  let starts = new Int32Array(1024);
  let ends = new Int32Array(1024);
  let his = new Uint32Array(1024);
  let los = new Uint32Array(1024);
  let rows = 0;
  i = after(headerEnd);
  line++;
  for (; i < text.length; line++) {
    const begin = i;
    const end = lineEnd(begin);
    i = after(end);
    if (end === begin) continue; // a blank line is not a row
    let fields = 1;
    let idStart = begin;
    let idEnd = end;
    for (let k = begin; k < end; k++) {
      if (text.charCodeAt(k) !== 0x2c) continue;
      if (fields === idAt) idStart = k + 1;
      if (fields === idAt + 1) idEnd = k;
      fields++;
    }
    if (fields !== header.length)
      throw new CsvError(
        'CSV_FIELD_COUNT',
        `${fields} fields, the header has ${header.length} (line ${line})`,
        begin,
        rows + 2,
        Math.min(fields, header.length) + 1,
      );
    // The device ID as 64 bits: 16 hex digits, spaces around them at most.
    let hi = 0;
    let lo = 0;
    let digits = 0;
    let k = idStart;
    while (k < idEnd && text.charCodeAt(k) === 0x20) k++;
    let e = idEnd;
    while (e > k && text.charCodeAt(e - 1) === 0x20) e--;
    for (; k < e && digits <= 16; k++, digits++) {
      const v = hexValue(text.charCodeAt(k));
      if (v < 0) return undefined;
      if (digits < 8) hi = ((hi << 4) | v) >>> 0;
      else lo = ((lo << 4) | v) >>> 0;
    }
    if (digits !== 16) return undefined;
    if (rows === starts.length) {
      const grow = <T extends Int32Array | Uint32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      starts = grow(starts, (n) => new Int32Array(n));
      ends = grow(ends, (n) => new Int32Array(n));
      his = grow(his, (n) => new Uint32Array(n));
      los = grow(los, (n) => new Uint32Array(n));
    }
    starts[rows] = begin;
    ends[rows] = end;
    his[rows] = hi;
    los[rows] = lo;
    rows++;
  }
  if (firstRepeat(his, los, rows)) return undefined;

  const fieldsOf = (r: number): string[] => text.slice(starts[r] as number, ends[r] as number).split(',');
  const field = (r: number, at: number): string => {
    // The `at`-th field of row r without splitting the whole row.
    let s = starts[r] as number;
    const end = ends[r] as number;
    for (let f = 0; f < at; f++) s = text.indexOf(',', s) + 1;
    const comma = text.indexOf(',', s);
    return text.slice(s, comma < 0 || comma > end ? end : comma).trim();
  };
  return {
    length: rows,
    device: (r) => {
      const fields = fieldsOf(r);
      const extra: Record<string, string> = {};
      for (const [name, k] of extraColumns) extra[name] = (fields[k] ?? '').trim();
      return {
        row: r + 2,
        deviceId: (fields[idAt] as string).trim().toLowerCase(),
        deviceType: (fields[typeAt] ?? '').trim(),
        hubId: (fields[hubAt] ?? '').trim(),
        cplEntryId: (fields[entryAt] ?? '').trim(),
        extra,
      };
    },
    hubId: (r) => field(r, hubAt),
    cplEntryId: (r) => field(r, entryAt),
  };
}
