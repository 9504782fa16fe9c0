/**
 * The estate behind the emulated DCC (DESIGN.md §3 "The supplier's interface"): each estate
 * device as the node runtime runs it — its profile, identity and running firmware from its CPL
 * entry, its hub — and the keys of everyone involved. Keys come from the user's key directory
 * (the DCC test PKI: the supplier's and the DCC's certificates and keys, the one published device
 * key-agreement key) where it holds them; every other key is simulated, derived from the party's
 * EUI-64, so that the DCC's MACs and the devices' checks agree.
 */
import { FIRMWARE_READ_OF_TYPE } from '../devices/gbcs-read.ts';
import type { DeviceType } from '../devices/profiles.ts';
import { DEVICE_PROFILES, DEVICE_TYPES } from '../devices/profiles.ts';
import { HanotaError } from '../errors/errors.ts';
import type { KeyRing, PartyKeys } from '../gbcs/security.ts';
import { type SimulatedParty, simulatedParty } from '../gbcs/simulated-party.ts';
import { type Catalog, type CatalogEntry, hardwareKey } from '../pathways/catalog.ts';
import type { EstateDevice } from '../pathways/estate.ts';
import type { DeviceSpec } from '../sim/frame-run.ts';
import { LINK_PROFILES, type LinkProfile } from '../sim/link.ts';

/** The DCC Access Control Broker of the DCC test PKI (DCC Boxed's): it MACs critical commands. */
export const DCC_TEST_ACB = '90b3d51f30000002';

/** One device of the estate as the DCC knows it. */
export interface DccDevice {
  readonly eui: string;
  /** Its Comms Hub's EUI-64, lowercase hex. */
  readonly hubId: string;
  /** Its CPL entry; undefined when the catalog has none (it cannot be served). */
  readonly entry: CatalogEntry | undefined;
  readonly type: DeviceType | undefined;
  readonly spec: DeviceSpec | undefined;
}

/** The emulation's parties: the devices by EUI-64, the key ring the DCC checks and MACs with. */
export interface DccParties {
  readonly devices: ReadonlyMap<string, DccDevice>;
  /** Hubs by ID, in order of first appearance; devices name their index. */
  readonly hubs: readonly string[];
  readonly ring: KeyRing;
  /** The supplier the devices obey (their trust anchor). */
  readonly supplier: string;
}

const num = (text: string | undefined): number | undefined => {
  const t = text?.trim();
  if (!t) return undefined;
  if (/^0x[0-9a-f]+$/i.test(t)) return Number.parseInt(t.slice(2), 16);
  return /^\d+$/.test(t) ? Number(t) : undefined;
};

/** A device's running file version from its entry: `file_version`, else a firmware version of eight hex digits. */
function runningVersionOf(entry: CatalogEntry): number {
  const explicit = num(entry.extra.file_version);
  if (explicit !== undefined) return explicit;
  return /^[0-9a-f]{8}$/i.test(entry.firmwareVersion) ? Number.parseInt(entry.firmwareVersion, 16) : 0;
}

/** The keys of `eui` in `ring`, or simulated ones where it holds no private key. */
function keysOf(
  ring: KeyRing | undefined,
  eui: string,
  label: string,
): { party: SimulatedParty; keys: PartyKeys } {
  const simulated = simulatedParty(eui, `hanota duis ${label} ${eui}`);
  const held = ring?.parties.get(eui);
  const ka = held?.ka?.privateKey
    ? { privateKey: held.ka.privateKey, publicKey: held.ka.publicKey }
    : { privateKey: simulated.kaPrivate, publicKey: simulated.kaPublic };
  const ds = held?.ds?.privateKey
    ? { privateKey: held.ds.privateKey, publicKey: held.ds.publicKey }
    : held?.ds && label !== 'device'
      ? { publicKey: held.ds.publicKey }
      : { privateKey: simulated.dsPrivate, publicKey: simulated.dsPublic };
  return {
    party: {
      eui,
      kaPrivate: ka.privateKey,
      kaPublic: ka.publicKey,
      dsPrivate: ds.privateKey ?? simulated.dsPrivate,
      dsPublic: ds.publicKey,
    },
    keys: { ka, ds },
  };
}

