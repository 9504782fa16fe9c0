/**
 * Fault schedules for scenarios (the public testing kit): frame-loss bursts, power cycles, hub
 * reboots, changes of supplier, and replayed or forged CS06 commands, as fast-check arbitraries
 * over a given scenario's devices, hubs, suppliers and images; and the scenario with a schedule
 * added to its timeline. Faults are appended with explicit times, so the scenario's own entries
 * keep theirs (an entry without `at` takes the time of the entry before it).
 */
import fc from 'fast-check';
import { durationSeconds, verbOf } from '../scenario/load.ts';
import type { ScenarioAction, ScenarioFile } from '../scenario/schema.ts';

/** The kinds of fault, as `--faults` names them. */
export const FAULT_KINDS = ['loss', 'power', 'hub', 'supplier', 'replay', 'forged'] as const;
/** A kind of fault. */
export type FaultKind = (typeof FAULT_KINDS)[number];
/**
 * The kinds used when none are named: all but `supplier`, whose change makes the old supplier's
 * commands fail by design (ask for it by name).
 */
export const DEFAULT_FAULT_KINDS: readonly FaultKind[] = ['loss', 'power', 'hub', 'replay', 'forged'];

/** One fault, at a time in seconds from the start. */
export type Fault =
  | {
      readonly kind: 'loss';
      readonly device: string;
      readonly atS: number;
      readonly forS: number;
      readonly loss: number;
    }
  | { readonly kind: 'power'; readonly device: string; readonly atS: number; readonly offForS: number }
  | { readonly kind: 'hub'; readonly hub: string; readonly atS: number }
  | { readonly kind: 'supplier'; readonly device: string; readonly atS: number; readonly to: string }
  | {
      readonly kind: 'replay' | 'forged';
      readonly device: string;
      readonly image: string;
      readonly atS: number;
    };

/** `loss,power,…` or `all` → the kinds; a RangeError names an unknown one. */
export function parseFaultSpec(text: string): FaultKind[] {
  if (text.trim() === 'all') return [...FAULT_KINDS];
  const kinds = text.split(',').map((k) => k.trim());
  for (const k of kinds)
    if (!(FAULT_KINDS as readonly string[]).includes(k))
      throw new RangeError(`faults: '${k}' is not one of ${FAULT_KINDS.join(', ')}, all`);
  return [...new Set(kinds)] as FaultKind[];
}

const GBCS = new Set(['ESME', 'GSME', 'HCALCS']);

/** When each timeline entry happens, s (an entry without `at` at the time of the one before). */
function entryTimes(timeline: readonly ScenarioAction[]): number[] {
  let previous = 0;
  return timeline.map((a) => {
    previous = a.at === undefined ? previous : durationSeconds(a.at);
    return previous;
  });
}

/** Options for the schedules. */
export interface FaultShape {
  readonly kinds?: readonly FaultKind[];
  readonly maxFaults?: number;
  /** Faults happen within this many seconds of the start (default: the last timed entry + 10 minutes). */
  readonly horizonS?: number;
  /**
   * Replays come no earlier than this (s): a replay repeats a command already sent, and a command
   * sent on a device's receipt alert has no time in the timeline. The fuzzer sets it to a day after
   * the scenario's run without faults ends.
   */
  readonly replayAfterS?: number;
}

