/**
 * What a simulation run takes and gives (DESIGN.md §3), over either transport: the devices,
 * images, hub settings and scheduled events going in; distributions, device outcomes, the trace
 * and the capture coming out. Scenarios, the CLI and tests build these; `frame-driver.ts`
 * (`runSimulation`) runs them.
 */
import type { SupplierAnchor } from '../devices/gbcs-activation.ts';
import type { FirmwareReadIdentity } from '../devices/gbcs-read.ts';
import type { ClientState } from '../devices/ota-client-state.ts';
import type { DeviceProfile } from '../devices/profiles.ts';
import type { MemoryGeometry } from '../hub/memory.ts';
import type { HubConfig, HubEvent, UpgradePolicy } from '../hub/ota-server.ts';
import type { ParseImageOptions } from '../ota/image.ts';
import type { FirmwareSpec } from './device-firmware.ts';
import type { GbcsDeviceSpec } from './gbcs-device.ts';
import type { LinkProfile } from './link.ts';
import type { CapturedFrame } from './pcap.ts';
import type { Trace } from './trace.ts';

/** One simulated device. */
export interface DeviceSpec {
  readonly node: string;
  readonly profile: DeviceProfile;
  readonly manufacturerCode: number;
  readonly imageType: number;
  readonly runningVersion: number;
  /** Sent in queries when defined. */
  readonly hardwareVersion?: number;
  readonly maxDataSize?: number;
  readonly link: LinkProfile;
  /**
   * The supplier's signing key, for GBCS devices that check image signatures. A device with
   * `gbcs` checks with the key of the supplier it obeys at the time instead.
   */
  readonly trustAnchor?: Uint8Array;
  /** GBCS keys and the supplier's commands, for ESME, GSME and HCALCS runs that activate. */
  readonly gbcs?: GbcsDeviceSpec;
  /** Its keys for SR 11.2 Read Firmware Version (ECS52, GCS38, CS08), when the DCC may ask. */
  readonly firmwareRead?: FirmwareReadIdentity;
  /** How the device reads the images it downloads (unsigned GBCS images need format gbcs). */
  readonly imageFormat?: ParseImageOptions;
  readonly upgradePolicy?: UpgradePolicy;
  /** Storage offsets at which power fails (once each), for resume tests. */
  readonly powerLossAtOffsets?: readonly number[];
  /** When the device first queries, µs (default: a random moment in its first second). */
  readonly startUs?: number;
  /** Index of its hub in `FrameRunInput.hubs` (0 when the run has one hub). */
  readonly hub?: number;
  /** What its firmware does when an image is activated (its behaviour file); absent: every upgrade is clean. */
  readonly firmware?: FirmwareSpec;
}

/** An image file handed to the hub, and how to read it (unsigned GBCS images need format gbcs). */
export interface DistributedImage {
  readonly file: Uint8Array;
  readonly parse?: ParseImageOptions;
}

/** A run of the frame driver. */
export interface FrameRunInput {
  readonly seed: number;
  readonly hub: HubConfig;
  readonly memory: MemoryGeometry;
  /** Several hubs (a campaign's bucket), in place of `hub` and `memory`; devices name theirs. */
  readonly hubs?: readonly { readonly config: HubConfig; readonly memory: MemoryGeometry }[];
  readonly devices: readonly DeviceSpec[];
  /** Image files distributed to the hub at time 0. */
  readonly images: readonly DistributedImage[];
  /** Hub restarts, µs. */
  readonly hubRestartsUs?: readonly number[];
  /** Other hub events at given times: Image Notify (to a device or `broadcast`), release. */
  readonly hubEvents?: readonly { readonly atUs: number; readonly event: HubEvent }[];
  /** Images handed to the hub later, each followed by an Image Notify to the listed devices. */
  readonly laterImages?: readonly {
    readonly atUs: number;
    readonly image: DistributedImage;
    readonly notify: readonly string[];
  }[];
  /**
   * Upgrades along a path: the first image is handed to the hub at `atUs` with an Image Notify
   * (without `atUs`: at the start, with the images, and the device finds it by its own query),
   * each next one when the device has activated the one before, with an Image Notify.
   */
  readonly upgradeChains?: readonly {
    readonly atUs?: number;
    readonly node: string;
    readonly images: readonly DistributedImage[];
  }[];
  /** The distribution of an image ends at `atUs`: hub memory frees it now, or when the last download ends. */
  readonly evictions?: readonly { readonly atUs: number; readonly file: Uint8Array }[];
  /** Devices losing power at `atUs`, back `offUs` later. */
  readonly powerCycles?: readonly { readonly atUs: number; readonly node: string; readonly offUs: number }[];
  /** From `atUs`, a device's link (both directions) behaves as `link`. */
  readonly linkChanges?: readonly {
    readonly atUs: number;
    readonly node: string;
    readonly link: LinkProfile;
  }[];
  /** Changes of supplier (new trust anchors) at given times, µs. */
  readonly supplierChanges?: readonly {
    readonly atUs: number;
    readonly node: string;
    readonly anchor: SupplierAnchor;
  }[];
  /** GBCS commands (General-Ciphering bytes) delivered to devices at given times, µs. */
  readonly gbcsCommands?: readonly {
    readonly atUs: number;
    readonly node: string;
    readonly bytes: Uint8Array;
  }[];
  /** Simulated time after which the run stops, µs. */
  readonly maxTimeUs: number;
  /** Wall-clock time of the start, Unix seconds. */
  readonly startUnixS?: number;
  /** Keep every transmission for a pcap. */
  readonly capture?: boolean;
}

/** What happened to one distributed image. */
export type DistributionResult =
  | { readonly ok: true; readonly key: string; readonly blocks: number; readonly shared: boolean }
  | {
      readonly ok: false;
      readonly alert: 'CCS08 FirmwareImageDiscarded';
      readonly reason: string;
      readonly detail: string;
    };

/** How one device ended. */
export interface DeviceResult {
  readonly node: string;
  readonly deviceType: string;
  readonly phase: ClientState['phase'];
  readonly imageUpgradeStatus: ClientState['status'];
  readonly runningVersion: number;
  readonly bytesReceived: number;
  readonly assembledSha256: string;
  /** The device holds the whole image, verified, and has activated it or awaits activation. */
  readonly complete: boolean;
  readonly outcome?: string;
  readonly framesSent: number;
  readonly framesReceived: number;
  /** The CPL entry it runs at the end, when its firmware spec names entries. */
  readonly entry?: string;
}

/** The result of a run. */
export interface FrameRunResult {
  readonly seed: number;
  /** Every image handed to the hub, in the order it was handed (time 0 first). */
  readonly distributions: readonly DistributionResult[];
  /** The most hub memory blocks in use at once. */
  readonly hubMemoryPeakBlocks: number;
  readonly devices: readonly DeviceResult[];
  /** Frames handed to the links (both directions, retransmissions included). */
  readonly framesSent: number;
  /** Simulated time of the last event, µs. */
  readonly endUs: number;
  readonly trace: Trace;
  readonly captured: readonly CapturedFrame[];
  readonly startUnixS: number;
}
