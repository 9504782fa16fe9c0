/**
 * A HAN under a test's control (the public testing kit): the node runtime scenarios run on —
 * the real hub OTA server and device OTA clients, hub memory, device storage, image checks,
 * timers and the ZigBee clock — over the manual transport, so the network is driven step by step
 * by the test: deliver, drop, duplicate or reorder any frame in flight, fire the next event,
 * cycle a device's power, restart the hub, or put in flight frames from another implementation.
 * Model-based tests (`fc.commands`) drive it and check its invariants.
 */
import { bytesEqual } from '../bytes/hex.ts';
import type { ClientState } from '../devices/ota-client-state.ts';
import { DEVICE_PROFILES, type DeviceType } from '../devices/profiles.ts';
import { DEFAULT_HUB_CONFIG, type HubConfig } from '../hub/ota-server.ts';
import { type ParseImageOptions, parseImage } from '../ota/image.ts';
import type { SimEvent } from '../sim/device-runtime.ts';
import { LINK_PROFILES } from '../sim/link.ts';
import { type InFlight, ManualTransport } from '../sim/manual-transport.ts';
import { NodeRuntime } from '../sim/node-runtime.ts';
import { HUB_NODE } from '../sim/transport.ts';

export type { InFlight } from '../sim/manual-transport.ts';

/** What the harness is built with. */
export interface HarnessOptions {
  /** The image the hub distributes (a ZigBee OTA file or a signed GBCS image). */
  readonly image: Uint8Array;
  readonly deviceTypes: readonly DeviceType[];
  readonly seed?: number;
  readonly hub?: Partial<HubConfig>;
  readonly maxDataSize?: number;
  /** How the image reads (unsigned GBCS images need format gbcs). */
  readonly parse?: ParseImageOptions;
}

/** Which events `nextTimer` and `fireNextTimer` consider. */
export interface TimerOptions {
  /** Leave out the hub's idle-session timers. */
  readonly withoutHubSessions?: boolean;
}

/** What the next event of the runtime is, for a test to read. */
function describeEvent(payload: SimEvent): { node: string; timer: string } {
  switch (payload.kind) {
    case 'client':
      return {
        node: payload.node,
        timer: payload.event.type === 'timer' ? payload.event.timer : payload.event.type,
      };
    case 'hub':
      return {
        node: HUB_NODE,
        timer:
          payload.event.type === 'timer'
            ? `${payload.event.timer}:${payload.event.device}`
            : payload.event.type,
      };
    case 'gbcs':
      return { node: payload.node, timer: `gbcs:${payload.event.type}` };
    case 'driver':
      return { node: HUB_NODE, timer: `driver:${payload.action.type}` };
    case 'transport':
      return { node: HUB_NODE, timer: `transport:${payload.event.type}` };
    case 'supplier':
      return { node: payload.node, timer: `supplier:${payload.action}` };
  }
}

/** A live idle timer of the hub (not a stale clock entry of one already cancelled). */
function isHubSessionTimer(runtime: NodeRuntime, payload: SimEvent): boolean {
  return (
    payload.kind === 'hub' &&
    payload.event.type === 'timer' &&
    payload.event.timer === 'session' &&
    runtime.hubTimersOf(payload.event.device) > 0
  );
}

/** The harness. Nodes are named `<type>-<index>`, e.g. `esme-0`. */
export class HanHarness {
  readonly image: Uint8Array;
  readonly #runtime: NodeRuntime;
  readonly #transport: ManualTransport;

