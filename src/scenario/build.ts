/**
 * From a validated scenario and the bytes of the files it names to frame-driver runs, one per
 * hub: devices with their keys and suppliers, and the timeline turned into the driver's inputs —
 * distributions (through the DCC's anomaly-detection threshold), CS06 commands built and signed
 * as the supplier would, upgrades along the planned path, power cycles, link changes, changes of
 * supplier and injected bad commands.
 */
import { toHex } from '../bytes/hex.ts';
import { decodeUtf8 } from '../bytes/utf8.ts';
import { deriveP256PrivateKey } from '../crypto/ecdsa-p256.ts';
import { sha256 } from '../crypto/hashes.ts';
import { readP256Key } from '../crypto/keys.ts';
import type { SupplierAnchor } from '../devices/gbcs-activation.ts';
import { DEVICE_PROFILES } from '../devices/profiles.ts';
import { DecodeError, HanotaError } from '../errors/errors.ts';
import { buildCs06 } from '../gbcs/build-cs06.ts';
import { type SimulatedParty, simulatedParty } from '../gbcs/simulated-party.ts';
import { DEFAULT_HUB_CONFIG } from '../hub/ota-server.ts';
import { type OtaImage, type ParseImageOptions, parseImage } from '../ota/image.ts';
import { type Behaviour, parseBehaviour } from '../pathways/behaviour.ts';
import { type Catalog, type CatalogEntry, hardwareKey, loadCatalog } from '../pathways/catalog.ts';
import { Planner } from '../pathways/planner.ts';
import type { DeviceSpec, DistributedImage, FrameRunInput } from '../sim/frame-run.ts';
import { LINK_PROFILES, type LinkProfile } from '../sim/link.ts';
import { durationSeconds, ScenarioError, uintOf, verbOf } from './load.ts';
import type { ScenarioFile } from './schema.ts';

const S = 1_000_000;
const ACB_EUI = '90b3d51f30000002';

/** An image of the scenario. */
export interface ScenarioImage {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly image: OtaImage;
  readonly parse: ParseImageOptions;
  /** What a catalog entry's hash is compared with: the Manufacturer Image's SHA-256 (GBCS), else the file's. */
  readonly hash: string;
  readonly entry?: CatalogEntry;
}

/** What the runner needs besides the driver inputs to judge the outcome. */
export interface BuiltScenario {
  readonly runs: readonly { readonly hub: string; readonly input: FrameRunInput }[];
  readonly catalog?: Catalog;
  readonly behaviour?: Behaviour;
  readonly images: ReadonlyMap<string, ScenarioImage>;
  /**
   * Each device's hub, type, starting version and entry (when it has one), whether the timeline
   * upgrades it, and whether along a planned path (an `upgrade` action).
   */
  readonly devices: ReadonlyMap<
    string,
    {
      readonly hub: string;
      readonly type: string;
      readonly startVersion: number;
      readonly entry?: string;
      readonly targeted: boolean;
      readonly planned: boolean;
    }
  >;
  /** Problems found while building, per device (a path that cannot be planned, a quarantined distribution). */
  readonly failures: ReadonlyMap<string, string[]>;
  readonly quarantined: number;
}

function readImage(name: string, bytes: Uint8Array): Omit<ScenarioImage, 'entry'> {
  for (const parse of [{ format: 'auto' }, { format: 'gbcs' }] as const) {
    try {
      const image = parseImage(bytes, parse);
      return {
        name,
        bytes,
        image,
        parse,
        hash: toHex(sha256(image.format === 'gbcs' ? image.manufacturerImage.data : bytes)),
      };
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      if (parse.format === 'gbcs')
        throw new ScenarioError(`images.${name}`, `not an OTA image: ${error.message}`);
    }
  }
  throw new ScenarioError(`images.${name}`, 'not an OTA image');
}

/** Runs `load`; an error from a file the scenario names is reported at its key, with the file. */
function within<T>(path: string, file: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof HanotaError && !(error instanceof ScenarioError))
      throw new ScenarioError(path, `${file}: ${error.message}`);
    throw error;
  }
}

