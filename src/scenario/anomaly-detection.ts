/**
 * The DCC's anomaly-detection threshold on distributions: at most `limit` pass in any window;
 * the rest wait in quarantine until a raised threshold releases them, oldest first.
 */
import type { ScenarioImage } from './scenario-inputs.ts';

/** A distribution of an image to devices. */
export interface Distribution {
  readonly image: ScenarioImage;
  readonly to: string[];
}

/** The threshold, what has passed it and what waits in quarantine. */
export class AnomalyDetection {
  #threshold: { limit: number; windowUs: number } | undefined;
  readonly #passed: number[] = [];
  readonly #held: Distribution[] = [];
  #quarantined = 0;

  /** How many distributions have been quarantined, released or not. */
  get quarantined(): number {
    return this.#quarantined;
  }

  /** Whether a distribution at `atUs` passes: else it is held in quarantine. */
  offer(atUs: number, distribution: Distribution): boolean {
    if (this.#admit(atUs)) {
      this.#passed.push(atUs);
      return true;
    }
    this.#quarantined++;
    this.#held.push(distribution);
    return false;
  }

  /** Sets the threshold at `atUs`; returns what that releases from quarantine, oldest first. */
  setThreshold(atUs: number, limit: number, windowUs: number): Distribution[] {
    this.#threshold = { limit, windowUs };
    const released: Distribution[] = [];
    while (this.#held.length > 0 && this.#admit(atUs)) {
      released.push(this.#held.shift() as Distribution);
      this.#passed.push(atUs);
    }
    return released;
  }

  #admit(atUs: number): boolean {
    if (!this.#threshold) return true;
    const windowUs = this.#threshold.windowUs;
    const recent = this.#passed.filter((t) => t > atUs - windowUs).length;
    return recent < this.#threshold.limit;
  }
}
