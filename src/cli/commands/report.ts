/**
 * `hanota report merge FILE... [--report FILE] [--html FILE] [--json]`: the report of a campaign run in shards
 * (`hanota campaign --shard K/N --report FILE`), from their partials — the same document the
 * unsharded run writes. Exit 2 when the files are not shards of one campaign or a bucket is
 * missing or repeated; 1 when a device ends bricked or degraded.
 */
import type { Argv } from 'yargs';
import { decodeUtf8 } from '../../bytes/utf8.ts';
import type { Policy } from '../../campaign/policy.ts';
import { type CampaignPartial, mergePartials } from '../../campaign/report.ts';
import {
  type CampaignFileNames,
  type CampaignInputs,
  campaignDocument,
} from '../../campaign/report-document.ts';
import { campaignHtml } from '../../report/campaign-html.ts';
import { CliError, inputError } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { prepareOutputs } from '../options.ts';
import { chartingOrError } from './campaign.ts';

/** One shard file as `hanota campaign --shard K/N --report FILE` writes it. */
interface Shard {
  readonly file: string;
  readonly seed: number;
  readonly k: number;
  readonly n: number;
  readonly inputs: Readonly<Record<string, unknown>>;
  /** The names of the shard's files (not compared: each shard may see them elsewhere). */
  readonly files: CampaignFileNames;
  /** The policy's settings as the shard read them (the policy's digest is among `inputs`). */
  readonly policySettings: Policy | null;
  readonly partials: CampaignPartial[];
}

function readShard(ctx: CliContext, file: string): Shard {
  let doc: unknown;
  try {
    doc = JSON.parse(decodeUtf8(ctx.io.readFile(file)));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw inputError(
      file,
      error instanceof SyntaxError ? new RangeError(`not JSON: ${error.message}`) : error,
    );
  }
  const d = doc as {
    hanotaCampaignShard?: number;
    seed?: number;
    shard?: string;
    inputs?: Record<string, unknown>;
    files?: CampaignFileNames;
    policySettings?: Policy | null;
    partials?: CampaignPartial[];
  };
  const shard = /^(\d+)\/(\d+)$/.exec(String(d.shard));
  if (
    d.hanotaCampaignShard !== 1 ||
    typeof d.seed !== 'number' ||
    !shard ||
    typeof d.inputs !== 'object' ||
    d.inputs === null ||
    !Array.isArray(d.partials)
  )
    throw new CliError(
      'SHARD_FORMAT',
      `${file}: not a campaign shard (written by hanota campaign --shard K/N --report FILE)`,
    );
  // A shard of an earlier hanota lacks what the report now has: run it again.
  const current = (p: unknown) =>
    typeof p === 'object' &&
    p !== null &&
    ['retriesByDay', 'downloadsByDay', 'failures'].every((k) =>
      Array.isArray((p as Record<string, unknown>)[k]),
    );
  if (!d.partials.every(current) || typeof d.files !== 'object' || d.files === null)
    throw new CliError(
      'SHARD_FORMAT',
      `${file}: a shard written by an earlier hanota (without the file names, retriesByDay, downloadsByDay or failures of this version's shards): run that shard again`,
    );
  return {
    file,
    seed: d.seed,
    k: Number(shard[1]),
    n: Number(shard[2]),
    inputs: d.inputs,
    files: d.files,
    policySettings: typeof d.policySettings === 'object' ? d.policySettings : null,
    partials: d.partials,
  };
}

/**
 * Refuses shards that are not the N slices of one campaign: another seed, other inputs (naming
 * which), another shard count, a slice given twice or missing.
 */
function checkShards(shards: readonly Shard[]): void {
  const [first, ...rest] = shards;
  if (!first) return;
  for (const s of rest) {
    const differ = [...new Set([...Object.keys(first.inputs), ...Object.keys(s.inputs)])].filter(
      (key) => JSON.stringify(first.inputs[key]) !== JSON.stringify(s.inputs[key]),
    );
    if (s.seed !== first.seed || differ.length > 0 || s.n !== first.n)
      throw new CliError(
        'SHARD_MISMATCH',
        `${s.file}: not a shard of the same campaign as ${first.file}: ${[
          ...(s.seed !== first.seed ? [`seed ${s.seed}, not ${first.seed}`] : []),
          ...(s.n !== first.n ? [`shard ${s.k}/${s.n}, not of ${first.n}`] : []),
          ...(differ.length > 0 ? [`other ${differ.join(', ')}`] : []),
        ].join('; ')}`,
      );
  }
  for (let k = 1; k <= first.n; k++) {
    const given = shards.filter((s) => s.k === k);
    if (given.length > 1)
      throw new CliError(
        'SHARD_MISMATCH',
        `shard ${k}/${first.n} given ${given.length} times (${given.map((s) => s.file).join(', ')})`,
      );
  }
  const missing = Array.from({ length: first.n }, (_, i) => i + 1).filter(
    (k) => !shards.some((s) => s.k === k),
  );
  if (missing.length > 0)
    throw new CliError(
      'SHARD_MISMATCH',
      `shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${first.n}`).join(', ')} not given: a report needs all ${first.n}`,
    );
}

/** The `report merge` command module. */
export function reportMergeCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      y
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'shard files' })
        .option('report', { type: 'string', describe: 'write the report to this file (default: stdout)' })
        .option('html', {
          type: 'string',
          describe: 'write the campaign’s self-contained HTML report to this file, as `campaign --html` does',
        })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'print the report on stdout (also with --report)',
        }),
    handler: async (argv) => {
      if (typeof argv.html === 'string') await chartingOrError();
      prepareOutputs(ctx, { files: { report: argv.report, html: argv.html } });
      const shards = (argv.files as string[]).map((f) => readShard(ctx, f));
      checkShards(shards);
      const seed = shards[0]?.seed as number;
      const partials = shards.flatMap((s) => s.partials);
      const buckets = partials[0]?.buckets ?? 0;
      const modes = [...new Set(partials.map((p) => p.mode))].sort((a, b) =>
        a === 'planned' ? -1 : b === 'planned' ? 1 : 0,
      );
      let reports: ReturnType<typeof mergePartials>[];
      try {
        reports = modes.map((mode) => {
          const mine = partials.filter((p) => p.mode === mode);
          const present = new Set(mine.map((p) => p.bucket));
          const missing = Array.from({ length: buckets }, (_, b) => b).filter((b) => !present.has(b));
          if (missing.length > 0)
            throw new RangeError(
              `partials: ${mode} buckets ${missing.join(', ')} are missing (a shard not given?)`,
            );
          return mergePartials(mine);
        });
      } catch (error) {
        if (error instanceof RangeError) throw new CliError('SHARD_MISMATCH', error.message);
        throw error;
      }
      if (reports.some((r) => r.byStatus.bricked + r.byStatus.degraded > 0)) ctx.exit(1);
      // Names as the first shard (by K) recorded them, whatever order the files came in.
      const first = [...shards].sort((a, b) => a.k - b.k)[0] as Shard;
      const document = campaignDocument(
        seed,
        {
          ...(first.inputs as unknown as CampaignInputs),
          files: first.files,
          policySettings: first.policySettings,
        },
        reports,
      );
      const text = `${JSON.stringify(document, null, 2)}\n`;
      if (typeof argv.report === 'string') ctx.io.writeFile(argv.report, text);
      if (typeof argv.html === 'string') ctx.io.writeFile(argv.html, await campaignHtml(document));
      if (argv.json || (typeof argv.report !== 'string' && typeof argv.html !== 'string'))
        ctx.io.stdout(text);
    },
  };
}
