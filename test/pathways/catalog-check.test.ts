/**
 * `checkCatalog`: each defect class found on a catalog seeded with it, with its code, entries and
 * level; none on clean generated catalogs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/pathways/catalog.ts';
import { checkCatalog, type ProblemCode } from '../../src/pathways/check.ts';
import { type CatalogRow, catalogCsv, catalogRows } from '../../src/testing/catalog-arbitraries.ts';

const hash = (n: number) => n.toString(16).padStart(64, '0');

/** A clean little catalog: 100 → 110 → 120 with 111 as an alternative to 110, hardware 1 of model M. */
function clean(): CatalogRow[] {
  const row = (id: string, version: string, bases: string, n: number): CatalogRow => ({
    cpl_entry_id: id,
    device_type: 'ESME',
    manufacturer: 'Acme',
    model: 'M',
    hardware_version: '1',
    firmware_version: version,
    manufacturer_image_hash: hash(n),
    base_cpl_entry_ids: bases,
    status: 'Active',
  });
  return [
    row('100', '1.0', 'N/A', 1),
    row('110', '1.1', '100', 2),
    row('111', '1.1b', '100', 3),
    row('120', '1.2', '110;111', 4),
  ];
}

function problems(rows: readonly Record<string, string>[], columns?: string[]) {
  return checkCatalog(loadCatalog(catalogCsv(rows, columns)));
}

function patch(rows: CatalogRow[], id: string, change: Partial<CatalogRow>): CatalogRow[] {
  return rows.map((r) => (r.cpl_entry_id === id ? { ...r, ...change } : r));
}

