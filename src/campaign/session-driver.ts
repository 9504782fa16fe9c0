/**
 * The session driver (DESIGN.md §3 "Two drivers, one behaviour"): the same download, check and
 * activation as the frame driver, for campaigns over millions of devices, with one event per
 * state change instead of one per frame. A transfer's duration comes from the same link model
 * (airtime of each frame from its encoded length, latency, the sleepy device's wake windows), in
 * closed form per wake window rather than block by block; the same random streams give the same
 * start times and query jitter. On loss-free links without jitter it gives the frame driver's end
 * states and times exactly (a test proves it).
 *
 * Where it models rather than replays: lost frames (each block exchange is retried after the
 * response timeout, drawn per device from the link's loss probability), link jitter (its mean),
 * contention for download slots (a device told WAIT_FOR_DATA retries after the hub's delay; a
 * slot is held from the first block request to the Upgrade End Request reaching the hub).
 *
 * What a campaign adds on top, none of which the frame driver has: a phased rollout (groups
 * started by src/campaign/rollout.ts), the supplier's retries with back-off (a distribution the
 * hub refused for lack of memory, or an image the device rejected, is distributed again, through
 * the threshold again), and an end in error at the hop a behaviour file says fails.
 */

import type { DeviceProfile } from '../devices/profiles.ts';
import type { HubConfig } from '../hub/ota-server.ts';
import { CompactClock } from '../sim/clock.ts';
import { wakePhaseUs } from '../sim/device-runtime.ts';
import { START_WINDOW_US } from '../sim/frame-driver.ts';
import { SUPPLIER_REACTION_US } from '../sim/gbcs-device.ts';
import { airtimeUs, type LinkProfile, nextAwake, type WakeSchedule } from '../sim/link.ts';
import { type Rng, RngStreams } from '../sim/rng.ts';
import { HubStore } from './hub-store.ts';
import { Rollout, type RolloutGroup, type RolloutGroupResult, type RolloutHalt } from './rollout.ts';
import { frameLengths, transferEndUs } from './transfer-time.ts';

/** One image a device installs. */
export interface SessionImage {
  /** Identifies the image in hub memory (the file's hash). */
  readonly key: string;
  readonly manufacturerCode: number;
  readonly imageType: number;
  readonly fileVersion: number;
  readonly size: number;
  readonly minimumHardwareVersion?: number;
  readonly maximumHardwareVersion?: number;
  /** Whether the device's whole-image checks pass (header, signature). */
  readonly valid: boolean;
}

/** One device of a session run. */
export interface SessionDevice {
  readonly node: string;
  readonly profile: DeviceProfile;
  readonly link: LinkProfile;
  readonly manufacturerCode: number;
  readonly imageType: number;
  readonly runningVersion: number;
  readonly hardwareVersion?: number;
  /** The images it installs, in order: the first is at the hub from the start, each next one is handed over once the one before runs. */
  readonly hops: readonly SessionImage[];
  readonly startUs?: number;
  /** Index of its hub in `SessionInput.hubs` (0 when there is one). */
  readonly hub?: number;
  /** Its group of the phased rollout (0 when there is none). */
  readonly group?: number;
  /** The hop whose activation ends its run in error (what its behaviour file predicts: bricked, degraded or refused). */
  readonly failsAtHop?: number;
}

/** One hub: its OTA server settings and memory. */
export interface SessionHub {
  readonly config: HubConfig;
  readonly memory: { readonly blockCount: number; readonly blockSize: number };
}

/** The DCC's anomaly detection threshold: at most `limit` distributions per window; the rest wait for a later window. */
export interface AdtGate {
  readonly limit: number;
  readonly windowUs: number;
}

/** How the supplier retries a distribution the hub refused or a device could not use: `attempts` more times, after `backoffUs`, each wait `factor` times the one before, at most `maxBackoffUs`. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly backoffUs: number;
  readonly factor: number;
  readonly maxBackoffUs?: number;
}

/** Where a run is, for a progress display. */
export interface SessionProgress {
  readonly simulatedUs: number;
  readonly maxTimeUs: number;
  /** Devices whose run is over (success or error). */
  readonly finished: number;
  readonly devices: number;
}

/** Hours of the day (UTC, in simulated time) in which activations may happen: [fromHour, toHour). */
export interface ActivationWindow {
  readonly fromHour: number;
  readonly toHour: number;
}

