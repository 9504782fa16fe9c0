/**
 * One bucket of a campaign on the node runtime (DESIGN.md §3): its hubs and devices run the same
 * state machines as scenarios, over the session transport (commands as values, each download
 * computed as one transfer), with simulated images held as counted blocks, no trace kept, and
 * the campaign's supplier reacting as the run goes. Same input and seed, same result.
 */
import type { DeviceSpec } from '../sim/frame-run.ts';
import { FrameTransport } from '../sim/frame-transport.ts';
import { NodeRuntime } from '../sim/node-runtime.ts';
import { SessionTransport } from '../sim/session-transport.ts';
import { DiscardingTrace } from '../sim/trace.ts';
import type { SessionDeviceResult, SessionInput, SessionResult } from './bucket-input.ts';
import { CampaignSupplier } from './campaign-supplier.ts';

const DAY_US = 86_400_000_000;

/** Runs one bucket: its hubs and devices, until every device is done or `maxTimeUs` passes. */
export function runBucket(input: SessionInput): SessionResult {
  if (input.hubs.length === 0) throw new RangeError('hubs: a bucket needs at least one hub');
  const supplier = new CampaignSupplier(input);
  const first = input.hubs[0] as (typeof input.hubs)[number];
  const runtime = new NodeRuntime(
    {
      seed: input.seed,
      hub: first.config,
      memory: first.memory,
      hubs: input.hubs,
      devices: input.devices.map((d, index): DeviceSpec => {
        if (!input.hubs[d.hub ?? 0]) throw new RangeError(`devices[${index}].hub: no hub ${d.hub}`);
        return {
          node: d.node,
          profile: d.profile,
          manufacturerCode: d.manufacturerCode,
          imageType: d.imageType,
          runningVersion: d.runningVersion,
          ...(d.hardwareVersion !== undefined && { hardwareVersion: d.hardwareVersion }),
          link: d.link,
          ...(d.startUs !== undefined && { startUs: d.startUs }),
          hub: d.hub ?? 0,
          ...(d.firmware && {
            firmware: {
              kind: 'planned',
              hopKeys: d.hops.map((h) => h.key),
              hop: d.firmware.hop,
              reaction: d.firmware.reaction,
            },
          }),
        };
      }),
      images: [],
      maxTimeUs: input.maxTimeUs,
      ...(input.startUnixS !== undefined && { startUnixS: input.startUnixS }),
    },
    (port) => (input.transport === 'frame' ? new FrameTransport(port) : new SessionTransport(port)),
    {
      trace: input.trace ?? new DiscardingTrace(),
      supplier,
      // Polls that would repeat "nothing to fetch" are not sent (unless asked, as a reference).
      elideIdlePolls: input.parkIdlePolls ?? true,
    },
  );
  runtime.start();
  supplier.begin(runtime);
  // The fullest hub, per day: looked at as each day begins (before the first event of a day, the
  // memory of the day before carries over to it and to any day without events) and after every
  // step that stored an image.
  const memoryByDay: number[] = [];
  // The most downloads in flight at once, per day: taken as each day ends (a day without events
  // keeps the downloads of the day before in flight).
  const downloadsByDay: number[] = [];
  let peak = 0;
  let day = -1;
  let lastStored = 0;
  // Until nothing is left but polls answered as the last ones were (parked, they are not even
  // scheduled: the clock empties).
  while (!runtime.quiescent) {
    const next = runtime.peek();
    if (!next || next.time > input.maxTimeUs) break;
    const nextDay = Math.floor(next.time / DAY_US);
    if (nextDay !== day) {
      const held = fullest(runtime, input.hubs.length);
      for (let d = Math.max(0, day + 1); d <= nextDay; d++)
        memoryByDay[d] = Math.max(memoryByDay[d] ?? 0, held);
      if (day >= 0) downloadsByDay[day] = runtime.takeDownloadsInFlightPeak();
      const carried = runtime.takeDownloadsInFlightPeak();
      for (let d = day + 1; d < nextDay; d++) downloadsByDay[d] = carried;
      day = nextDay;
    }
    runtime.step();
    if (runtime.imagesStored !== lastStored) {
      lastStored = runtime.imagesStored;
      const used = runtime.usedBlocks(runtime.lastStoredHub);
      peak = Math.max(peak, used);
      memoryByDay[day] = Math.max(memoryByDay[day] ?? 0, used);
    }
    if ((runtime.events & 0xffff) === 0) progress(input, runtime, supplier);
    if (supplier.finished === input.devices.length) break;
  }
  progress(input, runtime, supplier);
  if (day >= 0) downloadsByDay[day] = runtime.takeDownloadsInFlightPeak();
  const endUs = runtime.endUs;
  const days = Math.floor(endUs / DAY_US) + 1;
  const rollout = supplier.rollout;
  const halt = rollout.halt;
  return {
    devices: input.devices.map((spec, k): SessionDeviceResult => {
      const t = supplier.tracked(k);
      const state = runtime.device(spec.node).state;
      const reason = t.reason ?? supplier.waitingFor(k) ?? state.outcome;
      return {
        node: spec.node,
        // A device caught asking the hub again is still where it rested.
        phase: t.failed ? 'failed' : phaseOf(state.phase === 'querying' ? state.rest : state.phase),
        runningVersion: state.runningVersion,
        activationsUs: t.activationsUs,
        ...(t.firmware && { firmware: t.firmware }),
        ...(reason !== undefined && { reason }),
        quarantined: t.quarantined,
        ...(t.startedUs !== undefined && { startedUs: t.startedUs }),
        ...(t.endUs !== undefined && { endUs: t.endUs }),
        retries: t.retries,
      };
    }),
    events: runtime.events,
    hubMemoryPeakBlocks: peak,
    downloadsPeak: runtime.downloadsPeak,
    endUs,
    quarantined: supplier.quarantined,
    memoryByDay: Array.from({ length: days }, (_, d) => memoryByDay[d] ?? 0),
    quarantinedByDay: Array.from({ length: days }, (_, d) => supplier.quarantinedByDay[d] ?? 0),
    retriesByDay: Array.from({ length: days }, (_, d) => supplier.retriesByDay[d] ?? 0),
    downloadsByDay: Array.from({ length: days }, (_, d) => downloadsByDay[d] ?? 0),
    groups: rollout.results(),
    ...(halt && { halt }),
  };
}

// The loop's helpers are functions of the module, not closures made per bucket: the loop's
// optimised code, entered again for the next bucket, would meet another closure at each call and
// fall back to the interpreter ("wrong call target"), bucket after bucket.

/** The most blocks any of the bucket's `hubs` hubs holds now. */
function fullest(runtime: NodeRuntime, hubs: number): number {
  let most = 0;
  for (let h = 0; h < hubs; h++) most = Math.max(most, runtime.usedBlocks(h));
  return most;
}

/** Tells `input.onProgress` (when given) how far the run is. */
function progress(input: SessionInput, runtime: NodeRuntime, supplier: CampaignSupplier): void {
  input.onProgress?.({
    simulatedUs: runtime.endUs,
    maxTimeUs: input.maxTimeUs,
    finished: supplier.finished,
    devices: input.devices.length,
  });
}

/** The client's phase as a campaign reports it. */
function phaseOf(phase: string): SessionDeviceResult['phase'] {
  if (phase === 'upgraded' || phase === 'failed' || phase === 'off') return phase;
  if (phase === 'waiting' || phase === 'countDown') return 'waiting';
  return 'idle';
}
