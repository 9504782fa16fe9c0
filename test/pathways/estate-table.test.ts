/**
 * The estate as a table (src/pathways/estate-table.ts) reads every estate CSV as `loadEstate`
 * does: the same devices, row by row, and for a bad file the same error, word for word. CSV
 * texts are generated with what real exports hold — a byte-order mark, CRLF or LF, blank lines,
 * extra columns in any order, device IDs with dashes, colons, spaces or upper case — and with the
 * faults a table's one pass must catch: a row short of fields, a device ID that is not one, the
 * same device twice, a quoted field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EstateDevice, loadEstate } from '../../src/pathways/estate.ts';
import { type EstateTable, readEstateTable } from '../../src/pathways/estate-table.ts';
import { estateCsv } from '../helpers/estate-csv.ts';

const encodeUtf8 = (text: string) => new TextEncoder().encode(text);

const rowsOf = (table: EstateTable): EstateDevice[] =>
  Array.from({ length: table.length }, (_, i) => table.device(i));

/** What reading `text` gives: the devices, or the error's code and message. */
function outcome(read: () => EstateDevice[]): unknown {
  try {
    return { devices: read() };
  } catch (error) {
    const e = error as Error & { code?: string };
    return { error: e.code, message: e.message };
  }
}

const estateCsvs = estateCsv();

describe('the estate as a table', () => {
  it('reads every estate CSV as loadEstate does: the same devices, or the same error', () => {
    fc.assert(
      fc.property(estateCsvs, (text) => {
        const bytes = encodeUtf8(text);
        expect(outcome(() => rowsOf(readEstateTable(bytes)))).toEqual(outcome(() => loadEstate(bytes)));
      }),
      { numRuns: 400 },
    );
  });

  it('reads hub and entry of a row without building its device', () => {
    const table = readEstateTable(
      encodeUtf8('cpl_entry_id,hub_id,device_id,device_type\r\n V120 , hub-1 ,0000000000000001,ESME\r\n'),
    );
    expect(table.length).toBe(1);
    expect([table.hubId(0), table.cplEntryId(0)]).toEqual(['hub-1', 'V120']);
    expect(table.device(0)).toMatchObject({ row: 2, deviceId: '0000000000000001', hubId: 'hub-1' });
  });
});
