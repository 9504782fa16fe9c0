/** Fixture images and a one-hub run helper for simulation tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toHex } from '../../src/bytes/hex.ts';
import { sha256 } from '../../src/crypto/hashes.ts';
import { readP256Key } from '../../src/crypto/keys.ts';
import { DEVICE_PROFILES, type DeviceType } from '../../src/devices/profiles.ts';
import { DEFAULT_HUB_CONFIG, type HubConfig, type HubEvent } from '../../src/hub/ota-server.ts';
import { type ParseImageOptions, parseImage } from '../../src/ota/image.ts';
import { runFrameSimulation } from '../../src/sim/frame-driver.ts';
import type { DeviceSpec, FrameRunResult } from '../../src/sim/frame-run.ts';
import { LINK_PROFILES, type LinkProfile } from '../../src/sim/link.ts';
import { ROOT } from './vectors.ts';

/** A bundled fixture image. */
export interface FixtureImage {
  readonly name: string;
  readonly file: Uint8Array;
  readonly parse: ParseImageOptions;
  readonly sha256: string;
}

function fixture(name: string, parse: ParseImageOptions = {}): FixtureImage {
  const b = readFileSync(join(ROOT, 'fixtures/images', name));
  const file = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return { name, file, parse, sha256: toHex(sha256(file)) };
}

/** Every bundled fixture image. */
export const FIXTURE_IMAGES: readonly FixtureImage[] = [
  fixture('esme-1.2-gbcs.ota'),
  fixture('gsme-2.0-gbcs.ota'),
  fixture('ihd-1.5-zigbee.ota'),
  fixture('unsigned-gbcs/ppmid-3.1-gbcs.ota', { format: 'gbcs', signed: false }),
];

/** The fixture supplier's public key. */
export const SUPPLIER_KEY = readP256Key(
  readFileSync(join(ROOT, 'fixtures/keys/supplier-ds.pem'), 'utf8'),
).publicKey;

/** A device of `type` that wants `image` (its manufacturer code and type, an older version). */
export function deviceFor(
  type: DeviceType,
  image: FixtureImage,
  extra: Partial<DeviceSpec> = {},
): DeviceSpec {
  const h = parseImage(image.file, image.parse).header;
  const profile = DEVICE_PROFILES[type];
  const signed = parseImage(image.file, image.parse);
  const checksSignature =
    profile.gbcsActivation && signed.format === 'gbcs' && signed.signature !== undefined;
  return {
    node: type.toLowerCase(),
    profile,
    manufacturerCode: h.manufacturerCode,
    imageType: h.imageType,
    runningVersion: h.fileVersion - 1,
    ...(!profile.hardwareVersionOptional && { hardwareVersion: h.minimumHardwareVersion ?? 1 }),
    link: LINK_PROFILES.ideal,
    ...(checksSignature && { trustAnchor: SUPPLIER_KEY }),
    imageFormat: image.parse,
    ...extra,
  };
}

/** Options of `run`. */
export interface RunOptions {
  readonly seed?: number;
  readonly hub?: Partial<HubConfig>;
  readonly blockCount?: number;
  readonly blockSize?: number;
  readonly capture?: boolean;
  readonly hubRestartsUs?: number[];
  readonly hubEvents?: readonly { atUs: number; event: HubEvent }[];
}

/** Runs one hub with `devices` and `images` for at most 60 simulated days. */
export function run(
  devices: readonly DeviceSpec[],
  images: readonly FixtureImage[],
  options: RunOptions = {},
): FrameRunResult {
  return runFrameSimulation({
    seed: options.seed ?? 1,
    hub: { ...DEFAULT_HUB_CONFIG, ...options.hub },
    memory: { blockCount: options.blockCount ?? 64, blockSize: options.blockSize ?? 4096 },
    devices,
    images: images.map((i) => ({ file: i.file, parse: i.parse })),
    maxTimeUs: 60 * 86_400_000_000,
    ...(options.capture && { capture: true }),
    ...(options.hubRestartsUs && { hubRestartsUs: options.hubRestartsUs }),
    ...(options.hubEvents && { hubEvents: options.hubEvents }),
  });
}

/** Like `run`, with hub events (notify, release) at given times. */
export function runWithEvents(
  devices: readonly DeviceSpec[],
  images: readonly FixtureImage[],
  hubEvents: readonly { atUs: number; event: HubEvent }[],
  options: RunOptions = {},
): FrameRunResult {
  return run(devices, images, { ...options, hubEvents });
}

/** A lossy, duplicating, reordering link (30% loss each way). */
export const HARSH_LINK: LinkProfile = {
  ...LINK_PROFILES.poor,
  lossProbability: 0.3,
  duplicateProbability: 0.1,
  jitterUs: 200_000,
};