/** Builds the estate's devices and the key ring, from the user's keys where it has them. */
export function dccParties(
  estate: readonly EstateDevice[],
  catalog: Catalog,
  userKeys: KeyRing | undefined,
  supplier: string,
): DccParties {
  const parties = new Map<string, PartyKeys>(userKeys?.parties ?? []);
  const acb = keysOf(userKeys, DCC_TEST_ACB, 'acb');
  parties.set(DCC_TEST_ACB, acb.keys);
  const anchor = keysOf(userKeys, supplier, 'supplier');
  parties.set(supplier, anchor.keys);
  const hubs: string[] = [];
  const devices = new Map<string, DccDevice>();
  for (const d of estate) {
    // The DCC names Comms Hubs by EUI-64 (`CommsHubDeviceID`): the estate's hub IDs must be ones.
    const hubId = d.hubId.replace(/[-: ]/g, '').toLowerCase();
    if (!/^[0-9a-f]{16}$/.test(hubId))
      throw new HanotaError(
        'ESTATE_HUB_ID',
        `estate row ${d.row}: hub_id '${d.hubId}' is not an EUI-64 (the DCC knows each Comms Hub by its EUI-64)`,
      );
    let hub = hubs.indexOf(hubId);
    if (hub < 0) hub = hubs.push(hubId) - 1;
    const entry = catalog.byId.get(d.cplEntryId);
    const type =
      entry && (DEVICE_TYPES as readonly string[]).includes(entry.deviceType)
        ? (entry.deviceType as DeviceType)
        : undefined;
    if (!entry || !type) {
      devices.set(d.deviceId, { eui: d.deviceId, hubId, entry, type, spec: undefined });
      continue;
    }
    const profile = DEVICE_PROFILES[type];
    const own = keysOf(userKeys, d.deviceId, 'device');
    parties.set(d.deviceId, own.keys);
    const hw = hardwareKey(entry.hardwareVersion);
    const read = FIRMWARE_READ_OF_TYPE[type];
    const linkName = d.extra.link_profile as keyof typeof LINK_PROFILES | undefined;
    const link: LinkProfile = (linkName && LINK_PROFILES[linkName]) || LINK_PROFILES.typical;
    const spec: DeviceSpec = {
      node: d.deviceId,
      profile,
      manufacturerCode: num(entry.extra.manufacturer_code) ?? 0,
      imageType: num(entry.extra.image_type) ?? 0,
      runningVersion: runningVersionOf(entry),
      ...(/^\d+$/.test(hw) && { hardwareVersion: Number(hw) }),
      link,
      hub,
      // An estate the DCC serves is up and joined when the first request comes.
      startUs: 0,
      // What the DCC distributes is a GBCS OTA Upgrade Image: signed by the supplier for 11.1,
      // without the signature trailer for a PPMID's 11.4 (DCC Boxed's sample, SECMP0007).
      imageFormat: { format: 'gbcs', signed: profile.gbcsActivation },
      ...(read && {
        firmwareRead: {
          device: d.deviceId,
          keyAgreementPrivateKey: own.party.kaPrivate,
          acb: DCC_TEST_ACB,
          acbKeyAgreementKey: acb.party.kaPublic,
          parties: new Map([[supplier, anchor.party.kaPublic]]),
          read,
        },
      }),
      ...(profile.gbcsActivation && {
        trustAnchor: anchor.party.dsPublic,
        gbcs: {
          identity: {
            device: d.deviceId,
            keyAgreementPrivateKey: own.party.kaPrivate,
            signingPrivateKey: own.party.dsPrivate,
            acb: DCC_TEST_ACB,
            acbKeyAgreementKey: acb.party.kaPublic,
          },
          anchor: { supplier, signingKey: anchor.party.dsPublic },
        },
      }),
    };
    devices.set(d.deviceId, { eui: d.deviceId, hubId, entry, type, spec });
  }
  return { devices, hubs, ring: { parties, acb: DCC_TEST_ACB }, supplier };
}
