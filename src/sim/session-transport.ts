/**
 * The session transport (DESIGN.md §3): commands travel as values, not bytes; each is timed by
 * the same link model as the frame transport (airtime from the length the codec would encode,
 * latency, jitter, loss, duplicates) and handed to the same step functions. Only the
 * block-by-block download collapses: when the hub serves a block, the run of exchanges that
 * follows — each request sent as the response before arrives (or after the device's block
 * period), responses to a sleepy device held until it wakes, or dropped after the parent's
 * indirect transmission timeout and asked for again at its next wake — is computed in one go and handed
 * over as one `blocks` event to the client and one `served` event to the hub.
 *
 * A run stops short of anything that could change it: the next scheduled change to the run
 * (power, links, hub restarts, evictions, later distributions and their Image Notifies), the
 * offset at which the device is to lose power, a radio still busy with an earlier frame, and a
 * hub that would not serve requests at the run's pace. The exchange that straddles such a point
 * goes as ordinary values, so on loss-free links without jitter the session transport gives the
 * frame transport's events and times exactly (a property test checks it). On lossy links a run
 * draws its lost exchanges once (`lost-exchanges.ts`), each costing the response timeout while
 * the device is awake: an estimate, measured against the frame transport in BENCHMARKS.md.
 */
import { acceptsRequestAfter, type ServedImage } from '../hub/ota-server.ts';
import type { OtaCommand, OtaFrame } from '../ota/commands.ts';
import { frameLength } from '../ota/frame-codec.ts';
import { advanceBlockRun, type BlockRun } from './block-run.ts';
import type { DeviceRuntime } from './device-runtime.ts';
import { airtimeUs, nextAwake } from './link.ts';
import { lostExchanges } from './lost-exchanges.ts';
import {
  blockResponse,
  HUB_NODE,
  type RuntimePort,
  scheduleArrivals,
  type Transport,
  type TransportEvent,
} from './transport.ts';

