/**
 * A campaign's estate planned (DESIGN.md §3 "Scale-out"): each device's target and hops along the
 * declared pathways (or straight to the target), its images (real, or simulated from the
 * catalog), the hop its behaviour file says fails, and the bucket its hub falls into. Devices
 * whose outcome is known without running (unknown entry, no target, no path, already on target,
 * not a HAN device) are decided here.
 */
import { DEVICE_PROFILES, DEVICE_TYPES, type DeviceProfile, type DeviceType } from '../devices/profiles.ts';
import { type Catalog, type CatalogEntry, groupKey, hardwareKey } from '../pathways/catalog.ts';
import type { EstateDevice } from '../pathways/estate.ts';
import { Planner } from '../pathways/planner.ts';
import { LINK_PROFILES, type LinkProfile } from '../sim/link.ts';
import type { HopReaction, SessionDevice, SessionImage } from './bucket-input.ts';
import type { CampaignInput } from './campaign.ts';
import { bucketedTable } from './estate-buckets.ts';
import { failingHop, type Pending } from './judge.ts';
import { durationUs, type Policy } from './policy.ts';
import type { DeviceOutcome } from './report.ts';

/** One bucket's devices: the outcomes known before the run, the devices to run and what they were planned. */
export interface BucketDevices {
  /** Hubs of the bucket (it numbers its own, in hub ID order). */
  readonly hubs: number;
  readonly plain: readonly DeviceOutcome[];
  readonly sessions: readonly SessionDevice[];
  readonly pending: readonly Pending[];
}

/**
 * The estate in buckets. A bucket's devices are built when it is about to run (`devicesOf`), so
 * a campaign holds the planned devices of the buckets in flight only, not of the whole estate:
 * over a million devices that is most of what the collector would otherwise walk again and again.
 */
