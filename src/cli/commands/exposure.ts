/**
 * `hanota exposure --catalog FILE [--estate FILE] --chipset VENDOR --stack RANGE [--targets FILE]
 * [--json]`: the SSC's view of a ZigBee stack vulnerability (MP231) — the affected CPL entries,
 * those of unknown exposure, per model and hardware version the affected devices (by hub and
 * supplier) and the nearest safe Active entry the declared pathways reach; `--targets` writes
 * those targets as `hanota campaign --targets FILE` reads them. Exit 1 when an affected model has
 * no remediation target.
 */
import type { Argv } from 'yargs';
import { exposure, parseStackRange } from '../../pathways/exposure.ts';
import { readCatalog, readEstate } from '../catalog-input.ts';
import { inputError } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { withJson } from '../options.ts';
import { renderTable } from '../table.ts';

/** The `exposure` command module. */
export function exposureCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      withJson(y)
        .option('catalog', {
          type: 'string',
          demandOption: true,
          describe: 'CPL/FIR catalog CSV (zigbee_* columns)',
        })
        .option('estate', {
          type: 'string',
          describe: 'estate CSV: the devices affected, by model, hub and supplier',
        })
        .option('chipset', { type: 'string', demandOption: true, describe: 'ZigBee chipset vendor notified' })
        .option('stack', {
          type: 'string',
          demandOption: true,
          describe: "affected stack versions: e.g. '>=6.7,<6.10.4', '6.0..6.9', '7.1'",
        })
        .option('targets', {
          type: 'string',
          describe: 'write the remediation targets here (for campaign --targets)',
        }),
    handler: (argv) => {
      let range: ReturnType<typeof parseStackRange>;
      try {
        range = parseStackRange(String(argv.stack));
      } catch (error) {
        throw inputError('--stack', error);
      }
      if (typeof argv.targets === 'string') ctx.io.checkWritable(argv.targets, 'file', 'targets');
      const catalog = readCatalog(ctx, String(argv.catalog));
      const estate = typeof argv.estate === 'string' ? readEstate(ctx, argv.estate) : undefined;
      const report = exposure(catalog, String(argv.chipset), range, estate);
      // A vendor notified under another spelling than the catalog's would read as "nothing affected".
      const chipset = String(argv.chipset).trim().toLowerCase();
      if (!report.vendors.some((v) => v.toLowerCase() === chipset))
        ctx.io.stderr(
          `--chipset ${String(argv.chipset)}: no entry of the catalog names this vendor; it names ${report.vendors.join(', ') || 'none'}\n`,
        );
      if (report.groups.some((g) => !g.target)) ctx.exit(1);
      if (typeof argv.targets === 'string')
        ctx.io.writeFile(
          argv.targets,
          `# remediation targets: ${report.chipset} stack ${report.stack} (hanota exposure)\n${report.groups
            .flatMap((g) => (g.target ? [`${g.target}\n`] : []))
            .join('')}`,
        );
      if (argv.json) {
        ctx.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const lines = [
        `${report.chipset} stack ${report.stack}: ${report.affected.length} affected entr${report.affected.length === 1 ? 'y' : 'ies'} (${report.affected.join(', ') || 'none'}), ${report.unknown.length} unknown (${report.unknown.join(', ') || 'none'})`,
        report.groups.length === 0
          ? 'no model has an affected entry'
          : renderTable(
              ['MODEL', 'HARDWARE', 'AFFECTED', 'DEVICES', 'HUBS', 'SUPPLIERS', 'TARGET', 'BAND'],
              report.groups.map((g) => [
                `${g.deviceType} ${g.manufacturer} ${g.model}`,
                g.hardwareVersion,
                g.affected.join(' '),
                g.devices ? String(g.devices.length) : '-',
                g.devices ? String(new Set(g.devices.map((d) => d.hubId)).size) : '-',
                g.devices ? [...new Set(g.devices.map((d) => d.supplier || '?'))].join(' ') : '-',
                g.target ? `${g.target} (${g.targetHops} hop${g.targetHops === 1 ? '' : 's'})` : 'NONE',
                g.bands.map((b) => (g.badBands.includes(b) ? `NOT MP231: ${b}` : b)).join('; ') || '?',
              ]),
            ),
        ...(report.unknownDevices
          ? [`${report.unknownDevices.length} device(s) run an entry of unknown exposure`]
          : []),
        ...report.bandProblems.map(
          (p) =>
            `${p.cplEntryId} (${p.model}): ZigBee band ${p.band ? `'${p.band}' is not one of MP231's six join options` : 'not given (mandatory since MP231)'}`,
        ),
      ];
      ctx.io.stdout(`${lines.join('\n')}\n`);
    },
  };
}
