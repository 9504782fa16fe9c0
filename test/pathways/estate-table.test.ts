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

const id = fc
  .bigInt({ min: 0n, max: 2n ** 64n - 1n })
  .map((n) => n.toString(16).padStart(16, '0'))
  .chain((hex) =>
    fc.constantFrom(
      hex,
      hex.toUpperCase(),
      ` ${hex} `,
      hex.match(/../g)?.join(':') as string,
      hex.match(/..../g)?.join('-') as string,
    ),
  );

const estateCsv = fc
  .record({
    bom: fc.boolean(),
    newline: fc.constantFrom('\n', '\r\n', '\r'),
    extra: fc.subarray(['link_profile', 'wake_interval_s', 'note']),
    order: fc.boolean(),
    rows: fc.array(
      fc.record({
        id,
        hub: fc.integer({ min: 0, max: 5 }).map((h) => ` hub-${h}`),
        entry: fc.constantFrom('V120', 'V130 ', 'NOPE'),
        blankBefore: fc.boolean(),
        fault: fc.option(fc.constantFrom('shortRow', 'badId', 'repeat', 'quote', 'tooLong', 'spaceOnly'), {
          freq: 8,
          nil: undefined,
        }),
      }),
      { maxLength: 30 },
    ),
    blankEnd: fc.boolean(),
  })
  .map((e) => {
    const required = ['device_id', 'device_type', 'hub_id', 'cpl_entry_id'];
    const header = e.order ? [...e.extra, ...required] : [...required, ...e.extra];
    const lines = [header.join(',')];
    e.rows.forEach((r, k) => {
      if (r.blankBefore) lines.push('');
      const value: Record<string, string> = {
        device_id: r.id,
        device_type: 'ESME',
        hub_id: r.hub,
        cpl_entry_id: r.entry,
        link_profile: 'typical',
        wake_interval_s: '1800',
        note: `n${k}`,
      };
      if (r.fault === 'badId') value.device_id = 'not-an-eui';
      if (r.fault === 'tooLong') value.device_id = `${r.id}0`;
      if (r.fault === 'repeat' && k > 0) value.device_id = e.rows[0]?.id as string;
      if (r.fault === 'quote') value.note = '"a, b"';
      let line = header.map((h) => value[h]).join(',');
      if (r.fault === 'shortRow') line = line.slice(0, line.lastIndexOf(','));
      if (r.fault === 'spaceOnly') line = ' ';
      lines.push(line);
    });
    if (e.blankEnd) lines.push('', '');
    return `${e.bom ? '\uFEFF' : ''}${lines.join(e.newline)}`;
  });

describe('the estate as a table', () => {
  it('reads every estate CSV as loadEstate does: the same devices, or the same error', () => {
    fc.assert(
      fc.property(estateCsv, (text) => {
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
