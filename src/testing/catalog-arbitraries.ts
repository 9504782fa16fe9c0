/**
 * fast-check arbitraries for CPL/FIR catalogs: clean catalogs (declared pathways that only go
 * forward within a model and hardware version, unique IDs and hashes, every entry reachable) in
 * CSV form, and the awkward cases on request: entries Withdrawn, Cancelled or Expired, versions
 * that repeat with another hash, bases from other groups and reused IDs. An entry listing only
 * the entry before it is a mandatory intermediate for what follows.
 */
import fc from 'fast-check';
import { toHex } from '../bytes/hex.ts';
import { CPL_DEVICE_TYPES, REQUIRED_COLUMNS } from '../pathways/catalog.ts';

/** One generated row, by column name. */
export type CatalogRow = Record<(typeof REQUIRED_COLUMNS)[number], string>;

/** Options: sizes, and whether inactive entries may appear. */
export interface CatalogShape {
  readonly maxGroups?: number;
  readonly maxEntriesPerGroup?: number;
  /** Let some non-root entries be Withdrawn, Cancelled or Expired (the result is then not clean). */
  readonly inactive?: boolean;
  /** Add bases from other groups and reuse some IDs (the result is then not clean). */
  readonly dirty?: boolean;
  /**
   * Let some entries repeat the firmware version of the entry before them, with another hash (as
   * real CPLs do): pathways must then be followed by entry ID, never by version.
   */
  readonly duplicateVersions?: boolean;
}

/**
 * Catalog rows: groups (device type, model, hardware version) of entries in version order, each
 * non-root entry listing one to three earlier entries of its group as bases. IDs are shuffled
 * so that ID order and version order differ, and some IDs are prefixes of others.
 */
export function catalogRows(shape: CatalogShape = {}): fc.Arbitrary<CatalogRow[]> {
  const group = fc.record({
    deviceType: fc.constantFrom(...CPL_DEVICE_TYPES),
    model: fc.constantFrom('M1', 'M2'),
    hardware: fc.constantFrom('1', '2'),
    size: fc.integer({ min: 1, max: shape.maxEntriesPerGroup ?? 6 }),
    seed: fc.array(fc.nat(), { minLength: 24, maxLength: 24 }),
  });
  return fc
    .uniqueArray(group, {
      minLength: 1,
      maxLength: shape.maxGroups ?? 3,
      selector: (g) => `${g.deviceType}/${g.model}/${g.hardware}`,
    })
    .map((groups) => {
      const rows: CatalogRow[] = [];
      const everyId: string[] = [];
      let serial = 0;
      // Entries are made round-robin across groups, so that a later entry of one group can list
      // an earlier entry of another (dirty catalogs): pathways can then leave a group and come back.
      const idsOf = groups.map((): string[] => []);
      const longest = Math.max(...groups.map((g) => g.size));
      for (let i = 0; i < longest; i++)
        for (const [n, g] of groups.entries()) {
          if (i >= g.size) continue;
          const ids = idsOf[n] as string[];
          const pick = (k: number) => (g.seed[(i * 3 + k) % g.seed.length] as number) + i;
          const fresh = `${(pick(0) % 3) + 1}${String(++serial).padStart(pick(1) % 2 ? 1 : 3, '0')}`;
          const reuse = shape.dirty === true && everyId.length > 0 && pick(2) % 7 === 0;
          const id = reuse ? (everyId[pick(0) % everyId.length] as string) : fresh;
          const own =
            i === 0 ? [] : [ids[pick(0) % i], ids[pick(1) % i], ids[pick(2) % i]].slice(0, (pick(2) % 3) + 1);
          const foreign =
            shape.dirty === true && everyId.length > 0 && pick(1) % 3 === 0
              ? [everyId[pick(2) % everyId.length]]
              : [];
          const bases = [...new Set([...own, ...foreign])] as string[];
          const inactive = shape.inactive && i > 0 && pick(1) % 4 === 0;
          rows.push({
            cpl_entry_id: id,
            device_type: g.deviceType,
            manufacturer: 'Acme',
            model: g.model,
            hardware_version: g.hardware,
            firmware_version: shape.duplicateVersions && i > 0 && pick(0) % 3 === 0 ? `${i}.0` : `${i + 1}.0`,
            manufacturer_image_hash: toHex(
              Uint8Array.from({ length: 32 }, (_, k) => (serial * 7 + k * 13) & 0xff),
            ),
            base_cpl_entry_ids: bases.length ? bases.join(';') : 'N/A',
            status: inactive ? (['Withdrawn', 'Cancelled', 'Expired'][pick(0) % 3] as string) : 'Active',
          });
          ids.push(id);
          everyId.push(id);
        }
      return rows;
    });
}

/** Rows as CSV text, quoting fields that need it. */
export function catalogCsv(rows: readonly Record<string, string>[], columns?: readonly string[]): string {
  const header = columns ?? Object.keys(rows[0] ?? Object.fromEntries(REQUIRED_COLUMNS.map((c) => [c, ''])));
  const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `${[header, ...rows.map((r) => header.map((c) => r[c] ?? ''))].map((r) => r.map(quote).join(',')).join('\r\n')}\r\n`;
}
