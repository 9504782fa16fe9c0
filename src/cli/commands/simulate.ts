/**
 * `hanota simulate`: one hub, one device, one image, over the frame driver. Prints the outcome
 * (final ImageUpgradeStatus, bytes received, SHA-256 of what the device assembled, frames,
 * simulated time) and can write the trace (JSON Lines) and a pcap. Exit 1 when the device did
 * not end with the complete, verified image.
 */
import type { Argv } from 'yargs';
import { hexNumber, toHex } from '../../bytes/hex.ts';
import { sha256 } from '../../crypto/hashes.ts';
import { DEVICE_PROFILES, DEVICE_TYPES, type DeviceType } from '../../devices/profiles.ts';
import { DEFAULT_HUB_CONFIG } from '../../hub/ota-server.ts';
import { IMAGE_UPGRADE_STATUS } from '../../ota/commands.ts';
import { MAX_REQUEST_IMAGE_TYPE } from '../../ota/frame-codec.ts';
import { runFrameSimulation } from '../../sim/frame-driver.ts';
import { LINK_PROFILES, type LinkProfile } from '../../sim/link.ts';
import { writePcap } from '../../sim/pcap.ts';
import { MAX_UNFRAGMENTED_BLOCK_DATA } from '../../sim/zigbee-stack.ts';
import { CliError } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { loadImage } from '../image-input.ts';
import { loadKey } from '../key-input.ts';
import { imageReadingOptions, parseUint, prepareOutputs, withImageReading, withJson } from '../options.ts';
import {
  activated,
  activationSpec,
  gbcsEvents,
  SIMULATED_DEVICE,
  SIMULATED_SUPPLIER,
} from '../simulate-activation.ts';
import { renderFields } from '../table.ts';

const DAY_US = 86_400_000_000;

function probability(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined;
  const p = Number(value);
  if (!Number.isFinite(p) || p < 0 || p >= 1)
    throw new CliError('BAD_ARGUMENT', `--${option}: '${value}' is not a probability in [0, 1)`);
  return p;
}

