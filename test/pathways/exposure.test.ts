/**
 * `exposure` (src/pathways/exposure.ts) against an independent computation over generated catalogs
 * and estates: the affected and unknown entries, the affected devices, and each model's
 * remediation target (the Active safe entry every affected start reaches by declared edges, fewest
 * hops in all, then smallest ID) — written here by breadth-first search over the edges directly.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { loadCatalog } from '../../src/pathways/catalog.ts';
import { loadEstate } from '../../src/pathways/estate.ts';
import { exposure, inRange, parseStackRange, stackVersionOf } from '../../src/pathways/exposure.ts';
import {
  catalogCsv,
  estateCsv,
  type World,
  type WorldEntry,
  worldArbitrary,
} from '../helpers/exposure-world.ts';

/** Independently: is `stack` (EmberZNet a.b.c) in [6.7, 6.10.4)? */
function affected(e: WorldEntry): 'affected' | 'safe' | 'unknown' {
  if (e.vendor === '') return 'unknown';
  if (e.vendor.toLowerCase() !== 'silabs') return 'safe';
  if (e.stack === '') return 'unknown';
  const [a, b, c] = (e.stack.split(' ')[1] as string).split('.').map(Number) as [number, number, number];
  const n = a * 1e6 + b * 1e3 + c;
  return n >= 6_007_000 && n < 6_010_004 ? 'affected' : 'safe';
}

/** Hops from `from` to each entry of its model, by declared edges (base → entry) into Active entries. */
function hopsFrom(world: World, from: string): Map<string, number> {
  const dist = new Map([[from, 0]]);
  const queue = [from];
  while (queue.length > 0) {
    const at = queue.shift() as string;
    for (const e of world.entries)
      if (e.bases.includes(at) && e.status === 'Active' && !dist.has(e.id)) {
        dist.set(e.id, (dist.get(at) as number) + 1);
        queue.push(e.id);
      }
  }
  return dist;
}

it('finds the affected entries, devices and remediation targets an independent computation finds', () => {
  const range = parseStackRange('>=6.7,<6.10.4');
  fc.assert(
    fc.property(worldArbitrary, (world) => {
      const report = exposure(loadCatalog(catalogCsv(world)), 'Silabs', range, loadEstate(estateCsv(world)));
      expect(report.affected).toEqual(
        world.entries.filter((e) => affected(e) === 'affected').map((e) => e.id),
      );
      expect(report.unknown).toEqual(world.entries.filter((e) => affected(e) === 'unknown').map((e) => e.id));
      // Bands are checked for every entry, affected or not.
      expect(report.bandProblems.map((p) => p.cplEntryId)).toEqual(
        world.entries.filter((e) => e.band === 'Triple Band').map((e) => e.id),
      );
      const models = [
        ...new Set(world.entries.filter((e) => affected(e) === 'affected').map((e) => e.model)),
      ];
      expect(report.groups.map((g) => g.model)).toEqual(models);
      for (const g of report.groups) {
        const hit = world.entries
          .filter((e) => e.model === g.model && affected(e) === 'affected')
          .map((e) => e.id);
        const devices = world.devices.filter((d) => hit.includes(d.entry));
        expect(g.devices?.map((d) => d.deviceId)).toEqual(devices.map((d) => d.id));
        const starts = devices.length > 0 ? [...new Set(devices.map((d) => d.entry))] : [];
        // Without devices on it, remediation starts from every affected entry.
        const from = starts.length > 0 ? starts : hit;
        const maps = from.map((s) => hopsFrom(world, s));
        const candidates = world.entries
          .filter((e) => e.model === g.model && e.status === 'Active' && affected(e) === 'safe')
          .filter((e) => maps.every((m) => m.has(e.id)))
          .map((e) => ({ id: e.id, hops: maps.reduce((n, m) => n + (m.get(e.id) as number), 0) }))
          .sort((x, y) => x.hops - y.hops || (x.id < y.id ? -1 : 1));
        expect(g.target ?? null).toBe(candidates[0]?.id ?? null);
        const groupBands = world.entries.filter((e) => e.model === g.model).map((e) => e.band);
        expect(g.badBands).toEqual(groupBands.includes('Triple Band') ? ['Triple Band'] : []);
      }
    }),
    { numRuns: 200 },
  );
});

it('reads stack ranges and says what is wrong with one it cannot', () => {
  const v = (s: string) => s.split('.').map(Number);
  expect(inRange(v('6.10.3'), parseStackRange('6.0..6.10.3'))).toBe(true);
  expect(inRange(v('6.10.4'), parseStackRange('6.0..6.10.3'))).toBe(false);
  expect(inRange(v('7.1'), parseStackRange('7.1'))).toBe(true);
  expect(inRange(v('7.1.0'), parseStackRange('=7.1'))).toBe(true);
  expect(() => parseStackRange('>=6.7,soon')).toThrow(/'soon' is not a version bound/);
  // A bare version is its whole line; '=' is exact.
  expect(inRange(v('6.9.1'), parseStackRange('6.9'))).toBe(true);
  expect(inRange(v('6.10'), parseStackRange('6.9'))).toBe(false);
  expect(inRange(v('6.9.1'), parseStackRange('=6.9'))).toBe(false);
  expect(() => parseStackRange('6.10..6.8')).toThrow(/runs backwards/);
  expect(() => parseStackRange('6.8..6..9')).toThrow(/is not a version bound/);
  expect(stackVersionOf('Zigbee PRO 2017 / EmberZNet 6.10')).toEqual([6, 10]);
  expect(stackVersionOf('R22')).toBeUndefined();
});
