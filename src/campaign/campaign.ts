/**
 * A campaign dry-run: every device of an estate planned to its target (along the declared
 * pathways, or straight to the target as a pathway-blind campaign would: estate-plan.ts), each
 * bucket run on the node runtime with the policy's limits (bucket-run.ts), then judged — what
 * the behaviour files say each activation did — and summed up in a report. Same inputs and
 * seed, same report.
 */

import type { MemoryGeometry } from '../hub/memory.ts';
import { DEFAULT_HUB_CONFIG, type HubConfig } from '../hub/ota-server.ts';
import type { Behaviour } from '../pathways/behaviour.ts';
import type { Catalog } from '../pathways/catalog.ts';
import type { EstateDevice } from '../pathways/estate.ts';
import type { SessionImage, SessionProgress } from './bucket-input.ts';
import { runBucket } from './bucket-run.ts';
import type { BucketedEstate } from './estate-buckets.ts';
import { type EstatePlan, planBuckets } from './estate-plan.ts';
import { judge, type Pending } from './judge.ts';
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
  /** The devices: read, or already sorted into the policy's buckets (a streamed estate). */
  readonly estate: readonly EstateDevice[] | BucketedEstate;
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
   * Hands out the next bucket to run, undefined when none is left: buckets shared among workers
   * as each becomes free (in place of `buckets`). A bucket's result does not depend on who runs it.
   */
  readonly claim?: () => number | undefined;
  /**
   * Handed each bucket's device outcomes as it ends, in bucket order; the run then keeps none
   * (its `outcomes` and `byBucket` are empty).
   */
  readonly onBucket?: (bucket: number, outcomes: readonly DeviceOutcome[]) => void;
  /** Told how each bucket's run goes (see `SessionInput.onProgress`). */
  readonly onProgress?: (bucket: number, progress: SessionProgress) => void;
}

/** Runs a campaign and returns its report and each device's outcome. */
export function runCampaign(input: CampaignInput): {
  report: CampaignReport;
  outcomes: DeviceOutcome[];
  partials: CampaignPartial[];
  /** The outcomes bucket by bucket, for runs split over workers. */
  byBucket: { bucket: number; outcomes: DeviceOutcome[] }[];
} {
  const run = runBuckets(input);
  return { report: mergePartials(run.partials), ...run };
}

/**
 * Runs a campaign's buckets (those of `input.buckets`, or those `input.claim` hands out) and
 * returns their partial reports and outcomes: a worker's share, which may be none.
 */
export function runBuckets(input: CampaignInput): {
  outcomes: DeviceOutcome[];
  partials: CampaignPartial[];
  byBucket: { bucket: number; outcomes: DeviceOutcome[] }[];
} {
  const { policy } = input;
  const plan = planBuckets(input);
  const hubConfig = {
    ...DEFAULT_HUB_CONFIG,
    maxConcurrentDownloads: policy.concurrency?.perHub ?? DEFAULT_HUB_CONFIG.maxConcurrentDownloads,
  };
  const memory = { blockCount: policy.memory?.blocks ?? 64, blockSize: policy.memory?.blockSize ?? 4096 };
  const shares = adtShares(policy.adt?.limit, plan.sessionsPerBucket);
  const wanted = new Set(input.buckets ?? plan.sessionsPerBucket.map((_, b) => b));
  const groups = rolloutGroups(policy.rollout?.groups);
  const context: BucketContext = { input, plan, shares, groups, hubConfig, memory };
  const partials: CampaignPartial[] = [];
  const final: DeviceOutcome[] = [];
  const byBucket: { bucket: number; outcomes: DeviceOutcome[] }[] = [];
  const next = input.claim ?? inOrder(plan.bucketCount, wanted);
  for (let b = next(); b !== undefined; b = next()) {
    const { all, partial } = runAndJudgeBucket(context, b);
    if (input.onBucket) input.onBucket(b, all);
    else {
      for (const o of all) final.push(o);
      byBucket.push({ bucket: b, outcomes: all });
    }
    partials.push(partial);
  }
  return { outcomes: final, partials, byBucket };
}

/** The buckets of `wanted`, in order, one per call. */
function inOrder(count: number, wanted: ReadonlySet<number>): () => number | undefined {
  let b = 0;
  return () => {
    while (b < count && !wanted.has(b)) b++;
    return b < count ? b++ : undefined;
  };
}

/** What one bucket's run takes from the campaign around it. */
interface BucketContext {
  readonly input: CampaignInput;
  readonly plan: EstatePlan;
  readonly shares: readonly number[];
  readonly groups: ReturnType<typeof rolloutGroups>;
  readonly hubConfig: HubConfig;
  readonly memory: MemoryGeometry;
}

/** Runs bucket `b` on the node runtime and judges its devices: their outcomes and the bucket's partial report. */
function runAndJudgeBucket(
  context: BucketContext,
  b: number,
): { all: DeviceOutcome[]; partial: CampaignPartial } {
  const { input, plan, shares, groups, hubConfig, memory } = context;
  const modelOf = (entry: string) => {
    const e = input.catalog.byId.get(entry);
    return e && { model: e.model, hardwareVersion: e.hardwareVersion };
  };
  const { policy } = input;
  const { bucketCount } = plan;
  const retry = policy.retry;
  const { hubs, plain, sessions: devices, pending } = plan.devicesOf(b);
  const sizes = groupSizes(groups, devices.length);
  const groupOf = (k: number) => {
    let g = 0;
    for (let end = sizes[0] as number; k >= end; end += sizes[++g] as number);
    return g;
  };
  const result = runBucket({
    seed: input.seed,
    hubs: Array.from({ length: Math.max(1, hubs) }, () => ({ config: hubConfig, memory })),
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
  const judged = result.devices.map((s, k) =>
    judge(pending[k] as Pending, s, groups ? { name: names[groupOf(k)] as string, halt } : undefined),
  );
  const all = [...plain, ...judged];
  const partial = partialOf(
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
      retriesByDay: result.retriesByDay,
      downloadsByDay: result.downloadsByDay,
      hubMemoryBlocks: memory.blockCount,
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
    modelOf,
  );
  return { all, partial };
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