  /** A HAN with the image stored in the hub and every device powered on and querying. */
  constructor(options: HarnessOptions) {
    this.image = options.image;
    const header = parseImage(options.image, options.parse ?? {}).header;
    let transport: ManualTransport | undefined;
    this.#runtime = new NodeRuntime(
      {
        seed: options.seed ?? 1,
        hub: { ...DEFAULT_HUB_CONFIG, ...options.hub },
        memory: { blockCount: 16, blockSize: 1024 },
        images: [{ file: options.image, ...(options.parse && { parse: options.parse }) }],
        devices: options.deviceTypes.map((type, i) => ({
          node: `${type.toLowerCase()}-${i}`,
          // Distribution and activation together: the hub's Upgrade End Response says when.
          profile: { ...DEVICE_PROFILES[type], gbcsActivation: false },
          manufacturerCode: header.manufacturerCode,
          imageType: header.imageType,
          runningVersion: header.fileVersion - 1,
          hardwareVersion: header.minimumHardwareVersion ?? 1,
          ...(options.maxDataSize !== undefined && { maxDataSize: options.maxDataSize }),
          link: LINK_PROFILES.ideal,
          upgradePolicy: 'now',
          startUs: 0,
          ...(options.parse && { imageFormat: options.parse }),
        })),
        maxTimeUs: Number.MAX_SAFE_INTEGER,
      },
      (port) => {
        transport = new ManualTransport(port);
        return transport;
      },
    );
    this.#transport = transport as ManualTransport;
    this.#runtime.start();
    this.#runtime.runDue();
  }

  /** The frames in flight, oldest first. */
  get inFlight(): InFlight[] {
    return this.#transport.inFlight;
  }

  /** The device nodes. */
  get nodes(): string[] {
    return this.#runtime.devices.map((d) => d.spec.node);
  }

  /** Simulated time, µs. */
  get now(): number {
    return this.#runtime.clock.now;
  }

  /** A device's state and the bytes its storage holds. */
  device(node: string): { state: ClientState; bytes: Uint8Array; runningVersion: number } {
    const d = this.#runtime.device(node);
    return { state: d.state, bytes: d.storage.bytes(), runningVersion: d.storage.runningVersion };
  }

  /** Devices pinning an image in hub memory. */
  pins(): string[] {
    return this.#runtime.storedImages.flatMap((key) => [...this.#runtime.pinsOf(key)]);
  }

  /** The next event of the runtime (a timer, a finished check, power returning), if any. */
  nextTimer(options: TimerOptions = {}): { node: string; timer: string; dueUs: number } | undefined {
    const next = this.#runtime.peek();
    if (!next) return undefined;
    if (options.withoutHubSessions && isHubSessionTimer(this.#runtime, next.payload)) return undefined;
    return { ...describeEvent(next.payload), dueUs: next.time };
  }

  /** Delivers frame `index` of those in flight (taken modulo their number). */
  deliver(index: number): void {
    const frame = this.#transport.take(index);
    if (!frame) return;
    this.#transport.deliver(frame);
    this.#runtime.runDue();
  }

  /** Loses frame `index`. */
  drop(index: number): void {
    this.#transport.take(index);
  }

  /** Duplicates frame `index` (the copy goes to the end of the queue). */
  duplicate(index: number): void {
    const frame = this.inFlight[index % Math.max(1, this.inFlight.length)];
    if (frame) this.inFlight.push(frame);
  }

  /** Puts a frame from another implementation in flight (delivered like any other). */
  inject(frame: InFlight): void {
    this.inFlight.push(frame);
  }

  /** Advances time to the next event of the runtime and handles it. */
  fireNextTimer(options: TimerOptions = {}): void {
    if (!this.nextTimer(options)) return;
    this.#runtime.step();
    this.#runtime.runDue();
  }

  /** Cuts a device's power and restores it: it keeps what its storage holds. */
  powerCycle(node: string): void {
    this.#runtime.powerCycle(node, 0);
    this.#runtime.runDue();
  }

  /** Restarts the hub (its sessions are lost; its memory keeps the image). */
  restartHub(): void {
    this.#runtime.hubEvent({ type: 'restart' });
  }

  /** Sends an Image Notify to every device (how a hub revives devices that gave up). */
  notifyAll(): void {
    for (const node of this.nodes) this.#runtime.hubEvent({ type: 'notify', to: node, queryJitter: 100 });
  }

  /**
   * Delivers every frame in order and fires events until nothing is left but polls that find
   * nothing (see `NodeRuntime.quiescent`), or `maxSteps`. The
   * hub's idle-session timers are not fired: they would hide a session that never ended.
   */
  settle(maxSteps = 200_000): void {
    const options = { withoutHubSessions: true };
    for (let i = 0; i < maxSteps; i++) {
      if (this.inFlight.length > 0) this.deliver(0);
      // Nothing left but polls answered as the last ones were: devices poll forever.
      else if (this.#runtime.quiescent) return;
      else if (this.nextTimer(options)) this.fireNextTimer(options);
      else return;
    }
    throw new Error(`harness: not settled after ${maxSteps} steps`);
  }

  /**
   * Invariants: every device's storage holds a prefix of the image, no more; a device not yet
   * done has a way forward (a frame in flight to or from it, a timer of its own or one of the
   * hub's for it); pins belong to devices that are downloading.
   */
  checkInvariants(): void {
    for (const d of this.#runtime.devices) {
      const node = d.spec.node;
      const bytes = d.storage.bytes();
      if (bytes.length > this.image.length || !bytesEqual(bytes, this.image.subarray(0, bytes.length))) {
        throw new Error(`${node}: storage does not hold a prefix of the image (${bytes.length} bytes)`);
      }
      const done = d.state.phase === 'upgraded' || d.state.phase === 'failed' || d.state.phase === 'waiting';
      const moving =
        d.timers.size > 0 ||
        this.inFlight.some((f) => f.from === node || f.to === node) ||
        this.#runtime.hubTimersOf(node) > 0 ||
        // Power returning, or an event waiting for a sleepy device to wake.
        this.#runtime.clock.some((e) => (e.kind === 'client' || e.kind === 'gbcs') && e.node === node);
      if (!done && !moving)
        throw new Error(`${node}: stuck in ${d.state.phase}/${d.state.status} with nothing pending`);
    }
  }
}