function positive(value: number, option: string): number {
  if (value < 1) throw new CliError('BAD_ARGUMENT', `--${option}: must be at least 1`);
  return value;
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
        .option('trace', { type: 'string', describe: 'write the trace as JSON Lines' }),
    handler: (argv) => {
      const args = argv as Record<string, unknown>;
      prepareOutputs(ctx, { files: { trace: args.trace, pcap: args.pcap } });
      const deviceType = argv.device as DeviceType;
      const profile = DEVICE_PROFILES[deviceType];
      const imageFile = argv.image as string;
      const { input, image } = loadImage(ctx, imageFile, imageReadingOptions(args));
      const h = image.header;
      // yargs reads `--no-hardware-version` as `--hardware-version` set to false.
      const hardwareArg = args.hardwareVersion as string | false | undefined;
      const omitHw = hardwareArg === false || (hardwareArg === undefined && profile.hardwareVersionOptional);
      const hardwareVersion = omitHw
        ? undefined
        : hardwareArg !== undefined
          ? parseUint(hardwareArg, 16, 'hardware-version')
          : (h.minimumHardwareVersion ?? 1);
      const base: LinkProfile = LINK_PROFILES[argv.link as keyof typeof LINK_PROFILES];
      const loss = probability(args.loss, 'loss');
      const duplicate = probability(args.duplicate, 'duplicate');
      const link: LinkProfile = {
        ...base,
        ...(loss !== undefined && { lossProbability: loss }),
        ...(duplicate !== undefined && { duplicateProbability: duplicate }),
      };
      const maxDataSize =
        args.maxDataSize === undefined
          ? undefined
          : parseUint(args.maxDataSize as string, 8, 'max-data-size');
      if (maxDataSize !== undefined && (maxDataSize < 1 || maxDataSize > MAX_UNFRAGMENTED_BLOCK_DATA)) {
        throw new CliError(
          'BAD_ARGUMENT',
          `--max-data-size: ${maxDataSize} is not in 1..${MAX_UNFRAGMENTED_BLOCK_DATA}`,
        );
      }
      const seed = parseUint(args.seed as string, 32, 'seed');
      const memory = {
        blockCount: positive(parseUint(args.memoryBlocks as string, 16, 'memory-blocks'), 'memory-blocks'),
        blockSize: positive(parseUint(args.blockSize as string, 32, 'block-size'), 'block-size'),
      };
      const maxDays = positive(parseUint(args.maxDays as string, 16, 'max-days'), 'max-days');
      const imageType =
        args.imageType !== undefined ? parseUint(args.imageType as string, 16, 'image-type') : h.imageType;
      if (imageType > MAX_REQUEST_IMAGE_TYPE) {
        throw new CliError(
          'BAD_ARGUMENT',
          `--image-type: ${hexNumber(imageType, 4)} is reserved for special files (at most ${hexNumber(MAX_REQUEST_IMAGE_TYPE, 4)})`,
        );
      }
      const key =
        typeof args.supplierKey === 'string' ? loadKey(ctx, args.supplierKey, 'supplier-key') : undefined;
      if (args.executeAt !== undefined && args.activate !== true)
        throw new CliError('USAGE', '--execute-at: only with --activate');
      const gbcs =
        args.activate === true
          ? activationSpec(profile, key, image, args.executeAt as string | undefined)
          : undefined;
      const powerLoss = ((args.powerLossAtOffset as string[] | undefined) ?? []).map((o) =>
        parseUint(o, 32, 'power-loss-at-offset'),
      );
      const runningVersion =
        args.fileVersion !== undefined
          ? parseUint(args.fileVersion as string, 32, 'file-version')
          : Math.max(0, h.fileVersion - 1);
      const result = runFrameSimulation({
        seed,
        hub: DEFAULT_HUB_CONFIG,
        memory,
        devices: [
          {
            node: deviceType.toLowerCase(),
            profile,
            manufacturerCode:
              args.manufacturerCode !== undefined
                ? parseUint(args.manufacturerCode as string, 16, 'manufacturer-code')
                : h.manufacturerCode,
            imageType,
            runningVersion,
            ...(hardwareVersion !== undefined && { hardwareVersion }),
            ...(maxDataSize !== undefined && { maxDataSize }),
            link,
            ...(key && profile.gbcsActivation && { trustAnchor: key.publicKey }),
            powerLossAtOffsets: powerLoss,
            ...(gbcs && { gbcs }),
            imageFormat: imageReadingOptions(args),
          },
        ],
        images: [{ file: input, parse: imageReadingOptions(args) }],
        maxTimeUs: maxDays * DAY_US,
        capture: typeof args.pcap === 'string',
      });
      if (typeof args.trace === 'string') ctx.io.writeFile(args.trace, result.trace.toJsonLines());
      if (typeof args.pcap === 'string')
        ctx.io.writeFile(args.pcap, writePcap(result.captured, result.startUnixS));
      const device = result.devices[0];
      if (!device) throw new Error('simulate: no device result');
      const imageSha256 = toHex(sha256(input));
      // The device only hears NO_IMAGE_AVAILABLE; the hub's trace says why.
      const hubReason = result.trace
        .states(`hub/${device.node}`)
        .map((e) => e.reason)
        .filter((r) => r.startsWith('no image: '))
        .at(-1);
      const events = gbcs ? gbcsEvents(result.trace, device.node) : [];
      const ok =
        device.complete &&
        device.assembledSha256 === imageSha256 &&
        (!gbcs || (device.phase === 'upgraded' && activated(events)));
      if (!ok) ctx.exit(1);
      const report = {
        seed,
        device: {
          type: deviceType,
          hardwareVersion: hardwareVersion ?? null,
          runningVersionBefore: runningVersion,
        },
        image: { file: imageFile, format: image.format, size: input.length, sha256: imageSha256 },
        distribution: result.distributions[0],
        outcome: {
          ok,
          phase: device.phase,
          imageUpgradeStatus: device.imageUpgradeStatus,
          imageUpgradeStatusValue: IMAGE_UPGRADE_STATUS[device.imageUpgradeStatus],
          runningVersion: device.runningVersion,
          bytesReceived: device.bytesReceived,
          assembledSha256: device.assembledSha256,
          ...(device.outcome !== undefined && { reason: device.outcome }),
          ...(hubReason !== undefined && { hubReason: hubReason.slice('no image: '.length) }),
        },
        ...(gbcs && {
          activation: {
            supplier: SIMULATED_SUPPLIER,
            recipient: SIMULATED_DEVICE,
            ...(args.executeAt !== undefined && { executeAt: args.executeAt as string }),
            events,
          },
        }),
        framesExchanged: result.framesSent,
        simulatedMs: Math.floor(result.endUs / 1_000),
      };
      if (argv.json) {
        ctx.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const dist = report.distribution;
      ctx.io.stdout(
        `${renderFields([
          ['seed', String(seed)],
          [
            'device',
            `${deviceType}${hardwareVersion === undefined ? ' (no hardware version in queries)' : `, hardware version ${hardwareVersion}`}`,
          ],
          ['image', `${imageFile} (${image.format}, ${input.length} bytes)`],
          [
            'distribution',
            dist?.ok
              ? `stored in ${dist.blocks} hub memory blocks`
              : `refused: ${dist?.alert} ${dist?.reason}: ${dist?.detail}`,
          ],
          [
            'result',
            ok ? 'complete, verified image' : `INCOMPLETE${device.outcome ? `: ${device.outcome}` : ''}`,
          ],
          ...(hubReason !== undefined ? [['hub', hubReason] as [string, string]] : []),
          ['imageUpgradeStatus', `${report.outcome.imageUpgradeStatusValue} (${device.imageUpgradeStatus})`],
          ['runningVersion', `0x${device.runningVersion.toString(16).padStart(8, '0')}`],
          ['bytesReceived', `${device.bytesReceived} of ${input.length}`],
          [
            'assembledSha256',
            `${device.assembledSha256}${device.assembledSha256 === imageSha256 ? ' (equals the image)' : ''}`,
          ],
          ...events.map(
            (e) =>
              [
                `  at ${e.timeMs} ms`,
                `${e.what}${e.response ? `: ${e.response}` : ''}${e.stage ? `: ${e.stage}, ${e.reason}` : ''}`,
              ] as [string, string],
          ),
          ['framesExchanged', String(result.framesSent)],
          ['simulatedMs', String(report.simulatedMs)],
        ])}\n`,
      );
    },
  };
}