/** A session run: one hub (or several, sharing the global limits) and its devices. */
export interface SessionInput {
  readonly seed: number;
  readonly hub?: HubConfig;
  readonly memory?: { readonly blockCount: number; readonly blockSize: number };
  /** Several hubs; devices name theirs by index. */
  readonly hubs?: readonly SessionHub[];
  readonly devices: readonly SessionDevice[];
  readonly maxTimeUs: number;
  readonly adt?: AdtGate;
  readonly activationWindow?: ActivationWindow;
  /** Simulated time 0 as seconds since the Unix epoch (for activation windows). */
  readonly startUnixS?: number;
  /** A phased rollout; devices name their group. Without it, every device starts at once. */
  readonly rollout?: readonly RolloutGroup[];
  readonly retry?: RetryPolicy;
  /** Called now and then (every 2^16 events) and at the end. */
  readonly onProgress?: (progress: SessionProgress) => void;
}

/** How a device ended. */
export interface SessionDeviceResult {
  readonly node: string;
  readonly phase: 'upgraded' | 'waiting' | 'idle' | 'failed' | 'off';
  readonly runningVersion: number;
  /** When each hop was activated, µs. */
  readonly activationsUs: readonly number[];
  /** Why it stopped short of its last hop. */
  readonly reason?: string;
  /** Distributions for it the anomaly detection threshold held back to a later window. */
  readonly quarantined: number;
  /** When its rollout group started it, µs; absent when it never started. */
  readonly startedUs?: number;
  /** When its run ended, µs: its last hop installed, or an error it does not recover from. */
  readonly endUs?: number;
  /** Distributions retried for it. */
  readonly retries: number;
}

/** A session run's result. */
export interface SessionResult {
  readonly devices: readonly SessionDeviceResult[];
  /** Events handled (state changes). */
  readonly events: number;
  readonly hubMemoryPeakBlocks: number;
  readonly downloadsPeak: number;
  readonly endUs: number;
  /** Distributions held back by the anomaly detection threshold. */
  readonly quarantined: number;
  /** Per simulated day: the most blocks any hub had in use during the day. */
  readonly memoryByDay: readonly number[];
  /** Per simulated day: distributions asked for that day and held back to a later window. */
  readonly quarantinedByDay: readonly number[];
  /** The phased rollout's groups, and its halt. */
  readonly groups: readonly RolloutGroupResult[];
  readonly halt?: RolloutHalt;
}

const STAGES = [
  'query',
  'blockRequest',
  'downloaded',
  'endAtHub',
  'activate',
  'notified',
  'released',
  'retry',
] as const;
type Stage = (typeof STAGES)[number];
/** An event is one int: device × 8 + its stage's index. */
const STAGE = Object.fromEntries(STAGES.map((s, k) => [s, k])) as Record<Stage, number>;

interface Device {
  readonly spec: SessionDevice;
  readonly wake?: WakeSchedule;
  readonly clientRng: Rng;
  readonly lossRng: Rng;
  hop: number;
  runningVersion: number;
  phase: SessionDeviceResult['phase'];
  readonly activationsUs: number[];
  reason?: string;
  quarantined: number;
  readonly hub: number;
  retries: number;
  startedUs?: number;
  endUs?: number;
}

