/**
 * Conformance of a model's firmware to its declared pathways (MP231): for every ordered pair of
 * (running entry, image of a later entry) of one model and hardware version, the real image goes
 * through the emulated hub and device on the frame driver — distribution into hub memory,
 * download, whole-image verification, activation (CS06 for GBCS devices, the hub-managed
 * Upgrade End for PPMID and IHD), where the device's firmware does what the behaviour file says
 * it does on that predecessor (refuses to run, bricks, degrades) as it runs. Each pair is
 * classified against the declaration: declared and works, declared but fails (with the step and reason), undeclared and refused safely, undeclared and bricks (no
 * guard in the firmware), or undeclared but works (the declaration is narrower than the firmware).
 */
import { toHex } from '../bytes/hex.ts';
import { publicKeyOf } from '../crypto/ecdsa-p256.ts';
import { sha256 } from '../crypto/hashes.ts';
import { DEVICE_PROFILES, DEVICE_TYPES, type DeviceType } from '../devices/profiles.ts';
import { DecodeError, HanotaError } from '../errors/errors.ts';
import { buildCs06 } from '../gbcs/build-cs06.ts';
import { simulatedParty } from '../gbcs/simulated-party.ts';
import type { MemoryGeometry } from '../hub/memory.ts';
import { DEFAULT_HUB_CONFIG, type HubConfig } from '../hub/ota-server.ts';
import { type OtaImage, type ParseImageOptions, parseImage } from '../ota/image.ts';
import type { Behaviour, Reaction } from '../pathways/behaviour.ts';
import { type Catalog, type CatalogEntry, hardwareKey } from '../pathways/catalog.ts';
import { reactionOfNote } from '../sim/device-firmware.ts';
import { runFrameSimulation } from '../sim/frame-driver.ts';
import type { FrameRunResult } from '../sim/frame-run.ts';
import type { GbcsDeviceSpec } from '../sim/gbcs-device.ts';
import { LINK_PROFILES } from '../sim/link.ts';

/** How a pair came out, against what was declared. */
export const VERDICTS = [
  'declaredWorks',
  'declaredFails',
  'declaredNotRun',
  'undeclaredRefused',
  'undeclaredBricks',
  'undeclaredWorks',
] as const;
/** A verdict. */
export type Verdict = (typeof VERDICTS)[number];
/** Verdicts that fail a conformance run. */
export const FAILING: ReadonlySet<Verdict> = new Set(['declaredFails', 'declaredNotRun', 'undeclaredBricks']);

/** Where an upgrade stopped, or what the firmware did. */
export type Step =
  | 'no image'
  | 'hub memory'
  | 'hardware range'
  | 'image header mismatch'
  | 'download'
  | 'signature'
  | 'verification'
  | 'hash'
  | 'activation'
  | 'firmware refusal'
  | 'brick'
  | 'degrade';

/** One pair's result. */
export interface PairResult {
  readonly running: string;
  readonly image: string;
  readonly declared: boolean;
  readonly verdict: Verdict;
  /** Where it stopped (absent when it worked). */
  readonly step?: Step;
  readonly reason?: string;
  readonly functionsLost?: readonly string[];
}

/** A conformance run's input. */
export interface ConformInput {
  readonly catalog: Catalog;
  readonly model: string;
  readonly hardwareVersion: string;
  readonly images: readonly { readonly name: string; readonly bytes: Uint8Array }[];
  readonly behaviour: Behaviour;
  /** The supplier's private signing key: the device trusts it, and it signs CS06 (GBCS devices). */
  readonly supplierKey?: Uint8Array;
  readonly seed: number;
  readonly hub?: HubConfig;
  readonly memory?: MemoryGeometry;
}

/** A conformance run's result. */
export interface ConformResult {
  readonly model: string;
  readonly hardwareVersion: string;
  readonly deviceType: DeviceType;
  readonly seed: number;
  /** The model's entries, in file-version order, with the image matched to each by hash. */
  readonly entries: readonly {
    readonly id: string;
    readonly image: string | null;
    readonly fileVersion: number | null;
  }[];
  /** Images in the folder that match no entry of the catalog. */
  readonly unmatchedImages: readonly string[];
  readonly pairs: readonly PairResult[];
  readonly ok: boolean;
}

/** A conformance input that cannot run (no such model, mixed device types, …). */
export class ConformError extends HanotaError {}

interface ReadImage {
  readonly image: OtaImage;
  readonly parse: ParseImageOptions;
  /** What the catalog's hash is compared with (see `readImage`). */
  readonly hash: string;
}

interface Matched extends ReadImage {
  readonly entry: CatalogEntry;
  readonly name: string;
  readonly bytes: Uint8Array;
}

