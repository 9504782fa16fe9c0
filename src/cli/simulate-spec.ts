/**
 * `hanota simulate`'s options, read and checked into one run spec: the device, the image it is
 * offered, the link, the hub's memory, the run's limits and, with `--activate`, the GBCS side.
 * Every option is checked here, in a fixed order, before anything runs (the first bad option is
 * the one reported).
 */
import { hexNumber } from '../bytes/hex.ts';
import type { P256Key } from '../crypto/keys.ts';
import { DEVICE_PROFILES, type DeviceProfile, type DeviceType } from '../devices/profiles.ts';
import type { MemoryGeometry } from '../hub/memory.ts';
import { MAX_REQUEST_IMAGE_TYPE } from '../ota/frame-codec.ts';
import type { OtaHeader } from '../ota/header.ts';
import type { ParseImageOptions } from '../ota/image.ts';
import type { GbcsDeviceSpec } from '../sim/gbcs-device.ts';
import { LINK_PROFILES, type LinkProfile } from '../sim/link.ts';
import { MAX_UNFRAGMENTED_BLOCK_DATA } from '../sim/zigbee-stack.ts';
import { CliError } from './cli-error.ts';
import type { CliContext } from './context.ts';
import { type LoadedImage, loadImage } from './image-input.ts';
import { loadKey } from './key-input.ts';
import { imageReadingOptions, parseUint } from './options.ts';
import { activationSpec } from './simulate-activation.ts';

/** A `simulate` run as its options describe it, every value checked. */
export interface SimulateSpec {
  readonly deviceType: DeviceType;
  readonly profile: DeviceProfile;
  /** The image file as given, its bytes and what they parse to. */
  readonly loaded: LoadedImage;
  readonly imageReading: ParseImageOptions;
  /** Left out of the device's queries when undefined. */
  readonly hardwareVersion: number | undefined;
  readonly link: LinkProfile;
  readonly maxDataSize: number | undefined;
  readonly seed: number;
  readonly memory: MemoryGeometry;
  readonly maxDays: number;
  readonly imageType: number;
  readonly key: P256Key | undefined;
  /** The GBCS side of an `--activate` run. */
  readonly gbcs: GbcsDeviceSpec | undefined;
  readonly executeAt: string | undefined;
  readonly powerLossAtOffsets: readonly number[];
  readonly runningVersion: number;
  readonly manufacturerCode: number;
}

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

/** The hardware version the device reports, or undefined when its queries leave it out. */
function hardwareVersionOf(
  args: Record<string, unknown>,
  profile: DeviceProfile,
  header: OtaHeader,
): number | undefined {
  // yargs reads `--no-hardware-version` as `--hardware-version` set to false.
  const hardwareArg = args.hardwareVersion as string | false | undefined;
  const omitHw = hardwareArg === false || (hardwareArg === undefined && profile.hardwareVersionOptional);
  if (omitHw) return undefined;
  return hardwareArg !== undefined
    ? parseUint(hardwareArg, 16, 'hardware-version')
    : (header.minimumHardwareVersion ?? 1);
}

/** The `--link` profile with `--loss` and `--duplicate` laid over it. */
function linkOf(args: Record<string, unknown>): LinkProfile {
  const base: LinkProfile = LINK_PROFILES[args.link as keyof typeof LINK_PROFILES];
  const loss = probability(args.loss, 'loss');
  const duplicate = probability(args.duplicate, 'duplicate');
  return {
    ...base,
    ...(loss !== undefined && { lossProbability: loss }),
    ...(duplicate !== undefined && { duplicateProbability: duplicate }),
  };
}

/** `--max-data-size`, which must fit an unfragmented Image Block Response. */
function maxDataSizeOf(args: Record<string, unknown>): number | undefined {
  if (args.maxDataSize === undefined) return undefined;
  const maxDataSize = parseUint(args.maxDataSize as string, 8, 'max-data-size');
  if (maxDataSize < 1 || maxDataSize > MAX_UNFRAGMENTED_BLOCK_DATA) {
    throw new CliError(
      'BAD_ARGUMENT',
      `--max-data-size: ${maxDataSize} is not in 1..${MAX_UNFRAGMENTED_BLOCK_DATA}`,
    );
  }
  return maxDataSize;
}