/** Runs one hub and its devices, session by session. */
export function runSessionSimulation(input: SessionInput): SessionResult {
  const hubs: readonly SessionHub[] =
    input.hubs ?? (input.hub && input.memory ? [{ config: input.hub, memory: input.memory }] : []);
  if (hubs.length === 0) throw new RangeError('hub: give hub and memory, or hubs');
  const streams = new RngStreams(input.seed);
  const devices: Device[] = input.devices.map((spec, index) => {
    const hub = spec.hub ?? 0;
    if (!hubs[hub]) throw new RangeError(`devices[${index}].hub: no hub ${hub}`);
    const w = spec.profile.wake;
    const wake =
      w &&
      ({
        intervalUs: w.intervalS * 1_000_000,
        awakeUs: w.awakeS * 1_000_000,
        phaseUs: wakePhaseUs(streams.fresh(`wake:${spec.node}`), w.intervalS * 1_000_000),
      } satisfies WakeSchedule);
    return {
      spec,
      ...(wake && { wake }),
      clientRng: streams.fresh(`client:${spec.node}`),
      lossRng: streams.fresh(`session:loss:${spec.node}`),
      hop: 0,
      runningVersion: spec.runningVersion,
      phase: 'off' as const,
      activationsUs: [],
      quarantined: 0,
      hub,
      retries: 0,
    };
  });
  const clock = new CompactClock();
  const at = (time: number, device: number, stage: Stage) => clock.schedule(time, device * 8 + STAGE[stage]);
  const memory = new HubStore(
    hubs.map((h) => h.memory),
    DAY_US,
  );
  for (const d of devices) for (const image of d.spec.hops) memory.need(d.hub, image.key);
  const quarantinedByDay: number[] = [];
  const downloads = hubs.map(() => 0);
  let downloadsPeak = 0;
  // The anomaly detection threshold: distributions per window, each into the first window with room.
  // Only windows that hold a distribution take memory. A full window points to a later one that
  // may have room (path-compressed), so finding room does not walk every full window again: over
  // a large estate and a small limit, most distributions land many windows ahead.
  const perWindow = new Map<number, number>();
  const fullUntil = new Map<number, number>();
  const roomFrom = (w: number): number => {
    let free = w;
    for (let next = fullUntil.get(free); next !== undefined; next = fullUntil.get(free)) free = next;
    for (let k = w; k !== free; ) {
      const next = fullUntil.get(k) as number;
      fullUntil.set(k, free);
      k = next;
    }
    return free;
  };
  let quarantined = 0;
  const admit = (d: Device, t: number): number => {
    const gate = input.adt;
    if (!gate) return t;
    const asked = Math.floor(t / gate.windowUs);
    const w = roomFrom(asked);
    const count = (perWindow.get(w) ?? 0) + 1;
    perWindow.set(w, count);
    if (count >= gate.limit) fullUntil.set(w, w + 1);
    if (w === asked) return t;
    d.quarantined++;
    quarantined++;
    const day = Math.floor(t / DAY_US);
    quarantinedByDay[day] = (quarantinedByDay[day] ?? 0) + 1;
    return w * gate.windowUs;
  };
  const startS = input.startUnixS ?? 1_767_225_600;
  /** The first moment at or after `t` inside the activation window. */
  const inWindow = (t: number): number => {
    const win = input.activationWindow;
    if (!win) return t;
    const dayUs = 86_400_000_000;
    const hourUs = 3_600_000_000;
    const into = (t + startS * 1_000_000) % dayUs;
    const from = win.fromHour * hourUs;
    const to = win.toHour * hourUs;
    const open = from <= to ? into >= from && into < to : into >= from || into < to;
    return open ? t : t + ((((from - into) % dayUs) + dayUs) % dayUs);
  };

  const rollout = new Rollout(
    input.rollout ?? [{ successThreshold: 0, errorThreshold: 100 }],
    devices.map((d) => (input.rollout ? (d.spec.group ?? 0) : 0)),
  );
  let finished = 0;
  /** The device no longer needs the images of its hops from `hop` on. */
  const drop = (d: Device, hop: number, now: number) => {
    for (let k = hop; k < d.spec.hops.length; k++)
      memory.done(d.hub, (d.spec.hops[k] as SessionImage).key, now);
  };
  const startGroups = (groups: readonly number[], t: number) => {
    for (const g of groups) for (const i of rollout.members(g)) start(i, t);
  };
  /** The device's run is over: counted for its rollout group, which may start the next group or halt the rollout. */
  const end = (d: Device, now: number, ok: boolean) => {
    if (d.endUs !== undefined) return;
    d.endUs = now;
    finished++;
    const g = input.rollout ? (d.spec.group ?? 0) : 0;
    if (ok) startGroups(rollout.success(g, now), now);
    else
      for (const never of rollout.error(g, now))
        for (const k of rollout.members(never)) drop(devices[k] as Device, 0, now);
  };
  /** Whether the supplier retries a failed distribution to `d` (and schedules it). */
  const retried = (d: Device, i: number, now: number): boolean => {
    const retry = input.retry;
    if (!retry || d.retries >= retry.attempts) return false;
    const wait = Math.min(retry.backoffUs * retry.factor ** d.retries, retry.maxBackoffUs ?? Infinity);
    d.retries++;
    // Whole microseconds (a factor like 1.5 makes fractions); a wait past the end of the run (or
    // an overflow to Infinity) is the same as one just past it: the run stops first.
    at(Math.min(now + Math.round(wait), Math.floor(input.maxTimeUs) + 1), i, 'retry');
    return true;
  };
  const gaveUp = (d: Device) => (d.retries > 0 ? ` (after ${d.retries + 1} distributions)` : '');
  /** The device stops short of its target: the hub has no image for it, or it gave up. */
  const stop = (d: Device, now: number, reason: string) => {
    d.reason = d.reason ?? reason;
    drop(d, d.hop, now);
    end(d, now, false);
  };
  const start = (i: number, groupStart: number) => {
    const d = devices[i] as Device;
    const offset = d.spec.startUs ?? streams.fresh(`start:${d.spec.node}`).int(0, START_WINDOW_US - 1);
    const first = d.spec.hops[0];
    d.startedUs = groupStart;
    if (!first) {
      d.phase = 'idle';
      end(d, groupStart, true);
      return;
    }
    // The first hop is handed to the hub at the start; over the threshold, in a later window.
    const release = admit(d, groupStart);
    const powerOn = nextAwake(d.wake, Math.max(groupStart + offset, release));
    if (!memory.store(d.hub, first.key, first.size, release)) {
      // Retried once the device is on (a retry reaches it with an Image Notify).
      if (retried(d, i, powerOn)) {
        d.phase = 'idle';
        return;
      }
      d.reason = `image ${hex(first.fileVersion)} does not fit in hub memory`;
    }
    // A sleepy device powers on, like it acts, only while awake.
    at(powerOn, i, 'query');
  };
  startGroups(rollout.open(0), 0);

  const frameUs = (d: Device, length: number) =>
    airtimeUs(length, d.spec.link.band) + d.spec.link.latencyUs + Math.floor(d.spec.link.jitterUs / 2);
  /** One request/response exchange from a send at `send`, with retries after lost frames. */
  const exchange = (d: Device, send: number, up: number, down: number): number => {
    let t = send;
    const p = d.spec.link.lossProbability;
    // Each attempt is lost when either frame is; a lost attempt costs the response timeout.
    while (p > 0 && (d.lossRng.chance(p) || d.lossRng.chance(p)))
      t += d.spec.profile.responseTimeoutMs * 1000;
    return nextAwake(d.wake, t + frameUs(d, up) + frameUs(d, down));
  };
  const hopImage = (d: Device) => d.spec.hops[d.hop] as SessionImage;
  /** The hub is handed the device's current hop (a distribution) and notifies the device. */
  const notify = (d: Device, i: number, now: number) => {
    const image = hopImage(d);
    if (!memory.store(d.hub, image.key, image.size, now)) {
      if (retried(d, i, now)) return;
      d.reason = `image ${hex(image.fileVersion)} does not fit in hub memory${gaveUp(d)}`;
    }
    at(nextAwake(d.wake, now + frameUs(d, frameLengths().notify)), i, 'notified');
  };

  let events = 0;
  let endUs = 0;
  const progress = () =>
    input.onProgress?.({
      simulatedUs: endUs,
      maxTimeUs: input.maxTimeUs,
      finished,
      devices: devices.length,
    });
  for (let event = clock.next(); event !== undefined; event = clock.next()) {
    const now = clock.now;
    if (now > input.maxTimeUs) break;
    endUs = now;
    events++;
    if ((events & 0xffff) === 0) progress();
    const i = event >> 3;
    const d = devices[i] as Device;
    const hub = hubs[d.hub] as SessionHub;
    switch (STAGES[event & 7]) {
      case 'query': {
        if (d.phase === 'off') d.phase = 'idle';
        const image = hopImage(d);
        const queryLength =
          d.spec.hardwareVersion === undefined ? frameLengths().query : frameLengths().queryWithHardware;
        const why = refusal(d.spec, image, memory.has(d.hub, image.key));
        if (why) {
          stop(d, now, why);
          break;
        }
        at(exchange(d, now, queryLength, frameLengths().queryResponse), i, 'blockRequest');
        break;
      }
      case 'blockRequest': {
        const hubTime = now + frameUs(d, frameLengths().blockRequest);
        if ((downloads[d.hub] as number) >= hub.config.maxConcurrentDownloads) {
          // WAIT_FOR_DATA: the device asks again after the hub's delay.
          const told = nextAwake(d.wake, hubTime + frameUs(d, frameLengths().waitForData));
          const wait = Math.max(
            hub.config.waitForDataDelayS * 1_000_000,
            hub.config.minimumBlockPeriodMs * 1000,
          );
          at(nextAwake(d.wake, told + wait), i, 'blockRequest');
          break;
        }
        downloads[d.hub] = (downloads[d.hub] as number) + 1;
        downloadsPeak = Math.max(downloadsPeak, downloads[d.hub] as number);
        const end = transferEndUs({
          sendUs: now,
          size: hopImage(d).size,
          chunk: Math.min(d.spec.profile.maxDataSize, hub.config.maxBlockData),
          frameUs: (length) => frameUs(d, length),
          ...(d.wake && { wake: d.wake }),
          lossProbability: d.spec.link.lossProbability,
          lossRng: d.lossRng,
          responseTimeoutUs: d.spec.profile.responseTimeoutMs * 1000,
        });
        at(end, i, 'downloaded');
        break;
      }
      case 'downloaded': {
        // The device checks the image and sends its Upgrade End Request now; the hub frees the slot on receipt.
        at(now + frameUs(d, frameLengths().endRequest), i, 'endAtHub');
        const image = hopImage(d);
        if (!image.valid) {
          d.phase = 'failed';
          // The supplier, told by the device's alert, distributes the image again.
          if (retried(d, i, now)) break;
          d.reason = `image ${hex(image.fileVersion)} failed the device's checks${gaveUp(d)}`;
          drop(d, d.hop, now);
          end(d, now, false);
          break;
        }
        memory.done(d.hub, image.key, now);
        d.phase = 'waiting';
        const ready = d.spec.profile.gbcsActivation
          ? now + SUPPLIER_REACTION_US
          : now + frameUs(d, frameLengths().endRequest) + frameUs(d, frameLengths().endResponse);
        at(nextAwake(d.wake, inWindow(ready)), i, 'activate');
        break;
      }
      case 'endAtHub':
        downloads[d.hub] = (downloads[d.hub] as number) - 1;
        break;
      case 'activate': {
        d.runningVersion = hopImage(d).fileVersion;
        d.activationsUs.push(now);
        d.phase = 'upgraded';
        d.hop++;
        if (d.hop - 1 === d.spec.failsAtHop) {
          // What its behaviour file predicts for this activation: its run ends here, in error.
          drop(d, d.hop, now);
          end(d, now, false);
          break;
        }
        if (!d.spec.hops[d.hop]) {
          end(d, now, true);
          break;
        }
        // The next hop is handed to the hub (over the threshold, in a later window), with an Image Notify.
        const release = admit(d, now);
        if (release > now) at(release, i, 'released');
        else notify(d, i, now);
        break;
      }
      case 'retry': {
        // A new distribution: through the threshold again.
        const release = admit(d, now);
        if (release > now) at(release, i, 'released');
        else notify(d, i, now);
        break;
      }
      case 'released':
        notify(d, i, now);
        break;
      case 'notified': {
        // ZCL §11.13.3.4: the same draws as the client (answer when 1..100 is within the jitter, then a random delay).
        d.clientRng.int(1, 100);
        const delayUs = d.clientRng.int(0, d.spec.profile.queryJitterMs) * 1000;
        at(nextAwake(d.wake, now + delayUs), i, 'query');
        break;
      }
    }
  }
  progress();
  const days = Math.floor(endUs / DAY_US) + 1;
  const halt = rollout.halt;
  return {
    devices: devices.map((d) => ({
      node: d.spec.node,
      phase: d.phase,
      runningVersion: d.runningVersion,
      activationsUs: d.activationsUs,
      ...(d.reason !== undefined && { reason: d.reason }),
      quarantined: d.quarantined,
      ...(d.startedUs !== undefined && { startedUs: d.startedUs }),
      ...(d.endUs !== undefined && { endUs: d.endUs }),
      retries: d.retries,
    })),
    events,
    hubMemoryPeakBlocks: memory.peakBlocks,
    downloadsPeak,
    endUs,
    quarantined,
    memoryByDay: memory.byDay(endUs).slice(0, days),
    quarantinedByDay: Array.from({ length: days }, (_, day) => quarantinedByDay[day] ?? 0),
    groups: rollout.results(),
    ...(halt && { halt }),
  };
}

const DAY_US = 86_400_000_000;

function hex(v: number): string {
  return `0x${v.toString(16).padStart(8, '0')}`;
}

/** Why the hub answers NO_IMAGE_AVAILABLE, as it would. */
function refusal(spec: SessionDevice, image: SessionImage, stored: boolean): string | undefined {
  if (!stored) return `image ${hex(image.fileVersion)} is not in hub memory`;
  if (image.manufacturerCode !== spec.manufacturerCode || image.imageType !== spec.imageType)
    return 'no image for this manufacturer code and image type';
  if (image.fileVersion <= spec.runningVersion) return 'no newer image';
  const { minimumHardwareVersion: min, maximumHardwareVersion: max } = image;
  if (min !== undefined && max !== undefined) {
    const hw = spec.hardwareVersion;
    if (hw === undefined && !spec.profile.hardwareVersionOptional)
      return 'hardware version required to check the image range';
    if (hw !== undefined && (hw < min || hw > max))
      return `hardware version ${hw} is outside the image range ${min}..${max}`;
  }
  return undefined;
}