/**
 * An image file and the hash its catalog entry carries: SHA-256 of the Manufacturer Image for a
 * GBCS image (GBCS, CPL); for a ZigBee OTA file (IHD), which has no Manufacturer Image, SHA-256
 * of the whole file. Undefined for files that are neither.
 */
function readImage(bytes: Uint8Array): ReadImage | undefined {
  // Auto first (ZigBee when the sub-elements tile the file, GBCS when a signature trailer ends
  // it), then GBCS for unsigned images: every ZigBee file also reads as an unsigned GBCS image.
  for (const parse of [{ format: 'auto' }, { format: 'gbcs' }] as const) {
    try {
      const image = parseImage(bytes, parse);
      const hash = toHex(sha256(image.format === 'gbcs' ? image.manufacturerImage.data : bytes));
      return { image, parse, hash };
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
    }
  }
  return undefined;
}

/** The device-side outcome of one run, before the behaviour file has its say. */
function stage(result: FrameRunResult, node: string, gbcs: boolean): { step?: Step; reason?: string } {
  const distribution = result.distributions[0];
  if (distribution && !distribution.ok)
    return { step: 'hub memory', reason: `${distribution.reason}: ${distribution.detail}` };
  const device = result.devices[0];
  if (!device) throw new Error('conform: no device result');
  if (!device.complete) {
    const hub = result.trace
      .states(`hub/${node}`)
      .map((e) => e.reason)
      .filter((r) => r.startsWith('no image: '))
      .at(-1);
    // A device that fetched and refused the image is then told "no image" at every poll: its own
    // reason comes first.
    if (device.phase !== 'failed' && hub?.includes('hardware'))
      return { step: 'hardware range', reason: hub.slice('no image: '.length) };
    if (device.phase !== 'failed' && hub)
      return { step: 'image header mismatch', reason: hub.slice('no image: '.length) };
    const why = device.outcome ?? device.phase;
    if (/signature/.test(why)) return { step: 'signature', reason: why };
    if (/hardware/.test(why)) return { step: 'hardware range', reason: why };
    if (/does not match|header/.test(why)) return { step: 'image header mismatch', reason: why };
    if (/INVALID_IMAGE/.test(why)) return { step: 'verification', reason: why };
    return { step: 'download', reason: why };
  }
  if (device.phase === 'upgraded') return {};
  if (!gbcs) return { step: 'activation', reason: `ended ${device.phase}/${device.imageUpgradeStatus}` };
  const notes = result.trace.events.flatMap((e) =>
    e.kind === 'note' && e.node === node && e.what.startsWith('CS06') ? [e] : [],
  );
  const last = notes.at(-1)?.detail;
  if (last?.stage) return { step: 'activation', reason: `CS06 refused at ${last.stage}: ${last.reason}` };
  if (last?.response === 'hashMismatch' || last?.response === 'noImageHeld')
    return { step: 'hash', reason: `CS06 answered ${last.response}` };
  return { step: 'activation', reason: 'no CS06 outcome' };
}

function classify(declared: boolean, works: boolean, harmful: boolean): Verdict {
  if (declared) return works ? 'declaredWorks' : 'declaredFails';
  if (works) return 'undeclaredWorks';
  return harmful ? 'undeclaredBricks' : 'undeclaredRefused';
}

/** The model's entries at the hardware version, its device type and profile: what the check runs on. */
function modelUnderTest(input: ConformInput) {
  const hw = hardwareKey(input.hardwareVersion);
  const entries = input.catalog.entries.filter(
    (e) =>
      e.model === input.model &&
      hardwareKey(e.hardwareVersion) === hw &&
      input.catalog.byId.get(e.cplEntryId) === e,
  );
  if (entries.length === 0)
    throw new ConformError(
      'NO_ENTRIES',
      `no entries of model ${input.model} hardware ${input.hardwareVersion} in the catalog`,
    );
  const types = [...new Set(entries.map((e) => e.deviceType))];
  const deviceType = types[0] as DeviceType;
  if (types.length > 1)
    throw new ConformError(
      'MIXED_TYPES',
      `model ${input.model} has entries of several device types: ${types.join(', ')}`,
    );
  if (!(DEVICE_TYPES as readonly string[]).includes(deviceType))
    throw new ConformError(
      'DEVICE_TYPE',
      `${deviceType} is not a HAN device hanota emulates (${DEVICE_TYPES.join(', ')})`,
    );
  const profile = DEVICE_PROFILES[deviceType];
  if (profile.gbcsActivation && !input.supplierKey)
    throw new ConformError(
      'NO_SUPPLIER_KEY',
      `${deviceType} images are checked and activated with the supplier's key: give it`,
    );
  const hardwareVersion = Number(hw);
  if (!Number.isInteger(hardwareVersion) || hardwareVersion > 0xffff)
    throw new ConformError(
      'HARDWARE_VERSION',
      `hardware version ${input.hardwareVersion} is not a 16-bit number`,
    );

  return { entries, deviceType, profile, hardwareVersion };
}