export interface EstatePlan {
  readonly bucketCount: number;
  /** Devices of each bucket that run (not decided before the run). */
  readonly sessionsPerBucket: readonly number[];
  /** The devices of bucket `b`, in estate order. */
  devicesOf(b: number): BucketDevices;
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

/** Plans every device of the estate into its bucket. */
export function planBuckets(input: CampaignInput): EstatePlan {
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
  /**
   * What the estate says of a device running `entryId` before any run: the entry it runs, its
   * target and plan, or why it has none. Known per entry: devices share them.
   */
  const classified = new Map<string, Classified>();
  const classify = (entryId: string): Classified => {
    let known = classified.get(entryId);
    if (!known) {
      known = classifyEntry(entryId);
      classified.set(entryId, known);
    }
    return known;
  };
  const classifyEntry = (entryId: string): Classified => {
    const from = catalog.byId.get(entryId);
    if (!from) return { status: 'noPath', target: null, entry: entryId, reason: 'UNKNOWN_ENTRY' };
    if (!(DEVICE_TYPES as readonly string[]).includes(from.deviceType))
      return {
        status: 'skipped',
        target: null,
        entry: from.cplEntryId,
        reason: `${from.deviceType} is not a HAN device`,
      };
    const target = targetOf.get(groupKey(from));
    if (!target) return { status: 'noPath', target: null, entry: from.cplEntryId, reason: 'NO_TARGET' };
    const plan = planOf(from, target);
    if (!plan.ok) return { status: 'noPath', target, entry: from.cplEntryId, reason: plan.reason };
    if (plan.hops.length === 0) return { status: 'onTarget', target, entry: from.cplEntryId };
    return { status: 'run', from, target, plan };
  };
  // Hubs fall into buckets by a hash of their ID; a bucket runs on its own with its share of the
  // threshold, so any split of the buckets over shards or workers gives the same result. How many
  // of each bucket's devices run, from the count of each entry's devices per bucket.
  const bucketCount = policy.buckets ?? 1;
  const estate = 'bucketCount' in input.estate ? input.estate : bucketedTable(input.estate, bucketCount);
  if (estate.bucketCount !== bucketCount)
    throw new RangeError(`estate: sorted into ${estate.bucketCount} buckets, the policy has ${bucketCount}`);
  const sessionsPerBucket = new Array<number>(bucketCount).fill(0);
  for (const [entry, counts] of estate.entryCounts)
    if (classify(entry).status === 'run')
      for (let b = 0; b < bucketCount; b++)
        sessionsPerBucket[b] = (sessionsPerBucket[b] as number) + (counts[b] as number);
  const profiles = profilesOf(policy);
  const devicesOf = (b: number): BucketDevices => {
    const devices = estate.devicesOf(b);
    // The bucket numbers its own hubs, in hub ID order.
    const hubIds = [...new Set(devices.map((d) => d.hubId))].sort();
    const localHub = new Map(hubIds.map((h, k) => [h, k]));
    const plain: DeviceOutcome[] = [];
    const sessions: SessionDevice[] = [];
    const pending: Pending[] = [];
    for (const device of devices) {
      const c = classify(device.cplEntryId);
      const base = { deviceId: device.deviceId, hubId: device.hubId, from: device.cplEntryId };
      if (c.status === 'onTarget')
        plain.push({
          ...base,
          target: c.target,
          status: 'onTarget',
          hops: [],
          entry: c.entry,
          onTargetMs: 0,
        });
      else if (c.status !== 'run')
        plain.push({
          ...base,
          target: c.target,
          status: c.status,
          hops: [],
          entry: c.entry,
          reason: c.reason,
        });
      else {
        sessions.push(
          sessionDevice(
            device,
            c.from,
            c.plan,
            image(c.from),
            localHub.get(device.hubId) as number,
            profiles,
          ),
        );
        pending.push({ device, from: c.from, target: c.target, hops: c.plan.hops });
      }
    }
    return { hubs: hubIds.length, plain, sessions, pending };
  };
  return { bucketCount, sessionsPerBucket, devicesOf };
}

/** What the estate says of a device before any run. */
type Classified =
  | {
      readonly status: 'noPath' | 'skipped';
      readonly target: string | null;
      readonly entry: string;
      readonly reason: string;
    }
  | { readonly status: 'onTarget'; readonly target: string; readonly entry: string }
  | {
      readonly status: 'run';
      readonly from: CatalogEntry;
      readonly target: string;
      readonly plan: Extract<Plan, { ok: true }>;
    };

/** The device profiles with the policy's query intervals (one object per type, shared by its devices). */
function profilesOf(policy: Policy): Readonly<Record<DeviceType, DeviceProfile>> {
  const intervals = policy.queryInterval ?? {};
  return Object.fromEntries(
    DEVICE_TYPES.map((type) => {
      const interval = intervals[type];
      const profile = DEVICE_PROFILES[type];
      return [
        type,
        interval === undefined ? profile : { ...profile, queryIntervalS: durationUs(interval) / 1_000_000 },
      ];
    }),
  ) as Record<DeviceType, DeviceProfile>;
}

/** The device the node runtime runs for an estate device planned along `plan`. */
function sessionDevice(
  device: EstateDevice,
  from: CatalogEntry,
  plan: Extract<Plan, { ok: true }>,
  own: SessionImage,
  hub: number,
  profiles: Readonly<Record<DeviceType, DeviceProfile>>,
): SessionDevice {
  const profile = profiles[from.deviceType as DeviceType];
  const linkName = device.extra.link_profile;
  const link: LinkProfile =
    (linkName && LINK_PROFILES[linkName as keyof typeof LINK_PROFILES]) || LINK_PROFILES.typical;
  const wakeS = device.extra.wake_interval_s ? Number(device.extra.wake_interval_s) : undefined;
  const hw = hardwareKey(from.hardwareVersion);
  return {
    node: device.deviceId,
    profile: wakeS && profile.wake ? { ...profile, wake: { ...profile.wake, intervalS: wakeS } } : profile,
    link,
    manufacturerCode: own.manufacturerCode,
    imageType: own.imageType,
    runningVersion: own.fileVersion,
    ...(/^\d+$/.test(hw) && { hardwareVersion: Number(hw) }),
    hops: plan.images,
    hub,
    ...(plan.firmware && { firmware: plan.firmware }),
  };
}

/** The hops from an entry to a target in the campaign's mode, their images, and the hop predicted to fail. */
type Plan =
  | {
      ok: true;
      hops: readonly string[];
      images: readonly SessionImage[];
      firmware?: HopReaction;
    }
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
