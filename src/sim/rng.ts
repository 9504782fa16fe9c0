/**
 * Seeded randomness (DESIGN.md §3): one seed per run, an independent stream per named node or
 * purpose, so adding a device does not change what any other device draws. The generator is
 * xoshiro128** (Blackman & Vigna, 2018), seeded through SplitMix32 from the run seed and an
 * FNV-1a hash of the stream name. Nothing here reads the wall clock or `Math.random`.
 */
import { fnv1a } from '../bytes/fnv1a.ts';

/** SplitMix32's increment: its state after each value. */
const SPLITMIX32_GAMMA = 0x9e3779b9;

/** SplitMix32's value for the state it has reached (`state` already advanced by the gamma). */
function splitMix32(state: number): number {
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** A deterministic stream of random numbers. */
export class Rng {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /** A stream seeded by `seed` (a u32) and `name`. */
  constructor(seed: number, name: string) {
    // Four SplitMix32 values in turn (written out: a run seeds several streams per device).
    const state = (seed ^ fnv1a(name)) >>> 0;
    this.#s0 = splitMix32((state + SPLITMIX32_GAMMA) >>> 0);
    this.#s1 = splitMix32((state + 2 * SPLITMIX32_GAMMA) >>> 0);
    this.#s2 = splitMix32((state + 3 * SPLITMIX32_GAMMA) >>> 0);
    this.#s3 = splitMix32((state + 4 * SPLITMIX32_GAMMA) >>> 0);
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /** A stream with the given raw xoshiro128** state (not all zero), e.g. to restore one. */
  static fromState(state: readonly [number, number, number, number]): Rng {
    const rng = new Rng(0, '');
    [rng.#s0, rng.#s1, rng.#s2, rng.#s3] = state.map((w) => w >>> 0) as [number, number, number, number];
    return rng;
  }

  /** The next uniformly distributed u32. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.#s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.#s1 << 9) >>> 0;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    this.#s0 >>>= 0;
    this.#s1 >>>= 0;
    this.#s2 >>>= 0;
    return result;
  }

  /** A float in [0, 1) with 32 bits of randomness. */
  float(): number {
    return this.nextU32() / 2 ** 32;
  }

  /** An integer in [min, max] (inclusive), without modulo bias. */
  int(min: number, max: number): number {
    const span = max - min + 1;
    if (!Number.isInteger(span) || span <= 0 || span > 2 ** 32)
      throw new RangeError(`int: bad range ${min}..${max}`);
    const limit = 2 ** 32 - (2 ** 32 % span);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return min + (x % span);
    }
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The per-name streams of one run. */
export class RngStreams {
  readonly seed: number;
  readonly #streams = new Map<string, Rng>();

  /** Streams for the run seeded by `seed` (any safe integer; reduced to 32 bits). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed: ${seed} is not a safe integer`);
    this.seed = seed;
  }

  /** The stream called `name`, created on first use. */
  stream(name: string): Rng {
    let rng = this.#streams.get(name);
    if (!rng) {
      rng = this.fresh(name);
      this.#streams.set(name, rng);
    }
    return rng;
  }

  /**
   * The stream called `name` from its start, not kept: for runs over millions of devices that ask
   * for each name once (the same numbers as `stream(name)` gives on first use).
   */
  fresh(name: string): Rng {
    // Fold the high bits in so that seeds differing only above bit 31 differ.
    const high = Math.floor(this.seed / 2 ** 32);
    return new Rng((this.seed ^ Math.imul(high, 0x9e3779b1)) >>> 0, name);
  }
}
