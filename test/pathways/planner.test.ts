/**
 * The planner: examples for each reason code and the tie-break, and properties over generated
 * catalogs — plans use only declared edges, stay in their group, install only Active entries, end
 * on the target, have the fewest hops and the smallest ID sequence; NO_ROUTE means no route
 * exists, checked by brute force.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Catalog,
  type CatalogEntry,
  groupKey,
  isActive,
  loadCatalog,
} from '../../src/pathways/catalog.ts';
import { checkSequence, Planner, planPath } from '../../src/pathways/planner.ts';
import { type CatalogRow, catalogCsv, catalogRows } from '../../src/testing/catalog-arbitraries.ts';

const hash = (n: number) => n.toString(16).padStart(64, '0');
function row(id: string, bases: string, extra: Partial<CatalogRow> = {}): CatalogRow {
  return {
    cpl_entry_id: id,
    device_type: 'ESME',
    manufacturer: 'Acme',
    model: 'M',
    hardware_version: '1',
    firmware_version: id,
    manufacturer_image_hash: hash(Number.parseInt(id, 36)),
    base_cpl_entry_ids: bases,
    status: 'Active',
    ...extra,
  };
}
const catalogOf = (rows: CatalogRow[]) => loadCatalog(catalogCsv(rows));

// a → b → d, a → c → d, a → 9 → d (all two hops: 9 < b < c as strings); d → e; x other hardware
const EXAMPLE = catalogOf([
  row('a', 'N/A'),
  row('b', 'a'),
  row('c', 'a'),
  row('9', 'a'),
  row('d', 'b;c;9'),
  row('e', 'd'),
  row('w', 'e', { status: 'Withdrawn' }),
  row('f', 'w'),
  row('x', 'N/A', { hardware_version: '2' }),
]);

describe('path plan', () => {
  it('takes the fewest hops, and among equals the smallest IDs hop by hop', () => {
    expect(planPath(EXAMPLE, 'a', 'e')).toEqual({ ok: true, hops: ['9', 'd', 'e'] });
    expect(planPath(EXAMPLE, 'b', 'e')).toEqual({ ok: true, hops: ['d', 'e'] });
  });

  it('answers each kind of no path with its reason', () => {
    expect(planPath(EXAMPLE, 'a', 'a')).toEqual({ ok: true, hops: [], reason: 'ALREADY_AT_TARGET' });
    expect(planPath(EXAMPLE, 'a', 'zz')).toMatchObject({ ok: false, reason: 'UNKNOWN_ENTRY' });
    expect(planPath(EXAMPLE, 'a', 'w')).toMatchObject({ ok: false, reason: 'TARGET_NOT_ACTIVE' });
    expect(planPath(EXAMPLE, 'a', 'f')).toMatchObject({ ok: false, reason: 'NO_ROUTE' }); // only via w
    expect(planPath(EXAMPLE, 'w', 'f')).toEqual({ ok: true, hops: ['f'] }); // a device may start on w
    expect(planPath(EXAMPLE, 'a', 'x')).toMatchObject({
      ok: false,
      reason: 'NO_ROUTE',
      detail: /hardware 2/,
    });
    expect(planPath(EXAMPLE, 'e', 'a')).toMatchObject({ ok: false, reason: 'NO_ROUTE' });
  });

  it('checks sequences and names the first illegal step', () => {
    expect(checkSequence(EXAMPLE, ['a', 'b', 'd', 'e'])).toEqual({ ok: true });
    expect(checkSequence(EXAMPLE, ['a', 'd', 'e'])).toMatchObject({
      ok: false,
      step: 1,
      from: 'a',
      to: 'd',
      reason: 'NOT_DECLARED',
    });
    expect(checkSequence(EXAMPLE, ['a', 'b', 'd', 'e', 'w'])).toMatchObject({
      step: 4,
      reason: 'NOT_ACTIVE',
    });
    expect(checkSequence(EXAMPLE, ['a', 'x'])).toMatchObject({ step: 1, reason: 'OTHER_GROUP' });
    expect(checkSequence(EXAMPLE, ['q', 'a'])).toMatchObject({ step: 0, reason: 'UNKNOWN_ENTRY' });
  });
});

/** Every legal path from `from` to `to` of at most `limit` hops, by brute force. */
function allPaths(catalog: Catalog, from: CatalogEntry, to: string, limit: number): string[][] {
  const out: string[][] = [];
  const walk = (at: string, path: string[]) => {
    if (at === to && path.length > 0) out.push(path);
    if (path.length >= limit) return;
    for (const e of catalog.entries)
      if (
        catalog.byId.get(e.cplEntryId) === e && // a duplicated ID means its first entry
        e.bases.includes(at) &&
        isActive(e) &&
        groupKey(e) === groupKey(from) &&
        !path.includes(e.cplEntryId)
      )
        walk(e.cplEntryId, [...path, e.cplEntryId]);
  };
  walk(from.cplEntryId, []);
  return out;
}

function smaller(a: readonly string[], b: readonly string[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as string) < (b[i] as string);
  return false;
}

describe('planner properties over generated catalogs', () => {
  it('plans only declared, in-group, Active hops ending on the target, fewest and smallest; NO_ROUTE only when none exists', () => {
    fc.assert(
      fc.property(catalogRows({ inactive: true, dirty: true, maxEntriesPerGroup: 7 }), (rows) => {
        const catalog = catalogOf(rows);
        const planner = new Planner(catalog);
        const resolved = [...catalog.byId.values()];
        for (const from of resolved)
          for (const to of resolved) {
            const plan = planner.plan(from.cplEntryId, to.cplEntryId);
            if (from === to) {
              expect(plan).toEqual({ ok: true, hops: [], reason: 'ALREADY_AT_TARGET' });
              continue;
            }
            const brute = allPaths(catalog, from, to.cplEntryId, catalog.entries.length);
            if (!isActive(to)) {
              expect(plan).toMatchObject({ ok: false, reason: 'TARGET_NOT_ACTIVE' });
              continue;
            }
            if (!plan.ok) {
              expect(plan.reason).toBe('NO_ROUTE');
              expect(brute).toEqual([]);
              continue;
            }
            expect(checkSequence(catalog, [from.cplEntryId, ...plan.hops])).toEqual({ ok: true });
            expect(plan.hops.at(-1)).toBe(to.cplEntryId);
            const fewest = Math.min(...brute.map((p) => p.length));
            expect(plan.hops.length).toBe(fewest);
            for (const other of brute.filter((p) => p.length === fewest))
              expect(smaller(other, plan.hops)).toBe(false);
          }
      }),
      { numRuns: 100 },
    );
  });
});
