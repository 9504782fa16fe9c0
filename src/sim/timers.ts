/**
 * Named timers over the virtual clock, rescheduled lazily. OTA timers are reset on nearly every
 * frame (a response timeout per block request), almost always to a later time; cancelling and
 * re-adding a heap entry per frame would fill the clock with dead entries. Here a timer keeps
 * its deadline in a table and at most one clock event: when that event comes and the deadline
 * has moved later, the event is scheduled again for the new deadline.
 */
import type { Scheduled, VirtualClock } from './clock.ts';

/** Lazily scheduled named timers; `payload` is what the clock delivers for a timer. */
export class LazyTimers<T> {
  readonly #clock: VirtualClock<T>;
  /** When each armed timer is due, µs. */
  readonly #deadlines = new Map<string, number>();
  /** When the clock will next deliver an event for each timer, µs, and that event's id. */
  readonly #scheduled = new Map<string, number>();
  readonly #ids = new Map<string, Scheduled>();

  /** Timers over `clock`. */
  constructor(clock: VirtualClock<T>) {
    this.#clock = clock;
  }

  /** Arms `name` to be due `delayUs` from now (replacing any earlier arming). */
  set(name: string, delayUs: number, payload: T): void {
    const deadline = this.#clock.now + Math.max(0, Math.round(delayUs));
    this.#deadlines.set(name, deadline);
    const at = this.#scheduled.get(name);
    if (at === undefined || at > deadline) {
      if (at !== undefined) this.#clock.cancel(this.#ids.get(name) as Scheduled);
      this.#ids.set(name, this.#clock.schedule(deadline, payload));
      this.#scheduled.set(name, deadline);
    }
  }

  /** Disarms `name` (its clock event with it: nothing is delivered for a cancelled timer). */
  cancel(name: string): void {
    if (!this.#deadlines.delete(name)) return;
    const id = this.#ids.get(name);
    if (id !== undefined) {
      this.#clock.cancel(id);
      this.#ids.delete(name);
      this.#scheduled.delete(name);
    }
  }

  /** When `name` is due, µs; undefined when it is not armed. */
  deadline(name: string): number | undefined {
    return this.#deadlines.get(name);
  }

  /** How many timers are armed. */
  get size(): number {
    return this.#deadlines.size;
  }

  /** True when `name` is armed. */
  armed(name: string): boolean {
    return this.#deadlines.has(name);
  }

  /**
   * Called when the clock delivers `payload` for `name`: true when the timer is due now (it is
   * then disarmed); false for an event that is stale, cancelled, or early (then rescheduled).
   */
  due(name: string, payload: T): boolean {
    if (this.#scheduled.get(name) !== this.#clock.now) return false;
    this.#scheduled.delete(name);
    this.#ids.delete(name);
    const deadline = this.#deadlines.get(name);
    if (deadline === undefined) return false;
    if (deadline > this.#clock.now) {
      this.#ids.set(name, this.#clock.schedule(deadline, payload));
      this.#scheduled.set(name, deadline);
      return false;
    }
    this.#deadlines.delete(name);
    return true;
  }
}
