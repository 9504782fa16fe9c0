/**
 * `hanota path plan --catalog FILE (--from ENTRY --to ENTRY | --estate FILE --target ENTRY...)
 * [--json]`: the upgrade hops for one device or every device of an estate (DESIGN.md §4
 * semantics and tie-break). Exit 1 when any device has no path.
 */
import type { Argv } from 'yargs';
import type { DevicePlan } from '../../pathways/estate.ts';
import { planEstate } from '../../pathways/estate.ts';
import { planPath } from '../../pathways/planner.ts';
import { readCatalog, readEstate } from '../catalog-input.ts';
import { CliError } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { withJson } from '../options.ts';
import { writeJsonWithList, writeTable } from '../table.ts';

function plans(ctx: CliContext, argv: Record<string, unknown>): DevicePlan[] {
  const catalog = readCatalog(ctx, String(argv.catalog));
  if (typeof argv.estate === 'string') {
    const targets = (argv.target as string[] | undefined) ?? [];
    if (targets.length === 0) throw new CliError('USAGE', 'path plan: --estate needs at least one --target');
    const devices = readEstate(ctx, argv.estate);
    try {
      return planEstate(catalog, devices, targets);
    } catch (error) {
      if (error instanceof RangeError) throw new CliError('BAD_ARGUMENT', error.message);
      throw error;
    }
  }
  if (typeof argv.from !== 'string' || typeof argv.to !== 'string')
    throw new CliError('USAGE', 'path plan: give --from and --to, or --estate and --target');
  return [{ deviceId: '', from: argv.from, target: argv.to, ...planPath(catalog, argv.from, argv.to) }];
}

/** The `path plan` command module. */
export function pathPlanCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      withJson(y)
        .option('catalog', { type: 'string', demandOption: true, describe: 'CPL/FIR catalog CSV' })
        .option('from', { type: 'string', describe: 'the entry the device runs' })
        .option('to', { type: 'string', describe: 'the entry to reach' })
        .option('estate', {
          type: 'string',
          describe: 'estate CSV (device_id, device_type, hub_id, cpl_entry_id)',
        })
        .option('target', {
          type: 'string',
          array: true,
          describe: 'target entry, one per model and hardware version',
        })
        .conflicts('estate', ['from', 'to']),
    handler: (argv) => {
      const result = plans(ctx, argv);
      const failed = result.filter((p) => !p.ok).length;
      if (failed > 0) ctx.exit(1);
      if (argv.json) {
        const single = typeof argv.estate !== 'string';
        const out = result.map(({ deviceId, ...p }) => (single ? p : { deviceId, ...p }));
        writeJsonWithList(ctx.io.stdout, { devices: result.length, withoutPath: failed }, 'plans', out);
        return;
      }
      const rows = result.map((p) => [
        p.deviceId || '-',
        p.from,
        p.target ?? '-',
        p.ok ? (p.hops.length ? p.hops.join(' → ') : '(at target)') : `${p.reason}: ${p.detail}`,
      ]);
      writeTable(ctx.io.stdout, ['DEVICE', 'FROM', 'TARGET', 'HOPS'], rows);
      ctx.io.stdout(`${result.length} device(s), ${failed} without a path\n`);
    },
  };
}
