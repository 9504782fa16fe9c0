/**
 * Checks of a parsed OTA file that need its bytes: digests of the file and of its parts, and
 * the Image Integrity Code sub-element (ZCL §11.4.3, tag 0x0003, an AES-MMO hash).
 *
 * Real files disagree on what the integrity code covers: the ubisys sample in the shared
 * vectors hashes every byte before the sub-element, the NodOn sample every byte before the
 * 16-byte value (its tag and length included). A check accepts either and says which.
 */
import { bytesEqual } from '../bytes/hex.ts';
import { AES_MMO_DIGEST_LENGTH, AES_MMO_MAX_MESSAGE_LENGTH, aesMmo } from '../crypto/aes-mmo.ts';
import { SUB_ELEMENT_PREFIX_LENGTH, SUB_ELEMENT_TAG } from './constants.ts';
import type { SubElement } from './sub-elements.ts';
import { buildZigbeeImage, type ZigbeeImage, type ZigbeeImageInput } from './zigbee-image.ts';

/** What the integrity code was found to cover. */
export type IntegrityCoverage = 'beforeElement' | 'beforeValue';

/**
 * Outcome of checking one Image Integrity Code sub-element. `unchecked`: the hash cannot be
 * computed (AES-MMO is defined for messages under 2^32 bits, 512 MiB).
 */
export interface IntegrityCheck {
  /** Absolute offset of the sub-element. */
  readonly offset: number;
  readonly status: 'valid' | 'invalid' | 'unchecked';
  /** Present when `valid`. */
  readonly coverage?: IntegrityCoverage;
  readonly expected: Uint8Array;
  /** The AES-MMO of the bytes before the sub-element (the form hanota writes), when computed. */
  readonly computed?: Uint8Array;
  /** Why it is not valid, when it is not. */
  readonly reason?: string;
}

/** Checks every Image Integrity Code sub-element of a ZigBee OTA file (none: empty list). */
export function checkIntegrityCodes(image: ZigbeeImage): IntegrityCheck[] {
  return image.elements
    .filter((e) => e.tag === SUB_ELEMENT_TAG.imageIntegrityCode)
    .map((e) => checkOne(image, e));
}

function checkOne(image: ZigbeeImage, element: SubElement): IntegrityCheck {
  const start = element.offset - image.offset;
  const base = { offset: element.offset, expected: element.data };
  if (element.data.length !== AES_MMO_DIGEST_LENGTH) {
    return {
      ...base,
      status: 'invalid',
      reason: `image integrity code: ${element.data.length} bytes, an AES-MMO hash has ${AES_MMO_DIGEST_LENGTH}`,
    };
  }
  if (start + SUB_ELEMENT_PREFIX_LENGTH >= AES_MMO_MAX_MESSAGE_LENGTH) {
    return {
      ...base,
      status: 'unchecked',
      reason: `image integrity code: AES-MMO is not defined for ${start} bytes`,
    };
  }
  const computed = aesMmo(image.bytes.subarray(0, start));
  if (bytesEqual(computed, element.data))
    return { ...base, computed, status: 'valid', coverage: 'beforeElement' };
  const withPrefix = aesMmo(image.bytes.subarray(0, start + SUB_ELEMENT_PREFIX_LENGTH));
  if (bytesEqual(withPrefix, element.data))
    return { ...base, computed, status: 'valid', coverage: 'beforeValue' };
  return {
    ...base,
    computed,
    status: 'invalid',
    reason:
      'image integrity code: matches neither the AES-MMO of the bytes before the sub-element nor of the bytes before its value',
  };
}

/**
 * Builds a ZigBee OTA file with an Image Integrity Code sub-element appended, covering every
 * byte before the sub-element. The header holds the total size, so the file is first built
 * with a zero code of the right length, then the code is computed over that prefix.
 */
export function buildZigbeeImageWithIntegrityCode(input: ZigbeeImageInput): Uint8Array {
  const placeholder = {
    tag: SUB_ELEMENT_TAG.imageIntegrityCode,
    data: new Uint8Array(AES_MMO_DIGEST_LENGTH),
  };
  const draft = buildZigbeeImage({ ...input, elements: [...input.elements, placeholder] });
  const prefixLength = draft.length - SUB_ELEMENT_PREFIX_LENGTH - AES_MMO_DIGEST_LENGTH;
  draft.set(aesMmo(draft.subarray(0, prefixLength)), prefixLength + SUB_ELEMENT_PREFIX_LENGTH);
  return draft;
}
