/**
 * The phased rollout (src/campaign/rollout.ts): its stated semantics as a model checked with
 * fast-check, its warnings, and the session driver running groups, halting on errors, retrying
 * and freeing hub memory.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SessionDevice, SessionImage } from '../../src/campaign/bucket-input.ts';
import { runBucket } from '../../src/campaign/bucket-run.ts';
import { Rollout, rolloutWarnings } from '../../src/campaign/rollout.ts';
import { DEVICE_PROFILES } from '../../src/devices/profiles.ts';
import { DEFAULT_HUB_CONFIG } from '../../src/hub/ota-server.ts';
import { LINK_PROFILES } from '../../src/sim/link.ts';

const DAY_US = 86_400_000_000;

describe('Rollout', () => {
  it('starts the next group once enough of a group succeeded, and halts on too many errors', () => {
    const r = new Rollout(
      [
        { successThreshold: 50, errorThreshold: 25 },
        { successThreshold: 100, errorThreshold: 0 },
        { successThreshold: 0, errorThreshold: 100 },
      ],
      [0, 0, 0, 0, 1, 1, 2],
    );
    expect(r.open(0)).toEqual([0]);
    expect(r.success(0, 10)).toEqual([]); // 1 of 4: needs ceil(50% × 4) = 2
    expect(r.error(0, 11)).toEqual([]); // 1 of 4 is 25%: not over 25%
    expect(r.success(0, 12)).toEqual([1]);
    expect(r.success(1, 13)).toEqual([]);
    expect(r.error(1, 14)).toEqual([2]); // over 0%: group 2 will never start
    expect(r.halt).toEqual({ group: 1, atUs: 14, errors: 1, devices: 2 });
    expect(r.results().map((g) => g.startedUs)).toEqual([0, 12, null]);
  });

  it('lets an empty group or a zero success threshold through at once', () => {
    const r = new Rollout(
      [
        { successThreshold: 0, errorThreshold: 10 },
        { successThreshold: 90, errorThreshold: 10 },
        { successThreshold: 90, errorThreshold: 10 },
      ],
      [0, 2],
    );
    expect(r.open(5)).toEqual([0, 1, 2]);
  });

  it('follows its stated semantics for any sequence of outcomes (model)', () => {
    const arb = fc.record({
      groups: fc.array(
        fc.record({
          successThreshold: fc.integer({ min: 0, max: 100 }),
          errorThreshold: fc.integer({ min: 0, max: 100 }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      sizes: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 4, maxLength: 4 }),
      outcomes: fc.array(fc.tuple(fc.nat(30), fc.boolean()), { maxLength: 40 }),
    });
    fc.assert(
      fc.property(arb, ({ groups, sizes, outcomes }) => {
        const groupOf = groups.flatMap((_, g) => Array.from({ length: sizes[g] as number }, () => g));
        const r = new Rollout(groups, groupOf);
        const started = new Set(r.open(0));
        const done = new Set<number>();
        const ok = groups.map(() => 0);
        const bad = groups.map(() => 0);
        let halted = false;
        let t = 1;
        for (const [pick, success] of outcomes) {
          // A device of a started group that has not ended yet.
          const live = groupOf.flatMap((g, i) => (started.has(g) && !done.has(i) ? [i] : []));
          const i = live[pick % Math.max(1, live.length)];
          if (i === undefined) break;
          done.add(i);
          const g = groupOf[i] as number;
          const n = sizes[g] as number;
          if (success) {
            ok[g] = (ok[g] as number) + 1;
            for (const k of r.success(g, t)) started.add(k);
          } else {
            bad[g] = (bad[g] as number) + 1;
            const never = r.error(g, t);
            if (
              !halted &&
              (bad[g] as number) * 100 > (groups[g] as (typeof groups)[number]).errorThreshold * n
            ) {
              halted = true;
              expect(never).toEqual(groups.flatMap((_, k) => (started.has(k) ? [] : [k])));
            } else expect(never).toEqual([]);
          }
          t++;
          // A group has started exactly when the one before passed its success threshold before any halt.
          for (let k = 1; k < groups.length; k++) if (started.has(k)) expect(started.has(k - 1)).toBe(true);
          for (let k = 0; k + 1 < groups.length; k++) {
            const need = Math.ceil(
              ((groups[k] as (typeof groups)[number]).successThreshold * (sizes[k] as number)) / 100,
            );
            if (started.has(k) && (ok[k] as number) >= need && !halted) expect(started.has(k + 1)).toBe(true);
            if (started.has(k + 1)) expect((ok[k] as number) >= need).toBe(true);
          }
        }
        expect(r.halt !== undefined).toBe(halted);
      }),
    );
  });

  it('warns about groups too small for their thresholds', () => {
    const groups = [
      { name: 'canary', successThreshold: 95, errorThreshold: 10 },
      { name: 'early', successThreshold: 90, errorThreshold: 5 },
      { name: 'empty', successThreshold: 90, errorThreshold: 5 },
      { name: 'rest', successThreshold: 100, errorThreshold: 5 },
    ];
    expect(rolloutWarnings(groups, [5, 200, 0, 3])).toEqual([
      "rollout group 'canary' has 5 devices: one error is 20.0%, over its 10% error threshold, so the first error halts the rollout",
      "rollout group 'canary' has 5 devices: its 95% success threshold needs all of them",
      "rollout group 'empty' has no devices: the next group starts with it",
    ]);
  });
});

const image = (key: string, fileVersion: number, extra: Partial<SessionImage> = {}): SessionImage => ({
  key,
  manufacturerCode: 0x1234,
  imageType: 1,
  fileVersion,
  size: 40_000,
  verdict: { status: 'SUCCESS' },
  ...extra,
});

const device = (node: string, hops: SessionImage[], extra: Partial<SessionDevice> = {}): SessionDevice => ({
  node,
  profile: DEVICE_PROFILES.ESME,
  link: LINK_PROFILES.ideal,
  manufacturerCode: 0x1234,
  imageType: 1,
  runningVersion: 1,
  hops,
  ...extra,
});

const hubs = (memory = { blockCount: 64, blockSize: 4096 }) => [{ config: DEFAULT_HUB_CONFIG, memory }];
const base = { seed: 9, hubs: hubs(), maxTimeUs: 30 * DAY_US };

describe('a campaign bucket on the node runtime, with a phased rollout, retries and hub memory', () => {
  it('starts a group only when the one before reached its success threshold', () => {
    const v2 = image('v2', 2);
    const result = runBucket({
      ...base,
      devices: [0, 0, 1, 1, 1].map((group, k) => device(`d${k}`, [v2], { group })),
      rollout: [
        { successThreshold: 100, errorThreshold: 0 },
        { successThreshold: 100, errorThreshold: 0 },
      ],
    });
    const firstDone = Math.max(...result.devices.slice(0, 2).map((d) => d.endUs as number));
    expect(result.groups.map((g) => g.startedUs)).toEqual([0, firstDone]);
    for (const d of result.devices.slice(2)) expect(d.startedUs).toBe(firstDone);
    expect(result.devices.every((d) => d.phase === 'upgraded')).toBe(true);
  });

  it('halts the rollout when a group errs past its threshold, and never starts the next group', () => {
    const result = runBucket({
      ...base,
      devices: [
        device('a', [image('v2', 2)], {
          group: 0,
          firmware: { hop: 0, reaction: { kind: 'brick', functions: ['supply control'] } },
        }),
        device('b', [image('v2', 2)], { group: 0 }),
        device('c', [image('v2', 2)], { group: 1 }),
      ],
      rollout: [
        { successThreshold: 50, errorThreshold: 0 },
        { successThreshold: 100, errorThreshold: 0 },
      ],
    });
    expect(result.halt?.group).toBe(0);
    expect(result.groups[1]?.startedUs).toBe(null);
    expect(result.devices[2]?.startedUs).toBeUndefined();
    expect(result.devices[2]?.activationsUs).toEqual([]);
  });

  it('ends a device at the hop its behaviour file says bricks it, running that hop, without going on', () => {
    const result = runBucket({
      ...base,
      devices: [
        device('a', [image('v2', 2), image('v3', 3)], {
          firmware: { hop: 0, reaction: { kind: 'brick', functions: ['supply control'] } },
        }),
      ],
    });
    const a = result.devices[0];
    expect(a?.activationsUs).toHaveLength(1);
    expect(a?.endUs).toBe(a?.activationsUs[0]);
    expect(a?.runningVersion).toBe(2);
    expect(a?.firmware).toEqual({
      hop: 0,
      atUs: a?.endUs,
      reaction: { kind: 'brick', functions: ['supply control'] },
    });
  });

  it('leaves a device on its old firmware when the hop refuses to run, and ends its run there', () => {
    const result = runBucket({
      ...base,
      devices: [
        device('a', [image('v2', 2), image('v3', 3)], { firmware: { hop: 0, reaction: { kind: 'refuse' } } }),
      ],
    });
    const a = result.devices[0];
    expect(a?.activationsUs).toEqual([]);
    expect(a?.runningVersion).toBe(1);
    expect(a?.phase).toBe('failed');
    expect(a?.firmware?.reaction).toEqual({ kind: 'refuse' });
    expect(a?.endUs).toBe(a?.firmware?.atUs);
  });

  it('frees an image once no device of the hub needs it, and a retried distribution then fits', () => {
    // 10 blocks: v2 (8 blocks) fits; v9 (8 blocks) for the second device fits only once v2 is freed.
    const small = hubs({ blockCount: 10, blockSize: 4096 });
    const devices = [
      device('a', [image('v2', 2, { size: 8 * 4096 })], { startUs: 0 }),
      device('b', [image('v9', 9, { size: 8 * 4096 })], { startUs: 1000 }),
    ];
    const without = runBucket({ ...base, hubs: small, devices });
    expect(without.devices[1]?.reason).toBe('image 0x00000009 does not fit in hub memory');
    expect(without.devices[1]?.activationsUs).toEqual([]);
    const retry = { attempts: 3, backoffUs: 3_600_000_000, factor: 2 };
    const withRetry = runBucket({ ...base, hubs: small, devices, retry });
    expect(withRetry.devices.map((d) => d.phase)).toEqual(['upgraded', 'upgraded']);
    expect(withRetry.devices[1]?.retries).toBeGreaterThan(0);
    expect(withRetry.hubMemoryPeakBlocks).toBe(8);
  });

  it('gives up after the retries the policy allows, saying how many distributions it took', () => {
    const result = runBucket({
      ...base,
      devices: [
        device('a', [
          image('bad', 2, { verdict: { status: 'INVALID_IMAGE', reason: 'signature does not verify' } }),
        ]),
      ],
      retry: { attempts: 2, backoffUs: 60_000_000, factor: 3 },
    });
    const [d] = result.devices;
    expect(d?.phase).toBe('failed');
    expect(d?.retries).toBe(2);
    expect(d?.reason).toBe(
      "image 0x00000002 failed the device's checks (after 3 distributions): signature does not verify",
    );
  });

  it('sends CS06 only within the activation window, and distributes no more than the threshold lets through', () => {
    const devices = [0, 1, 2, 3].map((k) => device(`d${k}`, [image('v2', 2), image('v3', 3)]));
    const result = runBucket({
      ...base,
      devices,
      // 01:00-05:00 UTC; simulated time 0 is 2026-01-01T00:00:00Z.
      activationWindow: { fromHour: 1, toHour: 5 },
      adt: { limit: 2, windowUs: DAY_US },
    });
    const activations = result.devices.flatMap((d) => d.activationsUs);
    expect(activations).toHaveLength(8);
    for (const t of activations) expect(Math.floor((t % DAY_US) / 3_600_000_000)).toBeLessThan(5);
    for (const t of activations) expect(Math.floor((t % DAY_US) / 3_600_000_000)).toBeGreaterThanOrEqual(1);
    // Eight distributions, two a day: six held back, the last passing on the fourth day.
    expect(result.quarantined).toBe(6);
    expect(Math.max(...activations)).toBeGreaterThan(3 * DAY_US);
  });

  it('reports its progress as it goes and at the end', () => {
    const seen: number[] = [];
    runBucket({
      ...base,
      devices: [device('a', [image('v2', 2)])],
      onProgress: (p) => seen.push(p.finished),
    });
    expect(seen.at(-1)).toBe(1);
  });
});
