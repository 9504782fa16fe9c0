/**
 * The testing kit's arbitraries draw what they say: estates that load, link profiles within their
 * bounds, catalogs whose repeated versions the check reports as warnings only and whose pathways
 * the planner still follows by entry ID.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/pathways/catalog.ts';
import { checkCatalog } from '../../src/pathways/check.ts';
import { loadEstate } from '../../src/pathways/estate.ts';
import { Planner } from '../../src/pathways/planner.ts';
import { catalogCsv, catalogRows } from '../../src/testing/catalog-arbitraries.ts';
import { estateRows, linkProfiles } from '../../src/testing/estate-arbitraries.ts';

describe('the kit’s arbitraries', () => {
  it('draws estates that load, one row per device, four devices to a hub', () => {
    const entries = [
      { cplEntryId: 'A1', deviceType: 'ESME' },
      { cplEntryId: 'G1', deviceType: 'GSME' },
    ];
    fc.assert(
      fc.property(estateRows(entries), (rows) => {
        const estate = loadEstate(
          catalogCsv(rows, [
            'device_id',
            'device_type',
            'hub_id',
            'cpl_entry_id',
            'link_profile',
            'wake_interval_s',
          ]),
        );
        expect(estate).toHaveLength(rows.length);
        expect(new Set(estate.map((d) => d.deviceId)).size).toBe(rows.length);
        const perHub = new Map<string, number>();
        for (const d of estate) perHub.set(d.hubId, (perHub.get(d.hubId) ?? 0) + 1);
        expect(Math.max(...perHub.values())).toBeLessThanOrEqual(4);
      }),
    );
  });

  it('draws link profiles within their bounds', () => {
    fc.assert(
      fc.property(linkProfiles({ maxLoss: 0.3 }), (link) => {
        expect(link.lossProbability).toBeGreaterThanOrEqual(0);
        expect(link.lossProbability).toBeLessThanOrEqual(0.3);
        if (link.dutyCycle !== undefined) expect(link.band).toBe('subGHz');
      }),
    );
  });

  it('draws catalogs with repeated versions that only warn, and plans them by entry ID', () => {
    fc.assert(
      fc.property(catalogRows({ duplicateVersions: true }), (rows) => {
        const catalog = loadCatalog(catalogCsv(rows));
        const problems = checkCatalog(catalog);
        expect(problems.filter((p) => p.level === 'error')).toEqual([]);
        const planner = new Planner(catalog);
        for (const e of catalog.entries) {
          const roots = catalog.entries.filter(
            (r) =>
              r.bases.length === 0 &&
              r.model === e.model &&
              r.deviceType === e.deviceType &&
              r.hardwareVersion === e.hardwareVersion,
          );
          for (const root of roots) {
            const plan = planner.plan(root.cplEntryId, e.cplEntryId);
            if (plan.ok) expect(plan.hops.at(-1) ?? root.cplEntryId).toBe(e.cplEntryId);
          }
        }
      }),
    );
  });
});
