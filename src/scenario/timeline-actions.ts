/**
 * A scenario's timeline read into the driver's inputs, action by action in time order:
 * distributions through the DCC's anomaly-detection threshold, CS06 commands, upgrades along
 * the planned path, power cycles, evictions, link changes, changes of supplier and injected bad
 * commands.
 */
import { deriveP256PrivateKey } from '../crypto/ecdsa-p256.ts';
import { simulatedParty } from '../gbcs/simulated-party.ts';
import type { ParseImageOptions } from '../ota/image.ts';
import type { Catalog } from '../pathways/catalog.ts';
import { Planner } from '../pathways/planner.ts';
import type { DistributedImage } from '../sim/frame-run.ts';
import { LINK_PROFILES, type LinkProfile } from '../sim/link.ts';
import type { AnomalyDetection } from './anomaly-detection.ts';
import type { Cs06Signer } from './cs06-signer.ts';
import type { HubInputs } from './frame-runs.ts';
import { durationSeconds, ScenarioError, verbOf } from './load.ts';
import type { ScenarioDevice } from './scenario-devices.ts';
import { imageOfEntry, type ScenarioImage, type ScenarioSupplier } from './scenario-inputs.ts';
import type { ScenarioAction } from './schema.ts';

const S = 1_000_000;

/** What reading the timeline reads and fills. */
export interface TimelineState {
  readonly catalog: Catalog | undefined;
  readonly images: ReadonlyMap<string, ScenarioImage>;
  readonly suppliers: ReadonlyMap<string, ScenarioSupplier>;
  readonly devices: ReadonlyMap<string, ScenarioDevice>;
  /** Each hub's inputs, by hub id. */
  readonly hubs: ReadonlyMap<string, HubInputs>;
  readonly cs06: Cs06Signer;
  readonly adt: AnomalyDetection;
  /** Each device's link as the timeline has left it. */
  readonly links: Map<string, LinkProfile>;
  /** How each device reads its downloads: an unsigned GBCS image says nothing of its form. */
  readonly formats: Map<string, ParseImageOptions>;
  readonly targeted: Set<string>;
  readonly planned: Set<string>;
  /** Records a problem with a device. */
  readonly fail: (device: string, why: string) => void;
}

/** One timeline action with its place in the file and its time. */
export interface TimedAction {
  readonly a: ScenarioAction;
  readonly i: number;
  readonly atUs: number;
}

/** The actions in time order; one without `at` happens at the time of the one before it (the first at 0). */
export function orderTimeline(actions: readonly ScenarioAction[]): TimedAction[] {
  let previousUs = 0;
  const timeline = [...actions].map((a, i) => {
    const atUs = a.at === undefined ? previousUs : Math.round(durationSeconds(a.at) * S);
    previousUs = atUs;
    return { a, i, atUs };
  });
  timeline.sort((x, y) => x.atUs - y.atUs || x.i - y.i);
  return timeline;
}

const distributed = (image: ScenarioImage): DistributedImage => ({ file: image.bytes, parse: image.parse });
const inputsOf = (st: TimelineState, dev: ScenarioDevice) => st.hubs.get(dev.hub) as HubInputs;

/** Offers `image` to the devices `to` through their hubs; a GBCS image also sets how they read it. */
function deliver(st: TimelineState, atUs: number, image: ScenarioImage, to: string[]): void {
  const byHub = new Map<string, string[]>();
  for (const t of to) {
    st.targeted.add(t);
    if (image.parse.format === 'gbcs') st.formats.set(t, image.parse);
    const dev = st.devices.get(t) as ScenarioDevice;
    byHub.set(dev.hub, [...(byHub.get(dev.hub) ?? []), t]);
  }
  for (const [hub, notify] of byHub)
    (st.hubs.get(hub) as HubInputs).laterImages.push({ atUs, image: distributed(image), notify });
}