/** Builds the runs of a scenario. `files` holds the bytes of every referenced path, as written. */
export function buildScenario(
  s: ScenarioFile,
  files: ReadonlyMap<string, Uint8Array>,
  seed: number,
): BuiltScenario {
  const text = (path: string) => decodeUtf8(files.get(path) as Uint8Array);
  const catalog = s.catalog
    ? within('catalog', s.catalog, () => loadCatalog(files.get(s.catalog as string) as Uint8Array))
    : undefined;
  const behaviour = s.behaviour
    ? within('behaviour', s.behaviour, () => parseBehaviour(text(s.behaviour as string)))
    : undefined;
  const byHash = new Map<string, CatalogEntry>();
  for (const e of catalog?.entries ?? []) byHash.set(e.manufacturerImageHash.toLowerCase(), e);
  const images = new Map<string, ScenarioImage>();
  for (const [name, path] of Object.entries(s.images)) {
    const read = readImage(name, files.get(path) as Uint8Array);
    const entry = byHash.get(read.hash);
    images.set(name, { ...read, ...(entry && { entry }) });
  }
  const imageOfEntry = (id: string) => [...images.values()].find((i) => i.entry?.cplEntryId === id);
  const suppliers = new Map<string, { eui: string; privateKey?: Uint8Array; publicKey: Uint8Array }>();
  Object.entries(s.suppliers ?? {}).forEach(([name, sup], i) => {
    const key = within(`suppliers.${name}.key`, sup.key, () => readP256Key(text(sup.key)));
    suppliers.set(name, {
      eui: (sup.eui ?? `53500000000000${(i + 1).toString(16).padStart(2, '0')}`).toLowerCase(),
      publicKey: key.publicKey,
      ...(key.privateKey && { privateKey: key.privateKey }),
    });
  });
  const acb = simulatedParty(ACB_EUI, 'hanota scenario ACB');
  const hubs = s.hubs ?? [{ id: 'hub' }];
  const failures = new Map<string, string[]>();
  const fail = (device: string, why: string) => failures.set(device, [...(failures.get(device) ?? []), why]);

  interface Dev {
    readonly spec: DeviceSpec;
    readonly hub: string;
    readonly party: SimulatedParty;
    supplier?: string;
    readonly startSupplier?: string;
    readonly entry?: CatalogEntry;
    lastCommand?: Uint8Array;
  }
  const devices = new Map<string, Dev>();
  s.devices.forEach((d, index) => {
    const path = `devices[${index}]`;
    const typical = DEVICE_PROFILES[d.type];
    const profile =
      d.wakeIntervalS === undefined
        ? typical
        : { ...typical, wake: { intervalS: d.wakeIntervalS, awakeS: typical.wake?.awakeS ?? 10 } };
    const entry = d.entry !== undefined ? catalog?.byId.get(d.entry) : undefined;
    if (d.entry !== undefined && !entry)
      throw new ScenarioError(`${path}.entry`, `no entry ${d.entry} in the catalog`);
    const own = entry ? imageOfEntry(entry.cplEntryId) : undefined;
    if (entry && !own && (d.fileVersion === undefined || d.manufacturerCode === undefined))
      throw new ScenarioError(
        `${path}.entry`,
        `no image of ${entry.cplEntryId} among the images: give manufacturerCode and fileVersion`,
      );
    const eui = (d.eui ?? `00db${(index + 1).toString(16).padStart(12, '0')}`).toLowerCase();
    const party = simulatedParty(eui, `hanota scenario device ${eui}`);
    const supplier = d.supplier !== undefined ? suppliers.get(d.supplier) : undefined;
    const hw =
      d.hardwareVersion === 'none'
        ? undefined
        : d.hardwareVersion !== undefined
          ? uintOf(d.hardwareVersion)
          : entry && /^\d+$/.test(hardwareKey(entry.hardwareVersion))
            ? Number(hardwareKey(entry.hardwareVersion))
            : profile.hardwareVersionOptional
              ? undefined
              : (own?.image.header.minimumHardwareVersion ?? 1);
    const base = LINK_PROFILES[(d.link ?? 'ideal') as keyof typeof LINK_PROFILES];
    const link: LinkProfile = d.loss === undefined ? base : { ...base, lossProbability: d.loss };
    const anchor: SupplierAnchor | undefined = supplier && {
      supplier: supplier.eui,
      signingKey: supplier.publicKey,
    };
    const spec: DeviceSpec = {
      node: d.id,
      profile,
      manufacturerCode:
        d.manufacturerCode !== undefined
          ? uintOf(d.manufacturerCode)
          : (own?.image.header.manufacturerCode ?? 0),
      imageType: d.imageType !== undefined ? uintOf(d.imageType) : (own?.image.header.imageType ?? 0),
      runningVersion:
        d.fileVersion !== undefined ? uintOf(d.fileVersion) : (own?.image.header.fileVersion ?? 0),
      ...(hw !== undefined && { hardwareVersion: hw }),
      link,
      ...(anchor && profile.gbcsActivation && { trustAnchor: anchor.signingKey }),
      ...(anchor &&
        profile.gbcsActivation && {
          gbcs: {
            identity: {
              device: eui,
              keyAgreementPrivateKey: party.kaPrivate,
              acb: acb.eui,
              acbKeyAgreementKey: acb.kaPublic,
            },
            anchor,
            commandsForImage: new Map<string, readonly Uint8Array[]>(),
          },
        }),
    };
    devices.set(d.id, {
      spec,
      hub: d.hub ?? (hubs[0]?.id as string),
      party,
      ...(d.supplier !== undefined && { supplier: d.supplier, startSupplier: d.supplier }),
      ...(entry && { entry }),
    });
  });

  const counters = new Map<string, bigint>();
  /** Each device's link as the timeline has left it. */
  const links = new Map<string, LinkProfile>();
  const cs06 = (
    dev: Dev,
    image: ScenarioImage,
    opts: {
      supplier?: string;
      signingKey?: Uint8Array;
      executeAt?: string;
      counter?: bigint;
      recipient?: SimulatedParty;
    },
    path: string,
  ): Uint8Array => {
    const name = opts.supplier ?? dev.supplier;
    const sup = name !== undefined ? suppliers.get(name) : undefined;
    if (!sup) throw new ScenarioError(path, `device ${dev.spec.node} has no supplier to sign CS06`);
    const signingKey = opts.signingKey ?? sup.privateKey;
    if (!signingKey)
      throw new ScenarioError(path, `supplier ${name}'s key file holds no private key to sign CS06`);
    const counter = opts.counter ?? (counters.get(sup.eui) ?? 0n) + 1n;
    if (opts.counter === undefined) counters.set(sup.eui, counter);
    const recipient = opts.recipient ?? dev.party;
    return buildCs06({
      supplier: sup.eui,
      signingKey,
      recipient: recipient.eui,
      macFor: recipient.kaPublic,
      acbKaPrivate: acb.kaPrivate,
      counter,
      hash: Buffer.from(image.hash, 'hex'),
      ...(opts.executeAt !== undefined && { executeAt: opts.executeAt }),
    });
  };

  type Acc = {
    laterImages: { atUs: number; image: DistributedImage; notify: string[] }[];
    upgradeChains: { atUs: number; node: string; images: DistributedImage[] }[];
    gbcsCommands: { atUs: number; node: string; bytes: Uint8Array }[];
    supplierChanges: { atUs: number; node: string; anchor: SupplierAnchor }[];
    powerCycles: { atUs: number; node: string; offUs: number }[];
    linkChanges: { atUs: number; node: string; link: LinkProfile }[];
    hubRestartsUs: number[];
    evictions: { atUs: number; file: Uint8Array }[];
  };
  const acc = new Map<string, Acc>(
    hubs.map((h) => [
      h.id,
      {
        laterImages: [],
        upgradeChains: [],
        gbcsCommands: [],
        supplierChanges: [],
        powerCycles: [],
        linkChanges: [],
        hubRestartsUs: [],
        evictions: [],
      },
    ]),
  );
  const of = (dev: Dev) => acc.get(dev.hub) as Acc;
  const distributed = (image: ScenarioImage): DistributedImage => ({ file: image.bytes, parse: image.parse });

  // The DCC's anomaly detection: at most `limit` distributions per window; the rest wait in quarantine.
  let adt: { limit: number; windowUs: number } | undefined;
  const passed: number[] = [];
  const held: { atUs: number; image: ScenarioImage; to: string[] }[] = [];
  let quarantined = 0;
  // How each device reads its downloads: an unsigned GBCS image says nothing of its form.
  const formats = new Map<string, ParseImageOptions>();
  const targeted = new Set<string>();
  const planned = new Set<string>();
  const deliver = (atUs: number, image: ScenarioImage, to: string[]) => {
    const byHub = new Map<string, string[]>();
    for (const t of to) {
      targeted.add(t);
      if (image.parse.format === 'gbcs') formats.set(t, image.parse);
      const dev = devices.get(t) as Dev;
      byHub.set(dev.hub, [...(byHub.get(dev.hub) ?? []), t]);
    }
    for (const [hub, notify] of byHub)
      (acc.get(hub) as Acc).laterImages.push({ atUs, image: distributed(image), notify });
  };
  const admit = (atUs: number): boolean => {
    if (!adt) return true;
    const windowUs = adt.windowUs;
    const recent = passed.filter((t) => t > atUs - windowUs).length;
    return recent < adt.limit;
  };

  // An entry without `at` happens at the time of the entry before it (the first at 0).
  let previousUs = 0;
  const timeline = [...(s.timeline ?? [])].map((a, i) => {
    const atUs = a.at === undefined ? previousUs : Math.round(durationSeconds(a.at) * S);
    previousUs = atUs;
    return { a, i, atUs };
  });
  timeline.sort((x, y) => x.atUs - y.atUs || x.i - y.i);
  for (const { a, i, atUs } of timeline) {
    const path = `timeline[${i}]`;
    switch (verbOf(a)) {
      case 'distribute': {
        const d = a.distribute as NonNullable<typeof a.distribute>;
        const image = images.get(d.image) as ScenarioImage;
        if (admit(atUs)) {
          passed.push(atUs);
          deliver(atUs, image, d.to);
        } else {
          quarantined++;
          held.push({ atUs, image, to: d.to });
        }
        break;
      }
      case 'adt': {
        const x = a.adt as NonNullable<typeof a.adt>;
        adt = { limit: x.limit, windowUs: durationSeconds(x.window) * S };
        // Raising the limit releases what waits in quarantine, oldest first, as far as it allows.
        while (held.length > 0 && admit(atUs)) {
          const h = held.shift() as (typeof held)[number];
          passed.push(atUs);
          deliver(atUs, h.image, h.to);
          for (const t of h.to)
            fail(
              t,
              `distribution of ${h.image.name} quarantined by the anomaly detection threshold, released at ${atUs / S} s`,
            );
        }
        break;
      }
      case 'activate': {
        const x = a.activate as NonNullable<typeof a.activate>;
        const dev = devices.get(x.device) as Dev;
        const image = images.get(x.image) as ScenarioImage;
        const executeAt = x.cancel ? '9999-12-31T23:59:59Z' : x.executeAt;
        const bytes = cs06(
          dev,
          image,
          { ...(x.supplier !== undefined && { supplier: x.supplier }), ...(executeAt && { executeAt }) },
          `${path}.activate`,
        );
        dev.lastCommand = bytes;
        if (a.at !== undefined) of(dev).gbcsCommands.push({ atUs, node: x.device, bytes });
        else {
          const map = dev.spec.gbcs?.commandsForImage as Map<string, readonly Uint8Array[]> | undefined;
          if (!map)
            throw new ScenarioError(
              `${path}.activate`,
              `${x.device} is not a GBCS device with a supplier: it takes no CS06`,
            );
          map.set(image.hash, [...(map.get(image.hash) ?? []), bytes]);
        }
        break;
      }
      case 'upgrade': {
        const x = a.upgrade as NonNullable<typeof a.upgrade>;
        const dev = devices.get(x.device) as Dev;
        if (!dev.entry || !catalog)
          throw new ScenarioError(`${path}.upgrade`, `${x.device} has no catalog entry to plan from`);
        if (!catalog.byId.has(x.to))
          throw new ScenarioError(`${path}.upgrade.to`, `no entry ${x.to} in the catalog`);
        const plan = new Planner(catalog).plan(dev.entry.cplEntryId, x.to);
        if (!plan.ok) {
          fail(x.device, `no upgrade path: ${plan.reason}: ${plan.detail}`);
          break;
        }
        const hops = plan.hops.map((h) => {
          const image = imageOfEntry(h);
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
          map?.set(image.hash, [...(map.get(image.hash) ?? []), cs06(dev, image, {}, `${path}.upgrade`)]);
        targeted.add(x.device);
        planned.add(x.device);
        of(dev).upgradeChains.push({ atUs, node: x.device, images: hops.map(distributed) });
        break;
      }
      case 'powerCycle': {
        const x = a.powerCycle as NonNullable<typeof a.powerCycle>;
        if (x.hub !== undefined) (acc.get(x.hub) as Acc).hubRestartsUs.push(atUs);
        else {
          const dev = devices.get(x.device as string) as Dev;
          of(dev).powerCycles.push({ atUs, node: dev.spec.node, offUs: durationSeconds(x.offFor ?? 60) * S });
        }
        break;
      }
      case 'evict': {
        const image = images.get((a.evict as NonNullable<typeof a.evict>).image) as ScenarioImage;
        for (const hubAcc of acc.values()) hubAcc.evictions.push({ atUs, file: image.bytes });
        break;
      }
      case 'link': {
        const x = a.link as NonNullable<typeof a.link>;
        const dev = devices.get(x.device) as Dev;
        const base = x.profile
          ? LINK_PROFILES[x.profile as keyof typeof LINK_PROFILES]
          : (links.get(x.device) ?? dev.spec.link);
        const link = x.loss === undefined ? base : { ...base, lossProbability: x.loss };
        links.set(x.device, link);
        of(dev).linkChanges.push({ atUs, node: x.device, link });
        break;
      }
      case 'changeSupplier': {
        const x = a.changeSupplier as NonNullable<typeof a.changeSupplier>;
        const dev = devices.get(x.device) as Dev;
        const sup = suppliers.get(x.to) as NonNullable<ReturnType<typeof suppliers.get>>;
        dev.supplier = x.to;
        of(dev).supplierChanges.push({
          atUs,
          node: x.device,
          anchor: { supplier: sup.eui, signingKey: sup.publicKey },
        });
        break;
      }
      case 'inject': {
        const x = a.inject as NonNullable<typeof a.inject>;
        const dev = devices.get(x.device) as Dev;
        const image = images.get(x.image) as ScenarioImage;
        const p = `${path}.inject`;
        let bytes: Uint8Array;
        if (x.kind === 'forged')
          bytes = cs06(dev, image, { signingKey: deriveP256PrivateKey(`hanota scenario forger ${i}`) }, p);
        else if (x.kind === 'misaddressed')
          bytes = cs06(
            dev,
            image,
            { recipient: simulatedParty(`ffff${dev.party.eui.slice(4)}`, `hanota scenario other ${i}`) },
            p,
          );
        else if (x.kind === 'otherHash') bytes = cs06(dev, image, {}, p);
        else if (x.kind === 'oldSupplier') {
          if (dev.startSupplier === undefined || dev.startSupplier === dev.supplier)
            throw new ScenarioError(p, `${x.device} has not changed supplier by then`);
          bytes = cs06(dev, image, { supplier: dev.startSupplier }, p);
        } else {
          if (!dev.lastCommand)
            throw new ScenarioError(
              p,
              `nothing was sent to ${x.device} before: there is no command to replay`,
            );
          bytes = dev.lastCommand;
        }
        of(dev).gbcsCommands.push({ atUs, node: x.device, bytes });
        break;
      }
    }
  }

  const runs = hubs.map((h) => {
    const a = acc.get(h.id) as Acc;
    const input: FrameRunInput = {
      seed,
      hub: {
        ...DEFAULT_HUB_CONFIG,
        node: h.id,
        ...(h.maxConcurrentDownloads !== undefined && { maxConcurrentDownloads: h.maxConcurrentDownloads }),
        ...(h.minimumBlockPeriodMs !== undefined && { minimumBlockPeriodMs: h.minimumBlockPeriodMs }),
      },
      memory: { blockCount: h.memory?.blocks ?? 64, blockSize: h.memory?.blockSize ?? 4096 },
      devices: [...devices.values()]
        .filter((d) => d.hub === h.id)
        .map((d) => {
          const format = formats.get(d.spec.node);
          return format ? { ...d.spec, imageFormat: format } : d.spec;
        }),
      images: [],
      ...a,
      maxTimeUs: (s.maxDays ?? 30) * 86_400 * S,
      capture: true,
    };
    return { hub: h.id, input };
  });
  return {
    runs,
    ...(catalog && { catalog }),
    ...(behaviour && { behaviour }),
    images,
    devices: new Map(
      [...devices].map(([name, d]) => [
        name,
        {
          hub: d.hub,
          type: d.spec.profile.deviceType,
          startVersion: d.spec.runningVersion,
          ...(d.entry && { entry: d.entry.cplEntryId }),
          targeted: targeted.has(name),
          planned: planned.has(name),
        },
      ]),
    ),
    failures,
    quarantined,
  };
}
