/**
 * Polls that repeat an answer, elided in campaigns (DESIGN.md §3: as the session transport collapses what
 * cannot change). A device at rest whose last query found nothing to fetch asks again every query
 * interval (five minutes by default) and, as long as neither it nor what its hub offers changes,
 * is told the same each time: over a campaign of weeks that is thousands of exchanges per device
 * that change nothing. A campaign parks such a device's query timer here instead of on the clock;
 * whatever could change the answer — a distribution or removal that concerns it, a hub restart, a
 * frame, command, power or link change reaching it — takes it out again, its next poll due at the
 * first instant of its own polling rhythm from then on. The polls in between are not sent, so
 * they are neither counted as frames nor drawn from the link's random stream: on loss-free links
 * every device's outcome equals that with every poll sent (a property over campaign buckets checks
 * it; only when the run is seen to end may differ, by less than a query interval); on lossy links
 * a poll that would have been lost is an estimate, like the session transport's.
 */

/** A parked poll: when the next was due and a poll's round trip (sent to answered), µs. */
interface Parked {
  readonly dueUs: number;
  readonly flightUs: number;
}

/** Parked query timers, by device. */
export class IdlePolls {
  readonly #parked = new Map<string, Parked>();

  /** Parks `node`'s poll, due at `dueUs`; a poll takes `flightUs` from query to answer. */
  park(node: string, dueUs: number, flightUs: number): void {
    this.#parked.set(node, { dueUs, flightUs });
  }

  /** Whether `node`'s poll is parked. */
  parked(node: string): boolean {
    return this.#parked.has(node);
  }

  /**
   * Takes `node`'s poll out at `nowUs`: when its next poll is due, or undefined when none was
   * parked. `next(t, flightUs)` is when the poll after one sent at `t` is sent (the answer re-arms
   * the timer; a sleepy device's waits for its wake), and shifts with `cycleUs` (a sleepy device's
   * wake interval: `next(t + cycleUs) = next(t) + cycleUs`); without a cycle its gap is constant.
   * Now, when a poll would be in flight: sent, not yet answered, its answer would be the one given
   * after whatever takes it out.
   */
  unpark(
    node: string,
    nowUs: number,
    next: (sentUs: number, flightUs: number) => number,
    cycleUs?: number,
  ): number | undefined {
    const parked = this.#parked.get(node);
    if (parked === undefined) return undefined;
    this.#parked.delete(node);
    const { dueUs, flightUs } = parked;
    if (dueUs >= nowUs) return dueUs;
    // Walk the polls until one falls where an earlier one did in the cycle (or, without one, after
    // the first gap); from there the rhythm repeats: jump to the last poll before now.
    const seen = new Map<number, number>();
    let sent = dueUs;
    let jumped = false;
    for (;;) {
      const following = next(sent, flightUs);
      if (following > nowUs) return nowUs - sent < flightUs ? nowUs : following;
      if (!jumped) {
        const at = cycleUs === undefined ? 0 : following % cycleUs;
        const earlier = cycleUs === undefined ? sent : seen.get(at);
        if (earlier !== undefined) {
          const period = following - earlier;
          sent = following + Math.floor((nowUs - following) / period) * period;
          jumped = true;
          continue;
        }
        seen.set(at, following);
      }
      sent = following;
    }
  }

  /** How many polls are parked. */
  get size(): number {
    return this.#parked.size;
  }
}