function adt(st: TimelineState, x: NonNullable<ScenarioAction['adt']>, atUs: number): void {
  // Raising the limit releases what waits in quarantine, oldest first, as far as it allows.
  for (const h of st.adt.setThreshold(atUs, x.limit, durationSeconds(x.window) * S)) {
    deliver(st, atUs, h.image, h.to);
    for (const t of h.to)
      st.fail(
        t,
        `distribution of ${h.image.name} quarantined by the anomaly detection threshold, released at ${atUs / S} s`,
      );
  }
}

function activate(st: TimelineState, a: ScenarioAction, atUs: number, path: string): void {
  const x = a.activate as NonNullable<ScenarioAction['activate']>;
  const dev = st.devices.get(x.device) as ScenarioDevice;
  const image = st.images.get(x.image) as ScenarioImage;
  const executeAt = x.cancel ? '9999-12-31T23:59:59Z' : x.executeAt;
  const bytes = st.cs06(
    dev,
    image,
    { ...(x.supplier !== undefined && { supplier: x.supplier }), ...(executeAt && { executeAt }) },
    `${path}.activate`,
  );
  dev.lastCommand = bytes;
  if (a.at !== undefined) inputsOf(st, dev).gbcsCommands.push({ atUs, node: x.device, bytes });
  else {
    const map = dev.spec.gbcs?.commandsForImage as Map<string, readonly Uint8Array[]> | undefined;
    if (!map)
      throw new ScenarioError(
        `${path}.activate`,
        `${x.device} is not a GBCS device with a supplier: it takes no CS06`,
      );
    map.set(image.hash, [...(map.get(image.hash) ?? []), bytes]);
  }
}

function upgrade(
  st: TimelineState,
  x: NonNullable<ScenarioAction['upgrade']>,
  atUs: number,
  path: string,
): void {
  const dev = st.devices.get(x.device) as ScenarioDevice;
  const catalog = st.catalog;
  if (!dev.entry || !catalog)
    throw new ScenarioError(`${path}.upgrade`, `${x.device} has no catalog entry to plan from`);
  if (!catalog.byId.has(x.to))
    throw new ScenarioError(`${path}.upgrade.to`, `no entry ${x.to} in the catalog`);
  const plan = new Planner(catalog).plan(dev.entry.cplEntryId, x.to);
  if (!plan.ok) {
    st.fail(x.device, `no upgrade path: ${plan.reason}: ${plan.detail}`);
    return;
  }
  const hops = plan.hops.map((h) => {
    const image = imageOfEntry(st.images, h);
    if (!image)
      throw new ScenarioError(
        `${path}.upgrade`,
        `the path goes through ${h}, which has no image among the images`,
      );
    return image;
  });
  const map = dev.spec.gbcs?.commandsForImage as Map<string, readonly Uint8Array[]> | undefined;
  if (dev.spec.profile.gbcsActivation && !map)
    throw new ScenarioError(`${path}.upgrade`, `${x.device} has no supplier: nobody signs its CS06`);
  for (const image of hops)
    map?.set(image.hash, [...(map.get(image.hash) ?? []), st.cs06(dev, image, {}, `${path}.upgrade`)]);
  st.targeted.add(x.device);
  st.planned.add(x.device);
  inputsOf(st, dev).upgradeChains.push({ atUs, node: x.device, images: hops.map(distributed) });
}

function link(st: TimelineState, x: NonNullable<ScenarioAction['link']>, atUs: number): void {
  const dev = st.devices.get(x.device) as ScenarioDevice;
  const base = x.profile
    ? LINK_PROFILES[x.profile as keyof typeof LINK_PROFILES]
    : (st.links.get(x.device) ?? dev.spec.link);
  const changed = x.loss === undefined ? base : { ...base, lossProbability: x.loss };
  st.links.set(x.device, changed);
  inputsOf(st, dev).linkChanges.push({ atUs, node: x.device, link: changed });
}

