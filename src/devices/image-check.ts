/**
 * The whole-image checks a device makes when its download completes (ZCL r8 §11.11.3,
 * GBCS §11.2): the file parses with the right identifier, its manufacturer code, image type,
 * version and size match what the hub announced, the device's hardware version is in the
 * image's range, and — for a GBCS device holding its supplier's key — the supplier signature
 * over the Manufacturer Image verifies. The outcome is the status of the Upgrade End Request.
 */
import { DecodeError } from '../errors/errors.ts';
import { verifyGbcsSignature } from '../ota/gbcs-signature.ts';
import { type ParseImageOptions, parseImage } from '../ota/image.ts';
import type { ImageCheck, TargetImage } from './ota-client-state.ts';

/** What the device checks the image against. */
export interface ImageExpectations {
  readonly target: TargetImage;
  readonly hardwareVersion?: number;
  /** The supplier's signing key (uncompressed P-256) when the device holds one. */
  readonly trustAnchor?: Uint8Array;
  /** How the device reads its images (default: auto; GBCS signed when it holds a trust anchor). */
  readonly parse?: ParseImageOptions;
}

/** Checks the bytes a device assembled. */
export function checkDownloadedImage(bytes: Uint8Array, expect: ImageExpectations): ImageCheck {
  const { target } = expect;
  if (bytes.length < target.imageSize) {
    return { status: 'REQUIRE_MORE_IMAGE', reason: `${bytes.length} of ${target.imageSize} bytes held` };
  }
  let image: ReturnType<typeof parseImage>;
  try {
    image = parseImage(bytes, expect.trustAnchor ? { format: 'gbcs', signed: true } : (expect.parse ?? {}));
  } catch (error) {
    if (error instanceof DecodeError) return { status: 'INVALID_IMAGE', reason: error.message };
    throw error;
  }
  const h = image.header;
  if (h.totalImageSize > target.imageSize) {
    return {
      status: 'REQUIRE_MORE_IMAGE',
      reason: `header declares ${h.totalImageSize} bytes, ${target.imageSize} announced`,
    };
  }
  if (
    h.manufacturerCode !== target.manufacturerCode ||
    h.imageType !== target.imageType ||
    h.fileVersion !== target.fileVersion
  ) {
    return { status: 'INVALID_IMAGE', reason: 'header does not match the image the hub announced' };
  }
  if (h.totalImageSize !== target.imageSize) {
    return {
      status: 'INVALID_IMAGE',
      reason: `header declares ${h.totalImageSize} bytes, ${target.imageSize} announced`,
    };
  }
  const hw = expect.hardwareVersion;
  if (hw !== undefined && h.minimumHardwareVersion !== undefined && h.maximumHardwareVersion !== undefined) {
    if (hw < h.minimumHardwareVersion || hw > h.maximumHardwareVersion) {
      return {
        status: 'INVALID_IMAGE',
        reason: `hardware version ${hw} is outside ${h.minimumHardwareVersion}..${h.maximumHardwareVersion}`,
      };
    }
  }
  if (expect.trustAnchor && (image.format !== 'gbcs' || !verifyGbcsSignature(image, expect.trustAnchor))) {
    return {
      status: 'INVALID_IMAGE',
      reason: 'supplier signature over the Manufacturer Image does not verify',
    };
  }
  return { status: 'SUCCESS' };
}
