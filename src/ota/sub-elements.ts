/**
 * OTA sub-elements (ZCL §11.4.3): `tag u16, length u32, data`, tiling the file from the end
 * of the header to the declared total image size. Manufacturer tags 0xF000–0xFFFF are ordinary
 * sub-elements with the same framing.
 */
import type { ByteReader } from '../bytes/byte-reader.ts';
import { type ByteWriter, checkUint } from '../bytes/byte-writer.ts';
import { hexNumber } from '../bytes/hex.ts';
import { DecodeError } from '../errors/errors.ts';
import { SUB_ELEMENT_PREFIX_LENGTH } from './constants.ts';

/** A sub-element to build. */
export interface SubElementInput {
  readonly tag: number;
  readonly data: Uint8Array;
}

/** A decoded sub-element; `offset` is where its tag starts, absolute in the input. */
export interface SubElement extends SubElementInput {
  readonly offset: number;
  readonly length: number;
}

/**
 * Decodes the sub-elements from the reader's position up to position `end` (the declared total
 * size). Throws a `DecodeError` naming the first sub-element that does not fit.
 */
export function decodeSubElements(r: ByteReader, end: number): SubElement[] {
  const elements: SubElement[] = [];
  while (r.position < end) {
    const offset = r.offset;
    const remaining = end - r.position;
    if (remaining < SUB_ELEMENT_PREFIX_LENGTH) {
      throw new DecodeError(
        'ELEMENT_HEADER_TRUNCATED',
        `elements[${elements.length}]: only ${remaining} bytes remain at offset ${offset} before the total image size, a sub-element needs ${SUB_ELEMENT_PREFIX_LENGTH} for its tag and length`,
        offset,
      );
    }
    // Hot path: field names are constants; the detailed name is built only for an error.
    const tag = r.u16('tag');
    const length = r.u32('length');
    const available = remaining - SUB_ELEMENT_PREFIX_LENGTH;
    if (length > available) {
      throw new DecodeError(
        'ELEMENT_OVERRUN',
        `elements[${elements.length}].length: ${length} at offset ${offset + 2} (tag ${hexNumber(tag, 4)} at offset ${offset}) runs ${length - available} bytes past the total image size`,
        offset + 2,
      );
    }
    elements.push({ tag, offset, length, data: r.bytes(length, 'data') });
  }
  return elements;
}

/** Encoded size of `elements`. */
export function subElementsLength(elements: readonly SubElementInput[]): number {
  return elements.reduce((n, e) => n + SUB_ELEMENT_PREFIX_LENGTH + e.data.length, 0);
}

/** Encodes `elements` in order into `w`. */
export function encodeSubElements(w: ByteWriter, elements: readonly SubElementInput[]): void {
  elements.forEach((e, i) => {
    w.u16(checkUint(e.tag, 16, `elements[${i}].tag`), `elements[${i}].tag`);
    w.u32(e.data.length, `elements[${i}].length`);
    w.bytes(e.data);
  });
}
