/**
 * The estate in buckets (src/campaign/estate-plan.ts): a bucket's devices are built when it runs,
 * so the counts the threshold is split by (taken before any bucket runs) must be the devices each
 * bucket then builds, and every device of the estate must land in exactly one bucket, in estate
 * order within it.
 */
import { describe, expect, it } from 'vitest';
import type { CampaignInput } from '../../src/campaign/campaign.ts';
import { planBuckets } from '../../src/campaign/estate-plan.ts';
import { DEVICE_PROFILES } from '../../src/devices/profiles.ts';
import type { EstateDevice } from '../../src/pathways/estate.ts';
import { EXAMPLE } from '../helpers/campaign.ts';

const ESTATE: readonly EstateDevice[] = [
  ...EXAMPLE.estate,
  // Devices decided before any run: an unknown entry, one already on its target.
  { ...(EXAMPLE.estate[0] as EstateDevice), deviceId: 'f0f0f0f0f0f0f0f0', cplEntryId: 'NOPE' },
  { ...(EXAMPLE.estate[0] as EstateDevice), deviceId: 'f0f0f0f0f0f0f0f1', cplEntryId: 'V130' },
];

const input = (buckets: number, mode: 'planned' | 'direct'): CampaignInput => ({
  estate: ESTATE,
  catalog: EXAMPLE.catalog,
  targets: ['V130', 'V210'],
  images: new Map(),
  behaviours: new Map([['Volta', EXAMPLE.behaviour]]),
  policy: { buckets },
  mode,
  seed: 1,
});

describe('the estate in buckets', () => {
  for (const buckets of [1, 3, 8])
    for (const mode of ['planned', 'direct'] as const)
      it(`counts, before any run, the devices each of ${buckets} buckets then builds to run (${mode})`, () => {
        const plan = planBuckets(input(buckets, mode));
        expect(plan.bucketCount).toBe(buckets);
        const built = Array.from({ length: buckets }, (_, b) => plan.devicesOf(b));
        expect(built.map((b) => b.sessions.length)).toEqual(plan.sessionsPerBucket);
        expect(built.map((b) => b.pending.length)).toEqual(plan.sessionsPerBucket);
        expect(plan.sessionsPerBucket.reduce((a, n) => a + n, 0)).toBeGreaterThan(0);
      });

  it("gives the devices of a type the policy's query interval, the others their profile's", () => {
    const plan = planBuckets({
      ...input(1, 'planned'),
      policy: { buckets: 1, queryInterval: { ESME: '1d' } },
    });
    const sessions = plan.devicesOf(0).sessions;
    expect(sessions.length).toBeGreaterThan(0);
    for (const s of sessions)
      expect(s.profile.queryIntervalS).toBe(
        s.profile.deviceType === 'ESME' ? 86_400 : DEVICE_PROFILES[s.profile.deviceType].queryIntervalS,
      );
    expect(sessions.some((s) => s.profile.deviceType === 'ESME')).toBe(true);
  });

  it('puts every device of the estate in exactly one bucket, in estate order within it', () => {
    const estate = ESTATE;
    const plan = planBuckets(input(5, 'planned'));
    const seen: string[] = [];
    for (let b = 0; b < plan.bucketCount; b++) {
      const { plain, sessions } = plan.devicesOf(b);
      const ids = new Set([...plain.map((o) => o.deviceId), ...sessions.map((s) => s.node)]);
      const inOrder = estate.map((d) => d.deviceId).filter((id) => ids.has(id));
      expect([...plain.map((o) => o.deviceId), ...sessions.map((s) => s.node)].sort()).toEqual(
        [...inOrder].sort(),
      );
      expect(sessions.map((s) => s.node)).toEqual(
        inOrder.filter((id) => sessions.some((s) => s.node === id)),
      );
      seen.push(...ids);
    }
    expect(seen.sort()).toEqual(estate.map((d) => d.deviceId).sort());
    const decided = Array.from({ length: 5 }, (_, b) => plan.devicesOf(b).plain).flat();
    expect(decided.find((o) => o.deviceId === 'f0f0f0f0f0f0f0f0')).toMatchObject({
      status: 'noPath',
      reason: 'UNKNOWN_ENTRY',
    });
    expect(decided.find((o) => o.deviceId === 'f0f0f0f0f0f0f0f1')).toMatchObject({
      status: 'onTarget',
      onTargetMs: 0,
    });
  });

  it('builds the same devices each time a bucket is asked for', () => {
    const plan = planBuckets(input(3, 'planned'));
    for (let b = 0; b < 3; b++) expect(plan.devicesOf(b)).toEqual(plan.devicesOf(b));
  });
});
