/**
 * What a device's firmware does when an image is activated on it, inside a run: the
 * manufacturer's behaviour file (`pathways/behaviour.ts`) resolved for one device, keeping track
 * of the CPL entry it runs. The runtime asks it once an image has passed the device's checks —
 * the client is told then what running the image will do — and tells it when the device runs
 * one. A firmware that refuses itself leaves the old one running; one that bricks or degrades
 * runs with functions lost; either way the run goes on from there, as a real device would.
 */
import { type Behaviour, outcomeOf, type Reaction } from '../pathways/behaviour.ts';
import type { TraceEvent } from './trace.ts';

/** The trace notes of what a firmware did as it ran (the runtime writes them, reports read them). */
export const FIRMWARE_NOTE = {
  refuse: 'firmware refused to run',
  brick: 'firmware bricked the device',
  degrade: 'firmware degraded the device',
} as const satisfies Record<Reaction['kind'], string>;

/** What a firmware did, when `e` is one of its notes (`FIRMWARE_NOTE`). */
export function reactionOfNote(e: TraceEvent): Reaction | undefined {
  if (e.kind !== 'note') return undefined;
  if (e.what === FIRMWARE_NOTE.refuse) return { kind: 'refuse' };
  const kind =
    e.what === FIRMWARE_NOTE.brick ? 'brick' : e.what === FIRMWARE_NOTE.degrade ? 'degrade' : undefined;
  return kind && { kind, functions: String(e.detail?.functionsLost).split(', ') };
}

/** The image a device holds, verified: its file's SHA-256 (real images) or its key (simulated ones). */
export interface HeldImage {
  readonly fileVersion: number;
  /** SHA-256 of the file, lowercase hex, when its bytes were kept. */
  readonly sha256?: string;
  /** The simulated image's key, for a campaign's images. */
  readonly key?: string;
}

/** A device's firmware knowledge in a run. */
export type FirmwareSpec =
  | {
      /** A scenario's device: its behaviour file and how its images map to CPL entries. */
      readonly kind: 'behaviour';
      readonly behaviour: Behaviour;
      /** The entry it runs at the start. */
      readonly entry: string;
      /** Entry by the SHA-256 of its file (hex): one version may be published twice. */
      readonly entryOfFile: ReadonlyMap<string, string>;
      /** Entry by file version, for images whose bytes are not kept. */
      readonly entryOfVersion: ReadonlyMap<number, string>;
    }
  | {
      /**
       * A campaign's device: its behaviour file resolved along its planned hops, by image key —
       * the hop whose activation does not go cleanly, and what it does.
       */
      readonly kind: 'planned';
      readonly hopKeys: readonly string[];
      readonly hop: number;
      readonly reaction: Reaction;
    };

/** The firmware of one device in a run: it owns the entry (or hop) the device is at. */
export class DeviceFirmware {
  readonly #spec: FirmwareSpec;
  #entry: string | undefined;
  #hop = 0;

  /** The firmware of a device described by `spec`. */
  constructor(spec: FirmwareSpec) {
    this.#spec = spec;
    this.#entry = spec.kind === 'behaviour' ? spec.entry : undefined;
  }

  /** The CPL entry the device runs, when its images name entries. */
  get entry(): string | undefined {
    return this.#entry;
  }

  /** The CPL entry `held` is, when its images name entries. */
  entryOf(held: HeldImage): string | undefined {
    const spec = this.#spec;
    if (spec.kind !== 'behaviour') return undefined;
    return (
      (held.sha256 !== undefined ? spec.entryOfFile.get(held.sha256) : undefined) ??
      spec.entryOfVersion.get(held.fileVersion)
    );
  }

  /** What running `held` would do, from what the device runs now; undefined when it upgrades cleanly. */
  reactionTo(held: HeldImage): Reaction | undefined {
    const spec = this.#spec;
    if (spec.kind === 'planned')
      return this.#hop === spec.hop && held.key === spec.hopKeys[this.#hop] ? spec.reaction : undefined;
    const target = this.entryOf(held);
    if (target === undefined || this.#entry === undefined) return undefined;
    const outcome = outcomeOf(spec.behaviour, target, this.#entry);
    return outcome === undefined || outcome.kind === 'accept' ? undefined : outcome;
  }

  /** The device now runs `held`. */
  ran(held: HeldImage): void {
    const spec = this.#spec;
    if (spec.kind === 'planned') {
      if (held.key === spec.hopKeys[this.#hop]) this.#hop++;
      return;
    }
    this.#entry = this.entryOf(held);
  }
}
