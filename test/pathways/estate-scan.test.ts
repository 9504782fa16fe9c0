/**
 * The estate read as a stream (src/pathways/estate-scan.ts) reads every estate CSV as `loadEstate`
 * does, however the file is cut into pieces: the same devices, row by row, and for a bad file the
 * same error, word for word — or, for a file only a whole read handles (a quoted field, a device
 * ID written with separators or of the wrong length), it says so and the whole read is used. The
 * CSV texts are test/helpers/estate-csv.ts's, with a non-ASCII hub name so that pieces are cut
 * inside a UTF-8 character too.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fnv1a } from '../../src/bytes/fnv1a.ts';
import { type EstateDevice, loadEstate } from '../../src/pathways/estate.ts';
import { EstateScanner, estateDevice, FullReadNeeded } from '../../src/pathways/estate-scan.ts';
import { estateCsv } from '../helpers/estate-csv.ts';

const encodeUtf8 = (text: string) => new TextEncoder().encode(text);

/** Whether a row-by-row read cannot take `text`: a quote, or a device ID not 16 plain hex digits. */
function needsWholeRead(text: string): boolean {
  if (text.includes('"')) return true;
  const [header, ...rows] = text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .filter((line) => line !== '');
  const at = (header ?? '').split(',').indexOf('device_id');
  return rows.some((row) => !/^[0-9a-fA-F]{16}$/.test((row.split(',')[at] ?? '').trim()));
}

/** What reading gives: the devices, or the error's code and message. */
function outcome(read: () => EstateDevice[]): unknown {
  try {
    return { devices: read() };
  } catch (error) {
    if (error instanceof FullReadNeeded) return { fullRead: true };
    const e = error as Error & { code?: string };
    return { error: e.code, message: e.message };
  }
}

/** The devices of `bytes` read by the scanner in pieces cut at `cuts`. */
function scan(bytes: Uint8Array, cuts: readonly number[]): EstateDevice[] {
  const rows: { index: number; line: Uint8Array; hubHash: number; cplEntryId: string }[] = [];
  const scanner = new EstateScanner((row) =>
    rows.push({
      index: row.index,
      line: row.bytes.slice(row.begin, row.end),
      hubHash: row.hubHash,
      cplEntryId: row.cplEntryId,
    }),
  );
  let from = 0;
  for (const cut of [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b)) {
    scanner.push(bytes.subarray(from, cut));
    from = cut;
  }
  scanner.push(bytes.subarray(from));
  const columns = scanner.end();
  return rows.map((r) => {
    const device = estateDevice(columns, r.index, r.line, 0, r.line.length);
    // What the scanner hands over with the row is what the row says.
    expect([r.hubHash, r.cplEntryId]).toEqual([fnv1a(device.hubId), device.cplEntryId]);
    return device;
  });
}

// Separators in a device ID (a whole read) one time in 41, a fault one row in 41: most files stream.
const estateCsvs = estateCsv({ plainIds: 40, goodRows: 40 }, (h) => ` hub-${h}${h === 5 ? 'é' : ''}`);

describe('the estate read as a stream', () => {
  it('reads every estate CSV as loadEstate does, in any pieces, or asks for a whole read', () => {
    let wholeReads = 0;
    let errors = 0;
    fc.assert(
      fc.property(estateCsvs, fc.array(fc.nat(), { maxLength: 12 }), (text, cuts) => {
        const bytes = encodeUtf8(text);
        const streamed = outcome(() =>
          scan(
            bytes,
            cuts.map((c) => c % (bytes.length + 1)),
          ),
        );
        if ((streamed as { fullRead?: boolean }).fullRead) {
          wholeReads++;
          // Only for what a row-by-row read cannot take: a quote, or a device ID not 16 plain hex digits.
          expect(needsWholeRead(text)).toBe(true);
          return;
        }
        if ('error' in (streamed as object)) errors++;
        expect(streamed).toEqual(outcome(() => loadEstate(bytes)));
      }),
      { numRuns: 400 },
    );
    // Most files were read as a stream, some of them with an error found on the way.
    expect(wholeReads).toBeLessThan(200);
    expect(errors).toBeGreaterThan(0);
  });

  it('asks for a whole read of a file with quotes, and names why', () => {
    const scanner = new EstateScanner(() => {});
    expect(() =>
      scanner.push(encodeUtf8('device_id,device_type,hub_id,cpl_entry_id\n"0000000000000001",ESME,h,V1\n')),
    ).toThrow(/quoted fields/);
  });

  it('finds a device listed twice rows apart and names both rows', () => {
    const scanner = new EstateScanner(() => {});
    scanner.push(
      encodeUtf8(
        'device_id,device_type,hub_id,cpl_entry_id\n00000000000000AA,ESME,h,V1\n0000000000000001,ESME,h,V1\n00000000000000aa,ESME,h,V1\n',
      ),
    );
    expect(() => scanner.end()).toThrow('row 4, column 1: device 00000000000000aa is already on row 2');
  });
});
