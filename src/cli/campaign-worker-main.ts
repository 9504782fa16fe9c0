/**
 * One worker thread of `hanota campaign --workers N`: reads the campaign's files itself (the
 * estate from the spools the main thread streamed it into, bucket by bucket), runs
 * buckets of the list it was given — each the next one no worker has claimed yet (a counter they
 * share), so that a worker that finishes early takes more — and posts back, as each ends, its
 * outcomes (when the command writes a device file) and now and then its progress; at the end, the
 * buckets' partials. Buckets are independent, so the merged result does not depend on how they
 * were spread over workers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SessionProgress } from '../campaign/bucket-input.ts';
import { runBuckets } from '../campaign/campaign.ts';
import type { CampaignPartial, DeviceOutcome } from '../campaign/report.ts';
import { type CampaignFiles, loadCampaign } from './campaign-input.ts';
import { nodeIo } from './context.ts';
import { type EstateSpool, openEstate, type WholeEstate } from './estate-spool.ts';

/** What a worker is given. */
export interface CampaignWorkerData {
  readonly files: CampaignFiles;
  /** The estate, streamed into spools by the main thread (or to be read whole). */
  readonly estate: EstateSpool | WholeEstate;
  readonly targets: readonly string[];
  readonly mode: 'planned' | 'direct';
  readonly seed: number;
  readonly buckets: readonly number[];
  /** The workers' shared counter (one Int32): the index in `buckets` of the next bucket to claim. */
  readonly claimed: SharedArrayBuffer;
  /** Post each bucket's device outcomes. */
  readonly outcomes: boolean;
  /** Post progress. */
  readonly progress: boolean;
}

/** What a worker posts. */
export type CampaignWorkerMessage =
  | { readonly kind: 'bucket'; readonly bucket: number; readonly outcomes: readonly DeviceOutcome[] }
  | { readonly kind: 'progress'; readonly bucket: number; readonly progress: SessionProgress }
  | { readonly kind: 'done'; readonly partials: readonly CampaignPartial[] };

const post = (message: CampaignWorkerMessage) => parentPort?.postMessage(message);
const data = workerData as CampaignWorkerData;
const ctx = { io: nodeIo, exit: () => {} };
const loaded = loadCampaign(ctx, data.files);
const counter = new Int32Array(data.claimed);
const run = runBuckets({
  ...loaded,
  estate: openEstate(ctx, data.estate, loaded.policy.buckets ?? 1),
  targets: data.targets,
  mode: data.mode,
  seed: data.seed,
  claim: () => data.buckets[Atomics.add(counter, 0, 1)],
  onBucket: (bucket, outcomes) => post({ kind: 'bucket', bucket, outcomes: data.outcomes ? outcomes : [] }),
  ...(data.progress && { onProgress: (bucket, progress) => post({ kind: 'progress', bucket, progress }) }),
});
post({ kind: 'done', partials: run.partials });
