/**
 * A HAN under a test's control (the public testing kit): the real hub OTA server and device
 * OTA clients, real hub memory and device storage, frames encoded and decoded by the real
 * codec — but the network and time are driven step by step by the test: deliver, drop,
 * duplicate or reorder any frame in flight, fire the next timer, cycle a device's power,
 * restart the hub. Model-based tests (`fc.commands`) drive it and check its invariants.
 */
import { bytesEqual } from '../bytes/hex.ts';
import { checkDownloadedImage } from '../devices/image-check.ts';
import { stepClient } from '../devices/ota-client.ts';
import {
  type ClientConfig,
  type ClientEvent,
  type ClientState,
  type ClientTimer,
  initialClientState,
} from '../devices/ota-client-state.ts';
import { DEVICE_PROFILES, type DeviceType } from '../devices/profiles.ts';
import { DeviceStorage } from '../devices/storage.ts';
import { HubMemory } from '../hub/memory.ts';
import {
  DEFAULT_HUB_CONFIG,
  type HubConfig,
  type HubEvent,
  type HubState,
  initialHubState,
  stepHub,
} from '../hub/ota-server.ts';
import type { OtaFrame } from '../ota/commands.ts';
import { decodeOtaFrame, encodeOtaFrame } from '../ota/frame-codec.ts';
import { parseImage } from '../ota/image.ts';
import { RngStreams } from '../sim/rng.ts';

/** A frame on its way. */
export interface InFlight {
  readonly from: string;
  readonly to: string;
  readonly bytes: Uint8Array;
}

/** What the harness is built with. */
export interface HarnessOptions {
  /** The image the hub distributes (a ZigBee OTA file or a signed GBCS image). */
  readonly image: Uint8Array;
  readonly deviceTypes: readonly DeviceType[];
  readonly seed?: number;
  readonly hub?: Partial<HubConfig>;
  readonly maxDataSize?: number;
}

const HUB = 'hub';

/** Which timers `nextTimer` and `fireNextTimer` consider. */
export interface TimerOptions {
  /** Leave out the hub's idle-session timers. */
  readonly withoutHubSessions?: boolean;
}

/** The harness. Nodes are named `<type>-<index>`, e.g. `esme-0`. */
export class HanHarness {
  readonly image: Uint8Array;
  readonly inFlight: InFlight[] = [];
  readonly #hubConfig: HubConfig;
  readonly #memory: HubMemory;
  readonly #rng: RngStreams;
  #hub: HubState;
  #now = 0;
  readonly #hubTimers = new Map<string, number>();
  readonly #devices = new Map<
    string,
    {
      config: ClientConfig;
      state: ClientState;
      storage: DeviceStorage;
      timers: Map<ClientTimer, number>;
      lastTsn: number;
    }
  >();

