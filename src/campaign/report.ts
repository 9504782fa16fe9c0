/**
 * A campaign's report: per-device outcomes summed bucket by bucket into partials, and partials
 * merged into the report (the same partials in any order, from any number of processes, give the
 * same report). Per-day status counts follow hawkBit's rollout states: scheduled (its group has not
 * started), running, finished (on target), error; devices outside the campaign (no path, not a HAN
 * device) are counted apart, so every day adds up to the estate.
 */

/** What happened to one device. */
export type DeviceStatus =
  | 'onTarget'
  | 'bricked'
  | 'degraded'
  | 'refused'
  | 'noPath'
  | 'failed'
  | 'notReached'
  | 'notStarted'
  | 'skipped';

/** One device's outcome. */
export interface DeviceOutcome {
  readonly deviceId: string;
  readonly hubId: string;
  readonly from: string;
  readonly target: string | null;
  readonly status: DeviceStatus;
  readonly hops: readonly string[];
  /** The entry it runs at the end. */
  readonly entry: string;
  /** Its phased-rollout group. */
  readonly group?: string;
  /** When its group started it, ms. */
  readonly startedMs?: number;
  /** When it reached the target, ms. */
  readonly onTargetMs?: number;
  /** When its run ended in error, ms. */
  readonly errorMs?: number;
  readonly reason?: string;
}

/** Devices per rollout state at the end of a simulated day. */
export interface DayStatus {
  readonly scheduled: number;
  readonly running: number;
  readonly finished: number;
  readonly error: number;
  /** No path, no target or not a HAN device: never part of the rollout. */
  readonly notIncluded: number;
}

/** How one rollout group went (summed over buckets). */
export interface GroupReport {
  readonly name: string;
  readonly devices: number;
  readonly byStatus: Readonly<Record<DeviceStatus, number>>;
  /** When it first started in any bucket, ms; null when it never did. */
  readonly firstStartedMs: number | null;
  readonly statusByDay: readonly DayStatus[];
}

/**
 * Devices that did not reach their target, of one kind: the same status and reason, on the same
 * model and hardware version; with the first of them (earliest to fail, then by device ID).
 */
export interface FailureKind {
  readonly status: DeviceStatus;
  /** Why, when the run says (empty when it does not). */
  readonly reason: string;
  readonly model: string;
  readonly hardwareVersion: string;
  readonly devices: number;
  /** The first `FIRST_DEVICES` of them: when each ended in error (null: it never did, it is still pending). */
  readonly first: readonly {
    readonly deviceId: string;
    readonly hubId: string;
    readonly errorMs: number | null;
  }[];
}

/** Devices listed per kind of failure. */
export const FIRST_DEVICES = 5;

/** A rollout that stopped starting groups, in one bucket. */
export interface HaltReport {
  readonly bucket: number;
  readonly group: string;
  readonly atMs: number;
  readonly errors: number;
  readonly devices: number;
}

/** What the report and each bucket's partial both carry, summed or taken at the peak by the merge. */
interface CampaignFigures {
  readonly mode: 'planned' | 'direct';
  readonly seed: number;
  readonly devices: number;
  readonly byStatus: Readonly<Record<DeviceStatus, number>>;
  readonly reasons: Readonly<Record<string, number>>;
  readonly hopsHistogram: Readonly<Record<string, number>>;
  /** Devices per rollout state at the end of each simulated day. */
  readonly statusByDay: readonly DayStatus[];
  readonly warnings: readonly string[];
  readonly hubMemoryPeakBlocks: number;
  readonly downloadsPeak: number;
  readonly adtQuarantined: number;
  /** Distributions the supplier retried. */
  readonly retries: number;
  readonly simulatedMs: number;
  readonly events: number;
  /** Per simulated day: the most blocks any hub had in use during the day. */
  readonly memoryByDay: readonly number[];
  /** Per simulated day: distributions asked for that day and quarantined to a later window. */
  readonly quarantinedByDay: readonly number[];
  /** Per simulated day: distributions the supplier retried that day. */
  readonly retriesByDay: readonly number[];
  /**
   * Per simulated day: downloads in flight — the most at once in each bucket during the day,
   * summed over the buckets (buckets peak at different moments: an upper bound for the estate).
   */
  readonly downloadsByDay: readonly number[];
  /** Each hub's memory, blocks (the policy's `memory.blocks`). */
  readonly hubMemoryBlocks: number;
  /** Devices not on target, by kind, most devices first. */
  readonly failures: readonly FailureKind[];
}

