/**
 * The manual transport (DESIGN.md §3): frames are encoded by the codec and held in flight until
 * a test delivers, drops, duplicates or reorders them by hand. Nothing reaches a node unless the
 * test says so; time moves only when the test fires the runtime's next event. Tests can also put
 * frames of their own in flight, from an independent implementation standing in for a node.
 */
import type { ServedImage } from '../hub/ota-server.ts';
import type { OtaFrame } from '../ota/commands.ts';
import { decodeOtaFrame, encodeOtaFrame } from '../ota/frame-codec.ts';
import {
  blockResponse,
  HUB_NODE,
  handOver,
  type RuntimePort,
  type Transport,
  type TransportEvent,
} from './transport.ts';

/** A frame on its way. */
export interface InFlight {
  readonly from: string;
  readonly to: string;
  readonly bytes: Uint8Array;
  /** Sent to the broadcast address (see `OtaFrame.broadcast`). */
  readonly broadcast?: boolean;
}

/** Frames held for a test. */
export class ManualTransport implements Transport {
  /** The frames in flight, oldest first. */
  readonly inFlight: InFlight[] = [];
  readonly #port: RuntimePort;

  /** The transport of the run behind `port`. */
  constructor(port: RuntimePort) {
    this.#port = port;
  }

  /** Encodes the frame and holds it. */
  send(from: string, to: string, frame: OtaFrame): void {
    const toHub = to === HUB_NODE;
    this.#port.countFrame(this.#port.device(toHub ? from : to), toHub);
    this.inFlight.push({
      from,
      to,
      bytes: encodeOtaFrame(frame),
      ...(frame.broadcast && { broadcast: true }),
    });
  }

  /** An Image Block Response with the bytes read from hub memory, held like any frame. */
  sendBlock(to: string, image: ServedImage, fileOffset: number, length: number, tsn: number): void {
    this.send(HUB_NODE, to, blockResponse(this.#port, to, image, fileOffset, length, tsn));
  }

  /** Nothing of this transport's is ever on the clock. */
  handle(event: TransportEvent): void {
    throw new RangeError(`manual transport: no ${event.type} events`);
  }

  /** Every block request reached the hub as a frame: nothing to bring up to date. */
  beforeHubTimer(): void {}

  /** Takes frame `index` (modulo the number in flight) out of flight, undelivered. */
  take(index: number): InFlight | undefined {
    if (this.inFlight.length === 0) return undefined;
    return this.inFlight.splice(index % this.inFlight.length, 1)[0];
  }

  /** Hands `frame` to its destination now, as the codec decodes it (bytes that do not decode are refused, as on the air). */
  deliver(frame: InFlight): void {
    const decoded = decodeOtaFrame(frame.bytes);
    this.#record(
      frame,
      decoded.ok ? decoded.frame.command.name : 'unknown',
      decoded.ok ? 'delivered' : 'malformed',
    );
    handOver(this.#port, frame.from, frame.to, frame.bytes, decoded, frame.broadcast);
  }

  /** The trace's record of `frame` reaching its destination now. */
  #record(frame: InFlight, command: string, fate: 'delivered' | 'malformed'): void {
    this.#port.trace.record({
      kind: 'frame',
      timeUs: this.#port.clock.now,
      sentUs: this.#port.clock.now,
      from: frame.from,
      to: frame.to,
      command,
      fate,
      bytes: frame.bytes,
    });
  }
}
