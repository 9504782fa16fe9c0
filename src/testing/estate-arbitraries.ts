/**
 * fast-check arbitraries for estates and link profiles (the public testing kit): estate CSV rows
 * over a catalog's entries (device IDs unique EUI-64s, a few devices per hub, optional link
 * profile and wake interval columns), and link profiles from a perfect link to a bad sub-GHz one.
 */
import fc from 'fast-check';
import { LINK_PROFILES, type LinkProfile } from '../sim/link.ts';

/** One estate row, by column name. */
export type EstateRow = Record<'device_id' | 'device_type' | 'hub_id' | 'cpl_entry_id', string> &
  Partial<Record<'link_profile' | 'wake_interval_s', string>>;

/** A catalog entry a device may run: its ID and device type. */
export interface EstateEntry {
  readonly cplEntryId: string;
  readonly deviceType: string;
}

/** Estate rows over `entries` (at least one): up to `maxDevices` devices, `devicesPerHub` to a hub. */
export function estateRows(
  entries: readonly EstateEntry[],
  shape: { maxDevices?: number; devicesPerHub?: number } = {},
): fc.Arbitrary<EstateRow[]> {
  if (entries.length === 0) throw new RangeError('entries: at least one');
  const perHub = shape.devicesPerHub ?? 4;
  const device = fc.record({
    entry: fc.constantFrom(...entries),
    link: fc.option(fc.constantFrom(...(Object.keys(LINK_PROFILES) as (keyof typeof LINK_PROFILES)[])), {
      nil: undefined,
    }),
    wake: fc.option(fc.integer({ min: 60, max: 86_400 }), { nil: undefined }),
  });
  return fc
    .tuple(
      fc.array(device, { minLength: 1, maxLength: shape.maxDevices ?? 40 }),
      fc.bigInt({ min: 0n, max: 2n ** 48n }),
    )
    .map(([devices, base]) =>
      devices.map((d, k) => ({
        device_id: (base + BigInt(k)).toString(16).padStart(16, '0'),
        device_type: d.entry.deviceType,
        hub_id: `hub-${Math.floor(k / perHub)}`,
        cpl_entry_id: d.entry.cplEntryId,
        ...(d.link !== undefined && { link_profile: d.link }),
        ...(d.wake !== undefined && d.entry.deviceType === 'GSME' && { wake_interval_s: String(d.wake) }),
      })),
    );
}

/** Link profiles: 2.4 GHz or sub-GHz, latency, jitter, loss up to `maxLoss` (default 0.5), duplicates, duty cycle. */
export function linkProfiles(shape: { maxLoss?: number } = {}): fc.Arbitrary<LinkProfile> {
  return fc
    .record({
      band: fc.constantFrom('2.4GHz' as const, 'subGHz' as const),
      latencyUs: fc.integer({ min: 0, max: 200_000 }),
      jitterUs: fc.integer({ min: 0, max: 100_000 }),
      lossPercent: fc.integer({ min: 0, max: Math.round((shape.maxLoss ?? 0.5) * 100) }),
      duplicateProbability: fc.constantFrom(0, 0.005, 0.05),
      dutyCycle: fc.option(fc.constantFrom(0.01, 0.1), { nil: undefined }),
    })
    .map(({ lossPercent, dutyCycle, band, ...rest }) => ({
      ...rest,
      band,
      lossProbability: lossPercent / 100,
      ...(dutyCycle !== undefined && band === 'subGHz' && { dutyCycle }),
    }));
}
