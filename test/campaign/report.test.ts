/**
 * Merging campaign partials (src/campaign/report.ts): any order gives the same report, partials
 * of another campaign are refused, and a bucket with a million devices on target merges (no
 * argument-list limits on the way).
 */
import { describe, expect, it } from 'vitest';
import { MAX_BUCKETS } from '../../src/campaign/policy.ts';
import { type CampaignPartial, emptyStatus, mergePartials } from '../../src/campaign/report.ts';

function partial(
  bucket: number,
  onTargetMs: number[],
  extra: Partial<CampaignPartial> = {},
): CampaignPartial {
  const day = { scheduled: 0, running: 0, finished: onTargetMs.length, error: 0, notIncluded: 0 };
  return {
    mode: 'planned',
    seed: 1,
    bucket,
    buckets: 2,
    devices: onTargetMs.length,
    withPath: onTargetMs.length,
    byStatus: { ...emptyStatus(), onTarget: onTargetMs.length },
    reasons: {},
    hopsHistogram: { '1': onTargetMs.length },
    onTargetMs,
    statusByDay: [day],
    groups: [],
    warnings: [],
    hubMemoryPeakBlocks: 3,
    downloadsPeak: 1,
    adtQuarantined: 0,
    adtLimit: 0,
    retries: 0,
    simulatedMs: 1000,
    events: 10,
    memoryByDay: [3],
    quarantinedByDay: [0],
    retriesByDay: [0],
    downloadsByDay: [1],
    hubMemoryBlocks: 64,
    failures: [],
    ...extra,
  };
}

describe('mergePartials', () => {
  it('gives the same report whatever the order of the partials', () => {
    const a = partial(0, [5, 9]);
    const b = partial(1, [1, 7, 8], {
      simulatedMs: 90_000_000,
      statusByDay: [
        { scheduled: 1, running: 2, finished: 0, error: 0, notIncluded: 0 },
        { scheduled: 0, running: 0, finished: 3, error: 0, notIncluded: 0 },
      ],
    });
    const report = mergePartials([a, b]);
    expect(JSON.stringify(mergePartials([b, a]))).toBe(JSON.stringify(report));
    expect(report.timeToTargetMs).toEqual({ p50: 7, p90: 9, p99: 9, p100: 9 });
    // Past its own last day, a bucket stays as it ended.
    expect(report.statusByDay.map((d) => d.finished)).toEqual([2, 5]);
  });

  it('sums the kinds of failure and lists the first devices of each, earliest first, five at most', () => {
    const kind = { status: 'bricked', reason: 'hop V2 bricks', model: 'M', hardwareVersion: '1' } as const;
    const device = (n: number, errorMs: number | null) => ({
      deviceId: n.toString(16).padStart(16, '0'),
      hubId: `h${n}`,
      errorMs,
    });
    const a = partial(0, [], {
      failures: [
        { ...kind, devices: 4, first: [device(1, 50), device(2, 10), device(3, null), device(4, 40)] },
      ],
    });
    const b = partial(1, [], {
      failures: [
        { ...kind, devices: 3, first: [device(5, 20), device(6, 10), device(7, 60)] },
        {
          status: 'notReached',
          reason: '',
          model: 'M',
          hardwareVersion: '1',
          devices: 9,
          first: [device(8, null)],
        },
      ],
    });
    const merged = mergePartials([a, b]);
    expect(mergePartials([b, a]).failures).toEqual(merged.failures);
    expect(merged.failures.map((f) => [f.status, f.devices])).toEqual([
      ['notReached', 9],
      ['bricked', 7],
    ]);
    expect(merged.failures[1]?.first.map((d) => d.hubId)).toEqual(['h2', 'h6', 'h5', 'h4', 'h1']);
  });

  it('lists the earliest devices of a kind of failure across as many buckets as a policy may have', () => {
    // Each bucket's five first devices, at scattered times: the merge keeps the five earliest of all
    // (and does not copy a growing list per bucket, which took minutes at this many buckets).
    const kind = { status: 'noPath', reason: 'UNKNOWN_ENTRY', model: 'M', hardwareVersion: '1' } as const;
    const all: { deviceId: string; hubId: string; errorMs: number | null }[] = [];
    const partials = Array.from({ length: MAX_BUCKETS }, (_, b) => {
      const first = Array.from({ length: 5 }, (_, i) => ({
        deviceId: (b * 5 + i).toString(16).padStart(16, '0'),
        hubId: `h${b}`,
        errorMs: b % 3 === 0 ? null : ((b * 7919 + i * 104729) % 1_000_003) + 1,
      }));
      all.push(...first);
      return { ...partial(b, []), buckets: MAX_BUCKETS, failures: [{ ...kind, devices: 9, first }] };
    });
    const at = (d: (typeof all)[number]) => d.errorMs ?? Number.POSITIVE_INFINITY;
    const earliest = [...all]
      .sort((a, b) => at(a) - at(b) || (a.deviceId < b.deviceId ? -1 : 1))
      .slice(0, 5)
      .map((d) => d.deviceId);
    const merged = mergePartials(partials);
    expect(merged.failures).toHaveLength(1);
    expect(merged.failures[0]?.devices).toBe(9 * MAX_BUCKETS);
    expect(merged.failures[0]?.first.map((d) => d.deviceId)).toEqual(earliest);
  });

  it('merges as many partials as a policy may have buckets (no argument-list limits)', () => {
    const partials = Array.from({ length: MAX_BUCKETS }, (_, b) => ({
      ...partial(b, b % 1000 === 0 ? [b] : []),
      buckets: MAX_BUCKETS,
    }));
    const report = mergePartials(partials);
    expect(report.devices).toBe(Math.ceil(MAX_BUCKETS / 1000));
    expect(report.hubMemoryPeakBlocks).toBe(3);
  });

  it('refuses partials of another campaign and a bucket twice', () => {
    expect(() => mergePartials([partial(0, []), partial(1, [], { seed: 2 })])).toThrow(/another campaign/);
    expect(() => mergePartials([partial(0, []), partial(0, [])])).toThrow(/bucket 0 appears twice/);
  });

  it('merges a bucket with a million devices on target', () => {
    const times = Array.from({ length: 1_000_000 }, (_, k) => k);
    const report = mergePartials([partial(0, times), partial(1, [])]);
    expect(report.timeToTargetMs.p100).toBe(999_999);
  });
});
