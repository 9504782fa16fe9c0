/**
 * A campaign dry-run: every device of an estate planned to its target (along the declared
 * pathways, or straight to the target as a pathway-blind campaign would), run on the session
 * driver with the policy's limits, then judged — what the behaviour files say each activation did
 * — and summed up in a report. Same inputs and seed, same report.
 */

import { DEVICE_PROFILES, DEVICE_TYPES, type DeviceType } from '../devices/profiles.ts';
import { DEFAULT_HUB_CONFIG } from '../hub/ota-server.ts';
import type { Behaviour } from '../pathways/behaviour.ts';
import { type Catalog, type CatalogEntry, groupKey, hardwareKey } from '../pathways/catalog.ts';
import type { EstateDevice } from '../pathways/estate.ts';
import { Planner } from '../pathways/planner.ts';
import { LINK_PROFILES, type LinkProfile } from '../sim/link.ts';
import type { SessionDevice, SessionImage, SessionProgress } from './bucket-input.ts';
import { runBucket } from './bucket-run.ts';
import { failingHop, judge, type Pending } from './judge.ts';
import { durationUs, type Policy } from './policy.ts';
import {
  type CampaignPartial,
  type CampaignReport,
  type DeviceOutcome,
  type HaltReport,
  mergePartials,
  partialOf,
} from './report.ts';
import { groupSizes, rolloutGroups, rolloutWarnings } from './rollout.ts';

/** How an image of an entry looks to the campaign: real (read from `image_file`) or simulated from its size. */
export type EntryImage = Omit<SessionImage, 'key'> & { readonly real: boolean };

/** A campaign's input. */
export interface CampaignInput {
  readonly estate: readonly EstateDevice[];
  readonly catalog: Catalog;
  /** One target per model and hardware version. */
  readonly targets: readonly string[];
  /** Images of the entries that have an `image_file`; the others are simulated. */
  readonly images: ReadonlyMap<string, EntryImage>;
  /** Behaviour files by model. */
  readonly behaviours: ReadonlyMap<string, Behaviour>;
  readonly policy: Policy;
  readonly mode: 'planned' | 'direct';
  readonly seed: number;
  /** Run only these buckets (a shard); default all. */
  readonly buckets?: readonly number[];
  /**
   * Handed each bucket's device outcomes as it ends, in bucket order; the run then keeps none
   * (its `outcomes` and `byBucket` are empty).
   */
  readonly onBucket?: (bucket: number, outcomes: readonly DeviceOutcome[]) => void;
  /** Told how each bucket's run goes (see `SessionInput.onProgress`). */
  readonly onProgress?: (bucket: number, progress: SessionProgress) => void;
}

const DEFAULT_IMAGE_SIZE = 200 * 1024;

/**
 * The image of `entry`: real, or simulated from `image_size` (default 200 KiB) with a version from
 * its place in the group. A simulated image without `manufacturer_code` and `image_type` gets an
 * image type of its model and hardware version's own (`groupType`): the hub matches images to
 * devices by manufacturer code and image type, as a real one does, so two models must not share them.
 */
function imageOf(
  entry: CatalogEntry,
  input: CampaignInput,
  rank: ReadonlyMap<string, number>,
  groupType: ReadonlyMap<string, number>,
): SessionImage {
  const real = input.images.get(entry.cplEntryId);
  const num = (text: string | undefined, fallback: number) => {
    if (text === undefined || text.trim() === '') return fallback;
    const t = text.trim();
    return /^0x/i.test(t) ? Number.parseInt(t.slice(2), 16) : Number(t);
  };
  if (real) return { key: entry.manufacturerImageHash || entry.cplEntryId, ...real };
  return {
    key: entry.manufacturerImageHash || entry.cplEntryId,
    manufacturerCode: num(entry.extra.manufacturer_code, 0),
    imageType: num(entry.extra.image_type, groupType.get(groupKey(entry)) ?? 0),
    fileVersion: rank.get(entry.cplEntryId) ?? 0,
    size: num(entry.extra.image_size, DEFAULT_IMAGE_SIZE),
    // A simulated image is what its entry says it is: the devices' checks pass.
    verdict: { status: 'SUCCESS' },
  };
}

