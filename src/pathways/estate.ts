/**
 * An estate extract (DESIGN.md §4 "Estate CSV"): the devices a supplier runs — EUI-64, device
 * type, hub, the CPL entry each runs now — and planning every one of them to a set of targets,
 * one target per model and hardware version. One device without a path never fails the others.
 */
import { DecodeError } from '../errors/errors.ts';
import { type Catalog, groupKey } from './catalog.ts';
import { decodeCsv, parseCsv } from './csv.ts';
import { type Plan, Planner } from './planner.ts';

/** Columns every estate has. */
export const ESTATE_COLUMNS = ['device_id', 'device_type', 'hub_id', 'cpl_entry_id'] as const;

/** One device of an estate. */
export interface EstateDevice {
  readonly row: number;
  /** EUI-64, lowercase hex. */
  readonly deviceId: string;
  readonly deviceType: string;
  readonly hubId: string;
  readonly cplEntryId: string;
  /** Optional and unknown columns by header name (link_profile, wake_interval_s, …). */
  readonly extra: Readonly<Record<string, string>>;
}

const EUI64 = /^[0-9a-f]{16}$/;

/** Refuses an estate header without the required columns (the rest of the file is not read). */
export function checkEstateHeader(header: readonly string[]): void {
  const lower = header.map((name) => name.toLowerCase());
  const missing = ESTATE_COLUMNS.filter((c) => !lower.includes(c));
  if (missing.length > 0)
    throw new DecodeError('ESTATE_COLUMNS', `row 1: missing required column(s) ${missing.join(', ')}`, 0);
  // Twice, one of them would be read and the other ignored: which one is no reader's to guess.
  const twice = ESTATE_COLUMNS.filter((c) => lower.indexOf(c) !== lower.lastIndexOf(c));
  if (twice.length > 0)
    throw new DecodeError(
      'ESTATE_COLUMNS',
      `row 1: column(s) ${twice.join(', ')} given twice (columns ${twice.map((c) => lower.flatMap((n, k) => (n === c ? [k + 1] : [])).join(' and ')).join('; ')})`,
      0,
    );
}

/**
 * Loads an estate CSV, as text or as the file's bytes (UTF-8, checked as `loadCatalog` does); a
 * bad device ID or a missing column is a `DecodeError` naming row and column.
 */
export function loadEstate(input: string | Uint8Array): EstateDevice[] {
  const table = parseCsv(typeof input === 'string' ? input : decodeCsv(input), checkEstateHeader);
  const index = new Map(table.header.map((name, i) => [name.toLowerCase(), i]));
  const at = (c: (typeof ESTATE_COLUMNS)[number]) => index.get(c) as number;
  const seen = new Map<string, number>();
  // Columns past the required ones, found once (not per row).
  const extraColumns = table.header.flatMap((name, i) =>
    (ESTATE_COLUMNS as readonly string[]).includes(name.toLowerCase()) ? [] : [[name, i] as const],
  );
  return table.rows.map((r) => {
    const deviceId = (r.fields[at('device_id')] ?? '').trim().replace(/[-:]/g, '').toLowerCase();
    if (!EUI64.test(deviceId))
      throw new DecodeError(
        'ESTATE_DEVICE_ID',
        `row ${r.row}, column ${at('device_id') + 1}: device_id '${r.fields[at('device_id')]}' is not an EUI-64 (16 hex digits)`,
        0,
      );
    const first = seen.get(deviceId);
    if (first !== undefined)
      throw new DecodeError(
        'ESTATE_DEVICE_ID',
        `row ${r.row}, column ${at('device_id') + 1}: device ${deviceId} is already on row ${first}`,
        0,
      );
    seen.set(deviceId, r.row);
    const extra: Record<string, string> = {};
    for (const [name, i] of extraColumns) extra[name] = (r.fields[i] ?? '').trim();
    return {
      row: r.row,
      deviceId,
      deviceType: (r.fields[at('device_type')] ?? '').trim(),
      hubId: (r.fields[at('hub_id')] ?? '').trim(),
      cplEntryId: (r.fields[at('cpl_entry_id')] ?? '').trim(),
      extra,
    };
  });
}

/** One device's plan, as `path plan` prints it. */
export type DevicePlan = {
  readonly deviceId: string;
  readonly from: string;
  readonly target: string | null;
} & Plan;

/**
 * Plans every device to the target of its group. Targets must be distinct groups (a `RangeError`
 * names two that are not); a device whose group has no target gets NO_TARGET.
 */
export function planEstate(
  catalog: Catalog,
  devices: readonly EstateDevice[],
  targets: readonly string[],
): DevicePlan[] {
  const targetOf = new Map<string, string>();
  for (const t of targets) {
    const entry = catalog.byId.get(t);
    if (!entry) throw new RangeError(`--target: no entry ${t} in the catalog`);
    const other = targetOf.get(groupKey(entry));
    if (other !== undefined)
      throw new RangeError(
        `--target: ${other} and ${t} are for the same model and hardware version; give one`,
      );
    targetOf.set(groupKey(entry), t);
  }
  const planner = new Planner(catalog);
  return devices.map((d): DevicePlan => {
    const from = catalog.byId.get(d.cplEntryId);
    if (!from)
      return {
        deviceId: d.deviceId,
        from: d.cplEntryId,
        target: null,
        ok: false,
        reason: 'UNKNOWN_ENTRY',
        detail: `no entry ${d.cplEntryId} in the catalog`,
      };
    const target = targetOf.get(groupKey(from));
    if (target === undefined)
      return {
        deviceId: d.deviceId,
        from: d.cplEntryId,
        target: null,
        ok: false,
        reason: 'NO_TARGET',
        detail: `no target for ${from.model} hardware ${from.hardwareVersion}`,
      };
    return { deviceId: d.deviceId, from: d.cplEntryId, target, ...planner.plan(d.cplEntryId, target) };
  });
}
