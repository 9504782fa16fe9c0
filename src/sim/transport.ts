/**
 * The port between the node runtime and a transport (DESIGN.md §3 "One engine, several
 * transports"). The runtime runs the state machines and carries out their effects; a transport
 * carries the frames they send — as bytes over a simulated link (frame), as command values with
 * the block-by-block download computed as one transfer (session), or held for a test to deliver,
 * drop, duplicate and reorder by hand (manual).
 */
import type { HubConfig, HubEvent, ServedImage } from '../hub/ota-server.ts';
import { type OtaFrame, ZCL_GLOBAL_COMMAND_ID } from '../ota/commands.ts';
import type { DecodeFrameResult } from '../ota/frame-codec.ts';
import type { VirtualClock } from './clock.ts';
import type { DeviceRuntime, SimEvent } from './device-runtime.ts';
import { heldUntil, INDIRECT_HOLD_US } from './link.ts';
import type { CapturedFrame } from './pcap.ts';
import type { Trace } from './trace.ts';

/** The hub's node name. */
export const HUB_NODE = 'hub';

/** What a transport schedules on the clock for itself. */
export type TransportEvent =
  /** Bytes arriving (frame transport). */
  | {
      readonly type: 'bytes';
      readonly from: string;
      readonly to: string;
      readonly bytes: Uint8Array;
      /** Sent to the broadcast address (see `OtaFrame.broadcast`). */
      readonly broadcast?: boolean;
      readonly sentUs: number;
      readonly duplicate: boolean;
      /** Held at a sleepy device's parent past the indirect transmission timeout: dropped, not delivered. */
      readonly expired: boolean;
    }
  /** A command arriving as a value (session transport). */
  | {
      readonly type: 'command';
      readonly from: string;
      readonly to: string;
      readonly frame: OtaFrame;
      readonly sentUs: number;
      readonly duplicate: boolean;
      /** As for bytes. */
      readonly expired: boolean;
    }
  /** The end of a computed run of block exchanges (session transport). */
  | { readonly type: 'transfer'; readonly node: string; readonly run: number };

/** What a receiver can read of a frame it cannot take: its header, and why it refuses it. */
export interface UndecodedFrame {
  readonly transactionSequence: number;
  readonly commandId: number;
  readonly status: 'MALFORMED_COMMAND' | 'UNSUP_COMMAND';
}

/** The header of undecodable `bytes` and why, when they hold a ZCL header (else nothing can be answered). */
function undecoded(bytes: Uint8Array, status: UndecodedFrame['status']): UndecodedFrame | undefined {
  // ZCL r8 §2.4.1: frame control, sequence number, command id (no manufacturer code: such frames
  // are refused before their command is read, and their command id would sit two bytes later).
  if (bytes.length < 3 || ((bytes[0] as number) & 0x04) !== 0) return undefined;
  // A Default Response is never answered with another (ZCL r8 §2.5.12.2).
  if (((bytes[0] as number) & 0x03) === 0 && bytes[2] === ZCL_GLOBAL_COMMAND_ID.defaultResponse)
    return undefined;
  return { transactionSequence: bytes[1] as number, commandId: bytes[2] as number, status };
}

/**
 * Bytes that reached `to`, decoded: the frame handed to it (marked broadcast when it was sent so),
 * or, when they do not decode, refused with what their header says.
 */
export function handOver(
  port: RuntimePort,
  from: string,
  to: string,
  bytes: Uint8Array,
  decoded: DecodeFrameResult,
  broadcast: boolean | undefined,
): void {
  if (decoded.ok) {
    port.receive(from, to, broadcast ? { ...decoded.frame, broadcast: true } : decoded.frame);
    return;
  }
  const header = undecoded(bytes, decoded.status);
  if (header) port.refused(from, to, header);
}