/** Fault schedules for `scenario`: up to `maxFaults` (default 4) faults of the kinds that apply to it. */
export function faultSchedules(scenario: ScenarioFile, shape: FaultShape = {}): fc.Arbitrary<Fault[]> {
  const kinds = new Set(shape.kinds ?? DEFAULT_FAULT_KINDS);
  const timeline = scenario.timeline ?? [];
  const times = entryTimes(timeline);
  const horizon = shape.horizonS ?? Math.max(0, ...times) + 600;
  // Most faults early, while downloads run; some anywhere up to the horizon.
  const at = (from = 0) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: from, max: Math.max(from, from + 60) }) },
      { weight: 1, arbitrary: fc.integer({ min: from, max: Math.max(from, horizon) }) },
    );
  const devices = scenario.devices.map((d) => d.id);
  const hubs = scenario.hubs?.map((h) => h.id) ?? ['hub'];
  const suppliers = Object.keys(scenario.suppliers ?? {});
  const images = Object.keys(scenario.images);
  const signed = scenario.devices
    .filter((d) => GBCS.has(d.type) && d.supplier !== undefined)
    .map((d) => d.id);
  // A replay needs a command sent before it: after the device's first activation entry.
  const activated = new Map<string, { image: string; atS: number }>();
  timeline.forEach((a, k) => {
    if (verbOf(a) === 'activate' && a.activate && !activated.has(a.activate.device))
      activated.set(a.activate.device, { image: a.activate.image, atS: times[k] as number });
  });
  const options: fc.Arbitrary<Fault>[] = [];
  if (kinds.has('loss'))
    options.push(
      fc.record({
        kind: fc.constant('loss' as const),
        device: fc.constantFrom(...devices),
        atS: at(),
        forS: fc.integer({ min: 1, max: 600 }),
        loss: fc.integer({ min: 1, max: 9 }).map((n) => n / 10),
      }),
    );
  if (kinds.has('power'))
    options.push(
      fc.record({
        kind: fc.constant('power' as const),
        device: fc.constantFrom(...devices),
        atS: at(),
        offForS: fc.integer({ min: 1, max: 600 }),
      }),
    );
  if (kinds.has('hub'))
    options.push(fc.record({ kind: fc.constant('hub' as const), hub: fc.constantFrom(...hubs), atS: at() }));
  if (kinds.has('supplier') && suppliers.length > 1 && signed.length > 0)
    options.push(
      fc.record({
        kind: fc.constant('supplier' as const),
        device: fc.constantFrom(...signed),
        atS: at(),
        to: fc.constantFrom(...suppliers),
      }),
    );
  if (kinds.has('replay') && activated.size > 0)
    options.push(
      fc.constantFrom(...activated).chain(([device, first]) =>
        at(Math.max(Math.ceil(first.atS) + 1, Math.ceil(shape.replayAfterS ?? 0))).map((atS) => ({
          kind: 'replay' as const,
          device,
          image: first.image,
          atS,
        })),
      ),
    );
  if (kinds.has('forged') && signed.length > 0)
    options.push(
      fc.record({
        kind: fc.constant('forged' as const),
        device: fc.constantFrom(...signed),
        image: fc.constantFrom(...images),
        atS: at(),
      }),
    );
  if (options.length === 0) return fc.constant([]);
  return fc.array(fc.oneof(...options), { maxLength: shape.maxFaults ?? 4 });
}

/** A fault as a timeline entry. */
function entryOf(fault: Fault, scenario: ScenarioFile): ScenarioAction {
  const at = `${fault.atS}s`;
  switch (fault.kind) {
    case 'power':
      return { at, powerCycle: { device: fault.device, offFor: `${fault.offForS}s` } };
    case 'hub':
      return { at, powerCycle: { hub: fault.hub } };
    case 'supplier':
      return { at, changeSupplier: { device: fault.device, to: fault.to } };
    case 'replay':
      return { at, inject: { device: fault.device, image: fault.image, kind: 'replayed' } };
    case 'forged':
      return { at, inject: { device: fault.device, image: fault.image, kind: 'forged' } };
    case 'loss': {
      const d = scenario.devices.find((x) => x.id === fault.device);
      return { at, link: { device: fault.device, ...(d?.link && { profile: d.link }), loss: fault.loss } };
    }
  }
}

/**
 * `scenario` with the faults appended to its timeline, in time order. A loss burst is two
 * entries: the loss, then the device's own link (its profile and loss) again.
 */
export function withFaults(scenario: ScenarioFile, faults: readonly Fault[]): ScenarioFile {
  const added: { atS: number; entry: ScenarioAction }[] = [];
  for (const fault of faults) {
    added.push({ atS: fault.atS, entry: entryOf(fault, scenario) });
    if (fault.kind === 'loss') {
      const d = scenario.devices.find((x) => x.id === fault.device);
      added.push({
        atS: fault.atS + fault.forS,
        entry: {
          at: `${fault.atS + fault.forS}s`,
          link: {
            device: fault.device,
            profile: d?.link ?? 'ideal',
            ...(d?.loss !== undefined && { loss: d.loss }),
          },
        },
      });
    }
  }
  added.sort((a, b) => a.atS - b.atS);
  return { ...scenario, timeline: [...(scenario.timeline ?? []), ...added.map((a) => a.entry)] };
}

/** A fault in words, for reports. */
export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'loss':
      return `${fault.atS} s: ${fault.device} loses ${fault.loss * 100}% of frames for ${fault.forS} s`;
    case 'power':
      return `${fault.atS} s: ${fault.device} loses power for ${fault.offForS} s`;
    case 'hub':
      return `${fault.atS} s: hub ${fault.hub} reboots`;
    case 'supplier':
      return `${fault.atS} s: ${fault.device} changes supplier to ${fault.to}`;
    case 'replay':
      return `${fault.atS} s: the last CS06 to ${fault.device} is replayed`;
    case 'forged':
      return `${fault.atS} s: a forged CS06 for ${fault.image} reaches ${fault.device}`;
  }
}