/** The images matched to the model's entries by Manufacturer Image hash, in version order, and the images no entry names. */
function matchImages(input: ConformInput, entries: readonly CatalogEntry[]) {
  const byHash = new Map<string, ReadImage & { name: string; bytes: Uint8Array }>();
  for (const f of input.images) {
    const read = readImage(f.bytes);
    if (read) byHash.set(read.hash, { ...f, ...read });
  }
  const matched = new Map<string, Matched>();
  for (const e of entries) {
    const m = byHash.get(e.manufacturerImageHash.toLowerCase());
    if (m) matched.set(e.cplEntryId, { entry: e, ...m });
  }
  const matchedNames = new Set([...matched.values()].map((m) => m.name));
  const allHashes = new Set(input.catalog.entries.map((e) => e.manufacturerImageHash.toLowerCase()));
  const unmatchedImages = input.images
    .filter((f) => !matchedNames.has(f.name))
    .filter((f) => {
      const read = readImage(f.bytes);
      return !read || !allHashes.has(read.hash);
    })
    .map((f) => f.name);

  const ordered = [...matched.values()].sort(
    (a, b) =>
      a.image.header.fileVersion - b.image.header.fileVersion ||
      (a.entry.cplEntryId < b.entry.cplEntryId ? -1 : 1),
  );
  return { matched, ordered, unmatchedImages };
}

/** Refuses a behaviour file for another model, naming entries of another model, or silent on an image under test. */
function checkBehaviourFile(input: ConformInput, ordered: readonly Matched[]): void {
  if (input.behaviour.model !== input.model)
    throw new ConformError(
      'BEHAVIOUR_MODEL',
      `the behaviour file is for model ${input.behaviour.model}, not ${input.model}`,
    );
  // One behaviour file covers the model, every hardware version of it.
  const ids = new Set(input.catalog.entries.filter((e) => e.model === input.model).map((e) => e.cplEntryId));
  const strangers = [...input.behaviour.firmware].flatMap(([image, fw]) =>
    [image, ...fw.accepts, ...fw.from.keys()].filter((id) => !ids.has(id)),
  );
  if (strangers.length > 0)
    throw new ConformError(
      'BEHAVIOUR_ENTRY',
      `the behaviour file names ${[...new Set(strangers)].join(', ')}, not entries of model ${input.model}`,
    );
  const missingBehaviour = ordered.filter(
    (m, i) => i > 0 && !input.behaviour.firmware.has(m.entry.cplEntryId),
  );
  if (missingBehaviour.length > 0)
    throw new ConformError(
      'BEHAVIOUR_MISSING',
      `the behaviour file says nothing about ${missingBehaviour.map((m) => m.entry.cplEntryId).join(', ')}`,
    );
}

/** The parties of a conformance run: the DCC's access control broker, the device, the supplier. */
const PARTIES = {
  acb: simulatedParty('90b3d51f30000002', 'hanota conform ACB'),
  meter: simulatedParty('00db000000000001', 'hanota conform device'),
  supplier: '5350000000000001',
};

