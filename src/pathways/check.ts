/**
 * `catalog check` (MP231 pathway hygiene): every defect in a catalog, each with a code, a level,
 * the entries involved and a sentence. Errors make a catalog unfit to plan from; warnings are
 * legal but need care (one firmware version published with two hashes).
 */
import {
  type Catalog,
  type CatalogEntry,
  CPL_DEVICE_TYPES,
  CPL_STATUSES,
  groupKey,
  hardwareKey,
  isActive,
  isZigbeeBand,
  NO_BASE,
} from './catalog.ts';

/** Problem codes, with their level. */
export const PROBLEM_LEVEL = {
  MISSING_ENTRY_ID: 'error',
  DUPLICATE_ENTRY_ID: 'error',
  MISSING_HASH: 'error',
  MALFORMED_HASH: 'error',
  DUPLICATE_HASH: 'error',
  VERSION_TWO_HASHES: 'warning',
  UNKNOWN_DEVICE_TYPE: 'error',
  UNKNOWN_STATUS: 'error',
  UNKNOWN_ZIGBEE_BAND: 'error',
  MALFORMED_BASE_IDS: 'error',
  UNKNOWN_BASE: 'error',
  BASE_OTHER_DEVICE_TYPE: 'error',
  BASE_OTHER_MODEL: 'error',
  BASE_OTHER_HARDWARE: 'error',
  CYCLE: 'error',
  PATH_THROUGH_INACTIVE: 'error',
  PATH_ENDS_INACTIVE: 'warning',
  UNREACHABLE: 'error',
} as const;
/** A problem code. */
export type ProblemCode = keyof typeof PROBLEM_LEVEL;

/** One problem found. */
export interface Problem {
  readonly code: ProblemCode;
  readonly level: 'error' | 'warning';
  /** Entry IDs involved, in the order the message names them. */
  readonly entries: readonly string[];
  /** Their rows in the file. */
  readonly rows: readonly number[];
  readonly message: string;
}

const HASH = /^[0-9a-fA-F]{64}$/;

/** Every problem of `catalog`, in a stable order (by code, then by first row). */
export function checkCatalog(catalog: Catalog): Problem[] {
  const problems: Problem[] = [];
  const add = (code: ProblemCode, involved: readonly CatalogEntry[], message: string) =>
    problems.push({
      code,
      level: PROBLEM_LEVEL[code],
      entries: involved.map((e) => e.cplEntryId),
      rows: involved.map((e) => e.row),
      message,
    });
  const { entries, byId } = catalog;

  // Identity: missing and duplicate IDs and hashes, one version with two hashes.
  for (const e of entries)
    if (e.cplEntryId === '') add('MISSING_ENTRY_ID', [e], `row ${e.row} has no cpl_entry_id`);
  for (const group of groupsBy(entries, (e) => e.cplEntryId))
    if (group.length > 1)
      add('DUPLICATE_ENTRY_ID', group, `entry ID ${group[0]?.cplEntryId} appears on ${group.length} rows`);
  for (const e of entries) {
    if (e.manufacturerImageHash === '')
      add('MISSING_HASH', [e], `${e.cplEntryId} has no Manufacturer Image hash`);
    else if (!HASH.test(e.manufacturerImageHash))
      add(
        'MALFORMED_HASH',
        [e],
        `${e.cplEntryId}: '${e.manufacturerImageHash}' is not a SHA-256 (64 hex digits)`,
      );
  }
  for (const group of groupsBy(
    entries.filter((e) => HASH.test(e.manufacturerImageHash)),
    (e) => e.manufacturerImageHash.toLowerCase(),
  ))
    if (group.length > 1)
      add(
        'DUPLICATE_HASH',
        group,
        `entries ${ids(group)} carry the same Manufacturer Image hash ${group[0]?.manufacturerImageHash.toLowerCase()}`,
      );
  const hashed = entries.filter((e) => HASH.test(e.manufacturerImageHash));
  for (const group of groupsBy(hashed, (e) => `${groupKey(e)}\u0000${e.firmwareVersion}`)) {
    const hashes = new Set(group.map((e) => e.manufacturerImageHash.toLowerCase()));
    if (hashes.size > 1)
      add(
        'VERSION_TWO_HASHES',
        group,
        `firmware version ${group[0]?.firmwareVersion} of ${group[0]?.model} hardware ${group[0]?.hardwareVersion} is published as ${ids(group)} with different hashes: key by entry ID, never by version`,
      );
  }

  // Values from closed lists.
  for (const e of entries) {
    if (!(CPL_DEVICE_TYPES as readonly string[]).includes(e.deviceType))
      add(
        'UNKNOWN_DEVICE_TYPE',
        [e],
        `${e.cplEntryId}: device type '${e.deviceType}' is not one of ${CPL_DEVICE_TYPES.join(', ')}`,
      );
    if (!(CPL_STATUSES as readonly string[]).includes(e.status))
      add(
        'UNKNOWN_STATUS',
        [e],
        `${e.cplEntryId}: status '${e.status}' is not one of ${CPL_STATUSES.join(', ')}`,
      );
    const band = e.extra.zigbee_band;
    if (band !== undefined && band !== '' && !isZigbeeBand(band))
      add(
        'UNKNOWN_ZIGBEE_BAND',
        [e],
        `${e.cplEntryId}: ZigBee band '${band}' is not one of the six MP231 join options`,
      );
    if (e.baseField === '' || e.bases.some((b) => b === '' || b.toUpperCase() === NO_BASE))
      add(
        'MALFORMED_BASE_IDS',
        [e],
        `${e.cplEntryId}: base_cpl_entry_ids '${e.baseField}' is not N/A or IDs separated by ';'`,
      );
  }

  // Edges.
  for (const e of entries) {
    for (const baseId of new Set(e.bases)) {
      if (baseId === '' || baseId.toUpperCase() === NO_BASE) continue;
      const base = byId.get(baseId);
      if (!base) {
        add('UNKNOWN_BASE', [e], `${e.cplEntryId} lists base ${baseId}, which is not in the catalog`);
        continue;
      }
      if (base.deviceType !== e.deviceType)
        add(
          'BASE_OTHER_DEVICE_TYPE',
          [e, base],
          `${e.cplEntryId} (${e.deviceType}) lists base ${baseId} of device type ${base.deviceType}`,
        );
      else if (base.manufacturer !== e.manufacturer || base.model !== e.model)
        add(
          'BASE_OTHER_MODEL',
          [e, base],
          `${e.cplEntryId} (${e.manufacturer} ${e.model}) lists base ${baseId} of model ${base.manufacturer} ${base.model}`,
        );
      else if (hardwareKey(base.hardwareVersion) !== hardwareKey(e.hardwareVersion))
        add(
          'BASE_OTHER_HARDWARE',
          [e, base],
          `${e.cplEntryId} (hardware ${e.hardwareVersion}) lists base ${baseId} of hardware ${base.hardwareVersion}`,
        );
      else if (!isActive(base) && base.bases.length > 0 && isActive(e))
        add(
          'PATH_THROUGH_INACTIVE',
          [base, e],
          `the pathway to ${e.cplEntryId} passes through ${baseId}, which is ${base.status}: no device may install it on the way`,
        );
    }
  }
  for (const cycle of cycles(catalog))
    add(
      'CYCLE',
      cycle,
      `the declared pathways loop: ${[...cycle, cycle[0]].map((c) => c?.cplEntryId).join(' → ')}`,
    );
  for (const e of entries)
    if (
      !isActive(e) &&
      e.bases.some((b) => byId.has(b)) &&
      (CPL_STATUSES as readonly string[]).includes(e.status)
    )
      add(
        'PATH_ENDS_INACTIVE',
        [e],
        `${e.cplEntryId} is ${e.status} but still declared as an upgrade from ${e.bases.join(', ')}`,
      );

  // Reachability from installed bases (entries with N/A: what devices leave the factory with).
  const reached = new Set<string>();
  let frontier = entries.filter((e) => e.baseField.toUpperCase() === NO_BASE && byId.get(e.cplEntryId) === e);
  for (const e of frontier) reached.add(e.cplEntryId);
  while (frontier.length > 0) {
    const next: CatalogEntry[] = [];
    for (const e of frontier)
      for (const s of catalog.successors.get(e.cplEntryId) ?? [])
        if (!reached.has(s.cplEntryId) && groupKey(s) === groupKey(e) && byId.get(s.cplEntryId) === s) {
          reached.add(s.cplEntryId);
          next.push(s);
        }
    frontier = next;
  }
  for (const e of entries)
    if (!reached.has(e.cplEntryId) && byId.get(e.cplEntryId) === e)
      add(
        'UNREACHABLE',
        [e],
        `no device can reach ${e.cplEntryId}: no pathway leads to it from an entry devices are installed with (N/A)`,
      );

  const order = Object.keys(PROBLEM_LEVEL);
  return problems.sort(
    (a, b) => order.indexOf(a.code) - order.indexOf(b.code) || (a.rows[0] ?? 0) - (b.rows[0] ?? 0),
  );
}