/** The seed, the hub's memory and the longest the run may go on. */
function runLimitsOf(args: Record<string, unknown>): Pick<SimulateSpec, 'seed' | 'memory' | 'maxDays'> {
  const seed = parseUint(args.seed as string, 32, 'seed');
  const memory = {
    blockCount: positive(parseUint(args.memoryBlocks as string, 16, 'memory-blocks'), 'memory-blocks'),
    blockSize: positive(parseUint(args.blockSize as string, 32, 'block-size'), 'block-size'),
  };
  const maxDays = positive(parseUint(args.maxDays as string, 16, 'max-days'), 'max-days');
  return { seed, memory, maxDays };
}

/** The device's image type: `--image-type` or the image's, never one reserved for special files. */
function imageTypeOf(args: Record<string, unknown>, header: OtaHeader): number {
  const imageType =
    args.imageType !== undefined ? parseUint(args.imageType as string, 16, 'image-type') : header.imageType;
  if (imageType > MAX_REQUEST_IMAGE_TYPE) {
    throw new CliError(
      'BAD_ARGUMENT',
      `--image-type: ${hexNumber(imageType, 4)} is reserved for special files (at most ${hexNumber(MAX_REQUEST_IMAGE_TYPE, 4)})`,
    );
  }
  return imageType;
}

/** The supplier's key and, with `--activate`, the device's GBCS keys and the CS06 it is sent. */
function activationOf(
  ctx: CliContext,
  args: Record<string, unknown>,
  profile: DeviceProfile,
  loaded: LoadedImage,
): Pick<SimulateSpec, 'key' | 'gbcs' | 'executeAt'> {
  const key =
    typeof args.supplierKey === 'string' ? loadKey(ctx, args.supplierKey, 'supplier-key') : undefined;
  if (args.executeAt !== undefined && args.activate !== true)
    throw new CliError('USAGE', '--execute-at: only with --activate');
  const executeAt = args.executeAt as string | undefined;
  const gbcs = args.activate === true ? activationSpec(profile, key, loaded.image, executeAt) : undefined;
  return { key, gbcs, executeAt };
}

/** Reads `simulate`'s options (and the image and key files they name) into a checked run spec. */
export function readSimulateSpec(ctx: CliContext, args: Record<string, unknown>): SimulateSpec {
  const deviceType = args.device as DeviceType;
  const profile = DEVICE_PROFILES[deviceType];
  const imageReading = imageReadingOptions(args);
  const loaded = loadImage(ctx, args.image as string, imageReading);
  const h = loaded.image.header;
  const hardwareVersion = hardwareVersionOf(args, profile, h);
  const link = linkOf(args);
  const maxDataSize = maxDataSizeOf(args);
  const limits = runLimitsOf(args);
  const imageType = imageTypeOf(args, h);
  const activation = activationOf(ctx, args, profile, loaded);
  const powerLossAtOffsets = ((args.powerLossAtOffset as string[] | undefined) ?? []).map((o) =>
    parseUint(o, 32, 'power-loss-at-offset'),
  );
  const runningVersion =
    args.fileVersion !== undefined
      ? parseUint(args.fileVersion as string, 32, 'file-version')
      : Math.max(0, h.fileVersion - 1);
  const manufacturerCode =
    args.manufacturerCode !== undefined
      ? parseUint(args.manufacturerCode as string, 16, 'manufacturer-code')
      : h.manufacturerCode;
  return {
    deviceType,
    profile,
    loaded,
    imageReading,
    hardwareVersion,
    link,
    maxDataSize,
    ...limits,
    imageType,
    ...activation,
    powerLossAtOffsets,
    runningVersion,
    manufacturerCode,
  };
}
