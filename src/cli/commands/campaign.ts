/**
 * `hanota campaign --estate FILE --catalog FILE --target ENTRY... [--policy FILE] [--behaviour
 * FILE...] [--mode planned|direct|both] [--seed S] [--json] [--report FILE] [--html FILE]
 * [--devices FILE] [--workers N] [--shard K/N]`: a dry-run of a firmware campaign over an estate
 * on the session transport, its buckets in worker threads. Prints a summary (or, with `--json`,
 * the report); writes the JSON report, the HTML page and a line per device. Exit 1 when a device
 * ends bricked or degraded.
 */

import { availableParallelism } from 'node:os';
import { dirname, relative, resolve, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Argv } from 'yargs';
import type { SessionProgress } from '../../campaign/bucket-input.ts';
import type { Policy } from '../../campaign/policy.ts';
import {
  type CampaignPartial,
  type CampaignReport,
  type DeviceOutcome,
  mergePartials,
} from '../../campaign/report.ts';
import { type CampaignFileNames, campaignDocument } from '../../campaign/report-document.ts';
import { HanotaError } from '../../errors/errors.ts';
import { campaignHtml, loadCharting } from '../../report/campaign-html.ts';
import { type CampaignFiles, campaignInputs, loadPolicy } from '../campaign-input.ts';
import { BucketOrder, CampaignProgress, DevicesFile } from '../campaign-output.ts';
import type { CampaignWorkerData, CampaignWorkerMessage } from '../campaign-worker-main.ts';
import { CAMPAIGN_WORKER_URL } from '../campaign-worker-url.ts';
import { readCatalog } from '../catalog-input.ts';
import { CliError } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { spoolEstate, withSpool } from '../estate-spool.ts';
import { withStore } from '../library-input.ts';
import { parseCount, parseUint, prepareOutputs } from '../options.ts';
import { renderTable } from '../table.ts';

function summary(report: CampaignReport): string[][] {
  const s = report.byStatus;
  const t = report.timeToTargetMs;
  const time = (ms: number | null) => (ms === null ? 'never' : `${(ms / 3_600_000).toFixed(1)} h`);
  return [
    [
      report.mode,
      String(report.devices),
      String(s.onTarget),
      String(s.bricked + s.degraded),
      String(s.refused + s.failed + s.notReached),
      String(s.notStarted),
      String(s.noPath + s.skipped),
      time(t.p50),
      time(t.p100),
      String(report.adtQuarantined),
    ],
  ];
}

/** Where a run's buckets report as they go: the device file and the progress line. */
interface RunSinks {
  readonly onBucket: (bucket: number, outcomes: readonly DeviceOutcome[]) => void;
  readonly onProgress?: (bucket: number, progress: SessionProgress) => void;
}

/**
 * Young generation of a campaign worker, MB (three times V8's semi-space). A bucket's run makes
 * short-lived objects by the million (state copies, effects, events): with Node's default 16 MB
 * semi-space they outlive two scavenges, are promoted and die in the old generation, and at a
 * million devices the scavenger took 24 of 115 s. A 64 MB semi-space lets most of them die
 * young; a larger one gained little more and cost a gigabyte of resident memory with two
 * workers (BENCHMARKS.md, "Campaign on the one engine").
 */
const WORKER_YOUNG_GENERATION_MB = 192;

/** Default worker threads: the CPUs Node may use, at most this many. */
const MAX_DEFAULT_WORKERS = 4;

/**
 * Runs the buckets spread over `workers` threads (one at least: a worker's heap is sized for the
 * simulation, the main thread's is not), each reading the files itself; the same result however
 * many there are.
 */
async function inWorkers(
  data: Omit<CampaignWorkerData, 'buckets' | 'claimed' | 'outcomes' | 'progress'> & {
    buckets: readonly number[];
  },
  workers: number,
  sinks: RunSinks & { readonly outcomes: boolean },
): Promise<{ report: CampaignReport; partials: readonly CampaignPartial[] }> {
  // The workers take the buckets in order, each the next one free when it is: none waits idle
  // while another still has a queue (a fixed split left one worker 7 s behind the other).
  const claimed = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const results = await Promise.all(
    Array.from(
      { length: Math.min(workers, data.buckets.length) },
      () =>
        new Promise<readonly CampaignPartial[]>((done, fail) => {
          const worker = new Worker(CAMPAIGN_WORKER_URL, {
            resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
            workerData: {
              ...data,
              claimed,
              outcomes: sinks.outcomes,
              progress: sinks.onProgress !== undefined,
            } satisfies CampaignWorkerData,
          });
          worker.on('message', (message: CampaignWorkerMessage) => {
            if (message.kind === 'bucket') sinks.onBucket(message.bucket, message.outcomes);
            else if (message.kind === 'progress') sinks.onProgress?.(message.bucket, message.progress);
            else done(message.partials);
          });
          // An input error in a worker is the same input error: exit 2 with its message.
          worker.once('error', (error: Error & { code?: string }) =>
            fail(error.name === 'CliError' ? new CliError(error.code ?? 'INPUT', error.message) : error),
          );
        }),
    ),
  );
  const partials = results.flat().sort((a, b) => a.bucket - b.bucket);
  return { report: mergePartials(partials), partials };
}

