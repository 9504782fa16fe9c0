/**
 * Named timers over the virtual clock, rescheduled lazily. OTA timers are reset on nearly every
 * frame (a response timeout per block request), almost always to a later time; cancelling and
 * re-adding a heap entry per frame would fill the clock with dead entries. Here a timer keeps
 * its deadline in a table and at most one clock event: when that event comes and the deadline
 * has moved later, the event is scheduled again for the new deadline.
 */
import type { Scheduled, VirtualClock } from './clock.ts';

/** One named timer: when it is due (undefined: disarmed) and the clock event that stands for it. */
interface Slot {
  deadline: number | undefined;
  /** When the clock will next deliver an event for it (undefined: none), and that event. */
  scheduledAt: number | undefined;
  event: Scheduled | undefined;
}

/** Lazily scheduled named timers; `payload` is what the clock delivers for a timer. */
export class LazyTimers<T> {
  readonly #clock: VirtualClock<T>;
  /** Each timer ever armed, by name (one small record per name, reused). */
  readonly #slots = new Map<string, Slot>();
  #armed = 0;

  /** Timers over `clock`. */
  constructor(clock: VirtualClock<T>) {
    this.#clock = clock;
  }

  /** Arms `name` to be due `delayUs` from now (replacing any earlier arming). */
  set(name: string, delayUs: number, payload: T): void {
    const deadline = this.#clock.now + Math.max(0, Math.round(delayUs));
    let slot = this.#slots.get(name);
    if (!slot) {
      slot = { deadline: undefined, scheduledAt: undefined, event: undefined };
      this.#slots.set(name, slot);
    }
    if (slot.deadline === undefined) this.#armed++;
    slot.deadline = deadline;
    if (slot.scheduledAt === undefined || slot.scheduledAt > deadline) {
      if (slot.event) this.#clock.cancel(slot.event);
      slot.event = this.#clock.schedule(deadline, payload);
      slot.scheduledAt = deadline;
    }
  }

  /** Disarms `name` (its clock event with it: nothing is delivered for a cancelled timer). */
  cancel(name: string): void {
    const slot = this.#slots.get(name);
    if (!slot || slot.deadline === undefined) return;
    slot.deadline = undefined;
    this.#armed--;
    if (slot.event) this.#clock.cancel(slot.event);
    slot.event = undefined;
    slot.scheduledAt = undefined;
  }

  /** When `name` is due, µs; undefined when it is not armed. */
  deadline(name: string): number | undefined {
    return this.#slots.get(name)?.deadline;
  }

  /** How many timers are armed. */
  get size(): number {
    return this.#armed;
  }

  /** True when `name` is armed. */
  armed(name: string): boolean {
    return this.#slots.get(name)?.deadline !== undefined;
  }

  /**
   * Called when the clock delivers `payload` for `name`: true when the timer is due now (it is
   * then disarmed); false for an event that is stale, cancelled, or early (then rescheduled).
   */
  due(name: string, payload: T): boolean {
    const slot = this.#slots.get(name);
    if (!slot || slot.scheduledAt !== this.#clock.now) return false;
    slot.scheduledAt = undefined;
    slot.event = undefined;
    const deadline = slot.deadline;
    if (deadline === undefined) return false;
    if (deadline > this.#clock.now) {
      slot.event = this.#clock.schedule(deadline, payload);
      slot.scheduledAt = deadline;
      return false;
    }
    slot.deadline = undefined;
    this.#armed--;
    return true;
  }
}
