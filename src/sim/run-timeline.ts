/**
 * A scenario run's timeline (DESIGN.md §3): what the run's input schedules on the clock — later
 * distributions and upgrade chains with their Image Notifies, the end of distributions, power
 * cuts, link changes, hub restarts and events, GBCS commands and changes of supplier — and the
 * times among them that can interrupt a download (the session transport stops a computed run
 * short of them).
 */
import type { VirtualClock } from './clock.ts';
import type { SimEvent } from './device-runtime.ts';
import type { FrameRunInput } from './frame-run.ts';

/** Schedules the run's timeline on `clock`; `known` checks (and returns) a device named by `field`. */
export function scheduleTimeline(
  input: FrameRunInput,
  clock: VirtualClock<SimEvent>,
  known: (node: string, field: string) => string,
): void {
  for (const { atUs, image, notify } of input.laterImages ?? [])
    clock.schedule(atUs, {
      kind: 'driver',
      action: { type: 'distribute', image, notify: notify.map((n) => known(n, 'laterImages')) },
    });
  for (const chain of input.upgradeChains ?? []) {
    const first = chain.images[0];
    if (!first || chain.atUs === undefined) continue;
    const node = known(chain.node, 'upgradeChains');
    clock.schedule(chain.atUs, {
      kind: 'driver',
      action: { type: 'distribute', image: first, notify: [node], chain: chain.images.slice(1) },
    });
  }
  for (const { atUs, file } of input.evictions ?? [])
    clock.schedule(atUs, { kind: 'driver', action: { type: 'evict', file } });
  for (const { atUs, node, offUs } of input.powerCycles ?? [])
    clock.schedule(atUs, {
      kind: 'driver',
      action: { type: 'powerCycle', node: known(node, 'powerCycles'), offUs },
    });
  for (const { atUs, node, link } of input.linkChanges ?? [])
    clock.schedule(atUs, {
      kind: 'driver',
      action: { type: 'link', node: known(node, 'linkChanges'), link },
    });
  for (const restart of input.hubRestartsUs ?? [])
    clock.schedule(restart, { kind: 'hub', event: { type: 'restart' } });
  for (const { atUs, event } of input.hubEvents ?? []) clock.schedule(atUs, { kind: 'hub', event });
  for (const { atUs, node, bytes } of input.gbcsCommands ?? [])
    clock.schedule(atUs, {
      kind: 'gbcs',
      node: known(node, 'gbcsCommands'),
      event: { type: 'command', bytes },
    });
  for (const { atUs, node, anchor } of input.supplierChanges ?? [])
    clock.schedule(atUs, {
      kind: 'gbcs',
      node: known(node, 'supplierChanges'),
      event: { type: 'changeSupplier', anchor },
    });
}

/** Times of the scheduled changes that interrupt downloads, ascending. */
export function interruptionTimes(input: FrameRunInput): number[] {
  return [
    ...(input.powerCycles ?? []).map((p) => p.atUs),
    ...(input.linkChanges ?? []).map((l) => l.atUs),
    ...(input.hubRestartsUs ?? []),
    ...(input.hubEvents ?? []).map((e) => e.atUs),
    ...(input.evictions ?? []).map((e) => e.atUs),
    // An Image Notify takes the device's downlink for its airtime: a run of blocks stops short of it.
    ...(input.laterImages ?? []).map((l) => l.atUs),
    ...(input.upgradeChains ?? []).flatMap((c) => (c.atUs === undefined ? [] : [c.atUs])),
  ].sort((a, b) => a - b);
}