/** Vega and Vega-Lite for `--html`, loaded before any work: a missing package costs no run. */
export async function chartingOrError(): Promise<void> {
  try {
    await loadCharting();
  } catch (error) {
    if (error instanceof HanotaError) throw new CliError(error.code, `--html: ${error.message}`);
    throw error;
  }
}

/** `K/N` (1-based). */
function parseShard(text: string): { k: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const k = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || n < 1 || k < 1 || k > n)
    throw new CliError('BAD_ARGUMENT', `--shard: '${text}' is not K/N with 1 ≤ K ≤ N`);
  return { k, n };
}

/** The buckets of shard K of N: every Nth, from K−1. */
function bucketsOf(shard: { k: number; n: number }, buckets: number): number[] {
  return Array.from({ length: buckets }, (_, b) => b).filter((b) => b % shard.n === shard.k - 1);
}

/** The names of `files`. */
export function fileNames(files: CampaignFiles): CampaignFileNames {
  return {
    estate: files.estate,
    catalog: files.catalog,
    policy: files.policy ?? null,
    behaviours: files.behaviours,
    library: files.library ?? null,
  };
}

/** The `campaign` command module. */
export function campaignCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      y
        .option('estate', { type: 'string', demandOption: true, describe: 'estate CSV' })
        .option('catalog', {
          type: 'string',
          demandOption: true,
          describe: 'CPL/FIR catalog CSV (image_file and image_size columns are used)',
        })
        .option('target', {
          type: 'string',
          array: true,
          describe: 'target entry, one per model and hardware version',
        })
        .option('targets', {
          type: 'string',
          describe:
            'a file of target entries, one per line (# comments), as `hanota exposure --targets` writes it',
        })
        .option('policy', { type: 'string', describe: 'rollout policy YAML' })
        .option('library', {
          type: 'string',
          describe: 'firmware library: the image of each entry without an image_file, by entry ID',
        })
        .option('behaviour', { type: 'string', array: true, describe: 'behaviour files (one per model)' })
        .option('mode', {
          choices: ['planned', 'direct', 'both'] as const,
          describe:
            'follow the declared pathways, go straight to the target, or both (default: the policy’s, else planned)',
        })
        .option('seed', { type: 'string', default: '1', describe: 'random seed (printed)' })
        .option('json', {
          type: 'boolean',
          default: false,
          describe:
            'print the JSON report (with --shard, the shard’s partials) on stdout instead of the summary',
        })
        .option('report', {
          type: 'string',
          describe:
            'write the JSON report (with --shard, the shard’s partials for `hanota report merge`) to this file',
        })
        .option('devices', { type: 'string', describe: 'write one CSV line per device to this file' })
        .option('html', {
          type: 'string',
          describe: 'write a self-contained HTML report with charts to this file',
        })
        .option('workers', {
          type: 'string',
          describe: `run the policy’s hub buckets on this many worker threads (default: the CPUs Node may use, at most ${MAX_DEFAULT_WORKERS})`,
        })
        .option('shard', {
          type: 'string',
          describe:
            'run slice K of N (K/N, 1-based) of the policy’s hub buckets (the policy needs `buckets:` ≥ N); --report then writes partials for `hanota report merge`',
        }),
    handler: async (argv) => {
      const seed = parseUint(String(argv.seed), 32, 'seed');
      const files: CampaignFiles = {
        estate: String(argv.estate),
        catalog: String(argv.catalog),
        ...(typeof argv.policy === 'string' && { policy: argv.policy }),
        behaviours: (argv.behaviour as string[] | undefined) ?? [],
        ...(typeof argv.library === 'string' && { library: argv.library }),
      };
      const workers =
        argv.workers === undefined
          ? Math.min(availableParallelism(), MAX_DEFAULT_WORKERS)
          : parseCount(String(argv.workers), 8, 'workers');
      const shard = typeof argv.shard === 'string' ? parseShard(argv.shard) : undefined;
      if (typeof argv.html === 'string') await chartingOrError();
      prepareOutputs(ctx, { files: { report: argv.report, html: argv.html, devices: argv.devices } });
      const policy = loadPolicy(ctx, files);
      const targets = [
        ...((argv.target as string[] | undefined) ?? []),
        ...(typeof argv.targets === 'string' ? readTargets(ctx, argv.targets) : []),
      ];
      if (targets.length === 0)
        throw new CliError(
          'BAD_ARGUMENT',
          'no target: give --target ENTRY (one per model) or --targets FILE',
        );
      if (files.library !== undefined) {
        // Said once: which entries the library does not hold, whose images are simulated.
        const held = new Set(
          withStore({ library: files.library }, (store) => store.index().entries.map((e) => e.cplEntryId)),
        );
        const simulated = readCatalog(ctx, files.catalog)
          .entries.filter((e) => !e.extra.image_file && !held.has(e.cplEntryId))
          .map((e) => e.cplEntryId);
        if (simulated.length > 0)
          ctx.io.stderr(
            `--library ${files.library}: no image for ${simulated.join(', ')} (nor an image_file): simulated from the catalog\n`,
          );
      }
      if (shard && (policy.buckets ?? 1) < shard.n)
        throw new CliError(
          'BAD_ARGUMENT',
          `--shard ${argv.shard}: the policy${files.policy ? ` ${files.policy}` : ''} has ${policy.buckets ?? 1} bucket(s), fewer than the ${shard.n} shards — add \`buckets: ${shard.n}\` (or more) to the policy so each shard has hubs of its own`,
        );
      // The workers each read the other inputs themselves: the main thread holds only the results.
      const mode = (argv.mode as Policy['mode'] | undefined) ?? policy.mode ?? 'planned';
      const modes = mode === 'both' ? (['planned', 'direct'] as const) : ([mode] as const);
      const buckets = shard
        ? bucketsOf(shard, policy.buckets ?? 1)
        : Array.from({ length: policy.buckets ?? 1 }, (_, b) => b);
      const runs: { report: CampaignReport; partials: readonly CampaignPartial[] }[] = [];
      let devices: DevicesFile | undefined;
      const progress = ctx.io.progress && new CampaignProgress(ctx.io.progress, buckets.length, modes.length);
      // The estate streamed once into spools of the buckets this run (or shard) runs; the
      // workers read those, the whole estate is never held.
      const estate = await withSpool(
        () => spoolEstate(ctx, files.estate, policy.buckets ?? 1, shard ? new Set(buckets) : undefined),
        async (estate) => {
          try {
            devices = typeof argv.devices === 'string' ? new DevicesFile(ctx.io, argv.devices) : undefined;
            for (const m of modes) {
              progress?.mode(m);
              const order = new BucketOrder(buckets, (outcomes) => devices?.write(m, outcomes));
              const sinks: RunSinks = {
                onBucket: (bucket, outcomes) => {
                  order.add(bucket, outcomes);
                  progress?.done(bucket);
                },
                ...(progress && {
                  onProgress: (bucket: number, p: SessionProgress) => progress.update(bucket, p),
                }),
              };
              runs.push(
                await inWorkers({ files, estate, targets, mode: m, seed, buckets }, workers, {
                  ...sinks,
                  outcomes: devices !== undefined,
                }),
              );
            }
          } catch (error) {
            if (error instanceof RangeError) throw new CliError('BAD_ARGUMENT', error.message);
            if (error instanceof HanotaError) throw new CliError(error.code, error.message);
            throw error;
          } finally {
            devices?.close();
            progress?.clear();
          }
          return estate;
        },
      );
      for (const warning of new Set(runs.flatMap((r) => r.report.warnings)))
        ctx.io.stderr(`warning: ${warning}\n`);
      const bricked = runs.some((r) => r.report.byStatus.bricked + r.report.byStatus.degraded > 0);
      if (bricked) ctx.exit(1);
      // A shard writes its buckets' partials; `hanota report merge` makes the report of them all.
      const inputs = campaignInputs(ctx, files, targets, mode, estate.digest);
      const reportDocument = campaignDocument(
        seed,
        { ...inputs, files: fileNames(files), policySettings: files.policy === undefined ? null : policy },
        runs.map((r) => r.report),
      );
      const document = shard
        ? {
            hanotaCampaignShard: 1,
            seed,
            shard: argv.shard,
            inputs,
            files: fileNames(files),
            policySettings: files.policy === undefined ? null : policy,
            partials: runs.flatMap((r) => r.partials),
          }
        : reportDocument;
      const text = `${JSON.stringify(document, null, 2)}\n`;
      if (typeof argv.report === 'string') ctx.io.writeFile(argv.report, text);
      if (typeof argv.html === 'string')
        ctx.io.writeFile(
          argv.html,
          await campaignHtml(reportDocument, {
            // The device file, linked from where the page is.
            ...(typeof argv.devices === 'string' && {
              devicesLink: relative(dirname(resolve(argv.html)), resolve(argv.devices))
                .split(sep)
                .join('/'),
            }),
          }),
        );
      if (argv.json) {
        ctx.io.stdout(text);
        return;
      }
      ctx.io.stdout(
        `${renderTable(
          [
            'MODE',
            'DEVICES',
            'ON TARGET',
            'BRICKED',
            'NOT THERE',
            'NOT STARTED',
            'NO PATH',
            '50% AT',
            '100% AT',
            'QUARANTINED',
          ],
          runs.flatMap((r) => summary(r.report)),
        )}\nseed ${seed}\n`,
      );
    },
  };
}

/** The target entries of a targets file: one per line; blank lines and `#` comments skipped. */
function readTargets(ctx: CliContext, file: string): string[] {
  return new TextDecoder()
    .decode(ctx.io.readFile(file))
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '');
}
