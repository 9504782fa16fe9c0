/**
 * The hubs' memory as the session driver counts it: per hub, which images are stored (one copy
 * each, however many devices want it) and how many blocks they take. The rule for freeing is the
 * frame driver's hub's (src/hub/memory.ts): an image is freed once its distribution is over —
 * here, once no device of that hub still needs it (every device due to install it has downloaded
 * it, given up or been dropped from the rollout). No block contents: only counts.
 */

interface Held {
  /** Devices of the hub that still need the image. */
  refs: number;
  stored: boolean;
  /** Blocks it takes while stored. */
  blocks: number;
}

/** Memory geometry of one hub. */
export interface HubGeometry {
  readonly blockCount: number;
  readonly blockSize: number;
}

/** Block counts of every hub of a session run, and the fullest hub per simulated day. */
export class HubStore {
  readonly #geometry: readonly HubGeometry[];
  readonly #held: Map<string, Held>[];
  readonly #used: number[];
  readonly #dayUs: number;
  #peak = 0;
  #day = 0;
  /**
   * The days as they started: from `day` on (until the next entry), each began with `blocks` in
   * use. One entry per jump of the clock, not per day: a distribution released in a window far
   * ahead jumps over days the run never reaches.
   */
  readonly #starts: { day: number; blocks: number }[] = [{ day: 0, blocks: 0 }];
  /** The most blocks in use during the days something was stored. */
  readonly #peaks = new Map<number, number>();

  constructor(geometry: readonly HubGeometry[], dayUs: number) {
    this.#geometry = geometry;
    this.#held = geometry.map(() => new Map());
    this.#used = geometry.map(() => 0);
    this.#dayUs = dayUs;
  }

  /** A device of `hub` will need image `key` (before any `store`). */
  need(hub: number, key: string): void {
    const map = this.#held[hub] as Map<string, Held>;
    const held = map.get(key);
    if (held) held.refs++;
    else map.set(key, { refs: 1, stored: false, blocks: 0 });
  }

  /** Whether image `key` is stored at `hub`. */
  has(hub: number, key: string): boolean {
    return this.#held[hub]?.get(key)?.stored === true;
  }

  /** Stores image `key` of `size` bytes at `hub` unless it is there; false when it does not fit. */
  store(hub: number, key: string, size: number, now: number): boolean {
    this.#advance(now);
    const map = this.#held[hub] as Map<string, Held>;
    let held = map.get(key);
    if (held?.stored) return true;
    const geometry = this.#geometry[hub] as HubGeometry;
    const need = Math.ceil(size / geometry.blockSize);
    const used = this.#used[hub] as number;
    if (used + need > geometry.blockCount) return false;
    if (!held) {
      // Stored for a device not counted by `need` (it keeps it until the campaign ends).
      held = { refs: 1, stored: false, blocks: 0 };
      map.set(key, held);
    }
    held.stored = true;
    held.blocks = need;
    this.#used[hub] = used + need;
    this.#peak = Math.max(this.#peak, used + need);
    this.#peaks.set(this.#day, Math.max(this.#peaks.get(this.#day) ?? 0, used + need));
    return true;
  }

  /** A device of `hub` no longer needs image `key`; the image is freed when none does. */
  done(hub: number, key: string, now: number): void {
    this.#advance(now);
    const map = this.#held[hub] as Map<string, Held>;
    const held = map.get(key);
    if (!held || held.refs === 0) return;
    held.refs--;
    if (held.refs > 0) return;
    this.#used[hub] = (this.#used[hub] as number) - held.blocks;
    map.delete(key);
  }

  /** The most blocks any hub had in use at once. */
  get peakBlocks(): number {
    return this.#peak;
  }

  /** Per simulated day up to the one `endUs` is in: the most blocks any hub had in use during it. */
  byDay(endUs: number): number[] {
    this.#advance(endUs);
    const days = Math.floor(endUs / this.#dayUs) + 1;
    const out = new Array<number>(days).fill(0);
    this.#starts.forEach(({ day, blocks }, k) => {
      const until = Math.min(this.#starts[k + 1]?.day ?? days, days);
      if (day < until) out.fill(blocks, day, until);
    });
    for (const [day, blocks] of this.#peaks) if (day < days) out[day] = Math.max(out[day] as number, blocks);
    return out;
  }

  /** Starts the days up to the one `now` is in, each with the blocks in use as it begins. */
  #advance(now: number): void {
    const day = Math.floor(now / this.#dayUs);
    if (day <= this.#day) return;
    let fullest = 0;
    for (const u of this.#used) fullest = Math.max(fullest, u);
    this.#starts.push({ day: this.#day + 1, blocks: fullest });
    this.#day = day;
  }
}
