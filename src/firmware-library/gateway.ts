/**
 * The library's gateway (SECMP0009: "duplicates are stopped at a gateway"): what an upload must be
 * before it is held. The image must read as an OTA file; its hash must be the CPL entry's
 * (Manufacturer Image SHA-256 for a GBCS image, file SHA-256 for a ZigBee OTA file); its header
 * must agree with the entry (manufacturer code, image type, hardware range holding the entry's
 * hardware version, where the catalog gives them); a GBCS meter image must carry a supplier
 * signature that verifies when a key is given; and it must not be held already, by either hash,
 * under any entry. Each refusal is a value naming the check that failed.
 */
import { toHex } from '../bytes/hex.ts';
import { sha256 } from '../crypto/hashes.ts';
import { DecodeError } from '../errors/errors.ts';
import { verifyGbcsSignature } from '../ota/gbcs-signature.ts';
import { type OtaImage, parseImage } from '../ota/image.ts';
import { type Catalog, hardwareKey } from '../pathways/catalog.ts';
import type { LibraryEntry, LibraryIndex } from './library-index.ts';

/** The checks of the gateway, in the order they run. */
export const GATEWAY_CHECK = {
  entry: 'entry',
  image: 'image',
  hash: 'hash',
  header: 'header',
  signature: 'signature',
  duplicate: 'duplicate',
} as const;
/** One check of the gateway. */
export type GatewayCheck = keyof typeof GATEWAY_CHECK;

/** What an upload is offered with. */
export interface Upload {
  readonly bytes: Uint8Array;
  readonly cplEntryId: string;
  readonly commercial: boolean;
  readonly releaseNotesSha256?: string;
  /** The supplier's digital-signing public key: a GBCS meter image must verify with it. */
  readonly supplierKey?: Uint8Array;
}

/** The gateway's verdict. */
export type GatewayVerdict =
  | { readonly ok: true; readonly entry: LibraryEntry }
  | { readonly ok: false; readonly check: GatewayCheck; readonly reason: string; readonly heldAs?: string };

/** Device types whose images the supplier signs (GBCS activation): their images must verify. */
const SIGNED_TYPES: ReadonlySet<string> = new Set(['ESME', 'GSME', 'HCALCS', 'CHF', 'GPF']);

const num = (text: string | undefined): number | undefined => {
  const t = text?.trim();
  if (!t) return undefined;
  if (/^0x[0-9a-f]+$/i.test(t)) return Number.parseInt(t.slice(2), 16);
  return /^\d+$/.test(t) ? Number(t) : undefined;
};

function readImage(bytes: Uint8Array): OtaImage | string {
  let last = '';
  for (const format of ['auto', 'gbcs'] as const) {
    try {
      return parseImage(bytes, { format });
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      last = `${error.message} (offset ${error.offset})`;
    }
  }
  return last;
}

const hex4 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

/** Whether `upload` may be held in the library `index`, under its entry of `catalog`. */
export function admit(upload: Upload, catalog: Catalog, index: LibraryIndex): GatewayVerdict {
  const refuse = (check: GatewayCheck, reason: string, heldAs?: string): GatewayVerdict => ({
    ok: false,
    check,
    reason,
    ...(heldAs && { heldAs }),
  });
  const e = catalog.byId.get(upload.cplEntryId);
  if (!e) return refuse('entry', `no CPL entry ${upload.cplEntryId} in the catalog`);
  const image = readImage(upload.bytes);
  if (typeof image === 'string') return refuse('image', `not an OTA Upgrade file: ${image}`);
  const fileSha256 = toHex(sha256(upload.bytes));
  const imageHash = image.format === 'gbcs' ? toHex(sha256(image.manufacturerImage.data)) : fileSha256;
  if (imageHash !== e.manufacturerImageHash.toLowerCase())
    return refuse(
      'hash',
      `its ${image.format === 'gbcs' ? 'Manufacturer Image' : 'file'} hash ${imageHash} is not ${e.cplEntryId}'s ${e.manufacturerImageHash}`,
    );
  const h = image.header;
  const code = num(e.extra.manufacturer_code);
  if (code !== undefined && code !== h.manufacturerCode)
    return refuse(
      'header',
      `manufacturer code ${hex4(h.manufacturerCode)}, ${e.cplEntryId} is ${hex4(code)}`,
    );
  const type = num(e.extra.image_type);
  if (type !== undefined && type !== h.imageType)
    return refuse('header', `image type ${hex4(h.imageType)}, ${e.cplEntryId} is ${hex4(type)}`);
  const hw = Number(hardwareKey(e.hardwareVersion));
  const { minimumHardwareVersion: min, maximumHardwareVersion: max } = h;
  if (Number.isInteger(hw) && min !== undefined && max !== undefined && (hw < min || hw > max))
    return refuse(
      'header',
      `hardware range ${hex4(min)}..${hex4(max)} does not hold ${e.cplEntryId}'s hardware version ${e.hardwareVersion}`,
    );
  if (upload.supplierKey && SIGNED_TYPES.has(e.deviceType)) {
    if (image.format !== 'gbcs' || !image.signature)
      return refuse(
        'signature',
        `a ${e.deviceType} image must carry the supplier's signature; this one has none`,
      );
    if (!verifyGbcsSignature(image, upload.supplierKey))
      return refuse(
        'signature',
        "the signature over the Manufacturer Image does not verify with the supplier's key",
      );
  }
  const held = index.entries.find(
    (x) => x.fileSha256 === fileSha256 || x.manufacturerImageSha256 === imageHash,
  );
  if (held)
    return refuse(
      'duplicate',
      held.cplEntryId === e.cplEntryId
        ? `already held under ${held.cplEntryId}`
        : `already held under another entry, ${held.cplEntryId} (${held.fileSha256 === fileSha256 ? 'the same file' : 'the same Manufacturer Image'})`,
      held.cplEntryId,
    );
  return {
    ok: true,
    entry: {
      cplEntryId: e.cplEntryId,
      fileSha256,
      manufacturerImageSha256: imageHash,
      fileSize: upload.bytes.length,
      manufacturerCode: h.manufacturerCode,
      imageType: h.imageType,
      fileVersion: h.fileVersion,
      format: image.format,
      commercial: upload.commercial,
      ...(upload.releaseNotesSha256 && { releaseNotesSha256: upload.releaseNotesSha256 }),
      fir: {
        deviceType: e.deviceType,
        manufacturer: e.manufacturer,
        model: e.model,
        hardwareVersion: e.hardwareVersion,
        firmwareVersion: e.firmwareVersion,
        baseCplEntryIds: e.bases,
        status: e.status,
        ...(e.extra.manufacturer_contact && { manufacturerContact: e.extra.manufacturer_contact }),
      },
    },
  };
}
