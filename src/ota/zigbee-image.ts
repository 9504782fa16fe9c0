/**
 * ZigBee OTA Upgrade files (ZCL §11.4): header plus sub-elements tiling the file exactly up to
 * the declared total image size. Bytes after that size are counted, not an error.
 */
import { ByteReader } from '../bytes/byte-reader.ts';
import { ByteWriter } from '../bytes/byte-writer.ts';
import { EncodeError } from '../errors/errors.ts';
import { MAX_TOTAL_IMAGE_SIZE } from './constants.ts';
import {
  decodeOtaHeader,
  encodeOtaHeader,
  headerLayout,
  type OtaHeader,
  type OtaHeaderFields,
} from './header.ts';
import { checkDeclaredSize, type ImageLocation } from './image-location.ts';
import {
  decodeSubElements,
  encodeSubElements,
  type SubElement,
  type SubElementInput,
  subElementsLength,
} from './sub-elements.ts';

/** A parsed ZigBee OTA Upgrade file. */
export interface ZigbeeImage extends ImageLocation {
  readonly format: 'zigbee';
  readonly header: OtaHeader;
  readonly elements: readonly SubElement[];
}

/** What `buildZigbeeImage` takes. */
export interface ZigbeeImageInput {
  readonly header: OtaHeaderFields;
  readonly elements: readonly SubElementInput[];
}

/** Parses a ZigBee OTA file that starts at `offset` in `input` (0 unless a container wraps it). */
export function parseZigbeeImage(input: Uint8Array, options: { readonly offset?: number } = {}): ZigbeeImage {
  const offset = options.offset ?? 0;
  // One reader over the whole input for header and sub-elements: typed-array views cost as
  // much to create as a header costs to decode, and parsing is on every hot path.
  const r = new ByteReader(input, { littleEndian: true });
  r.seek(offset, 'identifier');
  const header = decodeOtaHeader(r);
  const { bytes, trailingBytes } = checkDeclaredSize(input, offset, header);
  const elements = decodeSubElements(r, offset + header.totalImageSize);
  return { format: 'zigbee', header, offset, bytes, trailingBytes, elements };
}

/** Builds the bytes of a ZigBee OTA file. */
export function buildZigbeeImage(input: ZigbeeImageInput): Uint8Array {
  const { headerLength } = headerLayout(input.header);
  const total = headerLength + subElementsLength(input.elements);
  if (total > MAX_TOTAL_IMAGE_SIZE)
    throw new EncodeError('IMAGE_TOO_LARGE', `totalImageSize: ${total} does not fit in 32 bits`);
  const w = new ByteWriter({ littleEndian: true, initialCapacity: total });
  encodeOtaHeader(w, input.header, total);
  encodeSubElements(w, input.elements);
  return w.finish();
}