/** A rank per entry that grows along the declared pathways (for simulated images' file versions). */
function ranks(catalog: Catalog): Map<string, number> {
  const rank = new Map<string, number>();
  const visit = (e: CatalogEntry, seen: Set<string>): number => {
    const known = rank.get(e.cplEntryId);
    if (known !== undefined) return known;
    if (seen.has(e.cplEntryId)) return 1; // a cycle: `catalog check` reports it
    seen.add(e.cplEntryId);
    let r = 1;
    for (const b of e.bases) {
      const base = catalog.byId.get(b);
      if (base && groupKey(base) === groupKey(e)) r = Math.max(r, visit(base, seen) + 1);
    }
    rank.set(e.cplEntryId, r);
    return r;
  };
  for (const e of catalog.entries) visit(e, new Set());
  return rank;
}

/** Runs a campaign and returns its report and each device's outcome. */
export function runCampaign(input: CampaignInput): {
  report: CampaignReport;
  outcomes: DeviceOutcome[];
  partials: CampaignPartial[];
  /** The outcomes bucket by bucket, for runs split over workers. */
  byBucket: { bucket: number; outcomes: DeviceOutcome[] }[];
} {
  const { catalog, policy } = input;
  const planner = new Planner(catalog);
  const rank = ranks(catalog);
  // Image types 0x0000–0xFFBF are the manufacturer's (ZCL r8 §11.4.2.5); one per model and hardware version.
  const groupType = new Map(
    [...new Set(catalog.entries.map(groupKey))].sort().map((g, i) => [g, i % 0xffc0] as const),
  );
  const targetOf = new Map<string, string>();
  for (const t of input.targets) {
    const e = catalog.byId.get(t);
    if (!e) throw new RangeError(`--target: no entry ${t} in the catalog`);
    if (targetOf.has(groupKey(e)))
      throw new RangeError(`--target: two targets for ${e.model} hardware ${e.hardwareVersion}`);
    targetOf.set(groupKey(e), t);
  }
  const hubIds = [...new Set(input.estate.map((d) => d.hubId))].sort();
  const hubIndex = new Map(hubIds.map((h, i) => [h, i]));
  const hubConfig = {
    ...DEFAULT_HUB_CONFIG,
    maxConcurrentDownloads: policy.concurrency?.perHub ?? DEFAULT_HUB_CONFIG.maxConcurrentDownloads,
  };
  const memory = { blockCount: policy.memory?.blocks ?? 64, blockSize: policy.memory?.blockSize ?? 4096 };

  // Hubs fall into buckets by a hash of their ID; a bucket runs on its own with its share of the
  // threshold, so any split of the buckets over shards or workers gives the same result.
  const bucketCount = policy.buckets ?? 1;
  const bucketOfHub = hubIds.map((h) => fnv1a(h) % bucketCount);
  // Each bucket numbers its own hubs, in hub ID order.
  const hubsIn = new Array<number>(bucketCount).fill(0);
  const localHub = bucketOfHub.map((b) => {
    const k = hubsIn[b] as number;
    hubsIn[b] = k + 1;
    return k;
  });
  /** Per bucket: outcomes known before the run, the devices to run and what they were planned. */
  const plainIn = Array.from({ length: bucketCount }, (): DeviceOutcome[] => []);
  const sessionsIn = Array.from({ length: bucketCount }, (): SessionDevice[] => []);
  const pendingIn = Array.from({ length: bucketCount }, (): Pending[] => []);
  // Devices share entries and plans: each image, plan and predicted failure is made once.
  const images = new Map<string, SessionImage>();
  const image = (entry: CatalogEntry) => {
    let known = images.get(entry.cplEntryId);
    if (!known) {
      known = imageOf(entry, input, rank, groupType);
      images.set(entry.cplEntryId, known);
    }
    return known;
  };
  const plans = new Map<string, Plan>();
  const planOf = (from: CatalogEntry, target: string): Plan => {
    const key = `${from.cplEntryId}\u0000${target}`;
    let known = plans.get(key);
    if (!known) {
      known = planFor(input, planner, from, target, image);
      plans.set(key, known);
    }
    return known;
  };
  for (const device of input.estate) {
    const hub = hubIndex.get(device.hubId) as number;
    const bucket = bucketOfHub[hub] as number;
    const plain = plainIn[bucket] as DeviceOutcome[];
    const base = { deviceId: device.deviceId, hubId: device.hubId, from: device.cplEntryId };
    const from = catalog.byId.get(device.cplEntryId);
    if (!from) {
      plain.push({
        ...base,
        target: null,
        status: 'noPath',
        hops: [],
        entry: device.cplEntryId,
        reason: 'UNKNOWN_ENTRY',
      });
      continue;
    }
    if (!(DEVICE_TYPES as readonly string[]).includes(from.deviceType)) {
      plain.push({
        ...base,
        target: null,
        status: 'skipped',
        hops: [],
        entry: from.cplEntryId,
        reason: `${from.deviceType} is not a HAN device`,
      });
      continue;
    }
    const target = targetOf.get(groupKey(from));
    if (!target) {
      plain.push({
        ...base,
        target: null,
        status: 'noPath',
        hops: [],
        entry: from.cplEntryId,
        reason: 'NO_TARGET',
      });
      continue;
    }
    const plan = planOf(from, target);
    if (!plan.ok) {
      plain.push({
        ...base,
        target,
        status: 'noPath',
        hops: [],
        entry: from.cplEntryId,
        reason: plan.reason,
      });
      continue;
    }
    if (plan.hops.length === 0) {
      plain.push({
        ...base,
        target,
        status: 'onTarget',
        hops: plan.hops,
        entry: from.cplEntryId,
        onTargetMs: 0,
      });
      continue;
    }
    const type = from.deviceType as DeviceType;
    const profile = DEVICE_PROFILES[type];
    const linkName = device.extra.link_profile;
    const baseLink: LinkProfile =
      (linkName && LINK_PROFILES[linkName as keyof typeof LINK_PROFILES]) || LINK_PROFILES.typical;
    const wakeS = device.extra.wake_interval_s ? Number(device.extra.wake_interval_s) : undefined;
    const own = image(from);
    const hw = hardwareKey(from.hardwareVersion);
    sessionsIn[bucket]?.push({
      node: device.deviceId,
      profile: wakeS && profile.wake ? { ...profile, wake: { ...profile.wake, intervalS: wakeS } } : profile,
      link: baseLink,
      manufacturerCode: own.manufacturerCode,
      imageType: own.imageType,
      runningVersion: own.fileVersion,
      ...(/^\d+$/.test(hw) && { hardwareVersion: Number(hw) }),
      hops: plan.images,
      hub: localHub[hub] as number,
      ...(plan.failsAtHop !== undefined && { failsAtHop: plan.failsAtHop }),
    });
    pendingIn[bucket]?.push({ device, from, target, hops: plan.hops });
  }
  const shares = adtShares(
    policy.adt?.limit,
    sessionsIn.map((b) => b.length),
  );
  const wanted = new Set(input.buckets ?? sessionsIn.map((_, b) => b));
  const groups = rolloutGroups(policy.rollout?.groups);
  const retry = policy.retry;
  const partials: CampaignPartial[] = [];
  const final: DeviceOutcome[] = [];
  const byBucket: { bucket: number; outcomes: DeviceOutcome[] }[] = [];
  for (let b = 0; b < bucketCount; b++) {
    if (!wanted.has(b)) continue;
    const devices = sessionsIn[b] as SessionDevice[];
    const sizes = groupSizes(groups, devices.length);
    const groupOf = (k: number) => {
      let g = 0;
      for (let end = sizes[0] as number; k >= end; end += sizes[++g] as number);
      return g;
    };
    const result = runBucket({
      seed: input.seed,
      hubs: Array.from({ length: Math.max(1, hubsIn[b] as number) }, () => ({ config: hubConfig, memory })),
      devices: groups ? devices.map((d, k) => ({ ...d, group: groupOf(k) })) : devices,
      maxTimeUs: (policy.maxDays ?? 60) * 86_400_000_000,
      // A bucket without devices has no share of the threshold (and asks for nothing).
      ...(policy.adt &&
        (shares[b] ?? 0) > 0 && {
          adt: { limit: shares[b] as number, windowUs: durationUs(policy.adt.window) },
        }),
      ...(policy.activationWindow && { activationWindow: policy.activationWindow }),
      ...(groups && { rollout: groups }),
      ...(retry && {
        retry: {
          attempts: retry.attempts,
          backoffUs: durationUs(retry.backoff),
          factor: retry.factor ?? 2,
          ...(retry.maxBackoff !== undefined && { maxBackoffUs: durationUs(retry.maxBackoff) }),
        },
      }),
      ...(input.onProgress && { onProgress: (p: SessionProgress) => input.onProgress?.(b, p) }),
    });
    const names = groups?.map((g) => g.name) ?? [];
    const halt: HaltReport | undefined = result.halt && {
      bucket: b,
      group: names[result.halt.group] as string,
      atMs: Math.floor(result.halt.atUs / 1000),
      errors: result.halt.errors,
      devices: result.halt.devices,
    };
    const pending = pendingIn[b] as Pending[];
    const judged = result.devices.map((s, k) =>
      judge(
        pending[k] as Pending,
        s,
        input.behaviours,
        groups ? { name: names[groupOf(k)] as string, halt } : undefined,
      ),
    );
    const all = [...(plainIn[b] as DeviceOutcome[]), ...judged];
    if (input.onBucket) input.onBucket(b, all);
    else {
      for (const o of all) final.push(o);
      byBucket.push({ bucket: b, outcomes: all });
    }
    partials.push(
      partialOf(
        { mode: input.mode, seed: input.seed, bucket: b, buckets: bucketCount, adtLimit: shares[b] ?? 0 },
        all,
        {
          hubMemoryPeakBlocks: result.hubMemoryPeakBlocks,
          downloadsPeak: result.downloadsPeak,
          quarantined: result.quarantined,
          retries: result.devices.reduce((n, d) => n + d.retries, 0),
          simulatedMs: Math.floor(result.endUs / 1000),
          events: result.events,
          memoryByDay: result.memoryByDay,
          quarantinedByDay: result.quarantinedByDay,
          groups: (groups ?? []).map((g, k) => ({
            name: g.name,
            startedMs:
              result.groups[k]?.startedUs == null
                ? null
                : Math.floor((result.groups[k]?.startedUs as number) / 1000),
          })),
          ...(halt && { halt }),
          warnings: groups
            ? rolloutWarnings(groups, sizes).map((w) => (bucketCount > 1 ? `bucket ${b}: ${w}` : w))
            : [],
        },
      ),
    );
  }
  return { report: mergePartials(partials), outcomes: final, partials, byBucket };
}