  /** A HAN with the image stored in the hub and every device powered on and querying. */
  constructor(options: HarnessOptions) {
    this.image = options.image;
    this.#hubConfig = { ...DEFAULT_HUB_CONFIG, ...options.hub };
    this.#memory = new HubMemory({ blockCount: 16, blockSize: 1024 });
    this.#rng = new RngStreams(options.seed ?? 1);
    const header = parseImage(options.image).header;
    const nodes = options.deviceTypes.map((type, i) => ({ node: `${type.toLowerCase()}-${i}`, type }));
    this.#hub = initialHubState(
      nodes.map(({ node, type }) => ({
        node,
        hardwareVersionOptional: DEVICE_PROFILES[type].hardwareVersionOptional,
        upgradePolicy: 'now',
      })),
    );
    for (const { node, type } of nodes) {
      const profile = DEVICE_PROFILES[type];
      const config: ClientConfig = {
        node,
        profile: { ...profile, gbcsActivation: false },
        manufacturerCode: header.manufacturerCode,
        imageType: header.imageType,
        hardwareVersion: header.minimumHardwareVersion ?? 1,
        maxDataSize: options.maxDataSize ?? profile.maxDataSize,
        maxAborts: 3,
      };
      this.#devices.set(node, {
        config,
        state: initialClientState(header.fileVersion - 1),
        storage: new DeviceStorage(header.fileVersion - 1),
        timers: new Map(),
        lastTsn: 0,
      });
    }
    const stored = this.#memory.store(options.image);
    if (!stored.ok) throw new RangeError(`image: ${stored.detail}`);
    this.#stepHub({
      type: 'imageStored',
      image: {
        key: stored.key,
        manufacturerCode: header.manufacturerCode,
        imageType: header.imageType,
        fileVersion: header.fileVersion,
        size: options.image.length,
        ...(header.minimumHardwareVersion !== undefined && {
          minimumHardwareVersion: header.minimumHardwareVersion,
        }),
        ...(header.maximumHardwareVersion !== undefined && {
          maximumHardwareVersion: header.maximumHardwareVersion,
        }),
      },
    });
    for (const node of this.#devices.keys())
      this.#stepClient(node, { type: 'powerOn', runningVersion: header.fileVersion - 1 });
  }

  /** The device nodes. */
  get nodes(): string[] {
    return [...this.#devices.keys()];
  }

  /** Simulated time, µs. */
  get now(): number {
    return this.#now;
  }

  /** A device's state and the bytes its storage holds. */
  device(node: string): { state: ClientState; bytes: Uint8Array; runningVersion: number } {
    const d = this.#devices.get(node);
    if (!d) throw new RangeError(`node: no device ${node}`);
    return { state: d.state, bytes: d.storage.bytes(), runningVersion: d.storage.runningVersion };
  }

  /** Devices pinning the image in hub memory. */
  pins(): string[] {
    return this.#memory.images.flatMap((key) => this.#memory.pinsOf(key));
  }

  /** The earliest pending timer, if any. */
  nextTimer(options: TimerOptions = {}): { node: string; timer: string; dueUs: number } | undefined {
    let best: { node: string; timer: string; dueUs: number } | undefined;
    for (const [node, d] of this.#devices) {
      for (const [timer, dueUs] of d.timers) if (!best || dueUs < best.dueUs) best = { node, timer, dueUs };
    }
    for (const [id, dueUs] of this.#hubTimers) {
      if (options.withoutHubSessions && id.startsWith('session:')) continue;
      if (!best || dueUs < best.dueUs) best = { node: HUB, timer: id, dueUs };
    }
    return best;
  }

  /** Delivers frame `index` of those in flight (taken modulo their number). */
  deliver(index: number): void {
    const frame = this.#take(index);
    if (!frame) return;
    const decoded = decodeOtaFrame(frame.bytes);
    if (!decoded.ok) throw new Error(`harness: a frame the codec encoded does not decode: ${decoded.reason}`);
    if (frame.to === HUB) {
      const device = this.#devices.get(frame.from);
      if (device) device.lastTsn = decoded.frame.transactionSequence;
      this.#stepHub({ type: 'frame', from: frame.from, command: decoded.frame.command });
    } else if (this.#devices.get(frame.to)?.state.phase !== 'off') {
      this.#stepClient(frame.to, {
        type: 'frame',
        command: decoded.frame.command,
        transactionSequence: decoded.frame.transactionSequence,
      });
    }
  }

  /** Loses frame `index`. */
  drop(index: number): void {
    this.#take(index);
  }

  /** Duplicates frame `index` (the copy goes to the end of the queue). */
  duplicate(index: number): void {
    const frame = this.inFlight[index % Math.max(1, this.inFlight.length)];
    if (frame) this.inFlight.push(frame);
  }

  /** Advances time to the earliest timer and fires it. */
  fireNextTimer(options: TimerOptions = {}): void {
    const next = this.nextTimer(options);
    if (!next) return;
    this.#now = Math.max(this.#now, next.dueUs);
    if (next.node === HUB) {
      this.#hubTimers.delete(next.timer);
      const [timer, device] = next.timer.split(':') as ['page' | 'session', string];
      this.#stepHub({ type: 'timer', timer, device });
      return;
    }
    this.#devices.get(next.node)?.timers.delete(next.timer as ClientTimer);
    this.#stepClient(next.node, { type: 'timer', timer: next.timer as ClientTimer });
  }

  /** Cuts a device's power and restores it: it keeps what its storage holds. */
  powerCycle(node: string): void {
    const d = this.#devices.get(node);
    if (!d) return;
    this.#stepClient(node, { type: 'powerLoss' });
    const saved = d.storage.saved();
    this.#stepClient(node, {
      type: 'powerOn',
      runningVersion: d.storage.runningVersion,
      ...(saved && { saved }),
    });
  }

  /** Restarts the hub (its sessions are lost; its memory keeps the image). */
  restartHub(): void {
    this.#stepHub({ type: 'restart' });
  }

  /** Sends an Image Notify to every device (how a hub revives devices that gave up). */
  notifyAll(): void {
    for (const node of this.#devices.keys()) this.#stepHub({ type: 'notify', to: node, queryJitter: 100 });
  }

  /**
   * Delivers every frame in order and fires timers until nothing is left, or `maxSteps`. The
   * hub's idle-session timers are not fired: they would hide a session that never ended.
   */
  settle(maxSteps = 200_000): void {
    const options = { withoutHubSessions: true };
    for (let i = 0; i < maxSteps; i++) {
      if (this.inFlight.length > 0) this.deliver(0);
      else if (this.nextTimer(options)) this.fireNextTimer(options);
      else return;
    }
    throw new Error(`harness: not settled after ${maxSteps} steps`);
  }

  /**
   * Invariants: every device's storage holds a prefix of the image, no more; a device not yet
   * done has a way forward (a frame in flight to or from it, or a timer); pins belong to
   * devices that are downloading.
   */
  checkInvariants(): void {
    for (const [node, d] of this.#devices) {
      const bytes = d.storage.bytes();
      if (bytes.length > this.image.length || !bytesEqual(bytes, this.image.subarray(0, bytes.length))) {
        throw new Error(`${node}: storage does not hold a prefix of the image (${bytes.length} bytes)`);
      }
      const done = d.state.phase === 'upgraded' || d.state.phase === 'failed' || d.state.phase === 'waiting';
      const moving =
        d.timers.size > 0 ||
        this.inFlight.some((f) => f.from === node || f.to === node) ||
        [...this.#hubTimers.keys()].some((k) => k.endsWith(`:${node}`));
      if (!done && !moving)
        throw new Error(`${node}: stuck in ${d.state.phase}/${d.state.status} with nothing pending`);
    }
  }

  #take(index: number): InFlight | undefined {
    if (this.inFlight.length === 0) return undefined;
    return this.inFlight.splice(index % this.inFlight.length, 1)[0];
  }

  #send(from: string, to: string, frame: OtaFrame): void {
    this.inFlight.push({ from, to, bytes: encodeOtaFrame(frame) });
  }

  #stepHub(event: HubEvent): void {
    const step = stepHub(this.#hubConfig, this.#hub, event, {
      nowUs: this.#now,
      utcNow: Math.floor(this.#now / 1_000_000),
    });
    this.#hub = step.state;
    for (const effect of step.effects) {
      if (effect.type === 'send') {
        const tsn = this.#devices.get(effect.to)?.lastTsn ?? 0;
        this.#send(HUB, effect.to, { transactionSequence: tsn, command: effect.command });
      } else if (effect.type === 'sendBlock') {
        const data = this.#memory.read(effect.image.key, effect.fileOffset, effect.length);
        const { manufacturerCode, imageType, fileVersion } = effect.image;
        const tsn = this.#devices.get(effect.to)?.lastTsn ?? 0;
        this.#send(HUB, effect.to, {
          transactionSequence: tsn,
          command: {
            name: 'imageBlockResponse',
            status: 'SUCCESS',
            manufacturerCode,
            imageType,
            fileVersion,
            fileOffset: effect.fileOffset,
            data,
          },
        });
      } else if (effect.type === 'pin') this.#memory.pin(effect.key, effect.device);
      else if (effect.type === 'unpin') this.#memory.unpin(effect.key, effect.device);
      else if (effect.type === 'setTimer')
        this.#hubTimers.set(`${effect.timer}:${effect.device}`, this.#now + effect.delayUs);
      else if (effect.type === 'cancelTimer') this.#hubTimers.delete(`${effect.timer}:${effect.device}`);
    }
  }

  #stepClient(node: string, event: ClientEvent): void {
    const d = this.#devices.get(node);
    if (!d) return;
    const step = stepClient(d.config, d.state, event, {
      nowUs: this.#now,
      utcNow: Math.floor(this.#now / 1_000_000),
      rng: this.#rng.stream(node),
    });
    d.state = step.state;
    for (const effect of step.effects) {
      if (effect.type === 'send') {
        this.#send(node, HUB, { transactionSequence: effect.transactionSequence, command: effect.command });
      } else if (effect.type === 'setTimer') d.timers.set(effect.timer, this.#now + effect.delayUs);
      else if (effect.type === 'cancelTimer') d.timers.delete(effect.timer);
      else if (effect.type === 'beginImage') d.storage.begin(effect.target);
      else if (effect.type === 'store') d.storage.write(effect.fileOffset, effect.data);
      else if (effect.type === 'discardImage') d.storage.discard();
      else if (effect.type === 'activate') d.storage.activate(effect.fileVersion);
      else if (effect.type === 'checkImage') {
        const saved = d.storage.saved();
        if (saved)
          this.#stepClient(node, {
            type: 'checked',
            result: checkDownloadedImage(d.storage.bytes(), { target: saved.target }),
          });
      }
    }
  }
}