/** A campaign's report. */
export interface CampaignReport extends CampaignFigures {
  /** Time until 50, 90, 99 and 100% of the devices that have a path are on target, ms (null: never). */
  readonly timeToTargetMs: {
    readonly p50: number | null;
    readonly p90: number | null;
    readonly p99: number | null;
    readonly p100: number | null;
  };
  /** Devices on target at the end of each simulated day. */
  readonly onTargetByDay: readonly number[];
  readonly byGroup: readonly GroupReport[];
  readonly halts: readonly HaltReport[];
}

/** One group's share of a bucket. */
export interface GroupPartial {
  readonly name: string;
  readonly devices: number;
  readonly byStatus: Readonly<Record<DeviceStatus, number>>;
  readonly startedMs: number | null;
  readonly statusByDay: readonly DayStatus[];
}

/** What one bucket contributes to the report: everything the merge needs, nothing per device but on-target times. */
export interface CampaignPartial extends CampaignFigures {
  readonly bucket: number;
  readonly buckets: number;
  readonly withPath: number;
  /** On-target times of its devices, ms, sorted. */
  readonly onTargetMs: readonly number[];
  readonly groups: readonly GroupPartial[];
  readonly halt?: HaltReport;
  readonly adtLimit: number;
}

/** What a bucket's simulation adds to its devices' outcomes. */
export interface BucketRun {
  readonly hubMemoryPeakBlocks: number;
  readonly downloadsPeak: number;
  readonly quarantined: number;
  readonly retries: number;
  readonly simulatedMs: number;
  readonly events: number;
  readonly memoryByDay: readonly number[];
  readonly quarantinedByDay: readonly number[];
  readonly retriesByDay: readonly number[];
  readonly downloadsByDay: readonly number[];
  readonly hubMemoryBlocks: number;
  readonly groups: readonly { readonly name: string; readonly startedMs: number | null }[];
  readonly halt?: HaltReport;
  readonly warnings: readonly string[];
}

const DAY_MS = 86_400_000;

/** Counts of every status, all zero. */
export function emptyStatus(): Record<DeviceStatus, number> {
  return {
    onTarget: 0,
    bricked: 0,
    degraded: 0,
    refused: 0,
    noPath: 0,
    failed: 0,
    notReached: 0,
    notStarted: 0,
    skipped: 0,
  };
}

const excluded = (o: DeviceOutcome) => o.status === 'noPath' || o.status === 'skipped';

/** Simulated days up to and including the one `ms` falls in. */
function daysOf(ms: number): number {
  return Math.floor(ms / DAY_MS) + 1;
}

/**
 * Rollout states at the end of each of `days` days. A device is scheduled until its group starts
 * it, running until it is on target (finished) or its run ends in error.
 */
function statusByDay(outcomes: readonly DeviceOutcome[], days: number): DayStatus[] {
  const day = (ms: number) => Math.min(days, Math.floor(ms / DAY_MS));
  // Per state, how many devices enter it on each day (index `days`: never within the run).
  const enter = { running: new Array<number>(days + 1).fill(0), done: new Array<number>(days + 1).fill(0) };
  const doneFinished = new Array<number>(days + 1).fill(0);
  let notIncluded = 0;
  let total = 0;
  for (const o of outcomes) {
    if (excluded(o)) {
      notIncluded++;
      continue;
    }
    total++;
    const started = o.startedMs === undefined ? days : day(o.startedMs);
    (enter.running[started] as number)++;
    const endMs = o.onTargetMs ?? o.errorMs;
    const ended = endMs === undefined ? days : day(endMs);
    (enter.done[ended] as number)++;
    if (o.onTargetMs !== undefined) (doneFinished[ended] as number)++;
  }
  const out: DayStatus[] = [];
  let started = 0;
  let ended = 0;
  let finished = 0;
  for (let d = 0; d < days; d++) {
    started += enter.running[d] as number;
    ended += enter.done[d] as number;
    finished += doneFinished[d] as number;
    out.push({
      scheduled: total - started,
      running: started - ended,
      finished,
      error: ended - finished,
      notIncluded,
    });
  }
  return out;
}

