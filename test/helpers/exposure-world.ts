/**
 * Generated CPL catalogs and estates with MP231's ZigBee data, for `hanota exposure`: models with
 * declared pathways (bases among earlier entries), statuses, chipset vendors and stack versions
 * (some not given), ZigBee bands (one not MP231's), and devices on any entry, behind hubs, with
 * suppliers.
 */
import fc from 'fast-check';

export interface WorldEntry {
  readonly id: string;
  readonly model: string;
  readonly bases: readonly string[];
  readonly status: 'Active' | 'Withdrawn' | 'Cancelled';
  readonly vendor: string;
  readonly stack: string;
  readonly band: string;
}

export interface World {
  readonly entries: readonly WorldEntry[];
  readonly devices: readonly {
    readonly id: string;
    readonly entry: string;
    readonly hub: string;
    readonly supplier: string;
  }[];
}

const BANDS = ['2.4 GHz Only', 'Sub-GHz Only', 'Dual Band', 'Multi MAC Selection – Auto', 'Triple Band'];

const model = (m: number): fc.Arbitrary<WorldEntry[]> =>
  fc
    .array(
      fc.record({
        baseMask: fc.nat(),
        status: fc.constantFrom('Active', 'Active', 'Active', 'Withdrawn', 'Cancelled') as fc.Arbitrary<
          WorldEntry['status']
        >,
        vendor: fc.constantFrom('Silabs', 'silabs', 'TI', 'NXP', ''),
        stack: fc.oneof(
          fc
            .tuple(
              fc.integer({ min: 5, max: 8 }),
              fc.integer({ min: 0, max: 12 }),
              fc.integer({ min: 0, max: 4 }),
            )
            .map(([a, b, c]) => `EmberZNet ${a}.${b}.${c}`),
          fc.constant(''),
        ),
        band: fc.constantFrom(...BANDS),
      }),
      { minLength: 1, maxLength: 6 },
    )
    .map((rows) =>
      rows.map((r, i) => ({
        id: `M${m}-E${i}`,
        model: `Model-${m}`,
        // Bases: a subset of the earlier entries of the model (none for the first).
        bases: Array.from({ length: i }, (_, j) => j)
          .filter((j) => (r.baseMask >> j) & 1)
          .map((j) => `M${m}-E${j}`),
        status: r.status,
        vendor: r.vendor,
        stack: r.stack,
        band: r.band,
      })),
    );

/** A world of 1 to 4 models and up to 30 devices. */
export const worldArbitrary: fc.Arbitrary<World> = fc
  .integer({ min: 1, max: 4 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, m) => model(m))))
  .chain((models) => {
    const entries = models.flat();
    return fc
      .array(
        fc.tuple(
          fc.constantFrom(...entries.map((e) => e.id)),
          fc.integer({ min: 1, max: 3 }),
          fc.constantFrom('ALPHA', 'BETA'),
        ),
        {
          maxLength: 30,
        },
      )
      .map((rows) => ({
        entries,
        devices: rows.map(([entry, hub, supplier], i) => ({
          id: `00db${i.toString(16).padStart(12, '0')}`,
          entry,
          hub: `00db0000000000${hub.toString(16).padStart(2, '0')}`,
          supplier,
        })),
      }));
  });

/** The world's catalog CSV. */
export function catalogCsv(world: World): string {
  return [
    'cpl_entry_id,device_type,manufacturer,model,hardware_version,firmware_version,manufacturer_image_hash,base_cpl_entry_ids,status,zigbee_chipset_vendor,zigbee_stack_version,zigbee_band',
    ...world.entries.map(
      (e, i) =>
        `${e.id},ESME,Acme,${e.model},1,${i + 1},${(i + 1).toString(16).padStart(64, '0')},${e.bases.length ? e.bases.join(';') : 'N/A'},${e.status},${e.vendor},${e.stack},${e.band}`,
    ),
  ].join('\n');
}

/** The world's estate CSV. */
export function estateCsv(world: World): string {
  return [
    'device_id,device_type,hub_id,cpl_entry_id,supplier',
    ...world.devices.map((d) => `${d.id},ESME,${d.hub},${d.entry},${d.supplier}`),
  ].join('\n');
}
