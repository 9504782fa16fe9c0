/**
 * The node runtime (DESIGN.md §3 "One engine, several transports"): runs the hub's OTA server,
 * the devices' OTA clients and their GBCS activation in virtual time, and carries out their
 * effects — timers, hub memory blocks, device storage, whole-image checks, activation, the
 * supplier's reaction to receipt alerts, the trace — the same way whatever the transport. Frames
 * go through a `Transport`: the frame transport (bytes through the codec over a link per frame,
 * the reference), the session transport (command values, downloads computed as one transfer)
 * or the manual one (tests deliver by hand).
 */
import { toHex } from '../bytes/hex.ts';
import { sha256 } from '../crypto/hashes.ts';
import { checkDownloadedImage } from '../devices/image-check.ts';
import { stepClient } from '../devices/ota-client.ts';
import type { ClientEffect, ClientEvent, ImageCheck } from '../devices/ota-client-state.ts';
import { ZIGBEE_EPOCH_UNIX_S } from '../gbcs/dlms-date-time.ts';
import { HUB_ALERT } from '../gbcs/hub-alerts.ts';
import {
  type HubConfig,
  type HubContext,
  type HubEffect,
  type HubEvent,
  type KnownDevice,
  type ServedImage,
  servedImage,
  stepHub,
} from '../hub/ota-server.ts';
import { type OtaFrame, sameImage } from '../ota/commands.ts';
import { parseImage } from '../ota/image.ts';
import { VirtualClock } from './clock.ts';
import { FIRMWARE_NOTE, type HeldImage } from './device-firmware.ts';
import {
  createDeviceRuntime,
  type DeviceRuntime,
  type DriverAction,
  deviceResult,
  type SimEvent,
  trustAnchorOf,
} from './device-runtime.ts';
import type { DistributedImage, DistributionResult, FrameRunInput, FrameRunResult } from './frame-run.ts';
import { type GbcsPort, gbcsEvent, gbcsReceipt } from './gbcs-side.ts';
import { HubRuntime } from './hub-runtime.ts';
import { IdlePolls } from './idle-polls.ts';
import { LinkDirection, nextAwake } from './link.ts';
import { type Rng, RngStreams } from './rng.ts';
import { interruptionTimes, scheduleTimeline } from './run-timeline.ts';
import type { SupplierHooks, VirtualImage } from './supplier-hooks.ts';
import type { LazyTimers } from './timers.ts';
import { Trace } from './trace.ts';
import { HUB_NODE, type RuntimePort, type Transport, type UndecodedFrame } from './transport.ts';

/** Default wall-clock start of a run: 2026-01-01T00:00:00Z. */
export const DEFAULT_START_UNIX_S = 1_767_225_600;
/** Time a device takes to boot after power returns, µs. */
const REBOOT_US = 5_000_000;
/** Destination of a hub frame for every device on the HAN. */
export const BROADCAST = 'broadcast';
/** Devices without a start time power on at a random moment in this first window, µs. */
export const START_WINDOW_US = 1_000_000;

/** Builds the transport of a run over the runtime's port. */
export type TransportFactory = (port: RuntimePort) => Transport;

/** What a run may be given besides its input. */
export interface RuntimeOptions {
  /** Where trace events go (a campaign keeps none: `DiscardingTrace`). */
  readonly trace?: Trace;
  /** A supplier reacting to the run (a campaign's). */
  readonly supplier?: SupplierHooks;
  /**
   * Park the polls of devices whose last query found nothing until something could change the
   * answer (`idle-polls.ts`): a campaign does; a scenario sends every poll.
   */
  readonly elideIdlePolls?: boolean;
}

/** One run: the hub, its devices, their effects, over one transport. */
export class NodeRuntime implements RuntimePort {
  readonly #input: FrameRunInput;
  readonly clock = new VirtualClock<SimEvent>();
  readonly trace: Trace;
  readonly #supplier: SupplierHooks | undefined;
  /** Simulated images held by any hub, by key. */
  readonly #virtual = new Map<string, VirtualImage>();
  /** Events handled. */
  #events = 0;
  readonly #hubContext = { nowUs: 0, utcNow: 0 };
  #clientContext: { nowUs: number; utcNow: number; rng: Rng } | undefined;
  /** Distributions of simulated images so far, and the hub of the last. */
  #imagesStored = 0;
  #lastStoredHub = 0;
  readonly capture: boolean;
  readonly #transport: Transport;
  readonly #rng: RngStreams;
  /** Times of the scheduled changes that interrupt downloads, ascending. */
  readonly #interruptions: number[];
  readonly #hubs: HubRuntime[];
  readonly #devices = new Map<string, DeviceRuntime>();
  readonly #startUnixS: number;
  #framesSent = 0;
  /** Time of the last event handled, µs. */
  #endUs = 0;
  readonly #distributions: DistributionResult[] = [];
  #peakBlocks = 0;
  /** The most downloads any hub served at once. */
  #downloadsPeak = 0;
  /** Downloads all hubs serve now, and the most at once since `takeDownloadsInFlightPeak`. */
  #inFlight = 0;
  #inFlightPeak = 0;
  /** How many devices' last query found nothing to fetch, unchanged since (`DeviceRuntime.inert`). */
  #inertCount = 0;
  /** Their parked polls, when the run elides them. */
  readonly #idlePolls: IdlePolls | undefined;
  /** What the GBCS side of the devices uses of this runtime. */
  readonly #gbcs: GbcsPort;
  /** The images still to come of each device's upgrade chain. */
  readonly #chains = new Map<
    string,
    { readonly awaiting: number; readonly rest: readonly DistributedImage[] }
  >();

