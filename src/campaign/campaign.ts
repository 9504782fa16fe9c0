/**
 * A campaign dry-run: every device of an estate planned to its target (along the declared
 * pathways, or straight to the target as a pathway-blind campaign would), run on the session
 * driver with the policy's limits, then judged — what the behaviour files say each activation did
 * — and summed up in a report. Same inputs and seed, same report.
 */

import { DEVICE_PROFILES, DEVICE_TYPES, type DeviceType } from '../devices/profiles.ts';
import { DEFAULT_HUB_CONFIG } from '../hub/ota-server.ts';
import type { Behaviour } from '../pathways/behaviour.ts';
import { outcomeOf } from '../pathways/behaviour.ts';
import { type Catalog, type CatalogEntry, groupKey, hardwareKey } from '../pathways/catalog.ts';
import type { EstateDevice } from '../pathways/estate.ts';
import { Planner } from '../pathways/planner.ts';
import { LINK_PROFILES, type LinkProfile } from '../sim/link.ts';
import { durationUs, type Policy } from './policy.ts';
import {
  runSessionSimulation,
  type SessionDevice,
  type SessionDeviceResult,
  type SessionImage,
  type SessionResult,
} from './session-driver.ts';

/** How an image of an entry looks to the campaign: real (read from `image_file`) or simulated from its size. */
export interface EntryImage {
  readonly manufacturerCode: number;
  readonly imageType: number;
  readonly fileVersion: number;
  readonly size: number;
  readonly minimumHardwareVersion?: number;
  readonly maximumHardwareVersion?: number;
  readonly valid: boolean;
  readonly real: boolean;
}

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
}

/** What happened to one device. */
export type DeviceStatus =
  | 'onTarget'
  | 'bricked'
  | 'degraded'
  | 'refused'
  | 'noPath'
  | 'failed'
  | 'notReached'
  | 'skipped';

/** One device's outcome. */
export interface DeviceOutcome {
  readonly deviceId: string;
  readonly hubId: string;
  readonly from: string;
  readonly target: string | null;
  readonly status: DeviceStatus;
  readonly hops: readonly string[];
  /** The entry it runs at the end. */
  readonly entry: string;
  /** When it reached the target, ms. */
  readonly onTargetMs?: number;
  readonly reason?: string;
}

/** A campaign's report. */
export interface CampaignReport {
  readonly mode: 'planned' | 'direct';
  readonly seed: number;
  readonly devices: number;
  readonly byStatus: Readonly<Record<DeviceStatus, number>>;
  readonly reasons: Readonly<Record<string, number>>;
  readonly hopsHistogram: Readonly<Record<string, number>>;
  /** Time until 50, 90, 99 and 100% of the devices that have a path are on target, ms (null: never). */
  readonly timeToTargetMs: {
    readonly p50: number | null;
    readonly p90: number | null;
    readonly p99: number | null;
    readonly p100: number | null;
  };
  /** Devices on target at the end of each simulated day. */
  readonly onTargetByDay: readonly number[];
  readonly hubMemoryPeakBlocks: number;
  readonly downloadsPeak: number;
  readonly adtQuarantined: number;
  readonly simulatedMs: number;
  readonly events: number;
  /** Per simulated day: the most blocks any hub had in use during the day. */
  readonly memoryByDay: readonly number[];
  /** Per simulated day: distributions asked for that day and quarantined to a later window. */
  readonly quarantinedByDay: readonly number[];
}

const DEFAULT_IMAGE_SIZE = 200 * 1024;
const DAY_MS = 86_400_000;

