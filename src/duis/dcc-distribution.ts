/**
 * What the DCC checks of an 11.1 Update Firmware or 11.4 Update PPMID Firmware request before it
 * distributes anything (DUIS 5.4; DESIGN.md §1): the image reads as a GBCS OTA Upgrade Image
 * (signed for 11.1, without the trailer for 11.4), and each listed device is known, commissioned
 * with a CPL entry, on the request's route, and of the model and hardware version of a CPL entry
 * whose Manufacturer Image hash is the image's. The devices left out are named
 * (`DSPUpdateFirmwareWarning`); the rest are grouped by their hub, one distribution to each.
 */
import { toHex } from '../bytes/hex.ts';
import { sha256 } from '../crypto/hashes.ts';
import { DecodeError, HanotaError } from '../errors/errors.ts';
import { parseImage } from '../ota/image.ts';
import type { Catalog } from '../pathways/catalog.ts';
import type { DccDevice } from './dcc-devices.ts';
import type { DuisRequest } from './request.ts';

/** An 11.1 / 11.4 request, checked. */
export interface DistributionPlan {
  /** 11.4: a PPMID's image, without the signature trailer. */
  readonly ppmid: boolean;
  /** The image's file version, 8 hex digits. */
  readonly firmwareVersion: string;
  /** The devices it goes to, by hub EUI-64, in the order listed. */
  readonly byHub: ReadonlyMap<string, readonly string[]>;
  /** Listed devices the DCC does not know or that are not commissioned with a CPL entry. */
  readonly invalid: readonly string[];
  /** Listed devices the image is not for (another model, hardware version or route). */
  readonly notApplicable: readonly string[];
}

/** Checks `request`'s image and devices against the estate and the catalog. */
export function planDistribution(
  request: DuisRequest,
  body: Extract<DuisRequest['body'], { service: '11.1' | '11.4' }>,
  devices: ReadonlyMap<string, DccDevice>,
  catalog: Catalog,
): DistributionPlan {
  const ppmid = body.service === '11.4';
  let hash: string;
  let fileVersion: number;
  try {
    const image = parseImage(body.image, { format: 'gbcs', signed: !ppmid });
    fileVersion = image.header.fileVersion;
    hash = image.format === 'gbcs' ? toHex(sha256(image.manufacturerImage.data)) : toHex(sha256(body.image));
  } catch (error) {
    if (error instanceof DecodeError)
      throw new HanotaError('DUIS_IMAGE', `${request.requestIdText}: FirmwareImage: ${error.message}`);
    throw error;
  }
  const invalid: string[] = [];
  const notApplicable: string[] = [];
  const byHub = new Map<string, string[]>();
  for (const id of body.deviceIds) {
    const device = devices.get(id);
    if (!device?.spec || !device.entry) {
      invalid.push(id);
      continue;
    }
    const own = device.entry;
    const fits = catalog.entries.some(
      (e) =>
        e.manufacturerImageHash.toLowerCase() === hash &&
        e.model === own.model &&
        e.manufacturer === own.manufacturer &&
        e.hardwareVersion === own.hardwareVersion,
    );
    const route = ppmid ? device.type === 'PPMID' || device.type === 'IHD' : device.spec.gbcs !== undefined;
    if (!fits || !route) {
      notApplicable.push(id);
      continue;
    }
    byHub.set(device.hubId, [...(byHub.get(device.hubId) ?? []), id]);
  }
  return { ppmid, firmwareVersion: fileVersion.toString(16).padStart(8, '0'), byHub, invalid, notApplicable };
}
