/**
 * The frame transport (DESIGN.md §3): every frame encoded to ZCL bytes by the codec, put on the
 * device's link (airtime, latency, jitter, loss, duplicates, duty cycle), held by the parent
 * until a sleepy device wakes, decoded on arrival, recorded in the trace with its fate, and
 * captured for a pcap when asked. It is the truth the other transports are measured against.
 */
import type { ServedImage } from '../hub/ota-server.ts';
import type { OtaFrame } from '../ota/commands.ts';
import { decodeOtaFrame, encodeOtaFrame } from '../ota/frame-codec.ts';
import type { DeviceRuntime } from './device-runtime.ts';
import type { CapturedFrame } from './pcap.ts';
import {
  blockResponse,
  HUB_NODE,
  handOver,
  type RuntimePort,
  scheduleArrivals,
  type Transport,
  type TransportEvent,
} from './transport.ts';
import type { StackAddressing } from './zigbee-stack.ts';

const HUB_ADDRESS = 0x0000;
const OTA_ENDPOINT = 1;

/** Frames as bytes over simulated links. */
export class FrameTransport implements Transport {
  readonly #port: RuntimePort;
  readonly #captured: CapturedFrame[] = [];
  readonly #hubCounters = { mac: 0, nwk: 0, aps: 0 };

  /** The transport of the run behind `port`. */
  constructor(port: RuntimePort) {
    this.#port = port;
  }

  /** What went on the air, when the run captures. */
  captured(): readonly CapturedFrame[] {
    return this.#captured;
  }

  /** Encodes a frame and puts it on the link; schedules the copies that arrive. */
  send(from: string, to: string, frame: OtaFrame): void {
    const bytes = encodeOtaFrame(frame);
    const toHub = to === HUB_NODE;
    const device = this.#port.device(toHub ? from : to);
    const direction = toHub ? device.up : device.down;
    const now = this.#port.clock.now;
    const arrivals = direction.send(bytes.length, now, toHub ? device.rng.up : device.rng.down);
    this.#port.countFrame(device, toHub);
    if (this.#port.capture) this.#capture(from, device, bytes, now);
    if (arrivals.length === 0) {
      const command = frame.command.name;
      this.#port.trace.record({
        kind: 'frame',
        timeUs: now,
        sentUs: now,
        from,
        to,
        command,
        fate: 'lost',
        bytes,
      });
      return;
    }
    scheduleArrivals(this.#port, device, toHub, arrivals, {
      type: 'bytes',
      from,
      to,
      bytes,
      ...(frame.broadcast && { broadcast: true }),
      sentUs: now,
      duplicate: false,
      expired: false,
    });
  }

  /** An Image Block Response with the bytes read from hub memory. */
  sendBlock(to: string, image: ServedImage, fileOffset: number, length: number, tsn: number): void {
    this.send(HUB_NODE, to, blockResponse(this.#port, to, image, fileOffset, length, tsn));
  }

  /** Bytes arriving: decoded, recorded, handed to the node. */
  handle(event: TransportEvent): void {
    if (event.type !== 'bytes') throw new RangeError(`frame transport: no ${event.type} events`);
    const decoded = decodeOtaFrame(event.bytes);
    const command = decoded.ok ? decoded.frame.command.name : 'unknown';
    this.#port.trace.record({
      kind: 'frame',
      timeUs: this.#port.clock.now,
      sentUs: event.sentUs,
      from: event.from,
      to: event.to,
      command,
      fate: event.expired
        ? 'expired'
        : decoded.ok
          ? event.duplicate
            ? 'duplicate'
            : 'delivered'
          : 'malformed',
      bytes: event.bytes,
    });
    if (event.expired) return;
    handOver(this.#port, event.from, event.to, event.bytes, decoded, event.broadcast);
  }

  /** Every block request reached the hub as a frame: nothing to bring up to date. */
  beforeHubTimer(): void {}

  #capture(from: string, device: DeviceRuntime, zcl: Uint8Array, timeUs: number): void {
    const fromHub = from === HUB_NODE;
    const counters = fromHub ? this.#hubCounters : device.counters;
    counters.mac = (counters.mac + 1) & 0xff;
    counters.nwk = (counters.nwk + 1) & 0xff;
    counters.aps = (counters.aps + 1) & 0xff;
    const addressing: StackAddressing = {
      source: fromHub ? HUB_ADDRESS : device.address,
      destination: fromHub ? device.address : HUB_ADDRESS,
      sourceEndpoint: OTA_ENDPOINT,
      destinationEndpoint: OTA_ENDPOINT,
      macSequence: counters.mac,
      nwkSequence: counters.nwk,
      apsCounter: counters.aps,
    };
    this.#captured.push({ timeUs, zcl, addressing });
  }
}