/** What the runtime offers a transport. */
export interface RuntimePort {
  readonly clock: VirtualClock<SimEvent>;
  readonly trace: Trace;
  /** Keep every transmission for a pcap. */
  readonly capture: boolean;
  device(node: string): DeviceRuntime;
  /** A frame reaching `to` (the hub or a device) now. */
  receive(from: string, to: string, frame: OtaFrame): void;
  /**
   * A frame reaching `to` now that does not decode as a command it takes: the hub answers with a
   * Default Response carrying `status` (ZCL r8 §2.5.12.2); a device ignores it.
   */
  refused(from: string, to: string, frame: UndecodedFrame): void;
  /** The OTA server settings of `node`'s hub. */
  hubConfigOf(node: string): HubConfig;
  /** A run of block responses reaching a device now, as one event. */
  deliverBlocks(node: string, fileOffset: number, data: Uint8Array): void;
  /** Hands the hub an event now. */
  hubEvent(event: HubEvent): void;
  /** Bytes of an image in the memory of `node`'s hub. */
  readBlock(node: string, image: ServedImage, fileOffset: number, length: number): Uint8Array;
  /** When the next scheduled change to the run (power, links, hub restarts, evictions) is due, µs. */
  nextInterruptionUs(): number;
  /** When the hub's idle timer of `device`'s download is due, µs (Infinity: not armed). */
  hubSessionDeadlineUs(device: string): number;
  /** Counts `count` (default 1) frames put on the air (`device` sent them when `toHub`). */
  countFrame(device: DeviceRuntime, toHub: boolean, count?: number): void;
}

/** How frames get from one node to another. */
export interface Transport {
  /** Sends a frame from `from` to `to` now. */
  send(from: string, to: string, frame: OtaFrame): void;
  /** The hub serves `length` bytes of `image` at `fileOffset` to `to`, answering its request `tsn`. */
  sendBlock(to: string, image: ServedImage, fileOffset: number, length: number, tsn: number): void;
  /** One of this transport's own events, due now. */
  handle(event: TransportEvent): void;
  /** Whether a computed run of block exchanges is in flight for `node`: its response timer then waits for the run. */
  carriesRun?(node: string): boolean;
  /** What went on the air, for transports that capture. */
  captured?(): readonly CapturedFrame[];
  /** Called before the hub judges `device`'s idle timer: bring the hub's view of the download up to now. */
  beforeHubTimer(device: string): void;
}

/** The Image Block Response that carries `length` bytes of `image` at `fileOffset` to `to`, answering request `tsn`. */
export function blockResponse(
  port: RuntimePort,
  to: string,
  image: ServedImage,
  fileOffset: number,
  length: number,
  tsn: number,
): OtaFrame {
  return {
    transactionSequence: tsn,
    command: {
      name: 'imageBlockResponse',
      status: 'SUCCESS',
      manufacturerCode: image.manufacturerCode,
      imageType: image.imageType,
      fileVersion: image.fileVersion,
      fileOffset,
      data: port.readBlock(to, image, fileOffset, length),
    },
  };
}

/**
 * Schedules the copies of a frame the link delivers (`arrivals`, none when it was lost) as
 * `event` (a duplicate as a copy of it marked so); frames for a sleepy device wait at its parent
 * until it wakes and polls, for the indirect transmission timeout at most: a copy held longer is
 * scheduled when it expires, marked so, and dropped there.
 */
export function scheduleArrivals(
  port: RuntimePort,
  device: DeviceRuntime,
  toHub: boolean,
  arrivals: readonly number[],
  event: Extract<TransportEvent, { duplicate: boolean }>,
): void {
  for (let copy = 0; copy < arrivals.length; copy++) {
    const at = arrivals[copy] as number;
    const handed = toHub ? at : heldUntil(device.wake, at);
    const copied = copy === 0 ? event : { ...event, duplicate: true };
    port.clock.schedule(handed ?? at + INDIRECT_HOLD_US, {
      kind: 'transport',
      event: handed === undefined ? { ...copied, expired: true } : copied,
    });
  }
}
