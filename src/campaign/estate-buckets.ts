/**
 * An estate sorted into hub buckets (DESIGN.md §3 "Scale-out"): hubs fall into buckets by a hash
 * of their ID, a bucket runs on its own, and a campaign needs of the whole estate only how many
 * devices of each bucket run each entry (to share the anomaly threshold out) — the devices
 * themselves are read bucket by bucket as each runs. An estate already in memory is bucketed
 * here; a file streamed into per-bucket spools (src/cli/estate-spool.ts) gives the same buckets.
 */

import { fnv1a } from '../bytes/fnv1a.ts';
import type { EstateDevice } from '../pathways/estate.ts';

/** An estate by bucket. */
export interface BucketedEstate {
  /** Devices in the whole estate. */
  readonly length: number;
  readonly bucketCount: number;
  /** For each CPL entry devices run: how many of each bucket's devices run it. */
  readonly entryCounts: ReadonlyMap<string, Int32Array>;
  /** The devices of bucket `b`, in estate order (a spool holds only the buckets it was made for). */
  devicesOf(b: number): EstateDevice[];
}

/** The bucket of a hub: FNV-1a of its ID, modulo the bucket count. */
export function bucketOfHub(hubId: string, bucketCount: number): number {
  return bucketOfHubHash(fnv1a(hubId), bucketCount);
}

/** The bucket of a hub whose ID's FNV-1a is `hash` (a reader that hashes the bytes it reads). */
export function bucketOfHubHash(hash: number, bucketCount: number): number {
  return hash % bucketCount;
}

/**
 * Adds one device of `bucket` running `entry` to `counts`; a new entry's counts go in memory from
 * `allocate` (a reader whose counts go to worker threads shares them rather than copying them).
 */
export function countEntry(
  counts: Map<string, Int32Array>,
  entry: string,
  bucket: number,
  bucketCount: number,
  allocate: (bytes: number) => ArrayBufferLike = (bytes) => new ArrayBuffer(bytes),
): void {
  let perBucket = counts.get(entry);
  if (!perBucket) {
    perBucket = new Int32Array(allocate(bucketCount * Int32Array.BYTES_PER_ELEMENT));
    counts.set(entry, perBucket);
  }
  perBucket[bucket] = (perBucket[bucket] as number) + 1;
}

/** An estate in memory, bucketed. */
export function bucketedTable(devices: readonly EstateDevice[], bucketCount: number): BucketedEstate {
  const bucketOf = new Int32Array(devices.length);
  const first = new Int32Array(bucketCount + 1);
  const entryCounts = new Map<string, Int32Array>();
  for (let i = 0; i < devices.length; i++) {
    const bucket = bucketOfHub((devices[i] as EstateDevice).hubId, bucketCount);
    bucketOf[i] = bucket;
    first[bucket + 1] = (first[bucket + 1] as number) + 1;
    countEntry(entryCounts, (devices[i] as EstateDevice).cplEntryId, bucket, bucketCount);
  }
  // Each bucket's rows, in estate order: bucket b's are rows[first[b] .. first[b + 1]).
  for (let b = 0; b < bucketCount; b++) first[b + 1] = (first[b + 1] as number) + (first[b] as number);
  const rows = new Int32Array(devices.length);
  const filled = first.slice(0, bucketCount);
  for (let i = 0; i < devices.length; i++) {
    const b = bucketOf[i] as number;
    rows[filled[b] as number] = i;
    filled[b] = (filled[b] as number) + 1;
  }
  return {
    length: devices.length,
    bucketCount,
    entryCounts,
    devicesOf: (b) => {
      const out: EstateDevice[] = [];
      for (let k = first[b] as number; k < (first[b + 1] as number); k++)
        out.push(devices[rows[k] as number] as EstateDevice);
      return out;
    },
  };
}
