/**
 * hanota in a supplier's CI: drop this file into your vitest suite and point it at your CPL
 * extract, estate, rollout policy and the manufacturers' behaviour files; re-run it whenever the
 * catalog changes, before a campaign is booked:
 * - the planned campaign over your estate bricks nothing, accounts for every meter, and says why
 *   any meter stops short of its target;
 * - it is never worse than a pathway-blind one;
 * - the same holds for any estate drawn over the catalog's entries (random mixes of starting
 *   firmware, hubs and links), so a catalog change that opens a bad path is caught even where
 *   today's estate would not show it.
 * hanota runs this very file in its own CI, against the example estate in fixtures/.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  catalogCsv,
  estateRows,
  loadCatalog,
  loadEstate,
  parseBehaviour,
  parsePolicy,
  runCampaign,
} from 'hanota/testing';
import { describe, expect, it } from 'vitest';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const catalog = loadCatalog(readFileSync(join(FIXTURES, 'example-model/catalog.csv'), 'utf8'));
const estate = loadEstate(readFileSync(join(FIXTURES, 'example-estate.csv'), 'utf8'));
const policy = parsePolicy(readFileSync(join(FIXTURES, 'example-rollout-policy.yaml'), 'utf8'));
const behaviours = new Map([
  ['Volta', parseBehaviour(readFileSync(join(FIXTURES, 'example-model/behaviour.yaml'), 'utf8'))],
]);
// One target per model and hardware version.
const TARGETS = ['V130', 'V210'];
const SEED = Number(process.env.FC_SEED ?? 2026);

const campaign = (mode: 'planned' | 'direct', devices = estate) =>
  runCampaign({
    estate: devices,
    catalog,
    targets: TARGETS,
    images: new Map(),
    behaviours,
    policy,
    mode,
    seed: 1,
  });

describe('the campaign plan', () => {
  it('bricks nothing, accounts for every meter, and says why any meter stops short', () => {
    const { report, outcomes } = campaign('planned');
    expect(report.byStatus.bricked + report.byStatus.degraded).toBe(0);
    expect(Object.values(report.byStatus).reduce((a, b) => a + b, 0)).toBe(estate.length);
    // Meters the pathways cannot take further are named, with the reason, not lost.
    for (const o of outcomes.filter((x) => x.status !== 'onTarget')) expect(o.reason).toBeTruthy();
  });

  it('is never worse than a pathway-blind campaign', () => {
    const planned = campaign('planned').report;
    const direct = campaign('direct').report;
    expect(planned.byStatus.bricked).toBeLessThanOrEqual(direct.byStatus.bricked);
  });

  it('bricks nothing over any estate drawn from the catalog', () => {
    const entries = catalog.entries.map((e) => ({ cplEntryId: e.cplEntryId, deviceType: e.deviceType }));
    fc.assert(
      fc.property(estateRows(entries, { maxDevices: 24 }), (rows) => {
        const drawn = loadEstate(
          catalogCsv(rows, ['device_id', 'device_type', 'hub_id', 'cpl_entry_id', 'link_profile']),
        );
        const { report } = campaign('planned', drawn);
        expect(report.byStatus.bricked + report.byStatus.degraded).toBe(0);
        expect(report.devices).toBe(rows.length);
      }),
      { numRuns: 30, seed: SEED },
    );
  });
});
