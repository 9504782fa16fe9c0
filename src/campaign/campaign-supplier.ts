/**
 * The supplier of a campaign (DESIGN.md §1), reacting as the run goes: it distributes each
 * device's next hop to its hub through the DCC's threshold (DUIS 11.1), with an Image Notify;
 * when the device's receipt alert says the image verified, it sends CS06 a DCC round trip later,
 * within its activation window (a campaign does not sign: the CS06 is taken as verified); when a
 * hub refuses a distribution for lack of memory, or a device rejects an image, it distributes
 * again after a back-off; it ends a distribution at a hub once no device there still needs the
 * image; and it starts the phased rollout's groups as the ones before succeed. The devices and
 * hubs themselves are the node runtime's: nothing here restates their rules.
 */

import { AnomalyDetectionThreshold } from '../dcc/anomaly-detection.ts';
import type { ImageCheck } from '../devices/ota-client-state.ts';
import type { Reaction } from '../pathways/behaviour.ts';
import { SUPPLIER_REACTION_US } from '../sim/gbcs-device.ts';
import { nextAwake } from '../sim/link.ts';
import type { NodeRuntime } from '../sim/node-runtime.ts';
import type { SupplierHooks } from '../sim/supplier-hooks.ts';
import type { FirmwareReaction, SessionDevice, SessionImage, SessionInput } from './bucket-input.ts';
import { Rollout } from './rollout.ts';

const DAY_US = 86_400_000_000;
const HOUR_US = 3_600_000_000;

/** The supplier's scheduled actions. */
const ACTION = { distribute: 0, released: 1, activate: 2 } as const;

/** What the supplier knows of one device. */
interface Tracked {
  readonly spec: SessionDevice;
  readonly index: number;
  hop: number;
  /** The first hop whose image the device still needs the hub to hold. */
  heldFrom: number;
  retries: number;
  quarantined: number;
  readonly activationsUs: number[];
  reason?: string;
  startedUs?: number;
  endUs?: number;
  failed: boolean;
  /** The version distributed to it whose receipt alert has not come yet. */
  awaitingReceipt?: number;
  /** The hop whose firmware did not run cleanly: refused to run, or bricked or degraded the device. */
  firmware?: FirmwareReaction;
}

/** The supplier of one bucket's run. */
export class CampaignSupplier implements SupplierHooks {
  readonly #input: SessionInput;
  readonly #devices: Tracked[];
  readonly #byNode = new Map<string, Tracked>();
  readonly #adt: AnomalyDetectionThreshold | undefined;
  readonly #rollout: Rollout;
  /** Devices of each hub that still need each image: image key → hub → count. */
  readonly #needs = new Map<string, Map<number, number>>();
  #runtime!: NodeRuntime;
  #finished = 0;
  #quarantined = 0;
  readonly #quarantinedByDay: number[] = [];
  readonly #retriesByDay: number[] = [];

