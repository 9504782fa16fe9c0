/**
 * A campaign's bucket over both transports (DESIGN.md §3): generated hubs and devices with
 * multi-hop plans, hub memory and download slots short of the demand, the DCC's threshold, an
 * activation window, a phased rollout, retries and hops predicted to fail give, on loss-free
 * links, the same result device by device — activation times, quarantines, retries, ends — frame
 * by frame as over the session transport the campaign runs on; and the same device outcomes with
 * the polls that would repeat "nothing to fetch" parked as with every poll sent. The seed is
 * printed.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type {
  SessionDevice,
  SessionImage,
  SessionInput,
  SessionResult,
} from '../../src/campaign/bucket-input.ts';
import { runBucket } from '../../src/campaign/bucket-run.ts';
import { DEVICE_PROFILES, type DeviceType } from '../../src/devices/profiles.ts';
import { DEFAULT_HUB_CONFIG } from '../../src/hub/ota-server.ts';
import type { Reaction } from '../../src/pathways/behaviour.ts';

const HOUR_US = 3_600_000_000;
const TYPES: readonly DeviceType[] = ['ESME', 'GSME', 'PPMID', 'HCALCS'];

const bucket: fc.Arbitrary<SessionInput> = fc
  .record({
    seed: fc.integer({ min: 1, max: 2 ** 31 }),
    hubs: fc.integer({ min: 1, max: 3 }),
    slots: fc.integer({ min: 1, max: 2 }),
    blocks: fc.integer({ min: 1, max: 4 }),
    sizes: fc.array(fc.integer({ min: 300, max: 2500 }), { minLength: 3, maxLength: 3 }),
    devices: fc.array(
      fc.record({
        type: fc.constantFrom(...TYPES),
        hub: fc.nat(),
        hops: fc.integer({ min: 1, max: 3 }),
        latencyUs: fc.integer({ min: 500, max: 20_000 }),
        failsAtHop: fc.option(fc.nat({ max: 2 }), { nil: undefined }),
        reaction: fc.constantFrom<Reaction>(
          { kind: 'refuse' },
          { kind: 'brick', functions: ['supply control'] },
          { kind: 'degrade', functions: ['load limiting'] },
        ),
      }),
      { minLength: 1, maxLength: 8 },
    ),
    adt: fc.option(
      fc.record({ limit: fc.integer({ min: 1, max: 3 }), hours: fc.integer({ min: 1, max: 24 }) }),
      {
        nil: undefined,
      },
    ),
    window: fc.option(
      fc.record({ fromHour: fc.integer({ min: 0, max: 23 }), span: fc.integer({ min: 1, max: 6 }) }),
      {
        nil: undefined,
      },
    ),
    rollout: fc.boolean(),
    retry: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  })
  .map((g): SessionInput => {
    const image = (version: number): SessionImage => ({
      key: `v${version}`,
      manufacturerCode: 0x1234,
      imageType: 5,
      fileVersion: version,
      size: g.sizes[version - 2] as number,
      verdict: { status: 'SUCCESS' },
    });
    const devices = g.devices.map(
      (d, i): SessionDevice => ({
        node: `d${i}`,
        profile: DEVICE_PROFILES[d.type],
        link: {
          band: '2.4GHz',
          latencyUs: d.latencyUs,
          jitterUs: 0,
          lossProbability: 0,
          duplicateProbability: 0,
        },
        manufacturerCode: 0x1234,
        imageType: 5,
        runningVersion: 1,
        hardwareVersion: 1,
        hops: Array.from({ length: d.hops }, (_, k) => image(k + 2)),
        hub: d.hub % g.hubs,
        group: g.rollout ? i % 2 : 0,
        ...(d.failsAtHop !== undefined &&
          d.failsAtHop < d.hops && { firmware: { hop: d.failsAtHop, reaction: d.reaction } }),
      }),
    );
    return {
      seed: g.seed,
      hubs: Array.from({ length: g.hubs }, () => ({
        config: { ...DEFAULT_HUB_CONFIG, maxConcurrentDownloads: g.slots },
        memory: { blockCount: g.blocks, blockSize: 1024 },
      })),
      devices,
      maxTimeUs: 20 * 24 * HOUR_US,
      ...(g.adt && { adt: { limit: g.adt.limit, windowUs: g.adt.hours * HOUR_US } }),
      ...(g.window && {
        activationWindow: { fromHour: g.window.fromHour, toHour: (g.window.fromHour + g.window.span) % 24 },
      }),
      ...(g.rollout && {
        rollout: [
          { successThreshold: 50, errorThreshold: 50 },
          { successThreshold: 100, errorThreshold: 100 },
        ],
      }),
      ...(g.retry !== undefined && { retry: { attempts: g.retry, backoffUs: HOUR_US, factor: 2 } }),
    };
  });

/** All but the count of events (a computed run of blocks is one event, frame by frame it is many). */
function comparable({ events: _events, ...result }: SessionResult) {
  return result;
}

it('gives a bucket the same result over both transports on loss-free links', () => {
  const seen = { activations: 0, quarantined: 0, retries: 0, notStarted: 0, failedByPlan: 0 };
  fc.assert(
    fc.property(bucket, (input) => {
      const frame = runBucket({ ...input, transport: 'frame' });
      expect(comparable(runBucket(input))).toEqual(comparable(frame));
      seen.activations += frame.devices.reduce((n, d) => n + d.activationsUs.length, 0);
      seen.quarantined += frame.quarantined;
      seen.retries += frame.devices.reduce((n, d) => n + d.retries, 0);
      seen.notStarted += frame.devices.filter((d) => d.startedUs === undefined).length;
      seen.failedByPlan += frame.devices.filter((d) => d.phase === 'failed' && d.reason === undefined).length;
    }),
    { numRuns: 300 },
  );
  for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(0);
});

/**
 * What parking polls may change: nothing about any device or the hubs; only when the run is seen
 * to be over, which with every poll sent can take in one more poll exchange begun before the last
 * activity ended (less than a query interval later).
 */
function outcomes(r: SessionResult) {
  const { devices, quarantined, downloadsPeak, hubMemoryPeakBlocks, groups, halt } = r;
  return { devices, quarantined, downloadsPeak, hubMemoryPeakBlocks, groups, halt };
}

it('gives a bucket the same outcomes with its idle polls parked as with every poll sent', () => {
  fc.assert(
    fc.property(bucket, (input) => {
      const sent = runBucket({ ...input, transport: 'frame', parkIdlePolls: false });
      const parked = runBucket({ ...input, transport: 'frame' });
      expect(outcomes(parked)).toEqual(outcomes(sent));
      expect(Math.abs(parked.endUs - sent.endUs)).toBeLessThan(300 * 1_000_000);
    }),
    { numRuns: 100 },
  );
});
