/**
 * `hanota simulate`: one hub, one device, one image, over the frame driver. Prints the outcome
 * (final ImageUpgradeStatus, bytes received, SHA-256 of what the device assembled, frames,
 * simulated time) and can write the trace (JSON Lines) and a pcap, and the signing public key of
 * a GBCS device whose signed responses and alerts the trace holds. Exit 1 when the device did not
 * end with the complete, verified image.
 */
import type { Argv } from 'yargs';
import { publicKeyOf } from '../../crypto/ecdsa-p256.ts';
import { DEVICE_TYPES } from '../../devices/profiles.ts';
import { runFrameSimulation } from '../../sim/frame-driver.ts';
import type { FrameRunInput, FrameRunResult } from '../../sim/frame-run.ts';
import { LINK_PROFILES } from '../../sim/link.ts';
import { writePcap } from '../../sim/pcap.ts';
import { MAX_UNFRAGMENTED_BLOCK_DATA } from '../../sim/zigbee-stack.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { writeSigningKeys } from '../key-directory.ts';
import { prepareOutputs, withImageReading, withJson } from '../options.ts';
import { renderSimulateText, simulateReport } from '../simulate-report.ts';
import { frameRunInput } from '../simulate-run-input.ts';
import { readSimulateSpec } from '../simulate-spec.ts';

/** The files a run writes: `--trace` (JSON Lines), `--pcap` and `--keys-out`, each when given. */
interface SimulateOutputs {
  readonly trace: string | undefined;
  readonly pcap: string | undefined;
  readonly keysOut: string | undefined;
}

/** Checks, before the run, that the output files can be written, and names those given. */
function prepareSimulateOutputs(ctx: CliContext, args: Record<string, unknown>): SimulateOutputs {
  prepareOutputs(ctx, {
    files: { trace: args.trace, pcap: args.pcap },
    dirs: { 'keys-out': args['keys-out'] },
  });
  const named = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { trace: named(args.trace), pcap: named(args.pcap), keysOut: named(args['keys-out']) };
}

/** Writes the trace, the capture and the device's signing key of a finished run to the files asked for. */
function writeSimulateOutputs(
  ctx: CliContext,
  outputs: SimulateOutputs,
  input: FrameRunInput,
  result: FrameRunResult,
): void {
  if (outputs.trace !== undefined) ctx.io.writeFile(outputs.trace, result.trace.toJsonLines());
  if (outputs.pcap !== undefined)
    ctx.io.writeFile(outputs.pcap, writePcap(result.captured, result.startUnixS));
  if (outputs.keysOut !== undefined)
    writeSigningKeys(
      ctx,
      outputs.keysOut,
      input.devices.flatMap((d) =>
        d.gbcs ? [[d.gbcs.identity.device, publicKeyOf(d.gbcs.identity.signingPrivateKey)] as const] : [],
      ),
    );
}

/** Runs one `simulate`: spec, frame driver, output files, then the report (exit 1 unless ok). */
function runSimulate(ctx: CliContext, args: Record<string, unknown>): void {
  const outputs = prepareSimulateOutputs(ctx, args);
  const spec = readSimulateSpec(ctx, args);
  const input = frameRunInput(spec, outputs.pcap !== undefined);
  const result = runFrameSimulation(input);
  writeSimulateOutputs(ctx, outputs, input, result);
  const report = simulateReport(spec, result);
  if (!report.outcome.ok) ctx.exit(1);
  ctx.io.stdout(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderSimulateText(report));
}

/** The `simulate` command module. */
export function simulateCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      withImageReading(withJson(y))
        .option('device', { choices: DEVICE_TYPES, demandOption: true, describe: 'device type' })
        .option('image', {
          type: 'string',
          demandOption: true,
          describe: 'OTA image file the hub distributes',
        })
        .option('hardware-version', {
          type: 'string',
          describe:
            'hardware version the device reports (default: the image minimum); --no-hardware-version leaves it out of the query (the default for IHD and PPMID)',
        })
        .option('file-version', {
          type: 'string',
          describe: 'firmware version the device runs (default: the image version minus 1)',
        })
        .option('manufacturer-code', {
          type: 'string',
          describe: "device manufacturer code (default: the image's)",
        })
        .option('image-type', { type: 'string', describe: "device image type (default: the image's)" })
        .option('link', { choices: Object.keys(LINK_PROFILES), default: 'ideal', describe: 'link profile' })
        .option('loss', {
          type: 'string',
          describe: 'frame loss probability per direction, overrides the link profile',
        })
        .option('duplicate', {
          type: 'string',
          describe: 'frame duplication probability, overrides the link profile',
        })
        .option('max-data-size', {
          type: 'string',
          describe: `largest block the device asks for (1..${MAX_UNFRAGMENTED_BLOCK_DATA})`,
        })
        .option('power-loss-at-offset', {
          type: 'string',
          array: true,
          describe: 'power fails once the device holds this many bytes (repeatable)',
        })
        .option('supplier-key', {
          type: 'string',
          describe: 'PEM key or certificate the device checks GBCS signatures with',
        })
        .option('activate', {
          type: 'boolean',
          describe:
            "ESME/GSME/HCALCS: the supplier sends CS06 Activate Firmware once the device's receipt alert arrives",
        })
        .option('execute-at', {
          type: 'string',
          describe: 'with --activate: a future-dated CS06 for this UTC time (YYYY-MM-DDTHH:MM:SSZ)',
        })
        .option('memory-blocks', { type: 'string', default: '64', describe: 'hub memory blocks' })
        .option('block-size', { type: 'string', default: '4096', describe: 'hub memory block size, bytes' })
        .option('seed', { type: 'string', default: '1', describe: 'random seed (printed with every run)' })
        .option('max-days', {
          type: 'string',
          default: '30',
          describe: 'simulated days after which the run stops',
        })
        .option('pcap', {
          type: 'string',
          describe: 'write the frames on the air as a pcap (802.15.4 with FCS)',
        })
        .option('trace', { type: 'string', describe: 'write the trace as JSON Lines' })
        .option('keys-out', {
          type: 'string',
          describe:
            "with --activate: write the simulated device's signing public key (<eui>-ds.pem) into this directory, to check its signed responses and alerts in the trace with",
        }),
    handler: (argv) => runSimulate(ctx, argv as Record<string, unknown>),
  };
}