/** A computed run of block exchanges in flight. */
interface Run {
  readonly id: number;
  readonly image: ServedImage;
  /** Its timing, from the first block served. */
  readonly model: BlockRun;
  /** Bytes the run delivers. */
  readonly length: number;
  /** Blocks in it. */
  readonly blocks: number;
  /** When the last request of the run reaches the hub, µs. */
  readonly lastRequestUs: number;
  /** Attempts lost on the way (each resent after the response timeout). */
  readonly lost: number;
  /** Responses dropped at a sleepy device's parent (each asked for again at its next wake). */
  readonly dropped: number;
  /** When each lost attempt's retry is sent, µs, ascending (the hub hears the device then). */
  readonly retriesUs: readonly number[];
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

/** An Image Block Response carrying `data` bytes: its fixed fields, then the data. */
function blockResponseLength(image: ServedImage, data: number): number {
  return (
    frameLength({
      name: 'imageBlockResponse',
      status: 'SUCCESS',
      manufacturerCode: image.manufacturerCode,
      imageType: image.imageType,
      fileVersion: image.fileVersion,
      fileOffset: 0,
      data: NO_DATA,
    } satisfies OtaCommand) + data
  );
}

const NO_DATA = new Uint8Array(0);

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
    const now = this.#port.clock.now;
    const arrivals = direction.send(frameLength(frame.command), now, toHub ? device.rng.up : device.rng.down);
    this.#port.countFrame(device, toHub);
    if (arrivals.length === 0) {
      this.#record(now, now, from, to, frame.command, 'lost');
      return;
    }
    scheduleArrivals(this.#port, device, toHub, arrivals, {
      type: 'command',
      from,
      to,
      frame,
      sentUs: now,
      duplicate: false,
      expired: false,
    });
  }

  /** The hub serves a block: the run of exchanges from here is computed, or this one block goes as a value. */
  sendBlock(to: string, image: ServedImage, fileOffset: number, length: number, tsn: number): void {
    const device = this.#port.device(to);
    const run = this.#plan(device, image, fileOffset, length);
    if (!run) {
      this.send(HUB_NODE, to, blockResponse(this.#port, to, image, fileOffset, length, tsn));
      return;
    }
    this.#runs.set(to, run.run);
    // The run's lost exchanges are in its timing: the device's response timer has nothing to time
    // until the run ends, when the client's next request arms it again. (Left armed, it would fire
    // mid-run and be ignored: an event per run for nothing.)
    device.timers.cancel('response');
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
        event.expired ? 'expired' : event.duplicate ? 'duplicate' : 'delivered',
      );
      if (!event.expired) this.#port.receive(event.from, event.to, event.frame);
      return;
    }
    const run = this.#runs.get(event.node);
    if (!run || run.id !== event.run) return;
    this.#runs.delete(event.node);
    const device = this.#port.device(event.node);
    // The run's first request was sent as a value (and counted); each lost attempt resent one.
    this.#port.countFrame(device, true, run.blocks - 1 + run.lost + run.dropped);
    this.#port.countFrame(device, false, run.blocks + run.lost + run.dropped);
    this.#port.hubEvent({ type: 'served', device: event.node, lastRequestUs: run.lastRequestUs });
    this.#port.deliverBlocks(
      event.node,
      run.model.fileOffset,
      this.#port.readBlock(event.node, run.image, run.model.fileOffset, run.length),
    );
  }

  /**
   * The hub's idle timer sees the requests of a run in flight that have reached it by now (those
   * whose blocks have arrived: within one exchange of the frame transport's time).
   */
  beforeHubTimer(device: string): void {
    const run = this.#runs.get(device);
    if (!run) return;
    const now = this.#port.clock.now;
    const progress = advanceBlockRun(run.model, now + 1, Number.POSITIVE_INFINITY);
    let lastRetry = -1;
    for (const t of run.retriesUs) if (t <= now) lastRetry = t;
    const lastRequestUs = Math.max(progress.lastRequestUs, lastRetry);
    if (lastRequestUs >= 0) this.#port.hubEvent({ type: 'served', device, lastRequestUs });
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
    if (fileOffset + length >= image.size) return undefined;
    // A page's blocks come unasked, spaced by the hub's page timer: they go as values.
    if (device.state.outstanding?.name === 'imagePageRequest') return undefined;
    // A radio still busy with an earlier frame (an Image Notify) delays this block: it goes as a value.
    if (device.down.busyUntil > now || device.up.busyUntil > now) return undefined;
    const link = device.up.profile;
    const timeoutUs = device.spec.profile.responseTimeoutMs * 1000;
    const periodUs = (device.state.blockPeriodMs ?? 0) * 1000;
    const frameUs = (zclLength: number) =>
      airtimeUs(zclLength, link.band) + link.latencyUs + Math.floor(link.jitterUs / 2);
    const lastData = (image.size - fileOffset) % length || length;
    const model: BlockRun = {
      startUs: now,
      fileOffset,
      end: image.size,
      chunk: length,
      upUs: frameUs(blockRequestLength(image)),
      downUs: frameUs(blockResponseLength(image, length)),
      lastDownUs: frameUs(blockResponseLength(image, lastData)),
      periodUs,
      ...(device.wake && { wake: device.wake, timeoutUs }),
    };
    const hub = this.#port.hubConfigOf(device.spec.node);
    if (!acceptsRequestAfter(hub, model.upUs + model.downUs + periodUs)) return undefined;
    const powerLossAt = device.pendingPowerLoss[0] ?? Number.POSITIVE_INFINITY;
    const progress = advanceBlockRun(model, this.#port.nextInterruptionUs(), powerLossAt);
    if (progress.blocks < 2) return undefined;
    // Each lost attempt costs the response timeout, taken after the run's last response. A sleepy
    // device's timer runs only while it is awake: a timeout that ends after its window closes
    // is over at its next wake. (On lossy links the run is an estimate; its last retries may
    // also cross the horizon.)
    const lost = lostExchanges(progress.blocks, link.lossProbability, device.rng.down);
    let endUs = progress.lastResponseUs;
    const retriesUs: number[] = [];
    for (let k = 0; k < lost; k++) {
      endUs = nextAwake(device.wake, endUs + timeoutUs);
      retriesUs.push(endUs);
    }
    const run: Run = {
      id: this.#nextRun++,
      image,
      model,
      length: progress.offset - fileOffset,
      blocks: progress.blocks,
      // The retries reach the hub too: its idle timer must not take a retrying device for gone.
      lastRequestUs: Math.max(progress.lastRequestUs, retriesUs.at(-1) ?? -1),
      lost,
      retriesUs,
      dropped: progress.dropped,
    };
    return { run, endUs };
  }

  #record(
    timeUs: number,
    sentUs: number,
    from: string,
    to: string,
    command: OtaCommand,
    fate: 'lost' | 'delivered' | 'duplicate' | 'expired',
  ): void {
    if (!this.#port.trace.keeps) return;
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