function count(outcomes: readonly DeviceOutcome[]): Record<DeviceStatus, number> {
  const byStatus = emptyStatus();
  for (const o of outcomes) byStatus[o.status]++;
  return byStatus;
}

/** The model and hardware version of a CPL entry, as the catalog says (undefined: not in it). */
export type ModelOf = (
  entry: string,
) => { readonly model: string; readonly hardwareVersion: string } | undefined;

const failureKey = (f: Pick<FailureKind, 'status' | 'reason' | 'model' | 'hardwareVersion'>) =>
  `${f.status}\u0000${f.reason}\u0000${f.model}\u0000${f.hardwareVersion}`;

/** First to fail first (those still pending last), then by device ID. */
function byFirst(a: FailureKind['first'][number], b: FailureKind['first'][number]): number {
  const at = (x: typeof a) => x.errorMs ?? Number.POSITIVE_INFINITY;
  return at(a) - at(b) || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0);
}

/** Kinds of failure, most devices first (then by status, reason, model, hardware version). */
function sortedFailures(kinds: Iterable<FailureKind>): FailureKind[] {
  return [...kinds]
    .map((k) => ({ ...k, first: [...k.first].sort(byFirst).slice(0, FIRST_DEVICES) }))
    .sort((a, b) => {
      const ka = failureKey(a);
      const kb = failureKey(b);
      return b.devices - a.devices || (ka < kb ? -1 : ka > kb ? 1 : 0);
    });
}

/** A kind of failure being summed: its devices counted, its first devices collected. */
type FailureTally = Omit<FailureKind, 'devices' | 'first'> & {
  devices: number;
  first: FailureKind['first'][number][];
};

/**
 * Adds `devices` to a tally's first devices, keeping only the earliest when the list grows long:
 * `byFirst` is a total order (device IDs are unique), so the earliest of the earliest are the
 * earliest of all. Without this a merge of many buckets' lists copied ever longer lists: with
 * 40,960 buckets of failing devices the merge took minutes.
 */
function addFirst(tally: FailureTally, devices: readonly FailureKind['first'][number][]): void {
  for (const d of devices) tally.first.push(d);
  if (tally.first.length > 8 * FIRST_DEVICES) tally.first = tally.first.sort(byFirst).slice(0, FIRST_DEVICES);
}

/** The failures of one bucket's outcomes. */
function failuresOf(outcomes: readonly DeviceOutcome[], modelOf: ModelOf): FailureKind[] {
  const kinds = new Map<string, FailureTally>();
  for (const o of outcomes) {
    if (o.status === 'onTarget') continue;
    const m = modelOf(o.from);
    const kind = {
      status: o.status,
      reason: o.reason ?? '',
      model: m?.model ?? '(not in the catalog)',
      hardwareVersion: m?.hardwareVersion ?? '',
    };
    const key = failureKey(kind);
    let known = kinds.get(key);
    if (!known) {
      known = { ...kind, devices: 0, first: [] };
      kinds.set(key, known);
    }
    known.devices++;
    addFirst(known, [{ deviceId: o.deviceId, hubId: o.hubId, errorMs: o.errorMs ?? null }]);
  }
  return sortedFailures(kinds.values());
}

/** Kinds of failure of several buckets, summed. */
function mergeFailures(lists: readonly (readonly FailureKind[])[]): FailureKind[] {
  const kinds = new Map<string, FailureTally>();
  for (const list of lists)
    for (const k of list) {
      const key = failureKey(k);
      let known = kinds.get(key);
      if (!known) {
        known = {
          status: k.status,
          reason: k.reason,
          model: k.model,
          hardwareVersion: k.hardwareVersion,
          devices: 0,
          first: [],
        };
        kinds.set(key, known);
      }
      known.devices += k.devices;
      addFirst(known, k.first);
    }
  return sortedFailures(kinds.values());
}

