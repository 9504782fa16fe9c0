/**
 * One device as the frame driver runs it: its spec, OTA client state and config, storage, the
 * two directions of its link, wake schedule, timers, random streams, counters and GBCS state;
 * built from a spec, and read back as the run's result for the device.
 */
import { toHex } from '../bytes/hex.ts';
import { sha256 } from '../crypto/hashes.ts';
import {
  type ActivationEvent,
  type ActivationState,
  initialActivationState,
} from '../devices/gbcs-activation.ts';
import {
  type ClientConfig,
  type ClientEvent,
  type ClientState,
  initialClientState,
} from '../devices/ota-client-state.ts';
import { DeviceStorage } from '../devices/storage.ts';
import type { HubEvent } from '../hub/ota-server.ts';
import type { VirtualClock } from './clock.ts';
import { DeviceFirmware, type HeldImage } from './device-firmware.ts';
import type { DeviceResult, DeviceSpec, DistributedImage } from './frame-run.ts';
import { LinkDirection, type LinkProfile, type WakeSchedule } from './link.ts';
import type { Rng, RngStreams } from './rng.ts';
import type { VirtualImage } from './supplier-hooks.ts';
import { LazyTimers } from './timers.ts';
import type { TransportEvent } from './transport.ts';

/** Network address of the first device; the others follow in order. */
const FIRST_DEVICE_ADDRESS = 0x1000;
/** Download attempts in a row that may abort before a device gives up. */
const DEFAULT_MAX_ABORTS = 5;

/** What the driver's clock delivers. */
export type SimEvent =
  | { readonly kind: 'transport'; readonly event: TransportEvent }
  | { readonly kind: 'client'; readonly node: string; readonly event: ClientEvent }
  | { readonly kind: 'hub'; readonly event: HubEvent }
  | { readonly kind: 'driver'; readonly action: DriverAction }
  | {
      readonly kind: 'gbcs';
      readonly node: string;
      readonly event: ActivationEvent;
      /** For the supplier's commands: how many more times it sends one the device did not hear. */
      readonly resends?: number;
    }
  | { readonly kind: 'supplier'; readonly node: string; readonly action: number };

/** Scheduled changes to the run itself (see `FrameRunInput`). */
export type DriverAction =
  | {
      readonly type: 'distribute';
      readonly image: DistributedImage;
      readonly notify: readonly string[];
      /** For a hop of an upgrade chain: the hops after it. */
      readonly chain?: readonly DistributedImage[];
    }
  | { readonly type: 'evict'; readonly file: Uint8Array }
  | { readonly type: 'powerCycle'; readonly node: string; readonly offUs: number }
  | { readonly type: 'link'; readonly node: string; readonly link: LinkProfile };

/** A device in a run. */
export interface DeviceRuntime {
  readonly spec: DeviceSpec;
  /** Index of its hub. */
  readonly hub: number;
  readonly config: ClientConfig;
  readonly storage: DeviceStorage;
  up: LinkDirection;
  down: LinkDirection;
  readonly wake?: WakeSchedule;
  readonly address: number;
  state: ClientState;
  readonly timers: LazyTimers<SimEvent>;
  /** The hub's timers for this device's download (idle session, page responses). */
  readonly hubTimers: LazyTimers<SimEvent>;
  readonly pendingPowerLoss: number[];
  lastRequestTsn: number;
  counters: { mac: number; nwk: number; aps: number };
  /** The device's random streams: its client, and each link direction. */
  readonly rng: { readonly client: Rng; readonly up: Rng; readonly down: Rng };
  framesSent: number;
  framesReceived: number;
  /** When it last sent a Query Next Image Request, µs (a poll's round trip sets its rhythm). */
  queryStartUs: number;
  /** Its last query found nothing to fetch, and neither it nor its hub's offer changed since. */
  inert: boolean;
  activation?: ActivationState;
  /** The simulated image being downloaded, if it is one. */
  downloading?: VirtualImage;
  /** What its firmware does when an image runs; absent when every upgrade is clean. */
  readonly firmware?: DeviceFirmware;
  /** The image that last passed its checks, as its firmware knows it. */
  held?: HeldImage;
  /** A GBCS device's last alert counter (its originator counter for alerts). */
  alertCounter?: bigint;
  /** A device without GBCS activation (a PPMID): the last counter of a read command it accepted, per originator. */
  readCounters?: ReadonlyMap<string, bigint>;
}

