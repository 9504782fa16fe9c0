/**
 * The virtual clock (DESIGN.md §3): a min-heap of events ordered by `(time, seq)`, so events at
 * the same time run in the order they were scheduled and every run is deterministic. Time is an
 * integer number of microseconds from the start of the simulation; nothing here reads the wall
 * clock.
 */

/** A scheduled event; `live` until it runs or is cancelled. */
interface Entry<T> {
  readonly time: number;
  readonly seq: number;
  readonly payload: T;
  live: boolean;
}

/** What `schedule` returns, for `cancel`. */
export type Scheduled = { readonly time: number };

/** Deterministic discrete-event clock. */
export class VirtualClock<T> {
  #now = 0;
  #seq = 0;
  /**
   * The heap, as parallel arrays: each entry's time and sequence number in typed arrays, so the
   * comparisons of a sift read two flat arrays instead of an object per step.
   */
  #times = new Float64Array(64);
  #seqs = new Float64Array(64);
  #entries: Entry<T>[] = [];
  #size = 0;
  /** Events scheduled and neither run nor cancelled: a cancelled entry stays in the heap, skipped later. */
  #pending = 0;

  /** Current simulated time, in microseconds. */
  get now(): number {
    return this.#now;
  }

  /** Events still scheduled (cancelled ones excluded). */
  get pending(): number {
    return this.#pending;
  }

  /** Schedules `payload` at `time` (µs, not before now); returns a handle for `cancel`. */
  schedule(time: number, payload: T): Scheduled {
    if (!Number.isInteger(time) || time < this.#now) {
      throw new RangeError(`time: ${time} is not an integer at or after now (${this.#now})`);
    }
    const entry: Entry<T> = { time, seq: this.#seq++, payload, live: true };
    this.#pending++;
    if (this.#size === this.#times.length) this.#grow();
    this.#siftUp(this.#size++, entry);
    return entry;
  }

  /** Schedules `payload` `delay` µs from now. */
  after(delay: number, payload: T): Scheduled {
    return this.schedule(this.#now + Math.max(0, Math.round(delay)), payload);
  }

  /** Cancels a scheduled event (no effect if it already ran or was cancelled). */
  cancel(handle: Scheduled): void {
    const entry = handle as Entry<T>;
    if (!entry.live) return;
    entry.live = false;
    this.#pending--;
  }

  /** The earliest event still scheduled, left in place (cancelled ones on top are dropped). */
  peek(): { time: number; payload: T } | undefined {
    while (this.#size > 0) {
      const top = this.#entries[0] as Entry<T>;
      if (top.live) return top;
      this.#pop();
    }
    return undefined;
  }

  /** Whether any event still scheduled satisfies `test` (a scan: for tests and checks, not hot paths). */
  some(test: (payload: T, time: number) => boolean): boolean {
    for (let i = 0; i < this.#size; i++) {
      const e = this.#entries[i] as Entry<T>;
      if (e.live && test(e.payload, e.time)) return true;
    }
    return false;
  }

  /** When the earliest event still scheduled is due; undefined when none is. */
  peekTime(): number | undefined {
    while (this.#size > 0) {
      if ((this.#entries[0] as Entry<T>).live) return this.#times[0];
      this.#pop();
    }
    return undefined;
  }

  /** Removes the earliest event, advances the clock to its time and returns it. */
  next(): { time: number; payload: T } | undefined {
    while (this.#size > 0) {
      const top = this.#pop();
      if (!top.live) continue;
      top.live = false;
      this.#pending--;
      this.#now = top.time;
      return top;
    }
    return undefined;
  }

  #grow(): void {
    const times = new Float64Array(this.#times.length * 2);
    const seqs = new Float64Array(this.#seqs.length * 2);
    times.set(this.#times);
    seqs.set(this.#seqs);
    this.#times = times;
    this.#seqs = seqs;
  }

  /** Takes the root out; the last entry sifts down from the root's place. */
  #pop(): Entry<T> {
    const entries = this.#entries;
    const top = entries[0] as Entry<T>;
    const last = entries.pop() as Entry<T>;
    if (--this.#size > 0) this.#siftDown(last);
    return top;
  }

  /** Places `entry` at the hole `i`, moving it up past later parents. */
  #siftUp(i: number, entry: Entry<T>): void {
    const times = this.#times;
    const seqs = this.#seqs;
    const entries = this.#entries;
    const t = entry.time;
    const s = entry.seq;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent] as number;
      if (pt < t || (pt === t && (seqs[parent] as number) < s)) break;
      times[i] = pt;
      seqs[i] = seqs[parent] as number;
      entries[i] = entries[parent] as Entry<T>;
      i = parent;
    }
    times[i] = t;
    seqs[i] = s;
    entries[i] = entry;
  }

  /** Places `entry` at the hole at the root, moving it down past earlier children. */
  #siftDown(entry: Entry<T>): void {
    const times = this.#times;
    const seqs = this.#seqs;
    const entries = this.#entries;
    const size = this.#size;
    const t = entry.time;
    const s = entry.seq;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      let ct = times[child] as number;
      let cs = seqs[child] as number;
      const right = child + 1;
      if (right < size) {
        const rt = times[right] as number;
        const rs = seqs[right] as number;
        if (rt < ct || (rt === ct && rs < cs)) {
          child = right;
          ct = rt;
          cs = rs;
        }
      }
      if (t < ct || (t === ct && s < cs)) break;
      times[i] = ct;
      seqs[i] = cs;
      entries[i] = entries[child] as Entry<T>;
      i = child;
    }
    times[i] = t;
    seqs[i] = s;
    entries[i] = entry;
  }
}