describe('catalog check', () => {
  it('finds nothing in a clean catalog', () => {
    expect(problems(clean())).toEqual([]);
  });

  const seeded: [ProblemCode, () => Record<string, string>[], string[], 'error' | 'warning'][] = [
    ['UNKNOWN_BASE', () => patch(clean(), '120', { base_cpl_entry_ids: '110;999' }), ['120'], 'error'],
    [
      'BASE_OTHER_MODEL',
      () =>
        [
          ...clean(),
          { ...clean()[0], cpl_entry_id: '200', model: 'N', manufacturer_image_hash: hash(9) } as CatalogRow,
        ].map((r) => (r.cpl_entry_id === '120' ? { ...r, base_cpl_entry_ids: '110;200' } : r)),
      ['120', '200'],
      'error',
    ],
    [
      'BASE_OTHER_HARDWARE',
      () => [
        ...patch(clean(), '120', { base_cpl_entry_ids: '110;300' }),
        {
          ...(clean()[0] as CatalogRow),
          cpl_entry_id: '300',
          hardware_version: '2',
          manufacturer_image_hash: hash(9),
        },
      ],
      ['120', '300'],
      'error',
    ],
    [
      'BASE_OTHER_DEVICE_TYPE',
      () => [
        ...patch(clean(), '120', { base_cpl_entry_ids: '110;400' }),
        {
          ...(clean()[0] as CatalogRow),
          cpl_entry_id: '400',
          device_type: 'GSME',
          manufacturer_image_hash: hash(9),
        },
      ],
      ['120', '400'],
      'error',
    ],
    ['CYCLE', () => patch(clean(), '110', { base_cpl_entry_ids: '100;120' }), ['110', '120'], 'error'],
    ['DUPLICATE_ENTRY_ID', () => patch(clean(), '111', { cpl_entry_id: '110' }), ['110', '110'], 'error'],
    [
      'DUPLICATE_HASH',
      () => patch(clean(), '111', { manufacturer_image_hash: hash(2) }),
      ['110', '111'],
      'error',
    ],
    [
      'VERSION_TWO_HASHES',
      () => patch(clean(), '111', { firmware_version: '1.1' }),
      ['110', '111'],
      'warning',
    ],
    ['PATH_THROUGH_INACTIVE', () => patch(clean(), '111', { status: 'Withdrawn' }), ['111', '120'], 'error'],
    ['PATH_ENDS_INACTIVE', () => patch(clean(), '120', { status: 'Cancelled' }), ['120'], 'warning'],
    [
      'UNREACHABLE',
      () => [
        ...clean(),
        {
          ...(clean()[0] as CatalogRow),
          cpl_entry_id: '500',
          base_cpl_entry_ids: '501',
          manufacturer_image_hash: hash(9),
        },
        {
          ...(clean()[0] as CatalogRow),
          cpl_entry_id: '501',
          base_cpl_entry_ids: '500',
          manufacturer_image_hash: hash(10),
        },
      ],
      ['500'],
      'error',
    ],
    ['MISSING_ENTRY_ID', () => patch(clean(), '111', { cpl_entry_id: '' }), [''], 'error'],
    ['MISSING_HASH', () => patch(clean(), '110', { manufacturer_image_hash: '' }), ['110'], 'error'],
    ['MALFORMED_HASH', () => patch(clean(), '110', { manufacturer_image_hash: 'abc' }), ['110'], 'error'],
    ['UNKNOWN_DEVICE_TYPE', () => clean().map((r) => ({ ...r, device_type: 'METER' })), ['100'], 'error'],
    ['UNKNOWN_STATUS', () => patch(clean(), '110', { status: 'Live' }), ['110'], 'error'],
    ['MALFORMED_BASE_IDS', () => patch(clean(), '120', { base_cpl_entry_ids: '110;;111' }), ['120'], 'error'],
  ];
  for (const [code, rows, entries, level] of seeded) {
    it(`finds ${code} (${level}) naming ${entries.join(', ')}`, () => {
      const found = problems(rows());
      const hit = found.find((p) => p.code === code);
      expect(hit, JSON.stringify(found)).toBeDefined();
      expect(hit?.entries).toEqual(entries);
      expect(hit?.level).toBe(level);
      expect(hit?.message.length).toBeGreaterThan(20);
    });
  }

  it('checks the ZigBee band when the column is there, in any dash', () => {
    const rows = clean().map((r, i) => ({
      ...r,
      zigbee_band: ['2.4 GHz Only', 'Multi MAC Selection - Auto', 'Dual Band', '5 GHz'][i] as string,
    }));
    const found = problems(rows, [...Object.keys(clean()[0] as CatalogRow), 'zigbee_band']);
    expect(found.map((p) => [p.code, p.entries])).toEqual([['UNKNOWN_ZIGBEE_BAND', ['120']]]);
  });

  it('keeps unknown columns and names a missing required one', () => {
    const catalog = loadCatalog(
      catalogCsv(
        clean().map((r) => ({ ...r, notes: 'x' })),
        [...Object.keys(clean()[0] as CatalogRow), 'notes'],
      ),
    );
    expect(catalog.unknownColumns).toEqual(['notes']);
    expect(catalog.entries[0]?.extra.notes).toBe('x');
    expect(() => loadCatalog('cpl_entry_id,model\n1,M\n')).toThrow(
      /missing required columns device_type, manufacturer/,
    );
  });

  it('finds no problem in any clean generated catalog', () => {
    fc.assert(
      fc.property(catalogRows(), (rows) => {
        expect(problems(rows)).toEqual([]);
      }),
    );
  });

  it('reads optional columns whatever the case of their header, and refuses a repeated column', () => {
    const rows = clean().map((r, i) => ({ ...r, Zigbee_Band: i === 0 ? 'Bogus' : 'Dual Band' }));
    const found = problems(rows, [...Object.keys(clean()[0] as CatalogRow), 'Zigbee_Band']);
    expect(found.map((p) => [p.code, p.entries])).toEqual([['UNKNOWN_ZIGBEE_BAND', ['100']]]);
    const header = `${Object.keys(clean()[0] as CatalogRow).join(',')},Status\n`;
    expect(() => loadCatalog(header)).toThrow(/column Status appears twice/);
  });

  it('does not count a missing hash as a second hash of a version', () => {
    const found = problems(
      patch(patch(clean(), '111', { firmware_version: '1.1' }), '110', { manufacturer_image_hash: '' }),
    );
    expect(found.map((p) => p.code)).toEqual(['MISSING_HASH']);
  });

  it('does not reach an entry through another model', () => {
    const other = {
      ...(clean()[0] as CatalogRow),
      cpl_entry_id: '700',
      model: 'N',
      base_cpl_entry_ids: '100',
      manufacturer_image_hash: hash(7),
    };
    const back = {
      ...(clean()[0] as CatalogRow),
      cpl_entry_id: '701',
      base_cpl_entry_ids: '700',
      manufacturer_image_hash: hash(8),
    };
    const found = problems([...clean(), other, back]);
    expect(found.filter((p) => p.code === 'UNREACHABLE').map((p) => p.entries)).toEqual([['700'], ['701']]);
  });
});
