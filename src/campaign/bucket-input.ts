/**
 * What one bucket of a campaign runs and gives (DESIGN.md §3 "Scale-out"): its hubs and devices,
 * each device with the hops planned for it, the supplier's policy (threshold, retries,
 * activation window, phased rollout), and how every device ended. `bucket-run.ts` runs it on the
 * node runtime over the session transport.
 */
import type { ImageCheck } from '../devices/ota-client-state.ts';
import type { DeviceProfile } from '../devices/profiles.ts';
import type { MemoryGeometry } from '../hub/memory.ts';
import type { HubConfig } from '../hub/ota-server.ts';
import type { Reaction } from '../pathways/behaviour.ts';
import type { TransportName } from '../sim/frame-driver.ts';
import type { LinkProfile } from '../sim/link.ts';
import type { Trace } from '../sim/trace.ts';
import type { RolloutGroup, RolloutGroupResult, RolloutHalt } from './rollout.ts';

/** One image a device installs, as the hub serves it. */
export interface SessionImage {
  /** Identifies the image in hub memory. */
  readonly key: string;
  readonly manufacturerCode: number;
  readonly imageType: number;
  readonly fileVersion: number;
  readonly size: number;
  readonly minimumHardwareVersion?: number;
  readonly maximumHardwareVersion?: number;
  /** What the device's whole-image checks conclude (from the real file's checks, or SUCCESS for a simulated one). */
  readonly verdict: ImageCheck;
}

/** One device of a bucket. */
export interface SessionDevice {
  readonly node: string;
  readonly profile: DeviceProfile;
  readonly link: LinkProfile;
  readonly manufacturerCode: number;
  readonly imageType: number;
  readonly runningVersion: number;
  readonly hardwareVersion?: number;
  /** The images it installs, in order: each next one is distributed once the one before runs. */
  readonly hops: readonly SessionImage[];
  /** When it powers on, µs (default: a random moment in the first second). */
  readonly startUs?: number;
  /** Index of its hub in `SessionInput.hubs`. */
  readonly hub?: number;
  /** Its group of the phased rollout (0 when there is none). */
  readonly group?: number;
  /**
   * The hop whose firmware does not run cleanly on it, and what it does — its behaviour file
   * resolved along its hops. The device's firmware does it when that hop is activated.
   */
  readonly firmware?: HopReaction;
}

/** The hop (index into the device's hops) whose firmware does not run cleanly, and what it does. */
export interface HopReaction {
  readonly hop: number;
  readonly reaction: Reaction;
}

/** A hop whose firmware did not run cleanly, as the run saw it. */
export interface FirmwareReaction extends HopReaction {
  /** When it was activated, µs. */
  readonly atUs: number;
}

/** One hub: its OTA server settings and memory. */
export interface SessionHub {
  readonly config: HubConfig;
  readonly memory: MemoryGeometry;
}

/** The DCC's anomaly detection threshold (`dcc/anomaly-detection.ts`): at most `limit` distributions in any window of `windowUs`. */
export interface AdtGate {
  readonly limit: number;
  readonly windowUs: number;
}

/** How the supplier retries a distribution the hub refused or a device could not use: `attempts` more times, after `backoffUs`, each wait `factor` times the one before, at most `maxBackoffUs`. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly backoffUs: number;
  readonly factor: number;
  readonly maxBackoffUs?: number;
}

/** Where a run is, for a progress display. */
export interface SessionProgress {
  readonly simulatedUs: number;
  readonly maxTimeUs: number;
  /** Devices whose run is over (success or error). */
  readonly finished: number;
  readonly devices: number;
}

/** Hours of the day (UTC, in simulated time) in which the supplier sends CS06: [fromHour, toHour). */
export interface ActivationWindow {
  readonly fromHour: number;
  readonly toHour: number;
}

/** A bucket's run: its hubs and devices and the supplier's policy. */
export interface SessionInput {
  readonly seed: number;
  readonly hubs: readonly SessionHub[];
  readonly devices: readonly SessionDevice[];
  readonly maxTimeUs: number;
  readonly adt?: AdtGate;
  readonly activationWindow?: ActivationWindow;
  /** Simulated time 0 as seconds since the Unix epoch (for activation windows). */
  readonly startUnixS?: number;
  /** A phased rollout; devices name their group. Without it, every device starts at once. */
  readonly rollout?: readonly RolloutGroup[];
  readonly retry?: RetryPolicy;
  /** Called now and then (every 2^16 events) and at the end. */
  readonly onProgress?: (progress: SessionProgress) => void;
  /** Where the node runtime's trace goes (none is kept by default: a campaign reads outcomes from the nodes). */
  readonly trace?: Trace;
  /** How frames travel (default session; frame, frame by frame, to check the session transport against). */
  readonly transport?: TransportName;
  /**
   * Park the polls that would repeat "nothing to fetch" (`sim/idle-polls.ts`; default true, on
   * either transport). False sends every poll: the reference parking is checked against.
   */
  readonly parkIdlePolls?: boolean;
}

/** How a device ended. */
export interface SessionDeviceResult {
  readonly node: string;
  readonly phase: 'upgraded' | 'waiting' | 'idle' | 'failed' | 'off';
  readonly runningVersion: number;
  /** When each hop was activated and ran, µs. */
  readonly activationsUs: readonly number[];
  /** The hop whose firmware refused to run, or bricked or degraded the device. */
  readonly firmware?: FirmwareReaction;
  /** Why it stopped short of its last hop. */
  readonly reason?: string;
  /** Distributions for it the anomaly detection threshold held back. */
  readonly quarantined: number;
  /** When its rollout group started it, µs; absent when it never started. */
  readonly startedUs?: number;
  /** When its run ended, µs: its last hop installed, or an error it does not recover from. */
  readonly endUs?: number;
  /** Distributions retried for it. */
  readonly retries: number;
}

/** A bucket's result. */
export interface SessionResult {
  readonly devices: readonly SessionDeviceResult[];
  /** Events the node runtime handled. */
  readonly events: number;
  readonly hubMemoryPeakBlocks: number;
  readonly downloadsPeak: number;
  readonly endUs: number;
  /** Distributions held back by the anomaly detection threshold. */
  readonly quarantined: number;
  /** Per simulated day: the most blocks any hub had in use during the day. */
  readonly memoryByDay: readonly number[];
  /** Per simulated day: distributions asked for that day and held back. */
  readonly quarantinedByDay: readonly number[];
  /** Per simulated day: distributions the supplier retried that day (after a failed one). */
  readonly retriesByDay: readonly number[];
  /** Per simulated day: the most downloads the bucket's hubs served at once during the day. */
  readonly downloadsByDay: readonly number[];
  /** The phased rollout's groups, and its halt. */
  readonly groups: readonly RolloutGroupResult[];
  readonly halt?: RolloutHalt;
}