/** The image of `entry`: real, or simulated from `image_size` (default 200 KiB) with a version from its place in the group. */
function imageOf(entry: CatalogEntry, input: CampaignInput, rank: ReadonlyMap<string, number>): SessionImage {
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
    imageType: num(entry.extra.image_type, 0),
    fileVersion: rank.get(entry.cplEntryId) ?? 0,
    size: num(entry.extra.image_size, DEFAULT_IMAGE_SIZE),
    valid: true,
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

function percentile(sorted: readonly number[], total: number, q: number): number | null {
  const need = Math.ceil(q * total);
  if (need === 0) return 0;
  return sorted.length >= need ? (sorted[need - 1] as number) : null;
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

  const outcomes: (
    | DeviceOutcome
    | { pending: true; device: EstateDevice; from: CatalogEntry; target: string; hops: readonly string[] }
  )[] = [];
  const sessionDevices: SessionDevice[] = [];
  for (const device of input.estate) {
    const base = { deviceId: device.deviceId, hubId: device.hubId, from: device.cplEntryId };
    const from = catalog.byId.get(device.cplEntryId);
    if (!from) {
      outcomes.push({
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
      outcomes.push({
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
      outcomes.push({
        ...base,
        target: null,
        status: 'noPath',
        hops: [],
        entry: from.cplEntryId,
        reason: 'NO_TARGET',
      });
      continue;
    }
    let hops: readonly string[];
    if (input.mode === 'direct') hops = target === from.cplEntryId ? [] : [target];
    else {
      const plan = planner.plan(from.cplEntryId, target);
      if (!plan.ok) {
        outcomes.push({
          ...base,
          target,
          status: 'noPath',
          hops: [],
          entry: from.cplEntryId,
          reason: plan.reason,
        });
        continue;
      }
      hops = plan.hops;
    }
    if (hops.length === 0) {
      outcomes.push({ ...base, target, status: 'onTarget', hops, entry: from.cplEntryId, onTargetMs: 0 });
      continue;
    }
    const type = from.deviceType as DeviceType;
    const profile = DEVICE_PROFILES[type];
    const linkName = device.extra.link_profile;
    const baseLink: LinkProfile =
      (linkName && LINK_PROFILES[linkName as keyof typeof LINK_PROFILES]) || LINK_PROFILES.typical;
    const wakeS = device.extra.wake_interval_s ? Number(device.extra.wake_interval_s) : undefined;
    const own = imageOf(from, input, rank);
    const hw = hardwareKey(from.hardwareVersion);
    sessionDevices.push({
      node: device.deviceId,
      profile: wakeS && profile.wake ? { ...profile, wake: { ...profile.wake, intervalS: wakeS } } : profile,
      link: baseLink,
      manufacturerCode: own.manufacturerCode,
      imageType: own.imageType,
      runningVersion: own.fileVersion,
      ...(/^\d+$/.test(hw) && { hardwareVersion: Number(hw) }),
      hops: hops.map((h) => imageOf(catalog.byId.get(h) as CatalogEntry, input, rank)),
      hub: hubIndex.get(device.hubId) as number,
    });
    outcomes.push({ pending: true, device, from, target, hops });
  }

  // Hubs fall into buckets by a hash of their ID; a bucket runs on its own with its share of the
  // threshold, so any split of the buckets over shards or workers gives the same result.
  const bucketCount = policy.buckets ?? 1;
  const bucketOf = (hubId: string) => fnv1a(hubId) % bucketCount;
  const pendingOf = new Map<
    string,
    { device: EstateDevice; from: CatalogEntry; target: string; hops: readonly string[] }
  >();
  for (const o of outcomes) if ('pending' in o) pendingOf.set(o.device.deviceId, o);
  const sessionsIn = Array.from({ length: bucketCount }, (): SessionDevice[] => []);
  for (const d of sessionDevices) sessionsIn[bucketOf(hubIds[d.hub ?? 0] as string)]?.push(d);
  const shares = adtShares(
    policy.adt?.limit,
    sessionsIn.map((b) => b.length),
  );
  const wanted = new Set(input.buckets ?? sessionsIn.map((_, b) => b));
  const partials: CampaignPartial[] = [];
  const final: DeviceOutcome[] = [];
  const byBucket: { bucket: number; outcomes: DeviceOutcome[] }[] = [];
  for (let b = 0; b < bucketCount; b++) {
    if (!wanted.has(b)) continue;
    const devices = sessionsIn[b] as SessionDevice[];
    // The bucket's hubs, renumbered.
    const local = [...new Set(devices.map((d) => d.hub ?? 0))].sort((x, y) => x - y);
    const localIndex = new Map(local.map((h, k) => [h, k]));
    const result = runSessionSimulation({
      seed: input.seed,
      hubs: local.length ? local.map(() => ({ config: hubConfig, memory })) : [{ config: hubConfig, memory }],
      devices: devices.map((d) => ({ ...d, hub: localIndex.get(d.hub ?? 0) as number })),
      maxTimeUs: (policy.maxDays ?? 60) * 86_400_000_000,
      ...(policy.adt && { adt: { limit: shares[b] as number, windowUs: durationUs(policy.adt.window) } }),
      ...(policy.activationWindow && { activationWindow: policy.activationWindow }),
    });
    const judged = result.devices.map((s) =>
      judge(pendingOf.get(s.node) as NonNullable<ReturnType<typeof pendingOf.get>>, s, input),
    );
    const plain = outcomes.filter((o): o is DeviceOutcome => !('pending' in o) && bucketOf(o.hubId) === b);
    final.push(...plain, ...judged);
    byBucket.push({ bucket: b, outcomes: [...plain, ...judged] });
    partials.push(partialOf(input, b, bucketCount, [...plain, ...judged], result, shares[b] ?? 0));
  }
  return { report: mergePartials(partials), outcomes: final, partials, byBucket };
}

/** One device's outcome: its activations in order, each judged by the behaviour file. */
function judge(
  o: { device: EstateDevice; from: CatalogEntry; target: string; hops: readonly string[] },
  s: SessionDeviceResult,
  input: CampaignInput,
): DeviceOutcome {
  const behaviour = input.behaviours.get(o.from.model);
  let entry = o.from.cplEntryId;
  let status: DeviceStatus | undefined;
  let reason: string | undefined;
  let onTargetMs: number | undefined;
  s.activationsUs.forEach((t, k) => {
    if (status) return;
    const hop = o.hops[k] as string;
    const outcome = behaviour ? outcomeOf(behaviour, hop, entry) : undefined;
    if (outcome?.kind === 'refuse') {
      status = 'refused';
      reason = `firmware ${hop} refused to run on ${entry}`;
      return;
    }
    if (outcome?.kind === 'brick' || outcome?.kind === 'degrade') {
      status = outcome.kind === 'brick' ? 'bricked' : 'degraded';
      reason = `${hop} on ${entry}: lost ${outcome.functions.join(', ')}`;
      entry = hop;
      return;
    }
    entry = hop;
    if (entry === o.target) onTargetMs = Math.floor(t / 1000);
  });
  if (!status)
    status = onTargetMs !== undefined ? 'onTarget' : s.phase === 'failed' ? 'failed' : 'notReached';
  if (!reason && status !== 'onTarget') reason = s.reason ?? `ended ${s.phase}`;
  return {
    deviceId: o.device.deviceId,
    hubId: o.device.hubId,
    from: o.from.cplEntryId,
    target: o.target,
    hops: o.hops,
    status,
    entry,
    ...(onTargetMs !== undefined && { onTargetMs }),
    ...(reason !== undefined && { reason }),
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

/** What one bucket contributes to the report: everything the merge needs, nothing per device but on-target times. */
export interface CampaignPartial {
  readonly mode: 'planned' | 'direct';
  readonly seed: number;
  readonly bucket: number;
  readonly buckets: number;
  readonly devices: number;
  readonly withPath: number;
  readonly byStatus: Readonly<Record<DeviceStatus, number>>;
  readonly reasons: Readonly<Record<string, number>>;
  readonly hopsHistogram: Readonly<Record<string, number>>;
  /** On-target times of its devices, ms, sorted. */
  readonly onTargetMs: readonly number[];
  readonly hubMemoryPeakBlocks: number;
  readonly downloadsPeak: number;
  readonly adtQuarantined: number;
  readonly adtLimit: number;
  readonly simulatedMs: number;
  readonly events: number;
  readonly memoryByDay: readonly number[];
  readonly quarantinedByDay: readonly number[];
}

function emptyStatus(): Record<DeviceStatus, number> {
  return {
    onTarget: 0,
    bricked: 0,
    degraded: 0,
    refused: 0,
    noPath: 0,
    failed: 0,
    notReached: 0,
    skipped: 0,
  };
}

function partialOf(
  input: CampaignInput,
  bucket: number,
  buckets: number,
  outcomes: readonly DeviceOutcome[],
  result: SessionResult,
  adtLimit: number,
): CampaignPartial {
  const byStatus = emptyStatus();
  const reasons: Record<string, number> = {};
  const hopsHistogram: Record<string, number> = {};
  for (const o of outcomes) {
    byStatus[o.status]++;
    if (o.reason) reasons[o.reason] = (reasons[o.reason] ?? 0) + 1;
    hopsHistogram[String(o.hops.length)] = (hopsHistogram[String(o.hops.length)] ?? 0) + 1;
  }
  return {
    mode: input.mode,
    seed: input.seed,
    bucket,
    buckets,
    devices: outcomes.length,
    withPath: outcomes.filter((o) => o.status !== 'noPath' && o.status !== 'skipped').length,
    byStatus,
    reasons,
    hopsHistogram,
    onTargetMs: outcomes
      .flatMap((o) => (o.onTargetMs !== undefined ? [o.onTargetMs] : []))
      .sort((a, b) => a - b),
    hubMemoryPeakBlocks: result.hubMemoryPeakBlocks,
    downloadsPeak: result.downloadsPeak,
    adtQuarantined: result.quarantined,
    adtLimit,
    simulatedMs: Math.floor(result.endUs / 1000),
    events: result.events,
    memoryByDay: result.memoryByDay,
    quarantinedByDay: result.quarantinedByDay,
  };
}

function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The report of a campaign from its buckets' partials, whichever process ran which bucket: the
 * same partials in any order give the same report. Refuses partials of different campaigns.
 */
export function mergePartials(partials: readonly CampaignPartial[]): CampaignReport {
  const first = partials[0];
  if (!first) throw new RangeError('partials: none to merge');
  const seen = new Set<number>();
  for (const p of partials) {
    if (p.mode !== first.mode || p.seed !== first.seed || p.buckets !== first.buckets)
      throw new RangeError(
        `partials: bucket ${p.bucket} is from another campaign (mode, seed or bucket count differ)`,
      );
    if (seen.has(p.bucket)) throw new RangeError(`partials: bucket ${p.bucket} appears twice`);
    seen.add(p.bucket);
  }
  const byStatus = emptyStatus();
  const reasons: Record<string, number> = {};
  const hopsHistogram: Record<string, number> = {};
  let devices = 0;
  let withPath = 0;
  const times: number[] = [];
  for (const p of [...partials].sort((a, b) => a.bucket - b.bucket)) {
    devices += p.devices;
    withPath += p.withPath;
    for (const [k, v] of Object.entries(p.byStatus)) byStatus[k as DeviceStatus] += v;
    for (const [k, v] of Object.entries(p.reasons)) reasons[k] = (reasons[k] ?? 0) + v;
    for (const [k, v] of Object.entries(p.hopsHistogram)) hopsHistogram[k] = (hopsHistogram[k] ?? 0) + v;
    times.push(...p.onTargetMs);
  }
  times.sort((a, b) => a - b);
  const simulatedMs = Math.max(...partials.map((p) => p.simulatedMs));
  const days = Math.max(1, Math.ceil(simulatedMs / DAY_MS));
  const onTargetByDay: number[] = [];
  let k = 0;
  for (let d = 0; d < days; d++) {
    while (k < times.length && (times[k] as number) < (d + 1) * DAY_MS) k++;
    onTargetByDay.push(k);
  }
  return {
    mode: first.mode,
    seed: first.seed,
    devices,
    byStatus,
    reasons: sortedKeys(reasons),
    hopsHistogram: sortedKeys(hopsHistogram),
    timeToTargetMs: {
      p50: percentile(times, withPath, 0.5),
      p90: percentile(times, withPath, 0.9),
      p99: percentile(times, withPath, 0.99),
      p100: percentile(times, withPath, 1),
    },
    onTargetByDay,
    hubMemoryPeakBlocks: Math.max(...partials.map((p) => p.hubMemoryPeakBlocks)),
    downloadsPeak: Math.max(...partials.map((p) => p.downloadsPeak)),
    adtQuarantined: partials.reduce((n, p) => n + p.adtQuarantined, 0),
    simulatedMs,
    events: partials.reduce((n, p) => n + p.events, 0),
    memoryByDay: Array.from({ length: days }, (_, d) =>
      Math.max(0, ...partials.map((p) => p.memoryByDay[Math.min(d, p.memoryByDay.length - 1)] ?? 0)),
    ),
    quarantinedByDay: Array.from({ length: days }, (_, d) =>
      partials.reduce((n, p) => n + (p.quarantinedByDay[d] ?? 0), 0),
    ),
  };
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
