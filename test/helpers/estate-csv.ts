/**
 * Estate CSV texts as real exports write them — a byte-order mark, CRLF, LF or CR, blank lines,
 * extra columns in any order, device IDs with dashes, colons, spaces or upper case — with the
 * faults a reader must catch: a row short of fields, a device ID that is not one, the same device
 * twice, a quoted field, a row of spaces. Weights choose how often a device ID has separators and
 * a row has a fault (one in `1 + weight`).
 */
import fc from 'fast-check';

/** How often the rarer things happen: each is one in `1 + weight` (0: as often as the rest). */
export interface EstateCsvWeights {
  readonly plainIds: number;
  readonly goodRows: number;
}

/** Estate CSV texts (see the header); `hubs` names hub `h` (a non-ASCII name tests decoding). */
export function estateCsv(
  weights: EstateCsvWeights = { plainIds: 0, goodRows: 0 },
  hub: (h: number) => string = (h) => ` hub-${h}`,
): fc.Arbitrary<string> {
  const id = fc
    .bigInt({ min: 0n, max: 2n ** 64n - 1n })
    .map((n) => n.toString(16).padStart(16, '0'))
    .chain((hex) => {
      const plain = [hex, hex.toUpperCase(), ` ${hex} `];
      const separated = [hex.match(/../g)?.join(':') as string, hex.match(/..../g)?.join('-') as string];
      return weights.plainIds === 0
        ? fc.constantFrom(...plain, ...separated)
        : fc.oneof(
            { weight: weights.plainIds, arbitrary: fc.constantFrom(...plain) },
            { weight: 1, arbitrary: fc.constantFrom(...separated) },
          );
    });
  const faults = ['shortRow', 'badId', 'repeat', 'quote', 'tooLong', 'spaceOnly'] as const;
  const fault =
    weights.goodRows === 0
      ? fc.option(fc.constantFrom(...faults), { freq: 8, nil: undefined })
      : fc.oneof(
          { weight: weights.goodRows, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.constantFrom(...faults) },
        );
  return fc
    .record({
      bom: fc.boolean(),
      newline: fc.constantFrom('\n', '\r\n', '\r'),
      extra: fc.subarray(['link_profile', 'wake_interval_s', 'note']),
      order: fc.boolean(),
      rows: fc.array(
        fc.record({
          id,
          hub: fc.integer({ min: 0, max: 5 }).map(hub),
          entry: fc.constantFrom('V120', 'V130 ', 'NOPE'),
          blankBefore: fc.boolean(),
          fault,
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
}
