/**
 * One worker thread of `hanota campaign --workers N`: reads the campaign's files itself, runs the
 * buckets it was given, and posts back their partials and outcomes. Buckets are independent, so
 * the merged result does not depend on how they were spread over workers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runCampaign } from '../campaign/campaign.ts';
import { type CampaignFiles, loadCampaign } from './campaign-input.ts';
import { nodeIo } from './context.ts';

/** What a worker is given. */
export interface CampaignWorkerData {
  readonly files: CampaignFiles;
  readonly targets: readonly string[];
  readonly mode: 'planned' | 'direct';
  readonly seed: number;
  readonly buckets: readonly number[];
}

const data = workerData as CampaignWorkerData;
const loaded = loadCampaign({ io: nodeIo, exit: () => {} }, data.files);
const run = runCampaign({
  ...loaded,
  targets: data.targets,
  mode: data.mode,
  seed: data.seed,
  buckets: data.buckets,
});
parentPort?.postMessage({ partials: run.partials, byBucket: run.byBucket });
