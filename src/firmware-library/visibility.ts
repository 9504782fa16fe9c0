/**
 * What a supplier may see of the library (SECMP0009: "a supplier may see and download only images
 * relevant to devices in its estate, including devices it gained through a change of supplier"):
 * the entries of the models and hardware versions of the devices it supplies now. Who supplies a
 * device is the estate's `supplier` column, then each change of supplier in order (a CSV of
 * `device_id,supplier`): the new supplier gains the device's model at once; the old one keeps the
 * models of the devices it still has.
 */
import { DecodeError } from '../errors/errors.ts';
import { type Catalog, hardwareKey } from '../pathways/catalog.ts';
import { parseCsv } from '../pathways/csv.ts';
import type { EstateDevice } from '../pathways/estate.ts';
import type { LibraryEntry, LibraryIndex } from './library-index.ts';

/** One change of supplier: `device` now supplied by `supplier`. */
export interface SupplierChange {
  readonly device: string;
  readonly supplier: string;
  readonly row: number;
}

/** Reads a change-of-supplier CSV (`device_id,supplier`, in the order they happened). */
export function parseSupplierChanges(text: string): SupplierChange[] {
  let at: { device: number; supplier: number } = { device: -1, supplier: -1 };
  const table = parseCsv(text, (header) => {
    const names = header.map((h) => h.trim().toLowerCase());
    at = { device: names.indexOf('device_id'), supplier: names.indexOf('supplier') };
    const missing = Object.entries(at).flatMap(([k, v]) => (v < 0 ? [k === 'device' ? 'device_id' : k] : []));
    if (missing.length > 0)
      throw new DecodeError('CHANGES_HEADER', `header: missing column(s) ${missing.join(', ')}`, 0);
  });
  return table.rows.map((r) => ({
    device: normalEui(r.fields[at.device] ?? ''),
    supplier: (r.fields[at.supplier] ?? '').trim(),
    row: r.row,
  }));
}

const normalEui = (text: string) => text.replace(/[-: ]/g, '').trim().toLowerCase();

/** The model group of an entry: manufacturer, model, hardware version. */
const groupOf = (e: { manufacturer: string; model: string; hardwareVersion: string }) =>
  `${e.manufacturer}\u0000${e.model}\u0000${hardwareKey(e.hardwareVersion)}`;

/** The library entries `supplier` may see, and the model groups that make them visible. */
export function visibleTo(
  supplier: string,
  index: LibraryIndex,
  estate: readonly EstateDevice[],
  changes: readonly SupplierChange[],
  catalog?: Catalog,
): { entries: LibraryEntry[]; devices: number } {
  const owner = new Map<string, string>();
  for (const d of estate) owner.set(d.deviceId, (d.extra.supplier ?? '').trim());
  for (const c of changes) {
    if (!owner.has(c.device))
      throw new DecodeError('CHANGES_DEVICE', `row ${c.row}: device ${c.device} is not in the estate`, 0);
    owner.set(c.device, c.supplier);
  }
  // A device's model: its entry in the library, else in the catalog.
  const fir = new Map(index.entries.map((e) => [e.cplEntryId, e.fir] as const));
  const groups = new Set<string>();
  let devices = 0;
  for (const d of estate) {
    if (owner.get(d.deviceId) !== supplier) continue;
    devices++;
    const entry = fir.get(d.cplEntryId) ?? catalog?.byId.get(d.cplEntryId);
    if (!entry)
      throw new DecodeError(
        'ESTATE_ENTRY',
        `estate row ${d.row}: ${d.deviceId} runs ${d.cplEntryId}, in neither the library nor the catalog (give --catalog)`,
        0,
      );
    groups.add(groupOf(entry));
  }
  return { entries: index.entries.filter((e) => groups.has(groupOf(e.fir))), devices };
}