function ids(entries: readonly CatalogEntry[]): string {
  return entries.map((e) => e.cplEntryId).join(', ');
}

function groupsBy(entries: readonly CatalogEntry[], key: (e: CatalogEntry) => string): CatalogEntry[][] {
  const groups = new Map<string, CatalogEntry[]>();
  for (const e of entries) {
    const k = key(e);
    const g = groups.get(k);
    if (g) g.push(e);
    else groups.set(k, [e]);
  }
  return [...groups.values()];
}

/** The cycles of the declared graph: strongly connected components with a loop (Tarjan), iteratively. */
function cycles(catalog: Catalog): CatalogEntry[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: CatalogEntry[][] = [];
  let counter = 0;
  const succ = (id: string) =>
    (catalog.successors.get(id) ?? [])
      .filter((s) => catalog.byId.get(s.cplEntryId) === s)
      .map((s) => s.cplEntryId);
  for (const start of catalog.byId.keys()) {
    if (index.has(start)) continue;
    const work: { id: string; next: string[] }[] = [];
    const visit = (id: string) => {
      index.set(id, counter);
      low.set(id, counter);
      counter++;
      stack.push(id);
      onStack.add(id);
      work.push({ id, next: succ(id) });
    };
    visit(start);
    while (work.length > 0) {
      const top = work[work.length - 1] as { id: string; next: string[] };
      const child = top.next.shift();
      if (child !== undefined) {
        if (!index.has(child)) visit(child);
        else if (onStack.has(child))
          low.set(top.id, Math.min(low.get(top.id) as number, index.get(child) as number));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id) as number, low.get(top.id) as number));
      if (low.get(top.id) === index.get(top.id)) {
        const component: string[] = [];
        let id: string;
        do {
          id = stack.pop() as string;
          onStack.delete(id);
          component.push(id);
        } while (id !== top.id);
        const selfLoop = component.length === 1 && succ(top.id).includes(top.id);
        if (component.length > 1 || selfLoop)
          found.push(component.reverse().map((c) => catalog.byId.get(c) as CatalogEntry));
      }
    }
  }
  return found;
}