/** A bucket's partial from its devices' outcomes and its simulation. */
export function partialOf(
  head: { mode: 'planned' | 'direct'; seed: number; bucket: number; buckets: number; adtLimit: number },
  outcomes: readonly DeviceOutcome[],
  run: BucketRun,
  modelOf: ModelOf = () => undefined,
): CampaignPartial {
  const reasons: Record<string, number> = {};
  const hopsHistogram: Record<string, number> = {};
  for (const o of outcomes) {
    if (o.reason) reasons[o.reason] = (reasons[o.reason] ?? 0) + 1;
    hopsHistogram[String(o.hops.length)] = (hopsHistogram[String(o.hops.length)] ?? 0) + 1;
  }
  const days = daysOf(run.simulatedMs);
  return {
    ...head,
    devices: outcomes.length,
    withPath: outcomes.filter((o) => !excluded(o)).length,
    byStatus: count(outcomes),
    reasons,
    hopsHistogram,
    onTargetMs: outcomes
      .flatMap((o) => (o.onTargetMs !== undefined ? [o.onTargetMs] : []))
      .sort((a, b) => a - b),
    statusByDay: statusByDay(outcomes, days),
    groups: run.groups.map((g) => {
      const members = outcomes.filter((o) => o.group === g.name);
      return {
        name: g.name,
        devices: members.length,
        byStatus: count(members),
        startedMs: g.startedMs,
        statusByDay: statusByDay(members, days),
      };
    }),
    ...(run.halt && { halt: run.halt }),
    warnings: run.warnings,
    hubMemoryPeakBlocks: run.hubMemoryPeakBlocks,
    downloadsPeak: run.downloadsPeak,
    adtQuarantined: run.quarantined,
    retries: run.retries,
    simulatedMs: run.simulatedMs,
    events: run.events,
    memoryByDay: run.memoryByDay,
    quarantinedByDay: run.quarantinedByDay,
    retriesByDay: run.retriesByDay,
    downloadsByDay: run.downloadsByDay,
    hubMemoryBlocks: run.hubMemoryBlocks,
    failures: failuresOf(outcomes, modelOf),
  };
}

/** The largest `of(x)` over `xs` (0 for none): a loop, as partials can be more than a call's arguments. */
function most<T>(xs: readonly T[], of: (x: T) => number): number {
  let m = 0;
  let first = true;
  for (const x of xs) {
    const v = of(x);
    if (first || v > m) m = v;
    first = false;
  }
  return m;
}

function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function percentile(sorted: readonly number[], total: number, q: number): number | null {
  const need = Math.ceil(q * total);
  if (need === 0) return 0;
  return sorted.length >= need ? (sorted[need - 1] as number) : null;
}

/** Day `d` of a bucket's per-day states; past its end, its last day (nothing changes once a bucket's run is over). */
function dayOf(series: readonly DayStatus[], d: number): DayStatus {
  return series[Math.min(d, series.length - 1)] as DayStatus;
}

function sumDays(series: readonly (readonly DayStatus[])[], days: number): DayStatus[] {
  return Array.from({ length: days }, (_, d) => {
    const sum = { scheduled: 0, running: 0, finished: 0, error: 0, notIncluded: 0 };
    for (const s of series) {
      if (s.length === 0) continue;
      const at = dayOf(s, d);
      sum.scheduled += at.scheduled;
      sum.running += at.running;
      sum.finished += at.finished;
      sum.error += at.error;
      sum.notIncluded += at.notIncluded;
    }
    return sum;
  });
}

/**
 * The report of a campaign from its buckets' partials, whichever process ran which bucket: the
 * same partials in any order give the same report. Refuses partials of different campaigns.
 */
