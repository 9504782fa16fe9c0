/**
 * The OTA client's data: its configuration, state, events, effects and context, the state of a
 * newly installed device, and the two functions every transition goes through — `withState`
 * (copy with changes) and `go` (change phase and status, recording why). The transitions
 * themselves are in `ota-client.ts`.
 */
import type { ImageId, ImageUpgradeStatusName, OtaCommand } from '../ota/commands.ts';
import type { Reaction } from '../pathways/behaviour.ts';
import type { Rng } from '../sim/rng.ts';
import type { DeviceProfile } from './profiles.ts';

/** What a device is configured with. */
export interface ClientConfig {
  readonly node: string;
  readonly profile: DeviceProfile;
  readonly manufacturerCode: number;
  readonly imageType: number;
  /** Omitted from the query when undefined (allowed for IHD/PPMID). */
  readonly hardwareVersion?: number;
  readonly maxDataSize: number;
  /** Consecutive download aborts after which the device gives up. */
  readonly maxAborts: number;
}

/** Where the client is in an upgrade. */
export type ClientPhase =
  | 'off'
  | 'idle'
  | 'querying'
  | 'downloading'
  | 'checking'
  | 'ending'
  | 'waiting'
  | 'countDown'
  | 'upgraded'
  | 'failed';

/** The phases a device rests in between upgrades, querying the hub on its interval. */
export type RestPhase = 'idle' | 'upgraded' | 'failed';

/** Whether `phase` is one a device rests in. */
export function isRestPhase(phase: ClientPhase): phase is RestPhase {
  return phase === 'idle' || phase === 'upgraded' || phase === 'failed';
}

/** The image being fetched, as the Query Next Image Response announced it. */
export interface TargetImage extends ImageId {
  readonly imageSize: number;
}

/** The client's state. `fileOffset` mirrors what the device's storage holds. */
export interface ClientState {
  readonly phase: ClientPhase;
  readonly status: ImageUpgradeStatusName;
  readonly runningVersion: number;
  readonly target?: TargetImage;
  readonly fileOffset: number;
  /** Consecutive requests without an answer. */
  readonly attempts: number;
  /** Downloads aborted so far. */
  readonly aborts: number;
  /** The request awaiting an answer, resent on timeout. */
  readonly outstanding?: OtaCommand;
  /** Why the client ended where it did (failed, no image). */
  readonly outcome?: string;
  /** Pause between block requests the hub asked for with WAIT_FOR_DATA, ms. */
  readonly blockPeriodMs?: number;
  /** Transaction sequence number of the last request; responses must echo it. */
  readonly tsn: number;
  /**
   * The rest phase it last entered: where a query that finds nothing to fetch returns it, so that
   * a device that upgraded (or failed) still says so after its next poll.
   */
  readonly rest: RestPhase;
  /** Where the page asked for ends (an Image Page Request outstanding), else undefined. */
  readonly pageEnd: number | undefined;
  /**
   * What the verified image's firmware does when it runs on this device, when that is not a clean
   * upgrade (its behaviour file, told with the check): refuse itself, brick or degrade.
   */
  readonly heldReaction: Reaction | undefined;
  /** The image whose firmware refused to run here: offered again, it is declined (INVALID_IMAGE). */
  readonly refusedImage: ImageId | undefined;
}

/** The client's timers (one of each at most). */
export type ClientTimer = 'response' | 'query' | 'nextBlock' | 'upgrade' | 'endRetry';

/** What the persistent storage of a device held at power-on. */
export interface SavedDownload {
  readonly target: TargetImage;
  readonly fileOffset: number;
}

/** Result of the whole-image checks the driver runs on `checkImage`. */
export type ImageCheck =
  | { readonly status: 'SUCCESS' }
  | { readonly status: 'INVALID_IMAGE' | 'REQUIRE_MORE_IMAGE'; readonly reason: string };

/** Events the client reacts to. */
export type ClientEvent =
  | { readonly type: 'start' }
  | {
      readonly type: 'frame';
      readonly command: OtaCommand;
      readonly transactionSequence: number;
      /** Sent to the broadcast address (an Image Notify to every device), not to this one. */
      readonly broadcast?: boolean;
    }
  /**
   * A run of Image Block Responses, in order from the outstanding request's offset, as one event:
   * how the session transport delivers a download it computes as a whole (DESIGN.md §3).
   */
  | { readonly type: 'blocks'; readonly fileOffset: number; readonly data: Uint8Array }
  | { readonly type: 'timer'; readonly timer: ClientTimer }
  /**
   * The whole-image checks' result; with it, when the image passed, what its firmware will do on
   * this device if activated (absent for a clean upgrade).
   */
  | { readonly type: 'checked'; readonly result: ImageCheck; readonly reaction?: Reaction }
  | { readonly type: 'powerLoss' }
  /** A GBCS device's verified CS06 Activate Firmware: run the held image. */
  | { readonly type: 'activateHeld'; readonly reason: string }
  | { readonly type: 'powerOn'; readonly runningVersion: number; readonly saved?: SavedDownload };

