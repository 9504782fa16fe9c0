/**
 * The session transport (DESIGN.md §3): commands travel as values, not bytes; each is timed by
 * the same link model as the frame transport (airtime from the length the codec would encode,
 * latency, jitter, loss, duplicates) and handed to the same step functions. Only the
 * block-by-block download collapses: when the hub serves a block, the run of exchanges that
 * follows — each request sent as the response before arrives (or after the device's block
 * period), responses to a sleepy device held until it wakes — is computed in one go and handed
 * over as one `blocks` event to the client and one `served` event to the hub.
 *
 * A run stops short of anything that could change it: the next scheduled change to the run
 * (power, links, hub restarts, evictions), the offset at which the device is to lose power, and
 * a hub that would not serve requests at the run's pace. The exchange that straddles such a
 * point goes as ordinary values, so on loss-free links without jitter the session transport
 * gives the frame transport's events and times exactly (a property test checks it). On lossy
 * links a run draws its retries once (the closed form of `campaign/transfer-time.ts`): an
 * estimate, measured against the frame transport in BENCHMARKS.md.
 */
import { acceptsRequestAfter, type ServedImage } from '../hub/ota-server.ts';
import type { OtaCommand, OtaFrame } from '../ota/commands.ts';
import { frameLength } from '../ota/frame-codec.ts';
import type { DeviceRuntime } from './device-runtime.ts';
import { airtimeUs, nextAwake } from './link.ts';
import { lostExchanges } from './lost-exchanges.ts';
import { HUB_NODE, type RuntimePort, type Transport, type TransportEvent } from './transport.ts';

/** A computed run of block exchanges in flight. */
interface Run {
  readonly id: number;
  readonly image: ServedImage;
  readonly fileOffset: number;
  /** Bytes the run delivers. */
  readonly length: number;
  /** Attempts lost on the way (each resent after the response timeout). */
  readonly lost: number;
  /** When the last request of the run reaches the hub, µs. */
  readonly lastRequestUs: number;
  /** The request arrival times at the hub, for the hub's idle timer: first, and exchange period. */
  readonly arrivalsUs: readonly number[];
}

/** The block request a device sends for `length` bytes at `fileOffset` (its length is all that matters). */
function blockRequestLength(image: ServedImage): number {
  return frameLength({
    name: 'imageBlockRequest',
    manufacturerCode: image.manufacturerCode,
    imageType: image.imageType,
    fileVersion: image.fileVersion,
    fileOffset: 0,
    maximumDataSize: 0,
  });
}

function blockResponseLength(image: ServedImage, data: number): number {
  return frameLength({
    name: 'imageBlockResponse',
    status: 'SUCCESS',
    manufacturerCode: image.manufacturerCode,
    imageType: image.imageType,
    fileVersion: image.fileVersion,
    fileOffset: 0,
    data: new Uint8Array(data),
  } satisfies OtaCommand);
}

/** Commands as values; downloads as computed runs. */
export class SessionTransport implements Transport {
  readonly #port: RuntimePort;
  readonly #runs = new Map<string, Run>();
  #nextRun = 0;

  /** The transport of the run behind `port`. */
  constructor(port: RuntimePort) {
    this.#port = port;
  }

  /** Puts a command on the link model; schedules the copies that arrive. */
  send(from: string, to: string, frame: OtaFrame): void {
    const toHub = to === HUB_NODE;
    const device = this.#port.device(toHub ? from : to);
    const direction = toHub ? device.up : device.down;
    const clock = this.#port.clock;
    const now = clock.now;
    const arrivals = direction.send(frameLength(frame.command), now, toHub ? device.rng.up : device.rng.down);
    this.#port.countFrame(device, toHub);
    if (arrivals.length === 0) {
      this.#record(now, now, from, to, frame.command, 'lost');
      return;
    }
    for (let copy = 0; copy < arrivals.length; copy++) {
      const at = arrivals[copy] as number;
      const when = toHub ? at : nextAwake(device.wake, at);
      clock.schedule(when, {
        kind: 'transport',
        event: { type: 'command', from, to, frame, sentUs: now, duplicate: copy > 0 },
      });
    }
  }

