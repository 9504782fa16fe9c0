/**
 * The upgrade path planner (DESIGN.md §4 "Pathway semantics", MP231): an edge runs from each
 * base entry to the entry that lists it; a path never leaves the device's type, manufacturer,
 * model and hardware version; every entry installed on the way must be Active (the start may be
 * in any status). The plan is the path with the fewest hops and, among those, the smallest
 * sequence of entry IDs compared hop by hop as strings. "No path" is a result with a reason.
 */
import { type Catalog, type CatalogEntry, groupKey, isActive } from './catalog.ts';

/** Why there is no plan (or, for ALREADY_AT_TARGET, why it is empty). */
export const PLAN_REASON = {
  UNKNOWN_ENTRY: 'UNKNOWN_ENTRY',
  NO_TARGET: 'NO_TARGET',
  TARGET_NOT_ACTIVE: 'TARGET_NOT_ACTIVE',
  NO_ROUTE: 'NO_ROUTE',
  ALREADY_AT_TARGET: 'ALREADY_AT_TARGET',
} as const;
/** A reason code. */
export type PlanReason = keyof typeof PLAN_REASON;

/** A plan: the entry IDs to install in order, or why there are none. */
export type Plan =
  | { readonly ok: true; readonly hops: readonly string[]; readonly reason?: 'ALREADY_AT_TARGET' }
  | {
      readonly ok: false;
      readonly reason: Exclude<PlanReason, 'ALREADY_AT_TARGET'>;
      readonly detail: string;
    };

/**
 * A planner over one catalog. Distances to a target are computed once per target and reused for
 * every start, so planning an estate costs one search per distinct target plus a walk per
 * distinct start.
 */
export class Planner {
  readonly #catalog: Catalog;
  /** target ID → hops from each entry to it (only entries that can reach it). */
  readonly #distances = new Map<string, Map<string, number>>();
  readonly #plans = new Map<string, Plan>();

  /** A planner for `catalog`. */
  constructor(catalog: Catalog) {
    this.#catalog = catalog;
  }

  /** The plan from the entry a device runs to `targetId`. */
  plan(fromId: string, targetId: string): Plan {
    const key = `${fromId}\u0000${targetId}`;
    let plan = this.#plans.get(key);
    if (!plan) {
      plan = this.#compute(fromId, targetId);
      this.#plans.set(key, plan);
    }
    return plan;
  }

  #compute(fromId: string, targetId: string): Plan {
    const from = this.#catalog.byId.get(fromId);
    const target = this.#catalog.byId.get(targetId);
    if (!from) return { ok: false, reason: 'UNKNOWN_ENTRY', detail: `no entry ${fromId} in the catalog` };
    if (!target) return { ok: false, reason: 'UNKNOWN_ENTRY', detail: `no entry ${targetId} in the catalog` };
    if (fromId === targetId) return { ok: true, hops: [], reason: 'ALREADY_AT_TARGET' };
    if (!isActive(target))
      return { ok: false, reason: 'TARGET_NOT_ACTIVE', detail: `${targetId} is ${target.status}` };
    if (groupKey(from) !== groupKey(target))
      return {
        ok: false,
        reason: 'NO_ROUTE',
        detail: `${targetId} is for ${describe(target)}, the device is ${describe(from)}`,
      };
    const dist = this.#distancesTo(target);
    const total = dist.get(fromId);
    if (total === undefined)
      return { ok: false, reason: 'NO_ROUTE', detail: `no declared pathway from ${fromId} to ${targetId}` };
    const hops: string[] = [];
    let at = fromId;
    for (let left = total; left > 0; left--) {
      let best: string | undefined;
      for (const next of this.#steps(at)) {
        if (dist.get(next.cplEntryId) === left - 1 && (best === undefined || next.cplEntryId < best))
          best = next.cplEntryId;
      }
      hops.push(best as string);
      at = best as string;
    }
    return { ok: true, hops };
  }

  /**
   * The entries a device on `at` may install next: Active ones. (Entries of other groups have no
   * distance to the target, so the walk never takes them.)
   */
  *#steps(at: string): Iterable<CatalogEntry> {
    for (const next of this.#catalog.successors.get(at) ?? []) {
      // Duplicated IDs: only the entry the catalog resolves the ID to counts.
      if (this.#catalog.byId.get(next.cplEntryId) !== next) continue;
      if (isActive(next)) yield next;
    }
  }

  /** Hops to `target` from every entry that can reach it, by a backward search. */
  #distancesTo(target: CatalogEntry): Map<string, number> {
    const cached = this.#distances.get(target.cplEntryId);
    if (cached) return cached;
    const key = groupKey(target);
    const dist = new Map<string, number>([[target.cplEntryId, 0]]);
    let frontier: CatalogEntry[] = [target];
    for (let d = 1; frontier.length > 0; d++) {
      const next: CatalogEntry[] = [];
      for (const e of frontier) {
        // A step into `e` is an install of `e`: it must be Active (the target was checked).
        if (!isActive(e)) continue;
        for (const baseId of e.bases) {
          const base = this.#catalog.byId.get(baseId);
          if (!base || dist.has(baseId) || groupKey(base) !== key) continue;
          dist.set(baseId, d);
          next.push(base);
        }
      }
      frontier = next;
    }
    this.#distances.set(target.cplEntryId, dist);
    return dist;
  }
}

function describe(e: CatalogEntry): string {
  return `${e.deviceType} ${e.manufacturer} ${e.model} hardware ${e.hardwareVersion}`;
}

/** The plan from `fromId` to `targetId` in `catalog` (one-off; use a `Planner` for many). */
export function planPath(catalog: Catalog, fromId: string, targetId: string): Plan {
  return new Planner(catalog).plan(fromId, targetId);
}

/** Whether a sequence of installs is allowed, and if not the first illegal step. */
export type SequenceCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Index in the sequence of the entry whose install is illegal (0: the start is unknown). */
      readonly step: number;
      readonly from?: string;
      readonly to: string;
      readonly reason: 'UNKNOWN_ENTRY' | 'NOT_DECLARED' | 'OTHER_GROUP' | 'NOT_ACTIVE';
      readonly detail: string;
    };

/** Checks that each entry of `sequence` may be installed on the one before it. */
export function checkSequence(catalog: Catalog, sequence: readonly string[]): SequenceCheck {
  const first = sequence[0];
  if (first === undefined || !catalog.byId.has(first))
    return {
      ok: false,
      step: 0,
      to: first ?? '',
      reason: 'UNKNOWN_ENTRY',
      detail: `no entry ${first} in the catalog`,
    };
  for (let i = 1; i < sequence.length; i++) {
    const fromId = sequence[i - 1] as string;
    const toId = sequence[i] as string;
    const from = catalog.byId.get(fromId) as CatalogEntry;
    const to = catalog.byId.get(toId);
    const step = { ok: false as const, step: i, from: fromId, to: toId };
    if (!to) return { ...step, reason: 'UNKNOWN_ENTRY', detail: `no entry ${toId} in the catalog` };
    if (groupKey(from) !== groupKey(to))
      return {
        ...step,
        reason: 'OTHER_GROUP',
        detail: `${toId} is for ${describe(to)}, ${fromId} for ${describe(from)}`,
      };
    if (!to.bases.includes(fromId))
      return {
        ...step,
        reason: 'NOT_DECLARED',
        detail: `${toId} does not list ${fromId} as a base (its bases: ${to.bases.length ? to.bases.join(', ') : 'N/A'})`,
      };
    if (!isActive(to)) return { ...step, reason: 'NOT_ACTIVE', detail: `${toId} is ${to.status}` };
  }
  return { ok: true };
}