/** What the client asks its driver to do. */
export type ClientEffect =
  | { readonly type: 'send'; readonly command: OtaCommand; readonly transactionSequence: number }
  | { readonly type: 'setTimer'; readonly timer: ClientTimer; readonly delayUs: number }
  | { readonly type: 'cancelTimer'; readonly timer: ClientTimer }
  | { readonly type: 'beginImage'; readonly target: TargetImage }
  | { readonly type: 'store'; readonly fileOffset: number; readonly data: Uint8Array }
  | { readonly type: 'discardImage' }
  /**
   * Run the whole-image checks on what storage holds. `atBoot`: the image was whole before a
   * power loss and is checked again as the device starts — its receipt was already reported.
   */
  | { readonly type: 'checkImage'; readonly atBoot?: boolean }
  /** Run the held image; `reaction` when its firmware bricks or degrades the device as it runs. */
  | { readonly type: 'activate'; readonly fileVersion: number; readonly reaction?: Reaction }
  /** The held image's firmware refused to run: the device still runs the version it ran. */
  | { readonly type: 'firmwareRefused'; readonly fileVersion: number }
  /**
   * The answer to a query left the device at rest with nothing to fetch: until the hub's images
   * change, its next polls will be answered the same way (the runtime ends a run when only such
   * polls are left).
   */
  | { readonly type: 'nothingToFetch' }
  | { readonly type: 'transition'; readonly from: string; readonly to: string; readonly reason: string };

/** Time and randomness handed to the step. */
export interface ClientContext {
  /** Simulated time, µs. */
  readonly nowUs: number;
  /** ZCL UTC time (seconds since 2000-01-01), as the device's clock reads it. */
  readonly utcNow: number;
  readonly rng: Rng;
}

/** Result of one step. */
export interface ClientStep {
  readonly state: ClientState;
  readonly effects: readonly ClientEffect[];
}

/**
 * Whether a GBCS device holds a verified image a CS06 can activate: once its whole-image check
 * passed (alert 0x8F72), while it still waits for the hub's Upgrade End Response as well as after.
 * GBCS activation answers to the supplier's command, not to the ZigBee end exchange: a CS06 that
 * overtakes the Upgrade End Response (a sleepy GSME's often does) finds the image held.
 */
export function holdsVerifiedImage(state: ClientState): boolean {
  return (
    (state.phase === 'waiting' && state.status === 'waitingToUpgradeViaExternalEvent') ||
    (state.phase === 'ending' && state.status === 'downloadComplete')
  );
}

/** The largest image a device accepts to store. */
export const MAX_IMAGE_SIZE = 16 * 1024 * 1024;

/** The state of a device that has just been installed, running `runningVersion`. */
export function initialClientState(runningVersion: number, tsn = 0): ClientState {
  // Every key present, in the order `withState` writes them: all client states share one shape.
  return {
    phase: 'off',
    status: 'normal',
    runningVersion,
    target: undefined,
    fileOffset: 0,
    attempts: 0,
    aborts: 0,
    outstanding: undefined,
    outcome: undefined,
    blockPeriodMs: undefined,
    tsn,
    rest: 'idle',
    pageEnd: undefined,
    heldReaction: undefined,
    refusedImage: undefined,
  };
}

/** The fields a patch may clear (set to undefined); the others keep their value when a patch gives undefined. */
const CLEARABLE: ReadonlySet<string> = new Set([
  'target',
  'outstanding',
  'outcome',
  'blockPeriodMs',
  'pageEnd',
  'heldReaction',
  'refusedImage',
]);

/**
 * `state` with the fields of `patch` replaced: the one way client states are copied. The copy is
 * written out field by field from `state` (an object spread with overrides takes V8's slow path,
 * and this runs several times per block), then only the patch's own keys are applied: patches
 * come in many shapes, and reading all fifteen names from each was the costly part. A field that
 * is never undefined keeps its value when the patch gives undefined; those in `CLEARABLE` take
 * it. `rest`, when given, is the rest phase it now enters.
 */
export function withState(state: ClientState, patch: Partial<ClientState>, rest?: RestPhase): ClientState {
  const next: { -readonly [K in keyof ClientState]: ClientState[K] } = {
    phase: state.phase,
    status: state.status,
    runningVersion: state.runningVersion,
    target: state.target,
    fileOffset: state.fileOffset,
    attempts: state.attempts,
    aborts: state.aborts,
    outstanding: state.outstanding,
    outcome: state.outcome,
    blockPeriodMs: state.blockPeriodMs,
    tsn: state.tsn,
    rest: state.rest,
    pageEnd: state.pageEnd,
    heldReaction: state.heldReaction,
    refusedImage: state.refusedImage,
  };
  const fields = next as unknown as Record<string, unknown>;
  const given = patch as unknown as Readonly<Record<string, unknown>>;
  for (const key in given) {
    const value = given[key];
    if (value !== undefined || CLEARABLE.has(key)) fields[key] = value;
  }
  if (rest !== undefined) next.rest = rest;
  return next;
}

/** The one place where the client's phase and status change; records the transition. */
export function go(
  state: ClientState,
  patch: Partial<ClientState> & { phase: ClientPhase },
  reason: string,
  effects: ClientEffect[],
): ClientState {
  const next = withState(state, patch, isRestPhase(patch.phase) ? patch.phase : undefined);
  if (next.phase !== state.phase || next.status !== state.status)
    effects.push({
      type: 'transition',
      from: `${state.phase}/${state.status}`,
      to: `${next.phase}/${next.status}`,
      reason,
    });
  return next;
}
