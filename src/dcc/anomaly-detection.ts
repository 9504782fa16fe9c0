/**
 * The DCC's Anomaly Detection Threshold on firmware distributions (DESIGN.md §1), with one
 * meaning for scenarios and campaigns alike: **at most `limit` distributions of a user pass in
 * any window of `windowUs`** — a sliding window, counted over the times requests passed. A
 * request that would exceed it is quarantined. What becomes of a quarantined request is the
 * user's business, not the threshold's: a scenario's requests wait until an `adt` action raises
 * the threshold, oldest first; a campaign's supplier submits them again as soon as the window
 * has room, in the order they were asked (`admit`).
 */

/** The threshold and the times requests passed it. */
export class AnomalyDetectionThreshold {
  #limit: number;
  #windowUs: number;
  /** When requests passed, ascending; those a window or more old are dropped from the front. */
  #passed: number[] = [];
  #first = 0;

  /** At most `limit` distributions in any window of `windowUs`. */
  constructor(limit: number, windowUs: number) {
    this.#limit = checkedLimit(limit);
    this.#windowUs = checkedWindow(windowUs);
  }

  /** A new limit and window from now on (what has passed still counts). */
  set(limit: number, windowUs: number): void {
    this.#limit = checkedLimit(limit);
    this.#windowUs = checkedWindow(windowUs);
  }

  /** Whether a request at `atUs` passes (no later request has passed yet). */
  passes(atUs: number): boolean {
    return this.#inWindow(atUs) < this.#limit;
  }

  /** Records that a request passed at `atUs` (not before the last one). */
  record(atUs: number): void {
    const last = this.#passed[this.#passed.length - 1];
    if (last !== undefined && atUs < last)
      throw new RangeError(`atUs: ${atUs} is before the last request that passed (${last})`);
    this.#passed.push(atUs);
  }

  /**
   * A request asked at `atUs` that waits its turn behind those asked before it: when it passes
   * (at `atUs` when there is room, else as soon as there is), recorded as passed then.
   */
  admit(atUs: number): number {
    const n = this.#passed.length;
    let at = Math.max(atUs, this.#passed[n - 1] ?? atUs);
    if (this.#inWindow(at) >= this.#limit) at = (this.#passed[n - this.#limit] as number) + this.#windowUs;
    this.#passed.push(at);
    return at;
  }

  /** Requests that passed in the window ending at `atUs`: (atUs − window, atUs]. */
  #inWindow(atUs: number): number {
    const from = atUs - this.#windowUs;
    while (this.#first < this.#passed.length && (this.#passed[this.#first] as number) <= from) this.#first++;
    // Keep the array from growing with every request of a long campaign.
    if (this.#first > 4096 && this.#first * 2 > this.#passed.length) {
      this.#passed = this.#passed.slice(this.#first);
      this.#first = 0;
    }
    return this.#passed.length - this.#first;
  }
}

function checkedLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`limit: ${limit} is not a positive integer`);
  return limit;
}

function checkedWindow(windowUs: number): number {
  if (!Number.isFinite(windowUs) || windowUs <= 0)
    throw new RangeError(`windowUs: ${windowUs} is not positive`);
  return windowUs;
}