  constructor(input: FrameRunInput, transport: TransportFactory, options: RuntimeOptions = {}) {
    this.#input = input;
    this.trace = options.trace ?? new Trace();
    this.#supplier = options.supplier;
    this.#idlePolls = options.elideIdlePolls ? new IdlePolls() : undefined;
    this.capture = input.capture ?? false;
    this.#interruptions = interruptionTimes(input);
    this.#rng = new RngStreams(input.seed);
    this.#startUnixS = input.startUnixS ?? DEFAULT_START_UNIX_S;
    input.devices.forEach((spec, index) => {
      if (spec.node === HUB_NODE || this.#devices.has(spec.node))
        throw new RangeError(`devices[${index}].node: '${spec.node}' is not unique`);
      const runtime = createDeviceRuntime(spec, index, this.#rng, this.clock);
      this.#devices.set(spec.node, runtime);
    });
    const hubs = input.hubs ?? [{ config: input.hub, memory: input.memory }];
    const known = hubs.map((): KnownDevice[] => []);
    input.devices.forEach((d, index) => {
      const list = known[d.hub ?? 0];
      if (!list) throw new RangeError(`devices[${index}].hub: no hub ${d.hub} in this run`);
      list.push({
        node: d.node,
        hardwareVersionOptional: d.profile.hardwareVersionOptional,
        upgradePolicy: d.upgradePolicy ?? (d.profile.gbcsActivation ? 'wait' : 'now'),
      });
    });
    this.#hubs = hubs.map((h, i) => new HubRuntime(i, h.config, h.memory, known[i] as KnownDevice[]));
    this.#transport = transport(this);
    this.#gbcs = {
      clock: this.clock,
      trace: this.trace,
      startUnixS: this.#startUnixS,
      utcNow: () => this.#utcNow(),
      note: (node, what, detail) => this.#note(node, what, detail),
      activateHeld: (device, reason) => this.#stepClient(device, { type: 'activateHeld', reason }),
    };
  }

  /** Runs the hub and devices until nothing is left to do or `maxTimeUs` passes. */

  run(): FrameRunResult {
    this.start();
    while (!this.quiescent && this.step());
    return this.result();
  }

  /**
   * Whether nothing is left but polls that will be answered as the last ones were: every event
   * still scheduled is the query timer of a device whose last query found nothing to fetch, and
   * neither it nor its hub's images changed since (events after the run's end aside). Devices poll
   * forever; a run ends here. (A scan of the clock, made only when the next event is such a poll.
   * A run that parks such polls never has one on the clock: it ends when the clock is empty.)
   */
  get quiescent(): boolean {
    if (this.#inertCount === 0 || this.#idlePolls) return false;
    const devices = this.#devices;
    const isInertPoll = (e: SimEvent) =>
      e.kind === 'client' &&
      e.event.type === 'timer' &&
      e.event.timer === 'query' &&
      (devices.get(e.node) as DeviceRuntime).inert;
    const next = this.clock.peek();
    if (!next || !isInertPoll(next.payload)) return false;
    // Events after the run's end (a campaign's supplier may hold one there) never come.
    const end = this.#input.maxTimeUs;
    return !this.clock.some((e, time) => time <= end && !isInertPoll(e));
  }

  /** Distributes the first images and schedules the run's events; the run then goes by `step`. */
  start(): void {
    for (const image of this.#input.images) this.#distribute(image);
    // Chains that start with the images: their first hop is stored now, the next awaits its activation.
    for (const chain of this.#input.upgradeChains ?? []) {
      const [first, ...rest] = chain.images;
      if (chain.atUs !== undefined || !first) continue;
      const node = this.#known(chain.node, 'upgradeChains');
      if (this.#distribute(first, [node]).ok)
        this.#chains.set(node, {
          awaiting: parseImage(first.file, first.parse ?? {}).header.fileVersion,
          rest,
        });
    }
    scheduleTimeline(this.#input, this.clock, (node, field) => this.#known(node, field));
    for (const device of this.#devices.values()) {
      const at =
        device.spec.startUs ?? this.#rng.fresh(`start:${device.spec.node}`).int(0, START_WINDOW_US - 1);
      this.clock.schedule(at, {
        kind: 'client',
        node: device.spec.node,
        event: { type: 'powerOn', runningVersion: device.storage.runningVersion },
      });
    }
  }

  /** Handles the next event of the clock; false when none is left before `maxTimeUs`. */
  step(): boolean {
    const at = this.clock.peekTime();
    if (at === undefined || at > this.#input.maxTimeUs) return false;
    const next = this.clock.next() as { time: number; payload: SimEvent };
    // (peekTime has dropped the cancelled entries on top: next() takes the one it saw.)
    this.#endUs = next.time;
    this.#events++;
    this.#handle(next.payload);
    return true;
  }

  /** Events handled so far. */
  get events(): number {
    return this.#events;
  }

  /** Time of the last event handled, µs. */
  get endUs(): number {
    return this.#endUs;
  }

  /**
   * The most downloads all hubs served at once since the last call (or the start); the count
   * then starts again from those in flight now.
   */
  takeDownloadsInFlightPeak(): number {
    const peak = this.#inFlightPeak;
    this.#inFlightPeak = this.#inFlight;
    return peak;
  }

  /** The most downloads any hub served at once. */
  get downloadsPeak(): number {
    return this.#downloadsPeak;
  }

  /** Distributions of simulated images so far (a counter to notice new ones). */
  get imagesStored(): number {
    return this.#imagesStored;
  }

  /** The hub of the last distribution of a simulated image. */
  get lastStoredHub(): number {
    return this.#lastStoredHub;
  }

  /** Blocks in use in the memory of hub `index`. */
  usedBlocks(index: number): number {
    return (this.#hubs[index] as HubRuntime).memory.usedBlocks;
  }

  /**
   * The supplier distributes a simulated image to `node`'s hub (as DUIS 11.1 would): stored in
   * its memory blocks and offered from then on, or refused when it does not fit.
   */
  distributeVirtual(node: string, image: VirtualImage): DistributionResult {
    const hub = this.#hubOf(node);
    const stored = hub.memory.storeVirtual(image.key, image.size);
    this.#imagesStored++;
    this.#lastStoredHub = hub.index;
    if (!stored.ok)
      return {
        ok: false,
        alert: 'CCS08 FirmwareImageDiscarded',
        reason: stored.reason,
        detail: stored.detail,
      };
    this.#virtual.set(image.key, image);
    // The distribution is for this device: the hub offers the image to it (and to those of earlier ones).
    this.#stepHub(hub, { type: 'imageStored', image: servedImage(image.key, image, image.size, [node]) });
    return { ok: true, key: stored.key, blocks: stored.blocks.length, shared: stored.shared };
  }

  /** The supplier ends the distribution of image `key` at `node`'s hub (freed once no download reads it). */
  endDistribution(node: string, key: string): void {
    const hub = this.#hubOf(node);
    const freed = hub.memory.release(key);
    if (freed) this.#stepHub(hub, { type: 'imageRemoved', key: freed });
  }

  /** The supplier's verified CS06 reaches `node` now: it runs the image it holds (a campaign does not sign). */
  activateHeld(node: string, reason: string): void {
    const device = this.device(node);
    if (device.state.phase === 'off') return;
    this.#stepClient(device, { type: 'activateHeld', reason });
  }

  /**
   * The supplier's distribution of an image file (DUIS 11.1 / 11.4) at `atUs`: stored at the hub
   * of the devices `to` lists (all behind one hub), offered and notified to them alone.
   */
  distributeAt(atUs: number, image: DistributedImage, to: readonly string[]): void {
    const notify = to.map((node) => this.#known(node, 'distributeAt'));
    const hubs = new Set(notify.map((node) => this.#hubOf(node)));
    if (hubs.size !== 1) throw new RangeError(`distributeAt: ${to.join(', ')} are not behind one hub`);
    this.clock.schedule(atUs, { kind: 'driver', action: { type: 'distribute', image, notify } });
  }

  /** A GBCS command (General-Ciphering bytes) reaching `node` at `atUs`, as the DCC delivers it. */
  gbcsCommandAt(atUs: number, node: string, bytes: Uint8Array): void {
    this.clock.schedule(atUs, {
      kind: 'gbcs',
      node: this.#known(node, 'gbcsCommandAt'),
      event: { type: 'command', bytes },
    });
  }

  /** Schedules the supplier's `action` for `node` at `atUs`. */
  supplierAt(atUs: number, node: string, action: number): void {
    this.clock.schedule(atUs, { kind: 'supplier', node, action });
  }

  /** The next event of the clock, without handling it. */
  peek(): { time: number; payload: SimEvent } | undefined {
    return this.clock.peek();
  }

  /** Handles every event due now (zero-delay effects such as a finished image check). */
  runDue(): void {
    while (this.clock.peekTime() === this.clock.now) this.step();
  }

  /** Device outcomes, distributions and the trace so far. */
  result(): FrameRunResult {
    return {
      seed: this.#input.seed,
      distributions: this.#distributions,
      hubMemoryPeakBlocks: this.#peakBlocks,
      devices: [...this.#devices.values()].map((d) => deviceResult(d)),
      framesSent: this.#framesSent,
      endUs: this.#endUs,
      trace: this.trace,
      captured: this.#transport.captured?.() ?? [],
      startUnixS: this.#startUnixS,
    };
  }

  #utcNow(): number {
    return this.#startUnixS - ZIGBEE_EPOCH_UNIX_S + Math.floor(this.clock.now / 1_000_000);
  }

  /** Stores an image at hub 0 for the devices `to` (DUIS `DeviceIDList`; absent: for any device that asks). */
  #distribute({ file, parse }: DistributedImage, to?: readonly string[]): DistributionResult {
    const result = this.#store(file, parse, to);
    this.#distributions.push(result);
    this.#peakBlocks = Math.max(this.#peakBlocks, (this.#hubs[0] as HubRuntime).memory.usedBlocks);
    return result;
  }

  #store(file: Uint8Array, parse: DistributedImage['parse'], to?: readonly string[]): DistributionResult {
    const image = parseImage(file, parse ?? {});
    // Stored at the hub of the devices it is for (one hub per distribution: a DUIS request that
    // lists devices behind several hubs is one distribution to each).
    const hub = this.#hubOf(to?.[0]);
    // The hub holds and serves the file as its header declares it: bytes after the declared total
    // image size (52 of the 1,360 files of the public zigbee-OTA collection have some) or before
    // it in a container are not part of the image (ZCL r8 §11.4.2.13 "Total Image Size").
    const served = image.bytes;
    const stored = hub.memory.store(served);
    if (!stored.ok) {
      this.trace.record({
        kind: 'note',
        timeUs: this.clock.now,
        node: HUB_NODE,
        what: 'distribution refused',
        detail: {
          alert: 'CCS08 FirmwareImageDiscarded',
          alertCode: HUB_ALERT.transferFailure,
          responseCode: 'imageDiscarded',
          reason: stored.reason,
          detail: stored.detail,
        },
      });
      return {
        ok: false,
        alert: 'CCS08 FirmwareImageDiscarded',
        reason: stored.reason,
        detail: stored.detail,
      };
    }
    const offered = servedImage(stored.key, image.header, served.length, to);
    this.trace.record({
      kind: 'note',
      timeUs: this.clock.now,
      node: HUB_NODE,
      what: 'image stored',
      detail: { key: stored.key, blocks: stored.blocks.length, shared: stored.shared },
    });
    this.#stepHub(hub, { type: 'imageStored', image: offered });
    return { ok: true, key: stored.key, blocks: stored.blocks.length, shared: stored.shared };
  }

  /** The hub's time, for a step (one object, brought up to now: the step functions keep none of it). */
  #hubCtx(): HubContext {
    const ctx = this.#hubContext;
    ctx.nowUs = this.clock.now;
    ctx.utcNow = this.#utcNow();
    return ctx;
  }

  /** The hub's timers for `device`'s download (kept with the device: one table per device, no keys built). */
  #hubTimersOf(device: string): LazyTimers<SimEvent> {
    return (this.#devices.get(device) as DeviceRuntime).hubTimers;
  }

  /** The hub of `device` (hub 0 for events that name none). */
  #hubOf(device: string | undefined): HubRuntime {
    const d = device === undefined ? undefined : this.#devices.get(device);
    return this.#hubs[d?.hub ?? 0] as HubRuntime;
  }

  #handle(event: SimEvent): void {
    if (event.kind === 'driver') {
      this.#act(event.action);
      return;
    }
    if (event.kind === 'supplier') {
      this.#supplier?.due(event.node, event.action);
      return;
    }
    if (event.kind === 'hub') {
      if (
        event.event.type === 'timer' &&
        !this.#hubTimersOf(event.event.device).due(event.event.timer, event)
      )
        return;
      if (event.event.type === 'timer' && event.event.timer === 'session')
        this.#transport.beforeHubTimer(event.event.device);
      this.hubEvent(event.event);
      return;
    }
    if (event.kind === 'gbcs') {
      gbcsEvent(this.#gbcs, this.#devices.get(event.node) as DeviceRuntime, event);
      return;
    }
    if (event.kind === 'client') {
      const device = this.#devices.get(event.node) as DeviceRuntime;
      if (event.event.type === 'timer' && !device.timers.due(event.event.timer, event)) return;
      // Responses keep coming while the transport carries a computed run: the run's end re-arms it.
      if (
        event.event.type === 'timer' &&
        event.event.timer === 'response' &&
        this.#transport.carriesRun?.(device.spec.node)
      )
        return;
      // A sleepy device acts only while awake: whatever would make it act (a timer, power
      // returning, a check finishing) waits for its next wake. Power loss does not wait.
      const awakeAt = nextAwake(device.wake, this.clock.now);
      if (awakeAt > this.clock.now && event.event.type !== 'powerLoss') {
        if (event.event.type === 'timer')
          device.timers.set(event.event.timer, awakeAt - this.clock.now, event);
        else this.clock.schedule(awakeAt, event);
        return;
      }
      this.#stepClient(device, event.event);
      return;
    }
    this.#transport.handle(event.event);
  }

  #known(node: string, field: string): string {
    if (!this.#devices.has(node)) throw new RangeError(`${field}: no device '${node}' in this run`);
    return node;
  }

  /** A node's state change, in the trace (when it keeps any). */
  #transition(
    node: string,
    change: { readonly from: string; readonly to: string; readonly reason: string },
  ): void {
    if (this.trace.keeps)
      this.trace.record({
        kind: 'state',
        timeUs: this.clock.now,
        node,
        from: change.from,
        to: change.to,
        reason: change.reason,
      });
  }

  #note(node: string, what: string, detail: Record<string, string | number | boolean>): void {
    if (this.trace.keeps) this.trace.record({ kind: 'note', timeUs: this.clock.now, node, what, detail });
  }

  /** A device loses power now and gets it back `offUs` later, with what its storage kept. */
  powerCycle(node: string, offUs: number): void {
    this.#powerCycle(this.device(node), offUs);
  }

  /** Every device of the run, in the order given. */
  get devices(): readonly DeviceRuntime[] {
    return [...this.#devices.values()];
  }

  /** The hub's idle and page timers of `device` that are armed. */
  hubTimersOf(device: string): number {
    return (
      (this.#hubTimersOf(device).armed('session') ? 1 : 0) + (this.#hubTimersOf(device).armed('page') ? 1 : 0)
    );
  }

  /** Whether image `key` is pinned in the memory of hub 0, and by whom. */
  pinsOf(key: string): readonly string[] {
    return (this.#hubs[0] as HubRuntime).memory.pinsOf(key);
  }

  /** The keys of the images in the memory of hub 0. */
  get storedImages(): readonly string[] {
    return (this.#hubs[0] as HubRuntime).memory.images;
  }

  /** A frame reaching `to` now: the hub, or a device whose radio is on. */
  receive(from: string, to: string, frame: OtaFrame): void {
    if (to === HUB_NODE) {
      const device = this.#devices.get(from) as DeviceRuntime;
      device.lastRequestTsn = frame.transactionSequence;
      this.hubEvent({ type: 'frame', from, command: frame.command });
      return;
    }
    const device = this.#devices.get(to) as DeviceRuntime;
    if (device.state.phase === 'off') return; // a powered-off radio hears nothing
    device.framesReceived++;
    // Two literals rather than a spread: this runs for every frame a device hears.
    this.#stepClient(
      device,
      frame.broadcast
        ? {
            type: 'frame',
            command: frame.command,
            transactionSequence: frame.transactionSequence,
            broadcast: true,
          }
        : { type: 'frame', command: frame.command, transactionSequence: frame.transactionSequence },
    );
  }

  /** A frame that does not decode reaching `to` now: the hub answers it with a Default Response; a device ignores it. */
  refused(from: string, to: string, frame: UndecodedFrame): void {
    if (to !== HUB_NODE) return;
    const device = this.#devices.get(from) as DeviceRuntime;
    device.lastRequestTsn = frame.transactionSequence;
    this.hubEvent({ type: 'undecodable', from, commandId: frame.commandId, status: frame.status });
  }

  /** Hands an event to the hub of the device it names (hub 0 when it names none), now. */
  hubEvent(event: HubEvent): void {
    this.#stepHub(this.#hubOf(deviceOfHubEvent(event)), event);
  }

  #stepHub(hub: HubRuntime, event: HubEvent): void {
    if (event.type === 'imageStored' || event.type === 'imageRemoved' || event.type === 'restart')
      this.#offerChanges(hub, event);
    const step = stepHub(hub.config, hub.state, event, this.#hubCtx());
    hub.state = step.state;
    for (const effect of step.effects) this.#hubEffect(hub, effect);
  }

  /**
   * What the hub offers changes (before the step): the devices it may concern — those the image
   * is for, or every device of the hub — may find something at their next poll.
   */
  #offerChanges(hub: HubRuntime, event: HubEvent): void {
    const image =
      event.type === 'imageStored'
        ? event.image
        : event.type === 'imageRemoved'
          ? hub.state.images.find((i) => i.key === event.key)
          : undefined;
    const concerned = image?.for;
    if (concerned) {
      for (const node of concerned) {
        const device = this.#devices.get(node);
        if (device) this.#stir(device);
      }
      return;
    }
    for (const d of this.#devices.values()) if (d.hub === hub.index) this.#stir(d);
  }

  /** Marks whether `device`'s next poll repeats its last (see `quiescent`). */
  #settle(device: DeviceRuntime, inert: boolean): void {
    if (device.inert === inert) return;
    device.inert = inert;
    this.#inertCount += inert ? 1 : -1;
  }

  /** Something reaches `device` or changes what it would be told: its next poll is no repeat. */
  #stir(device: DeviceRuntime): void {
    // Only an inert device's poll can be parked.
    if (!device.inert) return;
    const node = device.spec.node;
    this.#settle(device, false);
    const polls = this.#idlePolls;
    if (!polls?.parked(node)) return;
    const now = this.clock.now;
    const intervalUs = device.config.profile.queryIntervalS * 1_000_000;
    const due = polls.unpark(
      node,
      now,
      (sent, flight) => nextAwake(device.wake, sent + flight + intervalUs),
      device.wake?.intervalUs,
    ) as number;
    device.timers.set('query', due - now, { kind: 'client', node, event: { type: 'timer', timer: 'query' } });
  }

  /** The OTA server settings of `node`'s hub. */
  hubConfigOf(node: string): HubConfig {
    return this.#hubOf(node).config;
  }

  /** A run of block responses reaching a device now, as one event. */
  deliverBlocks(node: string, fileOffset: number, data: Uint8Array): void {
    const device = this.device(node);
    if (device.state.phase === 'off') return;
    this.#stepClient(device, { type: 'blocks', fileOffset, data });
  }

  /** A device of this run. */
  device(node: string): DeviceRuntime {
    const device = this.#devices.get(node);
    if (!device) throw new RangeError(`node: no device '${node}' in this run`);
    return device;
  }

  /** Bytes of an image in the memory of `node`'s hub. */
  readBlock(node: string, image: ServedImage, fileOffset: number, length: number): Uint8Array {
    return this.#hubOf(node).memory.read(image.key, fileOffset, length);
  }

  /** The first scheduled change at or after now that can interrupt a download, µs. */
  nextInterruptionUs(): number {
    const times = this.#interruptions;
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((times[mid] as number) < this.clock.now) lo = mid + 1;
      else hi = mid;
    }
    return times[lo] ?? Number.POSITIVE_INFINITY;
  }

  /** When the hub's idle timer of `device`'s download is due, µs. */
  hubSessionDeadlineUs(device: string): number {
    return this.#hubTimersOf(device).deadline('session') ?? Number.POSITIVE_INFINITY;
  }

  /** Counts a frame put on the air. */
  countFrame(device: DeviceRuntime, toHub: boolean, count = 1): void {
    this.#framesSent += count;
    if (toHub) device.framesSent += count;
  }

  /** Sends a client's or the hub's frame through the transport. */
  #send(from: string, to: string, frame: OtaFrame): void {
    this.#transport.send(from, to, frame);
  }

  #stepClient(device: DeviceRuntime, event: ClientEvent): void {
    // Whatever reaches it (a frame, a timer, power, a command) may set it going: no repeat poll.
    this.#stir(device);
    // One context object, brought up to now and to this device (the step functions keep none of it).
    this.#clientContext ??= { nowUs: 0, utcNow: 0, rng: device.rng.client };
    const ctx = this.#clientContext;
    ctx.nowUs = this.clock.now;
    ctx.utcNow = this.#utcNow();
    ctx.rng = device.rng.client;
    const step = stepClient(device.config, device.state, event, ctx);
    device.state = step.state;
    for (const effect of step.effects) this.#clientEffect(device, effect);
  }

