/**
 * A parsed OTA file as plain data for reports (`image inspect`): header fields by the names of
 * DESIGN.md §2, sub-elements or the Manufacturer Image with their SHA-256, and digests of the
 * whole input. JSON conventions of DESIGN.md §4: camelCase, numbers as numbers, hashes as
 * lowercase hex.
 */
import { toHex } from '../bytes/hex.ts';
import { sha256, sha512 } from '../crypto/hashes.ts';
import { OTA_FILE_IDENTIFIER, subElementTagName } from './constants.ts';
import { headerStringText, type OtaHeader } from './header.ts';
import type { OtaImage } from './image.ts';

/** Header fields as reported. */
export interface HeaderDescription {
  readonly identifier: number;
  readonly headerVersion: number;
  readonly headerLength: number;
  readonly fieldControl: number;
  readonly manufacturerCode: number;
  readonly imageType: number;
  readonly fileVersion: number;
  readonly zigbeeStackVersion: number;
  readonly headerString: string;
  readonly headerStringHex: string;
  readonly totalImageSize: number;
  readonly securityCredentialVersion?: number;
  readonly upgradeFileDestination?: string;
  readonly minimumHardwareVersion?: number;
  readonly maximumHardwareVersion?: number;
}

/** A sub-element as reported. */
export interface ElementDescription {
  readonly tag: number;
  readonly tagName: string;
  readonly offset: number;
  readonly length: number;
  readonly sha256: string;
}

/** A whole file as reported. */
export interface ImageDescription {
  readonly format: OtaImage['format'];
  /** Offset of the OTA file in the input (non-zero inside a container). */
  readonly offset: number;
  readonly header: HeaderDescription;
  readonly elements?: readonly ElementDescription[];
  readonly manufacturerImage?: { readonly offset: number; readonly length: number; readonly sha256: string };
  readonly signature?: { readonly offset: number; readonly flag: number; readonly value: string };
  /** GBCS only: whether signed or unsigned was declared by the caller or detected. */
  readonly form?: 'declared' | 'detected';
  readonly trailingBytes: number;
  /** Size of the whole input. */
  readonly size: number;
  /** SHA-256 of the whole input. */
  readonly sha256: string;
  /** SHA-512 of the whole input. */
  readonly sha512: string;
}

/** The reported form of a header. */
export function describeHeader(header: OtaHeader): HeaderDescription {
  const { headerString, ...rest } = header;
  return {
    identifier: OTA_FILE_IDENTIFIER,
    ...rest,
    headerString: headerStringText(headerString),
    headerStringHex: toHex(headerString),
  };
}

/** The reported form of `image`, parsed from `input`. */
export function describeImage(image: OtaImage, input: Uint8Array): ImageDescription {
  const common = {
    format: image.format,
    offset: image.offset,
    header: describeHeader(image.header),
    trailingBytes: image.trailingBytes,
    size: input.length,
    sha256: toHex(sha256(input)),
    sha512: toHex(sha512(input)),
  };
  if (image.format === 'zigbee') {
    return {
      ...common,
      elements: image.elements.map((e) => ({
        tag: e.tag,
        tagName: subElementTagName(e.tag),
        offset: e.offset,
        length: e.length,
        sha256: toHex(sha256(e.data)),
      })),
    };
  }
  const mi = image.manufacturerImage;
  return {
    ...common,
    manufacturerImage: { offset: mi.offset, length: mi.length, sha256: toHex(sha256(mi.data)) },
    form: image.form,
    ...(image.signature && {
      signature: {
        offset: image.signature.offset,
        flag: image.signature.flag,
        value: toHex(image.signature.value),
      },
    }),
  };
}
