/**
 * A scenario's distributions through the DCC's anomaly detection threshold
 * (`dcc/anomaly-detection.ts`, its one meaning): those that would exceed it wait in quarantine
 * until an `adt` action raises the threshold, which releases them oldest first.
 */
import { AnomalyDetectionThreshold } from '../dcc/anomaly-detection.ts';
import type { ScenarioImage } from './scenario-inputs.ts';

/** A distribution of an image to devices. */
export interface Distribution {
  readonly image: ScenarioImage;
  readonly to: string[];
}

/** The threshold (none until the scenario sets one), what has passed it and what waits in quarantine. */
export class AnomalyDetection {
  #threshold: AnomalyDetectionThreshold | undefined;
  /** Times distributions passed before any threshold was set: they count once one is. */
  readonly #passedBefore: number[] = [];
  readonly #held: Distribution[] = [];
  #quarantined = 0;

  /** How many distributions have been quarantined, released or not. */
  get quarantined(): number {
    return this.#quarantined;
  }

  /** Whether a distribution at `atUs` passes: else it is held in quarantine. */
  offer(atUs: number, distribution: Distribution): boolean {
    if (!this.#threshold) {
      this.#passedBefore.push(atUs);
      return true;
    }
    if (this.#held.length === 0 && this.#threshold.passes(atUs)) {
      this.#threshold.record(atUs);
      return true;
    }
    this.#quarantined++;
    this.#held.push(distribution);
    return false;
  }

  /** Sets the threshold at `atUs`; returns what that releases from quarantine, oldest first. */
  setThreshold(atUs: number, limit: number, windowUs: number): Distribution[] {
    if (this.#threshold) this.#threshold.set(limit, windowUs);
    else {
      this.#threshold = new AnomalyDetectionThreshold(limit, windowUs);
      for (const t of this.#passedBefore) this.#threshold.record(t);
    }
    const released: Distribution[] = [];
    while (this.#held.length > 0 && this.#threshold.passes(atUs)) {
      released.push(this.#held.shift() as Distribution);
      this.#threshold.record(atUs);
    }
    return released;
  }
}
