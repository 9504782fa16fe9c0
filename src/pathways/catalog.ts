/**
 * The CPL/FIR catalog (DESIGN.md §4 "Catalog CSV", MP231): one row per CPL entry — device model,
 * hardware version, firmware version, Manufacturer Image hash, status — with the IDs of the
 * earlier entries that may upgrade to it. Loading checks the structure (columns, CSV syntax) and
 * keeps every value as written; `checkCatalog` judges the values. Unknown columns are kept.
 */
import { DecodeError } from '../errors/errors.ts';
import { decodeCsv, parseCsv } from './csv.ts';

/** Columns every catalog has. */
export const REQUIRED_COLUMNS = [
  'cpl_entry_id',
  'device_type',
  'manufacturer',
  'model',
  'hardware_version',
  'firmware_version',
  'manufacturer_image_hash',
  'base_cpl_entry_ids',
  'status',
] as const;

/** Columns hanota reads when present. */
export const OPTIONAL_COLUMNS = [
  'manufacturer_code',
  'image_type',
  'gbcs_version',
  'zigbee_band',
  'zigbee_chipset_vendor',
  'zigbee_stack_version',
  'image_file',
] as const;

/** Device types of the CPL. */
export const CPL_DEVICE_TYPES = ['ESME', 'GSME', 'CHF', 'GPF', 'IHD', 'PPMID', 'HCALCS', 'SAPC'] as const;
/** Entry statuses. */
export const CPL_STATUSES = ['Active', 'Cancelled', 'Expired', 'Withdrawn'] as const;
/** The six MP231 ZigBee join options. */
export const ZIGBEE_BANDS = [
  '2.4 GHz Only',
  'Sub-GHz Only',
  'Multi MAC Selection – Auto',
  'Multi MAC Selection – Manual',
  'Multi MAC Selection – Either',
  'Dual Band',
] as const;
const bandKey = (text: string) =>
  text
    .replace(/[\u2012-\u2015-]/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
const BAND_KEYS: ReadonlySet<string> = new Set(ZIGBEE_BANDS.map(bandKey));

/** Whether `text` is one of MP231's six join options (dashes, spaces and case aside). */
export function isZigbeeBand(text: string): boolean {
  return BAND_KEYS.has(bandKey(text));
}

/** `base_cpl_entry_ids` of an entry nothing upgrades to (factory firmware). */
export const NO_BASE = 'N/A';

type Column = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];

/** One CPL entry, values as written (trimmed). */
export interface CatalogEntry {
  /** Row number in the file (the header is row 1). */
  readonly row: number;
  readonly cplEntryId: string;
  readonly deviceType: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly hardwareVersion: string;
  readonly firmwareVersion: string;
  readonly manufacturerImageHash: string;
  /** The base IDs as listed, `[]` for N/A; see `baseField` for the raw text. */
  readonly bases: readonly string[];
  readonly baseField: string;
  readonly status: string;
  /** Optional and unknown columns, by header name. */
  readonly extra: Readonly<Record<string, string>>;
}

/** A loaded catalog. */
export interface Catalog {
  readonly entries: readonly CatalogEntry[];
  /** Entries by ID; the first of duplicates (the check reports the others). */
  readonly byId: ReadonlyMap<string, CatalogEntry>;
  /** Declared upgrade edges: base ID → the entries listing it. */
  readonly successors: ReadonlyMap<string, readonly CatalogEntry[]>;
  /** Columns beyond the required and optional ones, kept and ignored. */
  readonly unknownColumns: readonly string[];
}

/** Splits `base_cpl_entry_ids`: `N/A` or IDs separated by `;`. */
export function splitBases(field: string): string[] {
  const text = field.trim();
  if (text.toUpperCase() === NO_BASE) return [];
  return text.split(';').map((s) => s.trim());
}

/** Refuses a header with a repeated column or without a required one (row 1). */
function checkCatalogColumns(header: readonly string[]): void {
  const lower = header.map((name) => name.toLowerCase());
  const repeated = header.find((_name, i) => lower.indexOf(lower[i] as string) !== i);
  if (repeated !== undefined)
    throw new DecodeError('CATALOG_COLUMNS', `row 1: column ${repeated} appears twice`, 0);
  const missing = REQUIRED_COLUMNS.filter((c) => !lower.includes(c));
  if (missing.length > 0)
    throw new DecodeError(
      'CATALOG_COLUMNS',
      `row 1: missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      0,
    );
}

/**
 * Loads a catalog CSV, as text or as the file's bytes (UTF-8, checked: bytes that are not are an
 * error naming the row, column and byte offset); structure errors are `DecodeError`s naming row
 * and column.
 */
export function loadCatalog(input: string | Uint8Array): Catalog {
  const table = parseCsv(typeof input === 'string' ? input : decodeCsv(input), checkCatalogColumns);
  const index = new Map(table.header.map((name, i) => [name.toLowerCase(), i]));
  const known = new Set<string>([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]);
  const entries = table.rows.map((r): CatalogEntry => {
    const get = (c: Column) => (r.fields[index.get(c) as number] ?? '').trim();
    const extra: Record<string, string> = {};
    table.header.forEach((name, i) => {
      const lower = name.toLowerCase();
      if (REQUIRED_COLUMNS.includes(lower as (typeof REQUIRED_COLUMNS)[number])) return;
      // Optional columns under their canonical name, whatever the header's case; others as written.
      extra[known.has(lower) ? lower : name] = (r.fields[i] ?? '').trim();
    });
    return {
      row: r.row,
      cplEntryId: get('cpl_entry_id'),
      deviceType: get('device_type'),
      manufacturer: get('manufacturer'),
      model: get('model'),
      hardwareVersion: get('hardware_version'),
      firmwareVersion: get('firmware_version'),
      manufacturerImageHash: get('manufacturer_image_hash'),
      bases: splitBases(get('base_cpl_entry_ids')),
      baseField: get('base_cpl_entry_ids'),
      status: get('status'),
      extra,
    };
  });
  const byId = new Map<string, CatalogEntry>();
  const successors = new Map<string, CatalogEntry[]>();
  for (const e of entries) {
    if (!byId.has(e.cplEntryId)) byId.set(e.cplEntryId, e);
    for (const b of new Set(e.bases)) {
      const list = successors.get(b) ?? [];
      list.push(e);
      successors.set(b, list);
    }
  }
  return {
    entries,
    byId,
    successors,
    unknownColumns: table.header.filter((h) => !known.has(h.toLowerCase())),
  };
}

/** A hardware version as compared: numbers (decimal or 0x hex) by value, other text as written. */
export function hardwareKey(version: string): string {
  const t = version.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return String(Number.parseInt(t.slice(2), 16));
  if (/^\d+$/.test(t)) return String(Number(t));
  return t.toLowerCase();
}

/** The group a pathway never leaves: device type, manufacturer, model, hardware version. */
export function groupKey(
  e: Pick<CatalogEntry, 'deviceType' | 'manufacturer' | 'model' | 'hardwareVersion'>,
): string {
  return [e.deviceType, e.manufacturer, e.model, hardwareKey(e.hardwareVersion)].join('\u0000');
}

/** True for an entry a device may be upgraded to. */
export function isActive(e: CatalogEntry): boolean {
  return e.status === 'Active';
}