/** The device, running `running`, is given `target` on a hub of its own: what happens, judged. */
function runPair(
  input: ConformInput,
  model: ReturnType<typeof modelUnderTest>,
  running: Matched,
  target: Matched,
): PairResult {
  const { acb, meter, supplier } = PARTIES;
  const { deviceType, profile, hardwareVersion } = model;
  const declared = target.entry.bases.includes(running.entry.cplEntryId);
  const node = deviceType.toLowerCase();
  const gbcs: GbcsDeviceSpec | undefined =
    profile.gbcsActivation && input.supplierKey
      ? {
          identity: {
            device: meter.eui,
            keyAgreementPrivateKey: meter.kaPrivate,
            signingPrivateKey: meter.dsPrivate,
            acb: acb.eui,
            acbKeyAgreementKey: acb.kaPublic,
          },
          anchor: { supplier, signingKey: publicKeyOf(input.supplierKey) },
          commandsAfterReceipt: [
            buildCs06({
              supplier,
              signingKey: input.supplierKey,
              recipient: meter.eui,
              macFor: meter.kaPublic,
              acbKaPrivate: acb.kaPrivate,
              counter: 1n,
              hash: sha256(
                target.image.format === 'gbcs' ? target.image.manufacturerImage.data : target.bytes,
              ),
            }),
          ],
        }
      : undefined;
  const code = optionalNumber(running.entry.extra.manufacturer_code) ?? running.image.header.manufacturerCode;
  const type = optionalNumber(running.entry.extra.image_type) ?? running.image.header.imageType;
  const result = runFrameSimulation({
    seed: input.seed,
    hub: input.hub ?? DEFAULT_HUB_CONFIG,
    memory: input.memory ?? { blockCount: 64, blockSize: 4096 },
    devices: [
      {
        node,
        profile,
        manufacturerCode: code,
        imageType: type,
        runningVersion: running.image.header.fileVersion,
        hardwareVersion,
        link: LINK_PROFILES.ideal,
        imageFormat: target.parse,
        ...(gbcs && { gbcs }),
        // A behaviour file silent on an image is refused before any run: each target has its say.
        firmware: {
          kind: 'behaviour',
          behaviour: input.behaviour,
          entry: running.entry.cplEntryId,
          entryOfFile: new Map([[toHex(sha256(target.bytes)), target.entry.cplEntryId]]),
          entryOfVersion: new Map([[target.image.header.fileVersion, target.entry.cplEntryId]]),
        },
      },
    ],
    images: [{ file: target.bytes, parse: target.parse }],
    maxTimeUs: 7 * 86_400_000_000,
  });
  const base = { running: running.entry.cplEntryId, image: target.entry.cplEntryId, declared };
  // What the firmware did as it ran, in the run (its behaviour file, applied at activation).
  const fw = firmwareReaction(result, node);
  if (fw?.kind === 'refuse')
    return {
      ...base,
      verdict: classify(declared, false, false),
      step: 'firmware refusal',
      reason: 'the firmware refuses this predecessor and the old one keeps running',
    };
  const device = stage(result, node, profile.gbcsActivation);
  if (device.step) {
    return {
      ...base,
      verdict: classify(declared, false, false),
      step: device.step,
      ...(device.reason && { reason: device.reason }),
    };
  }
  if (!fw) return { ...base, verdict: classify(declared, true, false) };
  return {
    ...base,
    verdict: classify(declared, false, true),
    step: fw.kind,
    reason: `activated, then lost ${fw.functions.join(', ')}`,
    functionsLost: fw.functions,
  };
}

/** What the device's firmware did when it ran, from the run's trace; undefined for a clean upgrade. */
function firmwareReaction(result: FrameRunResult, node: string): Reaction | undefined {
  for (const e of result.trace.events) {
    const reaction = e.kind === 'note' && e.node === node ? reactionOfNote(e) : undefined;
    if (reaction) return reaction;
  }
  return undefined;
}

/** Declared edges with no image at either end: not tested, which is a failure, not a pass. */
function untestedEdges(
  input: ConformInput,
  entries: readonly CatalogEntry[],
  matched: ReadonlyMap<string, Matched>,
): PairResult[] {
  const pairs: PairResult[] = [];
  for (const e of entries)
    for (const baseId of e.bases) {
      const base = input.catalog.byId.get(baseId);
      if (!base || !entries.includes(base) || (matched.has(baseId) && matched.has(e.cplEntryId))) continue;
      const missing = [baseId, e.cplEntryId].filter((id) => !matched.has(id));
      pairs.push({
        running: baseId,
        image: e.cplEntryId,
        declared: true,
        verdict: 'declaredNotRun',
        step: 'no image',
        reason: `no image for ${missing.join(' and ')} among the images`,
      });
    }
  return pairs;
}

/** Runs every pair of the model and hardware version. */
export function runConformance(input: ConformInput): ConformResult {
  const model = modelUnderTest(input);
  const { entries, deviceType } = model;
  const { matched, ordered, unmatchedImages } = matchImages(input, entries);
  checkBehaviourFile(input, ordered);
  const pairs: PairResult[] = [];
  for (const running of ordered)
    for (const target of ordered)
      if (target.image.header.fileVersion > running.image.header.fileVersion)
        pairs.push(runPair(input, model, running, target));
  pairs.push(...untestedEdges(input, entries, matched));
  return {
    model: input.model,
    hardwareVersion: input.hardwareVersion,
    deviceType,
    seed: input.seed,
    entries: entries.map((e) => {
      const m = matched.get(e.cplEntryId);
      return { id: e.cplEntryId, image: m?.name ?? null, fileVersion: m?.image.header.fileVersion ?? null };
    }),
    unmatchedImages,
    pairs,
    ok: !pairs.some((p) => FAILING.has(p.verdict)),
  };
}

function optionalNumber(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const t = text.trim();
  const n = /^0x[0-9a-f]+$/i.test(t)
    ? Number.parseInt(t.slice(2), 16)
    : /^\d+$/.test(t)
      ? Number(t)
      : Number.NaN;
  if (!Number.isInteger(n) || n > 0xffff)
    throw new ConformError('CATALOG_VALUE', `'${text}' is not a 16-bit number`);
  return n;
}