  /** The hub serves a block: the run of exchanges from here is computed, or this one block goes as a value. */
  sendBlock(to: string, image: ServedImage, fileOffset: number, length: number, tsn: number): void {
    const device = this.#port.device(to);
    const run = this.#plan(device, image, fileOffset, length);
    if (!run) {
      this.send(HUB_NODE, to, {
        transactionSequence: tsn,
        command: {
          name: 'imageBlockResponse',
          status: 'SUCCESS',
          manufacturerCode: image.manufacturerCode,
          imageType: image.imageType,
          fileVersion: image.fileVersion,
          fileOffset,
          data: this.#port.readBlock(to, image, fileOffset, length),
        },
      });
      return;
    }
    this.#runs.set(to, run.run);
    this.#port.clock.schedule(run.endUs, {
      kind: 'transport',
      event: { type: 'transfer', node: to, run: run.run.id },
    });
  }

  /** A command arriving, or the end of a run. */
  handle(event: TransportEvent): void {
    if (event.type === 'bytes') throw new RangeError('session transport: no byte frames');
    if (event.type === 'command') {
      this.#record(
        this.#port.clock.now,
        event.sentUs,
        event.from,
        event.to,
        event.frame.command,
        event.duplicate ? 'duplicate' : 'delivered',
      );
      this.#port.receive(event.from, event.to, event.frame);
      return;
    }
    const run = this.#runs.get(event.node);
    if (!run || run.id !== event.run) return;
    this.#runs.delete(event.node);
    const device = this.#port.device(event.node);
    // The run's first request was sent as a value (and counted); each lost attempt resent one.
    const requests = run.arrivalsUs.length - 1 + run.lost;
    for (let k = 0; k < requests; k++) this.#port.countFrame(device, true);
    for (let k = 0; k < run.arrivalsUs.length + run.lost; k++) this.#port.countFrame(device, false);
    this.#port.hubEvent({ type: 'served', device: event.node, lastRequestUs: run.lastRequestUs });
    this.#port.deliverBlocks(
      event.node,
      run.fileOffset,
      this.#port.readBlock(event.node, run.image, run.fileOffset, run.length),
    );
  }

  /** The hub's idle timer sees the requests of a run in flight that have reached it by now. */
  beforeHubTimer(device: string): void {
    const run = this.#runs.get(device);
    if (!run) return;
    const now = this.#port.clock.now;
    let last: number | undefined;
    for (const at of run.arrivalsUs) {
      if (at > now) break;
      last = at;
    }
    if (last !== undefined) this.#port.hubEvent({ type: 'served', device, lastRequestUs: last });
  }

  /** Whether a run is in flight for `node` (its response timer then waits for the run). */
  carriesRun(node: string): boolean {
    return this.#runs.has(node);
  }

  /**
   * The run of exchanges starting with the block served now: every block whose response reaches
   * the device before the next interruption, the power-loss offset or the image's end. Undefined
   * when fewer than two blocks would be in it.
   */
  #plan(
    device: DeviceRuntime,
    image: ServedImage,
    fileOffset: number,
    length: number,
  ): { run: Run; endUs: number } | undefined {
    const now = this.#port.clock.now;
    const chunk = length;
    const end = image.size;
    if (fileOffset + chunk >= end) return undefined;
    const link = device.up.profile;
    const periodUs = (device.state.blockPeriodMs ?? 0) * 1000;
    const upUs =
      airtimeUs(blockRequestLength(image), link.band) + link.latencyUs + Math.floor(link.jitterUs / 2);
    const downUs = (data: number) =>
      airtimeUs(blockResponseLength(image, data), link.band) + link.latencyUs + Math.floor(link.jitterUs / 2);
    const fullDownUs = downUs(chunk);
    if (!acceptsRequestAfter(this.#port.hubConfigOf(device.spec.node), upUs + fullDownUs + periodUs))
      return undefined;
    const horizon = this.#port.nextInterruptionUs();
    const powerLossAt = device.pendingPowerLoss[0] ?? Number.POSITIVE_INFINITY;
    const arrivals: number[] = [];
    let at = now;
    let offset = fileOffset;
    let responseUs = now;
    for (;;) {
      const data = Math.min(chunk, end - offset);
      const arrives = nextAwake(device.wake, at + (data === chunk ? fullDownUs : downUs(data)));
      if (arrives >= horizon) break;
      arrivals.push(at);
      responseUs = arrives;
      offset += data;
      if (offset >= end || offset >= powerLossAt) break;
      const send = periodUs > 0 ? nextAwake(device.wake, arrives + periodUs) : arrives;
      at = send + upUs;
    }
    if (arrivals.length < 2) return undefined;
    // Lost attempts each cost the response timeout, at the end of the run (its last retry may
    // then cross the horizon: on lossy links the run is an estimate).
    const lost = lostExchanges(arrivals.length, link.lossProbability, device.rng.down);
    if (lost > 0)
      responseUs = nextAwake(device.wake, responseUs + lost * device.spec.profile.responseTimeoutMs * 1000);
    const run: Run = {
      id: this.#nextRun++,
      image,
      fileOffset,
      length: offset - fileOffset,
      lost,
      lastRequestUs: arrivals[arrivals.length - 1] as number,
      arrivalsUs: arrivals,
    };
    return { run, endUs: responseUs };
  }

  #record(
    timeUs: number,
    sentUs: number,
    from: string,
    to: string,
    command: OtaCommand,
    fate: 'lost' | 'delivered' | 'duplicate',
  ): void {
    this.#port.trace.record({
      kind: 'frame',
      timeUs,
      sentUs,
      from,
      to,
      command: command.name,
      fate,
      ...('status' in command && { status: command.status }),
    });
  }
}
