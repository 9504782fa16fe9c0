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
  readonly #heap: Entry<T>[] = [];
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
    this.#heap.push(entry);
    this.#siftUp(this.#heap.length - 1);
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
    while (this.#heap.length > 0) {
      const top = this.#heap[0] as Entry<T>;
      if (top.live) return top;
      this.#pop();
    }
    return undefined;
  }

  /** Whether any event still scheduled satisfies `test` (a scan: for tests and checks, not hot paths). */
  some(test: (payload: T) => boolean): boolean {
    return this.#heap.some((e) => e.live && test(e.payload));
  }

  /** When the earliest event still scheduled is due; undefined when none is. */
  peekTime(): number | undefined {
    while (this.#heap.length > 0) {
      const top = this.#heap[0] as Entry<T>;
      if (top.live) return top.time;
      this.#pop();
    }
    return undefined;
  }

  /** Removes the earliest event, advances the clock to its time and returns it. */
  next(): { time: number; payload: T } | undefined {
    while (this.#heap.length > 0) {
      const top = this.#pop();
      if (!top.live) continue;
      top.live = false;
      this.#pending--;
      this.#now = top.time;
      return top;
    }
    return undefined;
  }

  #less(a: Entry<T>, b: Entry<T>): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  #pop(): Entry<T> {
    const heap = this.#heap;
    const top = heap[0] as Entry<T>;
    const last = heap.pop() as Entry<T>;
    if (heap.length > 0) {
      heap[0] = last;
      this.#siftDown(0);
    }
    return top;
  }

  #siftUp(i: number): void {
    const heap = this.#heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(heap[i] as Entry<T>, heap[parent] as Entry<T>)) return;
      [heap[i], heap[parent]] = [heap[parent] as Entry<T>, heap[i] as Entry<T>];
      i = parent;
    }
  }

  #siftDown(i: number): void {
    const heap = this.#heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.#less(heap[left] as Entry<T>, heap[smallest] as Entry<T>))
        smallest = left;
      if (right < heap.length && this.#less(heap[right] as Entry<T>, heap[smallest] as Entry<T>))
        smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest] as Entry<T>, heap[i] as Entry<T>];
      i = smallest;
    }
  }
}
