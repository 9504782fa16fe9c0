/**
 * A phased rollout (hawkBit's rollout groups): the devices of a run fall into groups started one
 * after another. The semantics, exactly:
 * - the first group starts when the run does;
 * - group g+1 starts at the moment at least ceil(successThreshold_g × n_g / 100) of group g's
 *   n_g devices have finished successfully (every hop installed, none failing);
 * - the rollout halts at the moment more than errorThreshold_g × n_g / 100 of any started
 *   group's devices have ended in error: no group starts after that, devices already started
 *   carry on;
 * - a group with no devices, or a success threshold of 0, lets the next one start at once.
 * Devices of groups that never start end "not started", with the reason.
 */

/** One group's thresholds, in percent of its devices. */
export interface RolloutGroup {
  readonly successThreshold: number;
  readonly errorThreshold: number;
}

/** Why and when a rollout stopped starting groups. */
export interface RolloutHalt {
  readonly group: number;
  readonly atUs: number;
  readonly errors: number;
  readonly devices: number;
}

/** How a group of a run went. */
export interface RolloutGroupResult {
  readonly devices: number;
  /** When it started, µs; null when it never did. */
  readonly startedUs: number | null;
  readonly successes: number;
  readonly errors: number;
}

/** The state of a phased rollout over the devices of one run. */
export class Rollout {
  readonly #groups: readonly RolloutGroup[];
  readonly #members: number[][];
  readonly #successes: number[];
  readonly #errors: number[];
  readonly #started: (number | null)[];
  #halt: RolloutHalt | undefined;

  /** `groupOf[i]` is device i's group. */
  constructor(groups: readonly RolloutGroup[], groupOf: readonly number[]) {
    if (groups.length === 0) throw new RangeError('groups: at least one');
    this.#groups = groups;
    this.#members = groups.map(() => []);
    groupOf.forEach((g, i) => {
      const members = this.#members[g];
      if (!members) throw new RangeError(`devices[${i}].group: no group ${g}`);
      members.push(i);
    });
    this.#successes = groups.map(() => 0);
    this.#errors = groups.map(() => 0);
    this.#started = groups.map(() => null);
  }

  /** Starts the run at `t`: the groups that start now (the first, and any it lets through at once). */
  open(t: number): number[] {
    return this.#startFrom(0, t);
  }

  /** The devices of group `g`. */
  members(g: number): readonly number[] {
    return this.#members[g] ?? [];
  }

  /** A device of group `g` finished successfully at `t`: the groups that start now. */
  success(g: number, t: number): number[] {
    this.#successes[g] = (this.#successes[g] as number) + 1;
    return this.#passed(g) && this.#started[g + 1] === null && !this.#halt ? this.#startFrom(g + 1, t) : [];
  }

  /** A device of group `g` ended in error at `t`: the groups that will now never start (when this halts the rollout). */
  error(g: number, t: number): number[] {
    const errors = (this.#errors[g] as number) + 1;
    this.#errors[g] = errors;
    const n = this.members(g).length;
    if (this.#halt || errors * 100 <= (this.#groups[g] as RolloutGroup).errorThreshold * n) return [];
    this.#halt = { group: g, atUs: t, errors, devices: n };
    return this.#started.flatMap((s, k) => (s === null ? [k] : []));
  }

  /** The halt, if the rollout halted. */
  get halt(): RolloutHalt | undefined {
    return this.#halt;
  }

  /** How each group went. */
  results(): RolloutGroupResult[] {
    return this.#groups.map((_, g) => ({
      devices: this.members(g).length,
      startedUs: this.#started[g] ?? null,
      successes: this.#successes[g] as number,
      errors: this.#errors[g] as number,
    }));
  }

  #passed(g: number): boolean {
    const need = Math.ceil(
      ((this.#groups[g] as RolloutGroup).successThreshold * this.members(g).length) / 100,
    );
    return (this.#successes[g] as number) >= need;
  }

  #startFrom(g: number, t: number): number[] {
    const started: number[] = [];
    for (let k = g; k < this.#groups.length && this.#started[k] === null; k++) {
      this.#started[k] = t;
      started.push(k);
      if (!this.#passed(k)) break;
    }
    return started;
  }
}

/**
 * Warnings about groups too small for their percentages: where one error already crosses the
 * error threshold, or the success threshold asks for every device.
 */
export function rolloutWarnings(
  groups: readonly (RolloutGroup & { readonly name: string })[],
  sizes: readonly number[],
): string[] {
  const warnings: string[] = [];
  groups.forEach((group, g) => {
    const n = sizes[g] ?? 0;
    const name = `rollout group '${group.name}'`;
    if (n === 0) {
      warnings.push(`${name} has no devices: the next group starts with it`);
      return;
    }
    if (g < groups.length - 1 && group.errorThreshold > 0 && 100 > group.errorThreshold * n)
      warnings.push(
        `${name} has ${n} device${n === 1 ? '' : 's'}: one error is ${(100 / n).toFixed(1)}%, over its ${group.errorThreshold}% error threshold, so the first error halts the rollout`,
      );
    if (
      g < groups.length - 1 &&
      group.successThreshold > 0 &&
      group.successThreshold < 100 &&
      Math.ceil((group.successThreshold * n) / 100) === n
    )
      warnings.push(
        `${name} has ${n} device${n === 1 ? '' : 's'}: its ${group.successThreshold}% success threshold needs all of them`,
      );
  });
  return warnings;
}

/** A policy's rollout groups, with "rest" for the devices their percentages leave; undefined without a rollout. */
export function rolloutGroups(
  groups: readonly (RolloutGroup & { name: string; percent: number })[] | undefined,
): (RolloutGroup & { name: string; percent: number })[] | undefined {
  if (!groups) return undefined;
  const total = groups.reduce((n, g) => n + g.percent, 0);
  return total < 100
    ? [...groups, { name: 'rest', percent: 100 - total, successThreshold: 100, errorThreshold: 100 }]
    : [...groups];
}

/** Devices per group of `n`: group g ends at ceil(n × (percent of groups 0..g) / 100), the last at n. */
export function groupSizes(groups: readonly { percent: number }[] | undefined, n: number): number[] {
  if (!groups) return [n];
  let cumulative = 0;
  let from = 0;
  return groups.map((g, k) => {
    cumulative += g.percent;
    const to = k === groups.length - 1 ? n : Math.min(n, Math.ceil((n * cumulative) / 100 - 1e-9));
    const size = to - from;
    from = to;
    return size;
  });
}