export function mergePartials(partials: readonly CampaignPartial[]): CampaignReport {
  const first = partials[0];
  if (!first) throw new RangeError('partials: none to merge');
  const seen = new Set<number>();
  for (const p of partials) {
    if (
      p.mode !== first.mode ||
      p.seed !== first.seed ||
      p.buckets !== first.buckets ||
      p.groups.map((g) => g.name).join('\n') !== first.groups.map((g) => g.name).join('\n')
    )
      throw new RangeError(
        `partials: bucket ${p.bucket} is from another campaign (mode, seed, bucket count or rollout groups differ)`,
      );
    if (seen.has(p.bucket)) throw new RangeError(`partials: bucket ${p.bucket} appears twice`);
    seen.add(p.bucket);
  }
  const sorted = [...partials].sort((a, b) => a.bucket - b.bucket);
  const byStatus = emptyStatus();
  const reasons: Record<string, number> = {};
  const hopsHistogram: Record<string, number> = {};
  let devices = 0;
  let withPath = 0;
  const times: number[] = [];
  for (const p of sorted) {
    devices += p.devices;
    withPath += p.withPath;
    for (const [k, v] of Object.entries(p.byStatus)) byStatus[k as DeviceStatus] += v;
    for (const [k, v] of Object.entries(p.reasons)) reasons[k] = (reasons[k] ?? 0) + v;
    for (const [k, v] of Object.entries(p.hopsHistogram)) hopsHistogram[k] = (hopsHistogram[k] ?? 0) + v;
    for (const t of p.onTargetMs) times.push(t);
  }
  times.sort((a, b) => a - b);
  const simulatedMs = most(sorted, (p) => p.simulatedMs);
  const days = daysOf(simulatedMs);
  const onTargetByDay: number[] = [];
  let k = 0;
  for (let d = 0; d < days; d++) {
    while (k < times.length && (times[k] as number) < (d + 1) * DAY_MS) k++;
    onTargetByDay.push(k);
  }
  const byGroup = first.groups.map((g, index): GroupReport => {
    const parts = sorted.map((p) => p.groups[index] as GroupPartial);
    const groupStatus = emptyStatus();
    for (const part of parts)
      for (const [s, v] of Object.entries(part.byStatus)) groupStatus[s as DeviceStatus] += v;
    const starts = parts.flatMap((part) => (part.startedMs === null ? [] : [part.startedMs]));
    return {
      name: g.name,
      devices: parts.reduce((n, part) => n + part.devices, 0),
      byStatus: groupStatus,
      firstStartedMs: starts.length ? -most(starts, (t) => -t) : null,
      statusByDay: sumDays(
        parts.map((part) => part.statusByDay),
        days,
      ),
    };
  });
  return {
    mode: first.mode,
    seed: first.seed,
    devices,
    byStatus,
    reasons: sortedKeys(reasons),
    hopsHistogram: sortedKeys(hopsHistogram),
    timeToTargetMs: {
      p50: percentile(times, withPath, 0.5),
      p90: percentile(times, withPath, 0.9),
      p99: percentile(times, withPath, 0.99),
      p100: percentile(times, withPath, 1),
    },
    onTargetByDay,
    statusByDay: sumDays(
      sorted.map((p) => p.statusByDay),
      days,
    ),
    byGroup,
    halts: sorted.flatMap((p) => (p.halt ? [p.halt] : [])),
    warnings: [...new Set(sorted.flatMap((p) => p.warnings))],
    hubMemoryPeakBlocks: most(sorted, (p) => p.hubMemoryPeakBlocks),
    downloadsPeak: most(sorted, (p) => p.downloadsPeak),
    adtQuarantined: sorted.reduce((n, p) => n + p.adtQuarantined, 0),
    retries: sorted.reduce((n, p) => n + p.retries, 0),
    simulatedMs,
    events: sorted.reduce((n, p) => n + p.events, 0),
    memoryByDay: Array.from({ length: days }, (_, d) =>
      most(sorted, (p) => p.memoryByDay[Math.min(d, p.memoryByDay.length - 1)] ?? 0),
    ),
    quarantinedByDay: Array.from({ length: days }, (_, d) =>
      sorted.reduce((n, p) => n + (p.quarantinedByDay[d] ?? 0), 0),
    ),
    retriesByDay: Array.from({ length: days }, (_, d) =>
      sorted.reduce((n, p) => n + (p.retriesByDay[d] ?? 0), 0),
    ),
    downloadsByDay: Array.from({ length: days }, (_, d) =>
      sorted.reduce((n, p) => n + (p.downloadsByDay[d] ?? 0), 0),
    ),
    hubMemoryBlocks: most(sorted, (p) => p.hubMemoryBlocks),
    failures: mergeFailures(sorted.map((p) => p.failures)),
  };
}
