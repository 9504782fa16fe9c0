/**
 * What the behaviour files make of a campaign's activations: the hop a device's run is predicted
 * to fail at (so the session driver ends it there), and each device's outcome once its run is
 * over — on target, bricked, degraded, refused by the firmware, failed, stopped short, or never
 * started by its rollout.
 */
import { type Behaviour, outcomeOf } from '../pathways/behaviour.ts';
import type { CatalogEntry } from '../pathways/catalog.ts';
import type { EstateDevice } from '../pathways/estate.ts';
import type { HopReaction, SessionDeviceResult } from './bucket-input.ts';
import type { DeviceOutcome, DeviceStatus, HaltReport } from './report.ts';

/** A device run on the session driver, as planned. */
export interface Pending {
  readonly device: EstateDevice;
  readonly from: CatalogEntry;
  readonly target: string;
  readonly hops: readonly string[];
}

/**
 * The hop whose firmware does not run cleanly (refuses itself, bricks or degrades), if any: the
 * behaviour file resolved along the device's planned hops, for its firmware to do in the run.
 */
export function failingHop(
  behaviour: Behaviour | undefined,
  from: string,
  hops: readonly string[],
): { firmware?: HopReaction } {
  if (!behaviour) return {};
  let entry = from;
  for (let k = 0; k < hops.length; k++) {
    const hop = hops[k] as string;
    const outcome = outcomeOf(behaviour, hop, entry);
    if (outcome && outcome.kind !== 'accept') return { firmware: { hop: k, reaction: outcome } };
    entry = hop;
  }
  return {};
}

/** One device's outcome: its activations in order, and the hop whose firmware did not run cleanly. */
export function judge(
  o: Pending,
  s: SessionDeviceResult,
  group: { name: string; halt: HaltReport | undefined } | undefined,
): DeviceOutcome {
  let entry = o.from.cplEntryId;
  let status: DeviceStatus | undefined;
  let reason: string | undefined;
  let onTargetMs: number | undefined;
  let errorMs: number | undefined;
  s.activationsUs.forEach((t, k) => {
    if (k === s.firmware?.hop) return;
    entry = o.hops[k] as string;
    if (entry === o.target) onTargetMs = Math.floor(t / 1000);
  });
  const fw = s.firmware;
  if (fw) {
    const hop = o.hops[fw.hop] as string;
    errorMs = Math.floor(fw.atUs / 1000);
    if (fw.reaction.kind === 'refuse') {
      status = 'refused';
      reason = `firmware ${hop} refused to run on ${entry}`;
    } else {
      status = fw.reaction.kind === 'brick' ? 'bricked' : 'degraded';
      reason = `${hop} on ${entry}: lost ${fw.reaction.functions.join(', ')}`;
      entry = hop;
    }
  }
  if (!status && s.startedUs === undefined && group) {
    status = 'notStarted';
    const h = group.halt;
    reason = h
      ? `rollout halted: group '${h.group}' had ${h.errors} of ${h.devices} devices in error, over its error threshold`
      : `rollout group '${group.name}' had not started when the simulation ended`;
  }
  if (!status)
    status = onTargetMs !== undefined ? 'onTarget' : s.phase === 'failed' ? 'failed' : 'notReached';
  if (!reason && status !== 'onTarget') reason = s.reason ?? `ended ${s.phase}`;
  if (errorMs === undefined && status !== 'onTarget' && s.endUs !== undefined)
    errorMs = Math.floor(s.endUs / 1000);
  return {
    deviceId: o.device.deviceId,
    hubId: o.device.hubId,
    from: o.from.cplEntryId,
    target: o.target,
    hops: o.hops,
    status,
    entry,
    ...(group && { group: group.name }),
    ...(s.startedUs !== undefined && { startedMs: Math.floor(s.startedUs / 1000) }),
    ...(onTargetMs !== undefined && { onTargetMs }),
    ...(errorMs !== undefined && { errorMs }),
    ...(reason !== undefined && { reason }),
  };
}