function changeSupplier(
  st: TimelineState,
  x: NonNullable<ScenarioAction['changeSupplier']>,
  atUs: number,
): void {
  const dev = st.devices.get(x.device) as ScenarioDevice;
  const sup = st.suppliers.get(x.to) as ScenarioSupplier;
  dev.supplier = x.to;
  inputsOf(st, dev).supplierChanges.push({
    atUs,
    node: x.device,
    anchor: { supplier: sup.eui, signingKey: sup.publicKey },
  });
}

/** The bad command an `inject` action sends: forged, misaddressed, for another image, from the old supplier, or replayed. */
function injected(
  st: TimelineState,
  x: NonNullable<ScenarioAction['inject']>,
  i: number,
  p: string,
): Uint8Array {
  const dev = st.devices.get(x.device) as ScenarioDevice;
  const image = st.images.get(x.image) as ScenarioImage;
  if (x.kind === 'forged')
    return st.cs06(dev, image, { signingKey: deriveP256PrivateKey(`hanota scenario forger ${i}`) }, p);
  if (x.kind === 'misaddressed')
    return st.cs06(
      dev,
      image,
      { recipient: simulatedParty(`ffff${dev.party.eui.slice(4)}`, `hanota scenario other ${i}`) },
      p,
    );
  if (x.kind === 'otherHash') return st.cs06(dev, image, {}, p);
  if (x.kind === 'oldSupplier') {
    if (dev.startSupplier === undefined || dev.startSupplier === dev.supplier)
      throw new ScenarioError(p, `${x.device} has not changed supplier by then`);
    return st.cs06(dev, image, { supplier: dev.startSupplier }, p);
  }
  if (!dev.lastCommand)
    throw new ScenarioError(p, `nothing was sent to ${x.device} before: there is no command to replay`);
  return dev.lastCommand;
}

/** Applies one timeline action to `st`. */
export function applyAction(st: TimelineState, { a, i, atUs }: TimedAction): void {
  const path = `timeline[${i}]`;
  switch (verbOf(a)) {
    case 'distribute': {
      const d = a.distribute as NonNullable<typeof a.distribute>;
      const image = st.images.get(d.image) as ScenarioImage;
      if (st.adt.offer(atUs, { image, to: d.to })) deliver(st, atUs, image, d.to);
      break;
    }
    case 'adt':
      adt(st, a.adt as NonNullable<typeof a.adt>, atUs);
      break;
    case 'activate':
      activate(st, a, atUs, path);
      break;
    case 'upgrade':
      upgrade(st, a.upgrade as NonNullable<typeof a.upgrade>, atUs, path);
      break;
    case 'powerCycle': {
      const x = a.powerCycle as NonNullable<typeof a.powerCycle>;
      if (x.hub !== undefined) (st.hubs.get(x.hub) as HubInputs).hubRestartsUs.push(atUs);
      else {
        const dev = st.devices.get(x.device as string) as ScenarioDevice;
        inputsOf(st, dev).powerCycles.push({
          atUs,
          node: dev.spec.node,
          offUs: durationSeconds(x.offFor ?? 60) * S,
        });
      }
      break;
    }
    case 'evict': {
      const image = st.images.get((a.evict as NonNullable<typeof a.evict>).image) as ScenarioImage;
      // The hub holds the image as declared (no bytes after its total size): evict those bytes.
      for (const hubInputs of st.hubs.values()) hubInputs.evictions.push({ atUs, file: image.image.bytes });
      break;
    }
    case 'link':
      link(st, a.link as NonNullable<typeof a.link>, atUs);
      break;
    case 'changeSupplier':
      changeSupplier(st, a.changeSupplier as NonNullable<typeof a.changeSupplier>, atUs);
      break;
    case 'inject': {
      const x = a.inject as NonNullable<typeof a.inject>;
      const dev = st.devices.get(x.device) as ScenarioDevice;
      inputsOf(st, dev).gbcsCommands.push({
        atUs,
        node: x.device,
        bytes: injected(st, x, i, `${path}.inject`),
      });
      break;
    }
  }
}