/** The hops from an entry to a target in the campaign's mode, their images, and the hop predicted to fail. */
type Plan =
  | { ok: true; hops: readonly string[]; images: readonly SessionImage[]; failsAtHop?: number }
  | { ok: false; reason: string };

function planFor(
  input: CampaignInput,
  planner: Planner,
  from: CatalogEntry,
  target: string,
  image: (entry: CatalogEntry) => SessionImage,
): Plan {
  let hops: readonly string[];
  if (input.mode === 'direct') hops = target === from.cplEntryId ? [] : [target];
  else {
    const plan = planner.plan(from.cplEntryId, target);
    if (!plan.ok) return { ok: false, reason: plan.reason };
    hops = plan.hops;
  }
  return {
    ok: true,
    hops,
    images: hops.map((h) => image(input.catalog.byId.get(h) as CatalogEntry)),
    ...failingHop(input.behaviours.get(from.model), from.cplEntryId, hops),
  };
}

/** The threshold split over buckets by their devices (largest remainder; at least 1 where there are devices). */
function adtShares(limit: number | undefined, devices: readonly number[]): number[] {
  if (limit === undefined) return devices.map(() => 0);
  const total = devices.reduce((a, b) => a + b, 0);
  if (total === 0) return devices.map(() => 0);
  const exact = devices.map((n) => (limit * n) / total);
  const shares = exact.map(Math.floor);
  let left = limit - shares.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, b) => [x - Math.floor(x), b] as const)
    .sort((x, y) => y[0] - x[0] || x[1] - y[1]);
  for (const [, b] of order) {
    if (left <= 0) break;
    shares[b] = (shares[b] as number) + 1;
    left--;
  }
  return shares.map((s, b) => ((devices[b] as number) > 0 ? Math.max(1, s) : 0));
}

/** FNV-1a of a string: the bucket of a hub. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
