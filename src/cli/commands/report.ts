/**
 * `hanota report merge FILE... [--report FILE] [--json]`: the report of a campaign run in shards
 * (`hanota campaign --shard K/N --report FILE`), from their partials — the same document the
 * unsharded run writes. Exit 2 when the files are not shards of one campaign or a bucket is
 * missing or repeated; 1 when a device ends bricked or degraded.
 */
import type { Argv } from 'yargs';
import { type CampaignPartial, mergePartials } from '../../campaign/report.ts';
import { CliError } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { prepareOutputs } from '../options.ts';
import { campaignDocument } from './campaign.ts';

function readShard(ctx: CliContext, file: string): { seed: number; partials: CampaignPartial[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(ctx.io.readFile(file)));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError('SHARD_FORMAT', `${file}: not JSON (${(error as Error).message})`);
  }
  const d = doc as { hanotaCampaignShard?: number; seed?: number; partials?: CampaignPartial[] };
  if (d.hanotaCampaignShard !== 1 || typeof d.seed !== 'number' || !Array.isArray(d.partials))
    throw new CliError(
      'SHARD_FORMAT',
      `${file}: not a campaign shard (written by hanota campaign --shard K/N --report FILE)`,
    );
  return { seed: d.seed, partials: d.partials };
}

/** The `report merge` command module. */
export function reportMergeCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      y
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'shard files' })
        .option('report', { type: 'string', describe: 'write the report to this file (default: stdout)' })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'print the report on stdout (also with --report)',
        }),
    handler: (argv) => {
      prepareOutputs(ctx, { files: [argv.report] });
      const shards = (argv.files as string[]).map((f) => ({ file: f, ...readShard(ctx, f) }));
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
          const missing = Array.from({ length: buckets }, (_, b) => b).filter(
            (b) => !mine.some((p) => p.bucket === b),
          );
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
      const text = `${JSON.stringify(campaignDocument(seed, reports), null, 2)}\n`;
      if (typeof argv.report === 'string') ctx.io.writeFile(argv.report, text);
      if (argv.json || typeof argv.report !== 'string') ctx.io.stdout(text);
    },
  };
}