/** The runtime of `spec`, the `index`th device, with its streams drawn from `rng`. */
export function createDeviceRuntime(
  spec: DeviceSpec,
  index: number,
  rng: RngStreams,
  clock: VirtualClock<SimEvent>,
): DeviceRuntime {
  const wake = spec.profile.wake
    ? {
        intervalUs: spec.profile.wake.intervalS * 1_000_000,
        awakeUs: spec.profile.wake.awakeS * 1_000_000,
        phaseUs: wakePhaseUs(rng.fresh(`wake:${spec.node}`), spec.profile.wake.intervalS * 1_000_000),
      }
    : undefined;
  // Every field is present, undefined when it does not apply, in one order: all devices then share
  // one hidden class, and the runtime's reads of them stay monomorphic (conditional spreads gave
  // each kind of device its own, and fields added later more).
  const runtime: DeviceRuntime = {
    spec,
    hub: spec.hub ?? 0,
    config: {
      node: spec.node,
      profile: spec.profile,
      manufacturerCode: spec.manufacturerCode,
      imageType: spec.imageType,
      hardwareVersion: spec.hardwareVersion,
      maxDataSize: spec.maxDataSize ?? spec.profile.maxDataSize,
      maxAborts: DEFAULT_MAX_ABORTS,
    },
    storage: new DeviceStorage(spec.runningVersion),
    up: new LinkDirection(spec.link),
    down: new LinkDirection(spec.link),
    wake,
    address: FIRST_DEVICE_ADDRESS + index,
    state: initialClientState(spec.runningVersion, rng.fresh(`tsn:${spec.node}`).int(0, 255)),
    timers: new LazyTimers(clock),
    hubTimers: new LazyTimers(clock),
    pendingPowerLoss: [...(spec.powerLossAtOffsets ?? [])].sort((a, b) => a - b),
    lastRequestTsn: 0,
    counters: { mac: 0, nwk: 0, aps: 0 },
    rng: {
      client: rng.fresh(`client:${spec.node}`),
      up: rng.fresh(`link:up:${spec.node}`),
      down: rng.fresh(`link:down:${spec.node}`),
    },
    framesSent: 0,
    framesReceived: 0,
    queryStartUs: 0,
    inert: false,
    activation: spec.gbcs ? initialActivationState(spec.gbcs.anchor) : undefined,
    downloading: undefined,
    firmware: spec.firmware ? new DeviceFirmware(spec.firmware) : undefined,
    held: undefined,
    alertCounter: undefined,
    readCounters: undefined,
  };
  return runtime;
}

/** How the device ended. */
export function deviceResult(device: DeviceRuntime): DeviceResult {
  const bytes = device.storage.bytes();
  const saved = device.storage.saved();
  const complete =
    (device.state.phase === 'upgraded' || device.state.phase === 'waiting') &&
    saved !== undefined &&
    bytes.length === saved.target.imageSize;
  return {
    node: device.spec.node,
    deviceType: device.spec.profile.deviceType,
    phase: device.state.phase,
    imageUpgradeStatus: device.state.status,
    runningVersion: device.storage.runningVersion,
    bytesReceived: bytes.length,
    assembledSha256: toHex(sha256(bytes)),
    complete,
    ...(device.state.outcome !== undefined && { outcome: device.state.outcome }),
    framesSent: device.framesSent,
    framesReceived: device.framesReceived,
    ...(device.firmware?.entry !== undefined && { entry: device.firmware.entry }),
  };
}

/** The key a device checks image signatures with: its current supplier's, for GBCS devices. */
export function trustAnchorOf(device: DeviceRuntime): Uint8Array | undefined {
  return device.activation?.anchor.signingKey ?? device.spec.trustAnchor;
}

/** A random phase within a wake interval; intervals past 2^32 µs (about 71 minutes) are drawn in ms. */
export function wakePhaseUs(rng: Rng, intervalUs: number): number {
  return intervalUs <= 2 ** 32
    ? rng.int(0, intervalUs - 1)
    : rng.int(0, Math.floor(intervalUs / 1000) - 1) * 1000;
}