  /** The supplier of `input`'s devices. */
  constructor(input: SessionInput) {
    this.#input = input;
    this.#devices = input.devices.map((spec, index) => ({
      spec,
      index,
      hop: 0,
      heldFrom: 0,
      retries: 0,
      quarantined: 0,
      activationsUs: [],
      failed: false,
    }));
    for (const d of this.#devices) this.#byNode.set(d.spec.node, d);
    this.#adt = input.adt && new AnomalyDetectionThreshold(input.adt.limit, input.adt.windowUs);
    this.#rollout = new Rollout(
      input.rollout ?? [{ successThreshold: 0, errorThreshold: 100 }],
      input.devices.map((d) => (input.rollout ? (d.group ?? 0) : 0)),
    );
  }

  /** Starts the rollout's first groups on `runtime` (before it runs). */
  begin(runtime: NodeRuntime): void {
    this.#runtime = runtime;
    for (const d of this.#devices) for (const image of d.spec.hops) this.#need(d, image.key, 1);
    this.#startGroups(this.#rollout.open(0), 0);
  }

  /** Devices whose run is over. */
  get finished(): number {
    return this.#finished;
  }

  /** Distributions held back by the threshold. */
  get quarantined(): number {
    return this.#quarantined;
  }

  /** Per day of asking: distributions held back. */
  get quarantinedByDay(): readonly number[] {
    return this.#quarantinedByDay;
  }

  /** Per day: distributions retried. */
  get retriesByDay(): readonly number[] {
    return this.#retriesByDay;
  }

  /** The rollout's groups and halt. */
  get rollout(): Rollout {
    return this.#rollout;
  }

  /** What the supplier knows of device `index`. */
  tracked(index: number): Readonly<Tracked> {
    return this.#devices[index] as Tracked;
  }

  /** Why device `index`, whose run is not over, is where it is, when the supplier can tell. */
  waitingFor(index: number): string | undefined {
    const d = this.#devices[index] as Tracked;
    if (d.endUs !== undefined || d.awaitingReceipt === undefined) return undefined;
    return `${hex(d.awaitingReceipt)} was distributed and never fetched: its Image Notify was lost or went unanswered, and the device does not poll`;
  }

  checked(node: string, result: ImageCheck): void {
    const d = this.#byNode.get(node);
    if (!d || d.endUs !== undefined) return;
    const now = this.#runtime.clock.now;
    const image = d.spec.hops[d.hop] as SessionImage;
    d.awaitingReceipt = undefined;
    if (result.status !== 'SUCCESS') {
      // The device's alert 0x8F1C: the supplier distributes the image again, or gives up.
      if (this.#retry(d, now)) return;
      this.#stop(
        d,
        now,
        `image ${hex(image.fileVersion)} failed the device's checks${this.#after(d)}: ${result.reason}`,
      );
      return;
    }
    // The device holds it: the hub need not keep it for this device any more.
    if (d.heldFrom === d.hop) {
      d.heldFrom++;
      this.#need(d, image.key, -1);
    }
    if (!d.spec.profile.gbcsActivation) return;
    // Alert 0x8F72 reaches the supplier, whose CS06 comes a DCC round trip later, within its window.
    const at = nextAwake(this.#runtime.device(node).wake, this.#inWindow(now + SUPPLIER_REACTION_US));
    this.#runtime.supplierAt(at, node, ACTION.activate);
  }

  activated(node: string, fileVersion: number, reaction?: Reaction): void {
    const d = this.#byNode.get(node);
    if (!d || d.endUs !== undefined) return;
    const now = this.#runtime.clock.now;
    const expected = d.spec.hops[d.hop] as SessionImage;
    if (fileVersion !== expected.fileVersion) {
      this.#stop(
        d,
        now,
        `the hub served ${hex(fileVersion)} where the device's next planned hop is ${hex(expected.fileVersion)}`,
      );
      return;
    }
    if (reaction) {
      // The firmware refused to run, or ran and bricked or degraded the device: its run ends here, in error.
      d.firmware = { hop: d.hop, atUs: now, reaction };
      if (reaction.kind !== 'refuse') d.activationsUs.push(now);
      d.hop++;
      this.#stop(d, now, undefined);
      return;
    }
    d.activationsUs.push(now);
    d.hop++;
    if (d.hop >= d.spec.hops.length) {
      this.#end(d, now, true);
      return;
    }
    this.#ask(d, now);
  }

  due(node: string, action: number): void {
    const d = this.#byNode.get(node);
    if (!d || d.endUs !== undefined) return;
    const now = this.#runtime.clock.now;
    if (action === ACTION.distribute) this.#ask(d, now);
    else if (action === ACTION.released) this.#distribute(d, now);
    else this.#runtime.activateHeld(node, 'CS06 Activate Firmware (a campaign takes it as verified)');
  }

  /** The supplier asks the DCC to distribute the device's current hop: now, or when the threshold lets it. */
  #ask(d: Tracked, now: number): void {
    const release = this.#adt ? this.#adt.admit(now) : now;
    if (release > now) {
      d.quarantined++;
      this.#quarantined++;
      const day = Math.floor(now / DAY_US);
      this.#quarantinedByDay[day] = (this.#quarantinedByDay[day] ?? 0) + 1;
      // Past the end of the run it never happens: the run stops first.
      this.#runtime.supplierAt(
        Math.min(release, Math.floor(this.#input.maxTimeUs) + 1),
        d.spec.node,
        ACTION.released,
      );
      return;
    }
    this.#distribute(d, now);
  }

  /** The hub is handed the device's current hop and notifies the device. */
  #distribute(d: Tracked, now: number): void {
    const image = d.spec.hops[d.hop] as SessionImage;
    const result = this.#runtime.distributeVirtual(d.spec.node, image);
    if (!result.ok) {
      if (this.#retry(d, now)) return;
      this.#stop(d, now, `image ${hex(image.fileVersion)} does not fit in hub memory${this.#after(d)}`);
      return;
    }
    d.awaitingReceipt = image.fileVersion;
    this.#runtime.hubEvent({
      type: 'notify',
      to: d.spec.node,
      queryJitter: 100,
      image: {
        manufacturerCode: image.manufacturerCode,
        imageType: image.imageType,
        fileVersion: image.fileVersion,
      },
    });
  }

  /** Whether the supplier distributes again after its back-off (and schedules it). */
  #retry(d: Tracked, now: number): boolean {
    const retry = this.#input.retry;
    if (!retry || d.retries >= retry.attempts) return false;
    const wait = Math.min(retry.backoffUs * retry.factor ** d.retries, retry.maxBackoffUs ?? Infinity);
    d.retries++;
    const day = Math.floor(now / DAY_US);
    this.#retriesByDay[day] = (this.#retriesByDay[day] ?? 0) + 1;
    // Whole microseconds; a wait past the end of the run is the same as one just past it.
    this.#runtime.supplierAt(
      Math.min(now + Math.round(wait), Math.floor(this.#input.maxTimeUs) + 1),
      d.spec.node,
      ACTION.distribute,
    );
    return true;
  }

  #after(d: Tracked): string {
    return d.retries > 0 ? ` (after ${d.retries + 1} distributions)` : '';
  }

  /** The first moment at or after `t` inside the activation window. */
  #inWindow(t: number): number {
    const win = this.#input.activationWindow;
    if (!win) return t;
    const startS = this.#input.startUnixS ?? 1_767_225_600;
    const into = (t + startS * 1_000_000) % DAY_US;
    const from = win.fromHour * HOUR_US;
    const to = win.toHour * HOUR_US;
    const open = from <= to ? into >= from && into < to : into >= from || into < to;
    return open ? t : t + ((((from - into) % DAY_US) + DAY_US) % DAY_US);
  }

  /** `delta` more (or fewer) devices of `d`'s hub need image `key`; at none, its distribution there ends. */
  #need(d: Tracked, key: string, delta: number): void {
    let byHub = this.#needs.get(key);
    if (!byHub) {
      byHub = new Map();
      this.#needs.set(key, byHub);
    }
    const hub = d.spec.hub ?? 0;
    const count = (byHub.get(hub) ?? 0) + delta;
    if (count > 0) {
      byHub.set(hub, count);
      return;
    }
    byHub.delete(hub);
    if (delta < 0) this.#runtime.endDistribution(d.spec.node, key);
  }

  /** The device stops short of its target: what it still needed is no longer needed. */
  #stop(d: Tracked, now: number, reason: string | undefined): void {
    if (reason !== undefined) d.reason ??= reason;
    d.failed = true;
    this.#drop(d, d.hop);
    this.#end(d, now, false);
  }

  #drop(d: Tracked, fromHop: number): void {
    for (let k = Math.max(fromHop, d.heldFrom); k < d.spec.hops.length; k++)
      this.#need(d, (d.spec.hops[k] as SessionImage).key, -1);
    d.heldFrom = d.spec.hops.length;
  }

  #startGroups(groups: readonly number[], t: number): void {
    for (const g of groups)
      for (const i of this.#rollout.members(g)) {
        const d = this.#devices[i] as Tracked;
        d.startedUs = t;
        this.#runtime.supplierAt(t, d.spec.node, ACTION.distribute);
      }
  }

  /** The device's run is over: counted for its rollout group, which may start the next group or halt the rollout. */
  #end(d: Tracked, now: number, ok: boolean): void {
    if (d.endUs !== undefined) return;
    d.endUs = now;
    this.#finished++;
    const g = this.#input.rollout ? (d.spec.group ?? 0) : 0;
    if (ok) this.#startGroups(this.#rollout.success(g, now), now);
    else
      for (const never of this.#rollout.error(g, now))
        for (const k of this.#rollout.members(never)) this.#drop(this.#devices[k] as Tracked, 0);
  }
}

function hex(v: number): string {
  return `0x${v.toString(16).padStart(8, '0')}`;
}
