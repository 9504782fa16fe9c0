/**
 * The trace of a run (DESIGN.md §3): every frame with its time, source, destination, bytes and
 * fate on the link, and every state change of every node with its reason. Exported as JSON
 * Lines; the same inputs and seed give the same lines byte for byte.
 */
import { toHex } from '../bytes/hex.ts';

/** What happened to a frame on the link. */
/** What became of a frame; `expired`: held at a sleepy device's parent too long and dropped. */
export type FrameFate = 'delivered' | 'lost' | 'duplicate' | 'malformed' | 'expired';

/** A frame sent by one node to another. */
export interface FrameEvent {
  readonly kind: 'frame';
  /** Simulated time of delivery (or of loss), µs. */
  readonly timeUs: number;
  /** When the sender handed it to the link, µs. */
  readonly sentUs: number;
  readonly from: string;
  readonly to: string;
  /** The OTA command name, or `unknown`. */
  readonly command: string;
  readonly fate: FrameFate;
  /** The ZCL frame (absent when the session transport carried the command as a value). */
  readonly bytes?: Uint8Array;
  /** The command's status, when the session transport carried it as a value. */
  readonly status?: string;
}

/** A node's state changing. */
export interface StateEvent {
  readonly kind: 'state';
  readonly timeUs: number;
  readonly node: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

/** Something a node records that is not a state change (a block stored, a refusal). */
export interface NoteEvent {
  readonly kind: 'note';
  readonly timeUs: number;
  readonly node: string;
  readonly what: string;
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

/** One trace event. */
export type TraceEvent = FrameEvent | StateEvent | NoteEvent;

/** Collects the events of one run in order. */
export class Trace {
  readonly #events: TraceEvent[] = [];

  /** Whether events are kept (a run builds none for a trace that keeps nothing). */
  get keeps(): boolean {
    return true;
  }

  /** Appends an event. */
  record(event: TraceEvent): void {
    this.#events.push(event);
  }

  /** The events so far, in order. */
  get events(): readonly TraceEvent[] {
    return this.#events;
  }

  /** The frame events. */
  frames(): FrameEvent[] {
    return this.#events.filter((e): e is FrameEvent => e.kind === 'frame');
  }

  /** The state events of `node`. */
  states(node: string): StateEvent[] {
    return this.#events.filter((e): e is StateEvent => e.kind === 'state' && e.node === node);
  }

  /** JSON Lines: one event per line, frame bytes as lowercase hex. */
  toJsonLines(): string {
    return this.#events
      .map((e) => JSON.stringify(e.kind === 'frame' && e.bytes ? { ...e, bytes: toHex(e.bytes) } : e))
      .map((line) => `${line}\n`)
      .join('');
  }
}

/** A trace that keeps nothing: for campaigns over millions of devices, which read outcomes from the nodes. */
export class DiscardingTrace extends Trace {
  override get keeps(): boolean {
    return false;
  }

  /** Drops the event. */
  override record(): void {}
}

/**
 * The version a state change activated, when it is an activation (into `upgraded`, "running
 * 0x…"); undefined for any other, such as a device returning to `upgraded` after a poll.
 */
export function activatedVersion(e: TraceEvent): number | undefined {
  if (e.kind !== 'state' || !e.to.startsWith('upgraded')) return undefined;
  const running = /running 0x([0-9a-f]{8})/.exec(e.reason);
  return running ? Number.parseInt(running[1] as string, 16) : undefined;
}
