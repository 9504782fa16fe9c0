/**
 * A policy's values stay within what the session simulation can honour: durations and counts are
 * bounded when the policy is read, back-offs that grow by fractions or past the end of the run
 * are scheduled in whole microseconds, and a distribution released far ahead costs no memory per
 * day it jumps over.
 */
import { describe, expect, it } from 'vitest';
import { runBucket } from '../../src/campaign/bucket-run.ts';
import { durationUs, parsePolicy } from '../../src/campaign/policy.ts';
import { DEVICE_PROFILES } from '../../src/devices/profiles.ts';
import { DEFAULT_HUB_CONFIG } from '../../src/hub/ota-server.ts';
import { LINK_PROFILES } from '../../src/sim/link.ts';
import { exampleCampaign } from '../helpers/campaign.ts';

const DAY_US = 86_400_000_000;

describe('policy limits', () => {
  it('accepts the longest window and simulation it allows, and refuses one second more', () => {
    expect(parsePolicy('adt: { limit: 1, window: 3650d }\nmaxDays: 3650\n').adt?.window).toBe('3650d');
    expect(() => parsePolicy('adt: { limit: 1, window: 315360001 }\n')).toThrow(
      'adt.window: expected a duration from 1s to 3650d, got 315360001',
    );
  });

  it('turns every duration into whole microseconds', () => {
    expect(durationUs('1.0000001s')).toBe(1_000_000);
    expect(durationUs(1.5)).toBe(1_500_000);
    expect(durationUs('2h')).toBe(7_200_000_000);
  });

  it('retries with a fractional back-off factor, and with waits that overflow, without a scheduling error', () => {
    // 50 blocks of 4 KiB hold one simulated 200 KiB image: second hops are refused and retried.
    for (const retry of [
      '{ attempts: 12, backoff: 1s, factor: 1.5 }',
      '{ attempts: 1000, backoff: 1s, factor: 1000 }',
    ]) {
      const policy = parsePolicy(`memory: { blocks: 50, blockSize: 4096 }\nretry: ${retry}\nmaxDays: 30\n`);
      const { report } = exampleCampaign('planned', policy);
      expect(report.devices).toBeGreaterThan(0);
    }
  });

  it('reports hub memory for the days of the run only, whatever day a distribution was released on', () => {
    // A threshold of one distribution per ten million days: the second device's is released
    // long after the run ends, and the days in between cost nothing.
    const hop = {
      key: 'v2',
      manufacturerCode: 1,
      imageType: 1,
      fileVersion: 2,
      size: 250,
      verdict: { status: 'SUCCESS' as const },
    };
    const device = (node: string) => ({
      node,
      profile: DEVICE_PROFILES.ESME,
      link: LINK_PROFILES.ideal,
      manufacturerCode: 1,
      imageType: 1,
      runningVersion: 1,
      hops: [hop],
    });
    const result = runBucket({
      seed: 1,
      hubs: [{ config: DEFAULT_HUB_CONFIG, memory: { blockCount: 10, blockSize: 100 } }],
      devices: [device('a'), device('b')],
      adt: { limit: 1, windowUs: 10_000_000 * DAY_US },
      maxTimeUs: 2 * DAY_US,
    });
    expect(result.quarantined).toBe(1);
    expect(result.memoryByDay).toEqual([3]);
  });
});
