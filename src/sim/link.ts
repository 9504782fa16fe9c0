/**
 * The HAN radio link between the hub and one device (DESIGN.md §3): latency and jitter, frame
 * loss, duplication, reordering (through jitter), airtime from the PHY rate and the frame size,
 * an optional sub-GHz duty-cycle budget, and the wake schedule of sleepy end devices. Pure: it
 * is handed the time and a random stream and says when (or whether) each copy arrives.
 */
import type { Rng } from './rng.ts';
import { STACK_OVERHEAD_BYTES } from './zigbee-stack.ts';

/** PHY parameters of the two GB HAN bands. */
export const PHY = {
  /** 2.4 GHz O-QPSK, 250 kbit/s: 32 µs per byte; preamble 4, SFD 1, PHR 1 (802.15.4 §6.3). */
  '2.4GHz': { microsPerByte: 32, phyOverheadBytes: 6 },
  /** 868 MHz sub-GHz FSK at 100 kbit/s (GB sub-GHz HAN): 80 µs per byte; preamble 8, SFD 2, PHR 2. */
  subGHz: { microsPerByte: 80, phyOverheadBytes: 12 },
} as const;

/** A radio band. */
export type Band = keyof typeof PHY;

/** How a link behaves. Probabilities are per frame and per direction. */
export interface LinkProfile {
  readonly band: Band;
  /** One-way latency added to the airtime (MAC retries, routing, queueing), µs. */
  readonly latencyUs: number;
  /** Extra random delay in [0, jitterUs]: frames may overtake each other. */
  readonly jitterUs: number;
  readonly lossProbability: number;
  readonly duplicateProbability: number;
  /** Fraction of airtime allowed per hour (sub-GHz: 0.01 or 0.1); absent: unlimited. */
  readonly dutyCycle?: number;
}

/** Named link profiles. */
export const LINK_PROFILES = {
  /** A good 2.4 GHz single-hop link. */
  ideal: { band: '2.4GHz', latencyUs: 2_000, jitterUs: 0, lossProbability: 0, duplicateProbability: 0 },
  /** A typical in-home mesh link: a couple of hops, some loss. */
  typical: {
    band: '2.4GHz',
    latencyUs: 15_000,
    jitterUs: 10_000,
    lossProbability: 0.02,
    duplicateProbability: 0.005,
  },
  /** A poor link: 30% loss, duplicates, reordering. */
  poor: {
    band: '2.4GHz',
    latencyUs: 40_000,
    jitterUs: 60_000,
    lossProbability: 0.3,
    duplicateProbability: 0.05,
  },
  /** A sub-GHz link with the 10% duty-cycle limit. */
  subGHz: {
    band: 'subGHz',
    latencyUs: 20_000,
    jitterUs: 5_000,
    lossProbability: 0.01,
    duplicateProbability: 0,
    dutyCycle: 0.1,
  },
} as const satisfies Record<string, LinkProfile>;

/** A sleepy end device's schedule: awake for `awakeUs` every `intervalUs`, starting at `phaseUs`. */
export interface WakeSchedule {
  readonly intervalUs: number;
  readonly awakeUs: number;
  readonly phaseUs: number;
}

/** Airtime of a ZCL frame of `zclLength` bytes on `band`, µs. */
export function airtimeUs(zclLength: number, band: Band): number {
  const phy = PHY[band];
  return (phy.phyOverheadBytes + STACK_OVERHEAD_BYTES + zclLength) * phy.microsPerByte;
}

/** True when a device on `schedule` is awake at `time`. */
export function isAwake(schedule: WakeSchedule | undefined, time: number): boolean {
  if (!schedule) return true;
  const into =
    (((time - schedule.phaseUs) % schedule.intervalUs) + schedule.intervalUs) % schedule.intervalUs;
  return into < schedule.awakeUs;
}

/** The first time at or after `time` when a device on `schedule` is awake. */
export function nextAwake(schedule: WakeSchedule | undefined, time: number): number {
  if (isAwake(schedule, time) || !schedule) return time;
  const into =
    (((time - schedule.phaseUs) % schedule.intervalUs) + schedule.intervalUs) % schedule.intervalUs;
  return time + (schedule.intervalUs - into);
}

/**
 * How long a parent holds a frame for a sleeping end device before dropping it, µs: 7.68 s, the
 * indirect transmission timeout of ZigBee PRO (IEEE 802.15.4 macTransactionPersistenceTime,
 * 0x01F4 unit periods of 15.36 ms; EmberZNet's `EMBER_INDIRECT_TRANSMISSION_TIMEOUT` default).
 */
export const INDIRECT_HOLD_US = 7_680_000;

/**
 * When a frame reaching a sleepy device's parent at `atUs` is handed to the device (its next
 * wake), or undefined when the parent drops it first (after `INDIRECT_HOLD_US`).
 */
export function heldUntil(wake: WakeSchedule | undefined, atUs: number): number | undefined {
  const handed = nextAwake(wake, atUs);
  return handed - atUs > INDIRECT_HOLD_US ? undefined : handed;
}

/** The duty-cycle window of EN 300 220: one hour. */
const DUTY_CYCLE_WINDOW_US = 3_600_000_000;

/** One direction of a link: remembers the airtime used for the duty-cycle budget. */
export class LinkDirection {
  readonly profile: LinkProfile;
  /** Airtime spent, as `[startUs, airtimeUs]`, within the last window (kept under a duty cycle only). */
  #spent: [number, number][] | undefined;
  #busyUntil = 0;

  /** Until when the radio is busy sending (a frame sent earlier starts then), µs. */
  get busyUntil(): number {
    return this.#busyUntil;
  }

  /** A direction with the given behaviour. */
  constructor(profile: LinkProfile) {
    this.profile = profile;
  }

  /**
   * Sends a ZCL frame of `zclLength` bytes at `time`; returns the arrival times of its copies:
   * none when lost, one normally, two when duplicated. The radio sends one frame at a time, and
   * under a duty cycle waits until the last hour's airtime leaves room.
   */
  send(zclLength: number, time: number, rng: Rng): number[] {
    const airtime = airtimeUs(zclLength, this.profile.band);
    let start = Math.max(time, this.#busyUntil);
    if (this.profile.dutyCycle !== undefined)
      start = this.#dutyCycleStart(start, airtime, this.profile.dutyCycle);
    this.#busyUntil = start + airtime;
    // Draw every number in the same order whatever the outcome, so runs stay comparable.
    const lost = rng.chance(this.profile.lossProbability);
    const duplicated = rng.chance(this.profile.duplicateProbability);
    const first = rng.int(0, this.profile.jitterUs);
    const second = rng.int(0, this.profile.jitterUs);
    if (lost) return [];
    const arrival = start + airtime + this.profile.latencyUs;
    return duplicated ? [arrival + first, arrival + second] : [arrival + first];
  }

  #dutyCycleStart(start: number, airtime: number, dutyCycle: number): number {
    this.#spent ??= [];
    const spent = this.#spent;
    const budget = DUTY_CYCLE_WINDOW_US * dutyCycle;
    if (airtime > budget) throw new RangeError(`dutyCycle: a ${airtime} µs frame exceeds the hourly budget`);
    for (;;) {
      while (spent.length > 0 && (spent[0]?.[0] as number) <= start - DUTY_CYCLE_WINDOW_US) spent.shift();
      const used = spent.reduce((n, [, a]) => n + a, 0);
      if (used + airtime <= budget) break;
      start = (spent[0]?.[0] as number) + DUTY_CYCLE_WINDOW_US;
    }
    spent.push([start, airtime]);
    return start;
  }
}
