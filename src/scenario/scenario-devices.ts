/**
 * A scenario's devices as the frame driver takes them: profile, identity, hardware version,
 * link, and — for a GBCS device with a supplier — the trust anchor and keys it checks CS06
 * commands with.
 */
import type { SupplierAnchor } from '../devices/gbcs-activation.ts';
import { DEVICE_PROFILES, type DeviceProfile, SILABS_PAGE_REQUESTS } from '../devices/profiles.ts';
import { type SimulatedParty, simulatedParty } from '../gbcs/simulated-party.ts';
import type { Behaviour } from '../pathways/behaviour.ts';
import { type Catalog, type CatalogEntry, hardwareKey } from '../pathways/catalog.ts';
import type { FirmwareSpec } from '../sim/device-firmware.ts';
import type { DeviceSpec } from '../sim/frame-run.ts';
import { LINK_PROFILES, type LinkProfile } from '../sim/link.ts';
import { durationSeconds, ScenarioError, uintOf } from './load.ts';
import {
  type ImageEntries,
  imageOfEntry,
  type ScenarioImage,
  type ScenarioSupplier,
} from './scenario-inputs.ts';
import type { ScenarioFile } from './schema.ts';

type DeviceEntry = ScenarioFile['devices'][number];

/** A device of the scenario while the timeline is read: its supplier and last command change. */
export interface ScenarioDevice {
  readonly spec: DeviceSpec;
  readonly hub: string;
  readonly party: SimulatedParty;
  supplier?: string;
  readonly startSupplier?: string;
  readonly entry?: CatalogEntry;
  lastCommand?: Uint8Array;
}

/** What building a device reads besides its own entry. */
export interface DeviceContext {
  readonly catalog: Catalog | undefined;
  readonly images: ReadonlyMap<string, ScenarioImage>;
  readonly suppliers: ReadonlyMap<string, ScenarioSupplier>;
  /** The Access Control Broker every device's CS06 commands come through. */
  readonly acb: SimulatedParty;
  /** The hub of a device that names none. */
  readonly defaultHub: string;
  /** The manufacturer's behaviour file: what each firmware does when it runs, from each entry. */
  readonly behaviour?: Behaviour;
  /** Which entry each image is. */
  readonly entries: ImageEntries;
}

/**
 * The hardware version a device reports: as written, else its catalog entry's when a number,
 * else none when its type may omit it, else its image's minimum (or 1).
 */
function hardwareVersionOf(
  d: DeviceEntry,
  entry: CatalogEntry | undefined,
  profile: DeviceProfile,
  own: ScenarioImage | undefined,
): number | undefined {
  return d.hardwareVersion === 'none'
    ? undefined
    : d.hardwareVersion !== undefined
      ? uintOf(d.hardwareVersion)
      : entry && /^\d+$/.test(hardwareKey(entry.hardwareVersion))
        ? Number(hardwareKey(entry.hardwareVersion))
        : profile.hardwareVersionOptional
          ? undefined
          : (own?.image.header.minimumHardwareVersion ?? 1);
}

/** The catalog entry a device names, checked: it exists and its identity can be known. */
function entryOf(d: DeviceEntry, path: string, ctx: DeviceContext) {
  const entry = d.entry !== undefined ? ctx.catalog?.byId.get(d.entry) : undefined;
  if (d.entry !== undefined && !entry)
    throw new ScenarioError(`${path}.entry`, `no entry ${d.entry} in the catalog`);
  const own = entry ? imageOfEntry(ctx.images, entry.cplEntryId) : undefined;
  if (entry && !own && (d.fileVersion === undefined || d.manufacturerCode === undefined))
    throw new ScenarioError(
      `${path}.entry`,
      `no image of ${entry.cplEntryId} among the images: give manufacturerCode and fileVersion`,
    );
  return { entry, own };
}

/** Builds the device at `index` of the scenario's devices. */
export function buildDevice(d: DeviceEntry, index: number, ctx: DeviceContext): ScenarioDevice {
  const path = `devices[${index}]`;
  const typical = DEVICE_PROFILES[d.type];
  if (d.queryInterval !== undefined && durationSeconds(d.queryInterval) < 1)
    throw new ScenarioError(`${path}.queryInterval`, `expected at least 1s, got ${d.queryInterval}`);
  const profile = {
    ...typical,
    ...(d.wakeIntervalS !== undefined && {
      wake: { intervalS: d.wakeIntervalS, awakeS: typical.wake?.awakeS ?? 10 },
    }),
    ...(d.downgrade !== undefined && { downgrade: d.downgrade }),
    ...(d.reinstall !== undefined && { reinstall: d.reinstall }),
    ...(d.queryInterval !== undefined && { queryIntervalS: durationSeconds(d.queryInterval) }),
    ...(d.pageRequests && { pageRequests: SILABS_PAGE_REQUESTS }),
  };
  const { entry, own } = entryOf(d, path, ctx);
  const eui = (d.eui ?? `00db${(index + 1).toString(16).padStart(12, '0')}`).toLowerCase();
  const party = simulatedParty(eui, `hanota scenario device ${eui}`);
  const supplier = d.supplier !== undefined ? ctx.suppliers.get(d.supplier) : undefined;
  const hw = hardwareVersionOf(d, entry, profile, own);
  const base = LINK_PROFILES[(d.link ?? 'ideal') as keyof typeof LINK_PROFILES];
  const link: LinkProfile = d.loss === undefined ? base : { ...base, lossProbability: d.loss };
  // Its firmware does what the behaviour file says as each image runs, from the entry it runs.
  const runningVersion =
    d.fileVersion !== undefined ? uintOf(d.fileVersion) : (own?.image.header.fileVersion ?? 0);
  const startEntry = entry?.cplEntryId ?? ctx.entries.entryOfVersion.get(runningVersion);
  const firmware: FirmwareSpec | undefined =
    ctx.behaviour && startEntry !== undefined
      ? { kind: 'behaviour', behaviour: ctx.behaviour, entry: startEntry, ...ctx.entries }
      : undefined;
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
    runningVersion,
    ...(hw !== undefined && { hardwareVersion: hw }),
    link,
    ...(firmware && { firmware }),
    ...(anchor && profile.gbcsActivation && { trustAnchor: anchor.signingKey }),
    ...(anchor &&
      profile.gbcsActivation && {
        gbcs: {
          identity: {
            device: eui,
            keyAgreementPrivateKey: party.kaPrivate,
            signingPrivateKey: party.dsPrivate,
            acb: ctx.acb.eui,
            acbKeyAgreementKey: ctx.acb.kaPublic,
          },
          anchor,
          commandsForImage: new Map<string, readonly Uint8Array[]>(),
        },
      }),
  };
  return {
    spec,
    hub: d.hub ?? ctx.defaultHub,
    party,
    ...(d.supplier !== undefined && { supplier: d.supplier, startSupplier: d.supplier }),
    ...(entry && { entry }),
  };
}