  #clientEffect(device: DeviceRuntime, effect: ClientEffect): void {
    const node = device.spec.node;
    switch (effect.type) {
      case 'send':
        if (effect.command.name === 'queryNextImageRequest') device.queryStartUs = this.clock.now;
        this.#send(node, HUB_NODE, {
          transactionSequence: effect.transactionSequence,
          command: effect.command,
        });
        return;
      case 'setTimer':
        device.timers.set(effect.timer, effect.delayUs, {
          kind: 'client',
          node,
          event: { type: 'timer', timer: effect.timer },
        });
        return;
      case 'cancelTimer':
        device.timers.cancel(effect.timer);
        return;
      case 'beginImage': {
        // A simulated image is downloaded like any other, but only the count of its bytes is kept.
        const served = this.#hubs[device.hub]?.state.images.find((i) => sameImage(i, effect.target));
        const simulated = served ? this.#virtual.get(served.key) : undefined;
        device.downloading = simulated;
        device.storage.begin(effect.target, simulated === undefined);
        this.#maybeLosePower(device);
        return;
      }
      case 'store':
        device.storage.write(effect.fileOffset, effect.data);
        this.#maybeLosePower(device);
        return;
      case 'discardImage':
        device.storage.discard();
        return;
      case 'checkImage': {
        const saved = device.storage.saved();
        if (!saved) return;
        const simulated = device.downloading;
        if (simulated && sameImage(simulated, saved.target)) {
          this.#checked(device, simulated.verdict, {
            fileVersion: saved.target.fileVersion,
            key: simulated.key,
          });
          if (!effect.atBoot) this.#supplier?.checked(node, simulated.verdict);
          return;
        }
        // A GBCS device checks the supplier's signature on receipt, with the key of the supplier it
        // obeys then (GBCS §11.2.6); at a reboot it checks what it holds, not whose it was.
        const anchor = trustAnchorOf(device);
        const result = checkDownloadedImage(device.storage.bytes(), {
          target: saved.target,
          ...(device.spec.hardwareVersion !== undefined && { hardwareVersion: device.spec.hardwareVersion }),
          ...(anchor && !effect.atBoot && { trustAnchor: anchor }),
          ...(device.spec.imageFormat
            ? { parse: device.spec.imageFormat }
            : anchor && { parse: { format: 'gbcs', signed: true } as const }),
        });
        this.#checked(device, result, {
          fileVersion: saved.target.fileVersion,
          ...(device.firmware &&
            result.status === 'SUCCESS' && { sha256: toHex(sha256(device.storage.bytes())) }),
        });
        // The receipt alert goes once, when the download is checked; not again at a reboot.
        if (effect.atBoot) return;
        if (device.spec.gbcs) gbcsReceipt(this.#gbcs, device, result);
        this.#supplier?.checked(node, result);
        return;
      }
      case 'activate':
        // Which image it now runs, by the SHA-256 of the file it assembled: one version can be
        // published twice with two hashes (two CPL entries), and only the bytes tell them apart.
        if (this.trace.keeps && device.downloading === undefined) {
          const held = device.storage.bytes();
          if (held.length > 0)
            this.#note(node, 'image activated', {
              fileVersion: effect.fileVersion.toString(16).padStart(8, '0'),
              sha256: device.held?.sha256 ?? toHex(sha256(held)),
            });
        }
        if (this.trace.keeps && effect.reaction && effect.reaction.kind !== 'refuse')
          this.#note(node, FIRMWARE_NOTE[effect.reaction.kind], {
            fileVersion: effect.fileVersion.toString(16).padStart(8, '0'),
            functionsLost: effect.reaction.functions.join(', '),
            ...entriesOf(device),
          });
        device.storage.activate(effect.fileVersion);
        if (device.held) device.firmware?.ran(device.held);
        this.#continueChain(node, effect.fileVersion);
        this.#supplier?.activated(node, effect.fileVersion, effect.reaction);
        // PPMID and IHD: the hub managed the activation and reports it (alert 0x8F8B).
        if (this.trace.keeps && !device.spec.profile.gbcsActivation)
          this.#note(node, 'alert 0x8F8B firmware activated', {
            alertCode: HUB_ALERT.firmwareVersionAlert,
            firmwareVersion: effect.fileVersion.toString(16).padStart(8, '0'),
          });
        return;
      case 'firmwareRefused':
        this.#note(node, FIRMWARE_NOTE.refuse, {
          fileVersion: effect.fileVersion.toString(16).padStart(8, '0'),
          runningVersion: device.storage.runningVersion.toString(16).padStart(8, '0'),
          ...entriesOf(device),
        });
        this.#supplier?.activated(node, effect.fileVersion, { kind: 'refuse' });
        if (!device.spec.profile.gbcsActivation)
          this.#note(node, 'alert 0x8F8B firmware not activated', {
            alertCode: HUB_ALERT.firmwareVersionAlert,
            firmwareVersion: device.storage.runningVersion.toString(16).padStart(8, '0'),
            activated: false,
          });
        return;
      case 'nothingToFetch': {
        const now = this.clock.now;
        this.#settle(device, true);
        const due = device.timers.deadline('query');
        if (this.#idlePolls && due !== undefined) {
          device.timers.cancel('query');
          // Each poll re-arms the timer when its answer comes: polls recur every interval plus a round trip.
          this.#idlePolls.park(node, due, now - device.queryStartUs);
        }
        return;
      }
      case 'transition':
        this.#settle(device, false);
        this.#transition(node, effect);
        return;
    }
  }

  /**
   * The client hears its checks' result; an image that passed is what the device now holds, and
   * the client is told what its firmware will do when it runs.
   */
  #checked(device: DeviceRuntime, result: ImageCheck, held: HeldImage): void {
    const ok = result.status === 'SUCCESS';
    if (ok) device.held = held;
    const reaction = ok ? device.firmware?.reactionTo(held) : undefined;
    this.clock.after(0, {
      kind: 'client',
      node: device.spec.node,
      event: { type: 'checked', result, ...(reaction && { reaction }) },
    });
  }

  #act(action: DriverAction): void {
    if (action.type === 'distribute') {
      // The distribution is for the devices it lists: the hub offers it to them, nobody else.
      const result = this.#distribute(action.image, action.notify);
      if (!result.ok) {
        // Said to each device the distribution was for, so their outcomes can name it.
        for (const to of action.notify)
          this.#note(to, 'distribution refused', { reason: result.reason, detail: result.detail });
        return;
      }
      const id = parseImage(action.image.file, action.image.parse ?? {}).header;
      // A hop of an upgrade chain: the next is handed over once the device runs this one.
      if (action.chain && action.notify[0] !== undefined)
        this.#chains.set(action.notify[0], { awaiting: id.fileVersion, rest: action.chain });
      for (const to of action.notify)
        this.hubEvent({
          type: 'notify',
          to,
          queryJitter: 100,
          image: {
            manufacturerCode: id.manufacturerCode,
            imageType: id.imageType,
            fileVersion: id.fileVersion,
          },
        });
      return;
    }
    if (action.type === 'evict') {
      const key = toHex(sha256(action.file));
      const hub = this.#hubs[0] as HubRuntime;
      const freed = hub.memory.release(key);
      this.#note(HUB_NODE, 'distribution ended', {
        key,
        pinnedBy: hub.memory.pinsOf(key).join(' ') || 'none',
      });
      if (freed) this.#stepHub(hub, { type: 'imageRemoved', key: freed });
      return;
    }
    const device = this.#devices.get(action.node) as DeviceRuntime;
    if (action.type === 'powerCycle') {
      this.#note(action.node, 'power cut', { offMs: Math.round(action.offUs / 1000) });
      this.#powerCycle(device, action.offUs);
      return;
    }
    this.#stir(device);
    device.up = new LinkDirection(action.link);
    device.down = new LinkDirection(action.link);
    this.#note(action.node, 'link changed', { lossProbability: action.link.lossProbability });
  }

  /** The next image of a device's upgrade chain, once it runs the hop the chain waits for. */
  #continueChain(node: string, fileVersion: number): void {
    const chain = this.#chains.get(node);
    if (!chain || chain.awaiting !== fileVersion) return;
    this.#chains.delete(node);
    const [next, ...rest] = chain.rest;
    if (next)
      this.clock.after(0, {
        kind: 'driver',
        action: { type: 'distribute', image: next, notify: [node], chain: rest },
      });
  }

  #maybeLosePower(device: DeviceRuntime): void {
    const next = device.pendingPowerLoss[0];
    if (next === undefined || device.storage.length < next) return;
    device.pendingPowerLoss.shift();
    this.#powerCycle(device, REBOOT_US);
  }

  /** Power fails now and returns `offUs` later, with what storage kept. */
  #powerCycle(device: DeviceRuntime, offUs: number): void {
    const node = device.spec.node;
    this.clock.after(0, { kind: 'client', node, event: { type: 'powerLoss' } });
    this.clock.after(offUs, {
      kind: 'client',
      node,
      event: {
        type: 'powerOn',
        runningVersion: device.storage.runningVersion,
        ...(device.storage.saved() && { saved: device.storage.saved() }),
      },
    });
  }

  #hubEffect(hub: HubRuntime, effect: HubEffect): void {
    switch (effect.type) {
      case 'send': {
        if (effect.to === BROADCAST) {
          // One broadcast frame, one sequence number; each device's link carries its own copy.
          const tsn = hub.nextTsn();
          for (const d of this.#devices.values())
            if (d.hub === hub.index)
              this.#send(HUB_NODE, d.spec.node, {
                transactionSequence: tsn,
                command: effect.command,
                broadcast: true,
              });
          return;
        }
        const device = this.#devices.get(effect.to);
        if (!device) throw new RangeError(`hub sent ${effect.command.name} to unknown node '${effect.to}'`);
        // Responses echo the request's sequence number; unsolicited frames take the hub's own.
        const tsn = effect.unsolicited ? hub.nextTsn() : device.lastRequestTsn;
        this.#send(HUB_NODE, effect.to, { transactionSequence: tsn, command: effect.command });
        return;
      }
      case 'sendBlock': {
        const device = this.#devices.get(effect.to) as DeviceRuntime;
        this.#transport.sendBlock(
          effect.to,
          effect.image,
          effect.fileOffset,
          effect.length,
          device.lastRequestTsn,
        );
        return;
      }
      case 'pin':
        hub.memory.pin(effect.key, effect.device);
        hub.downloads++;
        if (hub.downloads > this.#downloadsPeak) this.#downloadsPeak = hub.downloads;
        if (++this.#inFlight > this.#inFlightPeak) this.#inFlightPeak = this.#inFlight;
        return;
      case 'unpin': {
        hub.downloads--;
        this.#inFlight--;
        // An image whose distribution has ended goes with its last download: the hub no longer offers it.
        const freed = hub.memory.unpin(effect.key, effect.device);
        if (freed) this.#stepHub(hub, { type: 'imageRemoved', key: freed });
        return;
      }
      case 'setTimer':
        this.#hubTimersOf(effect.device).set(effect.timer, effect.delayUs, {
          kind: 'hub',
          event: { type: 'timer', timer: effect.timer, device: effect.device },
        });
        return;
      case 'cancelTimer':
        this.#hubTimersOf(effect.device).cancel(effect.timer);
        return;
      case 'transition':
        // The hub's state for one device's download, named after both.
        if (this.trace.keeps) this.#transition(`${HUB_NODE}/${effect.device}`, effect);
        return;
      case 'transferAlert':
        // (A note is built only for a trace that keeps it: a campaign's does not, per download.)
        if (this.trace.keeps)
          this.#note(
            HUB_NODE,
            `alert CCS08 0x${effect.response === 'success' ? '8F8A' : '8F89'} firmware transfer`,
            {
              alertCode:
                effect.response === 'success' ? HUB_ALERT.transferSuccess : HUB_ALERT.transferFailure,
              device: effect.device,
              firmwareVersion: effect.fileVersion.toString(16).padStart(8, '0'),
              responseCode: effect.response,
            },
          );
        return;
    }
  }
}

/** The device a hub event concerns, if it names one. */
function deviceOfHubEvent(event: HubEvent): string | undefined {
  switch (event.type) {
    case 'frame':
    case 'undecodable':
      return event.from;
    case 'timer':
    case 'release':
    case 'served':
      return event.device;
    case 'notify':
      return event.to;
    default:
      return undefined;
  }
}

/** The entries a firmware note names: the one the device runs and the one it was to run. */
function entriesOf(device: DeviceRuntime): Record<string, string> {
  const running = device.firmware?.entry;
  const image = device.held && device.firmware?.entryOf(device.held);
  return { ...(running !== undefined && { entry: running }), ...(image && { image }) };
}
